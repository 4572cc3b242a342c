import copy

import pytest
import torch
from torch import nn

from tutorial_lib.gan.step import Snapshot, TrainingDivergedError, check_finite


def _train_once(net, opt):
    opt.zero_grad()
    net(torch.randn(8, 3)).pow(2).mean().backward()
    opt.step()


def _same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b


def test_snapshot_restores_weights_buffers_adam_state_and_learning_rates():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))  # running stats are buffers
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    snap = Snapshot([net], [opt])

    snap.save()  # before the first step Adam holds no state: a restore must remove what the step created
    before = copy.deepcopy((net.state_dict(), opt.state_dict()))
    _train_once(net, opt)
    opt.param_groups[0]["lr"] = 0.5
    snap.restore()
    assert _same((net.state_dict(), opt.state_dict()), before) and opt.state_dict()["state"] == {}
    assert all(p.grad is None for p in net.parameters())

    _train_once(net, opt)
    snap.save()  # now Adam's step, exp_avg and exp_avg_sq are kept too, and copied back in place
    before = copy.deepcopy((net.state_dict(), opt.state_dict()))
    tensors = [id(t) for t in opt.state[net[0].weight].values()]
    for _ in range(3):
        _train_once(net, opt)
    snap.restore()
    assert _same((net.state_dict(), opt.state_dict()), before)
    assert [id(t) for t in opt.state[net[0].weight].values()] == tensors  # the same tensors, refilled


def test_check_finite_names_the_first_value_that_is_not():
    ok, bad = torch.tensor(1.0), torch.tensor(float("inf"))
    check_finite(4, "D update 1 of 1", ok + ok, {"L_D": ok, "D's gradient": ok})
    with pytest.raises(TrainingDivergedError, match=r"D's gradient became inf at step 4 \(D update 1 of 1\)"):
        check_finite(4, "D update 1 of 1", ok + bad, {"L_D": ok, "D's gradient": bad})
    big = torch.tensor(3e38)  # finite, but the sum overflows
    with pytest.raises(TrainingDivergedError, match=r"the sum of L_D, D's gradient became inf"):
        check_finite(4, "D update 1 of 1", big + big, {"L_D": big, "D's gradient": big})
