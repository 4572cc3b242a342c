"""Figures of GAN training (notebooks 01–03): training curves, snapshots, an ablation of the conditional recipe,
and 2-D mixtures, still and animated."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from ..gan.history import INDIFFERENT_SCORE, History
from ..gan.recipes import AblationRun
from .images import show_grid


def plot_history(history: History, window: int = 25, title: str | None = None) -> Figure:
    """Training curves of a GAN :class:`~tutorial_lib.gan.history.History`: losses, and what D says.

    Faint lines are the raw per-step values, bold lines their moving average over ``window`` steps.
    Right panel, by loss kind (:mod:`tutorial_lib.gan.history`): for ``minimax``/``nonsaturating``
    D's probabilities D(x) = σ(s(x)) and D(G(z)), with a dotted line at ½; for the other kinds
    the raw mean scores s(x) and s(G(z)), with a dotted line at the score of a discriminator that
    cannot tell real from fake (½ for LSGAN, 0 for hinge; none for Wasserstein, whose critic is
    defined up to a constant: read the gap between the two curves).
    """
    steps = np.asarray(history.step)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    if history.scores_are_probabilities:
        judged = [("d_real", "$D(x)$, real"), ("d_fake", "$D(G(z))$, fake")]
        ylabel, indifferent = "discriminator output", 0.5
    else:
        judged = [("score_real", "$s(x)$, real"), ("score_fake", "$s(G(z))$, fake")]
        ylabel, indifferent = f"raw score s ({history.loss})", INDIFFERENT_SCORE.get(history.loss or "")
    if indifferent is not None:
        axes[1].axhline(indifferent, color="gray", ls=":", lw=1, label=f"cannot tell ({indifferent:g})")
    panels = [(axes[0], [("loss_d", "$L_D$"), ("loss_g", "$L_G$")], "loss"), (axes[1], judged, ylabel)]
    for ax, series, label_y in panels:
        for k, (key, label) in enumerate(series):
            color = f"C{k}"
            ax.plot(steps, getattr(history, key), color=color, alpha=0.25, lw=0.8)
            ax.plot(steps, history.smoothed(key, window), color=color, lw=2, label=label)
        ax.set_xlabel("step")
        ax.set_ylabel(label_y)
        ax.legend(loc="best")
        ax.grid(alpha=0.3)
    if history.scores_are_probabilities:
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


def plot_ablation(runs: list[AblationRun], chance: float | None = None, title: str | None = None) -> Figure:
    """Bars of the judge's class accuracy per run of :func:`~tutorial_lib.gan.recipes.ablate` (mean over
    classes), a dot at the worst class, and a grey band from the lowest to the highest mean of the full recipe's
    seeds: a run inside the band differs from the full recipe by no more than the seeds do."""
    if not runs:
        raise ValueError("runs is empty")
    labels = [f"full recipe, seed {r.seed}" if r.removed == "none" else f"without {r.removed}" for r in runs]
    y = np.arange(len(runs))[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(runs) + 1.2))
    full = [r.class_accuracy for r in runs if r.removed == "none"]
    if full:
        ax.axvspan(min(full), max(full) + 1e-3, color="0.85", zorder=0, label="full recipe's seed spread")
    colors = ["tab:blue" if r.removed == "none" else "tab:orange" for r in runs]
    ax.barh(y, [r.class_accuracy for r in runs], color=colors, height=0.6, label="mean over classes")
    ax.plot([r.worst_class_accuracy for r in runs], y, "kv", label="worst class")
    if chance is not None:
        ax.axvline(chance, color="k", ls=":", lw=1, label="chance")
    ax.set(yticks=y, yticklabels=labels, xlim=(0, 1.02), xlabel="judge names the requested class")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
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
