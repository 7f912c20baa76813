"""Images: read, write and convert. The canonical tensor is float32 (B, 3, H, W) RGB in [0, 1]."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from filmstyle.core.colour import KB, KG, KR
from filmstyle.core.errors import InputError
from filmstyle.core.files import atomic_path
from filmstyle.core.picture import BAR_PEAK, MIN_SIDE, letterbox_bounds, read_rgb



def from_array(arr: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 RGB -> (1, 3, H, W) float32 in [0, 1]."""
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 array, got {arr.shape} {arr.dtype}")
    if not arr.flags.writeable or not arr.flags.c_contiguous:
        arr = np.array(arr, order="C")  # torch.from_numpy needs a writable, contiguous buffer
    return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0).float().div_(255.0)


def to_array(img: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) float (any range, clamped to [0, 1]) -> (H, W, 3) uint8 RGB, rounded."""
    if img.ndim != 4 or img.shape[:2] != (1, 3):
        raise ValueError(f"expected (1, 3, H, W), got {tuple(img.shape)}")
    return img[0].detach().clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).contiguous().cpu().numpy()


def load_image(path: str | os.PathLike, *, min_side: int = MIN_SIDE) -> torch.Tensor:
    """Read an image file as (1, 3, H, W) RGB in [0, 1]; grey and alpha images become RGB.

    Raises InputError for a missing, empty, corrupt or truncated file, or one smaller than
    ``min_side`` pixels on its short side.
    """
    return from_array(read_rgb(path, min_side=min_side))


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resize_short(img: torch.Tensor, size: int) -> torch.Tensor:
    """Resize (B, 3, H, W) so the short side is ``size`` px, keeping the aspect ratio (antialiased)."""
    h, w = img.shape[-2:]
    scale = size / min(h, w)
    out = (max(1, round(h * scale)), max(1, round(w * scale)))
    if out == (h, w):
        return img
    return F.interpolate(img, size=out, mode="bilinear", align_corners=False, antialias=True).clamp_(0, 1)


def save_image(img: torch.Tensor, path: str | os.PathLike) -> Path:
    """Write (1, 3, H, W) in [0, 1] to ``path`` (format from its suffix), atomically."""
    target = Path(path)
    fmt = Image.registered_extensions().get(target.suffix.lower())
    if fmt is None:
        raise InputError(target, f"unknown image format {target.suffix!r}", "use .png or .jpg")
    with atomic_path(target) as tmp:
        Image.fromarray(to_array(img)).save(tmp, format=fmt)
    return target


def trim_letterbox(img: torch.Tensor, *, threshold: float = BAR_PEAK) -> torch.Tensor:
    """Remove uniform near-black bars (letterbox/pillarbox) around a still: (1, 3, H, W) -> cropped.

    Film stills often carry bars; their black would otherwise dominate the style statistics.
    A row/column counts as bar if its brightest value is below ``threshold``.
    """
    box = letterbox_bounds(img[0].amax(0).cpu().numpy(), threshold)  # (H, W) brightest channel per pixel
    return img if box is None else img[..., box[0]:box[1], box[2]:box[3]]


def load_still(path: str | os.PathLike, size: int) -> torch.Tensor:
    """The style still, bars trimmed, short side resized to ``size``: (1, 3, H, W) in [0, 1]."""
    img = trim_letterbox(load_image(path))
    if min(img.shape[-2:]) < MIN_SIDE:
        raise InputError(path, "still is too small once its black bars are removed", f"use a still at least {MIN_SIDE} px high without bars")
    return resize_short(img, size)


# --- colour around stylisation (Gatys et al. 2016, "Preserving Color in Neural Artistic Style Transfer") ---

def rgb_to_ycbcr(img: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) RGB -> Y'CbCr (BT.709, full range, Cb/Cr centred on 0)."""
    r, g, b = img.unbind(1)
    y = KR * r + KG * g + KB * b
    return torch.stack((y, (b - y) / (2 * (1 - KB)), (r - y) / (2 * (1 - KR))), 1)


def ycbcr_to_rgb(img: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`rgb_to_ycbcr`."""
    y, cb, cr = img.unbind(1)
    r = y + 2 * (1 - KR) * cr
    b = y + 2 * (1 - KB) * cb
    g = (y - KR * r - KB * b) / KG
    return torch.stack((r, g, b), 1)


def preserve_color(stylized: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """Luma of ``stylized`` with the chroma of ``source`` (same shapes)."""
    if stylized.shape != source.shape:
        raise ValueError(f"shapes differ: {tuple(stylized.shape)} vs {tuple(source.shape)}")
    ys = rgb_to_ycbcr(stylized)
    yc = rgb_to_ycbcr(source)
    return ycbcr_to_rgb(torch.cat((ys[:, :1], yc[:, 1:]), 1))


def blend(stylized: torch.Tensor, source: torch.Tensor, strength: float) -> torch.Tensor:
    """``strength`` * stylized + (1 - strength) * source; strength in [0, 1] (0 = source unchanged)."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be in [0, 1], got {strength}")
    if strength == 1.0:
        return stylized
    if strength == 0.0:
        return source
    return torch.lerp(source, stylized, strength)
