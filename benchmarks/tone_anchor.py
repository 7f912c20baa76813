"""render --tone anchor against --tone none on development clips x stills, measured as a viewer sees
them (filmstyle eval --still): one adapted look per pair (adapt defaults, cached), the first N frames
at 640x360, the default flow blending. Prints one row per (pair, tone) and the mean per tone.

    python benchmarks/tone_anchor.py -o runs/tone_anchor
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from _common import SHARED, machine

CLIPS = ("cockatoo.mp4", "slow_traffic_small.mp4", "sintel_snow.mp4")  # development clips, not Table 1's
STILLS = ("film_stills/sintel_f0043.png", "film_stills/bbb_f0324.png", "paintings/starry_night.jpg")
FIELDS = ("tone_drift", "ssim_mean", "palette_ratio", "dark_blobs_max", "inverted_frames")


def filmstyle(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "filmstyle", "-q", *args], check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", nargs="+", default=CLIPS)
    ap.add_argument("--stills", nargs="+", default=STILLS)
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("-o", "--out", type=Path, default=Path("runs/tone_anchor"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(machine())
    print(f"first {args.frames} frames at 640x360, DIS flow for e_stab; looks: adapt defaults, cached in {args.out}")
    print(f"{'clip':24s} {'still':20s} {'tone':7s} {'drift':>6s} {'SSIM':>5s} {'pal':>5s} {'dark':>6s} {'inv':>3s} {'stab':>5s}")
    sums: dict[str, list[list[float]]] = {"none": [], "anchor": []}
    for clip in args.clips:
        for still in args.stills:
            key = f"{Path(clip).stem}__{Path(still).stem}"
            look = args.out / f"{key}.look"
            if not look.exists():
                filmstyle("adapt", str(SHARED / "styles" / still), "-o", str(look), "--video", str(SHARED / "videos" / clip))
            for tone in ("none", "anchor"):
                out = args.out / f"{key}__{tone}.mp4"
                filmstyle("render", str(SHARED / "videos" / clip), "-l", str(look), "-o", str(out), "--size", "640x360",
                          "--max-frames", str(args.frames), "--tone", tone)
                r = json.loads(filmstyle("eval", str(SHARED / "videos" / clip), str(out), "--max-frames", str(args.frames),
                                         "--flow", "dis", "--still", str(SHARED / "styles" / still), "--json"))
                v = r["viewer"]
                row = [v["tone_drift"], v["ssim_mean"], v["palette_ratio"], v["dark_blobs_max"], r["ratio"]]
                sums[tone].append(row)
                print(f"{clip:24s} {Path(still).name:20s} {tone:7s} {row[0]:6.1f} {row[1]:5.2f} {row[2]:5.2f} "
                      f"{row[3]:6.3f} {v['inverted_frames']:3d} {row[4]:5.2f}", flush=True)
    for tone, rows in sums.items():
        if rows:
            mean = [sum(c) / len(rows) for c in zip(*rows)]
            print(f"mean of {len(rows)} pairs, tone {tone}: drift {mean[0]:.1f}, SSIM {mean[1]:.2f}, palette {mean[2]:.2f}, "
                  f"dark {mean[3]:.3f}, e_stab/floor {mean[4]:.2f}")


if __name__ == "__main__":
    main()
