"""Turn what a learner has (a tensor, images with labels, a sampling function) into minibatches.

:func:`make_sampler` returns ``sample(generator) -> (x, y)``: a batch ``x: (B, ...)``
and labels ``y: (B,)``, or ``y = None`` for unlabelled data. All randomness comes
from the ``torch.Generator`` passed in, so a checkpoint that stores the
generator's state can replay the exact same batches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

Batch = tuple[torch.Tensor, torch.Tensor | None]
Sampler = Callable[[torch.Generator], Batch]


def _split_labelled(data: Any) -> tuple[torch.Tensor, torch.Tensor | None] | None:
    """(x, y) for a tensor, an (images, labels) pair or an object with ``.images`` and ``.labels``."""
    if isinstance(data, torch.Tensor):
        return data, None
    if hasattr(data, "images") and hasattr(data, "labels"):
        return data.images, data.labels
    if isinstance(data, tuple | list) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        return data[0], data[1]
    return None


def make_sampler(data: Any, batch_size: int, device: torch.device | str = "cpu") -> tuple[Sampler, bool]:
    """Build a minibatch sampler from ``data``; returns ``(sample, has_labels)``.

    data: one of
        * a tensor of samples ``(N, ...)``: batches are drawn uniformly with replacement;
        * a pair ``(images (N, ...), labels (N,))`` or a :class:`~tutorial_lib.data.LabeledImages`:
          the same, with the labels of the drawn samples (for class-conditional GANs);
        * a function ``data(batch_size, generator)`` returning ``(B, ...)`` or ``((B, ...), (B,))``,
          e.g. ``lambda n, g: sample_mixture("ring", n, generator=g)``.
    The tensors are moved to ``device`` once.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    device = torch.device(device)
    split = _split_labelled(data)
    if split is None:
        if not callable(data):
            raise TypeError(
                "data must be a tensor (N, ...), a pair (images, labels), an object with .images and .labels, "
                f"or a function (batch_size, generator) -> batch; got {type(data).__name__}"
            )
        probe = data(batch_size, torch.Generator().manual_seed(0))
        has_labels = isinstance(probe, tuple | list)

        def sample_fn(gen: torch.Generator) -> Batch:
            out = data(batch_size, gen)
            if isinstance(out, tuple | list):
                return out[0].to(device), out[1].to(device)
            return out.to(device), None

        return sample_fn, has_labels

    x, y = split
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"data must have shape (N, ...) with N >= 1; got {tuple(x.shape)}")
    if y is not None and y.shape != x.shape[:1]:
        raise ValueError(f"labels must have shape ({x.shape[0]},); got {tuple(y.shape)}")
    x = x.to(device)
    y = y.to(device=device, dtype=torch.long) if y is not None else None
    n = x.shape[0]

    def sample(gen: torch.Generator) -> Batch:
        idx = torch.randint(n, (batch_size,), generator=gen).to(device)
        return x[idx], (y[idx] if y is not None else None)

    return sample, y is not None
