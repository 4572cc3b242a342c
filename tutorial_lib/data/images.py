"""Turn anything image-like into a float tensor ``(1, 3, H, W)`` in [0, 1].

:func:`load_image` is the one door through which images enter the course.
It accepts a file path, a PIL image, a NumPy array or a torch tensor, and
converts every common format:

============================  ==============================================
input                         what happens
============================  ==============================================
grayscale (L, I;16, 1 bit)    copied to the three RGB channels
RGBA, LA, palette+alpha       composited on white: ``rgb * a + (1 - a)``
palette (P)                   expanded to RGB
8-bit                         divided by 255
16-bit (``uint16``, I;16)     divided by 65535 (no precision lost)
float                         must already lie in [0, 1]
longest side > ``max_side``   resized down, with an :class:`ImageResizeWarning`
============================  ==============================================

Problems raise errors that name the input, the problem and the fix.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

ImageLike = str | os.PathLike | Image.Image | np.ndarray | torch.Tensor


class ImageResizeWarning(UserWarning):
    """An image was larger than ``max_side`` and was resized down."""


class ImageTransparencyWarning(UserWarning):
    """An image had transparent pixels, which were composited on white."""


def load_image(
    src: ImageLike,
    size: int | tuple[int, int] | None = None,
    max_side: int | None = 1024,
) -> torch.Tensor:
    """Load ``src`` as an RGB float tensor ``(1, 3, H, W)`` with values in [0, 1].

    src: a path to an image file, a ``PIL.Image``, an array ``(H, W)``,
        ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)`` (uint8, uint16, bool or
        float in [0, 1]), or a tensor ``(3, H, W)`` / ``(1, 3, H, W)`` in [0, 1].
    size: ``None`` keeps the size; an int resizes so the *longest* side equals
        ``size`` (aspect ratio kept); ``(H, W)`` resizes to exactly that.
    max_side: when ``size`` is ``None`` and the longest side exceeds this, the
        image is resized down to it with an :class:`ImageResizeWarning`
        (style transfer cost grows with the pixel count). ``None`` disables it.
    """
    label = _describe(src)
    if isinstance(src, (str, os.PathLike)):
        array = _read_file(Path(src))
    elif isinstance(src, Image.Image):
        array = _pil_to_array(src, label)
    elif isinstance(src, np.ndarray):
        array = src
    elif isinstance(src, torch.Tensor):
        return _resize(_from_tensor(src, label), size, max_side, label)
    else:
        raise TypeError(
            f"load_image got a {type(src).__name__}; expected a file path, a PIL image, "
            "a NumPy array (H, W[, C]) or a tensor (1, 3, H, W)."
        )
    image = _array_to_tensor(array, label)
    return _resize(image, size, max_side, label)


def _describe(src: object) -> str:
    if isinstance(src, (str, os.PathLike)):
        return f"image file '{src}'"
    return f"the {type(src).__name__} passed to load_image"


def _read_file(path: Path) -> np.ndarray:
    if not path.exists():
        raise FileNotFoundError(
            f"Image file not found: '{path}'. Fix: check the path (relative paths start "
            f"from {Path.cwd()}), or use tutorial_lib.data.bundled_image(name) for a "
            "bundled image."
        )
    if path.is_dir():
        raise IsADirectoryError(f"'{path}' is a folder, not an image file. Fix: name a file inside it.")
    if path.stat().st_size == 0:
        raise ValueError(
            f"Image file '{path}' is empty (0 bytes), probably an interrupted copy or download. "
            "Fix: copy the file again."
        )
    try:
        with Image.open(path) as img:
            img.load()
            return _pil_to_array(img, f"image file '{path}'")
    except Image.DecompressionBombError as err:
        raise ValueError(
            f"Image file '{path}' is too large to open safely ({err}). Fix: shrink it with an image editor first."
        ) from err
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ValueError(
            f"Image file '{path}' could not be read as an image; it is corrupt or not an "
            f"image format Pillow knows ({type(err).__name__}: {err}). "
            "Fix: re-export it as PNG or JPEG."
        ) from err


def _pil_to_array(img: Image.Image, label: str) -> np.ndarray:
    """PIL image to an (H, W[, C]) array, keeping 16-bit precision and alpha."""
    mode = img.mode
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode == "PA":
        img = img.convert("RGBA")
    elif mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(img).astype(np.uint16)
    elif mode == "I":
        arr = np.asarray(img)
        if arr.min() < 0 or arr.max() > 65535:
            raise ValueError(f"{label} is a 32-bit integer image with values outside 0..65535.")
        return arr.astype(np.uint16)
    elif mode == "F":
        arr = np.asarray(img, dtype=np.float32)
        return arr / 255.0 if arr.max() > 1.0 else arr
    elif mode not in ("L", "LA", "RGB", "RGBA", "1"):
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV ...
    return np.asarray(img)


def _array_to_tensor(array: np.ndarray, label: str) -> torch.Tensor:
    arr = np.asarray(array)
    if arr.ndim == 3 and arr.shape[0] in (1, 3, 4) and arr.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"{label} has shape {arr.shape}, which looks channel-first. load_image expects "
            "channel-last arrays (H, W, C). Fix: pass array.transpose(1, 2, 0)."
        )
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[-1] not in (1, 2, 3, 4) or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{label} has shape {arr.shape}; expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) with H, W > 0."
        )
    data = _to_unit_float(arr, label)
    if data.shape[-1] in (2, 4):  # gray+alpha or RGBA: composite on white
        color, alpha = data[..., :-1], data[..., -1:]
        if (alpha < 1).any():
            warnings.warn(
                f"{label} has transparent pixels; they were composited on a white background.",
                ImageTransparencyWarning,
                stacklevel=3,
            )
        data = color * alpha + (1.0 - alpha)
    if data.shape[-1] == 1:
        data = np.repeat(data, 3, axis=-1)
    tensor = torch.from_numpy(np.ascontiguousarray(data, dtype=np.float32))
    return tensor.permute(2, 0, 1).unsqueeze(0).contiguous()


def _to_unit_float(arr: np.ndarray, label: str) -> np.ndarray:
    if arr.dtype == np.bool_:
        return arr.astype(np.float32)
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / 65535.0
    if np.issubdtype(arr.dtype, np.floating):
        data = arr.astype(np.float32)
        if not np.isfinite(data).all():
            raise ValueError(f"{label} contains NaN or infinite values. Fix: np.nan_to_num(array).")
        lo, hi = float(data.min()), float(data.max())
        if lo < 0.0 or hi > 1.0:
            hint = " It looks like 0..255: divide by 255." if hi <= 255.0 and lo >= 0 else ""
            raise ValueError(
                f"{label} is float with values in [{lo:.3g}, {hi:.3g}]; float images must lie in [0, 1].{hint}"
            )
        return data
    raise ValueError(
        f"{label} has dtype {arr.dtype}; supported dtypes are uint8, uint16, bool and float "
        "in [0, 1]. Fix: convert it, e.g. array.astype(np.uint8)."
    )


def _from_tensor(src: torch.Tensor, label: str) -> torch.Tensor:
    t = src.detach()
    if t.ndim == 3:
        t = t.unsqueeze(0)
    if t.ndim != 4 or t.shape[0] != 1 or t.shape[1] not in (1, 3):
        raise ValueError(
            f"{label} has shape {tuple(src.shape)}; expected (3, H, W) or (1, 3, H, W). "
            "For a batch, call load_image on each image."
        )
    if not t.is_floating_point():
        raise ValueError(f"{label} has dtype {t.dtype}; expected a float tensor in [0, 1].")
    t = t.float()
    if not torch.isfinite(t).all():
        raise ValueError(f"{label} contains NaN or infinite values.")
    if t.min() < 0 or t.max() > 1:
        raise ValueError(
            f"{label} has values in [{t.min():.3g}, {t.max():.3g}]; expected [0, 1]. "
            "Fix: tensor.clamp(0, 1), or divide by 255."
        )
    if t.shape[1] == 1:
        t = t.expand(-1, 3, -1, -1)
    return t.contiguous()


def _resize(
    image: torch.Tensor,
    size: int | tuple[int, int] | None,
    max_side: int | None,
    label: str,
) -> torch.Tensor:
    h, w = image.shape[-2:]
    if size is None:
        if max_side is None or max(h, w) <= max_side:
            return image
        target = _fit_longest(h, w, max_side)
        warnings.warn(
            f"{label} is {w}x{h} px, larger than max_side={max_side}; resized to "
            f"{target[1]}x{target[0]} px. Pass size=... to choose, or max_side=None to keep "
            "the full size (slower).",
            ImageResizeWarning,
            stacklevel=3,
        )
    elif isinstance(size, int):
        if size <= 0:
            raise ValueError(f"size must be positive, got {size}")
        target = _fit_longest(h, w, size)
    else:
        target = (int(size[0]), int(size[1]))
        if min(target) <= 0:
            raise ValueError(f"size must be positive, got {size}")
    if target == (h, w):
        return image
    return resize(image, target)


def _fit_longest(h: int, w: int, side: int) -> tuple[int, int]:
    scale = side / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def resize(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize ``image: (N, C, H, W)`` to ``size = (H', W')``, antialiased when shrinking."""
    shrinking = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    out = F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=shrinking)
    return out.clamp(0.0, 1.0)


def to_numpy_image(image: torch.Tensor) -> np.ndarray:
    """``(1, 3, H, W)`` or ``(3, H, W)`` tensor in [0, 1] to an ``(H, W, 3)`` float array."""
    t = image.detach().float().cpu()
    if t.ndim == 4:
        if t.shape[0] != 1:
            raise ValueError(f"image has shape {tuple(t.shape)}; expected a batch of one.")
        t = t[0]
    if t.ndim != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"image has shape {tuple(image.shape)}; expected (3, H, W) or (1, 3, H, W).")
    return t.clamp(0, 1).permute(1, 2, 0).numpy()


def save_image(image: torch.Tensor, path: str | os.PathLike) -> Path:
    """Save a ``(1, 3, H, W)`` tensor in [0, 1] as an 8-bit image file (format from the suffix).

    The file is written to a temporary name and renamed, so an interrupted
    save never leaves a half-written image behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    array = (to_numpy_image(image) * 255.0 + 0.5).astype(np.uint8)
    tmp = path.with_name(f".{path.name}.tmp")
    Image.fromarray(array).save(tmp, format=Image.registered_extensions().get(path.suffix.lower()))
    os.replace(tmp, path)
    return path
