"""Re-measure the e_stab of a Table 1 run by a second, independent code path, and compare.

``filmstyle bench table1 -o OUT`` writes OUT/table1.json and the renders in OUT/renders/. This
script imports nothing from filmstyle: it decodes the source clips and the renders with PyAV,
shrinks the source with OpenCV (INTER_AREA), computes DeepFlow with OpenCV in both directions on the
source frames, builds the Ruder et al. 2016 mask (forward-backward check |w + w~|^2 >
0.01 (|w|^2 + |w~|^2) + 0.5, motion boundaries |grad u|^2 + |grad v|^2 > 0.01 |w|^2 + 0.002, and
flow leaving the frame) in numpy, warps with cv2.remap, and takes
e_stab = mean over pairs of sum(M (O_t - warp(O_t-1))^2) / (H W C), RGB in [0, 1].
It prints the bench's figure beside its own, per clip and method, and the largest relative gap.

Expect the same figures where the clip is read at its own size (bikes.mp4: 0.0% on the quick run),
and gaps of a few percent where the bench shrinks it (bigbuckbunny.mp4, 1280x720 -> 640x360: up to
4.8%): filmstyle shrinks with swscale's area filter and reads untagged HD as BT.709, this script
with OpenCV's INTER_AREA and PyAV's default matrix, so the source frames, hence the flows and masks,
differ slightly. A gap far above that means the two measures disagree.

    python benchmarks/table1_check.py runs/table1            # the full run's folder
    python benchmarks/table1_check.py runs/table1_quick --flow dis
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import av
import cv2
import numpy as np


def frames(path: Path, n: int, size: tuple[int, int] | None = None) -> list[np.ndarray]:
    """The first n frames of ``path`` as (H, W, 3) float32 RGB in [0, 1], shrunk to size (W, H)."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            if size is not None and (rgb.shape[1], rgb.shape[0]) != size:
                rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            out.append(rgb.astype(np.float32) / 255.0)
            if len(out) == n:
                break
    return out


def flow(a: np.ndarray, b: np.ndarray, method: str) -> np.ndarray:
    """Flow from a to b in a's grid: a(x) ~ b(x + flow(x)). (H, W, 2) float32 pixels."""
    ga, gb = (cv2.cvtColor((x * 255).round().astype(np.uint8), cv2.COLOR_RGB2GRAY) for x in (a, b))
    if method == "deepflow":
        engine = cv2.optflow.createOptFlow_DeepFlow()
    else:
        engine = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    return engine.calc(ga, gb, None)


def warp(img: np.ndarray, w: np.ndarray) -> np.ndarray:
    """img sampled at x + w(x), bilinear, border replicated."""
    h, wd = w.shape[:2]
    xs, ys = np.meshgrid(np.arange(wd, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, xs + w[..., 0], ys + w[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def mask(w_ab: np.ndarray, w_ba: np.ndarray) -> np.ndarray:
    """Ruder et al. 2016 reliability mask in a's grid (1 = reliable), from the flows a->b and b->a."""
    back = warp(w_ba, w_ab)  # w~ at x + w(x)
    sq = lambda v: (v ** 2).sum(-1)  # noqa: E731
    occluded = sq(w_ab + back) > 0.01 * (sq(w_ab) + sq(back)) + 0.5
    gy_u, gx_u = np.gradient(w_ab[..., 0])
    gy_v, gx_v = np.gradient(w_ab[..., 1])
    boundary = gx_u ** 2 + gy_u ** 2 + gx_v ** 2 + gy_v ** 2 > 0.01 * sq(w_ab) + 0.002
    h, wd = w_ab.shape[:2]
    xs, ys = np.meshgrid(np.arange(wd), np.arange(h))
    tx, ty = xs + w_ab[..., 0], ys + w_ab[..., 1]
    outside = (tx < 0) | (tx > wd - 1) | (ty < 0) | (ty > h - 1)
    return (~(occluded | boundary | outside)).astype(np.float32)


def e_stab(source: list[np.ndarray], out: list[np.ndarray], method: str) -> float:
    errs = []
    for t in range(1, len(source)):
        w_back, w_fwd = flow(source[t], source[t - 1], method), flow(source[t - 1], source[t], method)
        m = mask(w_back, w_fwd)
        diff = out[t] - warp(out[t - 1], w_back)
        errs.append(float((m[..., None] * diff ** 2).sum() / diff.size))
    return sum(errs) / len(errs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the bench's output folder (holding table1.json and renders/)")
    ap.add_argument("--flow", choices=("deepflow", "dis"), help="default: the flow the bench used")
    args = ap.parse_args(argv)
    report = args.out / "table1.json"
    if not report.is_file():
        print(f"error: {report}: not found; run `filmstyle bench table1 -o {args.out}` first", file=sys.stderr)
        return 2
    result = json.loads(report.read_text())
    settings, n = result["settings"], result["settings"]["n_frames"]
    method = args.flow or settings["flow"]
    if method not in ("deepflow", "dis"):
        print(f"error: {report}: the bench used flow {method}; pass --flow deepflow or dis", file=sys.stderr)
        return 2
    data = Path(settings["data"])
    worst = 0.0
    print(f"e_stab, bench vs this script ({method} flow, first {n} frames)")
    for clip, renders in result["renders"].items():
        rendered = {m: frames(Path(p), n) for m, p in renders.items()}
        h, w = next(iter(rendered.values()))[0].shape[:2]
        source = frames(data / "videos" / clip, n, (w, h))
        rows = {"source": source, **rendered}
        for name, out in rows.items():
            ours = e_stab(source, out, method)
            bench = result["per_clip"][clip][name]["e_stab"]
            gap = abs(ours - bench) / max(bench, 1e-12)
            worst = max(worst, gap)
            print(f"{clip:18s} {name:10s} bench {bench:.4g}  check {ours:.4g}  gap {100 * gap:.1f}%")
    print(f"largest relative gap: {100 * worst:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
