"""The art panel of notebook 06: pick or upload a style, set the weights, paint your photo."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt

from ..applications.art import COLOR_CHOICES, UPLOAD, image_from_upload, paint, style_choices
from ..data import list_bundled_images
from ..style.images import resolve_image


def art_panel(
    contents: Sequence[str] | None = None,
    *,
    size: int = 256,
    steps: int | None = None,
    run: Callable[..., Any] | None = None,
) -> Any:
    """The ipywidgets panel: content and style menus, an upload button, sliders for log10 of the style and
    TV weights, a colour-preservation menu and a Run button. Returns the panel (a ``VBox``).

    contents: names of bundled photos to offer (default: all of them). size: longest side of the result.
    steps: stylization steps (``None``: stylize's tuned schedule). run: as in :func:`paint`.
    """
    import ipywidgets as widgets

    from ..style.optimize import DEFAULT_STYLE_WEIGHT
    from ..viz import show_images

    content = widgets.Dropdown(options=list(contents or list_bundled_images("photo")), description="photo")
    style = widgets.Dropdown(options=[*style_choices(), UPLOAD], description="style")
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload style")
    start_s = round(math.log10(DEFAULT_STYLE_WEIGHT) * 4) / 4  # stylize's default, to a quarter decade
    w_s = widgets.FloatSlider(value=start_s, min=0.0, max=4.0, step=0.25, description="log10 w_s")
    w_tv = widgets.FloatSlider(value=1.0, min=-2.0, max=3.0, step=0.5, description="log10 w_tv")
    color = widgets.Dropdown(options=list(COLOR_CHOICES), description="colour")
    button = widgets.Button(description="Run", button_style="primary", icon="paint-brush")
    out = widgets.Output()

    def on_click(_: object) -> None:
        with out:
            out.clear_output(wait=True)
            try:
                src = image_from_upload(upload.value, size) if style.value == UPLOAD else style.value
                image = paint(
                    content.value, src, style_weight=10**w_s.value, tv_weight=10**w_tv.value,
                    preserve_color=COLOR_CHOICES[color.value], size=size, steps=steps, run=run, progress=True,
                )  # fmt: skip
            except ValueError as err:  # bad upload or settings: say so in the panel, keep it alive
                print(f"Could not paint: {err}")
                return
            style_img = resolve_image(src, size=size) if isinstance(src, str) else src
            titles = [content.value, style.value, f"w_s = {10**w_s.value:.3g}, colour: {color.value}"]
            show_images([resolve_image(content.value, size=size), style_img, image], titles, size=3.5)
            plt.show()

    button.on_click(on_click)
    return widgets.VBox(
        [widgets.HBox([content, style, upload]), widgets.HBox([w_s, w_tv]), widgets.HBox([color, button]), out]
    )
