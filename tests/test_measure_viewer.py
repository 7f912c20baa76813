"""Viewer measures (filmstyle.measure.viewer) and contact sheets (filmstyle.measure.sheet): tiny arrays, hand-computed cases."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from PIL import Image

from filmstyle.measure.sheet import contact_sheet, grid_sheet, pick_frames, tile_height
from filmstyle.measure.viewer import (LookMeter, dark_blobs, dark_share, luma, palette_ratio, rank_corr, rgb_to_lab,
                                      sliced_wasserstein, spearman, ssim, tone_drift, trim_bars)


def textured(seed: int, h: int = 48, w: int = 64, lo: int = 70, hi: int = 180) -> np.ndarray:
    """(h, w, 3) uint8 frame: a smooth gradient plus noise, every channel within [lo, hi]."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:h, 0:w]
    base = lo + (hi - lo) * (0.5 * xs / (w - 1) + 0.3 * ys / (h - 1))
    img = base[..., None] + rng.uniform(0, 0.2 * (hi - lo), size=(h, w, 3))
    return np.clip(img, lo, hi).astype(np.uint8)


def test_luma_is_bt709() -> None:
    px = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], np.uint8)
    assert luma(px)[0] == pytest.approx([54.213, 182.376, 18.411, 0.2126 * 10 + 0.7152 * 20 + 0.0722 * 30], abs=1e-3)
    assert luma(px).dtype == np.float32 and luma(px).shape == (1, 4)


def test_identical_frames_are_perfect() -> None:
    still = textured(9)
    meter = LookMeter(still)
    for t in range(5):
        f = textured(t)
        assert ssim(f, f) == pytest.approx(1.0, abs=1e-12)
        assert rank_corr(f, f) == pytest.approx(1.0, abs=1e-12)
        assert dark_blobs(f, f) == 0.0
        meter.update(f, f.copy())
    r = meter.result()
    assert r.frames == 5
    assert r.tone_drift == pytest.approx(0.0, abs=1e-9) and r.mean_offset == pytest.approx(0.0, abs=1e-9)
    assert r.ssim_mean == pytest.approx(1.0, abs=1e-12) and r.ssim_min == pytest.approx(1.0, abs=1e-12)
    assert r.min_rank_corr == pytest.approx(1.0, abs=1e-12) and r.inverted_frames == 0
    assert r.dark_blobs_max == 0.0 and r.dark_blobs_mean == 0.0
    assert r.palette_ratio == pytest.approx(1.0, abs=1e-12)  # output = source, same reservoir pixels


def test_inverted_output_has_rank_corr_minus_one() -> None:
    src = textured(1)
    inv = 255 - src
    assert rank_corr(src, inv) == pytest.approx(-1.0, abs=1e-6)
    meter = LookMeter(textured(2))
    meter.update(src, src)
    meter.update(src, inv)
    r = meter.result()
    assert r.min_rank_corr == pytest.approx(-1.0, abs=1e-6) and r.inverted_frames == 1


def test_spearman_with_ties_hand_computed() -> None:
    # ranks a = 0 1 2 3, b = 0.5 0.5 2 3: r = 4.5 / sqrt(5 * 4.5)
    assert spearman(np.array([1, 2, 3, 4.0]), np.array([1, 1, 2, 3.0])) == pytest.approx(4.5 / math.sqrt(22.5))
    assert math.isnan(spearman(np.ones(4), np.arange(4.0)))


def test_tone_drift_hand_computed() -> None:
    # (out - out0) - (src - src0): 0, -10, 0 -> 10
    assert tone_drift([100, 110, 120], [50, 50, 70]) == pytest.approx(10.0)
    assert tone_drift([100], [3]) == 0.0
    with pytest.raises(ValueError):
        tone_drift([1, 2], [1])


def test_growing_offset_gives_known_drift() -> None:
    """Output = source + 5 t (no clipping: source in 70..180): drift 5 (N - 1), mean offset 5 (N - 1) / 2."""
    meter = LookMeter(textured(9))
    n = 5
    for t in range(n):
        src = textured(t)
        meter.update(src, (src.astype(np.int16) + 5 * t).astype(np.uint8))
    r = meter.result()
    assert r.tone_drift == pytest.approx(5.0 * (n - 1), abs=1e-3)
    assert r.drift_frame == n - 1
    assert r.mean_offset == pytest.approx(5.0 * (n - 1) / 2, abs=1e-3)
    assert r.min_rank_corr == pytest.approx(1.0, abs=1e-9)


def test_output_that_ignores_source_brightening_drifts() -> None:
    """Source brightens by 10 a frame while the output stays the same: drift 10 (N - 1)."""
    meter = LookMeter(textured(9))
    out = textured(0, lo=70, hi=120)
    for t in range(4):
        meter.update((out.astype(np.int16) + 10 * t).astype(np.uint8), out)
    assert meter.result().tone_drift == pytest.approx(30.0, abs=1e-3)


