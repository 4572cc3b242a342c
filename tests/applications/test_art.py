import functools
import io

import numpy as np
import pytest
from PIL import Image

from tutorial_lib.applications.art import image_from_upload, paint, style_choices
from tutorial_lib.data import PROCEDURAL_STYLES
from tutorial_lib.style.optimize import stylize


def _png_bytes(h=12, w=20):
    rgb = np.zeros((h, w, 3), dtype=np.uint8)
    rgb[..., 0] = 255
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def test_style_choices_offer_procedural_styles_and_textures():
    choices = style_choices()
    assert set(PROCEDURAL_STYLES) <= set(choices) and "brick" in choices


def test_uploaded_file_becomes_an_image_tensor():
    value = ({"name": "red.png", "type": "image/png", "size": 1, "content": memoryview(_png_bytes())},)
    img = image_from_upload(value)
    assert img.shape == (1, 3, 12, 20) and img[0, 0].min() == 1 and img[0, 1].max() == 0
    assert image_from_upload({"red.png": {"content": _png_bytes()}}, size=10).shape == (1, 3, 6, 10)


def test_bad_uploads_say_what_to_do():
    with pytest.raises(ValueError, match="No file was uploaded"):
        image_from_upload(())
    with pytest.raises(ValueError, match="notes.txt is not an image"):
        image_from_upload(({"name": "notes.txt", "content": b"hello"},))


@pytest.mark.filterwarnings("ignore:Using a random-weight VGG")
def test_paint_runs_a_small_stylization():
    run = functools.partial(stylize, extractor="random")
    out = paint("chelsea", "mosaic", style_weight=30.0, tv_weight=10.0, preserve_color=True, size=32, steps=2, run=run)
    assert out.shape[:2] == (1, 3) and max(out.shape[-2:]) == 32 and 0 <= out.min() <= out.max() <= 1
