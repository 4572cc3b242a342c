"""Penalties for :func:`~tutorial_lib.gan.train.train_gan`'s ``penalty`` argument.

A penalty is a function ``penalty(critic, real, fake, generator) -> scalar`` that
the loop adds to L_D. ``critic(x)`` returns D's scores (with the class labels
already bound for a conditional D); ``real`` and ``fake`` are the batches D
just saw; ``generator`` is the loop's random generator (use it for any noise,
so that runs stay reproducible).
"""

from __future__ import annotations

import torch

from .losses import gradient_penalty, r1_penalty
from .train import Critic, Penalty


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
