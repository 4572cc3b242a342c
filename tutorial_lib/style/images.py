"""Inputs for style transfer: resolve an image argument, and size a style image to its content.

:func:`resolve_image` accepts everything :func:`tutorial_lib.data.load_image` accepts, plus the
*names* of bundled images (``"chelsea"``) and procedural styles (``"mosaic"``). A path that
exists on disk always wins over a name.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..data import BUNDLED, PROCEDURAL_STYLES, bundled_image, load_image, procedural_style, resize
from ..data.images import ImageLike


def resolve_image(src: ImageLike, size: int | tuple[int, int] | None = None) -> torch.Tensor:
    """Load ``src`` as ``(1, 3, H, W)`` in [0, 1]; ``src`` may also name a bundled image or a procedural style.

    size: as in ``load_image`` (an int sets the longest side). Procedural styles are generated
    at ``size`` (default 256 px square), so they are sharp at any size.
    """
    if isinstance(src, (str, os.PathLike)) and not Path(src).exists():
        name = str(src)
        if name in BUNDLED:
            return bundled_image(name, size=size)
        if name in PROCEDURAL_STYLES:
            if size is None or isinstance(size, int):
                return procedural_style(name, size=size or 256)
            return procedural_style(name, size=(int(size[0]), int(size[1])))
    return load_image(src, size=size)


def fit_longest_side(image: torch.Tensor, side: int) -> torch.Tensor:
    """Resize ``image: (1, 3, H, W)`` so its longest side is ``side`` pixels (aspect ratio kept)."""
    h, w = image.shape[-2:]
    scale = side / max(h, w)
    target = (max(1, round(h * scale)), max(1, round(w * scale)))
    return image if target == (h, w) else resize(image, target)
