"""Notebook 03's claims at its own settings: R1 finds every ring mode evenly, the vanilla GAN does not.

Both runs use the default profile's notebook 03 settings (steps, hidden width, batch) and seed 0,
whatever the active profile, so the claim is checked as the learner sees it: a few seconds each on
one CPU thread. At this lesson size R1 is not yet sharp (61-73 % of its samples within 3σ of a mode on
seeds 0-4, ``benchmarks/mode_collapse.py``); the course's 90 % target is met by the longer recipe
recorded in :mod:`tutorial_lib.gan.remedies`.
"""

import pytest

from tutorial_lib.config import get_profile
from tutorial_lib.gan.comparison import run_method
from tutorial_lib.gan.remedies import BEST_METHOD


@pytest.mark.slow
def test_best_remedy_covers_the_ring_evenly_and_vanilla_is_worse(one_thread):
    p = get_profile("default")
    settings = dict(steps=p.mode_collapse_steps, seed=0, device="cpu", hidden=p.mode_collapse_hidden,
                    batch_size=p.mode_collapse_batch)  # fmt: skip
    best = run_method(BEST_METHOD, "ring", **settings)
    assert best.modes_well_covered == 8, best.counts
    assert best.reverse_kl <= 0.07, best.reverse_kl
    assert best.high_quality_fraction >= 0.5, best.high_quality_fraction
    vanilla = run_method("vanilla", "ring", **settings)
    worse_modes = vanilla.modes_well_covered < best.modes_well_covered
    worse_kl = vanilla.reverse_kl > 2 * best.reverse_kl + 0.05
    assert worse_modes or worse_kl, (vanilla.counts, vanilla.reverse_kl, best.reverse_kl)
