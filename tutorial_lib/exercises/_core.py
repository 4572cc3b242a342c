"""Shared machinery of the exercise checks: the error type and the comparison."""

from __future__ import annotations

from collections.abc import Callable

import torch


class ExerciseError(AssertionError):
    """A student's function gave a wrong answer; the message says how."""


def compare(
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


def call_student(
    exercise: str, fn: Callable, case: str, *args: object, error_hints: dict[str, str] | None = None
) -> object:
    """Run the student's ``fn(*args)``; turn a stub or a crash into an :class:`ExerciseError` naming the case.

    error_hints: text found in the exception's message -> a hint appended to the error.
    """
    try:
        return fn(*args)
    except NotImplementedError:
        raise ExerciseError(
            f"[{exercise}] The function is still a stub: replace `raise NotImplementedError`."
        ) from None
    except Exception as err:
        msg = f"[{exercise}] On {case}: your function raised {type(err).__name__}: {err}"
        for needle, hint in (error_hints or {}).items():
            if needle in str(err):
                msg += f" Hint: {hint}"
                break
        raise ExerciseError(msg) from err


def passed(exercise: str, n: int) -> None:
    print(f"✅ {exercise}: all {n} checks passed.")
