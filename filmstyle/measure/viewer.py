"""What a viewer sees go wrong in a stylised clip, measured against its source frames and the still.

Every function takes frames as (H, W, 3) uint8 RGB (sRGB-encoded, 0..255) and is pure numpy (+ OpenCV
for filtering and resizing). Measures:

- tone drift: how far the output's mean brightness wanders from following the source's, over a clip:
  max over t of |(Ybar(out_t) - Ybar(out_0)) - (Ybar(src_t) - Ybar(src_0))|, luma units 0..255.
  0 = the output's brightness changes exactly as the source's does (a constant offset is allowed).
- tone inversion: Spearman rank correlation of output luma against source luma over a fixed,
  deterministic subsample of pixels of one frame; -1..1, negative = bright and dark swapped.
- dark blobs: fraction of the frame's pixels that are dark in the output (luma < 25) where the
  source is not (luma > 60), minus the still's own share of dark pixels (after trimming its black
  bars), clipped at 0. 0..1.
- structure: mean SSIM (Wang et al. 2004: Gaussian window sigma 1.5 (11 x 11), K1 = 0.01,
  K2 = 0.03, L = 255) of output luma against source luma; 1 = the picture's structure intact.
- palette: sliced Wasserstein-1 distance in CIE Lab (D65) between pixel samples, in Lab units
  (about Delta E 1976); the palette ratio is distance(output, still) / distance(source, still):
  0 = the output has the still's colours, 1 = no closer than the source.

:class:`LookMeter` accumulates all of them over a clip, one frame pair at a time, in bounded memory;
:func:`measure_clip` runs it over a source video and its render (``filmstyle eval --still``).
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from filmstyle.core import video
from filmstyle.core.colour import (BT709_LUMA, D65_WHITE, SRGB_GAMMA, SRGB_KNEE_ENCODED, SRGB_LINEAR_SLOPE, SRGB_OFFSET,
                                   SRGB_TO_XYZ)
from filmstyle.measure.sheet import contact_sheet, pick_frames
from filmstyle.measure.stability import check_inputs, frames_in_step

BT709 = np.array(BT709_LUMA, np.float32)
DARK = 25.0  # luma below this is "dark" (0..255)
NOT_DARK = 60.0  # source luma above this is clearly not dark
BAR = 10.0  # border rows/columns of a still with mean luma below this are letterbox bars
SSIM_SIGMA, SSIM_K1, SSIM_K2, SSIM_L = 1.5, 0.01, 0.03, 255.0
SSIM_WIN = 11  # Gaussian window side (Wang et al.'s 11 x 11, sigma 1.5)
RANK_PIXELS = 4096  # pixels subsampled for the rank correlation
PALETTE_PIXELS = 4096  # pixels subsampled for the palette distance
DIRECTIONS = 64  # random directions of the sliced Wasserstein distance

_RGB2XYZ = np.array(SRGB_TO_XYZ)
_WHITE = np.array(D65_WHITE)
_EPS = (6 / 29) ** 3


def _check_frame(frame: np.ndarray, name: str = "frame") -> None:
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"{name} must be (H, W, 3) uint8 RGB, got {frame.shape} {frame.dtype}")


def luma(frame: np.ndarray) -> np.ndarray:
    """BT.709 luma of an (H, W, 3) uint8 RGB frame from its (gamma-encoded) values: (H, W) float32, 0..255."""
    _check_frame(frame)
    return frame.astype(np.float32) @ BT709


def mean_luma(frame: np.ndarray) -> float:
    """Mean BT.709 luma of an (H, W, 3) uint8 RGB frame, 0..255."""
    return float(luma(frame).mean(dtype=np.float64))


def tone_drift(src_means: np.ndarray | list[float], out_means: np.ndarray | list[float]) -> float:
    """Tone drift of a clip from per-frame mean lumas (length N >= 1 each, 0..255): luma units 0..255.

    max over t of |(out[t] - out[0]) - (src[t] - src[0])|; 0 for one frame.
    """
    s, o = np.asarray(src_means, np.float64), np.asarray(out_means, np.float64)
    if s.shape != o.shape or s.ndim != 1 or s.size == 0:
        raise ValueError(f"need two equal, non-empty 1-d sequences, got {s.shape} and {o.shape}")
    return float(np.abs((o - o[0]) - (s - s[0])).max())


def trim_bars(frame: np.ndarray, threshold: float = BAR) -> np.ndarray:
    """Drop black letterbox/pillarbox bars: the border rows and columns whose mean luma is below ``threshold``.

    (H, W, 3) uint8 RGB -> (h, w, 3) view, h <= H, w <= W. An all-dark frame is returned unchanged.
    """
    y = luma(frame)
    rows, cols = np.flatnonzero(y.mean(1) >= threshold), np.flatnonzero(y.mean(0) >= threshold)
    if rows.size == 0 or cols.size == 0:
        return frame
    return frame[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def dark_share(still: np.ndarray) -> float:
    """Fraction (0..1) of an (H, W, 3) uint8 still's pixels with luma < 25, after trimming its black bars."""
    return float((luma(trim_bars(still)) < DARK).mean())


