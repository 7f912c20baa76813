"""Flow-guided blending for stable renders: carry the previous output along the flow where it is reliable.

For frame t, with S the source frames, O~_t the per-frame stylised frame and O_{t-1} the previous
OUTPUT frame:

    w   = flow from S_t to S_{t-1}            (source frames, so the style cannot fool the flow)
    M   = 1 where the flow is reliable, else 0 (below)
    O_t = M alpha warp(O_{t-1}, w) + (1 - M alpha) O~_t

so the output is an exponential moving average along motion trajectories, restarted wherever the
flow is unreliable and at shot cuts. Since O_t - warp(O_{t-1}) = (1 - M alpha)(O~_t - warp(O_{t-1})),
the stability error on reliable pixels shrinks by (1 - alpha)^2 against the per-frame render's, as
far as the blending flow agrees with the measuring one.

The mask M: 0 where the flow leaves the frame; elsewhere 1 where the flow passes the
forward-backward check of Ruder et al. 2016 (:func:`filmstyle.temporal.masks.inconsistent`) OR
where it carries the previous source frame onto the current one (mean |S_t - warp(S_{t-1})| over
RGB below PHOTO_TOLERANCE). This differs from the metric's mask on purpose, by measurement
(benchmarks/temporal.py; mosaic look, 16 frames of bikes and bigbuckbunny, alpha 0.8, DIS at half
size): the fast flow fails the check on 2-8% of pixels where the metric's DeepFlow passes it, and
skipping those costs most of the gain; dropping the motion-boundary test and adding the
photometric test lowered e_stab 2.0x (bikes) and 1.7x (bigbuckbunny) against the full Ruder mask,
without blending across true occlusions (there the warped source does not match).

The previous output is warped bicubically: repeated bilinear resampling blurs the carried texture
(measured as above: Laplacian variance 0.31 -> 0.44 (bikes) and 0.51 -> 0.71 (bigbuckbunny) of the
per-frame render's with cubic instead of bilinear, for 10-20% more e_stab).

Cost: the flows are computed on frames shrunk by ``scale`` (default 0.5) and upsampled bilinearly
(displacements scaled back to full-resolution pixels); the mask, warp and blend run at full size.
About 30 ms per 640x360 frame on an idle 2-core CPU with DIS (two flows of ~6 ms each).
"""
from __future__ import annotations

import time

import cv2
import numpy as np

from filmstyle.temporal.flow import FLOW_METHODS, flow_between
from filmstyle.temporal.masks import inconsistent, out_of_frame
from filmstyle.temporal.warp import warp_array

# measured with benchmarks/temporal.py (mosaic look, 20 frames): alpha 0.6 / 0.7 / 0.8 cut e_stab by
# 66 / 74 / 81% (bigbuckbunny) and 67 / 74 / 79% (bikes) for a style-distance rise of 7 / 9 / 11% and
# 4 / 4 / 4%; 0.8 is the most stable that stays clear of the issue's +15% style limit.
DEFAULT_ALPHA = 0.8
DEFAULT_SCALE = 0.5  # flow resolution / frame resolution; DIS at 320x180 costs ~6 ms per flow
PHOTO_TOLERANCE = 0.1  # mean |RGB difference| in [0, 1]; measured (module docstring), 0.05 rejected too much
# A steady layer (render --tone grade's graded frame) is carried only where it moved by less than this
# many luma levels from its carried value: sensor noise is smoothed, a fade or a change of light is not
# held back (the carried value lags a steady change by a few levels at most).
STEADY_TOLERANCE = 6.0
_LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


