"""Command line: parses arguments into configs and makes one library call per command.

Errors the user can act on print as one line on stderr with exit status 2; an interrupt exits 130.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from filmstyle import __version__
from filmstyle.core.config import ADAPT_TEMPORAL_WEIGHT, LossConfig
from filmstyle.core.errors import FilmstyleError, InputError


def parse_size(text: str) -> tuple[int, int]:
    """argparse type for WxH sizes: '640x360' -> (640, 360)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x360, got {text!r}") from None
    return w, h


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="filmstyle", description="Give a video the look of a film, from one still.")
    p.add_argument("--version", action="version", version=f"filmstyle {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("adapt", help="learn a look from a film still")
    a.add_argument("still", help="the film still or painting (PNG/JPEG)")
    a.add_argument("-o", "--output", required=True, help="look file to write (e.g. film.look)")
    src = a.add_mutually_exclusive_group()
    src.add_argument("--video", help="clip whose frames are the content (default: the shipped sample clip)")
    src.add_argument("--content", help="folder of content images instead of a clip")
    a.add_argument("--steps", type=int, help="Adam steps (default 50 from an init, 500 from scratch)")
    a.add_argument("--size", type=int, default=256, help="training crop size in px (default 256)")
    a.add_argument("--lr", type=float, help="Adam learning rate (default 1e-4 from an init, 1e-3 from scratch)")
    a.add_argument("--init", default="meta",
                   help="'meta' (the shipped meta-learned initialisation, default), 'scratch' (Johnson et al.) or a look/init file")
    a.add_argument("--params", choices=("all", "norm"), default="all", help="what adapts (default all)")
    a.add_argument("--frames", type=int, default=32, help="content frames sampled from the clip (default 32)")
    a.add_argument("--style-weight", type=float, default=LossConfig.style_weight,
                   help=f"weight of the style term; higher = stronger look (default {LossConfig.style_weight:g})")
    a.add_argument("--temporal-weight", type=float, default=ADAPT_TEMPORAL_WEIGHT,
                   help="weight of the temporal loss on consecutive frames of the clip; 0 = off "
                        f"(default {ADAPT_TEMPORAL_WEIGHT:g}; 300 steadies animation, see README)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--width", type=int, help="network width (scratch only)")
    a.add_argument("--depth", type=int, help="residual blocks (scratch only)")
    a.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")

    s = sub.add_parser("stylize", help="apply a look to one image")
    s.add_argument("image")
    s.add_argument("-l", "--look", required=True)
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--strength", type=float, default=1.0, help="0 = source, 1 = full look")
    s.add_argument("--preserve-color", action="store_true", help="keep the source colours (luminance transfer)")

    r = sub.add_parser("render", help="render a video in a look (audio kept)")
    r.add_argument("video")
    r.add_argument("-l", "--look", required=True)
    r.add_argument("-o", "--output", required=True, help=".mp4/.mkv (h264) or .mov (prores)")
    _render_args(r)
    _add_eval(sub)

    d = sub.add_parser("demo", help="render the shipped sample clip in the shipped look")
    d.add_argument("-o", "--output", default="filmstyle-demo.mp4")
    d.add_argument("--max-frames", type=int, default=None)
    __import__("filmstyle._cli.bench", fromlist=["add_parser"]).add_parser(sub)  # bench (issue 5); argparse only
    __import__("filmstyle._cli.grading", fromlist=["add_parsers"]).add_parsers(sub)  # lut, grade (issue 6); argparse only
    _add_meta_train(sub)
    return p


def _render_args(r: argparse.ArgumentParser) -> None:
    r.add_argument("--size", type=parse_size, help="output WxH (default: the source size)")
    r.add_argument("--max-frames", type=int, help="stop after N frames")
    r.add_argument("--strength", type=float, default=1.0, help="0 = source, 1 = full look")
    r.add_argument("--preserve-color", action="store_true", help="keep the source colours (luminance transfer)")
    r.add_argument("--codec", choices=("h264", "prores"), default="h264")
    r.add_argument("--temporal", choices=("none", "blend"), default="blend",
                   help="blend (default): carry the previous output along the optical flow (less flicker; "
                        "about 5-10%% of the FPS); none: every frame on its own")
    r.add_argument("--cuts", default="auto", help="where blending restarts: auto (detect shot cuts), none, "
                   "or a text file of frame indices, one per line (default auto)")
    r.add_argument("--flow", choices=("dis", "farneback", "deepflow"), default="dis",
                   help="optical flow for --temporal blend (default dis, fast)")
    r.add_argument("--color-transfer", choices=("reinhard", "histogram", "mk"),
                   help="colour transfer toward --color-still (issue 6): Reinhard et al., histogram matching, Monge-Kantorovich")
    r.add_argument("--color-still", help="the still whose colours --color-transfer takes")
    r.add_argument("--color-stage", choices=("before", "after"), default="before",
                   help="transfer the colours before stylisation (default) or after it")
    r.add_argument("--lut", help="a .cube or Hald CLUT file applied to the output last")


def _progress(total: int | None, desc: str, quiet: bool):  # noqa: ANN202 - tqdm type
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit="frame", disable=quiet, dynamic_ncols=True, file=sys.stderr)


