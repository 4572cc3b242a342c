import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from tutorial_lib.viz import image_grid, show_class_grid, show_grid, show_images, show_mixture


def test_image_grid_places_each_image():
    imgs = torch.stack([torch.full((1, 2, 2), v) for v in (0.0, 0.25, 0.5)])
    grid = image_grid(imgs, nrow=2, padding=1, pad_value=1.0)
    assert grid.shape == (2 * 3 + 1, 2 * 3 + 1, 3)
    assert np.all(grid[1:3, 1:3] == 0.0) and np.all(grid[1:3, 4:6] == 0.25) and np.all(grid[4:6, 1:3] == 0.5)
    assert np.all(grid[4:6, 4:6] == 1.0)  # empty slot stays padding
    with pytest.raises(ValueError, match="N, 1|3"):
        image_grid(torch.rand(3, 2, 2))


def test_figures_are_returned():
    assert show_grid(torch.rand(4, 3, 8, 8)).axes
    assert len(show_images([torch.rand(1, 3, 8, 8)] * 3, titles=list("abc")).axes) == 3
    labels = torch.arange(3).repeat_interleave(2)
    assert len(show_class_grid(torch.rand(6, 1, 5, 5), labels, ["a", "b", "c"], per_class=2).axes) == 3
    assert show_mixture(torch.randn(10, 2), torch.zeros(1, 2)).axes
    with pytest.raises(ValueError, match="titles"):
        show_images([torch.rand(1, 3, 8, 8)], titles=["a", "b"])
