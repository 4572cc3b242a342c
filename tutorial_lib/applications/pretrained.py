"""A trained class-conditional DCGAN for the application notebook, trained once and then reused.

:func:`trained_conditional_dcgan` returns the course recipe
(:func:`~tutorial_lib.gan.recipes.conditional_dcgan`) trained on a dataset for some steps with some seed:

1. when notebook 02 has finished that run, in the recipe's folder of the course cache
   (:meth:`~tutorial_lib.gan.recipes.GANRecipe.checkpoint_dir`), it loads that run's averaged
   generator: the two notebooks share one training;
2. otherwise it trains its own copy with :func:`~tutorial_lib.gan.train.train_gan`'s atomic checkpoints
   in :func:`pretrained_dir`, a folder of its own, so that it never writes into a run that notebook 02
   may be training at the same moment. Calling it again finds that finished checkpoint and loads it;
   a run that was interrupted resumes where it stopped.

Checkpoints are read with ``weights_only=True``. The cache folder is ``$TUTORIAL_CACHE_DIR`` or the user
cache dir, see :func:`~tutorial_lib.common.cache.cache_dir`.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from ..common.checkpoint import checkpoint_path, load_checkpoint
from ..config import get_device
from ..gan.callbacks import EMA
from ..gan.history import History
from ..gan.recipes import conditional_dcgan, load_gan_dataset


def pretrained_dir(dataset: str, steps: int, seed: int) -> Path:
    """The folder of this module's own run ``(dataset, steps, seed)``: the recipe's folder + ``-applications``."""
    shared = conditional_dcgan(dataset).checkpoint_dir(dataset, steps, seed)
    return shared.with_name(shared.name + "-applications")


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
    cache: ``True`` first looks for notebook 02's finished run, then keeps its own checkpoint in
        :func:`pretrained_dir`; a path keeps the checkpoint there; ``False`` trains without a checkpoint.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    device = get_device(device)
    recipe = conditional_dcgan(dataset)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G, D = recipe.build()
    ema = EMA(G, recipe.ema_decay)
    folder = None
    if cache is True:
        shared = recipe.checkpoint_dir(dataset, steps, seed)
        history = _finished_run(shared, steps, ema, device)
        if history is not None:
            if progress:
                print(f"Loaded the finished run of notebook 02 from {shared}")
            return ema.model.eval().requires_grad_(False), history
        folder = pretrained_dir(dataset, steps, seed)
    elif cache:
        folder = Path(cache)
    data = load_gan_dataset(dataset)  # only when training: loading notebook 02's run needs no images
    with torch.random.fork_rng(devices=[]):  # training must not move the caller's global random state
        history = recipe.train(
            G, D, data, steps=steps, callbacks=[ema], checkpoint_dir=folder, device=device, seed=seed,
            progress=progress,
        )  # fmt: skip
    return ema.model.eval().requires_grad_(False), history


def _finished_run(folder: Path, steps: int, ema: EMA, device: torch.device) -> History | None:
    """Load the averaged G of a run in ``folder`` that reached ``steps`` into ``ema``; ``None`` if there is none.

    The run may have other callbacks besides its EMA (notebook 02 keeps sample snapshots): its EMA is the
    callback state with exactly the generator's weight names.
    """
    path = checkpoint_path(folder)
    if not path.is_file():
        return None
    state = load_checkpoint(path, map_location=device)
    if state.get("step") != steps:  # unfinished: notebook 02 may be training it right now
        return None
    names = ema.model.state_dict().keys()
    for saved in state.get("callbacks", []):
        if isinstance(saved, dict) and saved.keys() == names:
            ema.averaged.to(device)
            ema.load_state_dict(saved)
            return History.from_dict(state["history"])
    return None
