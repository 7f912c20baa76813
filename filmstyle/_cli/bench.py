"""``filmstyle bench table1 [--quick]``: the paper's Table 1 (:func:`filmstyle.bench.table1.run_table1`)."""
from __future__ import annotations

import argparse
from pathlib import Path

from filmstyle._cli.common import device_of, device_option, executor_options, given, option
from filmstyle.core.config import FLOWS, METHODS, BenchConfig


def add_parser(b: argparse.ArgumentParser) -> None:
    kinds = b.add_subparsers(dest="bench", required=True)
    t = kinds.add_parser("table1", help="every method on bigbuckbunny.mp4 and bikes.mp4: e_stab, FPS, look time, distances, what a viewer sees")
    option(t, "--quick", cls=BenchConfig, action="store_true", help="cut frames and budgets to finish in minutes (printed)")
    option(t, "--data", cls=BenchConfig, type=Path, help="folder holding videos/, styles/, content/ "
           "($FILMSTYLE_SHARED/data, else the shared/data folder beside the repository)")
    option(t, "--stills", cls=BenchConfig, nargs="+", help="film stills, relative to DATA/styles (held out of "
           "meta-training); one run per still and seed, the table is their mean")
    option(t, "--seeds", cls=BenchConfig, nargs="+", type=int, help="adaptation seeds of the methods that have one")
    option(t, "--frames", cls=BenchConfig, type=int, help="frames per clip, the same for every method (none: 32; quick 3)")
    option(t, "--methods", cls=BenchConfig, nargs="+", choices=METHODS, type=str, help="which methods")
    option(t, "--flow", cls=BenchConfig, choices=FLOWS, help="flow of the e_stab measurement (deepflow as the paper)")
    option(t, "--check-flow", cls=BenchConfig, choices=FLOWS, help="a second flow whose e_stab is reported beside "
           "(the same as --flow: none)")
    option(t, "--cuts", cls=BenchConfig, help="shot cuts whose frame pairs e_stab leaves out: auto (detect "
           "them on the source), none, or a text file of frame indices, one per line")
    option(t, "-o", "--out", cls=BenchConfig, type=Path, help="output folder")
    option(t, "--cache", cls=BenchConfig, type=Path, help="folder for the pre-trained StyleBank (none: ~/.cache/filmstyle)")
    option(t, "--fresh", cls=BenchConfig, action="store_true", help="re-run every (clip, method) cell; by default the "
           "cells finished in OUT by an earlier run with the same settings are reused (only measured again)")
    executor_options(t, BenchConfig, "the cells not finished", ray_note="; --out on storage every node sees")
    device_option(t)


def run(args: argparse.Namespace) -> None:
    from filmstyle.bench.report import format_text, write_all
    from filmstyle.bench.table1 import check_data, run_table1

    values = given(args, BenchConfig)
    for name in ("methods", "stills", "seeds"):
        if name in values:
            values[name] = tuple(values[name])
    cfg = BenchConfig(**values)
    check_data(cfg)  # one line and exit 2 before any work
    cfg.out.mkdir(parents=True, exist_ok=True)
    log = (lambda _msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    result = run_table1(cfg, log=log, device=device_of(args))
    written = write_all(result, cfg.out)
    print(format_text(result))
    print("wrote " + ", ".join(str(p) for p in written))
