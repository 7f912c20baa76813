"""The ``lut`` and ``grade`` commands: parse arguments, make one library call, print one line.

Importing this module is cheap (argparse only), so ``filmstyle --help`` stays fast; the commands
import what they need when run. Errors are InputError, which the main CLI prints as one line.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from filmstyle._cli import parse_size  # loaded already: the main CLI calls add_parsers
from filmstyle.core.errors import InputError

SIZES = (17, 33, 65)  # the usual lattice sizes of exchanged .cube files (Resolve, Adobe, camera LUTs)
FORMATS = ("cube", "resolve", "hald")  # as filmstyle.lut.lut3d.FORMATS (kept here: parsing imports nothing heavy)
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``lut`` and ``grade`` on the main parser's subcommands."""
    lut = sub.add_parser("lut", help="export a look or a still's colours as a 3D LUT (.cube, Hald PNG)")
    lut.add_argument("source", help="a .look file (its colour mapping is distilled), a still (colour transfer "
                     "toward it), or a LUT to convert: a .cube file or a Hald CLUT image (a square PNG/TIFF whose side is L^3 "
                     "and whose pixels follow the Hald lattice)")
    lut.add_argument("-o", "--output", required=True, help="LUT file to write: .cube, or .png for a Hald CLUT")
    lut.add_argument("--size", type=int, default=33, help=f"lattice points per axis: {', '.join(map(str, SIZES))} (default 33)")
    lut.add_argument("--format", choices=FORMATS, help="cube (Adobe 1.0), resolve (DaVinci .cube) or hald "
                     "(default: from the output's suffix)")
    lut.add_argument("--method", default="mk", help="for a still: mk (Pitie & Kokaram, default), reinhard, "
                     "histogram, or learned (fitted with colour and VGG style losses, slower)")
    lut.add_argument("--strength", type=float, default=1.0, help="0 = identity, 1 = full look (blend in LUT space)")
    lut.add_argument("--video", help="clip (or image) whose colours are the source side (default: the shipped sample clip)")
    lut.add_argument("--steps", type=int, default=100, help="Adam steps for --method learned (default 100, about 20 s)")

    g = sub.add_parser("grade", help="apply a colour look (LUT) to a video: fast, colour only, audio kept")
    g.add_argument("video")
    which = g.add_mutually_exclusive_group(required=True)
    which.add_argument("--lut", help="a .cube or Hald CLUT file")
    which.add_argument("-l", "--look", help="a .look file: its colour mapping, distilled into a LUT")
    which.add_argument("--still", help="a still: colour transfer from this video's colours toward it")
    g.add_argument("-o", "--output", required=True, help=".mp4/.mkv (h264) or .mov (prores)")
    g.add_argument("--strength", type=float, default=1.0, help="0 = source, 1 = full look (blend in LUT space)")
    g.add_argument("--method", default="mk", help="with --still: mk (default), reinhard, histogram or learned")
    g.add_argument("--size", type=parse_size, help="output WxH (default: the source size)")
    g.add_argument("--max-frames", type=int, help="stop after N frames")
    g.add_argument("--codec", choices=("h264", "prores"), default="h264")
    g.add_argument("--crf", type=int, default=18, help="h264 quality, lower is better (default 18)")
    g.add_argument("--preset", choices=PRESETS, default="superfast", help="libx264 speed preset (default superfast: real time at 1080p on 2 cores)")
    g.add_argument("--save-lut", help="also write the LUT used to this .cube file")


def _check_strength(strength: float) -> None:
    if not 0.0 <= strength <= 1.0:
        raise InputError(None, f"--strength must be between 0 and 1, got {strength}", "use e.g. --strength 0.7")


def _make_lut(source: str, *, kind: str, method: str, size: int | None, content: str | None, steps: int,  # noqa: ANN202
              quiet: bool):
    """(LUT, note) from a look, a still or a LUT file; ``note`` describes how it was made.

    ``size``: lattice points per axis; None keeps a LUT file's own (and means 33 otherwise).
    """
    from filmstyle.grading.grade import content_frames, lut_from_look, lut_from_still
    from filmstyle.lut.lut3d import read_lut

    if kind == "lut":
        lut = read_lut(source)
        return (lut if size is None else lut.resample(size)), f"read from {source}"
    size = size or 33
    if kind == "look":
        d = lut_from_look(source, content_frames(content), size=size)
        return d.lut, (f"distilled from the look on {d.pixels} pixels ({d.colours} colour bins); "
                       f"mean error {d.error:.2f}/255 against the network (it also changes texture, a LUT cannot)")
    from tqdm import tqdm

    bar = tqdm(total=steps, desc="fit", unit="step", disable=quiet or method != "learned", file=sys.stderr)

    def on_step(step: int, terms: dict[str, float]) -> None:
        bar.n = step
        bar.set_postfix({k: f"{v:.3g}" for k, v in terms.items()}, refresh=True)

    lut = lut_from_still(source, content_frames(content), method=method, size=size, steps=steps, on_step=on_step)
    bar.close()
    return lut, f"{method} transfer toward the still"


