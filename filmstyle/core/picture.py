"""Still images as numpy arrays, without torch: reading, letterbox bars, shrinking.

:mod:`filmstyle.core.image` builds its tensors on these; commands that need no network (``grade``
from a still) use them directly and start without importing torch (about 2 s on a 2-core CPU).
"""
from __future__ import annotations

import os
import struct
from pathlib import Path
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.core.files import atomic_path

MIN_SIDE = 64  # below this VGG's deeper layers (1/8 resolution) carry almost no style statistics
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
WRITE_SUFFIXES = IMAGE_SUFFIXES  # what stylize writes
ALPHA_SUFFIXES = (".png", ".webp", ".tif", ".tiff")  # of those, the formats that keep an alpha channel
MAX_PIXELS = 2 * Image.MAX_IMAGE_PIXELS  # Pillow's own refusal (179 MP, e.g. 16000x11000): 0.5 GB as RGB
BAR_PEAK = 0.06  # a row or column of a still is a letterbox bar if its brightest value is below this (of 1)


def read_image(path: str | os.PathLike, *, min_side: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Read an image file as ((H, W, 3) uint8 RGB, its (H, W) uint8 alpha or None), upright.

    The EXIF orientation is applied (a camera's portrait photo comes out upright); 16-bit and float
    images (grey or colour) are scaled to 8 bits over their range, not clipped; grey, palette and CMYK
    images become RGB; an alpha channel (or a palette's transparency) is returned apart, None where
    every pixel is opaque. Raises InputError for a missing, empty, corrupt or truncated file, one over
    :data:`MAX_PIXELS` pixels, or one smaller than ``min_side`` pixels on its short side.
    """
    p = check_readable_file(path, "image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # warned from 89 MP; we take up to 179
            with Image.open(p) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise InputError(p, f"image is {w}x{h} ({w * h / 1e6:.0f} MP), more than filmstyle reads "
                                     f"({MAX_PIXELS / 1e6:.0f} MP)", "shrink it first")
                im.load()
                ImageOps.exif_transpose(im, in_place=True)  # no copy: a huge still is held once
                rgb, alpha = _rgb_alpha(im)
    except Image.DecompressionBombError as e:
        raise InputError(p, f"image is too large to read safely ({e})", "shrink it first") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as e:
        if isinstance(e, InputError):
            raise
        raise InputError(p, f"not a readable image ({e})", "give a PNG or JPEG file that opens in an image viewer") from None
    if min(rgb.shape[:2]) < min_side:
        raise InputError(p, f"image is {rgb.shape[1]}x{rgb.shape[0]}, too small (short side under {min_side} px)",
                         f"use an image at least {min_side} px on its short side, ideally 256 px or more")
    return rgb, alpha


def write_image(rgb: np.ndarray, path: str | os.PathLike, *, alpha: np.ndarray | None = None) -> Path:
    """Write (H, W, 3) uint8 RGB (with an (H, W) uint8 ``alpha``: RGBA) to ``path``, its format from the
    suffix, atomically; JPEG and WebP at quality 95 (Pillow's default 75 shows blocks in skies)."""
    target = Path(path)
    fmt = Image.registered_extensions().get(target.suffix.lower())
    if fmt is None or target.suffix.lower() not in WRITE_SUFFIXES:
        raise InputError(target, f"unknown image format {target.suffix!r}", f"end the name in one of {', '.join(WRITE_SUFFIXES)}")
    image = Image.fromarray(rgb) if alpha is None else Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    with atomic_path(target) as tmp:
        image.save(tmp, format=fmt, **({"quality": 95} if fmt in ("JPEG", "WEBP") else {}))
    return target


def read_rgb(path: str | os.PathLike, *, min_side: int) -> np.ndarray:
    """:func:`read_image` without the alpha channel: (H, W, 3) uint8 RGB."""
    return read_image(path, min_side=min_side)[0]


def _to_8bit(values: np.ndarray) -> np.ndarray:
    """A 16-bit, 32-bit integer or float plane (or planes) to uint8: integers over 0..65535 (0..255 if
    that is their range), floats over 0..1 (0..255 if that is their range)."""
    if values.dtype.kind == "f":
        top = 1.0 if float(np.nanmax(values, initial=0.0)) <= 1.0 else 255.0
    else:
        top = 255.0 if int(values.max(initial=0)) <= 255 else 65535.0
    return np.clip(np.nan_to_num(values.astype(np.float32)) * (255.0 / top), 0, 255).round().astype(np.uint8)


def _rgb_alpha(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """A loaded PIL image as (RGB uint8, alpha uint8 or None): see :func:`read_image`."""
    if im.mode in ("I", "F") or im.mode.startswith("I;"):  # 16-bit or float grey: convert("RGB") would clip
        grey = _to_8bit(np.asarray(im))
        return np.repeat(grey[..., None], 3, axis=2), None  # fresh and writable
    if im.mode == "P" and "transparency" in im.info or im.mode == "PA":
        im = im.convert("RGBA")
    alpha = None
    if im.mode in ("RGBA", "LA", "La", "RGBa"):
        alpha = np.asarray(im.getchannel("A"))
        if alpha.min() == 255:
            alpha = None
    return np.array(im if im.mode == "RGB" else im.convert("RGB")), alpha  # a writable copy: stylize works in place


def letterbox_bounds(peak: np.ndarray, threshold: float = BAR_PEAK) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), end-exclusive, of the picture inside near-black bars, from ``peak``:
    (H, W), each pixel's brightest channel on [0, 1]. None for an all-black still (nothing to trim against)."""
    rows = np.flatnonzero(peak.max(1) >= threshold)
    cols = np.flatnonzero(peak.max(0) >= threshold)
    if rows.size == 0 or cols.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def trim_bars_rgb(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 without its letterbox/pillarbox bars (:func:`letterbox_bounds`)."""
    box = letterbox_bounds(rgb.max(2) / 255.0)
    return rgb if box is None else rgb[box[0]:box[1], box[2]:box[3]]


def shrink_short(rgb: np.ndarray, size: int) -> np.ndarray:
    """(H, W, 3) uint8 resized (area filter down, linear up) so its short side is ``size`` px."""
    import cv2

    h, w = rgb.shape[:2]
    scale = size / min(h, w)
    out = (max(1, round(w * scale)), max(1, round(h * scale)))
    if out == (w, h):
        return rgb
    return cv2.resize(rgb, out, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
