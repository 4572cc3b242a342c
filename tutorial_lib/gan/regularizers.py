"""Penalties for :func:`~tutorial_lib.gan.train.train_gan`'s ``penalty`` argument.

A penalty is a function ``penalty(critic, real, fake, generator) -> scalar`` that
the loop adds to L_D. ``critic(x)`` returns D's scores (with the class labels
already bound for a conditional D); ``real`` and ``fake`` are the batches D
just saw; ``generator`` is the loop's random generator (use it for any noise,
so that runs stay reproducible).

**Per-sample gradients through a batch-coupled D.** R1 and the WGAN-GP penalty are defined
per sample, ‖∇_{x_i} l(x_i)‖. Both are computed with one ``autograd.grad`` of Σ_j l(x_j), whose
row i is ∂l_i/∂x_i + Σ_{j≠i} ∂l_j/∂x_i. The extra sum vanishes when each score depends on its own
sample only; it does not when D couples the batch: batch norm in training mode (batch
statistics) or minibatch-std (the batch's spread is a feature). The course's DCGAN recipe
(:func:`~tutorial_lib.gan.recipes.conditional_dcgan`) has both, and the loop keeps D in training
mode. Measured on it (``python benchmarks/penalty_coupling.py``: animal-mnist, one batch of 64
real images, seed 0), against the true per-sample gradients ∂l_i/∂x_i taken one at a time:

======================================  ============  =====================  ===========================
D                                       mode          R1 batched / true R1   median ‖g_batched − g_i‖/‖g_i‖
======================================  ============  =====================  ===========================
recipe (BN + minibatch-std), untrained  train         4.53 / 4.60  (0.985)   11 %
recipe, after 300 training steps        train         0.590 / 0.489 (1.21)   46 %
recipe, after 300 training steps        eval          0.645 / 0.599 (1.08)   10 %  (minibatch-std only)
BN only, after 300 training steps       train         0.586 / 0.551 (1.07)   40 %
BN only, after 300 training steps       eval          equal                  0 %
======================================  ============  =====================  ===========================

So the penalty's size stays within about 20 % of the per-sample one, but once D has trained the
gradient it penalizes for a sample differs from that sample's own gradient by about 40 % of its
norm: the penalty smooths D's score of the batch rather than each sample's score. The course
keeps it, and says so rather than warning on every run: the recipe's settings were chosen by
measuring samples trained this way (R1 steadied the class accuracy, see the recipe), and a
warning that always fires teaches learners to ignore warnings. The GP's (‖g‖ − 1)², taken on
the same real batch of the trained recipe in train mode, is 0.056 batched against 0.092 per
sample. For a true per-sample penalty, use a D without batch norm and minibatch-std (e.g.
``spectral_norm=True``, which drops batch norm) or evaluate the penalty with D in eval mode
(running statistics; minibatch-std still couples the batch).
``tests/gan/test_regularizers.py`` checks the mechanism on a small D.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from .losses import gradient_penalty, r1_penalty
from .step import Critic, Penalty


def wgan_gp(weight: float = 10.0) -> Penalty:
    """WGAN-GP: adds λ · E_x̂[(‖∇_x̂ s(x̂)‖₂ − 1)²] to L_D, with λ = ``weight`` (10 in the paper).

    Per sample only when D's scores are (no batch norm in training mode, no minibatch-std): see above.
    """
    if weight < 0:
        raise ValueError(f"weight must be >= 0, got {weight}")

    def penalty(critic: Critic, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return weight * gradient_penalty(critic, real, fake, generator=generator)

    return penalty


def r1(gamma: float = 1.0) -> Penalty:
    """R1: adds (γ/2) · E_x[‖∇_x l(x)‖₂²] on real samples to L_D, with γ = ``gamma``.

    Per sample only when D's scores are (no batch norm in training mode, no minibatch-std): see above.
    """
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


def input_gradient_norms(D: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The local slope of D at each sample, ‖∇_x D(x_i)‖₂, for ``x: (N, ...)``; returns ``(N,)``.

    D must score each sample on its own (no packs, no minibatch-std). It is put in eval mode for the
    measurement, so spectral normalization uses its stored σ(W) and does not update it. For a D whose every
    layer is spectrally normalized each value is at most 1, and then |D(a) − D(b)| ≤ ‖a − b‖: D's scores
    can differ by no more than the samples do (notebook 03 measures how much of that bound D uses).
    """
    was_training = D.training
    D.eval()
    try:
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(D(x).sum(), x)
    finally:
        D.train(was_training)
    return grad.flatten(1).norm(dim=1)
