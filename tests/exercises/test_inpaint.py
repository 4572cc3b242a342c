"""The inpainting exercise check accepts correct objectives and explains plausible mistakes."""

import pytest
import torch

from tutorial_lib.applications.inpaint import inpainting_loss
from tutorial_lib.exercises import ExerciseError, check_inpainting_loss


def _visible(g, x, m):
    return ((m * (g - x) ** 2).flatten(1).sum(1) / m.flatten(1).sum(1).clamp(min=1)).mean()


def test_references_pass(capsys):
    check_inpainting_loss(inpainting_loss)
    check_inpainting_loss(lambda g, x, m, z, lam: _visible(g, x, m) + lam * z.pow(2).mean())
    # the same objective written with a loop over the batch
    check_inpainting_loss(
        lambda g, x, m, z, lam: (
            torch.stack(
                [((mi * (gi - xi) ** 2).sum() / max(1.0, mi.sum().item())) for gi, xi, mi in zip(g, x, m, strict=True)]
            ).mean()
            + lam * (z * z).sum() / z.numel()
        )
    )
    assert capsys.readouterr().out.count("inpainting_loss: all 6 checks passed") == 3


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda g, x, m, z, lam: _visible(g, x, m), "prior term λ · mean\\(z²\\) is missing"),
        (lambda g, x, m, z, lam: _visible(g, x, m) - lam * z.pow(2).mean(), "wrong sign of the prior"),
        (lambda g, x, m, z, lam: _visible(g, x, 1 - m) + lam * z.pow(2).mean(), "mask is inverted"),
        (
            lambda g, x, m, z, lam: (m * (g - x) ** 2).mean() + lam * z.pow(2).mean(),
            "averaged over all pixels, not only the visible ones",
        ),
        (
            lambda g, x, m, z, lam: ((g - x) ** 2).mean() + lam * z.pow(2).mean(),
            "multiply the squared error by the mask",
        ),
        (
            lambda g, x, m, z, lam: (m * (g - x) ** 2).sum() / m.sum().clamp(min=1) + lam * z.pow(2).mean(),
            "whole batch",
        ),
        (lambda g, x, m, z, lam: _visible(g, x, m) + lam * z.pow(2).sum(1).mean(), "not ‖z‖² per image"),
        (
            lambda g, x, m, z, lam: (
                ((m * (g - x) ** 2).flatten(1).sum(1) / m.flatten(1).sum(1)).mean() + lam * z.pow(2).mean()
            ),
            "max\\(1, Σ m\\)",
        ),
        (lambda g, x, m, z, lam: (_visible(g, x, m) + lam * z.pow(2).mean()).item(), "without .item\\(\\)"),
        (lambda g, x, m, z, lam: _visible(g, x, m).detach() + lam * z.pow(2).mean().detach(), "no gradient"),
    ],
)
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_inpainting_loss(wrong)


def test_a_stub_is_reported_as_a_stub():
    def stub(generated, target, mask, z, prior_weight):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="still a stub"):
        check_inpainting_loss(stub)


def test_the_reference_is_never_printed(capsys):
    with pytest.raises(ExerciseError) as err:
        check_inpainting_loss(lambda g, x, m, z, lam: _visible(g, x, m))
    assert "def " not in str(err.value) and "flatten" not in str(err.value)
