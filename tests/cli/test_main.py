import subprocess
import sys

import pytest
import torch

from tutorial_lib.cli import build_parser, main


def test_info_command_reports_environment():
    result = subprocess.run([sys.executable, "-m", "tutorial_lib", "info"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "profile: default" in result.stdout
    assert "Feature extractor: vgg16-hed" in result.stdout


def test_unknown_command_fails_with_usage():
    result = subprocess.run([sys.executable, "-m", "tutorial_lib", "dance"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_every_command_takes_threads():
    parser = build_parser()
    commands = {
        "info": [], "student": [], "gan": ["--out", "o"], "stylize": ["c", "s", "-o", "o.png"],
        "video": ["c", "s", "-o", "o.gif"],
    }  # fmt: skip
    for command, rest in commands.items():
        assert parser.parse_args([command, *rest, "--threads", "2"]).threads == 2, command
        assert parser.parse_args([command, *rest]).threads is None, command


def test_threads_option_sets_torch_threads(monkeypatch, tmp_path, capsys):
    before = torch.get_num_threads()
    monkeypatch.setenv("TUTORIAL_THREADS", "2")
    try:
        parser_args = ["student", "--src", str(tmp_path), "--out", str(tmp_path / "out"), "--threads", "1"]
        assert main(parser_args) == 0 and torch.get_num_threads() == 1  # an empty folder: nothing to write
        assert main(parser_args[:-2]) == 0 and torch.get_num_threads() == 2  # no option: $TUTORIAL_THREADS
    finally:
        torch.set_num_threads(before)


def test_bad_threads_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["info", "--threads", "0"])
    assert exit_info.value.code == 2 and "must be a positive integer" in capsys.readouterr().err