def _kind(path: str) -> str:
    """What the ``lut`` command's SOURCE is: "look", "lut" (a .cube or a Hald CLUT image, converted)
    or "still"."""
    from filmstyle.grading.grade import is_look_file
    from filmstyle.lut.lut3d import looks_like_hald

    if is_look_file(path):
        return "look"
    if path.lower().endswith(".cube") or looks_like_hald(path):
        return "lut"
    return "still"


def cmd_lut(args: argparse.Namespace) -> None:
    from filmstyle.core.files import check_writable
    from filmstyle.lut.lut3d import format_of, hald_level, write_lut

    if args.size not in SIZES:
        raise InputError(None, f"--size must be one of {', '.join(map(str, SIZES))}, got {args.size}")
    _check_strength(args.strength)
    if args.steps < 1:
        raise InputError(None, f"--steps must be positive, got {args.steps}")
    fmt = format_of(args.output, args.format)
    check_writable(args.output)
    t0 = time.perf_counter()
    kind = _kind(args.source)
    lut, note = _make_lut(args.source, kind=kind, method=args.method, size=args.size, content=args.video,
                          steps=args.steps, quiet=args.quiet)
    out = write_lut(lut.blend(args.strength), args.output, fmt)
    neutral = " (neutral: black and white)" if (lut.table[..., 0] == lut.table[..., 1]).all() and \
        (lut.table[..., 1] == lut.table[..., 2]).all() else ""
    points = hald_level(args.size) ** 2 if fmt == "hald" else args.size
    print(f"wrote {out}: {fmt} LUT, {points} points per axis{neutral}, strength {args.strength:g}; "
          f"{note}; {time.perf_counter() - t0:.1f} s")


def cmd_grade(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from filmstyle.core import video
    from filmstyle.core.files import check_writable
    from filmstyle.grading.grade import grade_video
    from filmstyle.lut.lut3d import write_lut

    _check_strength(args.strength)
    if args.max_frames is not None and args.max_frames < 1:
        raise InputError(None, f"--max-frames must be at least 1, got {args.max_frames}")
    info = video.probe(args.video)
    check_writable(args.output)
    if args.save_lut:
        check_writable(args.save_lut)
    t0 = time.perf_counter()
    if args.lut:
        lut, note = _make_lut(args.lut, kind="lut", method="", size=None, content=None, steps=1, quiet=True)
    elif args.look:
        lut, note = _make_lut(args.look, kind="look", method="", size=33, content=args.video, steps=1, quiet=True)
    else:
        lut, note = _make_lut(args.still, kind="still", method=args.method, size=33, content=args.video, steps=100,
                              quiet=args.quiet)
    seconds_lut = time.perf_counter() - t0
    if args.save_lut:
        write_lut(lut, args.save_lut)
    total = info.frame_count if args.max_frames is None else min(args.max_frames, info.frame_count or args.max_frames)
    with tqdm(total=total or None, desc="grade", unit="frame", disable=args.quiet, dynamic_ncols=True, file=sys.stderr) as bar:
        stats = grade_video(args.video, args.output, lut, strength=args.strength, size=args.size,
                            max_frames=args.max_frames, codec=args.codec, crf=args.crf, preset=args.preset,
                            on_frame=lambda i: bar.update(1))
    print(f"wrote {stats.output}: {stats.frames} frames at {stats.width}x{stats.height}, {stats.audio_streams} audio "
          f"stream(s) kept; LUT: {note} ({seconds_lut:.1f} s); grading {stats.e2e_fps:.1f} FPS end-to-end "
          f"({stats.seconds_total:.1f} s, {args.codec}" + (f" {args.preset} crf {args.crf}" if args.codec == "h264" else "")
          + ")" + (f"; LUT saved to {args.save_lut}" if args.save_lut else ""))


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {"lut": cmd_lut, "grade": cmd_grade}
