"""Notebook time budgets, checked while nbval runs the notebooks.

This plugin adds up the time nbval spends on each notebook's cells, prints the budget
table of ``book/budgets.py`` at the end of the run (the same table ``make course`` prints),
and fails the run when a notebook takes more than twice the budget that applies: its
``ci``, ``default`` or ``gpu`` entry of ``metadata.course.time_budget_s``.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("course_budgets", Path(__file__).parent / "book" / "budgets.py")
budgets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(budgets)

_times: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration


def _rows(root: Path) -> list[tuple[str, float | None, float]]:
    key = budgets.budget_key()
    return [(nb, budgets.budget(root / nb, key), t) for nb, t in sorted(_times.items())]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if budgets.over_budget(_rows(session.config.rootpath)) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    rows = _rows(config.rootpath)
    if not rows:
        return
    title, *lines = budgets.format_table(rows, budgets.budget_key())
    terminalreporter.section(title)
    for line in lines:
        terminalreporter.write_line(line)
