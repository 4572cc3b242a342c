"""A panel of judges: several small CNNs trained on the same real images with different seeds, voting together.

One judge's verdict on generated images depends on its own seed. Two 8-epoch judges, equally good on real
test images (93 %), called 82.5 % and 66 % of the same translated zebras horses (notebook 08): images
that lie between the classes are where a classifier's seed shows most. A panel of K judges f_1 … f_K
averages their class probabilities,

    p(c | x) = (1/K) Σ_k softmax(f_k(x))_c,

and calls x the class c with the largest p(c | x). The members' own verdicts give the spread: when they
disagree by several points, a single judge's number means little, and the panel's number is steadier.

* :class:`JudgePanel`: the panel as one ``nn.Module``; its output is log p(c | x), so
  :func:`~tutorial_lib.common.classifier.predict` and :func:`~tutorial_lib.common.classifier.accuracy`
  work on it as on one judge.
* :func:`train_judges`: K judges, one per seed.
* :func:`judged_share`: the share of images the panel, and each member, calls a given class.
* :func:`animal_judges`: the course's panel for animal-mnist, trained once and kept in the cache folder, so
  notebooks 02 and 08 share it.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from ..config import get_device
from ..data import load_animals
from .cache import cache_dir
from .checkpoint import load_checkpoint, save_checkpoint
from .classifier import SmallClassifier, train_classifier

#: The panel's seeds and the members' width: three judges of width 16 cost about what one of width 32 does
#: (about 13 s against 35 s each for 8 epochs on one CPU core, channels-last), and reach 88–90 % each on
#: real animal-mnist test images.
JUDGE_SEEDS: tuple[int, ...] = (0, 1, 2)
JUDGE_WIDTH = 16


class JudgePanel(nn.Module):
    """The mean-probability vote of ``members``: ``(N, C, S, S) -> (N, classes)`` log p(c | x).

    log p = logsumexp_k(log_softmax(f_k(x))) − log K, so ``argmax`` is the panel's verdict.
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("a panel needs at least one judge")
        self.members = nn.ModuleList(members)

    def member_log_probs(self, x: torch.Tensor) -> torch.Tensor:
        """Each member's log softmax: ``(K, N, classes)``."""
        return torch.stack([m(x).log_softmax(dim=1) for m in self.members])

    @staticmethod
    def vote(member_log_probs: torch.Tensor) -> torch.Tensor:
        """The panel's log p(c | x) ``(N, classes)`` from :meth:`member_log_probs` ``(K, N, classes)``."""
        return member_log_probs.logsumexp(dim=0) - math.log(len(member_log_probs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.vote(self.member_log_probs(x))


def train_judges(
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    seeds: Sequence[int] = JUDGE_SEEDS,
    epochs: int = 8,
    width: int = JUDGE_WIDTH,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> JudgePanel:
    """One :func:`~tutorial_lib.common.classifier.train_classifier` judge per seed, as a :class:`JudgePanel`
    in eval mode. On a CPU the members train channels-last (a fifth to a half faster, same model) and are
    returned in the usual layout, so a trained panel and the same panel loaded from disk give the same numbers."""
    device = torch.device(device) if device is not None else images.device
    cl = device.type == "cpu"
    members = [
        train_classifier(
            images, labels, epochs=epochs, seed=s, width=width, channels_last=cl, device=device, progress=progress
        )  # fmt: skip
        for s in seeds
    ]
    panel = JudgePanel(members).to(memory_format=torch.contiguous_format)
    return panel.eval().requires_grad_(False)


@torch.no_grad()
def judged_share(
    panel: JudgePanel, images: torch.Tensor, label: int, batch_size: int = 500
) -> tuple[float, list[float]]:
    """Share of ``images`` the panel calls ``label``, and the share each member calls it (the spread).

    One pass through each member serves both: the panel's vote is computed from the members' outputs.
    """
    panel.eval()
    device = next(panel.parameters()).device
    log_probs = torch.cat(
        [panel.member_log_probs(images[i : i + batch_size].to(device)) for i in range(0, len(images), batch_size)],
        dim=1,
    )
    panel_share = (JudgePanel.vote(log_probs).argmax(1) == label).float().mean().item()
    return panel_share, (log_probs.argmax(2) == label).float().mean(1).tolist()


def animal_judges(
    epochs: int,
    *,
    seeds: Sequence[int] = JUDGE_SEEDS,
    width: int = JUDGE_WIDTH,
    cache: bool | str | os.PathLike = True,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> JudgePanel:
    """The panel for animal-mnist's 10 classes, trained on its training split.

    device: as :func:`~tutorial_lib.config.get_device` (CUDA when present unless told otherwise).
    cache: ``True`` keeps it in ``judges/`` of the cache folder (:func:`~tutorial_lib.common.cache.cache_dir`),
    one file per (epochs, width, seeds); a path keeps it there; ``False`` always trains. A cached panel is
    loaded with ``weights_only=True``; one that cannot be read is trained again and overwritten.
    """
    device = get_device(device)
    name = f"animals-{epochs}epochs-width{width}-seeds{'-'.join(map(str, seeds))}.pt"
    path = None if cache is False else (cache_dir() / "judges" if cache is True else Path(cache)) / name
    if path is not None and path.is_file():
        try:
            state = load_checkpoint(path, map_location=device)
            panel = JudgePanel([SmallClassifier(10, 28, 1, width) for _ in seeds]).to(device)
            panel.load_state_dict(state)
            return panel.eval().requires_grad_(False)
        except (RuntimeError, ValueError, KeyError, OSError, EOFError, pickle.UnpicklingError) as err:
            print(f"Could not read the cached judges at {path} ({err}); training them again.")
    train = load_animals("train")
    panel = train_judges(train.images, train.labels, seeds=seeds, epochs=epochs, width=width, device=device,
                         progress=progress)  # fmt: skip
    if path is not None:
        save_checkpoint(panel.state_dict(), path)
    return panel
