"""Shot cuts: where a new shot starts, so temporal state is not carried across it.

The detector is the content detector of PySceneDetect (``scenedetect.detectors.ContentDetector``,
its defaults): each frame, downscaled to at most 256 px wide, is converted to HSV; the score of
frame t is the mean of the mean absolute differences of its H, S and V channels (OpenCV 8-bit
ranges: H in [0, 180), S and V in [0, 255]) from frame t-1. Frame t starts a new shot when its score
reaches 27 and at least 15 frames have passed since the last cut (PySceneDetect's ``threshold=27.0``,
``min_scene_len=15``). Unlike PySceneDetect, the first cut may come at any frame: in a render a missed
cut smears one shot into the next, while a spurious one only costs one unblended frame. It runs
online, one frame at a time, so the render loop needs no second pass.

Frame indices count decoded frames from 0 in display order, as :func:`filmstyle.core.video.read_frames`
yields them. Frame 0 always starts a shot and is never listed.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from filmstyle.core import video
from filmstyle.core.errors import InputError, check_readable_file

THRESHOLD = 27.0  # PySceneDetect ContentDetector default threshold
MIN_GAP = 15  # frames; PySceneDetect ContentDetector default min_scene_len
DETECT_WIDTH = 256  # px; PySceneDetect downscales frames to about this width before detecting

CutSource = Callable[[np.ndarray], bool]
"""Called once per frame, in order, with the (H, W, 3) uint8 RGB frame; True if it starts a new shot."""


class CutDetector:
    """Online content detector (module docstring): ``detector(frame) -> True`` at the first frame of a shot.

    ``score`` holds the last frame's HSV difference (0 .. 255; 0 for the first frame).
    """

    def __init__(self, *, threshold: float = THRESHOLD, min_gap: int = MIN_GAP) -> None:
        if threshold <= 0 or min_gap < 1:
            raise ValueError(f"need threshold > 0 and min_gap >= 1, got {threshold=}, {min_gap=}")
        self.threshold, self.min_gap = threshold, min_gap
        self.index = -1
        self.last_cut = -min_gap  # no gap needed before the first cut
        self.score = 0.0
        self._prev: np.ndarray | None = None

    def __call__(self, frame: np.ndarray) -> bool:
        self.index += 1
        h, w = frame.shape[:2]
        if w > DETECT_WIDTH:
            frame = cv2.resize(frame, (DETECT_WIDTH, max(1, round(h * DETECT_WIDTH / w))), interpolation=cv2.INTER_AREA)
        hsv = cv2.cvtColor(frame, cv2.COLOR_RGB2HSV).astype(np.int16)
        prev, self._prev = self._prev, hsv
        if prev is None or prev.shape != hsv.shape:
            self.score = 0.0
            return False
        self.score = float(np.abs(hsv - prev).mean())  # mean over pixels and the 3 channels
        if self.score >= self.threshold and self.index - self.last_cut >= self.min_gap:
            self.last_cut = self.index
            return True
        return False


class FixedCuts:
    """A cut source from known frame indices (e.g. an editor's cut list): ignores the frames' content."""

    def __init__(self, indices: list[int]) -> None:
        self.indices = frozenset(indices)
        self.index = -1

    def __call__(self, frame: np.ndarray) -> bool:
        self.index += 1
        return self.index in self.indices


def detect_cuts(path: str | os.PathLike, *, threshold: float = THRESHOLD, min_gap: int = MIN_GAP,
                max_frames: int | None = None) -> list[int]:
    """Frame indices where a new shot starts in the video at ``path`` (0 never listed), ascending."""
    detector = CutDetector(threshold=threshold, min_gap=min_gap)
    return [i for i, frame in enumerate(video.read_frames(path, max_frames=max_frames)) if detector(frame)]


def read_cuts_file(path: str | os.PathLike) -> list[int]:
    """Read a cut list: one frame index (integer >= 0, counted from 0) per line, ascending or not.

    Blank lines and text after ``#`` are ignored; an empty list is allowed. Returns the sorted
    unique indices. InputError naming the line for anything else.
    """
    p = check_readable_file(path, "cuts file")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError) as e:
        raise InputError(p, f"not a readable text file ({e})", "give a text file with one frame index per line") from None
    indices = set()
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not text.isdigit():
            raise InputError(p, f"line {number}: {text!r} is not a frame index",
                             "write one whole number >= 0 per line (frames counted from 0)")
        indices.add(int(text))
    return sorted(indices)


def cut_source(spec: str) -> CutSource:
    """``"auto"`` -> a :class:`CutDetector`; ``"none"`` -> never a cut; else a cuts file path."""
    if spec == "auto":
        return CutDetector()
    if spec == "none":
        return FixedCuts([])
    return FixedCuts(read_cuts_file(Path(spec)))
