"""The task distribution of meta-training: a style still and content frames.

A :class:`Task` is one style (a film still or painting, or a content photo under a random film
grade) with support frames for the inner loop and query crops for the outer loss. Tasks are drawn
by :class:`TaskSampler` from a generator seeded by (seed, index), so task ``i`` is the same in
every run and a resumed meta-training run sees exactly the tasks an uninterrupted one would.

A fixed set of styles, photos and clips is held out of meta-training for evaluation; the names are
constants here so benchmarks evaluate on the same set (:data:`HOLDOUT_STYLES`, ...).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from filmstyle.core import video
from filmstyle.core.errors import InputError
from filmstyle.core.image import from_array, load_image, load_still, resize_short
from filmstyle.core.media import IMAGE_SUFFIXES, VIDEO_SUFFIXES, files_with
from filmstyle.training.adapt import random_crop
from filmstyle.training.grades import graded_still

log = logging.getLogger(__name__)

# Held-out styles, relative to the styles folder (film stills and paintings; ../shared/data/styles).
HOLDOUT_STYLES: tuple[str, ...] = (
    "film_stills/sintel_f0016.png", "film_stills/chaplin_f0120.png", "film_stills/bbb_f0446.png",
    "paintings/the_scream.jpg", "paintings/wave.jpg", "paintings/udnie.jpg", "paintings/mosaic.jpg",
)
# Held-out content photos (file names in ../shared/data/content), two or more per source collection.
HOLDOUT_CONTENT: tuple[str, ...] = (
    "kodak__kodim05.jpg", "kodak__kodim14.jpg", "kodak__kodim23.jpg",
    "unsplash__jon-tyson-FKkK1hnTe-Q-unsplash.jpg", "unsplash__zach-inglis-t0A2NCMhXRQ-unsplash.jpg",
    "mate-backgrounds_nature__Storm.jpg", "plasma-workspace-wallpapers_photos__Path_1920x1080.jpg",
    "lomiri-wallpapers__Bridge_by_Sander_Klootwijk.jpg", "python3-skimage_data__astronaut.jpg",
    "python3-skimage_data__coffee.jpg",
)
# Held-out clips (../shared/data/videos): both of Table 1's clips (never trained on) and an animated one.
HOLDOUT_CLIPS: tuple[str, ...] = ("bikes.mp4", "bigbuckbunny.mp4", "sintel_snow.mp4")
Item = Path | torch.Tensor  # an image file, or an image tensor (1, 3, H, W) in [0, 1]


@dataclass
class Task:
    """One meta-learning task.

    style: (1, 3, Hs, Ws) RGB in [0, 1], short side = the sampler's size.
    frames: support frames for the inner loop, each (1, 3, H, W) with min(H, W) = size.
    query: (Q, 3, size, size) crops of other content for the outer (query) loss.
    seed: seeds the inner loop's crops (``AdaptConfig.seed``).
    shown: what the losses see instead of the network's raw output
    (:class:`filmstyle.training.adapt.Composite`; None: the raw output).
    """

    style: torch.Tensor
    frames: list[torch.Tensor]
    query: torch.Tensor
    seed: int
    name: str
    shown: Any = None


def task_seed(seed: int, index: int) -> int:
    """Seed of task ``index`` in a sampler seeded with ``seed`` (same mixing as the inner loop's)."""
    return (seed * 1_000_003 + index) % (2**63 - 1)


class TaskSampler:
    """Draws tasks from styles and content; decoded, resized images are cached in memory.

    Args:
        styles: style image files (bars trimmed, as for a user's still) or tensors (1, 3, H, W).
        content: content image files or tensors (e.g. clip frames from :func:`clip_frames`).
        size: crop size in px; styles and content are resized to this short side.
        frames_per_task: support frames per task; ``query_per_task``: query crops per task.
        grade_prob: probability that a task's style is a random film grade of a content photo.
        seed: seeds every task (task ``i`` depends only on ``seed`` and ``i``).
        shown: given a task, what its losses see (:attr:`Task.shown`; e.g. the render's grade composite,
            which needs the task's style and frames); None: the network's raw output.
    """

    def __init__(self, styles: Sequence[Item], content: Sequence[Item], *, size: int, frames_per_task: int = 4,
                 query_per_task: int = 2, grade_prob: float = 0.3, seed: int = 0,
                 shown: Callable[[Task], Any] | None = None) -> None:
        if not content:
            raise ValueError("TaskSampler needs at least one content image")
        if not styles and grade_prob < 1:
            raise ValueError("TaskSampler without styles needs grade_prob = 1 (graded photos only)")
        if size < 1 or frames_per_task < 1 or query_per_task < 1 or not 0 <= grade_prob <= 1:
            raise ValueError(f"bad sampler setting: size={size}, frames_per_task={frames_per_task}, "
                             f"query_per_task={query_per_task}, grade_prob={grade_prob}")
        self.styles, self.content = list(styles), list(content)
        self.size, self.frames_per_task, self.query_per_task = size, frames_per_task, query_per_task
        self.grade_prob, self.seed, self.shown = grade_prob, seed, shown
        self.names = {"styles": [_name(s, i) for i, s in enumerate(self.styles)],
                      "content": [_name(c, i) for i, c in enumerate(self.content)]}
        self._cache: dict[tuple[str, int], torch.Tensor] = {}

    def _image(self, kind: str, i: int) -> torch.Tensor:
        """Style or content image ``i``, short side = size, decoded once: (1, 3, H, W)."""
        key = (kind, i)
        if key not in self._cache:
            item = (self.styles if kind == "style" else self.content)[i]
            if isinstance(item, torch.Tensor):
                img = resize_short(item.float(), self.size)
            elif kind == "style":
                img = load_still(item, self.size)  # bars trimmed, as for a user's still
            else:
                img = resize_short(load_image(item), self.size)
            self._cache[key] = img
        return self._cache[key]

    def task(self, index: int, *, style: int | None = None) -> Task:
        """Task ``index``; ``style`` picks a style by position instead of drawing one (no grade)."""
        gen = torch.Generator().manual_seed(task_seed(self.seed, index))
        graded = style is None and float(torch.rand((), generator=gen)) < self.grade_prob
        order = torch.randperm(len(self.content), generator=gen).tolist()
        if graded:
            source = order.pop()  # the graded photo is not also a content frame (when there are others)
            order = order or [source]
            still = graded_still(self._image("content", source), gen)
            name = f"graded:{self.names['content'][source]}"
        else:
            s = int(torch.randint(len(self.styles), (), generator=gen)) if style is None else style
            still, name = self._image("style", s), self.names["styles"][s]
        k, q = self.frames_per_task, self.query_per_task
        picks = [order[j % len(order)] for j in range(k + q)]
        frames = [self._image("content", j) for j in picks[:k]]
        query = torch.cat([random_crop([self._image("content", j)], self.size, gen) for j in picks[k:]])
        seed = int(torch.randint(2**31 - 1, (), generator=gen))
        task = Task(style=still, frames=frames, query=query, seed=seed, name=name)
        if self.shown is not None:
            task.shown = self.shown(task)
        return task

    def tasks(self, start: int, n: int) -> list[Task]:
        """Tasks ``start`` .. ``start + n - 1``."""
        return [self.task(i) for i in range(start, start + n)]

    def fixed_tasks(self) -> list[Task]:
        """One task per style, in order, with fixed seeds: the held-out evaluation set."""
        return [self.task(i, style=i) for i in range(len(self.styles))]


def _name(item: Item, i: int) -> str:
    """A file's name, or for a tensor its position, shape and sum (identifies the data of a run)."""
    return item.name if isinstance(item, Path) else f"tensor{i}:{tuple(item.shape)}:{float(item.sum()):.6g}"


def split_holdout(paths: Sequence[Path], n_holdout: int, seed: int = 0) -> tuple[list[Path], list[Path]]:
    """A seeded random split of ``paths`` into (train, held-out) with ``n_holdout`` held out.

    The result depends only on the set of names and the seed, not on the order given.
    """
    if not 0 <= n_holdout <= len(paths):
        raise ValueError(f"cannot hold out {n_holdout} of {len(paths)} items")
    ordered = sorted(paths, key=lambda p: (p.name, str(p)))
    perm = torch.randperm(len(ordered), generator=torch.Generator().manual_seed(seed)).tolist()
    held = {i for i in perm[:n_holdout]}
    return [p for i, p in enumerate(ordered) if i not in held], [p for i, p in enumerate(ordered) if i in held]


def _split_named(paths: list[Path], root: Path, names: Sequence[str], what: str) -> tuple[list[Path], list[Path]]:
    """Hold out the ``names`` (paths relative to ``root``, or bare file names); fall back to a
    seeded 20 % split when none of them is present (a user's own folder)."""
    wanted = set(names)
    held = [p for p in paths if p.relative_to(root).as_posix() in wanted or p.name in wanted]
    if held:
        if len(held) < len(wanted):
            log.warning("%d of the %d held-out %s are missing from %s", len(wanted) - len(held), len(wanted), what, root)
        return [p for p in paths if p not in held], held
    if len(paths) < 2:
        raise InputError(root, f"found {len(paths)} {what}; meta-training holds some out for evaluation",
                         "give at least 2")
    return split_holdout(paths, max(1, len(paths) // 5))


@dataclass(frozen=True)
class DataSplit:
    """Meta-training and held-out files."""

    train_styles: tuple[Path, ...]
    eval_styles: tuple[Path, ...]
    train_content: tuple[Path, ...]
    eval_content: tuple[Path, ...]
    train_clips: tuple[Path, ...] = ()
    eval_clips: tuple[Path, ...] = ()


def split_data(styles_dir: str | os.PathLike, content_dir: str | os.PathLike,
               videos_dir: str | os.PathLike | None = None) -> DataSplit:
    """Find the images (and clips) and hold out :data:`HOLDOUT_STYLES`, ... for evaluation."""
    roots = [Path(styles_dir), Path(content_dir)] + ([Path(videos_dir)] if videos_dir is not None else [])
    for root in roots:
        if not root.is_dir():
            raise InputError(root, "folder not found", "give an existing folder")
    styles, content = files_with(roots[0], IMAGE_SUFFIXES, recursive=True), files_with(roots[1], IMAGE_SUFFIXES, recursive=True)
    for root, found in ((roots[0], styles), (roots[1], content)):
        if not found:
            raise InputError(root, "folder holds no images", f"put {', '.join(IMAGE_SUFFIXES)} files in it")
    ts, es = _split_named(styles, roots[0], HOLDOUT_STYLES, "styles")
    tc, ec = _split_named(content, roots[1], HOLDOUT_CONTENT, "content photos")
    tv: list[Path] = []
    ev: list[Path] = []
    if videos_dir is not None:
        clips = files_with(roots[2], VIDEO_SUFFIXES, recursive=True)
        ev = [p for p in clips if p.name in HOLDOUT_CLIPS]
        tv = [p for p in clips if p not in ev]
    return DataSplit(*(tuple(x) for x in (ts, es, tc, ec, tv, ev)))


def clip_frames(clips: Sequence[Path], per_clip: int, size: int) -> list[torch.Tensor]:
    """``per_clip`` frames spread over each clip, short side resized to ``size``: each (1, 3, H, W)."""
    return [resize_short(from_array(f), size) for clip in clips for f in video.sample_frames(clip, per_clip)]
