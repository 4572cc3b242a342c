"""Checks for the course's exercises: run a student's function, compare it with
the reference, and say in plain words what differs.

Each ``check_<name>(student_fn)`` tries the function on random inputs and on
edge cases. It prints a short success line, or raises :class:`ExerciseError`
(an ``AssertionError``) that names the input, what was expected, what came
back and, where a common mistake fits the numbers, a hint. The reference
implementation is never printed.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


class ExerciseError(AssertionError):
    """A student's function gave a wrong answer; the message says how."""


def _describe(x: torch.Tensor) -> str:
    return f"a tensor of shape {tuple(x.shape)} ({x.dtype})"


def _compare(
    exercise: str,
    got: object,
    expected: torch.Tensor,
    case: str,
    hints: list[tuple[torch.Tensor, str]],
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """Raise an :class:`ExerciseError` unless ``got`` matches ``expected``.

    hints: (value a known mistake would produce, explanation) pairs.
    """
    if not isinstance(got, torch.Tensor):
        raise ExerciseError(f"[{exercise}] On {case}: expected a torch.Tensor, got {type(got).__name__}.")
    if got.shape != expected.shape:
        raise ExerciseError(f"[{exercise}] On {case}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}.")
    got = got.detach().to(expected.dtype).cpu()
    if torch.allclose(got, expected, atol=atol, rtol=rtol):
        return
    msg = f"[{exercise}] On {case}: values differ (max abs error {(got - expected).abs().max():.3g})."
    for wrong, why in hints:
        if wrong.shape == got.shape and torch.allclose(got, wrong, atol=atol, rtol=rtol):
            msg += f" Hint: {why}"
            break
    raise ExerciseError(msg)


def _passed(exercise: str, n: int) -> None:
    print(f"✅ {exercise}: all {n} checks passed.")


def check_luminance(student_fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Warm-up exercise (notebook 00): luminance ``Y = 0.299 R + 0.587 G + 0.114 B``.

    ``student_fn(images: (N, 3, H, W)) -> (N, 1, H, W)``.
    """
    name = "luminance"
    weights = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    gen = torch.Generator().manual_seed(0)
    cases = {
        "a random batch of 4 RGB images, 8x8": torch.rand(4, 3, 8, 8, generator=gen),
        "a single non-square image, 5x7": torch.rand(1, 3, 5, 7, generator=gen),
        "a pure red image": torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1).expand(1, 3, 2, 2).clone(),
    }
    for case, x in cases.items():
        expected = (x * weights).sum(1, keepdim=True)
        hints = [
            (x.mean(1, keepdim=True), "you took the plain mean of R, G and B; the weights differ per channel."),
            ((x * weights.flip(1)).sum(1, keepdim=True), "the weights are in reverse order (BGR instead of RGB)."),
            (
                (x * weights).sum(1, keepdim=True).squeeze(1),
                "keep the channel axis: use keepdim=True so the output is (N, 1, H, W).",
            ),
        ]
        got = student_fn(x.clone())
        if isinstance(got, torch.Tensor) and got.ndim == 3 and expected.ndim == 4:
            raise ExerciseError(
                f"[{name}] On {case}: got shape {tuple(got.shape)}, expected {tuple(expected.shape)}. "
                "Hint: keep the channel axis with keepdim=True."
            )
        _compare(name, got, expected, case, hints)
    _passed(name, len(cases))
