"""Where does the tone drift of an adapted look come from? Per-frame probes of the network alone (no blending,
no encoding) on the first N frames of a clip, with the viewer measures of filmstyle.measure.viewer.

1. Gain response: frame 0 with its RGB scaled by gains 0.5 .. 1.4; the output's mean luma against the
   source's, for plain instance norm (each frame its own statistics) and with every instance-norm
   layer's statistics frozen at those of the gain-1 frame. A slope near 0 means the output's
   brightness does not follow the source's.
2. Per-frame curves over the clip (mean luma of source and output, drift, rank correlation, dark
   blobs) for: the adapted look; the meta init it was adapted from (no adaptation); the adapted look
   with instance-norm statistics frozen from the first 4 frames in all layers, and in the encoder,
   residual or decoder layers only.

    OMP_NUM_THREADS=1 python benchmarks/look_drift_probe.py --clip cockatoo.mp4 \
        --look runs/look_check/looks/cockatoo__sintel_f0043.look --still film_stills/sintel_f0043.png
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from _common import SHARED, machine
from look_check import HELD_OUT, SharedNormStats, _find, bounded_size
from PIL import Image

from filmstyle.core import video
from filmstyle.core.image import from_array, to_array
from filmstyle.look import load_look
from filmstyle.measure.viewer import LookMeter, mean_luma
from filmstyle.core.assets import META_INIT


def run(net: torch.nn.Module, frame: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return to_array(net(from_array(frame)).clamp_(0, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", required=True)
    ap.add_argument("--look", required=True)
    ap.add_argument("--still", required=True)
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--configs", nargs="+", default=["adapted", "init", "freeze-all", "freeze-encoder",
                                                       "freeze-residuals", "freeze-decoder"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    clip, still = _find(args.clip, SHARED / "videos"), _find(args.still, SHARED / "styles")
    if clip.name in HELD_OUT or still.name in HELD_OUT:
        raise SystemExit(f"{clip.name} / {still.name}: held out, not for diagnosis")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}; {machine()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(f"# command: {' '.join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])}")
    size = bounded_size(clip)
    frames = list(video.read_frames(clip, size=size, max_frames=args.frames))
    with Image.open(still) as im:
        still_rgb = np.asarray(im.convert("RGB"))
    adapted = load_look(args.look).net.eval()

    print(f"## 1. gain response, frame 0 of {clip.name} at {size[0]}x{size[1]}: mean luma source -> output")
    f0 = frames[0].astype(np.float32)
    gains = [0.5, 0.7, 0.85, 1.0, 1.2, 1.4]
    scaled = [np.clip(f0 * g, 0, 255).round().astype(np.uint8) for g in gains]
    src_y = [mean_luma(f) for f in scaled]
    plain = [mean_luma(run(adapted, f)) for f in scaled]
    shared = SharedNormStats(adapted, "freeze", first=1)
    run(adapted, scaled[gains.index(1.0)])  # statistics of the gain-1 frame, then frozen
    frozen = [mean_luma(run(adapted, f)) for f in scaled]
    shared.restore()
    for name, ys in (("plain IN", plain), ("frozen IN stats", frozen)):
        slope = np.polyfit(src_y, ys, 1)[0]
        print(f"{name:16s} " + "  ".join(f"g{g:g}: {s:.0f}->{y:.0f}" for g, s, y in zip(gains, src_y, ys))
              + f"   slope d(out)/d(src) {slope:+.2f}")

    print(f"## 2. per-frame network output over {len(frames)} frames (no blending); still {still.name}")
    print(f"{'config':17s} {'drift':>6s} {'@t':>3s} {'offset':>7s} {'rank':>6s} {'inv':>3s} {'dark max':>8s} {'SSIM':>5s} {'pal':>5s}"
          "   mean luma every 4th frame: source / output")
    src_curve = " ".join(f"{mean_luma(f):.0f}" for f in frames[::4])
    print(f"{'source':17s} {'':>6s} {'':>3s} {'':>7s} {'':>6s} {'':>3s} {'':>8s} {'':>5s} {'':>5s}   {src_curve}")
    for config in args.configs:
        net = load_look(META_INIT).net.eval() if config == "init" else adapted
        patch = None
        if config.startswith("freeze"):
            part = config.split("-", 1)[1]
            patch = SharedNormStats(net, "freeze", first=4, only=None if part == "all" else part)
        meter, outs = LookMeter(still_rgb), []
        for f in frames:
            o = run(net, f)
            meter.update(f, o)
            outs.append(meter.last["out_luma"])
        if patch is not None:
            patch.restore()
        r = meter.result()
        print(f"{config:17s} {r.tone_drift:6.1f} {r.drift_frame:3d} {r.mean_offset:+7.1f} {r.min_rank_corr:6.2f} "
              f"{r.inverted_frames:3d} {r.dark_blobs_max:8.3f} {r.ssim_mean:5.2f} {r.palette_ratio:5.2f}   "
              + " ".join(f"{y:.0f}" for y in outs[::4]), flush=True)


if __name__ == "__main__":
    main()
