"""Stylise images and videos with a look: decode -> stylise -> colour options -> encode, streaming."""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import torch

from filmstyle.core import video
from filmstyle.core.colour import BT709_H273, BT709_LUMA, MATRIX_KR_KB
from filmstyle.core.device import resolve_device
from filmstyle.core.guided import apply_coefficients_rows, guided_coefficients, guided_upsample, resize_rows
from filmstyle.core.config import RenderOptions
from filmstyle.grading.grade import CONTENT_FRAMES, CONTENT_SIZE, LUTFrames
from filmstyle.core.image import blend, from_array, preserve_color, to_array
from filmstyle.grading.tone import (DETAIL_SIGMA, ExposureLock, GradedDetail, ToneAnchor, box_slices, detail_sigma,
                                    grade_lut, limit_detail, lock_offset, luma, measure_tone_curve, picture_box)
from filmstyle.look import Look
from filmstyle.lut.yuv import RGB_TO_YCBCR709, crop_planes, paste_planes, split_planes, window_planes, ycbcr_to_rgb
from filmstyle.measure.speed import Stopwatch, fps
from filmstyle.nets.backend import Network, choose, network
from filmstyle.temporal.blend import TemporalBlender
from filmstyle.temporal.cuts import cut_source

log = logging.getLogger(__name__)

STRIP_ROWS = 256  # a still is finished in strips of this many rows (FrameStylizer.finish_in_place)
NETWORK_MAX_PIXELS = 2_000_000  # --detail network on a larger still: the network at this many pixels instead
# (the network at full size holds about 0.6 GB per megapixel on the CPU: a 12 MP photo took 6.3 GB)
PACKED_PIXELS = 2_000_000  # a larger still is graded through the packed 2^24 table (about 1 s to build;
# the trilinear lookup took 6 s for 12 MP on 2 cores)


def stylize_tensor(net: Network, img: torch.Tensor, *, strength: float = 1.0,
                   preserve: bool = False) -> torch.Tensor:
    """Apply ``net`` (a network or a backend's session of one, :mod:`filmstyle.nets.backend`) to
    (1, 3, H, W) RGB in [0, 1] with the colour options; returns [0, 1]."""
    with torch.inference_mode():
        out = net(img).clamp_(0, 1)
        if preserve:
            out = preserve_color(out, img).clamp_(0, 1)
        return blend(out, img, strength)


