"""The GAN figures added to tutorial_lib.viz (plot_history, show_snapshots)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from tutorial_lib.gan.history import History
from tutorial_lib.viz import plot_history, show_snapshots


def _history(n=30):
    h = History()
    for step in range(1, n + 1):
        values = dict.fromkeys(
            ("loss_d", "loss_g", "penalty", "d_real", "d_fake", "score_real", "score_fake", "grad_norm_d",
             "grad_norm_g", "class_loss_d", "class_loss_g"), 0.5,
        )  # fmt: skip
        values["loss_d"] = float(step)
        h.record(step, values)
    return h


def test_smoothing_is_a_trailing_moving_average():
    h = _history(5)
    assert np.allclose(h.smoothed("loss_d", window=2), [1.0, 1.5, 2.5, 3.5, 4.5])
    with pytest.raises(ValueError, match="valid keys"):
        h.smoothed("accuracy")
    assert h.last()["loss_d"] == 5.0 and len(h) == 5


def test_plot_history_has_two_panels_with_raw_and_smoothed_curves():
    fig = plot_history(_history(), window=5, title="t")
    assert len(fig.axes) == 2
    assert all(len(ax.lines) >= 4 for ax in fig.axes)
    plt.close(fig)


def test_show_snapshots_one_panel_per_step():
    fig = show_snapshots({10: torch.rand(4, 1, 8, 8), 20: torch.rand(4, 1, 8, 8)}, nrow=2)
    assert [ax.get_title() for ax in fig.axes] == ["step 10", "step 20"]
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        show_snapshots({})


@pytest.mark.parametrize("loss, line", [("nonsaturating", 0.5), ("lsgan", 0.5), ("hinge", 0.0), ("wasserstein", None)])
def test_plot_history_shows_what_the_scores_mean(loss, line):
    """Probabilities for the cross-entropy losses, raw scores otherwise, and the line of a D that cannot tell."""
    probability = loss == "nonsaturating"
    h = History(loss=loss)
    for step in range(1, 11):
        values = dict.fromkeys(("loss_d", "loss_g", "penalty", "grad_norm_d", "grad_norm_g", "class_loss_d",
                                "class_loss_g"), 1.0)  # fmt: skip
        p = 0.5 + step / 40 if probability else float("nan")
        h.record(step, {**values, "d_real": p, "d_fake": 1 - p, "score_real": 2.0 + step, "score_fake": -1.0 * step})
    right = plot_history(h, window=3).axes[1]
    curves = [list(ln.get_ydata()) for ln in right.lines if len(ln.get_ydata()) == 10]
    assert curves[0] == (h.d_real if probability else h.score_real)  # the raw curve of real samples comes first
    levels = [ln.get_ydata()[0] for ln in right.lines if len(ln.get_ydata()) == 2]
    assert levels == ([] if line is None else [line])
    plt.close("all")


def test_plot_ablation_draws_a_bar_per_run_and_the_seed_band():
    from tutorial_lib.gan.recipes import AblationRun
    from tutorial_lib.viz.gan import plot_ablation

    runs = [AblationRun("none", 0, 0.9, 0.7, 1.0), AblationRun("none", 1, 0.8, 0.5, 1.0),
            AblationRun("R1 penalty", 0, 0.6, 0.1, 1.0)]  # fmt: skip
    fig = plot_ablation(runs, chance=0.1, title="t")
    ax = fig.axes[0]
    widths = sorted(p.get_width() for p in ax.patches if p.get_height() == pytest.approx(0.6))
    assert widths == pytest.approx([0.6, 0.8, 0.9])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["full recipe, seed 0", "full recipe, seed 1", "without R1 penalty"]  # top to bottom
    band = [p for p in ax.patches if p.get_label() == "full recipe's seed spread"]
    assert band and band[0].get_x() == pytest.approx(0.8)
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        plot_ablation([])
