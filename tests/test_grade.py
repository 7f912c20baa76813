"""Grading a video with a LUT, the ``lut`` and ``grade`` commands, and render's colour options."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmstyle._cli import main
from filmstyle.core import video
from filmstyle.core.config import GradeOptions
from filmstyle.grading.grade import LUTFrames, grade_video
from filmstyle.look import Look
from filmstyle.lut.lut3d import LUT3D, lattice, read_lut, write_lut
from filmstyle.nets.transformer import TransformerNet
from tests.conftest import make_clip


def _warm_lut(size: int = 9) -> LUT3D:
    x = lattice(size)
    return LUT3D(np.clip(np.stack([x[..., 0] * 0.9 + 0.1, x[..., 1] ** 1.1, x[..., 2] * 0.7], -1), 0, 1))


def _frames(path: Path) -> np.ndarray:
    return np.stack(list(video.read_frames(path))).astype(int)


@pytest.fixture
def still(tmp_path: Path) -> Path:
    img = (np.random.default_rng(0).random((72, 80, 3)) * [255, 140, 60]).astype(np.uint8)
    Image.fromarray(img).save(tmp_path / "still.png")
    return tmp_path / "still.png"


@pytest.fixture
def grey_still(tmp_path: Path) -> Path:
    img = np.random.default_rng(1).integers(0, 256, (72, 80), dtype=np.uint8)
    Image.fromarray(img).convert("RGB").save(tmp_path / "grey.png")
    return tmp_path / "grey.png"


@pytest.fixture
def look(tmp_path: Path) -> Path:
    return Look(TransformerNet(width=2, depth=1)).save(tmp_path / "tiny.look")


def test_grade_keeps_frames_and_audio_and_applies_the_lut(tiny_clip, tmp_path):
    lut = _warm_lut()
    stats = grade_video(tiny_clip, tmp_path / "g.mp4", lut, GradeOptions(crf=0))
    info = video.probe(tmp_path / "g.mp4")
    assert (stats.frames, info.frame_count, info.audio_streams) == (8, 8, 1)
    plain = tmp_path / "plain.mp4"
    video.transcode(tiny_clip, plain, lambda f: f, crf=0, preset="superfast")
    want = np.stack([LUTFrames(lut)(f) for f in video.read_frames(plain)]).astype(int)
    assert np.abs(_frames(tmp_path / "g.mp4") - want).mean() < 2.0  # 4:2:0 chroma, not the LUT


def test_grade_at_strength_zero_is_the_identity(tiny_clip, tmp_path):
    grade_video(tiny_clip, tmp_path / "g0.mp4", _warm_lut(), GradeOptions(strength=0.0, crf=0))
    # lossless h264: the source's colours again, its BT.601 codes written as BT.709 ones (rounding twice: ~0.7 level;
    # the warm LUT moves many levels)
    assert np.abs(_frames(tmp_path / "g0.mp4") - _frames(tiny_clip)).mean() < 1.0


def test_lut_command_from_a_still_is_read_by_colour_science(still, tiny_clip, tmp_path, capsys):
    out = tmp_path / "film.cube"
    assert main(["-q", "lut", str(still), "-o", str(out), "--size", "17", "--video", str(tiny_clip)]) == 0
    assert "wrote" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import colour

        table = colour.io.read_LUT(str(out)).table
    assert table.shape == (17, 17, 17, 3)
    np.testing.assert_allclose(read_lut(out).table, table, atol=1e-6)


def test_lut_command_grey_still_gives_neutral_hald(grey_still, tiny_clip, tmp_path, capsys):
    out = tmp_path / "bw.png"
    assert main(["-q", "lut", str(grey_still), "-o", str(out), "--method", "reinhard", "--video", str(tiny_clip)]) == 0
    assert "neutral" in capsys.readouterr().out
    t = read_lut(out).table
    assert (t[..., 0] == t[..., 1]).all() and (t[..., 1] == t[..., 2]).all()


def test_lut_command_from_a_look_distills_it(look, tiny_clip, tmp_path, capsys):
    out = tmp_path / "look.cube"
    assert main(["-q", "lut", str(look), "-o", str(out), "--size", "17", "--video", str(tiny_clip),
                 "--format", "resolve", "--strength", "0.5"]) == 0
    assert "distilled" in capsys.readouterr().out
    assert read_lut(out).size == 17


def test_lut_command_from_a_look_with_its_still_exports_renders_grade(tiny_clip, tmp_path, capsys):
    from filmstyle.core.image import from_array
    from filmstyle.grading.grade import grade_for

    still = np.zeros((40, 60, 3), np.uint8)
    still[..., 2] = 200  # a blue still: the grade turns the clip blue
    look = Look(TransformerNet(width=2, depth=1), still=still)
    path = look.save(tmp_path / "still.look")
    out = tmp_path / "grade.cube"
    assert main(["-q", "lut", str(path), "-o", str(out), "--video", str(tiny_clip)]) == 0
    assert "colour grade" in capsys.readouterr().out
    lut = read_lut(out)
    frame = next(video.read_frames(tiny_clip))
    graded = lut.apply_uint8(frame).astype(int)
    assert graded[..., 2].mean() > graded[..., 0].mean() + 50  # blue, as the still
    direct = grade_for(look, [from_array(frame)])  # the same fit as render's, on the same colours
    assert np.abs(direct.apply_uint8(frame).astype(int) - lut.apply_uint8(frame)).mean() < 12


def test_grade_command_with_a_lut_file(tiny_clip, tmp_path, capsys):
    cube = write_lut(_warm_lut(), tmp_path / "warm.cube")
    out = tmp_path / "graded.mkv"
    assert main(["-q", "grade", str(tiny_clip), "--lut", str(cube), "-o", str(out), "--strength", "0.8"]) == 0
    printed = capsys.readouterr().out
    assert "8 frames" in printed and "1 audio stream(s) kept" in printed
    assert video.probe(out).audio_streams == 1


def test_grade_command_with_a_still_saves_its_lut(tiny_clip, grey_still, tmp_path):
    out, saved = tmp_path / "bw.mp4", tmp_path / "used.cube"
    assert main(["-q", "grade", str(tiny_clip), "--still", str(grey_still), "-o", str(out), "--method", "histogram",
                 "--save-lut", str(saved), "--max-frames", "3"]) == 0
    frames = _frames(out)
    assert len(frames) == 3 and np.abs(frames[..., 0] - frames[..., 2]).max() <= 3  # grey, up to 4:2:0 coding
    assert read_lut(saved).size == 33


def test_render_with_colour_options(look, still, tiny_clip, tmp_path):
    cube = write_lut(_warm_lut(), tmp_path / "warm.cube")
    out = tmp_path / "r.mp4"
    assert main(["-q", "render", str(tiny_clip), "-l", str(look), "-o", str(out), "--color-transfer", "mk",
                 "--color-still", str(still), "--color-stage", "after", "--lut", str(cube), "--max-frames", "2"]) == 0
    assert video.probe(out).frame_count == 2


def _assert_one_line_error(code: int, capsys, command: str, *needles: str) -> None:
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith(f"filmstyle {command}: error: "), err
    for n in needles:
        assert n in err, err


def test_bad_inputs_give_one_line_and_status_2(still, tiny_clip, tmp_path, capsys):
    bad = tmp_path / "bad.cube"
    bad.write_text("LUT_3D_SIZE 3\n0 0 0\n1 1\n")
    cases = [
        ("lut", [str(tmp_path / "missing.png"), "-o", str(tmp_path / "a.cube")], "not found"),
        ("lut", [str(still), "-o", str(tmp_path / "a.cube"), "--size", "20"], "--size"),
        ("lut", [str(bad), "-o", str(tmp_path / "a.cube")], "bad.cube"),
        ("lut", [str(still), "-o", str(tmp_path / "a.txt")], "a.txt"),
        ("lut", [str(still), "-o", str(tmp_path / "a.cube"), "--method", "magic"], "magic"),
        ("grade", [str(tiny_clip), "--lut", str(bad), "-o", str(tmp_path / "g.mp4")], "bad.cube"),
        ("grade", [str(tiny_clip), "--lut", str(tmp_path / "none.cube"), "-o", str(tmp_path / "g.mp4")], "not found"),
        ("grade", [str(tmp_path / "none.mp4"), "--lut", str(bad), "-o", str(tmp_path / "g.mp4")], "none.mp4"),
        ("grade", [str(tiny_clip), "--still", str(still), "-o", str(tmp_path / "g.mp4"), "--strength", "2"], "--strength"),
    ]
    for command, args, needle in cases:
        _assert_one_line_error(main(["-q", command, *args]), capsys, command, needle)
    assert not list(tmp_path.glob("a.*")) and not list(tmp_path.glob("g.*"))


def test_grade_a_clip_with_odd_timestamps(tmp_path):
    clip = make_clip(tmp_path / "gaps.mkv", pts=[3, 4, 7, 8], audio=False)
    stats = grade_video(clip, tmp_path / "g.mkv", _warm_lut())
    assert stats.frames == 4 and stats.audio_streams == 0


def test_lut_command_converts_a_hald_clut_to_cube(tmp_path, capsys):
    hald = write_lut(_warm_lut(16), tmp_path / "warm.png")  # level 4: a 64x64 Hald image
    out = tmp_path / "warm.cube"
    assert main(["-q", "lut", str(hald), "-o", str(out), "--size", "17"]) == 0
    assert "read from" in capsys.readouterr().out
    np.testing.assert_allclose(read_lut(out).table, read_lut(hald).resample(17).table, atol=1e-5)


def test_grade_from_a_still_starts_without_torch_and_gives_the_same_lut(tmp_path, tiny_clip):
    import subprocess
    import sys

    from filmstyle.core.assets import DEMO_STILL
    from filmstyle.grading.grade import content_arrays, content_frames, lut_from_still, still_array
    from filmstyle.lut.transfer import pixels, transfer_lut

    torch_way = lut_from_still(DEMO_STILL, content_frames(tiny_clip), method="mk")
    numpy_way = transfer_lut("mk", pixels(content_arrays(tiny_clip)), pixels([still_array(DEMO_STILL)]))
    assert np.abs(torch_way.table - numpy_way.table).max() * 255 < 1.5  # the resize filters differ, a fraction of a level
    code = ("import sys; from filmstyle._cli import main; "
            f"rc = main(['-q', 'grade', {str(tiny_clip)!r}, '--still', {str(DEMO_STILL)!r}, '-o', {str(tmp_path / 'g.mp4')!r}]); "
            "print(rc, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[-2:] == ["0", "False"]
