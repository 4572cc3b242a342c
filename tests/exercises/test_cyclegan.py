"""The notebook-08 exercise check accepts the reference and explains common mistakes."""

import pytest

from tutorial_lib.exercises import ExerciseError, check_cycle_consistency_loss


def test_reference_passes(capsys):
    check_cycle_consistency_loss(lambda x, y, G, F: (F(G(x)) - x).abs().mean() + (G(F(y)) - y).abs().mean())
    assert "all 3 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, y, G, F: (F(G(x)) - x).abs().mean(), "add the second cycle"),
        (lambda x, y, G, F: (F(G(x)) - x).pow(2).mean() + (G(F(y)) - y).pow(2).mean(), "L1 distance"),
        (lambda x, y, G, F: (F(G(x)) - x).abs().sum() + (G(F(y)) - y).abs().sum(), "not the sum"),
        (lambda x, y, G, F: (G(G(x)) - x).abs().mean() + (F(F(y)) - y).abs().mean(), "F(G(x)), not G(G(x))"),
        (lambda x, y, G, F: (F(G(x)) - x).abs(), "expected a scalar"),
    ],
)
def test_common_mistakes_get_a_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint.replace("(", r"\(").replace(")", r"\)")):
        check_cycle_consistency_loss(wrong)
