"""The CLI called in-process: the main chain, and every bad input gives one line and exit 2."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmstyle._cli import main
from filmstyle.core import video
from tests.conftest import make_audio_only


@pytest.fixture
def still(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    img = (rng.random((72, 80, 3)) * [255, 120, 40]).astype(np.uint8)
    img[:6] = 0  # a letterbox bar
    path = tmp_path / "still.png"
    Image.fromarray(img).save(path)
    return path


@pytest.fixture
def look(tmp_path: Path, still: Path, tiny_clip: Path) -> Path:
    out = tmp_path / "film.look"
    args = ["-q", "adapt", str(still), "-o", str(out), "--video", str(tiny_clip), "--steps", "2", "--size", "64",
            "--frames", "3", "--init", "scratch", "--width", "2", "--depth", "1"]
    assert main(args) == 0
    return out


def test_adapt_writes_a_look_with_metadata(look: Path, still: Path, capsys):
    from filmstyle.core.image import file_sha256
    from filmstyle.look import read_header

    meta = read_header(look)
    assert meta["still"]["sha256"] == file_sha256(still)
    assert meta["steps"] == 2 and meta["network"]["config"] == {"width": 2, "depth": 1}
    assert set(meta["final_losses"]) == {"content", "style", "tv", "total"}
    assert not look.with_name(look.name + ".ckpt").exists()


def test_stylize_and_render_keep_frames_and_audio(look: Path, tiny_clip: Path, tmp_path: Path, capsys):
    assert main(["-q", "stylize", str(_png(tmp_path)), "-l", str(look),
                 "-o", str(tmp_path / "out.png")]) == 0
    assert Image.open(tmp_path / "out.png").size == (40, 30)
    out = tmp_path / "out.mp4"
    assert main(["-q", "render", str(tiny_clip), "-l", str(look), "-o", str(out), "--strength", "0.8",
                 "--preserve-color"]) == 0
    src, dst = video.probe(tiny_clip), video.probe(out)
    assert (dst.frame_count, dst.fps, dst.audio_streams) == (src.frame_count, src.fps, 1)
    printed = capsys.readouterr().out
    assert "model" in printed and "end-to-end" in printed and "FPS" in printed


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    Image.fromarray(np.full((30, 40, 3), 128, np.uint8)).save(path)
    return path


def _bad(tmp_path: Path, kind: str) -> Path:
    p = tmp_path / f"bad_{kind}"
    if kind == "empty":
        p = p.with_suffix(".png")
        p.write_bytes(b"")
    elif kind == "corrupt":
        p = p.with_suffix(".png")
        p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    elif kind == "small":
        p = p.with_suffix(".png")
        Image.fromarray(np.zeros((20, 30, 3), np.uint8) + 90).save(p)
    elif kind == "missing":
        p = p.with_suffix(".png")
    return p


def _assert_one_line_error(code: int, capsys, *needles: str) -> None:
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in err, err


@pytest.mark.parametrize("kind", ["missing", "empty", "corrupt", "small"])
def test_adapt_bad_still(kind, tmp_path, tiny_clip, capsys):
    bad = _bad(tmp_path, kind)
    out = tmp_path / "x.look"
    code = main(["-q", "adapt", str(bad), "-o", str(out), "--video", str(tiny_clip), "--steps", "1", "--size", "64"])
    _assert_one_line_error(code, capsys, bad.name)
    assert not out.exists()


def test_adapt_bad_video_and_output(still, tmp_path, capsys):
    audio_only = make_audio_only(tmp_path / "sound.m4a")
    code = main(["-q", "adapt", str(still), "-o", str(tmp_path / "x.look"), "--video", str(audio_only), "--steps", "1"])
    _assert_one_line_error(code, capsys, "sound.m4a")
    code = main(["-q", "adapt", str(still), "-o", str(tmp_path / "nodir" / "x.look"), "--steps", "1"])
    _assert_one_line_error(code, capsys, "nodir")


def test_render_bad_inputs_leave_no_output(look, tiny_clip, tmp_path, capsys):
    out = tmp_path / "out.mp4"
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(tiny_clip.read_bytes()[: tiny_clip.stat().st_size // 3])
    for src in (tmp_path / "missing.mp4", corrupt, truncated, make_audio_only(tmp_path / "sound.m4a")):
        code = main(["-q", "render", str(src), "-l", str(look), "-o", str(out)])
        _assert_one_line_error(code, capsys, src.name)
        assert not out.exists()
    code = main(["-q", "render", str(tiny_clip), "-l", str(look), "-o", str(tmp_path / "nodir" / "o.mp4")])
    _assert_one_line_error(code, capsys, "nodir")
    code = main(["-q", "render", str(tiny_clip), "-l", str(look), "-o", str(out), "--strength", "2"])
    _assert_one_line_error(code, capsys, "strength")


def test_render_refuses_tampered_or_foreign_looks(look, tiny_clip, tmp_path, capsys):
    data = bytearray(look.read_bytes())
    data[-5] ^= 0xFF  # flip bits in the last weight
    tampered = tmp_path / "tampered.look"
    tampered.write_bytes(bytes(data))
    other = tmp_path / "other.look"
    n = int.from_bytes(look.read_bytes()[:8], "little")
    header = json.loads(look.read_bytes()[8:8 + n])
    meta = json.loads(header["__metadata__"]["filmstyle"])
    meta["format_version"] = 99
    header["__metadata__"]["filmstyle"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    other.write_bytes(len(raw).to_bytes(8, "little") + raw + look.read_bytes()[8 + n:])
    out = tmp_path / "out.mp4"
    for bad, needle in ((tampered, "modified"), (other, "version 99")):
        code = main(["-q", "render", str(tiny_clip), "-l", str(bad), "-o", str(out)])
        _assert_one_line_error(code, capsys, bad.name, needle)
        assert not out.exists()


def test_adapt_from_scratch_takes_a_lean_network_and_trains_through_the_grade(still, tiny_clip, tmp_path):
    from filmstyle.look import read_header

    out = tmp_path / "lean.look"
    args = ["-q", "adapt", str(still), "-o", str(out), "--video", str(tiny_clip), "--steps", "2", "--size", "64",
            "--frames", "2", "--init", "scratch", "--width", "2", "--depth", "1", "--end-kernel", "3",
            "--decoder", "2", "1", "--tone", "grade", "--detail-sigma", "8"]
    assert main(args) == 0
    meta = read_header(out)
    assert meta["network"]["config"] == {"width": 2, "depth": 1, "end_kernel": 3, "decoder": [2, 1]}
    assert meta["adapt"]["tone"] == "grade" and meta["adapt"]["detail_sigma"] == 8.0
    from filmstyle.core.config import RenderOptions
    from filmstyle.look import load_look
    from filmstyle.render import make_stylizer

    assert make_stylizer(load_look(out), tiny_clip, RenderOptions()).graded.sigma == 8.0  # render uses the look's band


def test_interrupted_adapt_resumes(still, tiny_clip, tmp_path, monkeypatch, capsys):
    from filmstyle.adaptation import adapt as real

    out = tmp_path / "film.look"
    args = ["-q", "adapt", str(still), "-o", str(out), "--video", str(tiny_clip), "--steps", "4", "--size", "64",
            "--frames", "2", "--init", "scratch", "--width", "2", "--depth", "1"]

    def interrupted(*a, **k):
        user_cb = k["on_step"]

        def cb(step, terms):
            user_cb(step, terms)
            if step == 3:
                raise KeyboardInterrupt

        return real(*a, **{**k, "on_step": cb, "checkpoint_every": 1})

    monkeypatch.setattr("filmstyle.adaptation.adapt", interrupted)
    assert main(args) == 130
    assert "resume" in capsys.readouterr().err
    assert not out.exists() and out.with_name("film.look.ckpt").exists()
    monkeypatch.setattr("filmstyle.adaptation.adapt", real)
    assert main(args) == 0
    assert "resumed at step 3" in capsys.readouterr().out


@pytest.mark.parametrize("name", [None, "meta-fast"])
def test_adapt_starts_from_a_shipped_meta_init(name, still, tiny_clip, tmp_path):
    from filmstyle.core.assets import META_INIT, SHIPPED_INITS
    from filmstyle.look import read_header

    out = tmp_path / "meta.look"
    chosen = ["--init", name] if name else []
    assert main(["-q", "adapt", str(still), "-o", str(out), "--video", str(tiny_clip), "--steps", "1", "--size", "64",
                 "--frames", "2", *chosen]) == 0
    init = SHIPPED_INITS[name] if name else META_INIT  # no --init: the default network's
    meta = read_header(out)
    assert meta["init"]["name"] == init.name
    assert meta["network"]["config"] == read_header(init)["network"]["config"]


def test_an_unknown_init_is_one_line_naming_the_shipped_ones(still, tiny_clip, tmp_path, capsys):
    code = main(["-q", "adapt", str(still), "-o", str(tmp_path / "x.look"), "--video", str(tiny_clip), "--init", "fast"])
    _assert_one_line_error(code, capsys, "meta, meta-fast")
    assert not (tmp_path / "x.look").exists()


def test_width_only_applies_to_scratch(still, tiny_clip, tmp_path, capsys):
    code = main(["-q", "adapt", str(still), "-o", str(tmp_path / "x.look"), "--video", str(tiny_clip), "--width", "4"])
    _assert_one_line_error(code, capsys, "--init scratch")


def test_style_weight_is_recorded_and_checked(still, tiny_clip, tmp_path, capsys):
    from filmstyle.look import read_header

    out = tmp_path / "strong.look"
    base = ["-q", "adapt", str(still), "-o", str(out), "--video", str(tiny_clip), "--steps", "1", "--size", "64",
            "--frames", "2", "--init", "scratch", "--width", "2", "--depth", "1"]
    assert main([*base, "--style-weight", "3e-5"]) == 0
    assert read_header(out)["adapt"]["loss"]["style_weight"] == 3e-5
    _assert_one_line_error(main([*base, "--style-weight", "0"]), capsys, "style-weight")


def test_temporal_weight_adapts_on_frame_pairs_and_needs_a_clip(still, tiny_clip, tmp_path, capsys):
    from filmstyle.look import read_header

    out = tmp_path / "stable.look"
    base = ["-q", "adapt", str(still), "-o", str(out), "--steps", "2", "--size", "64", "--frames", "3",
            "--init", "scratch", "--width", "2", "--depth", "1", "--temporal-weight", "50"]
    assert main([*base, "--video", str(tiny_clip)]) == 0
    meta = read_header(out)
    assert meta["adapt"]["loss"]["temporal_weight"] == 50 and meta["content"]["pairs"] == 3
    assert "temporal" in meta["final_losses"]
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(np.zeros((80, 80, 3), np.uint8)).save(photos / "a.png")
    _assert_one_line_error(main([*base, "-y", "--content", str(photos)]), capsys, "needs a clip")
    _assert_one_line_error(main([*base, "--video", str(tiny_clip), "--temporal-weight", "-1"]), capsys, "temporal-weight")


def test_help_shows_a_list_default_of_two_ints_as_a_list_not_a_size(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "table1", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default 0 1)" in text and "0x1" not in text


@pytest.mark.parametrize("preset, expected", [(None, "False"), ("1", "True")])
def test_the_command_turns_off_numpys_hugepage_advice_unless_the_user_set_it(preset, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if preset is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = preset
    code = "import filmstyle.cli, numpy; print(numpy._core.multiarray._get_madvise_hugepage())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == expected


def test_a_signal_inside_an_import_is_raised_once_the_import_is_done(tmp_path, monkeypatch):
    """torch runs module code from C++: an exception raised inside its import aborts the process. A
    SIGTERM met inside an import is raised again after it, where main turns it into one line."""
    import signal
    import time

    from filmstyle import _cli

    (tmp_path / "slow_module_for_the_test.py").write_text(
        "import os, signal, time\nos.kill(os.getpid(), signal.SIGTERM)\ntime.sleep(0.2)\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    old = {s: signal.signal(s, h) for s, h in ((signal.SIGTERM, _cli._on_sigterm), (signal.SIGALRM, _cli._on_alarm))}
    try:
        with pytest.raises(_cli._Terminated):
            import slow_module_for_the_test  # noqa: F401
            time.sleep(2)  # the retry lands here, outside the import
        assert sys.modules["slow_module_for_the_test"].DONE
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for s, h in old.items():
            signal.signal(s, h)
        sys.modules.pop("slow_module_for_the_test", None)
