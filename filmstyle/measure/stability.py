"""The stability error of a stylised video against its source (the paper's e_stab, sec. 3.4).

For consecutive frames t-1, t (t = 1 .. N-1), with S the source and O the stylised frames as RGB in
[0, 1] (H, W, C = 3):

- w: flow from S_t to S_{t-1} (computed on the SOURCE frames, in S_t's grid; DeepFlow by default,
  as in the paper's sec. 4.1), and the flow from S_{t-1} to S_t for the check below;
- M: (H, W) mask in {0, 1}, 0 at disocclusions, at motion boundaries and where the flow leaves the
  frame (Ruder et al. 2016, :mod:`filmstyle.temporal.masks`);
- e_stab(t) = sum_{x, c} M(x) (O_t(x, c) - O_{t-1}(x + w(x), c))^2 / (H W C): the mean over all
  H*W*C values, masked values counted as zero (the temporal loss of Ruder et al.'s code, D = H W C).

The video's e_stab is the mean over the pairs within one shot. A pair across a shot cut (frame t starts
a new shot: the same detector as the render's, :mod:`filmstyle.temporal.cuts`, on the source, or a
cuts file) is left out: no flow relates two shots, and a mask that keeps part of such a pair (DeepFlow's
kept 79% of bikes' cut) makes e_stab measure each output's change across the cut rather than flicker.
``cuts="none"`` keeps every pair (the paper's definition, on clips without cuts). Also reported:
RMSE = sqrt(e_stab); the mask-normalised form sum M (..)^2 / (C sum M), pooled over the video (the mean over reliable values
only); the floor, the same e_stab of the source clip itself (what flow errors, lighting changes and
compression leave even in an unstylised video); and the ratio e_stab / floor.
"""
from __future__ import annotations

import csv
import logging
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import zip_longest
from pathlib import Path

import numpy as np
import torch

from filmstyle.core import video
from filmstyle.core.errors import InputError
from filmstyle.core.files import atomic_path
from filmstyle.temporal.cuts import cut_source
from filmstyle.temporal.flow import FLOW_METHODS, flow_between
from filmstyle.temporal.masks import consistency_mask
from filmstyle.temporal.warp import backward_warp

log = logging.getLogger(__name__)

CONVENTIONS = ("flow on the source frames from t to t-1 ({flow}); mask M = 0 at disocclusions, motion boundaries "
               "and flow leaving the frame (forward-backward check of Ruder et al. 2016); pixels RGB in [0, 1]; "
               "e_stab = mean over frame pairs of sum(M * (O_t - warp(O_t-1))^2) / (H*W*C), masked values counted "
               "as zero (Ruder et al.'s code); pairs across a shot cut left out (cuts: {cuts})")

# The source's own warping error (the floor's RMSE, in levels of 255) above which a report warns:
# on Table 1's first 32 frames (docs/results/table1.md) bigbuckbunny 3.7 (DeepFlow) and 3.3 (DIS);
# bikes, with the pair across its shot cut at frame 30 kept (cuts "none"), 2.2 with DIS but 16.5 with
# DeepFlow, whose masks keep 79% of that pair (DIS's keep 1.6%): that one pair is 99% of the floor.
FLOOR_WARN_LEVELS = 8.0


@dataclass(frozen=True)
class PairError:
    """Figures of one frame pair (t-1, t): e_stab and floor as in the module docstring, both >= 0.

    ``masked`` is the pair's mask-normalised error (NaN when no pixel is reliable); ``reliable``
    the fraction of pixels with M = 1.
    """

    frame: int
    e_stab: float
    masked: float
    floor: float
    reliable: float


