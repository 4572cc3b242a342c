"""Style images generated from a seed, since no artwork ships in any wheel.

Each generator returns a float tensor ``(1, 3, H, W)`` in [0, 1] and is
deterministic: the same ``(size, seed)`` always gives the same pixels.

* ``mosaic``: a Voronoi tiling with coloured tiles and dark grout, like stained glass.
* ``waves``: domain-warped sine bands coloured by a cosine palette.
* ``strokes``: thousands of short brush strokes that follow a smooth flow field.
* ``dots``: pointillist dots of varied size over a tinted canvas.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

Size = int | tuple[int, int]


def _hw(size: Size) -> tuple[int, int]:
    h, w = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if h <= 0 or w <= 0:
        raise ValueError(f"size must be positive, got {size!r}")
    return h, w


def _to_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.clip(rgb, 0.0, 1.0).astype(np.float32)).permute(2, 0, 1)[None].contiguous()


def _palette(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` colours (n, 3) from a cosine palette  c(t) = a + b cos(2π(c t + d))."""
    a = rng.uniform(0.4, 0.6, 3)
    b = rng.uniform(0.3, 0.5, 3)
    c = rng.uniform(0.5, 1.5, 3)
    d = rng.uniform(0.0, 1.0, 3)
    t = rng.uniform(0.0, 1.0, (n, 1))
    return np.clip(a + b * np.cos(2 * np.pi * (c * t + d)), 0, 1)


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int = 4) -> np.ndarray:
    """A smooth random field in [-1, 1]: bicubic-like upsampling of a coarse grid."""
    coarse = torch.from_numpy(rng.uniform(-1, 1, (1, 1, cells + 1, cells + 1)).astype(np.float32))
    field = torch.nn.functional.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True)
    return field[0, 0].numpy()


def mosaic(size: Size = 256, seed: int = 0, n_tiles: int = 150, grout: float = 0.012) -> torch.Tensor:
    """Voronoi tiles: each pixel takes the colour of its nearest random seed point,
    and pixels almost equidistant to the two nearest seeds become grout."""
    h, w = _hw(size)
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 1, (n_tiles, 2)) * [h, w]
    colors = _palette(rng, n_tiles) * rng.uniform(0.8, 1.1, (n_tiles, 1))
    from scipy.spatial import cKDTree

    yy, xx = np.mgrid[0:h, 0:w]
    pix = np.stack([yy.ravel(), xx.ravel()], axis=1).astype(np.float64)
    dist, idx = cKDTree(pts).query(pix, k=2)
    nearest = idx[:, 0].reshape(h, w)
    d1, d2 = dist[:, 0].reshape(h, w), dist[:, 1].reshape(h, w)
    rgb = colors[nearest]
    edge = np.abs(d2 - d1) < grout * max(h, w)
    rgb[edge] = 0.12
    return _to_tensor(rgb)


def waves(size: Size = 256, seed: int = 0, frequency: float = 6.0) -> torch.Tensor:
    """Sine bands ``t = ½ + ½ sin(2π f (x + warp(x, y)))`` mapped through a cosine palette."""
    h, w = _hw(size)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    y, x = yy / max(h, w), xx / max(h, w)
    angle = rng.uniform(0, np.pi)
    u = x * np.cos(angle) + y * np.sin(angle)
    warp = 0.25 * _smooth_noise(rng, h, w, 3) + 0.05 * np.sin(2 * np.pi * 3 * (y - x))
    t = 0.5 + 0.5 * np.sin(2 * np.pi * frequency * (u + warp))
    a, b = rng.uniform(0.45, 0.55, 3), rng.uniform(0.35, 0.5, 3)
    c, d = rng.uniform(0.8, 1.2, 3), rng.uniform(0, 1, 3)
    rgb = a + b * np.cos(2 * np.pi * (c * t[..., None] + d))
    return _to_tensor(rgb)


def strokes(size: Size = 256, seed: int = 0, n_strokes: int | None = None, length: float = 0.06) -> torch.Tensor:
    """Brush strokes: capsules of random palette colour laid in layers, each
    oriented along a smooth flow field θ(x, y), like an impasto painting."""
    h, w = _hw(size)
    rng = np.random.default_rng(seed)
    n_strokes = n_strokes or int(1.2 * h * w / 64)
    theta = np.pi * _smooth_noise(rng, h, w, 3)
    colors = _palette(rng, 12)
    canvas = np.ones((h, w, 3), np.float32) * colors.mean(0)
    side = max(h, w)
    half_len, radius = 0.5 * length * side, max(1.0, 0.012 * side)
    for _ in range(n_strokes):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        ang = theta[int(cy), int(cx)]
        dy, dx = np.sin(ang), np.cos(ang)
        r = int(np.ceil(half_len + radius))
        y0, y1, x0, x1 = max(0, int(cy) - r), min(h, int(cy) + r + 1), max(0, int(cx) - r), min(w, int(cx) + r + 1)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        py, px = yy - cy, xx - cx
        along = np.clip(py * dy + px * dx, -half_len, half_len)
        dist = np.hypot(py - along * dy, px - along * dx)
        mask = np.clip(radius - dist + 0.5, 0, 1)[..., None]
        color = colors[rng.integers(len(colors))] * rng.uniform(0.85, 1.15)
        shade = 1.0 - 0.15 * (along / half_len)[..., None]  # light along the stroke
        patch = canvas[y0:y1, x0:x1]
        canvas[y0:y1, x0:x1] = patch * (1 - mask) + np.clip(color * shade, 0, 1) * mask
    return _to_tensor(canvas)


def dots(size: Size = 256, seed: int = 0, n_dots: int | None = None) -> torch.Tensor:
    """Pointillism: round dots of palette colours and varied radii on a tinted canvas."""
    h, w = _hw(size)
    rng = np.random.default_rng(seed)
    n_dots = n_dots or int(h * w / 25)
    colors = _palette(rng, 8)
    canvas = np.ones((h, w, 3), np.float32) * (0.85 + 0.15 * colors[0])
    side = max(h, w)
    for _ in range(n_dots):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        rad = rng.uniform(0.004, 0.012) * side + 0.7
        r = int(np.ceil(rad)) + 1
        y0, y1, x0, x1 = max(0, int(cy) - r), min(h, int(cy) + r + 1), max(0, int(cx) - r), min(w, int(cx) + r + 1)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        mask = np.clip(rad - np.hypot(yy - cy, xx - cx) + 0.5, 0, 1)[..., None]
        color = colors[rng.integers(len(colors))]
        canvas[y0:y1, x0:x1] = canvas[y0:y1, x0:x1] * (1 - mask) + color * mask
    return _to_tensor(canvas)


PROCEDURAL_STYLES: dict[str, Callable[..., torch.Tensor]] = {
    "mosaic": mosaic,
    "waves": waves,
    "strokes": strokes,
    "dots": dots,
}


def procedural_style(name: str, size: Size = 256, seed: int = 0) -> torch.Tensor:
    """Generate procedural style image ``name`` (see ``PROCEDURAL_STYLES``) as ``(1, 3, H, W)``."""
    if name not in PROCEDURAL_STYLES:
        raise ValueError(f"Unknown procedural style {name!r}. Available: {', '.join(PROCEDURAL_STYLES)}.")
    return PROCEDURAL_STYLES[name](size=size, seed=seed)
