"""The balanced Gram distance against its equation, written with einsum, and its two properties."""

import pytest
import torch

from tutorial_lib.style.texture_distance import gram_distance

LAYERS = ("pixels", "pooled")


def _extractor(x, layers):
    """A stand-in network: the pixels, and a 2x2-average-pooled, rescaled copy (another scale)."""
    feats = {"pixels": x, "pooled": 50.0 * torch.nn.functional.avg_pool2d(x, 2)}
    return {k: feats[k] for k in layers}


def _rand(seed, h=8, w=10):
    return torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_matches_the_equation():
    x, s = _rand(0), _rand(1, 6, 12)
    expected = 0.0
    for name in LAYERS:
        f, t = _extractor(x, [name])[name][0], _extractor(s, [name])[name][0]
        g = torch.einsum("chw,dhw->cd", f, f) / f.numel()
        a = torch.einsum("chw,dhw->cd", t, t) / t.numel()
        expected += (((g - a) ** 2).mean() / (a**2).mean()).item()
    assert gram_distance(x, s, _extractor, LAYERS) == pytest.approx(expected, rel=1e-12)


def test_zero_for_the_texture_itself_and_blind_to_a_common_feature_scale():
    x, s = _rand(2), _rand(3)
    assert gram_distance(s, s, _extractor, LAYERS) == 0.0

    def louder(img, layers):
        return {k: 7.0 * v for k, v in _extractor(img, layers).items()}

    assert gram_distance(x, s, louder, LAYERS) == pytest.approx(gram_distance(x, s, _extractor, LAYERS), rel=1e-12)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="image"):
        gram_distance(torch.rand(3, 8, 8), _rand(0), _extractor, LAYERS)
    with pytest.raises(ValueError, match="layers"):
        gram_distance(_rand(0), _rand(1), _extractor, [])
