"""Shared test setup: torch threads through tutorial_lib.config.set_threads, gpu skipping, isolated caches."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import torch

from tutorial_lib.config import set_threads


def pytest_configure(config: pytest.Config) -> None:
    # Two workers on two cores: more threads per worker only fight each other, so each xdist worker
    # gets one; a plain run follows $TUTORIAL_THREADS or the course's rule (one thread on 2 cores).
    set_threads(1 if os.environ.get("PYTEST_XDIST_WORKER") else None)


@pytest.fixture
def one_thread() -> Iterator[int]:
    """Run a test on one torch thread (as its measured numbers were) and restore the count after."""
    before = torch.get_num_threads()
    try:
        yield set_threads(1)
    finally:
        torch.set_num_threads(before)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="gpu test: CUDA is not available on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep converted weights in a per-session temp dir and hide any real torch hub cache,
    so every test sees the same offline machine."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("TUTORIAL_CACHE_DIR", str(base / "tutorial_cache"))
    monkeypatch.setenv("TORCH_HOME", str(base / "torch_home"))
    monkeypatch.delenv("TUTORIAL_PROFILE", raising=False)
    monkeypatch.delenv("TUTORIAL_DEVICE", raising=False)
