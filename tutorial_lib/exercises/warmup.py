"""Warm-up exercise of notebook 00."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._core import ExerciseError, compare, passed


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
        compare(name, got, expected, case, hints)
    passed(name, len(cases))
