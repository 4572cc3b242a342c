"""Figures of style transfer (notebooks 04 and 05): feature maps, Gram matrices, loss curves, the style-weight
trade-off, the style layers' shares of the loss and the stylize panel."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from .images import show_images


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


def plot_style_tradeoff(
    points: Mapping[float, tuple[float, float]], ax: plt.Axes | None = None, label: str = "w_s"
) -> Figure:
    """The content-against-style trade-off of a weight sweep: one point per weight, in order of the weight.

    points: weight w -> (content loss, style loss) of the result stylised with that weight (the sums
    before w_c and w_s, e.g. the last row of ``StylizeResult.history``). Both axes are logarithmic; each point is
    labelled ``label = w``. Points further down and to the left would be better on both terms, so the
    curve is the front the weight moves along: more style costs content.
    """
    if not points:
        raise ValueError("points is empty")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.6))
    else:
        fig = ax.figure
    weights = sorted(points)
    content = [points[w][0] for w in weights]
    style = [points[w][1] for w in weights]
    ax.plot(content, style, "o-")
    for w, c, s in zip(weights, content, style, strict=True):
        ax.annotate(f"{label} = {w:g}", (c, s), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.set(xscale="log", yscale="log", xlabel="content loss (without w_c)", ylabel="style loss (without w_s)")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def plot_layer_shares(shares: Mapping[str, Mapping[str, float]], ax: plt.Axes | None = None) -> Figure:
    """Grouped bars of each style layer's share of the weighted style loss, one group per layer.

    shares: label (e.g. a weighting) -> {layer: share}, as returned by
    :func:`~tutorial_lib.style.losses.style_layer_shares`; every label must list the same layers. The
    y axis is logarithmic (equal weights leave the deep layers near 10⁻⁶); a dotted line marks 1 / (number of
    layers), where every bar of a perfectly balanced loss would sit.
    """
    if not shares:
        raise ValueError("shares is empty")
    layers = list(next(iter(shares.values())))
    if any(list(v) != layers for v in shares.values()):
        raise ValueError(f"every entry of shares must list the layers {layers} in that order")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.4))
    else:
        fig = ax.figure
    width = 0.8 / len(shares)
    x = np.arange(len(layers))
    for i, (label, v) in enumerate(shares.items()):
        ax.bar(x + (i - (len(shares) - 1) / 2) * width, [v[k] for k in layers], width, label=label)
    ax.axhline(1 / len(layers), color="gray", ls=":", lw=1)
    ax.set_xticks(x, layers)
    ax.set(yscale="log", ylabel="share of the style loss")
    ax.legend()
    fig.tight_layout()
    return fig


def stylize_widget(content: torch.Tensor, style: torch.Tensor, run, layer_sets: dict[str, tuple[str, ...]]):  # noqa: ANN001, ANN201
    """An ipywidgets panel: sliders for log10 of the style and TV weights, a style-layer menu and a Run button.

    run: ``(content, style, style_weight=..., tv_weight=..., style_layers=...) -> StylizeResult``, called only
    when the button is pressed (so executing the notebook computes nothing). Returns the panel widget.
    """
    import ipywidgets as widgets

    from ..style.optimize import DEFAULT_STYLE_WEIGHT, DEFAULT_TV_WEIGHT

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
