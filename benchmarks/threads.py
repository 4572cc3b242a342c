"""How many torch threads to use on a small CPU: 1 against all cores, alone and beside a competitor.

    python benchmarks/threads.py                 # both workloads, alone and with a competitor
    python benchmarks/threads.py --repeats 5
    python benchmarks/threads.py --notebooks 01_gan_losses 04_gram_matrices --profile ci

Two workloads stand for the course's two kinds of notebook:

* ``gan``: 200 steps of the notebooks' MLP GAN on the ring (batch 256): hundreds of tiny
  operations, bound by per-operation overhead (notebooks 01, 03, 09);
* ``conv``: one forward + backward pass of the offline VGG16 extractor to ``relu5_1`` at
  256×256 px: a few large convolutions, bound by arithmetic (notebooks 04, 05, 07, 08).

Each is timed with 1 thread and with every core, first alone, then while a competing
process runs a 2-thread torch loop (a student's other notebook, or a second test worker).
The table gives the median seconds over ``--repeats`` runs and the load at the time.
:func:`tutorial_lib.config.choose_threads` follows what it shows.

``--notebooks`` times whole notebooks instead (nbval, in ``--profile``), each with
``TUTORIAL_THREADS`` set to every core ("before": torch's own default) and unset (the course's
rule), beside the same competitor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import torch

from tutorial_lib.config import seed_everything
from tutorial_lib.data import sample_mixture
from tutorial_lib.gan.losses import discriminator_loss, generator_loss
from tutorial_lib.gan.models import MLPDiscriminator, MLPGenerator
from tutorial_lib.style.features import load_extractor

COMPETITOR = (
    "import torch\n"
    "torch.set_num_threads(2)\n"
    "a = torch.randn(256, 256)\n"
    "while True:\n"
    "    for _ in range(50):\n"
    "        a = torch.tanh(a @ a.T / 256)\n"
)


def gan_steps(steps: int = 200) -> float:
    seed_everything(0)
    g, d = MLPGenerator(), MLPDiscriminator()
    opt_g = torch.optim.Adam(g.parameters(), 1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), 1e-3, betas=(0.5, 0.999))
    start = time.perf_counter()
    for _ in range(steps):
        real = sample_mixture("ring", 256)
        fake = g(torch.randn(256, g.latent_dim))
        loss_d = discriminator_loss(d(real), d(fake.detach()))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = generator_loss(d(fake))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return time.perf_counter() - start


def conv_pass(ext=None) -> float:  # noqa: ANN001
    x = torch.rand(1, 3, 256, 256, requires_grad=True)
    start = time.perf_counter()
    feats = ext(x, ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"])
    sum(f.square().mean() for f in feats.values()).backward()
    return time.perf_counter() - start


def median_time(fn, threads: int, repeats: int) -> float:  # noqa: ANN001
    torch.set_num_threads(threads)
    fn()  # warm-up
    return statistics.median(fn() for _ in range(repeats))


def _load() -> str:
    return open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "-"


def time_notebooks(names: list[str], profile: str, cores: int) -> None:
    """Seconds per notebook under nbval, all cores against the rule, beside a 2-thread competitor."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rival = subprocess.Popen([sys.executable, "-c", COMPETITOR])  # noqa: S603
    print(f"{'notebook':<24} {'profile':<8} {'threads':<22} {'seconds':>8}  load  (beside a 2-thread competitor)")
    try:
        for name in names:
            for label, threads in ((f"{cores} (torch default)", str(cores)), ("rule (unset)", None)):
                env = {**os.environ, "TUTORIAL_PROFILE": profile}
                env.pop("TUTORIAL_THREADS", None)
                env.pop("OMP_NUM_THREADS", None)
                if threads:
                    env["TUTORIAL_THREADS"] = threads
                cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax"]
                cmd += ["--nbval-current-env", f"notebooks/{name}.ipynb"]
                start = time.perf_counter()
                run = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)  # noqa: S603
                seconds = time.perf_counter() - start
                last = (run.stdout.strip().splitlines() or ["?"])[-1]
                status = "" if run.returncode == 0 else f"  exit {run.returncode}: {last} (over 2x budget fails too)"
                print(f"{name:<24} {profile:<8} {label:<22} {seconds:>8.1f}  {_load()}{status}", flush=True)
    finally:
        rival.kill()
        rival.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--notebooks", nargs="*", help="notebook stems to time whole, e.g. 01_gan_losses")
    parser.add_argument("--profile", default="ci", help="TUTORIAL_PROFILE for --notebooks")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if args.notebooks:
        time_notebooks(args.notebooks, args.profile, cores)
        return
    ext = load_extractor("vgg16-hed", verbose=False)
    workloads = {"gan (200 steps)": gan_steps, "conv (fwd+bwd 256 px)": lambda: conv_pass(ext)}
    print(f"torch {torch.__version__}, {cores} cores; median of {args.repeats} runs, seconds")
    print(f"{'condition':<26} {'workload':<24} {'1 thread':>9} {f'{cores} threads':>10}  load")
    for condition in ("alone", "with a 2-thread competitor"):
        rival = None
        if condition != "alone":
            rival = subprocess.Popen([sys.executable, "-c", COMPETITOR])  # noqa: S603
            time.sleep(2.0)
        try:
            for name, fn in workloads.items():
                one = median_time(fn, 1, args.repeats)
                every = median_time(fn, cores, args.repeats)
                print(f"{condition:<26} {name:<24} {one:>9.2f} {every:>10.2f}  {_load()}", flush=True)
        finally:
            if rival is not None:
                rival.kill()
                rival.wait()


if __name__ == "__main__":
    main()
