"""The losses against hand-computed values, the docstring's equation and finite differences."""

import pytest
import torch

from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.losses import (
    balanced_layer_weights,
    content_loss,
    resolve_layer_weights,
    style_layer_shares,
    style_loss,
    style_transfer_loss,
    total_variation,
)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_content_loss_hand_computed():
    f = torch.tensor([1.0, 2.0, 3.0, 4.0]).view(1, 1, 2, 2)
    p = torch.tensor([1.0, 0.0, 3.0, 0.0]).view(1, 1, 2, 2)
    assert content_loss(f, p).item() == pytest.approx((0 + 4 + 0 + 16) / 4)


def test_style_loss_hand_computed():
    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 2, 1, 2)  # G = [[5, 11], [11, 25]] / 4
    a = torch.zeros(1, 2, 2)
    expected = ((torch.tensor([5.0, 11.0, 11.0, 25.0]) / 4) ** 2).mean()
    assert style_loss(f, a).item() == pytest.approx(expected.item())
    assert style_loss(f, gram_matrix(f)).item() == 0.0


def test_style_loss_broadcasts_one_target_over_a_batch():
    f = torch.rand(3, 4, 5, 5, generator=_gen(0))
    a = gram_matrix(torch.rand(1, 4, 6, 6, generator=_gen(1)))
    per_image = torch.stack([style_loss(f[i : i + 1], a) for i in range(3)])
    assert torch.allclose(style_loss(f, a), per_image.mean())


def test_total_variation_hand_computed():
    x = torch.tensor([[0.0, 1.0, 3.0], [1.0, 1.0, 1.0]]).view(1, 1, 2, 3)
    vertical = (1 + 0 + 4) / 3  # (x[1, j] − x[0, j])² over 3 columns
    horizontal = (1 + 4 + 0 + 0) / 4  # (x[i, j+1] − x[i, j])² over 2 rows × 2
    assert total_variation(x).item() == pytest.approx(vertical + horizontal)
    assert total_variation(torch.full((2, 3, 4, 5), 0.3)).item() == 0.0


