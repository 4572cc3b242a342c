"""tutorial_lib: reference implementations for the course
"Making images with neural networks: GANs and neural style transfer".

Importing this package has no side effects: it reads no files, prints nothing
and leaves torch's thread count and random state alone. Submodules are imported
on first use (``tutorial_lib.data``, ``tutorial_lib.style`` ...).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "applications", "cli", "common", "config", "data", "exercises", "gan", "privacy", "style", "translation", "video",
    "viz",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
