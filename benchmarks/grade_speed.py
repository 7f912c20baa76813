"""Grading speed at 1080p (issue 6): decode -> LUT -> encode, end to end, audio kept.

Makes a 1920x1080 test clip by upscaling a shared 720p clip (bicubic, libx264 ultrafast crf 18,
audio copied) into a temporary folder, builds a LUT (Monge-Kantorovich transfer from the clip
toward a film still, or --lut FILE), then times, on the same clip and machine:

- decode + RGB conversion alone (``filmstyle.core.video.read_frames``),
- the per-pixel LUT lookup alone on decoded frames: in RGB (the 2^24-entry table) and in the
  decoded 4:2:0 planes (``filmstyle.lut.yuv``, what ``grade`` does for h264),
- for each encoder preset asked for, alternating, wall-clock and CPU seconds: a plain transcode
  without the LUT (decode, encode: the floor), ``filmstyle grade`` itself (``grade_video``, in the
  planes), and the same grade through RGB frames (round 2's path),
- the whole ``filmstyle grade`` command with its defaults in a fresh process, start-up included,

and checks filmstyle's RGB lookup against FFmpeg's lut3d filter (trilinear, through PyAV's filter
graph) on decoded frames (the largest difference per channel, in 8-bit codes), and the planar
grade against the RGB one on the same frames.

    python benchmarks/grade_speed.py --frames 100 --presets ultrafast veryfast
"""
from __future__ import annotations

import argparse
import os
import resource
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
from filmstyle.lut.lut3d import LUT3D, read_lut, write_lut  # noqa: E402
from filmstyle.lut.yuv import apply_yuv420  # noqa: E402

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


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (every thread)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def planes_of(path: Path, n: int) -> tuple[list[np.ndarray], int, bool]:
    """The first ``n`` decoded frames of ``path`` as yuv420p planes, with their matrix and range."""
    seen: list[video.YUV420] = []
    video.transcode(path, path.with_name("planes.mp4"), lambda p: (seen.append(p), p.planes)[1], max_frames=n,
                    planar=True, preset="ultrafast")
    return [p.planes for p in seen], seen[0].matrix, seen[0].full_range


def as_rgb(planes: np.ndarray) -> np.ndarray:
    """BT.709 limited yuv420p planes -> RGB as filmstyle decodes them."""
    import av

    return video._converted(av.VideoFrame.from_ndarray(planes, format="yuv420p"), None)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", default=None, help="720p source to upscale (default shared bigbuckbunny.mp4)")
    p.add_argument("--still", default=None, help="still for the LUT (default the shipped demo still)")
    p.add_argument("--lut", default=None, help="use this LUT file instead")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--presets", nargs="+", default=["ultrafast", "veryfast"])
    p.add_argument("--crf", type=int, default=18)
    p.add_argument("--repeats", type=int, default=3, help="runs of each variant, alternating (median reported)")
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
        planes, matrix, full = planes_of(clip, len(frames))
        t0 = time.perf_counter()
        tables = lut_frames.yuv_tables(matrix, full)
        yuv_table_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        planar = [apply_yuv420(tables, p, pool=lut_frames.pool) for p in planes]
        lookup_planar = len(planes) / (time.perf_counter() - t0)
        through_rgb = [as_rgb(p) for p in planar]
        gap = np.concatenate([np.abs(a[..., :3].astype(np.int16) - b).reshape(-1) for a, b in zip(graded, through_rgb)])
        same = LUTFrames(LUT3D.identity(33))
        kept = [apply_yuv420(same.yuv_tables(matrix, full), p) for p in planes]
        back = np.concatenate([np.abs(a.astype(np.int16) - b).reshape(-1) for a, b in zip(kept, planes)])
        t0 = time.perf_counter()
        theirs = ffmpeg_lut3d(frames, cube)
        ffmpeg_fps = len(frames) / (time.perf_counter() - t0)
        diff = max(int(np.abs(a[..., :3].astype(int) - b.astype(int)).max()) for a, b in zip(graded, theirs))
        checked = len(frames)
        del frames, graded, theirs
        print(f"decode + RGB conversion alone: {decode:.1f} FPS; LUT lookup alone: {lookup:.1f} FPS in RGB "
              f"(table built once in {table_s:.2f} s), {lookup_planar:.1f} FPS in the 4:2:0 planes (their tables "
              f"built from it in {yuv_table_s:.2f} s more)")
        print(f"planar grade vs RGB grade on {len(planes)} frames (the planar one decoded to RGB as filmstyle "
              f"decodes): mean |diff| {gap.mean():.2f}, 99.9th percentile {np.percentile(gap, 99.9):.0f}, "
              f"max {gap.max()} levels; the identity LUT in the planes gives the source back to mean |diff| "
              f"{back.mean():.4f}, max {back.max()}")
        print(f"ffmpeg lut3d (trilinear, PyAV filter graph) alone: {ffmpeg_fps:.1f} FPS; filmstyle vs ffmpeg lut3d "
              f"on {checked} frames: max |diff| = {diff}/255")

        for preset in args.presets:
            runs: dict[str, list[tuple[float, float]]] = {}
            for _ in range(args.repeats):  # alternating, so that a change in load hits every variant
                for name in ("no LUT", "grade", "grade through RGB"):
                    c0, t0 = cpu_seconds(), time.perf_counter()
                    if name == "no LUT":
                        video.transcode(clip, Path(tmp) / "plain.mp4", lambda p: p.planes, crf=args.crf,
                                        preset=preset, planar=True)
                    elif name == "grade":
                        stats = grade_video(clip, Path(tmp) / "graded.mp4", lut,
                                            GradeOptions(crf=args.crf, preset=preset))
                    else:
                        video.transcode(clip, Path(tmp) / "rgb.mp4", LUTFrames(lut, rgbx=True), crf=args.crf,
                                        preset=preset)
                    runs.setdefault(name, []).append((time.perf_counter() - t0, cpu_seconds() - c0))
            n = info.frame_count
            cells = []
            for name, got in runs.items():
                wall, cpu = np.median(np.array(got), axis=0)
                cells.append(f"{name} {n / wall:.1f} FPS ({1000 * cpu / n:.0f} ms CPU a frame)")
            print(f"libx264 preset {preset} crf {args.crf}, {info.width}x{info.height}, {n} frames, median of "
                  f"{args.repeats}, table builds included: " + "; ".join(cells))
            rest = stats.seconds_total - stats.seconds_lut - stats.seconds_table
            print(f"  where grade's last {stats.seconds_total:.2f} s went: tables {stats.seconds_table:.2f} s, "
                  f"lookups {stats.seconds_lut:.2f} s, the rest (encode + mux, and waiting for decoded frames: "
                  f"decoding runs on another thread, overlapping the lookups) {rest:.2f} s; audio streams kept "
                  f"{stats.audio_streams}")
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
