"""The tone anchor (render --tone anchor): monotone curves, the luma tied to the source's, and a
render whose brightness follows a brightening source although the network's does not."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from filmstyle.core import video
from filmstyle.core.config import RenderOptions
from filmstyle.grading.tone import ToneAnchor, limit_slope, luma, tone_curve
from filmstyle.look import Look
from filmstyle.measure.viewer import mean_luma, tone_drift
from filmstyle.nets.transformer import TransformerNet
from filmstyle.render import render_video
from tests.conftest import make_clip


def test_tone_curve_of_a_known_mapping_is_that_mapping():
    rng = np.random.default_rng(0)
    src = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(3)]
    out = [(f.astype(np.float32) * 0.5 + 40).round().astype(np.uint8) for f in src]  # luma -> 0.5 luma + 40
    curve = tone_curve(src, out, slope=None)
    assert np.all(np.diff(curve) >= 0)
    assert curve[100] == pytest.approx(90, abs=2) and curve[200] == pytest.approx(140, abs=2)


def test_slope_limit_bounds_the_curve_and_keeps_it_at_the_anchor():
    steep = np.clip((np.arange(256.0) - 100) * 3 + 120, 0, 255)  # slope 3 in the middle
    limited = limit_slope(steep, 1 / 1.5, 1.5, anchor=110.0)
    slopes = np.diff(limited)
    assert slopes.max() <= 1.5 + 1e-9 and np.all(slopes >= 0)
    assert limited[110] == pytest.approx(steep[110])
    assert np.allclose(limit_slope(np.arange(256.0), 0.5, 2.0, anchor=50.0), np.arange(256.0))  # within bounds: kept


def test_anchor_with_mix_zero_gives_the_curve_of_the_source_and_keeps_chroma():
    rng = np.random.default_rng(1)
    src = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    out = np.full((16, 16, 3), (200, 100, 50), np.uint8)  # a flat output: its brightness ignores the source
    anchored = ToneAnchor(np.arange(256.0), mix=0.0)(src, out)  # identity curve: the source's luma
    assert np.abs(luma(anchored) - luma(src)).max() < 40  # clipping aside, the source's luma
    assert np.corrcoef(luma(anchored).ravel(), luma(src).ravel())[0, 1] > 0.9
    diff = anchored.astype(int)[..., 0] - anchored.astype(int)[..., 2]
    assert np.median(diff) == 150  # R - B of the output kept where nothing clipped
    with pytest.raises(ValueError):
        ToneAnchor(np.arange(256.0)[::-1])  # an inverting curve is refused


def test_anchored_render_follows_a_brightening_source(tmp_path):
    clip = tmp_path / "ramp.mp4"
    make_clip(clip, frames=8, audio=False)
    frames = list(video.read_frames(clip))
    ramp = [np.clip(f.astype(np.float32) * (0.5 + 0.1 * i), 0, 255).astype(np.uint8) for i, f in enumerate(frames)]
    import av

    with av.open(str(tmp_path / "bright.mp4"), "w") as out:
        s = out.add_stream("libx264", rate=12, options={"crf": "0"})
        s.width, s.height, s.pix_fmt = 64, 48, "yuv444p"
        for f in ramp:
            out.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(s.encode())
    torch.manual_seed(0)
    look = Look(TransformerNet(width=4, depth=1))  # instance norm: its output's brightness ignores the source's
    drift = {}
    for tone in ("none", "anchor"):
        dst = tmp_path / f"{tone}.mp4"
        render_video(look, tmp_path / "bright.mp4", dst, RenderOptions(tone=tone, temporal="none"))
        src_means = [mean_luma(f) for f in video.read_frames(tmp_path / "bright.mp4")]
        out_means = [mean_luma(f) for f in video.read_frames(dst)]
        drift[tone] = tone_drift(src_means, out_means)
    assert drift["none"] > 10 and drift["anchor"] < 0.5 * drift["none"], drift
