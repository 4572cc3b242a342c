"""The student version: solutions become stubs, and filling the stubs restores a working notebook."""

import json
import os
import types
from pathlib import Path

import pytest

from tutorial_lib.student import make_student_notebook, solution_cells, stub_source, write_student_version

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_stub_keeps_signature_and_docstring_and_points_to_the_check():
    source = 'import torch\n\ndef f(x: torch.Tensor, k: int = 2) -> torch.Tensor:\n    """Doc."""\n    return x * k\n'
    stub = stub_source(source, "check_f")
    assert 'def f(x: torch.Tensor, k: int = 2) -> torch.Tensor:\n    """Doc."""' in stub
    assert "return x * k" not in stub and "import torch" not in stub
    namespace: dict = {"torch": types.SimpleNamespace(Tensor=object)}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError, match=r"implement f\. Then run check_f\(f\)"):
        namespace["f"](1)


def test_a_class_keeps_its_header_docstring_and_method_signatures():
    source = (
        "class G(Base):\n"
        '    """Doc of G."""\n\n'
        "    def __init__(self, k):\n"
        "        super().__init__()\n"
        "        self.k = k\n\n"
        "    def forward(self, x):\n"
        '        """Doc of forward."""\n'
        "        return x * self.k\n"
    )
    stub = stub_source(source, "check_g")
    assert 'class G(Base):\n    """Doc of G."""' in stub and '        """Doc of forward."""' in stub
    assert "return x * self.k" not in stub and "super().__init__()" not in stub
    namespace: dict = {"Base": object}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError, match=r"implement G\.__init__\. Then run check_g"):
        namespace["G"](2)
    with pytest.raises(NotImplementedError, match=r"implement G\.forward"):
        namespace["G"].forward(None, 1)


def test_solution_cell_without_a_function_is_an_authoring_error():
    with pytest.raises(ValueError, match="at least one function"):
        stub_source("x = 1\n", None)


def test_every_exercise_has_a_solution_cell_collapsed_in_the_book():
    total = 0
    for path in NOTEBOOKS:
        nb = _load(path)
        for i in solution_cells(nb):
            total += 1
            assert "hide-input" in nb["cells"][i]["metadata"]["tags"], f"{path.name} cell {i}: add tag hide-input"
            later = [_src(c) for c in nb["cells"][i + 1 :] if c["cell_type"] == "code"]
            assert later and "check_" in later[0], f"{path.name} cell {i}: the next code cell must run a check"
    assert total >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_version_hides_solutions_and_refilling_restores_the_reference(path):
    nb = _load(path)
    student = make_student_notebook(nb)
    assert solution_cells(student) == []
    assert len(student["cells"]) == len(nb["cells"])
    for i in solution_cells(nb):
        stub = _src(student["cells"][i])
        assert "NotImplementedError" in stub and "exercise" in student["cells"][i]["metadata"]["tags"]
        student["cells"][i]["source"] = nb["cells"][i]["source"]  # the student fills in the answer
        student["cells"][i]["metadata"] = nb["cells"][i]["metadata"]
    assert student["cells"] == nb["cells"]


def test_write_student_version(tmp_path):
    written = write_student_version(ROOT / "notebooks", tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]


@pytest.mark.slow
def test_filled_student_notebook_runs_top_to_bottom(tmp_path, monkeypatch):
    """Fill the stubs of notebook 00 with the reference and execute it (ci profile)."""
    import nbformat
    from nbclient import NotebookClient

    nb = _load(NOTEBOOKS[0])
    student = make_student_notebook(nb)
    for i in solution_cells(nb):
        student["cells"][i]["source"] = nb["cells"][i]["source"]
    monkeypatch.setenv("TUTORIAL_PROFILE", "ci")
    notebook = nbformat.reads(json.dumps(student), as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert os.environ["TUTORIAL_PROFILE"] == "ci"
