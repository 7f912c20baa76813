"""Tone-safe rendering: the look's brightness tied to the source's (``render --tone``).

The transform network normalises every frame by its own instance-norm statistics, so the output's
mean brightness ignores the source's and wanders with the content (docs/results/looks.md: scaling
a frame's RGB by 0.5-1.4 leaves the output's mean luma unchanged). Two remedies:

``grade`` (the default): the look's colour and tone come from a fixed colour grade, its texture from
the network. Per clip, once: a linear Monge-Kantorovich transfer (Pitie & Kokaram 2007) from the
clip's colours to the still's, its gain per colour direction limited to [1/:data:`MAX_GAIN`,
:data:`MAX_GAIN`], baked into a 3D LUT G. Per frame::

    out = G(source) + (net(source) - blur(net(source)))        # blur: Gaussian, DETAIL_SIGMA px at 360p

so the network contributes only its detail above the blur's scale (strokes, grain, texture) and
every pixel's colour follows the source's through one fixed, monotone-in-luma map. With flow
blending only the detail is carried along the flow: the graded frame is always the current
source's, so a fade does not keep the ghost of what faded. Last, :class:`ExposureLock` shifts the frame's luma,
weighted toward the mid-tones, so its mean is the source's plus the look's constant offset
(measured once on the clip): the clip's exposure changes pass through unchanged, by construction.

``anchor``: the look's own tone curve T (quantile map of source luma to the network's output luma
over a few frames, monotone, slope limited to :data:`SLOPE_LIMIT`); per frame the output's luma is
replaced by ``mix * (Y_out + mean(T(Y_src)) - mean(Y_out)) + (1 - mix) * T(Y_src)``, chroma kept.

Measured on development clips x stills (benchmarks/look_default.py, docs/results/looks.md).
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from filmstyle.core import video
from filmstyle.core.colour import BT709_LUMA
from filmstyle.core.config import DETAIL_SIGMA

TONE_FRAMES = 8  # frames sampled over the clip to measure T
TONE_SHORT_SIDE = 360  # px: T is measured on frames this small (luma distributions hardly change with scale)
MIX = 0.5  # weight of the network's own (shifted) luma against T(source): measured, docs/results/looks.md
# Bounds on T's slope, T kept at the source's median luma: a steep T (slope 2-3 in sintel_snow's fog)
# amplifies every brightening of the source. Measured on two development pairs (docs/results/looks.md):
# sintel_snow x bbb_f0324 drift 27.1 -> 9.7 (no anchor 21.9), cockatoo x sintel_f0043 2.8 -> 2.2.
SLOPE_LIMIT = (1 / 1.5, 1.5)
_LUMA = np.array(BT709_LUMA, np.float32)
# --tone grade (docs/results/looks.md, development pairs only):
MAX_GAIN = 2.0  # the colour transfer's gain limit per colour direction: fog x a contrasty still stays clean
MIN_GAIN = 0.25  # its floor: how far a contrasty clip may be flattened toward a flat (foggy) still
DETAIL_SHORT_SIDE = 360
LOCK_MAX = 60.0  # luma levels: the exposure lock's largest mid-tone move (below 127.5^2 / 255: monotone)
STILL_SIDE = 128  # px, short side of the still's thumbnail a look keeps for the grade


def luma(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) float32 BT.709 luma on 0..255."""
    return frame.astype(np.float32) @ _LUMA


def limit_slope(curve: np.ndarray, lo: float, hi: float, anchor: float) -> np.ndarray:
    """``curve`` (256,) with its slope clipped to [lo, hi] and integrated back, keeping its value at the
    source luma ``anchor``; clipped to 0..255 (non-decreasing if ``lo`` >= 0)."""
    limited = np.concatenate([[0.0], np.cumsum(np.clip(np.diff(curve), lo, hi))])
    x = np.arange(256.0)
    limited += np.interp(anchor, x, curve) - np.interp(anchor, x, limited)
    return np.clip(limited, 0.0, 255.0)


