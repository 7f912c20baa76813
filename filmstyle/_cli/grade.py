"""``filmstyle grade VIDEO (--lut F | -l LOOK | --still S) -o OUT``: colour only, streaming
(:func:`filmstyle.grading.grade.grade_video`)."""
from __future__ import annotations

import argparse
import time

from filmstyle._cli.common import claim, force_option, frames_total, given, option, parse_size, progress
from filmstyle.core.config import CODECS, PRESETS, STILL_METHODS, GradeOptions, LutOptions


def add_parser(g: argparse.ArgumentParser) -> None:
    g.add_argument("video")
    which = g.add_mutually_exclusive_group(required=True)
    which.add_argument("--lut", help="a .cube or Hald CLUT file")
    which.add_argument("-l", "--look", help="a .look file: its colour mapping, distilled into a LUT")
    which.add_argument("--still", help="a still: colour transfer from this video's colours toward it")
    g.add_argument("-o", "--output", required=True, help=".mp4/.mkv (h264) or .mov (prores)")
    option(g, "--strength", cls=GradeOptions, type=float, help="0 = source, 1 = full look (blend in LUT space)")
    option(g, "--method", cls=LutOptions, choices=STILL_METHODS, help="with --still: how its colours are carried")
    option(g, "--size", cls=GradeOptions, type=parse_size, help="output WxH (none: the source size)")
    option(g, "--max-frames", cls=GradeOptions, type=int, help="stop after N frames")
    option(g, "--codec", cls=GradeOptions, choices=CODECS, help="h264 (mp4/mkv/mov) or ProRes 422 HQ (mov)")
    option(g, "--crf", cls=GradeOptions, type=int, help="h264 quality, 0-51, lower is better")
    option(g, "--preset", cls=GradeOptions, choices=PRESETS,
           help="libx264 speed preset (superfast: real time at 1080p on 2 cores)")
    g.add_argument("--save-lut", help="also write the LUT used to this .cube file")
    option(g, "--strict", cls=GradeOptions, action="store_true",
           help="refuse a damaged or truncated video (nothing written); by default what decodes is graded and "
                "the damage reported")
    force_option(g)


def run(args: argparse.Namespace) -> None:
    from filmstyle.core import video
    from filmstyle.core.video import OUTPUT_SUFFIXES
    from filmstyle.grading.grade import grade_video, make_lut
    from filmstyle.lut.lut3d import write_lut

    options = GradeOptions(**given(args, GradeOptions))
    lut_options = LutOptions(**({"method": args.method} if hasattr(args, "method") else {}))
    info = video.probe(args.video)
    inputs = (args.video, args.lut, args.look, args.still)
    claim(args, args.output, *inputs, suffixes=OUTPUT_SUFFIXES, what="video")
    if args.save_lut:
        claim(args, args.save_lut, *inputs, args.output, suffixes=(".cube",), what="LUT")
    t0 = time.perf_counter()
    kind, source = next((k, s) for k, s in (("lut", args.lut), ("look", args.look), ("still", args.still)) if s)
    lut, note = make_lut(source, lut_options, kind=kind, content=args.video, keep_size=True)
    seconds_lut = time.perf_counter() - t0
    if args.save_lut:
        write_lut(lut, args.save_lut)
    with progress(frames_total(info.frame_count, options.max_frames), "grade", "frame", args.quiet) as bar:
        stats = grade_video(args.video, args.output, lut, options, on_frame=lambda i: bar.update(1))
    print(f"wrote {stats.output}: {stats.frames} frames at {stats.width}x{stats.height}, {stats.audio_streams} audio "
          f"stream(s) kept; LUT: {note} ({seconds_lut:.1f} s); grading {stats.e2e_fps:.1f} FPS end-to-end "
          f"({stats.seconds_total:.1f} s, {options.codec}"
          + (f" {options.preset} crf {options.crf}" if options.codec == "h264" else "")
          + ")" + (f"; LUT saved to {args.save_lut}" if args.save_lut else ""))
