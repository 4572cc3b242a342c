"""Checkpoints that survive a crash: written atomically, read without running code.

* :func:`save_checkpoint` writes to a temporary file in the same folder and then
  renames it over the old checkpoint with ``os.replace``. A rename within one
  file system is atomic, so a run killed at any moment leaves either the old
  checkpoint or the new one, never half a file.
* :func:`load_checkpoint` uses ``torch.load(..., weights_only=True)``, which
  rebuilds tensors, numbers, strings, lists and dicts only: a checkpoint from
  someone else cannot execute code when loaded.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

CHECKPOINT_NAME = "checkpoint.pt"


def checkpoint_path(checkpoint_dir: str | os.PathLike) -> Path:
    """The file :func:`~tutorial_lib.gan.train.train_gan` keeps its latest checkpoint in."""
    return Path(checkpoint_dir) / CHECKPOINT_NAME


def save_checkpoint(state: Any, path: str | os.PathLike) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file + ``os.replace``). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` with ``weights_only=True``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}")
    return torch.load(path, map_location=map_location, weights_only=True)
