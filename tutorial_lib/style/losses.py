"""The losses of neural style transfer, in the course's one canonical form.

For an image x (RGB in [0, 1]), a content image c and a style image s::

    L(x) = w_c Σ_{l∈C} mean((F_l(x) − F_l(c))²)
         + w_s Σ_{l∈S} mean((G_l(x) − G_l(s))²)
         + w_tv TV(x)

F_l are the extractor's feature maps at layer l, G_l = F_l F_lᵀ / (C·H·W) their
Gram matrices (:func:`tutorial_lib.style.gram.gram_matrix`), C the content
layers and S the style layers. Optional per-layer weights multiply each term
of the sums (all 1 in the canonical objective). TV is the squared total
variation defined in :func:`total_variation`.

Layer weights. With this normalisation the layers' terms differ by orders of magnitude: at the
content image, ``relu1_1`` and ``relu2_1`` carry nearly all of the style sum and ``relu3_1``–``relu5_1``
each less than 10⁻³ of it (:func:`style_layer_shares`; ``tests/style/test_optimize.py`` checks it), so
with all weights 1 the deep layers hardly act. :func:`balanced_layer_weights`, w_l = 1 / mean(G_l(s)²),
makes every term a *relative* error of order 1; :func:`resolve_layer_weights` turns ``"balanced"``,
``"equal"`` or a dict into weights. Balanced is the default of :func:`~tutorial_lib.style.optimize.stylize`
and of texture synthesis.

Every function here is plain arithmetic on tensors: no network, no hidden
weights. The optimisation lives in :mod:`tutorial_lib.style.optimize`.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from .gram import gram_matrix


def content_loss(features: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """One layer's content loss ``mean((F_l(x) − F_l(c))²)``.

    features: (N, C, H, W) of the image being optimised; target: (N or 1, C, H, W). Returns a scalar.
    """
    if features.ndim != 4:
        raise ValueError(f"features must have shape (N, C, H, W); got {tuple(features.shape)}")
    if target.ndim != 4 or target.shape[1:] != features.shape[1:] or target.shape[0] not in (1, features.shape[0]):
        raise ValueError(
            f"target must have shape (1 or N, C, H, W) = (1 or {features.shape[0]}, "
            f"{', '.join(map(str, features.shape[1:]))}); got {tuple(target.shape)}"
        )
    return ((features - target) ** 2).mean()


def style_loss(features: torch.Tensor, target_gram: torch.Tensor) -> torch.Tensor:
    """One layer's style loss ``mean((G_l(x) − G_l(s))²)`` with ``G = F Fᵀ / (C·H·W)``.

    features: (N, C, H, W) of the image being optimised; target_gram: (N or 1, C, C), the style
    image's Gram matrix (compute it once). Returns a scalar: the mean over N·C·C entries.
    """
    if features.ndim != 4:
        raise ValueError(f"features must have shape (N, C, H, W); got {tuple(features.shape)}")
    n, c = features.shape[:2]
    if target_gram.ndim != 3 or target_gram.shape[1:] != (c, c) or target_gram.shape[0] not in (1, n):
        raise ValueError(
            f"target_gram must have shape (1 or N, C, C) = (1 or {n}, {c}, {c}); got {tuple(target_gram.shape)}"
        )
    return ((gram_matrix(features) - target_gram) ** 2).mean()


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """Squared total variation, a smoothness prior on pixels:

        TV(x) = mean_{n,c,i,j} (x[i+1, j] − x[i, j])² + mean_{n,c,i,j} (x[i, j+1] − x[i, j])²

    (each mean over the differences that exist: (H−1)·W vertical, H·(W−1) horizontal).
    The square keeps it smooth for L-BFGS; it discourages the high-frequency noise that
    the style loss alone tolerates. image: (N, C, H, W). Returns a scalar.
    """
    if image.ndim != 4:
        raise ValueError(f"image must have shape (N, C, H, W); got {tuple(image.shape)}")
    if image.shape[-2] < 2 or image.shape[-1] < 2:
        raise ValueError(f"image must be at least 2x2 pixels; got {tuple(image.shape)}")
    dy = image[:, :, 1:, :] - image[:, :, :-1, :]
    dx = image[:, :, :, 1:] - image[:, :, :, :-1]
    return (dy**2).mean() + (dx**2).mean()


def style_transfer_loss(
    features: Mapping[str, torch.Tensor],
    content_targets: Mapping[str, torch.Tensor],
    style_targets: Mapping[str, torch.Tensor],
    image: torch.Tensor | None = None,
    content_weight: float = 1.0,
    style_weight: float = 1.0,
    tv_weight: float = 0.0,
    layer_weights: Mapping[str, float] | None = None,
) -> dict[str, torch.Tensor]:
    """The canonical objective ``L(x) = w_c Σ_C mean((F−P)²) + w_s Σ_S mean((G−A)²) + w_tv TV(x)``.

    features: layer name -> (N, C, H, W) feature maps of x (must hold every content and style layer).
    content_targets: layer name -> F_l(c), (1 or N, C, H, W); its keys are the content layers C.
    style_targets: layer name -> Gram matrix G_l(s), (1 or N, C, C); its keys are the style layers S.
    image: x itself, (N, 3, H, W); needed only when ``tv_weight != 0``.
    layer_weights: optional extra factor per layer name (default 1); a layer used both for content
        and style gets the same factor in both sums.

    Returns a dict of scalars: ``content`` and ``style`` (the unweighted sums), ``tv`` (unweighted,
    0 when no image is given) and ``total`` (the weighted objective, the one to minimise).
    """
    missing = sorted((set(content_targets) | set(style_targets)) - set(features))
    if missing:
        raise ValueError(f"features lacks layer(s) {missing}; it has {sorted(features)}")
    lw = layer_weights or {}
    ref = next(iter(features.values()))
    zero = ref.new_zeros(())
    content = sum((lw.get(k, 1.0) * content_loss(features[k], t) for k, t in content_targets.items()), zero)
    style = sum((lw.get(k, 1.0) * style_loss(features[k], g) for k, g in style_targets.items()), zero)
    if tv_weight != 0 and image is None:
        raise ValueError("image must be given when tv_weight != 0")
    tv = total_variation(image) if image is not None else zero
    total = content_weight * content + style_weight * style + tv_weight * tv
    return {"content": content, "style": style, "tv": tv, "total": total}


LAYER_WEIGHTINGS = ("balanced", "equal")


def balanced_layer_weights(grams: Mapping[str, torch.Tensor]) -> dict[str, float]:
    """``w_l = 1 / mean(G_l(s)²)`` for target Gram matrices ``grams: name -> (1, C, C)``.

    With these weights each style term w_l·mean((G_l(x) − G_l(s))²) is the layer's relative squared error.
    """
    return {k: 1.0 / max(float((g**2).mean()), 1e-30) for k, g in grams.items()}


def resolve_layer_weights(
    layer_weights: Mapping[str, float] | str | None, style_targets: Mapping[str, torch.Tensor]
) -> dict[str, float]:
    """Per-layer factors from a choice: ``"balanced"`` (:func:`balanced_layer_weights` of ``style_targets``),
    ``"equal"`` or ``None`` (all 1: an empty dict), or a dict name -> weight (copied)."""
    if isinstance(layer_weights, str):
        if layer_weights not in LAYER_WEIGHTINGS:
            raise ValueError(f"layer_weights must be one of {LAYER_WEIGHTINGS}, None or a dict; got {layer_weights!r}")
        return balanced_layer_weights(style_targets) if layer_weights == "balanced" else {}
    return {k: float(v) for k, v in (layer_weights or {}).items()}


def style_layer_shares(
    features: Mapping[str, torch.Tensor],
    style_targets: Mapping[str, torch.Tensor],
    layer_weights: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Each style layer's share of the weighted style loss:

        share_l = w_l mean((G_l(x) − G_l(s))²) / Σ_{k∈S} w_k mean((G_k(x) − G_k(s))²),

    features: layer name -> (1, C, H, W) feature maps of x; style_targets: layer -> G_l(s), (1, C, C);
    layer_weights: w_l (default 1). Returns floats summing to 1, in the order of ``style_targets``.
    """
    lw = layer_weights or {}
    with torch.no_grad():
        terms = {k: lw.get(k, 1.0) * float(style_loss(features[k], g)) for k, g in style_targets.items()}
    total = sum(terms.values())
    if total <= 0:
        raise ValueError("the weighted style loss is 0: x already matches every target, so no layer has a share")
    return {k: v / total for k, v in terms.items()}
