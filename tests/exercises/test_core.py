import pytest
import torch

from tutorial_lib.exercises import ExerciseError, check_luminance

W = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)


def test_reference_passes(capsys):
    check_luminance(lambda x: (x * W).sum(1, keepdim=True))
    assert "all 3 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x: x.mean(1, keepdim=True), "plain mean"),
        (lambda x: (x * W.flip(1)).sum(1, keepdim=True), "reverse order"),
        (lambda x: (x * W).sum(1), "keepdim=True"),
        (lambda x: (x * W).sum(1, keepdim=True).numpy(), "torch.Tensor"),
    ],
)
def test_plausible_mistakes_fail_with_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_luminance(wrong)
