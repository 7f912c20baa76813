"""Model-only speed of the two backends of render (``--backend torch|onnx``) on the same look, in the
same run: frames at one size through the torch network and through its ONNX Runtime session, the
two interleaved frame by frame so that a change in the machine's load hits both alike.

    python benchmarks/onnx_speed.py                       # the shipped look, 640x360, 10 frames
    python benchmarks/onnx_speed.py --look film.look --size 1280x720 --frames 5 --threads 2

Both run with the same number of intra-op threads (torch's, by default one per core). Prints the
machine, the median and mean time per frame of each, FPS and the ratio (onnx over torch in FPS).
"""
from __future__ import annotations

import argparse
import os
import statistics

import torch
from _common import machine

from filmstyle.core.assets import DEMO_LOOK
from filmstyle.look import load_look
from filmstyle.measure.speed import Stopwatch, fps
from filmstyle.nets.backend import network


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--look", default=None, help="a .look file (default: the shipped demo look)")
    ap.add_argument("--size", default="640x360", help="frame WxH")
    ap.add_argument("--frames", type=int, default=10, help="frames timed per backend (after 2 warm-up frames)")
    ap.add_argument("--threads", type=int, default=None, help="intra-op threads of both (default: torch's)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    w, h = (int(v) for v in args.size.split("x"))
    look = load_look(args.look or DEMO_LOOK)
    watches = {"export + session": Stopwatch()}
    with watches["export + session"]:
        nets = {name: network(look.net, name) for name in ("torch", "onnx")}
    print(f"machine: {machine()}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"look {args.look or 'demo.look'} ({look.net.config}), {w}x{h}, {args.frames} frames each, "
          f"interleaved; onnx export + session {watches['export + session'].seconds:.1f} s")
    gen = torch.Generator().manual_seed(0)
    frames = [torch.rand(1, 3, h, w, generator=gen) for _ in range(args.frames + 2)]
    times: dict[str, list[float]] = {name: [] for name in nets}
    worst = 0.0
    with torch.inference_mode():
        for i, x in enumerate(frames):
            outs = {}
            for name, net in nets.items():
                watch = Stopwatch()
                with watch:
                    outs[name] = net(x)
                if i >= 2:  # warm-up: allocations, ORT's first run per shape
                    times[name].append(watch.seconds)
            worst = max(worst, float((outs["torch"] - outs["onnx"]).abs().max()))
    print("| backend | median ms/frame | mean ms/frame | FPS (median) |")
    print("|---|---|---|---|")
    for name, t in times.items():
        med = statistics.median(t)
        print(f"| {name} | {med * 1e3:.0f} | {statistics.mean(t) * 1e3:.0f} | {fps(1, med):.2f} |")
    ratio = statistics.median(times["torch"]) / statistics.median(times["onnx"])
    print(f"onnx / torch FPS: {ratio:.2f}x; largest difference of the outputs {worst:.1e}")


if __name__ == "__main__":
    main()
