"""An art panel for notebook 06: pick a photo and a style, set the weights, press Run.

:func:`art_panel` builds an ipywidgets panel around :func:`~tutorial_lib.style.optimize.stylize`.
The style can be a bundled texture, a procedural style or an image file the user uploads
(:func:`image_from_upload`). Nothing is computed until the button is pressed, so a notebook that
builds the panel executes instantly; notebooks show a static figure made with :func:`paint` as the
fallback for the website.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import torch

from ..data import PROCEDURAL_STYLES, list_bundled_images, load_image
from .images import resolve_image

UPLOAD = "(uploaded file)"
COLOR_CHOICES = {"off": False, "keep the photo's colours (luminance)": "luminance", "recolour the style": "histogram"}


def style_choices() -> list[str]:
    """Names the panel offers as styles: the procedural styles, then the bundled textures and photos."""
    return [*PROCEDURAL_STYLES, *list_bundled_images("texture"), *list_bundled_images("photo")]


def image_from_upload(value: Any, size: int | None = None) -> torch.Tensor:
    """The first file of an ipywidgets ``FileUpload.value`` as ``(1, 3, H, W)`` in [0, 1].

    value: a tuple of dicts with a ``"content"`` entry (ipywidgets 8) or a dict of them (ipywidgets 7).
    size: longest side in pixels (``None`` keeps it).
    """
    from PIL import Image, UnidentifiedImageError

    files = list(value.values()) if isinstance(value, dict) else list(value or ())
    if not files:
        raise ValueError("No file was uploaded. Fix: press 'Upload' and pick a PNG or JPEG image, or choose a style.")
    first = files[0]
    content = first["content"] if isinstance(first, dict) else first.content
    name = first.get("name", "the uploaded file") if isinstance(first, dict) else "the uploaded file"
    try:
        pil = Image.open(io.BytesIO(bytes(content)))
        pil.load()
    except UnidentifiedImageError:
        raise ValueError(f"{name} is not an image PIL can read. Fix: upload a PNG or JPEG file.") from None
    return load_image(pil, size=size)


def paint(
    content: Any,
    style: Any,
    *,
    style_weight: float,
    tv_weight: float,
    preserve_color: bool | str = False,
    size: int | None = None,
    steps: int | None = None,
    run: Callable[..., Any] | None = None,
    progress: bool = False,
) -> torch.Tensor:
    """Stylize ``content`` (a bundled name or image) with ``style`` (a name, an image or an uploaded tensor).

    run: the stylization function, :func:`~tutorial_lib.style.optimize.stylize` by default.
    Returns the image ``(1, 3, H, W)`` in [0, 1].
    """
    if run is None:
        from .optimize import stylize as run
    result = run(
        content, style, style_weight=style_weight, tv_weight=tv_weight, preserve_color=preserve_color, size=size,
        steps=steps, progress=progress,
    )  # fmt: skip
    return result.image


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
    import matplotlib.pyplot as plt

    from ..viz import show_images

    content = widgets.Dropdown(options=list(contents or list_bundled_images("photo")), description="photo")
    style = widgets.Dropdown(options=[*style_choices(), UPLOAD], description="style")
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload style")
    w_s = widgets.FloatSlider(value=1.5, min=0.0, max=3.0, step=0.25, description="log10 w_s")
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
