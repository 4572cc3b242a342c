"""An art panel for notebook 06: pick a photo and a style, set the weights, press Run.

:func:`art_panel` builds an ipywidgets panel around :func:`~tutorial_lib.style.optimize.stylize`.
The style can be a bundled texture, a procedural style or an image file the user uploads
(:func:`image_from_upload`). Nothing is computed until the button is pressed, so a notebook that
builds the panel executes instantly; notebooks show a static figure made with :func:`paint` as the
fallback for the website.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import torch

from ..data import PROCEDURAL_STYLES, list_bundled_images, load_image

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
        from ..style.optimize import stylize as run
    result = run(
        content, style, style_weight=style_weight, tv_weight=tv_weight, preserve_color=preserve_color, size=size,
        steps=steps, progress=progress,
    )  # fmt: skip
    return result.image
