"""``python -m tutorial_lib gan``: train a class-conditional DCGAN and write sample grids and a checkpoint.

Example::

    python -m tutorial_lib gan --dataset animals --steps 2000 --out runs/animals

writes ``runs/animals/samples_step00500.png`` ... (one row per class), ``samples_final.png``
(from the weight-averaged generator), ``checkpoint.pt`` and ``history.png``. Running the
same command again resumes from the checkpoint; ``--restart`` starts over.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gan`` subcommand to the course's command line."""
    p = subparsers.add_parser("gan", help="train a class-conditional DCGAN; write sample grids and a checkpoint")
    p.add_argument("--dataset", choices=["animals", "digits"], default="animals", help="training images")
    p.add_argument("--steps", type=int, default=None, help="training steps (default: the profile's dcgan_steps)")
    p.add_argument("--out", required=True, help="output folder for grids and the checkpoint")
    p.add_argument("--batch-size", type=int, default=None, help="minibatch size (default: the profile's)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--grids", type=int, default=4, help="how many sample grids to write during training")
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint in --out")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=_run)


def _save_grid(images, labels, classes, per_class: int, path, scale: int) -> None:
    import torch

    from ..data import save_image
    from ..viz import image_grid

    rows = torch.cat([images[labels == c][:per_class] for c in range(len(classes))])
    grid = torch.from_numpy(image_grid(rows, nrow=per_class)).permute(2, 0, 1)[None]
    grid = grid.repeat_interleave(scale, dim=2).repeat_interleave(scale, dim=3)
    save_image(grid, path)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import torch

    from ..config import get_device, get_profile, seed_everything
    from ..gan.callbacks import EMA, SampleSnapshots, generate
    from ..gan.recipes import conditional_dcgan, load_gan_dataset
    from ..viz import plot_history

    profile = get_profile()
    steps = args.steps if args.steps is not None else profile.dcgan_steps
    if steps < 1:
        raise SystemExit("--steps must be >= 1")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device = get_device()
    data = load_gan_dataset(args.dataset)
    k = len(data.classes)
    seed_everything(args.seed)
    recipe = conditional_dcgan(args.dataset)
    G, D = recipe.build()
    per_class = 8
    z = torch.randn(k * per_class, G.latent_dim, generator=torch.Generator().manual_seed(args.seed))
    y = torch.arange(k).repeat_interleave(per_class)
    at = sorted({max(1, round(steps * (i + 1) / args.grids)) for i in range(args.grids)})
    snaps, ema = SampleSnapshots(z, at=at, y=y), EMA(G, recipe.ema_decay)
    print(f"Training a class-conditional DCGAN on {args.dataset} ({len(data)} images, {k} classes) for {steps} steps")
    print(f"device: {device} | profile: {profile.name} | output: {out.resolve()}")
    history = recipe.train(
        G, D, data, steps=steps, batch_size=args.batch_size, callbacks=[ema, snaps], checkpoint_dir=out,
        resume=not args.restart, device=device, seed=args.seed, progress=not args.no_progress,
    )  # fmt: skip
    scale = 4 if args.dataset == "digits" else 2
    for step, images in snaps.images.items():
        _save_grid(images, y, data.classes, per_class, out / f"samples_step{step:05d}.png", scale)
    _save_grid(generate(ema.model, z, y), y, data.classes, per_class, out / "samples_final.png", scale)
    plot_history(history, title=f"{args.dataset}: {steps} steps").savefig(out / "history.png", dpi=90)
    print(f"{len(history)} steps in {history.seconds:.0f} s ({history.steps_per_second:.1f} steps/s).")
    print(f"Wrote {len(snaps.images) + 1} sample grids (one row per class: {', '.join(data.classes)}),")
    print(f"history.png and checkpoint.pt to {out}")
    return 0
