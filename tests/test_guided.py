"""Guided upsampling (render --detail source): a look carried from the working size to full size."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from filmstyle.core.guided import guided_coefficients, guided_upsample, luma_plane


def _frame(seed: int = 0, size: tuple[int, int] = (96, 160)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    smooth = cv2.resize(rng.integers(30, 220, (6, 10, 3), dtype=np.uint8), size[::-1], interpolation=cv2.INTER_CUBIC)
    return np.clip(smooth.astype(int) + rng.integers(-25, 26, smooth.shape), 0, 255).astype(np.uint8)  # plus grain


def test_a_look_affine_in_the_luma_is_carried_exactly_with_the_full_size_detail():
    frame = _frame()
    small = cv2.resize(frame, (80, 48), interpolation=cv2.INTER_AREA)
    gains, offsets = np.array([0.9, 0.6, 0.3]), np.array([20.0, 40.0, 90.0])  # a warm, low-contrast look

    def look(f):
        return np.clip(luma_plane(f)[..., None] * gains + offsets, 0, 255).round().astype(np.uint8)

    out = guided_upsample(small, look(small), frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - look(frame)).mean() < 1.5  # the footage's grain is kept, in the look's colours
    plain = cv2.resize(look(small), (160, 96), interpolation=cv2.INTER_LINEAR)
    assert np.abs(plain.astype(int) - look(frame)).mean() > 5  # what scaling up alone loses


def test_same_size_returns_the_output_and_bad_shapes_are_refused():
    frame = _frame(1)
    out = 255 - frame
    assert guided_upsample(frame, out, frame) is out
    with pytest.raises(ValueError):
        guided_coefficients(frame, out[:10])
