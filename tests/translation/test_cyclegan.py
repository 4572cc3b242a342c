"""CycleGAN pieces (tutorial_lib/translation/cyclegan.py) and the measured horse ↔ zebra check (horse_zebra.py)."""

import math

import pytest
import torch
from torch import nn

from tutorial_lib.common.checkpoint import checkpoint_path, load_checkpoint
from tutorial_lib.gan.train import train_gan
from tutorial_lib.translation.cyclegan import (
    CycleGANObjective,
    FakePool,
    PatchDiscriminator,
    ResnetGenerator,
    build_cyclegan,
    cycle_error,
    cycle_loss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    unpaired_batches,
)


def _images(n=6, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_generator_keeps_the_shape_and_maps_to_pixels_through_tanh():
    """The image is exactly (1 + tanh t) / 2 of the network's output t on the input 2x − 1, and every
    parameter gets a gradient."""
    torch.manual_seed(0)
    G = ResnetGenerator(width=4, blocks=1)
    x = _images()
    seen = {}
    G.net.register_forward_hook(lambda module, inputs, out: seen.update(t=out, a=inputs[0]))
    out = G(x)
    assert out.shape == (6, 1, 28, 28)
    torch.testing.assert_close(seen["a"], 2 * x - 1)
    t = seen["t"]
    torch.testing.assert_close(out, (1 + (torch.exp(t) - torch.exp(-t)) / (torch.exp(t) + torch.exp(-t))) / 2)
    out.sum().backward()
    for name, p in G.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 28, 28\); got \(6, 1, 32, 32\)"):
        G(torch.rand(6, 1, 32, 32))


def test_patch_discriminator_gives_a_7x7_map_of_18x18_patches():
    torch.manual_seed(0)
    D = PatchDiscriminator(width=4)
    assert D(_images()).shape == (6, 1, 7, 7)
    # receptive field: which input pixels move the score of the centre patch? Instance norm uses statistics
    # of the whole map, so measure the convolutions' field with it taken out.
    D.net[3] = nn.Identity()
    x = _images(1).requires_grad_(True)
    D(x)[0, 0, 3, 3].backward()
    rows, cols = (x.grad[0, 0].abs() > 0).nonzero(as_tuple=True)
    assert rows.max() - rows.min() + 1 == 18 and cols.max() - cols.min() + 1 == 18


def test_lsgan_losses_against_hand_computed_values():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    # ½ mean((1-1)², (0-1)²) + ½ mean(0², 2²) = ½ · ½ + ½ · 2 = 1.25
    assert lsgan_discriminator_loss(real, fake).item() == pytest.approx(1.25)
    # mean((0-1)², (2-1)²) = 1, for patch maps of any shape
    assert lsgan_generator_loss(fake.reshape(1, 1, 1, 2)).item() == pytest.approx(1.0)
    assert lsgan_generator_loss(torch.ones(3, 1, 7, 7)).item() == 0.0


def test_cycle_loss_is_the_mean_absolute_pixel_difference():
    x = torch.zeros(2, 1, 4, 4)
    rec = x.clone()
    rec[0, 0, :2, :2] = 0.5  # 4 of 32 pixels off by 0.5
    assert cycle_loss(x, rec).item() == pytest.approx(4 * 0.5 / 32)
    with pytest.raises(ValueError, match="one shape"):
        cycle_loss(x, rec[:1])


class _Invert(nn.Module):
    def forward(self, x):
        return 1 - x


class _Constant(nn.Module):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, x):
        return torch.full((x.shape[0], 1, 7, 7), self.value)


