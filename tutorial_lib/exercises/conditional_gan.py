"""Exercise of notebook 02: a minimal one-hot conditional GAN (Mirza & Osindero 2014), written by the student.

With e_y = one_hot(y) ∈ {0, 1}^K and l = D's logit:

    G(z, y) = g([z, e_y]),    D(x, y) = d([x, e_y]),
    L_D = −E[log σ(D(x, y))] − E[log(1 − σ(D(G(z, y), y)))] = E[softplus(−D(x, y))] + E[softplus(D(G(z, y), y))],
    L_G = −E[log σ(D(G(z, y), y))] = E[softplus(−D(G(z, y), y))]   (non-saturating, through the updated D).

:func:`check_conditional_gan` checks the shapes, that the label changes G's and D's outputs, the step's
losses and parameters against these formulas on a fixed batch, and then trains the student's GAN briefly
on three digits of scikit-learn's 8×8 digits and asks a classifier trained on the real digits whether
the samples of each class show the requested digit.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._core import ExerciseError, call_student, compare, passed

#: The digits the check trains on, the latent size and the training budget.
DIGITS, LATENT_DIM, TRAIN_STEPS, BATCH, LR = (0, 1, 7), 16, 400, 64, 2e-3
#: What a pass needs: the judge names the requested digit this often, on average and for the worst digit.
MIN_MEAN_ACCURACY, MIN_CLASS_ACCURACY = 0.7, 0.5

_ONE_HOT_HINT = {
    "must have same number of dimensions": "y holds class indices, shape (N,). Turn it into one-hot vectors "
    "with F.one_hot(y, num_classes).float(), shape (N, K), before concatenating.",
    "mat1 and mat2 shapes cannot be multiplied": "the first layer's input size must count the one-hot label: "
    "latent_dim + num_classes for G, in_dim + num_classes for D.",
    "Expected all tensors to have the same dtype": "F.one_hot returns integers; use F.one_hot(y, num_classes).float().",
    "backward through the graph a second time": "the D step back-propagated through G. Detach the fakes in "
    "the D step: D(fake.detach(), y).",
}


def _mistake_step(G, D, opt_G, opt_D, real, y, z, mistake: str = "") -> tuple[float, float]:  # noqa: ANN001
    """The step by the formulas above (written independently of the course's losses), or a known mistake."""
    if mistake != "no_zero_grad":
        opt_D.zero_grad()
    fake = G(z, y)
    ones, zeros = torch.ones(len(real)), torch.zeros(len(real))
    bce = F.binary_cross_entropy_with_logits
    loss_d = bce(D(real, y).reshape(-1), ones) + bce(D(fake.detach(), y).reshape(-1), zeros)
    (-loss_d if mistake == "d_sign" else loss_d).backward()
    opt_D.step()
    if mistake != "no_zero_grad":
        opt_G.zero_grad()
    fake_logits = D(fake, y).reshape(-1)
    loss_g = {"g_sign": -bce(fake_logits, ones), "saturating": -bce(fake_logits, zeros)}.get(
        mistake, bce(fake_logits, ones)
    )
    loss_g.backward()
    opt_G.step()
    return loss_d.item(), loss_g.item()


_MISTAKES = {
    "d_sign": "D climbed its loss instead of descending it: minimize L_D = E[softplus(−D(x, y))] + "
    "E[softplus(D(G(z, y), y))] (real scored high, fakes low), without a minus sign in front.",
    "g_sign": "G's loss has the wrong sign: G wants D(G(z, y), y) *high*, so minimize −E[log σ(D(G(z, y), y))] "
    "= F.softplus(−fake_logits).mean().",
    "saturating": "G used the saturating loss E[log(1 − σ(D(G(z, y), y)))]; use the non-saturating "
    "−E[log σ(D(G(z, y), y))] = F.softplus(−fake_logits).mean().",
    "no_zero_grad": "the gradients were not reset: call opt_D.zero_grad() before L_D.backward() and "
    "opt_G.zero_grad() before L_G.backward().",
}


def _params(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _run_step(step: Callable, nets: tuple[nn.Module, nn.Module], batch: tuple, *extra: str):  # noqa: ANN202
    """``step`` on fresh copies of ``nets`` with stale gradients and SGD; (losses, G's and D's parameters after)."""
    G, D = copy.deepcopy(nets[0]), copy.deepcopy(nets[1])
    for p in [*G.parameters(), *D.parameters()]:
        p.grad = torch.full_like(p, 0.3)
    opt_G, opt_D = torch.optim.SGD(G.parameters(), lr=0.05), torch.optim.SGD(D.parameters(), lr=0.05)
    losses = step(G, D, opt_G, opt_D, *(t.clone() for t in batch), *extra)
    return losses, _params(G), _params(D)


@functools.cache
def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The digits in ``DIGITS``, flattened to ``(N, 64)`` in [0, 1], and their labels 0..K−1."""
    from ..data import load_digits_tensor

    data = load_digits_tensor()
    keep = torch.isin(data.labels, torch.tensor(DIGITS))
    labels = torch.searchsorted(torch.tensor(DIGITS), data.labels[keep])
    return data.images[keep].flatten(1), labels


@functools.cache
def _judge() -> nn.Module:
    """A classifier trained once per session on the real digits of ``DIGITS``.

    Trained the same way on 400 of them, it named 99 % of the other 139 correctly."""
    from ..common.classifier import train_classifier

    x, y = _digits()
    return train_classifier(x.view(-1, 1, 8, 8), y, epochs=8, batch_size=64, seed=0, max_shift=1, progress=False)


def _build(name: str, make_generator: Callable, make_discriminator: Callable) -> tuple[nn.Module, nn.Module]:
    k = len(DIGITS)
    G = call_student(name, make_generator, f"building G(latent_dim={LATENT_DIM}, num_classes={k}, out_dim=64)",
                     LATENT_DIM, k, 64)  # fmt: skip
    D = call_student(name, make_discriminator, f"building D(in_dim=64, num_classes={k})", 64, k)
    for what, net in (("G", G), ("D", D)):
        if not isinstance(net, nn.Module) or not list(net.parameters()):
            raise ExerciseError(
                f"[{name}] Building {what} gave {type(net).__name__}: expected an nn.Module with weights."
            )
    return G, D


def _check_networks(name: str, G: nn.Module, D: nn.Module) -> None:
    """Shapes, G's range, and that both networks read the label."""
    k, n = len(DIGITS), 12
    gen = torch.Generator().manual_seed(1)
    z, x, y = torch.randn(n, LATENT_DIM, generator=gen), torch.rand(n, 64, generator=gen), torch.arange(n) % k
    G.eval(), D.eval()
    with torch.no_grad():
        fake = call_student(name, G, f"G(z, y) with z: ({n}, {LATENT_DIM}), y: ({n},) class indices", z, y,
                            error_hints=_ONE_HOT_HINT)  # fmt: skip
        if not isinstance(fake, torch.Tensor) or fake.shape != (n, 64):
            got = tuple(fake.shape) if isinstance(fake, torch.Tensor) else type(fake).__name__
            raise ExerciseError(f"[{name}] G(z, y) should return ({n}, 64) pixels, got {got}.")
        if fake.min() < 0 or fake.max() > 1:
            raise ExerciseError(f"[{name}] G's pixels should lie in [0, 1] like the digits; end G with nn.Sigmoid().")
        logits = call_student(name, D, f"D(x, y) with x: ({n}, 64), y: ({n},)", x, y, error_hints=_ONE_HOT_HINT)
        if not isinstance(logits, torch.Tensor) or logits.numel() != n or logits.shape not in ((n,), (n, 1)):
            got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
            raise ExerciseError(
                f"[{name}] D(x, y) should return one logit per image, shape ({n},) or ({n}, 1); got {got}."
            )
        for what, out_a, out_b, fix in (
            ("G(z, y)", G(z, torch.zeros_like(y)), G(z, torch.ones_like(y)), "torch.cat([z, one_hot], dim=1)"),
            ("D(x, y)", D(x, torch.zeros_like(y)), D(x, torch.ones_like(y)), "torch.cat([x, one_hot], dim=1)"),
        ):
            if (out_a - out_b).abs().max() < 1e-4:
                raise ExerciseError(
                    f"[{name}] {what} is the same for y = 0 and y = 1: the label is ignored, so the GAN cannot draw "
                    f"the class you ask for. Feed the one-hot label in: {fix}, then the first layer."
                )
    G.train(), D.train()


def _check_step(name: str, G: nn.Module, D: nn.Module, step: Callable) -> None:
    """The student's step against :func:`_mistake_step` on identical copies (SGD, stale gradients)."""
    gen = torch.Generator().manual_seed(2)
    n = 16
    batch = (torch.rand(n, 64, generator=gen), torch.arange(n) % len(DIGITS), torch.randn(n, LATENT_DIM, generator=gen))
    with torch.no_grad():  # L_D on the untouched networks, straight from the formula
        real_logits, fake_logits = D(batch[0], batch[1]).reshape(-1), D(G(batch[2], batch[1]), batch[1]).reshape(-1)
        expected_d = (F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()).item()
    case = "one step on a fixed batch of 16"
    losses, got_G, got_D = call_student(name, _run_step, case, step, (G, D), batch, error_hints=_ONE_HOT_HINT)
    if not (isinstance(losses, tuple | list) and len(losses) == 2):
        raise ExerciseError(f"[{name}] The step should return (loss_D, loss_G), two numbers; got {losses!r}.")
    (ref_d, ref_g), ref_G, ref_D = _run_step(_mistake_step, (G, D), batch)
    if abs(ref_d - expected_d) > 1e-5:  # the reference must agree with the formula, or the check is wrong
        raise RuntimeError("internal error: the reference L_D differs from the formula")
    if torch.equal(got_G, _params(G)) or torch.equal(got_D, _params(D)):
        who = "G" if torch.equal(got_G, _params(G)) else "D"
        raise ExerciseError(f"[{name}] On {case}: {who}'s weights did not change. Call opt_{who}.step() after the "
                            f"backward pass of L_{who} (and do not detach the fakes in the G step).")  # fmt: skip
    hints = [
        (torch.cat([w[1], w[2]]), why)
        for m, why in _MISTAKES.items()
        for w in [_run_step(_mistake_step, (G, D), batch, m)]
    ]
    compare(name, torch.cat([got_G, got_D]), torch.cat([ref_G, ref_D]), f"{case}, G's and D's weights after it", hints)
    got = torch.tensor([float(v) for v in losses], dtype=torch.float64)
    expected = torch.tensor([ref_d, ref_g], dtype=torch.float64)
    compare(name, got, expected, f"{case}, the returned (loss_D, loss_G)",
            [(expected.flip(0), "return (loss_D, loss_G) in that order.")])  # fmt: skip


def _train_and_judge(name: str, make_generator: Callable, make_discriminator: Callable, step: Callable,
                     seed: int) -> tuple[torch.Tensor, list[float], nn.Module]:  # fmt: skip
    """Train fresh networks for ``TRAIN_STEPS`` with Adam; (judge's per-class accuracy, last losses, G in eval mode)."""
    x, labels = _digits()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G, D = _build(name, make_generator, make_discriminator)
        opt_G = torch.optim.Adam(G.parameters(), lr=LR, betas=(0.5, 0.999))
        opt_D = torch.optim.Adam(D.parameters(), lr=LR, betas=(0.5, 0.999))
        gen = torch.Generator().manual_seed(seed)
        for _ in range(TRAIN_STEPS):
            idx = torch.randint(len(x), (BATCH,), generator=gen)
            z = torch.randn(BATCH, LATENT_DIM, generator=gen)
            losses = step(G, D, opt_G, opt_D, x[idx], labels[idx], z)
        G.eval()
        n = 100
        y = torch.arange(len(DIGITS)).repeat_interleave(n)
        with torch.no_grad():
            images = G(torch.randn(len(y), LATENT_DIM, generator=gen), y).view(-1, 1, 8, 8)
    from ..common.classifier import predict

    hits = (predict(_judge(), images) == y).float().view(len(DIGITS), n)
    return hits.mean(1), [float(v) for v in losses], G


def check_conditional_gan(
    make_generator: Callable[[int, int, int], nn.Module],
    make_discriminator: Callable[[int, int], nn.Module],
    train_step: Callable[..., tuple[float, float]],
    seed: int = 0,
) -> nn.Module:
    """Exercise: a one-hot conditional GAN, its training step, and a short training run judged by a classifier.

    * ``make_generator(latent_dim, num_classes, out_dim)`` -> G, with
      ``G(z: (N, latent_dim), y: (N,) int) -> (N, out_dim)`` pixels in [0, 1];
    * ``make_discriminator(in_dim, num_classes)`` -> D, with ``D(x: (N, in_dim), y) -> (N,)`` or ``(N, 1)`` logits;
    * ``train_step(G, D, opt_G, opt_D, real, y, z) -> (loss_D, loss_G)``: a D step on L_D with the fakes
      detached, then a G step on the non-saturating L_G through the updated D, fakes drawn with the real labels y.

    Training: ``TRAIN_STEPS`` steps of Adam (lr ``LR``, β = (0.5, 0.999)), batches of 64, digits 0, 1 and 7.
    Returns the trained G (eval mode; its label k means the digit ``DIGITS[k]``).
    """
    name = "conditional_gan"
    G, D = _build(name, make_generator, make_discriminator)
    _check_networks(name, G, D)
    _check_step(name, G, D, train_step)
    per_class, (loss_d, loss_g), trained = _train_and_judge(name, make_generator, make_discriminator, train_step, seed)
    chance = 1 / len(DIGITS)
    if per_class.mean() < MIN_MEAN_ACCURACY or per_class.min() < MIN_CLASS_ACCURACY:
        shown = ", ".join(f"digit {d}: {a:.0%}" for d, a in zip(DIGITS, per_class.tolist(), strict=True))
        msg = (
            f"[{name}] After {TRAIN_STEPS} training steps the judge named the requested digit for "
            f"{per_class.mean():.0%} of the samples ({shown}; chance is {chance:.0%}, a pass needs "
            f"{MIN_MEAN_ACCURACY:.0%} on average and {MIN_CLASS_ACCURACY:.0%} for every digit). "
            f"Last losses: L_D = {loss_d:.2f}, L_G = {loss_g:.2f}."
        )
        if loss_d < 0.05:
            msg += (" Hint: L_D fell to about 0: D wins outright. Is G's last layer a sigmoid, and does G's loss "
                    "push D(G(z, y), y) up?")  # fmt: skip
        else:
            msg += (" Hint: draw the fakes with the *same* labels y as the real batch, in both steps, and let "
                    "both networks see the one-hot label at their input. Two hidden layers of 128 units with "
                    "LeakyReLU(0.2), in G and in D, are enough.")  # fmt: skip
        raise ExerciseError(msg)
    passed(name, 4)
    print(f"   after {TRAIN_STEPS} steps the judge named the requested digit for {per_class.mean():.0%} of the samples "
          f"(worst digit {per_class.min():.0%}; chance {chance:.0%})")  # fmt: skip
    return trained
