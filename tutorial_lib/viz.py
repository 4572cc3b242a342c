"""Figures for the notebooks: image grids and labelled galleries.

Every function returns the matplotlib ``Figure`` it drew, so a notebook can
show it, save it, or close it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 1, pad_value: float = 1.0) -> np.ndarray:
    """Tile ``images: (N, C, H, W)`` in [0, 1] (C = 1 or 3) into one ``(H', W', 3)`` array,
    ``nrow`` images per row."""
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must have shape (N, 1|3, H, W); got {tuple(images.shape)}")
    x = images.detach().float().cpu().clamp(0, 1)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    n, _, h, w = x.shape
    ncol = min(nrow, n)
    nrows = -(-n // ncol)
    grid = torch.full((3, nrows * (h + padding) + padding, ncol * (w + padding) + padding), pad_value)
    for k in range(n):
        r, c = divmod(k, ncol)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[:, top : top + h, left : left + w] = x[k]
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


def show_mixture(
    samples: torch.Tensor, centers: torch.Tensor | None = None, title: str | None = None, ax: plt.Axes | None = None
) -> Figure:
    """Scatter 2-D ``samples: (N, 2)``, with mode ``centers: (K, 2)`` as red crosses."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4, 4))
    else:
        fig = ax.figure
    s = samples.detach().cpu()
    ax.scatter(s[:, 0], s[:, 1], s=3, alpha=0.4)
    if centers is not None:
        ax.scatter(centers[:, 0], centers[:, 1], marker="x", c="red", s=40)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return fig


def plot_history(history: object, window: int = 25, title: str | None = None) -> Figure:
    """Training curves of a GAN :class:`~tutorial_lib.gan.history.History`: losses, and D(x) with D(G(z)).

    Faint lines are the raw per-step values, bold lines their moving average over ``window`` steps.
    The dotted line at 1/2 marks a discriminator that cannot tell real from fake.
    """
    steps = np.asarray(history.step)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    panels = [
        (axes[0], [("loss_d", "$L_D$"), ("loss_g", "$L_G$")], "loss"),
        (axes[1], [("d_real", "$D(x)$, real"), ("d_fake", "$D(G(z))$, fake")], "discriminator output"),
    ]
    for ax, series, ylabel in panels:
        for k, (key, label) in enumerate(series):
            color = f"C{k}"
            ax.plot(steps, getattr(history, key), color=color, alpha=0.25, lw=0.8)
            ax.plot(steps, history.smoothed(key, window), color=color, lw=2, label=label)
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
        ax.grid(alpha=0.3)
    axes[1].axhline(0.5, color="gray", ls=":", lw=1)
    axes[1].set_ylim(-0.02, 1.02)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_snapshots(snapshots: dict[int, torch.Tensor], nrow: int = 8, size: float = 2.6) -> Figure:
    """Image grids side by side, one per training step: ``snapshots[step]`` is ``(N, C, H, W)`` in [0, 1]."""
    if not snapshots:
        raise ValueError("snapshots is empty")
    steps = sorted(snapshots)
    fig, axes = plt.subplots(1, len(steps), figsize=(size * len(steps), size), squeeze=False)
    for ax, step in zip(axes[0], steps, strict=True):
        show_grid(snapshots[step], nrow=nrow, title=f"step {step}", ax=ax)
    fig.tight_layout()
    return fig


def show_mixture_frames(
    snapshots: dict[int, torch.Tensor], centers: torch.Tensor, lim: float, ncols: int = 4, size: float = 2.8
) -> Figure:
    """2-D samples at several training steps, one panel per step: ``snapshots[step]`` is ``(N, 2)``.

    centers: ``(K, 2)`` mode centres (red crosses); every panel shows ``[-lim, lim]²``.
    """
    if not snapshots:
        raise ValueError("snapshots is empty")
    steps = sorted(snapshots)
    nrows = -(-len(steps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.flat[len(steps) :]:
        ax.axis("off")
    for ax, step in zip(axes.flat, steps, strict=False):
        show_mixture(snapshots[step], centers, title=f"step {step}", ax=ax)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xticks=[], yticks=[])
    fig.tight_layout()
    return fig


def animate_mixture(
    snapshots: dict[int, torch.Tensor], centers: torch.Tensor, lim: float, interval: int = 400
) -> FuncAnimation:
    """An animation of 2-D samples over training, one frame per ``snapshots[step]`` ``(N, 2)``.

    Show it in a notebook with ``IPython.display.HTML(animation_html(anim))``; ``interval`` is in ms.
    The figure is closed, so only the animation is displayed.
    """
    if not snapshots:
        raise ValueError("snapshots is empty")
    steps = sorted(snapshots)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", c="red", s=40, zorder=3)
    dots = ax.scatter([], [], s=3, alpha=0.4)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
    title = ax.set_title("")

    def draw(i: int) -> tuple:
        dots.set_offsets(snapshots[steps[i]].detach().cpu().numpy())
        title.set_text(f"step {steps[i]}")
        return dots, title

    anim = FuncAnimation(fig, draw, frames=len(steps), interval=interval, blit=False)
    plt.close(fig)
    return anim


def animation_html(anim: FuncAnimation) -> str:
    """``anim.to_jshtml()`` without the stylesheets it links from other hosts.

    matplotlib's player links Font Awesome 4 from a CDN for its button icons. The course is
    offline (the website's test forbids requests to other hosts), so the links are removed: the
    buttons work the same, and on the website the theme's own Font Awesome draws their icons.
    """
    return re.sub(r"<link[^>]*href=[\"']https?://[^>]*>", "", anim.to_jshtml())


# --- Style transfer (notebooks 04 and 05) ---


def show_feature_maps(features: dict[str, torch.Tensor], n_channels: int = 6, size: float = 1.6) -> Figure:
    """One row per layer of ``features: name -> (1, C, H, W)``: its ``n_channels`` most active channels,
    each scaled to its own range (so the pattern shows, not the magnitude)."""
    if not features:
        raise ValueError("features is empty")
    fig, axes = plt.subplots(len(features), n_channels, figsize=(size * n_channels * 1.4, size * len(features)))
    axes = np.atleast_2d(axes)
    for row, (name, f) in zip(axes, features.items(), strict=True):
        maps = f[0].detach().float().cpu()
        top = maps.mean(dim=(1, 2)).argsort(descending=True)[:n_channels]
        for ax, c in zip(row, top.tolist(), strict=False):
            ax.imshow(maps[c].numpy(), cmap="magma")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"channel {c}", fontsize=8)
        row[0].set_ylabel(f"{name}\n{tuple(maps.shape)}", fontsize=9)
    fig.tight_layout()
    return fig


