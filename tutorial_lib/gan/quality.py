"""The course's quality check of the class-conditional DCGAN, shared by the benchmark and the tests.

:func:`conditional_gan_quality` trains a judge classifier on the real training
images, trains the recipe's conditional DCGAN, and measures how often the judge
names the requested class for generated samples, and how varied they are.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import torch

from ..common.classifier import accuracy, train_classifier
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
        return (
            f"judge: {self.judge_test_accuracy:.1%} on real test images (trained in {self.judge_seconds:.0f} s)\n"
            f"conditional DCGAN: {self.steps} steps in {self.train_seconds:.0f} s "
            f"({self.steps_per_second:.1f} steps/s, {self.device}, {self.threads} torch threads)\n"
            f"class accuracy of samples: {self.class_accuracy:.1%} (mean over classes); {per}\n"
            f"intra-class diversity: {self.diversity:.2f} of the real images'"
        )


def conditional_gan_quality(
    steps: int,
    *,
    seed: int = 0,
    classifier_epochs: int = 4,
    n_per_class: int = 100,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> tuple[QualityReport, EMA]:
    """Train the animal-mnist judge and the recipe's conditional DCGAN for ``steps``; evaluate the EMA generator.

    Returns the report and the :class:`~tutorial_lib.gan.callbacks.EMA` (``ema.model`` is the generator judged).
    """
    device = get_device(device)
    train, test = load_animals("train"), load_animals("test")
    t0 = time.perf_counter()
    judge = train_classifier(train.images, train.labels, epochs=classifier_epochs, seed=seed, device=device,
                             progress=progress)  # fmt: skip
    judge_seconds = time.perf_counter() - t0
    recipe = conditional_dcgan("animals")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G, D = recipe.build()
    ema = EMA(G, recipe.ema_decay)
    history = recipe.train(G, D, train, steps=steps, callbacks=[ema], device=device, seed=seed, progress=progress)
    k = len(train.classes)
    acc, per_class = conditional_class_accuracy(ema.model, judge, k, n_per_class=n_per_class, seed=seed)
    report = QualityReport(
        judge_test_accuracy=accuracy(judge, test.images, test.labels),
        judge_seconds=judge_seconds,
        class_accuracy=acc,
        per_class_accuracy=per_class.tolist(),
        diversity=intra_class_diversity(ema.model, train.images, train.labels, n_per_class=n_per_class, seed=seed),
        steps=steps,
        train_seconds=history.seconds,
        steps_per_second=history.steps_per_second,
        device=str(device),
        threads=torch.get_num_threads(),
    )
    return report, ema
