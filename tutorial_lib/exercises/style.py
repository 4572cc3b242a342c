"""Exercises of notebooks 04 and 05: the Gram matrix, the style loss and total variation.

Each check runs the student's function on seeded random inputs and edge cases (a batch of
one, non-square feature maps, half precision where overflow is a real risk) and compares it
with the formula from the notebook, computed independently here.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._core import ExerciseError, compare, passed


def _gram(f: torch.Tensor, norm: str = "chw") -> torch.Tensor:
    n, c, h, w = f.shape
    x = f.double().reshape(n, c, h * w)
    g = x @ x.transpose(1, 2)
    return g / {"chw": c * h * w, "hw": h * w, "nchw": n * c * h * w, "none": 1}[norm]


def _call(name: str, case: str, fn: Callable, *args: torch.Tensor) -> object:
    try:
        return fn(*(a.clone() for a in args))
    except NotImplementedError:
        raise ExerciseError(f"[{name}] Your function raises NotImplementedError: replace the stub first.") from None
    except Exception as err:  # a student's bug: say where, keep the original as the cause
        raise ExerciseError(f"[{name}] On {case}: your function raised {type(err).__name__}: {err}") from err


def _scalar(name: str, case: str, got: object) -> torch.Tensor:
    if isinstance(got, (float, int)):
        raise ExerciseError(
            f"[{name}] On {case}: got a Python {type(got).__name__}. Hint: return the tensor itself "
            "(no .item()), so autograd can differentiate it."
        )
    if isinstance(got, torch.Tensor) and got.ndim > 0 and got.numel() == 1:
        raise ExerciseError(
            f"[{name}] On {case}: got shape {tuple(got.shape)}, expected a scalar (shape ()). "
            "Hint: take the mean over every element, e.g. tensor.mean() with no dim argument."
        )
    return got  # type: ignore[return-value]


def check_gram_matrix(student_fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Exercise (notebook 05): ``G = F Fᵀ / (C·H·W)`` for ``features: (N, C, H, W)`` -> ``(N, C, C)``."""
    name = "gram_matrix"
    gen = torch.Generator().manual_seed(0)
    cases = {
        "a random batch of 2 feature maps, (2, 4, 5, 6)": torch.randn(2, 4, 5, 6, generator=gen),
        "a batch of 1 with non-square maps, (1, 3, 2, 7)": torch.rand(1, 3, 2, 7, generator=gen),
        "a single channel and a single position, (1, 1, 1, 1)": torch.full((1, 1, 1, 1), 2.0),
        "half-precision ReLU features of VGG's size, (1, 8, 16, 16) with values up to 60": (
            torch.rand(1, 8, 16, 16, generator=gen) * 60
        ).half(),
    }
    for case, f in cases.items():
        n, c, h, w = f.shape
        got = _call(name, case, student_fn, f)
        if isinstance(got, torch.Tensor) and got.shape == (n, h * w, h * w) and h * w != c:
            raise ExerciseError(
                f"[{name}] On {case}: got shape {tuple(got.shape)} = (N, H·W, H·W), expected (N, C, C). "
                "Hint: transpose on the other axes: F @ F.transpose(1, 2) with F of shape (N, C, H·W)."
            )
        if isinstance(got, torch.Tensor) and got.shape == (c, c):
            raise ExerciseError(
                f"[{name}] On {case}: got shape {tuple(got.shape)}, expected {(n, c, c)}. "
                "Hint: keep the batch axis: reshape to (N, C, H·W) and use torch.bmm or @."
            )
        if isinstance(got, torch.Tensor) and got.dtype == torch.float16 and not torch.isfinite(got).all():
            raise ExerciseError(
                f"[{name}] On {case}: your result holds inf or NaN. Hint: in float16 (max 65504) the sum "
                "F Fᵀ overflows before you divide. Divide F by √(C·H·W) before the product, or compute in "
                "float32 and convert back."
            )
        expected = _gram(f).float()
        wrong_view = f.double().reshape(n, h * w, c)
        hints = [
            (_gram(f, "none").float(), "you did not normalise: divide F Fᵀ by C·H·W."),
            (_gram(f, "hw").float(), "divide by C·H·W (channels too), not only by the number of positions H·W."),
            (
                _gram(f, "nchw").float(),
                "do not divide by the batch size N: each image of the batch gets its own Gram matrix.",
            ),
            (
                (wrong_view.transpose(1, 2) @ wrong_view / (c * h * w)).float(),
                "reshape to (N, C, H·W), channels first. Reshaping to (N, H·W, C) without permute mixes "
                "channels and positions.",
            ),
        ]
        half = f.dtype == torch.float16
        compare(name, got, expected, case, hints, atol=1e-2 if half else 1e-5, rtol=1e-2 if half else 1e-4)
    passed(name, len(cases))


