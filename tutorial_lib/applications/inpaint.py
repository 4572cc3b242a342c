"""Inpainting with a trained generator: search the latent space for an image that fits the visible pixels.

An image x is seen only through a mask m (1 = visible, 0 = hidden). Any image the generator
can draw, G(z, y), is a candidate; we look for the z whose image agrees with x where we can see
it, with a Gaussian penalty on z:

    L(z) = (1/N) Σ_n  Σ_p m_np (G(z_n, y_n)_p − x_np)² / max(1, Σ_p m_np)   +   λ · (1/(N d)) Σ_n ‖z_n‖²

The first term is the mean squared error over the *visible* pixels of each image; the second is
the Gaussian prior −log N(z; 0, I) = ½‖z‖² + const, scaled per coordinate. This is the recovery
objective of Bora et al. 2017 ("Compressed sensing using generative models": a measurement error
plus λ‖z‖²) with the mask as the measurement. It is *not* the loss of Yeh et al. 2017 ("Semantic
image inpainting with deep generative models"), which uses a contextual L1 error weighted by the
distance to the hole plus a perceptual term from the discriminator, log(1 − D(G(z))); we use no D.

What the prior does: it pulls every z toward 0, the *mode* of N(0, I). That point is atypical: for
d-dimensional z ~ N(0, I), ‖z‖ concentrates near √d (‖z‖² has mean d and standard deviation √(2d)),
so almost no sample lies near 0. A small λ keeps z from drifting far outside that shell, where G
draws odd images that happen to match the visible pixels; a large λ shrinks z toward 0 and the
completions toward G's blandest images. (Keeping ‖z‖ near √d instead, e.g. by projecting onto the
sphere, is a common alternative; we keep the textbook prior.)
The completed image keeps the visible pixels and takes the hidden ones from G:
x̂ = m ⊙ x + (1 − m) ⊙ G(z*, y).

Baselines that know nothing about animals: :func:`mean_fill` (hidden pixels get the mean of the
visible ones, channel by channel) and :func:`blur_fill` (repeated 3×3 averaging from the border
inwards, i.e. harmonic interpolation). :func:`masked_error` scores any completion on the hidden pixels only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..config import get_device

MASKS = ("center", "top", "bottom", "left", "right", "random")
DEFAULT_PRIOR_WEIGHT = 0.01


def _check_images(target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Validate ``target: (N, C, H, W)`` and ``mask`` and return the mask as floats shaped like ``target``."""
    if target.ndim != 4:
        raise ValueError(f"target must have shape (N, C, H, W); got {tuple(target.shape)}")
    if mask.ndim != 4 or mask.shape[-2:] != target.shape[-2:] or mask.shape[0] not in (1, target.shape[0]):
        raise ValueError(
            f"mask must have shape (N, 1, H, W) or (N, C, H, W) like target {tuple(target.shape)} "
            f"(1 = visible, 0 = hidden); got {tuple(mask.shape)}"
        )
    if mask.shape[1] not in (1, target.shape[1]):
        raise ValueError(f"mask must have 1 or {target.shape[1]} channels; got {mask.shape[1]}")
    return mask.to(target).expand_as(target)


def make_mask(kind: str, size: int = 28, n: int = 1, fraction: float = 0.5, seed: int = 0) -> torch.Tensor:
    """A mask ``(n, 1, size, size)``, 1 = visible and 0 = hidden.

    kind: ``"center"`` (a centred square of side ``fraction · size`` is hidden), ``"top"``, ``"bottom"``,
        ``"left"``, ``"right"`` (that ``fraction`` of the rows or columns is hidden) or ``"random"``
        (each pixel hidden with probability ``fraction``, independently per image, from ``seed``).
    """
    if kind not in MASKS:
        raise ValueError(f"Unknown mask kind {kind!r}; choose one of {', '.join(MASKS)}")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    mask = torch.ones(n, 1, size, size)
    k = max(1, round(fraction * size))
    if kind == "center":
        a = (size - k) // 2
        mask[..., a : a + k, a : a + k] = 0
    elif kind == "top":
        mask[..., :k, :] = 0
    elif kind == "bottom":
        mask[..., size - k :, :] = 0
    elif kind == "left":
        mask[..., :, :k] = 0
    elif kind == "right":
        mask[..., :, size - k :] = 0
    else:
        gen = torch.Generator().manual_seed(seed)
        mask = (torch.rand(n, 1, size, size, generator=gen) >= fraction).float()
    return mask


