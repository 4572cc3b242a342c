"""The image-transformation network of feed-forward style transfer (Johnson et al. 2016).

:class:`TransformNet` follows Johnson et al.: a 9×9 convolution, two stride-2
convolutions down, residual blocks, two upsampling convolutions (nearest neighbour then 3×3, which
avoids the checkerboard of transposed convolutions) and a 9×9 convolution back to RGB, with
**instance normalisation** after each convolution. Instance norm normalises each image's channels
by their own mean and standard deviation over positions, removing the content image's contrast,
which Ulyanov et al. (2016) found key to good stylization. Two deviations fit a CPU budget: the
channel widths are 16/32/64 instead of 32/64/128, and the output is ``σ(logit(clip(c, 0.02, 0.98)) + r_θ(c))``,
a residual on the input's logits (clipped as in :func:`~tutorial_lib.style.minimize.to_logits`, so the
logit stays finite). The last convolution starts at zero, so the untrained network returns
``clip(c, 0.02, 0.98)``: the photo itself, except that pixels below 0.02 or above 0.98 come back as
0.02 or 0.98. Training only has to learn the *edit*.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..style.minimize import to_logits


def _conv(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.ReflectionPad2d(kernel // 2),
        nn.Conv2d(c_in, c_out, kernel, stride),
        nn.InstanceNorm2d(c_out, affine=True),
    )


class ResidualBlock(nn.Module):
    """``x + IN(conv(ReLU(IN(conv(x)))))``, two 3×3 convolutions, shape kept."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv(channels, channels, 3), nn.ReLU(), _conv(channels, channels, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TransformNet(nn.Module):
    """Johnson et al.'s image-transformation network, narrower: ``(N, 3, H, W) -> (N, 3, H, W)`` in (0, 1).

    width: channels of the first layer (then 2·width and 4·width after each downsampling).
    n_residual: residual blocks at 1/4 resolution. Any H, W work (the upsampling matches the input size).
    """

    def __init__(self, width: int = 16, n_residual: int = 3) -> None:
        super().__init__()
        if width < 1 or n_residual < 0:
            raise ValueError(f"width must be >= 1 and n_residual >= 0; got {width}, {n_residual}")
        self.width, self.n_residual = width, n_residual
        w = width
        self.down = nn.Sequential(
            _conv(3, w, 9), nn.ReLU(), _conv(w, 2 * w, 3, 2), nn.ReLU(), _conv(2 * w, 4 * w, 3, 2), nn.ReLU()
        )
        self.res = nn.Sequential(*[ResidualBlock(4 * w) for _ in range(n_residual)])
        self.up1 = nn.Sequential(_conv(4 * w, 2 * w, 3), nn.ReLU())
        self.up2 = nn.Sequential(_conv(2 * w, w, 3), nn.ReLU())
        self.out = nn.Sequential(nn.ReflectionPad2d(4), nn.Conv2d(w, 3, 9))
        nn.init.zeros_(self.out[1].weight)  # σ(logit(clip(c)) + 0) = clip(c, 0.02, 0.98)
        nn.init.zeros_(self.out[1].bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"images must have shape (N, 3, H, W); got {tuple(images.shape)}")
        if min(images.shape[-2:]) < 8:
            raise ValueError(f"images must be at least 8×8 pixels; got {tuple(images.shape[-2:])}")
        h = self.res(self.down(images))
        mid = (-(-images.shape[-2] // 2), -(-images.shape[-1] // 2))
        h = self.up1(F.interpolate(h, size=mid, mode="nearest"))
        h = self.up2(F.interpolate(h, size=tuple(images.shape[-2:]), mode="nearest"))
        return torch.sigmoid(to_logits(images) + self.out(h))
