"""GAN losses, penalties and the theory behind them (notebook 01).

Notation (Goodfellow et al. 2014). A discriminator returns a raw score, the
logit l(x); its probability that x is real is D(x) = σ(l(x)) = 1 / (1 + e^{-l(x)}).
The minimax game is

    min_G max_D V(D, G),   V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))].

Every loss takes **logits**, never probabilities, and uses the stable forms

    −log σ(l) = softplus(−l),      −log(1 − σ(l)) = softplus(l),

so logits of ±100 give finite losses and gradients (``log(sigmoid(l))`` would
give −inf). No hidden defaults: no label smoothing, no weights, plain means.

Loss kinds (the "score" s is the raw logit; LSGAN, hinge and Wasserstein use it directly):

======================  ==========================================  ==============================
kind                    L_D                                         L_G
======================  ==========================================  ==============================
``minimax``             −E[log D(x)] − E[log(1 − D(G(z)))]          E[log(1 − D(G(z)))] (saturates)
``nonsaturating``       same as minimax                             −E[log D(G(z))]
``lsgan``               ½E[(s(x) − 1)²] + ½E[s(G(z))²]              ½E[(s(G(z)) − 1)²]
``hinge``               E[max(0, 1 − s(x))] + E[max(0, 1 + s(G(z)))]  −E[s(G(z))]
``wasserstein``         E[s(G(z))] − E[s(x)]                        −E[s(G(z))]
======================  ==========================================  ==============================
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

D_LOSS_KINDS: tuple[str, ...] = ("minimax", "nonsaturating", "lsgan", "hinge", "wasserstein")
G_LOSS_KINDS: tuple[str, ...] = ("minimax", "nonsaturating", "lsgan", "hinge", "wasserstein")


def _scores(logits: torch.Tensor, name: str) -> torch.Tensor:
    """Accept ``(N,)`` or ``(N, 1)`` with N >= 1 and return ``(N,)``."""
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of logits; got {type(logits).__name__}")
    if logits.ndim == 2 and logits.shape[1] == 1:
        logits = logits[:, 0]
    if logits.ndim != 1 or logits.shape[0] == 0:
        raise ValueError(f"{name} must have shape (N,) or (N, 1) with N >= 1; got {tuple(logits.shape)}")
    return logits


def _check_kind(kind: str, valid: tuple[str, ...]) -> None:
    if kind not in valid:
        raise ValueError(f"Unknown loss kind {kind!r}. Valid kinds: {', '.join(valid)}.")


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, kind: str = "minimax") -> torch.Tensor:
    """Discriminator loss L_D (see the table in the module docstring). D minimizes it.

    ``minimax`` (also accepted as ``nonsaturating``: both train D the same way):
        L_D = −E_x[log D(x)] − E_z[log(1 − D(G(z)))]
            = mean(softplus(−l_real)) + mean(softplus(l_fake)).

    real_logits: ``(N,)`` or ``(N, 1)`` raw scores of real samples.
    fake_logits: ``(M,)`` or ``(M, 1)`` raw scores of generated samples (M may differ from N).
    Returns a scalar tensor.
    """
    _check_kind(kind, D_LOSS_KINDS)
    r, f = _scores(real_logits, "real_logits"), _scores(fake_logits, "fake_logits")
    if kind in ("minimax", "nonsaturating"):
        return F.softplus(-r).mean() + F.softplus(f).mean()
    if kind == "lsgan":
        return 0.5 * (r - 1).pow(2).mean() + 0.5 * f.pow(2).mean()
    if kind == "hinge":
        return F.relu(1 - r).mean() + F.relu(1 + f).mean()
    return f.mean() - r.mean()  # wasserstein


def generator_loss(fake_logits: torch.Tensor, kind: str = "nonsaturating") -> torch.Tensor:
    """Generator loss L_G (see the table in the module docstring). G minimizes it.

    ``minimax``:        L_G = E_z[log(1 − D(G(z)))] = −mean(softplus(l_fake)); flat when D(G(z)) ≈ 0.
    ``nonsaturating``:  L_G = −E_z[log D(G(z))]     =  mean(softplus(−l_fake)).

    fake_logits: ``(N,)`` or ``(N, 1)`` raw scores of generated samples.
    Returns a scalar tensor.
    """
    _check_kind(kind, G_LOSS_KINDS)
    f = _scores(fake_logits, "fake_logits")
    if kind == "minimax":
        return -F.softplus(f).mean()
    if kind == "nonsaturating":
        return F.softplus(-f).mean()
    if kind == "lsgan":
        return 0.5 * (f - 1).pow(2).mean()
    return -f.mean()  # hinge and wasserstein


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """WGAN-GP gradient penalty (Gulrajani et al. 2017), without its weight λ:

        GP = E_x̂[(‖∇_x̂ s(x̂)‖₂ − 1)²],   x̂ = ε x + (1 − ε) G(z),   ε ~ U[0, 1] per sample.

    critic: maps ``(N, ...)`` to scores ``(N,)`` (for a conditional D pass ``lambda x: D(x, y)``).
    real, fake: ``(N, ...)`` of the same shape. ``generator`` draws ε (for reproducible runs).
    Returns a scalar; its graph allows backpropagation into the critic's parameters.
    """
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape; got {tuple(real.shape)} and {tuple(fake.shape)}")
    eps_shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    eps = torch.rand(eps_shape, generator=generator, dtype=real.dtype).to(real.device)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = _scores(critic(x_hat), "critic(x_hat)")
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


def r1_penalty(real_logits: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """R1 penalty (Mescheder et al. 2018), without its weight γ/2:

        R1 = E_x[‖∇_x l(x)‖₂²]   on real samples only.

    real: ``(N, ...)`` with ``requires_grad=True``; real_logits: ``(N,)`` or ``(N, 1)``
    computed from it. The usual regularized loss is L_D + (γ/2)·R1.
    """
    if not real.requires_grad:
        raise ValueError("real must have requires_grad=True and real_logits must be computed from it")
    scores = _scores(real_logits, "real_logits")
    if scores.shape[0] != real.shape[0]:
        raise ValueError(f"real_logits has {scores.shape[0]} scores but real has {real.shape[0]} samples")
    (grad,) = torch.autograd.grad(scores.sum(), real, create_graph=True)
    return grad.flatten(1).pow(2).sum(dim=1).mean()


def optimal_discriminator(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """The best discriminator for a fixed G (Goodfellow et al. 2014, Prop. 1):

        D*(x) = p_data(x) / (p_data(x) + p_g(x)).

    p_data, p_g: densities (or probabilities) of the same shape, evaluated at the same points.
    Where both are 0 any value is optimal; 1/2 is returned there.
    """
    p_data, p_g = torch.as_tensor(p_data), torch.as_tensor(p_g)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must have the same shape; got {tuple(p_data.shape)} and {tuple(p_g.shape)}")
    if (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("densities must be non-negative")
    total = p_data + p_g
    return torch.where(total > 0, p_data / total.clamp_min(torch.finfo(total.dtype).tiny), 0.5 * torch.ones_like(total))


def minimax_value(d: torch.Tensor, p_data: torch.Tensor, p_g: torch.Tensor, dx: float = 1.0) -> torch.Tensor:
    """The value V(D, G) = ∫ p_data log D + p_g log(1 − D) dx on a grid, for probabilities ``d`` in [0, 1].

    d, p_data, p_g: values at the same grid points, spacing ``dx`` (``dx = 1`` for probability vectors).
    Terms with zero density count as 0. With D = D*: V = −log 4 + 2·JS(p_data ‖ p_g).
    """
    d, p_data, p_g = torch.as_tensor(d), torch.as_tensor(p_data), torch.as_tensor(p_g)
    if not d.shape == p_data.shape == p_g.shape:
        raise ValueError(f"d, p_data and p_g must have one shape; got {d.shape}, {p_data.shape}, {p_g.shape}")
    real_term = torch.where(p_data > 0, p_data * torch.log(d), torch.zeros_like(d))
    fake_term = torch.where(p_g > 0, p_g * torch.log1p(-d), torch.zeros_like(d))
    return (real_term + fake_term).sum() * dx


def js_divergence(p: torch.Tensor, q: torch.Tensor, dx: float = 1.0) -> torch.Tensor:
    """Jensen-Shannon divergence, in nats, of two densities on a grid (or two probability vectors, ``dx = 1``):

        JS(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m),   m = (p + q) / 2,   KL(p ‖ m) = ∫ p log(p / m) dx.

    0 ≤ JS ≤ log 2: 0 for identical densities, log 2 for disjoint ones. Uses 0 log 0 = 0.
    """
    p, q = torch.as_tensor(p), torch.as_tensor(q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape; got {tuple(p.shape)} and {tuple(q.shape)}")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("densities must be non-negative")
    m = (p + q) / 2

    def kl_to_m(a: torch.Tensor) -> torch.Tensor:
        return torch.where(a > 0, a * torch.log(a / m.clamp_min(torch.finfo(m.dtype).tiny)), torch.zeros_like(a))

    return 0.5 * (kl_to_m(p) + kl_to_m(q)).sum() * dx
