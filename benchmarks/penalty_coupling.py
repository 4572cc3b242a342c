"""R1 and WGAN-GP through the DCGAN recipe's D: the batched gradient against the true per-sample one.

    python benchmarks/penalty_coupling.py               # 300 training steps, as quoted in gan/regularizers.py
    python benchmarks/penalty_coupling.py --steps 100

The penalties take row i of ∇_x Σ_j l(x_j); the true per-sample gradient is ∂l_i/∂x_i, computed here one
sample at a time. They differ when D couples the batch (batch norm in training mode, minibatch-std).
Prints, for the recipe's D and for the same D without minibatch-std, untrained and trained, in train
and eval mode: R1 both ways, (‖g‖ − 1)² both ways, and the median of ‖g_batched − g_i‖ / ‖g_i‖.
One batch of 64 real animal-mnist images, seed 0, one CPU thread.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses

import torch

from tutorial_lib.data import load_animals
from tutorial_lib.gan.recipes import conditional_dcgan


def compare(D: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, train: bool) -> dict[str, float]:
    D = copy.deepcopy(D).train(train)
    x = x.detach().requires_grad_(True)
    scores = D(x, y)
    (batched,) = torch.autograd.grad(scores.sum(), x, retain_graph=True)
    own = torch.stack([torch.autograd.grad(scores[i], x, retain_graph=True)[0][i] for i in range(len(x))])
    b, o = batched.flatten(1), own.flatten(1)
    return {
        "r1_batched": b.pow(2).sum(1).mean().item(),
        "r1_true": o.pow(2).sum(1).mean().item(),
        "gp_batched": (b.norm(dim=1) - 1).pow(2).mean().item(),
        "gp_true": (o.norm(dim=1) - 1).pow(2).mean().item(),
        "median_rel_diff": ((b - o).norm(dim=1) / o.norm(dim=1)).median().item(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps before the second measurement")
    args = parser.parse_args()
    torch.set_num_threads(1)
    recipe, animals = conditional_dcgan("animals"), load_animals("train")
    idx = torch.randint(len(animals.images), (64,), generator=torch.Generator().manual_seed(0))
    x, y = animals.images[idx], animals.labels[idx]
    for name, r in [("recipe (BN + minibatch-std)", recipe),
                    ("BN only", dataclasses.replace(recipe, minibatch_std=False))]:  # fmt: skip
        torch.manual_seed(0)
        G, D = r.build()
        for steps in (0, args.steps):
            if steps:
                r.train(G, D, animals, steps=steps, device="cpu", progress=False, seed=0)
            for train in (True, False):
                m = compare(D, x, y, train)
                print(f"{name:28s} steps={steps:4d} {'train' if train else 'eval':5s}: "
                      f"R1 {m['r1_batched']:.4g} batched / {m['r1_true']:.4g} true "
                      f"(ratio {m['r1_batched'] / m['r1_true']:.3f}) | (|g|-1)^2 {m['gp_batched']:.4g} / "
                      f"{m['gp_true']:.4g} | median rel. diff {m['median_rel_diff']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
