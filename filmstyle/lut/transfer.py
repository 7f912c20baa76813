"""Classical colour transfer: make the colours of a source look like those of a target (the still).

Each method fits a global colour map from two pixel samples and returns it as a function of RGB,
so it can be baked into a 3D LUT (:func:`transfer_lut`) and applied to every frame of a video:

- ``reinhard``: Reinhard et al. 2001, "Color transfer between images" (IEEE CG&A 21(5)): match the
  per-channel mean and standard deviation in the decorrelated l-alpha-beta space (log LMS).
- ``histogram``: per-channel histogram matching in RGB (each channel's CDF mapped onto the
  target's, quantile to quantile).
- ``mk``: the linear Monge-Kantorovich map of Pitie & Kokaram 2007, "The linear Monge-Kantorovitch
  linear colour mapping for example-based colour transfer" (IET CVMP): the affine map that carries
  the source's mean and covariance onto the target's with the least total displacement.

Pixels are (M, 3) float arrays of RGB in [0, 1]; maps take and return (M, 3).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from filmstyle.core.colour import (BT709_LUMA, SRGB_GAMMA, SRGB_KNEE_ENCODED, SRGB_KNEE_LINEAR, SRGB_LINEAR_SLOPE,
                                   SRGB_OFFSET)
from filmstyle.lut.lut3d import LUT3D

ColourMap = Callable[[np.ndarray], np.ndarray]

# Reinhard et al. 2001, sec. 2: linear RGB -> LMS cone space (their RGB -> XYZ -> LMS matrices combined).
_RGB2LMS = np.array([[0.3811, 0.5783, 0.0402],
                     [0.1967, 0.7244, 0.0782],
                     [0.0241, 0.1288, 0.8444]])
_LMS2RGB = np.linalg.inv(_RGB2LMS)
# Reinhard et al. 2001, sec. 2 (after Ruderman et al. 1998): log10 LMS -> l, alpha, beta.
_LMS2LAB = np.diag([1 / np.sqrt(3), 1 / np.sqrt(6), 1 / np.sqrt(2)]) @ np.array([[1, 1, 1], [1, 1, -2], [1, -1, 0]])
_LAB2LMS = np.linalg.inv(_LMS2LAB)
_LOG_FLOOR = 1e-3  # LMS floor before log10: black has no logarithm; 1e-3 is the linear light of 8-bit code ~3
_COV_EPS = 1e-5  # added to covariances (in [0, 1]^2 units) so a flat or grey image stays invertible
_GREY_CHROMA = 0.01  # a still whose 99th-percentile BT.709 chroma is below this (~2.5 8-bit codes) is grey
_MAX_PIXELS = 200_000  # pixels kept per sample: the statistics are stable well before this


def pixels(images: Iterable[np.ndarray], *, max_pixels: int = _MAX_PIXELS, seed: int = 0) -> np.ndarray:
    """Pool RGB images ((H, W, 3) uint8 or float in [0, 1]) into an (M, 3) float64 sample, M <= max_pixels."""
    parts = []
    for img in images:
        a = np.asarray(img)
        a = a.astype(np.float64) / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)
        if a.ndim != 3 or a.shape[-1] != 3:
            raise ValueError(f"expected (H, W, 3) RGB images, got {a.shape}")
        parts.append(a.reshape(-1, 3))
    if not parts:
        raise ValueError("no images given")
    pool = np.concatenate(parts)
    if len(pool) > max_pixels:
        pool = pool[np.random.default_rng(seed).choice(len(pool), max_pixels, replace=False)]
    return pool


def chroma(px: np.ndarray) -> np.ndarray:
    """BT.709 chroma magnitude sqrt(Cb^2 + Cr^2) of (M, 3) RGB; 0 for greys."""
    y = px @ np.array(BT709_LUMA)
    return np.hypot((px[:, 2] - y) / 1.8556, (px[:, 0] - y) / 1.5748)  # BT.709-6 Cb, Cr scales


def is_grey(px: np.ndarray) -> bool:
    """Whether a pixel sample (M, 3) is black and white: chroma ~ 0 (99th percentile below ~2.5/255)."""
    return bool(np.percentile(chroma(px), 99) < _GREY_CHROMA)


def _linear(v: np.ndarray) -> np.ndarray:
    """sRGB / BT.709-style encoded values -> linear light (IEC 61966-2-1 transfer function)."""
    encoded = ((np.clip(v, 0, 1) + SRGB_OFFSET) / (1 + SRGB_OFFSET)) ** SRGB_GAMMA
    return np.where(v <= SRGB_KNEE_ENCODED, v / SRGB_LINEAR_SLOPE, encoded)


def _encoded(v: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_linear`."""
    v = np.clip(v, 0, 1)
    return np.where(v <= SRGB_KNEE_LINEAR, v * SRGB_LINEAR_SLOPE, (1 + SRGB_OFFSET) * v ** (1 / SRGB_GAMMA) - SRGB_OFFSET)


