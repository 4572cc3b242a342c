"""The style exercises: the reference passes, and plausible mistakes fail with the hint that fits them."""

import pytest
import torch

from tutorial_lib.exercises import ExerciseError, check_gram_matrix, check_style_loss, check_total_variation
from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.losses import style_loss, total_variation


def test_references_pass(capsys):
    check_gram_matrix(gram_matrix)
    check_style_loss(style_loss)
    check_total_variation(total_variation)
    out = capsys.readouterr().out
    assert "gram_matrix: all 4 checks passed" in out
    assert "style_loss: all 3 checks passed" in out
    assert "total_variation: all 3 checks passed" in out


def _flat(f):
    n, c, h, w = f.shape
    return f.reshape(n, c, h * w)


def _gram_unnormalised(f):
    x = _flat(f)
    return x @ x.transpose(1, 2)


def _gram_hw(f):
    return _gram_unnormalised(f) / (f.shape[2] * f.shape[3])


def _gram_tutorial(f):  # PyTorch's tutorial divides by N·C·H·W
    return _gram_unnormalised(f) / f.numel()


def _gram_wrong_axes(f):
    x = _flat(f)
    return x.transpose(1, 2) @ x / x[0].numel()


def _gram_wrong_reshape(f):
    n, c, h, w = f.shape
    x = f.reshape(n, h * w, c)
    return x.transpose(1, 2) @ x / (c * h * w)


def _gram_float32_product(f):  # the textbook line, which overflows in float16
    return _gram_unnormalised(f) / f[0].numel()


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_gram_unnormalised, "did not normalise"),
        (_gram_hw, "not only by the number of positions"),
        (_gram_tutorial, "batch size N"),
        (_gram_wrong_axes, "transpose on the other axes"),
        (_gram_wrong_reshape, "without permute"),
        (_gram_float32_product, "overflows"),
        (lambda f: _gram_unnormalised(f)[0] / f[0].numel(), "keep the batch axis"),
    ],
)
def test_gram_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_gram_matrix(wrong)


def _diff(f, a):
    return gram_matrix(f) - a


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda f, a: (_diff(f, a) ** 2).sum(), "not the sum"),
        (lambda f, a: _diff(f, a).abs().mean(), "absolute value"),
        (lambda f, a: _diff(f, a).mean(), "square the differences before the mean"),
        (lambda f, a: torch.linalg.matrix_norm(_diff(f, a)).sum(), "Frobenius"),
        (lambda f, a: ((_gram_unnormalised(f) - a) ** 2).mean(), "normalise the Gram matrix by C·H·W"),
        (lambda f, a: ((_gram_hw(f) - a) ** 2).mean(), "not H·W"),
        (lambda f, a: (_diff(f, a) ** 2).mean().detach(), "requires_grad"),
        (lambda f, a: (_diff(f, a) ** 2).mean().item(), "Python float"),
        (lambda f, a: (_diff(f, a) ** 2).mean().reshape(1), "scalar"),
    ],
)
def test_style_loss_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_style_loss(wrong)


def test_gatys_normalisation_is_recognised():
    def gatys(f, a):
        n, c, h, w = f.shape
        raw = _gram_unnormalised(f) - a * c * h * w
        return (raw**2).sum() / (4 * c**2 * (h * w) ** 2) / n

    with pytest.raises(ExerciseError, match="Gatys"):
        check_style_loss(gatys)


def _dy(x):
    return x[:, :, 1:] - x[:, :, :-1]


def _dx(x):
    return x[..., 1:] - x[..., :-1]


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x: (_dy(x) ** 2).sum() + (_dx(x) ** 2).sum(), "not the sum"),
        (lambda x: _dy(x).abs().mean() + _dx(x).abs().mean(), "L1"),
        (lambda x: ((_dy(x) ** 2).mean() + (_dx(x) ** 2).mean()) / 2, "do not average"),
        (lambda x: (_dy(x) ** 2).mean(), "add the horizontal"),
        (lambda x: ((x - x.roll(1, 2)) ** 2).mean() + ((x - x.roll(1, 3)) ** 2).mean(), "wrap around"),
        (lambda x: ((_dy(x) ** 2).mean() + (_dx(x) ** 2).mean()).item(), "no .item()"),
    ],
)
def test_total_variation_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_total_variation(wrong)


def test_a_stub_says_to_replace_it():
    def stub(f):
        raise NotImplementedError("Exercise: implement gram_matrix.")

    with pytest.raises(ExerciseError, match="replace the stub"):
        check_gram_matrix(stub)


def test_a_crash_names_the_case():
    with pytest.raises(ExerciseError, match=r"On a batch of 1.*raised RuntimeError"):
        check_style_loss(lambda f, a: f @ a)
