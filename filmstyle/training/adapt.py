"""The inner loop: adapt a transform network to one style.

One function serves the user's ``filmstyle adapt`` and (later) meta-training. Adam with batch 1
as in the paper (sec. 4.2); each step draws one content frame and a random square crop of it.
Crops are drawn from a generator seeded by (seed, step), so a resumed run follows exactly the path
of an uninterrupted one.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from filmstyle.core import store as ckpt_io
from filmstyle.core.config import AdaptConfig
from filmstyle.losses import loss_network, perceptual_loss, style_targets
from filmstyle.nets.transformer import TransformerNet
from filmstyle.nets.vgg import VGG19Features
from filmstyle.temporal.loss import FramePair, temporal_loss

log = logging.getLogger(__name__)
StepCallback = Callable[[int, dict[str, float]], None]


@dataclass
class AdaptResult:
    """Outcome of :func:`adapt`: the final loss terms, the per-step history and timing."""

    steps: int
    losses: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    resumed_from: int = 0


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
          pairs: Sequence[FramePair] | None = None) -> AdaptResult:
    """Train ``net`` in place for ``cfg.steps`` Adam steps on the style of ``style``.

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
    """
    temporal = cfg.loss.temporal_weight > 0
    if temporal and not pairs:
        raise ValueError("a temporal weight needs frame pairs of a clip (pairs=...)")
    if not frames and not temporal:
        raise ValueError("adapt needs at least one content frame")
    vgg = vgg if vgg is not None else loss_network(cfg.loss)
    targets = style_targets(vgg, style, cfg.loss)
    params = trainable_parameters(net, cfg.params)
    for p in net.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=cfg.lr)
    history: list[dict[str, float]] = []
    start = 0
    if checkpoint is not None and Path(checkpoint).exists():
        start, history = _load_checkpoint(Path(checkpoint), net, opt, run_key)
    net.train()
    gen = torch.Generator()
    t0 = time.perf_counter()
    done = start  # last completed step
    try:
        for step in range(start + 1, cfg.steps + 1):
            gen.manual_seed(cfg.seed * 1_000_003 + step)
            if temporal:
                pair = random_pair_crop(pairs, cfg.size, gen)
                out = net(torch.cat([pair.cur, pair.prev]))
                terms = perceptual_loss(vgg, out[:1], pair.cur, targets, cfg.loss)
                terms["temporal"] = cfg.loss.temporal_weight * temporal_loss(out[:1], out[1:], pair.flow, pair.mask)
                terms["total"] = terms["total"] + terms["temporal"]
            else:
                content = random_crop(frames, cfg.size, gen)
                terms = perceptual_loss(vgg, net(content), content, targets, cfg.loss)
            opt.zero_grad(set_to_none=True)
            terms["total"].backward()
            opt.step()
            record = {k: float(v.detach()) for k, v in terms.items()}
            history.append(record)
            done = step
            if on_step is not None:
                on_step(step, record)
            if checkpoint is not None and step % checkpoint_every == 0 and step < cfg.steps:
                _save_checkpoint(Path(checkpoint), net, opt, step, history, run_key)
    except KeyboardInterrupt:
        if checkpoint is not None and done > start:
            _save_checkpoint(Path(checkpoint), net, opt, done, history, run_key)
        raise
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    losses = history[-1] if history else {}
    return AdaptResult(steps=cfg.steps, losses=losses, history=history,
                       seconds=time.perf_counter() - t0, resumed_from=start)


_KIND = "filmstyle.core.store"


def _save_checkpoint(path: Path, net: TransformerNet, opt: torch.optim.Optimizer, step: int,
                     history: list[dict[str, float]], run_key: str) -> None:
    """Network and Adam state at ``step``, written atomically."""
    meta = {"kind": _KIND, "step": step, "run_key": run_key, "history": history[:step]}
    ckpt_io.save(path, ckpt_io.snapshot(net, opt), meta)
    log.info("checkpoint at step %d written to %s", step, path)


def _load_checkpoint(path: Path, net: TransformerNet, opt: torch.optim.Optimizer,
                     run_key: str) -> tuple[int, list[dict[str, float]]]:
    """Restore state from ``path`` if it belongs to this run; return (step, history)."""
    meta = ckpt_io.restore(path, net, opt, kind=_KIND, run_key=run_key)
    if meta is None:
        return 0, []
    step = int(meta["step"])
    log.info("resuming from step %d of %s", step, path)
    return step, list(meta.get("history", []))[:step]
