"""The LUT in 4:2:0 Y'CbCr (filmstyle.lut.yuv) against the RGB lookup it replaces."""
from __future__ import annotations

import numpy as np
import pytest

from filmstyle.core.colour import MATRIX_KR_KB
from filmstyle.lut.lut3d import LUT3D, packed_table
from filmstyle.lut.yuv import apply_yuv420, yuv_tables


def _warm(x: np.ndarray) -> np.ndarray:
    return np.stack([0.05 + 0.9 * x[:, 0] ** 0.8, x[:, 1] ** 1.2, 0.1 + 0.6 * x[:, 2]], axis=1)


WARM = LUT3D.from_function(_warm, 17)


def _rgb_to_yuv(rgb: np.ndarray, matrix: int, full: bool) -> np.ndarray:
    """Float RGB 0..255 -> float codes Y', Cb, Cr of that matrix and range."""
    kr, kb = MATRIX_KR_KB[matrix]
    x = rgb / 255.0
    y = kr * x[..., 0] + (1 - kr - kb) * x[..., 1] + kb * x[..., 2]
    cb, cr = (x[..., 2] - y) / (2 * (1 - kb)), (x[..., 0] - y) / (2 * (1 - kr))
    if full:
        return np.stack([255 * y, 128 + 255 * cb, 128 + 255 * cr], -1)
    return np.stack([16 + 219 * y, 128 + 224 * cb, 128 + 224 * cr], -1)


def _yuv_to_rgb(yuv: np.ndarray, matrix: int, full: bool) -> np.ndarray:
    kr, kb = MATRIX_KR_KB[matrix]
    if full:
        y, cb, cr = yuv[..., 0] / 255, (yuv[..., 1] - 128) / 255, (yuv[..., 2] - 128) / 255
    else:
        y, cb, cr = (yuv[..., 0] - 16) / 219, (yuv[..., 1] - 128) / 224, (yuv[..., 2] - 128) / 224
    r, b = y + 2 * (1 - kr) * cr, y + 2 * (1 - kb) * cb
    g = (y - kr * r - kb * b) / (1 - kr - kb)
    return 255 * np.stack([r, g, b], -1)


def _frame(matrix: int, full: bool, size: tuple[int, int] = (8, 12), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A yuv420p frame (planes) whose 2x2 blocks are each one colour, and its (H, W, 3) float codes."""
    rng = np.random.default_rng(seed)
    h, w = size
    blocks = rng.uniform(20, 235, (h // 2, w // 2, 3))  # in gamut, every channel
    codes = np.rint(_rgb_to_yuv(blocks, matrix, full))
    pixels = codes.repeat(2, 0).repeat(2, 1)
    planes = np.concatenate([pixels[..., 0].reshape(-1), codes[..., 1].reshape(-1), codes[..., 2].reshape(-1)])
    return planes.astype(np.uint8).reshape(-1, w), pixels


def _split(planes: np.ndarray) -> np.ndarray:
    """yuv420p planes -> (H, W, 3) codes, chroma repeated over its blocks."""
    w = planes.shape[1]
    h = planes.shape[0] * 2 // 3
    chroma = planes[h:].reshape(2, h // 2, w // 2).repeat(2, 1).repeat(2, 2)
    return np.dstack([planes[:h], chroma[0], chroma[1]]).astype(float)


@pytest.mark.parametrize(("matrix", "full"), [(1, False), (6, False), (6, True), (9, False)])
def test_each_pixel_gets_the_rgb_lookup_of_its_colour_in_bt709(matrix, full):
    planes, codes = _frame(matrix, full)
    rgb = np.clip(np.rint(_yuv_to_rgb(codes, matrix, full)), 0, 255).astype(np.uint8)
    want = _rgb_to_yuv(WARM.apply_uint8(rgb).astype(float), 1, False)  # filmstyle writes BT.709 limited
    got = _split(apply_yuv420(yuv_tables(packed_table(WARM), *MATRIX_KR_KB[matrix], full_range=full), planes))
    assert np.abs(got - want).max() <= 1.0  # the output's rounding only
    assert np.abs(got - codes).mean() > 5  # and the LUT did change the colours


def test_the_identity_lut_gives_bt709_limited_sources_back():
    planes, _ = _frame(1, False, size=(16, 20), seed=1)
    same = yuv_tables(packed_table(LUT3D.identity(9)), *MATRIX_KR_KB[1], full_range=False)
    assert np.abs(apply_yuv420(same, planes).astype(int) - planes).max() <= 1


def test_two_threads_give_the_one_threads_frame():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(2)
    planes = rng.integers(16, 236, (30, 8), dtype=np.uint8)  # 20 rows of luma, any chroma
    tables = yuv_tables(packed_table(WARM), *MATRIX_KR_KB[1], full_range=False)
    with ThreadPoolExecutor(2) as pool:
        np.testing.assert_array_equal(apply_yuv420(tables, planes, pool=pool), apply_yuv420(tables, planes))


@pytest.mark.parametrize("shape", [(10, 8), (12, 7), (4, 4)])
def test_frames_that_are_not_even_yuv420p_are_refused(shape):
    tables = yuv_tables(packed_table(LUT3D.identity(2)), *MATRIX_KR_KB[1], full_range=False)
    with pytest.raises(ValueError, match="yuv420p"):
        apply_yuv420(tables, np.zeros(shape, np.uint8))
