"""The ``filmstyle`` command: one module per command, each parsing its options and making one
library call. Defaults live in :mod:`filmstyle.core.config`; nothing heavy is imported before a
command runs, so ``filmstyle --help`` needs no torch.

Errors the user can act on print as one line on stderr with exit status 2; Ctrl-C exits 130 and
SIGTERM 143, after the command has cleaned up (no partial output; training keeps its checkpoint).
"""
from __future__ import annotations

import argparse
import errno
import importlib
import logging
import signal
import sys
import types
from collections.abc import Sequence

from filmstyle.core import __version__
from filmstyle.core.errors import FilmstyleError

# command -> (module of filmstyle._cli, one-line help)
COMMANDS = {
    "adapt": ("adapt", "learn a look from a film still"),
    "stylize": ("stylize", "apply a look to one image"),
    "render": ("render", "render a video in a look (audio kept)"),
    "eval": ("eval", "stability error of a stylised video against its source; with --still, what a viewer sees"),
    "demo": ("demo", "render the shipped sample clip in the shipped look"),
    "lut": ("lut", "export a look or a still's colours as a 3D LUT (.cube, Hald PNG)"),
    "export": ("export", "export a look's network as an ONNX model (for ONNX Runtime and other runtimes)"),
    "grade": ("grade", "apply a colour look (LUT) to a video: fast, colour only, audio kept"),
    "meta-train": ("meta_train", "meta-learn an initialisation that adapts to a new look in few steps"),
    "bench": ("bench", "benchmarks: the paper's Table 1, reproduced side by side"),
    "ui": ("ui", "a preview page in the browser: adapt, compare, render and download (pip install 'filmstyle[ui]')"),
}


def _module(command: str):  # noqa: ANN202 - a command module
    return importlib.import_module(f"filmstyle._cli.{COMMANDS[command][0]}")


class _UsageError(Exception):
    """A command line argparse cannot parse; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints the usage and exits; we want one line
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="filmstyle", description="Give a video the look of a film, from one still.")
    p.add_argument("--version", action="version", version=f"filmstyle {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command", required=True)
    for command, (_, help_text) in COMMANDS.items():
        _module(command).add_parser(sub.add_parser(command, help=help_text, description=help_text))
    return p


class _Terminated(KeyboardInterrupt):
    """SIGTERM (timeout, systemd, Docker, Kubernetes), handled as an interrupt: clean-up runs."""


_RETRY_S = 0.05  # a signal met inside an import is raised again this much later
_pending: list[type[BaseException]] = []


def _importing(frame: types.FrameType | None) -> bool:
    """Whether ``frame`` runs inside an import (a module's top level, under importlib)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _raise_when_safe(exc: type[BaseException], frame: types.FrameType | None) -> None:
    """Raise ``exc`` now, or, inside an import, a moment later: torch runs its modules' code from C++
    (pybind11), and an exception raised there aborts the whole process ("terminate called after
    throwing an instance of 'pybind11::error_already_set'") instead of unwinding to main."""
    if _importing(frame):
        _pending[:] = [exc]
        signal.setitimer(signal.ITIMER_REAL, _RETRY_S)  # SIGALRM: _on_alarm tries again
        return
    _pending.clear()
    raise exc


def _on_sigterm(signum: int, frame: types.FrameType | None) -> None:
    _raise_when_safe(_Terminated, frame)


def _on_sigint(signum: int, frame: types.FrameType | None) -> None:
    _raise_when_safe(KeyboardInterrupt, frame)


def _on_alarm(signum: int, frame: types.FrameType | None) -> None:
    if _pending:
        _raise_when_safe(_pending[0], frame)


_OS_HINTS = {
    errno.ENOSPC: "free some space, or write to another disk",
    errno.EDQUOT: "free some space, or write to another disk",
    errno.EACCES: "check the permissions, or write elsewhere",
    errno.EPERM: "check the permissions, or write elsewhere",
    errno.EROFS: "the file system is read-only: write elsewhere",
    errno.ENOMEM: "close other programs, or give a smaller size",
}


def _os_error(e: OSError) -> str:
    """An operating-system error (disk full, permission, ...) as one line: which file, what, what to do."""
    where = f"{e.filename}: " if e.filename else ""
    what = e.strerror or str(e)
    hint = _OS_HINTS.get(e.errno or 0, "check the file and the disk, then run the command again")
    return f"{where}{what}; {hint}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``filmstyle`` command; returns the exit status.

    Every way a command can end is one line on stderr and an exit status, never a traceback: an
    error the user can act on (2), a failing disk or permission (2), Ctrl-C (130) and SIGTERM (143)
    at any moment, start-up included; an output is only renamed into place once complete.
    """
    # first of all: a SIGTERM (or Ctrl-C) during start-up is handled too, and never inside an import
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, _on_sigterm),
                signal.SIGALRM: signal.signal(signal.SIGALRM, _on_alarm)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where SIGINT is ignored (cmd &)
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, _on_sigint)
    name = "filmstyle"
    # the library's warnings, one line each on this call's stderr (a handler of this call only: main can be
    # called again, in tests or from another program, without writing to an earlier stderr)
    said = logging.StreamHandler(sys.stderr)
    said.setFormatter(logging.Formatter("filmstyle: %(message)s"))
    library = logging.getLogger("filmstyle")
    level = library.level
    library.addHandler(said)
    library.setLevel(logging.WARNING)  # whatever an imported package did to the root logger's level
    try:
        try:
            args = parser().parse_args(argv)
        except _UsageError as e:
            print(e, file=sys.stderr)
            return 2
        name = f"filmstyle {args.command}"
        _module(args.command).run(args)
    except FilmstyleError as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        resumable = getattr(e, "resumable", None)  # a command may say so of this run
        if resumable is None:
            resumable = name != "filmstyle" and getattr(_module(name.split()[1]), "RESUMABLE", False)
        print(f"{name}: {'terminated' if isinstance(e, _Terminated) else 'interrupted'}"
              + ("; run the same command again to resume" if resumable else ""), file=sys.stderr)
        return 143 if isinstance(e, _Terminated) else 130
    except OSError as e:  # PyAV's errors with an errno are OSErrors too
        print(f"{name}: error: {_os_error(e)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{name}: error: out of memory; close other programs, or give a smaller size", file=sys.stderr)
        return 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _pending.clear()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        library.removeHandler(said)
        library.setLevel(level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
