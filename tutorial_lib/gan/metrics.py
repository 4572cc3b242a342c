"""Mode coverage of 2-D mixture samples, as PacGAN measures it (Lin et al. 2018).

For K mode centres μ_k with standard deviation σ, a sample x is *high quality*
when its σ-scaled distance to the nearest centre is below a threshold τ:

    d(x) = min_k ‖x − μ_k‖ / σ,      x is high quality  ⇔  d(x) < τ   (τ = 3).

With n_k the number of high-quality samples whose nearest centre is μ_k:

* ``modes_covered``       = #{k : n_k ≥ 1}           (PacGAN's lenient rule)
* ``modes_well_covered``  = #{k : n_k ≥ min_count}
* ``high_quality_fraction`` = Σ_k n_k / N
* ``reverse_kl``          = KL(p ‖ u) = Σ_k p_k log(K p_k),  p_k = n_k / Σ_j n_j,  u = 1/K

``reverse_kl`` is 0 when the high-quality samples spread evenly over the modes
and log K when they all sit on one mode.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`mode_coverage` measured; ``counts`` are the n_k above."""

    modes_covered: int
    modes_well_covered: int
    high_quality_fraction: float
    reverse_kl: float
    counts: tuple[int, ...]

    @property
    def n_modes(self) -> int:
        return len(self.counts)

    def as_dict(self) -> dict[str, float | int]:
        d = asdict(self)
        d.pop("counts")
        return d


def mode_coverage(
    samples: torch.Tensor,
    centers: torch.Tensor,
    std: float,
    threshold: float = 3.0,
    min_count: int = 20,
) -> ModeCoverage:
    """Measure how a generator's ``samples: (N, 2)`` cover the modes ``centers: (K, 2)``.

    std: σ of each mode; threshold: τ in units of σ; min_count: samples a mode
    needs to count as well covered. See the module docstring for the formulas.
    """
    if samples.ndim != 2 or centers.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"samples must be (N, D) and centers (K, D) with the same D; got {tuple(samples.shape)} "
            f"and {tuple(centers.shape)}"
        )
    if std <= 0 or threshold <= 0:
        raise ValueError(f"std and threshold must be positive, got std={std}, threshold={threshold}")
    x = samples.detach().double().cpu()
    mu = centers.detach().double().cpu()
    dist, nearest = (torch.cdist(x, mu) / std).min(dim=1)
    hq = dist < threshold
    counts = torch.bincount(nearest[hq], minlength=len(mu))
    total = int(counts.sum())
    if total == 0:
        kl = math.inf
    else:
        p = counts.double() / total
        nz = p > 0
        kl = float((p[nz] * torch.log(p[nz] * len(mu))).sum())
    return ModeCoverage(
        modes_covered=int((counts >= 1).sum()),
        modes_well_covered=int((counts >= min_count).sum()),
        high_quality_fraction=total / max(1, len(x)),
        reverse_kl=kl,
        counts=tuple(int(c) for c in counts),
    )
