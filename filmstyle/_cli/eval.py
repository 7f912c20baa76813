"""``filmstyle eval SOURCE STYLIZED``: the stability error (:mod:`filmstyle.measure.stability`)."""
from __future__ import annotations

import argparse

from filmstyle._cli.common import given, option, progress
from filmstyle.core.config import FLOWS, EvalOptions


def add_parser(e: argparse.ArgumentParser) -> None:
    e.add_argument("source", help="the source video")
    e.add_argument("stylized", help="its stylised render (same frames)")
    option(e, "--flow", cls=EvalOptions, choices=FLOWS,
           help="optical flow on the source frames (deepflow as the paper; dis is ~30x faster)")
    option(e, "--max-frames", cls=EvalOptions, type=int, help="only the first N frames of both")
    e.add_argument("--json", action="store_true", help="print the figures and the per-frame curve as JSON")
    e.add_argument("--csv", help="write the per-frame curve to this CSV file")
    e.add_argument("--png", help="plot the per-frame curve into this PNG file")


def run(args: argparse.Namespace) -> None:
    import json

    from filmstyle.core.files import check_writable
    from filmstyle.measure.stability import check_inputs, describe, plot_curve, stability, write_curve_csv

    options = EvalOptions(**given(args, EvalOptions))
    for out in (args.csv, args.png):
        if out is not None:
            check_writable(out)
    frames = check_inputs(args.source, args.stylized, max_frames=options.max_frames)[0].frame_count
    total = max(min(frames, options.max_frames or frames) - 1, 0)
    with progress(total, "eval", "pair", args.quiet or args.json) as bar:
        report = stability(args.source, args.stylized, flow=options.flow, max_frames=options.max_frames,
                           on_pair=lambda t: bar.update(1))
    written = [str(f(report, out)) for f, out in ((write_curve_csv, args.csv), (plot_curve, args.png)) if out]
    print(json.dumps(report.to_dict(), indent=2) if args.json else describe(report))
    if written and not args.json:
        print("per-frame curve: " + ", ".join(written))
