"""Render a clip in a look and measure it: frames and audio kept, FPS, style distance to the still.

The style distance is the relative VGG19 Gram distance of filmstyle.measure.style.style_distance,
over 8 frames spread over the clip, for the source and for the render; the look should at least
halve it (issue 2).

    python benchmarks/render_check.py --look filmstyle/assets/demo.look \
        --still filmstyle/assets/demo_still.png --video ../shared/data/videos/bikes.mp4
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import machine

from filmstyle import RenderOptions, load_look, render_video
from filmstyle.core import video
from filmstyle.core.image import from_array, load_still
from filmstyle.measure.style import style_distance
from filmstyle.nets import load_vgg19


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--look", required=True)
    ap.add_argument("--still", required=True)
    ap.add_argument("--video", required=True)
    ap.add_argument("--size", help="WxH, default: source size")
    ap.add_argument("--max-frames", type=int)
    ap.add_argument("--output", help="keep the render here (default: a temporary file)")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x")) if args.size else None
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.output or Path(tmp) / "render.mp4")
        src = video.probe(args.video)
        stats = render_video(load_look(args.look), args.video, out, RenderOptions(size=size, max_frames=args.max_frames))
        dst = video.probe(out)
        print(f"{args.video}: {src.frame_count} frames {src.width}x{src.height} @ {float(src.fps):.3f} fps, "
              f"{src.audio_streams} audio -> {dst.frame_count} frames {dst.width}x{dst.height} @ {float(dst.fps):.3f} fps, "
              f"{dst.audio_streams} audio")
        print(f"FPS: model {stats.model_fps:.2f}, end-to-end {stats.e2e_fps:.2f} ({stats.frames} frames, {stats.total_seconds:.1f} s)")
        vgg = load_vgg19("relu4_3")
        still = load_still(args.still, 256)
        n = min(8, dst.frame_count)
        before = style_distance(vgg, (from_array(f) for f in video.sample_frames(args.video, n, size=(dst.width, dst.height))), still)
        after = style_distance(vgg, (from_array(f) for f in video.sample_frames(out, n)), still)
        print(f"style distance to the still ({n} frames): source {before:.3f}, render {after:.3f}, ratio {after / before:.2f}")


if __name__ == "__main__":
    main()
