"""Table 1 of the paper, reproduced: every method of :data:`filmstyle.methods.METHODS` on the same
frames of the paper's two kinds of clip, measured with the same code.

Clips (``DATA/videos``): bigbuckbunny.mp4 (animated, as the paper's "Totoro"), rendered at 640x360,
and bikes.mp4 (live action, as the paper's "selfie video"), at its native 640x272. Styles: film
stills held out of meta-training (:data:`filmstyle.training.tasks.HOLDOUT_STYLES`), each with every
seed of ``BenchConfig.seeds`` for the methods that adapt from a seed; the table is the mean over
these runs and each run's figures are kept beside it. Per run, method and clip:
get the look (timed), render the first N frames with :func:`filmstyle.core.video.transcode` (model-only
and end-to-end FPS), then measure all renders of a clip together: e_stab with DeepFlow on the source
frames (:func:`filmstyle.measure.stability.stability_many`, the paper's sec. 3.4 and 4.1), the style
distance to the still (:func:`filmstyle.measure.style.style_distance`) and the content distance to the
source frames (:func:`filmstyle.measure.style.content_distance`).

A full table takes hours on a CPU, so every (clip, method, still, seed) cell is kept as it finishes:
its render in ``OUT/renders/`` and its timings in ``OUT/cells/`` with the settings that made it
(still, seed, frames, size, budget). A re-run with the same settings reuses finished cells and only measures them again;
``fresh=True`` (``--fresh``) re-runs every cell, which is what to do after changing a method's code.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from filmstyle.core import video
from filmstyle.core.config import DEVICE, FULL_FRAMES, BenchConfig, LossConfig
from filmstyle.core.errors import InputError
from filmstyle.core.executors import ray_cpus, run_jobs, set_threads, threads_per_worker
from filmstyle.core.files import atomic_path
from filmstyle.core.image import file_sha256, from_array, load_still, to_array
from filmstyle.losses import loss_network
from filmstyle.measure.stability import stability_many
from filmstyle.measure.speed import fps
from filmstyle.measure.viewer import LookMeter
from filmstyle.measure.style import features, relative_distance, style_distance
from filmstyle.methods import METHODS, Method
from filmstyle.nets.vgg import VGG19Features

STYLE_SIZE = 256  # short side of the still for the style distance (as benchmarks/temporal.py)

# The paper's own Table 1 (Chen et al., AICS 2019, Table 1; /work/shared/paper): e_stab per clip and
# FPS, on their GPU. Its e_stab's pixel scale and resolution are not stated: compare ratios, not values.
PAPER_TABLE1: dict[str, dict[str, float]] = {
    "johnson": {"selfie (live action)": 0.0199, "Totoro (animated)": 0.0240, "fps": 38.17},
    "stylebank": {"selfie (live action)": 0.0159, "Totoro (animated)": 0.0181, "fps": 20.60},
    "meta": {"selfie (live action)": 0.0128, "Totoro (animated)": 0.0113, "fps": 15.07},
}
PAPER_NAMES = {"johnson": "Johnson [6] et al.", "stylebank": "Chen [2] et al.", "meta": "Our proposed method"}
PAPER_CLIP_FOR = {"bikes.mp4": "selfie (live action)", "bigbuckbunny.mp4": "Totoro (animated)"}


def check_data(cfg: BenchConfig) -> tuple[list[Path], dict[str, Path]]:
    """(the stills, {clip name: path}); InputError naming the first missing folder or file."""
    if not cfg.data.is_dir():
        raise InputError(cfg.data, "benchmark data folder not found",
                         "pass --data DIR (the folder holding videos/, styles/, content/) or set FILMSTYLE_SHARED")
    clips = {name: cfg.data / "videos" / name for name in cfg.clips}
    for path in clips.values():
        if not path.is_file():
            raise InputError(path, "Table 1 clip not found", f"put {path.name} in {path.parent} or pass another --data")
    stills = [cfg.data / "styles" / still for still in cfg.stills]
    for still in stills:
        if not still.is_file():
            raise InputError(still, "style still not found", "pass --stills PATH... relative to DATA/styles")
    if not stills or not cfg.seeds:
        raise InputError(None, "give at least one still and one seed")
    unknown = [m for m in cfg.methods if m not in METHODS]
    if unknown:
        raise InputError(None, f"unknown method(s) {', '.join(unknown)}", f"use some of: {', '.join(METHODS)}")
    if cfg.n_frames < 2:
        raise InputError(None, f"--frames must be at least 2 (e_stab needs a pair), got {cfg.n_frames}")
    return stills, clips


def _frames(path: Path, n: int, size: tuple[int, int] | None = None) -> list[torch.Tensor]:
    return [from_array(f) for f in video.read_frames(path, size=size, max_frames=n)]


def measure_clip(source: Path, renders: Mapping[str, Path], *, frames: int, vgg: VGG19Features,
                 still: torch.Tensor, flow: str = "deepflow", cuts: str = "auto") -> dict[str, dict[str, Any]]:
    """Figures of every render of ``source`` on its first ``frames`` frames, plus a ``"source"`` row
    (the unstylised frames: e_stab = the floor, ``cuts`` the frames starting a new shot, whose pairs
    e_stab leaves out). still: (1, 3, H, W) for the style distance."""
    names = list(renders)
    reports = stability_many(source, [renders[n] for n in names], flow=flow, cuts=cuts, max_frames=frames)
    size = (reports[0].width, reports[0].height)
    src = _frames(source, frames, size)
    src_feats = features(vgg, src)
    floor = reports[0].floor
    still_rgb = to_array(still)
    rows: dict[str, dict[str, Any]] = {"source": {
        "e_stab": floor, "rmse": math.sqrt(floor), "ratio": 1.0, "floor": floor, "cuts": list(reports[0].cuts),
        "style_distance": style_distance(vgg, src, still), "content_distance": 0.0,
        "viewer": _viewer(still_rgb, src, src)}}
    for name, rep in zip(names, reports):
        out = _frames(renders[name], frames)
        rows[name] = {"e_stab": rep.e_stab, "rmse": rep.rmse, "ratio": rep.ratio, "floor": rep.floor,
                      "masked": rep.masked, "reliable": rep.reliable,
                      "style_distance": style_distance(vgg, out, still),
                      "content_distance": relative_distance(features(vgg, out), src_feats),
                      "viewer": _viewer(still_rgb, src, out)}
    return rows


def measure_check(source: Path, renders: Mapping[str, Path], *, frames: int, flow: str,
                  cuts: str = "auto") -> dict[str, dict[str, Any]]:
    """e_stab of every render with ``flow``, as a cross-check of the main measure: {name: {"flow",
    "e_stab", "ratio"}}, with a ``"source"`` entry (the floor, ratio 1)."""
    names = list(renders)
    reports = stability_many(source, [renders[n] for n in names], flow=flow, cuts=cuts, max_frames=frames)
    checks = {"source": {"flow": flow, "e_stab": reports[0].floor, "ratio": 1.0}}
    for name, rep in zip(names, reports):
        checks[name] = {"flow": flow, "e_stab": rep.e_stab, "ratio": rep.ratio}
    return checks


def _viewer(still: np.ndarray, src: list[torch.Tensor], out: list[torch.Tensor]) -> dict[str, Any]:
    """What a viewer sees (:mod:`filmstyle.measure.viewer`) of ``out`` against ``src`` and the still."""
    meter = LookMeter(still)
    for a, b in zip(src, out):
        meter.update(to_array(a), to_array(b))
    return meter.result().to_dict()


def summarize(per_clip: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One row per method over the clips: e_stab per clip, FPS pooled over all rendered frames
    (frames / seconds), look seconds as the mean per clip, distances as the mean over clips."""
    methods = list(next(iter(per_clip.values())))
    rows = {}
    for m in methods:
        cells = [per_clip[c][m] for c in per_clip]
        frames = sum(c.get("frames", 0) for c in cells)
        model, total = sum(c.get("model_seconds", 0.0) for c in cells), sum(c.get("total_seconds", 0.0) for c in cells)
        rows[m] = {
            "e_stab": {c: {k: per_clip[c][m][k] for k in ("e_stab", "rmse", "ratio")} for c in per_clip},
            "e_stab_check": {c: per_clip[c][m].get("check") for c in per_clip},
            "model_fps": fps(frames, model) if model > 0 else None,
            "e2e_fps": fps(frames, total) if total > 0 else None,
            "look_seconds": sum(c.get("look_seconds", 0.0) for c in cells) / len(cells),
            "look_steps": cells[0].get("look_steps", 0),
            "per_frame_steps": cells[0].get("per_frame_steps", 0),
            "style_distance": sum(c["style_distance"] for c in cells) / len(cells),
            "content_distance": sum(c["content_distance"] for c in cells) / len(cells),
            "viewer": {c: per_clip[c][m].get("viewer") for c in per_clip},
        }
    return rows


