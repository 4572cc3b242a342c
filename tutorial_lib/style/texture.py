"""Texture synthesis from Gram matrices alone (Gatys, Ecker & Bethge 2015).

Start from noise and minimise only the style part of the objective:

    L_tex(x) = Σ_{l∈S} w_l mean((G_l(x) − G_l(s))²)  [+ w_tv TV(x)]

Gram matrices forget where features are, so the result is a new sample of the same
texture, not a copy of s. Which layers are in S decides which scales of structure are
reproduced: ``relu1_1`` alone matches colours and pixel-scale grain; adding deeper layers
brings larger motifs.

Layer weights. With the course's normalisation the layers' losses differ by orders of
magnitude (on vgg16-hed, ``relu1_1`` starts near 100 and ``relu5_1`` near 0.003), so with
equal weights the deep layers hardly count. ``layer_weights="balanced"`` (the default here, as in
:func:`~tutorial_lib.style.optimize.stylize`) divides each layer by its target's mean square,
w_l = 1 / mean(G_l(s)²) (:func:`~tutorial_lib.style.losses.balanced_layer_weights`), making every term a
*relative* error of order 1 whatever the network and its input scale. That is what makes
a random-weight network usable at all (notebook 04).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import torch

from ..config import get_device
from ..data.images import ImageLike
from .features import FeatureExtractor
from .gram import gram_matrix
from .images import resolve_image
from .losses import resolve_layer_weights
from .multiscale import Targets, coarse_to_fine, scaled_size, shrink
from .optimize import STYLE_LAYERS, StylizeResult, get_extractor, resolve_scales, resolve_steps


def synthesize_texture(
    style: ImageLike,
    size: int | tuple[int, int] = 256,
    *,
    extractor: str | FeatureExtractor = "auto",
    layers: Sequence[str] = STYLE_LAYERS,
    layer_weights: Mapping[str, float] | str | None = "balanced",
    style_size: int | None = None,
    tv_weight: float = 0.0,
    optimizer: str = "lbfgs",
    steps: int | Sequence[int] | None = None,
    scales: Sequence[float] | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    callback=None,
    progress: bool = True,
) -> StylizeResult:
    """A new image of ``size`` whose Gram matrices at ``layers`` match those of ``style``.

    style: anything ``load_image`` accepts, or a bundled / procedural name.
    size: output size, an int (square) or (H, W).
    layer_weights: ``"balanced"`` (w_l = 1 / mean(G_l(s)²), see the module docstring), ``"equal"`` or
        ``None`` for all 1 (the canonical objective), or a dict name -> weight.
    style_size: longest side the style image is resized to (default: the output's longest side).
    steps, scales, optimizer, seed, device, callback, progress: as in :func:`stylize`. The start is
        uniform noise from ``seed``.

    Returns a :class:`StylizeResult` (``.image``, ``.history``, ``.settings``, ``.loss``).
    """
    hw = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if min(hw) < 16:
        raise ValueError(f"size must be at least 16 px; got {size!r}")
    if not layers:
        raise ValueError("layers is empty; give at least one layer name, e.g. ('relu1_1',)")
    dev = extractor.device if isinstance(extractor, FeatureExtractor) and device is None else get_device(device)
    ext = get_extractor(extractor, dev)
    style_img = resolve_image(style, size=style_size or max(hw)).to(dev)

    @functools.cache  # the balanced weights read the full-size targets, and so does the last scale
    def targets_at(scale: float) -> Targets:
        with torch.no_grad():
            feats = ext(shrink(style_img, scaled_size(style_img.shape[-2:], scale)), list(layers))
        return {}, {k: gram_matrix(v) for k, v in feats.items()}

    weights = resolve_layer_weights(layer_weights, targets_at(1.0)[1] if layer_weights == "balanced" else {})
    scale_list = resolve_scales(hw, scales)
    step_list = resolve_steps(steps, len(scale_list))
    gen = torch.Generator().manual_seed(seed)
    start = torch.rand(1, 3, *hw, generator=gen).to(dev)
    x, loss, history = coarse_to_fine(
        ext,
        start,
        scale_list,
        step_list,
        targets_at,
        (0.0, 1.0, tv_weight),
        weights,
        optimizer,
        callback,
        progress,
        desc="texture",
    )
    settings = {
        "extractor": ext.name,
        "layers": tuple(layers),
        "layer_weights": weights,
        "tv_weight": tv_weight,
        "optimizer": optimizer,
        "scales": scale_list,
        "steps": step_list,
        "size": hw,
        "style_size": tuple(style_img.shape[-2:]),
        "seed": seed,
        "device": str(dev),
    }
    return StylizeResult(x.detach().clamp(0, 1).cpu().contiguous(), history, settings, loss)
