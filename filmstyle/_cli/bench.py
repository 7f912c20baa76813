"""``filmstyle bench table1 [--quick]``: argument parsing and one library call (filmstyle.bench.table1).

Kept light (argparse only at import) so ``filmstyle --help`` stays fast; the work is imported lazily.
"""
from __future__ import annotations

import argparse
from pathlib import Path

METHOD_NAMES = ("meta", "johnson", "stylebank", "gatys", "pastiche")  # = filmstyle.methods.METHODS (a test checks)


def add_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("bench", help="benchmarks: the paper's Table 1, reproduced side by side")
    kinds = b.add_subparsers(dest="bench", required=True)
    t = kinds.add_parser("table1", help="every method on bigbuckbunny.mp4 and bikes.mp4: e_stab, FPS, look time, distances")
    t.add_argument("--quick", action="store_true", help="cut frames and budgets to finish in minutes (printed)")
    t.add_argument("--data", help="folder holding videos/, styles/, content/ (default $FILMSTYLE_SHARED/data, "
                   "else the shared/data folder beside the repository)")
    t.add_argument("--still", help="style still, relative to DATA/styles (default a held-out film still)")
    t.add_argument("--frames", type=int, help="frames per clip, the same for every method (default 8; quick 3)")
    t.add_argument("--methods", nargs="+", choices=METHOD_NAMES, help="default: all")
    t.add_argument("--flow", choices=("deepflow", "dis", "farneback"), default="deepflow",
                   help="flow of the e_stab measurement (default deepflow, as the paper)")
    t.add_argument("-o", "--out", default="bench-table1", help="output folder (default bench-table1/)")
    t.add_argument("--cache", help="folder for the pre-trained StyleBank (default ~/.cache/filmstyle)")
    t.add_argument("--fresh", action="store_true", help="re-run every (clip, method) cell; by default the "
                   "cells finished in OUT by an earlier run with the same settings are reused (only measured again)")


def cmd_bench(args: argparse.Namespace) -> None:
    from filmstyle.bench.report import format_text, write_json, write_markdown, write_png
    from filmstyle.bench.table1 import DEFAULT_STILL, BenchConfig, check_data, run_table1
    from filmstyle.core.assets import shared_data
    from filmstyle.core.image import to_array
    from filmstyle.core.image import load_still

    cfg = BenchConfig(data=Path(args.data) if args.data else shared_data(), out=Path(args.out),
                      still=args.still or DEFAULT_STILL, quick=args.quick, frames=args.frames,
                      methods=tuple(args.methods or METHOD_NAMES), flow=args.flow,
                      cache=Path(args.cache) if args.cache else None, fresh=args.fresh)
    check_data(cfg)  # one line and exit 2 before any work
    cfg.out.mkdir(parents=True, exist_ok=True)
    log = (lambda _msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    result = run_table1(cfg, log=log)
    still = to_array(load_still(cfg.data / "styles" / cfg.still, 256))
    written = [write_json(result, cfg.out / "table1.json"), write_markdown(result, cfg.out / "table1.md"),
               write_png(result, still, cfg.out / "table1.png")]
    print(format_text(result))
    print("wrote " + ", ".join(str(p) for p in written))