class FrameStylizer:
    """Callable for :func:`filmstyle.core.video.transcode`: RGB uint8 frame in, stylised frame out.

    With ``options.detail`` "source" the network runs on the picture shrunk to a short side of
    ``options.network_side`` (its working size) and the footage keeps its own finer detail: with
    ``--tone grade`` the grade is applied at full size and the network's detail scaled up onto it;
    with the other tones the output is carried to full size by guided upsampling
    (:mod:`filmstyle.core.guided`). "network": the network at the frame's full size.

    Accumulates ``model_seconds``: time in the network alone (the model-only FPS). The network runs
    on ``options.backend`` ("auto": as for a video); ``backend`` says which one that is.
    """

    def __init__(self, net: torch.nn.Module, options: RenderOptions) -> None:
        self.device = resolve_device(options.device)
        self.backend = choose(options.backend, net, device=self.device)
        self.net = network(net, self.backend, device=self.device)
        self.options = options
        self.side = options.network_side if options.detail == "source" else None
        self.model = Stopwatch()
        self.pre: Callable[[np.ndarray], np.ndarray] | None = None  # colour before / after the network
        self.post: Callable[[np.ndarray], np.ndarray] | None = None  # (filmstyle.grading.grade.colour_hooks)
        self.tone: ToneAnchor | None = None  # render --tone anchor: applied to the network's output
        self.graded: GradedDetail | None = None  # render --tone grade: the grade plus the network's detail
        self.lock: ExposureLock | None = None  # render --tone grade: last, on the finished frame
        self.box: tuple[float, float, float, float] | None = None  # the picture without bars (--tone grade)
        self.lut = None  # the grade's LUT3D (--tone grade)

    @property
    def model_seconds(self) -> float:
        return self.model.seconds

    def stylize(self, img: torch.Tensor) -> torch.Tensor:
        """The network with the strength and colour options: (1, 3, H, W) in [0, 1] -> the same.
        With the grade, strength applies to the composite instead (:meth:`compose`)."""
        strength = 1.0 if self.graded is not None else self.options.strength
        return stylize_tensor(self.net, img, strength=strength, preserve=self.options.preserve_color)

    def working(self, picture: np.ndarray) -> np.ndarray:
        """``picture`` shrunk to the network's working size (itself when it is no larger)."""
        return picture if self.side is None or min(picture.shape[:2]) <= self.side else shrink(picture, self.side)

    def planar_for(self, info: video.VideoInfo) -> bool:
        """Whether a render of a video like ``info`` may finish its frames in the decoded 4:2:0 planes
        (:func:`filmstyle.core.video.transcode`'s ``planar``): ``--tone grade`` through a packed table
        at strength 1, without colour hooks, to h264. The full-size stage then looks the grade up
        in the planes (:mod:`filmstyle.lut.yuv`) and adds the detail as Y'CbCr differences, half the
        pixels of RGB and no conversion to RGB and back; the working-size picture is made from the
        planes. Letterbox bars are copied as they are, so a source with bars must already be in what
        filmstyle writes (BT.709, limited range)."""
        bars = self.box is not None and self.box != _WHOLE
        return (self.graded is not None and isinstance(self.graded.grade, LUTFrames) and self.options.strength == 1.0
                and self.pre is None and self.post is None and self.options.codec == "h264"
                and (not bars or (info.matrix == BT709_H273 and not info.full_range)))

    def _planes_box(self, h: int, w: int) -> tuple[slice, slice]:
        """The picture's (rows, cols) in a 4:2:0 frame of h x w luma samples, widened to even bounds."""
        rows, cols = box_slices((h, w), self.box or _WHOLE)
        return (slice(rows.start // 2 * 2, min(h, (rows.stop + 1) // 2 * 2)),
                slice(cols.start // 2 * 2, min(w, (cols.stop + 1) // 2 * 2)))

    def _planes_small(self, frame: video.YUV420) -> np.ndarray:
        """The picture (no bars) of a :class:`~filmstyle.core.video.YUV420` frame at the working size,
        as (h, w, 3) uint8 RGB: each plane shrunk (area filter) to that size, then converted there."""
        y, cb, cr = window_planes(frame.planes, *self._planes_box(*split_planes(frame.planes)[0].shape))
        h, w = y.shape
        size = (w, h) if self.side is None or min(h, w) <= self.side else shrunk_size(h, w, self.side)
        y = y if (w, h) == size else cv2.resize(y, size, interpolation=cv2.INTER_AREA)
        up = size[0] > cb.shape[1]
        cb, cr = (cv2.resize(c, size, interpolation=cv2.INTER_LINEAR if up else cv2.INTER_AREA) for c in (cb, cr))
        return ycbcr_to_rgb(y, cb, cr, *MATRIX_KR_KB[frame.matrix], full_range=frame.full_range)

    def _network(self, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(``small`` after the ``pre`` hook, the network's output for it), (h, w, 3) uint8 each."""
        src = small if self.pre is None else self.pre(small)
        with self.model:  # the network alone: model-only FPS, as before the tone modes
            out = self.stylize(from_array(src))
        return src, to_array(out)

    # --- --tone anchor / none: the whole look at the working size, guided up to full size ---------------

    def small_styled(self, frame: np.ndarray, small: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(the frame at the working size (``small`` when given), its look there: network, tone mode
        and ``post`` hook)."""
        small = self.working(frame) if small is None else small
        _, out = self._network(small)
        if self.tone is not None:  # T maps the source frame's luma to the look's
            out = self.tone(small, out)
        return small, (out if self.post is None else np.ascontiguousarray(self.post(out)))

    def full(self, frame: np.ndarray, small: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The look ``out`` of ``small`` carried to ``frame``'s size, guided by ``frame``."""
        return guided_upsample(small, out, frame)

    # --- --tone grade: the grade at full size, the network's detail from the working size ---------------

    def picture_small(self, frame: np.ndarray | video.YUV420) -> np.ndarray:
        """The picture (no bars) of ``frame`` at the working size."""
        if isinstance(frame, video.YUV420):
            return self._planes_small(frame)
        rows, cols = box_slices(frame.shape, self.box or _WHOLE)
        return self.working(np.ascontiguousarray(frame[rows, cols]))

    def grade_layers(self, frame: np.ndarray, small: np.ndarray | None = None, *,
                     network: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(the picture (no bars) at the working size (``small`` when given), its grade there (float32),
        the network's detail there (float32, signed; None without ``network``)); (h, w, 3) each."""
        small = self.picture_small(frame) if small is None else small
        if not network:
            return small, self.graded.grade(small if self.pre is None else self.pre(small)).astype(np.float32), None
        src, out = self._network(small)
        fine = self.graded.fine(out)
        if self.options.detail_limit:
            fine = limit_detail(fine, src, self.options.detail_limit, detail_sigma(out.shape, self.graded.sigma))
        return small, self.graded.grade(src).astype(np.float32), fine

    def compose(self, frame: np.ndarray, small: np.ndarray, base: np.ndarray, correction: np.ndarray) -> np.ndarray:
        """The finished frame: the grade of the full-size picture plus ``correction`` (the detail,
        and what blending changed of the grade, at the working size ``small`` of the picture) scaled
        up, with the strength, the ``post`` hook and the exposure lock; bars stay the source's.
        A :class:`~filmstyle.core.video.YUV420` frame (:meth:`planar_for`) is finished in its planes."""
        if isinstance(frame, video.YUV420):
            return self._compose_planes(frame, small, base, correction)
        rows, cols = box_slices(frame.shape, self.box or _WHOLE)
        picture = np.ascontiguousarray(frame[rows, cols])
        size = (picture.shape[1], picture.shape[0])
        same = small.shape[:2] == picture.shape[:2]
        fast = self.options.strength == 1.0 and self.post is None
        if fast:  # the lock measured and shaped at the working size (its move is smooth in luma and
            # the mean luma survives the area filter), so the full size needs one add
            correction = self._locked(small, base, correction)
        graded = base if same else self.graded.grade(picture if self.pre is None else self.pre(picture)).astype(np.float32)
        up = correction if same else cv2.resize(correction, size, interpolation=cv2.INTER_LINEAR)
        # float + float to uint8 (rounded, saturated) in one pass; uint8 + float is several times slower
        done = cv2.add(graded, up, dtype=cv2.CV_8U)
        if not fast:
            if self.options.strength < 1.0:
                done = to_array(blend(from_array(done), from_array(picture), self.options.strength))
            if self.post is not None:
                done = np.ascontiguousarray(self.post(done))
            done = self.held()(picture, done)
        if self.box is None:
            return done
        out = frame.copy()
        out[rows, cols] = done
        return out

    def _locked(self, small: np.ndarray, base: np.ndarray, correction: np.ndarray) -> np.ndarray:
        """``correction`` plus the exposure lock's move, measured and shaped at the working size (its
        move is smooth in luma and the mean luma survives the area filter): strength 1 without hooks."""
        return correction + self.lock.move(float(luma(small).mean()), (base + correction) @ _LUMA)[..., None]

    def _compose_planes(self, frame: video.YUV420, small: np.ndarray, base: np.ndarray,
                        correction: np.ndarray) -> np.ndarray:
        """:meth:`compose` at strength 1 without hooks, in 4:2:0 planes: the grade looked up in the
        planes, the correction (with the exposure lock's move, as compose's fast path) converted to
        BT.709 limited Y'CbCr differences at the working size and scaled up to each plane's size."""
        correction = self._locked(small, base, correction)
        y, _, _ = split_planes(frame.planes)
        rows, cols = self._planes_box(*y.shape)
        whole = (rows.stop - rows.start, cols.stop - cols.start) == y.shape
        picture = frame if whole else video.YUV420(crop_planes(frame.planes, rows, cols), frame.matrix, frame.full_range)
        graded = self.graded.grade(picture)  # (3h/2, w) yuv420p, BT.709 limited
        gy, gcb, gcr = split_planes(graded)
        delta = correction @ RGB_TO_YCBCR709.T  # (h', w', 3) code differences at the working size
        h, w = gy.shape
        dy = np.ascontiguousarray(delta[..., 0])
        dy = dy if dy.shape == (h, w) else cv2.resize(dy, (w, h), interpolation=cv2.INTER_LINEAR)
        dc = cv2.resize(np.ascontiguousarray(delta[..., 1:]), (w // 2, h // 2), interpolation=cv2.INTER_AREA
                        if w // 2 < delta.shape[1] else cv2.INTER_LINEAR)
        out = np.empty_like(graded)
        oy, ocb, ocr = split_planes(out)
        cv2.add(gy, dy, dst=oy, dtype=cv2.CV_8U)  # uint8 + float32, rounded and saturated, into the layout
        cv2.add(gcb, np.ascontiguousarray(dc[..., 0]), dst=ocb, dtype=cv2.CV_8U)
        cv2.add(gcr, np.ascontiguousarray(dc[..., 1]), dst=ocr, dtype=cv2.CV_8U)
        if whole:
            return out
        done = frame.planes.copy()  # the bars: the source's own codes (BT.709 limited, planar_for)
        paste_planes(done, out, rows, cols)
        return done

    def held(self) -> ExposureLock:
        """The exposure lock at this strength: its offset (the look's exposure against the source's) scaled
        by the strength, so that strength 0 gives the source itself."""
        return ExposureLock(self.lock.offset * self.options.strength)

    # --- the two stages (render overlaps them on two threads: filmstyle.core.video.transcode) ----------

    def prepare(self, frame: np.ndarray) -> tuple[np.ndarray, ...]:
        """Stage 1, at the working size: the network (and, when blending, the flow). Frames in order."""
        return self.grade_layers(frame) if self.graded is not None else self.small_styled(frame)

    def finish(self, frame: np.ndarray, prepared: tuple[np.ndarray, ...]) -> np.ndarray:
        """Stage 2, at full size: the frame finished from what :meth:`prepare` made of it."""
        return self.compose(frame, *prepared) if self.graded is not None else self.full(frame, *prepared)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        return self.finish(frame, self.prepare(frame))

    def finish_in_place(self, frame: np.ndarray, prepared: tuple[np.ndarray, ...], *, rows: int = STRIP_ROWS) -> np.ndarray:
        """Stage 2 for a still of any size: as :meth:`finish`, written over ``frame`` (writable (H, W, 3)
        uint8) a strip of ``rows`` rows at a time, so memory beyond the image is a few strips and the
        working-size layers. Each strip needs only its own rows of the source. Without a ``post`` hook
        (a still has none); the exposure lock is measured at the working size (as :meth:`compose`'s
        fast path; below strength 1 only its gain is, and the move is made at full size as in :meth:`compose`)."""
        if self.post is not None:
            raise ValueError("finish_in_place takes no post hook")
        if self.graded is None:  # --tone anchor / none: guided upsampling
            small, out = prepared
            if small.shape[:2] == frame.shape[:2]:
                frame[...] = out
                return frame
            coef = guided_coefficients(small, out)
            for top in range(0, frame.shape[0], rows):
                strip = frame[top:top + rows]
                strip[...] = apply_coefficients_rows(coef, strip, top, frame.shape[0])
            return frame
        small, base, correction = prepared
        s = self.options.strength
        if s == 1.0:  # as compose's fast path: the lock's move made at the working size and scaled up
            add, gain = self._locked(small, base, correction), 0.0
        else:  # as compose's general path: the move made on the blended full-size strip, its gain from the working size
            add = correction
            shown = np.clip(base + correction, 0, 255)
            gain = self.held().gain(float(luma(small).mean()), (s * shown + (1 - s) * small.astype(np.float32)) @ _LUMA)
        box_rows, box_cols = box_slices(frame.shape, self.box or _WHOLE)
        picture = frame[box_rows, box_cols]  # a view: written in place; the bars stay the source's
        size = (picture.shape[1], picture.shape[0])
        for top in range(0, size[1], rows):
            strip = picture[top:top + rows]
            graded = self.graded.grade(strip if self.pre is None else self.pre(np.ascontiguousarray(strip))).astype(np.float32)
            up = resize_rows(np.ascontiguousarray(add, dtype=np.float32), size, top, top + strip.shape[0])
            if s < 1.0:  # the strength blends the finished composite with the source, then the lock moves it
                graded = s * cv2.add(graded, up, dtype=cv2.CV_8U).astype(np.float32) + (1 - s) * strip.astype(np.float32)
                up = gain * self.lock.weight(graded @ _LUMA)[..., None]
            strip[...] = cv2.add(graded, up, dtype=cv2.CV_8U)
        return frame


_WHOLE = (0.0, 1.0, 0.0, 1.0)
_LUMA = np.array(BT709_LUMA, np.float32)


class BlendingStylizer(FrameStylizer):
    """A :class:`FrameStylizer` whose outputs are blended along the flow with the previous output,
    at the network's working size (with ``--tone grade``: only the network's detail is; the grade
    is the current frame's, smoothed only where it moved by less than the sensor noise).

    Shot cuts (``options.cuts``) restart the blending. With ``options.every`` N above 1 the
    network runs on frames 0, N, 2N, ... of the clip (``index``: the last frame's, counted from the
    clip's start), at each cut and after a change of size; the frames between take the previous
    output (or detail) carried along the flow. ``model_seconds`` stays the network's time and
    ``network_frames`` counts the frames it ran on; ``temporal_seconds`` accumulates cut detection,
    flow, mask and blending; ``cuts`` counts the cuts met. InputError (from the constructor) for an
    unreadable cuts file.
    """

    def __init__(self, net: torch.nn.Module, options: RenderOptions, *, alpha: float | None = None) -> None:
        super().__init__(net, options)
        self.cut_at = cut_source(options.cuts)
        self.blender = TemporalBlender(method=options.flow, **({} if alpha is None else {"alpha": alpha}))
        self.cut_watch = Stopwatch()
        self.cuts = 0
        self.index = -1
        self.network_frames = 0

    @property
    def temporal_seconds(self) -> float:
        return self.cut_watch.seconds + self.blender.seconds

    def prepare(self, frame: np.ndarray) -> tuple[np.ndarray, ...]:
        self.index += 1
        if self.graded is None:
            small = self.working(frame)
            cut = self._cut(small)
            out = self.small_styled(frame, small)[1] if self._runs_network(small, cut) else None
            return small, self.blender(small, out, cut=cut)
        # --tone grade: the network's detail is carried along the flow; the graded frame is the current
        # source's, so a fade or a change of light is never held back by earlier frames, and
        # the graded frame itself is only smoothed where it moved by less than the sensor noise
        small = self.picture_small(frame)
        cut = self._cut(small)
        small, base, fine = self.grade_layers(frame, small, network=self._runs_network(small, cut))
        fine, steady = self.blender(small, fine, cut=cut, steady=base)
        return small, base, fine + (steady - base)

    def _runs_network(self, small: np.ndarray, cut: bool) -> bool:
        every = self.options.every
        runs = every == 1 or cut or self.index % every == 0 or not self.blender.can_carry(small)
        self.network_frames += runs
        return runs

    def _cut(self, small: np.ndarray) -> bool:
        with self.cut_watch:
            cut = bool(self.cut_at(small))
        self.cuts += cut
        return cut


@dataclass(frozen=True)
class RenderStats:
    """Figures of one render. FPS are frames over wall-clock seconds; the model FPS counts the frames
    the network ran on (``network_frames``; fewer than ``frames`` with ``--network-every``)."""

    output: Path
    frames: int
    width: int
    height: int
    audio_streams: int
    model_seconds: float
    total_seconds: float
    temporal_seconds: float = 0.0  # cut detection, flow and blending (``--temporal blend``)
    cuts: int = 0
    backend: str = "torch"  # what ran the network (RenderOptions.backend, "auto" resolved)
    network_frames: int | None = None  # None: every frame

    @property
    def model_fps(self) -> float:
        return fps(self.frames if self.network_frames is None else self.network_frames, self.model_seconds)

    @property
    def e2e_fps(self) -> float:
        return fps(self.frames, self.total_seconds)


def shrunk_size(h: int, w: int, side: int) -> tuple[int, int]:
    """(W, H) of an h x w picture shrunk to a short side of ``side`` px, aspect kept."""
    scale = side / min(h, w)
    return max(1, round(w * scale)), max(1, round(h * scale))


def shrink(frame: np.ndarray, side: int) -> np.ndarray:
    """(H, W, 3) uint8 -> the same shrunk (area filter) to a short side of ``side`` px, aspect kept."""
    return cv2.resize(frame, shrunk_size(*frame.shape[:2], side), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class StylizerSetup:
    """What :func:`make_stylizer` fits to the whole clip before the first frame (the tone mode's grade,
    picture box and exposure offset, or tone curve), so that the segments of a long render, rendered
    apart, use the one setup a one-pass render would (:mod:`filmstyle.segments`). Picklable."""

    tone: str  # the tone mode in effect ("grade" falls back to "anchor" for a look without a still)
    box: tuple[float, float, float, float] | None = None
    lut: object = None  # the grade's LUT3D
    sigma: float = DETAIL_SIGMA
    lock_offset: float = 0.0
    curve: np.ndarray | None = None  # --tone anchor's tone curve


def setup_of(stylizer: FrameStylizer) -> StylizerSetup:
    """The :class:`StylizerSetup` of a stylizer :func:`make_stylizer` made."""
    if stylizer.graded is not None:
        return StylizerSetup("grade", stylizer.box, stylizer.lut, stylizer.graded.sigma, stylizer.lock.offset)
    if stylizer.tone is not None:
        return StylizerSetup("anchor", curve=stylizer.tone.curve)
    return StylizerSetup("none")


_PACKED: OrderedDict[int, tuple[StylizerSetup, LUTFrames]] = OrderedDict()
_PACKED_KEPT = 4  # setups whose tables stay (64 MB each): a worker's one, or a few sessions' previews
_PACKED_LOCK = threading.Lock()


def _packed(setup: StylizerSetup) -> LUTFrames:
    """The packed table of ``setup``'s grade, built once per setup object in a process (about a second;
    a worker renders many segments from one setup, the preview page many frames). Thread-safe."""
    with _PACKED_LOCK:
        if id(setup) in _PACKED:
            _PACKED.move_to_end(id(setup))
            return _PACKED[id(setup)][1]
    table = LUTFrames(setup.lut)
    with _PACKED_LOCK:
        _PACKED[id(setup)] = (setup, table)  # the setup is held too: its id is not reused while kept
        while len(_PACKED) > _PACKED_KEPT:
            _PACKED.popitem(last=False)
    return table


def make_stylizer(look: Look, src: str | os.PathLike, options: RenderOptions = RenderOptions(),
                  *, setup: StylizerSetup | None = None) -> FrameStylizer:
    """The per-frame stylizer that renders ``src`` in ``look`` with ``options``: blending or not, the
    colour hooks, and the tone mode set up on a few frames of ``src`` (what ``render`` runs), or from
    ``setup`` (:func:`setup_of` of an earlier one: nothing is fitted again)."""
    stylizer = BlendingStylizer(look.net, options) if options.temporal == "blend" else FrameStylizer(look.net, options)
    if options.color_transfer is not None or options.lut is not None:
        from filmstyle.grading.grade import colour_hooks

        stylizer.pre, stylizer.post = colour_hooks(look, src, transfer=options.color_transfer, still=options.color_still,
                                                   stage=options.color_stage, lut=options.lut)
    if setup is not None:
        if setup.tone == "grade":
            stylizer.box, stylizer.lut = setup.box, setup.lut
            stylizer.graded = GradedDetail(_packed(setup), neutral=setup.lut.is_neutral(), sigma=setup.sigma)
            stylizer.lock = ExposureLock(setup.lock_offset)
        elif setup.tone == "anchor":
            stylizer.tone = ToneAnchor(setup.curve)
        return stylizer
    tone = options.tone
    if tone == "grade" and look.still is None:
        log.warning("%s keeps no still (made before filmstyle 0.3, or an init): rendering with --tone anchor; "
                    "re-adapt it for the graded look", look.meta.get("still", {}).get("name", "this look"))
        tone = "anchor"
        stylizer.options = replace(stylizer.options, tone=tone)  # the tone in effect (and --network-every's auto)
    if tone == "anchor":  # the look's tone curve from source frames to what the stylizer makes of them
        def styled(x: torch.Tensor) -> torch.Tensor:
            return stylizer.stylize(x if stylizer.pre is None else from_array(stylizer.pre(to_array(x))))

        stylizer.tone = ToneAnchor(measure_tone_curve(styled, src, options.size))
    elif tone == "grade":
        grade_frames(stylizer, look, video.sample_frames(src, CONTENT_FRAMES, size=_small(src, options.size)), packed=True)
    return stylizer


def stylize_frames(look: Look, src: str | os.PathLike, frames: list[np.ndarray], options: RenderOptions = RenderOptions(),
                   *, setup: StylizerSetup | None = None) -> tuple[list[np.ndarray], StylizerSetup]:
    """``frames`` of the clip ``src`` ((H, W, 3) uint8 RGB, any size) as a render of ``src`` with
    ``options`` shows them, each on its own (no temporal blending): the preview of a look on a few
    frames. Returns them and the setup fitted to ``src`` (:class:`StylizerSetup`); pass it back with
    the same still and clip (another network, strength or detail) and nothing is fitted again. The
    setup depends on the look's still, not on its network: it holds while a look adapts."""
    # "auto": torch, as for one image: a preview's few frames do not repay an onnx export
    backend = choose(options.backend, look.net, frames=1, device=resolve_device(options.device))
    stylizer = make_stylizer(look, src, replace(options, temporal="none", network_every=1, backend=backend), setup=setup)
    return [stylizer(f) for f in frames], setup if setup is not None else setup_of(stylizer)


def render_video(look: Look, src: str | os.PathLike, dst: str | os.PathLike, options: RenderOptions = RenderOptions(),
                 *, on_frame: Callable[[int], None] | None = None) -> RenderStats:
    """Render ``src`` in ``look`` to ``dst`` (audio, frame rate and timestamps kept)."""
    stylizer = make_stylizer(look, src, options)
    # the working-size stage on transcode's decoding thread, the full-size stage and the encoder on this one
    stats = video.transcode(src, dst, stylizer.finish, prepare=stylizer.prepare, size=options.size, strict=options.strict,
                            max_frames=options.max_frames, codec=options.codec, crf=options.crf, preset=options.preset,
                            on_frame=on_frame, planar=stylizer.planar_for(video.probe(src)))
    return RenderStats(output=Path(dst), frames=stats.frames, width=stats.width, height=stats.height,
                       audio_streams=stats.audio_streams, model_seconds=stylizer.model_seconds,
                       total_seconds=stats.seconds_total,
                       temporal_seconds=getattr(stylizer, "temporal_seconds", 0.0),
                       cuts=getattr(stylizer, "cuts", 0), backend=stylizer.backend,
                       network_frames=getattr(stylizer, "network_frames", None))


def _small(src: str | os.PathLike, size: tuple[int, int] | None) -> tuple[int, int]:
    """The render size shrunk to a short side of at most CONTENT_SIZE: colour statistics need no more."""
    info = video.probe(src)
    w, h = size or (info.width, info.height)
    scale = min(1.0, CONTENT_SIZE / min(w, h))
    return max(16, round(w * scale / 2) * 2), max(16, round(h * scale / 2) * 2)


def grade_frames(stylizer: FrameStylizer, look: Look, frames: list[np.ndarray], *, packed: bool = False) -> None:
    """Set up ``--tone grade`` on ``stylizer``: the look's grade fitted to ``frames`` of the source
    ((H, W, 3) uint8, after the ``pre`` hook if any) and the exposure lock's offset measured on them.
    ``packed``: look up through a 2^24-entry table (for videos; about a second to build)."""
    stylizer.box = picture_box(frames)
    frames = [np.ascontiguousarray(f[box_slices(f.shape, stylizer.box)]) for f in frames]
    if stylizer.pre is not None:
        frames = [stylizer.pre(f) for f in frames]
    lut = grade_lut(look.still, frames)
    stylizer.lut = lut
    sigma = look.meta.get("adapt", {}).get("detail_sigma", DETAIL_SIGMA)  # the band the look was adapted for
    stylizer.graded = GradedDetail(LUTFrames(lut) if packed else lut.apply_uint8, neutral=lut.is_neutral(), sigma=sigma)
    graded = [lut.apply_uint8(f) for f in frames]  # the detail's mean is ~0: the grade sets the offset
    stylizer.lock = ExposureLock(lock_offset(frames, graded if stylizer.post is None else [stylizer.post(g) for g in graded]))


def stylize_image(look: Look, src: str | os.PathLike, dst: str | os.PathLike,
                  options: RenderOptions = RenderOptions(), *, max_side: int | None = None) -> Path:
    """Stylise one image file into ``dst`` (format from the suffix), atomically; returns ``dst``.

    Of ``options`` an image uses ``strength``, ``preserve_color``, ``tone`` ("grade": the grade is
    fitted to the image itself; "anchor" is as "none" for one image), ``detail``, ``network_side`` and ``backend`` ("auto": torch,
    one image does not repay the onnx export); ``max_side`` shrinks the image first so its longer side
    is at most that many pixels. The image is read upright (EXIF orientation) and at any bit depth
    (:func:`filmstyle.core.picture.read_image`); its alpha channel is carried to a PNG, WebP or TIFF
    output and said to be dropped for the others. Memory stays bounded for any size: the network
    runs at the working size (with ``detail`` "network" at most :data:`NETWORK_MAX_PIXELS`, said) and
    the full size is finished in strips (:meth:`FrameStylizer.finish_in_place`): about twice the
    image's own bytes at the peak (measured in docs/media.md).
    """
    from filmstyle.core.picture import ALPHA_SUFFIXES, read_image, write_image

    options = replace(options, backend=choose(options.backend, look.net, frames=1, device=resolve_device(options.device)))
    frame, alpha = read_image(src, min_side=16)
    if max_side is not None and max(frame.shape[:2]) > max_side:
        scale = max_side / max(frame.shape[:2])
        size = (max(1, round(frame.shape[1] * scale)), max(1, round(frame.shape[0] * scale)))
        frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        alpha = None if alpha is None else cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    h, w = frame.shape[:2]
    if options.detail == "network" and h * w > NETWORK_MAX_PIXELS:
        side = int(min(h, w) * (NETWORK_MAX_PIXELS / (h * w)) ** 0.5)
        log.warning("%s: %dx%d is more than the network runs on at full size (%.0f MP): it runs at a short side of "
                    "%d px and the finer detail comes from the image (as --detail source)", src, w, h,
                    NETWORK_MAX_PIXELS / 1e6, side)
        options = replace(options, detail="source", network_side=side)
    if alpha is not None and Path(dst).suffix.lower() not in ALPHA_SUFFIXES:
        log.warning("%s: its alpha channel is dropped (a %s file has none); write .png, .webp or .tif to keep it",
                    src, Path(dst).suffix.lower() or "suffix-less")
        alpha = None
    stylizer = FrameStylizer(look.net, options)
    if options.tone == "grade" and look.still is not None:
        fit = frame if min(h, w) <= CONTENT_SIZE else shrink(frame, CONTENT_SIZE)  # colour statistics need no more
        grade_frames(stylizer, look, [fit], packed=h * w > PACKED_PIXELS)
    done = stylizer.finish_in_place(frame, stylizer.prepare(frame))
    return write_image(done, dst, alpha=alpha)
