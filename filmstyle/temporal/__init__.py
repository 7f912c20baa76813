"""Temporal stability: optical flow, backward warping, consistency masks,
flow-guided blending for renders and shot-cut detection.

Flow convention (every module here): the flow from frame A to frame B is (H, W, 2) float32 in
pixels of A's grid, ``flow[y, x] = (u, v)``: pixel (x, y) of A is seen at (x + u, y + v) in B.
"""
from filmstyle.temporal.blend import TemporalBlender
from filmstyle.temporal.cuts import CutDetector, cut_source, detect_cuts, read_cuts_file
from filmstyle.temporal.flow import FLOW_METHODS, flow_between
from filmstyle.temporal.masks import consistency_mask
from filmstyle.temporal.warp import backward_warp, warp_array

__all__ = ["FLOW_METHODS", "CutDetector", "TemporalBlender", "backward_warp", "consistency_mask",
           "cut_source", "detect_cuts", "flow_between", "read_cuts_file", "warp_array"]
