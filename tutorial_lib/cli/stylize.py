"""``python -m tutorial_lib stylize CONTENT STYLE [STYLE ...] -o OUT.png``: style transfer from the shell.

CONTENT and STYLE are image files or names: bundled images (``chelsea``, ``astronaut``,
``brick`` ...) and procedural styles (``mosaic``, ``waves``, ``strokes``, ``dots``). Several
styles are blended (``--blend`` gives their weights). Examples::

    python -m tutorial_lib stylize chelsea mosaic -o cat_mosaic.png
    python -m tutorial_lib stylize photo.jpg strokes -o out.png --size 384 --preserve-color
    python -m tutorial_lib stylize chelsea waves dots --blend 0.7 0.3 -o blend.png
    python -m tutorial_lib stylize chelsea mosaic -o equal.png --layer-weights equal --style-weight 30
"""

from __future__ import annotations

import argparse
import sys


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in text.replace(",", " ").split())


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``stylize`` command (its heavy imports happen only when it runs)."""
    p = subparsers.add_parser(
        "stylize",
        help="paint an image in the style of another",
        description=(
            "Paint CONTENT in the style of STYLE by optimisation (Gatys et al.). CONTENT and STYLE are image "
            "files or names: bundled images (chelsea, astronaut, brick ...) and procedural styles (mosaic, "
            "waves, strokes, dots). Several styles are blended; --blend gives their weights."
        ),
        epilog="Defaults are the tuned ones of tutorial_lib.style.stylize.",
    )
    p.add_argument("content", help="content image: a file or a bundled image name (e.g. chelsea)")
    p.add_argument("style", nargs="+", help="style image(s): files, bundled or procedural names (e.g. mosaic)")
    p.add_argument("-o", "--output", required=True, help="where to write the result (PNG or JPEG)")
    p.add_argument("--size", type=int, default=None, help="longest side in pixels (default: the profile's)")
    p.add_argument("--style-weight", type=float, default=None, help="w_s (default: tuned)")
    p.add_argument("--content-weight", type=float, default=1.0, help="w_c (default 1)")
    p.add_argument("--tv-weight", type=float, default=None, help="w_tv (default: tuned)")
    p.add_argument(
        "--layer-weights",
        choices=("balanced", "equal"),
        default="balanced",
        help="style layer weights: balanced, w_l = 1/mean(G_l(s)^2), so every layer acts (default); or equal, all 1",
    )
    p.add_argument("--steps", type=int, default=None, help="total function evaluations (default: tuned)")
    p.add_argument("--scales", type=_floats, default=None, help='coarse-to-fine scales, e.g. "0.25 0.5 1"')
    p.add_argument("--optimizer", choices=("lbfgs", "adam"), default="lbfgs")
    p.add_argument("--init", choices=("content", "noise", "style"), default="content")
    p.add_argument(
        "--preserve-color",
        nargs="?",
        const="luminance",
        default=False,
        choices=("luminance", "histogram"),
        help="keep the content's colours (luminance-only transfer, or 'histogram' matching)",
    )
    p.add_argument("--style-scale", type=float, default=1.0, help="style size relative to the content's")
    p.add_argument("--blend", type=float, nargs="+", default=None, help="weights of several styles")
    p.add_argument("--extractor", default="auto", help="auto, vgg19-imagenet, vgg16-hed or random")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: CUDA when present)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_stylize)


def _stylize(args: argparse.Namespace) -> int:
    import time

    from ..config import get_profile
    from ..data import save_image
    from ..style import optimize

    kwargs = {}
    if args.style_weight is not None:
        kwargs["style_weight"] = args.style_weight
    if args.tv_weight is not None:
        kwargs["tv_weight"] = args.tv_weight
    start = time.perf_counter()
    try:
        result = optimize.stylize(
            args.content,
            args.style if len(args.style) > 1 else args.style[0],
            extractor=args.extractor,
            content_weight=args.content_weight,
            layer_weights=args.layer_weights,
            optimizer=args.optimizer,
            steps=args.steps,
            scales=args.scales,
            init=args.init,
            preserve_color=args.preserve_color,
            style_blend=args.blend,
            style_scale=args.style_scale,
            size=args.size or get_profile().image_size,
            seed=args.seed,
            device=args.device,
            progress=not args.quiet,
            **kwargs,
        )
        path = save_image(result.image, args.output)
    except (OSError, ValueError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        if isinstance(err, FileNotFoundError):
            from ..data import BUNDLED, PROCEDURAL_STYLES

            print(f"Names you can use instead of a file: {', '.join([*BUNDLED, *PROCEDURAL_STYLES])}.", file=sys.stderr)
        return 1
    h, w = result.image.shape[-2:]
    s = result.settings
    print(
        f"wrote {path} ({w}x{h} px) in {time.perf_counter() - start:.1f} s | extractor {s['extractor']} | "
        f"scales {s['scales']} steps {s['steps']} | loss {result.loss:.4g}"
    )
    return 0
