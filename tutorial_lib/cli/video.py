"""``python -m tutorial_lib video CONTENT STYLE -o OUT.gif``: a stylized pan-and-zoom clip from the shell.

CONTENT is an image file or a bundled image name; the clip pans across it while zooming in
(:func:`tutorial_lib.video.clips.pan_zoom_clip`). STYLE is a file, a bundled or a procedural name.
Frames are stylized with the temporal-consistency loss unless ``--independent`` is given. Examples::

    python -m tutorial_lib video chelsea mosaic -o cat.gif
    python -m tutorial_lib video photo.jpg strokes -o out.gif --frames 32 --size 160
    python -m tutorial_lib video chelsea waves -o flicker.gif --independent
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``video`` command (its heavy imports happen only when it runs)."""
    p = subparsers.add_parser(
        "video",
        help="write a stylized pan-and-zoom clip of an image as an animated GIF",
        description=(
            "Render a short clip that pans across CONTENT while zooming in, stylize every frame in the style "
            "of STYLE, and write an animated GIF. By default each frame starts from the previous output warped "
            "by the known motion, with a temporal-consistency loss (Ruder et al. 2016); --independent "
            "stylizes every frame on its own, which flickers."
        ),
        epilog="Defaults come from the active profile (TUTORIAL_PROFILE): frames, size and steps of notebook 07.",
    )
    p.add_argument("content", help="content image: a file or a bundled image name (e.g. chelsea)")
    p.add_argument("style", help="style image: a file, a bundled or a procedural name (e.g. mosaic)")
    p.add_argument("-o", "--output", required=True, help="where to write the clip (a .gif file)")
    p.add_argument("--frames", type=int, default=None, help="number of frames (default: the profile's)")
    p.add_argument("--size", type=int, default=None, help="longest side of a frame in pixels (default: profile)")
    p.add_argument("--steps", type=int, default=None, help="L-BFGS evaluations for the first (or every) frame")
    p.add_argument("--warm-steps", type=int, default=None, help="evaluations per warm-started frame")
    p.add_argument("--temporal-weight", type=float, default=None, help="w_temp of the temporal loss")
    p.add_argument("--independent", action="store_true", help="stylize each frame on its own (no temporal term)")
    p.add_argument("--zoom", type=float, nargs=2, default=(1.0, 1.4), metavar=("START", "END"))
    p.add_argument("--fps", type=float, default=12.0, help="frames per second of the GIF")
    p.add_argument("--extractor", default="auto", help="auto, vgg19-imagenet, vgg16-hed or random")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: CUDA when present)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_video)


def _video(args: argparse.Namespace) -> int:
    from ..config import get_profile
    from ..video import clips, temporal

    profile = get_profile()
    try:
        if not args.output.lower().endswith(".gif"):
            raise ValueError(f"the output must be a .gif file (Pillow writes GIFs offline); got {args.output!r}")
        clip = clips.pan_zoom_clip(
            args.content, args.frames or profile.video_frames, size=args.size or profile.video_size, zoom=args.zoom
        )
        steps = args.steps or profile.video_steps
        w_temp = temporal.DEFAULT_TEMPORAL_WEIGHT if args.temporal_weight is None else args.temporal_weight
        if args.independent:
            kwargs = {"temporal_weight": 0.0, "steps": steps}
        else:
            kwargs = {
                "temporal_weight": w_temp,
                "steps": args.warm_steps or profile.video_warm_steps,
                "first_steps": steps,
            }
        result = temporal.stylize_video(
            clip,
            args.style,
            extractor=args.extractor,
            seed=args.seed,
            device=args.device,
            progress=not args.quiet,
            **kwargs,
        )
        path = clips.save_gif(result.frames, args.output, fps=args.fps)
    except (OSError, ValueError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    t, _, h, w = result.frames.shape
    mean_style = sum(result.style_loss) / len(result.style_loss)
    print(
        f"wrote {path} ({t} frames, {w}x{h} px) in {result.seconds:.1f} s | "
        f"{'independent frames' if args.independent else 'temporal term'} | flicker {result.flicker:.4f} | "
        f"mean style loss {mean_style:.3g}"
    )
    return 0