def test_objective_adds_the_terms_with_their_weights():
    """G inverts, F is the identity, both discriminators answer 0.25 everywhere: every term is known."""
    G = nn.ModuleDict({"G": _Invert(), "F": nn.Identity()})
    D = nn.ModuleDict({"D_X": _Constant(0.25), "D_Y": _Constant(0.25)})
    x, y = torch.full((3, 1, 28, 28), 0.2), torch.full((3, 1, 28, 28), 0.9)
    obj = CycleGANObjective(cycle_weight=10.0, identity_weight=0.5)
    loss_d, stats, carry = obj.d_loss(G, D, torch.stack([x, y], 1))
    assert loss_d.item() == pytest.approx(2 * (0.5 * 0.75**2 + 0.5 * 0.25**2))
    assert stats["score_real"].item() == pytest.approx(0.25) and stats["score_fake"].item() == pytest.approx(0.25)
    assert math.isnan(stats["d_real"]) and math.isnan(stats["d_fake"])  # σ of an LSGAN score is no probability
    assert obj.loss == "lsgan"
    total, stats = obj.g_loss(G, D, carry)
    adversarial = 2 * 0.75**2
    cycle = abs(0.8 - 0.2) + abs(0.1 - 0.9)  # F(G(x)) = 1 - x, G(F(y)) = 1 - y
    identity = abs(0.1 - 0.9) + 0.0  # G(y) = 1 - y, F(x) = x
    assert stats["loss_g"].item() == pytest.approx(adversarial)
    assert stats["cycle"].item() == pytest.approx(cycle) and stats["identity"].item() == pytest.approx(identity)
    assert total.item() == pytest.approx(adversarial + 10 * cycle + 0.5 * 10 * identity)
    total0, stats0 = CycleGANObjective(cycle_weight=0.0).g_loss(G, D, carry)
    assert total0.item() == pytest.approx(adversarial) and stats0["cycle"].item() == pytest.approx(cycle)
    with pytest.raises(ValueError, match=r"\(B, 2, C, H, W\)"):
        obj.d_loss(G, D, x)


def test_unpaired_batches_draw_independent_rows():
    x, y = torch.zeros(5, 1, 28, 28), torch.ones(7, 1, 28, 28)
    batch = unpaired_batches(x, y)(4, torch.Generator().manual_seed(0))
    assert batch.shape == (4, 2, 1, 28, 28) and batch[:, 0].max() == 0 and batch[:, 1].min() == 1
    with pytest.raises(ValueError, match="one size"):
        unpaired_batches(x, torch.ones(7, 1, 8, 8))


def _tiny(seed=0, pool_size=0):
    torch.manual_seed(seed)
    return build_cyclegan(g_width=2, blocks=1, d_width=2, pool_size=pool_size)


def _same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_train_gan_runs_the_objective_and_records_its_terms():
    G, D = _tiny()
    data = unpaired_batches(_images(8, 1), _images(8, 2))
    h = train_gan(G, D, data, objective=CycleGANObjective(), steps=3, batch_size=4, device="cpu", progress=False)
    assert h.step == [1, 2, 3] and len(h.extra["cycle"]) == 3 and all(v > 0 for v in h.grad_norm_g)
    assert h.smoothed("cycle", 2).shape == (3,)
    with pytest.raises(ValueError, match="leave penalty, pack"):
        train_gan(G, D, data, objective=CycleGANObjective(), steps=1, pack=2, batch_size=4, device="cpu")


class _Interrupt(Exception):
    pass


def _stop_at(step):
    def cb(info):
        if info.step == step:
            raise _Interrupt

    return cb


@pytest.mark.parametrize("pool_size", [0, 6])
def test_interrupted_cyclegan_resumes_bit_identical(tmp_path, pool_size):
    """With a pool of 6 it is full after 2 steps of 4 fakes: the resumed steps 4-6 mix remembered fakes in."""
    data = unpaired_batches(_images(8, 1), _images(8, 2))
    common = dict(objective=CycleGANObjective(), steps=6, batch_size=4, device="cpu", progress=False, seed=2)
    G_ref, D_ref = _tiny(pool_size=pool_size)
    h_ref = train_gan(G_ref, D_ref, data, **common)
    G1, D1 = _tiny(pool_size=pool_size)
    with pytest.raises(_Interrupt):
        train_gan(G1, D1, data, callbacks=[_stop_at(5)], checkpoint_dir=tmp_path, checkpoint_every=3, **common)
    assert load_checkpoint(checkpoint_path(tmp_path))["step"] == 3
    G2, D2 = _tiny(seed=1, pool_size=pool_size)  # other weights: resuming must overwrite them
    h2 = train_gan(G2, D2, data, checkpoint_dir=tmp_path, checkpoint_every=3, **common)
    assert _same_state(G2, G_ref) and _same_state(D2, D_ref)
    assert h2.extra["cycle"] == h_ref.extra["cycle"] and h2.loss_d == h_ref.loss_d
    with pytest.raises(ValueError, match="objective: checkpoint"):
        train_gan(G2, D2, data, **{**common, "objective": CycleGANObjective(0.0), "steps": 8},
                  checkpoint_dir=tmp_path)  # fmt: skip