def inpainting_loss(
    generated: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, z: torch.Tensor, prior_weight: float
) -> torch.Tensor:
    """The inpainting objective (module docstring), a scalar:

        L = (1/N) Σ_n Σ_p m_np (g_np − x_np)² / max(1, Σ_p m_np)  +  λ · mean(z²)

    generated: G(z) ``(N, C, H, W)``; target: x, same shape; mask: m, ``(N, 1 or C, H, W)``, 1 = visible;
    z: ``(N, d)``; prior_weight: λ. An image with no visible pixel contributes 0 to the first term.
    """
    m = _check_images(target, mask)
    if generated.shape != target.shape:
        raise ValueError(f"generated must have the shape of target {tuple(target.shape)}; got {tuple(generated.shape)}")
    return _per_image_loss(generated, target, m, z, prior_weight).mean()


def _per_image_loss(
    generated: torch.Tensor, target: torch.Tensor, m: torch.Tensor, z: torch.Tensor, prior_weight: float
) -> torch.Tensor:
    """The objective of each image separately: ``(N,)`` (m already shaped like target)."""
    visible = (m * (generated - target) ** 2).flatten(1).sum(1) / m.flatten(1).sum(1).clamp(min=1.0)
    return visible + prior_weight * (z**2).flatten(1).mean(1)


@dataclass
class InpaintResult:
    """What :func:`inpaint` returns (all on the CPU).

    completed: m ⊙ x + (1 − m) ⊙ G(z*, y*), ``(N, C, H, W)``.
    generated: G(z*, y*), the generator's whole image. z: z* ``(N, d)``. labels: y* ``(N,)``.
    loss: the objective of each image at z* ``(N,)``. history: the mean objective over the best
    candidates after every step.
    """

    completed: torch.Tensor
    generated: torch.Tensor
    z: torch.Tensor
    labels: torch.Tensor
    loss: torch.Tensor
    history: list[float]


