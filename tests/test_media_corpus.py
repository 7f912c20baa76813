"""The odd media users bring, generated here (PyAV, Pillow), run through the commands.

Each case asserts the right output, or the right one-line error with exit status 2, and that no input
changed. Renders use ``--strength 0`` where the picture itself is checked: the output is then the
source as filmstyle read it (upright, the right tones), so what is compared is the reading and the
writing, not the look.
"""
from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from filmstyle._cli import main
from filmstyle.core import video
from filmstyle.core.assets import DEMO_LOOK
from tests.conftest import clip_frame, make_audio_only, make_clip

LOOK = str(DEMO_LOOK)
FAST = ["--backend", "torch", "--temporal", "blend"]  # no onnx export in every test
NEUTRAL = [*FAST, "--strength", "0"]  # the output is the source as read


def _digest(*paths: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths if Path(p).is_file()}


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["-q", *map(str, argv)])
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return code, err


def _one_line_error(code: int, err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]


def _frames(path: Path) -> list[np.ndarray]:
    return list(video.read_frames(path))


def _write(path: Path, frames: list[np.ndarray], *, codec: str = "libx264", pix_fmt: str = "yuv420p",
           rate: int = 12, pts: list[int] | None = None, sar: Fraction | None = None, rotation: float | None = None,
           options: dict[str, str] | None = None, container_options: dict[str, str] | None = None,
           second_video: bool = False, fmt: str = "rgb24") -> Path:
    """A clip of ``frames`` ((H, W, 3 or 4) uint8) with the given codec, timestamps and side data."""
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w", options=container_options or {}) as out:
        stream = out.add_stream(codec, rate=rate, options=options or {"crf": "8"} if codec == "libx264" else options or {})
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        stream.codec_context.time_base = Fraction(1, rate)
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        if rotation is not None:
            stream.set_display_rotation(rotation)
        extra = None
        if second_video:
            extra = out.add_stream("libx264", rate=rate)
            extra.width, extra.height, extra.pix_fmt = w, h, "yuv420p"
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format=fmt).reformat(format=pix_fmt)
            frame.pts = i if pts is None else pts[i]
            frame.time_base = Fraction(1, rate)
            out.mux(stream.encode(frame))
            if extra is not None:
                other = av.VideoFrame.from_ndarray(rgb[..., :3], format="rgb24").reformat(format="yuv420p")
                other.pts = frame.pts
                out.mux(extra.encode(other))
        out.mux(stream.encode(None))
        if extra is not None:
            out.mux(extra.encode(None))
    return path


def _pattern(n: int = 6, size: tuple[int, int] = (64, 48)) -> list[np.ndarray]:
    return [clip_frame(i, size) for i in range(n)]


# --- video: orientation, shape, timing, formats ----------------------------------------------------------

@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_a_rotated_phone_clip_renders_upright(tmp_path, capsys, rotation):
    src = _write(tmp_path / "phone.mp4", _pattern(), rotation=rotation)
    before = _digest(src)
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mp4", *NEUTRAL)
    assert code == 0, err
    turns = round(rotation / 90) % 4
    out = _frames(tmp_path / "out.mp4")[0].astype(int)
    assert video.probe(tmp_path / "out.mp4").rotation == 0  # upright pixels, no rotation left to apply
    errors = {k: np.abs(out - np.rot90(clip_frame(0), k)).mean() for k in range(4)
              if np.rot90(clip_frame(0), k).shape == out.shape}
    assert min(errors, key=errors.get) == turns and errors[turns] < 10, errors  # two encodes of a 4:2:0 pattern
    assert _digest(src) == before


def test_an_anamorphic_clip_keeps_its_display_shape(tmp_path, capsys):
    src = _write(tmp_path / "ana.mp4", _pattern(), sar=Fraction(4, 3))
    assert _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mp4", *FAST)[0] == 0
    assert video.probe(tmp_path / "out.mp4").sar == Fraction(4, 3)
    # resized: the pixels change shape so that the picture does not
    assert _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "half.mp4", "--size", "32x48", *FAST)[0] == 0
    info = video.probe(tmp_path / "half.mp4")
    assert Fraction(info.width, info.height) * info.sar == Fraction(64, 48) * Fraction(4, 3)


