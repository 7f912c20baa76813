"""From a film still to a look: load the still and the content, pick the initialisation, adapt."""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import torch

from filmstyle import __version__, video
from filmstyle.config import AdaptConfig
from filmstyle.errors import InputError
from filmstyle.image import MIN_SIDE, file_sha256, from_array, load_image, resize_short
from filmstyle.look import Look, load_look
from filmstyle.meta.adapt import AdaptResult, adapt
from filmstyle.nets.transformer import TransformerNet
from filmstyle.temporal.loss import FramePair, clip_pairs

log = logging.getLogger(__name__)
ASSETS = Path(__file__).parent / "assets"
DEMO_CLIP = ASSETS / "demo_clip.mp4"
DEMO_STILL = ASSETS / "demo_still.png"
DEMO_LOOK = ASSETS / "demo.look"
META_INIT = ASSETS / "init.look"  # made by `filmstyle meta-train` (README)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
DEFAULT_NET = {"width": 16, "depth": 5}  # chosen by benchmarks/net_size.py (README)


def trim_letterbox(img: torch.Tensor, *, threshold: float = 0.06) -> torch.Tensor:
    """Remove uniform near-black bars (letterbox/pillarbox) around a still: (1, 3, H, W) -> cropped.

    Film stills often carry bars; their black would otherwise dominate the style statistics.
    A row/column counts as bar if its brightest value is below ``threshold``.
    """
    peak = img[0].amax(0)  # (H, W) brightest channel per pixel
    rows = torch.nonzero(peak.amax(1) >= threshold).flatten()
    cols = torch.nonzero(peak.amax(0) >= threshold).flatten()
    if rows.numel() == 0 or cols.numel() == 0:
        return img  # an all-black still: nothing to trim against
    return img[..., int(rows[0]):int(rows[-1]) + 1, int(cols[0]):int(cols[-1]) + 1]


def load_still(path: str | os.PathLike, size: int) -> torch.Tensor:
    """The style still, bars trimmed, short side resized to ``size``: (1, 3, H, W) in [0, 1]."""
    img = trim_letterbox(load_image(path))
    if min(img.shape[-2:]) < MIN_SIDE:
        raise InputError(path, "still is too small once its black bars are removed", f"use a still at least {MIN_SIDE} px high without bars")
    return resize_short(img, size)


def load_content(*, video_path: str | os.PathLike | None, content_dir: str | os.PathLike | None,
                 n: int, size: int) -> list[torch.Tensor]:
    """Content frames for adaptation: ``n`` frames spread over a clip, or up to ``n`` images of a folder.

    Each is (1, 3, H, W) with its short side resized to ``size``.
    """
    if video_path is not None and content_dir is not None:
        raise InputError(None, "give either --video or --content, not both")
    if content_dir is not None:
        folder = Path(content_dir)
        if not folder.is_dir():
            raise InputError(folder, "content folder not found", "give a folder of JPEG/PNG images")
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise InputError(folder, "content folder holds no images", f"put {', '.join(IMAGE_SUFFIXES)} files in it")
        step = max(1, len(files) // n)
        return [resize_short(load_image(p), size) for p in files[::step][:n]]
    clip = DEMO_CLIP if video_path is None else video_path
    return [resize_short(from_array(f), size) for f in video.sample_frames(clip, n)]


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


def resolve_init(init: str) -> str:
    """``"meta"`` -> the shipped meta-learned initialisation; ``"scratch"`` and paths unchanged."""
    if init != "meta":
        return init
    if not META_INIT.is_file():
        raise InputError(META_INIT, "the shipped meta-learned initialisation is missing", "reinstall filmstyle or use --init scratch")
    return str(META_INIT)


def adapt_look(still: str | os.PathLike, cfg: AdaptConfig = AdaptConfig(), *, video_path: str | os.PathLike | None = None,
               content_dir: str | os.PathLike | None = None, init: str = "meta",
               net_config: dict[str, int] | None = None, checkpoint: str | os.PathLike | None = None,
               on_step: Callable[[int, dict[str, float]], None] | None = None) -> tuple[Look, AdaptResult]:
    """Adapt a transform network to the style of ``still``; returns the look and the run's figures.

    ``init``: "meta" (the shipped meta-learned initialisation), "scratch" (Johnson et al.: random
    weights) or a look/init file. ``net_config`` (width, depth) applies to ``init="scratch"`` only.
    """
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
        net = TransformerNet(**(net_config or DEFAULT_NET))
        init_id = "scratch"
    else:
        if net_config:
            raise InputError(None, "--width/--depth only apply with --init scratch")
        net = load_look(init).net
        init_id = file_sha256(init)
    still_sha = file_sha256(still)
    source = str(video_path or content_dir or DEMO_CLIP.name)
    run_key = hashlib.sha256(json.dumps([still_sha, cfg.to_dict(), init_id, net.config, source], sort_keys=True).encode()).hexdigest()
    result = adapt(net, style, frames, cfg, checkpoint=checkpoint, run_key=run_key, on_step=on_step, pairs=pairs)
    meta = {
        "filmstyle_version": __version__,
        "still": {"name": Path(still).name, "sha256": still_sha},
        "init": "scratch" if init == "scratch" else {"name": Path(init).name, "sha256": init_id},
        "adapt": cfg.to_dict(),
        "content": {"source": Path(source).name, "frames": len(frames), "pairs": len(pairs) if pairs else 0},
        "steps": result.steps,
        "final_losses": result.losses,
        "seconds": round(result.seconds, 2),
    }
    return Look(net=net, meta=meta), result
