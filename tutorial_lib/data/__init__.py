"""Offline data for the course: images, procedural styles, datasets and toy mixtures.

Everything here comes from installed packages or is generated from a seed;
nothing is downloaded. Every notebook uses this room.

* :mod:`~tutorial_lib.data.images`: one door for anything image-like (paths, arrays, PIL images), with clear errors.
* :mod:`~tutorial_lib.data.bundled`: the sample photos and paintings that installed packages ship.
* :mod:`~tutorial_lib.data.procedural`: styles generated from a seed.
* :mod:`~tutorial_lib.data.datasets`: animal-mnist and the sklearn digits, as tensors.
* :mod:`~tutorial_lib.data.mixtures`: the 2-D Gaussian mixtures of notebooks 01 and 03.
"""

from .bundled import BUNDLED, attributions, bundled_image, bundled_info, list_bundled_images
from .datasets import ANIMAL_CLASSES, LabeledImages, load_animals, load_digits_tensor
from .images import (
    ImageResizeWarning,
    ImageTransparencyWarning,
    load_image,
    resize,
    save_image,
    to_numpy_image,
)
from .mixtures import MIXTURE_STD, mixture_centers, sample_mixture
from .procedural import PROCEDURAL_STYLES, procedural_style

__all__ = [
    "ANIMAL_CLASSES",
    "BUNDLED",
    "MIXTURE_STD",
    "PROCEDURAL_STYLES",
    "ImageResizeWarning",
    "ImageTransparencyWarning",
    "LabeledImages",
    "attributions",
    "bundled_image",
    "bundled_info",
    "list_bundled_images",
    "load_animals",
    "load_digits_tensor",
    "load_image",
    "mixture_centers",
    "procedural_style",
    "resize",
    "sample_mixture",
    "save_image",
    "to_numpy_image",
]
