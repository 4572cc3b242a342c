import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.style.vgg import VGGTrunk, layer_names


def test_layer_names_follow_the_literature():
    names16, names19 = layer_names("vgg16"), layer_names("vgg19")
    assert names16[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    assert "relu5_3" in names16 and "relu5_4" not in names16
    assert "relu5_4" in names19
    assert sum(n.startswith("conv") for n in names16) == 13
    assert sum(n.startswith("conv") for n in names19) == 16


def test_trunk_shapes_and_early_stop():
    trunk = VGGTrunk("vgg16").eval()
    x = torch.rand(2, 3, 32, 48)
    calls = []
    trunk.layers["conv5_1"].register_forward_hook(lambda *a: calls.append(1))
    out = trunk(x, ["relu1_1", "relu3_1"])
    assert set(out) == {"relu1_1", "relu3_1"}
    assert out["relu1_1"].shape == (2, 64, 32, 48)
    assert out["relu3_1"].shape == (2, 256, 8, 12)
    assert calls == []  # never ran deeper than needed
    trunk(x, ["relu5_1"])
    assert calls == [1]


def test_avg_pooling_option():
    assert isinstance(VGGTrunk("vgg19", "avg").layers["pool1"], torch.nn.AvgPool2d)
    with pytest.raises(ValueError, match="pooling"):
        VGGTrunk("vgg19", "min")
    with pytest.raises(ValueError, match="vgg11"):
        VGGTrunk("vgg11")


def _keras_same_max_pool(x: torch.Tensor) -> torch.Tensor:
    """Keras MaxPooling2D(2, 2, padding='same'): pad the bottom and right by one where the size is odd,
    with −∞ so padding never wins, then pool 2×2 windows; output ⌈n/2⌉."""
    pad_h, pad_w = x.shape[-2] % 2, x.shape[-1] % 2
    return F.max_pool2d(F.pad(x, (0, pad_w, 0, pad_h), value=float("-inf")), 2, 2)


def test_ceil_mode_pools_odd_sizes_like_keras_same_padding_and_the_default_floors():
    """On a 13 × 21 input: ceil_mode=True gives Keras's ⌈n/2⌉ maps, equal to −∞-padded pooling; the default
    (what every course extractor, HED included, uses) gives torchvision's ⌊n/2⌋ and drops the last row and
    column, so it equals the Keras result without them."""
    from tutorial_lib.style.features import load_extractor

    hed = load_extractor("vgg16-hed", device="cpu")
    assert not hed.trunk.ceil_mode  # documented: the course floors, see vgg.py
    keras = VGGTrunk("vgg16", ceil_mode=True)
    keras.load_state_dict(hed.trunk.state_dict())
    x = hed.preprocess(torch.rand(1, 3, 13, 21, generator=torch.Generator().manual_seed(0)))
    ours, theirs = hed.trunk(x, ["pool1"]), keras(x, ["relu1_2", "pool1", "pool2", "pool5"])
    torch.testing.assert_close(theirs["pool1"], _keras_same_max_pool(theirs["relu1_2"]))
    assert theirs["pool1"].shape[-2:] == (7, 11) and theirs["pool2"].shape[-2:] == (4, 6)
    assert theirs["pool5"].shape[-2:] == (1, 1)
    assert ours["pool1"].shape[-2:] == (6, 10)
    torch.testing.assert_close(ours["pool1"], theirs["pool1"][..., :6, :10])
    with pytest.raises(
        RuntimeError, match="too small"
    ):  # floor runs out of rows where ceil keeps one: 13 -> 6 -> 3 -> 1 -> 0
        hed.trunk(x, ["pool5"])
