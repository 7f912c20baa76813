"""The page of ``filmstyle ui`` (Gradio Blocks): still and clip in, a look adapted with live progress,
before/after on the clip's own frames, strength / colour / detail tuned on a frame, a short preview
render, the full render, and downloads of the look, its LUT and the video.

Every action calls :class:`filmstyle.ui.workspace.Workspace` (the library's calls, as the CLI
makes them); this module only lays out the page and turns a workspace's answers into what the page
shows. Long jobs (adapt, renders, LUT) share one queue slot pool of ``UIConfig.jobs``, so one
user's render waits for a free slot instead of slowing every other job; previews have a pool of
their own and always show the latest setting. A problem with a file is answered in the page's
status line with the same one line as the CLI's, and the page goes on.
"""
from __future__ import annotations

import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filmstyle.core.assets import ASSETS, DEMO_CLIP, DEMO_STILL
from filmstyle.core.config import ADAPT_INIT, DETAILS, AdaptConfig, RenderOptions, UIConfig
from filmstyle.core.errors import InputError
from filmstyle.ui.workspace import SAMPLE_LOOK, Cancelled, Progress, Workspace, user_message

TITLE = "filmstyle: the look of a film"
INTRO = ("**Give your footage the look of a film.** Drop a still of the film (or a painting) and your clip, or use "
         "the samples. *Adapt* learns the look from the still in about a minute (the before/after follows it as it "
         "forms); tune strength, colour and detail on a frame; preview a few seconds; render the clip; download the "
         "look, its LUT and the video. Looks made before (`.look` files) can be loaded and compared.")
# adapt's shipped inits (filmstyle.core.assets.SHIPPED_INITS) as the network of a new look: label, --init
NETWORKS = [("quality (the default network)", "meta"),
            ("fast (a lean network that runs about 2.5x as fast; a little less steady)", "meta-fast")]
LONG_JOBS = "long"  # the queue's slot pool of adapt, renders and LUT
PREVIEWS = "preview"


def _problem(error: Exception, ws: Workspace) -> str:
    """The status line for ``error`` (the CLI's one line, with the user's file names)."""
    message = user_message(error, ws.still, ws.clip)
    return "Cancelled." if isinstance(error, Cancelled) else f"**Problem:** {message}"


def _options(strength: float, keep_colour: bool, detail: str) -> RenderOptions:
    return RenderOptions(strength=float(strength), preserve_color=bool(keep_colour), detail=detail)


def _index(frame: float) -> int:
    return max(0, int(frame) - 1)


def _in_background(work: Callable[[Callable[[Progress], None]], Any], cancel: Callable[[], Any], *, every: float,
                   on_tick: Callable[[], Any] | None = None) -> Iterator[tuple[str, Any]]:
    """Run ``work(on_progress)`` on a thread and yield ("progress", Progress) as it reports, ("tick",
    on_tick()) every ``every`` seconds, and last ("done", result) or ("error", exception). A consumer
    that stops early (the page's Cancel drops the handler) calls ``cancel()``: the job stops too."""
    reports: queue.Queue[Progress] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["done"] = work(reports.put)
        except BaseException as e:  # noqa: BLE001 - handed to the page
            outcome["error"] = e

    thread = threading.Thread(target=run, daemon=True, name="filmstyle-ui-job")
    thread.start()
    last_tick = time.monotonic()
    try:
        while thread.is_alive() or not reports.empty():
            try:
                yield "progress", reports.get(timeout=0.2)
            except queue.Empty:
                pass
            if on_tick is not None and time.monotonic() - last_tick >= every:
                last_tick = time.monotonic()
                tick = on_tick()
                if tick is not None:
                    yield "tick", tick
    finally:
        if thread.is_alive():
            cancel()
    thread.join()
    yield ("error", outcome["error"]) if "error" in outcome else ("done", outcome.get("done"))