def test_variable_frame_rate_keeps_every_timestamp(tmp_path, capsys):
    stamps = [0, 1, 3, 4, 7, 8, 12]
    src = _write(tmp_path / "vfr.mkv", _pattern(len(stamps)), pts=stamps)
    assert _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mkv", *FAST)[0] == 0
    with av.open(str(tmp_path / "out.mkv")) as c:
        s = c.streams.video[0]
        got = sorted(round(float(f.pts * f.time_base) * 12) for f in c.decode(s))
    assert got == stamps


@pytest.mark.parametrize(("name", "codec", "pix_fmt", "fmt"), [
    ("ten_bit.mkv", "libx264", "yuv420p10le", "rgb24"),
    ("prores.mov", "prores_ks", "yuv422p10le", "rgb24"),
])
def test_ten_bit_sources_render(tmp_path, capsys, name, codec, pix_fmt, fmt):
    src = _write(tmp_path / name, _pattern(), codec=codec, pix_fmt=pix_fmt, fmt=fmt,
                 options={"crf": "8"} if codec == "libx264" else {})
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mp4", *NEUTRAL)
    assert code == 0, err
    out = _frames(tmp_path / "out.mp4")
    assert len(out) == 6 and np.abs(out[0].astype(int) - clip_frame(0)).mean() < 10  # two encodes, 4:2:0


@pytest.mark.parametrize(("name", "kw"), [
    ("sd.mp4", {}),  # untagged BT.601 limited
    ("phone.mp4", {"rotation": 90}),
    ("full_range.mp4", {"pix_fmt": "yuvj420p"}),
    ("ten_bit.mkv", {"pix_fmt": "yuv420p10le"}),
    ("rgb.mkv", {"codec": "libx264rgb", "pix_fmt": "rgb24"}),
])
def test_grading_in_the_decoded_planes_matches_grading_through_rgb(tmp_path, name, kw):
    from filmstyle.core.config import GradeOptions
    from filmstyle.grading.grade import LUTFrames, grade_video
    from filmstyle.lut.lut3d import LUT3D

    src = _write(tmp_path / name, _pattern(size=(64, 48)), **kw)
    warm = LUT3D.from_function(lambda x: np.stack([0.1 + 0.9 * x[:, 0], x[:, 1] ** 1.2, 0.7 * x[:, 2]], 1), 9)
    grade_video(src, tmp_path / "planes.mp4", warm, GradeOptions(crf=0))  # h264: graded in the planes
    video.transcode(src, tmp_path / "rgb.mp4", LUTFrames(warm), crf=0, preset="superfast")
    planes, rgb = np.stack(_frames(tmp_path / "planes.mp4")), np.stack(_frames(tmp_path / "rgb.mp4"))
    upright = (64, 48) if kw.get("rotation") else (48, 64)
    assert planes.shape == rgb.shape == (6, *upright, 3)
    # they differ at the pattern's saturated edges, where the RGB path interpolates the chroma (mean 0.7-2.0,
    # 90% within 2-4 levels); the wrong matrix or range would be off by 6-9 on average, 15-23 at the 90th
    gap = np.abs(planes.astype(int) - rgb)
    assert gap.mean() < 2.5 and np.percentile(gap, 90) <= 5, (gap.mean(), np.percentile(gap, 90))


def test_alpha_video_is_rendered_and_the_drop_is_said(tmp_path, capsys):
    rgba = [np.dstack([f, np.full(f.shape[:2], 128, np.uint8)]) for f in _pattern()]
    src = _write(tmp_path / "alpha.mov", rgba, codec="qtrle", pix_fmt="argb", fmt="rgba")
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mp4", *FAST)
    assert code == 0 and "alpha channel is dropped" in err, err


def test_a_second_video_stream_is_said_not_rendered(tmp_path, capsys):
    src = _write(tmp_path / "two.mkv", _pattern(), second_video=True)
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mkv", *FAST)
    assert code == 0 and "1 more video stream(s) not rendered" in err, err


