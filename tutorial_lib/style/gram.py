"""Gram matrices: the texture statistics of style transfer (Gatys et al. 2016).

For feature maps ``F`` of one image at one layer, reshaped to ``(C, M)`` with
``M = H·W`` positions, the Gram matrix is

    G = F Fᵀ / (C · H · W),      G_ij = (1 / (C·M)) Σ_k F_ik F_jk.

``G_ij`` is the average co-activation of channels i and j over all positions.
Summing over positions forgets *where* things are, which is why ``G``
describes texture rather than layout.
"""

from __future__ import annotations

import torch


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """``G = F Fᵀ / (C·H·W)`` for ``features: (N, C, H, W)``; returns ``(N, C, C)``."""
    if features.ndim != 4:
        raise ValueError(f"features must have shape (N, C, H, W); got {tuple(features.shape)}")
    n, c, h, w = features.shape
    f = features.reshape(n, c, h * w)
    return torch.bmm(f, f.transpose(1, 2)) / (c * h * w)
