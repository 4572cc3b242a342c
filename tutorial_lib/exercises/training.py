"""Exercises on the GAN game itself: the optimal discriminator (notebook 01) and one training step (notebook 02).

* Optimal discriminator: for a fixed G, ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``.
* Training step: one D step on ``L_D = −E[log D(x)] − E[log(1 − D(G(z)))]`` with G held fixed (the fakes
  detached), then one G step on the non-saturating ``L_G = −E[log D(G(z))]`` through the *updated* D.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import nn

from ..gan.losses import discriminator_loss, generator_loss
from ._core import ExerciseError, call_student, compare, passed

_DETACH_HINT = {
    "backward through the graph a second time": "the D step back-propagated through G, which freed G's graph "
    "before the G step. Use G(z).detach() in the D step: D's loss must not reach G."
}


def _call(name: str, fn: Callable, case: str, *args: object) -> object:
    return call_student(name, fn, case, *args, error_hints=_DETACH_HINT)


# --- The optimal discriminator ---


def check_optimal_discriminator(student_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise: ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``, elementwise.

    ``student_fn(p_data: (N,), p_g: (N,)) -> (N,)``: densities at N points in, D* at those points out.
    Edge cases: a point where only the data has mass (D* = 1), where only G has mass (D* = 0), tiny densities
    whose sum underflows in a naive ratio, and float16 inputs.
    """
    name = "optimal_discriminator"
    gen = torch.Generator().manual_seed(0)
    x = torch.linspace(-4, 4, 41, dtype=torch.float64)
    p_data = torch.exp(-0.5 * x**2) / (2 * torch.pi) ** 0.5
    p_g = torch.exp(-0.5 * ((x - 1.5) / 0.7) ** 2) / (0.7 * (2 * torch.pi) ** 0.5)
    cases = {
        "two Gaussian densities on a grid of 41 points": (p_data, p_g),
        "random positive densities (a batch of 1)": (
            torch.rand(1, generator=gen, dtype=torch.float64) + 0.1,
            torch.rand(1, generator=gen, dtype=torch.float64) + 0.1,
        ),
        "points where only one density is non-zero": (
            torch.tensor([0.3, 0.0, 2.0], dtype=torch.float64),
            torch.tensor([0.0, 0.3, 2.0], dtype=torch.float64),
        ),
        "tiny densities (1e-30)": (torch.tensor([1e-30, 3e-30]), torch.tensor([3e-30, 1e-30])),
        "float16 densities": (
            torch.tensor([0.5, 0.25, 1.0], dtype=torch.float16),
            torch.tensor([0.5, 0.75, 3.0]).half(),
        ),
    }
    for case, (pd, pg) in cases.items():
        got = _call(name, student_fn, case, pd.clone(), pg.clone())
        expected = (pd.double() / (pd.double() + pg.double())).to(pd.dtype)
        if isinstance(got, torch.Tensor) and got.dtype != pd.dtype and got.shape == expected.shape:
            raise ExerciseError(
                f"[{name}] On {case}: the input is {pd.dtype} but you returned {got.dtype}. Keep the input's dtype."
            )
        if isinstance(got, torch.Tensor) and torch.isnan(got).any():
            raise ExerciseError(
                f"[{name}] On {case}: got NaN. Hint: check the points where one density is 0 and your formula divides "
                "by it (a ratio p_g / p_data breaks there); D* = p_data / (p_data + p_g) never divides by zero "
                "unless both densities are zero."
            )
        wrong_ratio = (pd.double() / pg.double().clamp_min(1e-300)).to(pd.dtype)
        hints = [
            (
                (pg.double() / (pd.double() + pg.double())).to(pd.dtype),
                "you returned p_g / (p_data + p_g), which is 1 − D*: D says how likely x is *real*, so p_data "
                "goes on top.",
            ),
            (wrong_ratio, "you returned the ratio p_data / p_g; D* divides by the sum p_data + p_g."),
            (
                torch.full_like(expected, 0.5),
                "0.5 everywhere is D* only when p_g = p_data. Here they differ: use the densities.",
            ),
            (
                (pd.double() / (pd.double() + pg.double()) > 0.5).to(pd.dtype),
                "you thresholded: D* is a probability between 0 and 1, not a hard 0/1 decision.",
            ),
        ]
        tol = 1e-3 if pd.dtype == torch.float16 else 1e-6
        compare(name, got, expected, case, hints, atol=tol, rtol=tol)
    passed(name, len(cases))


# --- One training step ---


