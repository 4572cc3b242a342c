import dataclasses

import pytest
import torch

from tutorial_lib.data import ANIMAL_CLASSES
from tutorial_lib.gan.quality import QualityReport
from tutorial_lib.gan.recipes import INGREDIENTS, ablate, conditional_dcgan, load_gan_dataset


@pytest.mark.parametrize(("dataset", "size", "n"), [("animals", 28, 8000), ("digits", 8, 1797)])
def test_recipe_builds_matching_models_and_trains(dataset, size, n):
    data = load_gan_dataset(dataset)
    assert data.images.shape == (n, 1, size, size)
    recipe = conditional_dcgan(dataset)
    torch.manual_seed(0)
    G, D = recipe.build()
    assert G.num_classes == D.num_classes == 10 and D.aux_classifier and D.mbstd is not None
    history = recipe.train(G, D, data, steps=recipe.r1_every, batch_size=8, device="cpu", progress=False)
    assert len(history) == recipe.r1_every and history.class_loss_d[0] > 0 and history.class_loss_g[0] > 0
    assert history.penalty[0] == 0 and history.penalty[-1] > 0  # lazy R1: every r1_every-th step
    plain = dataclasses.replace(recipe, aux_weight=0.0)
    assert not plain.build()[1].aux_classifier


def test_unknown_dataset():
    with pytest.raises(ValueError, match="animals, digits"):
        conditional_dcgan("faces")
    with pytest.raises(ValueError, match="animals, digits"):
        load_gan_dataset("cifar")


def test_quality_report_summary():
    report = QualityReport(0.9, 12.0, 0.75, [0.75] * 10, [0.7, 0.72], [0.5, 0.55], 0.8, 2000, 150.0, 13.3, "cpu", 2)
    text = report.summary(ANIMAL_CLASSES)
    assert "75.0%" in text and "2000 steps in 150 s" in text and "zebra 75%" in text
    assert "70.0% (weakest 50%), 72.0% (weakest 55%)" in text  # each judge alone
    assert report.as_dict()["steps"] == 2000


@pytest.mark.parametrize(
    ("ingredient", "switched_off"),
    [
        ("projection D", lambda G, D: D.embed is None and D.conditioning == "concat"),
        ("AC-GAN term", lambda G, D: not D.aux_classifier),
        ("minibatch-std", lambda G, D: D.mbstd is None),
        ("R1 penalty", lambda G, D: True),
        ("EMA of G", lambda G, D: True),
    ],
)
def test_without_switches_off_one_ingredient_and_keeps_the_rest(ingredient, switched_off):
    recipe = conditional_dcgan("digits")
    ablated = recipe.without(ingredient)
    changed = {f for f in recipe.__dataclass_fields__ if getattr(recipe, f) != getattr(ablated, f)}
    assert changed == set(INGREDIENTS[ingredient])
    G, D = ablated.build()
    assert switched_off(G, D)
    assert G.num_classes == D.num_classes == 10  # the label still reaches both networks


def test_without_an_unknown_ingredient():
    with pytest.raises(ValueError, match="projection D, AC-GAN term"):
        conditional_dcgan("digits").without("dropout")


class _AlwaysZero(torch.nn.Module):
    """A judge that names class 0 for every image: acc_0 = 1 and acc_c = 0 otherwise."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return torch.nn.functional.one_hot(torch.zeros(len(x), dtype=torch.long), 10).float() + self.w


def test_ablate_runs_the_full_recipe_per_seed_then_each_ingredient_once():
    data = load_gan_dataset("digits")
    recipe = dataclasses.replace(conditional_dcgan("digits"), batch_size=8)
    runs = ablate(recipe, data, _AlwaysZero(), steps=2, ingredients=("R1 penalty", "EMA of G"), seeds=(0, 1),
                  n_per_class=3, device="cpu")  # fmt: skip
    assert [(r.removed, r.seed) for r in runs] == [("none", 0), ("none", 1), ("EMA of G", 0), ("R1 penalty", 0)]
    for r in runs:  # the judge always says 0: the mean over 10 classes is 1/10, the worst class 0
        assert r.class_accuracy == pytest.approx(0.1) and r.worst_class_accuracy == 0.0
    assert runs[2].seconds == 0.0 and runs[0].seconds > 0
