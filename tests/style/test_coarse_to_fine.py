"""The claim behind stylize's defaults, scaled down so CI runs it: coarse to fine reaches the single-scale
reference's loss with at most a third of its network work. Wall time is measured by ``benchmarks/style.py``;
here work is counted exactly, as pixels pushed through the network, so the test does not depend on the load."""

import pytest
import torch

from tutorial_lib.data import bundled_image
from tutorial_lib.style.features import load_extractor
from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.losses import style_transfer_loss
from tutorial_lib.style.optimize import CONTENT_LAYERS, DEFAULT_STEPS, STYLE_LAYERS, stylize

WEIGHTS = {"content_weight": 1.0, "style_weight": 10.0, "tv_weight": 0.0}


def full_size_equivalents(result) -> float:  # noqa: ANN001
    """Evaluations weighted by their pixel count relative to the full size (an evaluation at scale s costs s²)."""
    h, w = result.settings["size"]
    cost = 0.0
    for s in result.history["scale"]:
        sh, sw = max(1, round(h * s)), max(1, round(w * s))
        cost += sh * sw / (h * w)
    return cost


@pytest.mark.slow
def test_coarse_to_fine_reaches_the_reference_loss_with_a_third_of_the_work():
    """The benchmark on a quarter of its pixels: chelsea 128x192 px, hubble_deep_field, vgg16-hed, w_s = 10.

    Reference: 200 single-scale L-BFGS evaluations (fewer than the benchmark's 300: a smaller image converges
    sooner). Candidate: scales (0.25, 0.5, 1) with the default full-size steps and half the default coarse ones.
    """
    ext = load_extractor("vgg16-hed", device="cpu")
    content = bundled_image("chelsea", size=(128, 192))
    style = bundled_image("hubble_deep_field", size=192)
    coarse_a, coarse_b, full = DEFAULT_STEPS[3]
    ours = stylize(
        content,
        style,
        extractor=ext,
        **WEIGHTS,
        scales=(0.25, 0.5, 1.0),
        steps=(coarse_a // 2, coarse_b // 2, full),
        progress=False,
    )
    ref = stylize(content, style, extractor=ext, **WEIGHTS, scales=(1.0,), steps=200, progress=False)

    layers = [*STYLE_LAYERS, *CONTENT_LAYERS]
    with torch.no_grad():
        ct = dict(ext(content, list(CONTENT_LAYERS)))
        st = {k: gram_matrix(v) for k, v in ext(style, list(STYLE_LAYERS)).items()}
        loss = {
            name: style_transfer_loss(ext(r.image, layers), ct, st, r.image, **WEIGHTS)["total"].item()
            for name, r in [("ours", ours), ("ref", ref)]
        }
    work = {"ours": full_size_equivalents(ours), "ref": full_size_equivalents(ref)}
    assert work["ref"] == pytest.approx(200)
    assert work["ours"] <= work["ref"] / 3, work
    assert loss["ours"] <= loss["ref"], loss