class _Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class _Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def _reference_step(G, D, opt_G, opt_D, real, z, mistake: str | None = None) -> tuple[float, float]:  # noqa: ANN001
    """The reference step, or one known mistake (used only to recognise a student's error, never shown)."""
    if mistake != "no_zero_grad":
        opt_D.zero_grad()
    fake = G(z)
    real_logits, fake_logits = D(real), D(fake.detach())
    if mistake == "swapped":
        real_logits, fake_logits = fake_logits, real_logits
    loss_d = discriminator_loss(real_logits, fake_logits)
    loss_d.backward()
    opt_D.step()
    if mistake != "no_zero_grad":
        opt_G.zero_grad()
    loss_g = generator_loss(
        D(fake.detach() if mistake == "detached_g" else fake), "minimax" if mistake == "saturating" else "nonsaturating"
    )
    if mistake != "detached_g":
        loss_g.backward()
    opt_G.step()
    return loss_d.item(), loss_g.item()


_MISTAKES = {
    "no_zero_grad": "the gradients were not reset: call opt_D.zero_grad() before L_D.backward() and "
    "opt_G.zero_grad() before L_G.backward() (PyTorch adds new gradients to old ones).",
    "saturating": "G used the saturating loss E[log(1 − D(G(z)))]; use the non-saturating −E[log D(G(z))].",
    "swapped": "real and fake were swapped in the D step: D should score real x high and G(z) low.",
    "detached_g": "G did not change: its loss was computed on detached fakes (or never back-propagated). "
    "Detach the fakes only in the D step.",
}


def _snapshot(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _run_steps(
    step: Callable, nets: tuple[nn.Module, nn.Module], real: torch.Tensor, z: torch.Tensor, repeats: int, *extra: str
):  # noqa: ANN202
    """Run ``step`` ``repeats`` times on fresh copies of ``nets`` whose gradients start stale; return
    (last losses, G's parameters, D's parameters)."""
    G, D = copy.deepcopy(nets[0]), copy.deepcopy(nets[1])
    for p in [*G.parameters(), *D.parameters()]:
        p.grad = torch.full_like(p, 0.3)  # stale gradients from "a previous step"
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1)
    opt_D = torch.optim.SGD(D.parameters(), lr=0.1)
    losses = None
    for _ in range(repeats):
        losses = step(G, D, opt_G, opt_D, real.clone(), z.clone(), *extra)
    return losses, _snapshot(G), _snapshot(D)


def check_training_step(student_fn: Callable[..., tuple[float, float]]) -> None:
    """Exercise: one alternating GAN step.

    ``student_fn(G, D, opt_G, opt_D, real, z) -> (loss_D, loss_G)`` as Python floats: a D step on
    ``L_D(l(x), l(G(z)))`` with the fakes detached, then a G step on ``L_G = −E[log D(G(z))]`` through the updated D.
    The check runs it and the reference on identical copies of small networks (SGD, so every gradient
    mistake shows in the parameters), starting from stale gradients, and compares losses and parameters.
    """
    name = "training_step"
    cases = {"a batch of 16": 16, "a batch of 1": 1, "two steps in a row (batch of 8)": 8}
    for case, batch in cases.items():
        torch.manual_seed(batch)
        G0, D0 = _Generator(), _Discriminator()
        gen = torch.Generator().manual_seed(batch)
        real = torch.randn(batch, 2, generator=gen) + 2.0
        z = torch.randn(batch, 2, generator=gen)
        repeats = 2 if case.startswith("two") else 1

        nets = (G0, D0)
        (ref_d, ref_g), ref_G, ref_D = _run_steps(_reference_step, nets, real, z, repeats)
        got = _call(name, _run_steps, case, student_fn, nets, real, z, repeats)
        losses, got_G, got_D = got
        if not (isinstance(losses, tuple | list) and len(losses) == 2):
            raise ExerciseError(f"[{name}] On {case}: return (loss_D, loss_G), two numbers; got {losses!r}.")
        try:
            got_losses = torch.tensor([float(v) for v in losses], dtype=torch.float64)
        except (TypeError, ValueError) as err:
            raise ExerciseError(f"[{name}] On {case}: return (loss_D, loss_G) as numbers; got {losses!r}.") from err
        wrong = {m: _run_steps(_reference_step, nets, real, z, repeats, m) for m in _MISTAKES}
        hints = [(torch.cat([w[1], w[2]]), why) for m, why in _MISTAKES.items() for w in [wrong[m]]]
        params_case = f"{case}, the parameters of G and D after the step"
        if torch.equal(got_G, _snapshot(G0)):
            raise ExerciseError(f"[{name}] On {case}: G's parameters did not change. Hint: {_MISTAKES['detached_g']}")
        if torch.equal(got_D, _snapshot(D0)):
            raise ExerciseError(f"[{name}] On {case}: D's parameters did not change. Did you call opt_D.step()?")
        compare(name, torch.cat([got_G, got_D]), torch.cat([ref_G, ref_D]), params_case, hints, atol=1e-5, rtol=1e-4)
        expected_losses = torch.tensor([ref_d, ref_g], dtype=torch.float64)
        compare(
            name,
            got_losses,
            expected_losses,
            f"{case}, the returned (loss_D, loss_G)",
            [(expected_losses.flip(0), "the two losses are swapped: return (loss_D, loss_G) in that order.")],
        )
    passed(name, len(cases))
