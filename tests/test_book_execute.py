"""book/execute.py: notebooks executed side by side land in the cache where the book build finds them."""

import importlib.util
import sys
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import standard_nb_read

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK))  # execute.py imports budgets.py from beside it, as when run as a script
spec = importlib.util.spec_from_file_location("book_execute", BOOK / "execute.py")
execute = importlib.util.module_from_spec(spec)
sys.modules["book_execute"] = execute  # so that its worker function can be sent to the worker processes
spec.loader.exec_module(execute)


def _notebook(folder: Path, name: str, code: str, budget: float = 10.0) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title"), nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["course"] = {"time_budget_s": {"default": budget}}
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_executed_notebooks_match_as_the_book_build_reads_them(tmp_path):
    good = _notebook(tmp_path, "01_good.ipynb", "import os\nprint(os.environ['TUTORIAL_THREADS'], 6 * 7)")
    bad = _notebook(tmp_path, "02_bad.ipynb", "raise ValueError('broken on purpose')")
    cache_dir = tmp_path / "cache"
    assert execute.execute_all(cache_dir, [good, bad], jobs=2) == 1  # one failure, reported, not raised
    cache = get_cache(str(cache_dir))
    record = cache.match_cache_notebook(standard_nb_read(good.read_text()))  # myst-nb's own read
    assert record.data["execution_seconds"] > 0 and record.data["jobs"] == 2
    _, merged = cache.merge_match_into_notebook(standard_nb_read(good.read_text()))
    assert merged.cells[1].outputs[0]["text"] == f"{record.data['threads']} 42\n"
    assert [Path(r.uri).name for r in cache.list_cache_records()] == ["01_good.ipynb"]
    # a second run finds the good one in the cache and runs only the broken one again
    assert execute.execute_all(cache_dir, [good], jobs=2) == 0
    assert len(cache.list_cache_records()) == 1


def test_longest_first_and_06_waits_for_02(tmp_path):
    nb02 = _notebook(tmp_path, "02_gan_training.ipynb", "", budget=230)
    nb03 = _notebook(tmp_path, "03_mode_collapse.ipynb", "", budget=260)
    nb06 = _notebook(tmp_path, "06_applications.ipynb", "", budget=400)
    names = lambda paths: [p.name for p in paths]  # noqa: E731
    assert names(execute.ready([nb02, nb03, nb06], set(), set())) == ["03_mode_collapse.ipynb", "02_gan_training.ipynb"]
    assert names(execute.ready([nb03, nb06], set(), {"02_gan_training.ipynb"})) == ["03_mode_collapse.ipynb"]
    assert names(execute.ready([nb06], {"02_gan_training.ipynb"}, set())) == ["06_applications.ipynb"]
    assert names(execute.ready([nb06, nb03], set(), set())) == names([nb06, nb03])  # 02 not in this run
