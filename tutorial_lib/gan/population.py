"""Train many small MLP GANs at once, as one batched population: notebook 03's table.

A population holds P members, each a (method, seed) with its own G, D, data stream and noise.
Layer l of every member is stacked into one tensor, W_l: (P, in, out) and b_l: (P, 1, out), and one
batched matrix product computes it for all members, h ← act(h W_l + b_l) with h: (P, N, in)
(:func:`torch.baddbmm`). Training them together is exact, not an approximation:

* the members' losses are summed before ``backward``: ∂(Σ_q L_q)/∂θ_p = ∂L_p/∂θ_p, because L_q does not
  depend on θ_p for q ≠ p; so are R1 and the gradient penalty, whose input gradient
  ∂(Σ_q l_q)/∂x_p = ∂l_p/∂x_p involves member p alone;
* Adam is elementwise, so one :class:`torch.optim.Adam` over the stacked (P, ...) tensors is P
  independent Adams, and the learning-rate schedule and the weight average of G carry over as they are;
* member p draws its batches and noise from its own ``torch.Generator(seed_p)`` in the order
  :func:`~tutorial_lib.gan.train.train_gan` does, and starts from the weights ``run_method`` builds,
  so it follows the one-after-another run of the same seed (``tests/gan/test_population.py``).

Members share a population when they share a loop: every field of their
:class:`~tutorial_lib.gan.remedies.Method` but the name, description and penalty weight, where no
penalty counts as R1 with γ = 0 (it adds exactly 0 to L_D and to its gradient). Members may train on
different mixtures: each draws its real batches from its own. So the vanilla GAN and R1 on both
mixtures train as one population.
Batching saves the per-operation overhead (one dispatch per layer instead of P), not the
arithmetic: at notebook 03's sizes a matrix product already runs near the CPU's speed.
``benchmarks/mode_collapse.py --compare`` measures the saving.

The module is longer than 300 lines because the stacked MLP, the batched loop (which mirrors every
option of :func:`~tutorial_lib.gan.train.train_gan` that a :class:`~tutorial_lib.gan.remedies.Method`
uses) and the table that groups runs into loops only make sense together.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..config import get_device
from ..data import MIXTURE_STD, mixture_centers
from .comparison import MethodResult, mode_coverage
from .layers import power_iteration
from .remedies import METHODS, MIXTURES, Method, get_method, mixture_sampler, profile_steps
from .step import TrainingDivergedError, linear_decay_factor

#: Method fields that may differ between members of one population.
PER_MEMBER_FIELDS: tuple[str, ...] = ("name", "description", "penalty_weight")


class StackedMLP(nn.Module):
    """P MLPs of one architecture, as one module: ``x: (P, N, in) -> (P, N, out)``, or scores ``(P, N)`` for D.

    modules: P :class:`~tutorial_lib.gan.models.MLPGenerator` or P
    :class:`~tutorial_lib.gan.models.MLPDiscriminator` of one architecture (options included);
    their weights are copied, so member p starts where ``modules[p]`` is. Hidden layers use ReLU in
    G and LeakyReLU(0.2) in D; D's options work per member: spectral norm divides each W_p by σ(W_p)
    (:func:`~tutorial_lib.gan.layers.power_iteration`, u and v copied from torch's), minibatch-std appends
    mean_f std_n h[p, n, f] of member p's own batch. Packing is done by the caller (``pack`` is kept).
    """

    def __init__(self, modules: Sequence[nn.Module]) -> None:
        super().__init__()
        if not modules:
            raise ValueError("modules must hold at least one MLP")
        first = modules[0]
        self.is_discriminator = hasattr(first, "body")
        self.minibatch_std = getattr(first, "mbstd", None) is not None
        self.pack, self.latent_dim = getattr(first, "pack", 1), getattr(first, "latent_dim", None)
        layers = [[m for m in mod.modules() if isinstance(m, nn.Linear)] for mod in modules]
        self.spectral_norm = hasattr(layers[0][0], "parametrizations")
        shapes = [[tuple(self._weight(lin).shape) for lin in ls] for ls in layers]
        if any(s != shapes[0] for s in shapes) or any(type(m) is not type(first) for m in modules):
            raise ValueError(f"modules must share one architecture; got layer shapes {shapes}")
        n = len(layers[0])
        self.weights = nn.ParameterList([torch.stack([self._weight(ls[i]).T for ls in layers]) for i in range(n)])
        self.biases = nn.ParameterList([torch.stack([ls[i].bias.detach()[None] for ls in layers]) for i in range(n)])
        for i in range(n if self.spectral_norm else 0):
            sn = [ls[i].parametrizations.weight[0] for ls in layers]
            self.register_buffer(f"u{i}", torch.stack([s._u for s in sn]).clone())
            self.register_buffer(f"v{i}", torch.stack([s._v for s in sn]).clone())

    @staticmethod
    def _weight(linear: nn.Linear) -> torch.Tensor:
        parametrized = getattr(linear, "parametrizations", None)
        return (parametrized.weight.original if parametrized is not None else linear.weight).detach()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        P, n_in = len(self.weights[0]), self.weights[0].shape[1]
        if x.ndim != 3 or x.shape[0] != P or x.shape[2] != n_in:
            raise ValueError(f"x must have shape ({P}, N, {n_in}); got {tuple(x.shape)}")
        h, last = x, len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if i == last and self.minibatch_std:
                std = (h.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=1)  # (P,)
                h = torch.cat([h, std[:, None, None].expand(-1, h.shape[1], 1)], dim=2)
            if self.spectral_norm:
                u, v = getattr(self, f"u{i}"), getattr(self, f"v{i}")
                sigma = power_iteration(W.transpose(1, 2), u, v, int(self.training))
                W = W / sigma[:, None, None]
            h = torch.baddbmm(b, h, W)
            if i < last:
                h = F.leaky_relu(h, 0.2) if self.is_discriminator else torch.relu(h)
        return h[:, :, 0] if self.is_discriminator else h

    @torch.no_grad()
    def member(self, p: int, template: nn.Module) -> nn.Module:
        """A copy of ``template`` (one of the MLPs this was built from) holding member p's weights."""
        out = copy.deepcopy(template)
        for lin, W, b in zip([m for m in out.modules() if isinstance(m, nn.Linear)], self.weights, self.biases,
                             strict=True):  # fmt: skip
            self._weight(lin).copy_(W[p].T)
            lin.bias.copy_(b[p, 0])
        return out


LOSSES: tuple[str, ...] = ("nonsaturating", "wasserstein")


def d_loss(real: torch.Tensor, fake: torch.Tensor, kind: str) -> torch.Tensor:
    """L_D of every member from its scores ``real, fake: (P, N)``, ``(P,)``: for ``nonsaturating``
    mean_n softplus(−l(x)) + mean_n softplus(l(G(z))), for ``wasserstein`` mean s(G(z)) − mean s(x)."""
    if kind not in LOSSES:
        raise ValueError(f"a population trains the losses {LOSSES}, got {kind!r}")
    return F.softplus(-real).mean(1) + F.softplus(fake).mean(1) if kind == LOSSES[0] else fake.mean(1) - real.mean(1)


def g_loss(fake: torch.Tensor, kind: str) -> torch.Tensor:
    """L_G of every member from ``fake: (P, N)``, ``(P,)``: mean softplus(−l(G(z))) or −mean s(G(z))."""
    if kind not in LOSSES:
        raise ValueError(f"a population trains the losses {LOSSES}, got {kind!r}")
    return F.softplus(-fake).mean(1) if kind == LOSSES[0] else -fake.mean(1)


def loop_key(method: Method) -> tuple:
    """What members of one population must share: every field of ``method`` but :data:`PER_MEMBER_FIELDS`,
    with no penalty read as R1 of weight 0 (so the vanilla GAN shares R1's loop)."""
    if method.penalty is None:
        method = replace(method, penalty="r1")
    return tuple(getattr(method, f.name) for f in fields(method) if f.name not in PER_MEMBER_FIELDS)


class Population:
    """P members (method, seed) trained with :meth:`train`; see the module docstring.

    members: ``[(method or its name, seed), ...]``, all sharing :func:`loop_key`.
    mixture: the mixture of every member, or one per member.
    """

    def __init__(self, members: Sequence[tuple[str | Method, int]], mixture: str | Sequence[str],
                 device: str | torch.device | None = None) -> None:  # fmt: skip
        self.methods = [get_method(m) for m, _ in members]
        self.seeds = [int(s) for _, s in members]
        self.mixtures = [mixture] * len(members) if isinstance(mixture, str) else list(mixture)
        if len(self.mixtures) != len(members):
            raise ValueError(f"give one mixture, or one per member; got {len(self.mixtures)} for {len(members)}")
        if not members or any(loop_key(m) != loop_key(self.methods[0]) for m in self.methods):
            raise ValueError(f"members must share one loop (all Method fields but {PER_MEMBER_FIELDS}); got "
                             f"{[m.name for m in self.methods]}")  # fmt: skip
        penalized = [m for m in self.methods if m.penalty is not None]
        self.m, self.device = penalized[0] if penalized else self.methods[0], get_device(device)
        if self.m.penalty not in (None, "r1", "wgan_gp") or self.m.loss not in LOSSES:
            raise ValueError(f"a population trains penalty 'wgan_gp', 'r1' or None and the losses {LOSSES}; got "
                             f"{self.m.penalty!r} and {self.m.loss!r}")  # fmt: skip
        self.data = [mixture_sampler(mix) for mix in self.mixtures]
        self.Gs, self.Ds = [], []
        for s in self.seeds:  # the weights run_method builds for this seed
            torch.manual_seed(s)
            G, D = self.m.build()
            self.Gs.append(G)
            self.Ds.append(D)
        self.G, self.D = StackedMLP(self.Gs).to(self.device), StackedMLP(self.Ds).to(self.device)
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False)
        self.weight = torch.tensor([m.penalty_weight * (m.penalty is not None) for m in self.methods],
                                   device=self.device)  # fmt: skip
        adam = dict(lr=self.m.lr, betas=self.m.betas, foreach=True)  # one call per update, not one per tensor
        self.opt_g = torch.optim.Adam(self.G.parameters(), **adam)
        self.opt_d = torch.optim.Adam(self.D.parameters(), **adam)
        self.gens = [torch.Generator().manual_seed(s) for s in self.seeds]

    def _draw(self, draw) -> torch.Tensor:
        return torch.stack([draw(g) for g in self.gens]).to(self.device)

    def _real(self, n: int) -> torch.Tensor:
        return torch.stack([data(n, g) for data, g in zip(self.data, self.gens, strict=True)]).to(self.device)

    def _pack(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], x.shape[1] // self.m.pack, -1)

    def _check(self, step: int, where: str, values: torch.Tensor) -> None:
        """Raise :class:`TrainingDivergedError` naming every member whose ``values: (P,)`` is not finite.

        Only the losses are checked: a gradient that is not finite makes Adam's step, the weights and so the
        next loss not finite, one update later."""
        if torch.isfinite(values).all():  # one host sync per update
            return
        bad = [f"{m.name} seed {s} on the {mix}" for m, s, mix, ok in
               zip(self.methods, self.seeds, self.mixtures, torch.isfinite(values), strict=True) if not ok]  # fmt: skip
        raise TrainingDivergedError(f"{', '.join(bad)} diverged (a loss not finite) at step {step} "
                                    f"({where}); the population stops there")  # fmt: skip

    def _d_update(self, step: int, where: str, keep_graph: bool) -> torch.Tensor:
        m, D = self.m, self.D
        real = self._real(m.batch_size)
        z = self._draw(lambda g: torch.randn(m.batch_size, m.latent_dim, generator=g))
        with torch.set_grad_enabled(keep_graph):
            fake = self.G(z)
        real_in, fake_in = self._pack(real).requires_grad_(m.penalty == "r1"), self._pack(fake.detach())
        real_score = D(real_in)
        loss_d = d_loss(real_score, D(fake_in), m.loss)
        pen = torch.zeros_like(loss_d)
        if m.penalty == "r1":  # (γ/2) E‖∇_x l(x)‖², from the same scores l(x)
            (grad,) = torch.autograd.grad(real_score.sum(), real_in, create_graph=True)
            pen = 0.5 * self.weight * grad.pow(2).sum(2).mean(1)
        elif m.penalty == "wgan_gp":  # λ E(‖∇ s(x̂)‖ − 1)², x̂ = ε x + (1 − ε) G(z)
            eps = self._draw(lambda g: torch.rand(real_in.shape[1], 1, generator=g))
            x_hat = (eps * real_in + (1 - eps) * fake_in).requires_grad_(True)
            (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
            pen = self.weight * (grad.norm(dim=2) - 1).pow(2).mean(1)
        self.opt_d.zero_grad(set_to_none=True)
        (loss_d + pen).sum().backward()
        self._check(step, where, loss_d + pen)
        self.opt_d.step()
        return fake

    def _g_update(self, step: int, fake: torch.Tensor) -> None:
        self.D.requires_grad_(False)
        try:
            loss_g = g_loss(self.D(self._pack(fake)), self.m.loss)
        finally:
            self.D.requires_grad_(True)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.sum().backward()
        self._check(step, "G update", loss_g)
        self.opt_g.step()

    def step(self, step: int, steps: int) -> None:
        """Step ``step`` (from 1) of ``steps``: ``d_steps`` D updates, the look-ahead if any, one G update, the EMA."""
        m = self.m
        factor = linear_decay_factor(step, steps, m.lr_decay_from)
        for group in (*self.opt_g.param_groups, *self.opt_d.param_groups):
            group["lr"] = m.lr * factor
        for k in range(m.d_steps):
            keep = k == m.d_steps - 1 and not m.unroll_steps
            fake = self._d_update(step, f"D update {k + 1} of {m.d_steps}", keep_graph=keep)
        if m.unroll_steps:  # first-order unrolling: look ahead, let G answer, then put D back
            saved = self._d_state()
            kept = [t.detach().clone() for t in saved]
            for k in range(m.unroll_steps):
                self._d_update(step, f"unrolled D update {k + 1} of {m.unroll_steps}", keep_graph=False)
            fake = self.G(self._draw(lambda g: torch.randn(m.batch_size, m.latent_dim, generator=g)))
        self._g_update(step, fake)
        if m.unroll_steps:
            with torch.no_grad():
                torch._foreach_copy_(saved, kept)
        beta = min(m.ema_decay, (1 + step) / (10 + step))  # as callbacks.EMA
        torch._foreach_lerp_(list(self.G_ema.parameters()), [p.detach() for p in self.G.parameters()], 1 - beta)

    def _d_state(self) -> list[torch.Tensor]:
        """D's weights, buffers and Adam state: what the look-ahead changes."""
        return [*self.D.parameters(), *self.D.buffers(), *(v for s in self.opt_d.state.values() for v in s.values())]

    def train(self, steps: int, n_samples: int = 2500) -> list[MethodResult]:
        """Train every member ``steps`` steps; measure each weight-averaged G as ``run_method`` does.

        ``cpu_seconds`` and ``wall_seconds`` of a result are the population's divided by P.
        """
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for t in range(1, steps + 1):
            self.step(t, steps)
        cpu, wall = ((time.process_time() - cpu0) / len(self.seeds), (time.perf_counter() - wall0) / len(self.seeds))
        z = torch.stack([torch.randn(n_samples, self.m.latent_dim, generator=torch.Generator().manual_seed(s + 1000))
                         for s in self.seeds])  # fmt: skip
        with torch.no_grad():
            samples = self.G_ema(z.to(self.device)).cpu()
        results = []
        for p, (meth, seed, mix) in enumerate(zip(self.methods, self.seeds, self.mixtures, strict=True)):
            cov = mode_coverage(samples[p], mixture_centers(mix), MIXTURE_STD[mix])
            results.append(MethodResult(
                method=meth.name, mixture=mix, seed=seed, steps=steps, modes_covered=cov.modes_covered,
                modes_well_covered=cov.modes_well_covered, n_modes=cov.n_modes,
                high_quality_fraction=cov.high_quality_fraction, reverse_kl=cov.reverse_kl, cpu_seconds=cpu,
                wall_seconds=wall, counts=cov.counts, samples=samples[p],
                G=self.G_ema.cpu().member(p, self.Gs[p]).eval()))  # fmt: skip
        return results


def population_table(
    methods: Iterable[str | Method] = tuple(METHODS),
    mixtures: Iterable[str] = MIXTURES,
    seeds: Iterable[int] = (0, 1, 2),
    *,
    steps: int | Mapping[str, int] | None = None,
    n_samples: int = 2500,
    device: str | torch.device | None = None,
    progress: bool = True,
    reuse: Iterable[MethodResult] = (),
    **overrides: Any,
) -> list[MethodResult]:
    """:func:`~tutorial_lib.gan.comparison.coverage_table`'s results (same arguments, same order), trained
    as one population per step count and loop (:func:`loop_key`) that holds every (method, seed, mixture)
    sharing it: with the same steps on both mixtures, one population per loop.
    A run in ``reuse`` with the same mixture, method, seed, steps and ``n_samples`` is not trained again (give
    it the same ``overrides``). ``overrides`` replace fields of every method, e.g. ``hidden=64``."""
    from tqdm.auto import tqdm

    def n_steps(mix: str) -> int:
        return profile_steps(mix) if steps is None else steps if isinstance(steps, int) else steps[mix]

    methods = [replace(get_method(m), **overrides) for m in methods]
    mixtures, seeds = list(mixtures), list(seeds)
    done = {(r.mixture, r.method, r.seed, r.steps, len(r.samples)): r for r in reuse}
    groups: dict[tuple, list] = {}
    for mix, m, s in [(mix, m, s) for mix in mixtures for m in methods for s in seeds]:
        if (mix, m.name, s, n_steps(mix), n_samples) not in done:
            groups.setdefault((n_steps(mix), loop_key(m)), []).append((m, s, mix))
    for (n, _), members in tqdm(groups.items(), desc="populations", disable=not progress):
        pop = Population([(m, s) for m, s, _ in members], [mix for *_, mix in members], device=device)
        for r in pop.train(n, n_samples=n_samples):
            done[r.mixture, r.method, r.seed, r.steps, n_samples] = r
    return [done[mix, m.name, s, n_steps(mix), n_samples] for mix in mixtures for m in methods for s in seeds]
