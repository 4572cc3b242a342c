"""The student version of the course: solution cells replaced by stubs.

A code cell tagged ``solution`` holds the reference answer to an exercise.
:func:`make_student_notebook` keeps each function's signature and docstring
and replaces its body with ``raise NotImplementedError(...)`` that names the
check to run next; a class keeps its header and docstring, and each of its
methods is stubbed the same way; anything else in the cell is dropped. Run it for the whole
course with ``make student`` (writes ``student/``).
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any

SOLUTION_TAG = "solution"


def _stub_function(fn: ast.FunctionDef, lines: list[str], name: str, hint: str) -> list[str]:
    """The lines of ``fn``'s signature and docstring, then a ``raise NotImplementedError`` body that
    asks to implement ``name`` and adds ``hint``."""
    body_start = fn.body[0]
    keep_docstring = isinstance(body_start, ast.Expr) and isinstance(getattr(body_start, "value", None), ast.Constant)
    header_end = (body_start.end_lineno if keep_docstring else body_start.lineno - 1) or fn.lineno
    first = (fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno) - 1
    indent = " " * body_start.col_offset
    return [
        *lines[first:header_end],
        f"{indent}# YOUR CODE HERE: replace the line below with your implementation.",
        f'{indent}raise NotImplementedError("Exercise: implement {name}.{hint}")',
    ]


def _stub_class(cls: ast.ClassDef, lines: list[str], check: str | None) -> list[str]:
    """``cls``'s header and docstring, then each of its methods stubbed by :func:`_stub_function`."""
    first = (cls.decorator_list[0].lineno if cls.decorator_list else cls.lineno) - 1
    doc = cls.body[0]
    has_doc = isinstance(doc, ast.Expr) and isinstance(getattr(doc, "value", None), ast.Constant)
    out = lines[first : (doc.end_lineno if has_doc else cls.lineno) or cls.lineno]
    for method in (node for node in cls.body if isinstance(node, ast.FunctionDef)):
        hint = f" Then run {check}(...)." if check else ""
        out += ["", *_stub_function(method, lines, f"{cls.name}.{method.name}", hint)]
    return out


def stub_source(source: str, check: str | None) -> str:
    """Turn a solution cell's ``source`` into a stub with the same function signatures.

    A class keeps its header and docstring, and each of its methods becomes a stub.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    if not defs:
        raise ValueError("A solution cell must define at least one function or class; found none in:\n" + source)
    parts = []
    for node in defs:
        if isinstance(node, ast.ClassDef):
            parts.append("\n".join(_stub_class(node, lines, check)))
        else:
            args = node.name if len(defs) == 1 else "..."  # a check of several definitions takes them all
            hint = f" Then run {check}({args})." if check else ""
            parts.append("\n".join(_stub_function(node, lines, node.name, hint)))
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
