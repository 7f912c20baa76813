"""filmstyle ui (filmstyle.ui): one session's workspace without a page, then the served page driven
end to end through its endpoints with gradio_client, on tiny inputs. The browser test is
tests/test_ui_browser.py."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmstyle.core import video
from filmstyle.core.assets import DEMO_LOOK, META_INIT, SHIPPED_INITS
from filmstyle.core.config import RenderOptions, UIConfig
from filmstyle.core.errors import InputError
from filmstyle.look import load_look
from filmstyle.lut.lut3d import read_lut
from filmstyle.ui.workspace import SAMPLE_LOOK, Cancelled, Workspace
from tests.conftest import make_clip

TINY = UIConfig(preview_frames=2, preview_side=64, preview_seconds=0.5, preview_every=0.01)


def _still(path: Path) -> Path:
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(0, 40, (72, 96, 3)) + np.array([200, 120, 40]), 0, 255).astype(np.uint8)
    Image.fromarray(img).save(path)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(TINY, root=tmp_path)
    yield w
    w.close()


def test_bad_files_are_answered_with_the_users_file_name(ws: Workspace, tmp_path: Path) -> None:
    upload = tmp_path / "server-cache" / "a1b2"  # where a server keeps an upload: not the user's path
    upload.mkdir(parents=True)
    (upload / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (upload / "holiday.mp4").write_text("this is text, not a video")
    with pytest.raises(InputError) as still:
        ws.set_still(upload / "broken.png")
    with pytest.raises(InputError) as clip:
        ws.set_clip(upload / "holiday.mp4")
    for error, name in ((still, "broken.png"), (clip, "holiday.mp4")):
        text = str(error.value)
        assert text.startswith(f"{name}: ") and str(upload) not in text and "\n" not in text
    assert ws.still is None and ws.clip is None
    with pytest.raises(InputError, match="no clip yet"):
        ws.preview(0, RenderOptions())
    with pytest.raises(InputError, match="is an initialisation"):
        ws.add_look(META_INIT)
    assert list(ws.looks) == [SAMPLE_LOOK]


def test_preview_adapt_render_lut_and_close(ws: Workspace, tmp_path: Path) -> None:
    ws.set_still(_still(tmp_path / "still.png"))
    frames = ws.set_clip(make_clip(tmp_path / "clip.mp4", frames=12))
    assert len(frames) == 2 and frames[0].shape == (48, 64, 3)
    before, after = ws.preview(1, RenderOptions())
    assert before is frames[1] and after.shape == before.shape and np.abs(after.astype(int) - before).mean() > 3
    _, unchanged = ws.preview(1, RenderOptions(strength=0.0))  # strength 0: the source, as render gives it
    assert np.abs(unchanged.astype(int) - before).max() <= 1

    reports, live = [], []
    name = ws.adapt(2, on_progress=lambda p: (reports.append(p), live.append(ws.live)), seed=0)
    assert ws.current == name == "still look" and ws.looks[name].is_file()
    assert [r.done for r in reports] == [1, 2, 2] and reports[-1].fraction == 1.0
    assert any(look is not None for look in live) and ws.live is None  # the look as it formed, then cleared
    assert ws.look_file().name == "still_look.look"

    preview, used = ws.render(RenderOptions(temporal="none"), seconds=0.5)
    assert used == name and video.probe(preview).frame_count == 6  # 0.5 s at 12 fps
    cube, used = ws.lut(0.5, look=SAMPLE_LOOK)  # the look asked for, not the current one
    assert used == SAMPLE_LOOK and cube.name == "sample_look_demo.cube" and read_lut(cube).size == 33

    gallery = ws.compare(0, RenderOptions())
    assert [caption for _, caption in gallery] == ["source: clip.mp4", SAMPLE_LOOK, "still look"]
    folder = ws.dir
    ws.close()
    assert not folder.exists()
    with pytest.raises(Cancelled):  # a closed session takes no work and makes no folder again
        ws.render(RenderOptions())
    assert not folder.exists()


def test_cancel_stops_an_adaptation_between_steps(ws: Workspace, tmp_path: Path) -> None:
    ws.set_still(_still(tmp_path / "still.png"))
    ws.set_clip(make_clip(tmp_path / "clip.mp4", frames=4))

    assert not ws.cancel()  # nothing running: nothing to cancel
    second: list[Exception] = []

    def press_cancel(p) -> None:  # noqa: ANN001
        try:
            ws.render(RenderOptions())  # a second job of the same session meanwhile: refused
        except InputError as e:
            second.append(e)
        assert ws.cancel()

    with pytest.raises(InputError, match="unknown network 'fast'"):
        ws.adapt(1, init="fast")
    with pytest.raises(Cancelled):
        ws.adapt(50, on_progress=press_cancel)
    assert list(ws.looks) == [SAMPLE_LOOK] and ws.live is None and not ws.busy
    assert len(second) == 1 and "still running" in str(second[0])
    name = ws.add_look(DEMO_LOOK)  # a look of the user's: listed under its file name, made current
    assert name == "demo.look" and ws.current == name


# --- the served page, through its endpoints ---------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    pytest.importorskip("gradio")
    from filmstyle.ui.app import launch, stop

    port = _free_port()
    page = launch(UIConfig(port=port, max_upload_mb=4, preview_frames=2, preview_side=64, preview_seconds=0.5,
                           preview_every=0.01, jobs=1), block=False)  # one long-job slot for every user
    yield f"http://127.0.0.1:{port}/", page
    root = page.filmstyle_root
    stop(page)
    assert not root.exists()  # every session's files gone with the server


def test_the_page_goes_from_still_and_clip_to_a_downloaded_video(served, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from gradio_client import Client, handle_file

    from filmstyle.nets import backend

    monkeypatch.setattr(backend, "onnx_installed", lambda: False)  # the render in torch: no export, seconds

    url, page = served
    client = Client(url, verbose=False, download_files=str(tmp_path / "downloads"))
    (tmp_path / "bad").mkdir()
    bad = tmp_path / "bad" / "scan.png"
    bad.write_bytes(b"GIF89a nonsense")
    status, _ = client.predict(handle_file(str(bad)), api_name="/still")
    assert status.startswith("**Problem:** scan.png: ") and "\n" not in status  # the CLI's one line, in the page

    status, _ = client.predict(handle_file(str(_still(tmp_path / "still.png"))), api_name="/still")
    assert status == "Still ready."
    status, shown = client.predict(handle_file(str(make_clip(tmp_path / "clip.mp4", frames=12))), 1.0, False,
                                   "source", 1, api_name="/clip")
    assert status.startswith("Clip ready: 2 frames") and len(shown) == 2  # before/after of the first frame

    job = client.submit(2, "meta-fast", 1.0, False, "source", 2, api_name="/adapt")  # the lean network's init
    outputs = list(job)
    assert any(str(o[0]).startswith("adapting: step 1 of 2") for o in outputs)
    status, before_after, looks, look_file = job.result()
    assert status.startswith("Adapted 'still look'") and looks["value"] == "still look"
    assert Path(look_file).name == "still_look.look" and Path(look_file).stat().st_size > 0
    assert load_look(look_file).net.config == load_look(SHIPPED_INITS["meta-fast"]).net.config
    assert [Image.open(p).size for p in before_after] == [(64, 48), (64, 48)]

    status, shown = client.predict(0.0, False, "source", 1, api_name="/tune")  # strength 0: the clip itself
    before, after = (np.asarray(Image.open(p).convert("RGB"), dtype=int) for p in shown)
    assert np.abs(after - before).max() <= 1

    status, preview, _ = client.predict("still look", 1.0, False, "source", 1, api_name="/preview")
    assert status.startswith("Preview of 'still look'") and video.probe(preview).frame_count == 6
    status, _, downloaded = client.predict("still look", 1.0, False, "source", 1, api_name="/render")
    assert status.startswith("Rendered 'still look'") and video.probe(downloaded).frame_count == 12
    status, cube, _ = client.predict("still look", 1.0, False, "source", 1, api_name="/lut")
    assert read_lut(cube).size == 33
    status, gallery = client.predict(1.0, False, "source", 1, api_name="/compare")
    assert [g["caption"] for g in gallery] == ["source: clip.mp4", SAMPLE_LOOK, "still look"]
    status, looks, shown, look_file = client.predict([handle_file(str(DEMO_LOOK))], 1.0, False, "source", 1,
                                                     api_name="/load_looks")
    assert status == "Loaded 'demo.look'." and looks["value"] == "demo.look" and len(shown) == 2
    assert Path(look_file).name == "demo.look"  # the loaded look is the one shown and offered


def test_two_users_do_not_block_each_other_and_cancel_stops_a_job(served, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    url, _ = served
    a, b = Client(url, verbose=False), Client(url, verbose=False)
    clip = make_clip(tmp_path / "clip.mp4", frames=6)
    for c in (a, b):
        c.predict(handle_file(str(_still(tmp_path / "still.png"))), api_name="/still")
        c.predict(handle_file(str(clip)), 1.0, False, "source", 1, api_name="/clip")
    long = a.submit(400, "meta", 1.0, False, "source", 1, api_name="/adapt")  # minutes if left alone: holds the one slot
    deadline = time.monotonic() + 60
    while not any(str(o[0]).startswith("adapting: step") for o in long.outputs()) and time.monotonic() < deadline:
        time.sleep(0.2)
    status, shown = b.predict(0.5, True, "source", 1, api_name="/tune")  # the other user's preview meanwhile
    assert len(shown) == 2 and not long.done()  # previews have their own pool: not queued behind the job

    assert a.predict(api_name="/cancel") == "Cancelling ..."
    deadline = time.monotonic() + 60
    while (not long.done() or any(t.name == "filmstyle-ui-job" for t in threading.enumerate())) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert long.done() and not any(t.name == "filmstyle-ui-job" for t in threading.enumerate())  # the job stopped
    assert a.predict(api_name="/cancel") == "Nothing is running."
    status, looks, _, _ = b.predict([handle_file(str(DEMO_LOOK))], 1.0, False, "source", 1, api_name="/load_looks")
    assert [c[0] for c in looks["choices"]] == [SAMPLE_LOOK, "demo.look"]  # b's session never saw a's looks


def test_uploads_over_the_size_limit_are_refused(served, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    url, _ = served
    big = tmp_path / "huge.png"
    big.write_bytes(b"\0" * (5 << 20))  # 5 MB against a 4 MB limit
    with pytest.raises(Exception, match="(?i)size|large|413"):
        Client(url, verbose=False).predict(handle_file(str(big)), api_name="/still")


def test_cli_ui_without_gradio_says_what_to_install(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import builtins

    from filmstyle._cli import main

    real = builtins.__import__

    def no_gradio(name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if name == "gradio" or name.startswith("gradio."):
            raise ImportError(f"No module named {name!r}", name=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_gradio)
    assert main(["ui", "--port", "7999"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pip install 'filmstyle[ui]'" in err
