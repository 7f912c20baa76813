"""Write outputs atomically: a temporary file beside the target, renamed into place on success.

A crash, an interrupt or an error never leaves a partial file under the final name, and an existing
file of that name stays intact until the new one is complete.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filmstyle.core.errors import InputError


def check_writable(path: str | os.PathLike) -> Path:
    """Raise InputError unless a file can be created at ``path`` (its folder exists and is writable)."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InputError(p, "output path is a folder", "give a file name")
    if not parent.is_dir():
        raise InputError(p, f"output folder {parent} does not exist", "create it or choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(p, f"output folder {parent} is not writable", "choose a writable location")
    return p


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); rename it to ``path`` on success.

    On any exception the temporary file is removed and the exception propagates.
    """
    target = check_writable(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def cache_dir() -> Path:
    """Where filmstyle keeps what it can make again (pre-trained StyleBanks, ONNX exports):
    $XDG_CACHE_HOME/filmstyle, by default ~/.cache/filmstyle. Not created here."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "filmstyle"

