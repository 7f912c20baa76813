"""Colour operations around stylisation: strength blending and colour preservation.

Colour preservation is the luminance-only transfer of Gatys et al. 2016 ("Preserving Color in
Neural Artistic Style Transfer"): the stylised luma is combined with the source chroma, in BT.709
Y'CbCr. All images are (B, 3, H, W) RGB in [0, 1].
"""
from __future__ import annotations

import torch

# BT.709 luma coefficients (ITU-R BT.709-6, item 3.2).
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB


def rgb_to_ycbcr(img: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) RGB -> Y'CbCr (BT.709, full range, Cb/Cr centred on 0)."""
    r, g, b = img.unbind(1)
    y = _KR * r + _KG * g + _KB * b
    return torch.stack((y, (b - y) / (2 * (1 - _KB)), (r - y) / (2 * (1 - _KR))), 1)


def ycbcr_to_rgb(img: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`rgb_to_ycbcr`."""
    y, cb, cr = img.unbind(1)
    r = y + 2 * (1 - _KR) * cr
    b = y + 2 * (1 - _KB) * cb
    g = (y - _KR * r - _KB * b) / _KG
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
