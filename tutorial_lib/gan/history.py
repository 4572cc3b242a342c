"""What :func:`~tutorial_lib.gan.train.train_gan` records at every step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

#: Per-step quantities, in the order they are recorded.
HISTORY_KEYS: tuple[str, ...] = (
    "loss_d",  # L_D of the last discriminator update of the step (without the penalty)
    "loss_g",  # L_G of the generator update
    "penalty",  # the penalty added to L_D (0 without one)
    "d_real",  # mean D(x) = σ(l(x)) on the real batch
    "d_fake",  # mean D(G(z)) on the fake batch, before the generator update
    "score_real",  # mean raw score l(x): what hinge and Wasserstein losses see
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
