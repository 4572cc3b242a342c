import pytest
import torch

from tutorial_lib.gan.layers import ConditionalBatchNorm2d, MinibatchStdDev, dcgan_init
from tutorial_lib.gan.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.mark.parametrize("size", [28, 8])
def test_dcgan_shapes_and_sigmoid_output(size):
    """G's image is exactly σ(a) of the last layer's pre-activation a, and every parameter of G and D gets a
    gradient (a saturated or detached output would give zeros)."""
    G = DCGANGenerator(latent_dim=16, image_size=size, width=8)
    D = DCGANDiscriminator(image_size=size, width=8)
    seen = {}
    G.up2.register_forward_hook(lambda module, inputs, out: seen.update(a=out))
    x = G(torch.randn(5, 16))
    assert x.shape == (5, 1, size, size) and seen["a"].shape == x.shape
    torch.testing.assert_close(x, 1 / (1 + torch.exp(-seen["a"])))
    scores = D(x)
    assert scores.shape == (5,) and D(x[:1]).shape == (1,)
    scores.sum().backward()
    for name, p in [*G.named_parameters(), *D.named_parameters()]:
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize("conditioning", ["projection", "concat"])
def test_conditional_models_depend_on_the_label(conditioning):
    G = DCGANGenerator(latent_dim=8, width=8, num_classes=3).eval()
    D = DCGANDiscriminator(width=8, num_classes=3, conditioning=conditioning).eval()
    z = torch.randn(4, 8).repeat(2, 1)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    x = G(z, y)
    assert x.shape == (8, 1, 28, 28)
    with torch.no_grad():
        for p in G.parameters():  # make the class embedding matter for sure
            p.add_(0.1 * torch.randn_like(p))
    assert not torch.allclose(G(z[:1], y[:1]), G(z[:1], y[1:2]))
    scores = D(x, y)
    assert scores.shape == (8,)
    assert not torch.allclose(D(x[:1], y[:1]), D(x[:1], y[1:2]))


def test_label_errors_are_clear():
    G = DCGANGenerator(latent_dim=8, width=8, num_classes=3)
    with pytest.raises(ValueError, match="class-conditional"):
        G(torch.randn(2, 8))
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        G(torch.randn(2, 8), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="unconditional"):
        DCGANGenerator(latent_dim=8, width=8)(torch.randn(2, 8), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"z must have shape \(N, 8\)"):
        G(torch.randn(2, 5), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 28, 28\)"):
        DCGANDiscriminator(width=8)(torch.rand(2, 1, 8, 8))
    with pytest.raises(ValueError, match="divisible by 4"):
        DCGANGenerator(image_size=30)
    with pytest.raises(ValueError, match="conditioning"):
        DCGANDiscriminator(num_classes=3, conditioning="film")


def test_mlp_shapes_and_pack():
    G = MLPGenerator(latent_dim=1, out_dim=1, hidden=16)
    assert G(torch.randn(7, 1)).shape == (7, 1)
    D = MLPDiscriminator(in_dim=2, hidden=16, pack=3)
    assert D.in_dim == 6 and D(torch.randn(4, 6)).shape == (4,)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 6\)"):
        D(torch.randn(4, 2))


def test_spectral_norm_makes_layers_one_lipschitz():
    D = MLPDiscriminator(in_dim=2, hidden=32, spectral_norm=True)
    for _ in range(30):  # power iteration converges over forward passes
        D(torch.randn(8, 2))
    D.eval()
    for layer in [m for m in D.modules() if isinstance(m, torch.nn.Linear)]:
        assert torch.linalg.matrix_norm(layer.weight, ord=2).item() == pytest.approx(1.0, abs=0.02)
    dcd = DCGANDiscriminator(width=8, spectral_norm=True, num_classes=3)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in dcd.modules())
    assert dcd(torch.rand(2, 1, 28, 28), torch.tensor([0, 2])).shape == (2,)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_projection_embedding_is_initialised_at_std_002(spectral_norm):
    """The stored embedding parameter (``original`` under spectral norm, which recomputes ``weight`` from it)
    starts ~ N(0, 0.02²), not at nn.Embedding's N(0, 1)."""
    D = DCGANDiscriminator(width=8, num_classes=10, spectral_norm=spectral_norm)
    stored = D.embed.parametrizations.weight.original if spectral_norm else D.embed.weight
    assert stored.numel() == 10 * 2 * 8 * 7 * 7
    assert stored.std().item() == pytest.approx(0.02, rel=0.05) and abs(stored.mean().item()) < 0.002
    if spectral_norm:  # the weight the forward pass uses is original / σ(original): spectral norm ≈ 1
        D(torch.rand(4, 1, 28, 28), torch.arange(4))  # training mode: one power-iteration step
        assert torch.linalg.matrix_norm(D.embed.weight.detach(), ord=2).item() == pytest.approx(1.0, rel=0.1)


