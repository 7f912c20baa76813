"""Write outputs atomically: a temporary file beside the target, renamed into place on success.

A crash, an interrupt or an error never leaves a partial file under the final name, and an existing
file of that name stays intact until the new one is complete.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
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


def claim_output(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike | None] = (), overwrite: bool = False,
                 suffixes: Iterable[str] | None = None, what: str = "output") -> Path:
    """Check, before any work, that writing ``path`` destroys nothing: it is none of ``inputs`` (the
    same file also through a link or another spelling of its path), it does not exist unless
    ``overwrite``, its suffix is one of ``suffixes`` (when given), and its folder is writable.

    The commands call this up front with ``overwrite`` from ``--force``/``-y`` (refusing an existing
    output as ffmpeg does); the library's writers themselves replace a file, as PIL and torch do.
    """
    target = check_writable(path)
    for source in inputs:
        if source is not None and _same_file(target, Path(source)):
            raise InputError(target, f"is also an input ({source}); writing it would destroy that input",
                             "choose another output path")
    if suffixes is not None:
        allowed = sorted({s.lower() for s in suffixes})
        if target.suffix.lower() not in allowed:
            article = "an" if what[:1] in "aeiouAEIOU" else "a"
            raise InputError(target, f"{target.suffix or '(no suffix)'!r} is not {article} {what} format filmstyle writes",
                             f"end the name in one of {', '.join(allowed)}")
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise InputError(target, "already exists", "choose another name, or add --force (-y) to overwrite it")
    return target


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (hard or symbolic links included); False if either is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); rename it to ``path`` on success.

    On any exception the temporary file is removed and the exception propagates.
    """
    target = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
    except OSError as e:
        raise OSError(e.errno, f"cannot create a file in {target.parent} ({e.strerror})", str(target)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        if isinstance(e, OSError) and e.errno is not None and not isinstance(e, InputError):
            # a full disk or a lost permission while writing: say so of the file the user named
            # (PyAV's and the writers' messages name the temporary file, or none)
            raise OSError(e.errno, e.strerror or str(e), str(target)) from None
        raise


def cache_dir() -> Path:
    """Where filmstyle keeps what it can make again (pre-trained StyleBanks, ONNX exports):
    $XDG_CACHE_HOME/filmstyle, by default ~/.cache/filmstyle. Not created here."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "filmstyle"

