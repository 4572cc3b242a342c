"""A class-conditional DCGAN whose discriminator is trained with DP-SGD (notebook 09).

Only the discriminator D touches the training images. The generator G learns from D's scores of
its own samples, so every G update is a function of D alone: by the *post-processing* property of
differential privacy, if the sequence of D's parameters is (ε, δ)-DP then so is G, and so is
every image G ever draws. Hence only D needs DP-SGD (:mod:`~tutorial_lib.privacy.dpsgd`).

One step of :func:`train_dp_gan`:

1. a Poisson batch (x_i, y_i), i ∈ B, of the training set, each image with probability q;
2. fakes x̃_i = G(z_i, y_i), one per real image (same labels), held fixed;
3. per pair i the discriminator loss
       ℓ_i = softplus(−D(x_i, y_i)) + softplus(D(x̃_i, y_i)) + λ_c · CE(c(x_i), y_i)
   (the non-saturating loss of notebook 01 and the AC-GAN class term of notebook 02), whose
   gradient is clipped to C and noised (DP-SGD), then one Adam step of D;
4. one Adam step of G on  L_G = mean_j [softplus(−D(G(z_j, y_j), y_j)) + λ_c · CE(c(G(z_j, y_j)), y_j)]
   with fresh z_j and uniformly drawn labels y_j: no training image is used.

The fake x̃_i depends on no training image, so clipping the pair's gradient bounds image i's
influence as DP-SGD requires. The non-private baseline (ε = ∞) is the same network trained by the
same loop with plain Adam and no clipping. D differs from notebook 02's recipe where DP demands it:
group norm instead of batch norm, no minibatch-std and no R1 penalty (a gradient penalty would need
per-sample gradients of gradients).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace

import torch
from torch import nn
from tqdm.auto import tqdm

from ..config import get_device
from ..gan.callbacks import EMA
from ..gan.losses import discriminator_loss, generator_loss
from ..gan.recipes import GANRecipe
from ..gan.step import TrainingDivergedError
from ..gan.train import StepInfo
from .dpsgd import dp_compatible, make_private, noise_for_epsilon


@dataclass
class DPGANRun:
    """One trained run. ``G``: the weight-averaged generator (eval mode); ``D``: the plain discriminator (eval).

    epsilon: ε spent, by the RDP accountant (``inf`` for the non-private run); delta: δ;
    noise_multiplier: σ; sample_rate: q = batch_size / N; clip_norm: C.
    """

    G: nn.Module
    D: nn.Module
    epsilon: float
    delta: float
    noise_multiplier: float
    sample_rate: float
    clip_norm: float
    steps: int
    seconds: float
    loss_d: list[float] = field(default_factory=list)
    loss_g: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``"ε = ∞"`` or ``"ε = 9.9"``, for titles and tables."""
        return "ε = ∞" if math.isinf(self.epsilon) else f"ε = {self.epsilon:.2g}"


def dp_recipe(recipe: GANRecipe) -> GANRecipe:
    """``recipe`` without what DP-SGD cannot use: minibatch-std and the R1 penalty (group norm comes later)."""
    return replace(recipe, minibatch_std=False, r1_gamma=0.0)


