"""What notebooks 04 and 05 lose when their step counts shrink to fit a lesson, measured side by side.

    python benchmarks/style_lesson.py --threads 1            # both notebooks, about 12 CPU-minutes
    python benchmarks/style_lesson.py --only 05 --threads 1

Notebook 05's main stylization (chelsea painted with the procedural ``strokes`` style at 256 px,
170×256, the default extractor and weights: w_c = 1, w_s = ``DEFAULT_STYLE_WEIGHT``, w_tv =
``DEFAULT_TV_WEIGHT``, balanced layer weights) under several schedules. Each result is scored
from scratch with the same full-size objective: its content term, its style term (balanced w_l,
before w_s) and the weighted total.

Notebook 04's textures (``mosaic`` at 128 px, seed 0, layers relu1_1 … relu5_1), scored by the
trained extractor's balanced Gram distance d(x, s) (:mod:`tutorial_lib.style.texture_distance`):
the main texture (coarse to fine) and section 8's three comparison runs (random network with
w_l = 1, random network balanced, trained network balanced), coarse to fine at 150 evaluations
(the old notebook) against single-scale at 75 (the new one, like section 7).

Measured on 2 shared CPU cores, one thread each, vgg16-hed (CPU seconds of this process):

Notebook 05, main stylization (schedule: CPU s, content term, style term, total):

* 300 evaluations, scales (0.5, 1), (106, 194) per scale: 167 s, 55.0, 0.0583, 66.86 (the old notebook)
* 120 evaluations, (42, 78): 66 s, 58.2, 0.0618, 70.71 (the new notebook)
* (40, 80): 67 s, 58.0, 0.0617, 70.49; (80, 60): 59 s, 60.4, 0.0632, 73.12
* 100 evaluations, single scale: 75 s, 56.2, 0.0608, 68.58

Notebook 04, d(x, s): main texture 300 evaluations (106, 194) 0.00346 in 72 s, 250 0.00438 in 55 s
(the new notebook's cell), 200 (71, 129) 0.00616 in 47 s, 150 (53, 97) 0.00860 in 36 s.
Section 8, coarse to fine 150 → single scale 75:
random w_l = 1 3.14 → 3.14 (26 → 12 s; still noise), random balanced 1.80 → 1.93 (40 → 25 s),
trained balanced 0.0086 → 0.0195 (31 → 22 s). The ordering the notebook teaches is unchanged.
"""

from __future__ import annotations

import argparse
import time
import warnings

import torch

from tutorial_lib.config import set_threads
from tutorial_lib.style import load_extractor, stylize, synthesize_texture
from tutorial_lib.style.gram import gram_matrix
from tutorial_lib.style.images import resolve_image
from tutorial_lib.style.losses import balanced_layer_weights, style_transfer_loss
from tutorial_lib.style.optimize import CONTENT_LAYERS, DEFAULT_STYLE_WEIGHT, DEFAULT_TV_WEIGHT, STYLE_LAYERS
from tutorial_lib.style.texture_distance import gram_distance

SCHEDULES_05 = {
    "300 evaluations, default split": dict(steps=300),
    "120 evaluations, default split": dict(steps=120),
    "(40, 80)": dict(steps=(40, 80)),
    "(80, 60)": dict(steps=(80, 60)),
    "100 evaluations, single scale": dict(steps=100, scales=(1.0,)),
}


def notebook_05(ext, size: int = 256, style: str = "strokes") -> None:  # noqa: ANN001
    """Score notebook 05's main stylization under each schedule of SCHEDULES_05."""
    content, style_img = resolve_image("chelsea", size=size), resolve_image(style, size=size)
    with torch.no_grad():
        ct = dict(ext(content, list(CONTENT_LAYERS)))
        st = {k: gram_matrix(v) for k, v in ext(style_img, list(STYLE_LAYERS)).items()}
    weights = (1.0, DEFAULT_STYLE_WEIGHT, DEFAULT_TV_WEIGHT, balanced_layer_weights(st))
    for label, kw in SCHEDULES_05.items():
        t = time.process_time()
        r = stylize("chelsea", style, extractor=ext, size=size, progress=False, **kw)
        cpu = time.process_time() - t
        with torch.no_grad():
            x = r.image
            parts = style_transfer_loss(ext(x, [*STYLE_LAYERS, *CONTENT_LAYERS]), ct, st, x, *weights)
        print(
            f"05 {label:32s} steps {r.settings['steps']} {cpu:5.0f} s: content {parts['content']:.4g}, "
            f"style {parts['style']:.4g}, total {parts['total']:.4g}",
            flush=True,
        )


def notebook_04(ext, size: int = 128, texture: str = "mosaic") -> None:  # noqa: ANN001
    """Score notebook 04's main texture and section 8's comparison, old and new settings."""
    layers = STYLE_LAYERS
    style_img = resolve_image(texture, size=size)
    for steps in (300, 250, 200, 150):
        t = time.process_time()
        r = synthesize_texture(texture, size, extractor=ext, layers=layers, steps=steps, progress=False)
        d = gram_distance(r.image, style_img, ext, layers)
        print(
            f"04 main texture, {steps} evaluations {r.settings['steps']}: d {d:.3g} in {time.process_time() - t:.0f} s"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        random_net = load_extractor("random", device="cpu")
    runs = {"random, w_l = 1": (random_net, None), "random, balanced": (random_net, "balanced")}
    runs["trained, balanced"] = (ext, "balanced")
    for schedule in (dict(steps=150), dict(steps=75, scales=(1.0,))):
        for label, (net, weights) in runs.items():
            t = time.process_time()
            r = synthesize_texture(
                texture, size, extractor=net, layers=layers, layer_weights=weights, progress=False, **schedule
            )
            d = gram_distance(r.image, style_img, ext, layers)
            print(f"04 section 8 {schedule}, {label}: d {d:.3g} in {time.process_time() - t:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["04", "05"], default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    print(f"threads: {set_threads(args.threads)}")
    ext = load_extractor("vgg16-hed", device="cpu")
    if args.only in (None, "05"):
        notebook_05(ext)
    if args.only in (None, "04"):
        notebook_04(ext)


if __name__ == "__main__":
    main()
