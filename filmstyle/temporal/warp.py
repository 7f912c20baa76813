"""Backward warping: bring frame B into frame A's grid with the flow from A to B.

``warped[y, x] = B(x + u(x, y), y + v(x, y))`` with (u, v) the flow from A to B
(:mod:`filmstyle.temporal.flow` conventions), sampled bilinearly at pixel centres (pixel (x, y) is
at coordinate (x, y); no half-pixel shift). Positions outside B take the value of the nearest border
pixel ("border"/replicate padding); such pixels are unreliable anyway and the consistency mask of
:mod:`filmstyle.temporal.masks` marks them 0.

Two implementations with the same semantics: :func:`backward_warp` (torch, differentiable, for the
metric and for losses) and :func:`warp_array` (OpenCV ``remap``, for the render loop, about 3x
faster on a CPU; its bilinear weights are quantised to 1/32 pixel by OpenCV).
"""
from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def _check(img_shape: tuple[int, ...], flow_shape: tuple[int, ...], *, channels_first: bool) -> None:
    if channels_first:
        ok = len(img_shape) == 4 and len(flow_shape) == 4 and flow_shape[1] == 2 \
            and flow_shape[0] == img_shape[0] and flow_shape[2:] == img_shape[2:]
        want = "img (B, C, H, W) and flow (B, 2, H, W)"
    else:
        ok = len(img_shape) in (2, 3) and flow_shape == (*img_shape[:2], 2)
        want = "img (H, W[, C]) and flow (H, W, 2)"
    if not ok:
        raise ValueError(f"expected {want}, got {tuple(img_shape)} and {tuple(flow_shape)}")


def sampling_grid(flow: torch.Tensor) -> torch.Tensor:
    """flow (B, 2, H, W) in pixels -> grid (B, H, W, 2) of ``grid_sample`` coordinates in [-1, 1].

    With ``align_corners=True``, -1 and 1 are the centres of the first and last pixels, so pixel x
    maps to 2x / (W - 1) - 1.
    """
    b, _, h, w = flow.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=flow.dtype, device=flow.device),
                            torch.arange(w, dtype=flow.dtype, device=flow.device), indexing="ij")
    x = (xs + flow[:, 0]) * (2.0 / max(w - 1, 1)) - 1.0
    y = (ys + flow[:, 1]) * (2.0 / max(h - 1, 1)) - 1.0
    return torch.stack((x, y), dim=-1)


def backward_warp(img: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Sample ``img`` at each pixel displaced by ``flow`` (bilinear, border padding).

    img: (B, C, H, W) float, any range (frame B). flow: (B, 2, H, W) float, pixels, the flow from
    A to B in A's grid, channel 0 = u (x), 1 = v (y). Returns (B, C, H, W): B seen from A.
    Differentiable in both arguments.
    """
    _check(tuple(img.shape), tuple(flow.shape), channels_first=True)
    return F.grid_sample(img, sampling_grid(flow.to(img.dtype)), mode="bilinear", padding_mode="border",
                         align_corners=True)


def warp_array(img: np.ndarray, flow: np.ndarray, *, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """:func:`backward_warp` for arrays, with OpenCV: img (H, W) or (H, W, C) float32 or uint8, flow
    (H, W, 2) float32 pixels. Returns the warped image, same shape and dtype (uint8 rounded).
    ``interpolation`` an OpenCV flag; ``cv2.INTER_CUBIC`` blurs less, and may overshoot the input's range."""
    _check(img.shape, flow.shape, channels_first=False)
    h, w = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    map_x = xs + flow[..., 0]
    map_y = ys + flow[..., 1]
    out = cv2.remap(img, map_x, map_y, interpolation=interpolation, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(img.shape)
