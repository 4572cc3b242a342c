"""Shared test setup: one torch thread per xdist worker, gpu skipping, isolated caches."""

from __future__ import annotations

import os

import pytest
import torch


def pytest_configure(config: pytest.Config) -> None:
    # Two workers on two cores: more threads per worker only fight each other.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)


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
