"""R1 and WGAN-GP are per sample only when D scores each sample alone (see tutorial_lib/gan/regularizers.py)."""

import pytest
import torch

from tutorial_lib.gan import regularizers
from tutorial_lib.gan.models import DCGANDiscriminator, MLPDiscriminator


def _batched_and_own(D, x):
    """Row i of ∇_x Σ_j l(x_j) (what the penalties use), and the true per-sample ∂l_i/∂x_i, one sample at a time."""
    x = x.detach().requires_grad_(True)
    scores = D(x)
    (batched,) = torch.autograd.grad(scores.sum(), x, retain_graph=True)
    own = torch.stack([torch.autograd.grad(scores[i], x, retain_graph=True)[0][i] for i in range(len(x))])
    return batched.flatten(1), own.flatten(1)


def _relative_difference(a, b):
    return ((a - b).norm(dim=1) / b.norm(dim=1)).max().item()


def test_r1_uses_the_batched_gradient():
    torch.manual_seed(0)
    D, x = DCGANDiscriminator(image_size=8, width=8), torch.rand(16, 1, 8, 8)
    batched, own = _batched_and_own(D, x)
    penalty = regularizers.r1(2.0)(D, x, x, torch.Generator())
    assert penalty.item() == pytest.approx(batched.pow(2).sum(1).mean().item(), rel=1e-5)  # (γ/2) E‖g‖², γ = 2


@pytest.mark.parametrize(
    "make, mode, coupled",
    [
        (lambda: DCGANDiscriminator(image_size=8, width=8), "train", True),  # batch statistics couple the batch
        (lambda: DCGANDiscriminator(image_size=8, width=8), "eval", False),  # running statistics do not
        (lambda: DCGANDiscriminator(image_size=8, width=8, minibatch_std=True), "eval", True),  # the batch's spread
        (lambda: DCGANDiscriminator(image_size=8, width=8, spectral_norm=True), "train", False),  # no batch norm
        (lambda: MLPDiscriminator(64, hidden=16, depth=2), "train", False),
    ],
    ids=["BN train", "BN eval", "minibatch-std eval", "spectral norm", "MLP"],
)
def test_per_sample_gradients_need_a_d_that_scores_each_sample_alone(make, mode, coupled):
    torch.manual_seed(0)
    D = make().train(mode == "train")
    x = torch.rand(16, 1, 8, 8)
    batched, own = _batched_and_own(D if isinstance(D, DCGANDiscriminator) else (lambda v: D(v.flatten(1))), x)
    difference = _relative_difference(batched, own)
    assert difference > 1e-2 if coupled else difference < 1e-5, difference


def test_input_gradient_norms_of_a_linear_d_are_its_weight_norm():
    torch.manual_seed(0)
    D = torch.nn.Linear(3, 1)
    norms = regularizers.input_gradient_norms(D, torch.randn(7, 3))
    assert torch.allclose(norms, D.weight.norm().expand(7))


def test_input_gradient_norms_match_finite_differences():
    torch.manual_seed(1)
    D = MLPDiscriminator(in_dim=2, hidden=16, depth=2).double()
    x = torch.randn(5, 2, dtype=torch.float64)
    h = 1e-5
    with torch.no_grad():
        fd = torch.stack([(D(x + h * e) - D(x - h * e)).squeeze(-1) / (2 * h) for e in torch.eye(2).double()], 1)
    assert torch.allclose(regularizers.input_gradient_norms(D, x), fd.norm(dim=1), rtol=1e-6)
    assert D.training  # the mode is restored


def test_spectrally_normalized_d_has_slopes_at_most_one():
    torch.manual_seed(2)
    D = MLPDiscriminator(in_dim=2, hidden=64, depth=3, spectral_norm=True)
    with torch.no_grad():  # make the raw weights steep: spectral norm must still bound the slope
        for p in D.parameters():
            p.mul_(50.0)
    norms = regularizers.input_gradient_norms(D, 3 * torch.randn(500, 2))
    assert norms.max() <= 1.0 + 1e-3
    plain = MLPDiscriminator(in_dim=2, hidden=64, depth=3)
    with torch.no_grad():
        for p in plain.parameters():
            p.mul_(50.0)
    assert regularizers.input_gradient_norms(plain, 3 * torch.randn(500, 2)).max() > 10.0
