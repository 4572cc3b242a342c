"""Small labelled image datasets that ship with installed packages.

* :func:`load_digits_tensor`: scikit-learn's 1,797 handwritten digits, 8x8.
* :func:`load_animals`: animal-mnist 0.4 (MIT), 10,000 silhouettes, 28x28,
  10 classes of 1,000 (Bear, Bird, Cat, Cow, Dog, Elephant, Giraffe, Horse,
  Sheep, Zebra).

Images come back as float tensors ``(N, 1, H, W)`` in [0, 1] (or uint8 with
``as_float=False``), labels as ``int64`` tensors ``(N,)``.
"""

from __future__ import annotations

import gzip
import io
import pickle
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from ._assets import ANIMAL_IMAGES, ANIMAL_LABELS

ANIMAL_CLASSES: tuple[str, ...] = (
    "bear", "bird", "cat", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra",
)  # fmt: skip


@dataclass(frozen=True)
class LabeledImages:
    """Images ``(N, 1, H, W)``, labels ``(N,)`` and the class names labels index."""

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def of_class(self, label: int | str) -> torch.Tensor:
        """All images of one class, given by index or name."""
        idx = self.classes.index(label) if isinstance(label, str) else int(label)
        return self.images[self.labels == idx]


def load_digits_tensor(as_float: bool = True) -> LabeledImages:
    """scikit-learn's digits: 1,797 images ``(N, 1, 8, 8)``, values 0..16 scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.from_numpy(digits.images.astype(np.float32) / 16.0).unsqueeze(1)
    if not as_float:
        images = (images * 255).round().to(torch.uint8)
    labels = torch.from_numpy(digits.target.astype(np.int64))
    return LabeledImages(images, labels, tuple(str(i) for i in range(10)))


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that builds plain NumPy arrays and nothing else.

    A pickle can name any importable callable and run it while loading; this
    one refuses every global except the three that NumPy needs to rebuild an
    ``ndarray`` (and its dtype), so a tampered file cannot execute code.
    """

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"Refusing to load {module}.{name} from a data file: only NumPy arrays are allowed."
            )
        if name == "_reconstruct":
            from numpy._core.multiarray import _reconstruct

            return _reconstruct
        return getattr(np, name)


def load_numpy_pickle(data: bytes) -> np.ndarray:
    """Unpickle ``data`` allowing only NumPy arrays (see :class:`_NumpyOnlyUnpickler`)."""
    obj = _NumpyOnlyUnpickler(io.BytesIO(data)).load()
    if not isinstance(obj, np.ndarray):
        raise pickle.UnpicklingError(f"Expected a NumPy array in the data file, got {type(obj).__name__}.")
    return obj


@lru_cache(maxsize=1)
def _read_animals() -> tuple[np.ndarray, np.ndarray]:
    """The verified arrays, read once per process (callers index, so never mutate them)."""
    with gzip.open(ANIMAL_IMAGES.path(), "rb") as f:
        images = load_numpy_pickle(f.read())
    with gzip.open(ANIMAL_LABELS.path(), "rb") as f:
        labels = load_numpy_pickle(f.read())
    if images.shape != (10000, 28, 28) or images.dtype != np.uint8 or labels.shape != (10000,):
        raise ValueError(f"Unexpected animal-mnist arrays: {images.shape} {images.dtype}, {labels.shape}")
    return images, labels.astype(np.int64)


def load_animals(
    split: str = "train",
    test_fraction: float = 0.2,
    seed: int = 0,
    as_float: bool = True,
    classes: tuple[str, ...] | None = None,
) -> LabeledImages:
    """animal-mnist silhouettes as ``(N, 1, 28, 28)`` images with labels.

    split: ``"train"``, ``"test"`` or ``"all"``. The file stores the classes in
        blocks of 1,000, so the data are shuffled with ``seed`` and split per
        class: every class keeps ``test_fraction`` of its images for testing.
    classes: keep only these class names (labels are re-indexed in that order),
        e.g. ``("horse", "zebra")``.
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    images, labels = _read_animals()
    rng = np.random.default_rng(seed)
    keep = []
    for c in range(len(ANIMAL_CLASSES)):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(test_fraction * len(idx)))
        keep.append({"test": idx[:n_test], "train": idx[n_test:], "all": idx}[split])
    order = rng.permutation(np.concatenate(keep))
    images, labels = images[order], labels[order]
    names = ANIMAL_CLASSES
    if classes is not None:
        unknown = [c for c in classes if c not in ANIMAL_CLASSES]
        if unknown:
            raise ValueError(f"Unknown animal class(es) {unknown}. Valid: {', '.join(ANIMAL_CLASSES)}")
        old = [ANIMAL_CLASSES.index(c) for c in classes]
        lookup = np.full(len(ANIMAL_CLASSES), -1, dtype=np.int64)
        lookup[old] = np.arange(len(old))
        mask = lookup[labels] >= 0
        images, labels = images[mask], lookup[labels[mask]]
        names = tuple(classes)
    tensor = torch.from_numpy(np.ascontiguousarray(images)).unsqueeze(1)
    if as_float:
        tensor = tensor.float() / 255.0
    return LabeledImages(tensor, torch.from_numpy(labels), names)
