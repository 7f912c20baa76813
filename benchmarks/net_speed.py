"""CPU speed of transform-network sizes: model-only FPS at 640x360 and seconds per adaptation step.

Run it on an otherwise idle machine (other processes distort CPU timings badly: torch's threads
spin). The quality side of the trade-off is benchmarks/adapt_grid.py.

    python benchmarks/net_speed.py --nets 8x3 16x3 16x5 32x5
    python benchmarks/net_speed.py --nets 16x5 16x5k3 16x5k3d16-8 16x3k3d16-8 8x5k3d8-4   # lean variants

A spec is WIDTHxDEPTH, then optionally kK (the end convs' kernel) and dC1-C2 (the decoder's widths).
"""
from __future__ import annotations

import argparse
import re
import time

import torch
from _common import machine

from filmstyle.core.config import AdaptConfig
from filmstyle.nets import TransformerNet, load_vgg19
from filmstyle.training.adapt import adapt


def parse_spec(spec: str) -> dict:
    """'16x5k3d16-8' -> TransformerNet keyword arguments."""
    m = re.fullmatch(r"(\d+)x(\d+)(?:k(\d))?(?:d(\d+)-(\d+))?", spec)
    if m is None:
        raise SystemExit(f"bad net spec {spec!r}: use WIDTHxDEPTH[kK][dC1-C2], e.g. 16x5k3d16-8")
    kw = {"width": int(m[1]), "depth": int(m[2])}
    if m[3]:
        kw["end_kernel"] = int(m[3])
    if m[4]:
        kw["decoder"] = (int(m[4]), int(m[5]))
    return kw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nets", nargs="+", default=["8x3", "16x3", "16x5", "32x5"])
    ap.add_argument("--frames", type=int, default=8, help="frames timed for FPS")
    ap.add_argument("--sizes", nargs="+", default=["640x360"],
                    help="network input sizes WxH timed (e.g. 320x180: render --network-side 180 on a 640x360 frame)")
    ap.add_argument("--steps", type=int, default=6, help="adaptation steps timed")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    vgg = load_vgg19("relu4_3")
    torch.manual_seed(0)
    sizes = [tuple(int(v) for v in t.split("x")) for t in args.sizes]
    frames = [torch.rand(1, 3, 256, 320)]
    style = torch.rand(1, 3, 256, 256)
    fps_cols = " | ".join(f"FPS {w}x{h} (model only)" for w, h in sizes)
    print(f"| net | params | kMAC/px | GFLOP per 640x360 frame | {fps_cols} | s/step at 256 px (adapt, VGG loss) |")
    print("|---|---|---|---|" + "---|" * len(sizes) + "---|")
    for spec in args.nets:
        net = TransformerNet(**parse_spec(spec)).eval()
        rates = []
        for w, h in sizes:
            x = torch.rand(1, 3, h, w)
            with torch.inference_mode():
                net(x)
                t0 = time.perf_counter()
                for _ in range(args.frames):
                    net(x)
                rates.append(args.frames / (time.perf_counter() - t0))
        adapt(net, style, frames, AdaptConfig(steps=1, size=256), vgg=vgg)  # warm-up
        result = adapt(net, style, frames, AdaptConfig(steps=args.steps, size=256), vgg=vgg)
        params = sum(p.numel() for p in net.parameters())
        macs = net.macs_per_pixel()
        print(f"| {spec} | {params:,} | {macs / 1e3:.1f} | {2 * macs * 640 * 360 / 1e9:.1f} | "
              f"{' | '.join(f'{r:.2f}' for r in rates)} | "
              f"{result.seconds / args.steps:.2f} |", flush=True)


if __name__ == "__main__":
    main()