def check_style_loss(student_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Exercise (notebook 05): one layer's style loss ``mean((G(F) − A)²)``, G = F Fᵀ / (C·H·W).

    ``student_fn(features: (N, C, H, W), target_gram: (N or 1, C, C)) -> scalar tensor``.
    """
    name = "style_loss"
    gen = torch.Generator().manual_seed(1)
    cases = {}
    for label, shape, n_target in [
        ("a batch of 1, (1, 4, 6, 6)", (1, 4, 6, 6), 1),
        ("non-square maps, (1, 3, 2, 9)", (1, 3, 2, 9), 1),
        ("a batch of 2 sharing one target Gram (1, C, C), (2, 5, 3, 4)", (2, 5, 3, 4), 1),
    ]:
        f = torch.rand(shape, generator=gen) * 3
        target = _gram(torch.rand(n_target, shape[1], 5, 7, generator=gen) * 3).float()
        cases[label] = (f, target)
    for case, (f, target) in cases.items():
        n, c, h, w = f.shape
        f_req = f.clone().requires_grad_(True)
        got = _call(name, case, student_fn, f_req, target)
        if isinstance(got, torch.Tensor) and got.ndim == 0 and not got.requires_grad:
            raise ExerciseError(
                f"[{name}] On {case}: the loss does not depend on the features through autograd "
                "(requires_grad is False). Hint: compute it with torch operations only; no .detach(), "
                ".item() or NumPy."
            )
        got = _scalar(name, case, got)
        g = _gram(f)
        diff = g - target.double()
        raw = _gram(f, "none") - target.double() * c * h * w
        hints = [
            ((diff**2).sum().float(), "take the mean of the squared differences over all entries, not the sum."),
            (diff.abs().mean().float(), "square the differences (you took their absolute value)."),
            (diff.mean().float(), "square the differences before the mean."),
            (diff.pow(2).sum().sqrt().float(), "that is the Frobenius norm ‖G − A‖; use the mean of the squares."),
            (((_gram(f, "none") - target.double()) ** 2).mean().float(), "normalise the Gram matrix by C·H·W."),
            (((_gram(f, "hw") - target.double()) ** 2).mean().float(), "normalise the Gram matrix by C·H·W, not H·W."),
            (
                ((raw**2).sum() / (4 * c**2 * (h * w) ** 2) / n).float(),
                "that is Gatys's 1/(4N²M²) normalisation; the course uses mean((G − A)²) with G = F Fᵀ/(C·H·W).",
            ),
        ]
        compare(name, got.detach(), (diff**2).mean().float(), case, hints)
    passed(name, len(cases))


def check_total_variation(student_fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Exercise: squared total variation
    ``TV(x) = mean((x[i+1, j] − x[i, j])²) + mean((x[i, j+1] − x[i, j])²)`` for ``image: (N, C, H, W)``.
    """
    name = "total_variation"
    gen = torch.Generator().manual_seed(2)
    cases = {
        "a random RGB image, (1, 3, 8, 8)": torch.rand(1, 3, 8, 8, generator=gen),
        "a non-square grey batch, (3, 1, 2, 5)": torch.rand(3, 1, 2, 5, generator=gen),
        "vertical stripes, (1, 1, 4, 6)": (torch.arange(6) % 2).float().expand(1, 1, 4, 6).clone(),
    }
    for case, x in cases.items():
        got = _scalar(name, case, _call(name, case, student_fn, x))
        xd = x.double()
        dy, dx = xd[:, :, 1:] - xd[:, :, :-1], xd[..., 1:] - xd[..., :-1]
        expected = ((dy**2).mean() + (dx**2).mean()).float()
        wrap_y, wrap_x = xd - xd.roll(1, dims=2), xd - xd.roll(1, dims=3)
        hints = [
            (((dy**2).sum() + (dx**2).sum()).float(), "use the mean of each squared difference, not the sum."),
            ((dy.abs().mean() + dx.abs().mean()).float(), "square the differences (that was the L1 version)."),
            (((dy**2).mean() + (dx**2).mean()).float() / 2, "add the two means; do not average them."),
            ((dy**2).mean().float(), "you only used vertical differences; add the horizontal ones."),
            ((dx**2).mean().float(), "you only used horizontal differences; add the vertical ones."),
            (
                ((wrap_y**2).mean() + (wrap_x**2).mean()).float(),
                "do not wrap around the border (torch.roll); use slices like x[:, :, 1:] - x[:, :, :-1].",
            ),
        ]
        compare(name, got, expected, case, hints)
    passed(name, len(cases))
