"""The bundled photos as training data for the feed-forward stylizer: loaded once, cut into random crops."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from ..data import BUNDLED, bundled_image

PHOTOS = tuple(name for name, info in BUNDLED.items() if info.kind == "photo")


def photo_crops(n: int, crop_size: int, generator: torch.Generator, photos: Sequence[torch.Tensor]) -> torch.Tensor:
    """``n`` random square crops (side ``crop_size``) of ``photos`` ((1, 3, H, W) each), half of them
    mirrored left-right: (n, 3, crop_size, crop_size)."""
    crops = []
    for _ in range(n):
        img = photos[int(torch.randint(len(photos), (1,), generator=generator))]
        h, w = img.shape[-2:]
        top = int(torch.randint(h - crop_size + 1, (1,), generator=generator))
        left = int(torch.randint(w - crop_size + 1, (1,), generator=generator))
        crop = img[0, :, top : top + crop_size, left : left + crop_size]
        if bool(torch.rand((), generator=generator) < 0.5):
            crop = crop.flip(-1)
        crops.append(crop)
    return torch.stack(crops)


def load_photos(names: Sequence[str] = PHOTOS, size: int = 256) -> list[torch.Tensor]:
    """The bundled photos, each resized so its *shorter* side is ``size`` (so crops of that size fit)."""
    photos = []
    for name in names:
        img = bundled_image(name)
        h, w = img.shape[-2:]
        scale = size / min(h, w)
        photos.append(
            F.interpolate(img, size=(round(h * scale), round(w * scale)), mode="bilinear", antialias=True).clamp(0, 1)
        )
    return photos
