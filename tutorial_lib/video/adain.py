"""Adaptive instance normalisation (Huang & Belongie 2017): any style in one forward pass, no per-style training.

AdaIN gives the content features the per-channel mean and standard deviation of the style features:

    AdaIN(x, y) = σ(y) · (x − μ(x)) / σ(x) + μ(y),

with μ and σ taken over positions, separately for each image and channel.
"""

from __future__ import annotations

import torch


def adain(content_features: torch.Tensor, style_features: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Adaptive instance normalisation (Huang & Belongie 2017), per image n and channel k::

        AdaIN(x, y) = σ(y) · (x − μ(x)) / σ(x) + μ(y),

    μ and σ the mean and the (biased) standard deviation over positions, σ(x) = sqrt(var(x) + eps).
    It gives the content features x the channel statistics of the style features y. Instance
    norm is the special case whose scale and shift are learnt instead of taken from y.

    content_features: (N, C, H, W); style_features: (N or 1, C, H', W'). Returns (N, C, H, W).
    """
    if content_features.ndim != 4 or style_features.ndim != 4:
        raise ValueError(
            f"features must have shape (N, C, H, W); got {tuple(content_features.shape)} and "
            f"{tuple(style_features.shape)}"
        )
    if style_features.shape[1] != content_features.shape[1] or style_features.shape[0] not in (
        1,
        content_features.shape[0],
    ):
        raise ValueError(
            f"style_features must have shape (1 or N, C, H', W') with C = {content_features.shape[1]}; "
            f"got {tuple(style_features.shape)}"
        )
    mu_x = content_features.mean(dim=(2, 3), keepdim=True)
    sd_x = (content_features.var(dim=(2, 3), keepdim=True, unbiased=False) + eps).sqrt()
    mu_y = style_features.mean(dim=(2, 3), keepdim=True)
    sd_y = (style_features.var(dim=(2, 3), keepdim=True, unbiased=False) + eps).sqrt()
    return sd_y * (content_features - mu_x) / sd_x + mu_y
