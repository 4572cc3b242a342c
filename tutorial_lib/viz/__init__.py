"""Figures for the notebooks, one module per part of the course.

* :mod:`~tutorial_lib.viz.images`: image grids and galleries (every notebook);
* :mod:`~tutorial_lib.viz.gan`: training curves, snapshots and 2-D mixtures (01–03);
* :mod:`~tutorial_lib.viz.style`: feature maps, Gram matrices, loss curves, the style-weight trade-off, the
  style layers' shares, the stylize panel (04–05);
* :mod:`~tutorial_lib.viz.art`: the art panel (06).

Every function returns the matplotlib ``Figure`` (or widget) it made, so a notebook can show it,
save it, or close it. The names below are the ones the notebooks use, as ``viz.show_grid(...)``.
"""

from .art import art_panel
from .gan import animate_mixture, animation_html, plot_history, show_mixture, show_mixture_frames, show_snapshots
from .images import image_grid, show_class_grid, show_grid, show_images
from .style import (
    plot_layer_shares,
    plot_loss_curves,
    plot_style_tradeoff,
    show_feature_maps,
    show_gram_matrices,
    stylize_widget,
)

__all__ = [
    "animate_mixture",
    "animation_html",
    "art_panel",
    "image_grid",
    "plot_history",
    "plot_layer_shares",
    "plot_loss_curves",
    "plot_style_tradeoff",
    "show_class_grid",
    "show_feature_maps",
    "show_grid",
    "show_gram_matrices",
    "show_images",
    "show_mixture",
    "show_mixture_frames",
    "show_snapshots",
    "stylize_widget",
]
