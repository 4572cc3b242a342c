"""Gram matrices: values from the definition, the properties the notebook claims, and the MMD identity."""

import pytest
import torch

from tutorial_lib.style.gram import gram_matrix, mmd2
from tutorial_lib.style.losses import style_loss


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_hand_computed_2x2():
    # F (C=2, M=2 positions): rows are channels.  F Fᵀ = [[1+4, 3+8], [3+8, 9+16]] / (C·H·W = 4)
    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 2, 1, 2)
    expected = torch.tensor([[[5.0, 11.0], [11.0, 25.0]]]) / 4
    assert torch.allclose(gram_matrix(f), expected)
    assert torch.allclose(gram_matrix(f, normalize="hw"), expected * 2)
    assert torch.allclose(gram_matrix(f, normalize="none"), expected * 4)


def test_matches_an_explicit_sum_over_positions():
    f = torch.randn(1, 3, 4, 5, generator=_gen())
    c, m = 3, 20
    cols = f[0].reshape(c, m)
    expected = sum(torch.outer(cols[:, k], cols[:, k]) for k in range(m)) / (c * m)
    assert torch.allclose(gram_matrix(f)[0], expected, atol=1e-6)


def test_symmetric_and_positive_semidefinite():
    g = gram_matrix(torch.randn(3, 6, 5, 4, generator=_gen(1)))
    assert torch.allclose(g, g.transpose(1, 2))
    assert torch.linalg.eigvalsh(g.double()).min() > -1e-10


def test_rank_at_most_the_number_of_positions():
    g = gram_matrix(torch.randn(1, 8, 1, 3, generator=_gen(2), dtype=torch.float64))  # 3 positions, 8 channels
    eig = torch.linalg.eigvalsh(g[0])
    assert (eig > 1e-9).sum() == 3


def test_blind_to_where_features_are():
    f = torch.randn(1, 5, 6, 7, generator=_gen(3))
    perm = torch.randperm(42, generator=_gen(4))
    shuffled = f.flatten(2)[:, :, perm].reshape(1, 5, 6, 7)
    assert torch.allclose(gram_matrix(f), gram_matrix(shuffled), atol=1e-6)
    # ...also to a different shape with the same positions:
    assert torch.allclose(gram_matrix(f), gram_matrix(f.reshape(1, 5, 3, 14)), atol=1e-6)


def test_each_image_of_a_batch_gets_its_own():
    f = torch.randn(4, 3, 5, 5, generator=_gen(5))
    batched = gram_matrix(f)
    for i in range(4):
        assert torch.allclose(batched[i], gram_matrix(f[i : i + 1])[0], atol=1e-6)


def test_half_precision_does_not_overflow():
    f = torch.rand(1, 8, 16, 16, generator=_gen(6)) * 60  # F Fᵀ entries ≈ 2e5 > float16 max
    g16 = gram_matrix(f.half())
    assert torch.isfinite(g16).all()
    assert torch.allclose(g16.float(), gram_matrix(f), rtol=1e-2)


def test_validates_shape_and_normalization():
    with pytest.raises(ValueError, match=r"features must have shape \(N, C, H, W\); got \(3, 4\)"):
        gram_matrix(torch.rand(3, 4))
    with pytest.raises(ValueError, match="normalize"):
        gram_matrix(torch.rand(1, 2, 3, 3), normalize="gatys")


def test_gatys_normalisation_is_the_course_loss_times_c2_over_4():
    """Documented in gram.py: E_Gatys = Σ(F Fᵀ − S Sᵀ)² / (4 C² M²) = (C² / 4) · mean((G − A)²)."""
    f, s = torch.rand(1, 6, 4, 5, generator=_gen(7)), torch.rand(1, 6, 4, 5, generator=_gen(8))
    c, m = 6, 20
    gatys = ((gram_matrix(f, "none") - gram_matrix(s, "none")) ** 2).sum() / (4 * c**2 * m**2)
    ours = style_loss(f, gram_matrix(s))
    assert torch.allclose(gatys, ours * c**2 / 4, rtol=1e-5)


def test_gram_matching_is_quadratic_kernel_mmd():
    """Li et al. 2017: MMD² with k(a, b) = (aᵀb)² equals C⁴ · mean((G(x) − G(y))²), also for different sizes."""
    x = torch.rand(2, 4, 5, 6, generator=_gen(9))
    y = torch.rand(2, 4, 3, 7, generator=_gen(10))
    mmd = mmd2(x, y).double()
    gram_form = 4**4 * ((gram_matrix(x.double()) - gram_matrix(y.double())) ** 2).mean(dim=(1, 2))
    assert torch.allclose(mmd, gram_form, rtol=1e-4)
    assert mmd2(x, x).abs().max() < 1e-4


def test_linear_kernel_mmd_matches_channel_means():
    x = torch.rand(1, 3, 4, 4, generator=_gen(11))
    y = torch.rand(1, 3, 2, 5, generator=_gen(12))
    expected = ((x.mean(dim=(2, 3)) - y.mean(dim=(2, 3))) ** 2).sum(1)
    assert torch.allclose(mmd2(x, y, kernel="linear"), expected, atol=1e-6)


def test_mmd_validates_inputs():
    with pytest.raises(ValueError, match="share N and C"):
        mmd2(torch.rand(1, 3, 2, 2), torch.rand(1, 4, 2, 2))
    with pytest.raises(ValueError, match="kernel"):
        mmd2(torch.rand(1, 3, 2, 2), torch.rand(1, 3, 2, 2), kernel="rbf")
