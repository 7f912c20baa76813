"""Media files: which suffixes are images and videos, and content frames for adaptation."""
from __future__ import annotations

import os
from pathlib import Path

import torch

from filmstyle.core import video
from filmstyle.core.assets import DEMO_CLIP
from filmstyle.core.errors import InputError
from filmstyle.core.image import from_array, load_image, resize_short
from filmstyle.core.picture import IMAGE_SUFFIXES

VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".avi", ".webm")


def files_with(folder: Path, suffixes: tuple[str, ...], *, recursive: bool = False) -> list[Path]:
    """The files in ``folder`` (and its subfolders if ``recursive``) whose suffix is one of
    ``suffixes`` (any case), sorted by path."""
    found = folder.rglob("*") if recursive else folder.iterdir()
    return sorted(p for p in found if p.is_file() and p.suffix.lower() in suffixes)


def load_content(*, video_path: str | os.PathLike | None, content_dir: str | os.PathLike | None,
                 n: int, size: int) -> list[torch.Tensor]:
    """Content frames for adaptation: ``n`` frames spread over a clip, or up to ``n`` images of a folder.

    Each is (1, 3, H, W) with its short side resized to ``size``. No clip and no folder: the
    shipped sample clip.
    """
    if video_path is not None and content_dir is not None:
        raise InputError(None, "give either --video or --content, not both")
    if content_dir is not None:
        folder = Path(content_dir)
        if not folder.is_dir():
            raise InputError(folder, "content folder not found", "give a folder of JPEG/PNG images")
        files = files_with(folder, IMAGE_SUFFIXES)
        if not files:
            raise InputError(folder, "content folder holds no images", f"put {', '.join(IMAGE_SUFFIXES)} files in it")
        step = max(1, len(files) // n)
        return [resize_short(load_image(p), size) for p in files[::step][:n]]
    clip = DEMO_CLIP if video_path is None else video_path
    return [resize_short(from_array(f), size) for f in video.sample_frames(clip, n)]
