"""GAN losses against their equations, closed forms and finite differences."""

import math

import pytest
import torch

from tutorial_lib.gan.losses import (
    D_LOSS_KINDS,
    G_LOSS_KINDS,
    discriminator_loss,
    generator_loss,
    gradient_penalty,
    js_divergence,
    minimax_value,
    optimal_discriminator,
    r1_penalty,
)


def _logits(n=7, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=g, dtype=torch.float64) * 3, torch.randn(n + 2, generator=g, dtype=torch.float64)


def test_minimax_discriminator_loss_is_the_textbook_formula():
    r, f = _logits()
    d_real, d_fake = torch.sigmoid(r), torch.sigmoid(f)
    expected = -torch.log(d_real).mean() - torch.log(1 - d_fake).mean()
    assert torch.allclose(discriminator_loss(r, f, "minimax"), expected)
    assert torch.allclose(discriminator_loss(r, f, "nonsaturating"), expected)  # same L_D
    # equals binary cross-entropy with labels 1 for real and 0 for fake
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    assert torch.allclose(expected, bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f)))


def test_generator_losses_are_the_textbook_formulas():
    _, f = _logits()
    d = torch.sigmoid(f)
    assert torch.allclose(generator_loss(f, "minimax"), torch.log(1 - d).mean())
    assert torch.allclose(generator_loss(f, "nonsaturating"), -torch.log(d).mean())
    assert torch.allclose(generator_loss(f, "lsgan"), 0.5 * ((f - 1) ** 2).mean())
    assert torch.allclose(generator_loss(f, "hinge"), -f.mean())
    assert torch.allclose(generator_loss(f, "wasserstein"), -f.mean())


def test_other_discriminator_losses_are_their_formulas():
    r, f = _logits()
    assert torch.allclose(discriminator_loss(r, f, "lsgan"), 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean())
    hinge = torch.clamp(1 - r, min=0).mean() + torch.clamp(1 + f, min=0).mean()
    assert torch.allclose(discriminator_loss(r, f, "hinge"), hinge)
    assert torch.allclose(discriminator_loss(r, f, "wasserstein"), f.mean() - r.mean())


def test_accepts_n_by_1_and_a_batch_of_one():
    r, f = _logits()
    for kind in D_LOSS_KINDS:
        assert torch.allclose(discriminator_loss(r[:, None], f[:, None], kind), discriminator_loss(r, f, kind))
        assert discriminator_loss(r[:1], f[:1], kind).shape == ()
    for kind in G_LOSS_KINDS:
        assert generator_loss(f[:1], kind).shape == ()


@pytest.mark.parametrize("kind", D_LOSS_KINDS)
def test_extreme_logits_give_finite_losses_and_gradients(kind):
    r = torch.tensor([100.0, -100.0, 0.0], requires_grad=True)
    f = torch.tensor([-100.0, 100.0, 0.0], requires_grad=True)
    loss = discriminator_loss(r, f, kind) + generator_loss(f, kind)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(r.grad).all() and torch.isfinite(f.grad).all()


def test_extreme_logits_have_the_right_limits():
    big = torch.tensor([100.0])
    assert discriminator_loss(big, -big, "minimax").item() < 1e-30  # a perfect D pays nothing
    assert discriminator_loss(-big, big, "minimax").item() == pytest.approx(200.0)  # −log σ(−100) ≈ 100, twice
    assert generator_loss(-big, "nonsaturating").item() == pytest.approx(100.0)
    assert generator_loss(-big, "minimax").item() == pytest.approx(0.0, abs=1e-30)


def test_saturation_gradient_of_minimax_vs_nonsaturating():
    """When D rejects the fakes (l → −∞), ∂L_G/∂l = −σ(l) → 0 for minimax, −(1 − σ(l)) → −1 for non-saturating."""
    f = torch.tensor([-8.0], requires_grad=True)
    (g_minimax,) = torch.autograd.grad(generator_loss(f, "minimax"), f)
    (g_ns,) = torch.autograd.grad(generator_loss(f, "nonsaturating"), f)
    assert g_minimax.item() == pytest.approx(-torch.sigmoid(f).item(), rel=1e-5) and abs(g_minimax.item()) < 1e-3
    assert g_ns.item() == pytest.approx(-(1 - torch.sigmoid(f)).item(), rel=1e-5) and g_ns.item() < -0.99


