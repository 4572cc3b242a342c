"""Penalties for :func:`~tutorial_lib.gan.train.train_gan`'s ``penalty`` argument.

A penalty is a function ``penalty(critic, real, fake, generator) -> scalar`` that
the loop adds to L_D. ``critic(x)`` returns D's scores (with the class labels
already bound for a conditional D); ``real`` and ``fake`` are the batches D
just saw; ``generator`` is the loop's random generator (use it for any noise,
so that runs stay reproducible).
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from .losses import gradient_penalty, r1_penalty
from .step import Critic, Penalty


def wgan_gp(weight: float = 10.0) -> Penalty:
    """WGAN-GP: adds λ · E_x̂[(‖∇_x̂ s(x̂)‖₂ − 1)²] to L_D, with λ = ``weight`` (10 in the paper)."""
    if weight < 0:
        raise ValueError(f"weight must be >= 0, got {weight}")

    def penalty(critic: Critic, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return weight * gradient_penalty(critic, real, fake, generator=generator)

    return penalty


def r1(gamma: float = 1.0) -> Penalty:
    """R1: adds (γ/2) · E_x[‖∇_x l(x)‖₂²] on real samples to L_D, with γ = ``gamma``."""
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")

    def penalty(critic: Critic, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        x = real.detach().requires_grad_(True)
        return 0.5 * gamma * r1_penalty(critic(x), x)

    return penalty


def has_spectral_norm(D: nn.Module) -> bool:
    """Whether some layer of D is spectrally normalized (torch's parametrization, or the older hook)."""
    hooks = [h for m in D.modules() for h in m._forward_pre_hooks.values()]
    hooks += [f for m in D.modules() for fs in getattr(m, "parametrizations", {}).values() for f in fs]
    return any(type(h).__name__ in ("_SpectralNorm", "SpectralNorm") for h in hooks)


def warn_if_unconstrained(loss: str, penalty: Penalty | None, D: nn.Module) -> None:
    """Warn when a Wasserstein critic has no Lipschitz constraint: no penalty and no spectral norm in D.

    L_D = E[s(G(z))] − E[s(x)] alone is unbounded below: scaling s up lowers it, so the critic's
    scores grow without limit instead of estimating W₁ (which needs ‖∇ₓ s‖ ≤ 1).
    """
    if loss == "wasserstein" and penalty is None and not has_spectral_norm(D):
        warnings.warn(
            "loss='wasserstein' without a penalty trains an unconstrained critic: its scores can grow without "
            "bound and no longer estimate a Wasserstein distance. Add a gradient penalty, "
            "penalty=regularizers.wgan_gp(10.0), or build D with spectral_norm=True.",
            stacklevel=3,
        )
