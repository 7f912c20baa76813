"""What every command shares: option helpers that take defaults and help from the library's
configs (:mod:`filmstyle.core.config`), the progress bar and the one-line output.

Options default to "not given" (``argparse.SUPPRESS``): a command passes the library only what the
user typed, so every default is the library's own and the help text reads it from there.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import Any



def parse_size(text: str) -> tuple[int, int]:
    """argparse type for WxH sizes: '640x360' -> (640, 360)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x360, got {text!r}") from None
    return w, h


def default_of(cls: type, name: str) -> Any:
    """The default of field ``name`` of the dataclass ``cls``."""
    f = cls.__dataclass_fields__[name]
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


def _shown(value: Any, *, listing: bool = False) -> str:
    """A default as the help shows it: a pair of ints as WxH (a size) unless ``listing`` (an nargs option)."""
    if not listing and isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]}x{value[1]}"
    if isinstance(value, tuple):
        return " ".join(map(str, value))
    return "none" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


def option(parser: argparse.ArgumentParser, *flags: str, cls: type, field: str | None = None, help: str,
           **kwargs: Any) -> None:
    """Add an option for field ``field`` of ``cls`` (default: the long flag's name), not given by
    default, its help ending with the library's default."""
    name = field or flags[-1].lstrip("-").replace("-", "_")
    value = default_of(cls, name)
    if kwargs.get("action") == "store_true":
        parser.add_argument(*flags, dest=name, default=argparse.SUPPRESS, help=help, **kwargs)
        return
    parser.add_argument(*flags, dest=name, default=argparse.SUPPRESS, help=f"{help} (default {_shown(value, listing='nargs' in kwargs)})",
                        **kwargs)


def executor_options(parser: argparse.ArgumentParser, cls: type, what: str, jobs_note: str = "",
                     ray_note: str = "") -> None:
    """--jobs, --executor and --address for ``cls``'s fields of those names (independent ``what``
    run side by side: :mod:`filmstyle.core.executors`)."""
    from filmstyle.core.config import EXECUTORS

    option(parser, "--jobs", cls=cls, type=at_least(1, "--jobs"),
           help=f"processes running {what} side by side ({jobs_note}Ray runs as many as its cluster has CPUs)")
    option(parser, "--executor", cls=cls, choices=EXECUTORS,
           help=f"where {what} run: local (this process), process (--jobs processes), ray (tasks on a Ray cluster, "
                f"retried where a worker dies; pip install 'filmstyle[ray]'{ray_note}), auto: process for --jobs "
                "above 1, else local")
    option(parser, "--address", cls=cls, help="the Ray cluster for --executor ray: auto, ray://HOST:PORT, or none to "
           "start Ray on this machine")


def given(args: argparse.Namespace, cls: type, **renamed: str) -> dict[str, Any]:
    """The fields of ``cls`` the user gave on the command line (``renamed``: field -> dest)."""
    out = {}
    for name in cls.__dataclass_fields__:
        dest = renamed.get(name, name)
        if hasattr(args, dest):
            out[name] = getattr(args, dest)
    return out


def at_least(minimum: int, what: str) -> Callable[[str], int]:
    """argparse type: an integer of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{what} must be at least {minimum}, got {value}")
        return value
    return parse


def positive_float(what: str) -> Callable[[str], float]:
    """argparse type: a number above 0."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{what} must be above 0, got {text}")
        return value
    return parse


def progress(total: int | None, desc: str, unit: str, quiet: bool):  # noqa: ANN201 - a tqdm bar
    """A progress bar on stderr (disabled with -q)."""
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit=unit, disable=quiet, dynamic_ncols=True, file=sys.stderr)


def step_bar(total: int, desc: str, quiet: bool) -> tuple[Any, Callable[[int, dict[str, float]], None]]:
    """(bar, on_step): a step bar that shows every loss term of the training loop."""
    bar = progress(total, desc, "step", quiet)

    def on_step(step: int, terms: dict[str, float]) -> None:
        bar.n = step
        bar.set_postfix({k: f"{v:.3g}" for k, v in terms.items()}, refresh=True)

    return bar, on_step


def frames_total(info_frames: int, max_frames: int | None) -> int:
    """Frames a render will write, for the progress bar (0 when unknown)."""
    return info_frames if max_frames is None else min(max_frames, info_frames or max_frames)


def device_option(parser: argparse.ArgumentParser) -> None:
    """``--device auto|cpu|cuda`` (:class:`filmstyle.core.config.Compute`); read it with :func:`device_of`."""
    from filmstyle.core.config import DEVICES, Compute

    option(parser, "--device", cls=Compute, choices=DEVICES,
           help="where torch computes: auto (a CUDA GPU where torch sees one, else the CPU), cpu or cuda")


def device_of(args: argparse.Namespace) -> str:
    """The ``--device`` given, else the library's default."""
    from filmstyle.core.config import Compute

    return Compute(**given(args, Compute)).device


def force_option(parser: argparse.ArgumentParser) -> None:
    """``-y``/``--force`` (:class:`filmstyle.core.config.Output`): overwrite an existing output."""
    from filmstyle.core.config import Output

    option(parser, "-y", "--force", cls=Output, action="store_true",
           help="overwrite the output if it exists (an output that is one of the inputs is refused always)")


def claim(args: argparse.Namespace, path: str, *inputs: str | None, suffixes: Any = None, what: str = "output") -> Any:
    """:func:`filmstyle.core.files.claim_output` for ``path`` with the ``--force`` given: the Path, or
    InputError (the output is an input, exists, or has the wrong suffix) before any work."""
    from filmstyle.core.config import Output
    from filmstyle.core.files import claim_output

    return claim_output(path, inputs=inputs, overwrite=Output(**given(args, Output)).force, suffixes=suffixes, what=what)
