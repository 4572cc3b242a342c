import pytest
import torch

from tutorial_lib.common.classifier import SmallClassifier, accuracy, predict, train_classifier
from tutorial_lib.gan.evaluation import (
    conditional_class_accuracy,
    conditional_samples,
    intra_class_diversity,
    mean_pairwise_distance,
)
from tutorial_lib.gan.models import DCGANGenerator


def _bars(n=200, seed=0):
    """Two easy classes of 8x8 images: a horizontal or a vertical bar, at random positions."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 1, 8, 8)
    y = torch.arange(n) % 2
    pos = torch.randint(1, 7, (n,), generator=g)
    for i in range(n):
        if y[i]:
            x[i, 0, :, pos[i]] = 1
        else:
            x[i, 0, pos[i], :] = 1
    return x, y


def test_classifier_learns_an_easy_task():
    x, y = _bars()
    model = train_classifier(x, y, epochs=3, batch_size=32, lr=3e-3, progress=False)
    xt, yt = _bars(seed=1)
    assert accuracy(model, xt, yt) > 0.95
    assert predict(model, xt).shape == (200,) and not model.training


def test_classifier_is_deterministic_and_validates_shapes():
    x, y = _bars(64)
    a = train_classifier(x, y, epochs=1, progress=False, seed=3)
    b = train_classifier(x, y, epochs=1, progress=False, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    with pytest.raises(ValueError, match="labels must have shape"):
        train_classifier(x, y[:3], progress=False)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 28, 28\)"):
        SmallClassifier()(torch.rand(2, 1, 8, 8))


def test_channels_last_trains_the_same_model_up_to_rounding():
    x, y = _bars(64)
    a = train_classifier(x, y, epochs=2, batch_size=16, width=8, progress=False, seed=1)
    b = train_classifier(x, y, epochs=2, batch_size=16, width=8, channels_last=True, progress=False, seed=1)
    assert a.net[0].out_channels == 8 and a.net[3].out_channels == 16
    assert b.net[3].weight.is_contiguous(memory_format=torch.channels_last)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


class _PerfectGenerator(torch.nn.Module):
    """Draws the class it is asked for: a bar whose position comes from z."""

    latent_dim = 2

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(()))

    def forward(self, z, y):
        x = torch.zeros(len(z), 1, 8, 8)
        pos = (z[:, 0].sigmoid() * 6).long() + 1
        for i in range(len(z)):
            if y[i]:
                x[i, 0, :, pos[i]] = 1
            else:
                x[i, 0, pos[i], :] = 1
        return x + self.dummy


class _SwappedGenerator(_PerfectGenerator):
    def forward(self, z, y):
        return super().forward(z, 1 - y)


def test_class_accuracy_of_a_perfect_and_a_label_swapping_generator():
    x, y = _bars()
    judge = train_classifier(x, y, epochs=3, batch_size=32, lr=3e-3, progress=False)
    G = _PerfectGenerator()
    acc, per_class = conditional_class_accuracy(G, judge, num_classes=2, n_per_class=50)
    assert acc == 1.0 and per_class.tolist() == [1.0, 1.0]
    acc, per_class = conditional_class_accuracy(_SwappedGenerator(), judge, num_classes=2, n_per_class=50)
    assert acc == 0.0 and per_class.tolist() == [0.0, 0.0]
    images, labels = conditional_samples(G, 2, 5)
    assert images.shape == (10, 1, 8, 8) and labels.tolist() == [0] * 5 + [1] * 5


def test_diversity_is_zero_for_copies_and_one_for_the_data_itself():
    x, y = _bars()
    assert mean_pairwise_distance(x[:1].repeat(10, 1, 1, 1), torch.zeros(10, dtype=torch.long)) == 0.0
    # two images at distance d: mean over distinct pairs is d
    pair = torch.stack([torch.zeros(1, 2, 2), torch.ones(1, 2, 2)])
    assert mean_pairwise_distance(pair, torch.tensor([0, 0])) == pytest.approx(2.0)
    assert intra_class_diversity(_PerfectGenerator(), x, y, n_per_class=100) == pytest.approx(1.0, abs=0.15)
    torch.manual_seed(0)
    G = DCGANGenerator(latent_dim=4, image_size=8, width=4, num_classes=2)
    assert 0 <= intra_class_diversity(G, x, y, n_per_class=10) < 1
