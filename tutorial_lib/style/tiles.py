"""Shuffling an image's tiles: a test of what Gram matrices ignore (notebook 04, section 3).

Cut an image ``x: (N, C, H, W)`` into a T × T grid of tiles of ``h × w`` pixels, with
``h = H // T`` and ``w = W // T``, and put them back in a seeded random order π:

    y[tile k] = x[tile π(k)],   k = 0 … T² − 1 (row-major).

Rows and columns beyond ``T·h`` and ``T·w`` are dropped, so y has shape ``(N, C, T·h, T·w)``.

Why it matters: a Gram matrix ``G = F Fᵀ / (C·H·W)`` sums over positions, so it is unchanged by
*any* permutation of the positions of F. Moving whole tiles permutes the positions of x exactly;
a network's features then differ from a permutation only where a receptive field crosses a tile
border. So the Gram matrices of y stay close to those of x, while y looks scrambled to us.
"""

from __future__ import annotations

import torch


def shuffle_tiles(image: torch.Tensor, tiles: int = 4, seed: int = 0) -> torch.Tensor:
    """``image: (N, C, H, W)`` cut into ``tiles × tiles`` blocks, put back in a seeded random order.

    Every image of the batch gets the same order. Returns ``(N, C, tiles·(H // tiles), tiles·(W // tiles))``.
    """
    if image.ndim != 4:
        raise ValueError(f"image must have shape (N, C, H, W); got {tuple(image.shape)}")
    if tiles < 1 or image.shape[-2] < tiles or image.shape[-1] < tiles:
        raise ValueError(f"tiles must be between 1 and min(H, W) = {min(image.shape[-2:])}; got {tiles}")
    th, tw = image.shape[-2] // tiles, image.shape[-1] // tiles
    blocks = [image[..., i * th : (i + 1) * th, j * tw : (j + 1) * tw] for i in range(tiles) for j in range(tiles)]
    order = torch.randperm(len(blocks), generator=torch.Generator().manual_seed(seed)).tolist()
    rows = [torch.cat([blocks[order[i * tiles + j]] for j in range(tiles)], dim=3) for i in range(tiles)]
    return torch.cat(rows, dim=2)
