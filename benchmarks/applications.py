"""Notebook 06's measured claims: GAN inpainting against baseline fills, GAN data augmentation, memorization.

    python benchmarks/applications.py                       # the default profile's GAN (cached after one run)
    python benchmarks/applications.py --images 64 --seeds 0 1 2 --threads 1

Prints, for held-out animal-mnist images:

* the mean squared error on the hidden pixels for three masks: mean fill, blur fill, and latent
  optimisation of the conditional DCGAN with a few prior weights λ (target: GAN < both fills);
* few-shot classifier accuracy on held-out real images, real only / real + GAN / GAN only, per seed;
* nearest-training-neighbour distances of generated samples and of held-out real images.
"""

from __future__ import annotations

import argparse
import time

import torch

from tutorial_lib.applications.augment import augmentation_study
from tutorial_lib.applications.inpaint import blur_fill, inpaint, make_mask, masked_error, mean_fill
from tutorial_lib.applications.memorization import classifier_features, memorization_check
from tutorial_lib.applications.pretrained import trained_conditional_dcgan
from tutorial_lib.common.classifier import train_classifier
from tutorial_lib.config import get_device, get_profile, set_threads
from tutorial_lib.data import load_animals
from tutorial_lib.gan.evaluation import conditional_samples


def main() -> None:
    profile = get_profile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gan-steps", type=int, default=profile.dcgan_steps)
    parser.add_argument("--images", type=int, default=64, help="held-out images to inpaint")
    parser.add_argument("--inpaint-steps", type=int, default=profile.inpaint_steps)
    parser.add_argument("--priors", type=float, nargs="+", default=[0.0, 0.01, 0.1])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--real", type=int, default=20, help="real images per class in the few-shot sets")
    parser.add_argument("--fake", type=int, nargs="+", default=[50, 200], help="GAN samples per class to add")
    parser.add_argument("--classifier-steps", type=int, default=profile.augment_steps)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: $TUTORIAL_THREADS, else config.set_threads's rule)",
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["inpaint", "augment", "memorization"])
    args = parser.parse_args()
    set_threads(args.threads)
    device = get_device()
    t0 = time.perf_counter()
    G, history = trained_conditional_dcgan(args.gan_steps, device=device, progress=False)
    print(f"conditional DCGAN: {args.gan_steps} steps (training or loading took {time.perf_counter() - t0:.0f} s)")
    train, test = load_animals("train"), load_animals("test")
    x, y = test.images[: args.images], test.labels[: args.images]

    if "inpaint" not in args.skip:
        print(f"\nInpainting {len(x)} held-out images: mean squared error on the hidden pixels (lower is better)")
        print(
            f"{'mask':<8} {'mean fill':>10} {'blur fill':>10}"
            + "".join(f" {'GAN λ=' + str(p):>11}" for p in args.priors)
        )
        for kind in ("center", "bottom", "right"):
            m = make_mask(kind, n=len(x))
            row = [masked_error(mean_fill(x, m), x, m).mean().item(), masked_error(blur_fill(x, m), x, m).mean().item()]
            t = time.process_time()
            for lam in args.priors:
                res = inpaint(G, x, m, y, prior_weight=lam, steps=args.inpaint_steps, progress=False)
                row.append(masked_error(res.completed, x, m).mean().item())
            seconds = (time.process_time() - t) / len(args.priors)
            best_gan, best_base = min(row[2:]), min(row[:2])
            verdict = "GAN better" if best_gan < best_base else "BASELINE BETTER"
            print(f"{kind:<8}" + "".join(f" {v:>10.4f}" for v in row[:2]) + "".join(f" {v:>11.4f}" for v in row[2:])
                  + f"   {verdict} ({seconds:.1f} CPU s per GAN run)")  # fmt: skip

    if "augment" not in args.skip:
        for n_fake in args.fake:
            t = time.process_time()
            report = augmentation_study(
                G, train, test, n_real_per_class=args.real, n_fake_per_class=n_fake, seeds=tuple(args.seeds),
                steps=args.classifier_steps, device=device, progress=False,
            )  # fmt: skip
            print(f"\nAugmentation: {args.real} real + {n_fake} GAN images per class, {args.classifier_steps} steps "
                  f"per classifier ({time.process_time() - t:.0f} CPU s)")  # fmt: skip
            print(report.table())
            print(report.verdict())

    if "memorization" not in args.skip:
        judge = train_classifier(train.images, train.labels, epochs=profile.classifier_epochs, device=device,
                                 progress=False)  # fmt: skip
        fake, _ = conditional_samples(G, len(train.classes), 100, seed=1)
        print(f"\nMemorization: {len(fake)} generated samples and {len(test)} held-out real images against "
              f"{len(train)} training images")  # fmt: skip
        print(memorization_check(fake, train.images, test.images).summary())
        print(memorization_check(fake, train.images, test.images,
                                 features=lambda im: classifier_features(judge, im)).summary())  # fmt: skip
    print(f"\ntotal {time.perf_counter() - t0:.0f} s wall on {device}, {torch.get_num_threads()} torch thread(s)")


if __name__ == "__main__":
    main()
