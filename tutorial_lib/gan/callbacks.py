"""Callbacks for :func:`~tutorial_lib.gan.train.train_gan`.

A callback is any function of a :class:`~tutorial_lib.gan.train.StepInfo`, called
after every step. The three here keep state, so they also have ``state_dict()`` and
``load_state_dict()``: ``train_gan`` stores that state in its checkpoints, and a
resumed run carries on exactly where the interrupted one stopped.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from .train import StepInfo


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, y: torch.Tensor | None = None, batch_size: int = 500) -> torch.Tensor:
    """Samples ``G(z[, y])`` in eval mode, on the CPU, without gradients; G's mode is restored afterwards.

    z: ``(N, latent_dim)``; y: ``(N,)`` labels for a conditional G.
    """
    device = next(G.parameters()).device
    was_training = G.training
    G.eval()
    try:
        out = []
        for i in range(0, len(z), batch_size):
            zi = z[i : i + batch_size].to(device)
            out.append((G(zi, y[i : i + batch_size].to(device)) if y is not None else G(zi)).cpu())
    finally:
        G.train(was_training)
    return torch.cat(out)


class SampleSnapshots:
    """Keep ``G(z, y)`` for fixed z (and labels) at chosen steps, to watch samples improve.

    at: the steps to keep. After training, ``snapshots.images[step]`` is a ``(N, ...)`` tensor.
    """

    def __init__(self, z: torch.Tensor, at: Iterable[int], y: torch.Tensor | None = None) -> None:
        if y is not None and y.shape != z.shape[:1]:
            raise ValueError(f"y must have shape ({z.shape[0]},); got {tuple(y.shape)}")
        self.z, self.y = z.detach().cpu(), (y.detach().cpu() if y is not None else None)
        self.at = sorted(set(int(s) for s in at))
        self.images: dict[int, torch.Tensor] = {}

    def __call__(self, info: StepInfo) -> None:
        if info.step in self.at:
            self.images[info.step] = generate(info.G, self.z, self.y)

    def state_dict(self) -> dict:
        steps = sorted(self.images)
        return {"steps": steps, "images": [self.images[s] for s in steps]}

    def load_state_dict(self, state: dict) -> None:
        self.images = dict(zip(state["steps"], state["images"], strict=True))


class EMA:
    """Exponential moving average of the generator's weights (Yazıcı et al. 2019):

        θ_EMA ← β_t · θ_EMA + (1 − β_t) · θ_G   after step t, with β_t = min(``decay``, (1 + t) / (10 + t)),

    starting from θ_EMA = G's weights when the callback is made. The warm-up β_t < ``decay`` early on
    lets the average forget the random initial weights quickly; β_t reaches 0.999 only after about
    9,000 steps.

    The averaging itself is torch's :class:`~torch.optim.swa_utils.AveragedModel` with its EMA update
    (:func:`~torch.optim.swa_utils.get_ema_multi_avg_fn`) at decay β_t; batch-norm statistics are
    copied from G, not averaged (``use_buffers=False``). The average wanders less than G itself, so its
    samples are usually better and more stable. ``ema.model`` is the averaged generator (eval mode).
    """

    def __init__(self, G: nn.Module, decay: float = 0.999) -> None:
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay}")
        self.decay = decay
        self._beta = decay
        self.averaged = AveragedModel(G, multi_avg_fn=self._update, use_buffers=False)
        # AveragedModel copies G on its first update; counting the copy made here as that update
        # makes step 1 average with G's initial weights, as the formula above says.
        self.averaged.n_averaged.fill_(1)
        self.model = self.averaged.module.eval().requires_grad_(False)

    def _update(self, ema_params: list[torch.Tensor], params: list[torch.Tensor], n: torch.Tensor) -> None:
        get_ema_multi_avg_fn(self._beta)(ema_params, params, n)

    def __call__(self, info: StepInfo) -> None:
        G = info.G
        device = next(G.parameters()).device
        if next(self.model.parameters()).device != device:
            self.averaged.to(device)
        self._beta = min(self.decay, (1 + info.step) / (10 + info.step))
        self.averaged.update_parameters(G)

    def state_dict(self) -> dict:
        return self.model.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.model.load_state_dict(state)


class CopyAt:
    """A ``train_gan`` callback that keeps a copy of G as it was after step ``step`` (``None`` before).

    ``like``: the module trained (its copy receives the saved weights when a run resumes from a
    checkpoint written after that step). ``copy.G`` is in eval mode and needs no gradients.
    """

    def __init__(self, like: nn.Module, step: int) -> None:
        if step < 1:
            raise ValueError(f"step must be >= 1, got {step}")
        self.like, self.step = like, step
        self.G: nn.Module | None = None

    def _copy(self, G: nn.Module) -> nn.Module:
        return copy.deepcopy(G).eval().requires_grad_(False)

    def __call__(self, info: StepInfo) -> None:
        if info.step == self.step:
            self.G = self._copy(info.G)

    def state_dict(self) -> dict:
        return {"G": self.G.state_dict() if self.G is not None else None}

    def load_state_dict(self, state: dict) -> None:
        if state["G"] is not None:
            self.G = self._copy(self.like)
            self.G.load_state_dict(state["G"])