def test_black_blob_fraction() -> None:
    src = textured(3, h=64, w=64)  # luma > 60 everywhere
    out = src.copy()
    out[8:24, 16:32] = 0  # 16 x 16 of 64 x 64
    assert dark_blobs(src, out) == pytest.approx(256 / 4096)
    # a still with black letterbox bars (trimmed) and its own dark share 64 / (48 * 64) = 1 / 48
    still = np.full((64, 64, 3), 200, np.uint8)
    still[:8] = still[-8:] = 0
    still[20:28, 10:18] = 5
    assert trim_bars(still).shape == (48, 64, 3)
    assert dark_share(still) == pytest.approx(1 / 48)
    assert dark_blobs(src, out, dark_share(still)) == pytest.approx(256 / 4096 - 1 / 48)
    assert dark_blobs(src, out, 0.5) == 0.0  # clipped at 0
    # dark where the source is dark too is not a blob
    src2 = src.copy()
    src2[8:24, 16:32] = 20
    assert dark_blobs(src2, out) == 0.0
    meter = LookMeter(still)
    meter.update(src, src)
    meter.update(src, out)
    r = meter.result()
    assert r.dark_blobs_max == pytest.approx(256 / 4096 - 1 / 48)
    assert r.dark_blobs_mean == pytest.approx((256 / 4096 - 1 / 48) / 2)


def test_trim_bars_pillarbox_and_all_dark() -> None:
    img = np.full((32, 40, 3), 120, np.uint8)
    img[:, :5] = 3
    img[:, -7:] = 0
    assert trim_bars(img).shape == (32, 28, 3)
    black = np.zeros((16, 16, 3), np.uint8)
    assert trim_bars(black).shape == black.shape


def test_ssim_of_flat_frames_hand_computed() -> None:
    """Two flat images a, b: SSIM = (2ab + C1) / (a^2 + b^2 + C1) (the contrast term is C2 / C2)."""
    a = np.full((32, 32, 3), 100, np.uint8)
    b = np.full((32, 32, 3), 150, np.uint8)
    c1 = (0.01 * 255) ** 2
    assert ssim(a, b) == pytest.approx((2 * 100 * 150 + c1) / (100**2 + 150**2 + c1), abs=1e-6)


def test_ssim_resizes_output_and_drops_with_noise() -> None:
    src = textured(4, h=32, w=48)
    big = cv2.resize(src, (96, 64), interpolation=cv2.INTER_NEAREST)  # area-shrinks back to src exactly
    assert ssim(src, big) == pytest.approx(1.0, abs=1e-12)
    noisy = np.clip(src + np.random.default_rng(0).normal(0, 40, src.shape), 0, 255).astype(np.uint8)
    assert ssim(src, noisy) < 0.6


def test_lab_matches_opencv() -> None:
    rng = np.random.default_rng(0)
    rgb = rng.random((20, 30, 3)).astype(np.float32)
    rgb[0, :8] = [[0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5], [0.01, 0.02, 0.03], [1, 1, 0]]
    ours = rgb_to_lab(rgb)
    ref = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
    # OpenCV's float path interpolates the sRGB curve and rounds a*, b* to 1/64 or so: 0.3 Lab units apart at worst
    assert np.abs(ours - ref).max() < 0.5 and np.abs(ours - ref).mean() < 0.1
    assert ours[0, 2] == pytest.approx([53.2408, 80.0925, 67.2032], abs=2e-3)  # sRGB red, published D65 value
    assert ours[0, 1] == pytest.approx([100, 0, 0], abs=1e-3)  # D65 white
    assert rgb_to_lab(np.array([[[255, 255, 255]]], np.uint8))[0, 0] == pytest.approx([100, 0, 0], abs=1e-3)


def test_sliced_wasserstein() -> None:
    pts = np.random.default_rng(1).normal(size=(500, 3)) * 10
    assert sliced_wasserstein(pts, pts) == 0.0
    # a shift by v moves every projection by d.v: the mean of |d.v| over random directions ~ |v| / 2
    shift = sliced_wasserstein(pts, pts + [30.0, 0, 0])
    assert 0.4 * 30 < shift < 0.6 * 30
    assert sliced_wasserstein(pts, pts[:100]) < 3.0  # sets of different sizes: quantiles


def test_palette_ratio() -> None:
    still = np.zeros((48, 64, 3), np.uint8)
    still[..., 1] = np.random.default_rng(5).integers(60, 120, (48, 64))  # greenish
    src = np.zeros((48, 64, 3), np.uint8)
    src[..., 0] = np.random.default_rng(6).integers(150, 250, (48, 64))  # reds
    src[..., 2] = 200
    assert palette_ratio(src, still, still) == pytest.approx(0.0, abs=1e-12)
    assert palette_ratio(src, src, still) == pytest.approx(1.0, abs=1e-12)
    # streaming: outputs that are frames of the still's palette come near 0; the source stays at 1
    meter, same = LookMeter(still), LookMeter(still)
    for t in range(6):
        out = np.roll(still, 7 * t, axis=1)
        meter.update(src, out)
        same.update(src, src)
    assert meter.result().palette_ratio < 0.1
    assert same.result().palette_ratio == pytest.approx(1.0, abs=1e-12)


