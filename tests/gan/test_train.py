import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.common.checkpoint import checkpoint_path, load_checkpoint
from tutorial_lib.gan import regularizers
from tutorial_lib.gan.callbacks import EMA, SampleSnapshots
from tutorial_lib.gan.history import HISTORY_KEYS
from tutorial_lib.gan.losses import generator_loss
from tutorial_lib.gan.models import (
    DCGANDiscriminator,
    DCGANGenerator,
    GaussianGenerator,
    MLPDiscriminator,
    MLPGenerator,
)
from tutorial_lib.gan.train import TrainingDivergedError, linear_decay_factor, pack_samples, train_gan
from tutorial_lib.translation.cyclegan import CycleGANObjective, build_cyclegan, unpaired_batches


def _toy(seed=0, pack=1, **d_kwargs):
    torch.manual_seed(seed)
    return MLPGenerator(1, 1, hidden=16, depth=2), MLPDiscriminator(1, hidden=16, depth=2, pack=pack, **d_kwargs)


def _gauss(n, g):
    return 3.0 + 0.5 * torch.randn(n, 1, generator=g)


def _digits_models(seed=0, conditional=True):
    torch.manual_seed(seed)
    k = 10 if conditional else None
    return (
        DCGANGenerator(latent_dim=8, image_size=8, width=8, num_classes=k),
        DCGANDiscriminator(image_size=8, width=8, num_classes=k),
    )


def _digits_data(n=64):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, 8, 8, generator=g), torch.arange(n) % 10


def _same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_history_has_every_quantity_for_every_step():
    G, D = _toy()
    h = train_gan(G, D, _gauss, steps=5, batch_size=8, device="cpu", progress=False)
    assert h.step == [1, 2, 3, 4, 5] and len(h) == 5 and h.seconds > 0
    for key in HISTORY_KEYS:
        assert len(getattr(h, key)) == 5
    assert all(0 < v < 1 for v in h.d_real + h.d_fake)
    assert all(v > 0 for v in h.grad_norm_d + h.grad_norm_g) and h.penalty == [0.0] * 5


def test_one_dimensional_gan_learns_the_mean():
    G, D = _toy()
    z = torch.randn(2000, 1, generator=torch.Generator().manual_seed(1))
    before = G(z).mean().item()
    train_gan(G, D, _gauss, steps=300, batch_size=64, lr=2e-3, device="cpu", progress=False)
    after = G(z).mean().item()
    assert abs(before - 3.0) > 2.0 and abs(after - 3.0) < 0.5, (before, after)


class _Recorder(torch.nn.Module):
    """Wraps a network and keeps the arguments of every call."""

    def __init__(self, net):
        super().__init__()
        self.net, self.calls = net, []
        self.latent_dim, self.num_classes = getattr(net, "latent_dim", None), getattr(net, "num_classes", None)

    def forward(self, *args):
        self.calls.append([a.detach().clone() for a in args])
        return self.net(*args)


def _rows_of(batch, data):
    """The index in ``data`` of every sample of ``batch`` (-1 where none matches)."""
    same = (batch.flatten(1)[:, None] == data.flatten(1)[None]).all(-1)
    return torch.where(same.any(1), same.float().argmax(1), -1)


def test_real_batches_come_from_the_data_and_fakes_get_the_real_labels():
    G, D = _toy()
    data = torch.randn(100, 1, generator=torch.Generator().manual_seed(0))
    D = _Recorder(D)
    train_gan(G, D, data, steps=3, batch_size=8, device="cpu", progress=False)
    reals = [call[0] for call in D.calls[::3]]  # per step: D(real), D(fake), then D(fake) for L_G
    assert len(reals) == 3 and all((_rows_of(x, data) >= 0).all() for x in reals)

    G, D = _digits_models()
    images, labels = _digits_data()
    G, D = _Recorder(G), _Recorder(D)
    train_gan(G, D, (images, labels), steps=3, batch_size=16, device="cpu", progress=False)
    for t in range(3):
        (real, y_real), (_, y_fake), (_, y_g) = D.calls[3 * t : 3 * t + 3]
        rows = _rows_of(real, images)
        assert (rows >= 0).all() and torch.equal(y_real, labels[rows])  # each image with its own label
        assert torch.equal(G.calls[t][1], y_real) and torch.equal(y_fake, y_real) and torch.equal(y_g, y_real)