def train_dp_gan(
    images: torch.Tensor,
    labels: torch.Tensor,
    recipe: GANRecipe,
    *,
    epsilon: float | None,
    steps: int,
    delta: float | None = None,
    batch_size: int = 32,
    clip_norm: float = 1.0,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> DPGANRun:
    """Train ``recipe``'s conditional DCGAN on ``images: (N, C, S, S)``, ``labels: (N,)`` with a DP discriminator.

    epsilon: the privacy budget ε reached after ``steps`` discriminator steps; σ is chosen for it
        (:func:`~tutorial_lib.privacy.dpsgd.noise_for_epsilon`). ``None`` or ``inf``: non-private.
    delta: δ, by default 1/N. batch_size: the expected Poisson batch, so q = batch_size / N.
    clip_norm: C, the per-sample gradient norm bound.

    Raises :class:`~tutorial_lib.gan.step.TrainingDivergedError` if L_D or L_G becomes NaN or infinite, before
    that loss's update (a non-finite L_G is found after the same step's D update). The run keeps no checkpoint:
    it takes about a minute on 2 CPU cores.
    """
    if images.ndim != 4 or labels.shape != images.shape[:1]:
        raise ValueError(
            f"images must be (N, C, S, S) and labels (N,); got {tuple(images.shape)}, {tuple(labels.shape)}"
        )
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    n = len(labels)
    if not 1 <= batch_size < n:
        raise ValueError(f"batch_size must be in [1, N) with N = {n}; got {batch_size}")
    private = epsilon is not None and not math.isinf(epsilon)
    delta = 1.0 / n if delta is None else delta
    q = batch_size / n
    sigma = noise_for_epsilon(epsilon, delta, q, steps) if private else 0.0  # type: ignore[arg-type]
    device = get_device(device)
    recipe = dp_recipe(recipe)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G, D = recipe.build()
    D = dp_compatible(D)
    G.to(device).train()
    D.to(device).train()
    opt_g = torch.optim.Adam(G.parameters(), lr=recipe.lr[0], betas=recipe.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=recipe.lr[1], betas=recipe.betas)
    gen = torch.Generator().manual_seed(seed)
    dataset = torch.utils.data.TensorDataset(images.cpu(), labels.cpu())
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=gen)
    parts = None
    if private:
        parts = make_private(D, opt_d, loader, noise_multiplier=sigma, clip_norm=clip_norm, seed=seed)
        D, opt_d, loader = parts.D, parts.optimizer, parts.loader
    ema = EMA(G, recipe.ema_decay)
    aux = recipe.aux_weight
    k = recipe.num_classes
    run = DPGANRun(G, D, math.inf, delta, sigma, q, clip_norm if private else math.inf, 0, 0.0)
    bar = tqdm(total=steps, desc=f"DP GAN (ε = {epsilon if private else '∞'})", disable=not progress, leave=False)
    t0 = time.perf_counter()
    step = 0
    while step < steps:
        for real, y in loader:
            if len(real) < 2:  # an (improbably) tiny Poisson batch: batch norm in G needs two samples
                continue
            real, y = real.to(device), y.to(device)
            z = torch.randn(len(real), G.latent_dim, generator=gen).to(device)
            with torch.no_grad():  # the fakes are inputs of D's step: no graph through G is needed
                fake = G(z, y)
            real_logits, class_logits = D(real, y, return_class_logits=True)
            fake_logits = D(fake, y)
            loss_d = discriminator_loss(real_logits, fake_logits, "minimax")
            if aux:
                loss_d = loss_d + aux * nn.functional.cross_entropy(class_logits, y)
            _check_finite(loss_d, "L_D", step + 1)
            opt_d.zero_grad(set_to_none=True)
            with warnings.catch_warnings():  # Opacus's hooks fire on D's outputs, as designed: inputs need no grad
                warnings.filterwarnings("ignore", message="Full backward hook is firing")
                loss_d.backward()
            opt_d.step()
            loss_g = _generator_step(G, D, opt_g, gen, batch_size, k, aux, private, device, step + 1)
            step += 1
            ema(StepInfo(step, steps, G, D, None))  # type: ignore[arg-type]
            run.loss_d.append(loss_d.item())
            run.loss_g.append(loss_g.item())
            bar.update()
            if step >= steps:
                break
    bar.close()
    run.seconds = time.perf_counter() - t0
    run.steps = step
    run.G = ema.model.eval()
    plain = D._module if private else D  # type: ignore[union-attr]
    run.D = plain.eval().requires_grad_(False)
    if parts is not None:
        run.epsilon = parts.epsilon(delta)
    return run


def _generator_step(
    G: nn.Module,
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    gen: torch.Generator,
    batch_size: int,
    num_classes: int,
    aux: float,
    private: bool,
    device: torch.device,
    step: int,
) -> torch.Tensor:
    """One Adam step of G on fresh z and uniform labels; D is frozen and, when private, its hooks are off."""
    z = torch.randn(batch_size, G.latent_dim, generator=gen).to(device)
    y = torch.randint(num_classes, (batch_size,), generator=gen).to(device)
    D.requires_grad_(False)
    if private:
        D.disable_hooks()  # type: ignore[operator]  # no per-sample gradients of a frozen D
    try:
        fake_logits, class_logits = D(G(z, y), y, return_class_logits=True)
        loss_g = generator_loss(fake_logits, "nonsaturating")
        if aux:
            loss_g = loss_g + aux * nn.functional.cross_entropy(class_logits, y)
        _check_finite(loss_g, "L_G", step)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
    finally:
        D.requires_grad_(True)
        if private:
            D.enable_hooks()  # type: ignore[operator]
    return loss_g.detach()


def _check_finite(loss: torch.Tensor, what: str, step: int) -> None:
    if not torch.isfinite(loss):
        raise TrainingDivergedError(
            f"{what} became {loss.item()} at step {step}. Try a smaller learning rate or a larger clip norm C."
        )
