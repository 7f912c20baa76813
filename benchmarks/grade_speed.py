"""Grading speed at 1080p (issue 6): decode -> LUT -> encode, end to end, audio kept.

Makes a 1920x1080 test clip by upscaling a shared 720p clip (bicubic, libx264 ultrafast crf 18,
audio copied) into a temporary folder, builds a LUT (Monge-Kantorovich transfer from the clip
toward a film still, or --lut FILE), then times, on the same clip and machine:

- decode + RGB conversion alone (``filmstyle.core.video.read_frames``),
- the per-pixel LUT lookup alone (the 2^24-entry table) on decoded frames,
- a plain transcode without the LUT (decode, convert, encode: the floor),
- ``filmstyle grade`` itself (``grade_video``) for each encoder preset asked for,
- the whole ``filmstyle grade`` command with its defaults in a fresh process, start-up included,

and checks filmstyle's lookup against FFmpeg's lut3d filter (trilinear, through PyAV's filter
graph) on decoded frames: the largest difference per channel, in 8-bit codes.

    python benchmarks/grade_speed.py --frames 100 --presets ultrafast veryfast
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from _common import SHARED, machine, require_shared  # noqa: E402

from filmstyle.core import video  # noqa: E402
from filmstyle.core.config import GradeOptions
from filmstyle.grading.grade import (  # noqa: E402
    LUTFrames,
    content_frames,
    grade_video,
    lut_from_still,
)
from filmstyle.lut.lut3d import read_lut, write_lut  # noqa: E402

SIZE = (1920, 1080)


def ffmpeg_lut3d(frames: list[np.ndarray], cube: Path) -> list[np.ndarray]:
    """FFmpeg's lut3d (trilinear) on RGB frames, through PyAV's filter graph."""
    import av
    import av.filter

    h, w = frames[0].shape[:2]
    graph = av.filter.Graph()
    src = graph.add_buffer(width=w, height=h, format="rgb24", time_base=Fraction(1, 25))
    graph.link_nodes(src, graph.add("lut3d", f"file={cube}:interp=trilinear"), graph.add("buffersink"))
    graph.configure()
    out = []
    for i, f in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(f, format="rgb24")
        frame.pts = i
        graph.push(frame)
        out.append(graph.vpull().to_ndarray())
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", default=None, help="720p source to upscale (default shared bigbuckbunny.mp4)")
    p.add_argument("--still", default=None, help="still for the LUT (default the shipped demo still)")
    p.add_argument("--lut", default=None, help="use this LUT file instead")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--presets", nargs="+", default=["ultrafast", "veryfast"])
    p.add_argument("--crf", type=int, default=18)
    args = p.parse_args()
    require_shared()
    src = Path(args.video or SHARED / "videos" / "bigbuckbunny.mp4")
    from filmstyle.core.assets import DEMO_STILL

    load = os.getloadavg()
    print(f"machine: {machine()}; load average before: {load[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip1080.mp4"
        video.transcode(src, clip, lambda f: f, size=SIZE, max_frames=args.frames, crf=18, preset="ultrafast")
        info = video.probe(clip)
        print(f"clip: {src.name} upscaled to {info.width}x{info.height}, {info.frame_count} frames at "
              f"{float(info.fps):.2f} fps, {info.audio_streams} audio stream(s)")
        if args.lut:
            lut, how = read_lut(args.lut), f"read {args.lut}"
        else:
            still = Path(args.still or DEMO_STILL)
            lut, how = lut_from_still(still, content_frames(clip), method="mk"), f"mk transfer toward {still.name}"
        cube = write_lut(lut, Path(tmp) / "look.cube")
        print(f"LUT: {lut.size} points, {how}")

        t0 = time.perf_counter()
        frames = []
        for i, f in enumerate(video.read_frames(clip)):
            if i < 30:  # kept for the lookup timing (memory: 6 MB a frame)
                frames.append(f)
        decode = info.frame_count / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        lut_frames = LUTFrames(lut, rgbx=True)  # as grade_video uses it
        table_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        graded = [lut_frames(f) for f in frames]
        lookup = len(frames) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs = ffmpeg_lut3d(frames, cube)
        ffmpeg_fps = len(frames) / (time.perf_counter() - t0)
        diff = max(int(np.abs(a[..., :3].astype(int) - b.astype(int)).max()) for a, b in zip(graded, theirs))
        checked = len(frames)
        del frames, graded, theirs
        print(f"decode + RGB conversion alone: {decode:.1f} FPS; LUT lookup alone: {lookup:.1f} FPS "
              f"(table built once in {table_s:.2f} s)")
        print(f"ffmpeg lut3d (trilinear, PyAV filter graph) alone: {ffmpeg_fps:.1f} FPS; filmstyle vs ffmpeg lut3d "
              f"on {checked} frames: max |diff| = {diff}/255")

        for preset in args.presets:
            t0 = time.perf_counter()
            plain = video.transcode(clip, Path(tmp) / "plain.mp4", lambda f: f, crf=args.crf, preset=preset)
            plain_fps = plain.frames / (time.perf_counter() - t0)
            stats = grade_video(clip, Path(tmp) / "graded.mp4", lut, GradeOptions(crf=args.crf, preset=preset))
            print(f"grade {info.width}x{info.height}, {stats.frames} frames, libx264 preset {preset} crf {args.crf}: "
                  f"{stats.e2e_fps:.1f} FPS end-to-end (decode, LUT, encode, audio copy; table build included); "
                  f"without the LUT {plain_fps:.1f} FPS; audio streams kept {stats.audio_streams}")
            rest = stats.seconds_total - stats.seconds_lut - stats.seconds_table
            print(f"  where the {stats.seconds_total:.2f} s went: table build {stats.seconds_table:.2f} s, LUT lookups "
                  f"{stats.seconds_lut:.2f} s, the rest (encode + mux, and waiting for decoded frames: decoding and "
                  f"RGB conversion run on another thread, overlapping the lookups) {rest:.2f} s")
        # the whole command in a fresh process, start-up (imports, probing, the LUT from the still) included
        still = str(Path(args.still or DEMO_STILL))
        which = ["--lut", args.lut] if args.lut else ["--still", still]
        cmd = [sys.executable, "-m", "filmstyle", "-q", "grade", str(clip), *which, "-o", str(Path(tmp) / "cmd.mp4")]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if done.returncode:
            raise SystemExit(f"filmstyle grade failed:\n{done.stderr}")
        print(f"`filmstyle grade` whole command (defaults, {' '.join(which[:1])}): {info.frame_count} frames in "
              f"{wall:.2f} s = {info.frame_count / wall:.1f} FPS, start-up included")
    print(f"load average after: {os.getloadavg()[0]:.2f} (above 2 means other jobs shared these 2 cores)")


if __name__ == "__main__":
    main()
