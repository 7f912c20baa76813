"""Where the meta row's e_stab comes from on a Table 1 clip: the adapted network per frame against the
blended render, per frame pair, with the mean brightness of every output frame (a global tone drift
shows there).

Adapts the ``meta`` method's look exactly as ``filmstyle bench table1`` does (full budget), with the
temporal-loss weight given, renders the first N frames per frame and blended, and measures both
with DeepFlow.

    python benchmarks/meta_flicker.py --weight 0      # Table 1's setting
    python benchmarks/meta_flicker.py --weight 300    # with the temporal loss in adaptation
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch
from _common import SHARED, machine

from filmstyle._cli import parse_size
from filmstyle.core import video
from filmstyle.measure.stability import stability
from filmstyle.methods.meta import MetaBudget, MetaMethod
from filmstyle.render import BlendingStylizer, FrameStylizer, RenderOptions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", default=str(SHARED / "videos" / "bikes.mp4"))
    ap.add_argument("--size", type=parse_size, default="640x272", help="render size WxH (Table 1's for bikes.mp4)")
    ap.add_argument("--still", default=str(SHARED / "styles" / "film_stills" / "sintel_f0016.png"))
    ap.add_argument("--weight", type=float, default=0.0, help="temporal-loss weight in adaptation")
    ap.add_argument("--frames", type=int, default=8)
    args = ap.parse_args()
    size = args.size
    torch.manual_seed(0)
    net = MetaMethod(budget=MetaBudget(temporal_weight=args.weight)).prepare(args.still, args.clip).stylizer.net
    print(machine())
    print(f"clip {args.clip}, still {args.still}, temporal weight {args.weight:g}, first {args.frames} frames, DeepFlow")
    with tempfile.TemporaryDirectory() as tmp:
        for name, st in [("per frame", FrameStylizer(net, RenderOptions(temporal="none"))),
                         ("blended", BlendingStylizer(net, RenderOptions(temporal="blend")))]:
            out = Path(tmp) / "out.mp4"
            video.transcode(args.clip, out, st, size=size, max_frames=args.frames)
            r = stability(args.clip, out, flow="deepflow", max_frames=args.frames)
            bright = [float(np.asarray(f, np.float32).mean()) for f in video.read_frames(out, max_frames=args.frames)]
            print(f"{name:9s} e_stab {r.e_stab:.3g} ({r.ratio:.2f} x floor); per pair (1e-5): "
                  + " ".join(f"{p.e_stab * 1e5:.1f}" for p in r.pairs))
            print(f"{'':9s} mean brightness per frame (0-255): " + " ".join(f"{b:.1f}" for b in bright))
    src = [float(np.asarray(f, np.float32).mean()) for f in video.read_frames(args.clip, size=size, max_frames=args.frames)]
    print(f"{'source':9s} mean brightness per frame (0-255): " + " ".join(f"{b:.1f}" for b in src))


if __name__ == "__main__":
    main()
