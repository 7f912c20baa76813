"""Tests for filmstyle.core.video on tiny synthetic clips (CPU, well under a second each)."""
from __future__ import annotations

import signal
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from filmstyle.core import video
from filmstyle.core.errors import InputError
from filmstyle.core.video import probe, read_frames, sample_frames, transcode
from tests.conftest import SQUARE_STEP, make_audio_only, make_clip


def identity(frame: np.ndarray) -> np.ndarray:
    return frame


def frame_times(path: Path) -> list[float]:
    """Presentation times (s) of every decoded video frame, read with PyAV directly."""
    with av.open(str(path)) as c:
        return [float(f.pts * f.time_base) for f in c.decode(video=0)]


def audio_seconds(path: Path) -> list[float]:
    """Duration (s) of each audio stream, from the sum of its packet durations."""
    with av.open(str(path)) as c:
        totals = {s.index: 0 for s in c.streams.audio}
        for packet in c.demux(*c.streams.audio):
            if packet.dts is not None:
                totals[packet.stream.index] += packet.duration * packet.time_base
        return [float(t) for t in totals.values()]


def test_probe_tiny_clip(tiny_clip: Path) -> None:
    info = probe(tiny_clip)
    assert (info.width, info.height) == (64, 48)
    assert info.fps == Fraction(12)
    assert info.frame_count == 8
    assert info.audio_streams == 1
    assert info.codec == "h264"
    assert info.duration == pytest.approx(8 / 12, abs=0.01)


def test_read_frames_shapes_every_and_max(tiny_clip: Path) -> None:
    frames = list(read_frames(tiny_clip))
    assert len(frames) == 8
    assert frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    assert len(list(read_frames(tiny_clip, every=3))) == 3  # frames 0, 3, 6
    assert len(list(read_frames(tiny_clip, max_frames=2))) == 2
    small = next(read_frames(tiny_clip, size=(32, 24)))
    assert small.shape == (24, 32, 3)


