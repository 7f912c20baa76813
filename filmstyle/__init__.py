"""filmstyle: give a video the look of a film, from one still.

Public API::

    look, result = adapt_look("still.png", AdaptConfig(steps=200), video_path="clip.mp4")
    look.save("film.look")
    render_video(load_look("film.look"), "clip.mp4", "out.mp4", RenderOptions(strength=0.8))
"""
__version__ = "0.1.0"

from filmstyle.core.config import AdaptConfig, LossConfig  # noqa: E402
from filmstyle.core.errors import FilmstyleError, InputError  # noqa: E402
from filmstyle.look import Look, load_look  # noqa: E402
from filmstyle.adaptation import adapt_look  # noqa: E402
from filmstyle.render import RenderOptions, RenderStats, render_video, stylize_image  # noqa: E402

__all__ = ["AdaptConfig", "FilmstyleError", "InputError", "Look", "LossConfig", "RenderOptions", "RenderStats",
           "__version__", "adapt_look", "load_look", "render_video", "stylize_image"]
