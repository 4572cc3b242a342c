"""Mode coverage of the vanilla GAN and six remedies on the ring of 8 and the grid of 25.

    python benchmarks/mode_collapse.py                       # notebook 03's settings: 3 seeds x 7 methods x 2 mixtures
    python benchmarks/mode_collapse.py --methods r1 --mixtures ring --seeds 0 1 2 3 4   # R1 per seed, seeds 0-4
    python benchmarks/mode_collapse.py --steps 8000 --grid-steps 12000 --hidden 128 --batch 256   # remedies.py's recipe
    python benchmarks/mode_collapse.py --compare --steps 500    # batched population vs one after another
    python benchmarks/mode_collapse.py --methods r1 --best-steps 3000 --best-grid-steps 4500   # tune R1 apart

The settings default to what notebook 03 runs in the default profile (``mode_collapse_steps``,
``mode_collapse_hidden``, ``mode_collapse_batch``), trained as there, in batched populations; the best
remedy (R1) trains apart, as there, with ``remedies.BEST_LESSON`` for ``mode_collapse_best_steps`` (ring) and
``mode_collapse_best_grid_steps`` (grid) steps in batches of ``mode_collapse_best_batch`` and
``mode_collapse_best_grid_batch`` (``--same-settings`` trains it like the others).
Prints one line per run (with its CPU time, the population's divided by its size), then the table
as markdown, then the course's targets:

* ring: 8/8 modes well covered (>= 20 high-quality samples each), >= 90 % high quality and
  reverse KL <= 0.07 on every seed, <= 90 s of CPU per run;
* grid: >= 24/25 modes well covered, >= 90 % high quality and KL <= 0.1 on at least 2 of 3 seeds.

Run it on one thread (the default) so CPU times compare across machines and runs.

``--compare`` trains the same (mixture, method, seed) runs twice, as batched populations
(:mod:`tutorial_lib.gan.population`, what notebook 03 does) and one after another
(:func:`~tutorial_lib.gan.comparison.run_method`), back to back in one process, and prints both
tables side by side, whether they agree within the seed-to-seed spread, and the wall-time speed-up.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

from tutorial_lib.config import get_profile, set_threads
from tutorial_lib.gan.comparison import MethodResult, coverage_table, format_table
from tutorial_lib.gan.population import population_table
from tutorial_lib.gan.remedies import BEST_LESSON, BEST_METHOD, METHODS, MIXTURES, profile_steps

TARGETS = {  # mixture: (min well covered, min high-quality fraction, max KL, seeds that must pass; 99: all)
    "ring": (8, 0.90, 0.07, 99),
    "grid": (24, 0.90, 0.10, 2),
}
MAX_CPU_S = 90.0


def meets(r: MethodResult) -> bool:
    well, hq, kl, _ = TARGETS[r.mixture]
    return r.modes_well_covered >= well and r.high_quality_fraction >= hq and r.reverse_kl <= kl


def verdicts(results: list[MethodResult]) -> list[str]:
    """One line per (mixture, method): how many seeds meet the target, and the overall verdict."""
    lines = []
    for mix in dict.fromkeys(r.mixture for r in results):
        need = TARGETS[mix][3]
        for meth in dict.fromkeys(r.method for r in results if r.mixture == mix):
            rs = [r for r in results if r.mixture == mix and r.method == meth]
            ok = sum(meets(r) for r in rs)
            slow = max(r.cpu_seconds for r in rs)
            passed = ok >= min(need, len(rs)) and (mix != "ring" or slow <= MAX_CPU_S)
            lines.append(f"{mix:>4} {meth:>14}: target met on {ok}/{len(rs)} seeds, max CPU {slow:.0f} s"
                         + ("  <- PASS" if passed else ""))  # fmt: skip
    return lines


def _stats(rs: list[MethodResult], key: str) -> tuple[float, float]:
    """Mean and sd over seeds of the finite values (KL is ∞ for a run with no high-quality sample)."""
    values = [float(getattr(r, key)) for r in rs if math.isfinite(getattr(r, key))]
    if not values:
        return math.inf, 0.0
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 if len(values) > 1 else 0.0
    return mean, sd


def side_by_side(batched: list[MethodResult], alone: list[MethodResult]) -> tuple[list[str], int]:
    """Markdown rows: mean ± sd over seeds of both ways, and whether they agree: for each of well covered,
    high-quality fraction and KL, |mean_batched − mean_alone| ≤ 2 · max(sd_batched, sd_alone) (+ 1e-9).
    Returns the rows and the number of (mixture, method) rows that disagree."""
    keys = (("modes_well_covered", ".1f", 1), ("high_quality_fraction", ".0f", 100), ("reverse_kl", ".3f", 1))
    lines = ["| mixture | method | well covered: batched / alone | HQ % | KL | same counts | agree |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    disagree = 0
    for mix, meth in dict.fromkeys((r.mixture, r.method) for r in alone):
        b = [r for r in batched if (r.mixture, r.method) == (mix, meth)]
        a = [r for r in alone if (r.mixture, r.method) == (mix, meth)]
        cells, ok = [], True
        for key, fmt, scale in keys:
            (mb, sb), (ma, sa) = _stats(b, key), _stats(a, key)
            ok &= mb == ma or abs(mb - ma) <= 2 * max(sb, sa) + 1e-9
            cells.append(f"{format(scale * mb, fmt)} ± {format(scale * sb, fmt)} / "
                         f"{format(scale * ma, fmt)} ± {format(scale * sa, fmt)}")  # fmt: skip
        same = sum(x.counts == y.counts for x, y in zip(b, a, strict=True))
        disagree += not ok
        lines.append(f"| {mix} | {meth} | " + " | ".join(cells) + f" | {same}/{len(a)} | {'yes' if ok else 'NO'} |")
    return lines, disagree


def compare(methods: list[str], mixtures: list[str], seeds: list[int], steps, device: str, **sizes) -> None:
    """Both ways on the same runs, back to back; print the tables side by side and the speed-up."""
    # Warm both up first: torch's first calls are slow.
    population_table(methods[:1], mixtures[:1], seeds[:1], steps=2, n_samples=100, device=device, progress=False)
    coverage_table(methods[:1], mixtures[:1], seeds[:1], steps=2, n_samples=100, device=device, progress=False)
    t0 = time.perf_counter()
    batched = population_table(methods, mixtures, seeds, steps=steps, device=device, progress=False, **sizes)
    t_batched = time.perf_counter() - t0
    t0 = time.perf_counter()
    alone = coverage_table(methods, mixtures, seeds, steps=steps, device=device, progress=False, **sizes)
    t_alone = time.perf_counter() - t0
    lines, disagree = side_by_side(batched, alone)
    print("\n".join(lines))
    print(f"\n{len(alone)} runs: batched populations {t_batched:.0f} s wall, one after another {t_alone:.0f} s wall: "
          f"speed-up x{t_alone / t_batched:.2f}; {disagree} of {len(lines) - 2} rows disagree beyond 2 sd "
          f"(load average {os.getloadavg()[0]:.1f} at the end)")  # fmt: skip


def main() -> None:
    profile = get_profile("default")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="for every run (default: the default profile's)")
    parser.add_argument("--grid-steps", type=int, default=None, help="on the grid only (default: --steps)")
    parser.add_argument("--hidden", type=int, default=profile.mode_collapse_hidden, help="hidden width of G and D")
    parser.add_argument("--batch", type=int, default=profile.mode_collapse_batch, help="minibatch size")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    order = ["vanilla", BEST_METHOD] + [m for m in METHODS if m not in ("vanilla", BEST_METHOD)]
    parser.add_argument("--methods", nargs="+", default=order, choices=list(METHODS))
    parser.add_argument("--mixtures", nargs="+", default=list(MIXTURES), choices=list(MIXTURES))
    parser.add_argument("--threads", type=int, default=1, help="torch threads (CPU times are per process)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=None, help="write the per-run numbers to this JSON file")
    parser.add_argument("--compare", action="store_true", help="batched populations vs one run after another")
    parser.add_argument("--same-settings", action="store_true", help="train the best remedy like the others")
    parser.add_argument("--best-steps", type=int, default=profile.mode_collapse_best_steps, help="its ring steps")
    parser.add_argument("--best-grid-steps", type=int, default=profile.mode_collapse_best_grid_steps)
    parser.add_argument("--best-batch", type=int, default=profile.mode_collapse_best_batch)
    parser.add_argument("--best-grid-batch", type=int, default=profile.mode_collapse_best_grid_batch)
    args = parser.parse_args()
    set_threads(args.threads)
    steps = {mix: profile_steps(mix, profile) for mix in args.mixtures} if args.steps is None else args.steps
    if args.grid_steps is not None:
        steps = {mix: args.grid_steps if mix == "grid" else steps if isinstance(steps, int) else steps[mix]
                 for mix in args.mixtures}  # fmt: skip
    sizes = dict(hidden=args.hidden, batch_size=args.batch)
    print(f"steps per run: {steps}, {sizes}, seeds {args.seeds}, {args.threads} thread(s), device {args.device}")
    if args.compare:
        compare(args.methods, args.mixtures, args.seeds, steps, args.device, **sizes)
        return
    t0 = time.perf_counter()

    def report(r: MethodResult) -> None:
        print(f"{r.mixture:>4} {r.method:>14} seed {r.seed}: covered {r.modes_covered}/{r.n_modes}, "
              f"well {r.modes_well_covered}/{r.n_modes}, HQ {r.high_quality_fraction:.1%}, KL {r.reverse_kl:.3f}, "
              f"CPU {r.cpu_seconds:.1f} s, wall {r.wall_seconds:.1f} s", flush=True)  # fmt: skip

    apart = [BEST_METHOD] if BEST_METHOD in args.methods and not args.same_settings else []
    others = [m for m in args.methods if m not in apart]
    results = population_table(others, args.mixtures, args.seeds, steps=steps, device=args.device,
                               progress=False, **sizes)  # fmt: skip
    best = {"ring": (args.best_steps, args.best_batch), "grid": (args.best_grid_steps, args.best_grid_batch)}
    for mix in args.mixtures if apart else []:
        n, batch = best[mix]
        print(f"{BEST_METHOD} apart on the {mix}: {n} steps, batches of {batch}, {BEST_LESSON}")
        results += population_table(apart, [mix], args.seeds, steps=n, device=args.device, progress=False,
                                    hidden=args.hidden, batch_size=batch, **BEST_LESSON)  # fmt: skip
    results.sort(key=lambda r: args.mixtures.index(r.mixture))
    for r in results:
        report(r)
    print()
    print(format_table(results))
    print()
    print("targets (ring: 8/8 well, HQ >= 90 %, KL <= 0.07 on every seed, <= 90 s CPU; "
          "grid: >= 24/25 well, HQ >= 90 %, KL <= 0.1 on >= 2/3 seeds):")  # fmt: skip
    print("\n".join(verdicts(results)))
    print(f"total wall time {time.perf_counter() - t0:.0f} s")
    if args.out:
        Path(args.out).write_text(json.dumps([r.row() for r in results], indent=1))


if __name__ == "__main__":
    main()
