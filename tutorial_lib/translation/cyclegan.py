"""CycleGAN (Zhu et al. 2017): unpaired image translation between two domains X and Y (notebook 08).

Two generators translate, G: X → Y and F: Y → X; two discriminators judge, D_Y (is it a real y?)
and D_X (is it a real x?). With no pairs (x, y) to copy from, the losses are:

* adversarial, least squares (LSGAN, Mao et al. 2017), for each direction, e.g. X → Y:

      L_GAN(G) = E_x[(D_Y(G(x)) − 1)²],
      L_D(D_Y) = ½ E_y[(D_Y(y) − 1)²] + ½ E_x[D_Y(G(x))²];

* cycle consistency, L1: translating there and back must give the input again,

      L_cyc(G, F) = E_x[‖F(G(x)) − x‖₁] + E_y[‖G(F(y)) − y‖₁];

* identity (optional): a generator fed an image of its own target domain should leave it alone,

      L_id(G, F) = E_y[‖G(y) − y‖₁] + E_x[‖F(x) − x‖₁].

The generators minimize L_GAN(G) + L_GAN(F) + λ L_cyc + λ_id λ L_id (paper: λ = 10, λ_id = 0.5);
the discriminators minimize L_D(D_Y) + L_D(D_X). ‖·‖₁ is the mean absolute difference per pixel,
on images in [0, 1]. Without the cycle term (λ = 0) nothing ties G(x) to x: any zebra fools D_Y.

Models, sized for 28×28 grayscale images:

* :class:`ResnetGenerator`: 7×7 conv, one stride-2 downsampling, residual blocks, one upsampling,
  7×7 conv; instance norm throughout. ``(N, 1, 28, 28)`` in [0, 1] → same shape in [0, 1].
* :class:`PatchDiscriminator`: PatchGAN: two stride-2 convs and a 3×3 conv give a 7×7 map of
  scores, each judging one 18×18 patch. ``(N, 1, 28, 28)`` → ``(N, 1, 7, 7)`` raw scores.

Training reuses :func:`~tutorial_lib.gan.train.train_gan`: G is an ``nn.ModuleDict`` holding
``G`` and ``F``, D one holding ``D_X`` and ``D_Y`` (one Adam optimizer each, as in the paper's
code), the data a function returning unpaired pairs (:func:`unpaired_batches`), and
:class:`CycleGANObjective` computes the losses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from ..gan.history import score_statistics
from ..gan.losses import discriminator_loss, generator_loss

Translators = nn.ModuleDict  #: ``{"G": X → Y, "F": Y → X}``
Judges = nn.ModuleDict  #: ``{"D_X": judges X, "D_Y": judges Y}``


def _check_images(x: torch.Tensor, name: str, channels: int, size: int) -> None:
    if x.ndim != 4 or tuple(x.shape[1:]) != (channels, size, size):
        raise ValueError(f"{name} must have shape (N, {channels}, {size}, {size}); got {tuple(x.shape)}")


class ResidualBlock(nn.Module):
    """x + conv(ReLU(IN(conv(x)))) followed by IN, with reflection padding (He et al. 2016); keeps the shape."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels, affine=True),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels, affine=True),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """The CycleGAN generator (Johnson et al. 2016 layout), scaled down for small images.

    c7s1-w, d2w, ``blocks`` × R2w, u w, c7s1-C: instance norm and ReLU after every conv but the last,
    whose output t gives the image (1 + tanh t) / 2 in [0, 1].
    x: ``(N, channels, S, S)`` in [0, 1], S even → ``(N, channels, S, S)`` in [0, 1].
    """

    def __init__(self, channels: int = 1, width: int = 16, blocks: int = 3, image_size: int = 28) -> None:
        super().__init__()
        if image_size % 2:
            raise ValueError(f"image_size must be even, got {image_size}")
        self.channels, self.image_size = channels, image_size
        w = width
        self.net = nn.Sequential(
            nn.ReflectionPad2d(3), nn.Conv2d(channels, w, 7), nn.InstanceNorm2d(w, affine=True), nn.ReLU(True),
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.InstanceNorm2d(2 * w, affine=True), nn.ReLU(True),
            *[ResidualBlock(2 * w) for _ in range(blocks)],
            nn.ConvTranspose2d(2 * w, w, 3, stride=2, padding=1, output_padding=1),
            nn.InstanceNorm2d(w, affine=True), nn.ReLU(True),
            nn.ReflectionPad2d(3), nn.Conv2d(w, channels, 7),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, "x", self.channels, self.image_size)
        return 0.5 * (1 + torch.tanh(self.net(2 * x - 1)))


class PatchDiscriminator(nn.Module):
    """PatchGAN for 28×28 images: C_w (no norm), C_2w (instance norm), then a 3×3 conv to one score per patch.

    C_k = 4×4 conv, stride 2, padding 1, LeakyReLU(0.2). The convolutions give each score an 18×18 receptive
    field (instance norm adds only the image's mean and spread of features).
    x: ``(N, channels, S, S)`` in [0, 1], S divisible by 4 → raw scores ``(N, 1, S/4, S/4)``.
    """

    def __init__(self, channels: int = 1, width: int = 16, image_size: int = 28) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {image_size}")
        self.channels, self.image_size = channels, image_size
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(channels, w, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, stride=2, padding=1), nn.InstanceNorm2d(2 * w, affine=True),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * w, 1, 3, padding=1),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, "x", self.channels, self.image_size)
        return self.net(2 * x - 1)


class FakePool(nn.Module):
    """Up to ``size`` past translations a discriminator has seen (Shrivastava et al. 2017; the CycleGAN paper's 50).

    :meth:`mix` returns a batch for the discriminator: while the pool fills, the new fakes themselves;
    then each new fake is, with probability ½, swapped for a random stored one (which it replaces), so the
    pool holds a random sample of older translations, not only the latest. The
    discriminator thus keeps judging older translations too, and cannot chase only the generator's latest
    trick. The pool is made of buffers, so it is saved and restored with D's ``state_dict`` (checkpoints);
    its random choices come from a generator seeded with the number of fakes seen so far, so a resumed run
    makes the same choices.
    """

    def __init__(self, size: int, channels: int = 1, image_size: int = 28) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.register_buffer("images", torch.zeros(size, channels, image_size, image_size))
        self.register_buffer("seen", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def mix(self, fakes: torch.Tensor) -> torch.Tensor:
        """``fakes: (B, C, S, S)``, detached → a batch of the same shape, part new and part remembered."""
        size, seen, n = len(self.images), int(self.seen), len(fakes)
        out = fakes.clone()
        new = min(n, max(0, size - seen))  # empty slots are filled first; those fakes are returned as they are
        self.images[seen : seen + new] = fakes[:new]
        if n > new:
            gen = torch.Generator().manual_seed(seen)
            rows = torch.arange(new, n)[torch.rand(n - new, generator=gen) < 0.5][:size]
            slots = torch.randperm(size, generator=gen)[: len(rows)]  # distinct: no fake is lost
            rows, slots = rows.to(fakes.device), slots.to(fakes.device)
            out[rows] = self.images[slots]
            self.images[slots] = fakes[rows]
        self.seen += n
        return out


def cyclegan_init(module: nn.Module) -> None:
    """Weights ~ N(0, 0.02²), biases 0, instance-norm scales ~ N(1, 0.02²) (the paper's code); use ``.apply``."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)
    elif isinstance(module, nn.InstanceNorm2d) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def build_cyclegan(
    channels: int = 1,
    image_size: int = 28,
    g_width: int = 16,
    blocks: int = 3,
    d_width: int = 16,
    pool_size: int = 0,
) -> tuple[Translators, Judges]:
    """Fresh ``({"G", "F"}, {"D_X", "D_Y"})``; seed torch first for reproducible weights.

    pool_size: > 0 adds a :class:`FakePool` of that size for each discriminator (``"pool_X"``, ``"pool_Y"``),
    which :class:`CycleGANObjective` then uses; they hold buffers only, no weights.
    """
    gens = nn.ModuleDict({k: ResnetGenerator(channels, g_width, blocks, image_size) for k in ("G", "F")})
    discs = nn.ModuleDict({k: PatchDiscriminator(channels, d_width, image_size) for k in ("D_X", "D_Y")})
    gens.apply(cyclegan_init)
    discs.apply(cyclegan_init)
    if pool_size:
        discs.update({k: FakePool(pool_size, channels, image_size) for k in ("pool_X", "pool_Y")})
    return gens, discs


def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """L_D = ½ E[(s(y) − 1)²] + ½ E[s(G(x))²], averaged over every patch score; any shapes ``(N, ...)``."""
    return discriminator_loss(real_scores.reshape(-1), fake_scores.reshape(-1), "lsgan")


def lsgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """L_GAN = E[(s(G(x)) − 1)²] over every patch score (twice :func:`generator_loss`'s ``lsgan``, as in the paper)."""
    return 2 * generator_loss(fake_scores.reshape(-1), "lsgan")


def cycle_loss(x: torch.Tensor, reconstructed: torch.Tensor) -> torch.Tensor:
    """One direction of L_cyc: E[‖F(G(x)) − x‖₁] = mean |reconstructed − x| over all pixels.

    x, reconstructed: ``(N, C, H, W)`` of the same shape. Also the identity loss, with G(y) for F(G(x)).
    """
    if x.shape != reconstructed.shape:
        raise ValueError(f"x and reconstructed must have one shape; got {tuple(x.shape)}, {tuple(reconstructed.shape)}")
    return (reconstructed - x).abs().mean()


@dataclass(frozen=True)
class CycleGANObjective:
    """The CycleGAN losses for :func:`~tutorial_lib.gan.train.train_gan` (``objective=``).

    cycle_weight: λ, the weight of L_cyc (0 turns the cycle off: the ablation).
    identity_weight: λ_id; L_id is weighted λ_id · λ, so λ = 0 drops it too.
    Real batches are ``(B, 2, C, H, W)``: ``[:, 0]`` from X, ``[:, 1]`` from Y (:func:`unpaired_batches`).
    Records ``cycle`` (L_cyc), ``identity`` (L_id) and ``loss_g`` (L_GAN(G) + L_GAN(F)) in the history,
    and the mean LSGAN patch scores of both judges as ``score_real``/``score_fake``: targets 1 (real)
    and 0 (fake), ½ for a judge that cannot tell (``d_real``/``d_fake`` stay NaN: σ of an LSGAN score
    is no probability; see :mod:`tutorial_lib.gan.history`).
    """

    cycle_weight: float = 10.0
    identity_weight: float = 0.5
    loss: ClassVar[str] = "lsgan"  #: the loss kind of the recorded scores

    @property
    def config(self) -> dict[str, Any]:
        return {"kind": "cyclegan", **asdict(self)}

    def d_loss(self, G: Translators, D: Judges, real: torch.Tensor) -> tuple[torch.Tensor, dict, Any]:
        """L_D(D_Y) + L_D(D_X) on this batch; carry = (x, y, G(x), F(y)) with their graphs."""
        if real.ndim != 5 or real.shape[1] != 2:
            raise ValueError(f"a CycleGAN batch must have shape (B, 2, C, H, W); got {tuple(real.shape)}")
        x, y = real[:, 0], real[:, 1]
        fake_y, fake_x = G["G"](x), G["F"](y)
        real_y, real_x = D["D_Y"](y), D["D_X"](x)
        seen_y, seen_x = fake_y.detach(), fake_x.detach()
        if "pool_Y" in D:  # a memory of past translations (:class:`FakePool`)
            seen_y, seen_x = D["pool_Y"].mix(seen_y), D["pool_X"].mix(seen_x)
        judged_y, judged_x = D["D_Y"](seen_y), D["D_X"](seen_x)
        loss = lsgan_discriminator_loss(real_y, judged_y) + lsgan_discriminator_loss(real_x, judged_x)
        real_scores = torch.cat([real_y.flatten(), real_x.flatten()])
        fake_scores = torch.cat([judged_y.flatten(), judged_x.flatten()])
        return loss, score_statistics(real_scores, fake_scores, self.loss), (x, y, fake_y, fake_x)

    def g_loss(self, G: Translators, D: Judges, carry: Any) -> tuple[torch.Tensor, dict]:
        """L_GAN(G) + L_GAN(F) + λ L_cyc + λ_id λ L_id."""
        x, y, fake_y, fake_x = carry
        adversarial = lsgan_generator_loss(D["D_Y"](fake_y)) + lsgan_generator_loss(D["D_X"](fake_x))
        with torch.set_grad_enabled(self.cycle_weight > 0):  # with λ = 0 it is only recorded
            cycle = cycle_loss(x, G["F"](fake_y)) + cycle_loss(y, G["G"](fake_x))
        total = adversarial + self.cycle_weight * cycle
        identity = torch.zeros((), device=x.device)
        if self.identity_weight * self.cycle_weight > 0:
            identity = cycle_loss(y, G["G"](y)) + cycle_loss(x, G["F"](x))
            total = total + self.identity_weight * self.cycle_weight * identity
        return total, {"loss_g": adversarial, "cycle": cycle, "identity": identity}


def unpaired_batches(x: torch.Tensor, y: torch.Tensor) -> Callable[[int, torch.Generator], torch.Tensor]:
    """Data for ``train_gan``: a function ``(B, generator) -> (B, 2, C, H, W)`` whose rows pair a random
    x with an independent random y (the two domains need not have the same size: no pairs exist)."""
    if x.ndim != 4 or y.ndim != 4 or x.shape[1:] != y.shape[1:]:
        raise ValueError(f"x and y must be (N, C, H, W) images of one size; got {tuple(x.shape)}, {tuple(y.shape)}")

    def sample(batch_size: int, generator: torch.Generator) -> torch.Tensor:
        i = torch.randint(len(x), (batch_size,), generator=generator)
        j = torch.randint(len(y), (batch_size,), generator=generator)
        return torch.stack([x[i], y[j]], dim=1)

    return sample


@torch.no_grad()
def translate(net: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """``net(images)`` in eval mode, without gradients, returned on the CPU; ``images: (N, C, H, W)``."""
    device = next(net.parameters(), torch.empty(0)).device  # a net without weights runs on the CPU
    was_training = net.training
    net.eval()
    try:
        out = [net(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)]
    finally:
        net.train(was_training)
    return torch.cat(out)


def cycle_error(G: Translators, images: torch.Tensor, direction: str = "XY") -> float:
    """Mean |F(G(x)) − x| per pixel (``direction="XY"``) or |G(F(y)) − y| (``"YX"``), images in [0, 1]."""
    if direction not in ("XY", "YX"):
        raise ValueError(f"direction must be 'XY' or 'YX', got {direction!r}")
    there, back = (G["G"], G["F"]) if direction == "XY" else (G["F"], G["G"])
    return cycle_loss(images, translate(back, translate(there, images))).item()
