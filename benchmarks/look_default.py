"""The default look path against issue 13's goals, measured as a viewer sees it, through the command line.

For each clip x still: ``filmstyle adapt STILL --video CLIP`` with its defaults (cached in OUT), then
``filmstyle render`` of the first N frames 640 px wide (the clip's aspect kept) with each ``--tone`` mode (the default first),
then ``filmstyle eval --still --flow dis --json --sheet``. Prints one row per (pair, tone) with the five
viewer measures, e_stab over the source's floor and the style distance to the still (as ``bench table1``
measures it, on every 4th frame), the goals met per row, and the mean per tone. ``--adapt`` passes
options to adapt (the looks are then cached under ``--tag``), to compare adapt settings.
Contact sheets of every render land in OUT/sheets/.

    python benchmarks/look_default.py -o runs/look_default                      # development pairs
    python benchmarks/look_default.py -o runs/look_default_table1 --clips bikes.mp4 bigbuckbunny.mp4 \\
        --stills film_stills/sintel_f0016.png film_stills/chaplin_f0120.png paintings/the_scream.jpg

Goals (issue 13): tone drift <= 8/255, no inverted frame, dark blobs <= 1% of pixels, palette ratio
<= 0.6, structure SSIM >= 0.5.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from _common import SHARED, machine, require_shared

from filmstyle.bench.table1 import STYLE_SIZE
from filmstyle.core import video
from filmstyle.core.config import LossConfig
from filmstyle.core.image import from_array, load_still
from filmstyle.losses import loss_network
from filmstyle.measure.style import style_distance

CLIPS = ("cockatoo.mp4", "slow_traffic_small.mp4", "sintel_snow.mp4")  # development clips, not Table 1's
STILLS = ("film_stills/sintel_f0043.png", "film_stills/bbb_f0324.png", "paintings/starry_night.jpg")
TONES = ("grade", "anchor", "none")
GOALS = {"drift": lambda v: v["tone_drift"] <= 8, "inv": lambda v: v["inverted_frames"] == 0,
         "blobs": lambda v: v["dark_blobs_max"] <= 0.01, "palette": lambda v: v["palette_ratio"] <= 0.6,
         "ssim": lambda v: v["ssim_mean"] >= 0.5}


def filmstyle(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "filmstyle", "-q", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"filmstyle {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", nargs="+", default=CLIPS)
    ap.add_argument("--stills", nargs="+", default=STILLS)
    ap.add_argument("--tones", nargs="+", default=TONES, choices=TONES)
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--width", type=int, default=640, help="render width; the height keeps the clip's aspect")
    ap.add_argument("-o", "--out", type=Path, default=Path("runs/look_default"))
    ap.add_argument("--adapt", default="", help="extra options for adapt, e.g. '--tone grade' (give --tag too)")
    ap.add_argument("--tag", default="", help="suffix of the cached looks' names, for non-default --adapt options")
    ap.add_argument("--render", default="", help="extra options for render, e.g. '--network-side 180' (give --render-tag)")
    ap.add_argument("--render-tag", default="", help="suffix of the renders' and sheets' names, for --render options")
    args = ap.parse_args()
    vgg = loss_network(LossConfig())
    require_shared()
    (args.out / "sheets").mkdir(parents=True, exist_ok=True)
    print(machine())
    print(f"first {args.frames} frames {args.width} px wide, DIS flow for e_stab; looks: adapt defaults, cached in {args.out}")
    print(f"{'clip':22s} {'still':20s} {'tone':6s} {'drift':>6s} {'inv':>3s} {'blobs':>6s} {'pal':>5s} {'SSIM':>5s} "
          f"{'stab':>5s} {'style':>5s} {'fps':>5s}  goals failed")
    rows: dict[str, list[list[float]]] = {t: [] for t in args.tones}
    for clip in args.clips:
        src = SHARED / "videos" / clip
        info = video.probe(src)
        size = f"{args.width}x{round(args.width * info.height / info.width / 2) * 2}"
        for still in args.stills:
            key = f"{Path(clip).stem}__{Path(still).stem}{args.tag}"
            look = args.out / f"{key}.look"
            if not look.exists():
                filmstyle("adapt", str(SHARED / "styles" / still), "-o", str(look), "--video", str(src), *args.adapt.split())
            target = load_still(SHARED / "styles" / still, STYLE_SIZE)
            for tone in args.tones:
                out = args.out / f"{key}__{tone}{args.render_tag}.mp4"
                said = filmstyle("render", str(src), "-l", str(look), "-o", str(out), "--size", size,
                                 "--max-frames", str(args.frames), "--tone", tone, "-y", *args.render.split())
                e2e = float(re.search(r"end-to-end ([0-9.]+) FPS", said).group(1))
                r = json.loads(filmstyle("eval", str(src), str(out), "--max-frames", str(args.frames), "--flow", "dis",
                                         "--still", str(SHARED / "styles" / still), "--json", "-y",
                                         "--sheet", str(args.out / "sheets" / f"{key}__{tone}{args.render_tag}.png")))
                v = r["viewer"]
                failed = [g for g, ok in GOALS.items() if not ok(v)]
                row = [v["tone_drift"], v["inverted_frames"], v["dark_blobs_max"], v["palette_ratio"], v["ssim_mean"],
                       r["ratio"], e2e]
                frames = [from_array(f) for f in video.read_frames(out, max_frames=args.frames)][::4]
                row.insert(6, style_distance(vgg, frames, target))
                rows[tone].append(row + [len(failed)])
                print(f"{Path(clip).stem[:22]:22s} {Path(still).stem[:20]:20s} {tone:6s} {row[0]:6.1f} {row[1]:3d} "
                      f"{row[2]:6.3f} {row[3]:5.2f} {row[4]:5.2f} {row[5]:5.2f} {row[6]:5.2f} {row[7]:5.2f}  {' '.join(failed) or '-'}",
                      flush=True)
    for tone, rs in rows.items():
        if rs:
            mean = [sum(c) / len(rs) for c in zip(*rs)]
            met = sum(r[-1] == 0 for r in rs)
            print(f"mean of {len(rs)} pairs, tone {tone}: drift {mean[0]:.1f}, inverted frames {mean[1]:.1f}, blobs "
                  f"{mean[2]:.3f}, palette {mean[3]:.2f}, SSIM {mean[4]:.2f}, e_stab/floor {mean[5]:.2f}, "
                  f"style {mean[6]:.3f}, e2e FPS {mean[7]:.2f}; all five goals met on {met}/{len(rs)}")


if __name__ == "__main__":
    main()
