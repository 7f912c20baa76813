"""The tone anchor (render --tone anchor): monotone curves, the luma tied to the source's, and a
render whose brightness follows a brightening source although the network's does not."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from filmstyle.core import video
from filmstyle.core.config import RenderOptions
from filmstyle.core.errors import InputError
from filmstyle.grading.tone import DETAIL_FLOOR, GradedDetail, ToneAnchor, limit_detail, limit_slope, luma, tone_curve
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


# --- tone grade (the default) ----------------------------------------------------------------------


def _ramp_clip(path, frames, gains):
    import av

    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=12, options={"crf": "0"})
        s.width, s.height, s.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv444p"
        for f, g in zip(frames, gains):
            out.mux(s.encode(av.VideoFrame.from_ndarray(np.clip(f.astype(np.float32) * g, 0, 255).astype(np.uint8),
                                                         format="rgb24")))
        out.mux(s.encode())
    return path


def _still(colour=(60, 110, 200)):
    rng = np.random.default_rng(3)
    return np.clip(rng.normal(colour, 30, (40, 60, 3)), 0, 255).astype(np.uint8)


def test_mk_gain_limit_bounds_the_stretch_of_a_flat_source():
    from filmstyle.lut.transfer import mk

    rng = np.random.default_rng(0)
    flat = 0.5 + rng.normal(0, 0.01, (4000, 3))  # fog: almost no variance
    contrasty = rng.uniform(0, 1, (4000, 3))
    free, limited = mk(flat, contrasty), mk(flat, contrasty, max_gain=2.0)
    assert free(flat).std(0).min() > 10 * flat.std(0).max()  # unlimited: the fog's noise stretched ~30x
    assert limited(flat).std(0).max() <= 2.0 * flat.std(0).max() * 1.05
    assert np.allclose(limited(flat).mean(0), contrasty.mean(0), atol=1e-6)  # the mean still moves
    with pytest.raises(ValueError):
        mk(flat, contrasty, max_gain=0.5)


def test_mk_gain_floor_bounds_the_flattening_of_a_contrasty_source():
    from filmstyle.lut.transfer import mk

    rng = np.random.default_rng(1)
    contrasty = rng.uniform(0, 1, (4000, 3))
    fog = 0.5 + rng.normal(0, 0.01, (4000, 3))
    default, deep = mk(contrasty, fog, max_gain=2.0), mk(contrasty, fog, max_gain=2.0, min_gain=0.25)
    ratio = lambda t: t(contrasty).std(0) / contrasty.std(0)  # noqa: E731
    assert np.allclose(ratio(default), 0.5, atol=0.03)  # floor 1 / max_gain by default
    assert np.allclose(ratio(deep), 0.25, atol=0.03)  # a lower floor lets it go further toward the fog
    assert np.allclose(ratio(mk(contrasty, fog, min_gain=0.0)), fog.std(0) / contrasty.std(0), rtol=0.1)
    for lo, hi in ((1.5, 2.0), (-0.1, 2.0), (0.5, 0.9)):
        with pytest.raises(ValueError):
            mk(contrasty, fog, max_gain=hi, min_gain=lo)


def test_graded_detail_is_the_grade_plus_only_the_networks_detail():
    from filmstyle.grading.tone import GradedDetail

    rng = np.random.default_rng(2)
    src = rng.integers(40, 200, (72, 96, 3), dtype=np.uint8)
    grade = lambda f: np.clip(f.astype(np.int32) + 20, 0, 255).astype(np.uint8)  # noqa: E731
    flat = np.full_like(src, 90)  # a network output with no detail: only the grade is left
    assert np.array_equal(GradedDetail(grade)(src, flat), grade(src))
    stripes = np.full_like(src, 128)
    stripes[:, ::2] = 168  # detail far finer than the blur, around a flat brightness the grade replaces
    out = GradedDetail(grade)(src, stripes).astype(np.float32) - grade(src)
    assert abs(out.mean()) < 2 and out[:, ::2].mean() > 15 and out[:, 1::2].mean() < -15


def test_a_black_and_white_grade_stays_grey_under_coloured_detail():
    from filmstyle.grading.tone import GradedDetail

    rng = np.random.default_rng(6)
    src = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    grey = lambda f: np.repeat(luma(f).round().astype(np.uint8)[..., None], 3, axis=2)  # noqa: E731
    colour = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)  # a network output full of coloured detail
    out = GradedDetail(grey, neutral=True)(src, colour).astype(int)
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    assert not np.array_equal(out, grey(src).astype(int))  # the detail is there, as luma


def test_exposure_lock_sets_the_mean_and_keeps_black():
    from filmstyle.grading.tone import ExposureLock

    rng = np.random.default_rng(4)
    src = rng.integers(60, 190, (48, 64, 3), dtype=np.uint8)
    src[:8] = 0
    out = np.clip(src.astype(np.int32) - 15, 0, 255).astype(np.uint8)  # black rows stay black
    locked = ExposureLock(offset=10.0)(src, out)
    assert mean_luma(locked) == pytest.approx(mean_luma(src) + 10.0, abs=1.0)
    assert locked[:8].max() == 0
    from filmstyle.measure.viewer import spearman

    assert spearman(luma(locked).ravel(), luma(out).ravel()) > 0.999  # no tone inverted
    far = ExposureLock(offset=-200.0)(src, out)  # more than the lock may move: bounded, still monotone
    assert spearman(luma(far).ravel(), luma(out).ravel()) > 0.999 and mean_luma(far) > mean_luma(out) - 61


def test_picture_box_finds_letterbox_bars():
    from filmstyle.grading.tone import box_slices, picture_box

    rng = np.random.default_rng(5)
    frames = [rng.integers(30, 220, (60, 80, 3), dtype=np.uint8) for _ in range(3)]
    for f in frames:
        f[:9], f[51:] = 0, 0
    frames[1][5:40] = 0  # a dark frame alone does not make bars
    box = picture_box(frames)
    assert box == pytest.approx((9 / 60, 51 / 60, 0.0, 1.0))
    rows, cols = box_slices((120, 160, 3), box)  # the same fractions at another size
    assert (rows.start, rows.stop, cols.start, cols.stop) == (18, 102, 0, 160)
    assert picture_box([np.zeros((8, 8, 3), np.uint8)]) == (0.0, 1.0, 0.0, 1.0)


@pytest.mark.parametrize("temporal", ["none", "blend"])
def test_graded_render_follows_the_source_keeps_bars_and_moves_toward_the_still(tmp_path, temporal):
    from filmstyle.measure.viewer import palette_ratio

    clip = make_clip(tmp_path / "c.mp4", frames=8, size=(64, 48), audio=False)
    frames = list(video.read_frames(clip))
    for f in frames:
        f[:6], f[42:] = 0, 0  # letterbox bars
    gains = [0.6 + 0.08 * i for i in range(8)]
    src = _ramp_clip(tmp_path / "bright.mp4", frames, gains)
    torch.manual_seed(0)
    still = _still()
    look = Look(TransformerNet(width=4, depth=1), still=still)
    drift = {}
    for tone in ("none", "grade"):
        dst = tmp_path / f"{tone}.mp4"
        render_video(look, src, dst, RenderOptions(tone=tone, temporal=temporal))
        s, o = list(video.read_frames(src)), list(video.read_frames(dst))
        drift[tone] = tone_drift([mean_luma(f) for f in s], [mean_luma(f) for f in o])
        if tone == "grade":
            assert max(max(mean_luma(f[:4]), mean_luma(f[44:])) for f in o) < 6  # bars stay black (codec aside)
            assert palette_ratio(s[4][6:42], o[4][6:42], still) < 0.8
    assert drift["grade"] < 2.0 and drift["grade"] < 0.3 * drift["none"], drift


def test_look_keeps_its_still_and_old_looks_render_with_the_anchor(tmp_path):
    from filmstyle.look import load_look
    from filmstyle.render import make_stylizer

    still = _still()
    Look(TransformerNet(width=4, depth=1), still=still).save(tmp_path / "a.look")
    assert np.array_equal(load_look(tmp_path / "a.look").still, still)
    Look(TransformerNet(width=4, depth=1)).save(tmp_path / "old.look")
    old = load_look(tmp_path / "old.look")
    assert old.still is None
    clip = make_clip(tmp_path / "c.mp4", frames=3, audio=False)
    fallback = make_stylizer(old, clip, RenderOptions())  # the default tone "grade" needs the still
    assert fallback.tone is not None and fallback.graded is None
    graded = make_stylizer(load_look(tmp_path / "a.look"), clip, RenderOptions())
    assert graded.graded is not None and graded.lock is not None and graded.tone is None


def test_graded_image_keeps_the_source_structure(tmp_path):
    from filmstyle.core.image import load_image, save_image, from_array, to_array
    from filmstyle.measure.viewer import ssim
    from filmstyle.render import stylize_image

    frame = next(video.read_frames(make_clip(tmp_path / "c.mp4", frames=1, size=(96, 72), audio=False)))
    save_image(from_array(frame), tmp_path / "in.png")
    torch.manual_seed(0)
    look = Look(TransformerNet(width=4, depth=1), still=_still())
    out = {tone: to_array(load_image(stylize_image(look, tmp_path / "in.png", tmp_path / f"{tone}.png",
                                                   RenderOptions(tone=tone)))) for tone in ("none", "grade")}
    assert ssim(frame, out["grade"]) > ssim(frame, out["none"])
    assert not np.array_equal(out["grade"], frame)


def test_blending_carries_only_the_detail_so_a_fade_leaves_no_ghost(tmp_path):
    """A bright square fades into flat grey over 6 frames: with --tone grade the first all-grey frame
    is the grade of grey plus a little of the network's decaying detail, not the square held over
    (blending the whole composite, as before, left luma std 19 there; the detail alone 7)."""
    from filmstyle.temporal.blend import TemporalBlender

    pic = np.full((48, 64, 3), 60, np.uint8)
    pic[8:40, 16:48] = 220
    grey = np.full_like(pic, 128)
    fade = [np.clip(pic * (1 - t / 6) + grey * (t / 6), 0, 255).astype(np.uint8) if t < 6 else grey for t in range(10)]
    src = _ramp_clip(tmp_path / "fade.mp4", fade, [1.0] * len(fade))
    torch.manual_seed(0)
    look = Look(TransformerNet(width=4, depth=1), still=_still())
    render_video(look, src, tmp_path / "out.mp4", RenderOptions(temporal="blend"))
    outs = list(video.read_frames(tmp_path / "out.mp4"))
    assert luma(outs[0]).std() > 30 and luma(outs[6]).std() < 10

    frames = list(video.read_frames(src))
    b = TemporalBlender(method="dis")
    layer = np.random.default_rng(0).normal(0, 20, frames[0].shape).astype(np.float32)
    out = b(frames[0], layer)
    assert out.dtype == np.float32 and np.array_equal(out, layer) and out.min() < 0  # signed, unclipped


def test_detail_limit_keeps_texture_where_the_footage_has_some_and_invents_none_where_it_is_flat():
    rng = np.random.default_rng(0)
    h, w = 64, 128
    source = np.full((h, w, 3), 128.0, np.float32)
    source[:, w // 2:] += rng.normal(0, 20, (h, w // 2, 1))  # the right half textured, the left flat (fog)
    fine = rng.normal(0, 10, (h, w, 3)).astype(np.float32)  # the network's detail everywhere
    kept = limit_detail(fine, source, 2.0, 2.0)
    flat, textured = kept[:, 8:w // 2 - 16], kept[:, w // 2 + 16:-8]
    assert np.sqrt((flat ** 2).mean()) < 1.5 * DETAIL_FLOOR  # the fog gets no more than grain
    assert np.allclose(textured, fine[:, w // 2 + 16:-8])  # within 2x the footage's own: untouched
    assert np.array_equal(np.sign(kept), np.sign(fine))  # only scaled down, never changed in kind


def test_render_detail_limit_calms_a_flat_clip(tmp_path):
    clip = make_clip(tmp_path / "flat.mp4", frames=6, moving=False)
    look = Look(TransformerNet(width=4, depth=1), still=np.full((32, 32, 3), (90, 120, 160), np.uint8))
    outs = {}
    for k in (0.0, 0.5):
        dst = tmp_path / f"out_{k}.mp4"
        render_video(look, clip, dst, RenderOptions(detail_limit=k, temporal="none"))
        outs[k] = np.stack(list(video.read_frames(dst))).astype(float)
    detail = {k: np.abs(o - np.median(o, axis=(1, 2), keepdims=True)).mean() for k, o in outs.items()}
    assert detail[0.5] < detail[0.0]
    with pytest.raises(InputError, match="--detail-limit must be 0"):
        RenderOptions(detail_limit=-1.0)


def test_detail_of_a_smaller_output_is_scaled_up_to_the_source():
    from filmstyle.grading.tone import GradedDetail

    rng = np.random.default_rng(4)
    src = rng.integers(40, 200, (360, 480, 3), dtype=np.uint8)
    small = np.full((180, 240, 3), 128, np.uint8)
    small[:, :120] = 200  # an edge: detail on the small output's scale (sigma 2 px there)
    base, fine = GradedDetail(lambda f: f)(src, small), GradedDetail(lambda f: f).layers(src, small)[1]
    assert base.shape == fine.shape == src.shape
    assert fine[:, 232:240].mean() > 5 and fine[:, 240:248].mean() < -5  # the edge lands at the middle, scaled up
    assert np.abs(fine[:, :200]).max() < 0.5 and np.abs(fine[:, 280:]).max() < 0.5


class _Spy(torch.nn.Module):
    """A network that records its input sizes and outputs flat grey (no detail)."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes = []

    def forward(self, x):
        self.sizes.append(tuple(x.shape[-2:]))
        return torch.full_like(x, 0.5)


