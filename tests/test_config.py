import os
import random

import numpy as np
import pytest
import torch

from tutorial_lib.config import (
    PROFILES,
    choose_threads,
    get_device,
    get_profile,
    runnable_elsewhere,
    seed_everything,
    set_threads,
)


def test_default_profile_when_env_unset():
    assert get_profile().name == "default"


@pytest.mark.parametrize("value", ["ci", "CI", " ci "])
def test_env_selects_ci_profile(monkeypatch, value):
    monkeypatch.setenv("TUTORIAL_PROFILE", value)
    assert get_profile().name == "ci"


def test_ci_profile_is_smaller_in_every_compute_field():
    ci, default = PROFILES["ci"].as_dict(), PROFILES["default"].as_dict()
    for field in ci:
        if field != "name":
            assert ci[field] <= default[field], field
    assert ci["style_steps"] < default["style_steps"]


def test_unknown_profile_lists_valid_ones(monkeypatch):
    monkeypatch.setenv("TUTORIAL_PROFILE", "huge")
    with pytest.raises(ValueError, match="'huge'.*ci, default"):
        get_profile()


def test_overrides_replace_fields_and_reject_unknown():
    assert get_profile("ci", style_steps=7).style_steps == 7
    assert get_profile("ci").style_steps == PROFILES["ci"].style_steps  # the table is untouched
    with pytest.raises(ValueError, match="stlye_steps"):
        get_profile("ci", stlye_steps=7)


def test_get_device_default_and_env(monkeypatch):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device().type == expected
    monkeypatch.setenv("TUTORIAL_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert get_device("cpu") == torch.device("cpu")


def test_cuda_request_without_cuda_explains_fix(monkeypatch):
    if torch.cuda.is_available():
        assert get_device("cuda").type == "cuda"
    else:
        with pytest.raises(RuntimeError, match="TUTORIAL_DEVICE"):
            get_device("cuda")


def test_seed_everything_reproduces_all_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()  # noqa: NPY002

    seed_everything(3)
    first = draw()
    seed_everything(3)
    assert draw() == first
    gen = seed_everything(3)
    assert torch.rand(2, generator=gen).tolist() == torch.rand(2, generator=torch.Generator().manual_seed(3)).tolist()


def test_seed_rejects_negative():
    with pytest.raises(ValueError):
        seed_everything(-1)


@pytest.fixture
def restore_threads(monkeypatch):
    monkeypatch.delenv("TUTORIAL_THREADS", raising=False)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_set_threads_sets_and_returns_the_count(restore_threads):
    assert set_threads(2) == 2 and torch.get_num_threads() == 2
    assert set_threads(1) == 1 and torch.get_num_threads() == 1


def test_set_threads_reads_the_env_override_and_the_argument_wins(restore_threads, monkeypatch):
    monkeypatch.setenv("TUTORIAL_THREADS", " 2 ")
    assert set_threads() == 2 and torch.get_num_threads() == 2
    assert set_threads(1) == 1 and torch.get_num_threads() == 1


def test_set_threads_without_override_follows_the_rule(restore_threads):
    assert set_threads() == choose_threads() == torch.get_num_threads()


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_bad_env_value_names_the_variable_and_the_fix(restore_threads, monkeypatch, value):
    monkeypatch.setenv("TUTORIAL_THREADS", value)
    before = torch.get_num_threads()
    with pytest.raises(ValueError, match=r"TUTORIAL_THREADS.*positive integer.*Fix"):
        set_threads()
    assert torch.get_num_threads() == before  # nothing changed


@pytest.mark.parametrize("value", [0, -2, 1.5, True, "2"])
def test_bad_argument_is_a_value_error(restore_threads, value):
    with pytest.raises(ValueError, match="positive integer"):
        set_threads(value)


@pytest.mark.parametrize(
    ("cores", "load", "expected"),
    [(1, 0.0, 1), (2, 0.0, 1), (2, 5.0, 1), (8, 0.0, 8), (8, 2.5, 5), (8, 20.0, 1), (4, 0.4, 3)],
)
def test_thread_rule(cores, load, expected):
    """One thread on two cores whatever the load; otherwise the cores the load leaves free."""
    assert choose_threads(cores, load) == expected


@pytest.mark.parametrize(
    ("cores", "load", "expected"),
    [(1, 0, 1), (2, 0, 2), (2, 1, 1), (2, 3, 1), (8, 0, 8), (8, 2.5, 5), (4, 0.4, 3)],
)
def test_conv_thread_rule_takes_the_cores_nobody_else_wants(cores, load, expected):
    """Large convolutions get every core that nothing else is running on, two on an idle 2-core machine."""
    assert choose_threads(cores, load, work="large") == expected


def test_unknown_workload_is_a_value_error():
    with pytest.raises(ValueError, match=r"work must be one of.*Fix"):
        choose_threads(2, 0, work="vgg")


def test_runnable_elsewhere_sees_a_busy_thread():
    """A spinning thread of another process shows up in the instant run queue; idle, it is gone."""
    import subprocess
    import sys

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        busy = max(runnable_elsewhere(samples=10) for _ in range(3))
    finally:
        spinner.kill()
        spinner.wait()
    assert busy >= 1
    assert isinstance(runnable_elsewhere(samples=1), int)


def test_set_threads_for_conv_work_follows_its_rule(restore_threads, monkeypatch):
    monkeypatch.delenv("TUTORIAL_THREADS", raising=False)
    n = set_threads(work="large")
    assert n == torch.get_num_threads() and 1 <= n <= max(1, len(os.sched_getaffinity(0)))
