"""The style-transfer figures in tutorial_lib.viz return figures, and the widget only computes on click."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from tutorial_lib.style.minimize import History
from tutorial_lib.style.optimize import DEFAULT_STYLE_WEIGHT, DEFAULT_TV_WEIGHT
from tutorial_lib.viz import plot_loss_curves, show_feature_maps, show_gram_matrices, stylize_widget


def test_feature_maps_and_grams_figures():
    feats = {"relu1_1": torch.rand(1, 8, 6, 6), "relu2_1": torch.rand(1, 4, 3, 3)}
    fig = show_feature_maps(feats, n_channels=3)
    assert len(fig.axes) == 6
    grams = {k: torch.rand(1, v.shape[1], v.shape[1]) for k, v in feats.items()}
    assert len(show_gram_matrices(grams, max_channels=4).axes) == 2
    with pytest.raises(ValueError, match="empty"):
        show_feature_maps({})


def test_loss_curves_can_keep_only_full_scale_points():
    h = History()
    for scale, loss in [(0.5, 9.0), (0.5, 5.0), (1.0, 7.0), (1.0, 6.0)]:
        h.record({"total": loss}, scale=scale)
    fig = plot_loss_curves({"run": h}, full_scale_only=True)
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_ydata()) == [7.0, 6.0]
    fig = plot_loss_curves({"run": h}, x="step", logy=False)
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [9.0, 5.0, 5.0, 5.0]  # best so far


def test_widget_runs_only_when_clicked():
    calls = []

    class Result:
        image = torch.rand(1, 3, 8, 8)

    def run(content, style, **kw):
        calls.append(kw)
        return Result()

    panel = stylize_widget(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8), run, {"all": ("relu1_1",)})
    assert calls == []
    button = panel.children[1].children[1]
    button.click()
    assert len(calls) == 1 and calls[0]["style_layers"] == ("relu1_1",)
    # the sliders start at the library's defaults, rounded to a quarter decade: 200 -> 10**2.25, 10 -> 10**1
    assert DEFAULT_STYLE_WEIGHT == 200 and DEFAULT_TV_WEIGHT == 10
    assert calls[0]["style_weight"] == pytest.approx(10**2.25) and calls[0]["tv_weight"] == pytest.approx(10.0)


def test_style_tradeoff_plots_the_points_in_order_of_the_weight():
    from tutorial_lib.viz import plot_style_tradeoff

    points = {30.0: (2.0, 0.5), 0.3: (0.1, 9.0), 3.0: (0.8, 2.0)}  # given out of order
    fig = plot_style_tradeoff(points)
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_xdata()) == [0.1, 0.8, 2.0] and list(line.get_ydata()) == [9.0, 2.0, 0.5]
    assert [t.get_text() for t in fig.axes[0].texts] == ["w_s = 0.3", "w_s = 3", "w_s = 30"]
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="empty"):
        plot_style_tradeoff({})


def test_layer_shares_draws_one_bar_per_layer_and_weighting():
    from tutorial_lib.viz import plot_layer_shares

    shares = {"equal": {"a": 0.9, "b": 0.1, "c": 1e-6}, "balanced": {"a": 0.3, "b": 0.3, "c": 0.4}}
    fig = plot_layer_shares(shares)
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == sorted([0.9, 0.1, 1e-6, 0.3, 0.3, 0.4]) and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="same|layers"):
        plot_layer_shares({"x": {"a": 1.0}, "y": {"b": 1.0}})
    with pytest.raises(ValueError, match="empty"):
        plot_layer_shares({})
