"""Exercises of notebook 01 (GAN losses): the discriminator loss and the non-saturating generator loss.

Both take raw discriminator scores (logits) l, with D = σ(l).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ._core import ExerciseError, compare, passed

_STABLE = (
    "log(sigmoid(l)) underflows to log(0) = -inf for large |l|. Use the stable forms "
    "-log σ(l) = F.softplus(-l) and -log(1 - σ(l)) = F.softplus(l) (or F.logsigmoid, or "
    "F.binary_cross_entropy_with_logits)."
)


def _cases(two_batches: bool) -> dict[str, tuple[torch.Tensor, ...]]:
    gen = torch.Generator().manual_seed(0)
    cases: dict[str, tuple[torch.Tensor, ...]] = {
        "random logits (16 real, 20 fake)": (3 * torch.randn(16, generator=gen), 3 * torch.randn(20, generator=gen)),
        "a batch of 1": (torch.tensor([0.7]), torch.tensor([-1.2])),
        "extreme logits (±100)": (torch.tensor([100.0, -100.0, 0.0, 30.0]), torch.tensor([-100.0, 100.0, 2.0, -30.0])),
    }
    if two_batches:
        cases["8 real and 24 fake logits"] = (torch.randn(8, generator=gen) + 2, torch.randn(24, generator=gen) - 1)
        return cases
    return {k.replace("(16 real, 20 fake)", "(a batch of 20)"): (v[1],) for k, v in cases.items()}


def _run(name: str, fn: Callable, args: tuple[torch.Tensor, ...], case: str) -> torch.Tensor:
    inputs = [a.clone().requires_grad_(True) for a in args]
    try:
        got = fn(*inputs)
    except NotImplementedError:
        raise ExerciseError(f"[{name}] The function is still a stub: replace `raise NotImplementedError`.") from None
    except Exception as err:
        msg = f"[{name}] On {case}: your function raised {type(err).__name__}: {err}"
        if "between 0 and 1" in str(err):
            msg += (
                " Hint: the inputs are logits (any real number), not probabilities. F.binary_cross_entropy "
                "expects probabilities; use F.binary_cross_entropy_with_logits or F.softplus."
            )
        raise ExerciseError(msg) from err
    if isinstance(got, float | int):
        raise ExerciseError(
            f"[{name}] On {case}: got a Python number ({got!r}). Return a torch.Tensor scalar, without .item(): "
            "the loss must stay differentiable."
        )
    if not isinstance(got, torch.Tensor):
        raise ExerciseError(f"[{name}] On {case}: expected a torch.Tensor, got {type(got).__name__}.")
    if got.ndim != 0:
        raise ExerciseError(
            f"[{name}] On {case}: expected a scalar (shape ()), got shape {tuple(got.shape)}. "
            "Hint: average the per-sample losses with .mean()."
        )
    if not torch.isfinite(got):
        raise ExerciseError(f"[{name}] On {case}: got {got.item()}. Hint: {_STABLE}")
    if not got.requires_grad:
        raise ExerciseError(
            f"[{name}] On {case}: the result has no gradient. Build it from the input tensors with torch "
            "operations, without .detach(), .item() or NumPy."
        )
    (grads,) = torch.autograd.grad(got, inputs[-1:], allow_unused=True)
    if grads is None or not torch.isfinite(grads).all():
        raise ExerciseError(f"[{name}] On {case}: the gradient is not finite. Hint: {_STABLE}")
    return got


def check_discriminator_loss(student_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise: ``L_D = −E_x[log D(x)] − E_z[log(1 − D(G(z)))]`` from logits.

    ``student_fn(real_logits: (N,), fake_logits: (M,)) -> scalar tensor``.
    """
    name = "discriminator_loss"

    def ref(r: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
        return F.softplus(-r).mean() + F.softplus(f).mean()

    cases = _cases(two_batches=True)
    for case, (r, f) in cases.items():
        expected = ref(r, f)
        hints = [
            (
                ref(torch.sigmoid(r), torch.sigmoid(f)),
                "the sigmoid was applied twice. The inputs are logits l; D = σ(l) is applied once, inside the loss "
                "(F.binary_cross_entropy_with_logits already contains it).",
            ),
            (-expected, "sign error: L_D = −E[log D(x)] − E[log(1 − D(G(z)))] is positive; D minimizes it."),
            (ref(f, r), "real and fake are swapped: D should push D(x) → 1 on real and D(G(z)) → 0 on fake samples."),
            (
                F.softplus(-r).sum() + F.softplus(f).sum(),
                "you summed over the batch; take the mean (the expectation E) of each term.",
            ),
            (
                torch.cat([F.softplus(-r), F.softplus(f)]).mean(),
                "you averaged real and fake terms together; average each over its own batch, then add.",
            ),
            (
                0.5 * expected,
                "you divided by 2 (or averaged the two terms); L_D is the sum of the two expectations.",
            ),
            (F.softplus(-r).mean(), "the fake term −E[log(1 − D(G(z)))] is missing."),
            (F.softplus(f).mean(), "the real term −E[log D(x)] is missing."),
            (F.softplus(-r).mean() + F.softplus(-f).mean(), "for fakes use log(1 − D(G(z))), not log D(G(z))."),
        ]
        compare(name, _run(name, student_fn, (r, f), case), expected, case, hints)
    passed(name, len(cases))


def check_nonsaturating_generator_loss(student_fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Exercise: the non-saturating generator loss ``L_G = −E_z[log D(G(z))]`` from logits.

    ``student_fn(fake_logits: (N,)) -> scalar tensor``.
    """
    name = "nonsaturating_generator_loss"
    cases = _cases(two_batches=False)
    for case, (f,) in cases.items():
        expected = F.softplus(-f).mean()
        hints = [
            (
                -F.softplus(f).mean(),
                "this is the saturating minimax loss E[log(1 − D(G(z)))], whose gradient vanishes when D rejects "
                "the fakes. The non-saturating loss is −E[log D(G(z))].",
            ),
            (
                F.softplus(f).mean(),
                "this is −E[log(1 − D(G(z)))], which rewards G for fakes that D rejects. "
                "The non-saturating loss is −E[log D(G(z))].",
            ),
            (-expected, "sign error: L_G = −E[log D(G(z))] is positive, and G minimizes it."),
            (F.softplus(-f).sum(), "you summed over the batch; take the mean (the expectation E)."),
            (
                F.softplus(-torch.sigmoid(f)).mean(),
                "the sigmoid was applied twice. The input is a logit l; D(G(z)) = σ(l) is applied once.",
            ),
        ]
        compare(name, _run(name, student_fn, (f,), case), expected, case, hints)
    passed(name, len(cases))