def test_read_frames_sees_the_moving_square(tiny_clip: Path) -> None:
    """The yellow square's left edge moves SQUARE_STEP pixels per frame."""
    frames = list(read_frames(tiny_clip))

    def left_edge(img: np.ndarray) -> int:
        row = img[img.shape[0] // 2].astype(int)
        return int(np.argmax((row[:, 2] < 50) & (row[:, 1] > 150)))

    assert [left_edge(f) for f in frames[:4]] == [0, SQUARE_STEP, 2 * SQUARE_STEP, 3 * SQUARE_STEP]


def test_sample_frames_spreads_over_clip(tiny_clip: Path) -> None:
    every = list(read_frames(tiny_clip))
    picked = sample_frames(tiny_clip, 3)
    assert len(picked) == 3
    for got, index in zip(picked, [0, 4, 7], strict=True):  # linspace(0, 7, 3) rounded
        np.testing.assert_array_equal(got, every[index])
    assert len(sample_frames(tiny_clip, 20)) == 8  # fewer frames than asked: all of them


def test_sampling_jumps_to_the_keyframes_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import clip_frame

    path = tmp_path / "gop3.mp4"
    with av.open(str(path), "w") as out:  # a keyframe every 3 frames, as a phone's is every second
        stream = out.add_stream("libx264", rate=12, options={"crf": "10", "g": "3", "bf": "0"})
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(30):
            frame = av.VideoFrame.from_ndarray(clip_frame(i), format="rgb24").reformat(format="yuv420p")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    every = list(read_frames(path))
    decoded = []
    real = video._Decoder.decode

    def counting(self, packet):  # noqa: ANN001, ANN202
        got = real(self, packet)
        decoded.extend(got)
        return got

    monkeypatch.setattr(video._Decoder, "decode", counting)
    picked = sample_frames(path, 4)  # 0, 10, 19, 29
    for got, index in zip(picked, [0, 10, 19, 29], strict=True):
        np.testing.assert_array_equal(got, every[index])
    assert len(decoded) <= 4 * 3  # from the keyframe before each, not all 30
    pairs = video.sample_pairs(path, 2)  # (0, 1) and (28, 29)
    for (a, b), start in zip(pairs, [0, 28], strict=True):
        np.testing.assert_array_equal(a, every[start])
        np.testing.assert_array_equal(b, every[start + 1])


def test_round_trip_identity(tiny_clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "out.mp4"
    seen: list[int] = []
    stats = transcode(tiny_clip, dst, identity, on_frame=seen.append)
    assert stats.frames == 8 and seen == list(range(1, 9))
    assert (stats.width, stats.height, stats.fps, stats.audio_streams) == (64, 48, Fraction(12), 1)
    assert stats.e2e_fps > 0 and stats.seconds_process <= stats.seconds_total

    info = probe(dst)
    assert (info.frame_count, info.fps, info.audio_streams) == (8, Fraction(12), 1)
    assert frame_times(dst) == pytest.approx(frame_times(tiny_clip))
    assert audio_seconds(dst) == pytest.approx(audio_seconds(tiny_clip), abs=0.03)

    src_frames, out_frames = list(read_frames(tiny_clip)), list(read_frames(dst))
    diff = np.mean([np.abs(a.astype(int) - b).mean() for a, b in zip(src_frames, out_frames, strict=True)])
    assert diff < 3.0  # 0..255 units

    with av.open(str(dst)) as c:
        ctx = c.streams.video[0].codec_context
        assert (ctx.color_primaries, ctx.color_trc, ctx.colorspace) == (1, 1, 1)  # BT.709
        assert ctx.color_range == 1  # limited (MPEG/TV) range


def test_encoding_uses_bt709_matrix(tiny_clip: Path, tmp_path: Path) -> None:
    """A flat (200, 50, 100) frame has luma 16 + 219 * Y'709 = 89 (BT.601 would give 102)."""
    dst = tmp_path / "flat.mp4"
    transcode(tiny_clip, dst, lambda f: np.broadcast_to(np.uint8([200, 50, 100]), f.shape).copy(),
              max_frames=1, crf=0)
    with av.open(str(dst)) as c:
        luma = next(c.decode(video=0)).to_ndarray()[:48]  # yuv420p: the first H rows are Y
    assert abs(float(luma.mean()) - 89.4) < 1.0
    np.testing.assert_allclose(next(read_frames(dst))[10, 10], [200, 50, 100], atol=3)


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_timestamps_gaps_and_offset_kept(tmp_path: Path, suffix: str) -> None:
    src = make_clip(tmp_path / "vfr.mp4", frames=5, pts=[3, 4, 6, 7, 10])
    dst = tmp_path / f"out{suffix}"
    assert transcode(src, dst, identity).frames == 5
    want, got = np.array(frame_times(src)), np.array(frame_times(dst))
    np.testing.assert_allclose(np.diff(got), np.diff(want), atol=1e-3)  # gaps kept
    # Start offset kept; Matroska cannot store the AAC priming's negative timestamps, so FFmpeg
    # shifts every stream there by it (1024 samples at 48 kHz), keeping audio and video in sync.
    shift = 1024 / 48_000 if suffix == ".mkv" else 0.0
    assert got[0] == pytest.approx(3 / 12 + shift, abs=1e-3)


def test_max_frames_cuts_video_and_audio(tiny_clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "three.mp4"
    assert transcode(tiny_clip, dst, identity, max_frames=3).frames == 3
    assert len(frame_times(dst)) == 3
    (seconds,) = audio_seconds(dst)
    assert 0.2 < seconds <= 3 / 12 + 1 / 12  # audio kept, ends within a frame of the video


def test_resize(tiny_clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "small.mp4"
    shapes: list[tuple[int, ...]] = []
    transcode(tiny_clip, dst, lambda f: shapes.append(f.shape) or f, size=(32, 24))
    assert set(shapes) == {(24, 32, 3)}
    info = probe(dst)
    assert (info.width, info.height, info.frame_count) == (32, 24, 8)


def test_odd_sizes_round_down_to_even(tmp_path: Path) -> None:
    with av.open(str(tmp_path / "odd.mkv"), "w") as c:  # ffv1 takes odd sizes; yuv420p would not
        stream = c.add_stream("ffv1", rate=12)
        stream.width, stream.height, stream.pix_fmt = 33, 25, "yuv444p"
        for i in range(2):
            frame = av.VideoFrame.from_ndarray(np.full((25, 33, 3), 100, np.uint8), format="rgb24")
            frame.pts = i
            c.mux(stream.encode(frame.reformat(format="yuv444p")))
        c.mux(stream.encode(None))
    stats = transcode(tmp_path / "odd.mkv", tmp_path / "even.mp4", identity)
    assert (stats.width, stats.height, stats.frames) == (32, 24, 2)
    stats = transcode(tmp_path / "odd.mkv", tmp_path / "small.mp4", identity, size=(17, 9))
    assert (stats.width, stats.height) == (16, 8)
    assert (probe(tmp_path / "small.mp4").width, probe(tmp_path / "small.mp4").height) == (16, 8)


def test_prores_mov(tiny_clip: Path, tmp_path: Path) -> None:
    dst = tmp_path / "out.mov"
    transcode(tiny_clip, dst, identity, codec="prores")
    info = probe(dst)
    assert (info.codec, info.frame_count, info.audio_streams) == ("prores", 8, 1)
    with av.open(str(dst)) as c:
        ctx = c.streams.video[0].codec_context
        assert ctx.pix_fmt == "yuv422p10le"
        assert (ctx.color_primaries, ctx.color_trc, ctx.colorspace) == (1, 1, 1)


@pytest.mark.parametrize("name, codec", [("out.mp4", "prores"), ("out.avi", "h264"), ("out.mp4", "vp9")])
def test_bad_codec_or_container(tiny_clip: Path, tmp_path: Path, name: str, codec: str) -> None:
    with pytest.raises(InputError):
        transcode(tiny_clip, tmp_path / name, identity, codec=codec)
    assert not (tmp_path / name).exists()


def _bad_input(kind: str, tmp_path: Path, clip: Path) -> Path:
    path = tmp_path / f"{kind}.mp4"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is not a video\n" * 20)
    elif kind == "truncated":
        data = clip.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 5])
    elif kind == "audio_only":
        make_audio_only(path)
    return path  # "missing": never written


@pytest.mark.parametrize("kind", ["missing", "empty", "text", "audio_only"])
def test_bad_inputs_raise_input_error(kind: str, tiny_clip: Path, tmp_path: Path) -> None:
    src = _bad_input(kind, tmp_path, tiny_clip)
    dst = tmp_path / "out.mp4"
    for call in (lambda: probe(src), lambda: list(read_frames(src)), lambda: sample_frames(src, 2),
                 lambda: transcode(src, dst, identity)):
        with pytest.raises(InputError) as err:
            call()
        assert str(src) in str(err.value)
    assert not dst.exists()
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])  # mp4: index lost; mkv: frames lost
def test_truncated_input_decodes_partially_or_raises(tmp_path: Path, suffix: str) -> None:
    src = _bad_input("truncated", tmp_path, make_clip(tmp_path / f"clip{suffix}", frames=24))
    dst = tmp_path / "out.mp4"
    try:
        stats = transcode(src, dst, identity)
    except InputError:
        assert not dst.exists()
    else:  # whatever decoded was written as a complete, playable file
        assert 0 < stats.frames < 24
        assert len(frame_times(dst)) == stats.frames
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_nothing_decodable_raises(tmp_path: Path) -> None:
    """A Matroska file cut just inside its first cluster opens fine but holds no whole frame."""
    data = make_clip(tmp_path / "clip.mkv").read_bytes()
    src = tmp_path / "headers_only.mkv"
    src.write_bytes(data[: data.index(b"\x1f\x43\xb6\x75") + 16])  # Matroska Cluster ID
    assert probe(src).width == 64
    dst = tmp_path / "out.mp4"
    for call in (lambda: list(read_frames(src)), lambda: transcode(src, dst, identity)):
        with pytest.raises(InputError, match="no video frame could be decoded"):
            call()
    assert not dst.exists()
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_audio_the_container_cannot_hold(tmp_path: Path) -> None:
    src = tmp_path / "pcm_u8.mkv"
    with av.open(str(src), "w") as c:
        video = c.add_stream("libx264", rate=12)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = c.add_stream("pcm_u8", rate=8000, layout="mono")
        for i in range(2):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            c.mux(video.encode(frame.reformat(format="yuv420p")))
            silence = np.full((1, 667), 128, np.uint8)  # one frame's worth at 8 kHz, 12 fps
            sound = av.AudioFrame.from_ndarray(silence, format="u8", layout="mono")
            sound.sample_rate, sound.pts = 8000, i * 667
            c.mux(audio.encode(sound))
        c.mux(video.encode(None))
    with pytest.raises(InputError, match=r"\.mkv or \.mov"):
        transcode(src, tmp_path / "out.mp4", identity)
    assert not (tmp_path / "out.mp4").exists()
    assert transcode(src, tmp_path / "out.mkv", identity).audio_streams == 1


