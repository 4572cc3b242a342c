"""The video command: a GIF out, with the numbers printed, and a clear error for a wrong output type."""

import subprocess
import sys

from PIL import Image

from tutorial_lib.cli import main


def test_video_writes_a_gif_and_reports_flicker(tmp_path, capsys):
    out = tmp_path / "clip.gif"
    args = ["video", "chelsea", "mosaic", "-o", str(out), "--frames", "3", "--size", "32", "--steps", "2"]
    assert main([*args, "--warm-steps", "1", "--extractor", "vgg16-hed", "--quiet"]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 3 and gif.size == (32, 24)
    printed = capsys.readouterr().out
    assert "wrote" in printed and "flicker" in printed and "temporal term" in printed


def test_video_rejects_a_non_gif_output_without_a_traceback(tmp_path):
    cmd = [sys.executable, "-m", "tutorial_lib", "video", "chelsea", "mosaic", "-o", str(tmp_path / "o.mp4")]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 1
    assert "must be a .gif" in result.stderr and "Traceback" not in result.stderr
