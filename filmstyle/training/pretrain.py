"""Reconstruction warm-up before meta-training: teach the network to reproduce its input.

A randomly initialised transform network spends its first hundreds of style steps learning to
reproduce the content at all. That part is common to every style and needs no VGG, so it is done
once, cheaply, with a pixel loss (L1 on random crops, Adam). Meta-training then starts from a
network that already passes the content through, and learns only what helps styles adapt.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch

from filmstyle.nets.transformer import TransformerNet
from filmstyle.training.adapt import random_crop
from filmstyle.training.loop import Trainer



def pretrain_identity(net: TransformerNet, images: Sequence[torch.Tensor], *, steps: int, size: int = 128,
                      batch: int = 4, lr: float = 1e-3, seed: int = 0) -> list[float]:
    """Train ``net`` in place so that net(x) ~ x; returns the L1 loss per step.

    images: each (1, 3, H, W) RGB in [0, 1] with min(H, W) >= size; crops are (batch, 3, size, size).
    """
    if not images:
        raise ValueError("pretrain_identity needs at least one image")
    device = next(net.parameters()).device  # trained where it is

    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        x = torch.cat([random_crop(images, size, gen) for _ in range(batch)]).to(device)
        return {"total": (net(x) - x).abs().mean()}

    net.train()
    result = Trainer(net, torch.optim.Adam(net.parameters(), lr=lr), steps=steps, seed=seed).run(step)
    net.eval()
    return [r["total"] for r in result.history]
