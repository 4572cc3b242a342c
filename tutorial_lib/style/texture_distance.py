"""How far an image is from a texture's statistics, as one network sees them (notebook 04, section 8).

For an image x, a texture s and a feature extractor with layers S, the *balanced Gram distance* is

    d(x, s) = Σ_{l∈S} w_l · mean((G_l(x) − G_l(s))²),      w_l = 1 / mean(G_l(s)²),

with ``G_l = F_l F_lᵀ / (C·H·W)`` (:func:`~tutorial_lib.style.gram.gram_matrix`). Each term is a
*relative* squared error of the layer's Gram matrix, so every layer counts whatever the scale of
its features (the same weights as :func:`~tutorial_lib.style.losses.balanced_layer_weights`),
and d does not change when the features of both images are multiplied by one constant.
d(s, s) = 0. Scoring textures made with different networks by one fixed extractor (the trained
one) compares them on equal terms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch

from .gram import gram_matrix

Extractor = Callable[[torch.Tensor, Sequence[str]], Mapping[str, torch.Tensor]]


def gram_distance(image: torch.Tensor, texture: torch.Tensor, extractor: Extractor, layers: Sequence[str]) -> float:
    """``d(x, s) = Σ_l mean((G_l(x) − G_l(s))²) / mean(G_l(s)²)`` over ``layers``.

    image: x, ``(1, 3, H, W)``; texture: s, ``(1, 3, H', W')`` (sizes may differ: G is C × C);
    both on the extractor's device. extractor: called as ``extractor(images, layers)``, returning
    ``name -> (1, C, H, W)`` feature maps (a :class:`~tutorial_lib.style.features.FeatureExtractor`).
    Returns a float, computed without gradients.
    """
    for name, x in (("image", image), ("texture", texture)):
        if x.ndim != 4 or x.shape[0] != 1:
            raise ValueError(f"{name} must have shape (1, C, H, W); got {tuple(x.shape)}")
    if not layers:
        raise ValueError("layers is empty")
    with torch.no_grad():
        got = extractor(image, layers)
        target = extractor(texture, layers)
        total = 0.0
        for name in layers:
            g, a = gram_matrix(got[name]), gram_matrix(target[name])
            total += float(((g - a) ** 2).mean()) / max(float((a**2).mean()), 1e-30)
    return total