def test_meter_memory_is_bounded_and_reservoir_spans_the_clip() -> None:
    meter = LookMeter(textured(9), reservoir=256, pixels_per_frame=64)
    shapes = (meter._src_px.shape, meter._out_px.shape)
    for t in range(60):
        f = np.full((16, 16, 3), t, np.uint8)  # frame t is the flat colour t
        meter.update(f, f)
    assert (meter._src_px.shape, meter._out_px.shape) == shapes == ((256, 3), (256, 3))
    values = meter._src_px[:, 0].astype(int)
    assert values.min() < 15 and values.max() > 45  # early and late frames both represented
    assert 20 < values.mean() < 40  # about uniform over 0..59
    assert (meter._src_px == meter._out_px).all()


def test_meter_needs_frames_and_checks_shapes() -> None:
    meter = LookMeter(textured(9))
    with pytest.raises(ValueError):
        meter.result()
    with pytest.raises(ValueError):
        meter.update(np.zeros((8, 8, 3), np.float32), np.zeros((8, 8, 3), np.uint8))


def test_pick_frames() -> None:
    assert pick_frames(60) == [6, 30, 53]
    assert pick_frames(1) == [0]
    assert pick_frames(2) == [0, 1]
    assert pick_frames(100, 5) == [10, 30, 50, 69, 89]
    with pytest.raises(ValueError):
        pick_frames(0)


def test_contact_sheet_size_and_atomic_write(tmp_path) -> None:
    still = textured(1, h=32, w=64)  # tile 80 x 40
    rows = [(t, textured(t, h=48, w=64), 255 - textured(t, h=48, w=64)) for t in (3, 12)]  # tiles 80 x 60
    out = contact_sheet(still, rows, tmp_path / "sheet.png", width=80, caption=["tone drift 1.0"])
    assert tile_height(still.shape, 80) == 40
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (160, 40 + 60 + 60)
        px = np.asarray(im.convert("RGB"))
    assert px[100:, 100:].mean() > 0  # output tiles pasted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.png"]  # no temporary file left
    full = contact_sheet(still, rows[:1], tmp_path / "full.png", width=40, colors=None)
    with Image.open(full) as im:
        assert im.mode == "RGB" and im.size == (80, 20 + 30)


def test_grid_sheet_puts_each_column_side_by_side(tmp_path) -> None:
    still = textured(1, h=32, w=64)
    frames = [textured(k, h=48, w=64) for k in range(4)]
    frames[2] = np.zeros_like(frames[2])  # the third column black, the others textured
    out = grid_sheet(still, ["source", "a", "b", "c"], [(5, frames)], tmp_path / "grid.png", width=40, colors=None)
    with Image.open(out) as im:
        assert im.size == (4 * 40, 20 + 30)
        px = np.asarray(im.convert("RGB")).astype(int)
    assert px[35:, 80:120].max() < 30 < px[35:, 120:160].mean()  # under its label, column 2 is the black one
    with pytest.raises(ValueError, match="one frame per column"):
        grid_sheet(still, ["source", "a"], [(5, frames)], tmp_path / "bad.png", width=40)
    assert not (tmp_path / "bad.png").exists()


def test_grid_sheet_keeps_every_caption_line(tmp_path) -> None:
    still = textured(1, h=32, w=64)  # a 20 px tile: room for one line of text, not eight
    frames = [textured(k, h=48, w=64) for k in range(2)]
    caption = [f"method {k}: 1.00x" for k in range(8)]
    out = grid_sheet(still, ["a", "b"], [(5, frames)], tmp_path / "grid.png", width=40, caption=caption, colors=None)
    with Image.open(out) as im:
        top = im.size[1] - 30  # the frame row is 30 px
        px = np.asarray(im.convert("RGB")).astype(int)
    assert top > 8 * 10  # the top row grew to hold the caption
    assert px[top - 15:top, 46:].max() > 200  # the last line is drawn, inside the top row


def test_eval_command_reports_what_a_viewer_sees_and_writes_a_sheet(tmp_path, capsys):
    from PIL import Image

    from filmstyle._cli import main
    from tests.conftest import make_clip

    src = make_clip(tmp_path / "src.mp4", frames=6, audio=False)
    still = tmp_path / "still.png"
    Image.fromarray(np.full((64, 80, 3), (40, 90, 160), np.uint8)).save(still)
    sheet = tmp_path / "sheet.png"
    assert main(["-q", "eval", str(src), str(src), "--flow", "dis", "--still", str(still), "--sheet", str(sheet)]) == 0
    out = capsys.readouterr().out
    assert "tone drift 0.0/255" in out and "0 inverted frame(s)" in out and "structure SSIM 1.00" in out
    with Image.open(sheet) as im:
        assert im.width == 2 * 320 and im.height > 3 * 200  # the still, then three rows of frames
    assert main(["-q", "eval", str(src), str(src), "--sheet", str(sheet)]) == 2  # a sheet needs the still