def test_minibatch_std_feature():
    layer = MinibatchStdDev()
    x = torch.tensor([[0.0, 2.0], [2.0, 6.0]])  # per-feature std (biased): 1 and 2 → mean 1.5
    out = layer(x)
    assert out.shape == (2, 3) and torch.allclose(out[:, 2], torch.tensor([1.5, 1.5]), atol=1e-3)
    assert layer(torch.zeros(1, 4))[0, 4] == 0  # a batch of one
    img = layer(torch.randn(3, 2, 4, 4))
    assert img.shape == (3, 3, 4, 4) and torch.all(img[:, 2] == img[0, 2, 0, 0])
    D = DCGANDiscriminator(image_size=8, width=8, minibatch_std=True)
    assert D(torch.rand(4, 1, 8, 8)).shape == (4,)
    assert MLPDiscriminator(minibatch_std=True, hidden=8)(torch.randn(5, 2)).shape == (5,)


def test_conditional_batch_norm_uses_class_scale_and_shift():
    cbn = ConditionalBatchNorm2d(2, num_classes=2)
    with torch.no_grad():
        cbn.gamma.weight[1] = torch.tensor([2.0, 3.0])
        cbn.beta.weight[1] = torch.tensor([1.0, -1.0])
    x = torch.randn(6, 2, 3, 3)
    y = torch.tensor([0, 0, 0, 1, 1, 1])
    normed = torch.nn.functional.batch_norm(x, None, None, training=True)
    out = cbn(x, y)
    assert torch.allclose(out[:3], normed[:3], atol=1e-5)
    assert torch.allclose(
        out[3:],
        normed[3:] * torch.tensor([2.0, 3.0]).view(1, 2, 1, 1) + torch.tensor([1.0, -1.0]).view(1, 2, 1, 1),
        atol=1e-5,
    )


def test_dcgan_init_statistics():
    conv = torch.nn.Conv2d(64, 64, 4)
    bn = torch.nn.BatchNorm2d(512)
    dcgan_init(conv)
    dcgan_init(bn)
    assert conv.weight.std().item() == pytest.approx(0.02, rel=0.05) and torch.all(conv.bias == 0)
    assert bn.weight.mean().item() == pytest.approx(1.0, abs=0.01) and torch.all(bn.bias == 0)
    sn = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(256, 256))
    dcgan_init(sn)
    assert sn.parametrizations.weight.original.std().item() == pytest.approx(0.02, rel=0.05)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_minibatch_std_channel_by_linearity_equals_the_concatenated_input(spectral_norm):
    """D applies conv2 to [h, s·1] as conv(h, W_h) + s · conv(1, W_s): the same scores and input gradients
    as conv2 over the explicitly concatenated tensor (eval mode: no power-iteration step in between)."""
    torch.manual_seed(0)
    D = DCGANDiscriminator(28, 1, 8, num_classes=10, minibatch_std=True, spectral_norm=spectral_norm).eval()
    x, y = torch.rand(6, 1, 28, 28, requires_grad=True), torch.arange(6)
    h = torch.nn.functional.leaky_relu(D.conv1(x), 0.2)
    h = torch.nn.functional.leaky_relu(D.bn(D.conv2(D.mbstd(h))), 0.2).flatten(1)
    reference = D.head(h).squeeze(1) + (D.embed(y) * h).sum(1)
    scores = D(x, y)
    assert torch.allclose(scores, reference, atol=1e-6)
    grad, grad_ref = (torch.autograd.grad(s.sum(), x)[0] for s in (scores, reference))
    assert torch.allclose(grad, grad_ref, atol=1e-6)
