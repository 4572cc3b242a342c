"""DP-SGD for the discriminator, with Opacus (Abadi et al. 2016; Yousefpour et al. 2021).

One step of DP-SGD on a minibatch drawn by Poisson sampling (each of the N training images joins
independently with probability q, the *sampling rate*):

1. per-sample gradients g_i = ∇_θ ℓ(θ; x_i) for every image i in the batch B;
2. clipping to norm C:  ḡ_i = g_i · min(1, C / ‖g_i‖₂);
3. Gaussian noise:  g̃ = (Σ_{i∈B} ḡ_i + N(0, σ² C² I)) / (q N);
4. the optimizer (here Adam) steps with g̃ as the gradient.

Clipping bounds how much any one image can move θ (its *sensitivity* is C); the noise, with
*noise multiplier* σ, hides that move. After T steps the run is (ε, δ)-differentially private:
for any two training sets that differ in one image, the probability of any outcome changes by at
most a factor e^ε, except with probability δ. The *accountant* (Rényi DP, Mironov 2017) turns
(q, σ, T, δ) into ε.

Opacus does all of it: :func:`make_private` wraps the discriminator in a ``GradSampleModule``
(per-sample gradients by hooks), its optimizer in a ``DPOptimizer`` (clipping and noise) and the
data in a ``DPDataLoader`` (Poisson sampling), and its RDP accountant counts the steps.
Per-sample gradients need layers that treat samples independently, so batch norm, which mixes
the samples of a batch, is replaced by group norm (:func:`dp_compatible`), and minibatch-std is
refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn


def dp_compatible(D: nn.Module) -> nn.Module:
    """``D`` with every batch norm replaced by group norm (Opacus's ``ModuleValidator.fix``), checked.

    Batch norm normalises each sample with statistics of the whole batch, so one image's gradient
    depends on the others and per-sample clipping would not bound its influence. Group norm
    normalises each sample with its own statistics. Raises ``ValueError`` naming what else Opacus
    cannot make private (for example a minibatch-std layer, which also mixes samples).
    """
    from opacus.validators import ModuleValidator

    mixing = [name for name, m in D.named_modules() if type(m).__name__ == "MinibatchStdDev"]
    if mixing:
        raise ValueError(
            f"{', '.join(mixing)}: minibatch-std mixes the samples of a batch, so per-sample gradients do not "
            "exist; build the discriminator with minibatch_std=False for DP training"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Opacus says what it replaced; the docstring says it here
        fixed = ModuleValidator.fix(D)
    errors = ModuleValidator.validate(fixed, strict=False)
    if errors:
        raise ValueError(f"Opacus cannot make this discriminator private: {'; '.join(map(str, errors))}")
    return fixed


def noise_for_epsilon(epsilon: float, delta: float, sample_rate: float, steps: int) -> float:
    """The noise multiplier σ for which ``steps`` DP-SGD steps at sampling rate q spend (ε, δ), by RDP."""
    from opacus.accountants.utils import get_noise_multiplier

    _check_budget(epsilon, delta, sample_rate, steps)
    with _loose_bound_ok():
        return float(
            get_noise_multiplier(
                target_epsilon=epsilon, target_delta=delta, sample_rate=sample_rate, steps=steps, accountant="rdp"
            )
        )


def epsilon_spent(sample_rate: float, noise_multiplier: float, steps: int, delta: float) -> float:
    """ε after ``steps`` DP-SGD steps with sampling rate q and noise multiplier σ, at ``delta`` (RDP accountant)."""
    from opacus.accountants import RDPAccountant

    _check_budget(1.0, delta, sample_rate, steps)
    if noise_multiplier <= 0:
        return float("inf")
    accountant = RDPAccountant()
    accountant.history = [(noise_multiplier, sample_rate, steps)]
    with _loose_bound_ok():
        return float(accountant.get_epsilon(delta))


def epsilon_curve(sample_rate: float, noise_multiplier: float, steps: Sequence[int], delta: float) -> list[float]:
    """:func:`epsilon_spent` for every T in ``steps``, at the cost of one.

    Rényi DP composes additively: T steps spend RDP_α(T) = T · RDP_α(1) at every order α, so the
    per-step RDP is computed once and each ε is only its conversion, ε(T) = min_α [T · RDP_α(1) +
    log(1/δ)/(α − 1)] (with Opacus's tighter version of that conversion). The same numbers as
    :func:`epsilon_spent`, which builds the per-step RDP again for every T.
    """
    from opacus.accountants import RDPAccountant
    from opacus.accountants.analysis import rdp as analysis

    for t in steps:
        _check_budget(1.0, delta, sample_rate, t)
    if noise_multiplier <= 0:
        return [float("inf")] * len(steps)
    orders = RDPAccountant.DEFAULT_ALPHAS
    per_step = analysis.compute_rdp(q=sample_rate, noise_multiplier=noise_multiplier, steps=1, orders=orders)
    with _loose_bound_ok():
        return [float(analysis.get_privacy_spent(orders=orders, rdp=per_step * t, delta=delta)[0]) for t in steps]


@contextmanager
def _loose_bound_ok() -> Iterator[None]:
    """Silence Opacus's note that its largest Rényi order was the best one: the ε it reports is then
    still a valid upper bound, only not the tightest (short runs with large σ, as in the ci profile)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")
        yield


def _check_budget(epsilon: float, delta: float, sample_rate: float, steps: int) -> None:
    if not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}; the usual choice is 1/N for N training images")
    if not 0 < sample_rate <= 1:
        raise ValueError(f"sample_rate q = batch_size / N must be in (0, 1], got {sample_rate}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")


@dataclass
class PrivateParts:
    """What :func:`make_private` returns: the wrapped D, its DP optimizer, the Poisson loader and the engine."""

    D: nn.Module
    optimizer: torch.optim.Optimizer
    loader: torch.utils.data.DataLoader
    engine: object

    def epsilon(self, delta: float) -> float:
        """ε spent so far, by the engine's RDP accountant."""
        with _loose_bound_ok():
            return float(self.engine.get_epsilon(delta))  # type: ignore[attr-defined]


def make_private(
    D: nn.Module,
    optimizer: torch.optim.Optimizer,
    loader: torch.utils.data.DataLoader,
    *,
    noise_multiplier: float,
    clip_norm: float,
    seed: int = 0,
) -> PrivateParts:
    """Wrap ``D``, its optimizer and its data loader for DP-SGD (Opacus's ``PrivacyEngine.make_private``).

    The loader becomes Poisson sampling with q = batch_size / N; ``clip_norm`` is C and
    ``noise_multiplier`` is σ (σ = 0 clips without noise, which is *not* private). ``seed`` seeds
    the noise, so a run can be repeated (Opacus's ``secure_mode``, which a real deployment
    should use, draws it from the operating system instead).
    """
    from opacus import PrivacyEngine

    if clip_norm <= 0:
        raise ValueError(f"clip_norm C must be positive, got {clip_norm}")
    if noise_multiplier < 0:
        raise ValueError(f"noise_multiplier σ must be >= 0, got {noise_multiplier}")
    device = next(D.parameters()).device
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ss]ecure RNG.*")  # seeded on purpose, see above
        engine = PrivacyEngine(accountant="rdp")
        D, optimizer, loader = engine.make_private(
            module=D,
            optimizer=optimizer,
            data_loader=loader,
            noise_multiplier=noise_multiplier,
            max_grad_norm=clip_norm,
            poisson_sampling=True,
            noise_generator=torch.Generator(device=device).manual_seed(seed),
        )
    return PrivateParts(D, optimizer, loader, engine)
