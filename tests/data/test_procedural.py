import pytest
import torch

from tutorial_lib.data import PROCEDURAL_STYLES, procedural_style


@pytest.mark.parametrize("name", sorted(PROCEDURAL_STYLES))
def test_deterministic_for_a_seed_and_different_across_seeds(name):
    a = procedural_style(name, size=(48, 64), seed=1)
    b = procedural_style(name, size=(48, 64), seed=1)
    c = procedural_style(name, size=(48, 64), seed=2)
    assert a.shape == (1, 3, 48, 64) and a.dtype == torch.float32
    assert a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b)
    assert (a - c).abs().mean() > 0.02


@pytest.mark.parametrize("name", sorted(PROCEDURAL_STYLES))
def test_images_are_colourful_not_flat(name):
    img = procedural_style(name, size=64, seed=0)
    assert img.std() > 0.05
    # channels differ somewhere: colour, not gray
    spread = img[0].max(0).values - img[0].min(0).values
    assert spread.max() > 0.1


def test_at_least_three_kinds_and_unknown_name():
    assert {"mosaic", "waves", "strokes"} <= set(PROCEDURAL_STYLES)
    with pytest.raises(ValueError, match="mosaic"):
        procedural_style("cubism")
    with pytest.raises(ValueError, match="positive"):
        procedural_style("waves", size=0)
