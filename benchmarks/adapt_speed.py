"""The time to a look: ``filmstyle adapt`` with its defaults, the whole command in a fresh process
(start-up, loading, the steps, writing the look), as a user runs it (issue 13's goal: <= 60 s on the
project's 2-core CPU). Other settings can be timed beside it (``--variant "--size 256"``).

    python benchmarks/adapt_speed.py --runs 2
    python benchmarks/adapt_speed.py --runs 2 --variant "" --variant "--size 256"

Needs nothing outside the package (the shipped still and clip) unless ``--still``/``--video`` say so.
Run it on an otherwise idle machine: the figures are wall-clock seconds.
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

GOAL_S = 60.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--still", help="default: the shipped still")
    p.add_argument("--video", help="default: the shipped clip (adapt's own default)")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--variant", action="append", help="extra adapt options; '' = the defaults (repeatable)")
    args = p.parse_args(argv)
    from filmstyle.core.assets import DEMO_STILL

    still = args.still or str(DEMO_STILL)
    variants = args.variant if args.variant is not None else [""]
    print(machine())
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"filmstyle adapt {Path(still).name}{' --video ' + args.video if args.video else ''} -o LOOK -y, "
          f"{args.runs} run(s) each in a fresh process")
    with tempfile.TemporaryDirectory() as tmp:
        for variant in variants:
            walls, loops = [], []
            for i in range(args.runs):
                cmd = [sys.executable, "-m", "filmstyle", "-q", "adapt", still, "-o", f"{tmp}/v{i}.look", "-y",
                       *(["--video", args.video] if args.video else []), *shlex.split(variant)]
                t0 = time.perf_counter()
                out = subprocess.run(cmd, capture_output=True, text=True)
                walls.append(time.perf_counter() - t0)
                if out.returncode != 0:
                    print(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
                    return 1
                m = re.search(r"steps in ([0-9.]+) s", out.stdout)
                loops.append(float(m.group(1)) if m else float("nan"))
            wall = statistics.median(walls)
            print(f"  {variant or '(defaults)':20s} whole command {', '.join(f'{w:.1f}' for w in walls)} s "
                  f"(median {wall:.1f}); of it adapting {', '.join(f'{s:.1f}' for s in loops)} s; "
                  f"goal <= {GOAL_S:.0f} s: {'met' if wall <= GOAL_S else 'NOT met'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