def quick_cuts(methods: list[Method], cfg: BenchConfig) -> list[str]:
    """What --quick cuts against the full run, one line per method (field: full -> quick)."""
    cuts = [f"frames per clip: {FULL_FRAMES} -> {cfg.n_frames}"]
    for m in methods:
        full, quick = m.FULL, m.QUICK
        diff = [f"{f.name} {getattr(full, f.name)} -> {getattr(quick, f.name)}" for f in fields(full)
                if getattr(full, f.name) != getattr(quick, f.name)]
        cuts.append(f"{m.name}: " + (", ".join(diff) or "nothing"))
    return cuts


def warm_up(stylizer: Any, size: tuple[int, int]) -> None:
    """Run a feed-forward method's network once at the render size, outside its timing and its
    state, so that the first frame does not carry the CPU's one-off set-up for that shape into the
    model FPS of whichever method renders a clip first. Methods without a network (per-frame
    optimisation) are left alone: their set-up is small against their frames."""
    net = getattr(stylizer, "net", None)
    if isinstance(net, torch.nn.Module):
        with torch.inference_mode():
            net(torch.zeros(1, 3, size[1], size[0]))


def cell_key(cfg: BenchConfig, method: Method, still: Path, size: tuple[int, int]) -> dict[str, Any]:
    """What a finished cell must match to be reused: the still, seed, frames, render size and budget."""
    seed = method.seed if method.seeded else None  # one cell for all seeds when the look has no random state
    return json.loads(json.dumps({"still": str(still), "seed": seed, "frames": cfg.n_frames, "size": list(size),
                                  "method": method.name, "budget": method.budget_dict()}, default=str))