def upsample_flow(flow: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an (h, w, 2) flow to ``size`` = (W, H), scaling its displacements to the new pixels."""
    h, w = flow.shape[:2]
    if (w, h) == tuple(size):
        return flow
    big = cv2.resize(flow, size, interpolation=cv2.INTER_LINEAR)
    big[..., 0] *= size[0] / w
    big[..., 1] *= size[1] / h
    return big


def blend_mask(source: np.ndarray, prev_source: np.ndarray, back: np.ndarray, fwd: np.ndarray) -> np.ndarray:
    """(H, W) float32 in {0, 1}: where the previous output may be carried (module docstring).

    source, prev_source: (H, W, 3) uint8 S_t and S_{t-1}; back: (H, W, 2) flow S_t -> S_{t-1};
    fwd: (H, W, 2) flow S_{t-1} -> S_t; pixels.
    """
    diff = cv2.absdiff(warp_array(prev_source, back), source)  # uint8, |S_t - warp(S_t-1)|
    mismatch = cv2.transform(diff, np.full((1, 3), 1 / (3 * 255.0), np.float32))  # (H, W) channel mean, [0, 1]
    reliable = ~out_of_frame(back) & (~inconsistent(back, fwd) | (mismatch < PHOTO_TOLERANCE))
    return reliable.astype(np.float32)


class TemporalBlender:
    """Stateful blender (module docstring); call once per frame in order.

    ``blender(source, stylized, cut=False) -> output``: source and stylised frames (H, W, 3) uint8
    RGB of the same size; ``cut`` True at the first frame of a new shot (state is reset first).
    ``stylized`` None (a frame the network skipped, ``render --network-every``): the previous output
    is carried along the flow everywhere (M = 1, alpha = 1), as the same dtype as before.
    Returns the (H, W, 3) uint8 output frame; a float32 ``stylized`` (a signed layer such as render's
    detail) is blended the same way and returned as float32, unclipped. ``seconds`` accumulates the time spent on flow,
    mask and blending; ``reliable`` holds the last mask's fraction of reliable pixels.
    """

    def __init__(self, *, alpha: float = DEFAULT_ALPHA, method: str = "dis", scale: float = DEFAULT_SCALE) -> None:
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"alpha must be in [0, 1), got {alpha}")
        if not 0.0 < scale <= 1.0:
            raise ValueError(f"scale must be in (0, 1], got {scale}")
        if method not in FLOW_METHODS:
            raise ValueError(f"unknown flow method {method!r}; use one of {sorted(FLOW_METHODS)}")
        self.alpha, self.method, self.scale = alpha, method, scale
        self.seconds = 0.0
        self.reliable = 0.0
        self.reset()

    def reset(self) -> None:
        """Forget the previous frames: the next output is the stylised frame unchanged."""
        self._source: np.ndarray | None = None  # previous source frame, (H, W, 3) uint8
        self._small: np.ndarray | None = None  # the same, shrunk for the flow
        self._output: np.ndarray | None = None  # previous output, (H, W, 3) float32 in [0, 255]
        self._steady: np.ndarray | None = None  # previous steady layer, if any
        self._floating = False  # whether the previous output was a signed float32 layer

    def _shrink(self, frame: np.ndarray) -> np.ndarray:
        if self.scale == 1.0:
            return frame
        h, w = frame.shape[:2]
        size = (max(8, round(w * self.scale)), max(8, round(h * self.scale)))
        return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)

    def can_carry(self, source: np.ndarray) -> bool:
        """Whether a frame like ``source`` may be given without a stylised frame (a previous output of its size)."""
        return self._output is not None and self._output.shape == source.shape

    def __call__(self, source: np.ndarray, stylized: np.ndarray | None, cut: bool = False, *,
                 steady: np.ndarray | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Blend one frame (class docstring). ``steady``: a second (H, W, 3) float32 layer in 0..255,
        carried along the same flow only where it changed by less than STEADY_TOLERANCE luma levels
        (a temporal denoise that lets real changes through); then (output, steady output) is returned."""
        carry = stylized is None
        if carry:
            if cut or not self.can_carry(source):
                raise ValueError("no stylised frame and nothing to carry: the first frame, a cut or a new size needs one")
            stylized = self._output if self._floating else self._output.astype(np.uint8)
        floating = stylized.dtype == np.float32  # a signed layer (render --tone grade's detail): no clipping
        if source.shape != stylized.shape or source.dtype != np.uint8 or stylized.dtype not in (np.uint8, np.float32):
            raise ValueError(f"need a uint8 source and a uint8 or float32 stylised (H, W, 3) frame of one size, got "
                             f"{source.shape} {source.dtype} and {stylized.shape} {stylized.dtype}")
        start = time.perf_counter()
        small = self._shrink(source)
        kept = None if steady is None else steady.astype(np.float32)
        if cut or self._output is None or self._output.shape != stylized.shape or (
                steady is not None and (self._steady is None or self._steady.shape != steady.shape)):
            out = stylized.astype(np.float32)
            self.reliable = 0.0
        else:
            size = (source.shape[1], source.shape[0])
            back = upsample_flow(flow_between(small, self._small, self.method), size)
            fwd = upsample_flow(flow_between(self._small, small, self.method), size)
            weight = blend_mask(source, self._source, back, fwd)
            self.reliable = float(weight.mean())
            weight *= self.alpha
            warped = warp_array(self._output, back, interpolation=cv2.INTER_CUBIC)
            current = stylized.astype(np.float32)
            out = warped if carry else current + weight[..., None] * (warped - current)
            if not floating:
                out = np.clip(out, 0, 255)  # cubic overshoots
            if kept is not None:
                carried = warp_array(self._steady, back, interpolation=cv2.INTER_LINEAR)
                moved = np.abs((carried - kept) @ _LUMA)
                w = weight * np.clip(1.0 - moved / STEADY_TOLERANCE, 0.0, 1.0)
                kept = kept + w[..., None] * (carried - kept)
        self._source, self._small, self._output, self._steady = source, small, out, kept
        self._floating = floating
        result = out if floating else (out + 0.5).astype(np.uint8)
        self.seconds += time.perf_counter() - start
        return result if kept is None else (result, kept)
