"""The DP-GAN loop: it spends the ε it was asked for, trains, and its privacy shows against the attack."""

import math

import pytest

from tutorial_lib.common.classifier import train_classifier
from tutorial_lib.data import load_digits_tensor
from tutorial_lib.gan.evaluation import conditional_class_accuracy
from tutorial_lib.gan.recipes import conditional_dcgan
from tutorial_lib.privacy.dp_gan import train_dp_gan
from tutorial_lib.privacy.dpsgd import epsilon_spent
from tutorial_lib.privacy.membership import member_split, membership_inference


@pytest.fixture(scope="module")
def digits():
    d = load_digits_tensor()
    return member_split(d.images, d.labels, 256, 512, seed=0), d


def test_a_short_private_run_spends_the_budget_and_reports_what_the_accountant_says(digits):
    (members, _, _), _ = digits
    run = train_dp_gan(*members, conditional_dcgan("digits"), epsilon=5.0, steps=12, device="cpu", progress=False)
    assert run.steps == 12 and len(run.loss_d) == 12 and all(map(math.isfinite, run.loss_d + run.loss_g))
    assert run.sample_rate == 32 / 256 and run.delta == 1 / 256 and run.noise_multiplier > 0
    assert run.epsilon == pytest.approx(5.0, rel=0.02)
    assert run.epsilon == pytest.approx(epsilon_spent(run.sample_rate, run.noise_multiplier, 12, run.delta), rel=1e-6)
    assert not run.G.training and not run.D.training
    assert type(run.D.bn).__name__ == "GroupNorm"


def test_the_non_private_run_has_no_noise_and_infinite_epsilon(digits):
    (members, _, _), _ = digits
    run = train_dp_gan(*members, conditional_dcgan("digits"), epsilon=None, steps=3, device="cpu", progress=False)
    assert run.epsilon == math.inf and run.noise_multiplier == 0.0 and run.label == "ε = ∞"


def test_input_errors_are_clear(digits):
    (members, _, _), _ = digits
    with pytest.raises(ValueError, match="batch_size"):
        train_dp_gan(*members, conditional_dcgan("digits"), epsilon=1.0, steps=2, batch_size=1000, progress=False)
    with pytest.raises(ValueError, match="labels"):
        train_dp_gan(members[0], members[1][:3], conditional_dcgan("digits"), epsilon=1.0, steps=2, progress=False)


@pytest.mark.slow
def test_privacy_costs_quality_and_stops_the_membership_attack(digits, one_thread):
    """Seed 0, the default profile's 2,000 steps. ``benchmarks/privacy.py`` measured, seeds 0 / 1 / 2:
    class accuracy ε = ∞ 98.9 / 99.9 / 98.1 %, ε ≈ 10 90.0 / 100 / 90.0 %, ε ≈ 1 15.9 / 30.0 / 29.0 %;
    membership AUC ε = ∞ 0.691 / 0.672 / 0.701, ε ≈ 10 0.557 / 0.530 / 0.497, ε ≈ 1 0.537 / 0.516 / 0.481."""
    (members, non_members, rest), d = digits
    judge = train_classifier(d.images[rest], d.labels[rest], epochs=30, seed=0, max_shift=0, progress=False)
    runs = {eps: train_dp_gan(*members, conditional_dcgan("digits"), epsilon=eps, steps=2000, progress=False)
            for eps in (None, 10.0, 1.0)}  # fmt: skip
    acc10, _ = conditional_class_accuracy(runs[10.0].G, judge, 10, n_per_class=100)
    assert acc10 >= 0.6, acc10
    auc = {eps: membership_inference(r.D, members, non_members).auc for eps, r in runs.items()}
    assert auc[None] > auc[1.0] + 0.08, auc
    assert abs(auc[1.0] - 0.5) < 0.07, auc