def tone_curve(sources: Sequence[np.ndarray], outputs: Sequence[np.ndarray], *,
               slope: tuple[float, float] | None = SLOPE_LIMIT) -> np.ndarray:
    """The tone curve from source to output frames ((H, W, 3) uint8 RGB each, matching lists): (256,)
    float64, the output luma for each source luma 0..255, non-decreasing (quantile mapping), its
    slope limited to ``slope`` (lo, hi) around the source's median luma (None: as measured)."""
    if len(sources) != len(outputs) or not sources:
        raise ValueError(f"need matching non-empty lists, got {len(sources)} and {len(outputs)}")
    q = np.linspace(0, 1, 257)
    qs = np.quantile(np.concatenate([luma(f).ravel() for f in sources]), q)
    qo = np.quantile(np.concatenate([luma(f).ravel() for f in outputs]), q)
    qs = qs + np.arange(q.size) * 1e-6  # strictly increasing, for np.interp
    curve = np.maximum.accumulate(np.interp(np.arange(256.0), qs, qo))
    return curve if slope is None else limit_slope(curve, *slope, anchor=float(qs[128]))


def measure_tone_curve(net, clip: str | os.PathLike, size: tuple[int, int] | None = None, *,  # noqa: ANN001
                       frames: int = TONE_FRAMES) -> np.ndarray:
    """The tone curve of ``net`` (a callable mapping (1, 3, H, W) in [0, 1] to the same) on ``frames``
    frames spread over ``clip``, at ``size`` (W, H; None: the clip's) shrunk to a short side of at
    most :data:`TONE_SHORT_SIDE`."""
    import torch

    from filmstyle.core.image import from_array, to_array

    info = video.probe(clip)
    w, h = size or (info.width, info.height)
    scale = min(1.0, TONE_SHORT_SIDE / min(w, h))
    small = (max(16, round(w * scale / 2) * 2), max(16, round(h * scale / 2) * 2))
    sources = video.sample_frames(clip, frames, size=small)
    with torch.inference_mode():
        outputs = [to_array(net(from_array(f)).clamp(0, 1)) for f in sources]
    return tone_curve(sources, outputs)


class ToneAnchor:
    """Per frame: ``anchor(source, output)`` -> the output with its luma anchored to T(source luma)
    (module docstring); frames (H, W, 3) uint8 RGB of the same size."""

    def __init__(self, curve: np.ndarray, *, mix: float = MIX) -> None:
        curve = np.asarray(curve, np.float64)
        if curve.shape != (256,) or np.any(np.diff(curve) < 0):
            raise ValueError("the tone curve must be 256 non-decreasing values")
        if not 0.0 <= mix <= 1.0:
            raise ValueError(f"mix must be in [0, 1], got {mix}")
        self.curve, self.mix = curve, mix

    def __call__(self, source: np.ndarray, output: np.ndarray) -> np.ndarray:
        ys, yo = luma(source), luma(output)
        target = np.interp(ys, np.arange(256.0), self.curve).astype(np.float32)
        y = self.mix * (yo + (target.mean() - yo.mean())) + (1 - self.mix) * target
        return np.clip(output.astype(np.float32) + (y - yo)[..., None], 0, 255).round().astype(np.uint8)


# --- tone grade ----------------------------------------------------------------------------------


