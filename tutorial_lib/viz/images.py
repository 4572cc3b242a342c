"""Image grids and galleries, used by every notebook.

Every function returns the matplotlib ``Figure`` it drew, so a notebook can show it, save it, or close it.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torchvision.utils import make_grid


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 1, pad_value: float = 1.0) -> np.ndarray:
    """Tile ``images: (N, C, H, W)`` in [0, 1] (C = 1 or 3) into one ``(H', W', 3)`` array for ``imshow``,
    ``nrow`` images per row, ``padding`` pixels of ``pad_value`` around each (torchvision's ``make_grid``)."""
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must have shape (N, 1|3, H, W); got {tuple(images.shape)}")
    x = images.detach().float().cpu().clamp(0, 1)
    grid = make_grid(x, nrow=nrow, padding=padding, pad_value=pad_value)  # grey images become RGB
    return grid.permute(1, 2, 0).numpy()


def show_grid(
    images: torch.Tensor,
    nrow: int = 8,
    title: str | None = None,
    scale: float = 0.5,
    ax: plt.Axes | None = None,
) -> Figure:
    """Show ``images: (N, C, H, W)`` as one tiled picture (see :func:`image_grid`)."""
    grid = image_grid(images, nrow=nrow)
    if ax is None:
        h, w = grid.shape[:2]
        fig, ax = plt.subplots(figsize=(max(2.0, scale * w / 20), max(2.0, scale * h / 20)))
    else:
        fig = ax.figure
    ax.imshow(grid, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


def show_images(
    images: Sequence[torch.Tensor],
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    size: float = 3.0,
    suptitle: str | None = None,
) -> Figure:
    """Show a list of ``(1, 3, H, W)`` (or ``(3, H, W)``) images side by side, with titles."""
    n = len(images)
    if n == 0:
        raise ValueError("images is empty")
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {n} images but {len(titles)} titles")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= n:
            continue
        img = images[k].detach().float().cpu()
        img = img[0] if img.ndim == 4 else img
        ax.imshow(img.clamp(0, 1).permute(1, 2, 0).numpy().squeeze(), cmap="gray", vmin=0, vmax=1)
        if titles is not None:
            ax.set_title(titles[k], fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_class_grid(images: torch.Tensor, labels: torch.Tensor, classes: Sequence[str], per_class: int = 10) -> Figure:
    """One row per class: the first ``per_class`` images of each class, labelled on the left."""
    fig, axes = plt.subplots(len(classes), 1, figsize=(per_class * 0.6, len(classes) * 0.65))
    for c, ax in enumerate(np.atleast_1d(axes)):
        row = images[labels == c][:per_class]
        ax.imshow(image_grid(row, nrow=per_class, padding=1), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(classes[c], rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(hspace=0.05)
    return fig
