import os
import pickle
from dataclasses import replace

import numpy as np
import pytest
import torch

from tutorial_lib.data import ANIMAL_CLASSES, _assets, datasets, load_animals, load_digits_tensor
from tutorial_lib.data._assets import Asset, AssetHashError, AssetNotFoundError, sha256_of, verify_sha256
from tutorial_lib.data.datasets import load_numpy_pickle


def test_digits():
    d = load_digits_tensor()
    assert d.images.shape == (1797, 1, 8, 8) and d.images.dtype == torch.float32
    assert d.images.min() == 0 and d.images.max() == 1
    assert d.labels.shape == (1797,) and set(d.labels.tolist()) == set(range(10))
    assert d.classes == tuple("0123456789")


def test_animals_train_test_split_is_stratified_disjoint_and_complete():
    train, test = load_animals("train"), load_animals("test")
    assert train.images.shape == (8000, 1, 28, 28) and test.images.shape == (2000, 1, 28, 28)
    assert train.labels.bincount().tolist() == [800] * 10
    assert test.labels.bincount().tolist() == [200] * 10
    assert train.classes == ANIMAL_CLASSES and train.classes[7] == "horse" and train.classes[9] == "zebra"
    everything = load_animals("all", as_float=False).images.reshape(10000, -1)
    both = torch.cat([train.images, test.images]).mul(255).round().to(torch.uint8).reshape(10000, -1)
    # same multiset of images: sort rows lexicographically via a hash
    key = lambda x: sorted(map(bytes, x.numpy()))  # noqa: E731
    assert key(everything) == key(both)
    # shuffled: labels are not in blocks any more
    assert (train.labels[:-1] != train.labels[1:]).float().mean() > 0.5


def test_animals_are_silhouettes_and_deterministic():
    a = load_animals("test", seed=0)
    b = load_animals("test", seed=0)
    assert torch.equal(a.images, b.images)
    assert a.images.min() == 0 and a.images.max() == 1
    assert not torch.equal(load_animals("test", seed=1).images, a.images)


def test_animal_class_subset_reindexes():
    hz = load_animals("all", classes=("horse", "zebra"))
    assert hz.classes == ("horse", "zebra") and hz.labels.bincount().tolist() == [1000, 1000]
    full = load_animals("all")
    assert torch.equal(hz.of_class("zebra")[:5], full.of_class("zebra")[:5])
    with pytest.raises(ValueError, match="unicorn"):
        load_animals(classes=("unicorn",))
    with pytest.raises(ValueError, match="split"):
        load_animals("validation")


def test_numpy_only_unpickler_roundtrip_and_refusal():
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert np.array_equal(load_numpy_pickle(pickle.dumps(arr)), arr)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError, match="Refusing to load .*system"):
        load_numpy_pickle(pickle.dumps(Evil()))
    with pytest.raises(pickle.UnpicklingError, match="Expected a NumPy array"):
        load_numpy_pickle(pickle.dumps([1, 2]))


def test_hash_mismatch_is_refused(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"hello")
    verify_sha256(path, sha256_of(path))
    with pytest.raises(AssetHashError, match="data.bin' has SHA-256 .*expected 0000.*--force-reinstall"):
        verify_sha256(path, "0" * 64)


def test_animal_loader_checks_the_hash(monkeypatch):
    datasets._read_animals.cache_clear()
    bad = replace(_assets.ANIMAL_IMAGES, sha256="f" * 64)
    monkeypatch.setattr(datasets, "ANIMAL_IMAGES", bad)
    with pytest.raises(AssetHashError):
        load_animals()
    datasets._read_animals.cache_clear()


def test_missing_asset_package_says_how_to_install():
    asset = Asset("no-such-course-asset", "1.0", "x/y.bin", "0" * 64, "MIT")
    with pytest.raises(AssetNotFoundError, match="requirements/assets.txt"):
        asset.path()
