"""The VGG convolutional trunk with named layers (Simonyan & Zisserman 2015).

Layers are named as in the style-transfer literature: block ``b``, position
``i`` gives ``conv{b}_{i}`` and ``relu{b}_{i}``; each block ends in
``pool{b}``. VGG16 has 2, 2, 3, 3, 3 convolutions per block; VGG19 has
2, 2, 4, 4, 4. Every convolution is 3x3 with padding 1, so only the pools
change the resolution (by 2 each): a side of n pixels becomes ⌊n/2⌋ as in
torchvision's VGG (``ceil_mode=False``, the default), or ⌈n/2⌉ with ``ceil_mode=True``.

The ``vgg16-hed`` weights come from Keras, whose ``padding='same'`` max pooling
rounds *up*: on an odd side the last row or column forms a window of its own. The
course's extractors all floor, so on odd sizes they drop that row or column at each
pool, and features near the bottom and right edges differ from the Keras network's
(even sizes are identical). We keep the floor on purpose: the course's measured
claims were taken with it, and ``ceil_mode=True`` on HED moved them (the scaled-down
coarse-to-fine benchmark, chelsea 128×192 against a 167×192 style, ended 0.5 % above
its reference instead of below). ``VGGTrunk(..., ceil_mode=True)`` reproduces Keras's
pooling exactly; ``tests/style/test_vgg.py`` checks both.
"""

from __future__ import annotations

import torch
from torch import nn

BLOCKS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
WIDTHS = (64, 128, 256, 512, 512)


def layer_names(arch: str) -> list[str]:
    """All layer names of ``arch`` in forward order (conv, relu, ..., pool)."""
    names = []
    for b, n_conv in enumerate(BLOCKS[arch], start=1):
        for i in range(1, n_conv + 1):
            names += [f"conv{b}_{i}", f"relu{b}_{i}"]
        names.append(f"pool{b}")
    return names


class VGGTrunk(nn.Module):
    """VGG's convolutional layers as an ordered ``nn.ModuleDict``.

    pooling: ``"max"`` (the trained network's) or ``"avg"``, which Gatys et al.
        found gives smoother gradients for image synthesis.
    ceil_mode: round odd sizes up at each pool (Keras ``padding='same'``) instead of down
        (torchvision); the windows that hang over the edge pool the pixels they cover.
    """

    def __init__(self, arch: str = "vgg19", pooling: str = "max", ceil_mode: bool = False) -> None:
        super().__init__()
        if arch not in BLOCKS:
            raise ValueError(f"Unknown VGG architecture {arch!r}; choose from {sorted(BLOCKS)}")
        if pooling not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg', got {pooling!r}")
        self.arch = arch
        self.pooling = pooling
        self.ceil_mode = ceil_mode
        layers: dict[str, nn.Module] = {}
        c_in = 3
        for name in layer_names(arch):
            kind, b = name[:4], int(name[4])
            if kind == "conv":
                layers[name] = nn.Conv2d(c_in, WIDTHS[b - 1], kernel_size=3, padding=1)
                c_in = WIDTHS[b - 1]
            elif kind == "relu":
                layers[name] = nn.ReLU(inplace=False)
            else:
                pool = nn.MaxPool2d if pooling == "max" else nn.AvgPool2d
                layers[name] = pool(kernel_size=2, stride=2, ceil_mode=ceil_mode)
        self.layers = nn.ModuleDict(layers)

    def convs(self) -> list[nn.Conv2d]:
        """The convolutions in forward order."""
        return [m for m in self.layers.values() if isinstance(m, nn.Conv2d)]

    def forward(self, x: torch.Tensor, layers: list[str]) -> dict[str, torch.Tensor]:
        """Run until the deepest layer in ``layers``; return those feature maps by name."""
        wanted = set(layers)
        out: dict[str, torch.Tensor] = {}
        for name, module in self.layers.items():
            x = module(x)
            if name in wanted:
                out[name] = x
                if len(out) == len(wanted):
                    break
        return out
