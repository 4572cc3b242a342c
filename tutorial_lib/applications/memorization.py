"""Did the generator copy its training images? Nearest neighbours, compared with genuinely new images.

For every generated sample g we find the closest training image and its distance,

    d(g) = min_i ‖φ(g) − φ(x_i)‖₂,

in pixel space (φ = identity) and in a feature space (φ = the penultimate layer of a classifier
trained on real images, :func:`classifier_features`, which ignores small shifts and stroke
details). A small d alone proves nothing: real images have close neighbours too, and a dataset
may even contain duplicates. So the same distances are computed for *held-out real* images,
which the generator never saw, and the two distributions are compared.

A sample is flagged as a **near copy** when d(g) < τ with τ = ``ratio`` × the median held-out
distance (:func:`memorization_check`). A generator that reproduces training images shows up as
many flags and generated distances far below the held-out ones; one that makes new images has
distances like the held-out images'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

DEFAULT_RATIO = 0.5


def nearest_neighbours(
    queries: torch.Tensor, reference: torch.Tensor, batch_size: int = 512
) -> tuple[torch.Tensor, torch.Tensor]:
    """For each row of ``queries: (N, ...)``, the Euclidean distance to its nearest row of ``reference: (M, ...)``
    and that row's index: ``(distances (N,), indices (N,))``. Both are flattened to vectors first."""
    if queries.ndim < 2 or reference.ndim < 2:
        raise ValueError(f"queries and reference need shape (N, ...); got {tuple(queries.shape)}, {reference.shape}")
    if queries.shape[1:].numel() != reference.shape[1:].numel():
        raise ValueError(
            f"queries {tuple(queries.shape)} and reference {tuple(reference.shape)} must have the same size per item"
        )
    ref = reference.flatten(1).double()
    dists, idxs = [], []
    for i in range(0, len(queries), batch_size):
        d = torch.cdist(queries[i : i + batch_size].flatten(1).double(), ref)
        best = d.min(1)
        dists.append(best.values.float())
        idxs.append(best.indices)
    return torch.cat(dists), torch.cat(idxs)


@torch.no_grad()
def classifier_features(classifier: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Penultimate activations of a :class:`~tutorial_lib.common.classifier.SmallClassifier`:
    ``images (N, C, S, S) -> (N, 128)``, i.e. the input of its last linear layer."""
    net = getattr(classifier, "net", None)
    if not isinstance(net, nn.Sequential) or not isinstance(net[-1], nn.Linear):
        raise ValueError("classifier must be a SmallClassifier (a .net Sequential ending in a Linear layer)")
    was_training = classifier.training
    classifier.eval()
    device = next(classifier.parameters()).device
    trunk = net[:-1]
    try:
        out = [trunk(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)]
    finally:
        classifier.train(was_training)
    return torch.cat(out)


@dataclass
class MemorizationReport:
    """Nearest-training-neighbour distances in one space (``"pixel"`` or ``"feature"``).

    generated: d(g) of each generated sample ``(N,)``; generated_index: its nearest training image.
    heldout: d(x) of each held-out real image ``(M,)``. threshold: τ. near_copy: d(g) < τ ``(N,)``.
    heldout_near: the fraction of held-out real images below τ (what "natural" closeness gives).
    """

    space: str
    generated: torch.Tensor
    generated_index: torch.Tensor
    heldout: torch.Tensor
    threshold: float
    near_copy: torch.Tensor
    heldout_near: float

    def summary(self) -> str:
        """Two lines to print."""
        g, h = self.generated, self.heldout
        return (
            f"{self.space:>7} space: median distance to the nearest training image: generated {g.median():.3f}, "
            f"held-out real {h.median():.3f} (ratio {g.median() / h.median():.2f})\n"
            f"{'':>7}        near copies (d < {self.threshold:.3f}): generated {self.near_copy.float().mean():.1%}, "
            f"held-out real {self.heldout_near:.1%}"
        )


def memorization_check(
    generated: torch.Tensor,
    train: torch.Tensor,
    heldout: torch.Tensor,
    *,
    features: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ratio: float = DEFAULT_RATIO,
) -> MemorizationReport:
    """Compare generated samples' and held-out real images' distances to the training images (module docstring).

    generated: ``(N, C, S, S)``; train: ``(M, C, S, S)``; heldout: ``(K, C, S, S)`` real images not in ``train``.
    features: φ, e.g. ``lambda x: classifier_features(judge, x)``; ``None`` compares pixels.
    ratio: τ = ratio × median held-out distance.
    """
    if ratio <= 0:
        raise ValueError(f"ratio must be positive, got {ratio}")
    phi = features or (lambda x: x)
    train_f = phi(train)
    d_gen, idx = nearest_neighbours(phi(generated), train_f)
    d_held, _ = nearest_neighbours(phi(heldout), train_f)
    tau = ratio * d_held.median().item()
    return MemorizationReport(
        space="pixel" if features is None else "feature",
        generated=d_gen,
        generated_index=idx,
        heldout=d_held,
        threshold=tau,
        near_copy=d_gen < tau,
        heldout_near=(d_held < tau).float().mean().item(),
    )
