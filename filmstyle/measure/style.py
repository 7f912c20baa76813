"""Measures of a stylisation on VGG19 features: the distance of its style statistics to a still's,
and of its content features to the source's."""
from __future__ import annotations

from collections.abc import Iterable

import torch

from filmstyle.core.config import LossConfig
from filmstyle.losses import gram_matrix
from filmstyle.nets.vgg import VGG19Features

CONTENT_LAYER = "relu3_3"  # the paper's content layer (sec. 3.4)


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


def content_distance(vgg: VGG19Features, images: list[torch.Tensor], sources: list[torch.Tensor],
                     layer: str = CONTENT_LAYER) -> float:
    """Mean over frame pairs of ||phi(x) - phi(s)||^2 / ||phi(s)||^2 at ``layer`` (relu3_3): 0 = the
    source's content features unchanged. images, sources: matching lists of (1, 3, H, W) in [0, 1]."""
    return relative_distance(features(vgg, images, layer), features(vgg, sources, layer))


def features(vgg: VGG19Features, images: list[torch.Tensor], layer: str = CONTENT_LAYER) -> list[torch.Tensor]:
    """``layer`` features of each image, without gradients (the source's are computed once per clip)."""
    with torch.no_grad():
        return [vgg(img, [layer])[layer] for img in images]


def relative_distance(feats: list[torch.Tensor], source_feats: list[torch.Tensor]) -> float:
    """Mean over pairs of ||a - b||^2 / ||b||^2 (0 = the same features)."""
    if len(feats) != len(source_feats) or not feats:
        raise ValueError(f"need matching non-empty lists, got {len(feats)} and {len(source_feats)}")
    values = [float((a - b).pow(2).sum() / b.pow(2).sum()) for a, b in zip(feats, source_feats)]
    return sum(values) / len(values)
