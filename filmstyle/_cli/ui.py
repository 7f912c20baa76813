"""``filmstyle ui [--port N] [--host H]``: the preview page in the browser (:mod:`filmstyle.ui`)."""
from __future__ import annotations

import argparse

from filmstyle._cli.common import at_least, given, option
from filmstyle.core.config import UIConfig


def add_parser(p: argparse.ArgumentParser) -> None:
    option(p, "--host", cls=UIConfig, help="address to serve on (0.0.0.0: reachable from other machines)")
    option(p, "--port", cls=UIConfig, type=at_least(1, "--port"), help="port to serve on")
    option(p, "--max-upload-mb", cls=UIConfig, type=at_least(1, "--max-upload-mb"),
           help="largest file a user may upload, in MB")
    option(p, "--jobs", cls=UIConfig, type=at_least(1, "--jobs"),
           help="long jobs (adapt, render, LUT) running at a time for all users; the others wait in the queue")


def run(args: argparse.Namespace) -> None:
    from filmstyle.core.errors import InputError

    config = UIConfig(**given(args, UIConfig))
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise InputError(None, "filmstyle ui needs Gradio", "pip install 'filmstyle[ui]'") from None
    from filmstyle.ui.app import launch

    print(f"filmstyle ui: serving on http://{config.host}:{config.port} (Ctrl-C stops it)", flush=True)
    launch(config)
