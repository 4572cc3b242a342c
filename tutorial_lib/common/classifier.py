"""A small CNN classifier, used as a judge of class-conditional GANs.

Train it on real images (:func:`train_classifier`) and check it on held-out
real images (:func:`accuracy`); :mod:`tutorial_lib.gan.evaluation` then asks it
whether a conditional generator draws the class it was asked for. A judge is
only as good as its own test accuracy: report both.
"""

from __future__ import annotations

import torch
from torch import nn
from tqdm.auto import tqdm


class SmallClassifier(nn.Module):
    """Two conv blocks and two linear layers: images ``(N, channels, S, S)`` -> logits ``(N, num_classes)``.

    S must be divisible by 4 (28 for animal-mnist, 8 for digits).
    """

    def __init__(self, num_classes: int = 10, image_size: int = 28, channels: int = 1, width: int = 32) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {image_size}")
        self.image_size, self.channels = image_size, channels
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(2 * width * (image_size // 4) ** 2, 128),
            nn.ReLU(),
            nn.Linear(128, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = (self.channels, self.image_size, self.image_size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must have shape (N, {', '.join(map(str, expected))}); got {tuple(x.shape)}")
        return self.net(x)


def train_classifier(
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int = 4,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    max_shift: int = 2,
    width: int = 32,
    channels_last: bool = False,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> SmallClassifier:
    """Train a :class:`SmallClassifier` with Adam and cross-entropy on ``images: (N, C, S, S)`` in
    [0, 1] and ``labels: (N,)``. Returns it in eval mode. Random shifts of up to ``max_shift`` pixels
    (the same for a whole minibatch) augment the data; 2 suits 28x28 images, 1 the 8x8 digits.
    width: channels of the first conv block (:class:`SmallClassifier`); the cost grows about as width².
    channels_last: keep the activations in the NHWC memory layout; on a CPU a step takes a fifth to
    a half less time (the NCHW max-pooling kernel is slow). The same model up to float rounding.
    """
    if images.ndim != 4 or images.shape[2] != images.shape[3]:
        raise ValueError(f"images must have shape (N, C, S, S); got {tuple(images.shape)}")
    if labels.shape != images.shape[:1]:
        raise ValueError(f"labels must have shape ({images.shape[0]},); got {tuple(labels.shape)}")
    device = torch.device(device) if device is not None else images.device
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SmallClassifier(int(labels.max()) + 1, images.shape[2], images.shape[1], width).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    images, labels = images.to(device), labels.to(device)
    n = len(labels)
    steps = epochs * (-(-n // batch_size))
    model.train()
    bar = tqdm(total=steps, desc="classifier", disable=not progress, leave=False)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(model(_random_shift(images[idx], gen, max_shift)), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            bar.update()
    bar.close()
    return model.eval()


def _random_shift(x: torch.Tensor, gen: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Shift the whole batch by the same random (dy, dx) in [-max_shift, max_shift], filling with 0."""
    dy, dx = (torch.randint(-max_shift, max_shift + 1, (2,), generator=gen)).tolist()
    out = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
    if dy > 0:
        out[:, :, :dy] = 0
    elif dy < 0:
        out[:, :, dy:] = 0
    if dx > 0:
        out[:, :, :, :dx] = 0
    elif dx < 0:
        out[:, :, :, dx:] = 0
    return out


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Predicted class ``(N,)`` of ``images: (N, C, S, S)``."""
    model.eval()
    device = next(model.parameters()).device
    out = [model(images[i : i + batch_size].to(device)).argmax(1).cpu() for i in range(0, len(images), batch_size)]
    return torch.cat(out)


def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of ``images: (N, C, S, S)`` whose predicted class equals ``labels: (N,)``."""
    return (predict(model, images) == labels.cpu()).float().mean().item()
