"""The inner loop: adapt a transform network to one style.

One function serves the user's ``filmstyle adapt`` and (later) meta-training. Adam with batch 1
as in the paper (sec. 4.2); each step draws one content frame and a random square crop of it.
Crops are drawn from a generator seeded by (seed, step), so a resumed run follows exactly the path
of an uninterrupted one.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import math

import torch
import torch.nn.functional as F

from filmstyle.core.colour import BT709_LUMA
from filmstyle.core.config import AdaptConfig
from filmstyle.losses import loss_network, perceptual_loss, style_targets
from filmstyle.nets.transformer import TransformerNet
from filmstyle.nets.vgg import VGG19Features
from filmstyle.temporal.loss import FramePair, temporal_loss
from filmstyle.training.adam import Adam
from filmstyle.training.loop import Trainer

StepCallback = Callable[[int, dict[str, float]], None]


@dataclass
class AdaptResult:
    """Outcome of :func:`adapt`: the final loss terms, the per-step history and timing (``seconds``
    in this session; ``seconds_before``: what earlier sessions spent on the steps a resumed run kept)."""

    steps: int
    losses: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    resumed_from: int = 0
    seconds_before: float = 0.0

    @property
    def seconds_total(self) -> float:
        """Seconds the whole adaptation took, over every session."""
        return self.seconds_before + self.seconds


@dataclass(frozen=True)
class Composite:
    """What the loss sees instead of the network's raw output: ``base(x)`` (e.g. the colour-graded
    frame; (B, 3, H, W) in [0, 1] -> the same, no gradient needed) plus the network's detail above
    ``sigma`` px (:func:`highpass`), as ``render --tone grade`` shows it. ``luma_only``: the detail is
    added as luma only (a black-and-white grade stays grey)."""

    base: Callable[[torch.Tensor], torch.Tensor]
    sigma: float
    luma_only: bool = False

    def __call__(self, content: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
        fine = highpass(output, self.sigma)
        if self.luma_only:
            fine = (fine * _LUMA.to(fine)).sum(1, keepdim=True).expand_as(fine)
        with torch.no_grad():
            base = self.base(content).to(fine.device)
        return base + fine


_LUMA = torch.tensor(BT709_LUMA).view(1, 3, 1, 1)


def highpass(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """(B, C, H, W) -> ``x`` minus its Gaussian blur of ``sigma`` px (separable, reflected edges, radius 4 sigma)."""
    radius = min(max(1, math.ceil(4 * sigma)), x.shape[-2] - 1, x.shape[-1] - 1)
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    blur = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="reflect"), k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    blur = F.conv2d(F.pad(blur, (0, 0, radius, radius), mode="reflect"), k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)
    return x - blur


def trainable_parameters(net: TransformerNet, which: str) -> list[torch.nn.Parameter]:
    """Parameters adapted: ``"all"``, or ``"norm"`` (instance-norm scales and shifts only)."""
    if which == "all":
        return list(net.parameters())
    if which == "norm":
        return [p for _, p in net.norm_parameters()]
    raise ValueError(f"params must be 'all' or 'norm', got {which!r}")


def random_crop(frames: Sequence[torch.Tensor], size: int, gen: torch.Generator) -> torch.Tensor:
    """One random frame of ``frames`` (each (1, 3, H, W), H, W >= size), cropped to (1, 3, size, size)."""
    frame = frames[int(torch.randint(len(frames), (1,), generator=gen))]
    h, w = frame.shape[-2:]
    if min(h, w) < size:
        raise ValueError(f"content frame {w}x{h} is smaller than the crop size {size}")
    top = int(torch.randint(h - size + 1, (1,), generator=gen))
    left = int(torch.randint(w - size + 1, (1,), generator=gen))
    return frame[..., top:top + size, left:left + size]


def random_pair_crop(pairs: Sequence[FramePair], size: int, gen: torch.Generator) -> FramePair:
    """One random pair of ``pairs``, cropped to the same random ``size`` x ``size`` window."""
    pair = pairs[int(torch.randint(len(pairs), (1,), generator=gen))]
    h, w = pair.cur.shape[-2:]
    if min(h, w) < size:
        raise ValueError(f"frame pair {w}x{h} is smaller than the crop size {size}")
    top = int(torch.randint(h - size + 1, (1,), generator=gen))
    left = int(torch.randint(w - size + 1, (1,), generator=gen))
    return pair.crop(top, left, size)


def adapt(net: TransformerNet, style: torch.Tensor, frames: Sequence[torch.Tensor], cfg: AdaptConfig, *,
          vgg: VGG19Features | None = None, checkpoint: str | os.PathLike | None = None,
          checkpoint_every: int = 25, run_key: str = "", on_step: StepCallback | None = None,
          pairs: Sequence[FramePair] | None = None, composite: Composite | None = None) -> AdaptResult:
    """Train ``net`` in place for ``cfg.steps`` Adam steps on the style of ``style`` (the one loop,
    :class:`filmstyle.training.loop.Trainer`), on the device ``net`` is on (``style``, ``frames`` and
    ``pairs`` may stay on the CPU: each step's crops are moved there).

    Args:
        net: the network to adapt (its weights are the initialisation).
        style: (1, 3, Hs, Ws) RGB in [0, 1], already at the size its statistics should be taken.
        frames: content frames, each (1, 3, H, W) with min(H, W) >= cfg.size.
        checkpoint: if given, state is saved there every ``checkpoint_every`` steps and on an
            interrupt, and a run whose checkpoint holds the same ``run_key`` resumes from it.
        on_step: called after every step with (step, loss terms as floats).
        pairs: consecutive frames of the clip for the temporal loss (``cfg.loss.temporal_weight`` > 0):
            each step then crops one pair, stylises both frames, and adds the weighted temporal term
            to the perceptual loss of the current frame, which replaces the crop of ``frames``.
        composite: the loss (and the temporal loss) sees ``composite(content, output)``
            (:class:`Composite`) instead of the raw output: the network learns what the render shows.
    """
    temporal = cfg.loss.temporal_weight > 0
    if temporal and not pairs:
        raise ValueError("a temporal weight needs frame pairs of a clip (pairs=...)")
    if not frames and not temporal:
        raise ValueError("adapt needs at least one content frame")
    shown = composite if composite is not None else (lambda content, output: output)
    device = next(net.parameters()).device  # adapt runs where the network is; the data moves there per step
    vgg = (vgg if vgg is not None else loss_network(cfg.loss)).to(device)
    targets = style_targets(vgg, style.to(device), cfg.loss)
    params = trainable_parameters(net, cfg.params)
    net.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    trainer = Trainer(net, Adam(params, lr=cfg.lr), steps=cfg.steps, seed=cfg.seed, checkpoint=checkpoint,
                      run_key=run_key, every=checkpoint_every, on_step=on_step)

    def step(i: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
        if temporal:
            pair = random_pair_crop(pairs, cfg.size, gen).to(device)
            both = torch.cat([pair.cur, pair.prev])
            out = shown(both, net(both))
            terms = perceptual_loss(vgg, out[:1], pair.cur, targets, cfg.loss)
            terms["temporal"] = cfg.loss.temporal_weight * temporal_loss(out[:1], out[1:], pair.flow, pair.mask)
            terms["total"] = terms["total"] + terms["temporal"]
            return terms
        content = random_crop(frames, cfg.size, gen).to(device)
        return perceptual_loss(vgg, shown(content, net(content)), content, targets, cfg.loss)

    net.train()
    try:
        result = trainer.run(step)
    finally:
        net.eval().requires_grad_(False)
    return AdaptResult(steps=cfg.steps, losses=result.losses, history=result.history, seconds=result.seconds,
                       resumed_from=result.resumed_from, seconds_before=result.seconds_before)
