"""Errors a user can act on.

The library raises these with the offending file and a hint; the CLI prints them as one line and
exits non-zero. Nothing here prints.
"""
from __future__ import annotations

import os
from pathlib import Path


class FilmstyleError(Exception):
    """Base class for every error filmstyle raises on purpose."""


class InputError(FilmstyleError, ValueError):
    """A file or argument given by the user is unusable.

    Formats as ``"<path>: <problem>; <hint>"`` so the user knows which file, what is wrong and
    what to do.
    """

    def __init__(self, path: str | os.PathLike | None, problem: str, hint: str = "") -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        self.hint = hint
        where = f"{self.path}: " if self.path is not None else ""
        super().__init__(f"{where}{problem}" + (f"; {hint}" if hint else ""))


def check_readable_file(path: str | os.PathLike, what: str) -> Path:
    """Return ``path`` as a Path if it is a non-empty readable file, else raise InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, f"{what} not found", "check the path")
    if not p.is_file():
        raise InputError(p, f"{what} is not a file", "give the path of a file")
    if p.stat().st_size == 0:
        raise InputError(p, f"{what} is empty (0 bytes)", "give a complete file")
    if not os.access(p, os.R_OK):
        raise InputError(p, f"{what} is not readable", "check its permissions")
    return p
