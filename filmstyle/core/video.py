"""Video in and out: probe, decode to RGB, and re-encode with the original audio.

The only module in filmstyle that imports PyAV. Everything streams: a frame is decoded, handed on and
dropped, so memory does not grow with the length of the video. Frames cross this module's boundary
as RGB uint8 arrays of shape (H, W, 3).

Colour: decoding honours the source's matrix and range tags; an untagged source is taken as BT.601
below 720 lines and BT.709 from 720 lines up (the rule FFmpeg-based players and browsers follow),
limited range. Encoding always converts with the BT.709 matrix to limited range and tags the stream
BT.709 (primaries, transfer, matrix), so what is written is what the tags say.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace, Interpolation

from filmstyle.core.colour import BT601_H273, BT709_H273, HD_LINES, MATRIX_KR_KB
from filmstyle.core.config import MAX_VIDEO_PIXELS, MAX_VIDEO_SIDE
from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.core.files import atomic_path, check_writable
from filmstyle.core.prefetch import Prefetch

log = logging.getLogger(__name__)

PathLike = str | os.PathLike
Size = tuple[int, int]  # (width, height) in pixels

_MUXERS = {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska"}
OUTPUT_SUFFIXES = tuple(_MUXERS)  # what render and grade write
# codec -> (FFmpeg encoder, pixel format, suffixes of containers that can hold it)
_ENCODERS = {
    "h264": ("libx264", "yuv420p", {".mp4", ".mov", ".mkv"}),
    "prores": ("prores_ks", "yuv422p10le", {".mov", ".mkv"}),
}
_PRORES_HQ = "3"  # prores_ks profile number of ProRes 422 HQ (FFmpeg codecs documentation)
_UNTAGGED = {2, 3}  # AVCOL_SPC_UNSPECIFIED, AVCOL_SPC_RESERVED
_AHEAD = 2  # decoded frames waiting in transcode (plus one being converted and one processed)


@dataclass(frozen=True)
class VideoInfo:
    """The first video stream of a file, as :func:`probe` finds it without decoding.

    ``width``/``height`` in pixels as the picture is shown: upright, after the ``rotation`` its
    display matrix asks for (degrees counterclockwise, a multiple of 90: a phone's portrait clip is
    stored sideways); ``sar`` the sample (pixel) aspect ratio, 1 for square pixels (an anamorphic
    clip's is not), for the upright picture; ``fps`` the average frame rate (0 if unknown);
    ``frame_count`` from the container, else duration * fps, 0 if unknown (``counted`` says which);
    ``duration`` in seconds, 0.0 if unknown; ``codec`` the FFmpeg name of the video codec; ``alpha``
    whether its pixels carry an alpha channel; ``other_streams`` the streams neither video nor audio
    (subtitles, data, attachments) by kind, with the video streams after the first; ``matrix`` and
    ``full_range`` the Y'CbCr matrix (ITU-T H.273 code, untagged video by its height) and range its
    frames are decoded in, as :func:`transcode` hands them over with ``planar`` (RGB video, or a
    matrix without known coefficients: BT.709 limited, what such frames are converted to).
    """

    path: str
    width: int
    height: int
    fps: Fraction
    frame_count: int
    duration: float
    audio_streams: int
    codec: str
    rotation: int = 0
    sar: Fraction = Fraction(1)
    alpha: bool = False
    counted: bool = True
    other_streams: tuple[tuple[str, int], ...] = ()
    matrix: int = BT709_H273
    full_range: bool = False


@dataclass
class TranscodeStats:
    """What :func:`transcode` did: wall-clock seconds, and the output's size (pixels) and rate.

    ``seconds_process`` is the time inside ``process`` calls; decoding overlaps them (on another
    thread), so ``seconds_total - seconds_process`` is not the time the rest of the work takes.
    """

    frames: int
    seconds_total: float
    seconds_process: float
    width: int
    height: int
    fps: Fraction
    audio_streams: int
    damage: str = ""  # what was wrong with the source (:func:`transcode`), "" when nothing

    @property
    def e2e_fps(self) -> float:
        """Frames per second over the whole transcode (decode, process, encode, mux)."""
        return self.frames / self.seconds_total if self.seconds_total > 0 else 0.0


class YUV420(NamedTuple):
    """A decoded frame as 8-bit 4:2:0 planes, as :func:`transcode` hands it over with ``planar``.

    ``planes``: (3H/2, W) uint8 in FFmpeg's yuv420p layout (the H rows of Y', then the Cb and Cr
    planes of H/2 x W/2 samples, each contiguous), upright and at the output size; ``matrix``: the
    ITU-T H.273 MatrixCoefficients code of its Y'CbCr, one of
    :data:`~filmstyle.core.colour.MATRIX_KR_KB`; ``full_range``: codes 0-255, else 16-235.
    """

    planes: np.ndarray
    matrix: int
    full_range: bool


class _Decoded(NamedTuple):
    """A decoded frame as transcode's decoding thread hands it over: RGB (or :class:`YUV420` planes),
    and its pts and duration."""

    rgb: np.ndarray | YUV420 | None
    pts: int | None
    duration: int | None
    prepared: Any = None  # what transcode's ``prepare`` made of it on that thread


_VIDEO_END = "video end"  # handed over once the video stream is fully decoded
_REPORTED: set[tuple[str, str]] = set()  # (path, damage) already logged by _Decoder.finish


def _open(path: PathLike) -> tuple[av.container.InputContainer, av.VideoStream]:
    """Open ``path`` and return it with its first video stream, set up for threaded decoding."""
    p = check_readable_file(path, "video file")
    try:
        container = av.open(str(p))
    except av.FFmpegError as e:
        raise InputError(p, f"not a readable video file ({e.strerror or e})",
                         "check that it is a complete video file (mp4, mov, mkv, ...)") from None
    if not container.streams.video:
        container.close()
        raise InputError(p, "has no video stream", "give a video file, not an audio-only file")
    stream = container.streams.video[0]
    stream.codec_context.thread_type = "AUTO"
    return container, stream


def _packets(container: av.container.InputContainer, path: PathLike,
             *streams: av.stream.Stream) -> Iterator[av.Packet]:
    """Demux ``streams`` in file order; stop, with a warning, where the file is damaged."""
    try:
        yield from container.demux(*streams)
    except av.FFmpegError as e:
        log.warning("%s: stopped reading at damaged data (%s)", path, e.strerror or e)


class _Decoder:
    """Decodes video packets, skipping damaged ones; :meth:`finish` fails if nothing decoded."""

    def __init__(self, stream: av.VideoStream, path: PathLike) -> None:
        self.stream, self.path = stream, path
        self.frames = self.failures = self.corrupt = 0
        self.interlaced = False

    def decode(self, packet: av.Packet | None) -> list[av.VideoFrame]:
        """Frames completed by ``packet`` (None flushes); [] where the data is damaged."""
        try:
            frames = self.stream.decode(packet)
        except av.error.EOFError:  # already flushed
            return []
        except av.FFmpegError as e:
            self.failures += 1
            log.debug("%s: undecodable packet skipped (%s)", self.path, e)
            return []
        self.frames += len(frames)
        for frame in frames:
            self.corrupt += frame.is_corrupt
            self.interlaced = self.interlaced or frame.interlaced_frame
        return frames

    def damage(self) -> str:
        """The damage met so far in words ("" for none): packets skipped, frames decoded with errors."""
        parts = [f"{self.failures} damaged video packet(s) skipped"] if self.failures else []
        if self.corrupt:
            parts.append(f"{self.corrupt} frame(s) decoded with errors")
        return ", ".join(parts)

    def finish(self, *, report: bool = True) -> None:
        """Log the damage (unless ``report`` is False: the caller reports it); raise InputError if no
        frame decoded at all."""
        if report and self.damage() and (str(self.path), self.damage()) not in _REPORTED:
            _REPORTED.add((str(self.path), self.damage()))  # once per process, however often the file is read
            log.warning("%s: %s", self.path, self.damage())
        if self.frames == 0:
            raise InputError(self.path, "no video frame could be decoded",
                             "the file is damaged or truncated; re-export or re-download it")


def _decoded(path: PathLike) -> Iterator[av.VideoFrame]:
    """Every decodable frame of the first video stream, in display order; closes the file at the end.

    The file is opened by the call, so a missing or unreadable file fails here and not at the first
    ``next``. InputError at the end if nothing decoded.
    """
    container, stream = _open(path)

    def frames() -> Iterator[av.VideoFrame]:
        with container:
            decoder = _Decoder(stream, path)
            for packet in _packets(container, path, stream):
                yield from decoder.decode(packet)
            yield from decoder.decode(None)  # flush, in case the demuxer stopped early
            decoder.finish()

    return frames()


def _quarter_turns(rotation: float) -> int:
    """A display rotation (degrees counterclockwise) as quarter turns 0..3 (np.rot90's k)."""
    return round(rotation / 90) % 4


def _to_rgb(frame: av.VideoFrame, size: Size | None) -> np.ndarray:
    """Decoded frame -> (H, W, 3) uint8 RGB, upright (its display matrix's rotation applied), resized
    to ``size`` (W, H of the upright picture) if given."""
    turns = _quarter_turns(frame.rotation)
    if turns == 0:
        return _converted(frame, size)
    if size is not None and turns % 2:
        size = (size[1], size[0])  # the stored picture is sideways
    return np.ascontiguousarray(np.rot90(_converted(frame, size), turns))


def _converted(frame: av.VideoFrame, size: Size | None) -> np.ndarray:
    """Decoded frame -> (H, W, 3) uint8 RGB as stored, resized to ``size`` if given."""
    width, height = size or (frame.width, frame.height)
    matrix = rng = None  # None: use the frame's own tag
    if not frame.format.is_rgb:
        if frame.colorspace in _UNTAGGED:
            matrix = Colorspace.ITU709 if frame.height >= HD_LINES else Colorspace.ITU601
        if frame.color_range == ColorRange.UNSPECIFIED:
            rng = ColorRange.MPEG
    # threads=1 here and in _from_rgb: with swscale's automatic slice threads transcode's output differed
    # between runs about 1 time in 6 on the tiny test clip; with one thread it is rarer but not gone (the
    # cause is still open). Decoding already runs beside the processing on its own thread.
    flags = _interpolation(frame, width, height)
    if not frame.format.is_rgb:
        # swscale's default Y'CbCr -> RGB path rounds down and takes each pixel's chroma from its 2x2
        # block: every frame came out 1.2 levels too dark in Y' (1.7 when shrunk; measured on the
        # shipped clip against the exact BT.709 inverse). Accurate rounding with the chroma
        # interpolated to every pixel is exact to 0.2 levels, for ~5 ms more per 1080p frame.
        flags |= Interpolation.ACCURATE_RND | Interpolation.FULL_CHR_H_INT
    rgb = frame.reformat(width, height, "rgb24", src_colorspace=matrix, src_color_range=rng, interpolation=flags,
                         threads=1)
    return rgb.to_ndarray()


def _interpolation(frame: av.VideoFrame, width: int, height: int) -> Interpolation:
    """swscale's filter to bring ``frame`` to ``width`` x ``height``: area averaging when shrinking
    (it does not alias), else bicubic."""
    return Interpolation.AREA if width * height < frame.width * frame.height else Interpolation.BICUBIC


def _to_yuv420(frame: av.VideoFrame, size: Size | None) -> YUV420:
    """Decoded frame -> :class:`YUV420`: upright, at ``size`` (W, H of the upright picture) if given,
    in its own matrix and range. Only the chroma layout and the size are converted (by swscale,
    which leaves the matrix and range as they are); a frame in RGB or in a matrix without known
    coefficients goes through RGB to BT.709 limited range."""
    turns = _quarter_turns(frame.rotation)
    if size is not None and turns % 2:
        size = (size[1], size[0])  # the stored picture is sideways
    width, height = size or (frame.width, frame.height)
    matrix, full = _matrix_and_range(frame.colorspace, frame.color_range, frame.format, frame.height)
    if _through_rgb(frame.colorspace, frame.format):
        planes = _from_rgb(_converted(frame, (width, height)), "yuv420p").to_ndarray()
    else:
        if frame.format.name not in ("yuv420p", "yuvj420p") or (width, height) != (frame.width, frame.height):
            frame = frame.reformat(width, height, "yuv420p", threads=1, interpolation=_interpolation(frame, width, height))
        planes = frame.to_ndarray()
    if turns:
        planes = _turned(planes, turns)
    return YUV420(planes, int(matrix), full)


def _matrix_and_range(colorspace: int, color_range: int, fmt: av.VideoFormat | None, height: int) -> tuple[int, bool]:
    """(H.273 matrix, full range) of frames so tagged, as :func:`_to_yuv420` hands them over."""
    if _through_rgb(colorspace, fmt):
        return BT709_H273, False  # converted through RGB to BT.709 limited
    if colorspace in _UNTAGGED:
        colorspace = BT709_H273 if height >= HD_LINES else BT601_H273
    full = color_range == ColorRange.JPEG or (fmt is not None and fmt.name.startswith("yuvj"))
    return int(colorspace), full


def _through_rgb(colorspace: int, fmt: av.VideoFormat | None) -> bool:
    """Whether :func:`_to_yuv420` converts such frames through RGB: RGB video, or a matrix without
    known coefficients."""
    return fmt is not None and fmt.is_rgb or colorspace not in MATRIX_KR_KB and colorspace not in _UNTAGGED


def _turned(planes: np.ndarray, turns: int) -> np.ndarray:
    """yuv420p planes (3H/2, W) turned ``turns`` quarter turns counterclockwise, as np.rot90 turns RGB."""
    rows, w = planes.shape
    h = rows * 2 // 3
    quarter = (h // 2) * (w // 2)
    chroma = planes[h:].reshape(-1)
    parts = [np.rot90(planes[:h], turns)] + [np.rot90(chroma[k * quarter:(k + 1) * quarter].reshape(h // 2, w // 2),
                                                      turns) for k in (0, 1)]
    width = parts[0].shape[1]
    return np.concatenate([parts[0].reshape(-1), parts[1].reshape(-1), parts[2].reshape(-1)]).reshape(-1, width)


def _from_yuv420(planes: np.ndarray) -> av.VideoFrame:
    """(3H/2, W) uint8 yuv420p planes in BT.709 limited range -> a frame tagged so."""
    out = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    out.colorspace = out.color_primaries = out.color_trc = BT709_H273
    out.color_range = ColorRange.MPEG
    return out


def _from_rgb(rgb: np.ndarray, pix_fmt: str) -> av.VideoFrame:
    """(H, W, 3) uint8 RGB -> ``pix_fmt`` frame: BT.709 matrix, limited range, tagged BT.709.

    (H, W, 4) is taken as RGB plus an ignored 4th byte (a 4-byte layout converts faster).
    """
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24" if rgb.shape[2] == 3 else "rgba")
    out = frame.reformat(format=pix_fmt, src_color_range=ColorRange.JPEG,
                         dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG, threads=1)
    out.color_primaries = out.color_trc = BT709_H273
    return out


def _check_size(size: Size | None) -> None:
    if size is not None and (len(size) != 2 or min(size) < 1):
        raise ValueError(f"size must be (width, height) in positive pixels, got {size!r}")


def probe(path: PathLike) -> VideoInfo:
    """Describe the first video stream of ``path`` (decoding its first frame only, for the rotation).

    The answer is kept for the same file unchanged (its inode, size and modification time), since a
    command probes its input several times (checks, colour sampling, transcode): ~40 ms each at 1080p.
    Raises InputError if the file is missing, empty, not a media file, or has no video stream.
    """
    try:
        st = os.stat(path)
    except OSError:
        return _probe(path)  # missing or unreadable: _probe says which in one line
    return _probe_file(os.fspath(path), st.st_ino, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=32)
def _probe_file(path: str, inode: int, size: int, mtime_ns: int) -> VideoInfo:
    return _probe(path)


def _probe(path: PathLike) -> VideoInfo:
    container, stream = _open(path)
    with container:
        fps = Fraction(stream.average_rate or stream.guessed_rate or 0)
        if stream.duration is not None and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = (container.duration or 0) / av.time_base
        ctx = stream.codec_context
        width, height = ctx.width, ctx.height
        sar = Fraction(stream.sample_aspect_ratio or ctx.sample_aspect_ratio or 1)
        rotation = _first_rotation(container, stream, path)
        if _quarter_turns(rotation) % 2:
            width, height, sar = height, width, 1 / sar
        fmt = ctx.format or (stream.format if hasattr(stream, "format") else None)
        alpha = fmt is not None and any(c.is_alpha for c in fmt.components)
        matrix, full = _matrix_and_range(ctx.colorspace, ctx.color_range, fmt, ctx.height)
        others: dict[str, int] = {}
        for st in container.streams:
            if st.type not in ("video", "audio") or (st.type == "video" and st.index != stream.index):
                others[st.type] = others.get(st.type, 0) + 1
        return VideoInfo(path=str(path), width=width, height=height, fps=fps,
                         frame_count=stream.frames or round(duration * fps), duration=duration,
                         audio_streams=len(container.streams.audio), codec=ctx.name, rotation=rotation,
                         sar=sar if sar > 0 else Fraction(1), alpha=alpha, counted=bool(stream.frames),
                         other_streams=tuple(sorted(others.items())), matrix=matrix, full_range=full)


def _first_rotation(container: av.container.InputContainer, stream: av.VideoStream, path: PathLike) -> int:
    """The display rotation of the first decodable frame (degrees counterclockwise, a multiple of 90),
    0 if none decodes; the demuxer is left where it was found (the container is closed after)."""
    decoder = _Decoder(stream, path)
    for packet in _packets(container, path, stream):
        for frame in decoder.decode(packet):
            return _quarter_turns(frame.rotation) * 90
        if decoder.failures > 8:
            break
    for frame in decoder.decode(None):
        return _quarter_turns(frame.rotation) * 90
    return 0


def read_frames(path: PathLike, *, size: Size | None = None, max_frames: int | None = None,
                every: int = 1) -> Iterator[np.ndarray]:
    """Yield frames of the first video stream as (H, W, 3) uint8 RGB, streaming.

    ``size`` = (W, H) resizes (area averaging when shrinking, else bicubic); ``every`` = k keeps
    frames 0, k, 2k, ...; at most ``max_frames`` are yielded. Damaged packets are skipped; InputError
    if the file cannot be opened (raised by the call) or no frame decodes (raised when iterating).
    """
    _check_size(size)
    if every < 1 or (max_frames is not None and max_frames < 0):
        raise ValueError(f"need every >= 1 and max_frames >= 0, got {every=}, {max_frames=}")
    frames = _decoded(path)
    stop = None if max_frames is None else max_frames * every

    def kept() -> Iterator[np.ndarray]:
        try:
            for frame in islice(frames, 0, stop, every):
                yield _to_rgb(frame, size)
        finally:
            frames.close()

    return kept()


def _frame_count(path: PathLike) -> int:
    """The container's frame count, or when unknown the video packets counted (demuxing only)."""
    total = probe(path).frame_count
    if total <= 0:
        container, stream = _open(path)
        with container:
            total = sum(1 for packet in _packets(container, path, stream) if packet.size)
    return total


def _frames_at(path: PathLike, wanted: set[int], size: Size | None) -> dict[int, np.ndarray]:
    """The frames whose indices (in display order) are in ``wanted`` (those that exist), in that order.

    Decoded in one pass from the start, except that where a keyframe lies after the last frame
    decoded and at or before the next wanted one, decoding jumps to it (a seek) instead of going
    through every frame in between: a long clip with frequent keyframes (a phone's or a camera's,
    about one a second) costs a GOP or so per wanted frame, not the whole clip. Where a seek does
    not land on what the packets promised (a damaged or badly indexed file), the frames it missed
    are read by the one pass.
    """
    plan = _seek_plan(path, wanted)
    found: dict[int, np.ndarray] = {}
    if plan:
        container, stream = _open(path)
        with container:
            decoder = _Decoder(stream, path)
            for start, targets in plan:
                if start is not None:
                    container.seek(start, stream=stream, backward=True, any_frame=False)
                    stream.codec_context.flush_buffers()
                found.update(_decoded_until(container, stream, path, decoder, targets, size))
    want = {i for _, targets in plan for i in targets.values()} - set(found) if plan else wanted
    if want:
        frames = _decoded(path)
        try:
            found |= {i: _to_rgb(f, size) for i, f in enumerate(islice(frames, max(want) + 1)) if i in want}
        finally:
            frames.close()
    return {i: found[i] for i in sorted(found)}


def _seek_plan(path: PathLike, wanted: set[int]) -> list[tuple[int | None, dict[int, int]]]:
    """How :func:`_frames_at` reads ``wanted``: groups of (pts to seek to first, or None to go on
    decoding; {pts: index} of the wanted frames in the group). [] where seeking saves nothing (one
    group from the start) or the packets carry no usable timestamps: then one pass reads them."""
    try:
        index = frame_index(path)
    except InputError:
        return []
    if len(set(index.pts)) != len(index.pts):
        return []
    keys = [i for i, key in enumerate(index.key) if key]
    plan: list[tuple[int | None, dict[int, int]]] = []
    last = -1  # the last frame the plan decodes so far
    for i in sorted(j for j in wanted if j < len(index.pts)):
        k = keys[bisect_right(keys, i) - 1] if keys and keys[0] <= i else None
        if not plan or (k is not None and k > last + 1):
            plan.append((index.pts[k] if k is not None and k > 0 else None, {}))
        plan[-1][1][index.pts[i]] = i
        last = i
    return plan if any(start is not None for start, _ in plan) else []


def _decoded_until(container: av.container.InputContainer, stream: av.VideoStream, path: PathLike,
                   decoder: _Decoder, targets: dict[int, int], size: Size | None) -> dict[int, np.ndarray]:
    """Decode from where the demuxer is until the last of ``targets`` ({pts: index}) has gone by;
    return the targets met, by index."""
    got: dict[int, np.ndarray] = {}
    last = max(targets)
    for packet in chain(_packets(container, path, stream), [None]):
        for frame in decoder.decode(packet):
            if frame.pts in targets:
                got[targets[frame.pts]] = _to_rgb(frame, size)
            if frame.pts is not None and frame.pts >= last:
                return got
    return got


def sample_frames(path: PathLike, n: int, *, size: Size | None = None) -> list[np.ndarray]:
    """``n`` frames spread evenly from the first to the last, each (H, W, 3) uint8 RGB.

    The spread uses the container's frame count; when that is unknown the video packets are counted
    first (demuxing only, no decoding). A clip of fewer than ``n`` frames gives all its frames.
    InputError if no frame decodes.
    """
    _check_size(size)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    wanted = set(np.linspace(0, max(_frame_count(path) - 1, 0), n).round().astype(int).tolist())
    return list(_frames_at(path, wanted, size).values())


def sample_pairs(path: PathLike, n: int, *, size: Size | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` pairs of consecutive frames (t - 1, t), spread evenly over the clip, each (H, W, 3) uint8 RGB.

    For a temporal loss: the pairs' starts are spread like :func:`sample_frames`; a clip of fewer
    than ``n + 1`` frames gives all its consecutive pairs, one frame gives none. InputError if no
    frame decodes.
    """
    _check_size(size)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    starts = set(np.linspace(0, max(_frame_count(path) - 2, 0), n).round().astype(int).tolist())
    kept = _frames_at(path, starts | {s + 1 for s in starts}, size)
    return [(kept[s], kept[s + 1]) for s in sorted(starts) if s + 1 in kept]


def _encoder_for(codec: str, dst: Path) -> tuple[str, str]:
    """(FFmpeg encoder, pixel format) to write ``codec`` into ``dst``; InputError if impossible."""
    if codec not in _ENCODERS:
        raise InputError(None, f"unknown codec {codec!r}", f"use one of {sorted(_ENCODERS)}")
    encoder, pix_fmt, suffixes = _ENCODERS[codec]
    suffix = dst.suffix.lower()
    if suffix not in _MUXERS:
        raise InputError(dst, f"unknown output container {suffix or '(no suffix)'!r}",
                         f"end the name in one of {sorted(_MUXERS)}")
    if suffix not in suffixes:
        raise InputError(dst, f"a {suffix} file cannot hold {codec}",
                         f"end the name in one of {sorted(suffixes)}")
    return encoder, pix_fmt


def check_frame_limits(info: VideoInfo) -> None:
    """InputError where ``info``'s frames are larger than filmstyle renders at their own size
    (:data:`~filmstyle.core.config.MAX_VIDEO_SIDE`, :data:`~filmstyle.core.config.MAX_VIDEO_PIXELS`)."""
    width, height = info.width // 2 * 2, info.height // 2 * 2
    if max(width, height) > MAX_VIDEO_SIDE or width * height > MAX_VIDEO_PIXELS:
        raise InputError(info.path, f"frames are {info.width}x{info.height}, larger than filmstyle renders (at most "
                         f"{MAX_VIDEO_SIDE} px a side and {MAX_VIDEO_PIXELS / 1e6:.1f} MP)", "give a smaller --size")


def _output_size(size: Size | None, info: VideoInfo) -> Size:
    """(W, H) to encode: ``size`` if given, else the source's, rounded down to even for 4:2:0/4:2:2."""
    _check_size(size)
    width, height = size or (info.width, info.height)
    even = (width // 2 * 2, height // 2 * 2)
    if min(even) < 2:
        raise InputError(info.path, f"frame size {width}x{height} is too small to encode",
                         "give a video (or size) at least 2x2 pixels")
    if size is None:
        check_frame_limits(info)
    if even != (width, height):
        log.warning("%s: output size %dx%d rounded down to %dx%d (4:2:0 video needs even sizes)",
                    info.path, width, height, *even)
    return even


def _encoder_options(codec: str, crf: int, preset: str | None) -> dict[str, str]:
    """The encoder's options: libx264's quality and speed preset, or ProRes 422 HQ's profile."""
    if codec != "h264":
        return {"profile": _PRORES_HQ}
    return {"crf": str(crf)} | ({"preset": preset} if preset is not None else {})


def _output_sar(info: VideoInfo, size: Size) -> Fraction:
    """The sample aspect ratio that shows ``size`` at the source's display shape (1 for square pixels)."""
    shape = Fraction(info.width, info.height) * info.sar  # the source's display aspect ratio
    sar = shape / Fraction(*size)
    return Fraction(1) if abs(sar - 1) < Fraction(1, 200) else sar.limit_denominator(1000)


class _VideoWriter:
    """Runs ``process`` on decoded frames and encodes the results at the source's timestamps."""

    def __init__(self, out: av.container.OutputContainer, source: av.VideoStream, encoder: str,
                 pix_fmt: str, options: dict[str, str], size: Size,
                 process: Callable[..., np.ndarray], staged: bool = False, sar: Fraction = Fraction(1),
                 planar: bool = False) -> None:
        self.out, self.pix_fmt, self.size, self.process, self.staged = out, pix_fmt, size, process, staged
        self.planar = planar
        self.time_base = source.time_base
        rate = source.average_rate or source.guessed_rate
        self.stream = out.add_stream(encoder, rate=rate, options=options)
        self.stream.width, self.stream.height = size
        self.stream.pix_fmt = pix_fmt
        ctx = self.stream.codec_context
        # Encode in the source's time base so its timestamps pass through unchanged; the muxer
        # rescales packets to the container's own time base.
        ctx.time_base = self.stream.time_base = self.time_base
        ctx.color_primaries = ctx.color_trc = ctx.colorspace = BT709_H273
        ctx.color_range = ColorRange.MPEG
        if sar != 1:  # written in the stream (H.264 VUI) and the container (mp4/mov pasp)
            ctx.sample_aspect_ratio = sar
        ctx.thread_type = "AUTO"
        self.step = max(1, round(1 / (rate * self.time_base)))  # one frame, in time_base units
        self.last_pts: int | None = None
        self.frames = 0
        self.seconds_process = 0.0

    def write(self, frame: _Decoded) -> float:
        """Process and encode one decoded frame; return when its display ends, in seconds."""
        rgb = frame.rgb
        start = time.perf_counter()
        result = self.process(rgb, frame.prepared) if self.staged else self.process(rgb)
        self.seconds_process += time.perf_counter() - start
        got = f"{getattr(result, 'dtype', type(result).__name__)} {getattr(result, 'shape', '')}"
        if self.planar:
            if not isinstance(result, np.ndarray) or result.shape != rgb.planes.shape or result.dtype != np.uint8:
                raise ValueError(f"process must return yuv420p planes, uint8 of shape {rgb.planes.shape}, got {got}")
        elif (not isinstance(result, np.ndarray) or result.shape[:2] != rgb.shape[:2] or result.dtype != np.uint8
                or result.shape[2:] not in ((3,), (4,))):
            raise ValueError(f"process must return a uint8 array of shape {rgb.shape} (or with a 4th, ignored "
                             f"channel), got {got}")
        pts = frame.pts
        if self.last_pts is not None and (pts is None or pts <= self.last_pts):
            pts = self.last_pts + (self.step if pts is None else 1)  # encoders need rising pts
        pts = 0 if pts is None else pts
        encoded = _from_yuv420(result) if self.planar else _from_rgb(result, self.pix_fmt)
        encoded.pts, encoded.time_base = pts, self.time_base
        self.out.mux(self.stream.encode(encoded))
        self.last_pts = pts
        self.frames += 1
        return float((pts + (frame.duration or self.step)) * self.time_base)

    def finish(self) -> None:
        """Flush the encoder."""
        self.out.mux(self.stream.encode(None))


class _AudioCopier:
    """Copies every audio stream's packets unchanged, optionally only those before a cut.

    While the cut is still unknown (``max_frames`` given, not yet reached), packets starting after
    the video written so far are held back; the hold is bounded by how far the source interleaves
    audio ahead of video (typically well under a second).
    """

    def __init__(self, out: av.container.OutputContainer, source: av.container.InputContainer,
                 dst: Path, *, cut: bool) -> None:
        self.out = out
        self.streams: dict[int, av.stream.Stream] = {}  # input index -> output stream
        for stream in source.streams.audio:
            try:
                self.streams[stream.index] = out.add_stream_from_template(stream)
            except ValueError:  # the muxer does not take this codec
                raise InputError(dst, f"a {dst.suffix} file cannot hold the source's "
                                 f"{stream.codec_context.name} audio", "write a .mkv or .mov") from None
        self.limit = float("-inf") if cut else float("inf")  # copy packets starting before, s
        self.final = False  # whether ``limit`` is the cut
        self.ahead: deque[av.Packet] = deque()
        self.passed: set[int] = set()  # streams that have reached the final cut

    def offer(self, packet: av.Packet) -> None:
        """Copy, hold or drop one demuxed audio packet."""
        if packet.dts is None or packet.pts is None:
            return  # demuxer flush packet, or nowhere in time to put it
        if float(packet.pts * packet.time_base) < self.limit:
            packet.stream = self.streams[packet.stream.index]
            self.out.mux(packet)
        elif self.final:
            self.passed.add(packet.stream.index)
        else:
            self.ahead.append(packet)

    def advance(self, limit: float, *, final: bool = False) -> None:
        """Move the limit to ``limit`` seconds and copy the held packets now inside it."""
        self.limit, self.final = limit, final
        while self.ahead and (final or float(self.ahead[0].pts * self.ahead[0].time_base) < limit):
            self.offer(self.ahead.popleft())


def _demuxed(container: av.container.InputContainer, src: PathLike, decoder: _Decoder, size: Size,
             skip_video: threading.Event, prepare: Callable[[np.ndarray], Any] | None = None,
             max_frames: int | None = None, planar: bool = False) -> Iterator[av.Packet | _Decoded | str]:
    """transcode's input in file order, for its decoding thread: audio packets, video frames decoded
    and converted (none once ``skip_video`` is set) with what ``prepare`` makes of each of the first
    ``max_frames``, and ``_VIDEO_END`` after the last frame."""
    audio = {s.index for s in container.streams.audio}
    count = 0
    # The final None flushes the decoder in case the demuxer stopped early on damaged data.
    for packet in chain(_packets(container, src, decoder.stream, *container.streams.audio), [None]):
        if packet is not None and packet.stream.index in audio:
            yield packet
            continue
        if skip_video.is_set():
            continue
        for frame in decoder.decode(packet):
            rgb = _to_yuv420(frame, size) if planar else _to_rgb(frame, size)
            count += 1
            wanted = prepare is not None and (max_frames is None or count <= max_frames)
            yield _Decoded(rgb, frame.pts, frame.duration, prepare(rgb) if wanted else None)
        if packet is None or (packet.size == 0 and packet.dts is None):
            yield _VIDEO_END


def transcode(src: PathLike, dst: PathLike, process: Callable[..., np.ndarray], *,
              size: Size | None = None, max_frames: int | None = None, codec: str = "h264",
              crf: int = 18, preset: str | None = None, prepare: Callable[[np.ndarray], Any] | None = None,
              on_frame: Callable[[int], None] | None = None, strict: bool = False,
              planar: bool = False) -> TranscodeStats:
    """Decode ``src``, run ``process`` on every frame, encode to ``dst`` with all audio copied.

    ``process`` takes and returns (H, W, 3) uint8 RGB where (W, H) = ``size`` if given, else the
    source's size, rounded down to even (it may return (H, W, 4): RGB and an ignored 4th byte).
    ``codec`` "h264" (libx264, yuv420p, quality ``crf``) or
    "prores" (ProRes 422 HQ, yuv422p10le; .mov or .mkv only); ``preset`` is libx264's speed preset
    (None: its default, medium; "veryfast" encodes 1080p several times faster at a higher bitrate
    for the same ``crf``). The container follows ``dst``'s
    suffix (.mp4, .mov, .mkv). Frame rate and each frame's timestamp are kept; audio packets are
    copied, not re-encoded, and with ``max_frames`` cut where the last frame ends. ``on_frame(k)``
    is called after the k-th frame (1-based) is encoded. ``dst`` appears only when complete; on any
    error or interrupt an existing ``dst`` is left as it was. A second thread demuxes, decodes and
    converts up to ``_AHEAD`` frames ahead; ``process`` and ``on_frame`` run on the calling thread.
    With ``prepare``, the work is split in two stages that overlap: that thread also runs
    ``prepare(frame)`` on each frame, in order, and ``process(frame, prepared)`` gets its result
    (a render's network and blending at the working size on one thread, the full-size composite
    and the encoder on the other). With ``planar`` (h264 only), ``process`` (and ``prepare``)
    gets each frame as :class:`YUV420` planes in the source's own matrix and range and returns
    yuv420p planes of the same shape in BT.709 limited range, which are encoded as they are: no
    conversion to RGB and back (a colour grade, :mod:`filmstyle.lut.yuv`; a render's full-size stage).

    The output is upright (the source's display rotation applied) and keeps the source's display
    shape (an anamorphic source's sample aspect ratio, scaled to ``size``). What cannot be kept is
    said, one warning each: an alpha channel, subtitle and data streams, a size rounded to even,
    interlacing. Damage is reported, never silent: packets that do not decode, frames decoded with
    errors, and a video that ends before the frame count its container declares (a truncated file)
    are logged with how far the file got, and the output holds every frame that decoded
    (``TranscodeStats.damage``); with ``strict`` a damaged source raises InputError and nothing is
    written.

    Raises InputError for an unusable source, destination, codec or audio/container pairing.
    """
    started = time.perf_counter()
    dst = Path(dst)
    encoder, pix_fmt = _encoder_for(codec, dst)
    info = probe(src)
    check_writable(dst)
    if dst.exists() and os.path.samefile(dst, src):
        raise InputError(dst, "output would overwrite the input", "choose another output path")
    if not info.fps:
        raise InputError(src, "frame rate unknown", "remux the file (e.g. to .mkv) and try again")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"max_frames must be >= 1, got {max_frames}")
    if planar and pix_fmt != "yuv420p":
        raise ValueError("planar frames are for h264 (yuv420p)")
    size = _output_size(size, info)
    _say_dropped(info)
    options = _encoder_options(codec, crf, preset)

    container, source = _open(src)
    muxer = _MUXERS[dst.suffix.lower()]
    with container, atomic_path(dst) as tmp, av.open(str(tmp), "w", format=muxer) as out:
        video = _VideoWriter(out, source, encoder, pix_fmt, options, size, process, staged=prepare is not None,
                             sar=_output_sar(info, size), planar=planar)
        audio = _AudioCopier(out, container, dst, cut=max_frames is not None)
        decoder = _Decoder(source, src)
        done, skip_video = False, threading.Event()
        # One interleaved pass over video and audio. A thread demuxes, decodes and converts a few
        # frames ahead while this one processes, encodes and muxes; leaving the block stops it.
        items = _demuxed(container, src, decoder, size, skip_video, prepare, max_frames, planar)
        with Prefetch(items, ahead=_AHEAD, heavy=lambda item: isinstance(item, _Decoded)) as ahead:
            for item in ahead:
                if isinstance(item, av.Packet):
                    audio.offer(item)
                    if audio.final and len(audio.passed) == len(audio.streams):
                        break  # every audio stream has reached the cut
                elif done:
                    continue
                elif item is _VIDEO_END:
                    audio.advance(float("inf"))  # video ended before max_frames: keep all audio
                else:
                    if strict and decoder.damage():
                        raise _damaged(src, decoder.damage())
                    end = video.write(item)
                    if on_frame is not None:
                        on_frame(video.frames)
                    done = video.frames == max_frames
                    if max_frames is not None:
                        audio.advance(end, final=done)
                    if done:
                        skip_video.set()
                        if not audio.streams:
                            break
        decoder.finish(report=False)  # the thread has stopped: its counts are final
        damage = _damage(info, decoder, cut=done)
        if damage and strict:
            raise _damaged(src, damage)
        video.finish()
    if damage:
        said = [p for p in damage.split("; ") if (str(src), p) not in _REPORTED]  # not again what a read said
        log.warning("%s: %s; %s holds the %d frame(s) that decoded (--strict refuses a damaged file)",
                    src, "; ".join(said or [damage]), dst, video.frames)
    if decoder.interlaced:
        log.warning("%s: interlaced video: each frame was rendered whole, its two fields together (not "
                    "deinterlaced); deinterlace it first (e.g. ffmpeg -vf bwdif) for clean motion", src)
    return TranscodeStats(frames=video.frames, seconds_total=time.perf_counter() - started,
                          seconds_process=video.seconds_process, width=size[0], height=size[1],
                          fps=info.fps, audio_streams=len(audio.streams), damage=damage)


def _damage(info: VideoInfo, decoder: _Decoder, *, cut: bool) -> str:
    """What was wrong with the source, in words ("" for nothing): the decoder's damage, and a video
    that ended short of the frame count its container declares (unless the render stopped first:
    ``cut``). An exact count (mp4, mov) may miss one frame (edit lists); an estimate (from the
    duration) 2% and one frame."""
    parts = [decoder.damage()] if decoder.damage() else []
    short = "" if cut else shortfall(info, decoder.frames, skipped=bool(decoder.failures))
    return "; ".join(parts + [short] if short else parts)


def shortfall(info: VideoInfo, frames: int, *, skipped: bool = False) -> str:
    """"" if ``frames`` (decoded, or found) is the frame count ``info``'s container declares, else
    the shortfall in words, with the file ending early (truncated) as its cause unless packets were
    ``skipped``. An exact count (mp4, mov) may miss one frame (edit lists); an estimate (from the
    duration) 2% and one frame."""
    declared = info.frame_count
    slack = 1 if info.counted else max(1, round(0.02 * declared))
    if not declared or frames >= declared - slack:
        return ""
    seconds = f"{float(frames / info.fps) if info.fps else 0:.1f} of {info.duration:.1f} s"
    return (f"{frames} of the {declared} frames its container declares decoded ({seconds}"
            + ("" if skipped else ": the file ends early, truncated?") + ")")


def _damaged(src: PathLike, damage: str) -> InputError:
    return InputError(src, f"damaged video ({damage})", "re-export or re-download it, or leave out --strict "
                      "to render what decodes")


def _say_dropped(info: VideoInfo) -> None:
    """One warning for each thing of the source the output cannot hold."""
    if info.alpha:
        log.warning("%s: the video's alpha channel is dropped (the output codecs hold no alpha)", info.path)
    for kind, n in info.other_streams:
        if kind == "video":
            log.warning("%s: %d more video stream(s) not rendered (only the first is)", info.path, n)
        else:
            log.warning("%s: %d %s stream(s) not copied", info.path, n, kind)


# --- segments: a long render split into pieces rendered apart (filmstyle.segments), then joined ----------

@dataclass(frozen=True)
class FrameIndex:
    """Every video frame of a file in display order, from its packets (demuxing only, no decoding):
    ``pts`` in the video stream's time base, ``key`` whether the frame starts a GOP (decoding can
    start there)."""

    pts: tuple[int, ...]
    key: tuple[bool, ...]


def frame_index(path: PathLike) -> FrameIndex:
    """The :class:`FrameIndex` of ``path``'s first video stream. InputError if it has no frame."""
    container, stream = _open(path)
    with container:
        found = sorted((p.pts, bool(p.is_keyframe)) for p in _packets(container, path, stream)
                       if p.size and p.pts is not None)
    if not found:
        raise InputError(path, "no video frame found", "the file is damaged or truncated; re-export or re-download it")
    return FrameIndex(tuple(p for p, _ in found), tuple(k for _, k in found))


def _range_frames(container: av.container.InputContainer, stream: av.VideoStream, path: PathLike, decoder: _Decoder,
                  size: Size, warm: int, start: int, stop: int | None,
                  prepare: Callable[[np.ndarray], Any], planar: bool = False) -> Iterator[_Decoded | str]:
    """Frames of pts in [warm, stop), decoded from the keyframe before ``warm``: those before ``start``
    prepared only (handed over with ``rgb`` None), the rest prepared and handed over whole."""
    if warm > 0:
        container.seek(warm, stream=stream, backward=True, any_frame=False)
    for packet in chain(_packets(container, path, stream), [None]):
        for frame in decoder.decode(packet):
            if frame.pts is None or frame.pts < warm:
                continue
            if stop is not None and frame.pts >= stop:
                return
            rgb = _to_yuv420(frame, size) if planar else _to_rgb(frame, size)
            prepared = prepare(rgb)
            yield _Decoded(rgb if frame.pts >= start else None, frame.pts, frame.duration, prepared)


def transcode_range(src: PathLike, dst: PathLike, process: Callable[..., np.ndarray],
                    prepare: Callable[[np.ndarray], Any], *, start: int, stop: int | None, warm: int,
                    size: Size | None = None, codec: str = "h264", crf: int = 18, preset: str | None = None,
                    on_frame: Callable[[int], None] | None = None, strict: bool = False,
                    planar: bool = False) -> TranscodeStats:
    """One segment of a long render: the frames of ``src`` whose pts lie in [start, stop) (stop None:
    to the end), staged as :func:`transcode` (``prepare`` then ``process(frame, prepared)``), encoded
    with their own timestamps, video only, to ``dst`` (written atomically). The frames from ``warm``
    (<= start) on are run through ``prepare`` first without being written, so that what ``prepare``
    carries from frame to frame (flow blending, cut detection) has run in at the segment's start.
    Damaged packets are logged; with ``strict`` they raise InputError and nothing is written.
    ``planar``: frames as :class:`YUV420` planes, as :func:`transcode`'s."""
    started = time.perf_counter()
    dst = Path(dst)
    encoder, pix_fmt = _encoder_for(codec, dst)
    if planar and pix_fmt != "yuv420p":
        raise ValueError("planar frames are for h264 (yuv420p)")
    info = probe(src)
    size = _output_size(size, info)
    options = _encoder_options(codec, crf, preset)
    container, source = _open(src)
    with container, atomic_path(dst) as tmp, av.open(str(tmp), "w", format=_MUXERS[dst.suffix.lower()]) as out:
        video = _VideoWriter(out, source, encoder, pix_fmt, options, size, process, staged=True,
                             sar=_output_sar(info, size), planar=planar)
        decoder = _Decoder(source, src)
        items = _range_frames(container, source, src, decoder, size, warm, start, stop, prepare, planar)
        with Prefetch(items, ahead=_AHEAD) as ahead:
            for item in ahead:
                if strict and decoder.damage():
                    raise _damaged(src, decoder.damage())
                if item.rgb is None:
                    continue  # a warm-up frame: prepared, not written
                video.write(item)
                if on_frame is not None:
                    on_frame(video.frames)
        decoder.finish()
        video.finish()
    return TranscodeStats(frames=video.frames, seconds_total=time.perf_counter() - started,
                          seconds_process=video.seconds_process, width=size[0], height=size[1], fps=info.fps,
                          audio_streams=0, damage=decoder.damage())


def join(src: PathLike, parts: list[PathLike], dst: PathLike) -> int:
    """Join the segments ``parts`` (video only, each from :func:`transcode_range`, in order) into
    ``dst`` with every audio stream of ``src``, by stream copy: no frame is encoded again. Each
    packet keeps its pts; the decoding timestamps are laid out again over the whole stream as the
    encoder lays them out in one pass (the sorted pts, delayed by the reordering depth), since each
    segment's encoder started its own B-frame delay. Returns the number of video packets."""
    dst = Path(dst)
    times: list[int] = []  # every video packet's pts, in decoding order
    bases = set()
    for part in parts:
        container, stream = _open(part)
        with container:
            bases.add(Fraction(stream.time_base))
            times += [p.pts for p in _packets(container, part, stream) if p.size and p.pts is not None]
    if len(bases) > 1:
        raise InputError(dst, f"the segments do not share one time base ({sorted(bases)})", "render them again")
    ordered = sorted(times)
    rank = {t: j for j, t in enumerate(ordered)}
    depth = max([0] + [i - rank[t] for i, t in enumerate(times)])  # dts_i = ordered[i - depth] <= pts_i
    step = min((b - a for a, b in zip(ordered, ordered[1:]) if b > a), default=1)
    dts = [ordered[i - depth] if i >= depth else ordered[0] - (depth - i) * step for i in range(len(times))]
    source, _ = _open(src)
    first, _ = _open(parts[0])
    with source, first, atomic_path(dst) as tmp, av.open(str(tmp), "w", format=_MUXERS[dst.suffix.lower()]) as out:
        video = out.add_stream_from_template(first.streams.video[0])
        audio = _AudioCopier(out, source, dst, cut=False)
        packets = _joined_video(parts, video, dts)
        pending = next(packets, None)
        # (demux() of no stream would demux them all: a source without audio gives none here)
        for packet in (_packets(source, src, *source.streams.audio) if source.streams.audio else ()):
            at = None if packet.pts is None else float(packet.pts * packet.time_base)
            while pending is not None and at is not None and float(pending.dts * pending.time_base) <= at:
                out.mux(pending)
                pending = next(packets, None)
            audio.offer(packet)
        while pending is not None:
            out.mux(pending)
            pending = next(packets, None)
    return len(times)


def _joined_video(parts: list[PathLike], stream: av.VideoStream, dts: list[int]) -> Iterator[av.Packet]:
    """The video packets of ``parts`` in order, moved to ``stream`` with the decoding times ``dts``."""
    k = 0
    for part in parts:
        container, source = _open(part)
        with container:
            for packet in _packets(container, part, source):
                if not packet.size or packet.pts is None:
                    continue
                packet.dts = dts[k]
                packet.stream = stream
                k += 1
                yield packet
