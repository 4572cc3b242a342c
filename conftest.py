"""Notebook time budgets, checked while nbval runs the notebooks.

Each notebook declares ``metadata.course.time_budget_s = {"ci": s, "default": s}``.
This plugin adds up the time nbval spends on each notebook's cells, prints a
table of budget against actual at the end of the run, and fails the run when a
notebook takes more than twice its budget for the active profile.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

_OVERRUN = 2.0
_times: dict[str, float] = defaultdict(float)


def _budget(notebook: str, profile: str) -> float | None:
    meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    return meta.get("course", {}).get("time_budget_s", {}).get(profile)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration


def _rows(root: Path) -> list[tuple[str, float | None, float]]:
    profile = os.environ.get("TUTORIAL_PROFILE", "default") or "default"
    return [(nb, _budget(str(root / nb), profile), t) for nb, t in sorted(_times.items())]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    over = [nb for nb, budget, t in _rows(session.config.rootpath) if budget and t > _OVERRUN * budget]
    if over and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    rows = _rows(config.rootpath)
    if not rows:
        return
    profile = os.environ.get("TUTORIAL_PROFILE", "default") or "default"
    tr = terminalreporter
    tr.section(f"notebook time budgets ({profile} profile, fail above {_OVERRUN:g}x)")
    tr.write_line(f"{'notebook':<40} {'budget':>8} {'actual':>8}  verdict")
    for nb, budget, t in rows:
        if budget is None:
            verdict = "NO BUDGET in metadata.course.time_budget_s"
        elif t > _OVERRUN * budget:
            verdict = f"OVER {_OVERRUN:g}x BUDGET"
        else:
            verdict = "ok"
        shown = f"{budget:.0f}s" if budget else "-"
        tr.write_line(f"{Path(nb).name:<40} {shown:>8} {t:>7.1f}s  {verdict}")
