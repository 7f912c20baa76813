"""filmstyle: give a video the look of a film, from one still.

Public API::

    look, result = adapt_look("still.png", AdaptConfig(steps=200), video_path="clip.mp4")
    look.save("film.look")
    render_video(load_look("film.look"), "clip.mp4", "out.mp4", RenderOptions(strength=0.8))

The names are loaded on first use (PEP 562), so ``import filmstyle`` and the command's start-up do
not load torch.
"""
from __future__ import annotations

import importlib
from typing import Any

from filmstyle.core import __version__

_EXPORTS = {
    "AdaptConfig": "filmstyle.core.config", "LossConfig": "filmstyle.core.config",
    "RenderOptions": "filmstyle.core.config", "GradeOptions": "filmstyle.core.config",
    "LutOptions": "filmstyle.core.config", "MetaTrainConfig": "filmstyle.core.config",
    "FilmstyleError": "filmstyle.core.errors", "InputError": "filmstyle.core.errors",
    "Look": "filmstyle.look", "load_look": "filmstyle.look", "export_onnx": "filmstyle.look",
    "adapt_look": "filmstyle.adaptation",
    "RenderStats": "filmstyle.render", "render_video": "filmstyle.render", "stylize_image": "filmstyle.render",
    "stylize_frames": "filmstyle.render",
    "Segmenting": "filmstyle.core.config", "render_file": "filmstyle.segments", "render_segmented": "filmstyle.segments",
    "grade_video": "filmstyle.grading.grade", "make_lut": "filmstyle.grading.grade",
}
__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'filmstyle' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
