"""The course's quality check of the class-conditional DCGAN, shared by the benchmark and the tests.

:func:`conditional_gan_quality` trains (or loads) the course's panel of three judge
classifiers on the real training images (:func:`~tutorial_lib.common.judges.animal_judges`),
trains the recipe's conditional DCGAN, and measures how often the panel names the requested
class for generated samples, how often each judge alone does, and how varied the samples are.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import torch

from ..common.classifier import accuracy
from ..common.judges import animal_judges
from ..config import get_device
from ..data import load_animals
from .callbacks import EMA
from .evaluation import conditional_class_accuracy, intra_class_diversity
from .recipes import conditional_dcgan


@dataclass(frozen=True)
class QualityReport:
    """Figures of one quality run (accuracies are fractions in [0, 1])."""

    judge_test_accuracy: float
    judge_seconds: float
    class_accuracy: float
    per_class_accuracy: list[float]
    member_class_accuracy: list[float]
    member_worst_class_accuracy: list[float]
    diversity: float
    steps: int
    train_seconds: float
    steps_per_second: float
    device: str
    threads: int

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self, classes: tuple[str, ...]) -> str:
        """A few lines to print."""
        per = ", ".join(f"{c} {a:.0%}" for c, a in zip(classes, self.per_class_accuracy, strict=True))
        alone = ", ".join(
            f"{a:.1%} (weakest {w:.0%})"
            for a, w in zip(self.member_class_accuracy, self.member_worst_class_accuracy, strict=True)
        )
        return (
            f"judges: {self.judge_test_accuracy:.1%} on real test images as a panel "
            f"(trained or loaded in {self.judge_seconds:.0f} s)\n"
            f"conditional DCGAN: {self.steps} steps in {self.train_seconds:.0f} s "
            f"({self.steps_per_second:.1f} steps/s, {self.device}, {self.threads} torch threads)\n"
            f"class accuracy of samples: {self.class_accuracy:.1%} (panel, mean over classes); {per}\n"
            f"by each judge alone: {alone}\n"
            f"intra-class diversity: {self.diversity:.2f} of the real images'"
        )


def conditional_gan_quality(
    steps: int,
    *,
    seed: int = 0,
    judge_epochs: int = 8,
    n_per_class: int = 100,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> tuple[QualityReport, EMA]:
    """Train (or load) the animal-mnist judges and train the recipe's conditional DCGAN for ``steps``; evaluate
    the EMA generator. The panel is the same for every ``seed`` (seeds 0, 1, 2), so seeds compare fairly.

    Returns the report and the :class:`~tutorial_lib.gan.callbacks.EMA` (``ema.model`` is the generator judged).
    """
    device = get_device(device)
    train, test = load_animals("train"), load_animals("test")
    t0 = time.perf_counter()
    judge = animal_judges(judge_epochs, device=device, progress=progress)
    judge_seconds = time.perf_counter() - t0
    recipe = conditional_dcgan("animals")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G, D = recipe.build()
    ema = EMA(G, recipe.ema_decay)
    history = recipe.train(G, D, train, steps=steps, callbacks=[ema], device=device, seed=seed, progress=progress)
    k = len(train.classes)
    acc, per_class = conditional_class_accuracy(ema.model, judge, k, n_per_class=n_per_class, seed=seed)
    alone = [conditional_class_accuracy(ema.model, m, k, n_per_class=n_per_class, seed=seed) for m in judge.members]
    report = QualityReport(
        judge_test_accuracy=accuracy(judge, test.images, test.labels),
        judge_seconds=judge_seconds,
        class_accuracy=acc,
        per_class_accuracy=per_class.tolist(),
        member_class_accuracy=[a for a, _ in alone],
        member_worst_class_accuracy=[p.min().item() for _, p in alone],
        diversity=intra_class_diversity(ema.model, train.images, train.labels, n_per_class=n_per_class, seed=seed),
        steps=steps,
        train_seconds=history.seconds,
        steps_per_second=history.steps_per_second,
        device=str(device),
        threads=torch.get_num_threads(),
    )
    return report, ema