def test_unknown_kind_lists_the_valid_ones():
    r, f = _logits()
    with pytest.raises(ValueError, match="Valid kinds: minimax, nonsaturating, lsgan, hinge, wasserstein"):
        discriminator_loss(r, f, "vanilla")
    with pytest.raises(ValueError, match="hinge"):
        generator_loss(f, "bce")


def test_bad_shapes_name_the_argument():
    with pytest.raises(ValueError, match="real_logits"):
        discriminator_loss(torch.zeros(3, 2), torch.zeros(3))
    with pytest.raises(ValueError, match="fake_logits"):
        generator_loss(torch.zeros(0))
    with pytest.raises(TypeError, match="fake_logits"):
        generator_loss([0.0, 1.0])


def test_optimal_discriminator_closed_form_and_is_the_maximiser():
    x = torch.linspace(-6, 6, 2001, dtype=torch.float64)
    dx = (x[1] - x[0]).item()
    normal = lambda m, s: torch.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))  # noqa: E731
    p_data, p_g = normal(0.0, 1.0), normal(1.0, 0.7)
    d_star = optimal_discriminator(p_data, p_g)
    assert torch.allclose(d_star, p_data / (p_data + p_g))
    v_star = minimax_value(d_star, p_data, p_g, dx)
    for other in (torch.full_like(x, 0.5), torch.sigmoid(x), (d_star * 0.9 + 0.05)):
        assert minimax_value(other, p_data, p_g, dx) < v_star
    # V(D*, G) = −log 4 + 2 JS(p_data ‖ p_g)
    assert v_star.item() == pytest.approx(-math.log(4) + 2 * js_divergence(p_data, p_g, dx).item(), abs=1e-6)


def test_minimax_value_at_the_optimum_is_minus_log_4():
    x = torch.linspace(-6, 6, 1001, dtype=torch.float64)
    dx = (x[1] - x[0]).item()
    p = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    d_star = optimal_discriminator(p, p)
    assert torch.allclose(d_star, torch.full_like(p, 0.5))
    assert minimax_value(d_star, p, p, dx).item() == pytest.approx(-math.log(4), abs=1e-6)
    # and the batch loss L_D at D = 1/2 (logit 0) is log 4 = −V
    assert discriminator_loss(torch.zeros(5), torch.zeros(5)).item() == pytest.approx(math.log(4))


def test_optimal_discriminator_where_both_densities_vanish():
    d = optimal_discriminator(torch.tensor([0.0, 1.0, 0.0]), torch.tensor([0.0, 0.0, 2.0]))
    assert d.tolist() == [0.5, 1.0, 0.0]
    with pytest.raises(ValueError, match="non-negative"):
        optimal_discriminator(torch.tensor([-1.0]), torch.tensor([1.0]))


def test_js_divergence_closed_forms():
    p = torch.tensor([0.2, 0.3, 0.5, 0.0, 0.0], dtype=torch.float64)
    q = torch.tensor([0.0, 0.0, 0.0, 0.6, 0.4], dtype=torch.float64)
    assert js_divergence(p, p).item() == pytest.approx(0.0, abs=1e-12)
    assert js_divergence(p, q).item() == pytest.approx(math.log(2))
    # an independent formula: JS = H(m) − (H(p) + H(q)) / 2
    g = torch.Generator().manual_seed(1)
    a, b = torch.rand(6, generator=g, dtype=torch.float64), torch.rand(6, generator=g, dtype=torch.float64)
    a, b = a / a.sum(), b / b.sum()
    entropy = lambda v: -(v * v.log()).sum()  # noqa: E731
    assert js_divergence(a, b).item() == pytest.approx((entropy((a + b) / 2) - (entropy(a) + entropy(b)) / 2).item())
    assert js_divergence(a, b).item() == pytest.approx(js_divergence(b, a).item())
    with pytest.raises(ValueError, match="same shape"):
        js_divergence(a, b[:3])