def build(config: UIConfig = UIConfig(), *, root: str | Path | None = None) -> Any:
    """The page as a ``gradio.Blocks`` (not launched). ``root``: where sessions keep their files
    (default: the system's temporary folder)."""
    import gradio as gr

    defaults = RenderOptions()
    ttl = config.session_hours * 3600

    sessions: weakref.WeakSet[Workspace] = weakref.WeakSet()  # closed by stop()

    def session() -> Workspace:
        w = Workspace(config, root=root)
        sessions.add(w)
        return w

    with gr.Blocks(title=TITLE, delete_cache=(900, int(ttl)), analytics_enabled=False) as page:
        # closed (delete_callback) when its tab has been gone for an hour (Gradio's wait for a reopened tab)
        ws = gr.State(session, delete_callback=Workspace.close)
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        with gr.Row():
            with gr.Column():  # a file, not an image input: every still is read (and answered) by filmstyle
                still = gr.File(label="Film still or painting (PNG, JPEG, TIFF, WebP)", type="filepath", height=120,
                                elem_id="still")
                still_shown = gr.Image(label="Still", interactive=False, height=180, format="png", elem_id="still-shown")
            clip = gr.Video(label="Your clip", sources=["upload"], height=300, elem_id="clip")
        with gr.Row():
            samples = gr.Button("Use the samples (a still of Sintel, a clip of Big Buck Bunny)", elem_id="samples",
                                scale=3)
            gr.Markdown("<small>Samples: *Sintel* and *Big Buck Bunny*, CC-BY 3.0 (c) Blender Foundation.</small>")
        status = gr.Markdown("Upload a still and a clip, or use the samples.", elem_id="status")
        with gr.Row():
            with gr.Column(scale=1):
                look = gr.Dropdown(choices=[SAMPLE_LOOK], value=SAMPLE_LOOK, label="Look", elem_id="look")
                steps = gr.Slider(1, 500, value=AdaptConfig.steps, step=1, label="Adaptation steps (from the "
                                  "meta-learned start; more: closer to the still, slower)", elem_id="steps")
                network = gr.Radio(NETWORKS, value=ADAPT_INIT, label="Network of a new look", elem_id="network")
                with gr.Row():
                    adapt_button = gr.Button("Adapt a look to the still", variant="primary", elem_id="adapt")
                    cancel_button = gr.Button("Cancel", variant="stop", elem_id="cancel")
                uploads = gr.File(label="Load looks (.look files)", file_count="multiple", file_types=[".look"],
                                  elem_id="load-looks")
                strength = gr.Slider(0, 1, value=defaults.strength, step=0.05, label="Strength (0: the clip as it is)",
                                     elem_id="strength")
                keep_colour = gr.Checkbox(value=defaults.preserve_color, label="Keep the clip's colours (the look's "
                                          "light and texture only)", elem_id="keep-colour")
                detail = gr.Radio(list(DETAILS), value=defaults.detail, label="Fine detail from", elem_id="detail")
                frame = gr.Slider(1, config.preview_frames, value=1, step=1, label="Frame of the clip (first to last)",
                                  elem_id="frame")
            with gr.Column(scale=2):
                before_after = gr.ImageSlider(label="Before / after (drag the handle)", type="numpy", format="png",
                                              elem_id="before-after")
                compare_button = gr.Button("Compare every look on this frame", elem_id="compare")
                gallery = gr.Gallery(label="Looks compared", columns=4, height=260, format="png", elem_id="gallery")
        with gr.Row():
            preview_button = gr.Button(f"Preview render ({config.preview_seconds:g} s)", elem_id="preview")
            render_button = gr.Button("Render the whole clip", variant="primary", elem_id="render")
            lut_button = gr.Button("Make the LUT (.cube)", elem_id="lut")
        rendered = gr.Video(label="Render", elem_id="rendered", interactive=False)
        with gr.Row():
            look_file = gr.File(label="Look (.look)", elem_id="look-file", interactive=False)
            lut_file = gr.File(label="LUT (.cube)", elem_id="lut-file", interactive=False)
            video_file = gr.File(label="Video", elem_id="video-file", interactive=False)

        tuning = [strength, keep_colour, detail, frame]
        nothing = gr.update()

        # Every handler returns the workspace too: that (re)registers it with Gradio's state holder,
        # which deletes a session (Workspace.close) an hour after its state was last returned once its
        # tab has gone; a state made by its factory and never returned would never be deleted.
        def answered(fn: Callable[..., tuple], n: int) -> Callable[..., tuple]:
            """``fn(w, *inputs)`` -> its ``n`` outputs and the workspace; any exception is the status line."""
            def handler(w: Workspace, *inputs: Any) -> tuple:
                try:
                    out = fn(w, *inputs)
                except Exception as e:  # noqa: BLE001 - answered in the page, never a traceback
                    out = (_problem(e, w), *([nothing] * (n - 1)))
                return (*out, w)
            return handler

        def show(w: Workspace, strength_: float, keep: bool, detail_: str, frame_: float) -> Any:
            """The before/after of the chosen frame in the current look (or the adapting one)."""
            if not w.frames:
                return None
            before, after = w.preview(_index(frame_), _options(strength_, keep, detail_), w.live)
            return before, after

        def on_still(w: Workspace, path: str | None) -> tuple:
            try:
                thumb = w.set_still(path)
            except InputError as e:
                return _problem(e, w), None
            return ("Still ready." if path else "Upload a still."), thumb

        def on_clip(w: Workspace, path: str | None, *tune: Any) -> tuple:
            try:
                w.set_clip(path)
            except InputError as e:
                return _problem(e, w), None
            if path is None:
                return "Upload a clip.", None
            return f"Clip ready: {len(w.frames)} frames to compare on. Showing {w.current!r}.", show(w, *tune)

        def on_tune(w: Workspace, *tune: Any) -> tuple:
            return nothing, show(w, *tune)

        def on_look(w: Workspace, name: str, *tune: Any) -> tuple:
            if name not in w.looks:
                return nothing, nothing, nothing
            w.current = name
            return f"Look {name!r}.", show(w, *tune), str(w.look_file())

        def on_upload_looks(w: Workspace, files: list[str] | None, *tune: Any) -> tuple:
            if not files:
                return nothing, nothing, nothing, nothing
            added, problems = [], []
            for f in files:
                try:
                    added.append(w.add_look(f))
                except InputError as e:
                    problems.append(user_message(e, f))
            text = f"Loaded {', '.join(repr(a) for a in added)}." if added else ""
            if problems:
                text += " **Problem:** " + "; ".join(problems)
            return (text.strip(), gr.update(choices=list(w.looks), value=w.current), show(w, *tune),
                    str(w.look_file()))

        def on_compare(w: Workspace, *tune: Any) -> tuple:
            return nothing, w.compare(_index(tune[3]), _options(*tune[:3]))

        def on_cancel(w: Workspace) -> tuple:
            return ("Cancelling ..." if w.cancel() else "Nothing is running."),

        def on_samples(w: Workspace) -> tuple:
            return str(DEMO_STILL), str(DEMO_CLIP)

        def on_adapt(w: Workspace, steps_: float, network_: str, *tune: Any,
                     progress: Any = gr.Progress()) -> Iterator[tuple]:
            keep = (nothing,) * 3

            def tick() -> Any:
                try:
                    return show(w, *tune) if w.live is not None else None
                except Exception:  # noqa: BLE001 - a missed frame of the live view
                    return None

            for kind, value in _in_background(lambda report: w.adapt(int(steps_), init=network_, on_progress=report), w.cancel,
                                              every=config.preview_every, on_tick=tick):
                if kind == "progress":
                    progress(value.fraction, desc=value.text)
                    yield value.text, *keep, w
                elif kind == "tick":
                    yield nothing, value, nothing, nothing, w
                elif kind == "error":
                    yield _problem(value, w), *keep, w
                else:
                    try:
                        yield (f"Adapted {value!r}: it is the current look; tune it, preview or render.", show(w, *tune),
                               gr.update(choices=list(w.looks), value=value), str(w.look_file()), w)
                    except Exception as e:  # noqa: BLE001
                        yield _problem(e, w), *keep, w

        def long_job(run: Callable[..., tuple[Path, str]], done: Callable[..., tuple]) -> Callable[..., Iterator[tuple]]:
            """A handler running ``run(w, report, look, *tuning)`` on a thread with a progress bar; its
            outputs are the status and ``done(path, look name, *tuning)``'s two, or the problem."""
            def handler(w: Workspace, look_: str, *tune: Any, progress: Any = gr.Progress()) -> Iterator[tuple]:
                for kind, value in _in_background(lambda report: run(w, report, look_, *tune), w.cancel, every=1.0):
                    if kind == "progress":
                        progress(value.fraction, desc=value.text)
                    elif kind == "error":
                        yield _problem(value, w), nothing, nothing, w
                    elif kind == "done":
                        yield (*done(*value, *tune), w)
            return handler

        previewed = long_job(
            lambda w, report, look_, *tune: w.render(_options(*tune[:3]), seconds=config.preview_seconds, look=look_,
                                                     on_progress=report),
            lambda path, name, *_: (f"Preview of {name!r}: the first {config.preview_seconds:g} s.", str(path), nothing))
        rendered_all = long_job(
            lambda w, report, look_, *tune: w.render(_options(*tune[:3]), look=look_, on_progress=report),
            lambda path, name, *_: (f"Rendered {name!r}: {Path(path).name}.", str(path), str(path)))
        made_lut = long_job(
            lambda w, report, look_, *tune: w.lut(float(tune[0]), look=look_),
            lambda path, name, strength_, *_: (f"LUT of {name!r} at strength {float(strength_):g}: {Path(path).name} "
                                               "(Adobe .cube, for an editor or grading tool).", str(path), nothing))

        # api_name: the endpoints gradio_client drives (tests/test_ui.py), named as the page's actions
        quick = {"concurrency_id": PREVIEWS, "concurrency_limit": config.previews}
        still.change(answered(on_still, 2), [ws, still], [status, still_shown, ws], api_name="still", **quick)
        clip.change(answered(on_clip, 2), [ws, clip, *tuning], [status, before_after, ws], api_name="clip", **quick)
        samples.click(on_samples, [ws], [still, clip], api_name="samples", **quick)
        for control in tuning:
            control.change(answered(on_tune, 2), [ws, *tuning], [status, before_after, ws], trigger_mode="always_last",
                           show_progress="minimal", api_name=False, **quick)
        tune_button = gr.Button(visible=False)  # the same preview as an endpoint, for API clients
        tune_button.click(answered(on_tune, 2), [ws, *tuning], [status, before_after, ws], api_name="tune", **quick)
        look.input(answered(on_look, 3), [ws, look, *tuning], [status, before_after, look_file, ws], api_name="look",
                   **quick)  # input, not change: the list set by an adaptation or a load needs no redraw
        uploads.upload(answered(on_upload_looks, 4), [ws, uploads, *tuning], [status, look, before_after, look_file, ws],
                       api_name="load_looks", **quick)
        compare_button.click(answered(on_compare, 2), [ws, *tuning], [status, gallery, ws], api_name="compare", **quick)
        slow = {"concurrency_id": LONG_JOBS, "concurrency_limit": config.jobs}
        jobs = [adapt_button.click(on_adapt, [ws, steps, network, *tuning], [status, before_after, look, look_file, ws],
                                   api_name="adapt", **slow)]
        for button, handler, outputs, name in ((preview_button, previewed, [status, rendered, video_file], "preview"),
                                               (render_button, rendered_all, [status, rendered, video_file], "render"),
                                               (lut_button, made_lut, [status, lut_file, video_file], "lut")):
            jobs.append(button.click(handler, [ws, look, *tuning], [*outputs, ws], api_name=name, **slow))
        cancel_button.click(answered(on_cancel, 1), [ws], [status, ws], cancels=jobs, queue=False, api_name="cancel")
        page.load(answered(lambda w: (str(w.look_file()),), 1), [ws], [look_file, ws], api_name=False)
        page.filmstyle_sessions = sessions
    return page


def launch(config: UIConfig = UIConfig(), *, block: bool = True) -> Any:
    """Serve the page at ``config.host``:``config.port`` until Ctrl-C, then delete every session's
    files. ``block`` False: return the page at once, the server on a thread (:func:`stop` it). Works
    offline: system fonts (no web fonts), no telemetry."""
    import os
    import tempfile

    import gradio as gr

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    root = Path(tempfile.mkdtemp(prefix="filmstyle-ui-"))
    page = build(config, root=root)
    page.filmstyle_root = root
    page.queue(default_concurrency_limit=config.jobs)
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    try:
        page.launch(server_name=config.host, server_port=config.port, max_file_size=f"{config.max_upload_mb}mb",
                    allowed_paths=[str(ASSETS)], prevent_thread_lock=not block, quiet=not block, theme=theme,
                    footer_links=["api"])
    finally:
        if block:
            stop(page)
    return page


def stop(page: Any) -> None:
    """Stop a page :func:`launch` served: every session's job stopped, every session's files deleted."""
    import shutil

    for w in list(getattr(page, "filmstyle_sessions", ())):
        w.close()
    page.close()
    root = getattr(page, "filmstyle_root", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)