def _same_size(src: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` resized to ``src``'s (H, W) with area averaging if the sizes differ."""
    _check_frame(src, "source")
    _check_frame(out, "output")
    if out.shape[:2] != src.shape[:2]:
        out = cv2.resize(out, (src.shape[1], src.shape[0]), interpolation=cv2.INTER_AREA)
    return out


def dark_blobs(src: np.ndarray, out: np.ndarray, still_dark: float = 0.0) -> float:
    """Share of new dark pixels: 0..1.

    src, out: (H, W, 3) uint8 RGB (out resized to src's size if needed); still_dark: the still's own
    dark share (:func:`dark_share`). Returns max(0, mean(out luma < 25 and src luma > 60) - still_dark).
    """
    out = _same_size(src, out)
    return _dark_blobs(luma(src), luma(out), still_dark)


def _dark_blobs(ys: np.ndarray, yo: np.ndarray, still_dark: float) -> float:
    return max(0.0, float(((yo < DARK) & (ys > NOT_DARK)).mean()) - still_dark)


def _subsample(n: int, k: int, seed: int) -> np.ndarray:
    """k of n flat indices (all when k >= n), sorted; fixed by (n, k, seed)."""
    if k >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, k, replace=False))


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 of a 1-d array, ties given their average rank (float64)."""
    order = np.argsort(x, kind="stable")
    _, first, counts = np.unique(x[order], return_index=True, return_counts=True)
    ranks = np.empty(x.size, np.float64)
    ranks[order] = np.repeat(first + (counts - 1) / 2.0, counts)
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two equal-length 1-d samples (average ranks for ties): -1..1.

    NaN when either sample is constant (no ranking to compare).
    """
    ra, rb = _ranks(np.ravel(a)), _ranks(np.ravel(b))
    ra -= ra.mean()
    rb -= rb.mean()
    den = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / den) if den > 0 else float("nan")


def rank_corr(src: np.ndarray, out: np.ndarray, *, pixels: int = RANK_PIXELS, seed: int = 0) -> float:
    """Tone inversion of one frame: Spearman correlation of output luma vs source luma, -1..1.

    src, out: (H, W, 3) uint8 RGB (out resized to src's size if needed). Over ``pixels`` pixels
    chosen at random with a fixed ``seed`` (the same pixels for every frame of a size). 1 = the
    output's tones are ordered as the source's; negative = inverted; NaN if either frame is flat.
    """
    out = _same_size(src, out)
    return _rank_corr(luma(src), luma(out), pixels, seed)


def _rank_corr(ys: np.ndarray, yo: np.ndarray, pixels: int, seed: int) -> float:
    idx = _subsample(ys.size, pixels, seed)
    return spearman(ys.ravel()[idx], yo.ravel()[idx])


def ssim_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SSIM map (Wang et al. 2004) of two (H, W) float images on 0..255: (H, W) float64, -1..1.

    Gaussian window sigma 1.5 (11 x 11, reflected borders), K1 = 0.01, K2 = 0.03, L = 255.
    """
    x, y = x.astype(np.float64), y.astype(np.float64)

    def blur(a: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(a, (SSIM_WIN, SSIM_WIN), SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)

    c1, c2 = (SSIM_K1 * SSIM_L) ** 2, (SSIM_K2 * SSIM_L) ** 2
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))


def _mean_ssim(x: np.ndarray, y: np.ndarray) -> float:
    m = ssim_map(x, y)
    pad = (SSIM_WIN - 1) // 2  # drop the border, where the window leaves the image (as scikit-image)
    if m.shape[0] > 2 * pad and m.shape[1] > 2 * pad:
        m = m[pad:-pad, pad:-pad]
    return float(m.mean())


def ssim(src: np.ndarray, out: np.ndarray) -> float:
    """Structure kept: mean SSIM of output luma against source luma, -1..1 (1 = identical).

    src, out: (H, W, 3) uint8 RGB; out is resized to src's size (INTER_AREA) if they differ. The mean
    is over the frame less a 5-px border (where the 11 x 11 window leaves the image).
    """
    out = _same_size(src, out)
    return _mean_ssim(luma(src), luma(out))


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (D65) to CIE L*a*b* (D65 white): (..., 3) -> (..., 3) float64.

    ``rgb``: uint8 (0..255) or float in [0, 1], sRGB-encoded. L* in 0..100, a*, b* roughly -128..127.
    sRGB decoding of IEC 61966-2-1, then linear RGB -> XYZ (sRGB matrix), then CIE 1976 L*a*b*.
    """
    c = np.asarray(rgb)
    c = c.astype(np.float64) / 255.0 if c.dtype == np.uint8 else c.astype(np.float64)
    if c.shape[-1] != 3:
        raise ValueError(f"need (..., 3) RGB, got {c.shape}")
    lin = np.where(c <= SRGB_KNEE_ENCODED, c / SRGB_LINEAR_SLOPE, ((c + SRGB_OFFSET) / (1 + SRGB_OFFSET)) ** SRGB_GAMMA)
    xyz = lin @ _RGB2XYZ.T / _WHITE
    f = np.where(xyz > _EPS, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def sample_pixels(frame: np.ndarray, n: int = PALETTE_PIXELS, seed: int = 0) -> np.ndarray:
    """``n`` pixels of an (H, W, 3) frame (all when H*W <= n), chosen with a fixed seed: (k, 3), same dtype."""
    flat = frame.reshape(-1, 3)
    return flat[_subsample(flat.shape[0], n, seed)]


def _directions(n: int, dim: int, seed: int) -> np.ndarray:
    """(n, dim) unit vectors, fixed by the seed."""
    d = np.random.default_rng(seed).normal(size=(n, dim))
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def sliced_wasserstein(a: np.ndarray, b: np.ndarray, *, directions: int = DIRECTIONS, seed: int = 0) -> float:
    """Sliced Wasserstein-1 distance between two point sets (N, 3) and (M, 3), in their units.

    Mean over ``directions`` fixed random unit directions (``seed``) of the 1-d W1 distance between
    the projections; sets of different sizes are compared at min(N, M) evenly spaced quantiles.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or not len(a) or not len(b):
        raise ValueError(f"need two non-empty (N, D) sets of one D, got {a.shape} and {b.shape}")
    d = _directions(directions, a.shape[1], seed)
    pa, pb = np.sort(a @ d.T, axis=0), np.sort(b @ d.T, axis=0)  # (N, K), (M, K)
    k = min(len(a), len(b))
    q = (np.arange(k) + 0.5) / k
    qa, qb = pa[(q * len(a)).astype(int)], pb[(q * len(b)).astype(int)]
    return float(np.abs(qa - qb).mean())


def still_palette(still: np.ndarray, n: int = PALETTE_PIXELS, seed: int = 0) -> np.ndarray:
    """Lab samples of a still's colours, black bars trimmed first: (k, 3) float64, k <= n."""
    _check_frame(still, "still")
    return rgb_to_lab(sample_pixels(trim_bars(still), n, seed))


def palette_ratio(src: np.ndarray, out: np.ndarray, still: np.ndarray, *, pixels: int = PALETTE_PIXELS,
                  seed: int = 0) -> float:
    """SW(out, still) / SW(src, still) in Lab for one frame pair (all (H, W, 3) uint8 RGB); >= 0.

    0 = the output's colours are the still's; 1 = no closer than the source's. Inf if the source
    already has the still's palette exactly.
    """
    _check_frame(src, "source")
    _check_frame(out, "output")
    ref = still_palette(still, pixels, seed)
    d_out = sliced_wasserstein(rgb_to_lab(sample_pixels(out, pixels, seed)), ref, seed=seed)
    d_src = sliced_wasserstein(rgb_to_lab(sample_pixels(src, pixels, seed)), ref, seed=seed)
    return d_out / d_src if d_src > 0 else float("inf")


@dataclass(frozen=True)
class ViewerReport:
    """A clip's viewer measures (module docstring); luma on 0..255.

    tone_drift: max over frames of the drift of the output's mean luma against the source's;
    drift_frame: the frame where it is largest; mean_offset: mean over frames of Ybar(out) - Ybar(src);
    min_rank_corr: lowest per-frame Spearman correlation of the lumas (NaN frames skipped);
    inverted_frames: frames whose correlation is below 0; dark_blobs_max / _mean: new dark share;
    ssim_mean / ssim_min: luma SSIM; palette_out / palette_src: sliced W1 in Lab from the still's
    palette of the output's and the source's reservoir pixels; palette_ratio = their ratio; frames: count.
    """

    frames: int
    tone_drift: float
    drift_frame: int
    mean_offset: float
    min_rank_corr: float
    inverted_frames: int
    dark_blobs_max: float
    dark_blobs_mean: float
    ssim_mean: float
    ssim_min: float
    palette_out: float
    palette_src: float
    palette_ratio: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class LookMeter:
    """Streaming accumulator of :class:`ViewerReport` over a clip, in bounded memory.

    ``LookMeter(still)``: the still as (H, W, 3) uint8 RGB (its black bars trimmed for the dark
    share and the palette). ``update(src, out)`` once per frame in order, (H, W, 3) uint8 RGB each
    (out resized to src's size if needed); ``result()`` -> :class:`ViewerReport`.

    Kept between frames: a few running figures, and for the palette a reservoir of at most
    ``reservoir`` (source, output) pixel pairs, a uniform sample over all frames seen (Vitter's
    algorithm R, ``pixels_per_frame`` candidates a frame, fixed ``seed``).
    """

    def __init__(self, still: np.ndarray, *, reservoir: int = PALETTE_PIXELS, pixels_per_frame: int = 512,
                 rank_pixels: int = RANK_PIXELS, seed: int = 0) -> None:
        _check_frame(still, "still")
        if reservoir < 1 or pixels_per_frame < 1 or rank_pixels < 2:
            raise ValueError("reservoir, pixels_per_frame must be >= 1 and rank_pixels >= 2")
        self.still_dark = dark_share(still)
        self.still_lab = still_palette(still, reservoir, seed)
        self.capacity, self.per_frame, self.rank_pixels, self.seed = reservoir, pixels_per_frame, rank_pixels, seed
        self._rng = np.random.default_rng(seed)
        self._src_px = np.zeros((reservoir, 3), np.uint8)
        self._out_px = np.zeros((reservoir, 3), np.uint8)
        self._seen = 0  # candidate pixels offered to the reservoir
        self.frames = 0
        self._first: tuple[float, float] | None = None  # (src, out) mean luma of frame 0
        self._drift, self._drift_frame, self._offset_sum = 0.0, 0, 0.0
        self._min_corr, self._inverted = float("inf"), 0
        self._dark_max, self._dark_sum = 0.0, 0.0
        self._ssim_sum, self._ssim_min = 0.0, float("inf")
        self.last: dict[str, float] = {}  # the last frame's figures (mean lumas, corr, dark, ssim)

    def update(self, src: np.ndarray, out: np.ndarray) -> None:
        """Add one (source, output) frame pair, (H, W, 3) uint8 RGB each."""
        out = _same_size(src, out)
        ys, yo = luma(src), luma(out)
        ms, mo = float(ys.mean(dtype=np.float64)), float(yo.mean(dtype=np.float64))
        if self._first is None:
            self._first = (ms, mo)
        drift = abs((mo - self._first[1]) - (ms - self._first[0]))
        if drift > self._drift:
            self._drift, self._drift_frame = drift, self.frames
        self._offset_sum += mo - ms
        corr = _rank_corr(ys, yo, self.rank_pixels, self.seed)
        if not np.isnan(corr):
            self._min_corr = min(self._min_corr, corr)
            self._inverted += corr < 0
        dark = _dark_blobs(ys, yo, self.still_dark)
        self._dark_max, self._dark_sum = max(self._dark_max, dark), self._dark_sum + dark
        s = _mean_ssim(ys, yo)
        self._ssim_sum, self._ssim_min = self._ssim_sum + s, min(self._ssim_min, s)
        self._offer(src, out)
        self.frames += 1
        self.last = {"src_luma": ms, "out_luma": mo, "drift": drift, "rank_corr": corr, "dark_blobs": dark, "ssim": s}

    def _offer(self, src: np.ndarray, out: np.ndarray) -> None:
        idx = self._rng.choice(src.shape[0] * src.shape[1], min(self.per_frame, src.shape[0] * src.shape[1]), replace=False)
        s, o = src.reshape(-1, 3)[idx], out.reshape(-1, 3)[idx]
        fill = min(len(idx), self.capacity - min(self._seen, self.capacity))
        if fill:
            self._src_px[self._seen:self._seen + fill], self._out_px[self._seen:self._seen + fill] = s[:fill], o[:fill]
        rest = np.arange(fill, len(idx))
        if rest.size:  # algorithm R: candidate number i (0-based) replaces slot j ~ U[0, i] if j < capacity
            j = (self._rng.random(rest.size) * (self._seen + rest + 1)).astype(np.int64)
            keep = j < self.capacity
            self._src_px[j[keep]], self._out_px[j[keep]] = s[rest[keep]], o[rest[keep]]
        self._seen += len(idx)

    def result(self) -> ViewerReport:
        """The measures so far; ValueError before the first frame."""
        if not self.frames:
            raise ValueError("no frames measured")
        n = min(self._seen, self.capacity)
        d_out = sliced_wasserstein(rgb_to_lab(self._out_px[:n]), self.still_lab, seed=self.seed)
        d_src = sliced_wasserstein(rgb_to_lab(self._src_px[:n]), self.still_lab, seed=self.seed)
        return ViewerReport(
            frames=self.frames, tone_drift=self._drift, drift_frame=self._drift_frame,
            mean_offset=self._offset_sum / self.frames,
            min_rank_corr=self._min_corr if self._min_corr != float("inf") else float("nan"),
            inverted_frames=int(self._inverted), dark_blobs_max=self._dark_max,
            dark_blobs_mean=self._dark_sum / self.frames, ssim_mean=self._ssim_sum / self.frames,
            ssim_min=self._ssim_min, palette_out=d_out, palette_src=d_src,
            palette_ratio=d_out / d_src if d_src > 0 else float("inf"))


def measure_clip(source: str | os.PathLike, stylized: str | os.PathLike, still: np.ndarray, *,
                 max_frames: int | None = None, sheet: str | os.PathLike | None = None,
                 caption: tuple[str, ...] = ()) -> ViewerReport:
    """The viewer measures of ``stylized`` against ``source`` and ``still`` ((H, W, 3) uint8 RGB),
    streaming both videos in step (the source resized to the render's size if they differ), and,
    with ``sheet``, a contact sheet of frames early, in the middle and late in the clip."""
    src_info, _ = check_inputs(source, stylized, max_frames=max_frames)
    total = min(src_info.frame_count or 1, max_frames or src_info.frame_count or 1)
    wanted = set(pick_frames(max(total, 1)))
    out_info = video.probe(stylized)
    out_size = (out_info.width, out_info.height)
    size = out_size if out_size != (src_info.width, src_info.height) else None
    meter, rows = LookMeter(still), []
    for t, (src, out) in enumerate(frames_in_step(source, [stylized], size, max_frames)):
        meter.update(src, out)
        if t in wanted:
            rows.append((t, src, out))
    if sheet is not None:
        contact_sheet(still, rows, sheet, caption=caption)
    return meter.result()


def describe(report: ViewerReport) -> str:
    """The viewer measures in a few lines of text."""
    return (f"tone drift {report.tone_drift:.1f}/255 (at frame {report.drift_frame}; mean offset "
            f"{report.mean_offset:+.1f}); lowest rank correlation of luma {report.min_rank_corr:.2f}, "
            f"{report.inverted_frames} inverted frame(s)\n"
            f"dark blobs {report.dark_blobs_max:.1%} of pixels at most ({report.dark_blobs_mean:.1%} mean); "
            f"structure SSIM {report.ssim_mean:.2f} (lowest {report.ssim_min:.2f}); palette ratio "
            f"{report.palette_ratio:.2f} (output {report.palette_out:.1f} vs source {report.palette_src:.1f} "
            f"Lab units from the still; lower = closer)")
