"""The package's layout: one room per part of the course, imports that run downward only, small modules.

Tiers, from the bottom: ``config``; ``data``; ``common`` (what several parts share); the parts that
stand alone, ``gan`` (01–03) and ``style`` (04–05); the parts built on them, ``applications`` (06),
``video`` (07), ``translation`` (08) and ``privacy`` (09); and on top what serves the notebooks: ``viz``, ``exercises``,
``cli`` and ``student``. A module may import its own room and rooms of lower tiers only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tutorial_lib

PACKAGE = Path(tutorial_lib.__file__).parent
TIERS = {
    "config": 0,
    "data": 1,
    "common": 2,
    "gan": 3,
    "style": 3,
    "applications": 4,
    "video": 4,
    "translation": 4,
    "privacy": 4,
    "viz": 5,
    "exercises": 5,
    "cli": 6,
    "student": 5,
    "__main__": 7,
    "__init__": 7,
}
MAX_MODULES_PER_ROOM = 16
MAX_LINES = 300


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_rooms(path: Path) -> set[str]:
    """The rooms of ``tutorial_lib`` that ``path`` imports, anywhere in the file (inside functions too)."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                parts = [*base, *(node.module.split(".") if node.module else [])]
                if not parts:  # "from . import x" at the top level: x is a room
                    rooms.update(alias.name for alias in node.names)
                    continue
            elif node.module and node.module.split(".")[0] == "tutorial_lib":
                parts = node.module.split(".")[1:]
                if not parts:
                    rooms.update(alias.name for alias in node.names)
                    continue
            else:
                continue
            if not node.module and node.level and len(parts) == len(package):  # from . import sibling
                continue
            rooms.add(parts[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tutorial_lib" and len(parts) > 1:
                    rooms.add(parts[1])
    return rooms


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_downward_only(path: Path):
    room = _room(path)
    assert room in TIERS, f"{room} is a new room: give it a tier in tests/test_layout.py"
    upward = sorted(r for r in _imported_rooms(path) - {room} if r in TIERS and TIERS[r] >= TIERS[room])
    assert not upward, (
        f"{path.relative_to(PACKAGE)} (room {room!r}, tier {TIERS[room]}) imports {upward}, "
        "which sit on the same tier or above: move what both need down a tier"
    )


def test_rooms_hold_at_most_16_modules():
    for room in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        modules = [m for m in room.glob("*.py") if m.name != "__init__.py"]
        assert len(modules) <= MAX_MODULES_PER_ROOM, f"{room.name}/ holds {len(modules)} modules: split the room"


def test_each_room_says_which_notebook_it_serves():
    for room in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text(encoding="utf-8"))) or ""
        modules = [m.stem for m in room.glob("*.py") if not m.name.startswith("_")]
        missing = [m for m in modules if f".{m}`" not in doc and f".{m}" not in doc]
        assert doc and not missing, f"{room.name}/__init__.py's docstring should list its modules; missing {missing}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_short_or_say_why(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert f"longer than {MAX_LINES} lines" in doc.lower(), (
        f"{path.relative_to(PACKAGE)} has {lines} lines: split it, or say in its docstring why it is "
        f"longer than {MAX_LINES} lines"
    )


def test_the_layout_test_sees_imports():
    """The import reader itself: a known upward import must be found."""
    assert "common" in _imported_rooms(PACKAGE / "gan" / "train.py")
    assert "style" in _imported_rooms(PACKAGE / "video" / "temporal.py")
