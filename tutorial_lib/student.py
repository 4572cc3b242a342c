"""The student version of the course: solution cells replaced by stubs.

A code cell tagged ``solution`` holds the reference answer to an exercise.
:func:`make_student_notebook` keeps each function's signature and docstring
and replaces its body with ``raise NotImplementedError(...)`` that names the
check to run next; anything else in the cell is dropped. Run it for the whole
course with ``make student`` (writes ``student/``).
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any

SOLUTION_TAG = "solution"


def stub_source(source: str, check: str | None) -> str:
    """Turn a solution cell's ``source`` into a stub with the same function signatures."""
    tree = ast.parse(source)
    lines = source.splitlines()
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    if not functions:
        raise ValueError("A solution cell must define at least one function; found none in:\n" + source)
    parts = []
    for fn in functions:
        body_start = fn.body[0]
        keep_docstring = isinstance(body_start, ast.Expr) and isinstance(
            getattr(body_start, "value", None), ast.Constant
        )
        header_end = (body_start.end_lineno if keep_docstring else body_start.lineno - 1) or fn.lineno
        first = (fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno) - 1
        header = lines[first:header_end]
        indent = " " * (fn.body[0].col_offset)
        hint = f" Then run {check}({fn.name})." if check else ""
        header += [
            f"{indent}# YOUR CODE HERE: replace the line below with your implementation.",
            f'{indent}raise NotImplementedError("Exercise: implement {fn.name}.{hint}")',
        ]
        parts.append("\n".join(header))
    return "\n\n\n".join(parts) + "\n"


def _next_check(cells: list[dict[str, Any]], index: int) -> str | None:
    for cell in cells[index + 1 :]:
        if cell["cell_type"] == "code":
            match = re.search(r"\b(check_\w+)\s*\(", "".join(cell["source"]))
            return match.group(1) if match else None
    return None


def make_student_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of notebook ``nb`` (nbformat JSON dict) with every solution cell stubbed."""
    out = copy.deepcopy(nb)
    for i, cell in enumerate(out["cells"]):
        if cell["cell_type"] != "code" or SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = stub_source(source, _next_check(out["cells"], i))
        cell["metadata"]["tags"] = [t for t in cell["metadata"]["tags"] if t not in (SOLUTION_TAG, "hide-input")]
        cell["metadata"]["tags"].append("exercise")
        cell["outputs"], cell["execution_count"] = [], None
    return out


def solution_cells(nb: dict[str, Any]) -> list[int]:
    """Indices of the cells tagged ``solution``."""
    return [i for i, c in enumerate(nb["cells"]) if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]


def write_student_version(src: str | Path, dst: str | Path) -> list[Path]:
    """Write the student version of every notebook in folder ``src`` to folder ``dst``."""
    import json

    src, dst = Path(src), Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(src.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        out = dst / path.name
        out.write_text(json.dumps(make_student_notebook(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(out)
    return written
