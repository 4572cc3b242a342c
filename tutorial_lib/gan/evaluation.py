"""Judging a class-conditional image GAN: does it draw the requested class, and with variety?

* Class accuracy, with a classifier f trained on real images
  (:func:`~tutorial_lib.common.classifier.train_classifier`):

      acc_c = (1/n) Σ_i 1[argmax_k f(G(z_i, c))_k = c],      class accuracy = (1/K) Σ_c acc_c.

* Intra-class diversity: the mean distance between two samples of the same class,
  relative to the same quantity for real images,

      div = mean_c E‖G(z, c) − G(z', c)‖₂ / mean_c E‖x − x'‖₂   (x, x' real images of class c).

  A generator that draws one image per class can reach a perfect class accuracy
  with div ≈ 0; report both numbers.
"""

from __future__ import annotations

import torch
from torch import nn

from ..common.classifier import predict
from .callbacks import generate


def conditional_samples(
    generator: nn.Module, num_classes: int, n_per_class: int, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_per_class`` samples of every class, drawn in eval mode with z from ``seed``.

    Returns images ``(K · n, C, S, S)`` on the CPU and the requested labels ``(K · n,)``, class-major.
    """
    labels = torch.arange(num_classes).repeat_interleave(n_per_class)
    z = torch.randn(len(labels), generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    return generate(generator, z, labels), labels


def conditional_class_accuracy(
    generator: nn.Module, classifier: nn.Module, num_classes: int, n_per_class: int = 100, seed: int = 0
) -> tuple[float, torch.Tensor]:
    """How often ``classifier`` labels ``G(z, c)`` as class c: the mean over classes and ``(num_classes,)``."""
    images, labels = conditional_samples(generator, num_classes, n_per_class, seed)
    hits = (predict(classifier, images) == labels).float().view(num_classes, n_per_class)
    per_class = hits.mean(1)
    return per_class.mean().item(), per_class


def mean_pairwise_distance(images: torch.Tensor, labels: torch.Tensor, max_per_class: int = 200) -> float:
    """mean_c E‖x − x'‖₂ over distinct pairs of ``images: (N, ...)`` with the same label (``labels: (N,)``),
    using at most ``max_per_class`` images per class."""
    if labels.shape != images.shape[:1]:
        raise ValueError(f"labels must have shape ({images.shape[0]},); got {tuple(labels.shape)}")
    per_class = []
    for c in labels.unique():
        x = images[labels == c][:max_per_class].flatten(1).double()
        if len(x) < 2:
            continue
        per_class.append(torch.cdist(x, x).sum() / (len(x) * (len(x) - 1)))
    if not per_class:
        raise ValueError("every class needs at least two images")
    return torch.stack(per_class).mean().item()


def intra_class_diversity(
    generator: nn.Module, real_images: torch.Tensor, real_labels: torch.Tensor, n_per_class: int = 100, seed: int = 0
) -> float:
    """Mean within-class distance of generated samples divided by that of real images (1 = as varied as real)."""
    k = int(real_labels.max()) + 1
    fake, labels = conditional_samples(generator, k, n_per_class, seed)
    return mean_pairwise_distance(fake, labels, n_per_class) / mean_pairwise_distance(
        real_images, real_labels, n_per_class
    )
