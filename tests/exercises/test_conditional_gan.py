"""The one-hot conditional GAN check passes the reference and explains each broken variant."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tutorial_lib.exercises import ExerciseError, check_conditional_gan
from tutorial_lib.exercises import conditional_gan as module


class Generator(nn.Module):
    """The reference: G(z, y) = MLP([z, one_hot(y)]) with a sigmoid at the end. ``label_scale`` breaks it."""

    def __init__(self, latent_dim, num_classes, out_dim, hidden=128, label_scale=1.0):
        super().__init__()
        self.num_classes, self.label_scale = num_classes, label_scale
        self.net = nn.Sequential(
            nn.Linear(latent_dim + num_classes, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, out_dim), nn.Sigmoid(),
        )  # fmt: skip

    def forward(self, z, y):
        return self.net(torch.cat([z, self.label_scale * F.one_hot(y, self.num_classes).float()], dim=1))


class Discriminator(nn.Module):
    def __init__(self, in_dim, num_classes, hidden=128, label_scale=1.0):
        super().__init__()
        self.num_classes, self.label_scale = num_classes, label_scale
        self.net = nn.Sequential(
            nn.Linear(in_dim + num_classes, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1),
        )  # fmt: skip

    def forward(self, x, y):
        return self.net(torch.cat([x, self.label_scale * F.one_hot(y, self.num_classes).float()], dim=1)).squeeze(1)


def step(G, D, opt_G, opt_D, real, y, z, g_sign=1.0, d_sign=1.0):
    fake = G(z, y)
    opt_D.zero_grad()
    loss_d = F.softplus(-D(real, y)).mean() + F.softplus(D(fake.detach(), y)).mean()
    (d_sign * loss_d).backward()
    opt_D.step()
    opt_G.zero_grad()
    loss_g = g_sign * F.softplus(-D(fake, y)).mean()
    loss_g.backward()
    opt_G.step()
    return loss_d.item(), loss_g.item()


@pytest.mark.slow
def test_reference_passes_and_reports_the_judge(capsys):
    torch.manual_seed(0)
    G = check_conditional_gan(Generator, Discriminator, step)
    assert isinstance(G, Generator) and not G.training
    out = capsys.readouterr().out
    assert "conditional_gan: all 4 checks passed" in out and "judge named the requested digit" in out


def test_stub_is_reported():
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="still a stub"):
        check_conditional_gan(stub, Discriminator, step)


@pytest.mark.parametrize(
    ("make_g", "make_d", "step_fn", "message"),
    [
        (lambda *a: Generator(*a, label_scale=0.0), Discriminator, step, r"G\(z, y\) is the same for y = 0 and y = 1"),
        (Generator, lambda *a: Discriminator(*a, label_scale=0.0), step, r"D\(x, y\) is the same for y = 0 and y = 1"),
        (Generator, Discriminator, lambda *a: step(*a, g_sign=-1.0), "G's loss has the wrong sign"),
        (Generator, Discriminator, lambda *a: step(*a, d_sign=-1.0), "D climbed its loss"),
    ],
    ids=["label ignored by G", "D not conditioned", "G loss sign", "D loss sign"],
)
def test_broken_variants_get_their_message(make_g, make_d, step_fn, message):
    torch.manual_seed(0)
    with pytest.raises(ExerciseError, match=message):
        check_conditional_gan(make_g, make_d, step_fn)


def test_integer_labels_concatenated_without_one_hot_get_a_hint():
    class RawLabels(Generator):
        def forward(self, z, y):
            return self.net(torch.cat([z, y], dim=1))

    with pytest.raises(ExerciseError, match=r"F\.one_hot\(y, num_classes\)\.float\(\)"):
        check_conditional_gan(RawLabels, Discriminator, step)


@pytest.mark.slow
def test_a_gan_that_barely_reads_its_label_fails_the_judge():
    """Passes the shape, label and step checks, but the label is too faint to steer G in TRAIN_STEPS steps."""
    torch.manual_seed(0)
    with pytest.raises(ExerciseError, match=r"judge named the requested digit for \d+%.*chance is 33%") as err:
        check_conditional_gan(lambda *a: Generator(*a, label_scale=0.02), Discriminator, step)
    assert "Hint:" in str(err.value)


def test_reference_step_matches_the_formula_on_a_fixed_batch():
    """The reference the check compares with computes L_D = E[softplus(−l(x, y))] + E[softplus(l(G(z, y), y))]."""
    torch.manual_seed(1)
    G, D = Generator(4, 3, 64), Discriminator(64, 3)
    real, y, z = torch.rand(5, 64), torch.tensor([0, 1, 2, 0, 1]), torch.randn(5, 4)
    with torch.no_grad():
        expected = F.softplus(-D(real, y)).mean() + F.softplus(D(G(z, y), y)).mean()
    opt_G, opt_D = torch.optim.SGD(G.parameters(), lr=0.0), torch.optim.SGD(D.parameters(), lr=0.0)
    loss_d, loss_g = module._mistake_step(G, D, opt_G, opt_D, real, y, z)
    assert loss_d == pytest.approx(expected.item(), abs=1e-6)
    with torch.no_grad():
        assert loss_g == pytest.approx(-F.logsigmoid(D(G(z, y), y)).mean().item(), abs=1e-6)
