"""The AdaIN exercise: the reference passes, and plausible mistakes fail with the hint that fits them."""

import pytest
import torch

from tutorial_lib.exercises import ExerciseError, check_adain
from tutorial_lib.video.adain import adain


def test_reference_passes(capsys):
    check_adain(adain)
    assert "adain: all 3 checks passed" in capsys.readouterr().out


def _stats(f, dims=(2, 3), unbiased=False, eps=1e-5):
    return f.mean(dim=dims, keepdim=True), (f.var(dim=dims, keepdim=True, unbiased=unbiased) + eps).sqrt()


def _unbiased(x, y, eps):
    (mx, sx), (my, sy) = _stats(x, unbiased=True, eps=eps), _stats(y, unbiased=True, eps=eps)
    return sy * (x - mx) / sx + my


def _all_channels(x, y, eps):
    (mx, sx), (my, sy) = _stats(x, dims=(1, 2, 3), eps=eps), _stats(y, dims=(1, 2, 3), eps=eps)
    return sy * (x - mx) / sx + my


def _normalise_only(x, y, eps):
    return (x - x.mean(dim=(2, 3), keepdim=True)) / x.std(dim=(2, 3), keepdim=True)


def _stub(x, y, eps):
    raise NotImplementedError


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_unbiased, "biased variance"),
        (_all_channels, "per channel"),
        (_normalise_only, "then scale by"),
        (_stub, "replace the stub"),
        (lambda x, y, eps: x.numpy(), "expected a torch.Tensor"),
        (lambda x, y, eps: torch.zeros(1), "expected shape"),
    ],
)
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_adain(wrong)
