"""GAN generators G and discriminators D.

* :class:`GaussianGenerator`: G(z) = μ + σ ⊙ z, the simplest generator, whose
  density p_g = N(μ, σ²) we can write down.
* :class:`MLPGenerator`, :class:`MLPDiscriminator`: small fully connected nets for
  the 1-D and 2-D toy distributions.
* :class:`DCGANGenerator`, :class:`DCGANDiscriminator`: the DCGAN recipe (Radford
  et al. 2016) for small grayscale images, ``image_size`` divisible by 4: 28x28
  animal-mnist and 8x8 digits. Both become class-conditional with ``num_classes``.

Every discriminator returns raw scores (logits) ``(N,)``; the losses in
:mod:`tutorial_lib.gan.losses` apply the sigmoid themselves. Every generator has
a ``latent_dim`` attribute and takes ``z: (N, latent_dim)`` (and labels ``y: (N,)``
when conditional). Images come out in [0, 1], like the datasets.

Options used by the mode-collapse notebook: ``spectral_norm`` (every weight layer
of D is spectrally normalized and batch norm is dropped), ``minibatch_std``
(see :class:`~tutorial_lib.gan.layers.MinibatchStdDev`) and ``pack`` (PacGAN: D
judges ``pack`` samples at once, concatenated along the feature/channel axis).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .layers import ConditionalBatchNorm2d, MinibatchStdDev, dcgan_init, maybe_spectral_norm


def _check_latent(z: torch.Tensor, latent_dim: int) -> None:
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"z must have shape (N, {latent_dim}); got {tuple(z.shape)}")


def _check_labels(y: torch.Tensor | None, n: int, num_classes: int | None) -> None:
    if num_classes is None:
        if y is not None:
            raise ValueError("y was given but this model is unconditional (num_classes=None)")
        return
    if y is None:
        raise ValueError(f"this model is class-conditional: pass labels y of shape ({n},)")
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},); got {tuple(y.shape)}")


class GaussianGenerator(nn.Module):
    """G(z) = μ + σ ⊙ z with z ~ N(0, I), so p_g = N(μ, diag(σ²)); z, x: ``(N, dim)``.

    μ and σ = exp(log σ) are learnable. ``mean`` and ``std`` set their initial values.
    """

    def __init__(self, dim: int = 1, mean: float = 0.0, std: float = 1.0) -> None:
        super().__init__()
        if std <= 0:
            raise ValueError(f"std must be positive, got {std}")
        self.latent_dim = dim
        self.mean = nn.Parameter(torch.full((dim,), float(mean)))
        self.log_std = nn.Parameter(torch.full((dim,), math.log(std)))

    @property
    def std(self) -> torch.Tensor:
        return self.log_std.exp()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        _check_latent(z, self.latent_dim)
        return self.mean + self.std * z


class MLPGenerator(nn.Module):
    """G: z ``(N, latent_dim)`` -> x ``(N, out_dim)``; ``depth`` hidden layers of width ``hidden`` with ReLU."""

    def __init__(self, latent_dim: int = 2, out_dim: int = 2, hidden: int = 128, depth: int = 3) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        layers: list[nn.Module] = []
        width_in = latent_dim
        for _ in range(depth):
            layers += [nn.Linear(width_in, hidden), nn.ReLU()]
            width_in = hidden
        layers.append(nn.Linear(width_in, out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        _check_latent(z, self.latent_dim)
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """D: x ``(N, in_dim · pack)`` -> logits ``(N,)``; LeakyReLU(0.2) hidden layers.

    pack: PacGAN degree; the training loop concatenates ``pack`` samples per input.
    """

    def __init__(
        self,
        in_dim: int = 2,
        hidden: int = 128,
        depth: int = 3,
        *,
        spectral_norm: bool = False,
        minibatch_std: bool = False,
        pack: int = 1,
    ) -> None:
        super().__init__()
        if pack < 1:
            raise ValueError(f"pack must be >= 1, got {pack}")
        self.in_dim = in_dim * pack
        self.pack = pack
        layers: list[nn.Module] = []
        width_in = self.in_dim
        for _ in range(depth):
            layers += [maybe_spectral_norm(nn.Linear(width_in, hidden), spectral_norm), nn.LeakyReLU(0.2)]
            width_in = hidden
        self.body = nn.Sequential(*layers)
        self.mbstd = MinibatchStdDev() if minibatch_std else None
        self.head = maybe_spectral_norm(nn.Linear(width_in + int(minibatch_std), 1), spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"x must have shape (N, {self.in_dim}); got {tuple(x.shape)}")
        h = self.body(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        return self.head(h).squeeze(1)


class DCGANGenerator(nn.Module):
    """DCGAN generator: z ``(N, latent_dim)`` [, y ``(N,)``] -> images ``(N, channels, S, S)`` in [0, 1].

    Layout, with S = ``image_size`` (divisible by 4), s = S/4 and w = ``width``:
    linear -> (2w, s, s) -> BN, ReLU -> ConvT 4x4 stride 2 -> (w, 2s, 2s) -> BN, ReLU
    -> ConvT 4x4 stride 2 -> (channels, S, S) -> sigmoid.

    Class-conditional when ``num_classes`` is set: a learned label embedding of size
    ``embed_dim`` is concatenated to z, and both batch norms become class-conditional
    (:class:`~tutorial_lib.gan.layers.ConditionalBatchNorm2d`).
    """

    def __init__(
        self,
        latent_dim: int = 64,
        image_size: int = 28,
        channels: int = 1,
        width: int = 64,
        *,
        num_classes: int | None = None,
        embed_dim: int = 16,
    ) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {image_size}")
        self.latent_dim, self.image_size, self.channels, self.num_classes = (
            latent_dim,
            image_size,
            channels,
            num_classes,
        )
        self.base = image_size // 4
        cond_dim = embed_dim if num_classes else 0
        self.embed = nn.Embedding(num_classes, embed_dim) if num_classes else None
        self.project = nn.Linear(latent_dim + cond_dim, 2 * width * self.base**2, bias=False)
        self.up1 = nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False)
        self.up2 = nn.ConvTranspose2d(width, channels, 4, 2, 1)
        if num_classes:
            self.bn0: nn.Module = ConditionalBatchNorm2d(2 * width, num_classes)
            self.bn1: nn.Module = ConditionalBatchNorm2d(width, num_classes)
        else:
            self.bn0, self.bn1 = nn.BatchNorm2d(2 * width), nn.BatchNorm2d(width)
        self.apply(dcgan_init)

    def _bn(self, bn: nn.Module, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return bn(h, y) if self.num_classes else bn(h)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        _check_latent(z, self.latent_dim)
        _check_labels(y, z.shape[0], self.num_classes)
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        h = self.project(z).view(z.shape[0], -1, self.base, self.base)
        h = torch.relu(self._bn(self.bn0, h, y))
        h = torch.relu(self._bn(self.bn1, self.up1(h), y))
        return torch.sigmoid(self.up2(h))


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator: images ``(N, channels · pack, S, S)`` [, y ``(N,)``] -> logits ``(N,)``.

    Layout: Conv 4x4 stride 2 -> (w, S/2, S/2), LeakyReLU(0.2) -> Conv 4x4 stride 2
    -> (2w, S/4, S/4), BN, LeakyReLU(0.2) -> flatten to φ(x) -> linear score ψ(φ(x)).

    Class-conditional when ``num_classes`` is set, by ``conditioning``:

    * ``"projection"`` (Miyato & Koyama 2018): D(x, y) = ψ(φ(x)) + e_yᵀ φ(x), with
      a learned class embedding e_y of the size of φ(x);
    * ``"concat"`` (Mirza & Osindero 2014): one-hot label planes are concatenated
      to the image channels.

    aux_classifier: also predict the class from φ(x), as in AC-GAN (Odena et al. 2017):
        ``D(x, y, return_class_logits=True)`` returns ``(scores (N,), class_logits (N, num_classes))``
        and ``train_gan(..., aux_weight=...)`` adds the cross-entropy of those predictions.
    spectral_norm: normalize every weight layer and drop batch norm.
    minibatch_std: append the minibatch standard deviation as an extra channel before the last conv.
    """

    def __init__(
        self,
        image_size: int = 28,
        channels: int = 1,
        width: int = 64,
        *,
        num_classes: int | None = None,
        conditioning: str = "projection",
        aux_classifier: bool = False,
        spectral_norm: bool = False,
        minibatch_std: bool = False,
        pack: int = 1,
    ) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {image_size}")
        if conditioning not in ("projection", "concat"):
            raise ValueError(f"conditioning must be 'projection' or 'concat', got {conditioning!r}")
        if pack < 1:
            raise ValueError(f"pack must be >= 1, got {pack}")
        if aux_classifier and not num_classes:
            raise ValueError("aux_classifier=True needs num_classes")
        self.image_size, self.channels, self.pack = image_size, channels * pack, pack
        self.num_classes, self.conditioning = num_classes, conditioning
        concat = num_classes if num_classes and conditioning == "concat" else 0
        sn = spectral_norm
        self.conv1 = maybe_spectral_norm(nn.Conv2d(self.channels + concat, width, 4, 2, 1), sn)
        self.mbstd = MinibatchStdDev() if minibatch_std else None
        self.conv2 = maybe_spectral_norm(nn.Conv2d(width + int(minibatch_std), 2 * width, 4, 2, 1, bias=sn), sn)
        self.bn = nn.Identity() if sn else nn.BatchNorm2d(2 * width)
        features = 2 * width * (image_size // 4) ** 2
        self.head = maybe_spectral_norm(nn.Linear(features, 1), sn)
        self.aux_classifier = aux_classifier
        self.classify = maybe_spectral_norm(nn.Linear(features, num_classes), sn) if aux_classifier else None
        self.embed = None
        if num_classes and conditioning == "projection":
            self.embed = maybe_spectral_norm(nn.Embedding(num_classes, features), sn)
        self.apply(dcgan_init)
        if self.embed is not None:
            # Under spectral norm ``embed.weight`` is recomputed from ``original`` at every access, so
            # writing to it would change nothing; initialise the stored parameter (as dcgan_init does).
            # W_SN = W / σ(W) has σ = 1 whatever the scale, so with spectral norm the 0.02 sets the scale of
            # the parameter Adam moves, not the size of the projection term at the start.
            parametrized = getattr(self.embed, "parametrizations", None)
            nn.init.normal_(parametrized.weight.original if parametrized is not None else self.embed.weight, 0.0, 0.02)

    def _conv2_with_std(self, h: torch.Tensor) -> torch.Tensor:
        """conv2 of ``[h, s·1]`` (the minibatch-std channel s appended) without building that tensor.

        By linearity, with W = [W_h, W_s] split along the input channels,
        conv([h, s·1], W) + b = conv(h, W_h) + b + s · conv(1, W_s), and conv(1, W_s) is one small map
        (it differs from s · ΣW_s only where the padding cuts the kernel). Same result; on the CPU a
        convolution over 2^k + 1 channels costs about a quarter more than over 2^k, and the copy goes.
        """
        weight, c = self.conv2.weight, h.shape[1]
        out = nn.functional.conv2d(h, weight[:, :c], self.conv2.bias, stride=2, padding=1)
        ones = h.new_ones(1, 1, *h.shape[2:])
        return out + self.mbstd.statistic(h) * nn.functional.conv2d(ones, weight[:, c:], stride=2, padding=1)

    def forward(
        self, x: torch.Tensor, y: torch.Tensor | None = None, return_class_logits: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        expected = (self.channels, self.image_size, self.image_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must have shape (N, {', '.join(map(str, expected))}); got {tuple(x.shape)}")
        _check_labels(y, x.shape[0], self.num_classes)
        if self.num_classes and self.conditioning == "concat":
            planes = nn.functional.one_hot(y, self.num_classes).to(x.dtype)[:, :, None, None]
            x = torch.cat([x, planes.expand(-1, -1, *x.shape[2:])], dim=1)
        h = nn.functional.leaky_relu(self.conv1(x), 0.2)
        h = self.conv2(h) if self.mbstd is None else self._conv2_with_std(h)
        h = nn.functional.leaky_relu(self.bn(h), 0.2).flatten(1)
        out = self.head(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)
        if return_class_logits:
            if self.classify is None:
                raise ValueError("return_class_logits=True needs a discriminator built with aux_classifier=True")
            return out, self.classify(h)
        return out
