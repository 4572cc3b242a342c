"""Exercise of notebook 09 (privacy): per-sample gradient clipping, the heart of DP-SGD.

The check compares the student's clipping with the formula on hand-made cases, then uses it to
build one DP-SGD gradient of a tiny model (per-sample gradients by ``torch.func``, σ = 0) and
compares that with what Opacus's ``DPOptimizer`` computes for the same batch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch
from torch import nn

from ._core import ExerciseError, call_student, compare, passed


def _reference(grads: torch.Tensor, clip_norm: float) -> torch.Tensor:
    norms = grads.norm(dim=1, keepdim=True)
    return grads * (clip_norm / norms.clamp_min(1e-12)).clamp(max=1.0)


def check_clip_per_sample(student_fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """Exercise (notebook 09): ḡ_i = g_i · min(1, C / ‖g_i‖₂) for each row i of ``grads: (B, P)``."""
    name = "clip_per_sample"
    gen = torch.Generator().manual_seed(9)
    cases = {
        "4 gradients of 6 numbers, C = 1": (torch.randn(4, 6, generator=gen) * 3, 1.0),
        "rows already shorter than C = 10 (nothing changes)": (torch.randn(3, 5, generator=gen), 10.0),
        "one long and one short row, C = 0.5": (torch.tensor([[3.0, 4.0], [0.1, 0.0]]), 0.5),
    }
    for case, (grads, c) in cases.items():
        got = call_student(name, student_fn, case, grads.clone(), c)
        norms = grads.norm(dim=1, keepdim=True)
        hints = [
            (grads * c / grads.norm(), "clip each row by its own norm ‖g_i‖, not by the norm of the whole batch."),
            (grads * c / norms, "use min(1, C / ‖g_i‖): rows already shorter than C must stay as they are."),
            (grads * (c / norms).clamp(min=1.0), "min, not max: clipping only ever shrinks a gradient."),
            (grads.clamp(-c, c), "scale the whole row; clamping each number changes the gradient's direction."),
        ]
        compare(name, got, _reference(grads, c), case, hints)
    _check_against_opacus(name, student_fn)
    passed(name, len(cases) + 1)


def _check_against_opacus(name: str, student_fn: Callable[[torch.Tensor, float], torch.Tensor]) -> None:
    """One DP-SGD gradient (σ = 0) of a tiny linear model: the student's clipping vs Opacus's DPOptimizer."""
    from opacus.grad_sample import GradSampleModule
    from opacus.optimizers import DPOptimizer
    from torch.func import functional_call, grad, vmap

    gen = torch.Generator().manual_seed(10)
    x, y = torch.randn(8, 3, generator=gen) * 4, torch.randn(8, 1, generator=gen)
    torch.manual_seed(0)
    model, c = nn.Linear(3, 1), 1.0
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss_one(p: dict, xi: torch.Tensor, yi: torch.Tensor) -> torch.Tensor:
        return ((functional_call(model, p, (xi[None],)) - yi[None]) ** 2).mean()

    per_sample = vmap(grad(loss_one), in_dims=(None, 0, 0))(params, x, y)
    flat = torch.cat([per_sample[k].reshape(len(x), -1) for k in params], dim=1)
    clipped = call_student(name, student_fn, "a tiny linear model's per-sample gradients", flat.clone(), c)
    mine = clipped.sum(0) / len(x)
    wrapped = GradSampleModule(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = DPOptimizer(torch.optim.SGD(wrapped.parameters(), lr=1.0), noise_multiplier=0.0, max_grad_norm=c,
                          expected_batch_size=len(x))  # fmt: skip
        ((wrapped(x) - y) ** 2).mean().backward()  # Opacus's hooks fire on outputs: x needs no gradient
    opt.pre_step()  # clip and average, no noise (σ = 0), without moving the weights
    opacus = torch.cat([p.grad.reshape(-1) for p in wrapped.parameters()])
    if not torch.allclose(mine, opacus, atol=1e-5, rtol=1e-4):
        raise ExerciseError(
            f"[{name}] Your clipping, summed over the batch and divided by B, gives {mine.tolist()}, "
            f"but Opacus's DP-SGD gradient (σ = 0) is {opacus.tolist()}."
        )
