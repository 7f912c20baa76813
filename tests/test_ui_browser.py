"""filmstyle ui in a real browser: Debian's chromium driven by Playwright (through
``executable_path``: Playwright's own browser download is not used). The page is loaded, a still and a
clip uploaded, a short adaptation and a preview render run, and the before/after view, the rendered
video and the look's download checked. Tiny inputs: seconds of work.

Skipped, with the reason, where chromium or Playwright is missing; where FILMSTYLE_REQUIRE_BROWSER=1
(CI sets it) their absence fails the test instead."""
from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from filmstyle.core.config import UIConfig
from filmstyle.look import load_look
from tests.conftest import make_clip
from tests.test_ui import _still

REQUIRED = os.environ.get("FILMSTYLE_REQUIRE_BROWSER") == "1"
TIMEOUT_MS = 120_000


def _needs(what: str, how: str) -> None:
    message = f"{what} is missing ({how}); the browser test drives Debian's chromium through Playwright"
    if REQUIRED:
        pytest.fail(f"FILMSTYLE_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _needs("chromium", "apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _needs("playwright", "pip install playwright")
    pytest.importorskip("gradio") if not REQUIRED else __import__("gradio")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    from filmstyle.nets import backend
    from filmstyle.ui.app import launch, stop

    monkeypatch.setattr(backend, "onnx_installed", lambda: False)  # renders in torch: no export, seconds
    monkeypatch.setenv("GRADIO_IS_E2E_TEST", "1")  # Gradio's test mode: a closed tab's state goes after 1 s, not 1 h
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = launch(UIConfig(port=port, preview_frames=2, preview_side=64, preview_seconds=0.5, preview_every=0.01),
                  block=False)
    yield f"http://127.0.0.1:{port}/", page
    stop(page)


def test_a_user_goes_from_still_and_clip_to_a_downloaded_look_in_the_browser(browser, served, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page_url, server = served
    expect.set_options(timeout=TIMEOUT_MS)
    still, clip = _still(tmp_path / "still.png"), make_clip(tmp_path / "clip.mp4", frames=12)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(TIMEOUT_MS)
    elsewhere: list[str] = []  # the page works offline: nothing fetched from another host (fonts, telemetry)
    page.on("request", lambda r: None if r.url.startswith((page_url, "data:", "blob:")) else elsewhere.append(r.url))
    page.goto(page_url)
    status = page.locator("#status")
    expect(page.locator("#adapt")).to_be_visible()

    page.locator("#still input[type=file]").set_input_files(str(still))
    expect(status).to_contain_text("Still ready.")
    expect(page.locator("#still-shown img")).to_have_count(1)
    page.locator("#clip input[type=file]").set_input_files(str(clip))
    expect(status).to_contain_text("Clip ready")
    expect(page.locator("#before-after img")).to_have_count(2)  # before and after, on the user's own frame

    steps = page.locator("#steps input[type=number]")
    steps.fill("2")
    steps.press("Enter")
    page.locator("#adapt").click()
    expect(status).to_contain_text("Adapted 'still look'")
    expect(page.locator("#look input")).to_have_value("still look")
    expect(page.locator("#before-after img")).to_have_count(2)

    page.locator("#preview").click()
    expect(status).to_contain_text("Preview of 'still look'")
    expect(page.locator("#rendered video")).to_have_count(1)

    link = page.locator('#look-file a[download="still_look.look"]')
    expect(link).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.look"
    download.value.save_as(saved)
    assert load_look(saved).kind == "look"
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    assert elsewhere == []
    sessions = [p for p in server.filmstyle_root.iterdir()]
    assert len(sessions) == 1 and any(sessions[0].rglob("*.mp4"))  # the session's own folder: its renders
    page.close()  # the tab closed: the session's folder is deleted (after 1 s in Gradio's test mode)
    deadline = time.monotonic() + 30
    while sessions[0].exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not sessions[0].exists()
