"""Frames and animation of 2-D samples over training (notebook 03)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from tutorial_lib.data import mixture_centers
from tutorial_lib.viz import animate_mixture, animation_html, show_mixture_frames

SNAPS = {s: torch.randn(50, 2, generator=torch.Generator().manual_seed(s)) for s in (10, 20, 30)}


def test_frames_one_panel_per_step_in_step_order():
    fig = show_mixture_frames({30: SNAPS[30], 10: SNAPS[10], 20: SNAPS[20]}, mixture_centers("ring"), lim=1.5, ncols=2)
    visible = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in visible] == ["step 10", "step 20", "step 30"]
    assert len(fig.axes) == 4 and visible[0].get_xlim() == (-1.5, 1.5)
    plt.close(fig)


def test_animation_has_a_frame_per_snapshot_and_renders_to_html():
    anim = animate_mixture(SNAPS, mixture_centers("ring"), lim=2.0, interval=100)
    html = anim.to_jshtml()
    assert "<script" in html and html.count("data:image/png") == len(SNAPS)


def test_empty_snapshots_are_refused():
    with pytest.raises(ValueError, match="empty"):
        show_mixture_frames({}, mixture_centers("ring"), lim=1.0)
    with pytest.raises(ValueError, match="empty"):
        animate_mixture({}, mixture_centers("ring"), lim=1.0)


def test_animation_html_links_nothing_from_other_hosts():
    anim = animate_mixture(SNAPS, mixture_centers("ring"), lim=2.0, interval=100)
    html = animation_html(anim)
    assert "<img" in html or "frames" in html  # the player and its frames are there
    assert "http://" not in html and "https://" not in html
