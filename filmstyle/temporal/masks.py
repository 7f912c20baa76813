"""Where a flow can be trusted: the forward-backward consistency check of Ruder et al. 2016.

M. Ruder, A. Dosovitskiy, T. Brox, "Artistic style transfer for videos", GCPR 2016
(arXiv:1604.08610), sec. 3.2 "Temporal consistency loss", and its reference implementation
``consistencyChecker/consistencyChecker.cpp`` (github.com/manuelruder/artistic-videos). The
coefficients come from Sundaram, Brox, Keutzer, "Dense point trajectories by GPU-accelerated large
displacement optical flow", ECCV 2010.

For frames A and B with w the flow from A to B (in A's grid) and w_back the flow from B to A (in B's
grid), let w~(x) = w_back(x + w(x)), the backward flow brought into A's grid (bilinear). A pixel x
of A is *unreliable* (mask 0) where

- its flow leaves the frame: x + w(x) outside [0, W-1] x [0, H-1] (as in the reference code);
- disocclusion / inconsistency: |w + w~|^2 > 0.01 (|w|^2 + |w~|^2) + 0.5;
- motion boundary: |grad u|^2 + |grad v|^2 > 0.01 |w|^2 + 0.002, with w = (u, v) and central
  differences (f[x+1] - f[x-1]) / 2 (the reference code's ``CDerivative(3)``), edges replicated.

Everywhere else the mask is 1. Flows in pixels; the thresholds are in squared pixels, so they are
resolution-dependent exactly as in the paper. The reference code also blurs the occlusion part
(Gaussian, sigma 0.8) into soft weights; the mask here stays binary, as the paper states it.
"""
from __future__ import annotations

import numpy as np

from filmstyle.temporal.warp import warp_array

OCC_RELATIVE = 0.01  # Ruder et al. 2016 sec. 3.2, after Sundaram et al. 2010
OCC_ABSOLUTE = 0.5  # squared pixels; same sources
BOUNDARY_RELATIVE = 0.01  # Ruder et al. 2016 sec. 3.2
BOUNDARY_ABSOLUTE = 0.002  # squared pixels per squared pixel; same source


def _check_flow(flow: np.ndarray, name: str) -> None:
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f"{name} must be an (H, W, 2) flow, got {flow.shape}")


def _sq_norm(v: np.ndarray) -> np.ndarray:
    """(H, W, 2) -> (H, W) squared length; written out because numpy reduces a length-2 axis slowly."""
    return np.square(v[..., 0]) + np.square(v[..., 1])


def out_of_frame(flow_ab: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels of A whose flow (H, W, 2) points outside the frame."""
    _check_flow(flow_ab, "flow_ab")
    h, w = flow_ab.shape[:2]
    xs = np.arange(w, dtype=np.float32)[None, :] + flow_ab[..., 0]
    ys = np.arange(h, dtype=np.float32)[:, None] + flow_ab[..., 1]
    return (xs < 0) | (xs > w - 1) | (ys < 0) | (ys > h - 1)


def inconsistent(flow_ab: np.ndarray, flow_ba: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels of A failing the forward-backward check (occluded in B, or bad flow).

    flow_ab: (H, W, 2) flow from A to B; flow_ba: (H, W, 2) flow from B to A; pixels.
    """
    _check_flow(flow_ab, "flow_ab")
    _check_flow(flow_ba, "flow_ba")
    if flow_ab.shape != flow_ba.shape:
        raise ValueError(f"flows differ in size: {flow_ab.shape} and {flow_ba.shape}")
    back = warp_array(np.ascontiguousarray(flow_ba, dtype=np.float32), flow_ab.astype(np.float32, copy=False))
    loop = _sq_norm(flow_ab + back)
    scale = _sq_norm(flow_ab) + _sq_norm(back)
    return loop > OCC_RELATIVE * scale + OCC_ABSOLUTE


def motion_boundaries(flow_ab: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels of A on a motion boundary of the (H, W, 2) flow (large flow gradient)."""
    _check_flow(flow_ab, "flow_ab")
    padded = np.pad(flow_ab, ((1, 1), (1, 1), (0, 0)), mode="edge")
    dx = (padded[1:-1, 2:] - padded[1:-1, :-2]) * 0.5
    dy = (padded[2:, 1:-1] - padded[:-2, 1:-1]) * 0.5
    gradient = _sq_norm(dx) + _sq_norm(dy)
    return gradient > BOUNDARY_RELATIVE * _sq_norm(flow_ab) + BOUNDARY_ABSOLUTE


def consistency_mask(flow_ab: np.ndarray, flow_ba: np.ndarray) -> np.ndarray:
    """Reliability of each pixel of A: (H, W) float32, 1 = the flow to B is reliable, 0 = not.

    0 where the flow leaves the frame, fails the forward-backward check or lies on a motion
    boundary (module docstring). flow_ab, flow_ba: (H, W, 2) float32 in pixels.
    """
    bad = out_of_frame(flow_ab) | inconsistent(flow_ab, flow_ba) | motion_boundaries(flow_ab)
    return (~bad).astype(np.float32)
