import math

import pytest
import torch

from tutorial_lib.data import mixture_centers, sample_mixture
from tutorial_lib.gan.comparison import mode_coverage

RING = mixture_centers("ring")


def test_perfect_samples_cover_everything_with_zero_kl():
    samples = RING.repeat_interleave(30, dim=0)  # 30 exact hits per mode
    m = mode_coverage(samples, RING, std=0.01)
    assert (m.modes_covered, m.modes_well_covered) == (8, 8)
    assert m.high_quality_fraction == 1.0
    assert m.reverse_kl == pytest.approx(0.0, abs=1e-12)
    assert m.counts == (30,) * 8


def test_collapse_onto_one_mode_gives_log_k():
    m = mode_coverage(RING[:1].repeat(100, 1), RING, std=0.01)
    assert (m.modes_covered, m.modes_well_covered) == (1, 1)
    assert m.reverse_kl == pytest.approx(math.log(8))


def test_lenient_rule_hides_imbalance_that_kl_and_min_count_reveal():
    # one sample on each of 7 modes, everything else on mode 0
    samples = torch.cat([RING[1:], RING[:1].repeat(93, 1)])
    m = mode_coverage(samples, RING, std=0.01, min_count=20)
    assert m.modes_covered == 8 and m.modes_well_covered == 1
    p = torch.tensor([93.0] + [1.0] * 7) / 100
    assert m.reverse_kl == pytest.approx(float((p * torch.log(8 * p)).sum()))


def test_threshold_is_in_units_of_sigma():
    offset = torch.tensor([[0.029, 0.0], [0.031, 0.0]])  # 2.9σ and 3.1σ from centre (1, 0)
    m = mode_coverage(RING[:1] + offset, RING, std=0.01)
    assert m.counts[0] == 1 and m.high_quality_fraction == 0.5


def test_far_samples_are_low_quality_and_kl_is_infinite():
    m = mode_coverage(torch.full((10, 2), 5.0), RING, std=0.01)
    assert m.high_quality_fraction == 0.0 and m.modes_covered == 0 and math.isinf(m.reverse_kl)


def test_true_samples_score_near_perfect():
    x = sample_mixture("grid", 2500, generator=torch.Generator().manual_seed(0))
    m = mode_coverage(x, mixture_centers("grid"), std=0.05)
    assert m.modes_well_covered == 25 and m.high_quality_fraction > 0.98 and m.reverse_kl < 0.02


def test_shape_errors():
    with pytest.raises(ValueError, match="samples must be"):
        mode_coverage(torch.zeros(5, 3), RING, std=0.01)
    with pytest.raises(ValueError, match="positive"):
        mode_coverage(torch.zeros(5, 2), RING, std=0.0)
