"""From a film still to a look: load the still and the content, pick the initialisation, adapt."""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from filmstyle.core import __version__
from filmstyle.core.assets import DEMO_CLIP, SHIPPED_INITS
from filmstyle.core.config import ADAPT_INIT, DEVICE, AdaptConfig, MetaTrainConfig
from filmstyle.core.device import resolve_device
from filmstyle.core.errors import InputError
from filmstyle.core.image import file_sha256, from_array, load_still, to_array
from filmstyle.core.media import load_content
from filmstyle.grading.tone import DETAIL_SHORT_SIDE, STILL_SIDE, grade_lut
from filmstyle.look import Look, load_look
from filmstyle.nets.transformer import FILMSTYLE_NET, TransformerNet, filmstyle_net
from filmstyle.temporal.loss import FramePair, clip_pairs
from filmstyle.training.adapt import AdaptResult, Composite, adapt

if TYPE_CHECKING:
    from filmstyle.training.meta import MetaTrainResult
    from filmstyle.training.tasks import Task

log = logging.getLogger(__name__)


def _temporal_pairs(video_path: str | os.PathLike | None, content_dir: str | os.PathLike | None,
                    cfg: AdaptConfig) -> list[FramePair]:
    """Consecutive frame pairs of the clip for the temporal loss (flow: DIS, as the render's blend)."""
    if content_dir is not None:
        raise InputError(content_dir, "the temporal loss needs a clip, not a folder of images",
                         "give --video CLIP or set --temporal-weight 0")
    clip = DEMO_CLIP if video_path is None else video_path
    pairs = clip_pairs(clip, cfg.frames, cfg.size, flow="dis")
    if not pairs:
        raise InputError(clip, "no pair of consecutive frames has a usable optical flow (too short, or all cuts)",
                         "use a longer clip or set --temporal-weight 0")
    return pairs


def graded_composite(still: np.ndarray, frames: list[torch.Tensor], size: int, sigma: float) -> Composite:
    """What ``render --tone grade`` shows, for the loss: the colour grade toward ``still`` (the look's
    thumbnail) fitted to ``frames`` as the base, plus the network's detail above ``sigma`` px at 360p
    (frames of short side ``size``)."""
    lut = grade_lut(still, [to_array(f) for f in frames])

    def base(x: torch.Tensor) -> torch.Tensor:
        return torch.cat([from_array(lut.apply_uint8(to_array(img[None]))) for img in x])

    return Composite(base, sigma * size / DETAIL_SHORT_SIDE, luma_only=lut.is_neutral())


def task_composite(detail_sigma: float) -> Callable[[Task], Composite]:
    """For meta-training with ``tone="grade"``: a task's losses see what ``render --tone grade`` would
    show of its frames (:func:`graded_composite`: the grade toward the task's style plus the network's
    detail), so the init learns the detail that adapt and render use."""
    def shown(task: Task) -> Composite:
        size = min(task.frames[0].shape[-2:])
        return graded_composite(to_array(task.style), task.frames, size, detail_sigma)

    return shown


def meta_train_init(cfg: MetaTrainConfig, **kwargs: Any) -> tuple[Path, MetaTrainResult]:
    """``filmstyle meta-train``: :func:`filmstyle.training.meta.run_meta_training` (``kwargs``) with
    what the tasks show set from ``cfg.tone``."""
    from filmstyle.training.meta import run_meta_training  # not needed by adapt: imported here

    shown = task_composite(cfg.detail_sigma) if cfg.tone == "grade" else None
    return run_meta_training(cfg, shown=shown, **kwargs)


def resolve_init(init: str) -> str:
    """A shipped init's name (:data:`filmstyle.core.assets.SHIPPED_INITS`: ``"meta"``, ``"meta-fast"``)
    -> its file; ``"scratch"`` and paths unchanged."""
    path = SHIPPED_INITS.get(init)
    if path is None:
        if init != "scratch" and not Path(init).exists():
            raise InputError(init, f"no such init: neither a shipped one ({', '.join(SHIPPED_INITS)}), 'scratch', "
                             "nor an existing file", "check the name or the path")
        return init
    if not path.is_file():
        raise InputError(path, f"the shipped meta-learned initialisation '{init}' is missing",
                         "reinstall filmstyle or use --init scratch")
    return str(path)


