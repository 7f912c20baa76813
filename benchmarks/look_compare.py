"""Compare runs of ``benchmarks/look_default.py``: per pair and on the mean, each measure of the
runs given against the first (the baseline), over the (clip, still, tone) rows they all have.

    python benchmarks/look_compare.py runs/look_default/dev_r2.txt runs/look_default/dev_s224.txt

Reads the printed tables (the raw files under runs/look_default/), so it needs nothing but them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

COLUMNS = ("drift", "inv", "blobs", "pal", "SSIM", "stab", "style")
HIGHER_IS_BETTER = {"SSIM"}


def read_rows(path: Path) -> dict[tuple[str, str, str], dict[str, float]]:
    """The table of one look_default.py output: (clip, still, tone) -> {measure: value}."""
    rows: dict[tuple[str, str, str], dict[str, float]] = {}
    header: list[str] | None = None
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts[:3] == ["clip", "still", "tone"]:
            header = parts
            continue
        if header is None or len(parts) < len(header) - 1 or line.startswith("mean"):
            continue
        try:
            values = {name: float(v) for name, v in zip(header[3:], parts[3:]) if name in COLUMNS}
        except ValueError:
            continue
        rows[tuple(parts[:3])] = values
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", type=Path, help="look_default.py outputs; the first is the baseline")
    args = p.parse_args(argv)
    if len(args.files) < 2:
        p.error("give at least two files")
    runs = {f: read_rows(f) for f in args.files}
    for f, rows in runs.items():
        if not rows:
            print(f"{f}: no rows of look_default.py's table found", file=sys.stderr)
            return 2
    base_file, base = args.files[0], runs[args.files[0]]
    keys = [k for k in base if all(k in rows for rows in runs.values())]
    measures = [m for m in COLUMNS if all(m in runs[f][k] for f in args.files for k in keys)]
    names = [f.stem for f in args.files]
    print(f"{len(keys)} pairs in all {len(args.files)} files; baseline {base_file.stem}")
    print(f"{'clip':20s} {'still':16s} " + " ".join(f"{m:>{8 * len(names) - 1}s}" for m in measures))
    for k in keys:
        cells = [" ".join(f"{runs[f][k][m]:7.3f}" for f in args.files) for m in measures]
        print(f"{k[0][:20]:20s} {k[1][:16]:16s} " + " ".join(cells))
    for m in measures:
        means = {f: sum(runs[f][k][m] for k in keys) / len(keys) for f in args.files}
        parts = [f"{f.stem} {means[f]:.3f}" for f in args.files]
        for f in args.files[1:]:
            better = sum((runs[f][k][m] > base[k][m]) if m in HIGHER_IS_BETTER else (runs[f][k][m] < base[k][m]) for k in keys)
            worse = sum((runs[f][k][m] < base[k][m]) if m in HIGHER_IS_BETTER else (runs[f][k][m] > base[k][m]) for k in keys)
            parts.append(f"{f.stem}: better on {better}, worse on {worse} of {len(keys)}")
        print(f"mean {m}: " + "; ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
