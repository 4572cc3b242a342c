"""Compute profiles, device choice and seeding: the one place that sets them.

Two profiles exist:

* ``default``: what a learner sees. Sizes and step counts chosen so the results
  are worth looking at, yet every notebook runs in minutes on a 2-core CPU.
* ``ci``: small compute. Every notebook executes end to end in well under two
  minutes so the test suite stays fast. Results are rougher; notebooks say so.

The profile is chosen by the environment variable ``TUTORIAL_PROFILE``
(``ci`` or ``default``; unset means ``default``). The device is chosen by
``TUTORIAL_DEVICE`` (``cpu``, ``cuda``, ``cuda:1`` ...; unset means CUDA when
present, else CPU). Torch's CPU threads are set by :func:`set_threads`, which
reads ``TUTORIAL_THREADS`` (a positive integer; unset means a rule that suits
the machine and how busy it is).

Nothing here runs on import: call :func:`get_profile`, :func:`get_device`,
:func:`set_threads` and :func:`seed_everything` explicitly.

The module is longer than 300 lines because :class:`Profile` keeps every notebook's sizes in one place
(each field typed, documented and set per profile); splitting it would scatter them.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch

PROFILE_ENV = "TUTORIAL_PROFILE"
DEVICE_ENV = "TUTORIAL_DEVICE"
THREADS_ENV = "TUTORIAL_THREADS"


@dataclass(frozen=True)
class Profile:
    """Sizes and step counts that notebooks read. Add a field, never a magic number.

    Attributes:
        name: ``"ci"`` or ``"default"``.
        image_size: longest side, in pixels, of images used for style transfer.
        gallery_size: side of the thumbnails in galleries.
        style_steps: optimizer steps (L-BFGS evaluations) for one stylization.
        texture_steps: optimizer steps for texture synthesis from Gram matrices.
        texture_size: side, in pixels, of synthesized textures (square).
        texture_compare_steps: optimizer steps for each texture of notebook 04's comparisons (layer sets, networks).
        transfer_steps: L-BFGS evaluations of notebook 05's main stylization (at ``image_size``).
        transfer_sweep_size: longest side, in pixels, of every image in notebook 05's comparisons.
        transfer_sweep_steps: L-BFGS (or Adam) evaluations for each image of notebook 05's comparisons.
        toy_gan_steps: training steps for the 1-D and 2-D toy GANs.
        dcgan_steps: training steps for the image GANs (the animal-mnist conditional DCGAN, the CLI).
        digits_gan_steps: training steps for the 8x8 digits DCGAN of notebook 02 (trained twice there).
        ablation_steps: training steps of each run of notebook 02's ablation of the recipe (8x8 digits).
        ablation_judge_epochs: epochs of the digit judge of that ablation.
        mode_collapse_steps: training steps of each GAN on the ring of 8 in notebook 03 (same for every method).
        mode_collapse_grid_steps: the same on the grid of 25; equal to the ring's, the two train as one population.
        mode_collapse_seeds: seeds per method in notebook 03's table.
        mode_collapse_hidden: width of the hidden layers of G and D in notebook 03 (``Method.hidden``).
        mode_collapse_batch: minibatch size of every method in notebook 03 (``Method.batch_size``).
        mode_collapse_best_steps: steps of the best remedy on the ring in notebook 03, trained apart from the
            others with its lesson-size settings (``remedies.BEST_LESSON``), long enough to meet the targets.
        mode_collapse_best_grid_steps: the same on the grid.
        mode_collapse_best_batch: the best remedy's minibatch size on the ring there.
        mode_collapse_best_grid_batch: the same on the grid (25 modes need larger batches than 8).
        classifier_epochs: epochs of notebook 06's classifiers (few-shot augmentation, memorization features).
        inpaint_steps: Adam steps on the latent z when inpainting with a GAN (notebook 06).
        augment_steps: optimizer steps of each few-shot classifier in notebook 06's augmentation study.
        art_steps: L-BFGS evaluations of each panel of notebook 06's static art example.
        batch_size: minibatch size for GAN training.
        n_eval_samples: generated samples used to compute a metric.
        n_seeds: how many seeds a comparison table averages over.
        cyclegan_steps: training steps of notebook 08's CycleGAN (horse <-> zebra).
        judge_epochs: epochs of each of the three animal-mnist judges
            (:func:`~tutorial_lib.common.judges.animal_judges`) that notebook 02 trains and notebook 08 reuses.
        cyclegan_ablation_steps: training steps of notebook 08's lambda = 0 ablation, compared with the main run
            copied after as many steps.
        video_frames: frames in the video-style-transfer clip.
        video_size: longest side, in pixels, of the clip's frames (notebook 07).
        video_steps: L-BFGS evaluations per independently stylized frame (and for the first frame).
        video_warm_steps: L-BFGS evaluations per frame when warm-started from the previous output.
        feedforward_steps: Adam steps that train notebook 07's feed-forward stylizer.
        feedforward_crop: side, in pixels, of its square training crops.
        feedforward_batch: crops per training step.
        privacy_steps: discriminator steps of each DP-GAN run in notebook 09 (the accountant's T).
        privacy_train_size: training images (members) of notebook 09's GANs, drawn from the digits.
        privacy_judge_epochs: epochs of notebook 09's digit judge.
    """

    name: str
    image_size: int
    gallery_size: int
    style_steps: int
    texture_steps: int
    texture_size: int
    texture_compare_steps: int
    transfer_steps: int
    transfer_sweep_size: int
    transfer_sweep_steps: int
    toy_gan_steps: int
    dcgan_steps: int
    digits_gan_steps: int
    ablation_steps: int
    ablation_judge_epochs: int
    mode_collapse_steps: int
    mode_collapse_grid_steps: int
    mode_collapse_seeds: int
    mode_collapse_hidden: int
    mode_collapse_batch: int
    mode_collapse_best_steps: int
    mode_collapse_best_grid_steps: int
    mode_collapse_best_batch: int
    mode_collapse_best_grid_batch: int
    classifier_epochs: int
    inpaint_steps: int
    augment_steps: int
    art_steps: int
    batch_size: int
    n_eval_samples: int
    n_seeds: int
    cyclegan_steps: int
    judge_epochs: int
    cyclegan_ablation_steps: int
    video_frames: int
    video_size: int
    video_steps: int
    video_warm_steps: int
    feedforward_steps: int
    feedforward_crop: int
    feedforward_batch: int
    privacy_steps: int
    privacy_train_size: int
    privacy_judge_epochs: int

    def as_dict(self) -> dict[str, int | str]:
        """The profile as a plain dictionary (for printing and logging)."""
        return asdict(self)


PROFILES: dict[str, Profile] = {
    "default": Profile(
        name="default",
        image_size=256,
        gallery_size=160,
        style_steps=300,
        texture_steps=250,
        texture_size=128,
        texture_compare_steps=75,
        transfer_steps=120,
        transfer_sweep_size=128,
        transfer_sweep_steps=30,
        toy_gan_steps=5000,
        dcgan_steps=1500,
        digits_gan_steps=1000,
        ablation_steps=300,
        ablation_judge_epochs=20,
        mode_collapse_steps=1700,
        mode_collapse_grid_steps=1700,
        mode_collapse_seeds=3,
        mode_collapse_hidden=128,
        mode_collapse_batch=64,
        mode_collapse_best_steps=3000,
        mode_collapse_best_grid_steps=6000,
        mode_collapse_best_batch=64,
        mode_collapse_best_grid_batch=256,
        classifier_epochs=4,
        inpaint_steps=150,
        augment_steps=400,
        art_steps=75,
        batch_size=128,
        n_eval_samples=2500,
        n_seeds=3,
        cyclegan_steps=1200,
        judge_epochs=8,
        cyclegan_ablation_steps=300,
        video_frames=8,
        video_size=96,
        video_steps=40,
        video_warm_steps=20,
        feedforward_steps=400,
        feedforward_crop=96,
        feedforward_batch=4,
        privacy_steps=2000,
        privacy_train_size=256,
        privacy_judge_epochs=30,
    ),
    "ci": Profile(
        name="ci",
        image_size=96,
        gallery_size=96,
        style_steps=20,
        texture_steps=20,
        texture_size=48,
        texture_compare_steps=10,
        transfer_steps=20,
        transfer_sweep_size=48,
        transfer_sweep_steps=10,
        toy_gan_steps=300,
        dcgan_steps=60,
        digits_gan_steps=40,
        ablation_steps=30,
        ablation_judge_epochs=10,
        mode_collapse_steps=300,
        mode_collapse_grid_steps=300,
        mode_collapse_seeds=1,
        mode_collapse_hidden=64,
        mode_collapse_batch=64,
        mode_collapse_best_steps=300,
        mode_collapse_best_grid_steps=300,
        mode_collapse_best_batch=64,
        mode_collapse_best_grid_batch=64,
        classifier_epochs=1,
        inpaint_steps=40,
        augment_steps=60,
        art_steps=20,
        batch_size=64,
        n_eval_samples=500,
        n_seeds=1,
        cyclegan_steps=100,
        judge_epochs=1,
        cyclegan_ablation_steps=40,
        video_frames=6,
        video_size=64,
        video_steps=8,
        video_warm_steps=4,
        feedforward_steps=20,
        feedforward_crop=48,
        feedforward_batch=2,
        privacy_steps=150,
        privacy_train_size=256,
        privacy_judge_epochs=5,
    ),
}


def get_profile(name: str | None = None, **overrides: int) -> Profile:
    """Return the active profile.

    name: ``"ci"`` or ``"default"``. ``None`` reads ``$TUTORIAL_PROFILE``
        (unset or empty means ``"default"``).
    overrides: fields to change, e.g. ``get_profile(style_steps=50)``.
    """
    if name is None:
        name = os.environ.get(PROFILE_ENV, "").strip() or "default"
    key = name.lower()
    if key not in PROFILES:
        valid = ", ".join(sorted(PROFILES))
        raise ValueError(
            f"Unknown profile {name!r} (from {PROFILE_ENV} or the name argument). "
            f"Valid profiles: {valid}. Fix: export {PROFILE_ENV}=default (or ci)."
        )
    profile = PROFILES[key]
    if overrides:
        unknown = set(overrides) - set(profile.as_dict())
        if unknown:
            raise ValueError(f"Unknown profile field(s) {sorted(unknown)}; valid fields: {sorted(profile.as_dict())}")
        profile = replace(profile, **overrides)
    return profile


def get_device(device: str | torch.device | None = None) -> torch.device:
    """Choose the device to compute on.

    Order: the ``device`` argument, then ``$TUTORIAL_DEVICE``, then CUDA when
    ``torch.cuda.is_available()``, else CPU. Asking for CUDA on a machine
    without it raises a ``RuntimeError`` that says how to fall back.
    """
    if device is None:
        device = os.environ.get(DEVICE_ENV, "").strip() or None
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"Device {str(dev)!r} was requested but CUDA is not available here. "
            f"Fix: unset {DEVICE_ENV} or pass device='cpu'."
        )
    return dev


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's ``random``, NumPy and torch (CPU and CUDA) with ``seed``.

    Returns a ``torch.Generator`` seeded with the same value, for code that
    prefers an explicit generator over the global state.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 (seeding the legacy global RNG is the point)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


WORKLOADS = ("small", "large")


def runnable_elsewhere(samples: int = 5, interval_s: float = 0.02) -> int:
    """How many other threads want a CPU right now: the median number of runnable tasks in ``samples``
    reads of ``/proc/loadavg`` (its fourth field, "running/total"), less this process's own.

    An instant reading, unlike the 1-minute load average, which lags and, during ``make course``,
    stays near 1 from the previous notebook's kernel. The median, not the maximum: a process that
    computes is runnable in every read, while a Jupyter kernel's own message threads wake for a
    moment (one such blip cost notebook 03 its second thread, 340 s instead of about 290 s alone).
    Returns 0 where ``/proc`` is missing.
    """
    seen = []
    for k in range(samples):
        try:
            with open("/proc/loadavg", encoding="ascii") as f:
                seen.append(int(f.read().split()[3].split("/")[0]))
        except (OSError, IndexError, ValueError):
            return 0
        if k + 1 < samples:
            time.sleep(interval_s)
    return max(0, sorted(seen)[len(seen) // 2] - 1)


def choose_threads(cores: int | None = None, load: float | None = None, work: str = "small") -> int:
    """The rule :func:`set_threads` follows when told nothing.

    * ``work="small"`` (the default; one small network at a time, e.g. notebook 01's MLP GANs):
      n = 1 if cores ≤ 2, else max(1, cores − ⌈load⌉), load being the 1-minute load average.
    * ``work="large"`` (VGG features, the DCGANs, the CycleGAN, the judges, batched populations:
      notebooks 02-08): n = max(1, cores − ⌈load⌉), load being the threads runnable elsewhere
      *now* (:func:`runnable_elsewhere`), so an idle 2-core machine gets 2 and a busy one 1.

    cores: usable CPU cores (default: this process's affinity mask). load: what else runs, to
    override the measurement (tests pass it).

    Why: torch's OpenMP threads spin-wait for each other after every operation, so tiny ops gain
    nothing from a second thread, and a thread that loses its core to another process stalls the
    rest. Measured on the course's 2 cores (seconds, 1 | 2 threads; ``benchmarks/threads.py``
    repeats the first two columns):

    ==========================  ===========  ===========  ===========  ===========  ===========
    what else ran               MLP GAN      VGG pass     DCGAN        judge        CycleGAN
    ==========================  ===========  ===========  ===========  ===========  ===========
    nothing                     1.30 | 1.54  0.92 | 0.49  3.88 | 2.15  1.88 | 1.09  2.07 | 1.48
    one 1-thread process        --           --           2.80 | 1.79  2.33 | 11.7  2.27 | 1.98
    a 2-thread torch process    2.32 | 9.30  1.39 | 2.07  --           --           --
    ==========================  ===========  ===========  ===========  ===========  ===========

    (MLP GAN: 200 steps of a 2-128-128-2 GAN at batch 256; VGG pass: forward + backward to relu5_1
    at 256 px; DCGAN: 40 steps of notebook 02's animal recipe; judge: one epoch of the animal
    classifier on 3,000 images; CycleGAN: 20 steps of notebook 08's.) Notebook 03's populations,
    idle: 5.8 → 4.0 s for 200 steps of 18 runs. Whole notebooks, ci profile, beside the 2-thread
    process: 01 took 55 s with one thread against 223 s with two, 04 62 s against 184 s. So a second
    thread pays only for large operations, and only when nothing else wants the core.
    """
    if work not in WORKLOADS:
        raise ValueError(f"work must be one of {WORKLOADS}, got {work!r}. Fix: pass work='small' or work='large'.")
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if work == "small":
        if load is None:
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        return 1 if cores <= 2 else max(1, cores - math.ceil(load))
    if load is None:
        load = runnable_elsewhere()
    return max(1, cores - math.ceil(load))


def set_threads(n: int | None = None, work: str = "small") -> int:
    """Set torch's intra-op CPU threads (``torch.set_num_threads``) and return the count.

    Order: the ``n`` argument, then ``$TUTORIAL_THREADS``, then :func:`choose_threads` for the kind
    of ``work`` (``"small"`` ops: 1 thread on 2 cores; ``"large"``: the cores nobody else is using).
    A count that is not a positive integer raises a ``ValueError`` naming where it came from. Every
    notebook's setup cell, the tests, the CLI and the benchmarks call this, so
    ``export TUTORIAL_THREADS=2`` changes all of them at once.
    """
    name, raw = "n", os.environ.get(THREADS_ENV, "").strip()
    if n is None and raw:
        name, n = THREADS_ENV, int(raw) if raw.lstrip("-").isdigit() else raw
    elif n is None:
        n = choose_threads(work=work)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(
            f"{name} must be a positive integer (torch threads), got {n!r}. "
            f"Fix: pass n=1 or export {THREADS_ENV}=1, or unset {THREADS_ENV} to let the course choose."
        )
    torch.set_num_threads(n)
    return n
