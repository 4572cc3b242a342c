"""The feed-forward stylizer: shapes, AdaIN's statistics, the objective by hand, bfloat16 features, training
lowers the loss, resume is exact."""

import numpy as np
import pytest
import torch

from tutorial_lib.common.checkpoint import checkpoint_path, load_checkpoint
from tutorial_lib.data import procedural_style
from tutorial_lib.style.features import load_extractor
from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.optimize import CONTENT_LAYERS, DEFAULT_STYLE_WEIGHT, DEFAULT_TV_WEIGHT, STYLE_LAYERS
from tutorial_lib.video.adain import adain
from tutorial_lib.video.feedforward import (
    TransformNet,
    _features,
    fast_precision,
    feedforward_loss,
    gram_targets,
    stylize_fast,
    train_feedforward,
)
from tutorial_lib.video.photos import PHOTOS, load_photos, photo_crops

SMALL = {"steps": 4, "batch_size": 2, "crop_size": 32, "style_size": 48, "width": 4, "n_residual": 1}


@pytest.fixture(scope="module")
def hed():
    return load_extractor("vgg16-hed", device="cpu")


@pytest.mark.parametrize("shape", [(2, 3, 32, 40), (1, 3, 33, 45), (1, 3, 8, 8)])
def test_transform_net_keeps_the_shape_and_starts_as_the_identity(shape):
    torch.manual_seed(0)
    net = TransformNet(width=4, n_residual=2)
    x = torch.rand(shape)
    x.view(-1)[:4] = torch.tensor([0.0, 0.01, 0.99, 1.0])  # outside the logit clip [0.02, 0.98]
    y = net(x)
    assert y.shape == x.shape
    # the zero-initialised last layer adds no edit yet: the output is the input, clipped to [0.02, 0.98]
    torch.testing.assert_close(y, x.clamp(0.02, 0.98), atol=1e-6, rtol=0)
    torch.testing.assert_close(y.view(-1)[:4], torch.tensor([0.02, 0.02, 0.98, 0.98]), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        net(torch.rand(1, 1, 16, 16))


def test_adain_gives_the_content_the_style_statistics_per_channel():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 4, 5, 6, generator=gen) * 3 + 1
    y = torch.randn(1, 4, 7, 3, generator=gen) * 0.5 - 2
    out = adain(x, y, eps=0.0).double().numpy()
    xn, yn = x.double().numpy(), y.double().numpy()
    for n in range(2):
        for k in range(4):
            assert out[n, k].mean() == pytest.approx(yn[0, k].mean(), abs=1e-6)
            assert out[n, k].std() == pytest.approx(yn[0, k].std(), rel=1e-5)  # numpy: biased std
            # and it is an increasing affine map of the content channel (the layout is kept)
            assert np.corrcoef(out[n, k].ravel(), xn[n, k].ravel())[0, 1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="style_features"):
        adain(x, torch.randn(1, 3, 2, 2))


def test_photo_crops_are_seeded_and_in_bounds():
    photos = load_photos(PHOTOS[:2], size=40)
    assert all(min(p.shape[-2:]) == 40 for p in photos)
    a = photo_crops(5, 24, torch.Generator().manual_seed(1), photos)
    b = photo_crops(5, 24, torch.Generator().manual_seed(1), photos)
    assert a.shape == (5, 3, 24, 24) and torch.equal(a, b)


def test_the_objective_is_stylize_s_balanced_loss_computed_by_hand(hed):
    """w_c·content + w_s·Σ_l mean((G_l − A_l)²) / mean(A_l²) + w_tv·TV, from the features directly, in float32."""
    style = procedural_style("dots", size=48, seed=0)
    batch = photo_crops(2, 40, torch.Generator().manual_seed(2), load_photos(PHOTOS[:2], size=48))
    targets = gram_targets(style, hed)
    torch.manual_seed(1)
    net = TransformNet(4, 1)
    torch.nn.init.normal_(net.out[1].weight, std=0.05)  # an edit, so that the content term is not 0
    with torch.no_grad():
        parts = feedforward_loss(net, batch, hed, targets)
        out = net(batch)
        f, c = hed(out, [*STYLE_LAYERS, *CONTENT_LAYERS]), hed(batch, list(CONTENT_LAYERS))
    content = sum(((f[k] - c[k]) ** 2).mean() for k in CONTENT_LAYERS)
    style_sum = sum(((gram_matrix(f[k]) - targets[k]) ** 2).mean() / (targets[k] ** 2).mean() for k in STYLE_LAYERS)
    tv = ((out[..., 1:, :] - out[..., :-1, :]) ** 2).mean() + ((out[..., 1:] - out[..., :-1]) ** 2).mean()
    assert float(content) > 0
    for name, want in [("content", content), ("style", style_sum), ("tv", tv)]:
        assert float(parts[name]) == pytest.approx(float(want), rel=1e-4), name
    total = content + DEFAULT_STYLE_WEIGHT * style_sum + DEFAULT_TV_WEIGHT * tv
    assert float(parts["total"]) == pytest.approx(float(total), rel=1e-4)
    with torch.no_grad():
        equal = feedforward_loss(net, batch, hed, targets, layer_weights="equal")["style"]
    unweighted = sum(((gram_matrix(f[k]) - targets[k]) ** 2).mean() for k in STYLE_LAYERS)
    assert float(equal) == pytest.approx(float(unweighted), rel=1e-4)