def _rows(t):
    return sorted(tuple(r.flatten().tolist()) for r in t)


def test_fake_pool_fills_first_then_swaps_about_half():
    pool = FakePool(5, channels=1, image_size=4)
    first = torch.arange(3.0).view(3, 1, 1, 1).expand(3, 1, 4, 4)
    assert torch.equal(pool.mix(first), first)  # while it fills, the fakes come back as they are
    swapped = total = 0
    for call in range(1, 201):
        before = pool.images.clone()
        fakes = (10 * call + torch.arange(3.0)).view(3, 1, 1, 1).expand(3, 1, 4, 4)
        out = pool.mix(fakes)
        if call > 1:  # full from here on (3 + 3 > 5)
            # nothing is lost or made up: what comes out plus what stays in is what was there plus what came in
            assert _rows(torch.cat([out, pool.images])) == _rows(torch.cat([fakes, before]))
            swapped += int((out[:, 0, 0, 0] < 10 * call).sum())
            total += 3
    assert int(pool.seen) == 603 and 0.4 < swapped / total < 0.6  # about half; binomial sd 0.02
    assert dict(pool.named_parameters()) == {}  # buffers only: D's optimizer never sees it


def test_fake_pool_is_restored_from_its_state_dict():
    a, b = FakePool(4, 1, 4), FakePool(4, 1, 4)
    for i in range(3):
        a.mix(torch.full((3, 1, 4, 4), float(i)))
    b.load_state_dict(a.state_dict())
    new = torch.full((3, 1, 4, 4), 9.0)
    assert torch.equal(a.mix(new), b.mix(new)) and torch.equal(a.images, b.images)
    with pytest.raises(ValueError, match="size"):
        FakePool(0)


def test_objective_shows_the_discriminators_the_pool():
    G, D = _tiny(pool_size=50)
    batch = unpaired_batches(_images(8, 1), _images(8, 2))(4, torch.Generator().manual_seed(0))
    CycleGANObjective().d_loss(G, D, batch)
    assert int(D["pool_X"].seen) == int(D["pool_Y"].seen) == 4
    with torch.no_grad():
        assert torch.allclose(D["pool_Y"].images[:4], G["G"](batch[:, 0]))  # D_Y remembers G(x)
        assert torch.allclose(D["pool_X"].images[:4], G["F"](batch[:, 1]))  # D_X remembers F(y)


class _Brightness(nn.Module):
    """A real judge of two classes: 0 for dark images, 1 for bright ones (``sign`` = -1 says the opposite)."""

    def __init__(self, sign=1.0):
        super().__init__()
        self.sign = nn.Parameter(torch.tensor(sign))

    def forward(self, x):
        m = x.mean(dim=(1, 2, 3))
        return self.sign * torch.stack([0.5 - m, m - 0.5], dim=1)


def test_evaluate_translation_reports_the_panel_and_each_judge():
    from tutorial_lib.common.judges import JudgePanel
    from tutorial_lib.translation.horse_zebra import evaluate_translation

    G = nn.ModuleDict({"G": _Invert(), "F": _Invert()})
    dark, bright = 0.3 * _images(10, 1), 0.7 + 0.3 * _images(10, 2)  # X dark (class 0), Y bright (class 1)
    panel = JudgePanel([_Brightness(), _Brightness(), _Brightness(-1.0)])  # the third judge is always wrong
    m = evaluate_translation(G, panel, dark, bright, labels=(0, 1))
    assert m["x_to_y"] == 1.0 and m["y_to_x"] == 1.0  # G(x) = 1 - x is bright: two of three judges win
    assert m["x_to_y_judges"] == [1.0, 1.0, 0.0] and m["y_to_x_judges"] == [1.0, 1.0, 0.0]
    assert m["cycle_x"] == pytest.approx(0.0, abs=1e-6) and m["cycle_y"] == pytest.approx(0.0, abs=1e-6)
    alone = evaluate_translation(G, _Brightness(-1.0), dark, bright, labels=(0, 1))  # one classifier: a panel of one
    assert alone["x_to_y"] == 0.0 and alone["x_to_y_judges"] == [0.0]


