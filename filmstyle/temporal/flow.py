"""Optical flow between two RGB frames: a registry of interchangeable OpenCV methods.

Convention, used throughout :mod:`filmstyle.temporal`: the flow from frame A to frame B is an
(H, W, 2) float32 array in pixels of A's grid; ``flow[y, x] = (u, v)`` says that the pixel at
column x, row y of A is seen at (x + u, y + v) in B (u along x to the right, v along y downwards).
That is OpenCV's ``calc(prev=A, next=B)`` convention. To bring B into A's frame, sample B at
``(x + u, y + v)`` (:func:`filmstyle.temporal.warp.backward_warp`).

Methods (each computed on the BT.601 luma of the frames, as OpenCV's methods take one channel):

- ``deepflow``: DeepFlow (Weinzaepfel et al., ICCV 2013), the flow of the paper's stability error
  (its sec. 4.1, ref. [17]); OpenCV-contrib defaults. About 0.8 s per 640x360 pair on one CPU core.
- ``dis``: Dense Inverse Search (Kroeger et al., ECCV 2016), OpenCV preset MEDIUM; about 25 ms.
- ``farneback``: Farneback (SCIA 2003) with the parameters of OpenCV's own sample
  (samples/python/opt_flow.py: pyr_scale 0.5, 3 levels, window 15, 3 iterations, poly_n 5,
  poly_sigma 1.2); about 50 ms.
"""
from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

FlowFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(A, B) -> flow from A to B, (H, W, 2) float32 in pixels; A, B (H, W, 3) uint8 RGB or (H, W) uint8."""


def to_gray(frame: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) uint8 luma (BT.601 weights, OpenCV's RGB2GRAY); (H, W) passes."""
    if frame.dtype != np.uint8 or frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] != 3):
        raise ValueError(f"expected an (H, W, 3) or (H, W) uint8 frame, got {frame.shape} {frame.dtype}")
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def deepflow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """DeepFlow from ``a`` to ``b`` (OpenCV-contrib ``optflow`` defaults)."""
    return cv2.optflow.createOptFlow_DeepFlow().calc(to_gray(a), to_gray(b), None)


def dis(a: np.ndarray, b: np.ndarray, *, preset: int = cv2.DISOPTICAL_FLOW_PRESET_MEDIUM) -> np.ndarray:
    """Dense Inverse Search flow from ``a`` to ``b``; ``preset`` one of OpenCV's DIS presets."""
    return cv2.DISOpticalFlow_create(preset).calc(to_gray(a), to_gray(b), None)


def farneback(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Farneback flow from ``a`` to ``b`` with the parameters of OpenCV's sample opt_flow.py."""
    return cv2.calcOpticalFlowFarneback(to_gray(a), to_gray(b), None, 0.5, 3, 15, 3, 5, 1.2, 0)


FLOW_MIN_SIDE = 32
"""Frames with a shorter side are enlarged (by a whole factor) for the flow, which is then shrunk back:
DIS needs 12 px and more for its patches and pyramid, DeepFlow's pyramid about as much."""

FLOW_METHODS: dict[str, FlowFn] = {"deepflow": deepflow, "dis": dis, "farneback": farneback}
"""Name -> flow function; add a method by adding an entry."""


def flow_between(a: np.ndarray, b: np.ndarray, method: str = "dis") -> np.ndarray:
    """Flow from frame ``a`` to frame ``b``: (H, W, 2) float32, pixels, (u, v) = (x, y) displacement.

    a, b: (H, W, 3) uint8 RGB (or (H, W) uint8 grey) of the same size. ``method`` a key of
    :data:`FLOW_METHODS`. Raises ValueError for an unknown method or mismatched frames.
    """
    if method not in FLOW_METHODS:
        raise ValueError(f"unknown flow method {method!r}; use one of {sorted(FLOW_METHODS)}")
    if a.shape[:2] != b.shape[:2]:
        raise ValueError(f"frames differ in size: {a.shape} and {b.shape}")
    h, w = a.shape[:2]
    scale = -(-FLOW_MIN_SIDE // min(h, w))  # OpenCV's methods refuse or fail on tiny frames: enlarge them
    if scale > 1:
        up = [cv2.resize(x, (w * scale, h * scale), interpolation=cv2.INTER_LINEAR) for x in (a, b)]
        flow = cv2.resize(FLOW_METHODS[method](*up), (w, h), interpolation=cv2.INTER_AREA) / scale
    else:
        flow = FLOW_METHODS[method](a, b)
    return np.ascontiguousarray(flow, dtype=np.float32)
