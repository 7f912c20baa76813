"""A LUT applied to 4:2:0 video in Y'CbCr, as decoded and as encoded, without RGB frames in between.

Grading an 8-bit 4:2:0 video through RGB costs two colour conversions per frame (decoded Y'CbCr to
RGB, and back for the encoder) besides the lookup, and each touches every pixel of three planes. Here
the conversions are folded into two 2^24-entry tables, built once per source matrix and range:

- ``luma[Y | Cb << 8 | Cr << 16]``: the graded Y' of a pixel, from its own Y' and the Cb, Cr of its
  2x2 block;
- ``chroma[Y | Cb << 8 | Cr << 16]``: the graded Cb', Cr' of a 2x2 block (``Cb' | Cr' << 8``), from
  the block's mean Y' and its Cb, Cr.

Each entry is what the RGB path computes for that colour: Y'CbCr (the source's matrix and range) to
8-bit RGB, rounded; the 8-bit lookup of :func:`filmstyle.lut.lut3d.packed_table`; back to BT.709
limited range (what filmstyle always writes), rounded. Where the RGB path would interpolate the
chroma up to every pixel and average it back down, this one takes each block's own Cb, Cr for its
four pixels and the graded colour of the block's mean luma for its chroma: the two differ at
saturated colour edges only, by a level or two on average (tests/test_yuv.py,
tests/test_media_corpus.py, docs/results/grading.md), and with the identity LUT this path gives the
source back.
"""
from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import cv2
import numpy as np

from filmstyle.core.colour import KB, KR

_BLOCK = 1 << 16  # table entries with one Cr: (Cb, Y) = 256 x 256


@dataclass(frozen=True, eq=False)
class YUVTables:
    """The two lookup tables of one LUT for one source matrix and range (module docstring)."""

    luma: np.ndarray  # (2^24,) uint8
    chroma: np.ndarray  # (2^24,) uint16: Cb' | Cr' << 8


def _levels(full_range: bool) -> tuple[np.ndarray, np.ndarray]:
    """Y' in [0, 1] and Cb/Cr in [-0.5, 0.5] of each 8-bit code (ITU-R BT.601/709 quantisation)."""
    code = np.arange(256, dtype=np.float32)
    if full_range:
        return code / 255.0, (code - 128.0) / 255.0
    return (code - 16.0) / 219.0, (code - 128.0) / 224.0


