"""Exercise checks for notebook 08 (CycleGAN)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._core import ExerciseError, compare, passed

Translator = Callable[[torch.Tensor], torch.Tensor]


def check_cycle_consistency_loss(
    student_fn: Callable[[torch.Tensor, torch.Tensor, Translator, Translator], torch.Tensor],
) -> None:
    """Exercise (notebook 08): L_cyc = mean|F(G(x)) − x| + mean|G(F(y)) − y|.

    ``student_fn(x: (N, C, H, W), y: (M, C, H, W), G, F) -> scalar tensor``; G maps X → Y, F maps Y → X.
    """
    name = "cycle_consistency_loss"
    gen = torch.Generator().manual_seed(8)
    cases = {
        "x and y of one size, G(t) = 1 − t, F(t) = t / 2": ((4, 1, 6, 6), (4, 1, 6, 6), lambda t: 1 - t,
                                                              lambda t: t / 2),
        "more y than x, G(t) = t², F(t) = t + 0.1": ((2, 1, 5, 5), (6, 1, 5, 5), lambda t: t**2, lambda t: t + 0.1),
        "inverse translators, G(t) = 2t, F(t) = t / 2 (loss 0)": ((3, 1, 4, 4), (3, 1, 4, 4), lambda t: 2 * t,
                                                                 lambda t: t / 2),
    }  # fmt: skip
    for case, (shape_x, shape_y, G, F) in cases.items():
        x, y = torch.rand(shape_x, generator=gen), torch.rand(shape_y, generator=gen)
        try:
            got = student_fn(x, y, G, F)
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001 (report any failure of the student's code)
            raise ExerciseError(f"[{name}] On {case}: your function raised {type(e).__name__}: {e}") from e
        if isinstance(got, torch.Tensor) and got.ndim != 0:
            raise ExerciseError(f"[{name}] On {case}: expected a scalar, got shape {tuple(got.shape)}. Take the mean.")
        dx, dy = F(G(x)) - x, G(F(y)) - y
        hints = [
            (dx.abs().mean(), "add the second cycle, y → F(y) → G(F(y)), compared with y."),
            (dy.abs().mean(), "add the first cycle, x → G(x) → F(G(x)), compared with x."),
            (dx.pow(2).mean() + dy.pow(2).mean(), "use the L1 distance |·| (you squared the differences)."),
            (dx.abs().sum() + dy.abs().sum(), "take the mean over pixels and images, not the sum."),
            (dx.mean() + dy.mean(), "take the absolute value of the differences before the mean."),
            ((G(G(x)) - x).abs().mean() + (F(F(y)) - y).abs().mean(), "go there with one translator and back "
             "with the other: F(G(x)), not G(G(x))."),
            (torch.cat([dx, dy]).abs().mean() if shape_x == shape_y else torch.tensor(float("nan")),
             "average each cycle separately, then add the two means."),
        ]  # fmt: skip
        compare(name, got, dx.abs().mean() + dy.abs().mean(), case, hints)
    passed(name, len(cases))
