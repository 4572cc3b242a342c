import pytest
import torch
from torch import nn

from tutorial_lib.applications.augment import ARMS, _epochs_for, augmentation_study, few_shot_subset, gan_samples
from tutorial_lib.data import load_digits_tensor


class RealImageGenerator(nn.Module):
    """A stand-in for a perfect conditional generator: G(z, c) is a real image of class c picked by z."""

    def __init__(self, images, labels):
        super().__init__()
        self.latent_dim, self.num_classes = 4, int(labels.max()) + 1
        self.register_buffer("images", images)
        self.register_buffer("labels", labels)
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, z, y):
        out = []
        for zi, yi in zip(z, y, strict=True):
            pool = self.images[self.labels == yi]
            out.append(pool[int(abs(zi[0].item()) * 1e4) % len(pool)])
        return torch.stack(out) + 0 * self.dummy


def _split():
    digits = load_digits_tensor()
    return (
        type(digits)(digits.images[:1200], digits.labels[:1200], digits.classes),
        type(digits)(digits.images[1200:], digits.labels[1200:], digits.classes),
    )


def test_few_shot_subset_takes_n_of_every_class():
    train, _ = _split()
    sub = few_shot_subset(train, 5, seed=1)
    assert torch.equal(sub.labels.bincount(), torch.full((10,), 5))
    assert torch.equal(sub.images, few_shot_subset(train, 5, seed=1).images)
    assert not torch.equal(sub.images, few_shot_subset(train, 5, seed=2).images)
    with pytest.raises(ValueError, match="fewer than n_per_class"):
        few_shot_subset(train, 1000)


def test_epochs_give_at_least_the_requested_steps():
    assert _epochs_for(400, 200, 64) == 100  # 4 batches per epoch
    assert _epochs_for(400, 2200, 64) == 12  # 35 batches per epoch: 420 steps
    assert _epochs_for(1, 10, 64) == 1


def test_gan_samples_are_labelled_class_major():
    train, _ = _split()
    G = RealImageGenerator(train.images, train.labels)
    s = gan_samples(G, 10, 3)
    assert s.images.shape == (30, 1, 8, 8) and torch.equal(s.labels, torch.arange(10).repeat_interleave(3))


@pytest.mark.slow
def test_study_with_a_perfect_generator():
    """With 'samples' that are real images, the GAN-only arm learns the task and the report is consistent."""
    train, test = _split()
    G = RealImageGenerator(train.images, train.labels)
    report = augmentation_study(G, train, test, n_real_per_class=3, n_fake_per_class=40, seeds=(0, 1), steps=150,
                                progress=False)  # fmt: skip
    assert set(report.accuracies) == set(ARMS) and all(len(v) == 2 for v in report.accuracies.values())
    assert report.mean("GAN only") > 0.5  # chance is 0.1
    assert report.gain() == pytest.approx(
        [b - a for a, b in zip(report.accuracies["real only"], report.accuracies["real + GAN"], strict=True)]
    )
    assert ("did not help" in report.verdict()) == (sum(report.gain()) <= 0) and "GAN only" in report.table()
