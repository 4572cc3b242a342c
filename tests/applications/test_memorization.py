import pytest
import torch

from tutorial_lib.applications.memorization import classifier_features, memorization_check, nearest_neighbours
from tutorial_lib.common.classifier import SmallClassifier


def _images(n, seed):
    return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed))


def test_nearest_neighbours_match_brute_force():
    q, ref = _images(7, 0), _images(50, 1)
    d, i = nearest_neighbours(q, ref, batch_size=3)
    for k in range(7):
        dists = torch.stack([(q[k] - r).pow(2).sum().sqrt() for r in ref])
        assert i[k] == dists.argmin() and d[k].item() == pytest.approx(dists.min().item(), rel=1e-5)
    d, i = nearest_neighbours(ref[[4, 9]], ref)
    assert torch.equal(i, torch.tensor([4, 9])) and d.max() == 0
    with pytest.raises(ValueError, match="same size"):
        nearest_neighbours(q, torch.rand(5, 1, 4, 4))


def test_a_copying_generator_is_flagged_and_new_images_are_not():
    train, heldout = _images(300, 2), _images(100, 3)
    copies = train[:50] + 0.01 * torch.randn(50, 1, 8, 8, generator=torch.Generator().manual_seed(4))
    report = memorization_check(copies, train, heldout)
    assert report.near_copy.all() and torch.equal(report.generated_index, torch.arange(50))
    assert report.heldout_near == 0.0  # independent uniform images are far from each other
    fresh = memorization_check(_images(50, 5), train, heldout)
    assert not fresh.near_copy.any()
    assert fresh.generated.median().item() == pytest.approx(fresh.heldout.median().item(), rel=0.1)  # same distribution
    assert "near copies" in report.summary()


def test_classifier_features_are_the_input_of_the_last_layer():
    torch.manual_seed(0)
    model = SmallClassifier(3, image_size=8)
    x = _images(5, 6)
    f = classifier_features(model, x)
    assert f.shape == (5, 128)
    torch.testing.assert_close(model.net[-1](f), model(x).detach())
    report = memorization_check(x, x, _images(4, 7), features=lambda im: classifier_features(model, im))
    assert report.space == "feature" and report.near_copy.all()
