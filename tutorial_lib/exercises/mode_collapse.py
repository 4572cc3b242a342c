"""Exercise of notebook 03 (mode collapse): count the modes a generator covers.

A sample x is *high quality* when its σ-scaled distance to its nearest centre is
below the threshold τ, ``min_k ‖x − μ_k‖ / σ < τ``; a mode is *covered* when at
least one high-quality sample has it as its nearest centre (PacGAN's rule).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ._core import ExerciseError, call_student, passed

_Fn = Callable[[torch.Tensor, torch.Tensor, float, float], object]


def _distances(samples: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
    diff = samples.double()[:, None, :] - centers.double()[None, :, :]
    return diff.pow(2).sum(-1).sqrt()  # (N, K), exact for axis-aligned offsets


def _modes(samples: torch.Tensor, centers: torch.Tensor, std: float, threshold: float, mistake: str = "") -> int:
    """The answer, or the answer a known ``mistake`` gives (used only to recognize wrong answers)."""
    d = _distances(samples, centers)
    scaled = d if mistake == "unscaled" else d / std
    dist, nearest = scaled.min(dim=1)
    if mistake == "squared":
        dist = dist**2
    hq = dist <= threshold if mistake == "le" else dist < threshold
    if mistake == "no_filter":
        return len(torch.unique(nearest))
    if mistake == "samples":
        return int(hq.sum())
    if mistake == "any_centre":
        return int((scaled < threshold).any(dim=0).sum())
    return len(torch.unique(nearest[hq]))


_HINTS = {
    "unscaled": "divide the distance by std: the threshold τ is in units of σ (d(x) = min_k ‖x − μ_k‖ / σ).",
    "le": "a sample exactly τσ away is *not* high quality: use a strict d(x) < τ, not ≤.",
    "samples": "you counted high-quality *samples*; count the distinct *modes* they fall on "
    "(e.g. with torch.unique of their nearest-centre indices).",
    "no_filter": "keep only the high-quality samples (d(x) < τ) before counting their modes: "
    "a sample far from every centre covers nothing.",
    "any_centre": "each sample counts for its *nearest* centre only (argmin over centres), "
    "not for every centre within τσ of it.",
    "squared": "compare the distance itself with τ, not its square (or square both sides).",
}


def _cases() -> dict[str, tuple[torch.Tensor, torch.Tensor, float, float]]:
    gen = torch.Generator().manual_seed(3)
    angles = torch.arange(8) * (2 * math.pi / 8)
    ring = torch.stack([angles.cos(), angles.sin()], dim=1)
    # 5 modes get samples spread up to ~4σ; the other 3 modes get only far-away junk
    labels = torch.tensor([0, 1, 2, 3, 4]).repeat(30)
    near = ring[labels] + 0.05 * 1.6 * torch.randn(len(labels), 2, generator=gen)
    junk = ring[5:].repeat(4, 1) * 1.6 + 0.05 * torch.randn(12, 2, generator=gen)
    ring_samples = torch.cat([near, junk])
    grid = torch.cartesian_prod(torch.arange(3.0), torch.arange(3.0)) * 2
    grid_samples = grid[torch.tensor([0, 0, 4, 8, 8, 8])] + torch.tensor([[0.5, 0.0]])  # 1σ from its centre
    return {
        "a ring of 8 modes, 5 of them with samples near the centre (162 samples, σ = 0.05)": (
            ring_samples, ring, 0.05, 3.0),
        "a 3×3 grid, samples on 3 modes (σ = 0.5)": (grid_samples, grid, 0.5, 3.0),
        "a sample exactly τσ = 2 · 0.5 from a centre, and one 1σ from another (threshold 2)": (
            torch.tensor([[1.0, 0.0], [4.0, 0.5]]), torch.tensor([[0.0, 0.0], [4.0, 0.0]]), 0.5, 2.0),
        "samples 10σ away from every centre (σ = 0.1)": (
            torch.tensor([[1.0, 0.0], [0.0, -1.0], [3.0, 3.0]]), torch.tensor([[0.0, 0.0], [3.0, 2.0]]), 0.1, 3.0),
        "one sample 0.4σ from a centre and one 10 units from every centre (σ = 0.5)": (
            torch.tensor([[0.0, 0.2], [10.0, 10.0]]), torch.tensor([[0.0, 0.0], [10.0, 0.0]]), 0.5, 3.0),
        "two centres 1σ apart, samples nearest to the second one (σ = 0.1)": (
            torch.tensor([[0.09, 0.0], [0.1, 0.02]]), torch.tensor([[0.0, 0.0], [0.1, 0.0]]), 0.1, 3.0),
        "a single sample 2σ from a centre, threshold 3 (σ = 0.2)": (
            torch.tensor([[0.0, 0.4]]), torch.tensor([[0.0, 0.0], [5.0, 5.0]]), 0.2, 3.0),
    }  # fmt: skip


def _as_int(got: object, name: str, case: str) -> int:
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            raise ExerciseError(
                f"[{name}] On {case}: expected one number (how many modes), got a tensor of shape "
                f"{tuple(got.shape)}. Hint: count the modes, e.g. len(torch.unique(...)) or int(mask.sum())."
            )
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, int | float) or float(got) != int(got):
        raise ExerciseError(f"[{name}] On {case}: expected a whole number of modes, got {got!r}.")
    return int(got)


def check_mode_coverage(student_fn: _Fn) -> None:
    """Exercise: the number of modes covered by PacGAN's rule.

    ``student_fn(samples: (N, D), centers: (K, D), std: float, threshold: float) -> int``: how many
    centres are the nearest centre of at least one sample with ``min_k ‖x − μ_k‖ / σ < τ``.
    """
    name = "count_modes_covered"
    cases = _cases()
    answers = {}
    for case, (samples, centers, std, threshold) in cases.items():
        got = call_student(name, student_fn, case, samples.clone(), centers.clone(), std, threshold)
        answers[case] = _as_int(got, name, case)
    for case, (samples, centers, std, threshold) in cases.items():
        expected = _modes(samples, centers, std, threshold)
        if answers[case] == expected:
            continue
        msg = f"[{name}] On {case}: expected {expected} modes covered, got {answers[case]}."
        # the mistake that explains every answer best: all cases first, else this case alone
        fits = [m for m in _HINTS if all(_modes(*args, m) == answers[c] for c, args in cases.items())]
        fits = fits or [m for m in _HINTS if _modes(samples, centers, std, threshold, m) == answers[case]]
        if fits:
            msg += f" Hint: {_HINTS[fits[0]]}"
        raise ExerciseError(msg)
    passed(name, len(cases))
