"""minimize_image: ``steps`` is an exact budget of evaluations, and both optimisers reach a known optimum."""

import pytest
import torch

from tutorial_lib.style.minimize import from_logits, minimize_image, to_logits


def _target() -> torch.Tensor:
    return torch.rand(1, 3, 6, 5, generator=torch.Generator().manual_seed(0)) * 0.8 + 0.1  # inside (0.1, 0.9)


def _squared_distance(t: torch.Tensor):
    """L(x) = Σ (x − t)², whose minimum over images is 0, at x = t (reachable: t is inside (0, 1))."""
    return lambda x: {"total": ((x - t) ** 2).sum()}


@pytest.mark.parametrize("line_search", [True, False])
@pytest.mark.parametrize("steps", [1, 7, 25])
def test_lbfgs_spends_exactly_steps_evaluations(steps, line_search):
    """With the strong-Wolfe search one iteration may take several evaluations; the budget still counts
    evaluations, and stops in the middle of a line search if it has to."""
    t = _target()
    calls = []
    minimize_image(
        _squared_distance(t), torch.full_like(t, 0.5), steps, "lbfgs",
        on_step=lambda parts, x: calls.append(parts["total"]), line_search=line_search,
    )  # fmt: skip
    assert len(calls) == steps


def test_lbfgs_reaches_the_known_optimum_and_returns_the_best_evaluation():
    t = _target()
    calls = []
    start = torch.full_like(t, 0.5)
    x, loss, stopped = minimize_image(
        _squared_distance(t), start, 30, "lbfgs", on_step=lambda parts, x: calls.append(parts["total"])
    )
    first = ((start - t) ** 2).sum().item()
    assert not stopped and calls[0] == pytest.approx(first)
    assert loss < 1e-6 * first  # the optimum is 0
    assert loss == min(calls) and loss == pytest.approx(((x - t) ** 2).sum().item(), rel=1e-5)
    torch.testing.assert_close(x, t, atol=1e-3, rtol=0)


def test_adam_reaches_the_known_optimum():
    """Adam moves u = logit(x) about lr = 0.05 per step while far away, so 300 steps cover the ≤ 2.2 the
    logits must travel here; the loss must fall by at least 1000×."""
    t = _target()
    start = torch.full_like(t, 0.5)
    x, loss, _ = minimize_image(_squared_distance(t), start, 300, "adam")
    assert loss < 1e-3 * ((start - t) ** 2).sum().item()
    assert (to_logits(t) - to_logits(start)).abs().max() < 2.2


def test_logits_round_trip_inside_the_clip():
    x = torch.tensor([0.0, 0.01, 0.3, 0.99, 1.0])
    torch.testing.assert_close(from_logits(to_logits(x)), x.clamp(0.02, 0.98))
