"""Guided upsampling: carry a filter's output from a small frame to the full-size frame it came from.

The network runs on a frame shrunk to its working size; scaling its output up blurs the footage's
own edges, grain and text. Instead, as in the fast guided filter (He & Sun 2015) and bilateral guided
upsampling (Chen et al. 2016), the output is modelled locally as an affine function of the source:
in each window of the small frame, ``out_c ~ a_c Y + b_c`` per output channel c, with Y the source's
luma, fitted by least squares with a ridge ``eps`` (the guided filter of He et al. 2010). The
coefficients are averaged over the windows covering each pixel, scaled up bilinearly and applied to
the full-size source's luma: the look's colour, and its texture at the working scale, come from the
output; every finer detail comes from the footage. The guide is luma only: the fine detail a viewer
sees is in the luma (delivery codecs keep chroma at half resolution), and a luma guide costs a third
of a colour one (no 3x3 solve per pixel; about 30 ms per 1080p frame on two cores).
"""
from __future__ import annotations

import cv2
import numpy as np

from filmstyle.core.colour import BT709_LUMA

# a 5x5 window at the working size keeps the network's strokes at that scale; eps (luma levels^2) keeps
# flat regions from amplifying the footage's noise into the look (measured: docs/results/speed.md)
GUIDED_RADIUS = 2
GUIDED_EPS = 25.0
_LUMA = np.array([BT709_LUMA], np.float32)  # (1, 3): cv2.transform weights
_LUMA3 = np.repeat(_LUMA, 3, axis=0)


def _box(x: np.ndarray, radius: int) -> np.ndarray:
    return cv2.boxFilter(x, -1, (2 * radius + 1, 2 * radius + 1), borderType=cv2.BORDER_REFLECT)


def luma_plane(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) float32 BT.709 luma, 0..255."""
    return cv2.transform(frame.astype(np.float32), _LUMA)


def guided_coefficients(guide: np.ndarray, output: np.ndarray, *, radius: int = GUIDED_RADIUS,
                        eps: float = GUIDED_EPS) -> np.ndarray:
    """The local affine model of ``output`` ((h, w, 3) uint8 or float32, 0..255) in the luma of ``guide``
    ((h, w, 3) uint8, the same size): (h, w, 6) float32, per pixel the gains a_R, a_G, a_B then the
    offsets b_R, b_G, b_B, averaged over the windows covering the pixel."""
    if guide.shape != output.shape or guide.ndim != 3 or guide.shape[2] != 3:
        raise ValueError(f"need two (h, w, 3) frames of one size, got {guide.shape} and {output.shape}")
    y = luma_plane(guide)
    p = output.astype(np.float32)
    mean_y, mean_p = _box(y, radius), _box(p, radius)
    var_y = _box(y * y, radius) - mean_y * mean_y
    cov = _box(p * y[..., None], radius) - mean_p * mean_y[..., None]
    a = cov / (var_y + eps)[..., None]
    b = mean_p - a * mean_y[..., None]
    return _box(np.concatenate([a, b], axis=-1), radius)


def resize_rows(small: np.ndarray, size: tuple[int, int], top: int, bottom: int) -> np.ndarray:
    """Rows ``top:bottom`` of ``small`` ((h, w, C) float32) scaled up to ``size`` = (W, H) bilinearly,
    as ``cv2.resize(small, size, interpolation=INTER_LINEAR)[top:bottom]`` (pixel centres aligned,
    edges repeated; equal within OpenCV's 1/32 px coordinate rounding) without making the whole
    full-size image: for stills of any size in bounded memory."""
    h, w = small.shape[:2]
    sx, sy = w / size[0], h / size[1]
    # destination (x, y) of the strip -> source (sx (x + 0.5) - 0.5, sy (y + top + 0.5) - 0.5)
    m = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, sy * (top + 0.5) - 0.5]], np.float64)
    return cv2.warpAffine(small, m, (size[0], bottom - top), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def apply_coefficients_rows(coef: np.ndarray, guide: np.ndarray, top: int, height: int) -> np.ndarray:
    """:func:`apply_coefficients` for rows ``top:top + len(guide)`` of a frame ``height`` rows high:
    ``guide`` is that strip of the full-size frame ((rows, W, 3) uint8)."""
    rows, w = guide.shape[:2]
    gain, offset = (resize_rows(np.ascontiguousarray(coef[..., k:k + 3]), (w, height), top, top + rows) for k in (0, 3))
    y3 = cv2.transform(guide.astype(np.float32), _LUMA3)
    return cv2.add(cv2.multiply(gain, y3), offset, dtype=cv2.CV_8U)


def apply_coefficients(coef: np.ndarray, guide: np.ndarray) -> np.ndarray:
    """``coef`` of :func:`guided_coefficients` scaled up to ``guide``'s size ((H, W, 3) uint8) and
    applied to its luma: the (H, W, 3) uint8 output."""
    h, w = guide.shape[:2]
    # gains and offsets scaled up as two 3-channel images: OpenCV's resize has fast paths up to 4 channels
    gain, offset = (np.ascontiguousarray(coef[..., k:k + 3]) for k in (0, 3))
    if coef.shape[:2] != (h, w):
        gain, offset = (cv2.resize(c, (w, h), interpolation=cv2.INTER_LINEAR) for c in (gain, offset))
    y3 = cv2.transform(guide.astype(np.float32), _LUMA3)  # the luma in each of three channels
    return cv2.add(cv2.multiply(gain, y3), offset, dtype=cv2.CV_8U)


def guided_upsample(small_guide: np.ndarray, small_output: np.ndarray, guide: np.ndarray, *,
                    radius: int = GUIDED_RADIUS, eps: float = GUIDED_EPS) -> np.ndarray:
    """``small_output`` (what a filter made of ``small_guide``, (h, w, 3) uint8) carried to ``guide``'s
    size ((H, W, 3) uint8, the frame ``small_guide`` was shrunk from): module docstring. The same
    size: ``small_output`` itself."""
    if small_guide.shape[:2] == guide.shape[:2]:
        return small_output
    return apply_coefficients(guided_coefficients(small_guide, small_output, radius=radius, eps=eps), guide)
