"""The claim behind stylize's coarse-to-fine schedule, scaled down so CI runs it: at the same network work,
coarse to fine reaches a much lower loss than a single scale. Wall time is measured by ``benchmarks/style.py``;
here work is counted exactly, as pixels pushed through the network, so the test does not depend on the load."""

import pytest
import torch

from tutorial_lib.data import bundled_image
from tutorial_lib.style.features import load_extractor
from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.losses import balanced_layer_weights, style_transfer_loss
from tutorial_lib.style.optimize import CONTENT_LAYERS, DEFAULT_STEPS, DEFAULT_STYLE_WEIGHT, STYLE_LAYERS, stylize

WEIGHTS = {"content_weight": 1.0, "style_weight": DEFAULT_STYLE_WEIGHT, "tv_weight": 0.0}  # balanced layer weights


def full_size_equivalents(result) -> float:  # noqa: ANN001
    """Evaluations weighted by their pixel count relative to the full size (an evaluation at scale s costs s²)."""
    h, w = result.settings["size"]
    cost = 0.0
    for s in result.history["scale"]:
        sh, sw = max(1, round(h * s)), max(1, round(w * s))
        cost += sh * sw / (h * w)
    return cost


@pytest.mark.slow
def test_coarse_to_fine_beats_a_single_scale_at_the_same_work():
    """The benchmark on a quarter of its pixels: chelsea 128x192 px, hubble_deep_field, vgg16-hed, stylize's
    default w_s and balanced layer weights (fixed from the full-size targets at every scale).

    Candidate: scales (0.25, 0.5, 1) with the default full-size steps and half the default coarse ones (about
    51 full-size equivalents). Against single-scale L-BFGS with as many evaluations it reached 61.4 against
    189.7 (measured for issue #19); require a 2× lower loss. (With w_l = 1 and w_s = 10 it also matched 200
    single-scale evaluations; with balanced weights those reach 32.5, which this budget does not.)
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
    budget = round(full_size_equivalents(ours))
    ref = stylize(content, style, extractor=ext, **WEIGHTS, scales=(1.0,), steps=budget, progress=False)

    layers = [*STYLE_LAYERS, *CONTENT_LAYERS]
    with torch.no_grad():
        ct = dict(ext(content, list(CONTENT_LAYERS)))
        st = {k: gram_matrix(v) for k, v in ext(style, list(STYLE_LAYERS)).items()}
        w = balanced_layer_weights(st)  # as stylize computes them
        loss = {
            name: style_transfer_loss(ext(r.image, layers), ct, st, r.image, layer_weights=w, **WEIGHTS)["total"].item()
            for name, r in [("ours", ours), ("ref", ref)]
        }
    assert ours.settings["layer_weights"] == pytest.approx(w)
    assert full_size_equivalents(ref) == pytest.approx(budget)
    assert loss["ours"] <= loss["ref"] / 2, loss