def inpaint(
    generator: nn.Module,
    target: torch.Tensor,
    mask: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    steps: int = 300,
    restarts: int = 8,
    lr: float = 0.05,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> InpaintResult:
    """Fill the hidden pixels of ``target`` by minimising :func:`inpainting_loss` over z with Adam.

    generator: a trained G with ``latent_dim`` (class-conditional or not), used in eval mode.
    target: ``(N, C, H, W)`` in [0, 1]; mask: ``(N or 1, 1 or C, H, W)``, 1 = visible.
    labels: ``(N,)`` class of each image for a conditional G; ``None`` tries every class
        (``restarts`` starts for each) and keeps the best fit, so the class is inferred as well.
    restarts: random starts z ~ N(0, I) per image and class; the one with the lowest objective wins
        (the objective is not convex in z, and one start often ends in a poor local minimum).
    """
    m = _check_images(target, mask)
    if steps < 1 or restarts < 1:
        raise ValueError(f"steps and restarts must be >= 1; got steps={steps}, restarts={restarts}")
    if not hasattr(generator, "latent_dim"):
        raise ValueError("generator must have a latent_dim attribute: the size of z")
    num_classes = getattr(generator, "num_classes", None)
    n = target.shape[0]
    if num_classes is None and labels is not None:
        raise ValueError("labels were given but the generator is unconditional; pass labels=None")
    if labels is not None and labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},); got {tuple(labels.shape)}")
    device = get_device(device) if device is not None else next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    if num_classes is None:
        cand = None
    elif labels is None:
        cand = torch.arange(num_classes).repeat_interleave(restarts).repeat(n, 1)  # (N, K·R)
    else:
        cand = labels.long().cpu()[:, None].repeat(1, restarts)  # (N, R)
    per_image = restarts if cand is None else cand.shape[1]
    d = generator.latent_dim
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n * per_image, d, generator=gen).to(device).requires_grad_(True)
    y = cand.reshape(-1).to(device) if cand is not None else None
    x = target.to(device).repeat_interleave(per_image, dim=0)
    mm = m.to(device).repeat_interleave(per_image, dim=0)
    opt = torch.optim.Adam([z], lr=lr)
    params = [p.requires_grad for p in generator.parameters()]
    generator.requires_grad_(False)

    def objective() -> torch.Tensor:
        g = generator(z, y) if y is not None else generator(z)
        return _per_image_loss(g, x, mm, z, prior_weight)

    history = []
    try:
        for _ in tqdm(range(steps), desc="inpaint", disable=not progress, leave=False):
            loss = objective()
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()  # a sum: each candidate gets its own gradient, whatever the batch size
            opt.step()
            history.append(loss.detach().view(n, per_image).min(1).values.mean().item())
        with torch.no_grad():
            final = objective().view(n, per_image)
            best = final.argmin(1)
            pick = torch.arange(n, device=device) * per_image + best
            z_best = z.detach()[pick]
            y_best = y[pick] if y is not None else None
            g = generator(z_best, y_best) if y_best is not None else generator(z_best)
    finally:
        for p, flag in zip(generator.parameters(), params, strict=True):
            p.requires_grad_(flag)
        generator.train(was_training)
    g = g.cpu()
    completed = m.cpu() * target.cpu() + (1 - m.cpu()) * g
    labels_out = y_best.cpu() if y_best is not None else torch.full((n,), -1)
    return InpaintResult(completed, g, z_best.cpu(), labels_out, final.min(1).values.cpu(), history)


def mean_fill(target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Baseline: every hidden pixel gets, channel by channel, the mean of the image's visible pixels.

        x̂_nc = m ⊙ x_nc + (1 − m) ⊙ μ_nc,   μ_nc = Σ_p m_ncp x_ncp / max(1, Σ_p m_ncp)

    target: ``(N, C, H, W)``; mask: ``(N or 1, 1 or C, H, W)``, 1 = visible. A hole in an RGB image
    gets the visible pixels' mean colour (not a grey); a channel with no visible pixel gets 0.
    """
    m = _check_images(target, mask)
    mean = (m * target).flatten(2).sum(2) / m.flatten(2).sum(2).clamp(min=1.0)  # (N, C)
    return m * target + (1 - m) * mean[:, :, None, None]


def blur_fill(target: torch.Tensor, mask: torch.Tensor, iterations: int = 300) -> torch.Tensor:
    """Baseline: start from :func:`mean_fill`, then replace the hidden pixels by the 3×3 average of their
    neighbours, ``iterations`` times, keeping the visible pixels. This converges to the harmonic
    interpolation (Δx = 0 inside the hole, x = target on its border): a smooth blur across the hole."""
    m = _check_images(target, mask)
    x = mean_fill(target, m)
    known = m * target
    for _ in range(iterations):
        x = known + (1 - m) * F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return x


def masked_error(completed: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the *hidden* pixels of each image, ``(N,)``: Σ (1−m)(x̂−x)² / Σ (1−m).

    Images with no hidden pixel score 0."""
    m = _check_images(target, mask)
    if completed.shape != target.shape:
        raise ValueError(f"completed must have the shape of target {tuple(target.shape)}; got {tuple(completed.shape)}")
    hidden = 1 - m
    return (hidden * (completed - target) ** 2).flatten(1).sum(1) / hidden.flatten(1).sum(1).clamp(min=1.0)
