"""Membership inference: can an attacker tell whether an image was in the training set?

The simplest attack against a GAN (Hayes et al. 2019, LOGAN) uses the discriminator. D was trained
to score training images as real, so if it has *memorised* them it scores them higher than equally
real images it never saw. The attacker, holding D and a candidate image x, guesses "member" when
D(x) > t. Over all thresholds t, the attack's quality is the area under its ROC curve,

    AUC = P(D(x_member) > D(x_non-member))   (+ ½ P(equal)),

the probability that a random training image outscores a random held-out one: 0.5 is a coin flip,
1.0 a perfect attack. Differential privacy bounds any attack: an (ε, δ)-DP training gives a
true-positive rate at most e^ε · (false-positive rate) + δ at every threshold, so the AUC is
pushed toward 0.5 as ε shrinks (:func:`dp_auc_bound`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


@torch.no_grad()
def discriminator_scores(
    D: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500
) -> torch.Tensor:
    """D's raw scores ``(N,)`` of ``images: (N, C, S, S)`` with their ``labels: (N,)``, in eval mode, on the CPU."""
    was_training = D.training
    D.eval()
    device = next(D.parameters()).device
    try:
        out = [
            D(images[i : i + batch_size].to(device), labels[i : i + batch_size].to(device)).float().cpu()
            for i in range(0, len(images), batch_size)
        ]
    finally:
        D.train(was_training)
    return torch.cat(out)


def roc_auc(member: torch.Tensor, non_member: torch.Tensor) -> float:
    """AUC = P(s_member > s_non-member) + ½ P(equal), from two 1-D score tensors (Mann–Whitney U / (m·n))."""
    if member.ndim != 1 or non_member.ndim != 1 or not len(member) or not len(non_member):
        raise ValueError(f"need two non-empty 1-D score tensors; got {tuple(member.shape)}, {tuple(non_member.shape)}")
    diff = member.double()[:, None] - non_member.double()[None, :]
    return float(((diff > 0).double() + 0.5 * (diff == 0).double()).mean())


def dp_auc_bound(epsilon: float, delta: float = 0.0) -> float:
    """The largest AUC any membership attack can reach against an (ε, δ)-DP training.

    At every threshold TPR ≤ e^ε FPR + δ and (1 − FPR) ≤ e^ε (1 − TPR) + δ. The ROC curve that
    follows the tighter bound everywhere is the best possible; its area has a closed form for
    δ = 0: AUC_max = e^ε / (1 + e^ε). With δ > 0 the area is computed numerically.
    """
    if epsilon < 0 or not 0 <= delta < 1:
        raise ValueError(f"need epsilon >= 0 and 0 <= delta < 1; got {epsilon}, {delta}")
    if math.isinf(epsilon):
        return 1.0
    fpr = torch.linspace(0, 1, 20001, dtype=torch.float64)
    e = math.exp(epsilon)
    tpr = torch.minimum(torch.minimum(e * fpr + delta, 1 - (1 - fpr - delta) / e), torch.ones_like(fpr))
    tpr = tpr.clamp(min=0)
    return float(torch.trapezoid(tpr, fpr))


@dataclass
class MembershipReport:
    """The D-score attack on one model: ``auc`` and the scores it came from."""

    auc: float
    member_scores: torch.Tensor
    non_member_scores: torch.Tensor

    def summary(self) -> str:
        return (
            f"membership-inference AUC {self.auc:.3f} (0.5 = coin flip); median D score: training "
            f"{self.member_scores.median():.2f}, held-out {self.non_member_scores.median():.2f}"
        )


def membership_inference(
    D: nn.Module,
    members: tuple[torch.Tensor, torch.Tensor],
    non_members: tuple[torch.Tensor, torch.Tensor],
) -> MembershipReport:
    """Run the D-score threshold attack: ``members`` and ``non_members`` are ``(images, labels)`` pairs."""
    s_in = discriminator_scores(D, *members)
    s_out = discriminator_scores(D, *non_members)
    return MembershipReport(roc_auc(s_in, s_out), s_in, s_out)


def member_split(
    images: torch.Tensor, labels: torch.Tensor, n_members: int, n_non_members: int, seed: int = 0
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor], torch.Tensor]:
    """A random split into training images (members), held-out images (non-members) and the rest.

    Returns ``(members, non_members, rest_index)``, the first two as ``(images, labels)`` pairs;
    ``rest_index`` indexes the images in neither (for example, to train a judge that never saw a member).
    """
    n = len(labels)
    if n_members < 1 or n_non_members < 1 or n_members + n_non_members > n:
        raise ValueError(
            f"need 1 <= n_members, 1 <= n_non_members and their sum <= {n}; got {n_members}, {n_non_members}"
        )
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    a, b = order[:n_members], order[n_members : n_members + n_non_members]
    return (images[a], labels[a]), (images[b], labels[b]), order[n_members + n_non_members :]
