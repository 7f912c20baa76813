"""Long renders in segments: planned, rendered apart (in this process or a pool of processes), resumed
after a crash or a kill, and joined by stream copy.

A render of ``src`` is split at keyframes into segments of about ``segment_seconds`` (:func:`plan`).
Each segment is rendered on its own (:func:`render_segment`) from the one setup fitted to the whole
clip (the grade, the picture box, the exposure offset: :class:`filmstyle.render.StylizerSetup`), and
starts ``warmup`` frames early: those frames run through the network and the flow blending but are
not written, so that the blending has run in at the join. Each finished segment is a video-only file
in the work directory, written atomically; the manifest (``manifest.json``) says what the render is,
so the same command after a kill renders only the segments that are missing. The join
(:func:`filmstyle.core.video.join`) copies the segments' packets and every audio stream of the
source into the output: nothing is encoded twice.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from filmstyle.core import video
from filmstyle.core.config import RenderOptions, Segmenting
from filmstyle.core.errors import InputError
from filmstyle.core.executors import run_jobs, set_threads, threads_per_worker
from filmstyle.core.files import atomic_path
from filmstyle.core.image import file_sha256

if TYPE_CHECKING:
    from filmstyle.render import RenderStats

log = logging.getLogger(__name__)

SEGMENT_SECONDS = Segmenting.segment_seconds  # a segment's length: a kill loses at most this much work
WARMUP_FRAMES = Segmenting.warmup  # frames rendered before a segment's start and not written: the blending runs in
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Segment:
    """Frames ``first`` .. ``last`` (display order, 0-based, inclusive) of the clip; rendering starts
    at frame ``warm`` (<= first). ``start``/``stop``/``warm_pts``: the same as pts of the source's video
    stream (``stop`` None: to the end)."""

    index: int
    first: int
    last: int
    warm: int
    start: int
    stop: int | None
    warm_pts: int

    @property
    def frames(self) -> int:
        return self.last - self.first + 1

    @property
    def name(self) -> str:
        return f"segment_{self.index:05d}"


def plan(index: video.FrameIndex, fps: float, *, segment_seconds: float = SEGMENT_SECONDS,
         warmup: int = WARMUP_FRAMES, max_frames: int | None = None) -> list[Segment]:
    """Split the frames of ``index`` into segments of about ``segment_seconds``, each starting at a
    keyframe (the first keyframe at or after every multiple of the length; a clip without keyframes
    there stays one segment), with ``warmup`` frames before it rendered first. ``max_frames`` keeps
    only the clip's first frames."""
    n = len(index.pts) if max_frames is None else min(max_frames, len(index.pts))
    length = max(1, round(segment_seconds * fps))
    starts = [0]
    for k in range(1, n):
        if k - starts[-1] >= length and index.key[k]:
            starts.append(k)
    out = []
    for i, first in enumerate(starts):
        last = (starts[i + 1] if i + 1 < len(starts) else n) - 1
        warm = max(0, first - warmup)
        stop = index.pts[last + 1] if last + 1 < len(index.pts) else None
        out.append(Segment(i, first, last, warm, index.pts[first], stop, index.pts[warm]))
    return out


@dataclass(frozen=True)
class SegmentJob:
    """What a worker needs to render one segment (picklable)."""

    look: str
    src: str
    part: str
    options: RenderOptions
    setup: str  # the pickled StylizerSetup's file
    segment: Segment
    threads: int = 0  # torch threads in the worker (0: leave as it is)


@dataclass(frozen=True)
class SegmentResult:
    index: int
    frames: int
    seconds: float
    model_seconds: float


def _stamp(path: str) -> tuple[str, int, int]:
    """A file as a cache key: its path, size and modification time (a file replaced is loaded again)."""
    st = os.stat(path)
    return path, st.st_size, st.st_mtime_ns


@lru_cache(maxsize=2)
def _look(stamp: tuple[str, int, int]):  # noqa: ANN202 - a Look, loaded once per worker process
    from filmstyle.look import load_look

    return load_look(stamp[0])


@lru_cache(maxsize=2)
def _setup(stamp: tuple[str, int, int]):  # noqa: ANN202 - a StylizerSetup
    with open(stamp[0], "rb") as f:
        return pickle.load(f)


