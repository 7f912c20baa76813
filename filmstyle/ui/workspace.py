"""One user's session of the preview UI, without the page: the still and clip, the looks, the preview
frames, and the long jobs (adapt, render, LUT) made of the same library calls as the CLI.

A :class:`Workspace` keeps its files in a temporary folder of its own, deleted by :meth:`close`
(the page calls it when the session ends). Every problem with an input is an
:class:`~filmstyle.core.errors.InputError` whose message names the file as the user knows it (the
name it was uploaded with, not the server's copy), as the CLI's one line does. A long job checks
:attr:`Workspace.cancel` between steps and frames and stops with :class:`Cancelled`.
"""
from __future__ import annotations

import copy
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from filmstyle.core import video
from filmstyle.core.assets import DEMO_CLIP, DEMO_LOOK, DEMO_STILL, SHIPPED_INITS
from filmstyle.core.config import ADAPT_INIT, AdaptConfig, LutOptions, RenderOptions, Segmenting, UIConfig
from filmstyle.core.errors import FilmstyleError, InputError
from filmstyle.look import Look, load_look

SAMPLE_LOOK = "sample look (demo.look)"


class Cancelled(FilmstyleError):
    """A long job stopped at the user's request."""


@dataclass(frozen=True)
class Progress:
    """Where a long job stands: ``done`` of ``total`` (steps or frames) and a line to show."""

    done: int
    total: int
    text: str

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


def shown_name(path: str | os.PathLike) -> str:
    """A file's name as its user knows it: the base name (an upload's server copy sits in a folder of
    the server's; the name it was uploaded with is kept)."""
    return Path(path).name


def user_message(error: Exception, *paths: str | os.PathLike | None) -> str:
    """The one line for ``error``: an InputError's message with each of ``paths`` (server copies)
    written as the user's file name; other errors as the CLI words an unexpected failure."""
    if isinstance(error, Cancelled):
        return str(error)
    if not isinstance(error, InputError):
        first = (str(error).strip().splitlines() or [""])[0]
        return f"unexpected error: {type(error).__name__}: {first}"
    text = str(error)
    for p in sorted({str(p) for p in paths if p}, key=len, reverse=True):
        text = text.replace(p, shown_name(p))
    return text


