"""The art panel of notebook 06 (the painting itself is tested in tests/applications/test_art.py)."""

from tutorial_lib.applications.art import UPLOAD
from tutorial_lib.viz import art_panel


def test_panel_builds_without_computing():
    panel = art_panel(["chelsea", "astronaut"], size=64)
    menus = [w for box in panel.children[:3] for w in box.children if hasattr(w, "options")]
    assert list(menus[0].options) == ["chelsea", "astronaut"] and UPLOAD in menus[1].options
