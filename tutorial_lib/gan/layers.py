"""Building blocks shared by the GAN models: DCGAN initialization, spectral
normalization as an option (and its power iteration for P stacked weights), minibatch
standard deviation and class-conditional batch normalization.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def dcgan_init(module: nn.Module) -> None:
    """DCGAN initialization (Radford et al. 2016), applied with ``model.apply(dcgan_init)``.

    Convolution and linear weights ~ N(0, 0.02²); batch-norm scales ~ N(1, 0.02²);
    biases = 0. Embeddings are left as they are.
    """
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
        parametrized = getattr(module, "parametrizations", None)  # spectral norm keeps the raw weight here
        target = parametrized.weight.original if parametrized is not None else module.weight
        nn.init.normal_(target, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def maybe_spectral_norm(layer: nn.Module, enabled: bool) -> nn.Module:
    """Wrap ``layer`` in spectral normalization when ``enabled`` (Miyato et al. 2018).

    The weight is divided by its largest singular value σ(W), estimated by one
    step of power iteration per forward pass in training mode, so the layer is
    1-Lipschitz: ``W_SN = W / σ(W)``.
    """
    return nn.utils.parametrizations.spectral_norm(layer) if enabled else layer


def power_iteration(W: torch.Tensor, u: torch.Tensor, v: torch.Tensor, iterations: int = 1) -> torch.Tensor:
    """σ(W_p), the largest singular value of each of P stacked matrices ``W: (P, out, in)``, as torch's
    ``spectral_norm`` estimates it for one matrix (used by :mod:`~tutorial_lib.gan.population`).

    ``iterations`` steps of power iteration (one per forward pass in training mode, as torch does):
    u ← W v / ‖W v‖,  v ← Wᵀ u / ‖Wᵀ u‖ (``u: (P, out)``, ``v: (P, in)`` updated in place, no gradient);
    then σ = uᵀ W v, differentiable in W. Returns ``(P,)``.
    """
    if W.ndim != 3 or u.shape != W.shape[:2] or v.shape != (W.shape[0], W.shape[2]):
        raise ValueError(
            f"W must be (P, out, in), u (P, out), v (P, in); got {tuple(W.shape)}, {tuple(u.shape)}, {tuple(v.shape)}"
        )
    with torch.no_grad():
        for _ in range(iterations):
            u.copy_(F.normalize(torch.bmm(W, v[:, :, None])[:, :, 0], dim=1, eps=1e-12))
            v.copy_(F.normalize(torch.bmm(W.transpose(1, 2), u[:, :, None])[:, :, 0], dim=1, eps=1e-12))
    return (u.clone()[:, None, :] @ torch.bmm(W, v.clone()[:, :, None]))[:, 0, 0]


class MinibatchStdDev(nn.Module):
    """Minibatch standard deviation (Karras et al. 2018), against mode collapse.

    Appends one feature: the standard deviation of each feature over the batch,
    averaged over all features, ``s = mean_f std_n x[n, f]``. A discriminator that
    sees ``s`` can tell a batch of near-identical fakes from a varied real batch.

    x: ``(N, F)`` -> ``(N, F + 1)``, or ``(N, C, H, W)`` -> ``(N, C + 1, H, W)``.
    With N = 1 the appended feature is 0.
    """

    def statistic(self, x: torch.Tensor) -> torch.Tensor:
        """The scalar ``s`` that :meth:`forward` appends (0 when N = 1)."""
        if x.ndim not in (2, 4):
            raise ValueError(f"x must have shape (N, F) or (N, C, H, W); got {tuple(x.shape)}")
        if x.shape[0] == 1:
            return x.new_zeros(())
        # (x - mean)² averaged by hand: the same population variance as x.var(dim=0, unbiased=False),
        # which reduces over the strided batch dimension about 20 times more slowly on the CPU.
        var = (x - x.mean(dim=0)).square().mean(dim=0)
        return (var + 1e-8).sqrt().mean()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        extra = self.statistic(x).expand(x.shape[0], 1, *x.shape[2:])
        return torch.cat([x, extra], dim=1)


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm whose scale and shift depend on the class label y (de Vries et al. 2017):

        out = γ_y · (x − μ_B) / sqrt(σ²_B + ε) + β_y.

    x: ``(N, C, H, W)``, y: ``(N,)`` integer labels in ``[0, num_classes)``.
    """

    def __init__(self, num_features: int, num_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, affine=False)
        self.gamma = nn.Embedding(num_classes, num_features)
        self.beta = nn.Embedding(num_classes, num_features)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = self.bn(x)
        return self.gamma(y)[:, :, None, None] * out + self.beta(y)[:, :, None, None]
