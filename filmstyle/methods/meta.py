"""``meta`` (ours, the paper's method): the shipped meta-learned init, K Adam steps on the clip's
frames with the temporal loss, rendered as ``filmstyle render`` does by default: the look's colour grade
fitted to the clip plus the network's detail (``--tone grade``), flow-guided temporal blending
(``--temporal blend``) and the exposure lock.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from filmstyle.core.assets import SHIPPED_INITS
from filmstyle.core.config import TABLE1_BACKEND, AdaptConfig, LossConfig
from filmstyle.core.image import file_sha256
from filmstyle.methods.base import Method, Prepared, adapted_look
from filmstyle.render import RenderOptions, make_stylizer


@dataclass(frozen=True)
class MetaBudget:
    """Adaptation from the meta-learned init.

    steps: K = 50, filmstyle's measured default (docs/results/meta.md; the paper's sec. 4.2 says
    only "K iterations"). lr: 1e-4, the paper's (sec. 4.2). size: 224 px crops (filmstyle's
    default). frames: content frames sampled from the clip (filmstyle's default 32).
    """

    steps: int = AdaptConfig.steps
    lr: float = AdaptConfig.lr
    size: int = AdaptConfig.size
    frames: int = AdaptConfig.frames
    temporal_weight: float = LossConfig.temporal_weight  # adapt's default (docs/results/temporal.md)
    tone: str = AdaptConfig.tone  # what adapt's loss sees (adapt's default, docs/results/looks.md)
    network_every: int = RenderOptions(tone=AdaptConfig.tone).every  # the render's (auto) default for that tone
    detail_limit: float = RenderOptions.detail_limit  # the render's default


class MetaMethod(Method):
    name = "meta"
    init = "meta"  # adapt --init: the shipped meta-learned init of the default network
    title = "ours: meta-learned init + K-step adaptation, temporal loss and blending"
    source = "Chen et al., AICS 2019 (the paper), sec. 2-4; filmstyle adapt + render --temporal blend"
    FULL = MetaBudget()
    QUICK = MetaBudget(size=128, frames=8)  # K kept; crops and sampled frames cut

    def budget_dict(self) -> dict[str, Any]:
        """The budget and the digest of the shipped init it adapts from, so that a cell made from
        another init (a newer one shipped) is run again rather than reused."""
        return {**super().budget_dict(), "init": file_sha256(SHIPPED_INITS[self.init])[:16]}

    def prepare(self, still: str | os.PathLike, clip: str | os.PathLike) -> Prepared:
        b = self.budget
        weight = b.temporal_weight
        cfg = AdaptConfig(steps=b.steps, lr=b.lr, size=b.size, frames=b.frames, seed=self.seed, tone=b.tone,
                          loss=LossConfig(temporal_weight=weight))
        options = RenderOptions(backend=TABLE1_BACKEND, device=self.device.type, tone=b.tone,
                                network_every=b.network_every, detail_limit=b.detail_limit)  # render's defaults
        return adapted_look(self.name, still, clip, cfg, init=self.init, temporal_weight=weight, device=self.device,
                            checkpoint=self.checkpoint,
                            stylizer=lambda look: make_stylizer(look, clip, options))


class MetaFastMethod(MetaMethod):
    name = "meta-fast"
    init = "meta-fast"  # the lean network's shipped init (filmstyle.core.assets.META_INIT_FAST)
    title = "ours, lean network (adapt --init meta-fast): as meta, about 2.5x the model FPS on ONNX Runtime"