@dataclass(frozen=True)
class StabilityReport:
    """The stability of ``stylized`` against ``source`` over ``frames`` frames of ``width`` x ``height``."""

    source: str
    stylized: str
    flow: str
    frames: int
    width: int
    height: int
    resized_source: bool
    pairs: tuple[PairError, ...]  # the pairs within one shot, in order
    masked: float  # pooled over those pairs: sum of M * squared differences / (C * sum of M)
    cuts: tuple[int, ...] = ()  # frames starting a new shot: each one's pair with the frame before is left out
    cut_spec: str = "none"  # how the cuts were found: "auto" (detected on the source), "none" or a cuts file

    @property
    def e_stab(self) -> float:
        """Mean over the pairs within one shot of the per-pair e_stab."""
        return float(np.mean([p.e_stab for p in self.pairs])) if self.pairs else 0.0

    @property
    def rmse(self) -> float:
        """sqrt(e_stab), in [0, 1] pixel units."""
        return math.sqrt(self.e_stab)

    @property
    def floor(self) -> float:
        """The source clip's own e_stab, same flows and masks."""
        return float(np.mean([p.floor for p in self.pairs])) if self.pairs else 0.0

    @property
    def ratio(self) -> float:
        """e_stab / floor; NaN when the floor is 0 (a static source)."""
        return self.e_stab / self.floor if self.floor > 0 else math.nan

    @property
    def floor_levels(self) -> float:
        """The floor's RMSE in levels of 255: how far the flow leaves even the unstylised clip."""
        return math.sqrt(self.floor) * 255.0

    @property
    def warning(self) -> str | None:
        """A sentence when the floor is above :data:`FLOOR_WARN_LEVELS`: the figures then measure the
        flow's misses (scaled by each output's contrast) more than flicker."""
        if self.floor_levels <= FLOOR_WARN_LEVELS:
            return None
        other = "dis" if self.flow != "dis" else "deepflow"
        worst = max(self.pairs, key=lambda p: p.floor)
        share = worst.floor / sum(p.floor for p in self.pairs)
        where = (f"the pair ending at frame {worst.frame} alone is {share:.0%} of it (a shot cut the masks kept?)"
                 if share > 0.5 else "the flow may not follow this clip's motion, or the clip is noisy")
        within = "leave the cuts to the detector (--cuts auto)" if self.cut_spec == "none" else "give a cuts file"
        return (f"the source's own warping error is {self.floor_levels:.1f} levels of 255 with {self.flow} flow "
                f"(above {FLOOR_WARN_LEVELS:g}): {where}; e_stab then measures more than flicker, and a "
                f"low-contrast output scores as steady; compare with --flow {other}, or {within}")

    @property
    def reliable(self) -> float:
        """Mean fraction of pixels with M = 1."""
        return float(np.mean([p.reliable for p in self.pairs])) if self.pairs else 1.0

    def to_dict(self) -> dict:
        """Plain dict for JSON: the figures, the conventions and the per-frame curve (NaN -> None)."""
        def clean(v: object) -> object:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        return {"source": self.source, "stylized": self.stylized, "flow": self.flow, "frames": self.frames,
                "width": self.width, "height": self.height, "resized_source": self.resized_source,
                "conventions": CONVENTIONS.format(flow=self.flow, cuts=self.cut_spec), "cuts": list(self.cuts),
                "e_stab": self.e_stab, "rmse": self.rmse, "masked": clean(self.masked), "floor": self.floor,
                "ratio": clean(self.ratio), "reliable": self.reliable, "floor_levels": self.floor_levels,
                "warning": self.warning,
                "per_frame": [{k: clean(v) for k, v in asdict(p).items()} for p in self.pairs]}


def _tensor(frame: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (1, 3, H, W) float64 in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1)[None].double().div(255.0)


