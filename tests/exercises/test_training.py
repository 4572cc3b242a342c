"""The checks for the optimal discriminator and the training step accept correct code and explain mistakes."""

import pytest
import torch
import torch.nn.functional as F

from tutorial_lib.exercises import ExerciseError, check_optimal_discriminator, check_training_step


def reference_d_star(p_data, p_g):
    return p_data / (p_data + p_g)


def test_optimal_discriminator_reference_and_equivalent_forms_pass(capsys):
    check_optimal_discriminator(reference_d_star)
    check_optimal_discriminator(lambda a, b: 1 - b / (a + b))
    assert capsys.readouterr().out.count("optimal_discriminator: all 5 checks passed") == 2


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda a, b: b / (a + b), "1 − D*"),
        (lambda a, b: a / b, "ratio"),
        (lambda a, b: torch.full_like(a, 0.5), "0.5 everywhere"),
        (lambda a, b: (a > b).to(a.dtype), "thresholded"),
        (lambda a, b: (a / (a + b)).float(), "dtype"),
    ],
)
def test_optimal_discriminator_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match="optimal_discriminator") as err:
        check_optimal_discriminator(wrong)
    assert hint in str(err.value)


def reference_step(G, D, opt_G, opt_D, real, z):
    opt_D.zero_grad()
    fake = G(z)
    real_logits, fake_logits = D(real), D(fake.detach())
    loss_d = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    loss_d.backward()
    opt_D.step()
    opt_G.zero_grad()
    loss_g = F.softplus(-D(fake)).mean()
    loss_g.backward()
    opt_G.step()
    return loss_d.item(), loss_g.item()


def test_training_step_reference_passes(capsys):
    check_training_step(reference_step)
    assert "training_step: all 3 checks passed" in capsys.readouterr().out


def _variant(**mistake):
    def step(G, D, opt_G, opt_D, real, z):
        if not mistake.get("no_zero_grad"):
            opt_D.zero_grad()
            opt_G.zero_grad()
        fake = G(z)
        d_fake = fake if mistake.get("no_detach") else fake.detach()
        loss_d = F.softplus(-D(real)).mean() + F.softplus(D(d_fake)).mean()
        loss_d.backward()
        opt_D.step()
        logits = D(fake)
        loss_g = -F.softplus(logits).mean() if mistake.get("saturating") else F.softplus(-logits).mean()
        if mistake.get("saturating"):  # saturating: minimise E[log(1 - D(G(z)))] = -E[softplus(l)]
            loss_g = -F.softplus(logits).mean()
        loss_g.backward()
        opt_G.step()
        result = (loss_d.item(), loss_g.item())
        return result[::-1] if mistake.get("swap_return") else result

    return step


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_variant(no_zero_grad=True), "zero_grad"),
        (_variant(saturating=True), "non-saturating"),
        (_variant(no_detach=True), "detach"),
        (_variant(swap_return=True), "swapped"),
        (lambda G, D, oG, oD, real, z: (0.0, 0.0), "did not change"),
    ],
)
def test_training_step_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match="training_step") as err:
        check_training_step(wrong)
    assert hint in str(err.value)


def test_variant_without_mistakes_matches_the_reference():
    """The mistake variants above differ from the reference only by their mistake."""
    check_training_step(_variant())
