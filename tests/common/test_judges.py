import math

import pytest
import torch
from torch import nn

from tutorial_lib.common.classifier import accuracy, predict
from tutorial_lib.common.judges import JudgePanel, animal_judges, judged_share, train_judges
from tutorial_lib.data import load_animals


class _Fixed(nn.Module):
    """A real module whose logits are fixed numbers, whatever the image."""

    def __init__(self, logits: list[float]) -> None:
        super().__init__()
        self.logits = nn.Parameter(torch.tensor(logits))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits.expand(len(x), -1)


def _softmax(logits: list[float]) -> list[float]:
    e = [math.exp(v) for v in logits]
    return [v / sum(e) for v in e]


def test_panel_is_the_log_of_the_mean_probability():
    a, b = [2.0, 0.0, 0.0], [0.0, 0.0, 3.0]
    panel = JudgePanel([_Fixed(a), _Fixed(b)])
    out = panel(torch.zeros(4, 1, 8, 8))
    expected = [math.log((p + q) / 2) for p, q in zip(_softmax(a), _softmax(b), strict=True)]
    assert out.shape == (4, 3)
    assert torch.allclose(out[0], torch.tensor(expected), atol=1e-6)
    assert torch.allclose(out.exp().sum(1), torch.ones(4), atol=1e-6)  # a probability per class
    # softmax: member a gives class 0 0.78, member b gives class 2 0.91: the panel says class 2
    assert predict(panel, torch.zeros(4, 1, 8, 8)).tolist() == [2] * 4


def test_judged_share_reports_each_member():
    panel = JudgePanel([_Fixed([5.0, 0.0]), _Fixed([0.0, 5.0]), _Fixed([0.0, 4.0])])
    share, members = judged_share(panel, torch.zeros(10, 1, 8, 8), label=1)
    assert share == 1.0 and members == [0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="at least one judge"):
        JudgePanel([])


def test_train_judges_trains_one_judge_per_seed():
    g = torch.Generator().manual_seed(0)
    y = torch.arange(120) % 2
    x = torch.rand(120, 1, 8, 8, generator=g) * 0.2
    x[y == 1, :, :, :4] += 0.8  # class 1: a bright left half
    panel = train_judges(x, y, seeds=(0, 1), epochs=4, width=4, progress=False)
    assert len(panel.members) == 2 and not panel.training
    first, second = (list(m.parameters())[0] for m in panel.members)
    assert not torch.equal(first, second)  # different seeds, different judges
    assert accuracy(panel, x, y) > 0.95
    # judged_share's one pass (in batches of 7 here) agrees with asking the panel and each judge separately
    share, members = judged_share(panel, x, label=1, batch_size=7)
    assert share == (predict(panel, x) == 1).float().mean().item()
    assert members == [(predict(m, x) == 1).float().mean().item() for m in panel.members]


@pytest.mark.slow
def test_animal_judges_are_cached_and_a_broken_cache_is_retrained(tmp_path, capsys, one_thread):
    panel = animal_judges(1, seeds=(0, 1), width=4, cache=tmp_path, progress=False)
    (path,) = tmp_path.glob("*.pt")
    assert "1epochs-width4-seeds0-1" in path.name
    test = load_animals("test")
    assert accuracy(panel, test.images, test.labels) > 0.3  # 10 classes (chance 0.1); one epoch of tiny judges
    before = path.stat().st_mtime_ns
    again = animal_judges(1, seeds=(0, 1), width=4, cache=tmp_path, progress=False)
    assert path.stat().st_mtime_ns == before  # loaded, not trained and written again
    assert torch.equal(again(test.images[:50]), panel(test.images[:50]))  # the same weights, the same layout
    path.write_bytes(b"not a checkpoint")
    animal_judges(1, seeds=(0, 1), width=4, cache=tmp_path, progress=False)
    assert "training them again" in capsys.readouterr().out
    retrained = animal_judges(1, seeds=(0, 1), width=4, cache=tmp_path, progress=False)
    assert torch.equal(retrained(test.images[:50]), panel(test.images[:50]))  # the same seeds