def test_network_side_runs_the_network_small_and_keeps_the_graded_picture_full_size(tmp_path):
    from filmstyle.core.errors import InputError
    from filmstyle.render import FrameStylizer, grade_frames

    rng = np.random.default_rng(5)
    frame = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    outs = {}
    for side in (None, 45):
        spy = _Spy()
        stylizer = FrameStylizer(spy, RenderOptions(network_side=side))
        grade_frames(stylizer, Look(TransformerNet(width=2, depth=1), still=_still()), [frame])
        outs[side] = stylizer(frame)
        assert min(spy.sizes[-1]) == (90 if side is None else 45)
    assert outs[45].shape == frame.shape
    assert np.abs(outs[45].astype(int) - outs[None]).max() <= 1  # no detail: both are the graded frame
    spy = _Spy()
    FrameStylizer(spy, RenderOptions(network_side=45, detail="network"))(frame)
    assert spy.sizes[-1] == (90, 160)  # --detail network: the working side does not apply
    for bad in ({"network_side": 8}, {"detail": "fine"}):
        with pytest.raises(InputError):
            RenderOptions(**bad)


class _Invert(torch.nn.Module):
    """A network that records its input sizes and inverts the colours (a look with a colour and no texture)."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes = []

    def forward(self, x):
        self.sizes.append(tuple(x.shape[-2:]))
        return 1.0 - x


@pytest.mark.parametrize("tone", ["none", "anchor"])
def test_other_tones_run_the_network_at_the_working_size_and_keep_the_footage_detail(tone):
    from filmstyle.grading.tone import ToneAnchor
    from filmstyle.render import FrameStylizer

    rng = np.random.default_rng(6)
    frame = np.repeat(rng.integers(0, 256, (90, 160, 1), dtype=np.uint8), 3, axis=2)  # grey noise: all fine detail
    net = _Invert()
    stylizer = FrameStylizer(net, RenderOptions(tone=tone, network_side=45))
    if tone == "anchor":
        stylizer.tone = ToneAnchor(np.arange(256.0), mix=0.0)  # the identity curve: the source's luma back
    out = stylizer(frame)
    assert net.sizes[-1] == (45, 80) and out.shape == frame.shape
    expected = frame if tone == "anchor" else 255 - frame
    # guided upsampling carries the footage's pixel-scale noise: far closer than the small output scaled up
    import cv2

    scaled = cv2.resize(cv2.resize(expected, (80, 45), interpolation=cv2.INTER_AREA), (160, 90))
    err = np.abs(out.astype(int) - expected).mean()
    assert err < 0.4 * np.abs(scaled.astype(int) - expected).mean()


@pytest.mark.parametrize("tone", ["grade", "none"])
def test_blending_runs_at_the_working_size_and_the_render_at_full_size(tmp_path, tone):
    from filmstyle.render import make_stylizer

    src = make_clip(tmp_path / "in.mp4", frames=4, size=(160, 96))
    look = Look(TransformerNet(width=2, depth=1), still=_still())
    stylizer = make_stylizer(look, src, RenderOptions(tone=tone, network_side=48, backend="torch"))
    outs = [stylizer(f) for f in video.read_frames(src)]
    assert all(o.shape == (96, 160, 3) for o in outs)
    assert stylizer.blender._source.shape == (48, 80, 3)  # flow, masks and blending saw the working size
    assert stylizer.blender.reliable > 0.5  # and carried the previous output on the later frames


@pytest.mark.parametrize("bars", [False, True])
def test_a_render_finished_in_the_planes_is_the_rgb_render(tmp_path, monkeypatch, bars):
    """--tone grade's stages on the decoded 4:2:0 planes give what they give on the RGB frame within the
    conversions' levels; a render takes that path and keeps the source's bars code for code."""
    import av
    import cv2

    from filmstyle.lut.yuv import RGB_TO_YCBCR709, split_planes
    from filmstyle.render import make_stylizer

    # blurred: the test pattern's saturated one-pixel edges are where 4:2:0 itself differs most
    frames = [cv2.GaussianBlur(f, (0, 0), 1.5) for f in
              video.read_frames(make_clip(tmp_path / "c.mp4", frames=6, size=(64, 48), audio=False))]
    for f in frames:
        if bars:
            f[:6], f[42:] = 0, 0
    src, feed = tmp_path / "709.mp4", iter(frames)
    video.transcode(tmp_path / "c.mp4", src, lambda f: next(feed), crf=0)  # BT.709 limited, as filmstyle writes
    torch.manual_seed(0)
    look = Look(TransformerNet(width=4, depth=1), still=_still())
    stylizer = make_stylizer(look, src, RenderOptions(backend="torch", temporal="none"))
    assert stylizer.planar_for(video.probe(src)) and (stylizer.box != (0.0, 1.0, 0.0, 1.0)) == bars
    with av.open(str(src)) as c:
        decoded = list(c.decode(video=0))[3]
    rgb, yuv = video._to_rgb(decoded, None), video._to_yuv420(decoded, None)
    small = np.abs(stylizer.picture_small(yuv).astype(int) - stylizer.picture_small(rgb))
    assert small.mean() < 2.5, small.mean()  # the network's input, the same but for the chroma's upsampling (most at the bars)
    prepared = stylizer.prepare(rgb)
    out_rgb, out_planes = stylizer.finish(rgb, prepared), stylizer.finish(yuv, prepared)
    y, cb, cr = split_planes(out_planes)
    ycc = out_rgb.astype(np.float32) @ RGB_TO_YCBCR709.T + np.array([16, 128, 128], np.float32)
    assert np.abs(y - ycc[..., 0]).mean() < 1.5
    assert np.abs(cb - cv2.resize(ycc[..., 1], (32, 24), interpolation=cv2.INTER_AREA)).mean() < 2
    assert np.abs(cr - cv2.resize(ycc[..., 2], (32, 24), interpolation=cv2.INTER_AREA)).mean() < 2
    out, real, seen = tmp_path / "out.mp4", video.transcode, []
    monkeypatch.setattr(video, "transcode", lambda *a, **k: (seen.append(k["planar"]), real(*a, **k))[1])
    render_video(look, src, out, RenderOptions(backend="torch", crf=0))
    assert seen == [True]  # the render took the planar path
    with av.open(str(src)) as a, av.open(str(out)) as b:
        pairs = list(zip((f.to_ndarray() for f in a.decode(video=0)), (f.to_ndarray() for f in b.decode(video=0))))
    assert len(pairs) == 6
    if bars:
        for s, o in pairs:  # Y' rows of the bars as they were; the picture graded
            assert np.array_equal(s[:6], o[:6]) and np.array_equal(s[42:48], o[42:48])
            assert np.abs(s[6:42].astype(int) - o[6:42]).mean() > 2


def test_only_the_plain_graded_render_finishes_in_the_planes(tmp_path):
    from filmstyle.core.video import VideoInfo
    from filmstyle.lut.lut3d import LUT3D
    from filmstyle.render import FrameStylizer, LUTFrames

    look = Look(TransformerNet(width=2, depth=1), still=_still())
    info = VideoInfo(path="x.mp4", width=64, height=48, fps=12, frame_count=6, duration=0.5, audio_streams=0,
                     codec="h264")

    def stylizer(box=None, **options) -> FrameStylizer:
        s = FrameStylizer(look.net, RenderOptions(backend="torch", **options))
        s.box, s.graded = box, GradedDetail(LUTFrames(LUT3D.identity(2)))
        return s

    assert stylizer().planar_for(info) and stylizer(box=(0.1, 0.9, 0.0, 1.0)).planar_for(info)
    assert not stylizer(strength=0.5).planar_for(info) and not stylizer(codec="prores").planar_for(info)
    hooked = stylizer()
    hooked.post = lambda f: f
    assert not hooked.planar_for(info)
    assert not stylizer(box=(0.1, 0.9, 0.0, 1.0)).planar_for(replace(info, matrix=6))  # bars in BT.601: through RGB
    assert stylizer().planar_for(replace(info, matrix=6, full_range=True))  # no bars: the tables convert