def cell_name(clip: str, method: Method, still: Path) -> str:
    """The file stem of a cell and its render; a method without a seed has one cell for all seeds."""
    return f"{Path(clip).stem}-{method.name}-{still.stem}" + (f"-s{method.seed}" if method.seeded else "")


# How frames are read for measuring: 2 since RGB decoding rounds accurately (filmstyle.core.video._converted,
# 2026-12-05: 1.2 levels darker before); rows measured with another reader are measured again.
READER = 2


def measure_cached(cache: Path, source: Path, renders: Mapping[str, Path], *, frames: int, vgg: VGG19Features,
                   still: torch.Tensor, flow: str, check_flow: str | None = None, cuts: str = "auto",
                   log: Callable[[int], None] = lambda k: None) -> dict[str, dict[str, Any]]:
    """:func:`measure_clip`, measuring only the renders not measured before: ``cache`` (JSON, one per
    clip and still) keeps each render's row under its file name with the render's SHA-256, and the
    source's row; a changed render, another flow, frame count, ``cuts`` or :data:`READER` is measured again. A row measured
    before without ``check_flow``'s cross-check gets only that (:func:`measure_check`). ``log(k)``
    before measuring k renders."""
    key = {"flow": flow, "frames": frames, "cuts": cuts, "reader": READER}
    try:
        data = json.loads(cache.read_text())
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("rows"), dict):
        data = {"key": key, "rows": {}}
    known: dict[str, Any] = data["rows"]
    shas = {name: file_sha256(path) for name, path in renders.items()}
    missing = {name: path for name, path in renders.items()
               if known.get(path.name, {}).get("sha256") != shas[name]}
    changed = False
    if missing or "source" not in known:
        todo = missing or dict(list(renders.items())[:1])
        log(len(todo))
        fresh = measure_clip(source, todo, frames=frames, vgg=vgg, still=still, flow=flow, cuts=cuts)
        known["source"] = {"row": fresh.pop("source")}
        for name, row in fresh.items():
            known[renders[name].name] = {"sha256": shas[name], "row": row}
        changed = True
    if check_flow is not None and check_flow != flow:
        unchecked = {name: path for name, path in renders.items()
                     if (known[path.name]["row"].get("check") or {}).get("flow") != check_flow}
        if unchecked or (known["source"]["row"].get("check") or {}).get("flow") != check_flow:
            checks = measure_check(source, unchecked or dict(list(renders.items())[:1]), frames=frames, flow=check_flow,
                                   cuts=cuts)
            known["source"]["row"]["check"] = checks.pop("source")
            for name, check in checks.items():
                known[renders[name].name]["row"]["check"] = check
            changed = True
    if changed:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cache) as tmp:
            tmp.write_text(json.dumps(data, indent=1, default=str))
    return {"source": known["source"]["row"], **{name: known[path.name]["row"] for name, path in renders.items()}}