def still_thumbnail(still: np.ndarray, short_side: int = STILL_SIDE) -> np.ndarray:
    """(H, W, 3) uint8 still -> the same, shrunk to a short side of at most ``short_side`` (area filter)."""
    import cv2

    h, w = still.shape[:2]
    scale = min(1.0, short_side / min(h, w))
    if scale == 1.0:
        return np.ascontiguousarray(still)
    return cv2.resize(still, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def grade_lut(still: np.ndarray, frames: Sequence[np.ndarray], *, max_gain: float = MAX_GAIN,  # noqa: ANN201
              min_gain: float = MIN_GAIN):
    """The look's colour grade G: a 33-point LUT carrying the colours of ``frames`` toward the still's
    ((H, W, 3) uint8 RGB each; the still's black bars are trimmed); neutral for a grey still."""
    from filmstyle.lut.transfer import pixels, transfer_lut
    from filmstyle.measure.viewer import trim_bars

    return transfer_lut("mk", pixels(frames), pixels([trim_bars(still)]), max_gain=max_gain, min_gain=min_gain)


def detail(output: np.ndarray, sigma: float) -> np.ndarray:
    """(H, W, 3) float32 -> its detail above ``sigma`` px: ``output - GaussianBlur(output, sigma)``."""
    import cv2

    return output - cv2.GaussianBlur(output, (0, 0), sigma)


DETAIL_FLOOR = 1.5  # levels of 255: the network's detail allowed anywhere, however flat the footage (grain)


def limit_detail(fine: np.ndarray, source: np.ndarray, limit: float, sigma: float) -> np.ndarray:
    """The network's detail ``fine`` ((h, w, 3) float32, signed) held locally to at most ``limit`` times
    the detail of ``source`` ((h, w, 3), the picture it was made from) in the same band (above
    ``sigma`` px), plus :data:`DETAIL_FLOOR` levels. Local: both detail energies (luma) averaged over a
    Gaussian of 2 ``sigma``; where the network's exceeds the allowance, its detail is scaled down."""
    import cv2

    src = detail(np.ascontiguousarray(source, dtype=np.float32) @ _LUMA, sigma)
    net = np.ascontiguousarray(fine) @ _LUMA
    spread = 2 * sigma
    allowed = limit * np.sqrt(cv2.GaussianBlur(src * src, (0, 0), spread)) + DETAIL_FLOOR
    actual = np.sqrt(cv2.GaussianBlur(net * net, (0, 0), spread)) + 1e-6
    return fine * np.minimum(1.0, allowed / actual)[..., None]


def detail_sigma(shape: tuple[int, ...], sigma: float = DETAIL_SIGMA) -> float:
    """``sigma`` (px at a short side of 360, default :data:`DETAIL_SIGMA`) scaled to a frame of ``shape`` (H, W, ...)."""
    return sigma * min(shape[0], shape[1]) / DETAIL_SHORT_SIDE


class GradedDetail:
    """``composite(source, output)``: G(source) plus the detail of the network's ``output`` (module
    docstring); (H, W, 3) uint8 RGB frames of one size in and out. ``grade``: a callable (H, W, 3)
    uint8 -> the same (a LUT's ``apply_uint8`` or a packed table). ``neutral``: the grade is black
    and white (a grey still), so the detail is added as luma only and the frame stays grey."""

    def __init__(self, grade, *, neutral: bool = False, sigma: float = DETAIL_SIGMA) -> None:  # noqa: ANN001
        self.grade, self.neutral, self.sigma = grade, neutral, sigma

    def fine(self, output: np.ndarray) -> np.ndarray:
        """The detail of the network's ``output`` ((h, w, 3) uint8) at its own scale: (h, w, 3) float32."""
        fine = detail(output.astype(np.float32), detail_sigma(output.shape, self.sigma))
        return np.repeat((fine @ _LUMA)[..., None], 3, axis=2) if self.neutral else fine

    def layers(self, source: np.ndarray, output: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(G(source), the detail of ``output``), (H, W, 3) float32 each: the two parts of the composite.
        An ``output`` smaller than ``source`` (the network run on a shrunk frame) gives its detail at
        its own scale, scaled up to the source's size: the footage's finer detail comes from G(source)."""
        fine = self.fine(output)
        if fine.shape[:2] != source.shape[:2]:
            import cv2

            fine = cv2.resize(fine, (source.shape[1], source.shape[0]), interpolation=cv2.INTER_LINEAR)
        return self.grade(source).astype(np.float32), fine

    def __call__(self, source: np.ndarray, output: np.ndarray) -> np.ndarray:
        base, fine = self.layers(source, output)
        return np.clip(base + fine, 0, 255).round().astype(np.uint8)


def lock_offset(sources: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> float:
    """The look's brightness offset: mean over frames of (mean output luma - mean source luma)."""
    if len(sources) != len(outputs) or not sources:
        raise ValueError(f"need matching non-empty lists, got {len(sources)} and {len(outputs)}")
    return float(np.mean([luma(o).mean() - luma(s).mean() for s, o in zip(sources, outputs)]))


class ExposureLock:
    """``lock(source, output)``: the output's luma moved so its mean is the source's plus ``offset``
    (R, G and B move together). The move is ``k * w(Y)`` with ``w(Y) = Y (255 - Y) / 127.5^2``: 0 at
    black and white, 1 in the middle; ``k`` = the needed shift over the mean of w, bounded by
    :data:`LOCK_MAX` so the map ``Y -> Y + k w(Y)`` stays increasing (no tone is inverted)."""

    def __init__(self, offset: float) -> None:
        self.offset = float(offset)

    def __call__(self, source: np.ndarray, output: np.ndarray) -> np.ndarray:
        out = output.astype(np.float32)
        out += self.move(float(luma(source).mean()), out @ _LUMA)[..., None]
        return np.clip(out, 0, 255).round().astype(np.uint8)

    def move(self, source_mean: float, y: np.ndarray) -> np.ndarray:
        """The luma move ``k * w(y)`` (class docstring) for an output of luma ``y`` ((H, W) float32,
        0..255) over a source of mean luma ``source_mean``: (H, W) float32, added to R, G and B."""
        return self.gain(source_mean, y) * self.weight(y)

    def gain(self, source_mean: float, y: np.ndarray) -> float:
        """``k`` of :meth:`move` (it needs the whole frame's means; a shrunk copy gives them too)."""
        shift = source_mean + self.offset - float(y.mean())
        return float(np.clip(shift / max(float(self.weight(y).mean()), 1e-3), -LOCK_MAX, LOCK_MAX))

    @staticmethod
    def weight(y: np.ndarray) -> np.ndarray:
        """``w(y)`` of the class docstring: 0 at black and white, 1 in the middle."""
        return y * (255.0 - y) / 127.5 ** 2


Box = tuple[slice, slice]


def picture_box(frames: Sequence[np.ndarray], threshold: float | None = None) -> tuple[float, float, float, float]:
    """Where the picture is, without the letterbox or pillarbox bars of ``frames`` ((H, W, 3) uint8, one
    size): (top, bottom, left, right) as fractions of the height and width. A border row or column is
    a bar if its mean luma stays below ``threshold`` (the viewer measures' BAR) in every frame."""
    from filmstyle.measure.viewer import BAR

    threshold = BAR if threshold is None else threshold
    rows = np.max([luma(f).mean(1) for f in frames], axis=0)
    cols = np.max([luma(f).mean(0) for f in frames], axis=0)
    r, c = np.flatnonzero(rows >= threshold), np.flatnonzero(cols >= threshold)
    if r.size == 0 or c.size == 0:
        return 0.0, 1.0, 0.0, 1.0
    return r[0] / rows.size, (r[-1] + 1) / rows.size, c[0] / cols.size, (c[-1] + 1) / cols.size


def box_slices(shape: tuple[int, ...], box: tuple[float, float, float, float]) -> Box:
    """The (rows, cols) slices of a frame of ``shape`` (H, W, ...) covered by ``box`` (fractions)."""
    h, w = shape[0], shape[1]
    top, bottom = round(box[0] * h), max(round(box[1] * h), round(box[0] * h) + 1)
    left, right = round(box[2] * w), max(round(box[3] * w), round(box[2] * w) + 1)
    return slice(top, min(bottom, h)), slice(left, min(right, w))
