"""Notebook time budgets: one table for `make test`, `make test-gpu` and `make course`.

Each notebook declares ``metadata.course.time_budget_s = {"ci": s, "default": s, "gpu": s}``:
seconds on 2 CPU cores in the ci and default profiles, and on one H100/H200-class GPU
(default profile), each notebook alone on the machine. A run fails when a notebook takes more than
twice its budget; when ``book/execute.py`` ran ``jobs`` notebooks at a time (``make course``), each had
1/jobs of the machine and fails only above 2 x jobs times its budget.

The budget that applies is chosen by :func:`budget_key`: ``gpu`` when ``$TUTORIAL_DEVICE``
names a CUDA device, else the profile in ``$TUTORIAL_PROFILE`` (``default`` when unset).

* Under pytest (nbval), the root ``conftest.py`` adds up each notebook's cell times and calls
  :func:`format_table` and :func:`over_budget`.
* After ``jupyter-book build`` (``make course``), run this file: it reads each notebook's
  execution time from the book's execution cache and prints the same table::

      python book/budgets.py book/_build/.jupyter_cache

  It exits with status 1 when a notebook is over its limit, or when a notebook of the
  table of contents has no execution record.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

OVERRUN = 2.0
KEYS = ("ci", "default", "gpu")
Row = tuple[str, float | None, float]


def budget_key(environ: dict[str, str] | None = None) -> str:
    """``"gpu"`` when ``TUTORIAL_DEVICE`` is a CUDA device, else the ``TUTORIAL_PROFILE`` (default ``"default"``)."""
    env = os.environ if environ is None else environ
    if env.get("TUTORIAL_DEVICE", "").strip().lower().startswith("cuda"):
        return "gpu"
    return env.get("TUTORIAL_PROFILE", "").strip() or "default"


def budget(notebook: str | Path, key: str) -> float | None:
    """The notebook's declared budget in seconds for ``key``, or ``None`` when it declares none."""
    meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    return meta.get("course", {}).get("time_budget_s", {}).get(key)


def verdict(limit: float | None, seconds: float, overrun: float = OVERRUN) -> str:
    if limit is None:
        return "NO BUDGET in metadata.course.time_budget_s"
    return f"OVER {overrun:g}x BUDGET" if seconds > overrun * limit else "ok"


def over_budget(rows: Iterable[Row], overrun: float = OVERRUN) -> list[str]:
    """Names of the notebooks that took more than ``overrun`` times their budget."""
    return [nb for nb, limit, t in rows if limit is not None and t > overrun * limit]


def format_table(rows: Iterable[Row], key: str, overrun: float = OVERRUN) -> list[str]:
    """The budget table's lines: notebook, budget, actual seconds, verdict, then the total."""
    rows = list(rows)
    lines = [
        f"notebook time budgets ({key}, fail above {overrun:g}x)",
        f"{'notebook':<40} {'budget':>8} {'actual':>8}  verdict",
    ]
    for nb, limit, t in rows:
        shown = f"{limit:.0f}s" if limit else "-"
        lines.append(f"{Path(nb).name:<40} {shown:>8} {t:>7.1f}s  {verdict(limit, t, overrun)}")
    total_budget = sum(limit or 0 for _, limit, _ in rows)
    lines.append(f"{'total':<40} {total_budget:>7.0f}s {sum(t for *_, t in rows):>7.1f}s")
    return lines


def cache_rows(cache_dir: Path, notebooks: Iterable[Path], key: str) -> tuple[list[Row], list[str], int]:
    """Execution times from a jupyter-cache folder: (rows, notebooks without a record, jobs).

    jobs: how many notebooks ``book/execute.py`` ran at a time for these records (1 when the book
    build executed them one after another).
    """
    from jupyter_cache import get_cache  # the book's own dependency; imported only here

    runs = {}  # (seconds, jobs); the newest record of each notebook wins: older ones are earlier versions
    for record in sorted(get_cache(str(cache_dir)).list_cache_records(), key=lambda r: r.created):
        data = record.data or {}
        if data.get("execution_seconds") is not None:
            runs[Path(record.uri).resolve()] = (float(data["execution_seconds"]), int(data.get("jobs", 1)))
    rows, missing, side_by_side = [], [], 1
    for nb in notebooks:
        if nb.resolve() not in runs:
            missing.append(nb.name)
            continue
        t, jobs = runs[nb.resolve()]
        rows.append((str(nb), budget(nb, key), t))
        side_by_side = max(side_by_side, jobs)
    return rows, missing, side_by_side


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python book/budgets.py <jupyter cache folder, e.g. book/_build/.jupyter_cache>")
        return 2
    root = Path(__file__).resolve().parent.parent
    key = budget_key()
    rows, missing, jobs = cache_rows(Path(argv[0]), sorted((root / "notebooks").glob("[0-9]*.ipynb")), key)
    # The budgets are for a notebook alone on the machine. Run `jobs` at a time, each had 1/jobs of it.
    overrun = OVERRUN * jobs
    print("\n".join(format_table(rows, key, overrun)))
    print("(times are from the execution cache: a notebook that did not change since its last run keeps that time)")
    if jobs > 1:
        print(f"(book/execute.py ran {jobs} notebooks at a time, each with 1/{jobs} of the machine; the budgets are "
              f"for a notebook alone, so the limit is {OVERRUN:g} x {jobs} = {overrun:g} x the budget)")  # fmt: skip
    over = over_budget(rows, overrun)
    if missing:
        print(f"No execution record for {', '.join(missing)}: was the book built with execute_notebooks: cache?")
    if over:
        print(f"Over {overrun:g}x their budget: {', '.join(Path(nb).name for nb in over)}")
    return 1 if over or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