def mean_rows(runs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The mean of nested dicts of the same shape: numbers averaged (None and NaN left out), the
    rest taken from the first."""
    first = runs[0]
    if isinstance(first, Mapping):
        return {k: mean_rows([r[k] for r in runs if isinstance(r, Mapping) and k in r]) for k in first}
    if isinstance(first, bool) or not isinstance(first, int | float):
        return first
    values = [float(v) for v in runs if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)]
    return sum(values) / len(values) if values else math.nan


def load_cell(path: Path, key: Mapping[str, Any], render: Path) -> dict[str, Any] | None:
    """The finished cell at ``path`` if it was made with ``key`` and its render is there, else None
    (a missing, unreadable or stale cell is run again)."""
    try:
        cell = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(cell, dict) or cell.get("key") != key or not render.is_file():
        return None
    return cell


def save_cell(path: Path, key: Mapping[str, Any], timings: Mapping[str, Any], budget_text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps({"key": key, "timings": timings, "budget_text": budget_text}, indent=1,
                                  default=str))


@dataclass(frozen=True)
class CellJob:
    """What a worker needs to get one cell's look and render it (picklable: no callbacks)."""

    method: str
    budget: Any
    quick: bool
    context: Mapping[str, Any]  # data, cache, device: as Method takes them
    seed: int
    still: str
    src: str
    size: tuple[int, int]
    frames: int
    dst: str
    cell: str
    key: Mapping[str, Any]
    label: str  # "[clip, still, seed N] method" for the log
    threads: int = 0
    concurrent: int = 1  # cells running side by side on the executor
    turn: str | None = None  # a lock file: with cells side by side, their timed renders take turns


@dataclass(frozen=True)
class CellResult:
    cell: str
    timings: Mapping[str, Any]
    budget_text: str
    label: str


def render_lock(out: Path) -> Path:
    """The lock file of the timed renders of the bench writing to ``out``: one per machine (in its
    temporary folder), since renders on other machines do not share this one's cores."""
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"filmstyle-bench-{key}.lock"


@contextmanager
def render_turn(lock: str | None) -> Iterator[None]:
    """Hold the exclusive lock on the file ``lock`` (None: nothing to hold): cells that get their looks
    side by side still time their renders one at a time, so that no render shares the machine with
    another render (fcntl locks: processes of one machine, or nodes on storage that supports them)."""
    if lock is None:
        yield
        return
    import fcntl

    Path(lock).parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class FrameCache:
    """A per-frame method's finished frames kept on disk (a :class:`filmstyle.methods.base.Stylizer`
    around ``inner``): Gatys and pastiche spend minutes on every frame, so a cell that is stopped
    resumes at its first frame not done instead of at its first frame. Frame ``i`` of the render is
    kept as ``folder/NNNNN.png`` (lossless, so a reused frame is the frame) with the seconds it took
    and a digest of the input frame; it is reused only for the same input and the same ``key`` (the
    cell's), whose record is kept in ``folder/key.json`` (another key empties the folder). A reused
    frame's recorded seconds count in ``model_seconds``, so the FPS are those of the optimisation."""

    def __init__(self, inner: Any, folder: Path, key: Mapping[str, Any]) -> None:
        self.inner, self.folder = inner, folder
        self.index, self.reused = 0, 0
        self.kept_seconds = 0.0  # the recorded seconds of the frames reused (spent by an earlier run)
        folder.mkdir(parents=True, exist_ok=True)
        stamp, want = folder / "key.json", json.dumps(key, sort_keys=True, default=str)
        try:
            same = stamp.read_text() == want
        except OSError:
            same = False
        if not same:
            for f in folder.iterdir():
                f.unlink()
            with atomic_path(stamp) as tmp:
                tmp.write_text(want)

    @property
    def model_seconds(self) -> float:
        return self.kept_seconds + self.inner.model_seconds

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        from PIL import Image

        i, self.index = self.index, self.index + 1
        digest = hashlib.sha256(np.ascontiguousarray(frame).tobytes()).hexdigest()[:32]
        png, record = self.folder / f"{i:05d}.png", self.folder / f"{i:05d}.json"
        try:
            kept = json.loads(record.read_text())
            if kept["input"] == digest:
                with Image.open(png) as im:
                    out = np.asarray(im.convert("RGB")).copy()
                self.kept_seconds += float(kept["seconds"])
                self.reused += 1
                return out
        except (OSError, ValueError, KeyError):
            pass  # not done (or unreadable): optimise it
        before = self.inner.model_seconds
        out = self.inner(frame)
        with atomic_path(png) as tmp:
            Image.fromarray(out).save(tmp, format="PNG")
        with atomic_path(record) as tmp:  # written last: a record means its frame is there
            tmp.write_text(json.dumps({"input": digest, "seconds": self.inner.model_seconds - before}))
        return out


@lru_cache(maxsize=4)
def _method(name: str, quick: bool, budget: Any, context: tuple[tuple[str, Any], ...]) -> Method:
    """One method object per process and budget: a worker keeps its loaded networks from cell to cell."""
    return METHODS[name](quick=quick, budget=budget, **dict(context))


def run_cell(job: CellJob) -> CellResult:
    """Get the look of one cell and render the first frames of its clip; the cell file (timings, budget)
    is written atomically once the render is there, so a killed run resumes at the cells not written."""
    set_threads(job.threads)
    m = _method(job.method, job.quick, job.budget, tuple(sorted(job.context.items())))
    m.seed = job.seed
    m.checkpoint = Path(job.cell).with_suffix(".ckpt")  # a method that trains resumes there (Johnson: an hour here)
    m.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    prep = m.prepare(job.still, job.src)
    stylizer, turn, frames = prep.stylizer, job.turn, None
    if prep.per_frame_steps:
        # the optimisation is the render: its frames are kept as they finish (FrameCache), and it does
        # not hold the render turn, which would keep every other cell's render waiting for tens of
        # minutes; its FPS are marked in the report as any cell that ran beside others
        frames = FrameCache(stylizer, Path(job.cell).with_suffix(".frames"), job.key)
        stylizer, turn = frames, None
    with render_turn(turn):
        warm_up(stylizer, job.size)
        stats = video.transcode(job.src, job.dst, stylizer, size=job.size, max_frames=job.frames)
    notes, total = dict(prep.notes), stats.seconds_total
    if frames is not None:  # the frames reused: their optimisation's seconds, spent by an earlier run
        notes["frames_reused"], total = frames.reused, total + frames.kept_seconds
    timings = {"look_seconds": prep.seconds, "look_steps": prep.steps, "per_frame_steps": prep.per_frame_steps,
               "frames": stats.frames, "model_seconds": stylizer.model_seconds,
               "total_seconds": total, "threads": torch.get_num_threads(), "concurrent": job.concurrent,
               "notes": notes}
    text = m.budget_text()
    save_cell(Path(job.cell), job.key, timings, text)
    m.checkpoint.unlink(missing_ok=True)
    if frames is not None:
        shutil.rmtree(frames.folder, ignore_errors=True)  # the render holds them now
    return CellResult(job.cell, timings, text, job.label)


def run_table1(cfg: BenchConfig, *, log: Callable[[str], None] = print, device: str = DEVICE) -> dict[str, Any]:
    """Run the bench (module docstring) and return everything written to the JSON report. ``device``:
    where the methods train and render ("auto", "cpu" or "cuda"); the measures run on the CPU. It is
    not part of a cell's identity: cells made on one device are reused on another.

    The cells not finished before run on ``cfg.executor`` (:func:`filmstyle.core.executors.run_jobs`):
    in this process, on a pool of ``cfg.jobs`` processes, or as Ray tasks. Work that all cells of a
    method share (StyleBank's pre-training) is done here first, once; the measures run here at the end.
    The networks' cells are handed out before the per-frame optimisers' (``Method.per_frame``).
    """
    started = time.perf_counter()
    still_paths, clips = check_data(cfg)
    n = cfg.n_frames

    last: dict[str, float] = {}

    def on_step(step: int, branch: str, loss: float) -> None:  # StyleBank pre-training progress
        total = methods_by_name["stylebank"].budget.pretrain_steps
        last[branch] = loss
        if step % max(1, total // 10) == 0:
            losses = ", ".join(f"{k} {v:.3g}" for k, v in sorted(last.items()))
            log(f"  stylebank pre-training: step {step}/{total} (last loss: {losses})")

    executor = cfg.executor_kind
    cache = cfg.cache if cfg.cache is not None or executor != "ray" else cfg.out / "cache"  # where every node sees it
    context = {"data": cfg.data.resolve(), "cache": None if cache is None else cache.resolve(), "device": device}
    methods = [METHODS[name](quick=cfg.quick, on_step=on_step, **context) for name in cfg.methods]
    methods_by_name = {m.name: m for m in methods}
    renders_dir = (cfg.out / "renders").resolve()
    renders_dir.mkdir(parents=True, exist_ok=True)
    cells_dir = (cfg.out / "cells").resolve()
    workers = 1 if executor == "local" else cfg.jobs

    # the plan: every cell, each once (a method without a seed has one cell for all seeds)
    done: dict[str, tuple[Mapping[str, Any], str]] = {}  # cell file -> (timings, budget text)
    todo: dict[str, CellJob] = {}
    for still_path in still_paths:
        for seed in cfg.seeds:
            for clip, src in clips.items():
                size = cfg.clips[clip][0]
                for m in methods:
                    m.seed = seed
                    name = cell_name(clip, m, still_path)
                    cell, dst = cells_dir / f"{name}.json", renders_dir / f"{name}.mp4"
                    if str(cell) in done or str(cell) in todo:
                        continue
                    key = cell_key(cfg, m, still_path, size)
                    label = f"[{clip}, {still_path.stem}, seed {seed}] {m.name}"
                    kept = load_cell(cell, key, dst) if not cfg.fresh else None
                    if kept is not None:
                        done[str(cell)] = kept["timings"], kept["budget_text"]
                        log(f"{label}: reusing the finished cell {cell} (--fresh re-runs it)")
                    else:
                        todo[str(cell)] = CellJob(m.name, m.budget, cfg.quick, context, seed, str(still_path.resolve()),
                                                  str(src.resolve()), size, n, str(dst), str(cell), key, label)
    if todo:
        slots = {"local": 1, "process": workers}.get(executor) or ray_cpus(cfg.address)
        concurrent = min(slots, len(todo))
        threads = threads_per_worker(executor, concurrent)
        turn = str(render_lock(cfg.out)) if concurrent > 1 else None
        # the networks' cells first: minutes each, where a per-frame optimiser's cell takes hours, so
        # an interrupted run has every network's row complete before the slow baselines' cells
        slow = {m.name for m in methods if m.per_frame}
        jobs = sorted((replace(j, threads=threads, concurrent=concurrent, turn=turn) for j in todo.values()),
                      key=lambda j: j.method in slow)
        for m in methods:
            if any(j.method == m.name for j in jobs):
                m.shared()  # once, here, before cells run side by side
        where = "in this process" if executor == "local" else f"{concurrent} at a time ({executor})"
        log(f"{len(jobs)} cell(s) to run {where}; {len(done)} finished before")

        def on_done(r: CellResult) -> None:
            done[r.cell] = r.timings, r.budget_text
            log(f"{r.label}: look in {r.timings['look_seconds']:.1f} s ({r.timings['look_steps']} steps); "
                f"{r.timings['frames']} frames rendered in {r.timings['total_seconds']:.1f} s")

        run_jobs(run_cell, jobs, executor=executor, workers=workers, address=cfg.address, on_done=on_done)

    vgg = loss_network(LossConfig())  # relu4_3: the style layers; relu3_3 (content) comes before
    runs: list[dict[str, Any]] = []
    budget_texts: dict[str, str] = {}  # per method, as the run that made its cells saw it
    for still_path in still_paths:
        still = load_still(still_path, STYLE_SIZE)
        for seed in cfg.seeds:
            per_clip: dict[str, dict[str, dict[str, Any]]] = {}
            renders: dict[str, dict[str, str]] = {}
            tag = f"{still_path.stem}, seed {seed}"
            for clip, src in clips.items():
                timings, paths = {}, {}
                for m in methods:
                    m.seed = seed
                    name = cell_name(clip, m, still_path)
                    timings[m.name], budget_texts[m.name] = done[str(cells_dir / f"{name}.json")]
                    paths[m.name] = renders_dir / f"{name}.mp4"
                rows = measure_cached(cfg.out / "measures" / f"{Path(clip).stem}-{still_path.stem}.json", src, paths,
                                      frames=n, vgg=vgg, still=still, flow=cfg.flow, check_flow=cfg.check_flow,
                                      cuts=cfg.cuts,
                                      log=lambda k: log(f"[{clip}, {tag}] measuring {k} of {len(paths)} renders "
                                                        f"(flow {cfg.flow}; the rest measured before) ..."))
                per_clip[clip] = {k: {**v, **timings.get(k, {})} for k, v in rows.items()}
                renders[clip] = {k: str(v) for k, v in paths.items()}
            runs.append({"still": str(still_path), "seed": seed, "per_clip": per_clip, "renders": renders,
                         "table": summarize(per_clip)})
    per_clip = {clip: {m: mean_rows([r["per_clip"][clip][m] for r in runs]) for m in runs[0]["per_clip"][clip]}
                for clip in clips}
    return {
        "settings": {**{k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
                     "n_frames": n, "stills": [str(p) for p in still_paths], "runs": len(runs)},
        "budgets": {m.name: {"text": budget_texts[m.name], "fields": m.budget_dict(), "source": m.source,
                             "title": m.title, "external": m.external, "seeded": m.seeded} for m in methods},
        "quick_cuts": quick_cuts(methods, cfg) if cfg.quick else [],
        "per_clip": per_clip,
        "table": summarize(per_clip),
        "runs": runs,
        "renders": runs[0]["renders"],
        "paper_table1": PAPER_TABLE1,
        "seconds": time.perf_counter() - started,
    }
