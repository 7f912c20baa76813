"""Shared test fixtures: tiny synthetic clips with known content.

Clips are written with PyAV directly (not through ``filmstyle.core.video``) so the video tests do not
check the module against itself.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

SQUARE_STEP = 2
"""Pixels the square in :func:`make_clip` moves right per frame (a known flow for temporal tests)."""
SQUARE_SIZE = 12
"""Side of the square in :func:`make_clip`, in pixels."""
SINE_HZ = 440.0
"""Frequency of the audio tone, Hz."""
AUDIO_RATE = 48_000
"""Audio sample rate, Hz."""


def clip_frame(index: int, size: tuple[int, int] = (64, 48), *, moving: bool = True) -> np.ndarray:
    """Frame ``index`` of the synthetic pattern: (H, W, 3) uint8 RGB.

    A red/green gradient background (blue fixed at 64) with a yellow-ish square whose left edge is
    at ``SQUARE_STEP * index`` pixels (wrapping), or at 0 for every frame when ``moving`` is false.
    """
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w]
    img = np.empty((h, w, 3), dtype=np.uint8)
    img[..., 0] = (xs * 255 // max(w - 1, 1)).astype(np.uint8)
    img[..., 1] = (ys * 255 // max(h - 1, 1)).astype(np.uint8)
    img[..., 2] = 64
    x0 = (SQUARE_STEP * index if moving else 0) % max(w - SQUARE_SIZE, 1)
    y0 = (h - SQUARE_SIZE) // 2
    img[y0 : y0 + SQUARE_SIZE, x0 : x0 + SQUARE_SIZE] = (230, 200, 40)
    return img


def _sine_frames(seconds: float) -> list[av.AudioFrame]:
    """``seconds`` of a mono SINE_HZ tone at AUDIO_RATE as fltp frames of 1024 samples (AAC's size)."""
    n = max(1, round(seconds * AUDIO_RATE))
    t = np.arange(n) / AUDIO_RATE
    samples = (0.3 * np.sin(2 * math.pi * SINE_HZ * t)).astype(np.float32)
    frames = []
    for start in range(0, n, 1024):
        part = samples[None, start : start + 1024]
        frame = av.AudioFrame.from_ndarray(part, format="fltp", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, AUDIO_RATE)
        frames.append(frame)
    return frames


def make_clip(
    path: str | Path,
    *,
    frames: int = 8,
    size: tuple[int, int] = (64, 48),
    fps: int = 12,
    audio: bool = True,
    moving: bool = True,
    pts: Sequence[int] | None = None,
) -> Path:
    """Write a tiny h264 clip of :func:`clip_frame` images and return its path.

    The container follows the suffix (.mp4, .mkv, .mov). ``size`` is (W, H) in pixels, even.
    Frames are converted to yuv420p with BT.601 limited range and left untagged, as most SD sources
    are. ``pts`` (overriding ``frames``) gives each frame's timestamp in units of 1/``fps`` s
    (default 0, 1, 2, ...), for clips with gaps or a start offset. With ``audio``, an AAC mono
    SINE_HZ tone covers the same duration, interleaved with the video.
    """
    path = Path(path)
    stamps = list(range(frames)) if pts is None else list(pts)
    sound = _sine_frames((stamps[-1] + 1) / fps) if audio else []
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "10"})
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        audio_stream = out.add_stream("aac", rate=AUDIO_RATE, layout="mono") if audio else None
        for i, stamp in enumerate(stamps):
            rgb = av.VideoFrame.from_ndarray(clip_frame(i, size, moving=moving), format="rgb24")
            yuv = rgb.reformat(format="yuv420p", dst_colorspace="ITU601", dst_color_range="MPEG", threads=1)  # repeatable
            yuv.pts = stamp
            yuv.time_base = Fraction(1, fps)
            out.mux(stream.encode(yuv))
            while sound and sound[0].pts < (stamp + 1) * AUDIO_RATE / fps:  # tone up to frame end
                out.mux(audio_stream.encode(sound.pop(0)))
        out.mux(stream.encode(None))
        if audio_stream is not None:
            for frame in sound:
                out.mux(audio_stream.encode(frame))
            out.mux(audio_stream.encode(None))
    return path


def make_audio_only(path: str | Path, *, seconds: float = 0.5) -> Path:
    """Write an mp4 holding only an AAC tone of ``seconds`` s; return its path."""
    path = Path(path)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        for frame in _sine_frames(seconds):
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.fixture
def tiny_clip(tmp_path: Path) -> Path:
    """An 8-frame 64x48 12 fps h264 mp4 with a moving square and an AAC mono tone."""
    return make_clip(tmp_path / "tiny.mp4")


@pytest.fixture(autouse=True, scope="session")
def _single_thread() -> None:
    """Tiny tensors gain nothing from intra-op threads, and threads oversubscribe a busy CPU."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' caches (ONNX exports, StyleBanks) in a temporary folder, not the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
