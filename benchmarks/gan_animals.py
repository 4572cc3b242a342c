"""Quality and speed of the course's class-conditional DCGAN on animal-mnist.

    python benchmarks/gan_animals.py                 # QUALITY_STEPS steps, threads from set_threads
    python benchmarks/gan_animals.py --steps 2000 --threads 1 --out runs/bench
    python benchmarks/gan_animals.py --threads 1 --seed 0 1 2 --no-speed   # one run per seed, then the range

Prints the test accuracy of the panel of three judge classifiers, the training time and speed, the
class accuracy of generated samples by the panel (targets: mean >= 85 % and every class >= 70 % on every
seed, in <= 3 minutes on 2 CPU cores) and by each judge alone, their intra-class diversity, and the raw
speed of one DCGAN training step for a few batch sizes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from tutorial_lib.config import get_device, set_threads
from tutorial_lib.data import ANIMAL_CLASSES, load_animals
from tutorial_lib.gan.quality import conditional_gan_quality
from tutorial_lib.gan.recipes import QUALITY_STEPS, conditional_dcgan


def step_speed(batch_size: int, steps: int, device: torch.device) -> float:
    """Training steps per second of the recipe's conditional DCGAN (after a short warm-up)."""
    data = load_animals("train")
    recipe = conditional_dcgan("animals")
    torch.manual_seed(0)
    G, D = recipe.build()
    recipe.train(G, D, data, steps=5, batch_size=batch_size, device=device, progress=False)
    history = recipe.train(G, D, data, steps=steps, batch_size=batch_size, device=device, progress=False)
    return history.steps_per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=QUALITY_STEPS)
    parser.add_argument("--seed", type=int, nargs="+", default=[0], help="one run per seed (default: 0)")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: $TUTORIAL_THREADS, else config.set_threads's rule)",
    )
    parser.add_argument("--device", default=None, help="cpu, cuda ... (default: CUDA when present)")
    parser.add_argument("--out", default=None, help="folder for a sample grid and report.json")
    parser.add_argument("--no-speed", action="store_true", help="skip the per-batch-size speed table")
    args = parser.parse_args()
    set_threads(args.threads)
    device = get_device(args.device)
    t0 = time.perf_counter()
    reports = {}
    for seed in args.seed:
        print(f"--- seed {seed}")
        report, ema = conditional_gan_quality(args.steps, seed=seed, device=device)
        print(report.summary(ANIMAL_CLASSES))
        reports[seed] = report
    print("\nseed | mean (panel) | weakest class | training s | targets")
    for seed, r in reports.items():
        worst = min(range(len(ANIMAL_CLASSES)), key=lambda c: r.per_class_accuracy[c])
        ok = r.class_accuracy >= 0.85 and r.per_class_accuracy[worst] >= 0.70 and r.train_seconds <= 180
        print(f"{seed:>4} | {r.class_accuracy:12.1%} | {ANIMAL_CLASSES[worst]:>7} {r.per_class_accuracy[worst]:5.0%} | "
              f"{r.train_seconds:10.0f} | {'PASS' if ok else 'BELOW TARGET'}")  # fmt: skip
    means = [r.class_accuracy for r in reports.values()]
    worst = [min(r.per_class_accuracy) for r in reports.values()]
    print(f"mean {min(means):.1%} to {max(means):.1%}, weakest class {min(worst):.0%} to {max(worst):.0%} "
          f"over seeds {', '.join(map(str, reports))}; total {time.perf_counter() - t0:.0f} s")  # fmt: skip
    if not args.no_speed:
        for bs in (32, 64, 128):
            print(f"DCGAN training speed, batch {bs:>3}: {step_speed(bs, 40, device):.1f} steps/s on {device}")
    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        from tutorial_lib.gan.evaluation import conditional_samples
        from tutorial_lib.viz import show_class_grid

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        images, labels = conditional_samples(ema.model, len(ANIMAL_CLASSES), 12, seed=args.seed[-1])
        fig = show_class_grid(images, labels, ANIMAL_CLASSES, per_class=12)
        fig.savefig(out / "samples.png", dpi=100, bbox_inches="tight")
        (out / "report.json").write_text(json.dumps({s: r.as_dict() for s, r in reports.items()}, indent=2))
        print(f"wrote {out / 'samples.png'} and {out / 'report.json'}")


if __name__ == "__main__":
    main()
