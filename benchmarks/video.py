"""Notebook 07's measured claims: temporal consistency against flicker, and feed-forward speed.

    python benchmarks/video.py                     # the default profile's clip and training
    python benchmarks/video.py --frames 8 --size 96 --ff-steps 100 --threads 1

Video (chelsea, pan + zoom, style mosaic, vgg16-hed, w_s = 30, w_tv = 10, single scale):

* independent: every frame from its content image, ``--steps`` L-BFGS evaluations each;
* temporal: frame 0 the same, then each frame warm-started from the previous output warped by the
  known motion, with the temporal loss (w_temp = DEFAULT_TEMPORAL_WEIGHT), ``--warm-steps`` each.

Targets: flicker (motion-compensated mean absolute change, :func:`tutorial_lib.video.temporal.flicker`)
at least 50 % lower with the temporal term, at a similar mean style loss (recomputed on the
outputs with the same targets for both).

Speed: a feed-forward :class:`~tutorial_lib.video.feedforward.TransformNet` trained for
``--ff-steps`` steps, against :func:`~tutorial_lib.style.optimize.stylize` with its defaults, both on
chelsea at 256 px (longest side). Target: at least 100x faster. Times are wall clock (the best of
three for the network, one run for stylize) and CPU time (``time.process_time``), which is less
disturbed by other processes on a shared machine.
"""

from __future__ import annotations

import argparse
import time

import torch

from tutorial_lib.config import get_profile, set_threads
from tutorial_lib.style.features import load_extractor
from tutorial_lib.style.images import resolve_image
from tutorial_lib.style.optimize import stylize
from tutorial_lib.video.clips import pan_zoom_clip
from tutorial_lib.video.feedforward import seconds_per_call, stylize_fast, train_feedforward
from tutorial_lib.video.temporal import DEFAULT_TEMPORAL_WEIGHT, stylize_video


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


def speed(args: argparse.Namespace, ext) -> None:  # noqa: ANN001
    profile = get_profile()
    cpu = time.process_time()
    trained = train_feedforward(
        args.style,
        steps=args.ff_steps,
        crop_size=profile.feedforward_crop,
        batch_size=profile.feedforward_batch,
        extractor=ext,
        progress=False,
    )
    h = trained.history
    print(
        f"feed-forward training: {args.ff_steps} steps in {time.process_time() - cpu:.0f} s CPU; "
        f"loss {h['total'][0]:.4g} -> {sum(h['total'][-10:]) / len(h['total'][-10:]):.4g} (mean of the last 10)"
    )
    content = resolve_image(args.content, size=256)
    net_wall = seconds_per_call(lambda: stylize_fast(trained.model, content), repeats=3)
    cpu = time.process_time()
    stylize_fast(trained.model, content)
    net_cpu = time.process_time() - cpu
    cpu, wall = time.process_time(), time.perf_counter()
    result = stylize(content, args.style, extractor=ext, progress=False)
    opt_cpu, opt_wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"256 px ({tuple(content.shape[-2:])}): stylize {opt_wall:.1f} s wall / {opt_cpu:.1f} s CPU "
        f"(scales {result.settings['scales']}, steps {result.settings['steps']}); "
        f"network {net_wall * 1000:.0f} ms wall / {net_cpu * 1000:.0f} ms CPU"
    )
    print(f"speed-up {opt_wall / net_wall:.0f}x wall, {opt_cpu / max(net_cpu, 1e-6):.0f}x CPU (target >= 100x)")


def main() -> None:
    profile = get_profile()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", default="chelsea")
    parser.add_argument("--style", default="mosaic")
    parser.add_argument("--frames", type=int, default=profile.video_frames)
    parser.add_argument("--size", type=int, default=profile.video_size)
    parser.add_argument("--steps", type=int, default=profile.video_steps, help="evaluations per independent frame")
    parser.add_argument("--warm-steps", type=int, default=profile.video_warm_steps)
    parser.add_argument("--ff-steps", type=int, default=profile.feedforward_steps)
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
        speed(args, ext)


if __name__ == "__main__":
    main()
