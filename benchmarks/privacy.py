"""Privacy against quality: the conditional DCGAN on digits with a DP-SGD discriminator (notebook 09).

    python benchmarks/privacy.py                       # seeds 0 1 2, default-profile steps, 1 thread
    python benchmarks/privacy.py --seeds 0 --steps 300

For ε = ∞ (non-private), about 10 and about 1 (δ = 1/N) it prints, per seed: the ε the accountant
reports and the noise multiplier σ; the judge's class accuracy of the samples (mean and worst class);
the memorization check of notebook 06 (median nearest-training-image distance of samples over that of
held-out images, in the judge's feature space); the membership-inference AUC of the D-score attack
(0.5 = coin flip) beside the bound DP allows; and the training time. Then the range over seeds.
"""

from __future__ import annotations

import argparse
import math
import time

from tutorial_lib.applications.memorization import classifier_features, memorization_check
from tutorial_lib.common.classifier import accuracy, train_classifier
from tutorial_lib.config import get_profile, set_threads
from tutorial_lib.data import load_digits_tensor
from tutorial_lib.gan.evaluation import conditional_class_accuracy, conditional_samples
from tutorial_lib.gan.recipes import conditional_dcgan
from tutorial_lib.privacy.dp_gan import train_dp_gan
from tutorial_lib.privacy.membership import dp_auc_bound, member_split, membership_inference


def run(seed: int, steps: int, budgets: list[float | None], n_train: int, n_heldout: int) -> list[dict]:
    data = load_digits_tensor()
    members, non_members, rest = member_split(data.images, data.labels, n_train, n_heldout, seed=seed)
    judge = train_classifier(data.images[rest], data.labels[rest], epochs=30, seed=seed, max_shift=0, progress=False)
    rows = []
    for eps in budgets:
        r = train_dp_gan(*members, conditional_dcgan("digits"), epsilon=eps, steps=steps, seed=seed, progress=False)
        acc, per_class = conditional_class_accuracy(r.G, judge, 10, n_per_class=100, seed=seed)
        samples, _ = conditional_samples(r.G, 10, 50, seed=seed + 1)
        mem = memorization_check(samples, members[0], non_members[0], features=lambda x: classifier_features(judge, x))
        mia = membership_inference(r.D, members, non_members)
        rows.append({
            "seed": seed, "target": eps, "epsilon": r.epsilon, "sigma": r.noise_multiplier, "class_acc": acc,
            "worst_class": per_class.min().item(), "mem_ratio": (mem.generated.median() / mem.heldout.median()).item(),
            "near_copies": mem.near_copy.float().mean().item(), "auc": mia.auc,
            "auc_bound": dp_auc_bound(r.epsilon, r.delta), "seconds": r.seconds,
            "judge": accuracy(judge, *non_members),
        })  # fmt: skip
        row = rows[-1]
        print(f"seed {seed} | ε {row['epsilon']:>5.3g} (σ {row['sigma']:.2f}) | class acc {acc:.1%} "
              f"(worst {row['worst_class']:.0%}) | memorization ratio {row['mem_ratio']:.2f}, near copies "
              f"{row['near_copies']:.1%} | MIA AUC {mia.auc:.3f} (DP bound {row['auc_bound']:.3f}) | "
              f"{r.seconds:.0f} s | judge {row['judge']:.1%}", flush=True)  # fmt: skip
    return rows


def main() -> None:
    profile = get_profile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=profile.privacy_steps)
    parser.add_argument("--n-train", type=int, default=profile.privacy_train_size)
    parser.add_argument("--n-heldout", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (the figures were measured with 1)")
    args = parser.parse_args()
    set_threads(args.threads)
    budgets: list[float | None] = [None, 10.0, 1.0]
    t0 = time.perf_counter()
    rows = [row for seed in args.seeds for row in run(seed, args.steps, budgets, args.n_train, args.n_heldout)]
    print("\nrange over seeds (min – max):")
    for eps in budgets:
        sel = [r for r in rows if r["target"] == eps]
        name = "∞" if eps is None else f"{eps:g}"

        def span(key: str, fmt: str, sel: list[dict] = sel) -> str:
            vals = [r[key] for r in sel]
            return f"{format(min(vals), fmt)} – {format(max(vals), fmt)}"

        print(f"ε target {name:>3}: class acc {span('class_acc', '.1%')}, worst class {span('worst_class', '.0%')}, "
              f"memorization ratio {span('mem_ratio', '.2f')}, MIA AUC {span('auc', '.3f')}")  # fmt: skip
    auc_inf = [r["auc"] for r in rows if r["target"] is None]
    auc_one = [r["auc"] for r in rows if r["target"] == 1.0]
    print(
        f"ε = ∞ AUC above every ε ≈ 1 AUC: {'PASS' if min(auc_inf) > max(auc_one) else 'NO'}; "
        f"finite ε spent: {max(r['epsilon'] for r in rows if not math.isinf(r['epsilon'])):.2f} at most"
    )
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
