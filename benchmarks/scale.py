"""Long renders: the cost of segmenting, and frames/s with 1 and 2 Ray workers (issue 16).

Builds a clip of ``--minutes`` from the shipped demo clip (640x360, 24 fps, 5 s with its audio),
repeated by stream copy (a keyframe every 5 s, as footage has), in a temporary folder. Then, on the
same clip and machine, with the shipped look and render's defaults:

1. a one-pass render (``render_video``), the reference;
2. the same render in segments in this process (``--executor local``): the overhead of segmenting
   and joining against 1, and the join's own time;
3. the segments as Ray tasks on a local 2-node Ray cluster (``ray start --head`` and a second
   ``ray start`` on this machine, one CPU each), first on the head node alone (1 worker), then on
   both (2 workers): frames/s, the speed-up and the overhead against the ideal (2x).

Prints one table, and the per-worker rate extrapolated to 10 and 100 workers (no join or storage
limits assumed: an upper bound). Goals: segmenting + joining overhead <= 10% of the one-pass render;
2 workers >= 1.8x the frames/s of 1.

    python benchmarks/scale.py --minutes 10
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
from _common import machine  # noqa: E402

from filmstyle.core import video  # noqa: E402
from filmstyle.core.assets import DEMO_CLIP, DEMO_LOOK  # noqa: E402
from filmstyle.core.config import RenderOptions, Segmenting  # noqa: E402


def long_clip(dst: Path, minutes: float) -> Path:
    """``DEMO_CLIP`` repeated to ``minutes``, by stream copy (video and audio), timestamps continued."""
    with av.open(str(DEMO_CLIP)) as probe:  # each copy's earliest decoding time after the last copy's end
        packets = [p for p in probe.demux() if p.pts is not None]
        length = (max(float((p.pts + p.duration) * p.time_base) for p in packets)
                  - min(float(p.dts * p.time_base) for p in packets))
    copies = max(1, round(minutes * 60 / length))
    with av.open(str(dst), "w") as out:
        with av.open(str(DEMO_CLIP)) as first:
            streams = {s.index: out.add_stream_from_template(s) for s in first.streams if s.type in ("video", "audio")}
        for k in range(copies):  # the clip opened again for each copy, its packets shifted by the copy's start
            with av.open(str(DEMO_CLIP)) as src:
                for packet in src.demux(*[s for s in src.streams if s.index in streams]):
                    if packet.dts is None or not packet.size:
                        continue
                    shift = round(k * length / float(packet.time_base))
                    packet.pts += shift
                    packet.dts += shift
                    packet.stream = streams[packet.stream.index]
                    out.mux(packet)
    return dst


def ray_cluster(nodes: int) -> tuple[str, list[str]]:
    """Start a local Ray cluster of ``nodes`` nodes (1 CPU each); returns (address, stop command)."""
    port = "6391"
    if not (Path.home() / ".ray" / "auth_token").exists():
        subprocess.run(["ray", "get-auth-token", "--generate"], check=True, capture_output=True)
    env = {**os.environ, "RAY_DISABLE_USAGE_STATS": "1"}
    subprocess.run(["ray", "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
                    "--node-ip-address=127.0.0.1",
                    "--disable-usage-stats"], check=True, capture_output=True, env=env)
    for _ in range(nodes - 1):
        subprocess.run(["ray", "start", f"--address=127.0.0.1:{port}", "--num-cpus=1", "--node-ip-address=127.0.0.1"],
                       check=True,
                       capture_output=True, env=env)
    return f"127.0.0.1:{port}", ["ray", "stop", "--force"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0, help="length of the clip (default 10)")
    p.add_argument("--segment-seconds", type=float, default=Segmenting.segment_seconds)
    p.add_argument("--size", help="render at WxH (default: the clip's 640x360), e.g. 320x180 to fit a long clip "
                   "into a CPU session")
    p.add_argument("--skip-ray", action="store_true")
    p.add_argument("--skip-reference", action="store_true", help="only the Ray runs (no one-pass and local renders)")
    args = p.parse_args()
    os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"  # the venv's `ray`
    # Ray 2.59+ turns token authentication on for a `ray start --head` when ~/.ray/auth_token exists (an
    # earlier local ray.init writes it), but a driver connecting by address only sends the token in token
    # mode (ray-project/ray #64755): token mode for the nodes and this driver, set before Ray is imported
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    from filmstyle.look import load_look
    from filmstyle.render import render_video
    from filmstyle.segments import render_segmented

    print(machine())
    options = RenderOptions(size=tuple(int(v) for v in args.size.split("x")) if args.size else None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        src = long_clip(tmp / "long.mp4", args.minutes)
        info = video.probe(src)
        print(f"clip: {info.frame_count} frames, {info.duration / 60:.1f} min at {info.width}x{info.height} "
              f"({time.perf_counter() - started:.1f} s to build); segments of {args.segment_seconds:g} s; look "
              f"{DEMO_LOOK.name}; render's defaults" + (f" at --size {args.size}" if args.size else ""))
        if not args.skip_reference:
            started = time.perf_counter()
            render_video(load_look(DEMO_LOOK), src, tmp / "one.mp4", options)
            one_seconds = time.perf_counter() - started
            rows.append(("one pass (reference)", one_seconds, info.frame_count / one_seconds, "", ""))
            how = Segmenting(segment_seconds=args.segment_seconds, executor="local")
            started = time.perf_counter()
            seg = render_segmented(DEMO_LOOK, src, tmp / "seg.mp4", options, how)
            seg_seconds = time.perf_counter() - started
            rows.append((f"segments, local ({seg.segments})", seg_seconds, seg.frames / seg_seconds,
                         f"{seg_seconds / one_seconds - 1:+.1%}", f"{seg.seconds_join:.2f} s"))
        if not args.skip_ray:
            import ray

            rates = {}
            for nodes in (1, 2):
                address, stop = ray_cluster(nodes)
                try:
                    ray.init(address=address, log_to_driver=False)
                    how = Segmenting(segment_seconds=args.segment_seconds, executor="ray")
                    started = time.perf_counter()
                    stats = render_segmented(DEMO_LOOK, src, tmp / f"ray{nodes}.mp4", options, how)
                    seconds = time.perf_counter() - started
                    rates[nodes] = stats.frames / seconds
                    ideal = "" if nodes == 1 else f"{rates[2] / rates[1]:.2f}x of 1 (ideal 2x)"
                    rows.append((f"Ray, {nodes} worker(s), {stats.segments} seg.", seconds, rates[nodes], ideal, f"{stats.seconds_join:.2f} s"))
                finally:
                    ray.shutdown()
                    subprocess.run(stop, capture_output=True)
    print(f"{'':<24} {'seconds':>8} {'frames/s':>9}  {'vs reference / speed-up':<24} join")
    for name, seconds, rate, note, join in rows:
        print(f"{name:<24} {seconds:8.1f} {rate:9.2f}  {note:<24} {join}")
    if not args.skip_reference:
        overhead = seg_seconds / one_seconds - 1
        print(f"segmenting + joining overhead: {overhead:+.1%} (goal <= 10%: {'met' if overhead <= 0.10 else 'NOT met'})")
    if not args.skip_ray:
        speedup = rates[2] / rates[1]
        print(f"2 workers / 1 worker: {speedup:.2f}x (goal >= 1.8x: {'met' if speedup >= 1.8 else 'NOT met'})")
        per = rates[2] / 2
        print(f"extrapolated from {per:.2f} frames/s per worker: 10 workers {10 * per:.0f} frames/s, 100 workers "
              f"{100 * per:.0f} frames/s (an upper bound: no storage or join limits; the join is one stream copy)")


if __name__ == "__main__":
    main()
