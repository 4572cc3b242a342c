"""The GAN exercise checks accept the reference and explain plausible mistakes."""

import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.exercises import ExerciseError, check_discriminator_loss, check_nonsaturating_generator_loss
from tutorial_lib.gan.losses import discriminator_loss, generator_loss

ones, zeros = torch.ones_like, torch.zeros_like
bce_logits = F.binary_cross_entropy_with_logits


def test_references_pass(capsys):
    check_discriminator_loss(lambda r, f: discriminator_loss(r, f, "minimax"))
    check_discriminator_loss(lambda r, f: bce_logits(r, ones(r)) + bce_logits(f, zeros(f)))
    check_discriminator_loss(lambda r, f: -F.logsigmoid(r).mean() - F.logsigmoid(-f).mean())
    check_nonsaturating_generator_loss(lambda f: generator_loss(f, "nonsaturating"))
    check_nonsaturating_generator_loss(lambda f: bce_logits(f, ones(f)))
    out = capsys.readouterr().out
    assert out.count("discriminator_loss: all 4 checks passed") == 3
    assert out.count("nonsaturating_generator_loss: all 3 checks passed") == 2


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda r, f: -torch.log(torch.sigmoid(r)).mean() - torch.log(1 - torch.sigmoid(f)).mean(), "softplus"),
        (lambda r, f: bce_logits(torch.sigmoid(r), ones(r)) + bce_logits(torch.sigmoid(f), zeros(f)), "twice"),
        (lambda r, f: F.binary_cross_entropy(r, ones(r)) + F.binary_cross_entropy(f, zeros(f)), "not probabilities"),
        (lambda r, f: F.softplus(-r).sum() + F.softplus(f).sum(), "summed over the batch"),
        (lambda r, f: torch.log(torch.sigmoid(r)).mean() + torch.log(1 - torch.sigmoid(f)).mean(), "sign error"),
        (lambda r, f: F.softplus(r).mean() + F.softplus(-f).mean(), "swapped"),
        (lambda r, f: torch.cat([F.softplus(-r), F.softplus(f)]).mean(), "each over its own batch"),
        (lambda r, f: F.softplus(-r).mean() + F.softplus(-f).mean(), "not log D"),
        (lambda r, f: F.softplus(-r), "scalar"),
        (lambda r, f: (F.softplus(-r).mean() + F.softplus(f).mean()).item(), "without .item()"),
    ],
)
def test_discriminator_loss_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_discriminator_loss(wrong)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda f: torch.log(1 - torch.sigmoid(f)).mean(), "saturating minimax loss"),
        (lambda f: -F.softplus(f).mean(), "saturating minimax loss"),
        (lambda f: F.softplus(f).mean(), "rewards G for fakes that D rejects"),
        (lambda f: -torch.log(torch.sigmoid(f)).mean(), "softplus"),
        (lambda f: F.logsigmoid(f).mean(), "sign error"),
        (lambda f: F.softplus(-f).sum(), "summed over the batch"),
        (lambda f: bce_logits(torch.sigmoid(f), ones(f)), "twice"),
        (lambda f: F.softplus(-f).detach().mean(), "no gradient"),
    ],
)
def test_generator_loss_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_nonsaturating_generator_loss(wrong)


def test_a_stub_is_reported_as_a_stub():
    def stub(fake_logits):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="still a stub"):
        check_nonsaturating_generator_loss(stub)
