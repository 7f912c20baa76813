"""A temporal loss for adaptation: consecutive frames of the user's clip, stylised, must agree along the flow.

For a pair of source frames (t-1, t) with the flow from t to t-1 (in t's grid) and the Ruder et al.
consistency mask M of that flow (:mod:`filmstyle.temporal.masks`), the loss on the stylised pair
(O_{t-1}, O_t) is

    L_temporal = mean over all C·H·W values of M ⊙ (O_t − warp(O_{t−1}))²

the short-term consistency loss of Ruder et al. 2016 (eq. 7) written with the conventions of the
stability error (:mod:`filmstyle.measure.stability`): pixels in [0, 1], masked pixels counted as 0.
Feed-forward networks trained with it: Huang et al. 2017 ("Real-time neural style transfer for
videos") and Gupta et al. 2017; both pass both frames through the network and back-propagate into
both. Flow and mask are computed once, on the source frames, when the pairs are made.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from filmstyle.core.image import from_array
from filmstyle.temporal.flow import flow_between
from filmstyle.temporal.masks import consistency_mask
from filmstyle.temporal.warp import backward_warp

MIN_RELIABLE = 0.3  # pairs whose mask keeps less than this fraction are dropped (a cut, or flow failed)


@dataclass(frozen=True)
class FramePair:
    """Two consecutive source frames and what the loss needs of their motion.

    prev, cur: (1, 3, H, W) RGB in [0, 1]; flow: (1, 2, H, W) pixels, from ``cur`` to ``prev`` in
    ``cur``'s grid; mask: (1, 1, H, W) in {0, 1}, 1 where that flow is reliable.
    """

    prev: torch.Tensor
    cur: torch.Tensor
    flow: torch.Tensor
    mask: torch.Tensor

    def to(self, device: torch.device) -> FramePair:
        """The same pair on ``device``."""
        return FramePair(prev=self.prev.to(device), cur=self.cur.to(device), flow=self.flow.to(device),
                         mask=self.mask.to(device))

    def crop(self, top: int, left: int, size: int) -> FramePair:
        """The same ``size`` x ``size`` window of every member. Flow that leaves the window is masked out:
        the previous output is only known inside the window."""
        win = (..., slice(top, top + size), slice(left, left + size))
        flow = self.flow[win]
        ys, xs = torch.meshgrid(torch.arange(size, dtype=flow.dtype), torch.arange(size, dtype=flow.dtype), indexing="ij")
        x, y = xs + flow[:, 0], ys + flow[:, 1]
        inside = ((x >= 0) & (x <= size - 1) & (y >= 0) & (y <= size - 1)).unsqueeze(1).to(self.mask.dtype)
        return FramePair(prev=self.prev[win], cur=self.cur[win], flow=flow, mask=self.mask[win] * inside)


def make_pair(prev: np.ndarray, cur: np.ndarray, *, flow: str = "dis") -> FramePair:
    """A :class:`FramePair` from two (H, W, 3) uint8 RGB frames; flows by ``flow`` (a FLOW_METHODS key)."""
    back = flow_between(cur, prev, flow)  # t -> t-1, in t's grid
    fwd = flow_between(prev, cur, flow)
    mask = consistency_mask(back, fwd)
    return FramePair(prev=from_array(prev), cur=from_array(cur),
                     flow=torch.from_numpy(np.ascontiguousarray(back.transpose(2, 0, 1)))[None],
                     mask=torch.from_numpy(mask)[None, None])


def clip_pairs(path: str | os.PathLike, n: int, short_side: int, *, flow: str = "dis") -> list[FramePair]:
    """Up to ``n`` pairs of consecutive frames spread over the clip at ``path``, short side ``short_side``.

    Pairs across a shot cut, or where the flow fails, keep little of their mask and are dropped.
    """
    from filmstyle.core import video

    info = video.probe(path)
    w, h = info.width, info.height
    scale = short_side / min(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    pairs = [make_pair(a, b, flow=flow) for a, b in video.sample_pairs(path, n, size=size)]
    return [p for p in pairs if float(p.mask.mean()) >= MIN_RELIABLE]


def temporal_loss(out_cur: torch.Tensor, out_prev: torch.Tensor, flow: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """mean(M ⊙ (O_t − warp(O_{t−1}, flow))²): 0-dim; shapes (B, C, H, W), (B, C, H, W), (B, 2, H, W), (B, 1, H, W)."""
    return (mask * (out_cur - backward_warp(out_prev, flow)).pow(2)).mean()
