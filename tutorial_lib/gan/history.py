"""What :func:`~tutorial_lib.gan.train.train_gan` records at every step, and what the scores mean.

D returns a raw score s = l(x) for every loss kind; what s means depends on the loss:

=================================  ============================================  ==========================
kind                               what the score means                          D cannot tell real/fake at
=================================  ============================================  ==========================
``minimax``, ``nonsaturating``     a logit: D(x) = σ(s) is D's probability that  σ(s) = ½  (s = 0)
                                   x is real
``lsgan``                          a regression towards the targets 1 (real)     s = ½ (the optimal D is
                                   and 0 (fake); σ(s) means nothing              p_data / (p_data + p_g))
``hinge``                          a margin score, unbounded; |s| ≥ 1 means      any s in [−1, 1] is optimal;
                                   "sure", past the margin                       0 is the middle
``wasserstein``                    a critic, unbounded and defined up to a       no fixed value: only the gap
                                   constant                                      s(x) − s(G(z)) means something
=================================  ============================================  ==========================

So ``d_real``/``d_fake`` hold the mean probability σ(s) only for ``minimax`` and ``nonsaturating``,
and NaN for the other kinds; ``score_real``/``score_fake`` hold the mean raw score for every kind.
:data:`INDIFFERENT_SCORE` gives the last column; plots draw it as a dotted line.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

#: Loss kinds whose σ(score) is D's probability that a sample is real.
PROBABILITY_LOSSES: tuple[str, ...] = ("minimax", "nonsaturating")
#: The raw score of a discriminator that cannot tell real from fake, per loss kind (None: no such value).
INDIFFERENT_SCORE: dict[str, float | None] = {
    "minimax": 0.0,
    "nonsaturating": 0.0,
    "lsgan": 0.5,
    "hinge": 0.0,
    "wasserstein": None,
}

#: Per-step quantities, in the order they are recorded.
HISTORY_KEYS: tuple[str, ...] = (
    "loss_d",  # L_D of the last discriminator update of the step (without the penalty)
    "loss_g",  # L_G of the generator update
    "penalty",  # the penalty added to L_D (0 without one)
    "d_real",  # mean D(x) = σ(l(x)) on the real batch; NaN unless the loss kind is a PROBABILITY_LOSSES one
    "d_fake",  # mean D(G(z)) on the fake batch, before the generator update; NaN likewise
    "score_real",  # mean raw score l(x), for every loss kind (see the table above)
    "score_fake",  # mean raw score l(G(z))
    "grad_norm_d",  # ‖∇_θD L_D‖₂ over all discriminator parameters
    "grad_norm_g",  # ‖∇_θG L_G‖₂ over all generator parameters
    "class_loss_d",  # AC-GAN: cross-entropy of D's class prediction on real samples (0 without)
    "class_loss_g",  # AC-GAN: cross-entropy of D's class prediction on generated samples (0 without)
)


@dataclass
class History:
    """Training curves: ``step[i]`` is the step whose values sit at index ``i`` of every list.

    ``seconds`` is the training wall time summed over every call (a resumed run adds up).
    ``extra`` holds quantities beyond :data:`HISTORY_KEYS` that an objective records
    (e.g. CycleGAN's ``cycle`` loss), one list per name, aligned with ``step``.
    ``loss`` is the loss kind the scores belong to (None in histories saved before it was recorded).
    """

    step: list[int] = field(default_factory=list)
    loss_d: list[float] = field(default_factory=list)
    loss_g: list[float] = field(default_factory=list)
    penalty: list[float] = field(default_factory=list)
    d_real: list[float] = field(default_factory=list)
    d_fake: list[float] = field(default_factory=list)
    score_real: list[float] = field(default_factory=list)
    score_fake: list[float] = field(default_factory=list)
    grad_norm_d: list[float] = field(default_factory=list)
    grad_norm_g: list[float] = field(default_factory=list)
    class_loss_d: list[float] = field(default_factory=list)
    class_loss_g: list[float] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict[str, list[float]] = field(default_factory=dict)
    loss: str | None = None

    def __len__(self) -> int:
        return len(self.step)

    def record(self, step: int, values: dict[str, float]) -> None:
        """Append one step; ``values`` must hold every key of :data:`HISTORY_KEYS` (other keys go to ``extra``)."""
        self.step.append(step)
        for key in HISTORY_KEYS:
            getattr(self, key).append(float(values[key]))
        for key in values.keys() - set(HISTORY_KEYS):
            self.extra.setdefault(key, [float("nan")] * (len(self.step) - 1)).append(float(values[key]))

    def last(self) -> dict[str, float]:
        """The values of the most recent step."""
        if not self.step:
            raise ValueError("the history is empty")
        return {key: getattr(self, key)[-1] for key in HISTORY_KEYS}

    def smoothed(self, key: str, window: int = 50) -> np.ndarray:
        """Moving average of ``key`` over ``window`` steps (shorter at the start), for plotting."""
        if key not in HISTORY_KEYS and key not in self.extra:
            valid = ", ".join((*HISTORY_KEYS, *self.extra))
            raise ValueError(f"Unknown history key {key!r}; valid keys: {valid}")
        x = np.asarray(getattr(self, key) if key in HISTORY_KEYS else self.extra[key], dtype=float)
        if x.size == 0:
            return x
        c = np.cumsum(np.insert(x, 0, 0.0))
        idx = np.arange(1, x.size + 1)
        lo = np.maximum(idx - window, 0)
        return (c[idx] - c[lo]) / (idx - lo)

    @property
    def steps_per_second(self) -> float:
        """Recorded steps divided by :attr:`seconds`."""
        return len(self) / self.seconds if self.seconds > 0 else float("nan")

    def as_dict(self) -> dict[str, list[float] | list[int] | float]:
        """Plain lists and numbers, safe for ``torch.save`` / ``torch.load(weights_only=True)``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> History:
        return cls(**d)

    @property
    def scores_are_probabilities(self) -> bool:
        """Whether ``d_real``/``d_fake`` hold probabilities (a cross-entropy loss kind), else plot the scores."""
        if self.loss is not None:
            return self.loss in PROBABILITY_LOSSES
        return any(math.isfinite(v) for v in self.d_real)  # an older history: σ was recorded for every kind


def score_statistics(real_scores: torch.Tensor, fake_scores: torch.Tensor, loss: str) -> dict[str, torch.Tensor]:
    """The four score statistics of one D update, as scalar tensors:

        d_real = mean σ(s(x)),  d_fake = mean σ(s(G(z)))   (NaN unless ``loss`` is in :data:`PROBABILITY_LOSSES`),
        score_real = mean s(x), score_fake = mean s(G(z)).

    real_scores, fake_scores: raw scores of any shapes ``(N, ...)`` and ``(M, ...)`` (e.g. PatchGAN maps).
    """
    if loss in PROBABILITY_LOSSES:
        d_real, d_fake = torch.sigmoid(real_scores).mean(), torch.sigmoid(fake_scores).mean()
    else:
        d_real = d_fake = torch.full((), float("nan"), device=real_scores.device)
    return {"d_real": d_real, "d_fake": d_fake, "score_real": real_scores.mean(), "score_fake": fake_scores.mean()}
