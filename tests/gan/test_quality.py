"""The course's quality target for the class-conditional DCGAN (slow: a few minutes on one core)."""

import pytest

from tutorial_lib.data import ANIMAL_CLASSES
from tutorial_lib.gan.quality import conditional_gan_quality
from tutorial_lib.gan.recipes import QUALITY_STEPS


@pytest.mark.slow
def test_conditional_dcgan_draws_the_requested_animal(capsys):
    """A judge trained on real images names the requested class for >= 70 % of samples, averaged over
    classes, after QUALITY_STEPS steps with a fixed seed; the samples of a class must also vary."""
    report, _ = conditional_gan_quality(QUALITY_STEPS, seed=0, device="cpu", progress=False)
    with capsys.disabled():
        print("\n" + report.summary(ANIMAL_CLASSES))
    assert report.judge_test_accuracy >= 0.85, "the judge itself is too weak to trust"
    assert report.class_accuracy >= 0.70
    assert min(report.per_class_accuracy) >= 0.2, "a class the generator cannot draw at all"
    assert report.diversity >= 0.5, "samples of one class look alike (within-class collapse)"
