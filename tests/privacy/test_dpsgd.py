"""DP-SGD with Opacus: clipping checked against torch.func, the accountant, and the DP-ready discriminator."""

import warnings

import pytest
import torch
from opacus.accountants import RDPAccountant
from torch import nn
from torch.func import functional_call, grad, vmap

from tutorial_lib.gan.models import DCGANDiscriminator
from tutorial_lib.privacy.dpsgd import dp_compatible, epsilon_curve, epsilon_spent, make_private, noise_for_epsilon


def _per_sample_clipped_mean(model: nn.Module, x: torch.Tensor, y: torch.Tensor, clip: float) -> list[torch.Tensor]:
    """Σ_i g_i · min(1, C / ‖g_i‖) / B, with g_i from torch.func: independent of Opacus."""
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss_one(p, xi, yi):
        return ((functional_call(model, p, (xi[None],)) - yi[None]) ** 2).mean()

    g = vmap(grad(loss_one), in_dims=(None, 0, 0))(params, x, y)
    flat = torch.cat([g[k].reshape(len(x), -1) for k in params], dim=1)
    scale = (clip / flat.norm(dim=1)).clamp(max=1.0)
    return [(g[k] * scale.view(-1, *[1] * (g[k].ndim - 1))).sum(0) / len(x) for k in params]


def test_make_private_clips_each_sample_to_C_as_torch_func_computes_it():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    x, y = torch.randn(16, 4) * 3, torch.randn(16, 1)
    expected = _per_sample_clipped_mean(model, x, y, clip=0.5)
    unclipped = _per_sample_clipped_mean(model, x, y, clip=1e6)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    parts = make_private(model, opt, loader, noise_multiplier=0.0, clip_norm=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ((parts.D(x) - y) ** 2).mean().backward()
    parts.optimizer.pre_step()  # clip, sum, (no) noise, divide by the expected batch size
    got = [p.grad for p in parts.D.parameters()]
    for g, e in zip(got, expected, strict=True):
        assert torch.allclose(g, e, atol=1e-6), (g, e)
    # some samples really were clipped, so the test could fail
    assert any(not torch.allclose(g, e) for g, e in zip(got, unclipped, strict=True))


def test_noise_is_added_with_std_sigma_C_over_batch():
    torch.manual_seed(0)
    model = nn.Linear(200, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    x, y = torch.zeros(10, 200), torch.zeros(10, 1)  # zero loss gradient: p.grad is pure noise
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=10)
    parts = make_private(
        model, torch.optim.SGD(model.parameters(), lr=1.0), loader, noise_multiplier=2.0, clip_norm=3.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ((parts.D(x) - y) ** 2).mean().backward()
    parts.optimizer.pre_step()
    std = model.weight.grad.std().item()
    assert abs(std - 2.0 * 3.0 / 10) < 0.1, std  # σ C / B with 200 draws


def test_epsilon_spent_matches_opacus_accountant_and_inverts_noise_for_epsilon():
    q, sigma, steps, delta = 32 / 256, 1.3, 500, 1 / 256
    acc = RDPAccountant()
    for _ in range(steps):
        acc.step(noise_multiplier=sigma, sample_rate=q)
    assert epsilon_spent(q, sigma, steps, delta) == pytest.approx(acc.get_epsilon(delta), rel=1e-9)
    for eps in (1.0, 10.0):
        s = noise_for_epsilon(eps, delta, q, steps)
        assert epsilon_spent(q, s, steps, delta) == pytest.approx(eps, rel=0.02)
    assert noise_for_epsilon(1.0, delta, q, steps) > noise_for_epsilon(10.0, delta, q, steps)
    assert epsilon_spent(q, 0.0, steps, delta) == float("inf")


def test_epsilon_curve_is_epsilon_spent_at_every_step_count():
    q, delta, steps = 32 / 256, 1 / 256, [10, 150, 1000, 4000]
    for sigma in (0.7, 2.0):
        expected = [epsilon_spent(q, sigma, t, delta) for t in steps]
        assert epsilon_curve(q, sigma, steps, delta) == pytest.approx(expected, rel=1e-12)
    assert epsilon_curve(q, 0.0, steps, delta) == [float("inf")] * 4


@pytest.mark.parametrize(
    "args, match",
    [((0.0, 1e-3, 0.1, 10), "epsilon"), ((1.0, 1.5, 0.1, 10), "delta"), ((1.0, 1e-3, 0.0, 10), "sample_rate"),
     ((1.0, 1e-3, 0.1, 0), "steps")],
)  # fmt: skip
def test_budget_errors_name_the_argument(args, match):
    with pytest.raises(ValueError, match=match):
        noise_for_epsilon(*args)


def test_dp_compatible_swaps_batch_norm_for_group_norm_and_refuses_minibatch_std():
    D = DCGANDiscriminator(8, 1, 8, num_classes=10)
    assert isinstance(D.bn, nn.BatchNorm2d)
    fixed = dp_compatible(D)
    assert isinstance(fixed.bn, nn.GroupNorm) and fixed.bn.num_channels == 16
    x, y = torch.rand(3, 1, 8, 8), torch.tensor([0, 1, 2])
    one = fixed(x[:1], y[:1])
    assert torch.allclose(fixed(x, y)[:1], one, atol=1e-6)  # each sample's score ignores the others
    with pytest.raises(ValueError, match="minibatch-std"):
        dp_compatible(DCGANDiscriminator(8, 1, 8, num_classes=10, minibatch_std=True))
