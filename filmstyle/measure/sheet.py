"""Contact sheets: the still, then source and output side by side for a few frames of a clip, as one small PNG
(:func:`contact_sheet`; :func:`grid_sheet`: the same with more columns, e.g. every method of Table 1).

Layout (``width`` = tile width in px; the sheet is ``2 * width`` wide):

    row 0:   [ still            ][ caption lines (optional text) ]
    row k:   [ source t=T_k     ][ output t=T_k                  ]

Each tile is its image resized to ``width`` px wide (aspect kept, area averaging when shrinking) and
labelled at its top-left corner with PIL's default font on a black box. A row is as high as its
taller tile (tiles top-aligned, the rest black). The PNG is written to a temporary file in the
target folder and renamed over the target, so no partial sheet is ever left under its name.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from filmstyle.core.files import atomic_path

TILE_WIDTH = 320  # px


def pick_frames(n: int, k: int = 3) -> list[int]:
    """Frame indices early / middle / late in a clip of ``n`` frames: k indices at 10%..90% of the clip.

    For k = 3: round(0.1 (n-1)), round(0.5 (n-1)), round(0.9 (n-1)); sorted, duplicates removed
    (so fewer for very short clips; [0] for n = 1). ValueError for n < 1 or k < 1.
    """
    if n < 1 or k < 1:
        raise ValueError(f"need n >= 1 and k >= 1, got {n=}, {k=}")
    fractions = [0.5] if k == 1 else np.linspace(0.1, 0.9, k)
    return sorted({int(round(f * (n - 1))) for f in fractions})


def tile_height(shape: tuple[int, ...], width: int = TILE_WIDTH) -> int:
    """Height in px of a tile made from an image of ``shape`` (H, W, ...) at ``width`` px wide."""
    return max(1, round(shape[0] * width / shape[1]))


def _tile(img: np.ndarray, label: str, width: int) -> Image.Image:
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError(f"tiles must be (H, W, 3) uint8 RGB, got {img.shape} {img.dtype}")
    h = tile_height(img.shape, width)
    interp = cv2.INTER_AREA if width < img.shape[1] else cv2.INTER_CUBIC
    tile = Image.fromarray(np.ascontiguousarray(cv2.resize(img, (width, h), interpolation=interp)))
    _label(tile, label, (0, 0))
    return tile


def _label(canvas: Image.Image, text: str, xy: tuple[int, int]) -> None:
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    x0, y0, x1, y1 = draw.textbbox((xy[0] + 3, xy[1] + 2), text, font=font)
    draw.rectangle((xy[0], xy[1], x1 + 3, y1 + 2), fill=(0, 0, 0))
    draw.text((xy[0] + 3, xy[1] + 2), text, fill=(255, 255, 255), font=font)


def contact_sheet(still: np.ndarray, rows: Sequence[tuple[int, np.ndarray, np.ndarray]], out_path: str | os.PathLike, *,
                  width: int = TILE_WIDTH, caption: Sequence[str] = (), colors: int | None = 256) -> Path:
    """Write a contact sheet PNG (module docstring) and return its path.

    still: (H, W, 3) uint8 RGB; rows: (t, source frame, output frame) triples, frames (H, W, 3) uint8
    RGB, labelled "source t=T" and "output t=T"; width: tile width in px; caption: text lines drawn
    right of the still; colors: quantise to an adaptive palette of this many colours (dithered) to
    keep the file small, or None for full RGB. The sheet is 2 * width px wide and
    tile_height(still) + sum over rows of max(tile heights) px high.
    """
    return grid_sheet(still, ["source", "output"], [(t, [s, o]) for t, s, o in rows], out_path, width=width,
                      caption=caption, colors=colors)


def grid_sheet(still: np.ndarray, columns: Sequence[str], rows: Sequence[tuple[int, Sequence[np.ndarray]]],
               out_path: str | os.PathLike, *, width: int = TILE_WIDTH, caption: Sequence[str] = (),
               colors: int | None = 256) -> Path:
    """:func:`contact_sheet` with any number of columns (e.g. the source and every method of Table 1):
    the still top left with the caption right of it, then one row per (t, frames), frame k labelled
    "COLUMNS[k] t=T". The sheet is len(columns) * width px wide, at least 2 * width."""
    if width < 16:
        raise ValueError(f"width must be at least 16 px, got {width}")
    if any(len(frames) != len(columns) for _, frames in rows):
        raise ValueError(f"every row needs one frame per column ({len(columns)})")
    still_tile = _tile(still, "still", width)
    tiles = [[_tile(img, f"{name} t={t}", width) for name, img in zip(columns, frames)] for t, frames in rows]
    font = ImageFont.load_default()
    line = ImageDraw.Draw(still_tile).textbbox((0, 0), "Ag", font=font)[3] + 3
    # the top row holds the still and every caption line (a long caption makes the row taller)
    heights = [max(still_tile.height, 8 + len(caption) * line)] + [max(tile.height for tile in row) for row in tiles]
    sheet = Image.new("RGB", (max(2, len(columns)) * width, sum(heights)), (0, 0, 0))
    sheet.paste(still_tile, (0, 0))
    if caption:
        draw = ImageDraw.Draw(sheet)
        for i, text in enumerate(caption):
            draw.text((width + 6, 4 + i * line), text, fill=(255, 255, 255), font=font)
    y = heights[0]
    for row, h in zip(tiles, heights[1:]):
        for k, tile in enumerate(row):
            sheet.paste(tile, (k * width, y))
        y += h
    if colors is not None:
        sheet = sheet.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    with atomic_path(out_path) as tmp:
        sheet.save(tmp, format="PNG", optimize=True)
    return Path(out_path)
