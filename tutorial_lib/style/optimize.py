"""Neural style transfer by optimisation (Gatys, Ecker & Bethge 2016), coarse to fine.

:func:`stylize` minimises the course's canonical objective over the pixels of x::

    L(x) = w_c Σ_{l∈C} mean((F_l(x) − F_l(c))²) + w_s Σ_{l∈S} mean((G_l(x) − G_l(s))²) + w_tv TV(x)

(:mod:`tutorial_lib.style.losses`). What makes it fast on a CPU:

* **Targets once.** F_l(c) and G_l(s) are computed once per scale, without gradients.
* **A short network.** The extractor stops at the deepest layer in C ∪ S (``relu5_1``).
* **Coarse to fine.** Most evaluations happen on small images: with ``scales=(0.25, 0.5, 1)`` an evaluation at
  scale 0.25 costs about 1/16 of a full-size one. Content and style images are resized by the same factor, so every
  scale sees the same picture, only smaller; the edit made at one scale, upsampled, starts the next (``multiscale``).
* **Pixels in range without clamping**, through x = σ(u), and L-BFGS with a strong-Wolfe line search, which never
  lets a bad step through (``minimize``).

How the defaults were chosen (vgg16-hed, 2 CPU cores):

* ``layer_weights="balanced"`` (issue #19): w_l = 1 / mean(G_l(s)²) multiplies each style term. With
  w_l = 1, at the content image ``relu4_1`` and ``relu5_1`` carry under 10⁻³ of the style loss, so the
  deep layers (and a coarse style-layer set) barely acted; balanced, every layer's share lies within 4×
  of the mean (``tests/style/test_optimize.py``; notebook 05, section 1, plots them).
* ``DEFAULT_STYLE_WEIGHT = 200``: balanced weights rescale the style term, so w_s was chosen again to keep
  as much of the photo as the old default, ``EQUAL_WEIGHTS_STYLE_WEIGHT = 30`` with w_l = 1 (picked by eye:
  a painting in which the subject stays clear). ``benchmarks/style_weight.py``, chelsea and astronaut at
  128 px, mosaic, waves, strokes and dots, 60 evaluations each: the old default's median content loss 50.8;
  w_s = 100, 200, 300 gave 39.7, 54.6 and 64.4. At 200 the balanced style loss (Σ_l relative errors) falls
  from 0.66 to 0.15, and the part of it in relu3_1–relu5_1 from 0.66 to 0.085: the deep layers now act.
* ``DEFAULT_STEPS`` (measured before issue #19, with w_l = 1 and w_s = 10): on chelsea at 256×385 px with
  hubble_deep_field, 300 single-scale L-BFGS evaluations reached a loss of 9.23. Coarse to fine with
  (100, 60, 40) evaluations at scales (0.25, 0.5, 1) reached 8.59 for about a fifth of the network work;
  (150, 100, 50) reached 7.46, (200, 80, 30) only 9.79: the full-size steps matter most
  (``benchmarks/style.py --layer-weights equal --style-weight 10``). With two scales, at 170×256 px and
  w_s = 30, (60, 110) beat (100, 100) and (214, 86) for the hubble, strokes and mosaic styles alike. The
  gain depends on the style: large when it needs large-scale changes (hubble: 10.8 in 43 s against 13.4
  for 200 single-scale evaluations in 67 s), small for small strokes, where the last refinement at full
  size dominates (35.5 in 40 s against 35.6 for 100 evaluations in 33 s). With balanced weights (chelsea
  128×192 px, hubble) coarse to fine still beats single scale at equal work, 61.4 against 189.7
  (``tests/style/test_coarse_to_fine.py``), but 200 single-scale evaluations now reach 32.5, which its quarter
  of the work does not. Notebook 05's main picture (strokes, 170×256 px; ``benchmarks/style_lesson.py``):
  100 single-scale evaluations 68.58 in 75 CPU-s, (42, 78) 70.71 in 66 s, (106, 194) 66.86 in 167 s.
* ``DEFAULT_TV_WEIGHT = 10``: ``relu1_1`` already pins pixel-scale statistics. TV(x) of a stylised photo is about
  0.01–0.03 against a total loss of 10–100, so 10 is a mild prior against stray grain; it smooths visibly only near
  10³ (notebook 05, section 9).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from ..config import get_device
from ..data.images import ImageLike
from .color import COLOR_MODES, combine_luminance, luminance, match_color, match_luminance
from .features import FeatureExtractor, load_extractor
from .gram import gram_matrix
from .images import resolve_image
from .losses import resolve_layer_weights
from .minimize import OPTIMIZERS, History
from .multiscale import Callback, Targets, coarse_to_fine, scaled_size, shrink

CONTENT_LAYERS = ("relu4_2",)
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
DEFAULT_STYLE_WEIGHT = 200.0  # with balanced layer weights
EQUAL_WEIGHTS_STYLE_WEIGHT = 30.0  # the same look with layer_weights="equal": the default before issue #19
DEFAULT_TV_WEIGHT = 10.0
COARSE_SCALES = (0.25, 0.5)
MIN_SIDE = 64  # a coarse scale is used only if the image's short side stays at least this long
DEFAULT_STEPS = {1: (300,), 2: (60, 110), 3: (100, 60, 40)}  # per number of scales (L-BFGS, Adam alike)
INITS = ("content", "noise", "style")


@dataclass
class StylizeResult:
    """What :func:`stylize` returns.

    image: (1, 3, H, W) in [0, 1], on the CPU.
    history: loss parts per evaluation (see :class:`tutorial_lib.style.minimize.History`).
    settings: every setting used, defaults resolved (sizes, scales, steps per scale, extractor...).
    loss: the objective's total on the returned image (at full size; with ``preserve_color="luminance"``
        on the grey image that was optimised, before the content's colours were put back).
    """

    image: torch.Tensor
    history: History
    settings: dict[str, Any] = field(default_factory=dict)
    loss: float = float("nan")


_EXTRACTORS: dict[tuple[str, str], FeatureExtractor] = {}


def get_extractor(extractor: str | FeatureExtractor, device: torch.device) -> FeatureExtractor:
    """An extractor by name, loaded once per (name, device) and then reused; objects pass through."""
    if isinstance(extractor, FeatureExtractor):
        return extractor
    key = (extractor, str(device))
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = load_extractor(extractor, device=device)
    return _EXTRACTORS[key]


def resolve_scales(hw: tuple[int, int], scales: Sequence[float] | None) -> tuple[float, ...]:
    """The coarse-to-fine scales. ``None``: those of (0.25, 0.5) that keep the short side ≥ 64 px, then 1."""
    if scales is None:
        return tuple(s for s in COARSE_SCALES if min(hw) * s >= MIN_SIDE) + (1.0,)
    scales = tuple(float(s) for s in scales)
    if not scales or scales[-1] != 1.0 or any(a >= b for a, b in zip(scales, scales[1:], strict=False)):
        raise ValueError(f"scales must increase and end with 1.0, e.g. (0.25, 0.5, 1.0); got {scales}")
    if scales[0] <= 0:
        raise ValueError(f"scales must be positive; got {scales}")
    return scales


def resolve_steps(steps: int | Sequence[int] | None, n_scales: int) -> tuple[int, ...]:
    """Evaluations per scale. ``None``: the tuned schedule; an int: that total, split like the schedule."""
    base = DEFAULT_STEPS.get(n_scales) or (100,) * (n_scales - 1) + (50,)
    if steps is None:
        return tuple(base)
    if isinstance(steps, int):
        if steps < n_scales:
            raise ValueError(f"steps={steps} is fewer than one evaluation per scale ({n_scales} scales)")
        split = [max(1, round(steps * b / sum(base))) for b in base]
        split[0] += steps - sum(split)
        return tuple(split)
    steps = tuple(int(s) for s in steps)
    if len(steps) != n_scales or min(steps) < 1:
        raise ValueError(f"steps must give one positive count per scale ({n_scales}); got {steps}")
    return steps


def _blend_weights(n: int, style_blend: Sequence[float] | None) -> list[float]:
    if style_blend is None:
        return [1.0 / n] * n
    weights = [float(b) for b in style_blend]
    if len(weights) != n or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError(f"style_blend must give {n} non-negative weights (one per style); got {list(style_blend)}")
    return [b / sum(weights) for b in weights]


def _initial_image(init: str | torch.Tensor, content: torch.Tensor, style: torch.Tensor, seed: int) -> torch.Tensor:
    hw = tuple(content.shape[-2:])
    if isinstance(init, torch.Tensor):
        if init.ndim != 4 or init.shape[0] != 1 or init.shape[1] not in (1, 3):
            raise ValueError(f"init must be a string or a tensor (1, 3, H, W); got shape {tuple(init.shape)}")
        return shrink(init.to(content).clamp(0, 1), hw)
    if init == "content":
        return content
    if init == "style":
        return shrink(style, hw)
    if init == "noise":
        gen = torch.Generator().manual_seed(seed)
        return torch.rand(content.shape, generator=gen).to(content)
    raise ValueError(f"init must be one of {INITS} or a tensor; got {init!r}")


def stylize(
    content: ImageLike,
    style: ImageLike | Sequence[ImageLike],
    *,
    extractor: str | FeatureExtractor = "auto",
    content_weight: float = 1.0,
    style_weight: float = DEFAULT_STYLE_WEIGHT,
    tv_weight: float = DEFAULT_TV_WEIGHT,
    content_layers: Sequence[str] = CONTENT_LAYERS,
    style_layers: Sequence[str] = STYLE_LAYERS,
    layer_weights: Mapping[str, float] | str | None = "balanced",
    optimizer: str = "lbfgs",
    steps: int | Sequence[int] | None = None,
    scales: Sequence[float] | None = None,
    init: str | torch.Tensor = "content",
    preserve_color: bool | str = False,
    style_blend: Sequence[float] | None = None,
    style_scale: float = 1.0,
    size: int | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    callback: Callback | None = None,
    progress: bool = True,
    extra_loss: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> StylizeResult:
    """Paint ``content`` in the style of ``style`` by minimising the canonical objective (module docstring).

    content: anything ``load_image`` accepts, or a bundled image's name; ``(1, 3, H, W)`` in [0, 1] for tensors.
    style: the same, a procedural style's name, or a list of them to blend.
    extractor: a name for ``load_extractor`` (loaded once, then cached) or a loaded extractor.
    content_weight, style_weight, tv_weight: w_c, w_s, w_tv.
    content_layers, style_layers: the sets C and S.
    layer_weights: w_l per style layer: ``"balanced"`` (1 / mean(G_l(s)²) from the full-size targets, kept at
        every scale: each term a relative error), ``"equal"`` or ``None`` (all 1), or a dict name -> weight.
        A layer in both C and S gets its factor in both sums. ``settings["layer_weights"]`` records them.
    optimizer: ``"lbfgs"`` or ``"adam"``.
    steps: function evaluations (forward + backward passes, summed over the scales): ``None`` for the tuned
        schedule, an int for a total split over the scales in the same proportions, or one count per scale.
    scales: coarse-to-fine factors ending in 1.0, e.g. ``(0.25, 0.5, 1.0)``; ``None`` uses those of
        (0.25, 0.5) that keep the short side at least 64 px; ``(1.0,)`` is single-scale.
    init: ``"content"``, ``"noise"`` (uniform, from ``seed``), ``"style"`` or an image tensor.
    preserve_color: ``False``; ``True`` or ``"luminance"`` (stylize the luminance only and keep the
        content's chrominance); ``"histogram"`` (recolour the style to the content's colour
        mean and covariance first). See :mod:`tutorial_lib.style.color`.
    style_blend: weights β_k for a list of styles; the Gram targets are blended, A_l = Σ_k β_k G_l(s_k)
        (equal weights by default). Up to a constant this equals Σ_k β_k mean((G_l(x) − G_l(s_k))²).
    style_scale: the style image is resized so its longest side is ``style_scale`` times the content's:
        larger values give larger brush strokes.
    size: longest side of the content in pixels (``None`` keeps it; images above 1024 px are shrunk).
    device: ``None`` uses the extractor's device, else :func:`tutorial_lib.config.get_device`.
    callback: called after every evaluation with the history row (a dict) and the current image
        (1, 3, h, w); returning True stops.
    progress: show a tqdm progress bar.
    extra_loss: optional term added to the objective: image (1, 3, h, w) at the current scale -> scalar
        (weighted already); recorded as the history's ``extra`` column. Notebook 07 adds the temporal
        loss of video style transfer this way (:func:`tutorial_lib.video.temporal.temporal_loss`).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    color_mode = "luminance" if preserve_color is True else (preserve_color or None)
    if color_mode not in (None, *COLOR_MODES):
        raise ValueError(f"preserve_color must be False, True, 'luminance' or 'histogram'; got {preserve_color!r}")
    if style_scale <= 0:
        raise ValueError(f"style_scale must be positive, got {style_scale}")
    dev = extractor.device if isinstance(extractor, FeatureExtractor) and device is None else get_device(device)
    content_img = resolve_image(content, size=size).to(dev)
    hw = tuple(content_img.shape[-2:])
    style_side = max(1, round(style_scale * max(hw)))
    style_list = list(style) if isinstance(style, (list, tuple)) else [style]
    if not style_list:
        raise ValueError("style is an empty list; give at least one style image")
    styles = [resolve_image(s, size=style_side).to(dev) for s in style_list]
    blend = _blend_weights(len(styles), style_blend)
    ext = get_extractor(extractor, dev)

    if color_mode == "histogram":
        styles = [match_color(s, content_img) for s in styles]
    work_content = content_img
    if color_mode == "luminance":
        y_c = luminance(content_img)
        styles = [match_luminance(luminance(s), y_c).expand(-1, 3, -1, -1) for s in styles]
        work_content = y_c.expand(-1, 3, -1, -1)

    scale_list = resolve_scales(hw, scales)
    step_list = resolve_steps(steps, len(scale_list))
    start = _initial_image(init, work_content, styles[0], seed)
    if color_mode == "luminance" and start.shape[1] == 3:
        start = luminance(start)

    @functools.cache  # the balanced weights read the full-size targets, and so does the last scale
    def targets_at(scale: float) -> Targets:
        c_s = shrink(work_content, scaled_size(hw, scale))
        with torch.no_grad():
            content_targets = dict(ext(c_s, list(content_layers)))
            grams = []
            for s in styles:
                feats = ext(shrink(s, scaled_size(s.shape[-2:], scale)), list(style_layers))
                grams.append({k: gram_matrix(v) for k, v in feats.items()})
        style_targets = {k: sum(b * g[k] for b, g in zip(blend, grams, strict=True)) for k in style_layers}
        return content_targets, style_targets

    weights = resolve_layer_weights(layer_weights, targets_at(1.0)[1] if layer_weights == "balanced" else {})
    x, loss, history = coarse_to_fine(
        ext,
        start,
        scale_list,
        step_list,
        targets_at,
        (content_weight, style_weight, tv_weight),
        weights,
        optimizer,
        callback,
        progress,
        desc="stylize",
        extra_loss=extra_loss,
    )
    image = combine_luminance(x, content_img) if color_mode == "luminance" else x
    settings = {
        "extractor": ext.name,
        "content_weight": content_weight,
        "style_weight": style_weight,
        "tv_weight": tv_weight,
        "content_layers": tuple(content_layers),
        "style_layers": tuple(style_layers),
        "layer_weighting": layer_weights if isinstance(layer_weights, str) else "custom" if layer_weights else "equal",
        "layer_weights": weights,
        "optimizer": optimizer,
        "scales": scale_list,
        "steps": step_list,
        "init": init if isinstance(init, str) else "tensor",
        "preserve_color": color_mode or False,
        "style_blend": tuple(blend),
        "style_scale": style_scale,
        "size": hw,
        "style_sizes": [tuple(s.shape[-2:]) for s in styles],
        "seed": seed,
        "device": str(dev),
        "extra_loss": extra_loss is not None,
    }
    return StylizeResult(image.detach().clamp(0, 1).cpu().contiguous(), history, settings, loss)