def test_unwritable_output(tiny_clip: Path, tmp_path: Path) -> None:
    calls: list[int] = []
    dst = tmp_path / "no" / "such" / "dir" / "out.mp4"
    with pytest.raises(InputError, match="does not exist"):
        transcode(tiny_clip, dst, lambda f: calls.append(1) or f)
    assert calls == []  # refused before any work


def test_failing_process_leaves_no_file_and_keeps_existing(tiny_clip: Path, tmp_path: Path) -> None:
    seen: list[np.ndarray] = []

    def fail_on_third(frame: np.ndarray) -> np.ndarray:
        seen.append(frame)
        if len(seen) == 3:
            raise RuntimeError("boom")
        return frame

    fresh = tmp_path / "fresh.mp4"
    with pytest.raises(RuntimeError, match="boom"):
        transcode(tiny_clip, fresh, fail_on_third)
    assert not fresh.exists()

    existing = tmp_path / "existing.mp4"
    existing.write_bytes(b"keep me")
    for error in (RuntimeError, KeyboardInterrupt):
        def raise_it(frame: np.ndarray, error: type[BaseException] = error) -> np.ndarray:
            raise error()
        with pytest.raises(error):
            transcode(tiny_clip, existing, raise_it)
        assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.mp4", "tiny.mp4"]


