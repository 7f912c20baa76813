"""A tone anchor for rendering (``render --tone anchor``): the look's brightness tied to the source's.

The transform network normalises every frame by its own instance-norm statistics, so the output's
mean brightness ignores the source's and wanders with the content (docs/results/looks.md: scaling
a frame's RGB by 0.5-1.4 leaves the output's mean luma unchanged). The anchor measures the look's own
tone curve T once, by quantile mapping the luma of a few source frames onto the luma of the network's
outputs for them (monotone: T never inverts tones), and then, per frame, replaces the output's luma by

    Y = mix * (Y_out + mean(T(Y_src)) - mean(Y_out)) + (1 - mix) * T(Y_src)

keeping the network's chroma (R, G and B move together), with T's slope limited to
:data:`SLOPE_LIMIT`. The output's brightness then follows the source through T while the texture of
the look stays. Measured on 9 development clip x still pairs (benchmarks/tone_anchor.py,
docs/results/looks.md): tone drift 16.1 -> 4.8 of 255, luma SSIM 0.69 -> 0.83, e_stab 1.78 -> 1.06 x
the source's floor; sintel_snow's brightening fog still drifts by 10-12.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from filmstyle.core import video
from filmstyle.core.colour import BT709_LUMA

TONE_FRAMES = 8  # frames sampled over the clip to measure T
TONE_SHORT_SIDE = 360  # px: T is measured on frames this small (luma distributions hardly change with scale)
MIX = 0.5  # weight of the network's own (shifted) luma against T(source): measured, docs/results/looks.md
# Bounds on T's slope, T kept at the source's median luma: a steep T (slope 2-3 in sintel_snow's fog)
# amplifies every brightening of the source. Measured on two development pairs (docs/results/looks.md):
# sintel_snow x bbb_f0324 drift 27.1 -> 9.7 (no anchor 21.9), cockatoo x sintel_f0043 2.8 -> 2.2.
SLOPE_LIMIT = (1 / 1.5, 1.5)
_LUMA = np.array(BT709_LUMA, np.float32)


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
