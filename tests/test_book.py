"""The website's sources stay complete as the course grows."""

import pkgutil
import re
from pathlib import Path

import yaml

import tutorial_lib
from tutorial_lib.data import BUNDLED

BOOK = Path(__file__).resolve().parents[1] / "book"


def _toc_files() -> list[str]:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def test_toc_lists_every_notebook_in_order():
    listed = [f.split("/")[1] for f in _toc_files() if f.startswith("notebooks/")]
    on_disk = sorted(p.stem for p in (BOOK.parent / "notebooks").glob("*.ipynb"))
    assert listed == on_disk


def test_toc_files_exist():
    for f in _toc_files():
        assert (BOOK / f"{f}.md").is_file() or (BOOK / f"{f}.ipynb").is_file(), f


def test_api_reference_covers_every_public_module():
    documented = set(re.findall(r"automodule:: (tutorial_lib[\w.]*)", (BOOK / "api.md").read_text()))
    modules = {
        m.name
        for m in pkgutil.walk_packages(tutorial_lib.__path__, "tutorial_lib.")
        if not any(part.startswith("_") for part in m.name.split(".")) and not m.ispkg
    }
    modules -= {"tutorial_lib.exercises.warmup"} | {m for m in modules if m.startswith("tutorial_lib.exercises.")}
    missing = sorted(modules - documented)
    assert not missing, f"add these modules to book/api.md: {missing}"


def test_credits_name_every_bundled_image_with_its_licence():
    text = (BOOK / "credits.md").read_text()
    for name, info in BUNDLED.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| {name} |")), None)
        assert row is not None, f"credits.md lacks {name}"
        assert info.license in row and info.credit in row, row


def test_bibliography_has_the_papers_the_notebooks_cite():
    keys = set(re.findall(r"@\w+\{(\w+),", (BOOK / "references.bib").read_text()))
    required = {
        "goodfellow2014", "radford2016", "metz2017", "lin2018", "gulrajani2017", "miyato2018", "mescheder2018",
        "gatys2016", "li2017", "johnson2016", "huang2017", "ruder2016", "simonyan2015", "xie2015",
        "ustyuzhaninov2017", "he2016",
    }  # fmt: skip
    assert required <= keys, required - keys


def test_teacher_notes_cover_every_notebook():
    notes = (BOOK / "teacher_notes.md").read_text()
    for nb in sorted((BOOK.parent / "notebooks").glob("*.ipynb")):
        assert f"## {nb.stem[:2]} · " in notes, f"teacher_notes.md: add a section for {nb.stem}"
    for heading in ("**Project.**", "**Where students get stuck.**", "**Discussion.**"):
        assert notes.count(heading) >= len(list((BOOK.parent / "notebooks").glob("*.ipynb"))), heading
