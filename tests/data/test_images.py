"""load_image: every input kind, every conversion, every bad input."""

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from tutorial_lib.data import ImageResizeWarning, ImageTransparencyWarning, load_image, save_image, to_numpy_image


@pytest.fixture
def rgb_array():
    return np.random.default_rng(0).integers(0, 256, (6, 9, 3), dtype=np.uint8)


def _check_unit_rgb(t, h, w):
    assert t.shape == (1, 3, h, w)
    assert t.dtype == torch.float32
    assert t.min() >= 0.0 and t.max() <= 1.0


def test_png_roundtrip_is_exact(tmp_path, rgb_array):
    path = tmp_path / "x.png"
    Image.fromarray(rgb_array).save(path)
    t = load_image(path)
    _check_unit_rgb(t, 6, 9)
    assert torch.equal(t[0].permute(1, 2, 0), torch.from_numpy(rgb_array).float() / 255)
    assert torch.equal(load_image(str(path)), t)  # str paths too


def test_pil_and_array_inputs_agree(rgb_array):
    a = load_image(rgb_array)
    b = load_image(Image.fromarray(rgb_array))
    assert torch.equal(a, b)


def test_missing_file_names_path_and_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"not found: '.*nope\.png'.*bundled_image"):
        load_image(tmp_path / "nope.png")


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.jpg' is empty \(0 bytes\)"):
        load_image(path)


def test_corrupt_file(tmp_path):
    path = tmp_path / "bad.png"
    path.write_bytes(b"this is not an image at all" * 10)
    with pytest.raises(ValueError, match=r"bad\.png' could not be read as an image.*PNG or JPEG"):
        load_image(path)


def test_truncated_png(tmp_path, rgb_array):
    good = tmp_path / "good.png"
    Image.fromarray(np.tile(rgb_array, (20, 20, 1))).save(good)
    data = good.read_bytes()
    bad = tmp_path / "truncated.png"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.png' could not be read"):
        load_image(bad)


def test_directory_is_not_an_image(tmp_path):
    with pytest.raises(IsADirectoryError, match="folder"):
        load_image(tmp_path)


def test_grayscale_file_becomes_three_equal_channels(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    path = tmp_path / "g.png"
    Image.fromarray(gray, mode="L").save(path)
    t = load_image(path)
    _check_unit_rgb(t, 3, 4)
    for c in range(3):
        assert torch.equal(t[0, c], torch.from_numpy(gray).float() / 255)


def test_rgba_is_composited_on_white_with_warning(tmp_path):
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0] = 255  # red
    rgba[0, 0, 3] = 255  # opaque red
    rgba[0, 1, 3] = 0  # fully transparent -> white
    rgba[1, :, 3] = 128  # half -> pink
    path = tmp_path / "a.png"
    Image.fromarray(rgba, mode="RGBA").save(path)
    with pytest.warns(ImageTransparencyWarning, match="white"):
        t = load_image(path)
    assert t[0, :, 0, 0].tolist() == [1.0, 0.0, 0.0]
    assert t[0, :, 0, 1].tolist() == [1.0, 1.0, 1.0]
    a = 128 / 255
    assert torch.allclose(t[0, :, 1, 0], torch.tensor([1.0, 1 - a, 1 - a]))


def test_opaque_rgba_gives_no_warning(rgb_array):
    rgba = np.concatenate([rgb_array, np.full((6, 9, 1), 255, np.uint8)], axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = load_image(rgba)
    assert torch.equal(t, load_image(rgb_array))


def test_palette_image_matches_its_rgb(tmp_path, rgb_array):
    pal = Image.fromarray(rgb_array).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    path = tmp_path / "p.png"
    pal.save(path)
    t = load_image(path)
    assert torch.equal(t, load_image(np.asarray(pal.convert("RGB"))))


def test_16bit_png_keeps_precision(tmp_path):
    values = np.array([[0, 1000, 1001], [30000, 65534, 65535]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    t = load_image(path)
    expected = torch.from_numpy(values.astype(np.float32) / 65535)
    assert torch.allclose(t[0, 1], expected, atol=1e-7)
    assert t[0, 0, 0, 1] != t[0, 0, 0, 2]  # 1000 and 1001 stay distinct (8 bits would merge them)


def test_16bit_rgb_array():
    arr = np.full((2, 3, 3), 65535, np.uint16)
    arr[0, 0] = (0, 32768, 65535)
    t = load_image(arr)
    assert torch.allclose(t[0, :, 0, 0], torch.tensor([0.0, 32768 / 65535, 1.0]))


def test_oversized_image_is_resized_with_warning():
    wide = np.zeros((40, 6000, 3), np.uint8)
    with pytest.warns(ImageResizeWarning, match="6000x40 px.*max_side=1024"):
        t = load_image(wide)
    assert t.shape == (1, 3, 7, 1024)
    assert load_image(wide, max_side=None).shape == (1, 3, 40, 6000)


def test_size_int_sets_longest_side_and_tuple_is_exact(rgb_array):
    assert load_image(rgb_array, size=18).shape == (1, 3, 12, 18)
    assert load_image(rgb_array, size=(5, 5)).shape == (1, 3, 5, 5)
    with pytest.raises(ValueError, match="positive"):
        load_image(rgb_array, size=0)


@pytest.mark.parametrize(
    ("shape", "message"),
    [((3, 10, 12), "channel-first.*transpose"), ((10, 12, 5), r"expected \(H, W\)"), ((10,), r"expected \(H, W\)")],
)
def test_wrong_array_shapes(shape, message):
    with pytest.raises(ValueError, match=message):
        load_image(np.zeros(shape, np.uint8))


def test_float_array_out_of_range_suggests_255():
    with pytest.raises(ValueError, match="divide by 255"):
        load_image(np.full((4, 4, 3), 200.0))


def test_float_array_with_nan():
    arr = np.zeros((4, 4, 3))
    arr[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        load_image(arr)


def test_unsupported_dtype_and_type():
    with pytest.raises(ValueError, match="int64"):
        load_image(np.zeros((4, 4, 3), np.int64))
    with pytest.raises(TypeError, match="expected a file path"):
        load_image(42)


def test_tensor_inputs():
    x = torch.rand(3, 5, 7)
    assert torch.equal(load_image(x), x[None])
    assert load_image(torch.rand(1, 1, 5, 7)).shape == (1, 3, 5, 7)
    with pytest.raises(ValueError, match=r"expected \(3, H, W\)"):
        load_image(torch.rand(2, 3, 5, 7))
    with pytest.raises(ValueError, match=r"clamp"):
        load_image(torch.full((3, 2, 2), 2.0))


def test_save_image_roundtrip_leaves_no_temp_file(tmp_path, rgb_array):
    t = load_image(rgb_array)
    out = save_image(t, tmp_path / "sub" / "out.png")
    assert torch.equal(load_image(out), t)
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.png"]


def test_to_numpy_image_shape():
    assert to_numpy_image(torch.rand(1, 3, 4, 5)).shape == (4, 5, 3)
    with pytest.raises(ValueError):
        to_numpy_image(torch.rand(2, 3, 4, 5))
