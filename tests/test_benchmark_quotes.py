"""Figures the notebooks quote from benchmarks they do not rerun stay labelled and consistent.

benchmarks/results/quoted.json lists, per notebook, the command that reproduces the figures and the
figures themselves (a notebook that quotes two benchmarks has a second entry, "<notebook>#<name>").
Each must appear verbatim in the notebook's prose, beside the label
"benchmark, not rerun here" and the command; figures with a package source must appear there too.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUOTED = json.loads((ROOT / "benchmarks" / "results" / "quoted.json").read_text())
NOTEBOOKS = sorted(k for k in QUOTED if not k.startswith("_"))


def _markdown(notebook: str) -> str:
    nb = json.loads((ROOT / "notebooks" / f"{notebook.split('#')[0]}.ipynb").read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_quoted_figures_are_labelled_with_their_command(notebook):
    entry, text = QUOTED[notebook], _markdown(notebook)
    assert "benchmark, not rerun here" in text.lower(), f"{notebook}: label the quoted figures"
    assert f"`{entry['command']}" in text, f"{notebook}: give the command {entry['command']!r}"
    assert (ROOT / entry["command"].split()[1]).is_file(), entry["command"]
    for figure in entry["in_source"] + entry["only_here"]:
        assert figure in text, f"{notebook} does not quote {figure!r} as benchmarks/results/quoted.json records it"


@pytest.mark.parametrize("notebook", [n for n in NOTEBOOKS if QUOTED[n]["source"]])
def test_quoted_figures_match_the_package_record(notebook):
    entry = QUOTED[notebook]
    source = (ROOT / entry["source"]).read_text()
    for figure in entry["in_source"]:
        assert figure in source, f"{entry['source']} does not record {figure!r}, which {notebook} quotes"