def test_process_must_keep_shape(tiny_clip: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="shape"):
        transcode(tiny_clip, tmp_path / "out.mp4", lambda f: f[:10])
    assert not (tmp_path / "out.mp4").exists()


def test_planar_frames_come_as_decoded_and_go_out_as_given(tiny_clip: Path, tmp_path: Path) -> None:
    seen = []
    transcode(tiny_clip, tmp_path / "out.mp4", lambda p: (seen.append(p), p.planes)[1], planar=True, crf=0)
    # the tiny clip: untagged 64x48 BT.601 limited; lossless h264 gives the planes back as written
    assert [(p.planes.shape, p.matrix, p.full_range) for p in seen] == [((72, 64), 6, False)] * 8
    with av.open(str(tmp_path / "out.mp4")) as c:
        out = [f.to_ndarray() for f in c.decode(video=0)]
    np.testing.assert_array_equal(np.stack(out), np.stack([p.planes for p in seen]))
    assert video.probe(tmp_path / "out.mp4").matrix == 1  # tagged BT.709: what process is to return
    with pytest.raises(ValueError, match="yuv420p planes"):
        transcode(tiny_clip, tmp_path / "bad.mp4", lambda p: p.planes[:10], planar=True)
    with pytest.raises(ValueError, match="h264"):
        transcode(tiny_clip, tmp_path / "bad.mov", lambda p: p.planes, planar=True, codec="prores")
    assert not (tmp_path / "bad.mp4").exists() and not (tmp_path / "bad.mov").exists()


