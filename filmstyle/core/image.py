"""Images: read, write and convert. The canonical tensor is float32 (B, 3, H, W) RGB in [0, 1]."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from filmstyle.core.colour import KB, KG, KR
from filmstyle.core.errors import InputError, check_readable_file
from filmstyle.core.files import atomic_path

MIN_SIDE = 64  # below this VGG's deeper layers (1/8 resolution) carry almost no style statistics


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
    return from_array(np.asarray(rgb))


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


def trim_letterbox(img: torch.Tensor, *, threshold: float = 0.06) -> torch.Tensor:
    """Remove uniform near-black bars (letterbox/pillarbox) around a still: (1, 3, H, W) -> cropped.

    Film stills often carry bars; their black would otherwise dominate the style statistics.
    A row/column counts as bar if its brightest value is below ``threshold``.
    """
    peak = img[0].amax(0)  # (H, W) brightest channel per pixel
    rows = torch.nonzero(peak.amax(1) >= threshold).flatten()
    cols = torch.nonzero(peak.amax(0) >= threshold).flatten()
    if rows.numel() == 0 or cols.numel() == 0:
        return img  # an all-black still: nothing to trim against
    return img[..., int(rows[0]):int(rows[-1]) + 1, int(cols[0]):int(cols[-1]) + 1]


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
