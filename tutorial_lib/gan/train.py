"""The alternating GAN training loop: one function, options instead of variants.

Each step of :func:`train_gan`:

1. ``d_steps`` times: draw real x and z, fake = G(z) (held fixed), and take one
   Adam step on L_D(l(x), l(G(z))) [+ penalty]  (D learns to tell them apart);
2. optionally unroll D ``unroll_steps`` updates ahead (then restore it);
3. one Adam step of G on L_G(l(G(z)))  (G learns to fool the current D).

A step is all or nothing (:mod:`tutorial_lib.gan.step`): if any loss or gradient of it becomes
NaN or infinite, G, D and both optimizers are put back as the step found them, and
:class:`TrainingDivergedError` says what diverged, where, and which checkpoint is kept.

With labelled data the GAN is class-conditional: G(z, y) and D(x, y), where the
fakes get the labels of the real batch. ``aux_weight`` > 0 adds the AC-GAN terms
(Odena et al. 2017): D also learns to classify real samples, λ_c · CE(c(x), y)
added to L_D, and G is rewarded when its samples are classified as the class
it was asked for, λ_c · CE(c(G(z, y)), y) added to L_G.

Remedies for unstable training are options of this same loop: a ``loss`` kind
(minimax, non-saturating, LSGAN, hinge, Wasserstein), a ``penalty`` added to L_D
(:func:`~tutorial_lib.gan.regularizers.wgan_gp`, :func:`~tutorial_lib.gan.regularizers.r1`),
``pack`` (PacGAN), ``unroll_steps`` (unrolled GAN, first-order version), and
spectral normalization or minibatch-std inside D (:mod:`tutorial_lib.gan.models`).

Games with several networks on each side (CycleGAN: two generators, two
discriminators) use the same loop through an ``objective``: G and D are then
containers (e.g. ``nn.ModuleDict``) updated by one optimizer each, and the
objective computes L_D and L_G from a real batch (see :class:`Objective` and
:mod:`tutorial_lib.translation.cyclegan`).

Reproducibility: every random draw (batches, z, penalty ε) comes from one
``torch.Generator`` seeded with ``seed``, whose state is saved in the checkpoint
with the models, optimizers and history. A run killed and resumed on the CPU
ends bit-identical to an uninterrupted one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from ..common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from ..config import get_device
from .history import History
from .losses import G_LOSS_KINDS
from .regularizers import warn_if_unconstrained
from .sampler import make_sampler
from .step import Critic as Critic
from .step import GANStep, Objective, Penalty, TrainingDivergedError, linear_decay_factor
from .step import pack_samples as pack_samples

CHECKPOINT_FORMAT = 1


@dataclass
class StepInfo:
    """What a callback receives after every step (``step`` counts from 1), with the two Adam optimizers."""

    step: int
    steps: int
    G: nn.Module
    D: nn.Module
    history: History
    opt_g: torch.optim.Optimizer | None = None
    opt_d: torch.optim.Optimizer | None = None


Callback = Callable[[StepInfo], Any]


def _lrs(lr: float | tuple[float, float]) -> tuple[float, float]:
    return (float(lr), float(lr)) if isinstance(lr, int | float) else (float(lr[0]), float(lr[1]))


def train_gan(
    G: nn.Module,
    D: nn.Module,
    data: Any,
    *,
    loss: str = "nonsaturating",
    steps: int,
    batch_size: int = 64,
    d_steps: int = 1,
    lr: float | tuple[float, float] = 2e-4,
    betas: tuple[float, float] = (0.5, 0.999),
    lr_decay_from: float | None = None,
    penalty: Penalty | None = None,
    penalty_every: int = 1,
    pack: int = 1,
    unroll_steps: int = 0,
    aux_weight: float = 0.0,
    objective: Objective | None = None,
    callbacks: Sequence[Callback] = (),
    checkpoint_dir: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    resume: bool = True,
    device: str | torch.device | None = None,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train generator ``G`` against discriminator ``D`` for ``steps`` steps; return the :class:`History`.

    G: takes ``z: (B, G.latent_dim)`` (and labels ``y: (B,)`` when the data are labelled).
    D: takes samples ``(B / pack, ...)`` (and ``y``) and returns logits ``(B / pack,)``.
    data: a tensor ``(N, ...)``, ``(images, labels)``, a ``LabeledImages`` or a function
        ``(batch_size, generator) -> batch`` (see :func:`~tutorial_lib.gan.sampler.make_sampler`).
        With labels the GAN is class-conditional; fakes get the labels of the real batch.
    loss: one of ``minimax`` (saturating L_G), ``nonsaturating``, ``lsgan``, ``hinge``, ``wasserstein``;
        the same kind is used for L_D and L_G (see :mod:`tutorial_lib.gan.losses`; what the recorded
        scores mean for each kind: :mod:`tutorial_lib.gan.history`).
    d_steps: discriminator updates per generator update.
    lr: Adam learning rate, or ``(lr_G, lr_D)`` for two time-scales (TTUR). betas: Adam's β1, β2.
    lr_decay_from: from this fraction of ``steps`` on, both learning rates fall linearly towards
        zero at ``steps`` (:func:`linear_decay_factor`); ``None`` keeps them constant. The rate
        depends only on the step, so a resumed run follows the same schedule (for the same ``steps``).
    penalty: added to L_D, e.g. ``regularizers.wgan_gp(10.0)`` or ``regularizers.r1(1.0)``.
    penalty_every: lazy regularization (Karras et al. 2020): apply the penalty only on every
        k-th step, multiplied by k, which keeps its average weight and saves time.
    pack: PacGAN degree (D must be built with the same ``pack``); unconditional data only.
    unroll_steps: before each G update, let a copy of D run this many extra updates ahead and
        compute L_G against it, then restore D (unrolled GAN, without differentiating through
        the unrolled updates).
    aux_weight: λ_c of the AC-GAN class terms (labelled data and ``D(x, y, return_class_logits=True)``
        needed, e.g. ``DCGANDiscriminator(..., aux_classifier=True)``).
    objective: computes L_D and L_G itself (an :class:`Objective`, e.g.
        :class:`~tutorial_lib.translation.cyclegan.CycleGANObjective`); ``loss``, ``penalty``, ``pack``,
        ``unroll_steps`` and ``aux_weight`` then stay at their defaults and G needs no latent_dim.
        Its extra stats go to ``history.extra``.
    callbacks: called with a :class:`StepInfo` after every step. A callback with
        ``state_dict()``/``load_state_dict()`` methods has its state saved in checkpoints.
    checkpoint_dir: keep ``checkpoint.pt`` there, written atomically every ``checkpoint_every``
        steps (default: a tenth of ``steps``) and at the end. With ``resume=True`` an existing
        checkpoint is loaded and training continues from its step (models, optimizers, random
        state and history included); asking for more ``steps`` than it holds trains further.
    device: where to train; ``None`` uses :func:`tutorial_lib.config.get_device`.
    seed: seeds the one ``torch.Generator`` used for batches, z and penalty noise.

    Raises :class:`TrainingDivergedError` when a loss or a gradient becomes NaN or infinite, in any
    update of the step (D's, the look-ahead's or G's), after putting G, D and both optimizers back
    as they were at the start of that step; the last checkpoint written stays as it was. Warns when
    ``loss="wasserstein"`` has no penalty and D no spectral norm: the critic would be unconstrained.
    """
    if loss not in G_LOSS_KINDS:
        raise ValueError(f"Unknown loss kind {loss!r}. Valid kinds: {', '.join(G_LOSS_KINDS)}.")
    for name, value, low in (
        ("steps", steps, 0),
        ("d_steps", d_steps, 1),
        ("pack", pack, 1),
        ("unroll_steps", unroll_steps, 0),
        ("penalty_every", penalty_every, 1),
    ):
        if not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    linear_decay_factor(1, max(steps, 1), lr_decay_from)  # validates lr_decay_from
    if batch_size % pack:
        raise ValueError(f"batch_size ({batch_size}) must be divisible by pack ({pack})")
    if objective is not None:
        if penalty is not None or pack != 1 or unroll_steps or aux_weight:
            raise ValueError("with an objective, leave penalty, pack, unroll_steps and aux_weight at their defaults")
    elif not hasattr(G, "latent_dim"):
        raise ValueError("G must have a latent_dim attribute: the size of z")
    device = get_device(device)
    sample, conditional = make_sampler(data, batch_size, device)
    if conditional and getattr(G, "num_classes", None) is None:
        raise ValueError("data have labels but G is unconditional: pass the images only, or build G with num_classes")
    if conditional and pack > 1:
        raise ValueError("pack > 1 works with unlabelled data only")
    if aux_weight < 0 or (aux_weight > 0 and not (conditional and getattr(D, "aux_classifier", False))):
        raise ValueError(
            f"aux_weight={aux_weight} needs labelled data and a D built with aux_classifier=True (and must be >= 0)"
        )
    warn_if_unconstrained(loss, penalty, D)
    G.to(device).train()
    D.to(device).train()
    lr_g, lr_d = _lrs(lr)
    # foreach: one fused update over all tensors (the CPU default loops over them, which costs a
    # CycleGAN with 76 weight tensors per side about 1 ms a step); the same arithmetic either way.
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=betas, foreach=True)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas, foreach=True)
    gen = torch.Generator().manual_seed(seed)
    history = History()
    config = {"loss": loss, "batch_size": batch_size, "d_steps": d_steps, "lr_g": lr_g, "lr_d": lr_d,
              "betas": list(betas), "pack": pack, "unroll_steps": unroll_steps, "aux_weight": float(aux_weight),
              "penalty_every": penalty_every, "seed": seed}  # fmt: skip
    if lr_decay_from is not None:  # only when set, so that older checkpoints still resume
        config["lr_decay_from"] = float(lr_decay_from)
    if objective is not None:
        config["objective"] = dict(objective.config)
    ckpt = checkpoint_path(checkpoint_dir) if checkpoint_dir is not None else None
    every = checkpoint_every or max(1, steps // 10)
    start, saved_step = 0, None
    if ckpt is not None and resume and ckpt.is_file():
        state = load_checkpoint(ckpt, map_location=device)
        _check_config(state, config, ckpt)
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        # RNG states are CPU byte tensors; map_location=device moved them to the GPU on CUDA runs.
        gen.set_state(state["rng"]["sampler"].cpu())
        torch.set_rng_state(state["rng"]["torch"].cpu())
        if device.type == "cuda" and "cuda" in state["rng"]:
            torch.cuda.set_rng_state(state["rng"]["cuda"].cpu(), device)
        history = History.from_dict(state["history"])
        _load_callbacks(callbacks, state.get("callbacks", []))
        start = saved_step = int(state["step"])
        if progress:
            tqdm.write(f"Resuming from {ckpt} at step {start} (of {steps}).")

    def save(step: int) -> None:
        rng = {"sampler": gen.get_state(), "torch": torch.get_rng_state()}
        if device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(device)
        state = {"format": CHECKPOINT_FORMAT, "step": step, "config": config, "G": G.state_dict(),
                 "D": D.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "rng": rng,
                 "history": history.as_dict(), "callbacks": [_callback_state(cb) for cb in callbacks]}  # fmt: skip
        save_checkpoint(state, ckpt)

    run_step = GANStep(G, D, opt_g, opt_d, sample, gen, loss=loss, batch_size=batch_size, conditional=conditional,
                       device=device, lrs=(lr_g, lr_d), d_steps=d_steps, pack=pack, penalty=penalty,
                       penalty_every=penalty_every, unroll_steps=unroll_steps, aux_weight=aux_weight,
                       objective=objective, steps=steps, lr_decay_from=lr_decay_from)  # fmt: skip
    history.loss = getattr(objective, "loss", None) if objective is not None else loss
    probabilities = history.scores_are_probabilities
    bar = tqdm(total=steps, initial=min(start, steps), desc="training GAN", disable=not progress, dynamic_ncols=True)
    postfix_every = max(1, steps // 100)
    t0 = time.perf_counter()
    try:
        for step in range(start + 1, steps + 1):
            try:
                stats = run_step(step)
            except TrainingDivergedError as err:
                kept = (
                    f"the last good checkpoint (step {saved_step}) is kept at {ckpt}" if saved_step else "no checkpoint"
                )
                raise TrainingDivergedError(
                    f"{err}. G, D and both optimizers were restored to their state at the start of step {step}; "
                    f"{kept}. Try a smaller learning rate, another loss kind or a penalty."
                ) from None
            values = torch.stack([v.detach().float().reshape(()) for v in stats.values()]).tolist()
            history.record(step, dict(zip(stats, values, strict=True)))
            info = StepInfo(step, steps, G, D, history, opt_g, opt_d)
            for cb in callbacks:
                cb(info)
            if ckpt is not None and (step % every == 0 or step == steps):
                history.seconds += time.perf_counter() - t0
                t0 = time.perf_counter()
                save(step)
                saved_step = step
            bar.update()
            if step % postfix_every == 0 or step == steps:
                last = history.last()
                shown = (
                    {"D_x": "d_real", "D_Gz": "d_fake"}
                    if probabilities
                    else {"s_x": "score_real", "s_Gz": "score_fake"}
                )
                postfix = {"L_D": last["loss_d"], "L_G": last["loss_g"], **{k: last[v] for k, v in shown.items()}}
                bar.set_postfix({k: f"{v:.3f}" for k, v in postfix.items()}, refresh=False)
    finally:
        bar.close()
    history.seconds += time.perf_counter() - t0
    return history


def _check_config(state: dict, config: dict, path: Path) -> None:
    if state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} has checkpoint format {state.get('format')}, expected {CHECKPOINT_FORMAT}")
    saved = state["config"]
    # Over both key sets: an option recorded only when set (lr_decay_from, objective) must also match
    # when the new run leaves it out; a key absent on both sides reads as None on both.
    keys = list(config) + [k for k in saved if k not in config]
    diff = {k: (saved.get(k), config.get(k)) for k in keys if saved.get(k) != config.get(k)}
    if diff:
        detail = "; ".join(f"{k}: checkpoint {a!r}, now {b!r}" for k, (a, b) in diff.items())
        raise ValueError(
            f"The checkpoint {path} was made with other settings ({detail}). "
            "Use another checkpoint_dir, or resume=False to start over."
        )


def _callback_state(cb: Callback) -> dict | None:
    return cb.state_dict() if hasattr(cb, "state_dict") else None


def _load_callbacks(callbacks: Sequence[Callback], states: list) -> None:
    for cb, state in zip(callbacks, states, strict=False):
        if state is not None and hasattr(cb, "load_state_dict"):
            cb.load_state_dict(state)
