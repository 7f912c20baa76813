"""Long renders in segments (filmstyle.segments): the plan, the join, resuming after a kill."""
from __future__ import annotations

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

from filmstyle.core import video
from filmstyle.core.assets import DEMO_LOOK
from filmstyle.core.config import RenderOptions, Segmenting
from filmstyle.core.errors import InputError
from filmstyle.segments import plan, render_segmented
from tests.conftest import AUDIO_RATE, _sine_frames, clip_frame

OPTIONS = RenderOptions(backend="torch")
SHORT = Segmenting(segment_seconds=2.0)  # segments of 24 frames at 12 fps


def make_long_clip(path: Path, *, frames: int = 96, size: tuple[int, int] = (64, 48), fps: int = 12,
                   gop: int = 12) -> Path:
    """The moving-square clip with a keyframe every ``gop`` frames (as real footage has every few
    seconds) and an AAC tone."""
    sound = _sine_frames(frames / fps)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "10", "g": str(gop)})
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(clip_frame(i, size), format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
            while sound and sound[0].pts < (i + 1) * AUDIO_RATE / fps:
                out.mux(audio.encode(sound.pop(0)))
        out.mux(stream.encode(None))
        for s in sound:
            out.mux(audio.encode(s))
        out.mux(audio.encode(None))
    return path


@pytest.fixture
def long_clip(tmp_path) -> Path:
    return make_long_clip(tmp_path / "long.mp4")


def _streams(path: Path) -> list[tuple]:
    with av.open(str(path)) as c:
        out = []
        for s in c.streams:
            ctx = s.codec_context
            tags = (ctx.color_primaries, ctx.color_trc, ctx.colorspace) if s.type == "video" else ()
            out.append((s.type, s.frames, tags))
        return out


def _pts(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        return sorted(float(f.pts * f.time_base) for f in c.decode(video=0))


def test_the_plan_starts_segments_at_keyframes_and_covers_every_frame(long_clip):
    index = video.frame_index(long_clip)
    assert [i for i, k in enumerate(index.key) if k] == list(range(0, 96, 12))
    segments = plan(index, 12.0, segment_seconds=2.0, warmup=5)
    assert [(s.first, s.last) for s in segments] == [(0, 23), (24, 47), (48, 71), (72, 95)]
    assert [s.warm for s in segments] == [0, 19, 43, 67] and segments[-1].stop is None
    assert all(index.key[s.first] for s in segments)
    assert [(s.first, s.last) for s in plan(index, 12.0, segment_seconds=2.0, max_frames=30)] == [(0, 23), (24, 29)]


def test_a_segmented_render_is_the_one_pass_render(long_clip, tmp_path):
    """Every frame within 2/255 of the one-pass render, every frame, timestamp, audio packet and colour tag kept."""
    from filmstyle.look import load_look
    from filmstyle.render import render_video

    one, seg = tmp_path / "one.mp4", tmp_path / "seg.mp4"
    render_video(load_look(DEMO_LOOK), long_clip, one, OPTIONS)
    stats = render_segmented(DEMO_LOOK, long_clip, seg, OPTIONS, SHORT)
    assert stats.segments == 4 and stats.rendered == 4 and stats.frames == 96
    a, b = list(video.read_frames(one)), list(video.read_frames(seg))
    assert len(a) == len(b) == 96
    assert max(np.abs(x.astype(int) - y).mean() for x, y in zip(a, b)) <= 2.0
    assert _pts(one) == _pts(seg) == _pts(long_clip)
    assert _streams(one) == _streams(seg)
    assert not (tmp_path / ".seg.mp4.segments").exists()  # cleaned up after the join


def test_joins_are_invisible(long_clip, tmp_path):
    """Across each join the stability error is the one-pass render's at the same frames. Lossless
    (crf 0), so that what is compared is the stylisation: at crf 18 each segment starts with a key
    frame, whose own small jump in quality a one-pass render has at its key frames (every 250 frames)."""
    from filmstyle.look import load_look
    from filmstyle.measure.stability import stability
    from filmstyle.render import render_video

    lossless = RenderOptions(backend="torch", crf=0)
    one, seg = tmp_path / "one.mp4", tmp_path / "seg.mp4"
    render_video(load_look(DEMO_LOOK), long_clip, one, lossless)
    render_segmented(DEMO_LOOK, long_clip, seg, lossless, SHORT)
    a, b = ([p.e_stab for p in stability(long_clip, out, flow="dis").pairs] for out in (one, seg))
    for start in (24, 48, 72):  # pair start - 1: frames start - 1 -> start, across the join
        assert b[start - 1] <= 1.25 * a[start - 1] + 1e-6, (start, b[start - 1], a[start - 1])


def test_an_interrupted_render_resumes_with_the_segments_it_finished(long_clip, tmp_path):
    out, work = tmp_path / "out.mp4", tmp_path / "work"
    how = Segmenting(segment_seconds=2.0, workdir=str(work))

    def stop_after_two(result):
        if result.index == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_segmented(DEMO_LOOK, long_clip, out, OPTIONS, how, on_segment=stop_after_two)
    assert not out.exists() and sorted(p.name for p in work.glob("segment_*")) == ["segment_00000.mp4",
                                                                                  "segment_00001.mp4"]
    stats = render_segmented(DEMO_LOOK, long_clip, out, OPTIONS, how)
    assert (stats.reused, stats.rendered) == (2, 2) and len(list(video.read_frames(out))) == 96
    # a work directory of another render is not taken for this one
    render_segmented(DEMO_LOOK, long_clip, tmp_path / "a.mp4", OPTIONS, Segmenting(segment_seconds=2.0, workdir=str(work),
                                                                                   keep_workdir=True))
    with pytest.raises(InputError, match="another render"):
        render_segmented(DEMO_LOOK, long_clip, tmp_path / "b.mp4", RenderOptions(backend="torch", strength=0.5),
                         Segmenting(segment_seconds=2.0, workdir=str(work)))


def test_sigkill_midway_then_the_same_command_completes(tmp_path):
    src = make_long_clip(tmp_path / "long.mp4", frames=144, size=(96, 64))
    out = tmp_path / "out.mp4"
    work = tmp_path / ".out.mp4.segments"
    argv = [sys.executable, "-m", "filmstyle", "-q", "render", str(src), "-l", str(DEMO_LOOK), "-o", str(out),
            "--backend", "torch", "--segment-seconds", "2"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not list(work.glob("segment_00001.*")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if not work.exists():
        pytest.skip("no segment finished before the kill")
    assert not out.exists()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "found done" in done.stdout and len(list(video.read_frames(out))) == 144


def test_a_pool_of_processes_renders_what_one_process_does(long_clip, tmp_path):
    one, two = tmp_path / "one.mp4", tmp_path / "two.mp4"
    render_segmented(DEMO_LOOK, long_clip, one, OPTIONS, SHORT)
    render_segmented(DEMO_LOOK, long_clip, two, OPTIONS, Segmenting(segment_seconds=2.0, jobs=2))
    a, b = list(video.read_frames(one)), list(video.read_frames(two))
    assert len(a) == len(b) == 96 and max(np.abs(x.astype(int) - y).mean() for x, y in zip(a, b)) <= 0.5


def _kill_a_segment_worker(killed: list[int], stop) -> None:  # noqa: ANN001 - a threading.Event
    """Kill (SIGKILL) the first Ray worker seen rendering a segment, once."""
    while not stop.is_set() and not killed:
        for pid in os.listdir("/proc"):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if pid.isdigit() and b"ray::render_segment" in cmd:
                os.kill(int(pid), signal.SIGKILL)
                killed.append(int(pid))
                return
        time.sleep(0.02)


def test_ray_tasks_render_what_one_process_does(long_clip, tmp_path):
    """--executor ray on a local Ray (2 CPUs): the segments as Ray tasks, the same frames; a worker
    killed in the middle of a segment is retried and the render completes."""
    import threading

    ray = pytest.importorskip("ray")
    from filmstyle.core.executors import ray_init

    ray_init(None, num_cpus=2)  # a local Ray on this machine's 2 CPUs, the caller's signal handlers kept
    try:
        killed: list[int] = []
        stop = threading.Event()
        watcher = threading.Thread(target=_kill_a_segment_worker, args=(killed, stop))
        watcher.start()
        try:
            stats = render_segmented(DEMO_LOOK, long_clip, tmp_path / "killed.mp4", OPTIONS,
                                     Segmenting(segment_seconds=2.0, executor="ray"))
        finally:
            stop.set()
            watcher.join()
        assert killed and stats.rendered == 4 and len(list(video.read_frames(tmp_path / "killed.mp4"))) == 96
        one, on_ray = tmp_path / "one.mp4", tmp_path / "ray.mp4"
        render_segmented(DEMO_LOOK, long_clip, one, OPTIONS, SHORT)
        stats = render_segmented(DEMO_LOOK, long_clip, on_ray, OPTIONS, Segmenting(segment_seconds=2.0, executor="ray"))
        assert stats.rendered == 4
        a, b = list(video.read_frames(one)), list(video.read_frames(on_ray))
        assert len(a) == len(b) == 96 and max(np.abs(x.astype(int) - y).mean() for x, y in zip(a, b)) <= 0.5
    finally:
        ray.shutdown()


def test_a_cut_list_counts_frames_from_the_clip_start_in_every_segment(tmp_path):
    from filmstyle.render import BlendingStylizer
    from filmstyle.look import load_look
    from filmstyle.segments import start_at

    cuts = tmp_path / "cuts.txt"
    cuts.write_text("30\n")
    stylizer = BlendingStylizer(load_look(DEMO_LOOK).net, RenderOptions(backend="torch", cuts=str(cuts)))
    start_at(stylizer, 19)  # a segment whose warm-up starts at frame 19
    frame = clip_frame(0)
    assert [stylizer.cut_at(frame) for _ in range(19, 32)] == [i == 30 for i in range(19, 32)]


def test_a_truncated_clip_in_segments_is_said_and_refused_with_strict(long_clip, tmp_path, caplog):
    fast = tmp_path / "fast.mp4"
    with av.open(str(long_clip)) as src, av.open(str(fast), "w", options={"movflags": "+faststart"}) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(fast.read_bytes()[: int(fast.stat().st_size * 0.7)])
    stats = render_segmented(DEMO_LOOK, cut, tmp_path / "out.mp4", OPTIONS, SHORT)
    assert 0 < stats.frames < 96 and "its container declares" in caplog.text
    with pytest.raises(InputError, match="damaged video"):
        render_segmented(DEMO_LOOK, cut, tmp_path / "strict.mp4", RenderOptions(backend="torch", strict=True), SHORT)
    assert not (tmp_path / "strict.mp4").exists()


def test_a_clip_without_audio_joins(tmp_path):
    from tests.conftest import make_clip

    src = make_clip(tmp_path / "silent.mp4", frames=30, audio=False)
    stats = render_segmented(DEMO_LOOK, src, tmp_path / "out.mp4", OPTIONS, Segmenting(segment_seconds=1.0))
    assert stats.frames == 30 and stats.audio_streams == 0 and len(list(video.read_frames(tmp_path / "out.mp4"))) == 30


def test_render_file_reports_every_frame_of_a_local_segmented_render_and_stops_where_told(long_clip, tmp_path):
    """render_file (the CLI's and the page's render): in segments on the local executor it reports
    each frame as written, so a progress bar moves and a Cancel (an exception from the callback)
    stops within a frame; the segments finished before are kept for the resume."""
    from filmstyle.segments import SegmentedStats, render_file

    calls: list[int] = []
    how = Segmenting(segment_seconds=2.0, workdir=str(tmp_path / "work"), keep_workdir=True)
    stats = render_file(DEMO_LOOK, long_clip, tmp_path / "all.mp4", OPTIONS, how, on_frames=calls.append)
    assert isinstance(stats, SegmentedStats) and calls == [1] * 96

    class Stop(Exception):
        pass

    def stop_at_30(n: int) -> None:
        calls.append(n)
        if len(calls) == 30:
            raise Stop

    calls.clear()
    with pytest.raises(Stop):
        render_file(DEMO_LOOK, long_clip, tmp_path / "cut.mp4", OPTIONS,
                    Segmenting(segment_seconds=2.0, workdir=str(tmp_path / "work2")), on_frames=stop_at_30)
    assert len(calls) == 30 and len(list((tmp_path / "work2").glob("segment_*.mp4"))) == 1  # segment 0 (24 frames) kept
    assert not (tmp_path / "cut.mp4").exists()