def _inverse(y: np.ndarray, cb: np.ndarray, cr: np.ndarray, kr: float,
             kb: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(R, G, B) in [0, 1] (unclipped) of Y' in [0, 1] and Cb, Cr in [-0.5, 0.5], for luma coefficients kr, kb."""
    r = y + np.float32(2 * (1 - kr)) * cr
    b = y + np.float32(2 * (1 - kb)) * cb
    g = y - (np.float32(2 * kr * (1 - kr)) * cr + np.float32(2 * kb * (1 - kb)) * cb) / np.float32(1 - kr - kb)
    return r, g, b


def yuv_tables(packed: np.ndarray, kr: float, kb: float, *, full_range: bool,
               pool: Executor | None = None) -> YUVTables:
    """The :class:`YUVTables` of ``packed`` (a :func:`~filmstyle.lut.lut3d.packed_table`) for sources
    whose matrix has luma coefficients ``kr``, ``kb`` (H.273's, e.g. BT.709 0.2126 and 0.0722) and
    whose range is full (0-255) or limited (16-235). About half a second on two threads."""
    luma_of, chroma_of = _levels(full_range)
    luma = np.empty(1 << 24, dtype=np.uint8)
    chroma = np.empty(1 << 24, dtype=np.uint16)
    y = np.broadcast_to(luma_of[None, :], (256, 256))  # [cb, y]
    cb = chroma_of[:, None]

    def plane(cr_code: int) -> None:
        r, g, b = _inverse(y, cb, chroma_of[cr_code], kr, kb)
        index = np.zeros((256, 256), dtype=np.uint32)
        for shift, channel in ((0, r), (8, g), (16, b)):
            index |= np.rint(np.clip(channel, 0.0, 1.0) * 255.0).astype(np.uint32) << shift
        out = packed[index]
        red, green, blue = ((out >> s & 0xFF).astype(np.float32) for s in (0, 8, 16))
        luma_out = np.float32(KR) * red + np.float32(1 - KR - KB) * green + np.float32(KB) * blue  # BT.709, 0..255
        block = slice(cr_code * _BLOCK, (cr_code + 1) * _BLOCK)
        luma[block] = np.rint(16.0 + luma_out * np.float32(219 / 255)).reshape(-1)
        cb_out = np.rint(128.0 + (blue - luma_out) * np.float32(224 / 255 / (2 * (1 - KB))))
        cr_out = np.rint(128.0 + (red - luma_out) * np.float32(224 / 255 / (2 * (1 - KR))))
        chroma[block] = (cb_out.astype(np.uint16) | cr_out.astype(np.uint16) << 8).reshape(-1)

    if pool is None:
        for code in range(256):
            plane(code)
    else:
        list(pool.map(plane, range(256)))
    return YUVTables(luma, chroma)


def apply_yuv420(tables: YUVTables, planes: np.ndarray, *, pool: Executor | None = None) -> np.ndarray:
    """Grade one 8-bit 4:2:0 frame: ``planes`` is (3H/2, W) uint8 in FFmpeg's yuv420p layout (the Y
    plane's H rows, then Cb's and Cr's H/2 x W/2 samples, each plane contiguous), H and W even.
    Returns a new array of the same layout, BT.709 limited range. With ``pool``, two halves of the
    rows are looked up in parallel (numpy releases the GIL in the index arithmetic and the gathers)."""
    rows, w = planes.shape
    h = rows * 2 // 3
    if planes.dtype != np.uint8 or h % 2 or w % 2 or rows != h * 3 // 2:
        raise ValueError(f"expected a (3H/2, W) uint8 yuv420p frame with H and W even, "
                         f"got {planes.shape} {planes.dtype}")
    hc, wc = h // 2, w // 2
    out = np.empty_like(planes)
    y_in, y_out = planes[:h], out[:h]
    cb_in, cr_in = (planes[h:].reshape(-1)[k * hc * wc:(k + 1) * hc * wc].reshape(hc, wc) for k in (0, 1))
    cb_out, cr_out = (out[h:].reshape(-1)[k * hc * wc:(k + 1) * hc * wc].reshape(hc, wc) for k in (0, 1))

    def block_rows(a: int, b: int) -> None:  # chroma rows a..b, luma rows 2a..2b
        n = b - a
        colour = cr_in[a:b].astype(np.uint32)
        colour <<= 8
        colour |= cb_in[a:b]
        colour <<= 8  # (n, wc): Cb << 8 | Cr << 16 of each block
        pairs = colour.astype(np.uint64)
        pairs |= pairs << 32  # each block's colour twice: as uint32, the colour of every pixel of a row
        index = np.empty((n, 2, w), dtype=np.uint32)
        np.bitwise_or(y_in[2 * a:2 * b].reshape(n, 2, w), pairs.view(np.uint32)[:, None, :], out=index)
        np.take(tables.luma, index.reshape(-1), out=y_out[2 * a:2 * b].reshape(-1))
        colour |= cv2.resize(y_in[2 * a:2 * b], (wc, n), interpolation=cv2.INTER_AREA)  # each block's mean, rounded
        graded = np.take(tables.chroma, colour)
        np.bitwise_and(graded, 0xFF, out=cb_out[a:b], casting="unsafe")
        np.right_shift(graded, 8, out=cr_out[a:b], casting="unsafe")

    if pool is None or hc < 2:
        block_rows(0, hc)
    else:
        list(pool.map(lambda ab: block_rows(*ab), ((0, hc // 2), (hc // 2, hc))))
    return out


def split_planes(planes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views (Y' (H, W), Cb (H/2, W/2), Cr (H/2, W/2)) of (3H/2, W) yuv420p ``planes``, H and W even."""
    rows, w = planes.shape
    h = rows * 2 // 3
    if h % 2 or w % 2 or rows != h * 3 // 2:
        raise ValueError(f"expected a (3H/2, W) yuv420p frame with H and W even, got {planes.shape}")
    quarter = (h // 2) * (w // 2)
    chroma = planes[h:].reshape(-1)
    return planes[:h], chroma[:quarter].reshape(h // 2, w // 2), chroma[quarter:].reshape(h // 2, w // 2)


def ycbcr_to_rgb(y: np.ndarray, cb: np.ndarray, cr: np.ndarray, kr: float, kb: float, *,
                 full_range: bool) -> np.ndarray:
    """(H, W) uint8 Y', Cb, Cr of one size (a matrix with luma coefficients ``kr``, ``kb``, that range)
    -> (H, W, 3) uint8 RGB, rounded: the inverse of the matrix as :func:`yuv_tables` takes it."""
    luma_of, chroma_of = _levels(full_range)
    rgb = np.stack(_inverse(luma_of[y], chroma_of[cb], chroma_of[cr], kr, kb), axis=-1)
    return np.rint(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)


# RGB 0..255 differences -> BT.709 limited-range Y', Cb, Cr code differences (what filmstyle writes)
RGB_TO_YCBCR709 = (np.array([[KR, 1 - KR - KB, KB],
                             [-KR / (2 * (1 - KB)), -(1 - KR - KB) / (2 * (1 - KB)), 0.5],
                             [0.5, -(1 - KR - KB) / (2 * (1 - KR)), -KB / (2 * (1 - KR))]])
                   * np.array([[219 / 255], [224 / 255], [224 / 255]])).astype(np.float32)


def window_planes(planes: np.ndarray, rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views (Y', Cb, Cr) of the (rows, cols) window (luma samples, even bounds) of yuv420p ``planes``."""
    y, cb, cr = split_planes(planes)
    half = (slice(rows.start // 2, rows.stop // 2), slice(cols.start // 2, cols.stop // 2))
    return y[rows, cols], cb[half], cr[half]


def crop_planes(planes: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """The (rows, cols) window (luma samples, even bounds) of yuv420p ``planes``, as new yuv420p planes."""
    wy, wcb, wcr = window_planes(planes, rows, cols)
    h, w = wy.shape
    return np.concatenate([wy.reshape(-1), wcb.reshape(-1), wcr.reshape(-1)]).reshape(h * 3 // 2, w)


def paste_planes(planes: np.ndarray, window: np.ndarray, rows: slice, cols: slice) -> None:
    """Write yuv420p ``window`` into ``planes`` at (rows, cols) (luma samples, even bounds): the inverse of
    :func:`crop_planes`."""
    for dst, src in zip(window_planes(planes, rows, cols), split_planes(window)):
        dst[...] = src
