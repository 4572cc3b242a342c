"""The stylize command: names and paths in, an image out, and clean errors for bad input."""

import subprocess
import sys

import pytest
from PIL import Image

from tutorial_lib.cli import main


def test_stylize_writes_an_image_from_names(tmp_path, capsys):
    out = tmp_path / "cat.png"
    rc = main(["stylize", "chelsea", "mosaic", "-o", str(out), "--size", "48", "--steps", "3", "--quiet"])
    assert rc == 0
    with Image.open(out) as img:
        assert img.size == (48, 32)
    assert "wrote" in capsys.readouterr().out


def test_layer_weights_choice_reaches_stylize(tmp_path, monkeypatch):
    from tutorial_lib.style import optimize

    seen = []
    real = optimize.stylize

    def spy(*args, **kwargs):
        seen.append(kwargs["layer_weights"])
        return real(*args, **kwargs)

    monkeypatch.setattr(optimize, "stylize", spy)
    base = ["stylize", "chelsea", "mosaic", "-o", str(tmp_path / "o.png"), "--size", "32", "--steps", "1", "--quiet"]
    assert main(base) == 0 and main([*base, "--layer-weights", "equal"]) == 0
    assert seen == ["balanced", "equal"]


def test_stylize_accepts_paths_blends_and_colour_options(tmp_path):
    style_path = tmp_path / "style.png"
    Image.new("RGB", (40, 30), (200, 40, 10)).save(style_path)
    out = tmp_path / "out.jpg"
    args = ["stylize", "chelsea", str(style_path), "dots", "--blend", "2", "1", "-o", str(out)]
    assert main([*args, "--size", "40", "--steps", "2", "--preserve-color", "--quiet"]) == 0
    assert out.is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chelsea", "no_such_file.png"], "Image file not found: 'no_such_file.png'"),
        (["chelsea", "mosaic", "--blend", "1", "2"], "style_blend must give 1"),
    ],
)
def test_bad_input_prints_one_clear_error_not_a_traceback(tmp_path, args, message):
    cmd = [sys.executable, "-m", "tutorial_lib", "stylize", *args, "-o", str(tmp_path / "o.png"), "--quiet"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "tutorial_lib", "stylize", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for option in ("--size", "--style-weight", "--layer-weights", "--steps", "--preserve-color", "--blend"):
        assert option in result.stdout