def square_left_edge(img: np.ndarray) -> int:
    """Where the yellow square of :func:`tests.conftest.clip_frame` starts, in pixels (a frame's signature)."""
    row = img[img.shape[0] // 2].astype(int)
    return int(np.argmax((row[:, 2] < 50) & (row[:, 1] > 150)))


def test_frames_arrive_in_order_with_few_decoded_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding runs ahead on a thread: ``process`` still sees every frame once, in order, and at
    most a few frames are decoded but not yet processed."""
    src = make_clip(tmp_path / "clip.mp4", frames=24)  # the square moves 2 px a frame, no wrap
    converted: list[int] = []
    to_rgb = video._to_rgb
    monkeypatch.setattr(video, "_to_rgb", lambda frame, size: converted.append(1) or to_rgb(frame, size))
    edges: list[int] = []
    most_ahead = 0

    def record(frame: np.ndarray) -> np.ndarray:
        nonlocal most_ahead
        time.sleep(0.005)  # slower than decoding, so the thread fills its queue
        edges.append(square_left_edge(frame))
        most_ahead = max(most_ahead, len(converted) - len(edges))
        return frame

    dst = tmp_path / "out.mp4"
    assert transcode(src, dst, record, crf=0).frames == 24  # lossless: the signatures survive encoding
    assert edges == [SQUARE_STEP * i for i in range(24)]
    assert 1 <= most_ahead <= video._AHEAD + 1  # queued, plus one converted and waiting for room
    assert frame_times(dst) == pytest.approx(frame_times(src))
    assert [square_left_edge(f) for f in read_frames(dst)] == edges


def test_error_in_process_mid_clip_propagates_and_stops_the_thread(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "clip.mp4", frames=24)
    dst = tmp_path / "out.mp4"
    threads = threading.active_count()

    class Boom(Exception):
        pass

    def fail_on_tenth(frame: np.ndarray, seen: list[int] = []) -> np.ndarray:  # noqa: B006
        seen.append(1)
        if len(seen) == 10:
            raise Boom("frame 10")
        return frame

    with pytest.raises(Boom, match="frame 10"):
        transcode(src, dst, fail_on_tenth)
    assert threading.active_count() == threads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]  # no dst, no partial file


def test_keyboard_interrupt_in_process_leaves_nothing_running(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "clip.mp4", frames=24)
    dst = tmp_path / "out.mp4"
    threads = threading.active_count()
    calls: list[int] = []

    def interrupt_on_fifth(frame: np.ndarray) -> np.ndarray:
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return frame

    with pytest.raises(KeyboardInterrupt):
        transcode(src, dst, interrupt_on_fifth)
    assert len(calls) == 5
    assert threading.active_count() == threads  # the decoding thread was stopped and joined
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_error_in_the_decoding_thread_reaches_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected error while converting frame 6 (on the decoding thread) is raised by transcode,
    after frames 1-5 were processed, and leaves no dst."""
    src = make_clip(tmp_path / "clip.mp4", frames=24)
    dst = tmp_path / "out.mp4"
    threads = threading.active_count()
    to_rgb, converted = video._to_rgb, []

    def fail_on_sixth(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
        converted.append(threading.current_thread())
        if len(converted) == 6:
            raise MemoryError("conversion failed")
        return to_rgb(frame, size)

    monkeypatch.setattr(video, "_to_rgb", fail_on_sixth)
    processed: list[int] = []
    with pytest.raises(MemoryError, match="conversion failed"):
        transcode(src, dst, lambda f: processed.append(1) or f)
    assert len(processed) == 5
    assert threading.main_thread() not in converted  # it did run on the other thread
    assert threading.active_count() == threads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_ctrl_c_while_waiting_for_a_slow_decoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real SIGINT reaches the caller while it waits for the decoding thread; transcode stops
    within about one frame's conversion, leaving no dst and no thread."""
    src = make_clip(tmp_path / "clip.mp4", frames=24)
    dst = tmp_path / "out.mp4"
    # a process started in the background by a non-interactive shell inherits SIGINT ignored, and
    # Python then installs no KeyboardInterrupt handler: install it, as an interactive run has it
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    threads = threading.active_count()
    to_rgb = video._to_rgb
    monkeypatch.setattr(video, "_to_rgb", lambda frame, size: time.sleep(0.2) or to_rgb(frame, size))
    timer = threading.Timer(0.5, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            transcode(src, dst, identity)  # 24 frames * 0.2 s: still decoding when the signal comes
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - start < 0.5 + 1.0
    assert threading.active_count() == threads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_prepare_runs_ahead_in_order_and_process_gets_its_result(tiny_clip, tmp_path):
    import threading

    seen, threads = [], set()

    def prepare(frame):
        threads.add(threading.get_ident())
        seen.append(int(frame.sum()))
        return len(seen)  # the frame's index, 1-based, as this stage saw it

    def process(frame, prepared):
        assert prepared == order.pop(0)
        return frame

    order = list(range(1, 4))
    stats = video.transcode(tiny_clip, tmp_path / "out.mp4", process, prepare=prepare, max_frames=3)
    assert stats.frames == 3 and not order
    assert len(seen) == 3  # frames decoded ahead past max_frames are not prepared
    assert threading.get_ident() not in threads  # on transcode's own thread


def test_probe_is_kept_for_an_unchanged_file_only(tmp_path, monkeypatch):
    path = make_clip(tmp_path / "a.mp4", frames=3, audio=False)
    opened = []
    real = video._open
    monkeypatch.setattr(video, "_open", lambda p: opened.append(p) or real(p))
    first = probe(path)
    assert probe(str(path)) == first and len(opened) == 1  # the same file: not opened again
    other = make_clip(tmp_path / "b.mp4", frames=5, audio=False)
    other.replace(path)  # replaced, as a render's output is: a new file at the same path
    assert probe(path).frame_count == 5 and len(opened) == 2
    path.write_bytes(b"not a video")  # rewritten in place
    with pytest.raises(InputError):
        probe(path)
    with pytest.raises(InputError):
        probe(tmp_path / "missing.mp4")


def test_an_identity_transcode_through_rgb_gives_the_planes_back(tmp_path: Path):
    """Decoding to RGB and encoding back (BT.709 limited, lossless) returns the source's Y' codes: no
    level lost or gained in the conversions (swscale's default rounding lost 1.2 levels per frame)."""
    import av

    src, out = tmp_path / "709.mp4", tmp_path / "out.mp4"
    video.transcode(make_clip(tmp_path / "c.mp4", audio=False), src, lambda f: f, crf=0)
    video.transcode(src, out, lambda f: f, crf=0)

    def luma_planes(path: Path) -> list[np.ndarray]:
        with av.open(str(path)) as c:
            return [f.to_ndarray()[:48].astype(int) for f in c.decode(video=0)]

    for a, b in zip(luma_planes(src), luma_planes(out)):
        assert abs((b - a).mean()) < 0.1 and np.abs(b - a).mean() < 0.5
