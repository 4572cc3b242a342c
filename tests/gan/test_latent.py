import math

import pytest
import torch

from tutorial_lib.gan.latent import interpolate, slerp


def test_slerp_ends_and_constant_norm_between_orthogonal_vectors():
    z0, z1 = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    path = interpolate(z0, z1, steps=5)
    assert torch.allclose(path[0], z0) and torch.allclose(path[-1], z1)
    assert torch.allclose(path.norm(dim=1), torch.full((5,), 3.0))
    mid = slerp(z0, z1, 0.5)
    assert torch.allclose(mid, 3 * torch.tensor([math.sqrt(0.5), math.sqrt(0.5)]))


def test_linear_interpolation_and_parallel_fallback():
    z0, z1 = torch.tensor([1.0, 1.0]), torch.tensor([2.0, 2.0])
    assert torch.allclose(slerp(z0, z1, 0.5), torch.tensor([1.5, 1.5]))
    lin = interpolate(torch.zeros(3), torch.ones(3), steps=3, spherical=False)
    assert torch.allclose(lin[1], torch.full((3,), 0.5))
    with pytest.raises(ValueError, match="steps"):
        interpolate(z0, z1, steps=1)
    with pytest.raises(ValueError, match=r"shape \(d,\)"):
        slerp(z0[None], z1[None], 0.5)