def show_gram_matrices(grams: dict[str, torch.Tensor], max_channels: int = 64, size: float = 2.6) -> Figure:
    """Each ``grams[name]: (1, C, C)`` as an image (first ``max_channels`` channels, square-root colour scale,
    which shows the small entries next to the large diagonal)."""
    fig, axes = plt.subplots(1, len(grams), figsize=(size * len(grams), size * 1.1), squeeze=False)
    for ax, (name, g) in zip(axes[0], grams.items(), strict=True):
        k = min(max_channels, g.shape[-1])
        block = g[0, :k, :k].detach().float().cpu()
        ax.imshow(block.clamp_min(0).sqrt().numpy(), cmap="viridis")
        ax.set_title(f"{name}: {g.shape[-1]}x{g.shape[-1]}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_loss_curves(
    histories: dict[str, dict[str, list[float]]],
    x: str = "time_s",
    y: str = "total",
    logy: bool = True,
    full_scale_only: bool = False,
    ax: plt.Axes | None = None,
) -> Figure:
    """Plot column ``y`` against column ``x`` of several optimisation histories (e.g. ``StylizeResult.history``).

    full_scale_only: draw only evaluations at scale 1.0, whose losses compare across coarse-to-fine runs.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.6))
    else:
        fig = ax.figure
    for label, h in histories.items():
        xs, ys = np.asarray(h[x], dtype=float), np.asarray(h[y], dtype=float)
        if full_scale_only and "scale" in h:
            keep = np.asarray(h["scale"]) == 1.0
            xs, ys = xs[keep], ys[keep]
        ax.plot(xs, np.minimum.accumulate(ys), label=label)
    ax.set_xlabel({"time_s": "wall time (s)", "step": "function evaluations"}.get(x, x))
    ax.set_ylabel(f"{y} loss (best so far)")
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


def stylize_widget(content: torch.Tensor, style: torch.Tensor, run, layer_sets: dict[str, tuple[str, ...]]):  # noqa: ANN001, ANN201
    """An ipywidgets panel: sliders for log10 of the style and TV weights, a style-layer menu and a Run button.

    run: ``(content, style, style_weight=..., tv_weight=..., style_layers=...) -> StylizeResult``, called only
    when the button is pressed (so executing the notebook computes nothing). Returns the panel widget.
    """
    import ipywidgets as widgets

    from .style.optimize import DEFAULT_STYLE_WEIGHT, DEFAULT_TV_WEIGHT

    start_s, start_tv = round(np.log10(DEFAULT_STYLE_WEIGHT) * 4) / 4, round(np.log10(DEFAULT_TV_WEIGHT) * 4) / 4
    w_s = widgets.FloatSlider(value=start_s, min=-1.0, max=4.0, step=0.25, description="log10 w_s")
    w_tv = widgets.FloatSlider(value=start_tv, min=-2.0, max=5.0, step=0.25, description="log10 w_tv")
    layers = widgets.Dropdown(options=list(layer_sets), description="style layers")
    button = widgets.Button(description="Run", button_style="primary")
    out = widgets.Output()

    def on_click(_: object) -> None:
        with out:
            out.clear_output(wait=True)
            ws, wtv = 10**w_s.value, 10**w_tv.value
            result = run(content, style, style_weight=ws, tv_weight=wtv, style_layers=layer_sets[layers.value])
            show_images([result.image], [f"w_s={ws:.3g}, w_tv={wtv:.3g}, {layers.value}"], size=4)
            plt.show()

    button.on_click(on_click)
    return widgets.VBox([widgets.HBox([w_s, w_tv]), widgets.HBox([layers, button]), out])
