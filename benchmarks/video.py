"""Notebook 07's measured claims: temporal consistency against flicker, and feed-forward speed.

    python benchmarks/video.py                     # the default profile's clip and training
    python benchmarks/video.py --skip-video --ff-steps 400 1000 --seeds 0 --held-out chelsea

Video (chelsea, pan + zoom, style mosaic, vgg16-hed, w_s = 30, w_tv = 10, single scale):

* independent: every frame from its content image, ``--steps`` L-BFGS evaluations each;
* temporal: frame 0 the same, then each frame warm-started from the previous output warped by the
  known motion, with the temporal loss (w_temp = DEFAULT_TEMPORAL_WEIGHT), ``--warm-steps`` each.

Targets: flicker (motion-compensated mean absolute change, :func:`tutorial_lib.video.temporal.flicker`)
at least 50 % lower with the temporal term, at a similar mean style loss (recomputed on the
outputs with the same targets for both).

Feed-forward stylizer: a :class:`~tutorial_lib.video.transformnet.TransformNet` trained as notebook 07 trains it
(the default profile's crops and batch, the style at 256 px, stylize's balanced objective) without the held-out
photo, for each of ``--seeds``, and scored at each of ``--ff-steps`` (one run, continued from its checkpoint).
Both it and :func:`~tutorial_lib.style.optimize.stylize` with its defaults stylize each ``--held-out`` photo at
256 px (longest side); both outputs are scored with the same extractor and the same balanced layer weights
(:func:`~tutorial_lib.video.temporal.frame_losses`). Targets (issue 16): the network's style loss at most 2x and its
content loss at most 1.5x stylize's, and at least 100x faster (wall clock: the best of three calls for the
network, one run for stylize).

Measured (2 threads, vgg16-hed, mosaic; bfloat16 convolutions in the extractor): see the figures recorded in
``tutorial_lib/video/feedforward.py``.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch

from tutorial_lib.config import get_profile, set_threads
from tutorial_lib.style.features import load_extractor
from tutorial_lib.style.images import resolve_image
from tutorial_lib.style.optimize import stylize
from tutorial_lib.video.clips import pan_zoom_clip
from tutorial_lib.video.feedforward import seconds_per_call, stylize_fast, train_feedforward
from tutorial_lib.video.photos import PHOTOS
from tutorial_lib.video.temporal import DEFAULT_TEMPORAL_WEIGHT, frame_losses, stylize_video


def video(args: argparse.Namespace, ext) -> None:  # noqa: ANN001
    clip = pan_zoom_clip(args.content, args.frames, size=args.size)
    print(f"clip: {len(clip)} frames of {tuple(clip.frames.shape[-2:])} px from {args.content}, style {args.style}")
    runs = {
        "independent": {"temporal_weight": 0.0, "steps": args.steps},
        "temporal": {"temporal_weight": DEFAULT_TEMPORAL_WEIGHT, "steps": args.warm_steps, "first_steps": args.steps},
    }
    results = {}
    for name, kwargs in runs.items():
        cpu = time.process_time()
        r = stylize_video(clip, args.style, extractor=ext, progress=False, **kwargs)
        cpu = time.process_time() - cpu
        results[name] = r
        evals = kwargs.get("first_steps", kwargs["steps"]) + (len(clip) - 1) * kwargs["steps"]
        print(
            f"{name:>12}: flicker {r.flicker:.4f} | mean style loss {sum(r.style_loss) / len(clip):.3f} | "
            f"mean content loss {sum(r.content_loss) / len(clip):.2f} | {evals} evaluations | "
            f"{r.seconds:.0f} s wall, {cpu:.0f} s CPU"
        )
    cut = 1 - results["temporal"].flicker / results["independent"].flicker
    ratio = sum(results["temporal"].style_loss) / sum(results["independent"].style_loss)
    print(f"flicker cut by {cut:.0%} (target >= 50%); style loss ratio temporal/independent {ratio:.2f}")


def stylizer(args: argparse.Namespace, ext) -> None:  # noqa: ANN001
    profile = get_profile()
    style_image = resolve_image(args.style, size=256)
    ratios: dict[int, list[tuple[float, float, float]]] = {n: [] for n in args.ff_steps}
    for held in args.held_out:
        content = resolve_image(held, size=256)
        cpu, wall = time.process_time(), time.perf_counter()
        result = stylize(content, args.style, extractor=ext, progress=False)
        opt_cpu, opt_wall = time.process_time() - cpu, time.perf_counter() - wall
        (ref_c,), (ref_s,) = frame_losses(result.image, content, style_image, ext, layer_weights="balanced")
        print(
            f"{held} {tuple(content.shape[-2:])}: stylize {opt_wall:.1f} s wall / {opt_cpu:.1f} s CPU "
            f"(scales {result.settings['scales']}, steps {result.settings['steps']}): "
            f"style {ref_s:.3f}, content {ref_c:.1f}"
        )
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as ckpt:
                for steps in sorted(args.ff_steps):  # each run continues the previous one from its checkpoint
                    trained = train_feedforward(
                        args.style,
                        steps=steps,
                        crop_size=profile.feedforward_crop,
                        batch_size=profile.feedforward_batch,
                        style_size=256,
                        photos=tuple(p for p in PHOTOS if p != held),
                        extractor=ext,
                        seed=seed,
                        checkpoint_dir=ckpt,
                        progress=False,
                    )
                    fast = stylize_fast(trained.model, content)
                    (c,), (s,) = frame_losses(fast, content, style_image, ext, layer_weights="balanced")
                    net_wall = seconds_per_call(lambda m=trained.model, x=content: stylize_fast(m, x), repeats=3)
                    ratios[steps].append((s / ref_s, c / ref_c, opt_wall / net_wall))
                    print(
                        f"  network, seed {seed}, {steps} steps ({trained.history['time_s'][-1]:.0f} s training): "
                        f"style {s:.3f} = {s / ref_s:.2f}x stylize's, content {c:.1f} = {c / ref_c:.2f}x; "
                        f"{net_wall * 1000:.0f} ms, {opt_wall / net_wall:.0f}x faster"
                    )
    for steps, rows in ratios.items():
        s, c, v = zip(*rows, strict=True)
        print(
            f"{steps} steps over {len(rows)} runs: style {min(s):.2f}-{max(s):.2f}x (target <= 2), "
            f"content {min(c):.2f}-{max(c):.2f}x (target <= 1.5), speed-up {min(v):.0f}-{max(v):.0f}x (target >= 100)"
        )


def main() -> None:
    profile = get_profile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", default="chelsea")
    parser.add_argument("--style", default="mosaic")
    parser.add_argument("--frames", type=int, default=profile.video_frames)
    parser.add_argument("--size", type=int, default=profile.video_size)
    parser.add_argument("--steps", type=int, default=profile.video_steps, help="evaluations per independent frame")
    parser.add_argument("--warm-steps", type=int, default=profile.video_warm_steps)
    parser.add_argument(
        "--ff-steps", type=int, nargs="+", default=[profile.feedforward_steps], help="training steps to score at"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="the network's seeds")
    parser.add_argument(
        "--held-out", nargs="+", default=["chelsea", "coffee"], help="photos left out of training and scored"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: $TUTORIAL_THREADS, else config.set_threads's rule)",
    )
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    set_threads(args.threads, work="large")
    print(f"profile {profile.name}, torch threads {torch.get_num_threads()}")
    ext = load_extractor("vgg16-hed", device="cpu")
    if not args.skip_video:
        video(args, ext)
    if not args.skip_speed:
        stylizer(args, ext)


if __name__ == "__main__":
    main()
