import dataclasses

import pytest
import torch

from tutorial_lib.data import ANIMAL_CLASSES
from tutorial_lib.gan.quality import QualityReport
from tutorial_lib.gan.recipes import conditional_dcgan, load_gan_dataset


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
    report = QualityReport(0.9, 12.0, 0.75, [0.75] * 10, 0.8, 2000, 150.0, 13.3, "cpu", 2)
    text = report.summary(ANIMAL_CLASSES)
    assert "75.0%" in text and "2000 steps in 150 s" in text and "zebra 75%" in text
    assert report.as_dict()["steps"] == 2000