def start_at(stylizer: object, frame: int) -> None:
    """Tell ``stylizer`` that its first frame is frame ``frame`` of the clip: a cut list (``--cuts FILE``)
    and ``--network-every`` count frames from the clip's start, not the segment's."""
    from filmstyle.temporal.cuts import FixedCuts

    cut_at = getattr(stylizer, "cut_at", None)
    if isinstance(cut_at, FixedCuts):
        cut_at.index = frame - 1
    if hasattr(stylizer, "index"):  # --network-every: the network's frames counted from the clip's start
        stylizer.index = frame - 1


def render_segment(job: SegmentJob, on_frame: Callable[[int], None] | None = None) -> SegmentResult:
    """Render one segment to its part file (atomically); the look and setup are loaded once per process.
    ``on_frame(k)`` after each frame written (in this process)."""
    from filmstyle.render import make_stylizer

    set_threads(job.threads)
    stylizer = make_stylizer(_look(_stamp(job.look)), job.src, job.options, setup=_setup(_stamp(job.setup)))
    seg = job.segment
    start_at(stylizer, seg.warm)
    stats = video.transcode_range(job.src, job.part, stylizer.finish, stylizer.prepare, start=seg.start, stop=seg.stop,
                                  warm=seg.warm_pts, size=job.options.size, codec=job.options.codec, crf=job.options.crf,
                                  preset=job.options.preset, strict=job.options.strict, on_frame=on_frame,
                                  planar=stylizer.planar_for(video.probe(job.src)))
    if stats.frames != seg.frames:
        raise InputError(job.src, f"segment {seg.index} gave {stats.frames} frames where {seg.frames} were planned",
                         "the file may be damaged: render it with --workdir removed, or without segments")
    return SegmentResult(seg.index, stats.frames, stats.seconds_total, stylizer.model_seconds)


@dataclass(frozen=True)
class SegmentedStats:
    """Figures of a segmented render: frames written, segments rendered now and found done, seconds."""

    output: Path
    frames: int
    segments: int
    rendered: int
    reused: int
    seconds_render: float
    seconds_join: float
    model_seconds: float
    width: int
    height: int
    audio_streams: int

    @property
    def e2e_fps(self) -> float:
        total = self.seconds_render + self.seconds_join
        return self.frames / total if total > 0 else 0.0


def segmented(info: video.VideoInfo, how: Segmenting) -> bool:
    """Whether render splits ``info``'s clip (:class:`filmstyle.core.config.Segmenting`)."""
    return (how.workdir is not None or how.jobs > 1 or how.executor in ("process", "ray")
            or info.duration >= how.split_from * how.segment_seconds)


def default_workdir(dst: str | os.PathLike) -> Path:
    """Where a render to ``dst`` keeps its segments: a hidden folder beside the output."""
    dst = Path(dst)
    return dst.with_name(f".{dst.name}.segments")


def _manifest(look: str | os.PathLike, src: str | os.PathLike, options: RenderOptions,
              segments: list[Segment]) -> dict:
    stat = Path(src).stat()
    return {"version": MANIFEST_VERSION, "source": {"path": str(Path(src).resolve()), "bytes": stat.st_size,
                                                    "mtime_ns": stat.st_mtime_ns},
            "look_sha256": file_sha256(look), "options": {k: v for k, v in asdict(options).items() if k != "device"},
            "segments": [asdict(s) for s in segments]}


def render_file(look: str | os.PathLike, src: str | os.PathLike, dst: str | os.PathLike,
                options: RenderOptions = RenderOptions(), how: Segmenting = Segmenting(), *,
                on_frames: Callable[[int], None] | None = None) -> RenderStats | SegmentedStats:
    """Render ``src`` in the look file ``look`` to ``dst`` as ``filmstyle render`` does: in segments
    (:func:`render_segmented`) where :func:`segmented` says so (long clips, or ``how`` asks for it),
    else in one pass (:func:`filmstyle.render.render_video`). ``on_frames(n)`` as n more frames are
    written (per frame in one pass, per segment in segments)."""
    from filmstyle.look import load_look
    from filmstyle.render import render_video

    if segmented(video.probe(src), how):
        local = how.executor_kind == "local"  # frame by frame in this process, else as each segment is done
        return render_segmented(look, src, dst, options, how,
                                on_segment=None if on_frames is None or local else (lambda r: on_frames(r.frames)),
                                on_frame=None if on_frames is None or not local else (lambda _k: on_frames(1)))
    return render_video(load_look(look), src, dst, options,
                        on_frame=None if on_frames is None else (lambda _i: on_frames(1)))


