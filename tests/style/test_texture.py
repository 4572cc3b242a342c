"""Texture synthesis: Gram matching from noise, layer weights, and its settings."""

import pytest
import torch

from tutorial_lib.data import bundled_image
from tutorial_lib.style.features import load_extractor
from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.texture import synthesize_texture


@pytest.fixture(scope="module")
def hed():
    return load_extractor("vgg16-hed", device="cpu")


def test_texture_matches_the_style_grams_better_than_its_noise_start(hed):
    layers = ("relu1_1", "relu2_1")
    style = bundled_image("brick", size=48)
    r = synthesize_texture(style, 32, extractor=hed, layers=layers, style_size=48, steps=25, progress=False, seed=3)
    assert r.image.shape == (1, 3, 32, 32) and r.image.min() >= 0 and r.image.max() <= 1
    assert r.history["total"][-1] < 0.2 * r.history["total"][0]
    assert r.settings["layers"] == layers and r.settings["style_size"] == (48, 48)
    assert set(r.settings["layer_weights"]) == set(layers)
    with torch.no_grad():
        target = {k: gram_matrix(v) for k, v in hed(style, list(layers)).items()}
        got = {k: gram_matrix(v) for k, v in hed(r.image, list(layers)).items()}
    w = r.settings["layer_weights"]
    recomputed = sum(w[k] * ((got[k] - target[k]) ** 2).mean() for k in layers)
    assert r.loss == pytest.approx(recomputed.item(), rel=1e-3)


def test_texture_is_seeded_and_validates(hed):
    kw = dict(extractor=hed, layers=("relu1_1",), steps=2, progress=False)
    a = synthesize_texture("gravel", 24, seed=1, **kw)
    b = synthesize_texture("gravel", 24, seed=1, **kw)
    assert torch.equal(a.image, b.image)
    assert synthesize_texture("gravel", (20, 30), layer_weights=None, **kw).settings["layer_weights"] == {}
    with pytest.raises(ValueError, match="at least 16"):
        synthesize_texture("gravel", 8, **kw)
    assert synthesize_texture("gravel", (20, 30), layer_weights="equal", **kw).settings["layer_weights"] == {}
    with pytest.raises(ValueError, match="layer_weights"):
        synthesize_texture("gravel", 24, layer_weights="gatys", extractor=hed, progress=False)
