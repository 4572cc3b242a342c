"""Minimise a loss over the pixels of an image kept in [0, 1]: the loop behind stylize and texture synthesis.

Keeping pixels in range
-----------------------
The optimiser never sees the pixels x directly. It moves an unconstrained
variable u, and the image is

    x = σ(u) = 1 / (1 + e^{−u}),      so x ∈ (0, 1) for every u.

L-BFGS builds a curvature model from pairs (s_k, y_k) = (u_{k+1} − u_k, ∇L(u_{k+1}) − ∇L(u_k)).
Clamping x *inside* the loss closure (the PyTorch tutorial's recipe) silently moves the
point after the gradient was taken, so the pairs describe a function that is not the one
being minimised; on the course's objective it diverges. Clamping only at the end instead
lets the optimum drift outside [0, 1], and the final clamp then raises the loss many fold.
The sigmoid is smooth, so the pairs stay exact, and the image is always valid.
Its cost: pixels near 0 or 1 move slowly (σ'(u) is small there), so the initial image is
clipped to [0.02, 0.98] before ``u = logit(x)`` (pixels in between start exactly where they are).

Both optimisers count *function evaluations* (one forward and one backward pass of the
network each), and ``steps`` is an exact budget of them. Adam spends one evaluation per
iteration. L-BFGS uses a strong-Wolfe line search (``LBFGS_LINE_SEARCH``; pass
``line_search=False`` to switch it off), so one iteration may spend several evaluations trying
step lengths along its search direction: ``steps`` evaluations are fewer than ``steps``
iterations. The budget is enforced inside the closure, which stops the run at the ``steps``-th
evaluation even in the middle of a line search. Trial points of the line search are
evaluations too, so every one of them is recorded and can be the best: nothing guarantees that
the last evaluation is the best, and the loop returns the best image evaluated.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

OPTIMIZERS = ("lbfgs", "adam")
EPS = 0.02
LBFGS_HISTORY = 50
LBFGS_LINE_SEARCH = True
ADAM_LR = 0.05

LossFn = Callable[[torch.Tensor], dict[str, torch.Tensor]]
StepFn = Callable[[dict[str, float], torch.Tensor], bool | None]


def to_logits(image: torch.Tensor) -> torch.Tensor:
    """``u = logit(clip(x, ε, 1 − ε))`` with ε = 0.02: the unconstrained variable for an image x in [0, 1]."""
    return torch.logit(image.clamp(EPS, 1.0 - EPS))


def from_logits(u: torch.Tensor) -> torch.Tensor:
    """``x = σ(u)``, always in (0, 1)."""
    return torch.sigmoid(u)


class _Stop(Exception):
    """Raised inside the closure when the budget is spent or the step callback asks to stop."""


def minimize_image(
    loss_fn: LossFn,
    init: torch.Tensor,
    steps: int,
    optimizer: str = "lbfgs",
    lr: float | None = None,
    on_step: StepFn | None = None,
    line_search: bool | None = None,
) -> tuple[torch.Tensor, float, bool]:
    """Minimise ``loss_fn(x)["total"]`` over images ``x = σ(u)`` starting at ``init``.

    loss_fn: image (N, C, H, W) in (0, 1) -> dict of scalar tensors with at least ``"total"``.
    init: (N, C, H, W) in [0, 1]. steps: function evaluations to spend.
    optimizer: ``"lbfgs"`` (lr 1, history 50, strong-Wolfe line search) or ``"adam"`` (lr 0.05 on u by default).
    line_search: L-BFGS only; ``None`` means ``LBFGS_LINE_SEARCH`` (on). Off, one iteration is one evaluation.
    on_step: called after every evaluation (line-search trials included) with the loss parts (floats)
        and the image evaluated; returning True stops early.

    Returns ``(image, loss, stopped)``: the best image evaluated, (N, C, H, W) in (0, 1) and detached,
    its total loss, and whether on_step stopped the run.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    u = to_logits(init.detach()).requires_grad_(True)
    if optimizer == "lbfgs":
        opt: torch.optim.Optimizer = torch.optim.LBFGS(
            [u],
            lr=1.0 if lr is None else lr,
            max_iter=steps,
            max_eval=steps,
            history_size=LBFGS_HISTORY,
            tolerance_grad=0.0,
            tolerance_change=0.0,
            line_search_fn="strong_wolfe" if (LBFGS_LINE_SEARCH if line_search is None else line_search) else None,
        )
    else:
        opt = torch.optim.Adam([u], lr=ADAM_LR if lr is None else lr)
    best: dict[str, object] = {"loss": float("inf"), "image": init.detach(), "evals": 0, "stopped": False}

    def closure() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        x = from_logits(u)
        parts = loss_fn(x)
        parts["total"].backward()
        floats = {k: float(v.detach()) for k, v in parts.items()}
        if floats["total"] < best["loss"]:
            best["loss"], best["image"] = floats["total"], x.detach().clone()
        best["evals"] += 1
        if on_step is not None and on_step(floats, x.detach()):
            best["stopped"] = True
            raise _Stop
        if best["evals"] >= steps:  # the line search may ask for more; the budget is exact
            raise _Stop
        return parts["total"]

    try:
        if optimizer == "lbfgs":
            opt.step(closure)
        else:
            for _ in range(steps):
                opt.step(closure)
    except _Stop:
        pass
    return best["image"], best["loss"], best["stopped"]  # type: ignore[return-value]


class History(dict):
    """Loss parts per evaluation, as columns: ``history["total"][k]`` is the k-th evaluation's loss.

    Columns: ``step`` (1, 2, ...), ``scale`` (the coarse-to-fine scale it ran at), ``time_s`` (wall
    seconds since the run began) and every loss part the objective returns. Plot one column against
    another, e.g. ``plt.plot(h["time_s"], h["total"])``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._start = time.perf_counter()

    def record(self, parts: dict[str, float], **extra: float) -> dict[str, float]:
        """Append one evaluation; returns the row as a dict."""
        row = {"step": len(self.get("step", [])) + 1, **extra, "time_s": time.perf_counter() - self._start, **parts}
        for key, value in row.items():
            self.setdefault(key, []).append(value)
        return row