def adapt_look(still: str | os.PathLike, cfg: AdaptConfig | None = None, *, video_path: str | os.PathLike | None = None,
               content_dir: str | os.PathLike | None = None, init: str = ADAPT_INIT,
               net_config: dict[str, int] | None = None, checkpoint: str | os.PathLike | None = None,
               device: str = DEVICE,
               on_step: Callable[[int, dict[str, float]], None] | None = None,
               on_network: Callable[[int, torch.nn.Module], None] | None = None) -> tuple[Look, AdaptResult]:
    """Adapt a transform network to the style of ``still``; returns the look and the run's figures.

    ``init``: "meta" (the shipped meta-learned initialisation), "meta-fast" (the shipped init of a
    lean network that runs about 2.5x as fast), "scratch" (Johnson et al.: random weights) or a
    look/init file. ``cfg`` None: :meth:`AdaptConfig.for_init` of ``init``. ``net_config``
    (width and/or depth, the rest of :data:`FILMSTYLE_NET`) applies to ``init="scratch"`` only.
    ``device``: where it trains, "auto", "cpu" or "cuda" (:func:`filmstyle.core.device.resolve_device`);
    the look's network comes back on the CPU. ``on_step(step, loss terms)`` after every step;
    ``on_network(step, net)`` too, with the network being trained (on ``device``), between two steps:
    a caller that shows the look as it forms copies what it needs there (e.g. the state dict); raising
    in either stops the adaptation.
    """
    cfg = cfg if cfg is not None else AdaptConfig.for_init(init)
    where = resolve_device(device)
    init = resolve_init(init)
    torch.manual_seed(cfg.seed)
    style = load_still(still, cfg.size)
    pairs = None
    if cfg.loss.temporal_weight > 0:
        pairs = _temporal_pairs(video_path, content_dir, cfg)
        frames = [p.cur for p in pairs]
    else:
        frames = load_content(video_path=video_path, content_dir=content_dir, n=cfg.frames, size=cfg.size)
    if init == "scratch":
        net = TransformerNet(**{**FILMSTYLE_NET, **net_config}) if net_config else filmstyle_net()
        init_id = "scratch"
    else:
        if net_config:
            raise InputError(None, "--width/--depth/--end-kernel/--decoder only apply with --init scratch")
        net = load_look(init).net
        init_id = file_sha256(init)
    still_sha = file_sha256(still)
    source = str(video_path or content_dir or DEMO_CLIP.name)
    run_key = hashlib.sha256(json.dumps([still_sha, cfg.to_dict(), init_id, net.config, source], sort_keys=True).encode()).hexdigest()
    thumbnail = to_array(load_still(still, STILL_SIDE))
    composite = graded_composite(thumbnail, frames, cfg.size, cfg.detail_sigma) if cfg.tone == "grade" else None
    step_cb = on_step
    if on_network is not None:
        def step_cb(step: int, terms: dict[str, float]) -> None:
            if on_step is not None:
                on_step(step, terms)
            on_network(step, net)
    try:
        result = adapt(net.to(where), style, frames, cfg, checkpoint=checkpoint, run_key=run_key, on_step=step_cb,
                       pairs=pairs, composite=composite)
    finally:
        net.cpu()
    meta = {
        "filmstyle_version": __version__,
        "still": {"name": Path(still).name, "sha256": still_sha},
        "init": "scratch" if init == "scratch" else {"name": Path(init).name, "sha256": init_id},
        "adapt": cfg.to_dict(),
        "content": {"source": Path(source).name, "frames": len(frames), "pairs": len(pairs) if pairs else 0},
        "steps": result.steps,
        "final_losses": result.losses,
        "seconds": round(result.seconds_total, 2),  # every session's, if it resumed
    }
    return Look(net=net, meta=meta, still=thumbnail), result