def test_argument_errors_are_clear():
    G, D = _toy()
    with pytest.raises(ValueError, match="Valid kinds"):
        train_gan(G, D, _gauss, steps=1, loss="vanilla", device="cpu")
    with pytest.raises(ValueError, match="d_steps must be an int >= 1"):
        train_gan(G, D, _gauss, steps=1, d_steps=0, device="cpu")
    with pytest.raises(ValueError, match="divisible by pack"):
        train_gan(G, D, _gauss, steps=1, batch_size=9, pack=2, device="cpu")
    with pytest.raises(TypeError, match="data must be"):
        train_gan(G, D, "animals", steps=1, device="cpu")
    Gu, Du = _digits_models(conditional=False)
    with pytest.raises(ValueError, match="G is unconditional"):
        train_gan(Gu, Du, _digits_data(), steps=1, device="cpu")


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "lsgan", "hinge", "wasserstein"])
def test_every_loss_kind_trains(loss):
    """μ of a Gaussian generator N(μ, σ²), started at 0, ends within 1 of the data's mean 3 (after 200 steps)."""
    torch.manual_seed(0)
    G, D = GaussianGenerator(1), MLPDiscriminator(1, hidden=16, depth=2)
    penalty = regularizers.wgan_gp(1.0) if loss == "wasserstein" else None
    h = train_gan(G, D, _gauss, loss=loss, penalty=penalty, steps=200, batch_size=64, lr=2e-2, device="cpu",
                  progress=False)  # fmt: skip
    assert abs(G.mean.item() - 3.0) < 1.0, G.mean.item()
    assert len(h) == 200 and all(math.isfinite(v) for v in h.score_real + h.score_fake)
    # d_real is D's probability only for the cross-entropy kinds
    assert all(math.isfinite(v) == (loss in ("minimax", "nonsaturating")) for v in h.d_real + h.d_fake)


