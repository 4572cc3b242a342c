"""Quality and speed of the course's CycleGAN, horses ↔ zebras on animal-mnist (notebook 08).

    python benchmarks/cyclegan.py                    # QUALITY_STEPS steps, threads from set_threads
    python benchmarks/cyclegan.py --threads 1 --seed 1 --out runs/cyclegan

Prints the 10-class judge's test accuracy, then for the recipe (λ = 5), the recipe copied after
ABLATION_STEPS steps, and its ablation (λ = 0) trained for those ABLATION_STEPS steps:
the share of held-out horses translated into something the judge calls a zebra (and the reverse),
the cycle reconstruction error |F(G(x)) − x| per pixel on [0, 1] images, and the training time.
Targets: >= 70 % both ways, cycle error < 0.1, λ = 0 at least twice the error of λ = 5 after the same steps,
<= 5 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from tutorial_lib.config import get_device, set_threads
from tutorial_lib.translation.horse_zebra import ABLATION_STEPS, QUALITY_STEPS, cyclegan_quality, load_horses_zebras


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=QUALITY_STEPS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: $TUTORIAL_THREADS, else config.set_threads's rule)",
    )
    parser.add_argument("--device", default=None, help="cpu, cuda ... (default: CUDA when present)")
    parser.add_argument("--no-ablation", action="store_true", help="skip the λ = 0 run")
    parser.add_argument("--ablation-steps", type=int, default=ABLATION_STEPS, help="steps of the λ = 0 run")
    parser.add_argument("--out", default=None, help="folder for a translation grid and report.json")
    args = parser.parse_args()
    set_threads(args.threads)
    device = get_device(args.device)
    t0, c0 = time.perf_counter(), time.process_time()
    report, G = cyclegan_quality(args.steps, seed=args.seed, ablation=not args.no_ablation,
                                 ablation_steps=args.ablation_steps, device=device)  # fmt: skip
    print(report.summary())
    m, m0, early = report.with_cycle, report.without_cycle, report.with_cycle_at_ablation
    ok = min(m["x_to_y"], m["y_to_x"]) >= 0.70 and max(m["cycle_x"], m["cycle_y"]) < 0.1
    if m0 is not None:
        ok = ok and m0["cycle_x"] > 2 * early["cycle_x"] and m0["cycle_y"] > 2 * early["cycle_y"]
    print(f"quality targets (>= 70 % both ways, cycle L1 < 0.1, λ = 0 at least 2x worse): "
          f"{'PASS' if ok else 'BELOW TARGET'}")  # fmt: skip
    fast = "PASS" if report.train_seconds <= 300 else "BELOW TARGET (wall time: check the machine's load)"
    print(f"time target (training <= 300 s wall on 2 CPU cores): {fast}")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"total {wall:.0f} s wall, {cpu:.0f} s CPU (judge and ablation included)")
    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        from tutorial_lib.translation.cyclegan import translate
        from tutorial_lib.viz import show_grid

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        x, y = (t[:12] for t in load_horses_zebras("test"))
        fy, fx = translate(G["G"], x), translate(G["F"], y)
        rows = torch.cat([x, fy, translate(G["F"], fy), y, fx, translate(G["G"], fx)])
        show_grid(rows, nrow=12, title="horse → zebra → horse; zebra → horse → zebra").savefig(out / "translations.png")
        (out / "report.json").write_text(json.dumps(report.as_dict(), indent=2))
        print(f"wrote {out / 'translations.png'} and {out / 'report.json'}")


if __name__ == "__main__":
    main()
