import pytest
import torch
from torch import nn

from tutorial_lib.applications.inpaint import (
    blur_fill,
    inpaint,
    inpainting_loss,
    make_mask,
    masked_error,
    mean_fill,
)
from tutorial_lib.gan.models import DCGANGenerator


def test_masks_hide_what_they_say():
    assert make_mask("center", 28).sum() == 28 * 28 - 14 * 14
    m = make_mask("bottom", 28, n=3)
    assert m.shape == (3, 1, 28, 28) and m[..., :14, :].min() == 1 and m[..., 14:, :].max() == 0
    assert make_mask("right", 10, fraction=0.3)[..., :, 7:].max() == 0
    r = make_mask("random", 28, n=200, fraction=0.75, seed=1)
    assert abs(1 - r.mean().item() - 0.75) < 0.01 and not torch.equal(r[0], r[1])
    with pytest.raises(ValueError, match="Unknown mask kind"):
        make_mask("circle")


def test_loss_matches_the_formula_by_hand():
    g = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]], [[[0.0, 0.0], [0.0, 0.0]]]])
    x = torch.zeros_like(g)
    m = torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]], [[[1.0, 0.0], [0.0, 0.0]]]])
    z = torch.tensor([[1.0, 3.0], [0.0, 2.0]])
    # image 1: (1 + 4) / 2 = 2.5; image 2: 0 / 1 = 0; mean 1.25; prior mean(z²) = 14 / 4 = 3.5
    assert inpainting_loss(g, x, m, z, 0.1).item() == pytest.approx(1.25 + 0.35)
    hidden = torch.zeros_like(m)
    assert inpainting_loss(g, x, hidden, z, 0.1).item() == pytest.approx(0.35)  # only the prior is left
    z = z.requires_grad_(True)
    inpainting_loss(g, x, m, z, 0.1).backward()
    torch.testing.assert_close(z.grad, 2 * 0.1 * z.detach() / z.numel())  # d/dz λ·mean(z²)


def test_shape_errors_name_the_argument():
    x = torch.rand(2, 1, 8, 8)
    with pytest.raises(ValueError, match="mask must have shape"):
        inpainting_loss(x, x, torch.ones(2, 8, 8), torch.zeros(2, 3), 0.1)
    with pytest.raises(ValueError, match="generated must have the shape"):
        inpainting_loss(x[:1], x, torch.ones(2, 1, 8, 8), torch.zeros(2, 3), 0.1)


def test_mean_fill_keeps_visible_pixels_and_fills_their_mean():
    x = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    m = make_mask("center", 8, n=3)
    out = mean_fill(x, m)
    torch.testing.assert_close(out * m, x * m)
    for i in range(3):
        torch.testing.assert_close(out[i][m[i] == 0], x[i][m[i] == 1].mean().expand(16))


def test_mean_fill_fills_an_rgb_hole_with_the_visible_mean_colour():
    """A red image with a hole: the hole must come back red, (1, 0, 0), not the grey of the cross-channel mean."""
    x = torch.zeros(2, 3, 6, 6)
    x[:, 0] = 1.0
    x[1, 2] = 0.5  # the second image is magenta-ish: (1, 0, 0.5)
    m = make_mask("center", 6, n=2)
    out = mean_fill(x, m)
    torch.testing.assert_close(out, x)  # each channel is constant, so its visible mean is exact
    per_channel_mask = torch.ones(1, 3, 6, 6)
    per_channel_mask[0, 1] = 0  # green wholly hidden: no visible pixel, so 0
    per_channel_mask[0, 0, :3] = 0
    y = torch.rand(1, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    filled = mean_fill(y, per_channel_mask)
    torch.testing.assert_close(filled[0, 0, :3], y[0, 0, 3:].mean().expand(3, 6))
    assert filled[0, 1].abs().max() == 0


def test_blur_fill_recovers_a_linear_ramp():
    """Linear functions are harmonic, so harmonic interpolation fills a hole in a ramp exactly."""
    ramp = torch.linspace(0, 1, 16)
    x = (0.3 * ramp[None, :] + 0.6 * ramp[:, None]).expand(1, 1, 16, 16).clone()
    m = make_mask("center", 16, fraction=0.4)
    assert masked_error(mean_fill(x, m), x, m).item() > 1e-3
    assert masked_error(blur_fill(x, m, iterations=600), x, m).item() < 1e-7


def test_masked_error_counts_hidden_pixels_only():
    x = torch.zeros(1, 1, 2, 2)
    m = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]]]])
    pred = torch.tensor([[[[9.0, 1.0], [3.0, 9.0]]]])
    assert masked_error(pred, x, m).item() == pytest.approx(5.0)  # (1 + 9) / 2
    assert masked_error(pred, x, torch.ones_like(m)).item() == 0.0


def _tiny_generator():
    torch.manual_seed(0)
    return DCGANGenerator(latent_dim=8, image_size=8, width=8, num_classes=3).eval()


def test_inpaint_recovers_an_image_the_generator_can_draw():
    G = _tiny_generator()
    z_true = torch.randn(6, 8, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    with torch.no_grad():
        x = G(z_true, y)
    m = make_mask("center", 8, n=6)
    res = inpaint(G, x, m, y, prior_weight=0.0, steps=150, restarts=4, lr=0.1, progress=False)
    assert res.completed.shape == x.shape and res.z.shape == (6, 8) and torch.equal(res.labels, y)
    torch.testing.assert_close(res.completed * m, x * m)  # visible pixels are kept
    assert res.history[-1] < 0.2 * res.history[0]
    assert masked_error(res.completed, x, m).mean() < 0.3 * masked_error(mean_fill(x, m), x, m).mean()
    assert all(p.requires_grad for p in G.parameters()) and not G.training  # G left as it was


class _ClassPatterns(nn.Module):
    """A conditional generator whose class alone decides the image: class k draws pattern k, plus a small
    z-dependent shift, so the best-fitting class of a target is known by construction."""

    latent_dim = 4
    num_classes = 3

    def __init__(self) -> None:
        super().__init__()
        self.patterns = nn.Parameter(torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(0)))
        self.shift = nn.Linear(4, 1)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.patterns[y] + 0.01 * torch.tanh(self.shift(z))[:, :, None, None]


def test_inpaint_without_labels_infers_the_class_that_fits():
    G = _ClassPatterns()
    truth = torch.tensor([2, 0, 1, 2])
    with torch.no_grad():
        x = G.patterns[truth] + 0.02 * torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    res = inpaint(G, x, make_mask("bottom", 8, n=4), None, steps=5, restarts=2, progress=False)
    assert torch.equal(res.labels, truth)
    with pytest.raises(ValueError, match="labels must have shape"):
        inpaint(G, x, make_mask("bottom", 8, n=4), torch.tensor([0]), steps=1, progress=False)


@pytest.mark.slow
def test_gan_inpainting_beats_the_baseline_fills_on_held_out_animals():
    """The measured target of notebook 06: a briefly trained conditional DCGAN fills a hidden
    centre square of held-out animal-mnist images with a lower error than mean or blur fill."""
    from tutorial_lib.applications.pretrained import trained_conditional_dcgan
    from tutorial_lib.data import load_animals

    G, _ = trained_conditional_dcgan(500, progress=False)
    test = load_animals("test")
    x, y = test.images[:32], test.labels[:32]
    m = make_mask("center", 28, n=32)
    res = inpaint(G, x, m, y, steps=150, progress=False)
    gan = masked_error(res.completed, x, m).mean().item()
    assert gan < masked_error(mean_fill(x, m), x, m).mean().item()
    assert gan < masked_error(blur_fill(x, m), x, m).mean().item()
