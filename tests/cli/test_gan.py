import os
import subprocess
import sys

import pytest
from PIL import Image

from tutorial_lib.cli import build_parser
from tutorial_lib.common.checkpoint import load_checkpoint


def test_gan_command_is_registered_with_its_options():
    args = build_parser().parse_args(["gan", "--dataset", "digits", "--steps", "3", "--out", "x"])
    assert (args.dataset, args.steps, args.out, args.restart) == ("digits", 3, "x", False)


@pytest.mark.slow
def test_gan_command_writes_grids_and_a_checkpoint_and_resumes(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "tutorial_lib", "gan", "--dataset", "digits", "--steps", "6", "--out", str(out),
           "--grids", "2", "--no-progress"]  # fmt: skip
    env = {**os.environ, "TUTORIAL_PROFILE": "ci", "TUTORIAL_DEVICE": "cpu", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["checkpoint.pt", "history.png", "samples_final.png", "samples_step00003.png",
                     "samples_step00006.png"]  # fmt: skip
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 6
    with Image.open(out / "samples_final.png") as im:
        assert im.size == ((8 * 9 + 1) * 4, (10 * 9 + 1) * 4)  # 8 per row, one row per digit, 4x enlarged
    assert "one row per class" in result.stdout
    more = subprocess.run([*cmd[:7], "8", *cmd[8:]], capture_output=True, text=True, env=env)
    assert more.returncode == 0, more.stderr
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 8
