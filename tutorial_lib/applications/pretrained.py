"""A trained class-conditional DCGAN for the application notebook, trained once and then reused.

:func:`trained_conditional_dcgan` trains the course recipe
(:func:`~tutorial_lib.gan.recipes.conditional_dcgan`) on the animal-mnist training split with
:func:`~tutorial_lib.gan.train.train_gan`'s atomic checkpoints, in a folder of the course cache
(``$TUTORIAL_CACHE_DIR`` or the user cache dir, see :func:`~tutorial_lib.common.cache.cache_dir`)
named after the dataset, the steps and the seed. Calling it again finds the finished checkpoint
and loads it instead of training; a run that was interrupted resumes where it stopped.
The checkpoint is read with ``weights_only=True``.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from ..config import get_device
from ..gan.callbacks import EMA
from ..gan.history import History
from ..gan.recipes import conditional_dcgan, load_gan_dataset


def pretrained_dir(dataset: str, steps: int, seed: int) -> Path:
    """The cache folder of the run ``(dataset, steps, seed)``: ``<cache>/gan/<dataset>-<steps>steps-seed<seed>``."""
    from ..common.cache import cache_dir

    return cache_dir() / "gan" / f"{dataset}-{steps}steps-seed{seed}"


def trained_conditional_dcgan(
    steps: int,
    *,
    dataset: str = "animals",
    seed: int = 0,
    cache: bool | str | os.PathLike = True,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> tuple[nn.Module, History]:
    """The recipe's conditional DCGAN trained for ``steps`` steps; returns ``(G_ema, history)``.

    G_ema: the weight-averaged generator (:class:`~tutorial_lib.gan.callbacks.EMA`), in eval mode,
        without gradients: ``G_ema(z: (N, latent_dim), y: (N,)) -> (N, 1, S, S)`` in [0, 1].
    cache: ``True`` keeps the checkpoint in :func:`pretrained_dir`, a path keeps it there,
        ``False`` trains without a checkpoint.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    device = get_device(device)
    data = load_gan_dataset(dataset)
    recipe = conditional_dcgan(dataset)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G, D = recipe.build()
    ema = EMA(G, recipe.ema_decay)
    folder = None
    if cache is True:
        folder = pretrained_dir(dataset, steps, seed)
    elif cache:
        folder = Path(cache)
    with torch.random.fork_rng(devices=[]):  # training must not move the caller's global random state
        history = recipe.train(
            G, D, data, steps=steps, callbacks=[ema], checkpoint_dir=folder, device=device, seed=seed,
            progress=progress,
        )  # fmt: skip
    return ema.model.eval().requires_grad_(False), history