def test_cycle_error_of_inverse_translators_is_zero():
    G = nn.ModuleDict({"G": _Invert(), "F": _Invert()})
    x = _images(4)
    assert cycle_error(G, x, "XY") == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="direction"):
        cycle_error(G, x, "XZ")


def test_the_default_profile_runs_the_measured_settings():
    from tutorial_lib.config import get_profile
    from tutorial_lib.translation.horse_zebra import ABLATION_STEPS, JUDGE_EPOCHS, QUALITY_STEPS

    default = get_profile("default")
    assert (default.cyclegan_steps, default.judge_epochs) == (QUALITY_STEPS, JUDGE_EPOCHS)
    assert default.cyclegan_ablation_steps == ABLATION_STEPS


def test_copy_at_keeps_the_weights_of_that_step_and_survives_a_resume(tmp_path):
    """CopyAt(G, 3) equals a run stopped after 3 steps; the copy is restored from a checkpoint written later."""
    from tutorial_lib.gan.callbacks import CopyAt

    data = unpaired_batches(_images(8, 1), _images(8, 2))
    common = dict(objective=CycleGANObjective(), batch_size=4, device="cpu", progress=False, seed=2)
    G_ref, D_ref = _tiny()
    train_gan(G_ref, D_ref, data, steps=3, **common)
    G1, D1 = _tiny()
    kept = CopyAt(G1, 3)
    train_gan(G1, D1, data, steps=6, callbacks=[kept], checkpoint_dir=tmp_path, checkpoint_every=5, **common)
    assert _same_state(kept.G, G_ref) and not _same_state(G1, G_ref)
    G2, D2 = _tiny()
    resumed = CopyAt(G2, 3)
    assert resumed.G is None
    train_gan(G2, D2, data, steps=6, callbacks=[resumed], checkpoint_dir=tmp_path, checkpoint_every=5, **common)
    assert _same_state(resumed.G, G_ref)


@pytest.mark.slow
def test_cyclegan_turns_horses_into_zebras_and_back(capsys, one_thread):
    """The recipe at QUALITY_STEPS, seed 4 (λ = 1 was chosen on seeds 1 and 2): the panel of three judges trained
    on real labels calls >= 75 % of translated horses zebras and >= 75 % of translated zebras horses; the round
    trip stays within 0.1 per pixel; without the cycle loss (λ = 0, ABLATION_STEPS) the round trip loses the
    content: error at least twice that of the recipe's run after as many steps, and than the finished run's.
    Measured on seed 4 (one thread): 99.0 % and 76.5 %, round trip 0.038 and 0.059; after 300 steps 0.040 and
    0.064 against λ = 0's 0.149 and 0.152. (Seed 3 passes with a thinner ablation margin: 0.138 against 0.067.)"""
    from tutorial_lib.translation.horse_zebra import QUALITY_STEPS, cyclegan_quality

    report, _ = cyclegan_quality(QUALITY_STEPS, seed=4, device="cpu", progress=False)  # one thread, as measured
    with capsys.disabled():
        print("\n" + report.summary())
    assert report.judge_test_accuracy >= 0.85, "the judges themselves are too weak to trust"
    m, m0 = report.with_cycle, report.without_cycle
    assert m["x_to_y"] >= 0.75 and m["y_to_x"] >= 0.75, m
    assert m["cycle_x"] < 0.1 and m["cycle_y"] < 0.1, m
    early = report.with_cycle_at_ablation
    assert m0["cycle_x"] > 2 * early["cycle_x"] and m0["cycle_y"] > 2 * early["cycle_y"], (early, m0)
    assert m0["cycle_x"] > 2 * m["cycle_x"] and m0["cycle_y"] > 2 * m["cycle_y"], (m, m0)
