"""Neural style transfer for notebooks 04–05: feature extractors, Gram matrices, losses and optimization.

Modules, in the order the notebooks meet them:

* :mod:`~tutorial_lib.style.vgg`, :mod:`~tutorial_lib.style.features`: VGG trunks and weights, by name.
* :mod:`~tutorial_lib.style.gram`: Gram matrices, their normalisations, and the MMD view;
  :mod:`~tutorial_lib.style.tiles`: shuffling tiles, which Gram matrices barely notice.
* :mod:`~tutorial_lib.style.losses`: content, style and total-variation losses; the canonical objective;
  balanced layer weights and each layer's share of the style loss.
* :mod:`~tutorial_lib.style.minimize`, :mod:`~tutorial_lib.style.multiscale`: the pixel optimisation loop,
  and coarse-to-fine.
* :mod:`~tutorial_lib.style.optimize`: :func:`stylize`; :mod:`~tutorial_lib.style.texture`:
  :func:`synthesize_texture`; :mod:`~tutorial_lib.style.texture_distance`: the balanced Gram distance
  that scores a texture; :mod:`~tutorial_lib.style.color`: colour preservation.
* :mod:`~tutorial_lib.style.images`: content and style images by name, path or tensor, at a chosen size.

Notebooks 06 and 07 build on this room: :mod:`tutorial_lib.applications` and :mod:`tutorial_lib.video`.

Names below are imported on first use, so ``import tutorial_lib.style`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "EXTRACTORS": "features",
    "FeatureExtractor": "features",
    "load_extractor": "features",
    "gram_matrix": "gram",
    "mmd2": "gram",
    "shuffle_tiles": "tiles",
    "gram_distance": "texture_distance",
    "content_loss": "losses",
    "style_loss": "losses",
    "total_variation": "losses",
    "style_transfer_loss": "losses",
    "balanced_layer_weights": "losses",
    "style_layer_shares": "losses",
    "stylize": "optimize",
    "StylizeResult": "optimize",
    "CONTENT_LAYERS": "optimize",
    "STYLE_LAYERS": "optimize",
    "synthesize_texture": "texture",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
