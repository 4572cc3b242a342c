"""Notebook time budgets (book/budgets.py) and the make targets that print them."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import nbformat
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

_spec = importlib.util.spec_from_file_location("course_budgets_under_test", ROOT / "book" / "budgets.py")
budgets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(budgets)


def _declared(nb: Path) -> dict[str, float]:
    return json.loads(nb.read_text(encoding="utf-8"))["metadata"]["course"]["time_budget_s"]


def test_every_notebook_declares_ci_default_and_gpu_budgets():
    for nb in NOTEBOOKS:
        b = _declared(nb)
        assert set(b) == {"ci", "default", "gpu"}, f"{nb.name}: metadata.course.time_budget_s needs ci, default, gpu"
        assert 0 < b["ci"] <= b["default"], nb.name
        assert 0 < b["gpu"] <= 60, f"{nb.name}: a notebook gets at most 60 s on an H100/H200-class GPU"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({}, "default"),
        ({"TUTORIAL_PROFILE": "ci"}, "ci"),
        ({"TUTORIAL_PROFILE": "ci", "TUTORIAL_DEVICE": "cuda:0"}, "gpu"),
        ({"TUTORIAL_DEVICE": "cpu", "TUTORIAL_PROFILE": "default"}, "default"),
    ],
)
def test_budget_key_follows_device_then_profile(env, key):
    assert budgets.budget_key(env) == key


def test_table_flags_a_notebook_over_twice_its_budget():
    rows = [("a.ipynb", 10.0, 19.9), ("b.ipynb", 10.0, 20.1), ("c.ipynb", None, 5.0)]
    assert budgets.over_budget(rows) == ["b.ipynb"]
    lines = budgets.format_table(rows, "ci")
    assert "ok" in lines[2] and "OVER 2x BUDGET" in lines[3] and "NO BUDGET" in lines[4]
    assert lines[-1].split()[1:] == ["20s", "45.0s"]


def test_course_table_reads_times_from_the_books_execution_cache(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(tmp_path / "cache"))
    first, second = NOTEBOOKS[:2]
    for nb, seconds in [(first, 999.0), (first, 12.5), (second, 3.0)]:  # the newer record of `first` wins
        node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {seconds}")])
        cache.cache_notebook_bundle(
            CacheBundleIn(node, str(nb), data={"execution_seconds": seconds}), check_validity=False
        )
    rows, missing, jobs = budgets.cache_rows(tmp_path / "cache", NOTEBOOKS, "default")
    assert [(Path(nb).name, t) for nb, _, t in rows] == [(first.name, 12.5), (second.name, 3.0)]
    assert rows[0][1] == _declared(first)["default"]
    assert missing == [nb.name for nb in NOTEBOOKS[2:]]
    assert jobs == 1  # the book build executed them one after another


def test_side_by_side_runs_get_a_limit_scaled_by_the_jobs(tmp_path, capsys):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(tmp_path))
    for i, nb in enumerate(NOTEBOOKS):  # each at 3x its budget, 2 at a time, as book/execute.py records it
        node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {i}")])
        data = {"execution_seconds": 3.0 * _declared(nb)["default"], "jobs": 2, "threads": 1}
        cache.cache_notebook_bundle(CacheBundleIn(node, str(nb), data=data), check_validity=False)
    assert budgets.cache_rows(tmp_path, NOTEBOOKS, "default")[2] == 2
    assert budgets.main([str(tmp_path)]) == 0  # 3x is within 2 x 2 = 4x
    assert "2 notebooks at a time" in capsys.readouterr().out
    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 'slow'")])
    data = {"execution_seconds": 5.0 * _declared(NOTEBOOKS[0])["default"], "jobs": 2, "threads": 1}
    cache.cache_notebook_bundle(CacheBundleIn(node, str(NOTEBOOKS[0]), data=data), check_validity=False)
    assert budgets.main([str(tmp_path)]) == 1  # 5x is not
    assert f"Over 4x their budget: {NOTEBOOKS[0].name}" in capsys.readouterr().out


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    # -o: treat the install stamp as up to date, so no test ever reinstalls the environment
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_test_gpu_selects_gpu_tests_and_every_notebook_on_cuda():
    plan = _make("-n", "test-gpu").stdout
    assert "TUTORIAL_DEVICE=cuda TUTORIAL_PROFILE=default .venv/bin/python -m pytest -m gpu tests" in plan
    assert "notebooks --nbval-lax --nbval-current-env" in plan.replace("\\\n\t", "")
    assert "torch.cuda.is_available()" in plan


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_make_test_gpu_refuses_to_run_without_cuda():
    run = _make("test-gpu")
    assert run.returncode != 0
    assert "make test-gpu needs CUDA" in run.stderr and "use make test" in run.stderr


def test_make_course_prints_the_budget_table_after_the_build():
    plan = _make("-n", "course").stdout
    assert plan.index("jupyter-book build") < plan.index("book/budgets.py book/_build/.jupyter_cache")


def test_make_course_runs_the_notebooks_side_by_side_before_the_build():
    plan = _make("-n", "course").stdout
    assert plan.index("book/execute.py book/_build/.jupyter_cache") < plan.index("jupyter-book build")
