"""Measures of a stylisation: distance of an image's VGG style statistics to a still's."""
from __future__ import annotations

from collections.abc import Iterable

import torch

from filmstyle.core.config import LossConfig
from filmstyle.losses import gram_matrix
from filmstyle.nets.vgg import VGG19Features


def style_grams(vgg: VGG19Features, img: torch.Tensor, layers: Iterable[str]) -> dict[str, torch.Tensor]:
    """Gram matrices of ``img`` (1, 3, H, W) at ``layers``, without gradients."""
    with torch.no_grad():
        return {k: gram_matrix(v) for k, v in vgg(img, layers).items()}


def style_distance(vgg: VGG19Features, images: Iterable[torch.Tensor], still: torch.Tensor,
                   layers: tuple[str, ...] = LossConfig().style_layers) -> float:
    """Mean over images of the relative Gram distance to ``still``, averaged over layers.

    For each layer: ||G(x) - G(s)||_F^2 / ||G(s)||_F^2. 0 means identical style statistics;
    scale-free, so values are comparable across stills. images: iterable of (1, 3, H, W) in [0, 1].
    """
    target = style_grams(vgg, still, layers)
    values = []
    for img in images:
        grams = style_grams(vgg, img, layers)
        per_layer = [((grams[k] - target[k]).pow(2).sum() / target[k].pow(2).sum()).item() for k in layers]
        values.append(sum(per_layer) / len(per_layer))
    if not values:
        raise ValueError("style_distance needs at least one image")
    return sum(values) / len(values)
