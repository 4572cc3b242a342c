import pytest
import torch

from tutorial_lib.gan.callbacks import EMA, SampleSnapshots, generate
from tutorial_lib.gan.models import DCGANGenerator, MLPGenerator
from tutorial_lib.gan.train import StepInfo


def _info(G, step):
    return StepInfo(step=step, steps=100, G=G, D=None, history=None)


def test_ema_follows_the_formula_with_warm_up():
    torch.manual_seed(0)
    G = MLPGenerator(2, 2, hidden=4, depth=1)
    ema = EMA(G, decay=0.99)
    start = [p.clone() for p in ema.model.parameters()]
    with torch.no_grad():
        for p in G.parameters():
            p.add_(1.0)
    ema(_info(G, step=1))  # β_1 = min(0.99, 2/11)
    beta = 2 / 11
    for p0, p_ema, p in zip(start, ema.model.parameters(), G.parameters(), strict=True):
        assert torch.allclose(p_ema, beta * p0 + (1 - beta) * p)
    before = [p.clone() for p in ema.model.parameters()]
    with torch.no_grad():
        for p in G.parameters():
            p.add_(1.0)
    ema(_info(G, step=10_000))  # (1 + t) / (10 + t) = 0.9991 > decay, so β = decay = 0.99
    for p_prev, p_ema, p in zip(before, ema.model.parameters(), G.parameters(), strict=True):
        assert torch.allclose(p_ema, 0.99 * p_prev + 0.01 * p)
    assert not ema.model.training and not any(p.requires_grad for p in ema.model.parameters())
    with pytest.raises(ValueError, match="decay"):
        EMA(G, decay=1.0)


def test_ema_copies_batch_norm_statistics_and_round_trips():
    torch.manual_seed(0)
    G = DCGANGenerator(latent_dim=4, image_size=8, width=4)
    G(torch.randn(8, 4))  # updates running statistics
    ema = EMA(G, 0.9)
    ema(_info(G, 1))
    assert torch.equal(ema.model.bn0.running_mean, G.bn0.running_mean)
    other = EMA(G, 0.9)
    other.load_state_dict(ema.state_dict())
    assert all(
        torch.equal(a, b)
        for a, b in zip(other.model.state_dict().values(), ema.model.state_dict().values(), strict=True)
    )


def test_snapshots_keep_the_requested_steps_in_eval_mode():
    torch.manual_seed(0)
    G = DCGANGenerator(latent_dim=4, image_size=8, width=4, num_classes=3)
    z, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    snaps = SampleSnapshots(z, at=[2, 5], y=y)
    for step in range(1, 7):
        snaps(_info(G, step))
    assert sorted(snaps.images) == [2, 5] and snaps.images[2].shape == (6, 1, 8, 8)
    assert G.training  # the mode is restored
    assert torch.equal(snaps.images[5], generate(G, z, y))  # eval mode: deterministic
    restored = SampleSnapshots(z, at=[2, 5], y=y)
    restored.load_state_dict(snaps.state_dict())
    assert torch.equal(restored.images[5], snaps.images[5])
    with pytest.raises(ValueError, match="y must have shape"):
        SampleSnapshots(z, at=[1], y=y[:2])
