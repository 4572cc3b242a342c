"""Toy 2-D Gaussian mixtures for studying mode collapse, as defined in PacGAN.

* ``ring``: 8 modes at ``(cos 2πk/8, sin 2πk/8)``, standard deviation σ = 0.01.
* ``grid``: 25 modes at ``{-4, -2, 0, 2, 4}²``, standard deviation σ = 0.05.

Each mode has the same weight, so a perfect generator puts 1/K of its samples
near each centre.
"""

from __future__ import annotations

import math

import torch

MIXTURE_STD = {"ring": 0.01, "grid": 0.05}


def mixture_centers(name: str) -> torch.Tensor:
    """Mode centres ``(K, 2)`` of mixture ``name`` (``"ring"`` or ``"grid"``)."""
    if name == "ring":
        angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        return torch.stack([angles.cos(), angles.sin()], dim=1).float()
    if name == "grid":
        axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
        return torch.cartesian_prod(axis, axis)
    raise ValueError(f"Unknown mixture {name!r}; choose 'ring' or 'grid'.")


def sample_mixture(
    name: str,
    n: int,
    std: float | None = None,
    generator: torch.Generator | None = None,
    return_labels: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """``n`` samples ``(n, 2)`` of the equal-weight mixture: pick a mode k ~ U{1..K},
    then x = μ_k + σ ε with ε ~ N(0, I).

    std: σ; ``None`` uses the PacGAN value (:data:`MIXTURE_STD`).
    return_labels: also return the mode index ``(n,)`` of each sample.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    centers = mixture_centers(name)
    sigma = MIXTURE_STD[name] if std is None else float(std)
    labels = torch.randint(len(centers), (n,), generator=generator)
    x = centers[labels] + sigma * torch.randn(n, 2, generator=generator)
    return (x, labels) if return_labels else x
