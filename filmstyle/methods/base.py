"""The interface every Table 1 method implements: get the look from a still, then stylise frames.

A method is a class with a name, its source, a budget for the full table and one for ``--quick``
(frozen dataclasses whose fields cite their source), and :meth:`Method.prepare`, which turns a still
and a clip into a :class:`Prepared`: the seconds and optimisation steps it took to get the look and
a per-frame :class:`Stylizer` that :func:`filmstyle.core.video.transcode` can call.
"""
from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np
import torch

from filmstyle.core.config import DEVICE
from filmstyle.core.device import resolve_device
from filmstyle.core.image import from_array, to_array
from filmstyle.measure.speed import Stopwatch


class Stylizer(Protocol):
    """Per-frame callable for :func:`filmstyle.core.video.transcode`.

    ``stylizer(frame)``: (H, W, 3) uint8 RGB -> (H, W, 3) uint8 RGB, frames given in clip order.
    ``model_seconds``: seconds spent in the method itself (network or optimisation), accumulated.
    """

    model_seconds: float

    def __call__(self, frame: np.ndarray) -> np.ndarray: ...


@dataclass
class Prepared:
    """A method made ready for one still and one clip.

    seconds: wall-clock seconds to get the look (loading the still and frames included);
    steps: optimisation steps spent on it (0 for methods that optimise each frame instead);
    per_frame_steps: optimisation steps per rendered frame (0 for feed-forward methods);
    stylizer: renders frames in the look; notes: method-specific figures for the JSON report.
    """

    method: str
    stylizer: Stylizer
    seconds: float
    steps: int
    per_frame_steps: int = 0
    notes: dict[str, Any] = field(default_factory=dict)


class NetStylizer:
    """A :class:`Stylizer` around any module mapping (1, 3, H, W) in [0, 1] to the same shape."""

    def __init__(self, net: torch.nn.Module, device: torch.device | None = None) -> None:
        from filmstyle.nets.backend import network

        self.net = network(net, "torch", device=device)  # on a GPU, a copy moved there
        self.model = Stopwatch()

    @property
    def model_seconds(self) -> float:
        return self.model.seconds

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        img = from_array(frame)
        with self.model, torch.inference_mode():
            out = self.net(img).clamp_(0, 1)
        return to_array(out)


class Method(ABC):
    """One row of Table 1. Subclasses set the class attributes and implement :meth:`prepare`.

    ``budget`` overrides the budget chosen by ``quick`` (tests pass tiny ones). ``context``: what
    the bench hands every method (``data``: the data folder, ``cache``: a folder for pre-trained
    weights, ``on_step``: a progress callback, ``device``: "auto", "cpu" or "cuda"); a method takes
    what it needs and ignores the rest.
    """

    name: ClassVar[str]
    title: ClassVar[str]  # e.g. "Johnson et al. 2016 (one network per style, from scratch)"
    source: ClassVar[str]  # the paper (and section) the method and its settings come from
    external: ClassVar[bool] = False  # a peer tool's implementation rather than ours
    seeded: ClassVar[bool] = True  # its look depends on ``seed`` (random crops, initial weights)
    per_frame: ClassVar[bool] = False  # optimises every frame (hours a cell on a CPU): the bench runs these last
    checkpoint: Path | None = None  # where a method that trains may keep its progress (the bench sets it per cell)
    FULL: ClassVar[Any]
    QUICK: ClassVar[Any]

    def __init__(self, *, quick: bool = False, budget: Any | None = None, seed: int = 0, device: str = DEVICE,
                 **context: Any) -> None:
        self.quick = quick
        self.device = resolve_device(device)  # where its networks and optimisation run
        self.seed = seed  # of the adaptation; Table 1 sets it per run
        self.budget = budget if budget is not None else (self.QUICK if quick else self.FULL)

    @abstractmethod
    def prepare(self, still: str | os.PathLike, clip: str | os.PathLike) -> Prepared:
        """Get the look of ``still`` for rendering ``clip``; see :class:`Prepared`."""

    def shared(self) -> None:
        """Do the work that every look of this method shares (StyleBank's pre-training), so that
        cells run side by side find it done rather than each doing it. Nothing by default."""

    def budget_text(self) -> str:
        """The budget in words (printed with the table)."""
        return ", ".join(f"{k} {v}" for k, v in self.budget_dict().items())

    def budget_dict(self) -> dict[str, Any]:
        return asdict(self.budget) if is_dataclass(self.budget) else dict(self.budget)


def adapted_look(method: str, still: str | os.PathLike, clip: str | os.PathLike, cfg: Any, *, init: str,
                 stylizer: Callable[[Any], Stylizer], device: torch.device | None = None,
                 checkpoint: Path | None = None, **notes: Any) -> Prepared:
    """A :class:`Prepared` for a method that adapts the transform network with ``filmstyle adapt``'s
    pipeline (``cfg`` an AdaptConfig, ``init`` as ``adapt --init``) and renders with ``stylizer(look)``
    (``look`` a :class:`filmstyle.look.Look`). With ``checkpoint``, the adaptation keeps its progress
    there and resumes from it; the seconds reported then include those of the steps done before."""
    from filmstyle.adaptation import adapt_look

    (look, result), seconds = timed(adapt_look, still, cfg, video_path=clip, init=init, device=device or DEVICE,
                                    checkpoint=checkpoint)
    return Prepared(method, stylizer(look), seconds + result.seconds_before, result.steps,
                    notes={**notes, "adapt_seconds": result.seconds_total, "final_losses": result.losses,
                           "net": dict(look.net.config), "resumed_from": result.resumed_from})


def timed(fn, *args, **kwargs) -> tuple[Any, float]:  # noqa: ANN001
    """(fn(*args, **kwargs), wall-clock seconds)."""
    with Stopwatch() as watch:
        out = fn(*args, **kwargs)
    return out, watch.seconds