def test_bfloat16_features_are_float32_maps_within_a_few_percent(hed):
    """The speed-up of fast_precision may not change what is learned: maps and style losses stay close."""
    assert fast_precision(torch.device("cuda")) is torch.bfloat16
    assert fast_precision(torch.device("cpu")) in (None, torch.bfloat16)
    x = load_photos(["astronaut"], size=64)[0]
    layers = [*STYLE_LAYERS, *CONTENT_LAYERS]
    exact, rounded = _features(hed, x, layers, None), _features(hed, x, layers, torch.bfloat16)
    for k in layers:
        assert rounded[k].dtype == torch.float32
        rel = float((rounded[k] - exact[k]).norm() / exact[k].norm())
        assert rel < 0.02, (k, rel)  # bfloat16 keeps 8 bits of mantissa: measured 0.26-0.34 %
    style = gram_targets(procedural_style("mosaic", size=64, seed=0), hed)
    for k in STYLE_LAYERS:
        a, b = (float(((gram_matrix(f[k]) - style[k]) ** 2).mean()) for f in (exact, rounded))
        assert b == pytest.approx(a, rel=0.01), k  # measured: within 0.1 %


def test_a_few_training_steps_lower_the_loss_on_a_fixed_batch(hed, tmp_path):
    style = procedural_style("mosaic", size=64, seed=0)
    batch = photo_crops(4, 48, torch.Generator().manual_seed(7), load_photos(PHOTOS, size=96))
    targets = gram_targets(style, hed)
    torch.manual_seed(0)
    with torch.no_grad():
        before = float(feedforward_loss(TransformNet(8, 1), batch, hed, targets)["total"])
    settings = {**SMALL, "steps": 30, "crop_size": 48, "style_size": 64, "width": 8}
    r = train_feedforward(style, extractor=hed, lr=3e-3, progress=False, **settings)
    with torch.no_grad():
        after = float(feedforward_loss(r.model, batch, hed, targets)["total"])
    assert after < 0.85 * before, (before, after)  # measured: 20 steps already give 0.87 x
    assert r.history["step"] == list(range(1, 31)) and not r.model.training
    out = stylize_fast(r.model, "chelsea", size=40)
    assert out.shape == (1, 3, 27, 40) and out.min() >= 0 and out.max() <= 1


def test_resume_continues_to_the_same_weights_as_an_uninterrupted_run(hed, tmp_path):
    style = procedural_style("waves", size=48, seed=0)
    straight = train_feedforward(style, extractor=hed, checkpoint_dir=tmp_path / "a", progress=False, **SMALL)
    half = {**SMALL, "steps": 2}
    train_feedforward(style, extractor=hed, checkpoint_dir=tmp_path / "b", progress=False, **half)
    assert load_checkpoint(checkpoint_path(tmp_path / "b"))["step"] == 2
    resumed = train_feedforward(style, extractor=hed, checkpoint_dir=tmp_path / "b", progress=False, **SMALL)
    assert resumed.history["step"] == [1, 2, 3, 4]
    assert resumed.history["total"] == pytest.approx(straight.history["total"], rel=1e-5)
    for (name, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values(), strict=True):
        assert torch.allclose(a, b, atol=1e-6), name
    with pytest.raises(ValueError, match="other settings"):
        train_feedforward(style, extractor=hed, checkpoint_dir=tmp_path / "b", progress=False, **{**SMALL, "width": 8})


def test_bad_training_input_names_the_problem():
    with pytest.raises(ValueError, match="photos must name bundled images"):
        train_feedforward("mosaic", photos=["no_such_photo"], extractor="random")


@pytest.mark.gpu
def test_training_resumes_on_cuda(tmp_path):
    """The checkpoint is loaded onto the GPU; its CPU generator state must come back to the CPU."""
    style = procedural_style("waves", size=48, seed=0)
    ext = load_extractor("vgg16-hed", device="cuda")
    train_feedforward(style, extractor=ext, checkpoint_dir=tmp_path, progress=False, **{**SMALL, "steps": 2})
    resumed = train_feedforward(style, extractor=ext, checkpoint_dir=tmp_path, progress=False, **SMALL)
    assert resumed.history["step"] == [1, 2, 3, 4]
    assert next(resumed.model.parameters()).is_cuda