def test_gradient_penalty_of_a_linear_critic_is_hand_computable():
    """s(x) = wᵀx has ∇s = w everywhere, so GP = (‖w‖ − 1)² whatever ε is."""
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)  # ‖w‖ = 5
    critic = lambda x: x @ w  # noqa: E731
    g = torch.Generator().manual_seed(0)
    real, fake = (
        torch.randn(16, 2, generator=g, dtype=torch.float64),
        torch.randn(16, 2, generator=g, dtype=torch.float64),
    )
    assert gradient_penalty(critic, real, fake, generator=g).item() == pytest.approx(16.0)
    # images: the norm is over every pixel of a sample
    w_img = torch.full((1, 2, 2), 0.5, dtype=torch.float64)  # ‖w‖ = 1 → GP = 0
    crit_img = lambda x: (x * w_img).flatten(1).sum(1)  # noqa: E731
    imgs = torch.rand(4, 1, 2, 2, generator=g, dtype=torch.float64)
    assert gradient_penalty(crit_img, imgs, imgs.flip(0), generator=g).item() == pytest.approx(0.0, abs=1e-12)


def test_gradient_penalty_matches_finite_differences_on_a_nonlinear_critic():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(3, generator=g, dtype=torch.float64)
    critic = lambda x: torch.tanh(x @ w) + (x**2).sum(1)  # noqa: E731
    real, fake = (
        torch.randn(5, 3, generator=g, dtype=torch.float64),
        torch.randn(5, 3, generator=g, dtype=torch.float64),
    )
    eps = torch.rand((5, 1), generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    x_hat = eps * real + (1 - eps) * fake
    h = 1e-6
    fd = torch.stack(
        [
            (
                critic(x_hat + h * torch.eye(3, dtype=torch.float64)[j])
                - critic(x_hat - h * torch.eye(3, dtype=torch.float64)[j])
            )
            / (2 * h)
            for j in range(3)
        ],
        dim=1,
    )
    expected = ((fd.norm(dim=1) - 1) ** 2).mean()
    got = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(7))
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


def test_gradient_penalty_backpropagates_into_the_critic():
    w = torch.tensor([[3.0], [4.0]], dtype=torch.float64, requires_grad=True)
    critic = lambda x: (x @ w)[:, 0]  # noqa: E731
    real = torch.randn(8, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    gradient_penalty(critic, real, real.flip(0)).backward()
    # d/dw (‖w‖ − 1)² = 2 (‖w‖ − 1) w / ‖w‖ = 2 · 4 · w / 5
    assert torch.allclose(w.grad, 1.6 * w.detach())
    assert torch.autograd.gradcheck(
        lambda w_: gradient_penalty(lambda x: (x @ w_)[:, 0], real, real.flip(0), torch.Generator().manual_seed(3)),
        (w.detach().clone().requires_grad_(True),),
    )


def test_r1_penalty_of_known_critics():
    x = torch.randn(6, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64, requires_grad=True)
    w = torch.tensor([1.0, 2.0], dtype=torch.float64)
    assert r1_penalty(x @ w, x).item() == pytest.approx(5.0)  # ‖w‖² for a linear critic
    # s(x) = ½‖x‖² has ∇s = x, so R1 = mean ‖x‖²
    assert r1_penalty(0.5 * (x**2).sum(1), x).item() == pytest.approx((x.detach() ** 2).sum(1).mean().item())
    with pytest.raises(ValueError, match="requires_grad"):
        r1_penalty(x.detach() @ w, x.detach())


def test_r1_penalty_gradcheck():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)

    def penalty(w):
        xr = x.clone().requires_grad_(True)
        return r1_penalty(torch.tanh(xr @ w), xr)

    assert torch.autograd.gradcheck(penalty, (torch.randn(3, dtype=torch.float64, requires_grad=True),))
