"""The membership-inference AUC and the bound DP puts on it: closed forms and an independent count."""

import math

import pytest
import torch

from tutorial_lib.privacy.membership import dp_auc_bound, member_split, roc_auc


def _auc_by_counting(a, b):
    wins = sum((x > y) + 0.5 * (x == y) for x in a.tolist() for y in b.tolist())
    return wins / (len(a) * len(b))


def test_roc_auc_equals_the_pairwise_count_and_known_cases():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(40, generator=g) + 0.5, torch.randn(30, generator=g)
    assert roc_auc(a, b) == pytest.approx(_auc_by_counting(a, b))
    assert roc_auc(torch.tensor([2.0, 3.0]), torch.tensor([0.0, 1.0])) == 1.0
    assert roc_auc(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0])) == 0.0
    assert roc_auc(torch.ones(5), torch.ones(7)) == 0.5  # ties count one half
    # two normals one standard deviation apart: AUC = Φ(1/√2) ≈ 0.760
    big = torch.Generator().manual_seed(1)
    auc = roc_auc(torch.randn(3000, generator=big) + 1, torch.randn(3000, generator=big))
    assert auc == pytest.approx(0.5 * (1 + math.erf(0.5)), abs=0.02)


def test_dp_auc_bound_closed_form_and_limits():
    for eps in (0.0, 0.5, 1.0, 3.0):
        assert dp_auc_bound(eps) == pytest.approx(math.exp(eps) / (1 + math.exp(eps)), abs=1e-6)
    assert dp_auc_bound(float("inf")) == 1.0
    assert dp_auc_bound(1.0, 0.01) > dp_auc_bound(1.0)  # δ loosens the bound
    with pytest.raises(ValueError):
        dp_auc_bound(-1.0)


def test_member_split_is_disjoint_and_reproducible():
    x, y = torch.arange(20.0).view(20, 1, 1, 1), torch.arange(20) % 3
    (xm, ym), (xn, yn), rest = member_split(x, y, 5, 7, seed=3)
    ids = set(xm.flatten().int().tolist()) | set(xn.flatten().int().tolist()) | set(rest.tolist())
    assert len(xm) == 5 and len(xn) == 7 and len(rest) == 8 and ids == set(range(20))
    assert torch.equal(member_split(x, y, 5, 7, seed=3)[0][0], xm)
    with pytest.raises(ValueError):
        member_split(x, y, 15, 7)
