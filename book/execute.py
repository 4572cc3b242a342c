"""Execute the course's notebooks into the book's execution cache, several at a time.

``jupyter-book build`` (``execute_notebooks: cache``) runs the notebooks one after another. The course's
networks are small: a second thread speeds a notebook up by only 1.1 to 1.8 times, while a second
notebook on the other core does twice the work. So ``make course`` first runs this file, which executes
``jobs`` notebooks at once (by default one per CPU core, each kernel with ``TUTORIAL_THREADS`` =
cores // jobs, so 1 on a 2-core machine) and stores every result in the cache exactly as myst-nb would
(same notebook hash, same ``execution_seconds`` record). The build then finds each notebook in the cache
and executes none::

    python book/execute.py book/_build/.jupyter_cache [--jobs N]

A notebook already in the cache with its current code is not run again. The longest notebooks start
first (by their declared budget), and a notebook waits for those it reuses results from
(:data:`AFTER`). Each record also notes ``jobs`` and ``threads``, so ``book/budgets.py`` can say that
the times were taken side by side: a notebook run alone on the same machine is faster. A failing
notebook prints its traceback; the others still run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from budgets import budget  # book/budgets.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
#: Notebooks that start only after others finished: 06 loads the animal GAN that 02 trains
#: (``trained_conditional_dcgan``) instead of training its own copy.
AFTER: dict[str, tuple[str, ...]] = {"06_applications.ipynb": ("02_gan_training.ipynb",)}
TIMEOUT_S = 1800  # as execute.timeout in _config.yml


def ready(
    pending: list[Path], done: set[str], running: set[str], after: dict[str, tuple[str, ...]] = AFTER
) -> list[Path]:
    """The pending notebooks whose prerequisites (``after``) are all done, longest budget first.

    A prerequisite that is not pending, running or done is not a notebook of this run and is
    ignored (``done`` also holds the notebooks found in the cache, which are not run again).
    """
    known = done | running | {p.name for p in pending}

    def free(path: Path) -> bool:
        return all(d in done for d in after.get(path.name, ()) if d in known)

    return sorted([p for p in pending if free(p)], key=lambda p: (-(budget(p, "default") or 0), p.name))


def _execute(path: str, threads: int) -> tuple[dict, float, str | None]:
    """Run one notebook in a fresh kernel with ``threads`` torch threads: (notebook, seconds, traceback)."""
    for var in ("TUTORIAL_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)  # the kernel inherits this process's environment
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=TIMEOUT_S, allow_errors=False)
    return nb, result.time, result.exc_string if result.err is not None else None


def execute_all(cache_dir: Path, notebooks: list[Path], jobs: int) -> int:
    """Execute the notebooks missing from the cache, ``jobs`` at a time; returns the number that failed."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_dir))
    pending = []
    for path in notebooks:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            pending.append(path)
    if not pending:
        print("every notebook is in the execution cache with its current code: nothing to run")
        return 0
    jobs = max(1, min(jobs, len(pending)))
    threads = int(os.environ.get("TUTORIAL_THREADS") or max(1, (os.cpu_count() or 1) // jobs))
    print(f"executing {len(pending)} notebooks, {jobs} at a time with {threads} thread(s) each")
    done: set[str] = {p.name for p in notebooks if p not in pending}
    failed = 0
    running: dict[Future, Path] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            for path in ready(pending, done, {p.name for p in running.values()}):
                if len(running) >= jobs:
                    break
                pending.remove(path)
                running[pool.submit(_execute, str(path), threads)] = path
                print(f"  started  {path.name}", flush=True)
            if not running:
                raise RuntimeError(f"AFTER makes these notebooks wait for each other: {[p.name for p in pending]}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                path = running.pop(future)
                done.add(path.name)
                nb, seconds, error = future.result()
                if error is not None:
                    failed += 1
                    print(f"  FAILED   {path.name} after {seconds:.1f} s:\n{error}", flush=True)
                    continue
                record = cache.add_nb_to_project(str(path))
                data = {"execution_seconds": seconds, "jobs": jobs, "threads": threads}
                cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data=data), check_validity=False,
                                            overwrite=True)  # fmt: skip
                elapsed = time.perf_counter() - t0
                print(f"  finished {path.name} in {seconds:.1f} s ({elapsed:.0f} s so far)", flush=True)
    return failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache_dir", type=Path, help="the book's jupyter-cache folder, e.g. book/_build/.jupyter_cache")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks at a time (default: cores)")
    args = parser.parse_args(argv)
    notebooks = sorted((ROOT / "book" / "notebooks").glob("[0-9]*.ipynb"))
    failed = execute_all(args.cache_dir, notebooks, args.jobs)
    if failed:
        print(f"{failed} notebook(s) failed: see the traceback(s) above. Fix them before the book is built.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
