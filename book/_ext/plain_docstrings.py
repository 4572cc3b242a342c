"""Sphinx extension: show tutorial_lib docstrings verbatim, as preformatted text.

The package's docstrings are written for people reading code: equations in
Unicode (``G = F Fᵀ / (C·H·W)``), shapes and argument lists aligned by hand.
Parsed as reStructuredText they would need markup everywhere, and one stray
``*`` or indent would fail the ``-W`` build. Shown verbatim they read exactly
as in an editor or in ``help()``.
"""

from __future__ import annotations

from typing import Any


def _verbatim(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    if not name.startswith("tutorial_lib") or not any(line.strip() for line in lines):
        return
    body = [f"    {line}" if line.strip() else "" for line in lines]
    lines[:] = ["::", "", *body, ""]


def setup(app: Any) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", _verbatim)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
