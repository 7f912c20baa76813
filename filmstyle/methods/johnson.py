"""``johnson``: Johnson et al. 2016, one transform network per style trained from random weights.

The same network as ``meta`` (filmstyle.nets.transformer.filmstyle_net()) and the same losses, trained from
scratch on the clip's frames, rendered frame by frame as the network makes them (no tone mode). Johnson et al. (ECCV 2016, sec. 4.1) trained
40,000 iterations at batch 4 on MS-COCO (160,000 images seen); the budget here is stated relative
to that in :meth:`JohnsonMethod.budget_text`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from filmstyle.core.config import TABLE1_BACKEND, AdaptConfig
from filmstyle.methods.base import Method, Prepared, adapted_look
from filmstyle.render import FrameStylizer, RenderOptions

JOHNSON_IMAGES_SEEN = 40_000 * 4  # Johnson et al. 2016, sec. 4.1: 40k iterations, batch 4


@dataclass(frozen=True)
class JohnsonBudget:
    """Training from scratch. lr 1e-3: Johnson et al. 2016, sec. 4.1 (Adam, learning rate 1e-3).
    steps: ours (batch 1, as the paper's sec. 4.2); 1000 is what a CPU affords in ~15 min per clip
    (docs/results/meta.md: scratch to K=1000). size: 256 px, Johnson et al.'s training resolution (sec. 4.1)."""

    steps: int = 1000
    lr: float = 1e-3
    size: int = 256
    frames: int = 32


class JohnsonMethod(Method):
    name = "johnson"
    title = "Johnson et al. 2016: one network per style, trained from scratch"
    source = "Johnson, Alahi, Fei-Fei, ECCV 2016, sec. 3-4.1 (the paper's ref. [6])"
    FULL = JohnsonBudget()
    QUICK = JohnsonBudget(steps=50, size=128, frames=8)  # as meta's K: scratch vs meta init at equal steps

    def budget_text(self) -> str:
        b = self.budget
        share = b.steps / JOHNSON_IMAGES_SEEN
        return (f"{b.steps} Adam steps at batch 1, lr {b.lr:g}, {b.size} px crops of {b.frames} clip frames "
                f"= {share:.2%} of Johnson et al.'s 40k iterations x batch 4")

    def prepare(self, still: str | os.PathLike, clip: str | os.PathLike) -> Prepared:
        b = self.budget
        cfg = AdaptConfig(steps=b.steps, lr=b.lr, size=b.size, frames=b.frames, seed=self.seed)
        # init "scratch" builds filmstyle.nets.transformer.filmstyle_net(), the network meta adapts
        # the network at the frame's full size, as Johnson et al. render (and as StyleBank's and Gatys's run)
        options = RenderOptions(tone="none", detail="network", backend=TABLE1_BACKEND, device=self.device.type)
        return adapted_look(self.name, still, clip, cfg, init="scratch", device=self.device, checkpoint=self.checkpoint,
                            stylizer=lambda look: FrameStylizer(look.net, options))
