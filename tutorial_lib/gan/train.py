"""The alternating GAN training loop: one function, options instead of variants.

Each step of :func:`train_gan`:

1. ``d_steps`` times: draw real x and z, fake = G(z) (held fixed), and take one
   Adam step on L_D(l(x), l(G(z))) [+ penalty]  (D learns to tell them apart);
2. optionally unroll D ``unroll_steps`` updates ahead (then restore it);
3. one Adam step of G on L_G(l(G(z)))  (G learns to fool the current D).

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

import copy
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn
from tqdm.auto import tqdm

from ..common.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from ..config import get_device
from .history import HISTORY_KEYS, History
from .losses import G_LOSS_KINDS, discriminator_loss, generator_loss
from .sampler import make_sampler

Critic = Callable[[torch.Tensor], torch.Tensor]
#: A penalty added to L_D: ``penalty(critic, real, fake, generator) -> scalar``; ``critic(x)`` returns D's scores.
Penalty = Callable[[Critic, torch.Tensor, torch.Tensor, torch.Generator], torch.Tensor]
CHECKPOINT_FORMAT = 1


class Objective(Protocol):
    """The losses of a game whose G and D each hold several networks (``train_gan(objective=...)``).

    ``d_loss(G, D, real)`` returns ``(L_D, stats, carry)``: the discriminators' loss on the real
    batch and on fakes made from it (detached), a dict of scalar tensors to record, and whatever
    ``g_loss`` needs. ``g_loss(G, D, carry)`` returns ``(L_G, stats)``; D is frozen meanwhile.
    ``config`` (plain numbers and strings) is stored in checkpoints and checked on resume.
    """

    config: dict[str, Any]

    def d_loss(self, G: nn.Module, D: nn.Module, real: torch.Tensor) -> tuple[torch.Tensor, dict, Any]: ...

    def g_loss(self, G: nn.Module, D: nn.Module, carry: Any) -> tuple[torch.Tensor, dict]: ...


class TrainingDivergedError(FloatingPointError):
    """A loss became NaN or infinite; the message names the step and the checkpoint kept."""


@dataclass
class StepInfo:
    """What a callback receives after every step (``step`` counts from 1)."""

    step: int
    steps: int
    G: nn.Module
    D: nn.Module
    history: History


Callback = Callable[[StepInfo], Any]


def pack_samples(x: torch.Tensor, pack: int) -> torch.Tensor:
    """PacGAN packing: ``(B, C, ...)`` -> ``(B / pack, pack · C, ...)``; consecutive samples share a row."""
    if pack == 1:
        return x
    if x.shape[0] % pack:
        raise ValueError(f"batch of {x.shape[0]} samples cannot be packed in groups of {pack}")
    return x.reshape(x.shape[0] // pack, pack * x.shape[1], *x.shape[2:])


def _grad_norm(module: nn.Module) -> torch.Tensor:
    grads = [p.grad.detach().flatten() for p in module.parameters() if p.grad is not None]
    return torch.linalg.vector_norm(torch.cat(grads)) if grads else torch.zeros(())


def _lrs(lr: float | tuple[float, float]) -> tuple[float, float]:
    return (float(lr), float(lr)) if isinstance(lr, int | float) else (float(lr[0]), float(lr[1]))


def linear_decay_factor(step: int, steps: int, decay_from: float | None) -> float:
    """The learning-rate multiplier of ``step`` (counted from 1) in a run of ``steps``.

    Constant, then linear to zero (as in CycleGAN's training): with t₀ = ⌊decay_from · steps⌋,

        f(t) = 1                          for t ≤ t₀,
        f(t) = (steps − t + 1) / (steps − t₀)   for t > t₀,

    so the last step still moves, by 1 / (steps − t₀) of the full rate. ``decay_from=None`` keeps f = 1.
    """
    if decay_from is None:
        return 1.0
    if not 0.0 <= decay_from < 1.0:
        raise ValueError(f"lr_decay_from must be in [0, 1) or None, got {decay_from!r}")
    t0 = int(decay_from * steps)
    return 1.0 if step <= t0 else (steps - step + 1) / (steps - t0)


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
        the same kind is used for L_D and L_G (see :mod:`tutorial_lib.gan.losses`).
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

    Raises :class:`TrainingDivergedError` when a loss becomes NaN or infinite, before that
    step changes any weight; the last checkpoint written stays as it was.
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
    G.to(device).train()
    D.to(device).train()
    lr_g, lr_d = _lrs(lr)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas)
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

    def critic_for(y: torch.Tensor | None) -> Critic:
        return (lambda x: D(x, y)) if y is not None else D

    def randn_z() -> torch.Tensor:
        return torch.randn(batch_size, G.latent_dim, generator=gen).to(device)

    def diverged(step: int, what: str, value: torch.Tensor) -> TrainingDivergedError:
        kept = f"the last good checkpoint (step {saved_step}) is kept at {ckpt}" if saved_step else "no checkpoint"
        return TrainingDivergedError(
            f"{what} became {value.item()} at step {step}; training stopped before updating any weight "
            f"({kept}). Try a smaller learning rate, another loss kind or a penalty."
        )

    def objective_update(opt: torch.optim.Optimizer, net: nn.Module, step: int, what: str,
                         loss: torch.Tensor, stats: dict) -> dict[str, torch.Tensor]:  # fmt: skip
        if not torch.isfinite(loss):
            raise diverged(step, what, loss.detach())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        stats[f"grad_norm_{what[-1].lower()}"] = _grad_norm(net)
        opt.step()
        return stats

    def d_update(step: int, keep_graph: bool) -> dict[str, torch.Tensor]:
        if objective is not None:
            loss_d, stats, carry = objective.d_loss(G, D, sample(gen)[0])
            zeros = dict.fromkeys(HISTORY_KEYS, torch.zeros((), device=device))
            stats = objective_update(opt_d, D, step, "L_D", loss_d, {**zeros, "loss_d": loss_d, **stats})
            return {"stats": stats, "fake": carry, "y": None}
        real, y = sample(gen)
        z = randn_z()
        with torch.set_grad_enabled(keep_graph):
            fake = G(z, y) if conditional else G(z)
        critic = critic_for(y)
        real_in, fake_in = pack_samples(real, pack), pack_samples(fake.detach(), pack)
        zero = torch.zeros((), device=device)
        class_loss = zero
        if aux_weight:
            real_logits, class_logits = D(real_in, y, return_class_logits=True)
            class_loss = nn.functional.cross_entropy(class_logits, y)
        else:
            real_logits = critic(real_in)
        fake_logits = critic(fake_in)
        loss_d = discriminator_loss(real_logits, fake_logits, loss)
        lazy_step = step % penalty_every == 0
        pen = penalty_every * penalty(critic, real_in, fake_in, gen) if penalty is not None and lazy_step else zero
        total = loss_d + pen + aux_weight * class_loss
        if not torch.isfinite(total):
            what = "L_D" if not torch.isfinite(loss_d) else "the penalty" if not torch.isfinite(pen) else "class loss"
            raise diverged(step, what, total.detach())
        opt_d.zero_grad(set_to_none=True)
        total.backward()
        grad_norm = _grad_norm(D)
        opt_d.step()
        stats = {"loss_d": loss_d, "penalty": pen, "d_real": torch.sigmoid(real_logits).mean(),
                 "d_fake": torch.sigmoid(fake_logits).mean(), "score_real": real_logits.mean(),
                 "score_fake": fake_logits.mean(), "grad_norm_d": grad_norm, "class_loss_d": class_loss}  # fmt: skip
        return {"stats": stats, "fake": fake, "y": y}

    def g_update(step: int, fake: torch.Tensor, y: torch.Tensor | None) -> dict[str, torch.Tensor]:
        if objective is not None:
            D.requires_grad_(False)
            try:
                loss_g, stats = objective.g_loss(G, D, fake)
            finally:
                D.requires_grad_(True)
            return objective_update(opt_g, G, step, "L_G", loss_g, {"loss_g": loss_g, **stats})
        class_loss = torch.zeros((), device=device)
        D.requires_grad_(False)
        try:
            if aux_weight:
                fake_logits, class_logits = D(fake, y, return_class_logits=True)
                class_loss = nn.functional.cross_entropy(class_logits, y)
            else:
                fake_logits = critic_for(y)(pack_samples(fake, pack))
            loss_g = generator_loss(fake_logits, loss)
        finally:
            D.requires_grad_(True)
        total = loss_g + aux_weight * class_loss
        if not torch.isfinite(total):
            raise diverged(step, "L_G" if not torch.isfinite(loss_g) else "class loss", total.detach())
        opt_g.zero_grad(set_to_none=True)
        total.backward()
        grad_norm = _grad_norm(G)
        opt_g.step()
        return {"loss_g": loss_g, "grad_norm_g": grad_norm, "class_loss_g": class_loss}

    bar = tqdm(total=steps, initial=min(start, steps), desc="training GAN", disable=not progress, dynamic_ncols=True)
    postfix_every = max(1, steps // 100)
    t0 = time.perf_counter()
    try:
        for step in range(start + 1, steps + 1):
            if lr_decay_from is not None:
                factor = linear_decay_factor(step, steps, lr_decay_from)
                for opt, base in ((opt_g, lr_g), (opt_d, lr_d)):
                    for group in opt.param_groups:
                        group["lr"] = base * factor
            for k in range(d_steps):
                out = d_update(step, keep_graph=(k == d_steps - 1 and unroll_steps == 0))
            stats, y = out["stats"], out["y"]
            if unroll_steps:
                backup = copy.deepcopy(D.state_dict()), copy.deepcopy(opt_d.state_dict())
                for _ in range(unroll_steps):
                    y = d_update(step, keep_graph=False)["y"]
                z = randn_z()
                fake = G(z, y) if conditional else G(z)
                stats.update(g_update(step, fake, y))
                D.load_state_dict(backup[0])
                opt_d.load_state_dict(backup[1])
            else:
                stats.update(g_update(step, out["fake"], y))
            values = torch.stack([v.detach().float().reshape(()) for v in stats.values()]).tolist()
            history.record(step, dict(zip(stats, values, strict=True)))
            info = StepInfo(step, steps, G, D, history)
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
                bar.set_postfix(L_D=f"{last['loss_d']:.3f}", L_G=f"{last['loss_g']:.3f}",
                                D_x=f"{last['d_real']:.2f}", D_Gz=f"{last['d_fake']:.2f}", refresh=False)  # fmt: skip
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
