"""Flow methods and occlusion masks against MPI-Sintel ground truth (../shared/data/flow/sintel).

For each pass (clean, final) and sequence (easy = alley_1, medium = cave_2, hard = market_5) the
flow from frame_0002 to frame_0003 is compared with gt/frame_0002.flo: end-point error (EPE, pixels)
over the valid pixels (gt/invalid == 0), split into pixels visible in frame 3 ("matched") and
occluded ones ("unmatched", gt/occlusions != 0), as Sintel reports them. The backward flow
(frame 3 -> 2) feeds the forward-backward check of filmstyle.temporal.masks; its "occluded"
pixels (flow leaving the frame, or failing the check) are compared with the GT occlusions:
precision, recall and IoU. ``mask 0`` is the fraction the full mask (motion boundaries too) sets to 0.
``dis@0.5`` is the render-time setting of filmstyle.temporal.blend: DIS on half-size frames, upsampled.

    python benchmarks/flow_sintel.py [--methods deepflow dis dis@0.5 farneback] [--passes clean final]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from _common import machine, require_shared
from PIL import Image

from filmstyle.temporal.blend import upsample_flow
from filmstyle.temporal.flow import flow_between
from filmstyle.temporal.masks import consistency_mask, inconsistent, out_of_frame

SEQUENCES = {"easy": "alley_1", "medium": "cave_2", "hard": "market_5"}
FLO_TAG = 202021.25  # Middlebury .flo magic number ('PIEH' as float32)


def read_flo(path: Path) -> np.ndarray:
    """Middlebury .flo -> (H, W, 2) float32 (u, v) in pixels."""
    with open(path, "rb") as f:
        tag = np.fromfile(f, np.float32, 1)[0]
        if tag != FLO_TAG:
            raise ValueError(f"{path}: not a .flo file (tag {tag})")
        w, h = (int(v) for v in np.fromfile(f, np.int32, 2))
        return np.fromfile(f, np.float32, h * w * 2).reshape(h, w, 2)


def read_png(path: Path, *, gray: bool = False) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("L" if gray else "RGB"))


def estimate(a: np.ndarray, b: np.ndarray, method: str) -> np.ndarray:
    """Flow from a to b; ``name@s`` runs ``name`` on frames scaled by s and upsamples the flow."""
    name, _, scale = method.partition("@")
    if not scale:
        return flow_between(a, b, name)
    h, w = a.shape[:2]
    small = (round(w * float(scale)), round(h * float(scale)))
    shrink = [cv2.resize(x, small, interpolation=cv2.INTER_AREA) for x in (a, b)]
    return upsample_flow(flow_between(*shrink, name), (w, h))


def evaluate(seq: Path, method: str) -> dict[str, float]:
    a, b = read_png(seq / "frame_0002.png"), read_png(seq / "frame_0003.png")
    gt = read_flo(seq / "gt" / "frame_0002.flo")
    occluded = read_png(seq / "gt" / "occlusions" / "frame_0002.png", gray=True) > 0
    valid = read_png(seq / "gt" / "invalid" / "frame_0002.png", gray=True) == 0
    start = time.perf_counter()
    fwd = estimate(a, b, method)
    seconds = time.perf_counter() - start
    back = estimate(b, a, method)
    epe = np.sqrt(np.square(fwd - gt).sum(-1))
    ours = out_of_frame(fwd) | inconsistent(fwd, back)
    tp = float((ours & occluded & valid).sum())
    return {"epe": float(epe[valid].mean()), "matched": float(epe[valid & ~occluded].mean()),
            "unmatched": float(epe[valid & occluded].mean()) if (valid & occluded).any() else float("nan"),
            "precision": tp / max(float((ours & valid).sum()), 1.0),
            "recall": tp / max(float((occluded & valid).sum()), 1.0),
            "iou": tp / max(float(((ours | occluded) & valid).sum()), 1.0),
            "mask0": float(1.0 - consistency_mask(fwd, back)[valid].mean()),
            "gt_occ": float(occluded[valid].mean()), "seconds": seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--methods", nargs="+", default=["deepflow", "dis", "dis@0.5", "farneback"])
    ap.add_argument("--passes", nargs="+", default=["clean", "final"], choices=["clean", "final"])
    ap.add_argument("--sequences", nargs="+", default=list(SEQUENCES), choices=list(SEQUENCES))
    args = ap.parse_args()
    root = require_shared() / "flow" / "sintel"
    size = Image.open(root / args.passes[0] / args.sequences[0] / "frame_0002.png").size
    print(f"machine: {machine()}; OpenCV {cv2.__version__} with {cv2.getNumThreads()} threads")
    print(f"MPI-Sintel frame_0002 -> frame_0003 at {size[0]}x{size[1]}, one pair per sequence; flows on BT.601 luma; "
          "EPE in pixels over GT-valid pixels; occlusion = flow leaves the frame or fails the forward-backward check "
          "(Ruder et al. 2016), compared with gt/occlusions")
    header = (f"{'pass':6} {'sequence':15} {'method':10} {'EPE':>7} {'matched':>8} {'unmatch':>8} {'occ P':>6} "
              f"{'occ R':>6} {'IoU':>6} {'GT occ':>7} {'mask 0':>7} {'s/flow':>7}")
    print(header)
    print("-" * len(header))
    totals: dict[str, list[dict[str, float]]] = {m: [] for m in args.methods}
    for pass_ in args.passes:
        for level in args.sequences:
            for method in args.methods:
                r = evaluate(root / pass_ / level, method)
                totals[method].append(r)
                print(f"{pass_:6} {level + ' ' + SEQUENCES[level]:15} {method:10} {r['epe']:7.2f} {r['matched']:8.2f} "
                      f"{r['unmatched']:8.2f} {r['precision']:6.2f} {r['recall']:6.2f} {r['iou']:6.2f} "
                      f"{r['gt_occ']:7.1%} {r['mask0']:7.1%} {r['seconds']:7.3f}")
    print("-" * len(header))
    for method, rows in totals.items():
        mean = {k: float(np.nanmean([r[k] for r in rows])) for k in rows[0]}
        print(f"{'mean':6} {f'{len(rows)} pairs':15} {method:10} {mean['epe']:7.2f} {mean['matched']:8.2f} "
              f"{mean['unmatched']:8.2f} {mean['precision']:6.2f} {mean['recall']:6.2f} {mean['iou']:6.2f} "
              f"{mean['gt_occ']:7.1%} {mean['mask0']:7.1%} {mean['seconds']:7.3f}")


if __name__ == "__main__":
    main()
