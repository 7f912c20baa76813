"""``filmstyle meta-train -o INIT``: meta-learn an initialisation
(:func:`filmstyle.adaptation.meta_train_init`)."""
from __future__ import annotations

import argparse
from pathlib import Path

from filmstyle._cli.common import claim, device_of, device_option, force_option, given, option, positive_float, progress
from filmstyle.core.config import ADAPT_TONES, OUTER_LOOPS, PARAMS, MetaTrainConfig
from filmstyle.core.errors import InputError

RESUMABLE = True


def add_parser(m: argparse.ArgumentParser) -> None:
    m.add_argument("-o", "--output", required=True, help="init file to write (e.g. init.look), for `adapt --init`")
    option(m, "--algorithm", cls=MetaTrainConfig, choices=OUTER_LOOPS, help="the outer loop")
    option(m, "--iterations", cls=MetaTrainConfig, type=int, help="outer iterations")
    option(m, "--inner-steps", cls=MetaTrainConfig, type=int, help="adaptation steps K per task")
    option(m, "--meta-batch", cls=MetaTrainConfig, type=int, help="tasks per outer step")
    option(m, "--size", cls=MetaTrainConfig, type=int, help="crop size in px")
    option(m, "--params", cls=MetaTrainConfig, choices=PARAMS, help="what the inner loop adapts")
    option(m, "--outer-lr", cls=MetaTrainConfig, type=float,
           help="outer step size (none: per algorithm, reptile 0.1, fomaml/maml 1e-3, es 1e-2)")
    option(m, "--anneal", cls=MetaTrainConfig, action="store_true", help="outer step size decays linearly to 0")
    option(m, "--inner-lr", cls=MetaTrainConfig, type=float, help="Adam step size of the inner loop; SGD's for maml")
    option(m, "--seed", cls=MetaTrainConfig, type=int, help="seeds the network, tasks and crops")
    option(m, "--eval-every", cls=MetaTrainConfig, type=int, help="held-out evaluation every N iterations")
    option(m, "--warmup", cls=MetaTrainConfig, type=int, help="reconstruction warm-up steps before meta-training")
    option(m, "--tone", cls=MetaTrainConfig, choices=ADAPT_TONES,
           help="what the losses see: 'none' = the network's raw output, 'grade' = each task's colour grade toward "
                "its style plus the network's detail (what adapt and render use by default)")
    option(m, "--detail-sigma", cls=MetaTrainConfig, type=float, help="with --tone grade: the detail band (px at 360p)")
    option(m, "--width", cls=MetaTrainConfig, type=int, help="network width, for a new network")
    option(m, "--depth", cls=MetaTrainConfig, type=int, help="residual blocks, for a new network")
    option(m, "--end-kernel", cls=MetaTrainConfig, type=int, choices=(3, 5, 7, 9),
           help="kernel of the first and last conv, for a new network")
    option(m, "--decoder", cls=MetaTrainConfig, type=int, nargs=2, metavar=("C1", "C2"),
           help="widths of the two upsampling convs, for a new network (none: 2 x width, width)")
    m.add_argument("--styles", help="folder of style images (default: the shared data's styles/)")
    m.add_argument("--content", help="folder of content photos (default: the shared data's content/)")
    m.add_argument("--videos", help="folder of clips whose frames are added to the content (optional)")
    m.add_argument("--log", help="JSONL log, one line per iteration (default OUT.jsonl)")
    device_option(m)
    m.add_argument("--resume", action="store_true", help="go on from OUT.ckpt if it belongs to the same run "
                   "(replacing OUT)")
    m.add_argument("--stop-after", type=positive_float("--stop-after"), metavar="SECONDS",
                   help="stop after about this many seconds, at the end of an iteration: the init so far is "
                        "written and the checkpoint kept, and the same command with --resume goes on")
    force_option(m)
    m.add_argument("--init", default=argparse.SUPPRESS, help="'scratch' (default: a new network) or a look/init file to start from")


def _folder(given: str | None, kind: str) -> Path:
    from filmstyle.core.assets import shared_data

    if given is not None:
        return Path(given)
    default = shared_data() / kind
    if not default.is_dir():
        raise InputError(default, f"no --{kind} folder given and the default is missing",
                         f"pass --{kind} DIR or set FILMSTYLE_SHARED")
    return default


def run(args: argparse.Namespace) -> None:
    from filmstyle.adaptation import meta_train_init

    cfg = MetaTrainConfig(**given(args, MetaTrainConfig))
    if not args.resume:  # a resumed run replaces what it wrote before
        claim(args, args.output, args.styles, args.content, getattr(args, "init", None), suffixes=(".look",), what="init")
    styles, content = _folder(args.styles, "styles"), _folder(args.content, "content")
    log = Path(args.log) if args.log else Path(args.output).with_suffix(".jsonl")
    with progress(cfg.iterations, f"meta-train {cfg.algorithm}", "it", args.quiet) as bar:
        def on_iteration(record: dict[str, float]) -> None:
            bar.n = int(record["iteration"])
            bar.set_postfix({k: f"{record[k]:.3g}" for k in ("pre", "post", "eval_post") if k in record}, refresh=True)

        out, result = meta_train_init(cfg, styles_dir=styles, content_dir=content, videos_dir=args.videos,
                                        output=args.output, log_path=log, resume=args.resume, device=device_of(args),
                                        on_iteration=on_iteration, stop_after=args.stop_after,
                                        **({"init": args.init} if hasattr(args, "init") else {}))
    resumed = f", resumed at {result.resumed_from}" if result.resumed_from else ""
    done = f"{result.iterations} iterations"
    if result.iterations < cfg.iterations:
        done = f"{result.iterations} of {cfg.iterations} iterations (stopped by --stop-after; --resume goes on)"
    first, last = result.evals[0], result.evals[-1]
    print(f"wrote {out}: {cfg.algorithm}, {done}{resumed} in {result.seconds:.0f} s; held-out loss "
          f"after {cfg.eval_steps} steps: {first['eval_post']:.4g} (iteration {first['iteration']}) -> "
          f"{last['eval_post']:.4g}; log {log}")