def cmd_adapt(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from filmstyle.core.files import check_writable
    from filmstyle.core.config import AdaptConfig
    from filmstyle.core.errors import check_readable_file
    from filmstyle.adaptation import adapt_look

    check_readable_file(args.still, "still")
    out = check_writable(args.output)
    # Measured (README): from the meta-learned init, lr 1e-4 (the paper's) beats 1e-3 from K=25 on and
    # 3e-3 diverges; a random init needs 1e-3 and hundreds of steps.
    scratch = args.init == "scratch"
    args.steps = args.steps if args.steps is not None else (500 if scratch else 50)
    args.lr = args.lr if args.lr is not None else (1e-3 if scratch else 1e-4)
    if args.steps < 1 or args.size < 64 or args.frames < 1 or args.lr <= 0:
        raise InputError(None, "--steps, --frames and --lr must be positive and --size at least 64")
    if args.style_weight <= 0:
        raise InputError(None, f"--style-weight must be positive, got {args.style_weight}")
    if args.temporal_weight < 0:
        raise InputError(None, f"--temporal-weight must be 0 or more, got {args.temporal_weight}")
    cfg = AdaptConfig(steps=args.steps, lr=args.lr, size=args.size, seed=args.seed, params=args.params, frames=args.frames,
                      loss=LossConfig(style_weight=args.style_weight, temporal_weight=args.temporal_weight))
    ckpt = out.with_name(out.name + ".ckpt")
    if args.restart and ckpt.exists():
        ckpt.unlink()
    net_config = {k: v for k, v in (("width", args.width), ("depth", args.depth)) if v is not None}
    if net_config and args.init == "scratch":
        from filmstyle.nets.transformer import FILMSTYLE_NET as DEFAULT_NET

        net_config = {**DEFAULT_NET, **net_config}
    bar = tqdm(total=cfg.steps, desc="adapt", unit="step", disable=args.quiet, dynamic_ncols=True, file=sys.stderr)

    def on_step(step: int, terms: dict[str, float]) -> None:
        bar.n = step
        bar.set_postfix({k: f"{v:.3g}" for k, v in terms.items()}, refresh=True)

    look, result = adapt_look(args.still, cfg, video_path=args.video, content_dir=args.content, init=args.init,
                              net_config=net_config or None, checkpoint=ckpt, on_step=on_step)
    bar.close()
    look.save(out)
    ckpt.unlink(missing_ok=True)
    losses = ", ".join(f"{k} {v:.4g}" for k, v in result.losses.items())
    resumed = f" (resumed at step {result.resumed_from})" if result.resumed_from else ""
    print(f"wrote {out}: {cfg.steps} steps in {result.seconds:.1f} s{resumed}; final loss: {losses}")


def cmd_stylize(args: argparse.Namespace) -> None:
    from filmstyle.look import load_look
    from filmstyle.render import RenderOptions, stylize_image

    RenderOptions(strength=args.strength)  # validates
    look = load_look(args.look)
    t0 = time.perf_counter()
    out = stylize_image(look, args.image, args.output, strength=args.strength, preserve=args.preserve_color)
    print(f"wrote {out} in {time.perf_counter() - t0:.2f} s")


def _render(look_path: str | Path, src: str | Path, dst: str | Path, options, quiet: bool):  # noqa: ANN001, ANN202
    from filmstyle.core import video
    from filmstyle.core.files import check_writable
    from filmstyle.look import load_look
    from filmstyle.render import render_video

    look = load_look(look_path)
    info = video.probe(src)
    check_writable(dst)
    total = info.frame_count if options.max_frames is None else min(options.max_frames, info.frame_count or options.max_frames)
    with _progress(total, "render", quiet) as bar:
        stats = render_video(look, src, dst, options, on_frame=lambda i: bar.update(1))
    print(f"wrote {stats.output}: {stats.frames} frames at {stats.width}x{stats.height}, "
          f"{stats.audio_streams} audio stream(s) kept; model {stats.model_fps:.2f} FPS, "
          f"end-to-end {stats.e2e_fps:.2f} FPS ({stats.total_seconds:.1f} s)"
          + (f"; temporal blend {stats.temporal_seconds:.1f} s, {stats.cuts} cut(s)" if options.temporal == "blend" else ""))
    return stats


def cmd_render(args: argparse.Namespace) -> None:
    from filmstyle.render import RenderOptions

    options = RenderOptions(size=args.size, max_frames=args.max_frames, strength=args.strength,
                            preserve_color=args.preserve_color, codec=args.codec, temporal=args.temporal,
                            cuts=args.cuts, flow=args.flow, color_transfer=args.color_transfer,
                            color_still=args.color_still, color_stage=args.color_stage, lut=args.lut)
    _render(args.look, args.video, args.output, options, args.quiet)


def cmd_demo(args: argparse.Namespace) -> None:
    from filmstyle.core import video
    from filmstyle.core.image import from_array
    from filmstyle.measure.style import style_distance
    from filmstyle.nets.vgg import load_vgg19
    from filmstyle.core.assets import DEMO_CLIP, DEMO_LOOK, DEMO_STILL
    from filmstyle.core.image import load_still
    from filmstyle.render import RenderOptions

    print(f"demo: {DEMO_CLIP.name} in the look of {DEMO_STILL.name} ({DEMO_LOOK.name}); attribution in {DEMO_CLIP.parent / 'ATTRIBUTION.md'}")
    stats = _render(DEMO_LOOK, DEMO_CLIP, args.output, RenderOptions(max_frames=args.max_frames, temporal="blend"),
                    args.quiet)
    vgg = load_vgg19("relu4_3")
    still = load_still(DEMO_STILL, 256)

    def frames(path: Path):  # noqa: ANN202
        return (from_array(f) for f in video.sample_frames(path, 4))

    before, after = style_distance(vgg, frames(DEMO_CLIP), still), style_distance(vgg, frames(stats.output), still)
    print(f"style distance to the still (relative Gram, 4 frames): source {before:.3f} -> rendered {after:.3f} "
          f"({after / before:.0%} of the source's)")
    print(f"output: {stats.output.resolve()}")


def _add_eval(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("eval", help="stability error of a stylised video against its source")
    e.add_argument("source", help="the source video")
    e.add_argument("stylized", help="its stylised render (same frames)")
    e.add_argument("--flow", choices=("deepflow", "dis", "farneback"), default="deepflow",
                   help="optical flow on the source frames (default deepflow, as the paper; dis is ~30x faster)")
    e.add_argument("--max-frames", type=int, help="only the first N frames of both")
    e.add_argument("--json", action="store_true", help="print the figures and the per-frame curve as JSON")
    e.add_argument("--csv", help="write the per-frame curve to this CSV file")
    e.add_argument("--png", help="plot the per-frame curve into this PNG file")


def cmd_eval(args: argparse.Namespace) -> None:
    import json

    from filmstyle.core.files import check_writable
    from filmstyle.measure.stability import check_inputs, describe, plot_curve, stability, write_curve_csv

    if args.max_frames is not None and args.max_frames < 2:
        raise InputError(None, f"--max-frames must be at least 2, got {args.max_frames}")
    for out in (args.csv, args.png):
        if out is not None:
            check_writable(out)
    frames = check_inputs(args.source, args.stylized, max_frames=args.max_frames)[0].frame_count
    total = max(min(frames, args.max_frames or frames) - 1, 0)
    with _progress(total, "eval", args.quiet or args.json) as bar:
        report = stability(args.source, args.stylized, flow=args.flow, max_frames=args.max_frames,
                           on_pair=lambda t: bar.update(1))
    written = [str(f(report, out)) for f, out in ((write_curve_csv, args.csv), (plot_curve, args.png)) if out]
    print(json.dumps(report.to_dict(), indent=2) if args.json else describe(report))
    if written and not args.json:
        print("per-frame curve: " + ", ".join(written))


COMMANDS = {"adapt": cmd_adapt, "stylize": cmd_stylize, "render": cmd_render, "demo": cmd_demo, "eval": cmd_eval}


# --- meta-train (issue 3) ---------------------------------------------------------------------
def _add_meta_train(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("meta-train", help="meta-learn an initialisation that adapts to a new look in few steps")
    m.add_argument("-o", "--output", required=True, help="init file to write (e.g. init.look), for `adapt --init`")
    m.add_argument("--algorithm", choices=("reptile", "fomaml", "maml", "es"), default="reptile")
    m.add_argument("--iterations", type=int, help="outer iterations (default 1000)")
    m.add_argument("--inner-steps", type=int, help="adaptation steps K per task (default 10)")
    m.add_argument("--meta-batch", type=int, help="tasks per outer step (default 4)")
    m.add_argument("--size", type=int, help="crop size in px (default 256)")
    m.add_argument("--params", choices=("all", "norm"), help="what the inner loop adapts (default all)")
    m.add_argument("--outer-lr", type=float, help="default per algorithm: reptile 0.1, fomaml/maml 1e-3, es 1e-2")
    m.add_argument("--anneal", action="store_true", default=None, help="outer step size decays linearly to 0")
    m.add_argument("--inner-lr", type=float, help="Adam step size of the inner loop; SGD's for maml (default 1e-3)")
    m.add_argument("--seed", type=int, help="seeds the network, tasks and crops (default 0)")
    m.add_argument("--eval-every", type=int, help="held-out evaluation every N iterations (default 50)")
    m.add_argument("--styles", help="folder of style images (default ../shared/data/styles)")
    m.add_argument("--content", help="folder of content photos (default ../shared/data/content)")
    m.add_argument("--videos", help="folder of clips whose frames are added to the content (optional)")
    m.add_argument("--log", help="JSONL log, one line per iteration (default OUT.jsonl)")
    m.add_argument("--resume", action="store_true", help="go on from OUT.ckpt if it belongs to the same run")
    m.add_argument("--init", default="scratch", help="'scratch' or a look/init file to start from")
    m.add_argument("--warmup", type=int, default=0, help="reconstruction warm-up steps before meta-training (default 0)")


def _data_dir(given: str | None, kind: str) -> Path:
    if given is not None:
        return Path(given)
    default = Path("..") / "shared" / "data" / kind
    if not default.is_dir():
        raise InputError(default, f"no --{kind} folder given and the default is missing", f"pass --{kind} DIR")
    return default


def cmd_meta_train(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from filmstyle.training.meta import MetaTrainConfig, run_meta_training

    given = {"algorithm": args.algorithm, "iterations": args.iterations, "inner_steps": args.inner_steps,
             "meta_batch": args.meta_batch, "size": args.size, "params": args.params, "outer_lr": args.outer_lr,
             "inner_lr": args.inner_lr, "anneal": args.anneal, "seed": args.seed, "eval_every": args.eval_every}
    try:
        cfg = MetaTrainConfig(**{k: v for k, v in given.items() if v is not None})
    except ValueError as e:
        raise InputError(None, str(e)) from None
    styles, content = _data_dir(args.styles, "styles"), _data_dir(args.content, "content")
    log = Path(args.log) if args.log else Path(args.output).with_suffix(".jsonl")
    bar = tqdm(total=cfg.iterations, desc=f"meta-train {cfg.algorithm}", unit="it", disable=args.quiet,
               dynamic_ncols=True, file=sys.stderr)

    def on_iteration(record: dict[str, float]) -> None:
        bar.n = int(record["iteration"])
        bar.set_postfix({k: f"{record[k]:.3g}" for k in ("pre", "post", "eval_post") if k in record}, refresh=True)

    out, result = run_meta_training(cfg, styles_dir=styles, content_dir=content, videos_dir=args.videos,
                                    output=args.output, log_path=log, resume=args.resume, init=args.init,
                                    warmup_steps=args.warmup, on_iteration=on_iteration)
    bar.close()
    resumed = f", resumed at {result.resumed_from}" if result.resumed_from else ""
    first, last = result.evals[0], result.evals[-1]
    print(f"wrote {out}: {cfg.algorithm}, {result.iterations} iterations{resumed} in {result.seconds:.0f} s; held-out loss "
          f"after {cfg.eval_steps} steps: {first['eval_post']:.4g} (iteration {first['iteration']}) -> "
          f"{last['eval_post']:.4g}; log {log}")


COMMANDS["meta-train"] = cmd_meta_train
COMMANDS["bench"] = lambda args: __import__("filmstyle._cli.bench", fromlist=["cmd_bench"]).cmd_bench(args)  # lazy
COMMANDS.update({c: lambda args: __import__("filmstyle._cli.grading", fromlist=["COMMANDS"]).COMMANDS[args.command](args)
                 for c in ("lut", "grade")})  # issue 6; lazy
# --- end meta-train ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``filmstyle`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="filmstyle: %(message)s")
    try:
        COMMANDS[args.command](args)
    except FilmstyleError as e:
        print(f"filmstyle {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"filmstyle {args.command}: interrupted" + ("; run the same command again to resume" if args.command == "adapt" else ""), file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
