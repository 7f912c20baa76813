"""CPU speed of transform-network sizes: model-only FPS at 640x360 and seconds per adaptation step.

Run it on an otherwise idle machine (other processes distort CPU timings badly: torch's threads
spin). The quality side of the trade-off is benchmarks/adapt_grid.py.

    python benchmarks/net_speed.py --nets 8x3 16x3 16x5 32x5
"""
from __future__ import annotations

import argparse
import time

import torch
from _common import machine

from filmstyle.core.config import AdaptConfig
from filmstyle.nets import TransformerNet, load_vgg19
from filmstyle.training.adapt import adapt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nets", nargs="+", default=["8x3", "16x3", "16x5", "32x5"])
    ap.add_argument("--frames", type=int, default=8, help="frames timed for FPS")
    ap.add_argument("--steps", type=int, default=6, help="adaptation steps timed")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    vgg = load_vgg19("relu4_3")
    torch.manual_seed(0)
    x = torch.rand(1, 3, 360, 640)
    frames = [torch.rand(1, 3, 256, 320)]
    style = torch.rand(1, 3, 256, 256)
    print("| net | params | FPS 640x360 (model only) | s/step at 256 px (adapt, VGG loss) |")
    print("|---|---|---|---|")
    for spec in args.nets:
        width, depth = (int(v) for v in spec.split("x"))
        net = TransformerNet(width=width, depth=depth).eval()
        with torch.inference_mode():
            net(x)
            t0 = time.perf_counter()
            for _ in range(args.frames):
                net(x)
            fps = args.frames / (time.perf_counter() - t0)
        adapt(net, style, frames, AdaptConfig(steps=1, size=256), vgg=vgg)  # warm-up
        result = adapt(net, style, frames, AdaptConfig(steps=args.steps, size=256), vgg=vgg)
        params = sum(p.numel() for p in net.parameters())
        print(f"| {spec} | {params:,} | {fps:.2f} | {result.seconds / args.steps:.2f} |", flush=True)


if __name__ == "__main__":
    main()
