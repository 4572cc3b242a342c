"""Notebook 03's claim: the best remedy covers the ring evenly and sharply; the vanilla GAN does not.

Both runs use the default profile's step count on the ring and one seed (about a minute each on one
CPU thread), whatever the active profile, so the claim is checked as the learner sees it.
"""

import pytest

from tutorial_lib.config import get_profile
from tutorial_lib.gan.comparison import run_method
from tutorial_lib.gan.remedies import BEST_METHOD


@pytest.mark.slow
def test_best_remedy_meets_the_ring_target_and_vanilla_is_worse(one_thread):
    steps = get_profile("default").mode_collapse_steps
    best = run_method(BEST_METHOD, "ring", steps=steps, seed=0, device="cpu")
    assert best.modes_well_covered == 8, best.counts
    assert best.high_quality_fraction >= 0.90, best.high_quality_fraction
    assert best.reverse_kl <= 0.07, best.reverse_kl
    vanilla = run_method("vanilla", "ring", steps=steps, seed=0, device="cpu")
    worse_modes = vanilla.modes_well_covered < best.modes_well_covered
    worse_kl = vanilla.reverse_kl > 2 * best.reverse_kl + 0.05
    assert worse_modes or worse_kl, (vanilla.counts, vanilla.reverse_kl, best.reverse_kl)
