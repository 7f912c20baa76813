"""Table 1 as text, Markdown, JSON, a PNG of sample frames and contact sheets of every method; the paper's own
Table 1 beside it."""
from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from filmstyle.bench.table1 import PAPER_CLIP_FOR, PAPER_NAMES, PAPER_TABLE1
from filmstyle.core import video
from filmstyle.core.files import atomic_path
from filmstyle.core.image import load_still, to_array
from filmstyle.measure.sheet import grid_sheet, pick_frames

SHEET_TILE = 200  # px: a Table 1 sheet holds the source and every method side by side

def _num(v: Any, spec: str) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return format(v, spec)


def table_rows(result: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(header, rows of cells) of our Table 1 from a :func:`run_table1` result."""
    clips = list(result["per_clip"])
    check = _check_flow(result)
    header = ["method"]
    for c in clips:
        short = Path(c).stem
        header += [f"{short} e_stab", f"{short} RMSE", f"{short} x floor"]
        if check:
            header.append(f"{short} x floor ({check})")
    header += ["model FPS", "e2e FPS", "look s", "look steps", "style dist", "content dist"]
    budgets = result["budgets"]
    rows = []
    for name, row in result["table"].items():
        label = name + (" (external)" if budgets.get(name, {}).get("external") else "")
        cells = [label]
        for c in clips:
            e = row["e_stab"][c]
            cells += [_num(e["e_stab"], ".3g"), _num(e["rmse"], ".4f"), _num(e["ratio"], ".2f")]
            if check:
                cells.append(_num((row.get("e_stab_check", {}).get(c) or {}).get("ratio"), ".2f"))
        steps = f"{row['per_frame_steps']}/frame" if row["per_frame_steps"] else str(row["look_steps"])
        if name == "source":
            steps, look = "-", "-"
        else:
            look = _num(row["look_seconds"], ".1f")
        cells += [_num(row["model_fps"], ".3g"), _num(row["e2e_fps"], ".3g"), look, steps,
                  _num(row["style_distance"], ".3f"), _num(row["content_distance"], ".3f")]
        rows.append(cells)
    return header, rows


def _check_flow(result: Mapping[str, Any]) -> str | None:
    """The flow of the e_stab cross-check where the rows carry one (None for older results)."""
    for row in result["table"].values():
        for check in (row.get("e_stab_check") or {}).values():
            if check:
                return check.get("flow")
    return None


def viewer_rows(result: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of what a viewer sees, per clip (:mod:`filmstyle.measure.viewer`)."""
    clips = list(result["per_clip"])
    header = ["method"]
    for c in clips:
        short = Path(c).stem
        header += [f"{short} drift", f"{short} inverted", f"{short} dark", f"{short} SSIM", f"{short} palette"]
    rows = []
    for name, row in result["table"].items():
        cells = [name]
        for c in clips:
            v = (row.get("viewer") or {}).get(c)
            cells += ["-"] * 5 if v is None else [
                _num(v["tone_drift"], ".1f"), f"{_num(v['inverted_frames'], '.1f')} ({_num(v['min_rank_corr'], '.2f')})",
                _num(100 * v["dark_blobs_max"], ".1f") + "%", _num(v["ssim_mean"], ".2f"), _num(v["palette_ratio"], ".2f")]
        rows.append(cells)
    return header, rows


def _fixed(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return [line(header), "-" * len(line(header)), *map(line, rows)]


VIEWER_NOTE = ("what a viewer sees (filmstyle eval --still): drift = max tone drift of mean luma against the "
               "source's, 0..255; inverted = frames whose luma rank correlation with the source is < 0 (lowest "
               "correlation); dark = most new dark pixels in a frame beyond the still's share; SSIM = luma structure "
               "kept; palette = Lab distance to the still's palette / the source's (lower = closer to the film)")


def format_text(result: Mapping[str, Any]) -> str:
    """Our Table 1 as fixed-width text, with the settings, budgets and the paper's block."""
    out = _fixed(*table_rows(result))
    viewer = _fixed(*viewer_rows(result))
    return "\n".join([*settings_lines(result), "", *out, "", *viewer, "", *run_lines(result), "", *notes_lines(result),
                      VIEWER_NOTE, "", *paper_lines(result)])


def settings_lines(result: Mapping[str, Any]) -> list[str]:
    s = result["settings"]
    stills = ", ".join(Path(p).name for p in s["stills"])
    lines = [f"Table 1 (ours): the mean of {s['runs']} runs (stills {stills}; seeds {', '.join(map(str, s['seeds']))} "
             f"for the methods with one); first {s['n_frames']} frames of each clip; e_stab flow {s['flow']}"
             + ("; QUICK run" if s["quick"] else ""),
             "budgets (how each method got the look):"]
    lines += [f"  {name}: {b['text']}  [{b['source']}]" for name, b in result["budgets"].items()]
    if result.get("quick_cuts"):
        lines += ["--quick cut (full -> quick):"] + [f"  {c}" for c in result["quick_cuts"]]
    cells = [(name, Path(clip).stem, row) for r in result.get("runs", []) for clip, rows in r["per_clip"].items()
             for name, row in rows.items() if name != "source"]
    shared = sorted({f"{name} ({clip})" for name, clip, row in cells if (row.get("concurrent") or 1) > 1})
    if shared:
        lines.append(f"FPS NOTE: cells of {', '.join(shared)} ran side by side with other cells: their timed renders "
                     "took turns (never two at once), but other cells' training ran meanwhile, so their FPS are lower "
                     "than alone (delete those files in OUT/cells and run again with --executor local for clean figures)")
    threads: dict[str, set[int]] = {}
    for name, _, row in cells:
        threads.setdefault(name, set()).add(int(row.get("threads") or 0))
    if any(t != {0} for t in threads.values()):
        lines.append("renders timed on torch threads: " + "; ".join(
            f"{name} {' and '.join(str(t) if t else '?' for t in sorted(ts))}" for name, ts in threads.items()))
    return lines


def run_lines(result: Mapping[str, Any]) -> list[str]:
    """Per method and clip, each run's e_stab / floor and style distance: how much the mean hides."""
    runs = result.get("runs", [])
    if len(runs) < 2:
        return []
    check = _check_flow(result)
    columns = f"x floor | x floor ({check}) | style dist" if check else "x floor | style dist"
    lines = ["per run (" + "; ".join(f"{Path(r['still']).stem} s{r['seed']}" for r in runs) + f"): {columns}"]
    for name in result["table"]:
        if name == "source":
            continue
        parts = []
        for clip in result["per_clip"]:
            ratios = " ".join(_num(r["per_clip"][clip][name]["ratio"], ".2f") for r in runs)
            dists = " ".join(_num(r["per_clip"][clip][name]["style_distance"], ".2f") for r in runs)
            if check:
                checks = " ".join(_num((r["per_clip"][clip][name].get("check") or {}).get("ratio"), ".2f") for r in runs)
                ratios = f"{ratios} | {checks}"
            parts.append(f"{Path(clip).stem}: {ratios} | {dists}")
        lines.append(f"  {name}: " + "; ".join(parts))
    return lines


def _cuts_text(result: Mapping[str, Any]) -> str:
    """Which frame pairs e_stab left out at shot cuts, per clip ("" for results older than that)."""
    spec = result.get("settings", {}).get("cuts")
    if spec is None:
        return ""
    found = {Path(c).stem: rows.get("source", {}).get("cuts") or [] for c, rows in result["per_clip"].items()}
    listed = "; ".join(f"{c}: frame(s) {', '.join(map(str, f))}" if f else f"{c}: none" for c, f in found.items())
    return (f" Pairs across a shot cut are left out (cuts {spec}: no flow relates two shots); "
            f"new shots start at {listed}.")


def notes_lines(result: Mapping[str, Any]) -> list[str]:
    return [
        "e_stab: mean over frame pairs within a shot of sum(M*(O_t - warp(O_t-1))^2)/(H*W*C), RGB in [0, 1] "
        "(filmstyle eval); RMSE = sqrt(e_stab); x floor = e_stab / the source clip's own e_stab." + _cuts_text(result)
        + (f" x floor ({check}): the same with {check} flow, a cross-check (bench --check-flow): where one "
           "flow's masks keep what they should drop (a shot cut), its e_stab measures more than flicker "
           "(docs/results/table1.md)." if (check := _check_flow(result)) else ""),
        "model FPS: frames / seconds in the method (network, or per-frame optimisation); e2e FPS: decode + method "
        "(+ temporal blend for meta) + encode. look s / look steps: to get the look, per clip (mean); n/frame = "
        "optimisation steps spent on every frame instead.",
        "style dist: relative Gram distance to the still (filmstyle.measure.style.style_distance, relu1_2..relu4_3); "
        "content dist: ||phi(out) - phi(src)||^2 / ||phi(src)||^2 at relu3_3. Both mean over frames and clips.",
        f"wall time of the bench: {result['seconds']:.0f} s",
    ]


def paper_lines(result: Mapping[str, Any]) -> list[str]:
    """The paper's own Table 1 (labelled as theirs) and e_stab ratios to the paper's method, theirs and ours."""
    clips = [c for c in result["per_clip"] if c in PAPER_CLIP_FOR]
    lines = ["The PAPER's Table 1 (Chen et al., AICS 2019; their clips, their GPU; not our numbers):"]
    lines.append(f"  {'method':22} {'selfie (live action)':>20} {'Totoro (animated)':>18} {'FPS':>7}")
    for key, row in PAPER_TABLE1.items():
        lines.append(f"  {PAPER_NAMES[key]:22} {row['selfie (live action)']:20.4f} {row['Totoro (animated)']:18.4f} "
                     f"{row['fps']:7.2f}")
    table = result["table"]
    if "meta" in table:
        lines.append("e_stab relative to the paper's method (meta), paper vs ours (clip pairing: "
                     + ", ".join(f"{c} ~ {PAPER_CLIP_FOR[c]}" for c in clips) + "):")
        for key in ("johnson", "stylebank"):
            if key not in table:
                continue
            parts = []
            for c in clips:
                paper = PAPER_TABLE1[key][PAPER_CLIP_FOR[c]] / PAPER_TABLE1["meta"][PAPER_CLIP_FOR[c]]
                ours = table[key]["e_stab"][c]["e_stab"] / table["meta"]["e_stab"][c]["e_stab"]
                parts.append(f"{Path(c).stem}: paper {paper:.2f}x, ours {ours:.2f}x")
            lines.append(f"  {key}: " + "; ".join(parts))
    return lines


def markdown(result: Mapping[str, Any]) -> str:
    """The report as Markdown: settings, our table, notes, the paper's table."""
    header, rows = table_rows(result)
    md = ["# Table 1, reproduced", "", *[f"- {line.strip()}" for line in settings_lines(result)], "",
          "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    vh, vr = viewer_rows(result)
    md += ["", "| " + " | ".join(vh) + " |", "|" + "---|" * len(vh), *["| " + " | ".join(r) + " |" for r in vr]]
    runs = run_lines(result)
    md += ["", *([f"- {runs[0]}", *[f"  - {line.strip()}" for line in runs[1:]]] if runs else [])]
    md += ["", *[f"- {n}" for n in notes_lines(result)], f"- {VIEWER_NOTE}", "", "## The paper's Table 1 (theirs, for reference)", "",
           "| method | e_stab selfie (live action) | e_stab Totoro (animated) | FPS |", "|---|---|---|---|"]
    md += [f"| {PAPER_NAMES[k]} | {r['selfie (live action)']} | {r['Totoro (animated)']} | {r['fps']} |"
           for k, r in PAPER_TABLE1.items()]
    md += ["", *[f"- {line.strip()}" for line in paper_lines(result)[len(PAPER_TABLE1) + 2:]]]
    return "\n".join(md) + "\n"


def write_json(result: Mapping[str, Any], path: str | os.PathLike) -> Path:
    """Write ``result`` as JSON (NaN and infinities as null), atomically."""
    def clean(v: Any) -> Any:
        if isinstance(v, float):
            return v if math.isfinite(v) else None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(clean(result), indent=2))
    return Path(path)


def write_markdown(result: Mapping[str, Any], path: str | os.PathLike) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(markdown(result))
    return Path(path)


def write_png(result: Mapping[str, Any], still: np.ndarray, path: str | os.PathLike) -> Path:
    """Sample frames side by side: one row per clip, columns still | source | each method (the middle
    rendered frame). still: (H, W, 3) uint8."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = int(result["settings"]["n_frames"])
    clips = list(result["renders"])
    names = ["source", *next(iter(result["renders"].values()))]
    fig, axes = plt.subplots(len(clips), len(names) + 1, figsize=(2.6 * (len(names) + 1), 1.9 * len(clips)),
                             squeeze=False, dpi=110)
    for r, clip in enumerate(clips):
        size = tuple(result["settings"]["clips"][clip][0])
        panels = [("still", still)]
        src = list(video.read_frames(Path(result["settings"]["data"]) / "videos" / clip, size=size, max_frames=n))
        panels.append(("source", src[n // 2] if len(src) > n // 2 else src[-1]))
        for name in names[1:]:
            frames = list(video.read_frames(result["renders"][clip][name], max_frames=n))
            panels.append((name, frames[min(n // 2, len(frames) - 1)]))
        for c, (label, img) in enumerate(panels):
            ax = axes[r][c]
            ax.imshow(img)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(label if r == 0 else "", fontsize=8)
            if c == 0:
                ax.set_ylabel(Path(clip).stem, fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(path)


def _sheet_caption(run: Mapping[str, Any], clip: str, names: list[str]) -> list[str]:
    rows = run["per_clip"][clip]
    lines = [f"{Path(clip).stem} x {Path(run['still']).stem}, seed {run['seed']}: e_stab / the source's floor, "
             "style distance, SSIM, palette"]
    for name in names:
        r = rows[name]
        v = r.get("viewer") or {}
        lines.append(f"{name}: {_num(r.get('ratio'), '.2f')}x, {_num(r.get('style_distance'), '.3f')}, "
                     f"{_num(v.get('ssim_mean'), '.2f')}, {_num(v.get('palette_ratio'), '.2f')}")
    return lines


def write_sheets(result: Mapping[str, Any], folder: str | os.PathLike) -> list[Path]:
    """Contact sheets of every (clip, still) of the first seed: the still, then for frames early, in the
    middle and late in the clip the source and every method's render side by side, each method's
    figures in the caption. Written as FOLDER/CLIP-STILL.png (small PNGs, 256 colours)."""
    n = int(result["settings"]["n_frames"])
    first = result["runs"][0]["seed"] if result["runs"] else None
    ts = pick_frames(n)
    written = []
    for run in (r for r in result["runs"] if r["seed"] == first):
        still = to_array(load_still(run["still"], 256))
        for clip, renders in run["renders"].items():
            size = tuple(result["settings"]["clips"][clip][0])
            names = list(renders)
            source = list(video.read_frames(Path(result["settings"]["data"]) / "videos" / clip, size=size,
                                            max_frames=ts[-1] + 1))
            outputs = [list(video.read_frames(renders[m], max_frames=ts[-1] + 1)) for m in names]
            rows = [(t, [source[min(t, len(source) - 1)], *(o[min(t, len(o) - 1)] for o in outputs)]) for t in ts]
            path = Path(folder) / f"{Path(clip).stem}-{Path(run['still']).stem}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(grid_sheet(still, ["source", *names], rows, path, width=SHEET_TILE,
                                      caption=_sheet_caption(run, clip, names)))
    return written


def write_all(result: Mapping[str, Any], out: str | os.PathLike) -> list[Path]:
    """Everything ``filmstyle bench table1`` writes into its folder: table1.json, table1.md, table1.png
    (the first run's middle frames) and sheets/ (:func:`write_sheets`)."""
    out = Path(out)
    still = to_array(load_still(result["runs"][0]["still"], 256))
    return [write_json(result, out / "table1.json"), write_markdown(result, out / "table1.md"),
            write_png(result, still, out / "table1.png"), *write_sheets(result, out / "sheets")]
