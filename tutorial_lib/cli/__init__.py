"""Command line: ``python -m tutorial_lib COMMAND``.

Commands:
    info     print the environment check: versions, device, profile, feature extractor.
    student  write the student version of the notebooks (solutions replaced by stubs).
    gan      train a class-conditional DCGAN (animals or digits); write sample grids and a checkpoint.
    stylize  paint CONTENT in the style of STYLE (files, bundled or procedural names); write OUT.png.
    video    a stylized pan-and-zoom clip of CONTENT, with the temporal-consistency loss; write OUT.gif.

``info`` and ``student`` live here; each other command has its own module, which registers it:
:mod:`~tutorial_lib.cli.gan`, :mod:`~tutorial_lib.cli.stylize` and :mod:`~tutorial_lib.cli.video`.

Every command takes ``--threads N`` (torch CPU threads); without it
:func:`tutorial_lib.config.set_threads` reads ``$TUTORIAL_THREADS`` or picks the count itself.
"""

from __future__ import annotations

import argparse
import sys


def _info(args: argparse.Namespace) -> int:
    import platform

    import torch

    from .. import __version__
    from ..config import get_device, get_profile
    from ..style.features import load_extractor

    profile = get_profile()
    device = get_device()
    print(f"tutorial_lib {__version__} | Python {platform.python_version()} | torch {torch.__version__}")
    print(f"device: {device} | profile: {profile.name} | torch threads: {torch.get_num_threads()}")
    load_extractor("auto", allow_download=False, device=device)
    return 0


def _register_info(sub: argparse._SubParsersAction) -> None:
    info = sub.add_parser("info", help="print the environment check")
    info.set_defaults(func=_info)


def _student(args: argparse.Namespace) -> int:
    from ..student import write_student_version

    for path in write_student_version(args.src, args.out):
        print(f"wrote {path}")
    return 0


def _register_student(sub: argparse._SubParsersAction) -> None:
    student = sub.add_parser("student", help="write the student version (solutions replaced by stubs)")
    student.add_argument("--src", default="notebooks", help="folder of the course notebooks")
    student.add_argument("--out", default="student", help="folder to write the student notebooks to")
    student.set_defaults(func=_student)


def _register_gan(sub: argparse._SubParsersAction) -> None:
    from .gan import register

    register(sub)


def _register_style(sub: argparse._SubParsersAction) -> None:
    from .stylize import register

    register(sub)


def _register_video(sub: argparse._SubParsersAction) -> None:
    from .video import register

    register(sub)


# Each topic registers its own subcommands: a function (subparsers) -> None that adds
# parsers and sets ``func``. Topic modules keep their heavy imports inside ``func``.
REGISTRARS = [_register_info, _register_student, _register_gan, _register_style, _register_video]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tutorial_lib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(sub)
    for command in sub.choices.values():
        command.add_argument(
            "--threads", type=_positive_int, default=None,
            help="torch CPU threads (default: $TUTORIAL_THREADS, else config.set_threads's rule)",
        )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..config import set_threads

    args = build_parser().parse_args(argv)
    set_threads(args.threads, work="large" if args.command in ("stylize", "video") else "small")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
