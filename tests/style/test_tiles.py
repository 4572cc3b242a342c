"""shuffle_tiles moves whole tiles, and pixel Gram matrices cannot tell (the property notebook 04 relies on)."""

import pytest
import torch

from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.tiles import shuffle_tiles


def _image(seed: int = 0, shape=(2, 3, 12, 16)) -> torch.Tensor:
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def test_every_output_tile_is_one_input_tile_and_each_is_used_once():
    x, t = _image(), 4
    y = shuffle_tiles(x, tiles=t, seed=3)
    th, tw = 12 // t, 16 // t

    def tile(img, k):
        i, j = divmod(k, t)
        return img[..., i * th : (i + 1) * th, j * tw : (j + 1) * tw]

    sources = [next(k for k in range(t * t) if torch.equal(tile(y, m), tile(x, k))) for m in range(t * t)]
    assert sorted(sources) == list(range(t * t))
    assert sources != list(range(t * t)), "seed 3 should move some tiles"


def test_one_tile_is_the_identity_and_leftover_pixels_are_dropped():
    x = _image(shape=(1, 3, 10, 11))
    assert torch.equal(shuffle_tiles(x, tiles=1), x)
    assert shuffle_tiles(x, tiles=3).shape == (1, 3, 9, 9)


def test_seeded_and_batch_consistent():
    x = _image()
    assert torch.equal(shuffle_tiles(x, seed=1), shuffle_tiles(x, seed=1))
    assert not torch.equal(shuffle_tiles(x, seed=1), shuffle_tiles(x, seed=2))
    both = shuffle_tiles(x, seed=5)
    assert torch.equal(both[1:], shuffle_tiles(x[1:], seed=5))


def test_pixel_gram_matrix_is_unchanged_by_shuffling():
    """With the pixels themselves as features (C = 3), shuffling permutes positions exactly: G is invariant."""
    x = _image().double()
    assert torch.allclose(gram_matrix(shuffle_tiles(x, tiles=4, seed=7)), gram_matrix(x), rtol=1e-12)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="image"):
        shuffle_tiles(torch.rand(3, 8, 8))
    with pytest.raises(ValueError, match="tiles"):
        shuffle_tiles(torch.rand(1, 3, 4, 4), tiles=5)
