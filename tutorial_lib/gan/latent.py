"""Walking through the latent space of a generator.

z ~ N(0, I) in d dimensions concentrates near the sphere of radius √d, so a
straight line between two samples passes through less typical, shorter
vectors in the middle. Spherical interpolation (slerp) stays at the typical
radius (White 2016):

    slerp(z₀, z₁; t) = sin((1 − t)Ω)/sin Ω · z₀ + sin(tΩ)/sin Ω · z₁,   cos Ω = ẑ₀ · ẑ₁.
"""

from __future__ import annotations

import torch


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
    """Spherical interpolation between ``z0: (d,)`` and ``z1: (d,)`` at ``t: (T,)`` (or a float);
    returns ``(T, d)`` (``(d,)`` for a float t). Falls back to a straight line when z0 ∥ z1."""
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must both have shape (d,); got {tuple(z0.shape)} and {tuple(z1.shape)}")
    scalar = not isinstance(t, torch.Tensor)
    t = torch.as_tensor(t, dtype=z0.dtype, device=z0.device).reshape(-1, 1)
    cos = torch.dot(z0 / z0.norm(), z1 / z1.norm()).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    if omega.abs() < 1e-4:
        out = (1 - t) * z0 + t * z1
    else:
        out = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)
    return out[0] if scalar else out


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int = 8, spherical: bool = True) -> torch.Tensor:
    """``steps`` latent vectors ``(steps, d)`` from ``z0`` to ``z1`` (both ends included)."""
    if steps < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    t = torch.linspace(0, 1, steps, dtype=z0.dtype, device=z0.device)
    if spherical:
        return slerp(z0, z1, t)
    return (1 - t[:, None]) * z0 + t[:, None] * z1
