import pytest
import torch

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