def warped_sq_error(prev: np.ndarray, cur: np.ndarray, flow_back: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """Masked squared difference of ``cur`` and ``prev`` warped into ``cur``'s frame.

    prev, cur: (H, W, 3) uint8 RGB; flow_back: (H, W, 2) float flow from cur to prev, pixels;
    mask: (H, W) in {0, 1}. Returns (sum of M * (cur - warp(prev))^2 over all values, in [0, 1]
    units squared; the same sum's count of masked-in values, C * sum M).
    """
    flow = torch.from_numpy(np.ascontiguousarray(flow_back)).permute(2, 0, 1)[None].double()
    diff = _tensor(cur) - backward_warp(_tensor(prev), flow)
    m = torch.from_numpy(np.ascontiguousarray(mask)).double()
    return float((diff.square() * m).sum()), float(m.sum()) * cur.shape[2]


def frames_in_step(source: str | os.PathLike, stylized: Sequence[str | os.PathLike], size: tuple[int, int] | None,
                    max_frames: int | None) -> Iterator[tuple[np.ndarray, ...]]:
    """(source frame, each stylised frame) in step; InputError if one video ends before the others."""
    paths = [source, *stylized]
    readers = [video.read_frames(source, size=size, max_frames=max_frames)]
    readers += [video.read_frames(p, max_frames=max_frames) for p in stylized]
    for i, frames in enumerate(zip_longest(*readers)):
        if any(f is None for f in frames):
            short = paths[[f is None for f in frames].index(True)]
            raise InputError(short, f"has only {i} frames but {paths[[f is not None for f in frames].index(True)]} "
                             "has more", "give the stylised render of the whole source (same frames, e.g. no --max-frames)")
        yield frames


def check_inputs(source: str | os.PathLike, stylized: str | os.PathLike, *,
                 max_frames: int | None = None) -> tuple[video.VideoInfo, video.VideoInfo]:
    """Probe both videos (no decoding); InputError if one is unusable or the containers' frame counts
    differ (when both are known and all frames are compared). Returns (source info, stylised info)."""
    src, out = video.probe(source), video.probe(stylized)
    if src.frame_count and out.frame_count and src.frame_count != out.frame_count and max_frames is None:
        raise InputError(stylized, f"has {out.frame_count} frames but the source {source} has {src.frame_count}",
                         "give the stylised render of the whole source")
    return src, out


def stability(source: str | os.PathLike, stylized: str | os.PathLike, *, flow: str = "deepflow",
              cuts: str = "auto", max_frames: int | None = None,
              on_pair: Callable[[int], None] | None = None) -> StabilityReport:
    """Measure the stability of ``stylized`` against ``source`` (module docstring), streaming.

    Both videos must have the same number of frames; if their frame sizes differ the source is
    resized to the stylised size (logged, and ``resized_source`` set). ``max_frames`` limits both
    to their first frames. ``cuts``: "auto" (detect shot cuts on the source), "none", or a cuts file
    (:func:`filmstyle.temporal.cuts.cut_source`); pairs across a cut are left out, and a clip with no
    pair within one shot is an InputError. ``on_pair(t)`` is called after pair (t-1, t), a left-out
    one included. InputError for missing, unreadable or mismatched videos; ValueError for an unknown
    flow method.
    """
    return stability_many(source, [stylized], flow=flow, cuts=cuts, max_frames=max_frames, on_pair=on_pair)[0]


def stability_many(source: str | os.PathLike, stylized: Sequence[str | os.PathLike], *, flow: str = "deepflow",
                   cuts: str = "auto", max_frames: int | None = None,
                   on_pair: Callable[[int], None] | None = None) -> list[StabilityReport]:
    """:func:`stability` of several renders of one source, computing the source's flows once.

    All renders must share one frame size and the source's frame count. Returns one report each.
    """
    if flow not in FLOW_METHODS:
        raise ValueError(f"unknown flow method {flow!r}; use one of {sorted(FLOW_METHODS)}")
    if not stylized:
        raise ValueError("give at least one stylised video")
    infos = [check_inputs(source, path, max_frames=max_frames) for path in stylized]
    src, out = infos[0]
    for path, (_, info) in zip(stylized[1:], infos[1:]):
        if (info.width, info.height) != (out.width, out.height):
            raise InputError(path, f"is {info.width}x{info.height}, {stylized[0]} is {out.width}x{out.height}",
                             "compare renders of one size")
    resized = (src.width, src.height) != (out.width, out.height)
    if resized:
        log.warning("source %dx%d resized to the stylised size %dx%d to compare them",
                    src.width, src.height, out.width, out.height)
    pairs: list[list[PairError]] = [[] for _ in stylized]
    sums = np.zeros((len(stylized), 2))  # per render: sum of masked squared differences, masked-in values
    cut_at, cut_frames = cut_source(cuts), []
    prev: tuple[np.ndarray, ...] | None = None
    frames = 0
    for t, (s, *outs) in enumerate(frames_in_step(source, stylized, (out.width, out.height) if resized else None,
                                                   max_frames)):
        frames += 1
        for path, o in zip(stylized, outs):
            if o.shape != s.shape:
                raise InputError(path, f"frame {t} is {o.shape[1]}x{o.shape[0]}, the source's {s.shape[1]}x{s.shape[0]}",
                                 "the frame size must not change within a video")
        if cut_at(s) and prev is not None:
            cut_frames.append(t)  # a new shot: nothing of frame t-1 to compare with
        elif prev is not None:
            s_prev, *outs_prev = prev
            back = flow_between(s, s_prev, flow)
            mask = consistency_mask(back, flow_between(s_prev, s, flow))
            floor, _ = warped_sq_error(s_prev, s, back, mask)
            for k, (o_prev, o) in enumerate(zip(outs_prev, outs)):
                err, n = warped_sq_error(o_prev, o, back, mask)
                pairs[k].append(PairError(frame=t, e_stab=err / s.size, masked=err / n if n else math.nan,
                                          floor=floor / s.size, reliable=float(mask.mean())))
                sums[k] += (err, n)
        if prev is not None and on_pair is not None:
            on_pair(t)
        prev = (s, *outs)
    if frames < 2:
        raise InputError(stylized[0], f"has {frames} frame(s)", "the stability error needs at least 2 frames")
    if not pairs[0]:
        raise InputError(source, f"has no two consecutive frames within one shot (cuts at frames {cut_frames})",
                         "measure more frames of a shot, or give --cuts none to compare across the cuts")
    return [StabilityReport(source=str(source), stylized=str(path), flow=flow, frames=frames, width=out.width,
                            height=out.height, resized_source=resized, pairs=tuple(p),
                            masked=err / n if n else math.nan, cuts=tuple(cut_frames), cut_spec=str(cuts))
            for path, p, (err, n) in zip(stylized, pairs, sums)]


def describe(report: StabilityReport) -> str:
    """Several lines for people: the figures, each with its definition, and the conventions."""
    def fmt(v: float) -> str:
        return "n/a" if not math.isfinite(v) else f"{v:.6g}"

    note = " (source resized to the stylised size)" if report.resized_source else ""
    left_out = ""
    if report.cuts:
        left_out = (f"; {len(report.cuts)} pair(s) across a shot cut left out (frame(s) "
                    f"{', '.join(map(str, report.cuts))} start a new shot)")
    return "\n".join([
        f"stability of {report.stylized} against {report.source}: {report.frames} frames at "
        f"{report.width}x{report.height}{note}, flow {report.flow}{left_out}",
        f"  e_stab  {fmt(report.e_stab):>10}  mean over {len(report.pairs)} frame pairs within a shot of "
        "sum(M*(O_t - warp(O_t-1))^2)/(H*W*C)",
        f"  RMSE    {fmt(report.rmse):>10}  sqrt(e_stab)",
        f"  masked  {fmt(report.masked):>10}  sum(M*(..)^2)/(C*sum(M)) over the video: the mean over reliable pixels",
        f"  floor   {fmt(report.floor):>10}  the source clip's own e_stab (same flows and masks)",
        f"  ratio   {fmt(report.ratio):>10}  e_stab / floor",
        f"  mask    {report.reliable:>10.1%}  of pixels reliable on average",
        "conventions: " + CONVENTIONS.format(flow=report.flow, cuts=report.cut_spec),
        *([f"note: {report.warning}"] if report.warning else [])])


def write_curve_csv(report: StabilityReport, path: str | os.PathLike) -> Path:
    """Write the per-frame curve (frame, e_stab, masked, floor, reliable) as CSV, atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["frame", "e_stab", "masked", "floor", "reliable"])
        for p in report.pairs:
            writer.writerow([p.frame, f"{p.e_stab:.8g}", "" if math.isnan(p.masked) else f"{p.masked:.8g}",
                             f"{p.floor:.8g}", f"{p.reliable:.6f}"])
    return Path(path)


def plot_curve(report: StabilityReport, path: str | os.PathLike) -> Path:
    """Plot e_stab and the floor per frame into a PNG, atomically."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    frames = [p.frame for p in report.pairs]
    fig, ax = plt.subplots(figsize=(8, 3.5), dpi=100)
    ax.plot(frames, [p.e_stab for p in report.pairs], label=f"e_stab (mean {report.e_stab:.3g})")
    ax.plot(frames, [p.floor for p in report.pairs], label=f"source floor (mean {report.floor:.3g})", linestyle="--")
    for i, cut in enumerate(report.cuts):
        ax.axvline(cut, color="grey", linewidth=0.8, linestyle=":", label="shot cut (pair left out)" if i == 0 else None)
    ax.set_xlabel("frame t (pair t-1, t)")
    ax.set_ylabel("e_stab, RGB in [0, 1]")
    ax.set_title(f"{Path(report.stylized).name} vs {Path(report.source).name}, flow {report.flow}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(path)
