"""Exercise of notebook 06 (applications): the inpainting objective.

    L = (1/N) Σ_n Σ_p m_np (g_np − x_np)² / max(1, Σ_p m_np)  +  λ · mean(z²)

with m = 1 on visible pixels (see :mod:`tutorial_lib.applications.inpaint`).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._core import ExerciseError, call_student, compare, passed

Case = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, float]


def _ref_parts(g: torch.Tensor, x: torch.Tensor, m: torch.Tensor, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(the visible-pixel term, mean(z²)), computed independently of tutorial_lib.applications.inpaint."""
    m = m.expand_as(x)
    per_image = (m * (g - x) ** 2).flatten(1).sum(1) / m.flatten(1).sum(1).clamp(min=1.0)
    return per_image.mean(), (z**2).mean()


def _cases() -> dict[str, Case]:
    gen = torch.Generator().manual_seed(0)

    def rand(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=gen)

    n, s, d = 4, 6, 5
    half = torch.ones(n, 1, s, s)
    half[..., s // 2 :, :] = 0  # the bottom half hidden (the same mask for every image)
    uneven = (rand(n, 1, s, s) > torch.tensor([0.2, 0.5, 0.7, 0.9]).view(n, 1, 1, 1)).float()  # 80 %..10 % visible
    return {
        "random images, the bottom half hidden, λ = 0.1": (rand(n, 1, s, s), rand(n, 1, s, s), half,
                                                           torch.randn(n, d, generator=gen), 0.1),
        "random masks hiding 20 % to 90 % of each image, λ = 0.5": (rand(n, 1, s, s), rand(n, 1, s, s), uneven,
                                                                    torch.randn(n, d, generator=gen) + 1, 0.5),
        "a batch of 1, λ = 0.01": (rand(1, 1, s, s), rand(1, 1, s, s), half[:1], torch.randn(1, d, generator=gen),
                                   0.01),
        "an all-visible mask (plain MSE + prior), λ = 0.2": (rand(2, 1, s, s), rand(2, 1, s, s), torch.ones(2, 1, s, s),
                                                             torch.randn(2, d, generator=gen), 0.2),
        "an all-hidden mask (only the prior is left), λ = 0.3": (rand(2, 1, s, s), rand(2, 1, s, s),
                                                                 torch.zeros(2, 1, s, s),
                                                                 torch.randn(2, d, generator=gen), 0.3),
        "λ = 0 (no prior)": (rand(n, 1, s, s), rand(n, 1, s, s), uneven, torch.randn(n, d, generator=gen), 0.0),
    }  # fmt: skip


def _hints(g: torch.Tensor, x: torch.Tensor, m: torch.Tensor, z: torch.Tensor, lam: float) -> list:
    vis, prior = _ref_parts(g, x, m, z)
    mm = m.expand_as(x)
    all_pixels = ((mm * (g - x) ** 2).sum() / mm.numel()) + lam * prior
    sum_visible = (mm * (g - x) ** 2).sum() + lam * prior
    global_mean = (mm * (g - x) ** 2).sum() / mm.sum().clamp(min=1.0) + lam * prior
    inverted, _ = _ref_parts(g, x, 1 - m, z)
    return [
        (vis, "the prior term λ · mean(z²) is missing: without it z can drift far from N(0, I)."),
        (vis - lam * prior, "wrong sign of the prior: it is a penalty, + λ · mean(z²), so it pulls z towards 0."),
        (inverted + lam * prior, "the mask is inverted: m = 1 marks the *visible* pixels, which G(z) must match."),
        (
            ((g - x) ** 2).mean() + lam * prior,
            "you compared every pixel; multiply the squared error by the mask so hidden pixels do not count.",
        ),
        (
            all_pixels,
            "you averaged over all pixels, not only the visible ones: divide by the number of visible pixels "
            "(Σ m), per image.",
        ),
        (sum_visible, "you summed the squared errors; divide by the number of visible pixels (Σ m) of each image."),
        (
            global_mean,
            "you divided by the visible pixels of the whole batch; average over each image's visible pixels first, "
            "then over the batch.",
        ),
        (vis + lam * (z**2).sum(1).mean(), "the prior is λ · mean(z²) over all entries of z, not ‖z‖² per image."),
        (vis + lam * (z**2).sum(), "the prior is λ · mean(z²), not a sum over all entries."),
        (vis + lam * z.abs().mean(), "the Gaussian prior uses z², not |z|."),
        (vis + lam * z.mean() ** 2, "square first, then average: mean(z²), not mean(z)²."),
        (vis.sqrt() + lam * prior, "no square root: the data term is a mean of squared errors."),
    ]


def check_inpainting_loss(
    student_fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor],
) -> None:
    """Exercise: ``inpainting_loss(generated, target, mask, z, prior_weight) -> scalar tensor``.

    generated, target: ``(N, 1, H, W)``; mask: ``(N, 1, H, W)`` with 1 = visible; z: ``(N, d)``;
    prior_weight: λ. ``L = mean_n[ Σ_p m (g − x)² / max(1, Σ_p m) ] + λ · mean(z²)``.
    """
    name = "inpainting_loss"
    cases = _cases()
    for case, (g, x, m, z, lam) in cases.items():
        vis, prior = _ref_parts(g, x, m, z)
        expected = vis + lam * prior
        g_in, z_in = g.clone().requires_grad_(True), z.clone().requires_grad_(True)
        got = call_student(name, student_fn, case, g_in, x.clone(), m.clone(), z_in, lam)
        if isinstance(got, float | int):
            raise ExerciseError(
                f"[{name}] On {case}: got a Python number ({got!r}). Return a torch.Tensor scalar, without .item(): "
                "the loss is minimised over z, so it must stay differentiable."
            )
        if isinstance(got, torch.Tensor) and got.ndim != 0:
            raise ExerciseError(
                f"[{name}] On {case}: expected a scalar (shape ()), got shape {tuple(got.shape)}. "
                "Hint: average the per-image losses over the batch."
            )
        if isinstance(got, torch.Tensor) and not torch.isfinite(got):
            raise ExerciseError(
                f"[{name}] On {case}: got {got.item()}. Hint: when no pixel is visible Σ m = 0; "
                "divide by max(1, Σ m), e.g. mask.sum().clamp(min=1)."
            )
        compare(name, got, expected, case, _hints(g, x, m, z, lam))
        if lam > 0:
            if not got.requires_grad:
                raise ExerciseError(
                    f"[{name}] On {case}: the result has no gradient. Build it from the input tensors with torch "
                    "operations, without .detach(), .item() or NumPy."
                )
            grad_z = torch.autograd.grad(got, z_in, allow_unused=True)[0]
            if grad_z is None:
                raise ExerciseError(f"[{name}] On {case}: the loss does not depend on z; add the prior λ · mean(z²).")
    passed(name, len(cases))
