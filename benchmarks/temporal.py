"""Stable rendering (issue 4 goals): looks with and without the temporal loss, rendered per frame and blended.

For each clip (bigbuckbunny.mp4 at 640x360, bikes.mp4 at its native 640x272, from ../shared/data/videos)
a look is adapted to STILL on that clip as ``filmstyle adapt STILL --video CLIP --temporal-weight W``
does, for each W in --weights (0 = no temporal loss), or --look gives one look for every clip. Each
look is rendered per frame and with flow-guided blending (one render per --alpha), then measured
on the same source flows (filmstyle.measure.stability, DeepFlow by default as in the paper):
e_stab, the source floor, e_stab / floor, the reduction against the per-frame render of the first
look (W = 0), the style distance to the still (filmstyle.measure.style.style_distance over 8 frames spread
over the render) and its rise, and FPS (model only; end to end with decode, blend and encode) with
the ratio to per-frame. On a shared CPU the FPS of separate renders drift; ``b/model`` (blending time
over model time within the same render) is the steadier figure: blending keeps about
1 / (1 + b/model) of the FPS. ``M=1``: the fraction of pixels the measurement's mask keeps.

Goals (issue 4): e_stab <= 1.5x floor, >= 40% below per-frame, style distance +15% at most, FPS >= 60%.

    python benchmarks/temporal.py STILL [--weights 0 1000] [--look LOOK] [--max-frames N] [--alpha 0.8]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import machine, require_shared

from filmstyle import load_look
from filmstyle.adaptation import adapt_look
from filmstyle.core import video
from filmstyle.core.config import TABLE1_CLIPS, AdaptConfig, LossConfig
from filmstyle.core.image import from_array, load_still
from filmstyle.measure.stability import stability_many
from filmstyle.measure.style import style_distance
from filmstyle.nets import load_vgg19
from filmstyle.render import BlendingStylizer, FrameStylizer, RenderOptions
from filmstyle.temporal.blend import DEFAULT_ALPHA, DEFAULT_SCALE

CLIPS = {name: size for name, (size, _) in TABLE1_CLIPS.items()}
GOALS = {"ratio": 1.5, "reduction": 0.40, "style_rise": 0.15, "fps": 0.60}  # issue 4, "Goals"


def render(look_net, src: Path, dst: Path, options: RenderOptions, alpha: float | None) -> dict[str, float]:  # noqa: ANN001
    """Render like filmstyle.render.render_video, with an explicit alpha; returns timings."""
    stylizer = FrameStylizer(look_net, options) if alpha is None else BlendingStylizer(look_net, options, alpha=alpha)
    stats = video.transcode(src, dst, stylizer, size=options.size, max_frames=options.max_frames)
    return {"frames": stats.frames, "model_fps": stats.frames / stylizer.model_seconds,
            "e2e_fps": stats.e2e_fps, "temporal_ms": 1000 * getattr(stylizer, "temporal_seconds", 0.0) / stats.frames,
            "cuts": getattr(stylizer, "cuts", 0)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("still", help="the film still (adapted to, and the style distance's reference)")
    ap.add_argument("--look", help="one look for every clip instead of adapting per clip")
    ap.add_argument("--weights", type=float, nargs="+", default=[0.0, 300.0],
                    help="temporal-loss weights to adapt with (default 0 and 300)")
    ap.add_argument("--max-frames", type=int, help="only the first N frames of each clip")
    ap.add_argument("--alpha", type=float, nargs="+", default=[DEFAULT_ALPHA], help=f"blend weights (default {DEFAULT_ALPHA})")
    ap.add_argument("--flow", default="deepflow", help="flow of the measurement (default deepflow, the paper's)")
    ap.add_argument("--clips", nargs="+", default=list(CLIPS), choices=list(CLIPS))
    args = ap.parse_args()
    videos = require_shared() / "videos"
    vgg = load_vgg19("relu4_3")
    still = load_still(args.still, 256)
    weights = list(dict.fromkeys(args.weights))
    print(f"machine: {machine()}")
    print(f"still {args.still}; " + (f"look {args.look}" if args.look else f"looks adapted per clip (meta init, "
          f"{AdaptConfig.steps} steps) with temporal weight {', '.join(f'{w:g}' for w in weights)}")
          + f"; measurement flow {args.flow}; blend: DIS (OpenCV MEDIUM preset) at {DEFAULT_SCALE}x size, cuts auto; "
          f"frames {args.max_frames or 'all'}")
    header = (f"{'clip':18} {'look':7} {'render':11} {'e_stab':>9} {'floor':>9} {'ratio':>6} {'reduct':>7} {'style':>6} "
              f"{'rise':>6} {'modelFPS':>8} {'e2eFPS':>7} {'FPS %':>6} {'blend ms':>8} {'b/model':>7} {'cuts':>4} {'M=1':>6}")
    print(header)
    print("-" * len(header))
    for name in args.clips:
        size = CLIPS[name]
        options = RenderOptions(size=size, max_frames=args.max_frames)
        if args.look:
            looks = [("given", load_look(args.look).net)]
        else:
            looks = [(f"w={w:g}", adapt_look(args.still, AdaptConfig(loss=LossConfig(temporal_weight=w)),
                                              video_path=videos / name)[0].net) for w in weights]
        modes = [(look, net, "per-frame", None) for look, net in looks]
        modes += [(look, net, f"blend {a:g}", a) for look, net in looks for a in args.alpha]
        with tempfile.TemporaryDirectory() as tmp:
            outs, timing = [], []
            for i, (_, net, _, alpha) in enumerate(modes):
                out = Path(tmp) / f"{i}.mp4"
                timing.append(render(net, videos / name, out, options, alpha))
                outs.append(out)
            reports = stability_many(videos / name, outs, flow=args.flow, max_frames=args.max_frames)
            n = min(8, timing[0]["frames"])
            styles = [style_distance(vgg, (from_array(f) for f in video.sample_frames(o, n)), still) for o in outs]
        base_e, base_style, base_fps = reports[0].e_stab, styles[0], timing[0]["e2e_fps"]
        for (look, _, label, alpha), rep, style, tm in zip(modes, reports, styles, timing):
            reduction, rise, fps = 1 - rep.e_stab / base_e, style / base_style - 1, tm["e2e_fps"] / base_fps
            ok = "" if rep is reports[0] else "  goals: " + " ".join([
                "ratio " + ("ok" if rep.ratio <= GOALS["ratio"] else "MISSED"),
                "reduction " + ("ok" if reduction >= GOALS["reduction"] else "MISSED"),
                "style " + ("ok" if rise <= GOALS["style_rise"] else "MISSED"),
                "fps " + ("ok" if fps >= GOALS["fps"] else "MISSED")])
            print(f"{name + f' ({rep.frames})':18} {look:7} {label:11} {rep.e_stab:9.3g} {rep.floor:9.3g} {rep.ratio:6.2f} "
                  f"{reduction:7.1%} {style:6.3f} {rise:+6.1%} {tm['model_fps']:8.2f} {tm['e2e_fps']:7.2f} {fps:6.0%} "
                  f"{tm['temporal_ms']:8.1f} {tm['temporal_ms'] * tm['model_fps'] / 1000:7.1%} {tm['cuts']:4d} {rep.reliable:6.1%}{ok}",
                  flush=True)


if __name__ == "__main__":
    main()
