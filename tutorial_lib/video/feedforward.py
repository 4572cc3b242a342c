"""Feed-forward style transfer: train a network once per style, then stylize in one pass (Johnson et al. 2016).

:func:`~tutorial_lib.style.optimize.stylize` solves an optimisation problem for every image. A
*transformation network* f_θ instead learns to output the solution directly. It is trained on
many content images c (here random crops of the bundled photos) to minimise the same objective,
averaged over them::

    min_θ  E_c [ w_c Σ_{l∈C} mean((F_l(f_θ(c)) − F_l(c))²) + w_s Σ_{l∈S} mean((G_l(f_θ(c)) − G_l(s))²)
                 + w_tv TV(f_θ(c)) ].

All layer weights are 1, as written, with w_s = ``EQUAL_WEIGHTS_STYLE_WEIGHT``: the recipe was tuned on it.
After training, stylizing is one forward pass, hundreds of times faster than optimising. The
price: one network per style, trained for minutes to hours, and results a little below what
per-image optimisation reaches. :func:`~tutorial_lib.video.adain.adain` is the follow-up that removes the per-style
training (Huang & Belongie 2017).

The network (:class:`TransformNet`) follows Johnson et al.: a 9×9 convolution, two stride-2
convolutions down, residual blocks, two upsampling convolutions (nearest neighbour then 3×3, which
avoids the checkerboard of transposed convolutions) and a 9×9 convolution back to RGB, with
**instance normalisation** after each convolution. Instance norm normalises each image's channels
by their own mean and standard deviation over positions, removing the content image's contrast,
which Ulyanov et al. (2016) found key to good stylization. Two deviations fit a CPU budget: the
channel widths are 16/32/64 instead of 32/64/128, and the output is ``σ(logit(clip(c, 0.02, 0.98)) + r_θ(c))``,
a residual on the input's logits (clipped as in :func:`~tutorial_lib.style.minimize.to_logits`, so the
logit stays finite). The last convolution starts at zero, so the untrained network returns
``clip(c, 0.02, 0.98)``: the photo itself, except that pixels below 0.02 or above 0.98 come back as
0.02 or 0.98. Training only has to learn the *edit*.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from ..config import get_device
from ..data import BUNDLED
from ..data.images import ImageLike
from ..style.features import FeatureExtractor
from ..style.gram import gram_matrix
from ..style.images import resolve_image
from ..style.losses import style_transfer_loss
from ..style.minimize import to_logits
from ..style.optimize import (
    CONTENT_LAYERS,
    DEFAULT_TV_WEIGHT,
    EQUAL_WEIGHTS_STYLE_WEIGHT,
    STYLE_LAYERS,
    get_extractor,
)
from .photos import PHOTOS, load_photos, photo_crops


def _conv(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.ReflectionPad2d(kernel // 2),
        nn.Conv2d(c_in, c_out, kernel, stride),
        nn.InstanceNorm2d(c_out, affine=True),
    )


class ResidualBlock(nn.Module):
    """``x + IN(conv(ReLU(IN(conv(x)))))``, two 3×3 convolutions, shape kept."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv(channels, channels, 3), nn.ReLU(), _conv(channels, channels, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TransformNet(nn.Module):
    """Johnson et al.'s image-transformation network, narrower: ``(N, 3, H, W) -> (N, 3, H, W)`` in (0, 1).

    width: channels of the first layer (then 2·width and 4·width after each downsampling).
    n_residual: residual blocks at 1/4 resolution. Any H, W work (the upsampling matches the input size).
    """

    def __init__(self, width: int = 16, n_residual: int = 3) -> None:
        super().__init__()
        if width < 1 or n_residual < 0:
            raise ValueError(f"width must be >= 1 and n_residual >= 0; got {width}, {n_residual}")
        self.width, self.n_residual = width, n_residual
        w = width
        self.down = nn.Sequential(
            _conv(3, w, 9), nn.ReLU(), _conv(w, 2 * w, 3, 2), nn.ReLU(), _conv(2 * w, 4 * w, 3, 2), nn.ReLU()
        )
        self.res = nn.Sequential(*[ResidualBlock(4 * w) for _ in range(n_residual)])
        self.up1 = nn.Sequential(_conv(4 * w, 2 * w, 3), nn.ReLU())
        self.up2 = nn.Sequential(_conv(2 * w, w, 3), nn.ReLU())
        self.out = nn.Sequential(nn.ReflectionPad2d(4), nn.Conv2d(w, 3, 9))
        nn.init.zeros_(self.out[1].weight)  # σ(logit(clip(c)) + 0) = clip(c, 0.02, 0.98)
        nn.init.zeros_(self.out[1].bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"images must have shape (N, 3, H, W); got {tuple(images.shape)}")
        if min(images.shape[-2:]) < 8:
            raise ValueError(f"images must be at least 8×8 pixels; got {tuple(images.shape[-2:])}")
        h = self.res(self.down(images))
        mid = (-(-images.shape[-2] // 2), -(-images.shape[-1] // 2))
        h = self.up1(F.interpolate(h, size=mid, mode="nearest"))
        h = self.up2(F.interpolate(h, size=tuple(images.shape[-2:]), mode="nearest"))
        return torch.sigmoid(to_logits(images) + self.out(h))


def gram_targets(style: torch.Tensor, extractor: FeatureExtractor) -> dict[str, torch.Tensor]:
    """G_l(s) for every style layer of :func:`~tutorial_lib.style.optimize.stylize`: layer -> (1, C, C)."""
    with torch.no_grad():
        return {k: gram_matrix(v) for k, v in extractor(style, list(STYLE_LAYERS)).items()}


def feedforward_loss(
    model: nn.Module,
    batch: torch.Tensor,
    extractor: FeatureExtractor,
    style_targets: dict[str, torch.Tensor],
    weights: tuple[float, float, float] = (1.0, EQUAL_WEIGHTS_STYLE_WEIGHT, DEFAULT_TV_WEIGHT),
) -> dict[str, torch.Tensor]:
    """The training objective on one batch of content images ``batch: (N, 3, H, W)``: the canonical
    loss of ``f_θ(c)`` against content targets F_l(c) and the style's Gram targets, averaged over the
    batch. weights: (w_c, w_s, w_tv). Returns the dict of :func:`~tutorial_lib.style.losses.style_transfer_loss`.
    """
    with torch.no_grad():
        content_targets = dict(extractor(batch, list(CONTENT_LAYERS)))
    out = model(batch)
    layers = list(dict.fromkeys([*STYLE_LAYERS, *CONTENT_LAYERS]))
    return style_transfer_loss(extractor(out, layers), content_targets, style_targets, out, *weights)


@dataclass
class FeedForwardResult:
    """What :func:`train_feedforward` returns: the trained ``model`` (eval mode), ``history`` (lists per
    step: ``step``, ``total``, ``content``, ``style``, ``tv``, ``time_s``) and the ``settings``."""

    model: TransformNet
    history: dict[str, list[float]]
    settings: dict[str, Any] = field(default_factory=dict)


def train_feedforward(
    style: ImageLike,
    *,
    steps: int = 300,
    batch_size: int = 4,
    crop_size: int = 128,
    style_size: int = 256,
    content_weight: float = 1.0,
    style_weight: float = EQUAL_WEIGHTS_STYLE_WEIGHT,
    tv_weight: float = DEFAULT_TV_WEIGHT,
    lr: float = 2e-3,
    width: int = 16,
    n_residual: int = 3,
    photos: Sequence[str] = PHOTOS,
    extractor: str | FeatureExtractor = "auto",
    checkpoint_dir: str | os.PathLike | None = None,
    checkpoint_every: int = 50,
    resume: bool = True,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
    callback: Callable[[int, dict[str, float]], bool | None] | None = None,
) -> FeedForwardResult:
    """Train a :class:`TransformNet` for one ``style`` with Adam on random crops of bundled photos.

    steps: Adam steps in total (a resumed run continues up to this number).
    crop_size: side of the square training crops; style_size: longest side the style image is resized
        to (strokes then have the size stylize gives them on images of that size).
    The loss is the canonical objective of :mod:`tutorial_lib.style.losses` with the same layers as
    :func:`~tutorial_lib.style.optimize.stylize`, averaged over the batch.
    checkpoint_dir: where to keep ``checkpoint.pt`` (model, optimizer, step, history, the crop
        generator's state), written atomically every ``checkpoint_every`` steps and at the end with
        :func:`tutorial_lib.common.checkpoint.save_checkpoint`. With ``resume`` a run picks up from it,
        and produces exactly the weights an uninterrupted run would.
    callback: called after every step with (step, loss parts); returning True stops (and checkpoints).
    """
    from tqdm.auto import tqdm

    if steps < 0 or batch_size < 1 or crop_size < 16:
        raise ValueError(f"need steps >= 0, batch_size >= 1, crop_size >= 16; got {steps}, {batch_size}, {crop_size}")
    unknown = [p for p in photos if p not in BUNDLED]
    if unknown or not photos:
        raise ValueError(f"photos must name bundled images; unknown: {unknown}. Valid: {', '.join(PHOTOS)}")
    dev = extractor.device if isinstance(extractor, FeatureExtractor) and device is None else get_device(device)
    ext = get_extractor(extractor, dev)
    torch.manual_seed(seed)
    model = TransformNet(width, n_residual).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    history: dict[str, list[float]] = {}
    step = 0
    settings = {
        "style": style if isinstance(style, str) else "image",
        "batch_size": batch_size,
        "crop_size": crop_size,
        "style_size": style_size,
        "content_weight": content_weight,
        "style_weight": style_weight,
        "tv_weight": tv_weight,
        "lr": lr,
        "width": width,
        "n_residual": n_residual,
        "photos": list(photos),
        "extractor": ext.name,
        "seed": seed,
    }
    ckpt = checkpoint_path(checkpoint_dir) if checkpoint_dir is not None else None
    if ckpt is not None and resume and ckpt.is_file():
        state = load_checkpoint(ckpt, map_location=dev)
        if state.get("settings") != settings:
            raise ValueError(
                f"The checkpoint in {ckpt} was trained with other settings ({state.get('settings')}). "
                "Fix: use another checkpoint_dir, or resume=False to start over (it will be overwritten)."
            )
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        gen.set_state(state["generator"].cpu())  # map_location put it on the device
        history = {k: list(v) for k, v in state["history"].items()}
        step = int(state["step"])

    def save() -> None:
        if ckpt is not None:
            state = {
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "generator": gen.get_state(),
                "step": step,
                "history": history,
                "settings": settings,
            }
            save_checkpoint(state, ckpt)

    images = load_photos(photos, size=max(crop_size, 2 * crop_size))
    style_img = resolve_image(style, size=style_size).to(dev)
    style_targets = gram_targets(style_img, ext)
    weights = (content_weight, style_weight, tv_weight)
    model.train()
    start = time.perf_counter() - (history["time_s"][-1] if history.get("time_s") else 0.0)
    bar = tqdm(total=steps, initial=step, desc="train", disable=not progress, leave=False)
    try:
        while step < steps:
            batch = photo_crops(batch_size, crop_size, gen, images).to(dev)
            parts = feedforward_loss(model, batch, ext, style_targets, weights)
            opt.zero_grad(set_to_none=True)
            parts["total"].backward()
            opt.step()
            step += 1
            row = {"step": step, **{k: float(v.detach()) for k, v in parts.items()}}
            row["time_s"] = time.perf_counter() - start
            for k, v in row.items():
                history.setdefault(k, []).append(v)
            bar.update(1)
            bar.set_postfix(loss=f"{row['total']:.4g}", refresh=False)
            stop = callback(step, row) if callback is not None else None
            if step % checkpoint_every == 0 or step == steps or stop:
                save()
            if stop:
                break
    finally:
        bar.close()
    save()
    return FeedForwardResult(model.eval(), history, settings)


@torch.no_grad()
def stylize_fast(model: TransformNet, content: ImageLike, size: int | None = None) -> torch.Tensor:
    """One forward pass: ``content`` (anything ``resolve_image`` accepts) -> (1, 3, H, W) in [0, 1] on the CPU."""
    dev = next(model.parameters()).device
    image = resolve_image(content, size=size).to(dev)
    was_training = model.training
    out = model.eval()(image)
    model.train(was_training)
    return out.clamp(0, 1).cpu()


def seconds_per_call(fn: Callable[[], object], repeats: int = 3) -> float:
    """The fastest wall-clock time of ``repeats`` calls of ``fn()``, in seconds (the least disturbed one)."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
