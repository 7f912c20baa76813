"""filmstyle.temporal: warping, masks, flow on a clip with known motion, the stability error, blending,
shot cuts, and the ``eval`` / ``render --temporal blend`` commands called in-process."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from filmstyle._cli import main
from filmstyle.core import video
from filmstyle.core.errors import InputError
from filmstyle.look import Look
from filmstyle.measure.stability import describe, stability, warped_sq_error
from filmstyle.nets.transformer import TransformerNet
from filmstyle.temporal import (
    CutDetector,
    TemporalBlender,
    backward_warp,
    consistency_mask,
    detect_cuts,
    flow_between,
    read_cuts_file,
    warp_array,
)
from filmstyle.temporal.cuts import cut_source
from filmstyle.temporal.masks import inconsistent, motion_boundaries, out_of_frame
from tests.conftest import SQUARE_SIZE, SQUARE_STEP, clip_frame, make_clip


def _flow(u: float, v: float, h: int = 6, w: int = 8) -> np.ndarray:
    flow = np.zeros((h, w, 2), np.float32)
    flow[..., 0], flow[..., 1] = u, v
    return flow


# --- warping -------------------------------------------------------------------------------------
def test_zero_flow_is_identity():
    img = torch.rand(2, 3, 7, 9, generator=torch.Generator().manual_seed(0))
    # exact up to the rounding of grid_sample's [-1, 1] coordinates
    torch.testing.assert_close(backward_warp(img, torch.zeros(2, 2, 7, 9)), img, rtol=0, atol=1e-6)
    img64 = img.double()
    torch.testing.assert_close(backward_warp(img64, torch.zeros(2, 2, 7, 9)), img64, rtol=0, atol=1e-14)
    arr = (img[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8)
    assert np.array_equal(warp_array(arr, _flow(0, 0, 7, 9)), arr)


@pytest.mark.parametrize("k", [1, 3])
def test_known_integer_shift_warps_back_exactly(k: int):
    a = torch.rand(1, 3, 10, 12, dtype=torch.float64, generator=torch.Generator().manual_seed(k))
    b = torch.roll(a, shifts=(1, k), dims=(2, 3))  # A's content moved k px right and 1 px down in B
    flow = torch.zeros(1, 2, 10, 12, dtype=torch.float64)
    flow[:, 0], flow[:, 1] = k, 1  # flow from A to B
    back = backward_warp(b, flow)
    # the rest samples beyond the border; float64 leaves only the rounding of [-1, 1] coordinates
    torch.testing.assert_close(back[..., :-1, :-k], a[..., :-1, :-k], rtol=0, atol=1e-14)
    arr_b = b[0].permute(1, 2, 0).float().numpy()
    back_arr = warp_array(arr_b, flow[0].permute(1, 2, 0).float().numpy())
    assert np.array_equal(back_arr[:-1, :-k], a[0].permute(1, 2, 0).float().numpy()[:-1, :-k])


def test_border_pixels_take_the_nearest_edge_value():
    img = torch.arange(12.0).reshape(1, 1, 3, 4)
    flow = torch.zeros(1, 2, 3, 4)
    flow[:, 0] = 10.0  # far to the right of every pixel
    torch.testing.assert_close(backward_warp(img, flow), img[..., -1:].expand(1, 1, 3, 4), rtol=0, atol=1e-5)


def test_warp_gradcheck_float64():
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(1, 2, 5, 6, dtype=torch.float64, generator=gen, requires_grad=True)
    # non-integer displacements that stay inside the frame: bilinear is smooth there
    flow = (torch.rand(1, 2, 5, 6, dtype=torch.float64, generator=gen) * 0.8 + 0.1).requires_grad_()
    assert torch.autograd.gradcheck(backward_warp, (img, flow), eps=1e-6, atol=1e-5)


def test_torch_and_opencv_warps_agree():
    gen = torch.Generator().manual_seed(1)
    img = torch.rand(1, 3, 16, 20, generator=gen)
    flow = torch.randn(1, 2, 16, 20, generator=gen) * 2
    ours = backward_warp(img, flow)[0].permute(1, 2, 0).numpy()
    cv = warp_array(img[0].permute(1, 2, 0).numpy(), flow[0].permute(1, 2, 0).numpy())
    assert np.abs(ours - cv).max() < 1 / 32  # OpenCV quantises bilinear weights to 1/32 px


def test_warp_rejects_bad_shapes():
    with pytest.raises(ValueError, match="flow"):
        backward_warp(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError, match="flow"):
        warp_array(np.zeros((4, 4, 3), np.float32), np.zeros((4, 5, 2), np.float32))


# --- masks ---------------------------------------------------------------------------------------
def test_consistent_zero_flow_is_reliable_everywhere():
    assert consistency_mask(_flow(0, 0), _flow(0, 0)).min() == 1.0


def test_flow_leaving_the_frame_is_unreliable():
    mask = consistency_mask(_flow(2, 0), _flow(-2, 0))  # a consistent pan by 2 px
    assert mask[:, -2:].max() == 0 and mask[:, :-2].min() == 1
    assert out_of_frame(_flow(-0.5, 0))[:, 0].all()


def test_mask_flags_the_background_a_moving_square_uncovers():
    # A square at columns 4..9 in frame t-1 moves 3 px right in frame t; background static.
    h, w, s = 16, 20, 3
    back = np.zeros((h, w, 2), np.float32)  # frame t -> t-1
    fwd = np.zeros((h, w, 2), np.float32)  # frame t-1 -> t
    back[5:11, 7:13, 0] = -s
    fwd[5:11, 4:10, 0] = s
    bad = inconsistent(back, fwd)
    uncovered = np.zeros((h, w), bool)
    uncovered[5:11, 4:7] = True  # background of frame t that the square hid in frame t-1
    assert np.array_equal(bad, uncovered)
    mask = consistency_mask(back, fwd)
    assert mask[uncovered].max() == 0
    assert motion_boundaries(back)[5:11, 12].all()  # the square's right edge, a flow jump of 3 px
    assert mask[0:3].min() == 1 and mask[13:].min() == 1  # far from the square


def test_mask_from_dis_flags_most_of_an_uncovered_strip():
    rng = np.random.default_rng(0)
    import cv2

    bg = cv2.GaussianBlur((rng.random((48, 64, 3)) * 255).astype(np.uint8), (0, 0), 1.5)
    before, after = bg.copy(), bg.copy()
    before[18:34, 10:26] = after[18:34, 18:34] = (230, 200, 40)  # a square moves 8 px right
    mask = consistency_mask(flow_between(after, before, "dis"), flow_between(before, after, "dis"))
    assert mask[19:33, 11:17].mean() < 0.5  # the uncovered strip
    assert mask[2:10, 40:60].mean() > 0.9  # static background far from it


# --- flow on a clip with known motion ------------------------------------------------------------
@pytest.mark.parametrize(("method", "tol"), [("dis", 0.25), ("farneback", 0.25), ("deepflow", 1.0)])
def test_flow_recovers_the_known_motion_of_the_square(method: str, tol: float):
    """The square moves SQUARE_STEP px right per frame. OpenCV's DeepFlow (variational only, no
    DeepMatching) under-estimates the motion of so small an object (about 1.1 of 2 px at 64x48)."""
    a, b = clip_frame(3), clip_frame(4)
    y0, x0 = (a.shape[0] - SQUARE_SIZE) // 2 + 2, SQUARE_STEP * 4 + 2  # the square's interior in b
    inner = (slice(y0, y0 + SQUARE_SIZE - 4), slice(x0, x0 + SQUARE_SIZE - 4))
    back = flow_between(b, a, method)[inner]  # frame 4 -> frame 3: (-SQUARE_STEP, 0)
    assert back.shape[-1] == 2 and back.dtype == np.float32
    assert abs(np.median(back[..., 0]) + SQUARE_STEP) < tol and abs(np.median(back[..., 1])) < 0.25


def test_flow_rejects_unknown_method_and_mismatched_frames():
    with pytest.raises(ValueError, match="unknown flow method"):
        flow_between(clip_frame(0), clip_frame(1), "raft")
    with pytest.raises(ValueError, match="size"):
        flow_between(clip_frame(0), clip_frame(1, (32, 32)))


# --- stability error -----------------------------------------------------------------------------
def test_static_clip_has_zero_stability_error(tmp_path: Path):
    clip = make_clip(tmp_path / "static.mp4", moving=False, audio=False)
    report = stability(clip, clip, flow="dis")
    # zero up to the encoder: the h264 encode of the tiny clip is not always bit-repeatable (a level on a
    # few pixels, ~1e-9 here); a moving clip's floor is ~1e-4
    assert report.e_stab < 1e-7 and report.floor < 1e-7 and len(report.pairs) == 7


def test_warped_error_by_hand():
    prev = np.zeros((2, 2, 3), np.uint8)
    cur = np.full((2, 2, 3), 51, np.uint8)  # 0.2 everywhere
    mask = np.array([[1, 1], [1, 0]], np.float32)
    err, n = warped_sq_error(prev, cur, np.zeros((2, 2, 2), np.float32), mask)
    assert err == pytest.approx(3 * 3 * 0.2 ** 2) and n == 9


def test_a_copy_of_the_source_sits_at_the_floor_and_noise_rises_above(tmp_path: Path):
    clip = make_clip(tmp_path / "moving.mp4", audio=False)
    same = stability(clip, clip, flow="dis")
    assert same.e_stab == same.floor > 0 and same.ratio == 1.0
    noisy = tmp_path / "noisy.mp4"
    rng = np.random.default_rng(0)
    video.transcode(clip, noisy, lambda f: np.clip(f + rng.normal(0, 12, f.shape), 0, 255).astype(np.uint8))
    worse = stability(clip, noisy, flow="dis")
    assert worse.ratio > 2 and worse.rmse == pytest.approx(worse.e_stab ** 0.5)
    assert worse.masked >= worse.e_stab  # the same sum over fewer values


def test_stability_resizes_a_source_of_another_size(tmp_path: Path):
    clip = make_clip(tmp_path / "a.mp4", audio=False)
    small = tmp_path / "small.mp4"
    video.transcode(clip, small, lambda f: f, size=(32, 24))
    report = stability(clip, small, flow="dis")
    assert report.resized_source and (report.width, report.height) == (32, 24)


# --- blending and cuts ---------------------------------------------------------------------------
def test_blender_blends_then_a_cut_resets_its_state():
    src = clip_frame(0)
    first, second = np.full_like(src, 200), np.full_like(src, 100)
    blender = TemporalBlender(alpha=0.5)
    assert np.array_equal(blender(src, first), first)  # nothing to blend with yet
    blended = blender(src, second)  # static source: reliable everywhere, half of each
    assert np.abs(blended.astype(int) - 150).max() <= 1
    assert np.array_equal(blender(src, second, cut=True), second)
    blender.reset()
    assert np.array_equal(blender(src, first), first)


def _textured_square(x: int) -> np.ndarray:
    """48x64 blurred noise with a flat 16 px square at column ``x`` (rows 18..33)."""
    import cv2

    rng = np.random.default_rng(0)
    frame = cv2.GaussianBlur((rng.random((48, 64, 3)) * 255).astype(np.uint8), (0, 0), 1.5)
    frame[18:34, x:x + 16] = (230, 200, 40)
    return frame


def test_blender_damps_flicker_but_not_into_uncovered_background():
    rng = np.random.default_rng(1)
    sources = [_textured_square(10 + 2 * t) for t in range(6)]
    noisy = [np.clip(s + rng.normal(0, 10, s.shape), 0, 255).astype(np.uint8) for s in sources]  # flickering "style"
    blender = TemporalBlender(alpha=0.7, scale=1.0)
    outputs = [blender(s, o) for s, o in zip(sources, noisy)]

    def flicker(frames: list[np.ndarray]) -> float:
        return sum(warped_sq_error(frames[t - 1], frames[t], flow_between(sources[t], sources[t - 1]),
                                   np.ones((48, 64), np.float32))[0] for t in range(1, 6))

    assert flicker(outputs) < 0.5 * flicker(noisy)
    # the square moved 8 px right in one step: its old place shows background, not a ghost of the square
    blender.reset()
    blender(_textured_square(10), _textured_square(10))
    out = blender(_textured_square(18), _textured_square(18))[19:33, 11:17].astype(float)
    background = _textured_square(18)[19:33, 11:17].astype(float)
    towards_square = np.array([230.0, 200.0, 40.0]) - background
    pull = ((out - background) * towards_square).sum(-1).mean() / np.square(towards_square).sum(-1).mean()
    assert pull < 0.2  # unmasked blending would pull alpha = 0.7 of the way to the square's colour


def test_blender_carries_the_previous_output_along_the_flow_without_a_new_frame():
    sources = [_textured_square(10 + 2 * t) for t in range(3)]
    blender = TemporalBlender(alpha=0.5, scale=1.0)
    with pytest.raises(ValueError, match="nothing to carry"):
        blender(sources[0], None)
    first = blender(sources[0], sources[0])  # a "look" that is the source itself
    carried = blender(sources[1], None)  # moved 2 px: the square comes along, not a blend with anything new
    assert carried.dtype == np.uint8 and blender.reliable > 0.9
    moved = np.zeros((48, 64), bool)
    moved[20:32, 10:12] = moved[20:32, 26:28] = True  # the square left the first strip and covered the second

    def off(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a[moved].astype(int) - b[moved].astype(int)).mean())

    assert off(carried, sources[1]) < 25 and off(carried, first) > 3 * off(carried, sources[1])  # edges: ~10-20 levels
    with pytest.raises(ValueError, match="a cut"):
        blender(sources[2], None, cut=True)
    detail = TemporalBlender(scale=1.0)
    detail(sources[0], np.full((48, 64, 3), -3.0, np.float32))
    assert detail(sources[0], None).dtype == np.float32 and np.allclose(detail(sources[0], None), -3.0)


def test_blender_rejects_bad_settings_and_frames():
    with pytest.raises(ValueError, match="alpha"):
        TemporalBlender(alpha=1.0)
    with pytest.raises(ValueError, match="uint8"):
        TemporalBlender()(clip_frame(0), clip_frame(0).astype(np.float64))  # float32 is a signed layer; others refused
    with pytest.raises(ValueError, match="uint8"):
        TemporalBlender()(clip_frame(0).astype(np.float32), clip_frame(0).astype(np.float32))


def _two_shots(tmp_path: Path) -> Path:
    """20 frames: the moving square for 10, then its negative for 10 (a hard cut at frame 10)."""
    path = tmp_path / "shots.mp4"
    clip = make_clip(tmp_path / "base.mp4", frames=20, audio=False)
    count = iter(range(100))
    video.transcode(clip, path, lambda f: f if next(count) < 10 else 255 - f)
    return path


def test_detector_finds_a_hard_cut_and_not_the_motion(tmp_path: Path):
    assert detect_cuts(_two_shots(tmp_path)) == [10]
    detector = CutDetector()
    assert not any(detector(clip_frame(i)) for i in range(30))


def test_cuts_file(tmp_path: Path):
    good = tmp_path / "cuts.txt"
    good.write_text("# editor's cuts\n120\n\n48  # second shot\n")
    assert read_cuts_file(good) == [48, 120]
    source = cut_source(str(good))
    assert [i for i in range(130) if source(clip_frame(0))] == [48, 120]
    bad = tmp_path / "bad.txt"
    bad.write_text("12\n00:00:01.5\n")
    with pytest.raises(InputError, match="line 2"):
        read_cuts_file(bad)


def test_stability_leaves_out_the_pair_across_a_cut(tmp_path: Path):
    shots = _two_shots(tmp_path)
    every = stability(shots, shots, flow="dis", cuts="none")
    within = stability(shots, shots, flow="dis")  # cuts detected on the source, as the render does
    assert every.cuts == () and [p.frame for p in every.pairs] == list(range(1, 20))
    assert within.cuts == (10,) and [p.frame for p in within.pairs] == [*range(1, 10), *range(11, 20)]
    kept = [p for p in every.pairs if p.frame != 10]
    assert within.e_stab == pytest.approx(np.mean([p.e_stab for p in kept]), rel=1e-12)
    assert within.floor == pytest.approx(np.mean([p.floor for p in kept]), rel=1e-12)
    assert "frame(s) 10 start a new shot" in describe(within) and within.to_dict()["cuts"] == [10]
    assert "cuts: auto" in within.to_dict()["conventions"] and "left out" not in describe(every).splitlines()[0]
    listed = tmp_path / "cuts.txt"
    listed.write_text("4\n")  # an editor's list, not the detector: frame 10 is then compared with frame 9
    assert stability(shots, shots, flow="dis", cuts=str(listed), max_frames=12).cuts == (4,)
    listed.write_text("1\n")
    with pytest.raises(InputError, match="no two consecutive frames within one shot"):
        stability(shots, shots, flow="dis", cuts=str(listed), max_frames=2)


# --- commands ------------------------------------------------------------------------------------
def test_eval_prints_the_figures_and_writes_the_curve(tmp_path: Path, capsys):
    clip = make_clip(tmp_path / "clip.mp4", audio=False)
    out_csv, out_png = tmp_path / "curve.csv", tmp_path / "curve.png"
    assert main(["-q", "eval", str(clip), str(clip), "--flow", "dis", "--csv", str(out_csv), "--png", str(out_png)]) == 0
    printed = capsys.readouterr().out
    for word in ("e_stab", "RMSE", "masked", "floor", "ratio", "t to t-1", "[0, 1]", "H*W*C"):
        assert word in printed
    rows = list(csv.DictReader(out_csv.open()))
    assert [int(r["frame"]) for r in rows] == list(range(1, 8))
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["eval", str(clip), str(clip), "--flow", "dis", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ratio"] == 1.0 and len(data["per_frame"]) == 7 and "conventions" in data
    shots = _two_shots(tmp_path)
    for cuts, pairs in ((None, 18), ("none", 19)):
        assert main(["eval", str(shots), str(shots), "--flow", "dis", "--json", *(["--cuts", cuts] if cuts else [])]) == 0
        assert len(json.loads(capsys.readouterr().out)["per_frame"]) == pairs


@pytest.mark.parametrize("case", ["missing", "fewer frames", "not a video"])
def test_eval_bad_inputs_fail_with_one_line(tmp_path: Path, capsys, case: str):
    clip = make_clip(tmp_path / "clip.mp4", audio=False)
    other = {"missing": tmp_path / "nope.mp4",
             "fewer frames": make_clip(tmp_path / "short.mp4", frames=5, audio=False),
             "not a video": tmp_path / "text.mp4"}[case]
    if case == "not a video":
        other.write_text("hello")
    assert main(["eval", str(clip), str(other), "--flow", "dis"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("filmstyle eval: error:") and len(err.splitlines()) == 1 and str(other) in err


def test_render_with_blend_keeps_the_frames(tmp_path: Path, capsys):
    torch.manual_seed(0)
    look = Look(TransformerNet(width=2, depth=1)).save(tmp_path / "tiny.look")
    clip = make_clip(tmp_path / "clip.mp4", frames=6)
    out = tmp_path / "out.mp4"
    assert main(["-q", "render", str(clip), "-l", str(look), "-o", str(out), "--temporal", "blend"]) == 0
    assert video.probe(out).frame_count == 6 and len(list(video.read_frames(out))) == 6
    assert "temporal blend" in capsys.readouterr().out
    bad = tmp_path / "cuts.txt"
    bad.write_text("three\n")
    assert main(["-q", "render", str(clip), "-l", str(look), "-o", str(tmp_path / "x.mp4"), "--temporal", "blend",
                 "--cuts", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err and not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize("tone", ["grade", "none"])
def test_network_every_runs_the_network_on_every_nth_frame_and_at_cuts(tmp_path: Path, tone: str):
    from filmstyle.core.config import RenderOptions
    from filmstyle.render import BlendingStylizer, grade_frames

    torch.manual_seed(0)
    look = Look(TransformerNet(width=2, depth=1), still=clip_frame(0))
    frames = [clip_frame(t) for t in range(8)]
    frames[5] = 255 - frames[5]  # a hard cut at frame 5 (the detector needs no gap before its first cut)
    stylizers = {}
    for every in (1, 3):
        stylizer = BlendingStylizer(look.net, RenderOptions(backend="torch", network_every=every, tone=tone))
        if tone == "grade":
            grade_frames(stylizer, look, frames[:2])
        ran = []
        real = stylizer._network
        stylizer._network = lambda small, real=real: (ran.append(stylizer.index), real(small))[1]
        stylizers[every] = [stylizer.finish(f, stylizer.prepare(f)) for f in frames], ran, stylizer
    assert stylizers[1][1] == list(range(8))
    outs, ran, stylizer = stylizers[3]
    assert ran == [0, 3, 5, 6] and stylizer.network_frames == 4 and stylizer.cuts == 1
    assert np.array_equal(outs[0], stylizers[1][0][0])  # the first frame: the network's in both
    assert not np.array_equal(outs[1], stylizers[1][0][1])  # a carried frame, not the network's
    # a segment of a long render starting at frame 7 keeps the clip's phase: its first frame, then 9, 12
    from filmstyle.segments import start_at

    segment = BlendingStylizer(look.net, RenderOptions(backend="torch", network_every=3, tone="none"))
    start_at(segment, 7)
    ran.clear()
    real = segment._network
    segment._network = lambda small: (ran.append(segment.index), real(small))[1]
    for t in range(7, 13):
        segment.prepare(clip_frame(t))
    assert ran == [7, 9, 12]


def test_network_every_needs_the_blending(tmp_path: Path, capsys):
    clip = make_clip(tmp_path / "clip.mp4", frames=3, audio=False)
    look = Look(TransformerNet(width=2, depth=1)).save(tmp_path / "tiny.look")
    assert main(["-q", "render", str(clip), "-l", str(look), "-o", str(tmp_path / "x.mp4"), "--temporal", "none",
                 "--network-every", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--temporal blend" in err and not (tmp_path / "x.mp4").exists()
    out = tmp_path / "y.mp4"
    assert main(["render", str(clip), "-l", str(look), "-o", str(out), "--network-every", "2", "--tone", "none"]) == 0
    assert "the network ran on 2 of them" in capsys.readouterr().out and video.probe(out).frame_count == 3
    from filmstyle.core.config import NETWORK_EVERY, RenderOptions

    # not given: every NETWORK_EVERY-th frame where it was measured (blend and grade), else every frame
    assert RenderOptions().every == NETWORK_EVERY > 1 and RenderOptions(network_every=2).every == 2
    assert RenderOptions(temporal="none").every == RenderOptions(tone="anchor").every == 1
    assert main(["render", str(clip), "-l", str(look), "-o", str(tmp_path / "z.mp4")]) == 0  # no still: anchor
    assert "the network ran on" not in capsys.readouterr().out


def test_a_report_warns_when_the_flow_leaves_even_the_source_far_off():
    from filmstyle.measure.stability import FLOOR_WARN_LEVELS, PairError, StabilityReport, describe

    def report(floor_levels: float, flow: str) -> StabilityReport:
        floor = (floor_levels / 255.0) ** 2
        pairs = (PairError(frame=1, e_stab=floor / 2, masked=floor, floor=floor, reliable=0.9),)
        return StabilityReport(source="s.mp4", stylized="o.mp4", flow=flow, frames=2, width=8, height=8,
                               resized_source=False, pairs=pairs, masked=floor)

    far, near = report(FLOOR_WARN_LEVELS + 8, "deepflow"), report(FLOOR_WARN_LEVELS - 6, "deepflow")
    assert far.floor_levels == pytest.approx(FLOOR_WARN_LEVELS + 8)
    assert "compare with --flow dis" in far.warning and "note: " in describe(far) and far.to_dict()["warning"]
    assert near.warning is None and "note: " not in describe(near) and near.to_dict()["warning"] is None
    assert "--flow deepflow" in report(FLOOR_WARN_LEVELS + 1, "dis").warning
    assert "ending at frame 1 alone is 100%" in far.warning  # one pair: all of the floor
    spread = report(FLOOR_WARN_LEVELS + 8, "deepflow")
    spread = StabilityReport(**{**spread.__dict__, "pairs": spread.pairs * 2})
    assert "may not follow this clip's motion" in spread.warning and "alone" not in spread.warning
