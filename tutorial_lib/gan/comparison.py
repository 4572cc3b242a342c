"""Mode coverage of the 2-D mixtures, and the table that compares the remedies of
:mod:`~tutorial_lib.gan.remedies` with it: notebook 03.

:func:`mode_coverage` measures coverage as PacGAN does (Lin et al. 2018). For K mode centres μ_k
with standard deviation σ, a sample x is *high quality* when its σ-scaled distance to the nearest
centre is below a threshold τ:

    d(x) = min_k ‖x − μ_k‖ / σ,      x is high quality  ⇔  d(x) < τ   (τ = 3).

With n_k the number of high-quality samples whose nearest centre is μ_k:

* ``modes_covered``       = #{k : n_k ≥ 1}           (PacGAN's lenient rule)
* ``modes_well_covered``  = #{k : n_k ≥ min_count}
* ``high_quality_fraction`` = Σ_k n_k / N
* ``reverse_kl``          = KL(p ‖ u) = Σ_k p_k log(K p_k),  p_k = n_k / Σ_j n_j,  u = 1/K

``reverse_kl`` is 0 when the high-quality samples spread evenly over the modes
and log K when they all sit on one mode.

:func:`run_method` trains one (method, mixture, seed) with :func:`~tutorial_lib.gan.train.train_gan`
and measures the weight average of its generator with :func:`mode_coverage`;
:func:`coverage_table` runs several, :func:`summarize` gives each method's mean ± sd over seeds, and
:func:`format_table` prints them as markdown.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import torch

from ..config import get_device
from ..data import MIXTURE_STD, mixture_centers
from .callbacks import EMA, generate
from .remedies import METHODS, MIXTURES, Method, get_method, mixture_sampler, profile_steps
from .train import Callback, train_gan


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


@dataclass
class MethodResult:
    """One trained run: its mode coverage, its time, and ``G``, the weight average of the trained generator."""

    method: str
    mixture: str
    seed: int
    steps: int
    modes_covered: int
    modes_well_covered: int
    n_modes: int
    high_quality_fraction: float
    reverse_kl: float
    cpu_seconds: float
    wall_seconds: float
    counts: tuple[int, ...]
    samples: torch.Tensor = field(repr=False)
    G: torch.nn.Module = field(repr=False)

    def row(self) -> dict[str, Any]:
        """The numbers of this run as a flat dictionary (no tensors)."""
        keys = ("method", "mixture", "seed", "steps", "modes_covered", "modes_well_covered", "n_modes",
                "high_quality_fraction", "reverse_kl", "cpu_seconds", "wall_seconds")  # fmt: skip
        return {k: getattr(self, k) for k in keys}


def run_method(
    method: str | Method,
    mixture: str,
    *,
    steps: int,
    seed: int = 0,
    n_samples: int = 2500,
    callbacks: Sequence[Callback] = (),
    device: str | torch.device | None = None,
    progress: bool = False,
    **overrides: Any,
) -> MethodResult:
    """Train ``method`` on ``mixture`` (``"ring"`` or ``"grid"``) for ``steps`` steps and measure it.

    The weights are seeded with ``seed``, and so is the loop's generator. What is measured is the
    exponential moving average of G's weights (β = ``ema_decay``): the raw G of a GAN jitters
    around its target from step to step, and its average is sharper. ``n_samples`` samples
    ``G_EMA(z)`` (z drawn with seed ``seed + 1000``) are scored with
    :func:`mode_coverage` at τ = 3σ and ``min_count=20``.
    ``overrides`` replace fields of the method, e.g. ``lr=5e-4``.
    Returns a :class:`MethodResult`; ``cpu_seconds`` is the process CPU time of the training.
    """
    m = replace(get_method(method), **overrides) if overrides else get_method(method)
    device = get_device(device)
    torch.manual_seed(seed)
    G, D = m.build()
    ema = EMA(G, m.ema_decay)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    train_gan(G, D, mixture_sampler(mixture), steps=steps, seed=seed, callbacks=[ema, *callbacks], device=device,
              progress=progress, **m.train_kwargs())  # fmt: skip
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    z = torch.randn(n_samples, m.latent_dim, generator=torch.Generator().manual_seed(seed + 1000))
    samples = generate(ema.model, z)
    cov = mode_coverage(samples, mixture_centers(mixture), MIXTURE_STD[mixture])
    return MethodResult(
        method=m.name, mixture=mixture, seed=seed, steps=steps, modes_covered=cov.modes_covered,
        modes_well_covered=cov.modes_well_covered, n_modes=cov.n_modes,
        high_quality_fraction=cov.high_quality_fraction, reverse_kl=cov.reverse_kl, cpu_seconds=cpu,
        wall_seconds=wall, counts=cov.counts, samples=samples, G=ema.model.cpu(),
    )  # fmt: skip


def coverage_table(
    methods: Iterable[str] = tuple(METHODS),
    mixtures: Iterable[str] = MIXTURES,
    seeds: Iterable[int] = (0, 1, 2),
    *,
    steps: int | Mapping[str, int] | None = None,
    n_samples: int = 2500,
    device: str | torch.device | None = None,
    progress: bool = True,
    on_result: Callable[[MethodResult], Any] | None = None,
    reuse: Iterable[MethodResult] = (),
    **overrides: Any,
) -> list[MethodResult]:
    """Run every (mixture, method, seed) with :func:`run_method`; return the results in that order.

    steps: one count for every run, a ``{mixture: steps}`` mapping, or ``None`` for the active
    profile's (:func:`profile_steps`). on_result: called after each run (e.g. to print it).
    reuse: results already computed; a job with the same method, mixture, seed and steps takes
    its result from there instead of training again (runs are deterministic on the CPU).
    overrides: fields of every method to replace, as in :func:`run_method`.
    """
    from tqdm.auto import tqdm

    jobs = [(mix, meth, s) for mix in mixtures for meth in methods for s in seeds]
    results = []
    for mix, meth, s in tqdm(jobs, desc="methods x seeds", disable=not progress):
        n_steps = profile_steps(mix) if steps is None else steps if isinstance(steps, int) else steps[mix]
        done = [
            r
            for r in reuse
            if (r.method, r.mixture, r.seed, r.steps, len(r.samples)) == (meth, mix, s, n_steps, n_samples)
        ]
        res = done[0] if done else run_method(meth, mix, steps=n_steps, seed=s, n_samples=n_samples, device=device,
                                              **overrides)  # fmt: skip
        results.append(res)
        if on_result is not None:
            on_result(res)
    return results


def _mean_sd(values: list[float], fmt: str) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "∞"
    mean = sum(finite) / len(finite)
    text = format(mean, fmt)
    if len(finite) > 1:
        sd = (sum((v - mean) ** 2 for v in finite) / (len(finite) - 1)) ** 0.5
        text += f" ± {format(sd, fmt)}"
    return text + (" (some ∞)" if len(finite) < len(values) else "")


def summarize(results: Sequence[MethodResult]) -> list[dict[str, Any]]:
    """One row per (mixture, method): means ± standard deviations over seeds, in first-seen order."""
    groups: dict[tuple[str, str], list[MethodResult]] = {}
    for r in results:
        groups.setdefault((r.mixture, r.method), []).append(r)
    rows = []
    for (mix, meth), rs in groups.items():
        rows.append({
            "mixture": mix,
            "method": meth,
            "seeds": len(rs),
            "covered": _mean_sd([r.modes_covered for r in rs], ".1f") + f" / {rs[0].n_modes}",
            "well covered (≥20)": _mean_sd([r.modes_well_covered for r in rs], ".1f") + f" / {rs[0].n_modes}",
            "high quality": _mean_sd([100 * r.high_quality_fraction for r in rs], ".0f") + " %",
            "reverse KL": _mean_sd([r.reverse_kl for r in rs], ".3f"),
            "per seed (well covered, KL)": ", ".join(f"{r.modes_well_covered}/{r.reverse_kl:.2f}" for r in rs),
            "CPU s/run": f"{sum(r.cpu_seconds for r in rs) / len(rs):.0f}",
        })  # fmt: skip
    return rows


def format_table(results: Sequence[MethodResult]) -> str:
    """The :func:`summarize` rows as a markdown table."""
    rows = summarize(results)
    if not rows:
        return "(no results)"
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    return "\n".join(lines)
