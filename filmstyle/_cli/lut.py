"""``filmstyle lut SOURCE -o OUT``: a LUT from a look, a still or another LUT file
(:func:`filmstyle.grading.grade.make_lut`)."""
from __future__ import annotations

import argparse
import time

from filmstyle._cli.common import claim, force_option, given, option, step_bar
from filmstyle.core.config import LUT_FORMATS, LUT_SIZES, STILL_METHODS, LutOptions


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="a .look file (its colour mapping is distilled), a still (colour transfer "
                   "toward it), or a LUT to convert: a .cube file or a Hald CLUT image (a square PNG/TIFF whose "
                   "side is L^3 and whose pixels follow the Hald lattice)")
    p.add_argument("-o", "--output", required=True, help="LUT file to write: .cube, or .png for a Hald CLUT")
    option(p, "--size", cls=LutOptions, type=int, choices=LUT_SIZES, help="lattice points per axis")
    option(p, "--format", cls=LutOptions, choices=LUT_FORMATS,
           help="cube (Adobe 1.0), resolve (DaVinci .cube) or hald (none: from the output's suffix)")
    option(p, "--method", cls=LutOptions, choices=STILL_METHODS,
           help="for a still: mk (Pitie & Kokaram), reinhard, histogram, or learned (colour and VGG style losses, slower)")
    option(p, "--strength", cls=LutOptions, type=float, help="0 = identity, 1 = full look (blend in LUT space)")
    p.add_argument("--video", help="clip (or image) whose colours are the source side (default: the shipped sample clip)")
    option(p, "--steps", cls=LutOptions, type=int, help="Adam steps for --method learned (100: about 20 s)")
    force_option(p)


def run(args: argparse.Namespace) -> None:
    from filmstyle.grading.grade import make_lut, source_kind
    from filmstyle.lut.lut3d import format_of, hald_level, write_lut

    options = LutOptions(**given(args, LutOptions))
    fmt = format_of(args.output, options.format)
    claim(args, args.output, args.source, args.video)
    t0 = time.perf_counter()
    kind = source_kind(args.source)
    bar, on_step = step_bar(options.steps, "fit", args.quiet or kind != "still" or options.method != "learned")
    with bar:
        lut, note = make_lut(args.source, options, kind=kind, content=args.video, on_step=on_step)
    out = write_lut(lut.blend(options.strength), args.output, fmt)
    neutral = " (neutral: black and white)" if lut.is_neutral() else ""
    points = hald_level(options.size) ** 2 if fmt == "hald" else options.size
    print(f"wrote {out}: {fmt} LUT, {points} points per axis{neutral}, strength {options.strength:g}; "
          f"{note}; {time.perf_counter() - t0:.1f} s")
