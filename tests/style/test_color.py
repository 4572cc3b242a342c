"""Colour preservation: the YIQ round trip, luminance-only recombination and colour statistics matching."""

import pytest
import torch

from tutorial_lib.style.color import (
    combine_luminance,
    luminance,
    match_color,
    match_luminance,
    rgb_to_yiq,
    yiq_to_rgb,
)


def _img(seed: int, shape=(1, 3, 9, 11)) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def test_yiq_round_trip_and_luminance_weights():
    x = _img(0)
    assert torch.allclose(yiq_to_rgb(rgb_to_yiq(x)), x, atol=1e-5)
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    assert torch.allclose(luminance(x), 0.299 * r + 0.587 * g + 0.114 * b, atol=1e-6)
    grey = x[:, :1].expand(-1, 3, -1, -1)
    assert rgb_to_yiq(grey)[:, 1:].abs().max() < 1e-6  # grey has no chrominance


def test_combine_luminance_keeps_the_colour_source_chrominance():
    content = _img(1) * 0.5 + 0.25  # away from the clamp
    y = luminance(_img(2)) * 0.4 + 0.3
    out = combine_luminance(y, content)
    assert torch.allclose(luminance(out), y, atol=1e-4)
    assert torch.allclose(rgb_to_yiq(out)[:, 1:], rgb_to_yiq(content)[:, 1:], atol=1e-4)


def test_match_luminance_moments():
    ys, yc = luminance(_img(3, (1, 3, 20, 20))) * 0.3, luminance(_img(4, (1, 3, 8, 12))) * 0.5 + 0.3
    m = match_luminance(ys, yc)
    assert m.mean().item() == pytest.approx(yc.mean().item(), abs=1e-4)
    assert m.std().item() == pytest.approx(yc.std().item(), rel=1e-3)


def test_match_color_moments():
    source = _img(5, (1, 3, 30, 30)) * torch.tensor([0.2, 0.5, 0.3]).view(1, 3, 1, 1) + 0.1
    target = _img(6, (1, 3, 20, 25)) * 0.3 + 0.4
    target[:, 1] = 0.5 * target[:, 0] + 0.2  # correlated channels
    out = match_color(source, target, eps=0.0)
    flat = out[0].flatten(1).double()
    assert torch.allclose(flat.mean(1), target[0].flatten(1).double().mean(1), atol=1e-3)
    assert torch.allclose(torch.cov(flat), torch.cov(target[0].flatten(1).double()), atol=2e-3)
    assert out.shape == source.shape and out.min() >= 0 and out.max() <= 1


def test_shapes_are_validated():
    with pytest.raises(ValueError, match="image must have shape"):
        rgb_to_yiq(torch.rand(1, 1, 4, 4))
    with pytest.raises(ValueError, match="y must have shape"):
        combine_luminance(torch.rand(1, 3, 4, 4), torch.rand(1, 3, 4, 4))
