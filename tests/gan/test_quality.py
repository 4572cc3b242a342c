"""The course's quality target for the class-conditional DCGAN (slow: a few minutes on one core)."""

import pytest

from tutorial_lib.data import ANIMAL_CLASSES
from tutorial_lib.gan.quality import conditional_gan_quality
from tutorial_lib.gan.recipes import QUALITY_STEPS


@pytest.mark.slow
def test_conditional_dcgan_draws_the_requested_animal(capsys, one_thread):
    """The panel of three judges trained on real images names the requested class for >= 85 % of samples
    averaged over classes, and for >= 70 % in every class, after QUALITY_STEPS steps. Measured (one thread)
    on seeds 0 / 1 / 2: mean 91.5 % / 89.5 % / 91.6 %, weakest class 81 % / 78 % / 84 %. Seed 2 runs here:
    the AC-GAN weight 0.6 was chosen on it (bird 63 % with 0.3), so a regression shows first there. The
    samples of a class must also vary (91-93 % of the real images' variety was measured)."""
    report, _ = conditional_gan_quality(QUALITY_STEPS, seed=2, device="cpu", progress=False)
    with capsys.disabled():
        print("\n" + report.summary(ANIMAL_CLASSES))
    assert report.judge_test_accuracy >= 0.85, "the judges themselves are too weak to trust"
    assert report.class_accuracy >= 0.85
    assert min(report.per_class_accuracy) >= 0.70, dict(zip(ANIMAL_CLASSES, report.per_class_accuracy, strict=True))
    assert report.diversity >= 0.5, "samples of one class look alike (within-class collapse)"