def test_total_variation_gradient_by_gradcheck():
    x = torch.rand(2, 3, 4, 5, generator=_gen(2), dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(total_variation, (x,))


def test_style_loss_gradient_by_gradcheck():
    f = torch.rand(1, 3, 3, 4, generator=_gen(3), dtype=torch.float64, requires_grad=True)
    a = gram_matrix(torch.rand(1, 3, 2, 2, generator=_gen(4), dtype=torch.float64))
    assert torch.autograd.gradcheck(lambda t: style_loss(t, a), (f,))


STYLE = ["relu1_1", "relu2_1"]


def test_canonical_objective_equals_the_docstring_equation():
    feats = {k: torch.rand(1, 4, 6, 6, generator=_gen(i)) for i, k in enumerate(["relu1_1", "relu2_1", "relu4_2"])}
    content_t = {"relu4_2": torch.rand(1, 4, 6, 6, generator=_gen(7))}
    style_t = {k: gram_matrix(torch.rand(1, 4, 5, 5, generator=_gen(8 + i))) for i, k in enumerate(STYLE)}
    image = torch.rand(1, 3, 8, 8, generator=_gen(11))
    w_c, w_s, w_tv = 2.0, 30.0, 0.5
    parts = style_transfer_loss(feats, content_t, style_t, image, w_c, w_s, w_tv)
    c = ((feats["relu4_2"] - content_t["relu4_2"]) ** 2).mean()
    s = sum(((gram_matrix(feats[k]) - style_t[k]) ** 2).mean() for k in style_t)
    tv = total_variation(image)
    assert torch.allclose(parts["total"], w_c * c + w_s * s + w_tv * tv)
    assert torch.allclose(parts["content"], c) and torch.allclose(parts["style"], s) and torch.allclose(parts["tv"], tv)
    weighted = style_transfer_loss(feats, content_t, style_t, layer_weights={"relu1_1": 3.0})
    s_w = 3.0 * ((gram_matrix(feats["relu1_1"]) - style_t["relu1_1"]) ** 2).mean()
    s_w = s_w + ((gram_matrix(feats["relu2_1"]) - style_t["relu2_1"]) ** 2).mean()
    assert torch.allclose(weighted["style"], s_w)


def test_gatys_equal_weights_are_c2_over_4_in_the_course_normalisation():
    """gram.py: Σ_l E_l^Gatys = Σ_l (C_l²/4) mean((G_l − A_l)²), with E^Gatys = Σ(F Fᵀ − S Sᵀ)² / (4 C² M²).

    Written from Gatys et al.'s formula with raw matrix products, not through gram_matrix; the
    inverted weights 4/C_l² (once quoted in notebook 04's exercise) must not pass.
    """
    shapes = {"a": (1, 4, 5, 6), "b": (1, 16, 3, 4)}
    f = {k: torch.randn(*s, generator=_gen(i), dtype=torch.float64) for i, (k, s) in enumerate(shapes.items())}
    s = {k: torch.randn(*sh, generator=_gen(9 + i), dtype=torch.float64) for i, (k, sh) in enumerate(shapes.items())}
    gatys = torch.zeros((), dtype=torch.float64)
    for k, (_, c, h, w) in shapes.items():
        fm, sm = f[k].reshape(c, h * w), s[k].reshape(c, h * w)
        gatys += ((fm @ fm.T - sm @ sm.T) ** 2).sum() / (4 * c**2 * (h * w) ** 2)
    targets = {k: gram_matrix(v) for k, v in s.items()}

    def course(weights):
        return style_transfer_loss(f, {}, targets, content_weight=0.0, layer_weights=weights)["total"]

    assert torch.allclose(course({k: sh[1] ** 2 / 4 for k, sh in shapes.items()}), gatys, rtol=1e-12)
    assert not torch.allclose(course({k: 4 / sh[1] ** 2 for k, sh in shapes.items()}), gatys, rtol=0.1)


def test_blending_gram_targets_equals_blending_losses_up_to_a_constant():
    """Documented in stylize: Σ_k β_k mean((G − A_k)²) = mean((G − Σ β_k A_k)²) + const, so same gradients."""
    a1, a2 = (gram_matrix(torch.rand(1, 3, 4, 4, generator=_gen(i))) for i in (20, 21))
    beta = 0.3
    f = torch.rand(1, 3, 5, 5, generator=_gen(22), dtype=torch.float32, requires_grad=True)
    mixed = style_loss(f, beta * a1 + (1 - beta) * a2)
    (g_mixed,) = torch.autograd.grad(mixed, f)
    summed = beta * style_loss(f, a1) + (1 - beta) * style_loss(f, a2)
    (g_summed,) = torch.autograd.grad(summed, f)
    assert torch.allclose(g_mixed, g_summed, atol=1e-6)


def test_losses_validate_shapes():
    with pytest.raises(ValueError, match="target must have shape"):
        content_loss(torch.rand(1, 3, 4, 4), torch.rand(1, 3, 4, 5))
    with pytest.raises(ValueError, match=r"target_gram must have shape \(1 or N, C, C\) = \(1 or 2, 3, 3\)"):
        style_loss(torch.rand(2, 3, 4, 4), torch.rand(2, 4, 4))
    with pytest.raises(ValueError, match="image must have shape"):
        total_variation(torch.rand(3, 4, 4))
    with pytest.raises(ValueError, match="lacks layer"):
        style_transfer_loss({"relu1_1": torch.rand(1, 2, 3, 3)}, {"relu4_2": torch.rand(1, 2, 3, 3)}, {})
    with pytest.raises(ValueError, match="tv_weight"):
        style_transfer_loss({"relu1_1": torch.rand(1, 2, 3, 3)}, {}, {}, tv_weight=1.0)


def test_balanced_weights_are_inverse_mean_squares():
    g = {"a": torch.full((1, 2, 2), 2.0), "b": torch.full((1, 3, 3), 0.5)}
    assert balanced_layer_weights(g) == pytest.approx({"a": 0.25, "b": 4.0})
    assert resolve_layer_weights("balanced", g) == pytest.approx({"a": 0.25, "b": 4.0})
    assert resolve_layer_weights("equal", g) == {} and resolve_layer_weights(None, g) == {}
    assert resolve_layer_weights({"a": 3}, g) == {"a": 3.0}
    with pytest.raises(ValueError, match="layer_weights must be one of"):
        resolve_layer_weights("gatys", g)


def test_balanced_terms_are_relative_errors_and_do_not_change_when_features_are_scaled():
    """w_l mean((G_l(x) − A_l)²) with w_l = 1/mean(A_l²) is the relative squared error of the Gram matrix,
    so multiplying both images' features by k (G by k²) leaves it unchanged."""
    f = {k: torch.rand(1, 4, 6, 6, generator=_gen(30 + i)) for i, k in enumerate(STYLE)}
    t = {k: gram_matrix(torch.rand(1, 4, 5, 5, generator=_gen(40 + i))) for i, k in enumerate(STYLE)}
    parts = style_transfer_loss(f, {}, t, layer_weights=balanced_layer_weights(t))
    rel = sum(((gram_matrix(f[k]) - t[k]) ** 2).sum() / (t[k] ** 2).sum() for k in STYLE)
    assert torch.allclose(parts["style"], rel)
    k = 7.0
    f2, t2 = {n: k * v for n, v in f.items()}, {n: k**2 * v for n, v in t.items()}
    scaled = style_transfer_loss(f2, {}, t2, layer_weights=balanced_layer_weights(t2))
    assert torch.allclose(scaled["style"], parts["style"], rtol=1e-4)


def test_style_layer_shares_are_each_layers_fraction_of_the_weighted_style_loss():
    f = {k: torch.rand(1, 4, 6, 6, generator=_gen(50 + i)) for i, k in enumerate(STYLE)}
    t = {k: gram_matrix(torch.rand(1, 4, 5, 5, generator=_gen(60 + i))) for i, k in enumerate(STYLE)}
    w = {"relu1_1": 2.0, "relu2_1": 0.5}
    terms = {k: w[k] * ((gram_matrix(f[k]) - t[k]) ** 2).mean().item() for k in STYLE}
    shares = style_layer_shares(f, t, w)
    assert list(shares) == list(t) and sum(shares.values()) == pytest.approx(1.0)
    assert shares == pytest.approx({k: v / sum(terms.values()) for k, v in terms.items()})
    assert style_layer_shares(f, t) == pytest.approx(style_layer_shares(f, t, {k: 1.0 for k in STYLE}))
    with pytest.raises(ValueError, match="style loss is 0"):
        style_layer_shares({k: f[k] for k in STYLE}, {k: gram_matrix(f[k]) for k in STYLE})
