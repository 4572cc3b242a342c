"""Exercise of notebook 07: adaptive instance normalisation (AdaIN, Huang & Belongie 2017).

The check runs the student's function on seeded random feature maps (a batch of two against
one style, non-square maps, one channel) and compares it with the formula computed here in
float64; common slips (unbiased standard deviation, statistics over the wrong axes, a missing
eps, normalising without restyling) get a hint.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._core import ExerciseError, compare, passed


def _adain(x: torch.Tensor, y: torch.Tensor, eps: float, dims: tuple[int, ...] = (2, 3), unbiased: bool = False):
    x, y = x.double(), y.double()
    mu_x, mu_y = x.mean(dim=dims, keepdim=True), y.mean(dim=dims, keepdim=True)
    sd_x = (x.var(dim=dims, keepdim=True, unbiased=unbiased) + eps).sqrt()
    sd_y = (y.var(dim=dims, keepdim=True, unbiased=unbiased) + eps).sqrt()
    return (sd_y * (x - mu_x) / sd_x + mu_y).float()


def check_adain(student_fn: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> None:
    """Exercise (notebook 07): ``AdaIN(x, y) = σ(y) (x − μ(x)) / σ(x) + μ(y)`` per image and channel,
    μ, σ over positions, σ = sqrt(biased variance + eps).

    ``student_fn(content_features: (N, C, H, W), style_features: (N or 1, C, H', W'), eps) -> (N, C, H, W)``.
    """
    name = "adain"
    gen = torch.Generator().manual_seed(7)
    eps = 1e-5
    cases = {
        "a batch of 2 against one style, (2, 4, 5, 6) and (1, 4, 3, 7)": (
            torch.randn(2, 4, 5, 6, generator=gen) * 3 + 1,
            torch.randn(1, 4, 3, 7, generator=gen) * 0.5 - 2,
        ),
        "one image, non-square maps, (1, 3, 2, 9) and (1, 3, 4, 4)": (
            torch.rand(1, 3, 2, 9, generator=gen) * 10,
            torch.rand(1, 3, 4, 4, generator=gen),
        ),
        "a single channel, (1, 1, 4, 4) and (1, 1, 4, 4)": (
            torch.randn(1, 1, 4, 4, generator=gen),
            torch.randn(1, 1, 4, 4, generator=gen) * 4 + 3,
        ),
    }
    for case, (x, y) in cases.items():
        try:
            got = student_fn(x.clone(), y.clone(), eps)
        except NotImplementedError:
            raise ExerciseError(f"[{name}] Your function raises NotImplementedError: replace the stub first.") from None
        except Exception as err:  # a student's bug: say where, keep the original as the cause
            raise ExerciseError(f"[{name}] On {case}: your function raised {type(err).__name__}: {err}") from err
        hints = [
            (_adain(x, y, eps, unbiased=True), "use the biased variance (unbiased=False), as instance norm does."),
            (_adain(x, y, eps, dims=(1, 2, 3)), "take μ and σ per channel (over H and W only), not over all channels."),
            (_adain(x, y, 0.0), "add eps to the variance inside the square root."),
            ((x - x.mean(dim=(2, 3), keepdim=True)) / x.std(dim=(2, 3), keepdim=True), "then scale by σ(y), add μ(y)."),
        ]
        compare(name, got, _adain(x, y, eps), case, hints, atol=1e-4, rtol=1e-4)
    passed(name, len(cases))
