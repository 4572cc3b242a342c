import math

import pytest
import torch

from tutorial_lib.data import MIXTURE_STD, mixture_centers, sample_mixture


def test_ring_centres_follow_pacgan():
    c = mixture_centers("ring")
    assert c.shape == (8, 2)
    assert torch.allclose(c.norm(dim=1), torch.ones(8), atol=1e-6)
    assert torch.allclose(c[2], torch.tensor([0.0, 1.0]), atol=1e-6)
    assert MIXTURE_STD["ring"] == 0.01


def test_grid_centres_follow_pacgan():
    c = mixture_centers("grid")
    assert c.shape == (25, 2)
    assert set(c[:, 0].tolist()) == {-4.0, -2.0, 0.0, 2.0, 4.0}
    assert len({tuple(p) for p in c.tolist()}) == 25
    assert MIXTURE_STD["grid"] == 0.05


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_samples_have_the_right_std_and_equal_weights(name):
    gen = torch.Generator().manual_seed(0)
    x, labels = sample_mixture(name, 20000, generator=gen, return_labels=True)
    centers = mixture_centers(name)
    resid = x - centers[labels]
    assert resid.std().item() == pytest.approx(MIXTURE_STD[name], rel=0.03)
    counts = labels.bincount(minlength=len(centers)).float()
    expected = 20000 / len(centers)
    # chi-square with K-1 dof stays well below 3x its mean for a fair draw
    chi2 = ((counts - expected) ** 2 / expected).sum().item()
    assert chi2 < 3 * (len(centers) - 1)
    # every sample is closest to its own centre (modes are far apart relative to σ)
    nearest = torch.cdist(x, centers).argmin(1)
    assert torch.equal(nearest, labels)


def test_seeded_and_errors():
    a = sample_mixture("ring", 10, generator=torch.Generator().manual_seed(1))
    b = sample_mixture("ring", 10, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="ring"):
        mixture_centers("spiral")
    with pytest.raises(ValueError):
        sample_mixture("ring", 0)
    assert math.isclose(sample_mixture("ring", 5000, std=0.0).norm(dim=1).mean().item(), 1.0, rel_tol=1e-6)
