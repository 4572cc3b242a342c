import pytest
import torch

from tutorial_lib.data import BUNDLED, attributions, bundled_image, bundled_info, list_bundled_images

REQUIRED = {
    "astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field",
    "brick", "grass", "gravel", "china", "flower", "grace_hopper",
}  # fmt: skip


def test_all_required_images_are_listed():
    assert set(list_bundled_images()) >= REQUIRED
    assert set(list_bundled_images("texture")) == {"brick", "grass", "gravel"}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_bundled_image_loads_offline_as_rgb(name):
    img = bundled_image(name)
    assert img.ndim == 4 and img.shape[:2] == (1, 3)
    assert min(img.shape[-2:]) >= 256
    assert img.dtype == torch.float32 and img.min() >= 0 and img.max() <= 1
    assert img.std() > 0.05  # a real picture, not a blank


def test_size_sets_longest_side():
    assert bundled_image("chelsea", size=128).shape == (1, 3, 85, 128)


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'chelsea'.*load_image"):
        bundled_image("chelsae")


def test_cc_by_images_carry_attribution():
    text = attributions()
    for name, info in BUNDLED.items():
        assert info.credit and info.license
        if info.license.startswith("CC BY"):
            assert name in text
    assert "china" in text and "flower" in text
    assert bundled_info("china").source.startswith("scikit-learn")
