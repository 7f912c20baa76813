"""Frozen configuration dataclasses: what a look is trained with and how it is rendered."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LossConfig:
    """Perceptual loss setting.

    content_layer: relu3_3, as in the paper (sec. 3.4) and Johnson et al.'s style experiments.
    style_layers: relu1_2, relu2_2, relu3_3, relu4_3 (Johnson et al. 2016, sec. 4.1).
    Weights are set by measurement for images in [0, 1] fed to the Caffe VGG19 (see README).
    """

    content_layer: str = "relu3_3"
    style_layers: tuple[str, ...] = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
    # Raw terms on Caffe-scaled features are large (content ~1e5, style ~1e5-1e6 per image pair);
    # these weights bring them to O(1) with style and content balanced (measured, see README).
    content_weight: float = 1e-5
    style_weight: float = 1e-5
    tv_weight: float = 1.0
    # Weight of the temporal loss (filmstyle.temporal.loss) during adaptation on a clip; 0 = off.
    temporal_weight: float = 0.0

    @property
    def last_layer(self) -> str:
        """Deepest VGG layer any term needs (the loss network is cut after it)."""
        from filmstyle.nets.vgg import layer_names

        names = layer_names()
        return max((self.content_layer, *self.style_layers), key=names.index)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Temporal-loss weight ``filmstyle adapt`` uses on a clip by default (LossConfig.temporal_weight
# stays 0 for meta-training, whose tasks have no frame pairs). Measured with
# benchmarks/temporal_weight.py (README, runs/temporal_weight_pass*.txt): on animated clips 300-1000
# lower the per-frame e_stab by 13-34% with the style distance not rising, but on a handheld
# live-action clip 300 doubles the style distance and 30-100 change neither measurably. No weight
# helps everywhere within 50 steps, so it is off by default; flow-guided blending in render does
# the stabilising (--temporal blend).
ADAPT_TEMPORAL_WEIGHT = 0.0


@dataclass(frozen=True)
class AdaptConfig:
    """Adaptation of the transform network to one style (the inner loop).

    Adam with batch 1 as in the paper (sec. 4.2). The defaults suit the shipped meta-learned init
    (measured, README: lr 1e-4 as in the paper); from scratch use lr 1e-3 and hundreds of steps.
    """

    steps: int = 50
    lr: float = 1e-4
    size: int = 256
    seed: int = 0
    params: str = "all"  # "all" or "norm" (instance-norm scales/shifts only, as MetaStyle)
    frames: int = 32  # content frames sampled from the clip
    loss: LossConfig = field(default_factory=LossConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
