"""Still images as numpy arrays, without torch: reading, letterbox bars, shrinking.

:mod:`filmstyle.core.image` builds its tensors on these; commands that need no network (``grade``
from a still) use them directly and start without importing torch (about 2 s on a 2-core CPU).
"""
from __future__ import annotations

import os

import numpy as np
from PIL import Image, UnidentifiedImageError

from filmstyle.core.errors import InputError, check_readable_file

MIN_SIDE = 64  # below this VGG's deeper layers (1/8 resolution) carry almost no style statistics
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
BAR_PEAK = 0.06  # a row or column of a still is a letterbox bar if its brightest value is below this (of 1)


def read_rgb(path: str | os.PathLike, *, min_side: int) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 RGB; grey and alpha images become RGB.

    Raises InputError for a missing, empty, corrupt or truncated file, or one smaller than
    ``min_side`` pixels on its short side.
    """
    p = check_readable_file(path, "image")
    try:
        with Image.open(p) as im:
            im.load()
            rgb = im.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputError(p, f"not a readable image ({e})", "give a PNG or JPEG file that opens in an image viewer") from None
    if min(rgb.size) < min_side:
        raise InputError(p, f"image is {rgb.size[0]}x{rgb.size[1]}, too small (short side under {min_side} px)",
                         f"use an image at least {min_side} px on its short side, ideally 256 px or more")
    return np.asarray(rgb)


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