def test_interlaced_video_is_said(tmp_path, capsys):
    src = _write(tmp_path / "tff.mkv", _pattern(size=(64, 48)),
                 options={"crf": "8", "flags": "+ildct+ilme", "x264-params": "interlaced=1:tff=1"})
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mkv", *FAST)
    assert code == 0 and "interlaced" in err, err


def test_odd_sizes_are_rounded_and_said(tmp_path, capsys):
    src = _write(tmp_path / "odd.mkv", _pattern(size=(33, 17)), codec="ffv1", options={})
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mkv", *FAST)
    assert code == 0 and "33x17 rounded down to 32x16" in err, err
    assert video.probe(tmp_path / "out.mkv").width == 32


def test_tiny_frames_render_with_the_default_blend(tmp_path, capsys):
    src = make_clip(tmp_path / "tiny16.mp4", size=(16, 16), frames=5)
    code, err = _run(capsys, "render", src, "-l", LOOK, "-o", tmp_path / "out.mp4", "--backend", "torch")
    assert code == 0, err
    assert len(_frames(tmp_path / "out.mp4")) == 5


def test_no_audio_and_audio_only(tmp_path, capsys):
    silent = make_clip(tmp_path / "silent.mp4", audio=False, frames=4)
    assert _run(capsys, "render", silent, "-l", LOOK, "-o", tmp_path / "out.mp4", *FAST)[0] == 0
    assert video.probe(tmp_path / "out.mp4").audio_streams == 0
    sound = make_audio_only(tmp_path / "sound.m4a")
    _one_line_error(*_run(capsys, "render", sound, "-l", LOOK, "-o", tmp_path / "o2.mp4"), "no video stream")
    assert not (tmp_path / "o2.mp4").exists()


def test_impossible_sizes_are_refused_up_front(tmp_path, capsys, tiny_clip):
    for size in ("9000x9000", "8192x8192", "0x10", "10"):
        code, err = _run(capsys, "render", tiny_clip, "-l", LOOK, "-o", tmp_path / "out.mp4", "--size", size)
        _one_line_error(code, err, "size")
    assert list(tmp_path.glob("*out*")) == []


# --- damage ------------------------------------------------------------------------------------------------

@pytest.fixture
def long_clip(tmp_path) -> Path:
    """60 frames, moov at the front (as a streamed download): a cut file still opens."""
    return _write(tmp_path / "long.mp4", _pattern(60), container_options={"movflags": "+faststart"})


def test_a_truncated_download_says_how_far_it_got(tmp_path, capsys, long_clip):
    data = long_clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.75)])
    code, err = _run(capsys, "render", cut, "-l", LOOK, "-o", tmp_path / "out.mp4", *FAST)
    assert code == 0 and "of the 60 frames its container declares decoded" in err and "truncated?" in err, err
    n = len(_frames(tmp_path / "out.mp4"))  # a valid file of what was read
    assert 10 < n < 60 and f"{n} of the 60" in err
    _one_line_error(*_run(capsys, "render", cut, "-l", LOOK, "-o", tmp_path / "strict.mp4", "--strict", *FAST),
                    "damaged video", "--strict")
    assert not (tmp_path / "strict.mp4").exists() and not list(tmp_path.glob(".*part*"))
    code, err = _run(capsys, "grade", cut, "--still", _still(tmp_path), "-o", tmp_path / "graded.mp4")
    assert code == 0 and "truncated?" in err, err


