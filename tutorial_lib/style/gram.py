"""Gram matrices: the texture statistics of style transfer (Gatys et al. 2016).

For feature maps ``F`` of one image at one layer, reshaped to ``(C, M)`` with
``M = H·W`` positions, the Gram matrix is

    G = F Fᵀ / (C · H · W),      G_ij = (1 / (C·M)) Σ_k F_ik F_jk.

``G_ij`` is the average co-activation of channels i and j over all positions.
Summing over positions forgets *where* things are, which is why ``G``
describes texture rather than layout. ``G`` is symmetric and positive
semi-definite (``vᵀ G v = ‖Fᵀ v‖² / (C·M) ≥ 0``).

Normalisations in use
---------------------
The course (and Johnson's ``neural-style``) divides by ``C·H·W`` and takes the
*mean* of the squared Gram difference, so one layer's style loss is

    E_l = mean((G_l(x) − G_l(s))²) = Σ_ij (F Fᵀ − S Sᵀ)²_ij / (C⁴ M²).

Gatys et al. (2016) use the raw ``F Fᵀ`` and the factor ``1 / (4 C² M²)``:

    E_l^Gatys = Σ_ij (F Fᵀ − S Sᵀ)²_ij / (4 C² M²) = (C² / 4) · E_l.

The two differ by ``C_l² / 4``: 1024 at ``relu1_1`` (C = 64) but 65536 at
``relu5_1`` (C = 512). Gatys's objective ``Σ_l v_l E_l^Gatys`` is therefore the
course's ``Σ_l w_l E_l`` with ``w_l = v_l · C_l² / 4`` (and a course weight
``w_l`` is ``v_l = w_l · 4 / C_l²`` in Gatys's convention). Gatys's equal layer
weights are thus ``layer_weights={l: C_l² / 4}`` in the course's loss: relatively
64 times more weight on block 5 than the course's equal weights give. PyTorch's
tutorial divides by ``N·C·H·W`` (the batch too), the course's convention for
N = 1. Neither convention depends on the image size M, so a weight tuned at
one resolution still works at another (Gatys's *content* loss
``½ Σ (F − P)²`` does grow with M, which is why their α/β ratios move with
image size).

Gram matching is MMD
--------------------
Li et al. (2017), "Demystifying neural style transfer": treat the M columns
``f_k ∈ ℝ^C`` of F (one per position) as samples. With the quadratic kernel
``k(a, b) = (aᵀ b)²`` the squared maximum mean discrepancy between the
positions of x and of s is

    MMD² = mean_{k,k'} k(f_k, f_k') + mean_{k,k'} k(s_k, s_k') − 2 mean_{k,k'} k(f_k, s_k')
         = ‖F Fᵀ / M − S Sᵀ / M'‖²_F = C² ‖G(x) − G(s)‖²_F = C⁴ E_l.

So matching Gram matrices matches the *distributions* of feature vectors,
seen through a quadratic kernel. :func:`mmd2` computes the left-hand side
directly (O(M²) memory: small maps only) so the identity can be checked.
"""

from __future__ import annotations

import torch

NORMALIZATIONS = ("chw", "hw", "none")


def gram_matrix(features: torch.Tensor, normalize: str = "chw") -> torch.Tensor:
    """``G = F Fᵀ / (C·H·W)`` for ``features: (N, C, H, W)``; returns ``(N, C, C)``.

    normalize: ``"chw"`` (the course's, default) divides by ``C·H·W``;
        ``"hw"`` by ``H·W`` only (the uncentred covariance of the feature
        vectors, the form in the MMD identity); ``"none"`` returns the raw
        ``F Fᵀ`` that Gatys et al. combine with ``1 / (4 C² M²)`` in the loss.

    Each image of the batch gets its own Gram matrix. F is scaled by
    ``1/√(norm)`` *before* the product, so half-precision features of VGG's
    magnitude do not overflow (``F Fᵀ`` itself can exceed 65504).
    """
    if features.ndim != 4:
        raise ValueError(f"features must have shape (N, C, H, W); got {tuple(features.shape)}")
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"normalize must be one of {NORMALIZATIONS}, got {normalize!r}")
    n, c, h, w = features.shape
    norm = {"chw": c * h * w, "hw": h * w, "none": 1}[normalize]
    f = features.reshape(n, c, h * w) / norm**0.5
    return torch.bmm(f, f.transpose(1, 2))


def mmd2(features_x: torch.Tensor, features_y: torch.Tensor, kernel: str = "quadratic") -> torch.Tensor:
    """Squared MMD between the feature vectors at all positions of two images, computed from kernel sums.

    MMD² = mean k(x_k, x_k') + mean k(y_k, y_k') − 2 mean k(x_k, y_k')  over all position pairs, where
    ``k(a, b) = (aᵀb)²`` (``kernel="quadratic"``; then MMD² = C⁴ · mean((G(x) − G(y))²), Li et al. 2017)
    or ``k(a, b) = aᵀb`` (``kernel="linear"``; then MMD² = ‖mean_k x_k − mean_k y_k‖², matching channel means).

    features_x: (N, C, H, W), features_y: (N, C, H', W'). Returns (N,). Memory grows as (H·W)², so keep maps small.
    """
    if features_x.ndim != 4 or features_y.ndim != 4:
        raise ValueError(
            f"features_x and features_y must have shape (N, C, H, W); got {tuple(features_x.shape)} "
            f"and {tuple(features_y.shape)}"
        )
    if features_x.shape[:2] != features_y.shape[:2]:
        raise ValueError(
            f"features_x and features_y must share N and C; got {tuple(features_x.shape)} and {tuple(features_y.shape)}"
        )
    if kernel not in ("quadratic", "linear"):
        raise ValueError(f"kernel must be 'quadratic' or 'linear', got {kernel!r}")
    power = 2 if kernel == "quadratic" else 1
    x = features_x.flatten(2).transpose(1, 2)  # (N, M, C): one row per position
    y = features_y.flatten(2).transpose(1, 2)

    def mean_k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (torch.bmm(a, b.transpose(1, 2)) ** power).mean(dim=(1, 2))

    return mean_k(x, x) + mean_k(y, y) - 2 * mean_k(x, y)
