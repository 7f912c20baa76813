"""``filmstyle eval SOURCE STYLIZED``: the stability error (:mod:`filmstyle.measure.stability`)."""
from __future__ import annotations

import argparse
from pathlib import Path

from filmstyle._cli.common import claim, force_option, given, option, progress
from filmstyle.core.config import FLOWS, EvalOptions
from filmstyle.core.errors import InputError


def add_parser(e: argparse.ArgumentParser) -> None:
    e.add_argument("source", help="the source video")
    e.add_argument("stylized", help="its stylised render (same frames)")
    option(e, "--flow", cls=EvalOptions, choices=FLOWS,
           help="optical flow on the source frames (deepflow as the paper; dis is ~30x faster)")
    option(e, "--cuts", cls=EvalOptions, help="shot cuts whose frame pairs are left out (no flow relates two "
           "shots): auto (detect them on the source), none, or a text file of frame indices, one per line")
    option(e, "--max-frames", cls=EvalOptions, type=int, help="only the first N frames of both")
    e.add_argument("--json", action="store_true", help="print the figures and the per-frame curve as JSON")
    e.add_argument("--csv", help="write the per-frame curve to this CSV file")
    e.add_argument("--png", help="plot the per-frame curve into this PNG file")
    e.add_argument("--still", help="the film still the render should look like: adds what a viewer sees "
                   "(tone drift, inverted tones, dark blobs, structure SSIM, palette distance)")
    force_option(e)
    e.add_argument("--sheet", help="with --still: write a contact sheet PNG (the still; source and output "
                   "frames early, in the middle and late in the clip)")


def run(args: argparse.Namespace) -> None:
    import json

    from filmstyle.measure.stability import check_inputs, describe, plot_curve, stability, write_curve_csv

    options = EvalOptions(**given(args, EvalOptions))
    if args.sheet and not args.still:
        raise InputError(None, "--sheet needs --still STILL", "give the film still the render was made for")
    for out, suffixes in ((args.csv, (".csv",)), (args.png, (".png",)), (args.sheet, (".png",))):
        if out is not None:
            claim(args, out, args.source, args.stylized, args.still, options.cuts, suffixes=suffixes)
    frames = check_inputs(args.source, args.stylized, max_frames=options.max_frames)[0].frame_count
    total = max(min(frames, options.max_frames or frames) - 1, 0)
    with progress(total, "eval", "pair", args.quiet or args.json) as bar:
        report = stability(args.source, args.stylized, flow=options.flow, cuts=options.cuts, max_frames=options.max_frames,
                           on_pair=lambda t: bar.update(1))
    written = [str(f(report, out)) for f, out in ((write_curve_csv, args.csv), (plot_curve, args.png)) if out]
    look = None
    if args.still:
        from filmstyle.core.image import load_image, to_array
        from filmstyle.measure import viewer

        still = to_array(load_image(args.still))
        look = viewer.measure_clip(args.source, args.stylized, still, max_frames=options.max_frames, sheet=args.sheet,
                                   caption=(f"still: {Path(args.still).name}", f"e_stab {report.e_stab:.3g} "
                                            f"({report.ratio:.2f} x the source's floor)"))
    if args.json:
        print(json.dumps({**report.to_dict(), **({"viewer": look.to_dict()} if look else {})}, indent=2))
        return
    print(describe(report))
    if look is not None:
        print(viewer.describe(look))
    if written or args.sheet:
        print("wrote " + ", ".join([*written, *([args.sheet] if args.sheet else [])]))
