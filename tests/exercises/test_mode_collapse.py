"""The mode-coverage exercise check accepts correct answers and explains plausible mistakes."""

import pytest
import torch

from tutorial_lib.exercises import ExerciseError, check_mode_coverage
from tutorial_lib.gan.comparison import mode_coverage


def reference(samples, centers, std, threshold=3.0):
    dist, nearest = (torch.cdist(samples, centers) / std).min(dim=1)
    return len(torch.unique(nearest[dist < threshold]))


def via_package(samples, centers, std, threshold=3.0):
    return mode_coverage(samples, centers, std, threshold=threshold).modes_covered


def unscaled(samples, centers, std, threshold=3.0):
    dist, nearest = torch.cdist(samples, centers).min(dim=1)
    return len(torch.unique(nearest[dist < threshold]))


def less_or_equal(samples, centers, std, threshold=3.0):
    dist, nearest = (torch.cdist(samples, centers) / std).min(dim=1)
    return len(torch.unique(nearest[dist <= threshold]))


def counts_samples(samples, centers, std, threshold=3.0):
    dist, _ = (torch.cdist(samples, centers) / std).min(dim=1)
    return int((dist < threshold).sum())


def no_quality_filter(samples, centers, std, threshold=3.0):
    return len(torch.unique(torch.cdist(samples, centers).argmin(dim=1)))


def every_centre_within_reach(samples, centers, std, threshold=3.0):
    return int((torch.cdist(samples, centers) / std < threshold).any(dim=0).sum())


def test_reference_and_package_pass(capsys):
    check_mode_coverage(reference)
    check_mode_coverage(via_package)
    check_mode_coverage(lambda s, c, sd, t: torch.tensor(reference(s, c, sd, t)))  # a 0-d tensor is fine
    assert capsys.readouterr().out.count("count_modes_covered: all 7 checks passed") == 3


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (unscaled, "divide the distance by std"),
        (less_or_equal, "not ≤"),
        (counts_samples, "distinct *modes*"),
        (no_quality_filter, "keep only the high-quality samples"),
        (every_centre_within_reach, "*nearest* centre only"),
    ],
)
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match="count_modes_covered") as err:
        check_mode_coverage(wrong)
    assert hint in str(err.value)


def test_stub_wrong_type_and_errors_are_explained():
    def stub(samples, centers, std, threshold=3.0):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="still a stub"):
        check_mode_coverage(stub)
    with pytest.raises(ExerciseError, match="one number"):
        check_mode_coverage(lambda s, c, sd, t: torch.zeros(len(c)))
    with pytest.raises(ExerciseError, match="whole number"):
        check_mode_coverage(lambda s, c, sd, t: 2.5)
    with pytest.raises(ExerciseError, match="raised KeyError"):
        check_mode_coverage(lambda s, c, sd, t: {}["x"])


def test_messages_never_show_the_reference_code():
    with pytest.raises(ExerciseError) as err:
        check_mode_coverage(unscaled)
    assert "torch.cdist" not in str(err.value) and "def " not in str(err.value)
