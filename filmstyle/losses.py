"""Perceptual losses of Johnson et al. 2016 as pure functions; targets are arguments.

Shapes: features (B, C, H, W); images (B, 3, H, W) RGB in [0, 1]. Every function returns a
0-dim tensor averaged over the batch, so terms are comparable across image sizes.
"""
from __future__ import annotations

from collections.abc import Mapping

import torch

from filmstyle.core.config import LossConfig
from filmstyle.nets.vgg import VGG19Features, layer_names, load_vgg19


def deepest_layer(cfg: LossConfig) -> str:
    """Deepest VGG19 layer any term of ``cfg`` needs (the loss network is cut after it)."""
    names = layer_names()
    return max((cfg.content_layer, *cfg.style_layers), key=names.index)


def loss_network(cfg: LossConfig) -> VGG19Features:
    """The pretrained VGG19 cut after the deepest layer ``cfg`` needs, frozen."""
    return load_vgg19(deepest_layer(cfg))


def gram_matrix(feat: torch.Tensor) -> torch.Tensor:
    """Gram matrix normalised by C*H*W (Johnson et al. 2016, eq. 3): (B, C, H, W) -> (B, C, C)."""
    b, c, h, w = feat.shape
    f = feat.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def content_loss(feat: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Feature reconstruction loss ||phi(y) - phi(y_c)||^2 / (C*H*W) (the paper's sec. 3.4)."""
    if feat.shape != target.shape:
        raise ValueError(f"content feature shape {tuple(feat.shape)} != target {tuple(target.shape)}")
    return (feat - target).pow(2).mean()


def style_loss(grams: Mapping[str, torch.Tensor], targets: Mapping[str, torch.Tensor],
               layer_weights: Mapping[str, float] | None = None) -> torch.Tensor:
    """Sum over layers of the mean squared difference of Gram matrices (B, C, C) vs (1 or B, C, C).

    ``layer_weights`` defaults to 1 for every layer in ``targets``.
    """
    missing = set(targets) - set(grams)
    if missing:
        raise ValueError(f"no Gram matrix given for style layers {sorted(missing)}")
    total = torch.zeros((), dtype=next(iter(grams.values())).dtype, device=next(iter(grams.values())).device)
    for name, target in targets.items():
        weight = 1.0 if layer_weights is None else layer_weights[name]
        total = total + weight * (grams[name] - target).pow(2).mean()
    return total


def total_variation(img: torch.Tensor) -> torch.Tensor:
    """Squared total variation: mean of squared horizontal plus vertical neighbour differences."""
    dh = (img[..., 1:, :] - img[..., :-1, :]).pow(2).mean() if img.shape[-2] > 1 else img.new_zeros(())
    dw = (img[..., :, 1:] - img[..., :, :-1]).pow(2).mean() if img.shape[-1] > 1 else img.new_zeros(())
    return dh + dw


def style_targets(vgg: VGG19Features, style: torch.Tensor, cfg: LossConfig) -> dict[str, torch.Tensor]:
    """Gram matrices of the style image at ``cfg.style_layers``: style (1, 3, H, W) -> {layer: (1, C, C)}."""
    with torch.no_grad():
        feats = vgg(style, cfg.style_layers)
    return {k: gram_matrix(v) for k, v in feats.items()}


def perceptual_loss(vgg: VGG19Features, output: torch.Tensor, content: torch.Tensor,
                    style_grams: Mapping[str, torch.Tensor], cfg: LossConfig) -> dict[str, torch.Tensor]:
    """Weighted loss terms for a stylised ``output`` of ``content`` (both (B, 3, H, W)).

    Returns ``{"content", "style", "tv", "total"}``; each term already carries its weight from
    ``cfg`` and ``total`` is their sum.
    """
    with torch.no_grad():
        content_target = vgg(content, [cfg.content_layer])[cfg.content_layer]
    layers = set(cfg.style_layers) | {cfg.content_layer}
    feats = vgg(output, layers)
    terms = {
        "content": cfg.content_weight * content_loss(feats[cfg.content_layer], content_target),
        "style": cfg.style_weight * style_loss({k: gram_matrix(feats[k]) for k in style_grams}, style_grams),
        "tv": cfg.tv_weight * total_variation(output),
    }
    terms["total"] = terms["content"] + terms["style"] + terms["tv"]
    return terms
