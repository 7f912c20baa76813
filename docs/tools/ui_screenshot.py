"""The README's screenshot of ``filmstyle ui`` (docs/ui.png): the page served here, driven in Debian's
chromium through Playwright: the samples loaded, a look adapted with the default steps, the
before/after on the middle frame, then a screenshot of the top of the page.

    python docs/tools/ui_screenshot.py [-o docs/ui.png] [--steps 50]
"""
from __future__ import annotations

import argparse
import shutil
import socket
from pathlib import Path

from filmstyle.core.config import AdaptConfig, UIConfig
from filmstyle.ui.app import launch, stop


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", type=Path, default=Path(__file__).resolve().parents[1] / "ui.png")
    p.add_argument("--steps", type=int, default=AdaptConfig.steps)
    args = p.parse_args()
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH: apt-get install chromium")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = launch(UIConfig(port=port), block=False)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_page(viewport={"width": 1400, "height": 1250})
            expect.set_options(timeout=600_000)
            tab.goto(f"http://127.0.0.1:{port}/")
            status = tab.locator("#status")
            tab.locator("#samples").click()
            expect(status).to_contain_text("Clip ready")
            steps = tab.locator("#steps input[type=number]")
            steps.fill(str(args.steps))
            steps.press("Enter")
            tab.locator("#adapt").click()
            expect(status).to_contain_text("Adapted")
            frame = tab.locator("#frame input[type=number]")
            frame.fill("2")
            frame.press("Enter")
            tab.wait_for_timeout(4000)  # the before/after of frame 2 drawn
            tab.locator("#compare").click()
            expect(tab.locator("#gallery img")).to_have_count(3)
            tab.wait_for_timeout(1500)
            tab.evaluate("window.scrollTo(0, 0)")
            tab.wait_for_timeout(500)
            tab.screenshot(path=str(args.output))
            browser.close()
    finally:
        stop(page)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
