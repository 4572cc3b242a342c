"""Importing the package has no side effects."""

import subprocess
import sys

SCRIPT = """
import random, numpy as np, torch
threads = torch.get_num_threads()
state = (random.getstate(), np.random.get_state()[1].sum(), torch.random.get_rng_state().sum().item())
import tutorial_lib
from tutorial_lib import config, data, style, viz, exercises, cli
import tutorial_lib.style.gram, tutorial_lib.style.features
after = (random.getstate(), np.random.get_state()[1].sum(), torch.random.get_rng_state().sum().item())
assert torch.get_num_threads() == threads, "import changed torch threads"
assert state == after, "import changed a random state"
"""


def test_plain_import_prints_nothing():
    result = subprocess.run([sys.executable, "-c", "import tutorial_lib"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""


def test_importing_every_module_changes_no_global_state():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_submodules_load_lazily():
    code = "import sys, tutorial_lib; assert 'tutorial_lib.style.features' not in sys.modules; tutorial_lib.style"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