def rgb_to_lab(px: np.ndarray) -> np.ndarray:
    """(M, 3) encoded RGB in [0, 1] -> Reinhard's l-alpha-beta (log10 LMS of linear light, decorrelated)."""
    lms = np.maximum(_linear(px) @ _RGB2LMS.T, _LOG_FLOOR)
    return np.log10(lms) @ _LMS2LAB.T


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_lab`, clipped to [0, 1]."""
    return _encoded((10.0 ** (lab @ _LAB2LMS.T)) @ _LMS2RGB.T)


def reinhard(source: np.ndarray, target: np.ndarray) -> ColourMap:
    """Reinhard et al. 2001: in l-alpha-beta, ``(x - mean_s) * std_t / std_s + mean_t`` per channel."""
    ls, lt = rgb_to_lab(source), rgb_to_lab(target)
    mu_s, mu_t = ls.mean(0), lt.mean(0)
    gain = lt.std(0) / np.maximum(ls.std(0), 1e-6)  # a flat source channel: only its mean moves

    def apply(px: np.ndarray) -> np.ndarray:
        return lab_to_rgb((rgb_to_lab(px) - mu_s) * gain + mu_t)

    return apply


def histogram(source: np.ndarray, target: np.ndarray, *, quantiles: int = 257) -> ColourMap:
    """Per-channel histogram matching: each channel's value goes to the target quantile of its rank.

    The CDFs are sampled at ``quantiles`` evenly spaced levels and interpolated linearly; values
    outside the source's range map to the target's extremes.
    """
    q = np.linspace(0.0, 1.0, quantiles)
    xs = np.quantile(source, q, axis=0)  # (Q, 3), non-decreasing
    xs = xs + np.arange(quantiles)[:, None] * 1e-9  # strictly increasing for np.interp
    yt = np.quantile(target, q, axis=0)

    def apply(px: np.ndarray) -> np.ndarray:
        return np.stack([np.interp(px[:, c], xs[:, c], yt[:, c]) for c in range(3)], 1)

    return apply


def _sqrtm(a: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite 3x3 matrix."""
    w, v = np.linalg.eigh(a)
    return (v * np.sqrt(np.maximum(w, 0.0))) @ v.T


def mk(source: np.ndarray, target: np.ndarray, *, max_gain: float | None = None,
       min_gain: float | None = None) -> ColourMap:
    """Pitie & Kokaram 2007: ``T = S^-1/2 (S^1/2 C_t S^1/2)^1/2 S^-1/2`` with ``S = C_s``, then
    ``x -> T (x - mean_s) + mean_t`` (their closed-form linear Monge-Kantorovich solution).

    ``max_gain``: T is symmetric positive definite; its eigenvalues (the gain along each colour
    direction) are clipped to at most ``max_gain``, so a nearly flat source (fog, a fade) is not
    stretched into noise; ``min_gain`` (default ``1 / max_gain``) is their floor, so a contrasty
    source is not flattened to grey.
    """
    eye = np.eye(3) * _COV_EPS
    cs, ct = np.cov(source.T) + eye, np.cov(target.T) + eye
    s_half = _sqrtm(cs)
    s_inv_half = np.linalg.inv(s_half)
    t = s_inv_half @ _sqrtm(s_half @ ct @ s_half) @ s_inv_half
    if max_gain is not None or min_gain is not None:
        hi = np.inf if max_gain is None else max_gain
        lo = (0.0 if max_gain is None else 1 / max_gain) if min_gain is None else min_gain
        if not 0 <= lo <= 1 <= hi:
            raise ValueError(f"need 0 <= min_gain <= 1 <= max_gain, got {min_gain} and {max_gain}")
        w, v = np.linalg.eigh((t + t.T) / 2)
        t = (v * np.clip(w, lo, hi)) @ v.T
    mu_s, mu_t = source.mean(0), target.mean(0)

    def apply(px: np.ndarray) -> np.ndarray:
        return (px - mu_s) @ t.T + mu_t

    return apply


TRANSFERS: dict[str, Callable[[np.ndarray, np.ndarray], ColourMap]] = {
    "reinhard": reinhard, "histogram": histogram, "mk": mk,
}


def transfer_lut(method: str, source: np.ndarray, target: np.ndarray, *, size: int = 33, **kwargs: float) -> LUT3D:
    """A LUT carrying the colours of pixel sample ``source`` (M, 3) toward those of ``target`` (K, 3).

    ``method`` is a key of :data:`TRANSFERS`; ``kwargs`` go to it (e.g. ``max_gain`` of :func:`mk`).
    A black-and-white target gives an exactly neutral LUT (R = G = B for every input), so a grey
    still yields a clean black-and-white look.
    """
    if method not in TRANSFERS:
        raise ValueError(f"unknown colour transfer {method!r}; use one of {sorted(TRANSFERS)}")
    lut = LUT3D.from_function(TRANSFERS[method](source, target, **kwargs), size, title=f"filmstyle {method}")
    return lut.neutral() if is_grey(target) else lut
