"""Quality against CPU speed for network sizes and Adam learning rates (issue 2, item 3 and 5).

For each (width, depth, lr): adapt from scratch for --steps on the frames of a clip to a still,
then report model-only FPS at 640x360, seconds per adaptation step, the final training loss and
the perceptual loss and relative style distance on held-out content photos.

    python benchmarks/adapt_grid.py --steps 150 --nets 8x3 16x3 16x5 32x5 --lrs 1e-3
    python benchmarks/adapt_grid.py --steps 150 --nets 16x5 --lrs 1e-4 1e-3 3e-3
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
from _common import machine, require_shared

from filmstyle.core.config import AdaptConfig
from filmstyle.core.image import load_image, load_still, resize_short
from filmstyle.core.media import load_content
from filmstyle.losses import perceptual_loss, style_targets
from filmstyle.measure.style import style_distance
from filmstyle.nets import TransformerNet, load_vgg19
from filmstyle.training.adapt import adapt

HELD_OUT = ("kodak__kodim05.jpg", "kodak__kodim15.jpg", "kodak__kodim21.jpg", "kodak__kodim23.jpg")


def model_fps(net: TransformerNet, n: int = 4) -> float:
    x = torch.rand(1, 3, 360, 640)
    with torch.inference_mode():
        net(x)
        t0 = time.perf_counter()
        for _ in range(n):
            net(x)
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--still", default="styles/film_stills/sintel_f0043.png")
    ap.add_argument("--video", default="videos/bikes.mp4")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--nets", nargs="+", default=["8x3", "16x3", "16x5", "32x5"])
    ap.add_argument("--lrs", nargs="+", type=float, default=[1e-3])
    args = ap.parse_args()
    data = require_shared()
    print(f"machine: {machine()}")
    print(f"still {args.still}, content: 16 frames of {args.video}, {args.steps} steps at {args.size} px, seed 0; "
          f"held-out: {len(HELD_OUT)} Kodak photos at 256 px")
    vgg = load_vgg19("relu4_3")
    still = load_still(data / args.still, args.size)
    frames = load_content(video_path=data / args.video, content_dir=None, n=16, size=args.size)
    held = [resize_short(load_image(data / "content" / name), 256) for name in HELD_OUT]
    print("| net (width x depth) | params | lr | FPS 640x360 (model) | s/step | train loss (last 20) | held-out loss | style dist held-out |")
    print("|---|---|---|---|---|---|---|---|")
    for spec in args.nets:
        width, depth = (int(v) for v in spec.split("x"))
        for lr in args.lrs:
            cfg = AdaptConfig(steps=args.steps, lr=lr, size=args.size, seed=0)
            torch.manual_seed(0)
            net = TransformerNet(width=width, depth=depth)
            result = adapt(net, still, frames, cfg, vgg=vgg)
            targets = style_targets(vgg, still, cfg.loss)
            with torch.no_grad():
                outs = [net(h).clamp(0, 1) for h in held]
                held_loss = statistics.mean(float(perceptual_loss(vgg, o, h, targets, cfg.loss)["total"]) for o, h in zip(outs, held))
            dist = style_distance(vgg, outs, still)
            train = statistics.mean(h["total"] for h in result.history[-20:])
            params = sum(p.numel() for p in net.parameters())
            print(f"| {spec} | {params:,} | {lr:g} | {model_fps(net):.2f} | {result.seconds / args.steps:.2f} | "
                  f"{train:.3f} | {held_loss:.3f} | {dist:.3f} |", flush=True)
    src_dist = style_distance(vgg, held, still)
    print(f"style distance of the unstyled held-out photos to the still: {src_dist:.3f}")


if __name__ == "__main__":
    main()
