"""Stylise images and videos with a look: decode -> stylise -> colour options -> encode, streaming."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from filmstyle.core import video
from filmstyle.core.config import RenderOptions
from filmstyle.core.image import blend, from_array, load_image, preserve_color, save_image, to_array
from filmstyle.grading.tone import ToneAnchor, measure_tone_curve
from filmstyle.look import Look
from filmstyle.measure.speed import Stopwatch, fps
from filmstyle.nets.transformer import TransformerNet
from filmstyle.temporal.blend import TemporalBlender
from filmstyle.temporal.cuts import cut_source


def stylize_tensor(net: TransformerNet, img: torch.Tensor, *, strength: float = 1.0,
                   preserve: bool = False) -> torch.Tensor:
    """Apply ``net`` to (1, 3, H, W) RGB in [0, 1] with the colour options; returns [0, 1]."""
    with torch.inference_mode():
        out = net(img).clamp_(0, 1)
        if preserve:
            out = preserve_color(out, img).clamp_(0, 1)
        return blend(out, img, strength)


class FrameStylizer:
    """Callable for :func:`filmstyle.core.video.transcode`: RGB uint8 frame in, stylised frame out.

    Accumulates ``model_seconds``: time in the network alone (the model-only FPS).
    """

    def __init__(self, net: TransformerNet, options: RenderOptions) -> None:
        self.net = net.eval()
        self.options = options
        self.model = Stopwatch()
        self.pre: Callable[[np.ndarray], np.ndarray] | None = None  # colour before / after the network
        self.post: Callable[[np.ndarray], np.ndarray] | None = None  # (filmstyle.grading.grade.colour_hooks)
        self.tone: ToneAnchor | None = None  # render --tone anchor: applied to the network's output

    @property
    def model_seconds(self) -> float:
        return self.model.seconds

    def stylize(self, img: torch.Tensor) -> torch.Tensor:
        """The network with the strength and colour options: (1, 3, H, W) in [0, 1] -> the same."""
        return stylize_tensor(self.net, img, strength=self.options.strength, preserve=self.options.preserve_color)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        src = frame if self.pre is None else self.pre(frame)
        img = from_array(src)
        with self.model:  # the network alone: model-only FPS, as before the tone anchor
            styled = self.stylize(img)
        out = to_array(styled)
        if self.tone is not None:  # T maps the source frame's luma to the look's
            out = self.tone(frame, out)
        return out if self.post is None else np.ascontiguousarray(self.post(out))


class BlendingStylizer(FrameStylizer):
    """A :class:`FrameStylizer` whose outputs are blended along the flow with the previous output.

    Shot cuts (``options.cuts``) restart the blending. ``model_seconds`` stays the network's time;
    ``temporal_seconds`` accumulates cut detection, flow, mask and blending; ``cuts`` counts the
    cuts met. InputError (from the constructor) for an unreadable cuts file.
    """

    def __init__(self, net: TransformerNet, options: RenderOptions, *, alpha: float | None = None) -> None:
        super().__init__(net, options)
        self.cut_at = cut_source(options.cuts)
        self.blender = TemporalBlender(method=options.flow, **({} if alpha is None else {"alpha": alpha}))
        self.cut_watch = Stopwatch()
        self.cuts = 0

    @property
    def temporal_seconds(self) -> float:
        return self.cut_watch.seconds + self.blender.seconds

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        with self.cut_watch:
            cut = self.cut_at(frame)
        self.cuts += cut
        return self.blender(frame, super().__call__(frame), cut=cut)


@dataclass(frozen=True)
class RenderStats:
    """Figures of one render. FPS are frames over wall-clock seconds."""

    output: Path
    frames: int
    width: int
    height: int
    audio_streams: int
    model_seconds: float
    total_seconds: float
    temporal_seconds: float = 0.0  # cut detection, flow and blending (``--temporal blend``)
    cuts: int = 0

    @property
    def model_fps(self) -> float:
        return fps(self.frames, self.model_seconds)

    @property
    def e2e_fps(self) -> float:
        return fps(self.frames, self.total_seconds)


def render_video(look: Look, src: str | os.PathLike, dst: str | os.PathLike, options: RenderOptions = RenderOptions(),
                 *, on_frame: Callable[[int], None] | None = None) -> RenderStats:
    """Render ``src`` in ``look`` to ``dst`` (audio, frame rate and timestamps kept)."""
    stylizer = BlendingStylizer(look.net, options) if options.temporal == "blend" else FrameStylizer(look.net, options)
    if options.color_transfer is not None or options.lut is not None:
        from filmstyle.grading.grade import colour_hooks

        stylizer.pre, stylizer.post = colour_hooks(look, src, transfer=options.color_transfer, still=options.color_still,
                                                   stage=options.color_stage, lut=options.lut)
    if options.tone == "anchor":  # the look's tone curve from source frames to what the stylizer makes of them
        def styled(x: torch.Tensor) -> torch.Tensor:
            return stylizer.stylize(x if stylizer.pre is None else from_array(stylizer.pre(to_array(x))))

        stylizer.tone = ToneAnchor(measure_tone_curve(styled, src, options.size))
    stats = video.transcode(src, dst, stylizer, size=options.size, max_frames=options.max_frames,
                            codec=options.codec, on_frame=on_frame)
    return RenderStats(output=Path(dst), frames=stats.frames, width=stats.width, height=stats.height,
                       audio_streams=stats.audio_streams, model_seconds=stylizer.model_seconds,
                       total_seconds=stats.seconds_total,
                       temporal_seconds=getattr(stylizer, "temporal_seconds", 0.0),
                       cuts=getattr(stylizer, "cuts", 0))


def stylize_image(look: Look, src: str | os.PathLike, dst: str | os.PathLike,
                  options: RenderOptions = RenderOptions(), *, max_side: int | None = None) -> Path:
    """Stylise one image file into ``dst`` (format from the suffix), atomically.

    Of ``options`` an image uses ``strength`` and ``preserve_color``; ``max_side`` shrinks the image
    first so its longer side is at most that many pixels.
    """
    img = load_image(src, min_side=16)
    if max_side is not None and max(img.shape[-2:]) > max_side:
        scale = max_side / max(img.shape[-2:])
        size = (max(1, round(img.shape[-2] * scale)), max(1, round(img.shape[-1] * scale)))
        img = torch.nn.functional.interpolate(img, size=size, mode="bilinear", antialias=True, align_corners=False)
    out = stylize_tensor(look.net, img, strength=options.strength, preserve=options.preserve_color)
    return save_image(out, dst)
