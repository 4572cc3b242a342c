"""Images that ship inside installed packages, so the course never downloads one.

========================  ================  ==========================================
name                      from              license / credit
========================  ================  ==========================================
astronaut                 scikit-image      public domain (NASA)
chelsea                   scikit-image      CC0 (Stefan van der Walt)
coffee                    scikit-image      CC0 (Rachel Michetti)
rocket                    scikit-image      public domain (SpaceX)
hubble_deep_field         scikit-image      public domain (NASA / ESA)
brick, grass, gravel      scikit-image      CC0 (grayscale textures)
china, flower             scikit-learn      CC BY 2.0 (see ATTRIBUTION)
grace_hopper              matplotlib        public domain (US Navy)
========================  ================  ==========================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .images import load_image


@dataclass(frozen=True)
class BundledImage:
    """One bundled image: how to load it and whom to credit."""

    name: str
    source: str
    license: str
    credit: str
    kind: str  # "photo" or "texture"
    _loader: Callable[[], np.ndarray]

    def array(self) -> np.ndarray:
        """The image as the package ships it (uint8, ``(H, W)`` or ``(H, W, 3)``)."""
        return self._loader()


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        return getattr(skimage.data, name)()

    return load


def _sklearn(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image

        return load_sample_image(filename)

    return load


def _matplotlib(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from matplotlib import cbook
        from PIL import Image

        with Image.open(cbook.get_sample_data(filename, asfileobj=False)) as img:
            return np.asarray(img.convert("RGB"))

    return load


_SK = "scikit-image (skimage.data)"
_SKL = "scikit-learn (sklearn.datasets.load_sample_image)"
_CC_BY = "CC BY 2.0"

BUNDLED: dict[str, BundledImage] = {
    b.name: b
    for b in [
        BundledImage("astronaut", _SK, "public domain", "Eileen Collins, NASA", "photo", _skimage("astronaut")),
        BundledImage("chelsea", _SK, "CC0", "Chelsea the cat, by Stefan van der Walt", "photo", _skimage("chelsea")),
        BundledImage(
            "coffee", _SK, "CC0", "Coffee cup (Pikolo Espresso Bar), by Rachel Michetti", "photo", _skimage("coffee")
        ),
        BundledImage("rocket", _SK, "public domain", "DSCOVR launch on Falcon 9, SpaceX", "photo", _skimage("rocket")),
        BundledImage(
            "hubble_deep_field",
            _SK,
            "public domain",
            "Hubble eXtreme Deep Field, NASA/ESA",
            "photo",
            _skimage("hubble_deep_field"),
        ),
        BundledImage("brick", _SK, "CC0", "Brick wall, from CC0Textures", "texture", _skimage("brick")),
        BundledImage("grass", _SK, "CC0", "Grass, by linolafett (DeviantArt)", "texture", _skimage("grass")),
        BundledImage("gravel", _SK, "CC0", "Gravel, from CC0Textures", "texture", _skimage("gravel")),
        BundledImage(
            "china",
            _SKL,
            _CC_BY,
            "Photo by danielbuechele (Flickr), CC BY 2.0, via scikit-learn",
            "photo",
            _sklearn("china.jpg"),
        ),
        BundledImage(
            "flower",
            _SKL,
            _CC_BY,
            "Photo by vultilion (Flickr), CC BY 2.0, via scikit-learn",
            "photo",
            _sklearn("flower.jpg"),
        ),
        BundledImage(
            "grace_hopper",
            "matplotlib (mpl-data/sample_data)",
            "public domain",
            "Rear Admiral Grace Hopper, US Navy photograph",
            "photo",
            _matplotlib("grace_hopper.jpg"),
        ),
    ]
}


def list_bundled_images(kind: str | None = None) -> list[str]:
    """Names of the bundled images, optionally only ``kind="photo"`` or ``"texture"``."""
    if kind not in (None, "photo", "texture"):
        raise ValueError(f"kind must be None, 'photo' or 'texture', got {kind!r}")
    return [n for n, b in BUNDLED.items() if kind is None or b.kind == kind]


def bundled_info(name: str) -> BundledImage:
    """Source, license and credit of a bundled image."""
    if name not in BUNDLED:
        import difflib

        close = difflib.get_close_matches(name, BUNDLED, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown bundled image {name!r}.{hint} Available: {', '.join(BUNDLED)}. "
            "For your own picture, use load_image('path/to/file.jpg')."
        )
    return BUNDLED[name]


def bundled_image(name: str, size: int | tuple[int, int] | None = None) -> torch.Tensor:
    """Bundled image ``name`` as a float tensor ``(1, 3, H, W)`` in [0, 1].

    size: as in :func:`load_image` (an int sets the longest side).
    """
    return load_image(bundled_info(name).array(), size=size, max_side=None)


def attributions() -> str:
    """One line per bundled image that needs attribution (CC BY), for figure captions."""
    return "\n".join(f"{b.name}: {b.credit}" for b in BUNDLED.values() if b.license == _CC_BY)