def test_an_unconstrained_wasserstein_critic_warns():
    with pytest.warns(UserWarning, match=r"unconstrained critic.*wgan_gp\(10.0\).*spectral_norm=True"):
        train_gan(*_toy(), _gauss, loss="wasserstein", steps=1, batch_size=8, device="cpu", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a penalty or spectral norm is a constraint: no warning
        train_gan(*_toy(), _gauss, loss="wasserstein", penalty=regularizers.wgan_gp(), steps=1, batch_size=8,
                  device="cpu", progress=False)  # fmt: skip
        train_gan(*_toy(spectral_norm=True), _gauss, loss="wasserstein", steps=1, batch_size=8, device="cpu",
                  progress=False)  # fmt: skip


def test_penalties_pack_unroll_and_d_steps_are_options_of_the_same_loop():
    G, D = _toy(pack=2, spectral_norm=True, minibatch_std=True)
    h = train_gan(G, D, _gauss, loss="wasserstein", penalty=regularizers.wgan_gp(10.0), pack=2, d_steps=2,
                  steps=3, batch_size=8, device="cpu", progress=False)  # fmt: skip
    assert all(p > 0 for p in h.penalty)
    G, D = _toy()
    h = train_gan(G, D, _gauss, penalty=regularizers.r1(1.0), unroll_steps=2, steps=3, batch_size=8,
                  device="cpu", progress=False)  # fmt: skip
    assert all(p > 0 for p in h.penalty)


def test_lazy_penalty_applies_every_kth_step_scaled_by_k():
    k, raw, weights = 3, [], []

    def r1_spy(critic, real, fake, generator):
        value = regularizers.r1(1.0)(critic, real, fake, generator)
        raw.append(value.detach())
        value.register_hook(lambda grad: weights.append(grad.item()))  # ∂L_D/∂penalty: its weight in L_D
        return value

    G, D = _toy()
    h = train_gan(G, D, _gauss, penalty=r1_spy, penalty_every=k, steps=7, batch_size=8, device="cpu",
                  progress=False)  # fmt: skip
    assert len(raw) == 2 and weights == [k, k]  # evaluated on steps 3 and 6 only, added to L_D times k
    assert [h.penalty[2], h.penalty[5]] == [(k * v).item() for v in raw] and all(v > 0 for v in raw)
    assert [p for i, p in enumerate(h.penalty) if i not in (2, 5)] == [0.0] * 5


def test_unrolling_leaves_the_discriminator_as_it_was():
    G, D = _toy()
    before = {k: v.clone() for k, v in D.state_dict().items()}
    ref_G, ref_D = _toy()
    # lr_G = 0: only D's own update changes D
    train_gan(G, D, _gauss, unroll_steps=3, steps=1, batch_size=8, device="cpu", progress=False, lr=(0.0, 1e-2))
    train_gan(ref_G, ref_D, _gauss, steps=1, batch_size=8, device="cpu", progress=False, lr=(0.0, 1e-2))
    assert any(not torch.equal(before[k], v) for k, v in D.state_dict().items())
    assert _same_state(D, ref_D)  # the three unrolled updates were undone


def test_unrolling_changes_the_generator_update_to_the_one_against_d_k_steps_ahead():
    k, lr, batch, seed = 3, 1e-2, 8, 2
    common = dict(steps=1, batch_size=batch, device="cpu", progress=False, seed=seed)
    G0, D0 = _toy()
    train_gan(G0, D0, _gauss, lr=lr, **common)
    Gk, Dk = _toy()
    train_gan(Gk, Dk, _gauss, lr=lr, unroll_steps=k, **common)
    assert not _same_state(G0, Gk) and _same_state(D0, Dk)  # G's update changed; D's look-ahead was undone

    # Independently: D after its update and k more on the next batches (the same draws as d_steps = 1 + k,
    # with lr_G = 0 so that only D moves), then one Adam step of G on L_G against that D.
    _, D_ahead = _toy()
    train_gan(_toy()[0], D_ahead, _gauss, lr=(0.0, lr), d_steps=1 + k, **common)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(1 + k):
        _gauss(batch, gen), torch.randn(batch, 1, generator=gen)  # real batch and z of each D update
    G_ref, _ = _toy()
    opt = torch.optim.Adam(G_ref.parameters(), lr=lr, betas=(0.5, 0.999))
    D_ahead.requires_grad_(False)
    generator_loss(D_ahead(G_ref(torch.randn(batch, 1, generator=gen))), "nonsaturating").backward()
    opt.step()
    assert _same_state(G_ref, Gk)


def test_a_step_without_options_is_the_textbook_alternating_update():
    """train_gan, bit for bit, equals the plain loop written out: the same draws, losses and Adam steps."""
    G, D = _toy()
    train_gan(G, D, _gauss, steps=5, d_steps=2, batch_size=8, lr=1e-2, seed=4, device="cpu", progress=False)
    G_ref, D_ref = _toy()
    opt_g = torch.optim.Adam(G_ref.parameters(), lr=1e-2, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D_ref.parameters(), lr=1e-2, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(4)
    for _ in range(5):
        for _ in range(2):
            real = _gauss(8, gen)
            fake = G_ref(torch.randn(8, 1, generator=gen))
            loss_d = F.softplus(-D_ref(real)).mean() + F.softplus(D_ref(fake.detach())).mean()
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
        loss_g = F.softplus(-D_ref(fake)).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    assert _same_state(G, G_ref) and _same_state(D, D_ref)


def test_linear_decay_factor_closed_form():
    # steps = 10, decay from 0.4: t0 = 4, then (10 - t + 1) / 6 for t = 5..10
    assert [linear_decay_factor(t, 10, 0.4) for t in range(1, 11)] == pytest.approx(
        [1, 1, 1, 1, 1, 5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6]
    )
    assert all(linear_decay_factor(t, 7, None) == 1.0 for t in range(1, 8))
    assert linear_decay_factor(1, 5, 0.0) == 1.0 and linear_decay_factor(5, 5, 0.0) == pytest.approx(1 / 5)
    with pytest.raises(ValueError, match="lr_decay_from"):
        train_gan(*_toy(), _gauss, steps=2, lr_decay_from=1.0, progress=False)


def test_lr_decay_scales_every_update():
    # Adam with beta1 = beta2 = 0 moves each weight by lr * g / |g| = ±lr, so the largest change of a
    # weight in step t is lr * f(t): the schedule is read off the weights, not off the optimizer.
    G, D = _toy()
    snapshots = []

    def keep(info):
        snapshots.append(torch.cat([p.detach().flatten().clone() for p in info.G.parameters()]))

    first = torch.cat([p.detach().flatten().clone() for p in G.parameters()])
    train_gan(G, D, _gauss, steps=6, lr=0.01, betas=(0.0, 0.0), lr_decay_from=0.5, callbacks=[keep],
              batch_size=32, progress=False)  # fmt: skip
    moves = [(b - a).abs().max().item() for a, b in zip([first, *snapshots], snapshots, strict=False)]
    expected = [0.01 * linear_decay_factor(t, 6, 0.5) for t in range(1, 7)]  # 1, 1, 1, 1, 2/3, 1/3
    assert moves == pytest.approx(expected, rel=1e-3)


def test_pack_samples_groups_consecutive_samples():
    x = torch.arange(12.0).view(6, 2)
    assert pack_samples(x, 3).tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    imgs = torch.rand(4, 1, 2, 2)
    assert torch.equal(pack_samples(imgs, 2)[1, 1], imgs[3, 0])


def test_checkpoint_is_written_atomically_and_loads_weights_only(tmp_path):
    G, D = _toy()
    train_gan(G, D, _gauss, steps=6, batch_size=8, checkpoint_dir=tmp_path, checkpoint_every=4, device="cpu",
              progress=False)  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]  # no temporary file left behind
    state = load_checkpoint(checkpoint_path(tmp_path))
    assert state["step"] == 6 and len(state["history"]["step"]) == 6
    torch.load(checkpoint_path(tmp_path), weights_only=True)


class _Interrupt(Exception):
    pass


def _interrupt_at(step):
    def cb(info):
        if info.step == step:
            raise _Interrupt

    return cb


@pytest.mark.parametrize("kind", ["mlp", "conditional-dcgan"])
def test_killed_and_resumed_run_is_bit_identical(tmp_path, kind):
    if kind == "mlp":
        make, data, extra = (
            (lambda: _toy(pack=2, minibatch_std=True)),
            _gauss,
            {"pack": 2, "penalty": regularizers.r1(), "lr_decay_from": 0.5},
        )
    else:
        make, data, extra = _digits_models, _digits_data(), {"loss": "hinge"}
    common = dict(steps=12, batch_size=16, device="cpu", progress=False, seed=3, **extra)

    G_ref, D_ref = make()
    ema_ref, snap_ref = EMA(G_ref, 0.9), SampleSnapshots(torch.randn(4, G_ref.latent_dim), at=[3, 12])
    if kind != "mlp":
        snap_ref.y = torch.arange(4)
    h_ref = train_gan(G_ref, D_ref, data, callbacks=[ema_ref, snap_ref], **common)

    G1, D1 = make()
    ema1, snap1 = EMA(G1, 0.9), SampleSnapshots(snap_ref.z, at=[3, 12], y=snap_ref.y)
    with pytest.raises(_Interrupt):
        train_gan(G1, D1, data, callbacks=[ema1, snap1, _interrupt_at(8)], checkpoint_dir=tmp_path,
                  checkpoint_every=5, **common)  # fmt: skip
    assert load_checkpoint(checkpoint_path(tmp_path))["step"] == 5

    # a fresh process would rebuild the models with other weights: resuming must overwrite them
    G2, D2 = make()
    with torch.no_grad():
        for p in list(G2.parameters()) + list(D2.parameters()):
            p.add_(1.0)
    ema2, snap2 = EMA(G2, 0.9), SampleSnapshots(snap_ref.z, at=[3, 12], y=snap_ref.y)
    torch.manual_seed(12345)  # and the global random state differs
    h2 = train_gan(G2, D2, data, callbacks=[ema2, snap2], checkpoint_dir=tmp_path, checkpoint_every=5, **common)

    assert _same_state(G2, G_ref) and _same_state(D2, D_ref) and _same_state(ema2.model, ema_ref.model)
    assert h2.step == h_ref.step and h2.loss_d == h_ref.loss_d and h2.grad_norm_g == h_ref.grad_norm_g
    assert sorted(snap2.images) == [3, 12] and all(torch.equal(snap2.images[s], snap_ref.images[s]) for s in (3, 12))


def test_resume_with_more_steps_continues_and_same_steps_returns(tmp_path):
    G, D = _toy()
    train_gan(G, D, _gauss, steps=4, batch_size=8, checkpoint_dir=tmp_path, device="cpu", progress=False)
    h = train_gan(G, D, _gauss, steps=4, batch_size=8, checkpoint_dir=tmp_path, device="cpu", progress=False)
    assert h.step == [1, 2, 3, 4]
    h = train_gan(G, D, _gauss, steps=7, batch_size=8, checkpoint_dir=tmp_path, device="cpu", progress=False)
    assert h.step == list(range(1, 8))
    G_ref, D_ref = _toy()
    train_gan(G_ref, D_ref, _gauss, steps=7, batch_size=8, device="cpu", progress=False)
    assert _same_state(G, G_ref)


def test_resume_refuses_a_checkpoint_made_with_other_settings(tmp_path):
    G, D = _toy()
    train_gan(G, D, _gauss, steps=2, batch_size=8, checkpoint_dir=tmp_path, device="cpu", progress=False)
    with pytest.raises(ValueError, match="loss: checkpoint 'nonsaturating', now 'hinge'"):
        train_gan(G, D, _gauss, loss="hinge", steps=4, batch_size=8, checkpoint_dir=tmp_path, device="cpu")
    h = train_gan(G, D, _gauss, loss="hinge", steps=1, batch_size=8, checkpoint_dir=tmp_path, resume=False,
                  device="cpu", progress=False)  # fmt: skip
    assert h.step == [1]


def test_resume_refuses_a_checkpoint_whose_lr_schedule_differs(tmp_path):
    G, D = _toy()
    train_gan(G, D, _gauss, steps=2, batch_size=8, lr_decay_from=0.5, checkpoint_dir=tmp_path, device="cpu",
              progress=False)  # fmt: skip
    with pytest.raises(ValueError, match="lr_decay_from: checkpoint 0.5, now None"):
        train_gan(G, D, _gauss, steps=4, batch_size=8, checkpoint_dir=tmp_path, device="cpu", progress=False)
    h = train_gan(G, D, _gauss, steps=4, batch_size=8, lr_decay_from=0.5, checkpoint_dir=tmp_path, device="cpu",
                  progress=False)  # fmt: skip
    assert h.step == [1, 2, 3, 4]


def test_nan_loss_stops_with_the_step_and_keeps_the_last_good_checkpoint(tmp_path):
    calls, seen = {"n": 0}, {}

    def poisoned(n, g):
        calls["n"] += 1
        x = _gauss(n, g)
        return x * float("nan") if calls["n"] > 7 else x  # call 1 is make_sampler's probe

    def keep(info):  # the state after step 6, which step 7 must not change
        seen.update(opts=(info.opt_g, info.opt_d), state=_everything(info.G, info.D, info.opt_g, info.opt_d))

    G, D = _toy()
    with pytest.raises(TrainingDivergedError, match=r"L_D became nan at step 7.*last good checkpoint \(step 4\)"):
        train_gan(G, D, poisoned, steps=10, batch_size=8, checkpoint_dir=tmp_path, checkpoint_every=4, device="cpu",
                  progress=False, callbacks=[keep])  # fmt: skip
    state = load_checkpoint(checkpoint_path(tmp_path))
    assert state["step"] == 4 and len(state["history"]["step"]) == 4
    _assert_same(seen["state"], _everything(G, D, *seen["opts"]))


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time, torch
    torch.set_num_threads(1)
    sys.path.insert(0, sys.argv[2])
    from tests.gan.test_train import _kill_run
    _kill_run(sys.argv[1], slow=0.05)
    """
)


def _kill_run(checkpoint_dir, slow=0.0):
    torch.manual_seed(0)
    G, D = _digits_models()
    train_gan(G, D, _digits_data(), steps=40, batch_size=16, checkpoint_dir=checkpoint_dir, checkpoint_every=3,
              device="cpu", progress=False, callbacks=[lambda info: time.sleep(slow)])  # fmt: skip
    return G, D


@pytest.mark.slow
def test_sigkilled_process_resumes_bit_identical(tmp_path):
    """A real kill -9 in the middle of training, then a resume in this process."""
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path), root])
    path = checkpoint_path(tmp_path)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if path.is_file() and load_checkpoint(path)["step"] >= 9:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = load_checkpoint(path)["step"]
    assert 9 <= killed_at < 40, killed_at
    G, D = _kill_run(tmp_path)
    G_ref, D_ref = _kill_run(None)
    assert _same_state(G, G_ref) and _same_state(D, D_ref)


@pytest.mark.gpu
def test_a_training_step_on_cuda():
    G, D = _digits_models()
    h = train_gan(G, D, _digits_data(), steps=3, batch_size=16, device="cuda", progress=False)
    assert next(G.parameters()).is_cuda and len(h) == 3 and all(map(lambda v: v == v, h.loss_g))


@pytest.mark.gpu
def test_resume_on_cuda(tmp_path):
    """Checkpoints load with map_location=cuda; the RNG states in them must still reach the CPU generators."""
    G, D = _digits_models()
    train_gan(G, D, _digits_data(), steps=2, batch_size=16, device="cuda", checkpoint_dir=tmp_path, progress=False)
    G, D = _digits_models()
    h = train_gan(G, D, _digits_data(), steps=4, batch_size=16, device="cuda", checkpoint_dir=tmp_path, progress=False)
    assert h.step[0] == 1 and len(h) == 4 and next(G.parameters()).is_cuda


# --- A step is all or nothing: divergence anywhere in it leaves G, D and both optimizers as they were ---


class _NaNGradient(torch.autograd.Function):
    """The identity, whose backward pass returns NaN: a finite loss with a NaN gradient behind it."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return torch.full_like(grad, float("nan"))


class _Trap(torch.nn.Module):
    """Wraps a network; after ``arm(n, how)`` its n-th call goes wrong: ``"value"`` returns NaN,
    ``"grad"`` returns the right output with a NaN gradient behind it."""

    def __init__(self, net):
        super().__init__()
        self.net, self.countdown, self.how = net, 0, None
        self.latent_dim, self.num_classes = getattr(net, "latent_dim", None), getattr(net, "num_classes", None)

    def arm(self, n, how):
        self.countdown, self.how = n, how

    def forward(self, *args, **kwargs):
        out = self.net(*args, **kwargs)
        self.countdown -= 1
        if self.countdown != 0:
            return out
        first = out[0] if isinstance(out, tuple) else out
        first = first * float("nan") if self.how == "value" else _NaNGradient.apply(first)
        return (first, *out[1:]) if isinstance(out, tuple) else first


def _flat(state, prefix=""):
    """Every leaf of a (nested) state dict, by path: tensors cloned, numbers and strings as they are."""
    if isinstance(state, dict):
        return {k: v for key, sub in state.items() for k, v in _flat(sub, f"{prefix}/{key}").items()}
    if isinstance(state, list | tuple):
        return {k: v for i, sub in enumerate(state) for k, v in _flat(sub, f"{prefix}/{i}").items()}
    return {prefix: state.detach().clone() if isinstance(state, torch.Tensor) else state}


def _everything(G, D, opt_g, opt_d):
    return _flat({"G": G.state_dict(), "D": D.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict()})


def _assert_same(before, after):
    assert before.keys() == after.keys()
    for k, v in before.items():
        if isinstance(v, torch.Tensor):
            assert v.dtype == after[k].dtype and torch.equal(v, after[k]), k
        else:
            assert v == after[k], k


def _diverge_at(G, D, data, fail_at, arm, **kwargs):
    """Train with ``arm()`` called after step ``fail_at - 1``; return (state then, the error, state after it)."""
    seen = {}

    def callback(info):
        if info.step == fail_at - 1:
            arm()
            seen.update(opts=(info.opt_g, info.opt_d), before=_everything(G, D, info.opt_g, info.opt_d))

    with pytest.raises(TrainingDivergedError) as err:
        train_gan(G, D, data, steps=fail_at + 2, callbacks=[callback], device="cpu", progress=False, **kwargs)
    return seen["before"], err.value, _everything(G, D, *seen["opts"])


def _trapped(kind):
    if kind == "mlp":  # spectral norm keeps u, v buffers in D; minibatch-std couples the batch
        G, D = _toy(spectral_norm=True, minibatch_std=True)
        return _Trap(G), _Trap(D), _gauss
    G, D = _digits_models()  # batch norm: running statistics in G and in D
    return _Trap(G), _Trap(D), _digits_data()


# (what diverges, d_steps, which network, its n-th call in the failing step, how, the message)
GUARD_CASES = [
    ("L_D", 1, "D", 1, "value", r"L_D became nan at step 3 \(D update 1 of 1\)"),
    ("L_D, 2nd of 3 D updates", 3, "D", 3, "value", r"L_D became nan at step 3 \(D update 2 of 3\)"),
    ("L_G", 1, "D", 3, "value", r"L_G became nan at step 3 \(G update\)"),
    ("L_G after 3 D updates", 3, "D", 7, "value", r"L_G became nan at step 3 \(G update\)"),
    ("D's gradient", 1, "D", 2, "grad", r"D's gradient became nan at step 3 \(D update 1 of 1\)"),
    ("D's gradient, 2nd of 3", 3, "D", 4, "grad", r"D's gradient became nan at step 3 \(D update 2 of 3\)"),
    ("G's gradient", 1, "G", 1, "grad", r"G's gradient became nan at step 3 \(G update\)"),
    ("G's gradient after 3 D updates", 3, "G", 3, "grad", r"G's gradient became nan at step 3 \(G update\)"),
]


@pytest.mark.parametrize("kind", ["mlp", "dcgan"])
@pytest.mark.parametrize("case", GUARD_CASES, ids=[c[0] for c in GUARD_CASES])
def test_divergence_anywhere_in_a_step_restores_every_tensor(kind, case):
    _, d_steps, net, call, how, message = case
    G, D, data = _trapped(kind)
    trap = G if net == "G" else D
    # lr_decay_from=0: the failing step changes the learning rates too, before anything diverges
    before, err, after = _diverge_at(G, D, data, 3, lambda: trap.arm(call, how), d_steps=d_steps, batch_size=16,
                                     lr=1e-2, lr_decay_from=0.0, seed=1)  # fmt: skip
    _assert_same(before, after)
    assert re.search(message, str(err)), str(err)
    assert "restored to their state at the start of step 3" in str(err) and "no checkpoint" in str(err)


def test_divergence_in_the_penalty_or_the_unrolled_look_ahead_restores_every_tensor():
    armed = {"on": False}

    def r1_then_nan(critic, real, fake, generator):
        value = regularizers.r1(1.0)(critic, real, fake, generator)
        return value * float("nan") if armed["on"] else value

    G, D, data = _trapped("mlp")
    before, err, after = _diverge_at(G, D, data, 3, lambda: armed.update(on=True), penalty=r1_then_nan,
                                     d_steps=2, batch_size=16, lr=1e-2)  # fmt: skip
    _assert_same(before, after)
    assert re.search(r"the penalty became nan at step 3 \(D update 1 of 2\)", str(err))
    # unroll_steps=2: D's calls in a step are 2 (its update), 2 + 2 (the look-ahead), then 1 (L_G)
    for call, where in [(5, r"L_D became nan at step 3 \(unrolled D update 2 of 2\)"), (7, r"L_G .*\(G update\)")]:
        G, D, data = _trapped("mlp")
        before, err, after = _diverge_at(G, D, data, 3, lambda D=D, call=call: D.arm(call, "value"), unroll_steps=2,
                                         batch_size=16, lr=1e-2)  # fmt: skip
        _assert_same(before, after)
        assert re.search(where, str(err)), str(err)


class _PoisonedObjective:
    """CycleGAN's objective, whose L_D (on D update ``d_call``) or L_G turns NaN once ``armed``."""

    def __init__(self, d_call=None):
        self.inner, self.d_call, self.armed, self.calls = CycleGANObjective(), d_call, False, 0
        self.config, self.loss = self.inner.config, self.inner.loss

    def d_loss(self, G, D, real):
        loss, stats, carry = self.inner.d_loss(G, D, real)
        self.calls += self.armed
        return (loss * float("nan") if self.calls == self.d_call else loss), stats, carry

    def g_loss(self, G, D, carry):
        loss, stats = self.inner.g_loss(G, D, carry)
        return (loss * float("nan") if self.armed and self.d_call is None else loss), stats


@pytest.mark.parametrize("d_call", [2, None], ids=["L_D, 2nd of 2 D updates", "L_G"])
def test_divergence_in_an_objective_restores_every_tensor(d_call):
    torch.manual_seed(0)
    G, D = build_cyclegan(image_size=8, g_width=4, blocks=1, d_width=4)
    g = torch.Generator().manual_seed(0)
    data = unpaired_batches(torch.rand(20, 1, 8, 8, generator=g), torch.rand(20, 1, 8, 8, generator=g))
    objective = _PoisonedObjective(d_call)
    before, err, after = _diverge_at(G, D, data, 3, lambda: setattr(objective, "armed", True), objective=objective,
                                     d_steps=2, batch_size=4)  # fmt: skip
    _assert_same(before, after)
    assert re.search(r"L_D became nan at step 3 \(D update 2 of 2\)" if d_call else r"L_G became nan", str(err))
