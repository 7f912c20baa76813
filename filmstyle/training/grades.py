"""Procedural film grades: widen the meta-training style distribution beyond paintings.

A :class:`Grade` is a colourist's chain applied to an RGB image: saturation, lift/gamma/gain per
channel, split toning (one hue in the shadows, another in the highlights), a tint, optional
black-and-white, an S-curve and contrast, fade (raised blacks), film grain, and an optional tone on
black-and-white (sepia, cyanotype). :func:`random_grade` draws one from a generator, so a grade and
its grain are reproducible; :func:`graded_still` turns a content photo into a "film still".

The parameter ranges are not taken from a paper: they were chosen to span common looks (teal and
orange, bleach bypass, faded print, toned black-and-white) without making images unreadable.
All images are (B, 3, H, W) float RGB in [0, 1]; pure torch, no in-place changes to the input.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch

from filmstyle.core.colour import BT709_LUMA

# Luma weights of ITU-R BT.709 (the colour space filmstyle's video output is tagged with).
Triple = tuple[float, float, float]


def luma(img: torch.Tensor) -> torch.Tensor:
    """BT.709 luma of (B, 3, H, W) RGB -> (B, 1, H, W), same range as the input."""
    w = img.new_tensor(BT709_LUMA).view(1, 3, 1, 1)
    return (img * w).sum(1, keepdim=True)


def hue_direction(hue: float, ref: torch.Tensor) -> torch.Tensor:
    """A zero-mean RGB direction of ``hue`` in [0, 1) (0 red, 1/3 green, 2/3 blue): (1, 3, 1, 1).

    Adding it shifts colour toward the hue without changing the mean level of the three channels.
    """
    h = hue % 1.0
    rgb = ref.new_tensor([abs(6 * h - 3) - 1, 2 - abs(6 * h - 2), 2 - abs(6 * h - 4)]).clamp(0, 1)
    return (rgb - rgb.mean()).view(1, 3, 1, 1)


@dataclass(frozen=True)
class Grade:
    """One film grade; calling it applies it: (B, 3, H, W) in [0, 1] -> same shape in [0, 1].

    The identity grade is ``Grade()``. Strengths are fractions of full scale; hues in [0, 1).
    """

    saturation: float = 1.0  # 0 = grey, 1 = unchanged
    lift: Triple = (0.0, 0.0, 0.0)  # per channel: raises (or, negative, crushes) the blacks
    gamma: Triple = (1.0, 1.0, 1.0)  # per channel: > 1 brightens the midtones
    gain: Triple = (1.0, 1.0, 1.0)  # per channel: scales the whites
    shadow_hue: float = 0.0
    highlight_hue: float = 0.0
    split: float = 0.0  # split-toning strength
    tint_hue: float = 0.0
    tint: float = 0.0  # tint strength (multiplicative)
    bw: bool = False  # black-and-white after the colour operations
    s_curve: float = 0.0  # 0 = linear, 1 = full smoothstep
    contrast: float = 1.0  # slope around mid-grey
    fade: float = 0.0  # black level after the grade (raised blacks of a faded print)
    grain: float = 0.0  # standard deviation of the monochrome grain
    grain_seed: int = 0
    tone_hue: float = 0.0
    tone: float = 0.0  # toning strength on the final image (sepia, cyanotype); 0 keeps b&w neutral

    def __call__(self, img: torch.Tensor) -> torch.Tensor:
        if img.ndim != 4 or img.shape[1] != 3:
            raise ValueError(f"expected (B, 3, H, W), got {tuple(img.shape)}")
        x = img.clamp(0, 1)
        y = luma(x)
        x = y + self.saturation * (x - y)
        lift, gamma, gain = (x.new_tensor(v).view(1, 3, 1, 1) for v in (self.lift, self.gamma, self.gain))
        x = (gain * (x + lift * (1 - x))).clamp(0, 1).pow(1 / gamma)
        if self.split:
            y = luma(x).clamp(0, 1)
            x = x + self.split * ((1 - y) ** 2 * hue_direction(self.shadow_hue, x) + y ** 2 * hue_direction(self.highlight_hue, x))
        if self.tint:
            x = x * (1 + self.tint * hue_direction(self.tint_hue, x))
        if self.bw:
            x = luma(x).expand_as(x)
        x = x.clamp(0, 1)
        x = x + self.s_curve * (x * x * (3 - 2 * x) - x)  # smoothstep: the film S-curve
        x = ((x - 0.5) * self.contrast + 0.5).clamp(0, 1)
        x = self.fade + (1 - self.fade) * x
        if self.grain:
            gen = torch.Generator().manual_seed(self.grain_seed)
            noise = torch.randn((x.shape[0], 1, *x.shape[-2:]), generator=gen).to(x)
            x = x + self.grain * noise  # one value per pixel: luminance grain, keeps b&w neutral
        if self.tone:
            x = x * (1 + self.tone * hue_direction(self.tone_hue, x))
        return x.clamp(0, 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _u(gen: torch.Generator, lo: float, hi: float) -> float:
    return lo + (hi - lo) * float(torch.rand((), generator=gen))


def _coin(gen: torch.Generator, p: float) -> bool:
    return float(torch.rand((), generator=gen)) < p


def random_grade(gen: torch.Generator) -> Grade:
    """A random combination of the grade's operations, reproducible from ``gen``'s state.

    Every number is drawn in the same order whatever is switched on, so the sequence stays aligned.
    """
    lgg_on, sat_on, split_on, tint_on = (_coin(gen, p) for p in (0.8, 0.6, 0.5, 0.4))
    bw, tone_on, curve_on, contrast_on, fade_on, grain_on = (_coin(gen, p) for p in (0.15, 0.5, 0.6, 0.6, 0.4, 0.5))
    base = (_u(gen, -0.05, 0.1), _u(gen, 0.8, 1.25), _u(gen, 0.85, 1.15))  # lift, gamma, gain
    spread = [[_u(gen, -0.04, 0.04) for _ in range(3)] for _ in range(3)]  # per-channel offsets
    lift, gamma, gain = ((tuple(b + d for d in ds) if lgg_on else ident)
                         for b, ds, ident in zip(base, spread, ((0.0,) * 3, (1.0,) * 3, (1.0,) * 3)))
    saturation = _u(gen, 0.4, 1.4)
    shadow_hue = _u(gen, 0, 1)
    highlight_hue = shadow_hue + 0.5 + _u(gen, -0.12, 0.12)  # near-complementary: teal and orange
    split, tint_hue, tint = _u(gen, 0.05, 0.25), _u(gen, 0, 1), _u(gen, 0.05, 0.3)
    tone_hue = 0.08 if _coin(gen, 0.6) else _u(gen, 0, 1)  # 0.08: the orange-brown of sepia
    tone, s_curve, contrast = _u(gen, 0.05, 0.3), _u(gen, 0.2, 1.0), _u(gen, 0.75, 1.35)
    fade, grain = _u(gen, 0.03, 0.2), _u(gen, 0.01, 0.06)
    grain_seed = int(torch.randint(2**31 - 1, (), generator=gen))
    return Grade(
        saturation=saturation if sat_on else 1.0, lift=lift, gamma=gamma, gain=gain,  # type: ignore[arg-type]
        shadow_hue=shadow_hue, highlight_hue=highlight_hue % 1.0, split=split if split_on else 0.0,
        tint_hue=tint_hue, tint=tint if tint_on else 0.0, bw=bw,
        s_curve=s_curve if curve_on else 0.0, contrast=contrast if contrast_on else 1.0,
        fade=fade if fade_on else 0.0, grain=grain if grain_on else 0.0, grain_seed=grain_seed,
        tone_hue=tone_hue, tone=tone if (bw and tone_on) else 0.0,
    )


def graded_still(content_img: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A synthetic film still: ``content_img`` (1, 3, H, W) in [0, 1] under a random grade."""
    return random_grade(gen)(content_img)
