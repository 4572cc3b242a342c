"""Clips with known motion: a still image panned and zoomed, the maps between frames, warping, GIFs.

Notebook 07 needs a video whose motion is known exactly, so that flicker can be measured and the
temporal loss of :mod:`tutorial_lib.video.temporal` can use the true motion instead of an optical-flow
estimate. :func:`pan_zoom_clip` renders one from a still image: frame t shows the source through an
affine map A_t, so the map w_t from frame t back to frame t−1 is the affine map A_{t−1}⁻¹ A_t
(:func:`motion`), and :func:`warp` applies it with ``F.grid_sample``. :func:`save_gif` writes a clip.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from ..data.images import ImageLike
from ..style.images import resolve_image
from ..style.multiscale import shrink


@dataclass
class Clip:
    """A clip rendered from one still image by known camera motion.

    frames: (T, 3, H, W) in [0, 1].
    thetas: (T, 2, 3): frame t shows the source at ``A_t [x, y, 1]ᵀ`` for each frame point (x, y) in
        normalised coordinates ([−1, 1], ``F.affine_grid``'s convention with ``align_corners=False``).
    """

    frames: torch.Tensor
    thetas: torch.Tensor

    def __len__(self) -> int:
        return self.frames.shape[0]

    def motions(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Grids and masks from every frame t ≥ 1 back to frame t−1: ``(T−1, H, W, 2)``, ``(T−1, 1, H, W)``."""
        hw = tuple(self.frames.shape[-2:])
        pairs = [motion(self.thetas[t - 1], self.thetas[t], hw) for t in range(1, len(self))]
        if not pairs:
            return self.frames.new_zeros(0, *hw, 2), self.frames.new_zeros(0, 1, *hw)
        return torch.cat([g for g, _ in pairs]), torch.cat([m for _, m in pairs])


def _homogeneous(theta: torch.Tensor) -> torch.Tensor:
    row = torch.tensor([[0.0, 0.0, 1.0]], dtype=theta.dtype, device=theta.device)
    return torch.cat([theta, row])


def motion(
    theta_prev: torch.Tensor, theta_next: torch.Tensor, size: tuple[int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Where each pixel of the next frame was in the previous one, for frames rendered with affine maps.

    A point p of the next frame shows the source point A_next p, which the previous frame showed
    at q = A_prev⁻¹ A_next p. theta_prev, theta_next: (2, 3). size: (H, W).
    Returns ``grid: (1, H, W, 2)`` (the q's, for :func:`warp`) and ``mask: (1, 1, H, W)``, 1 where q
    lies inside the previous frame.
    """
    for name, t in (("theta_prev", theta_prev), ("theta_next", theta_next)):
        if tuple(t.shape) != (2, 3):
            raise ValueError(f"{name} must have shape (2, 3); got {tuple(t.shape)}")
    m = torch.linalg.inv(_homogeneous(theta_prev.double())) @ _homogeneous(theta_next.double())
    grid = F.affine_grid(m[:2].unsqueeze(0), [1, 1, *size], align_corners=False).float()
    mask = (grid.abs() <= 1.0 + 1e-6).all(dim=-1).unsqueeze(1).float()
    return grid, mask


def warp(image: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """``ω(p) = image(grid(p))``: bilinear sampling of ``image: (N, C, H, W)`` at ``grid: (N, H', W', 2)``.

    Points outside the image take the border's value (mask them with :func:`motion`'s mask).
    """
    if image.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != image.shape[0]:
        raise ValueError(
            f"image must be (N, C, H, W) and grid (N, H', W', 2); got {tuple(image.shape)} and {tuple(grid.shape)}"
        )
    return F.grid_sample(image, grid.to(image), mode="bilinear", padding_mode="border", align_corners=False)


def _ease(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * u)


def pan_zoom_clip(
    image: ImageLike,
    n_frames: int,
    size: int = 128,
    zoom: tuple[float, float] = (1.0, 1.4),
    pan: tuple[float, float] = (-1.0, 1.0),
) -> Clip:
    """A clip of ``n_frames`` from a still image: a smooth pan from left to right while zooming in.

    image: anything :func:`tutorial_lib.style.images.resolve_image` accepts (e.g. ``"chelsea"``).
    size: the frames' longest side; frames have the aspect ratio 3:4 (landscape).
    zoom: magnification at the first and the last frame (1 = the largest 3:4 crop that fits).
    pan: horizontal position of the crop at the first and last frame, from −1 (touching the left
        edge) to 1 (touching the right edge); the crop stays vertically centred.
    Motion follows an ease-in-out curve, u_t = (1 − cos(π t/(T−1)))/2, so it starts and stops gently.
    """
    if n_frames < 1:
        raise ValueError(f"n_frames must be at least 1; got {n_frames}")
    if min(zoom) < 1.0:
        raise ValueError(f"zoom must be >= 1 (1 = the largest crop that fits); got {zoom}")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels; got {size}")
    h, w = round(size * 3 / 4), size
    source = resolve_image(image)
    hs, ws = source.shape[-2:]
    fx = min(1.0, (hs / ws) * (w / h))  # half-width of the zoom-1 crop, in normalised source units
    fy = fx * (ws / hs) * (h / w)  # its half-height: same aspect as a frame, so at most 1
    # Resample the source so that at the largest zoom one frame pixel is one source pixel.
    scale = w * max(zoom) / (fx * ws)
    source = shrink(source, (max(2, round(hs * scale)), max(2, round(ws * scale))))
    thetas = []
    for t in range(n_frames):
        u = _ease(t / (n_frames - 1)) if n_frames > 1 else 0.0
        z = zoom[0] + (zoom[1] - zoom[0]) * u
        p = pan[0] + (pan[1] - pan[0]) * u
        sx, sy = fx / z, fy / z
        thetas.append(torch.tensor([[sx, 0.0, p * (1 - sx)], [0.0, sy, 0.0]]))
    theta = torch.stack(thetas)
    grid = F.affine_grid(theta, [n_frames, 3, h, w], align_corners=False)
    frames = F.grid_sample(source.expand(n_frames, -1, -1, -1), grid, mode="bilinear", align_corners=False)
    return Clip(frames.clamp(0, 1).contiguous(), theta)


def static_clip(image: ImageLike, n_frames: int, size: int = 128) -> Clip:
    """A clip with no motion: the same frame ``n_frames`` times (identity maps)."""
    return pan_zoom_clip(image, n_frames, size=size, zoom=(1.0, 1.0), pan=(0.0, 0.0))


def save_gif(frames: torch.Tensor, path: str | os.PathLike, fps: float = 12.0, loop: bool = True) -> Path:
    """Write ``frames: (T, 3, H, W)`` in [0, 1] as an animated GIF with Pillow (no other codec needed).

    GIF stores at most 256 colours per frame; Pillow picks a palette for each. Returns the path.
    loop: True repeats forever (the NETSCAPE loop count 0). False plays the clip once: the loop
        extension is left out, because a count N means N *extra* plays (``loop=1`` plays twice).
    """
    from PIL import Image

    if frames.ndim != 4 or frames.shape[1] not in (1, 3) or frames.shape[0] < 1:
        raise ValueError(f"frames must have shape (T, 3, H, W) with T >= 1; got {tuple(frames.shape)}")
    if fps <= 0:
        raise ValueError(f"fps must be positive; got {fps}")
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_gif writes GIF files; give a path ending in .gif, got {str(path)!r}")
    arrays = (frames.detach().float().cpu().clamp(0, 1).expand(-1, 3, -1, -1) * 255).round().byte()
    images = [Image.fromarray(a.permute(1, 2, 0).numpy()) for a in arrays]
    path.parent.mkdir(parents=True, exist_ok=True)
    looping = {"loop": 0} if loop else {}  # no loop key: no NETSCAPE extension, one play
    images[0].save(path, save_all=True, append_images=images[1:], duration=round(1000 / fps), optimize=False, **looping)
    return path