def test_bit_flips_are_counted(tmp_path, capsys, long_clip):
    data = bytearray(long_clip.read_bytes())
    rng = np.random.default_rng(1)
    for i in rng.integers(len(data) // 2, len(data), 40):
        data[i] ^= 0xFF
    flipped = tmp_path / "flipped.mp4"
    flipped.write_bytes(bytes(data))
    code, err = _run(capsys, "render", flipped, "-l", LOOK, "-o", tmp_path / "out.mp4", *FAST)
    assert code == 0 and ("damaged video packet" in err or "decoded with errors" in err), err
    assert len(_frames(tmp_path / "out.mp4")) > 0


# --- stills --------------------------------------------------------------------------------------------------

def _still(tmp_path: Path) -> Path:
    path = tmp_path / "still.png"
    if not path.exists():
        Image.fromarray(clip_frame(3, (96, 72))).save(path)
    return path


def test_exif_rotated_photo_is_stylized_upright(tmp_path, capsys):
    img = np.zeros((72, 96, 3), np.uint8)
    img[:20, :20] = (250, 30, 30)  # a red corner, top left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to show
    src = tmp_path / "phone.jpg"
    Image.fromarray(img).save(src, exif=exif, quality=95)
    code, err = _run(capsys, "stylize", src, "-l", LOOK, "-o", tmp_path / "out.png", "--strength", "0")
    assert code == 0, err
    out = np.asarray(Image.open(tmp_path / "out.png"))
    assert out.shape == (96, 72, 3)
    assert out[:20, -20:, 0].mean() > 200 and out[-20:, :20, 0].mean() < 50  # the corner is now top right


def test_sixteen_bit_grey_keeps_its_tones(tmp_path, capsys):
    ramp = np.tile(np.linspace(0, 65535, 96).astype(np.uint16), (72, 1))
    src = tmp_path / "grey16.png"
    Image.fromarray(ramp).save(src)
    assert Image.open(src).mode.startswith("I;16")
    assert _run(capsys, "stylize", src, "-l", LOOK, "-o", tmp_path / "out.png", "--strength", "0")[0] == 0
    out = np.asarray(Image.open(tmp_path / "out.png"))[..., 0].astype(int)
    assert out[:, 0].mean() < 10 and out[:, -1].mean() > 245  # the ramp, not a flat white


def test_cmyk_and_palette_images(tmp_path, capsys):
    cmyk = tmp_path / "print.jpg"
    Image.new("CMYK", (96, 72), (0, 255, 255, 0)).save(cmyk)  # pure red in print colours
    assert _run(capsys, "stylize", cmyk, "-l", LOOK, "-o", tmp_path / "out.png", "--strength", "0")[0] == 0
    assert tuple(np.asarray(Image.open(tmp_path / "out.png"))[30, 30]) == pytest.approx((255, 0, 0), abs=8)
    pal = tmp_path / "pal.gif"
    Image.fromarray(clip_frame(0, (96, 72))).convert("P", palette=Image.ADAPTIVE).save(pal)
    assert _run(capsys, "stylize", pal, "-l", LOOK, "-o", tmp_path / "pal.png")[0] == 0


def test_alpha_is_carried_to_png_and_said_dropped_for_jpeg(tmp_path, capsys):
    rgba = np.dstack([clip_frame(0, (96, 72)), np.tile(np.linspace(0, 255, 96).astype(np.uint8), (72, 1))])
    src = tmp_path / "cutout.png"
    Image.fromarray(rgba, "RGBA").save(src)
    assert _run(capsys, "stylize", src, "-l", LOOK, "-o", tmp_path / "out.png")[0] == 0
    out = Image.open(tmp_path / "out.png")
    assert out.mode == "RGBA" and np.array_equal(np.asarray(out)[..., 3], rgba[..., 3])
    code, err = _run(capsys, "stylize", src, "-l", LOOK, "-o", tmp_path / "out.jpg")
    assert code == 0 and "alpha channel is dropped" in err, err


def test_a_still_too_large_to_read_is_refused(tmp_path, capsys, monkeypatch):
    import filmstyle.core.picture as picture

    monkeypatch.setattr(picture, "MAX_PIXELS", 96 * 72 - 1)
    _one_line_error(*_run(capsys, "stylize", _still(tmp_path), "-l", LOOK, "-o", tmp_path / "out.png"),
                    "more than filmstyle reads", "shrink it")


def test_a_large_still_is_finished_in_strips_like_a_frame(tmp_path):
    """finish_in_place (bounded memory) gives the frame finish gives, strip by strip, for every tone."""
    from filmstyle.core.config import RenderOptions
    from filmstyle.look import load_look
    from filmstyle.render import FrameStylizer, grade_frames

    look = load_look(DEMO_LOOK)
    frame = np.ascontiguousarray(np.vstack([clip_frame(i, (240, 40)) for i in range(4)]))  # 240x160
    for tone, strength in (("grade", 1.0), ("grade", 0.5), ("none", 1.0)):
        st = FrameStylizer(look.net, RenderOptions(tone=tone, strength=strength, backend="torch", network_side=64))
        if tone == "grade":
            grade_frames(st, look, [frame])
        whole = st(frame)
        strips = st.finish_in_place(frame.copy(), st.prepare(frame), rows=7)
        assert np.abs(whole.astype(int) - strips).max() <= 1, (tone, strength)


# --- never destroy a user's file ------------------------------------------------------------------------

def test_outputs_that_are_inputs_are_refused_for_every_command(tmp_path, capsys, tiny_clip):
    still = _still(tmp_path)
    link = tmp_path / "link.png"
    link.symlink_to(still)
    hard = tmp_path / "hard.mp4"
    os.link(tiny_clip, hard)
    lut = tmp_path / "a.cube"
    assert _run(capsys, "lut", still, "-o", lut)[0] == 0
    before = _digest(still, tiny_clip, lut, Path(LOOK))
    cases = [
        ("stylize", still, "-l", LOOK, "-o", still),
        ("stylize", link, "-l", LOOK, "-o", still, "-y"),  # through a symbolic link, even with --force
        ("render", tiny_clip, "-l", LOOK, "-o", hard, "-y"),  # a hard link
        ("adapt", still, "-o", still),
        ("lut", lut, "-o", lut, "-y"),
        ("grade", tiny_clip, "--lut", lut, "-o", tiny_clip, "-y"),
        ("export", LOOK, "-o", LOOK, "-y"),
    ]
    for argv in cases:
        code, err = _run(capsys, *argv)
        assert code == 2 and ("is also an input" in err or "not a" in err), (argv, err)
    assert _digest(still, tiny_clip, lut, Path(LOOK)) == before


def test_an_existing_output_needs_force(tmp_path, capsys):
    still = _still(tmp_path)
    out = tmp_path / "out.png"
    out.write_bytes(b"precious")
    _one_line_error(*_run(capsys, "stylize", still, "-l", LOOK, "-o", out), "already exists", "--force")
    assert out.read_bytes() == b"precious"
    assert _run(capsys, "stylize", still, "-l", LOOK, "-o", out, "-y")[0] == 0
    assert Image.open(out).size == (96, 72)


def test_the_output_suffix_must_fit(tmp_path, capsys, tiny_clip):
    still = _still(tmp_path)
    for argv in (("stylize", still, "-l", LOOK, "-o", tmp_path / "x.mp4"),
                 ("render", tiny_clip, "-l", LOOK, "-o", tmp_path / "x.png"),
                 ("adapt", still, "-o", tmp_path / "x.png"),
                 ("export", LOOK, "-o", tmp_path / "x.look")):
        _one_line_error(*_run(capsys, *argv), "end the name in one of")
    assert not list(tmp_path.glob("x.*"))


# --- failures: one line, nothing left behind ----------------------------------------------------------------

def test_a_full_disk_is_one_line_naming_the_output(tmp_path, capsys, monkeypatch):
    def full(self, fp, *a, **k):  # noqa: ANN001 - PIL's Image.save
        Path(fp).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    still = _still(tmp_path)
    monkeypatch.setattr(Image.Image, "save", full)
    out = tmp_path / "out.png"
    _one_line_error(*_run(capsys, "stylize", still, "-l", LOOK, "-o", out),
                    str(out), "No space left", "free some space")
    assert not out.exists() and not list(tmp_path.glob(".*part*"))


def test_invalid_option_values_are_refused_at_parse_time(tmp_path, capsys, tiny_clip):
    for argv in (("render", tiny_clip, "-l", LOOK, "-o", tmp_path / "o.mp4", "--crf", "100"),
                 ("render", tiny_clip, "-l", LOOK, "-o", tmp_path / "o.mp4", "--strength", "nan"),
                 ("render", tiny_clip, "-l", LOOK, "-o", tmp_path / "o.mp4", "--max-frames", "0"),
                 ("grade", tiny_clip, "--lut", "x.cube", "-o", tmp_path / "o.mp4", "--crf", "-1"),
                 ("meta-train", "-o", tmp_path / "i.look", "--width", "0"),
                 ("meta-train", "-o", tmp_path / "i.look", "--inner-lr", "nan"),
                 ("adapt", _still(tmp_path), "-o", tmp_path / "a.look", "--temporal-weight", "nan")):
        _one_line_error(*_run(capsys, *argv))
    assert not list(tmp_path.glob("o.*")) and not list(tmp_path.glob("*.look"))


@pytest.mark.parametrize(("sig", "delay", "code", "said"), [
    (signal.SIGTERM, 0.4, 143, "terminated"),  # during start-up (imports)
    (signal.SIGTERM, 3.0, 143, "terminated"),  # in the middle of the render
    (signal.SIGINT, 3.0, 130, "interrupted"),  # Ctrl-C
])
def test_a_signal_at_any_moment_stops_cleanly(tmp_path, sig, delay, code, said):
    """One line, the exit status of the signal, no output and no .part file."""
    src = make_clip(tmp_path / "clip.mp4", frames=400, size=(320, 240))
    out = tmp_path / "out.mp4"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    # Ctrl-C as a terminal sends it: a test run started in the background (`cmd &`) hands its children
    # SIGINT ignored, and Python then keeps it ignored, so the child gets the default disposition back
    proc = subprocess.Popen([sys.executable, "-m", "filmstyle", "-q", "render", str(src), "-l", LOOK, "-o", str(out),
                             "--backend", "torch", "--detail", "network"], stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    proc.send_signal(sig)
    err = proc.communicate(timeout=60)[1]
    if proc.returncode == 0:
        pytest.skip("the render finished before the signal")
    assert proc.returncode == code and "Traceback" not in err and err.strip().endswith(said), err
    assert not out.exists() and not list(tmp_path.glob(".*part*"))


def test_every_command_reads_the_odd_media_the_same_way(tmp_path, capsys):
    """grade, adapt and lut take the rotated clip upright and the EXIF, 16-bit and CMYK stills as stylize does."""
    clip = _write(tmp_path / "phone.mp4", _pattern(), rotation=-90)
    code, err = _run(capsys, "grade", clip, "--still", _still(tmp_path), "-o", tmp_path / "graded.mp4", "--strength", "0")
    assert code == 0, err
    graded = _frames(tmp_path / "graded.mp4")[0].astype(int)
    assert graded.shape == (64, 48, 3) and np.abs(graded - np.rot90(clip_frame(0), -1)).mean() < 10
    exif = Image.Exif()
    exif[0x0112] = 8
    rotated = tmp_path / "rotated.jpg"
    Image.fromarray(clip_frame(2, (96, 72))).save(rotated, exif=exif, quality=95)
    grey16 = tmp_path / "grey16.png"
    Image.fromarray(np.tile(np.linspace(0, 65535, 96).astype(np.uint16), (72, 1))).save(grey16)
    cmyk = tmp_path / "cmyk.jpg"
    Image.fromarray(clip_frame(2, (96, 72))).convert("CMYK").save(cmyk)
    for still in (rotated, grey16, cmyk):
        before = _digest(still, clip)
        code, err = _run(capsys, "adapt", still, "-o", tmp_path / f"{still.stem}.look", "--video", clip, "--steps", "1",
                         "--size", "64", "--frames", "2", "--init", "scratch", "--width", "2", "--depth", "1")
        assert code == 0, err
        code, err = _run(capsys, "lut", still, "-o", tmp_path / f"{still.stem}.cube", "--video", clip, "--size", "17")
        assert code == 0, err
        assert _digest(still, clip) == before
