"""Colour-only rendering: a LUT applied to every frame of a video, streaming, audio kept.

Where the LUT comes from: a LUT file, a colour transfer or learned fit toward a still, or the
colour mapping distilled from a look (:func:`make_lut`). How it is applied: once per 24-bit colour
into a 2^24-entry table (:func:`filmstyle.lut.lut3d.packed_table`, about a second), then one
table lookup per pixel inside :func:`filmstyle.core.video.transcode`, which decodes, encodes and copies
the audio. An h264 grade looks the decoded 4:2:0 planes up directly, with the colour conversions
folded into the tables (:mod:`filmstyle.lut.yuv`): no frame is converted to RGB and back. Also the
colour pre- and post-processing of ``filmstyle render`` (:func:`colour_hooks`).

Grading a video with a LUT file needs neither torch nor colour-science, so ``filmstyle grade --lut``
starts in a fraction of a second: what needs torch (frames as tensors, a look's network) is
imported inside the functions that use it.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from filmstyle.core import video
from filmstyle.core.colour import MATRIX_KR_KB
from filmstyle.core.config import STILL_METHODS, GradeOptions, LutOptions
from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.lut.lut3d import LUT3D, apply_packed, looks_like_hald, packed_table, read_lut
from filmstyle.lut.transfer import pixels, transfer_lut
from filmstyle.lut.yuv import YUVTables, apply_yuv420, yuv_tables
from filmstyle.measure.speed import fps

if TYPE_CHECKING:
    import torch

CONTENT_FRAMES = 8  # frames sampled from a clip for colour statistics or distillation
CONTENT_SIZE = 256  # their short side, px: colour statistics need no more


@dataclass(frozen=True)
class GradeStats:
    """Figures of one grade: frames, output size, wall-clock seconds (total, LUT lookups, table build)."""

    output: Path
    frames: int
    width: int
    height: int
    audio_streams: int
    seconds_total: float
    seconds_lut: float
    seconds_table: float

    @property
    def e2e_fps(self) -> float:
        """Frames per second end to end: table build, decode, LUT, encode, mux."""
        return fps(self.frames, self.seconds_total)


class LUTFrames:
    """Callable for :func:`filmstyle.core.video.transcode`: (H, W, 3) uint8 RGB in, graded frame out;
    or, with ``planar`` transcoding, :class:`~filmstyle.core.video.YUV420` planes in, yuv420p planes
    (BT.709 limited) out, through tables made for the planes' matrix and range on first use.

    ``rgbx``: return (H, W, 4), RGB and a zero byte, which the encoder converts without a copy;
    else (H, W, 3). Frames of a quarter megapixel or more are looked up on two threads.
    """

    def __init__(self, lut: LUT3D, *, rgbx: bool = False) -> None:
        self.pool = ThreadPoolExecutor(2) if (os.cpu_count() or 1) > 1 else None
        self.table = packed_table(lut, pool=self.pool)
        self.rgbx = rgbx
        self._yuv: dict[tuple[int, bool], YUVTables] = {}

    def yuv_tables(self, matrix: int, full_range: bool) -> YUVTables:
        """The 4:2:0 tables for sources in H.273 ``matrix`` and that range, built once."""
        if (matrix, full_range) not in self._yuv:
            self._yuv[matrix, full_range] = yuv_tables(self.table, *MATRIX_KR_KB[matrix], full_range=full_range,
                                                       pool=self.pool)
        return self._yuv[matrix, full_range]

    def __call__(self, frame: np.ndarray | video.YUV420) -> np.ndarray:
        if isinstance(frame, video.YUV420):
            big = frame.planes.size >= 3 << 17
            return apply_yuv420(self.yuv_tables(frame.matrix, frame.full_range), frame.planes,
                                pool=self.pool if big else None)
        big = frame.shape[0] * frame.shape[1] >= 1 << 18
        return apply_packed(self.table, frame, rgbx=self.rgbx, pool=self.pool if big else None)


def grade_video(src: str | os.PathLike, dst: str | os.PathLike, lut: LUT3D, options: GradeOptions = GradeOptions(), *,
                on_frame: Callable[[int], None] | None = None) -> GradeStats:
    """Grade ``src`` with ``lut`` (blended with the identity at ``options.strength``) into ``dst``.

    Frame rate, timestamps and every audio stream are kept (:func:`filmstyle.core.video.transcode`);
    ``options.preset`` is libx264's speed preset, ``crf`` its quality. ``dst`` appears only when complete.
    h264 is graded in the decoded 4:2:0 planes (:mod:`filmstyle.lut.yuv`; the tables for the source's
    matrix and range are built here, those of any other matrix met on the way when it comes), ProRes
    (4:2:2, 10 bits) through RGB.
    """
    started = time.perf_counter()
    frames = LUTFrames(lut.blend(options.strength), rgbx=True)
    planar = options.codec == "h264"
    if planar:
        info = video.probe(src)
        frames.yuv_tables(info.matrix, info.full_range)
    seconds_table = time.perf_counter() - started
    stats = video.transcode(src, dst, frames, size=options.size, max_frames=options.max_frames, codec=options.codec,
                            strict=options.strict, planar=planar,
                            crf=options.crf, preset=options.preset, on_frame=on_frame)
    return GradeStats(output=Path(dst), frames=stats.frames, width=stats.width, height=stats.height,
                      audio_streams=stats.audio_streams, seconds_total=time.perf_counter() - started,
                      seconds_lut=stats.seconds_process, seconds_table=seconds_table)


# --- where a LUT comes from ----------------------------------------------------------------------

def content_frames(path: str | os.PathLike | None, *, n: int = CONTENT_FRAMES,
                   size: int = CONTENT_SIZE) -> list[torch.Tensor]:
    """Frames whose colours are the source side of a transfer: ``n`` spread over a clip, or one image.

    None: the shipped sample clip. Each is (1, 3, H, W) in [0, 1], short side ``size``.
    """
    from filmstyle.core.assets import DEMO_CLIP
    from filmstyle.core.image import from_array, load_image, resize_short
    from filmstyle.core.media import IMAGE_SUFFIXES

    clip = DEMO_CLIP if path is None else Path(path)
    if clip.suffix.lower() in IMAGE_SUFFIXES:
        return [resize_short(load_image(clip, min_side=16), size)]
    return [resize_short(from_array(f), size) for f in video.sample_frames(clip, n)]


def content_arrays(path: str | os.PathLike | None, *, n: int = CONTENT_FRAMES, size: int = CONTENT_SIZE) -> list[np.ndarray]:
    """:func:`content_frames` as (H, W, 3) uint8 arrays, read without torch (area filter instead of
    torch's antialiased bilinear: the colour statistics are the same to a fraction of a level)."""
    from filmstyle.core.assets import DEMO_CLIP
    from filmstyle.core.picture import IMAGE_SUFFIXES, read_rgb, shrink_short

    clip = DEMO_CLIP if path is None else Path(path)
    if clip.suffix.lower() in IMAGE_SUFFIXES:
        return [shrink_short(read_rgb(clip, min_side=16), size)]
    return [shrink_short(f, size) for f in video.sample_frames(clip, n)]


def still_array(still: str | os.PathLike, size: int = CONTENT_SIZE) -> np.ndarray:
    """The still as :func:`filmstyle.core.image.load_still` reads it (bars trimmed, short side ``size``),
    as an (H, W, 3) uint8 array, without torch."""
    from filmstyle.core.picture import MIN_SIDE, read_rgb, shrink_short, trim_bars_rgb

    rgb = trim_bars_rgb(read_rgb(still, min_side=MIN_SIDE))
    if min(rgb.shape[:2]) < MIN_SIDE:
        raise InputError(still, "still is too small once its black bars are removed",
                         f"use a still at least {MIN_SIDE} px high without bars")
    return shrink_short(rgb, size)


def _np(frames: Sequence[torch.Tensor]) -> np.ndarray:
    return pixels(f[0].permute(1, 2, 0).numpy() for f in frames)


def lut_from_still(still: str | os.PathLike, content: Sequence[torch.Tensor], *, method: str = "mk",
                   size: int = 33, steps: int = 100,
                   on_step: Callable[[int, dict[str, float]], None] | None = None) -> LUT3D:
    """A LUT carrying the colours of ``content`` frames toward the still's (bars trimmed).

    ``method``: "reinhard", "histogram", "mk" (:mod:`filmstyle.lut.transfer`) or "learned"
    (:func:`filmstyle.grading.fit.learn_lut`, ``steps`` Adam steps, fitted on a 17-point lattice and
    resampled to ``size``). A black-and-white still gives an exactly neutral LUT.
    """
    from filmstyle.core.image import load_still

    if method not in STILL_METHODS:
        raise InputError(None, f"unknown --method {method!r} for a still", f"use one of: {', '.join(STILL_METHODS)}")
    target = load_still(still, CONTENT_SIZE)
    if method == "learned":
        from filmstyle.grading.fit import learn_lut

        return learn_lut(target, content, steps=steps, on_step=on_step).resample(size)
    return transfer_lut(method, _np(content), _np([target]), size=size)


def lut_from_look(look, content: Sequence[torch.Tensor], *, size: int = 33):  # noqa: ANN001, ANN201
    """The colour mapping of ``look`` (a Look or a look file) distilled into a LUT: a
    :class:`filmstyle.grading.fit.Distilled` (the LUT and its fitting error)."""
    from filmstyle.grading.fit import distill_lut
    from filmstyle.look import Look, load_look

    net = (look if isinstance(look, Look) else load_look(look)).net
    return distill_lut(net, content, size=size)


def grade_for(look, frames: Sequence[torch.Tensor]) -> LUT3D:  # noqa: ANN001
    """The colour grade of ``look`` (one that keeps its still) fitted to content ``frames`` ((1, 3, H, W)
    each), their letterbox bars left out, as ``render --tone grade`` fits it to a clip."""
    from filmstyle.grading.tone import box_slices, grade_lut, picture_box

    arrays = [np.ascontiguousarray((f[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)) for f in frames]
    box = picture_box(arrays)
    return grade_lut(look.still, [np.ascontiguousarray(a[box_slices(a.shape, box)]) for a in arrays])


def is_look_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a filmstyle look file (by suffix, else by its header)."""
    from filmstyle.look import read_header

    p = check_readable_file(path, "input")
    if p.suffix.lower() == ".look":
        return True
    with open(p, "rb") as f:  # a look is a safetensors file: 8 bytes of header length, then its JSON
        head = f.read(9)
    if len(head) < 9 or head[8:9] != b"{" or not 0 < int.from_bytes(head[:8], "little") < p.stat().st_size:
        return False  # not one, and no need to import the look reader (and torch) to say so
    try:
        read_header(p)
    except InputError:
        return False
    return True


def source_kind(path: str | os.PathLike) -> str:
    """What a LUT source is: "look" (a look file), "lut" (a .cube file or a Hald CLUT image) or "still"."""
    if is_look_file(path):
        return "look"
    if str(path).lower().endswith(".cube") or looks_like_hald(path):
        return "lut"
    return "still"


def make_lut(source: str | os.PathLike, options: LutOptions = LutOptions(), *, kind: str | None = None,
             content: str | os.PathLike | None = None, keep_size: bool = False,
             on_step: Callable[[int, dict[str, float]], None] | None = None) -> tuple[LUT3D, str]:
    """(the LUT, how it was made in words) from a look, a still or a LUT file (``kind``: None = by
    :func:`source_kind`). ``content``: the clip or image whose colours are the source side (None: the
    shipped sample clip). ``keep_size``: a LUT file keeps its own lattice size instead of ``options.size``.
    ``options.strength`` is not applied here (the caller blends)."""
    kind = kind or source_kind(source)
    if kind == "lut":
        lut = read_lut(source)
        return (lut if keep_size else lut.resample(options.size)), f"read from {source}"
    if kind == "look":
        from filmstyle.look import load_look

        look = load_look(source)
        frames = content_frames(content)
        if look.still is not None:  # what render --tone grade applies: the grade itself, exactly
            return grade_for(look, frames).resample(options.size), (
                "the look's colour grade (render's default --tone grade) fitted to the content's colours; "
                "render adds the network's detail on top, which a LUT cannot carry")
        d = lut_from_look(look, frames, size=options.size)
        return d.lut, (f"distilled from the look on {d.pixels} pixels ({d.colours} colour bins); "
                       f"mean error {d.error:.2f}/255 against the network (it also changes texture, a LUT cannot)")
    if options.method != "learned":  # a closed-form transfer needs no torch: the command starts ~2 s sooner
        lut = transfer_lut(options.method, pixels(content_arrays(content)), pixels([still_array(source)]), size=options.size)
        return lut, f"{options.method} transfer toward the still"
    lut = lut_from_still(source, content_frames(content), method=options.method, size=options.size,
                         steps=options.steps, on_step=on_step)
    return lut, f"{options.method} transfer toward the still"


# --- colour around stylisation (filmstyle render) ------------------------------------------------

Hook = Callable[[np.ndarray], np.ndarray]


def colour_hooks(look, src: str | os.PathLike, *, transfer: str | None, still: str | os.PathLike | None,  # noqa: ANN001
                 stage: str = "before", lut: str | os.PathLike | None = None) -> tuple[Hook | None, Hook | None]:
    """(pre, post) frame callables ((H, W, 3) uint8 -> same) for rendering ``src`` in ``look``.

    ``transfer`` (a method of :data:`TRANSFERS`) toward ``still``: at ``stage`` "before" the frames
    are recoloured toward the still before the network (the source statistics are the clip's); at
    "after" the network's output is (the statistics are those of a few stylised frames). ``lut``:
    a LUT file applied last. Either hook is None when unused.
    """
    pre: LUT3D | None = None
    post: list[LUT3D] = []
    if transfer is not None:
        if still is None:
            raise InputError(None, "--color-transfer needs --color-still STILL", "give the still to take the colours from")
        frames = content_frames(src)
        if stage == "after":
            import torch

            with torch.inference_mode():
                frames = [look.net(f).clamp(0, 1) for f in frames]
        made = lut_from_still(still, frames, method=transfer)
        if stage == "before":
            pre = made
        else:
            post.append(made)
    if lut is not None:
        post.append(read_lut(lut))
    if len(post) == 2:  # one table for both: the transfer, then the file's LUT
        first, second = post
        post = [LUT3D(second.apply(first.table), second.title)]
    return (LUTFrames(pre) if pre is not None else None), (LUTFrames(post[0]) if post else None)
