"""``filmstyle adapt STILL -o LOOK``: learn a look (:func:`filmstyle.adaptation.adapt_look`)."""
from __future__ import annotations

import argparse

from filmstyle._cli.common import at_least, claim, device_of, device_option, force_option, given, option, step_bar
from filmstyle.core.assets import SHIPPED_INITS
from filmstyle.core.config import ADAPT_INIT, ADAPT_TONES, PARAMS, AdaptConfig, LossConfig

RESUMABLE = True


def add_parser(a: argparse.ArgumentParser) -> None:
    a.add_argument("still", help="the film still or painting (PNG/JPEG)")
    a.add_argument("-o", "--output", required=True, help="look file to write (e.g. film.look)")
    src = a.add_mutually_exclusive_group()
    src.add_argument("--video", help="clip whose frames are the content (default: the shipped sample clip)")
    src.add_argument("--content", help="folder of content images instead of a clip")
    a.add_argument("--init", default=argparse.SUPPRESS,
                   help="'meta' (the shipped meta-learned initialisation, default), 'meta-fast' (the shipped init "
                        "of a lean network: about 2.5x as fast on ONNX Runtime, a little less steady and further "
                        "from the still), 'scratch' (Johnson et al.: random weights; then 500 steps at lr 1e-3 by "
                        "default) or a look/init file")
    option(a, "--steps", cls=AdaptConfig, type=at_least(1, "--steps"), help="Adam steps (from scratch: 500)")
    option(a, "--size", cls=AdaptConfig, type=at_least(64, "--size"), help="training crop size in px")
    option(a, "--lr", cls=AdaptConfig, type=float, help="Adam learning rate (from scratch: 1e-3)")
    option(a, "--params", cls=AdaptConfig, choices=PARAMS, help="what adapts")
    option(a, "--frames", cls=AdaptConfig, type=at_least(1, "--frames"), help="content frames sampled from the clip")
    option(a, "--style-weight", cls=LossConfig, type=float, help="weight of the style term; higher = stronger look")
    option(a, "--temporal-weight", cls=LossConfig, type=float,
           help="weight of the temporal loss on consecutive frames of the clip; 0 = off (300 steadies animation)")
    option(a, "--tone", cls=AdaptConfig, choices=ADAPT_TONES,
           help="what the loss sees: 'grade' = what render --tone grade shows (the grade plus the network's detail), "
                "'none' = the network's raw output")
    option(a, "--detail-sigma", cls=AdaptConfig, type=float,
           help="with --tone grade: the network's detail is its output above this Gaussian scale (px at 360p); "
                "the look keeps it and render uses it")
    option(a, "--seed", cls=AdaptConfig, type=int, help="seeds the crops")
    a.add_argument("--width", type=at_least(1, "--width"), help="network width (scratch only; default 16)")
    a.add_argument("--depth", type=at_least(0, "--depth"), help="residual blocks (scratch only; default 5)")
    a.add_argument("--end-kernel", type=int, choices=(3, 5, 7, 9), help="kernel of the first and last conv (scratch only; default 9)")
    a.add_argument("--decoder", type=at_least(1, "--decoder"), nargs=2, metavar=("C1", "C2"),
                   help="widths of the two upsampling convs (scratch only; default 2 x width, width)")
    device_option(a)
    a.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    force_option(a)


def run(args: argparse.Namespace) -> None:
    from filmstyle.adaptation import adapt_look
    from filmstyle.core.errors import check_readable_file

    init = getattr(args, "init", ADAPT_INIT)
    cfg = AdaptConfig.for_init(init, **given(args, AdaptConfig), loss=LossConfig(**given(args, LossConfig)))
    check_readable_file(args.still, "still")
    out = claim(args, args.output, args.still, args.video, init if init not in (*SHIPPED_INITS, "scratch") else None,
                suffixes=(".look",), what="look")
    ckpt = out.with_name(out.name + ".ckpt")
    if args.restart:
        ckpt.unlink(missing_ok=True)
    net_config = {k: v for k, v in (("width", args.width), ("depth", args.depth), ("end_kernel", args.end_kernel),
                                    ("decoder", args.decoder)) if v is not None}
    bar, on_step = step_bar(cfg.steps, "adapt", args.quiet)
    with bar:
        look, result = adapt_look(args.still, cfg, video_path=args.video, content_dir=args.content, init=init, device=device_of(args),
                                  net_config=net_config or None, checkpoint=ckpt, on_step=on_step)
    look.save(out)
    ckpt.unlink(missing_ok=True)
    losses = ", ".join(f"{k} {v:.4g}" for k, v in result.losses.items())
    resumed = f" (resumed at step {result.resumed_from})" if result.resumed_from else ""
    print(f"wrote {out}: {cfg.steps} steps in {result.seconds:.1f} s{resumed}; final loss: {losses}")