def render_segmented(look: str | os.PathLike, src: str | os.PathLike, dst: str | os.PathLike,
                     options: RenderOptions = RenderOptions(), how: Segmenting = Segmenting(), *,
                     on_segment: Callable[[SegmentResult], None] | None = None,
                     on_frame: Callable[[int], None] | None = None) -> SegmentedStats:
    """Render ``src`` in the look file ``look`` to ``dst`` in segments (module docstring), resumably.

    ``how.workdir`` (default :func:`default_workdir`) keeps the manifest, the setup and the finished
    segments; a work directory left by another render (another source, look or options) is refused.
    With ``how.jobs`` 1 the segments are rendered one after another in this process, else on a pool
    of that many processes (each with a share of the cores). The work directory is removed after
    the join unless ``how.keep_workdir``. ``on_segment`` is called as each segment is done;
    ``on_frame(k)`` after each frame written, with the local executor only (the segments rendered in
    this process): raising there stops the render, the finished segments kept.
    """
    from filmstyle.look import load_look
    from filmstyle.render import make_stylizer, setup_of

    jobs = how.jobs
    executor = how.executor_kind
    # absolute paths in the jobs: a worker (another process, a Ray node) need not share this one's folder
    look, src, dst = Path(look).resolve(), Path(src).resolve(), Path(dst).resolve()
    work = (Path(how.workdir) if how.workdir is not None else default_workdir(dst)).resolve()
    info = video.probe(src)
    index = video.frame_index(src)
    short = "" if options.max_frames is not None else video.shortfall(info, len(index.pts))
    if short:
        if options.strict:
            raise InputError(src, f"damaged video ({short})", "re-export or re-download it, or leave out --strict")
        log.warning("%s: %s; the render holds the %d frame(s) found (--strict refuses a damaged file)", src, short,
                    len(index.pts))
    segments = plan(index, float(info.fps), segment_seconds=how.segment_seconds, warmup=how.warmup,
                    max_frames=options.max_frames)
    manifest = _manifest(look, src, options, segments)
    path = work / "manifest.json"
    if path.exists():
        if json.loads(path.read_text()) != json.loads(json.dumps(manifest)):
            raise InputError(work, "holds the segments of another render (another source, look or options)",
                             "give another --workdir, or delete this one")
    else:
        work.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(manifest, indent=1))
    setup_path = work / "setup.pickle"
    if not setup_path.exists():  # fitted once, to the whole clip, as a one-pass render fits it
        stylizer = make_stylizer(load_look(look), src, options)
        with atomic_path(setup_path) as tmp, open(tmp, "wb") as f:
            pickle.dump(setup_of(stylizer), f)
    suffix = dst.suffix.lower()
    parts = [work / f"{s.name}{suffix}" for s in segments]
    todo = [s for s, p in zip(segments, parts) if not p.exists()]
    reused = len(segments) - len(todo)
    threads = threads_per_worker(executor, min(jobs, len(todo)))
    jobs_ = [SegmentJob(str(look), str(src), str(parts[s.index]), options, str(setup_path), s, threads) for s in todo]
    started = time.perf_counter()
    work_fn = render_segment if on_frame is None or executor != "local" else partial(render_segment, on_frame=on_frame)
    results = run_jobs(work_fn, jobs_, executor=executor, workers=jobs, address=how.address, on_done=on_segment)
    seconds_render = time.perf_counter() - started
    started = time.perf_counter()
    video.join(src, parts, dst)
    seconds_join = time.perf_counter() - started
    out = video.probe(dst)
    if not how.keep_workdir:
        shutil.rmtree(work, ignore_errors=True)
    return SegmentedStats(output=dst, frames=sum(s.frames for s in segments), segments=len(segments),
                          rendered=len(todo), reused=reused, seconds_render=seconds_render, seconds_join=seconds_join,
                          model_seconds=sum(r.model_seconds for r in results), width=out.width, height=out.height,
                          audio_streams=out.audio_streams)
