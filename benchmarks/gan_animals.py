"""Quality and speed of the course's class-conditional DCGAN on animal-mnist.

    python benchmarks/gan_animals.py                 # QUALITY_STEPS steps, threads from set_threads
    python benchmarks/gan_animals.py --steps 2000 --threads 1 --out runs/bench

Prints the judge classifier's test accuracy, the training time and speed, the class
accuracy of generated samples (target: >= 70 % in <= 3 minutes on 2 CPU cores), their
intra-class diversity, and the raw speed of one DCGAN training step for a few batch sizes.
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
    parser.add_argument("--seed", type=int, default=0)
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
    report, ema = conditional_gan_quality(args.steps, seed=args.seed, device=device)
    print(report.summary(ANIMAL_CLASSES))
    verdict = "PASS" if report.class_accuracy >= 0.70 and report.train_seconds <= 180 else "BELOW TARGET"
    print(f"target (>= 70 % class accuracy, <= 180 s training): {verdict}; total {time.perf_counter() - t0:.0f} s")
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
        images, labels = conditional_samples(ema.model, len(ANIMAL_CLASSES), 12, seed=args.seed)
        fig = show_class_grid(images, labels, ANIMAL_CLASSES, per_class=12)
        fig.savefig(out / "samples.png", dpi=100, bbox_inches="tight")
        (out / "report.json").write_text(json.dumps(report.as_dict(), indent=2))
        print(f"wrote {out / 'samples.png'} and {out / 'report.json'}")


if __name__ == "__main__":
    main()