class Workspace:
    """One session's inputs, looks and outputs (module docstring)."""

    def __init__(self, config: UIConfig = UIConfig(), *, root: str | os.PathLike | None = None) -> None:
        self.config = config
        self._root = root
        self._dir: Path | None = None  # made on first use: a page may make workspaces it never uses
        self.still: Path | None = None
        self.clip: Path | None = None
        self.frames: list[np.ndarray] = []  # preview frames of the clip, spread over it
        self.looks: dict[str, Path] = {SAMPLE_LOOK: DEMO_LOOK}
        self.current = SAMPLE_LOOK
        self.live: Look | None = None  # the look as it adapts (its network a copy, taken between steps)
        self._job: threading.Event | None = None  # the running long job's stop flag (one job at a time)
        self._closed = False
        self._setups: dict[tuple[str, str], object] = {}  # (look still's key, clip) -> StylizerSetup
        self._loaded: dict[str, Look] = {}
        self._thumb: np.ndarray | None = None
        self._lock = threading.Lock()  # the preview's set-up cache
        self._state = threading.RLock()  # looks, current look, the job slot
        self._renders = 0

    @property
    def dir(self) -> Path:
        """The session's own temporary folder (made on first use; Cancelled once the session is closed,
        so that a job ending late does not make it again)."""
        if self._closed:
            raise Cancelled("this session has ended: reload the page")
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="filmstyle-ui-", dir=self._root))
        return self._dir

    def _folder(self, name: str) -> Path:
        folder = self.dir / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # --- the job slot -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    def _start_job(self) -> threading.Event:
        """The stop flag of a new long job; InputError while another runs (one long job per session:
        a user's second click waits for nothing and holds no second slot of the queue)."""
        with self._state:
            if self._closed:
                raise Cancelled("this session has ended: reload the page")
            if self._job is not None:
                raise InputError(None, "a job of this page is still running", "wait for it, or press Cancel")
            self._job = threading.Event()
            return self._job

    def _end_job(self, flag: threading.Event) -> None:
        with self._state:
            if self._job is flag:
                self._job = None

    def cancel(self) -> bool:
        """Stop the running long job at its next step or frame; False when none runs."""
        with self._state:
            if self._job is None:
                return False
            self._job.set()
            return True

    def __deepcopy__(self, memo: dict) -> Workspace:
        return self  # one object per session: Gradio's state holder deep-copies a state's first value

    # --- inputs -------------------------------------------------------------------------------
    def set_still(self, path: str | os.PathLike | None) -> np.ndarray | None:
        """Take the still at ``path`` (None: none), checked as adapting reads it; returns the thumbnail an
        adapted look keeps (RGB). InputError if unreadable or too small."""
        self.still, self._thumb = None, None  # a rejected still is not replaced by the one before
        if path is None:
            return None
        try:
            thumb = _thumbnail(Path(path))
        except InputError as e:
            raise InputError(shown_name(path), e.problem, e.hint) from None
        self.still, self._thumb = self._keep(path, "still"), thumb
        return thumb

    def set_clip(self, path: str | os.PathLike | None) -> list[np.ndarray]:
        """Take the clip at ``path`` (None: none) and sample its preview frames; InputError if it is no
        video filmstyle renders (unreadable, no video stream, frames too large)."""
        self.clip, self.frames = None, []  # a rejected clip is not replaced by the one before
        if path is None:
            return []
        try:
            info = video.probe(path)
            try:
                video.check_frame_limits(info)
            except InputError as e:  # the CLI's hint names --size: the page renders at the clip's size
                raise InputError(path, e.problem, "export it at a smaller size first, or use filmstyle render "
                                 "--size") from None
            scale = min(1.0, self.config.preview_side / max(info.width, info.height))
            size = (max(16, round(info.width * scale / 2) * 2), max(16, round(info.height * scale / 2) * 2))
            frames = video.sample_frames(path, self.config.preview_frames, size=size)
        except InputError as e:
            raise InputError(shown_name(path), e.problem, e.hint) from None
        self.clip, self.frames = self._keep(path, "clip"), frames
        return frames

    def _keep(self, path: str | os.PathLike, kind: str) -> Path:
        """The session's own link to an uploaded file (the server's copies of uploads expire; the
        session's do not): a hard link where the file system allows, else the path as it is."""
        path = Path(path)
        if path.parent == DEMO_CLIP.parent:  # the shipped samples stay where they are
            return path
        kept = self._folder(f"inputs/{kind}") / path.name  # under its own name: messages and captions show it
        try:
            kept.unlink(missing_ok=True)
            os.link(path, kept)
        except OSError:
            return path
        return kept

    def use_samples(self) -> tuple[Path, Path]:
        """The shipped still and clip as this session's inputs."""
        self.set_still(DEMO_STILL)
        self.set_clip(DEMO_CLIP)
        return DEMO_STILL, DEMO_CLIP

    def add_look(self, path: str | os.PathLike) -> str:
        """A look file of the user's, added to the session's looks; returns its name in the list."""
        try:
            look = load_look(path)
        except InputError as e:
            raise InputError(shown_name(path), e.problem, e.hint) from None
        if look.kind != "look":
            raise InputError(shown_name(path), "is an initialisation, not a look", "adapt a look from it first")
        with self._state:
            name = self._unique(shown_name(path))
            kept = self._folder("looks") / f"{len(self.looks):02d}-{_safe(name)}.look"
            shutil.copyfile(path, kept)
            self.looks[name] = kept
            self._loaded[name] = look
            self.current = name
        return name

    def look(self, name: str | None = None) -> Look:
        name = name or self.current
        with self._state:
            known = name in self.looks
        if not known:
            raise InputError(None, f"no look named {name!r} in this session", "pick one from the list")
        if name not in self._loaded:
            self._loaded[name] = load_look(self.looks[name])
        return self._loaded[name]

    # --- preview ------------------------------------------------------------------------------
    def preview(self, index: int, options: RenderOptions, look: Look | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(before, after) of preview frame ``index`` in ``look`` (default: the current look), as the
        render shows it (:func:`filmstyle.render.stylize_frames`)."""
        from filmstyle.render import stylize_frames

        clip = self._need_clip()
        frame = self.frames[max(0, min(index, len(self.frames) - 1))]
        look = look if look is not None else self.look()
        key = (_still_key(look), str(clip))
        with self._lock:  # one fit per still and clip, whoever asks first
            [after], setup = stylize_frames(look, clip, [frame], options, setup=self._setups.get(key))
            self._setups[key] = setup
        return frame, after

    def compare(self, index: int, options: RenderOptions) -> list[tuple[np.ndarray, str]]:
        """Preview frame ``index`` in every look of the session, with the look's name: the source first."""
        clip = self._need_clip()
        frame = self.frames[max(0, min(index, len(self.frames) - 1))]
        out = [(frame, f"source: {shown_name(clip)}")]
        with self._state:
            names = list(self.looks)
        for name in names:
            out.append((self.preview(index, options, self.look(name))[1], name))
        return out

    # --- long jobs ----------------------------------------------------------------------------
    def adapt(self, steps: int, *, init: str = ADAPT_INIT, on_progress: Callable[[Progress], None] = lambda p: None,
              snapshot_every: float | None = None, seed: int | None = None) -> str:
        """Adapt a look to the still on the clip's frames (:func:`filmstyle.adaptation.adapt_look`, the
        CLI's defaults but ``steps``, from the shipped init ``init``: "meta" or "meta-fast"), add it to
        the session's looks and make it current; returns its name. While it runs :attr:`live` holds a copy of the network every ``snapshot_every`` seconds
        (default ``config.preview_every``) for the before/after view."""
        still, clip = self._need_still(), self._need_clip()
        flag = self._start_job()
        try:
            return self._adapt(still, clip, steps, init, flag, on_progress, snapshot_every, seed)
        finally:
            self._end_job(flag)

    def _adapt(self, still: Path, clip: Path, steps: int, init: str, flag: threading.Event,
               on_progress: Callable[[Progress], None], snapshot_every: float | None, seed: int | None) -> str:
        from filmstyle.adaptation import adapt_look

        given = {"steps": steps} if seed is None else {"steps": steps, "seed": seed}
        if init not in SHIPPED_INITS:
            raise InputError(None, f"unknown network {init!r}", f"use one of: {', '.join(SHIPPED_INITS)}")
        cfg = AdaptConfig.for_init(init, **given)
        every = self.config.preview_every if snapshot_every is None else snapshot_every
        last = [float("-inf")]
        thumb = self._thumb

        def on_step(step: int, terms: dict[str, float]) -> None:
            _check(flag)
            loss = ", ".join(f"{k} {v:.3g}" for k, v in terms.items())
            on_progress(Progress(step, cfg.steps, f"adapting: step {step} of {cfg.steps} ({loss})"))

        def on_network(step: int, net) -> None:  # noqa: ANN001 - the network being trained
            if time.monotonic() - last[0] >= every or step == cfg.steps:
                last[0] = time.monotonic()
                self.live = Look(net=copy.deepcopy(net).cpu().eval(), still=thumb)

        self.live = None
        try:
            look, result = adapt_look(still, cfg, video_path=clip, init=init, on_step=on_step, on_network=on_network)
        finally:
            self.live = None
        _check(flag)
        with self._state:
            name = self._unique(f"{still.stem} look")
            path = self._folder("looks") / f"{len(self.looks):02d}-{_safe(name)}.look"
            look.save(path)
            self.looks[name], self._loaded[name] = path, look
            self.current = name
        on_progress(Progress(cfg.steps, cfg.steps, f"adapted {name!r}: {result.steps} steps in {result.seconds:.1f} s"))
        return name

    def render(self, options: RenderOptions, *, seconds: float | None = None, look: str | None = None,
               on_progress: Callable[[Progress], None] = lambda p: None) -> tuple[Path, str]:
        """Render the clip in ``look`` (default: the current look) as ``filmstyle render`` does
        (:func:`filmstyle.segments.render_file`: long clips in segments); ``seconds``: only that much
        from the start (the preview render, in one pass). Returns the video, written atomically into
        the session's folder, and the look's name. A cancelled render leaves nothing behind."""
        flag = self._start_job()
        try:
            return self._render(options, seconds, look, on_progress, flag)
        finally:
            self._end_job(flag)

    def _render(self, options: RenderOptions, seconds: float | None, look: str | None,
                on_progress: Callable[[Progress], None], flag: threading.Event) -> tuple[Path, str]:
        from filmstyle.segments import default_workdir, render_file

        clip = self._need_clip()
        name = self._look_name(look)
        info = video.probe(clip)
        total = info.frame_count
        if seconds is not None:
            options = replace(options, max_frames=max(1, round(seconds * float(info.fps))))
            if options.backend == "auto":  # a few seconds do not repay an onnx export (seconds of its own)
                options = replace(options, backend="torch")
            total = min(total, options.max_frames) if total else options.max_frames
        kind = "preview" if seconds is not None else "render"
        self._renders += 1
        dst = self._folder("renders") / f"{_safe(clip.stem)}-{_safe(name)}-{kind}-{self._renders:03d}.mp4"
        done = [0]

        def on_frames(n: int) -> None:
            _check(flag)
            done[0] += n
            on_progress(Progress(done[0], total, f"{kind}: frame {done[0]} of {total or '?'}"))

        how = Segmenting(split_from=math.inf) if seconds is not None else Segmenting()  # a preview: one pass
        try:
            render_file(self.looks[name], clip, dst, options, how, on_frames=on_frames)
        except BaseException:
            shutil.rmtree(default_workdir(dst), ignore_errors=True)  # a new render starts afresh: nothing to resume
            raise
        return dst, name

    def lut(self, strength: float = 1.0, *, look: str | None = None) -> tuple[Path, str]:
        """``look`` (default: the current look) as a 3D LUT (.cube, Adobe 1.0), its colour mapping
        fitted on the clip's frames (:func:`filmstyle.grading.grade.make_lut`, as ``filmstyle lut LOOK
        --video CLIP``; a few seconds, not cancellable). Returns the file and the look's name."""
        from filmstyle.grading.grade import make_lut
        from filmstyle.lut.lut3d import write_lut

        clip = self._need_clip()
        name = self._look_name(look)
        flag = self._start_job()
        try:
            options = LutOptions(strength=strength)
            lut, _note = make_lut(self.looks[name], options, kind="look", content=clip)
            _check(flag)
            return write_lut(lut.blend(options.strength), self._folder("luts") / f"{_safe(name)}.cube", "cube"), name
        finally:
            self._end_job(flag)

    def look_file(self) -> Path:
        """The current look's file, named for download."""
        name = self._look_name(None)
        dst = self._folder("downloads") / f"{_safe(name)}.look"
        shutil.copyfile(self.looks[name], dst)
        return dst

    def close(self) -> None:
        """Stop this session's job and delete its files; the session takes no new work."""
        with self._state:
            self._closed = True
            if self._job is not None:
                self._job.set()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------
    def _look_name(self, look: str | None) -> str:
        with self._state:
            name = look or self.current
            if name not in self.looks:
                raise InputError(None, f"no look named {name!r} in this session", "pick one from the list")
            return name

    def _need_still(self) -> Path:
        if self.still is None:
            raise InputError(None, "no still yet", "upload a film still or painting, or use the samples")
        return self.still

    def _need_clip(self) -> Path:
        if self.clip is None or not self.frames:
            raise InputError(None, "no clip yet", "upload a video clip, or use the samples")
        return self.clip

    def _unique(self, name: str) -> str:
        k, out = 2, name
        while out in self.looks:
            out, k = f"{name} ({k})", k + 1
        return out


def _check(flag: threading.Event) -> None:
    if flag.is_set():
        raise Cancelled("cancelled")


def _safe(name: str) -> str:
    """``name`` as the stem of a file name: letters, digits, dot, dash and underscore, no ".look" at the end."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return stem.removesuffix(".look").strip("._") or "look"


def _still_key(look: Look) -> str:
    """What a look's grade depends on: its still (the setup of :func:`stylize_frames` is shared by
    looks of the same still)."""
    if look.still is None:
        return f"no still {id(look.net)}"
    return str(hash(look.still.tobytes()))


def _thumbnail(still: Path) -> np.ndarray:
    """The still as an adapted look keeps it (:func:`filmstyle.adaptation.adapt_look`): the live look's
    grade is the final look's."""
    from filmstyle.core.image import load_still, to_array
    from filmstyle.grading.tone import STILL_SIDE

    return to_array(load_still(still, STILL_SIDE))
