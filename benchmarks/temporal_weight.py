"""Choose the weight of the temporal loss in adaptation by measurement (issue 4, item 3).

For each clip and each weight, a look is adapted exactly as ``filmstyle adapt STILL --video CLIP
--temporal-weight W`` does (meta init, default steps, lr and size), the clip's first --frames frames
are rendered per frame at --render-size (no blending), and the render is measured: e_stab and its
ratio to the source floor (filmstyle.measure.stability, DeepFlow: not the DIS flow the loss is
trained with), and the style distance to the still (filmstyle.measure.style.style_distance, 8 frames).
The weight is chosen on clips that are not the Table 1 clips; benchmarks/temporal.py then checks it
on those.

    python benchmarks/temporal_weight.py --weights 0 100 300 1000 3000 \
        --clips cockatoo.mp4 cutbunny.mp4 --still film_stills/sintel_f0016.png
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import machine, require_shared

from filmstyle.adaptation import adapt_look
from filmstyle.core import video
from filmstyle.core.config import AdaptConfig, LossConfig
from filmstyle.core.image import from_array, load_still
from filmstyle.measure.stability import stability_many
from filmstyle.measure.style import style_distance
from filmstyle.nets import load_vgg19
from filmstyle.render import FrameStylizer, RenderOptions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=float, nargs="+", default=[0, 100, 300, 1000, 3000])
    ap.add_argument("--clips", nargs="+", default=["cockatoo.mp4", "cutbunny.mp4"])
    ap.add_argument("--still", default="film_stills/sintel_f0016.png", help="relative to the styles folder")
    ap.add_argument("--frames", type=int, default=40, help="frames rendered and measured per clip")
    ap.add_argument("--render-size", default="640x360")
    ap.add_argument("--steps", type=int, default=AdaptConfig.steps)
    args = ap.parse_args()
    data = require_shared()
    still_path = data / "styles" / args.still
    size = tuple(int(v) for v in args.render_size.split("x"))
    vgg = load_vgg19("relu4_3")
    still = load_still(still_path, 256)
    print(f"machine: {machine()}")
    print(f"still {args.still}; adapt: meta init, {args.steps} steps, defaults otherwise; render {args.frames} frames "
          f"at {size[0]}x{size[1]} per frame; measurement flow deepflow")
    print(f"{'clip':16} {'weight':>7} {'adapt s':>7} {'temporal':>9} {'e_stab':>9} {'floor':>9} {'ratio':>6} "
          f"{'vs w=0':>7} {'style':>6} {'vs w=0':>7}")
    for clip in args.clips:
        src = data / "videos" / clip
        with tempfile.TemporaryDirectory() as tmp:
            outs, adapt_s, temporal = [], [], []
            for w in args.weights:
                cfg = AdaptConfig(steps=args.steps, loss=LossConfig(temporal_weight=w))
                t0 = time.perf_counter()
                look, result = adapt_look(still_path, cfg, video_path=src)
                adapt_s.append(time.perf_counter() - t0)
                temporal.append(result.losses.get("temporal", float("nan")))
                out = Path(tmp) / f"w{w:g}.mp4"
                video.transcode(src, out, FrameStylizer(look.net, RenderOptions(size=size)), size=size,
                                max_frames=args.frames)
                outs.append(out)
            reports = stability_many(src, outs, flow="deepflow", max_frames=args.frames)
            styles = [style_distance(vgg, (from_array(f) for f in video.sample_frames(o, 8)), still) for o in outs]
        for w, s, rep, style, tl in zip(args.weights, adapt_s, reports, styles, temporal):
            print(f"{clip:16} {w:7g} {s:7.1f} {tl:9.3g} {rep.e_stab:9.3g} {rep.floor:9.3g} {rep.ratio:6.2f} "
                  f"{rep.e_stab / reports[0].e_stab - 1:+7.1%} {style:6.3f} {style / styles[0] - 1:+7.1%}", flush=True)


if __name__ == "__main__":
    main()
