"""Does the look keep the picture? Viewer measures (filmstyle.measure.viewer) of the default path, and of
inference-only fixes for its tone drift, on development clips x stills, with a contact sheet per row.

For each (clip, still): adapt with the defaults (``adapt_look``: 50 Adam steps from the shipped
meta-learned init on 32 frames of the clip; cached as OUT/looks/CLIP__STILL.look and reused), then
for each variant render the first N frames at a bounded size (short side 360, never upscaled)
through ``filmstyle.core.video.transcode`` (h264 crf 18, as ``filmstyle render``) and measure:
tone drift (luma 0..255), min rank correlation / inverted frames, dark blobs (max, mean), luma
SSIM (mean, min), palette ratio (Lab sliced W1 to the still: output / source), e_stab with DIS
flow as a multiple of the source's own floor, model FPS.

Variants (all but ``perframe`` and the ``strength`` one blend along the flow as ``render`` does):
  default      the default render: per-frame network, flow-guided blending (--temporal blend)
  perframe     no blending (--temporal none)
  in-ema       instance-norm statistics shared over the shot: every InstanceNorm2d normalises with an
               EMA (momentum 0.1) of its per-channel mean and variance over the frames, reset at cuts
  in-freeze    instance-norm statistics averaged over the first 4 frames of each shot, then frozen
  in-clip      instance-norm statistics averaged over 8 frames spread over the whole clip (a pre-pass), fixed
  in-ema-dec, in-freeze-dec, in-clip-dec: the same in the decoder's two instance-norm layers only
  tone-mean    output luma shifted per frame so its mean equals the source frame's (chroma kept)
  tone-meanstd output luma mean and deviation matched to the source frame's per frame
  tone-lock    output luma shifted so its mean changes as the source's does since the shot's first frame
  tone-curve   output luma shifted so its mean equals that of T(source luma), T the look's own tone curve
               (quantile mapping of source to output luma pooled over 8 frames spread over the clip,
               measured once before rendering); tone-curve-ms: mean and deviation matched to T(source);
               tone-curve+mix: luma = 0.5 (tone-curve output) + 0.5 T(source luma), output chroma kept
  luma-mix     luma = 0.5 output + 0.5 source, output chroma kept
  soft-limit   per pixel, luma deviation from the source soft-limited: Ys + 48 tanh((Yo - Ys) / 48)
  in-clip+luma-mix  both
  strength-0.6 the existing --strength 0.6 (RGB blend with the source), as a reference
The luma operations act on the network's output before blending and add the luma change to R, G
and B alike (BT.709 weights sum to 1), then clip to 0..255.

    OMP_NUM_THREADS=1 python benchmarks/look_check.py --clips cockatoo.mp4 sintel_snow.mp4 \
        --stills film_stills/sintel_f0043.png film_stills/bbb_f0324.png --variants default -o runs/look_check

bikes.mp4 and bigbuckbunny.mp4 (Table 1) and the still sintel_f0016.png are refused unless
--confirm is given: development decisions are made on the other clips.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from _common import SHARED, machine
from PIL import Image
from torch import nn

from filmstyle.core import video
from filmstyle.core.config import AdaptConfig
from filmstyle.core.image import from_array, to_array
from filmstyle.look import load_look
from filmstyle.measure.sheet import contact_sheet, pick_frames
from filmstyle.measure.viewer import BT709, LookMeter
from filmstyle.nets.transformer import TransformerNet
from filmstyle.adaptation import adapt_look
from filmstyle.render import (
    BlendingStylizer,
    FrameStylizer,
    RenderOptions,
    stylize_tensor,
)
from filmstyle.measure.stability import stability

HELD_OUT = {"bikes.mp4", "bigbuckbunny.mp4", "sintel_f0016.png"}
SHORT_SIDE = 360


# --------------------------------------------------------------------------- candidate (a): shared IN stats
class SharedNormStats:
    """Make every InstanceNorm2d of ``net`` normalise with statistics shared across the frames of a shot.

    mode "ema": mean_t = (1 - m) mean_{t-1} + m mean(frame t) per layer and channel (likewise the
    variance), starting from frame 0's own; mode "freeze": the average over the first ``first``
    frames of the shot, then fixed; mode "own": each frame's own statistics (plain instance norm, a
    check). ``only``: share in the layers whose name starts with this prefix ("encoder", "residuals",
    "decoder"), the others keep their own. ``reset()`` at a shot cut; ``restore()`` puts the layers'
    own forward back.
    """

    def __init__(self, net: nn.Module, mode: str = "ema", *, momentum: float = 0.1, first: int = 4,
                 only: str | None = None) -> None:
        if mode not in ("ema", "freeze", "own"):
            raise ValueError(f"unknown mode {mode!r}")
        self.mode, self.momentum, self.first = mode, momentum, first
        self.layers = [m for name, m in net.named_modules()
                       if isinstance(m, nn.InstanceNorm2d) and (only is None or name.startswith(only))]
        self.state: dict[int, tuple[torch.Tensor, torch.Tensor, int]] = {}
        for m in self.layers:
            m.forward = self._forward_of(m)  # an instance attribute shadows the class's forward

    def reset(self) -> None:
        if not getattr(self, "fixed", False):
            self.state.clear()

    def calibrate(self, net: TransformerNet, frames: list[np.ndarray]) -> None:
        """Statistics averaged over ``frames`` (e.g. spread over the whole clip), then fixed: cuts keep them."""
        self.state.clear()
        self.mode, self.first = "freeze", len(frames)
        with torch.inference_mode():
            for f in frames:
                net(from_array(f))
        self.fixed = True

    def restore(self) -> None:
        for m in self.layers:
            del m.forward

    def _stats(self, key: int, mean: torch.Tensor, var: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        old = self.state.get(key)
        if old is None or self.mode == "own":
            new = (mean, var, 1)
        elif self.mode == "ema":
            m = self.momentum
            new = (old[0] * (1 - m) + mean * m, old[1] * (1 - m) + var * m, old[2] + 1)
        else:  # freeze: running average over the shot's first frames, then fixed
            n = old[2]
            new = old if n >= self.first else ((old[0] * n + mean) / (n + 1), (old[1] * n + var) / (n + 1), n + 1)
        self.state[key] = new
        return new[0], new[1]

    def _forward_of(self, m: nn.InstanceNorm2d) -> Callable[[torch.Tensor], torch.Tensor]:
        def forward(x: torch.Tensor) -> torch.Tensor:
            st = self.state.get(id(m))
            if self.mode == "freeze" and st is not None and st[2] >= self.first:
                mean, var = st[0], st[1]  # frozen: the frame's own statistics are not needed
            else:
                mean = x.mean((2, 3), keepdim=True)
                var = x.var((2, 3), keepdim=True, unbiased=False)
                mean, var = self._stats(id(m), mean, var)
            y = (x - mean) * torch.rsqrt(var + m.eps)
            return y * m.weight[None, :, None, None] + m.bias[None, :, None, None] if m.affine else y
        return forward


# --------------------------------------------------------------------------- candidates (b), (c): luma operations
def _luma(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) @ BT709


def _with_luma(out: np.ndarray, y_old: np.ndarray, y_new: np.ndarray) -> np.ndarray:
    return np.clip(out.astype(np.float32) + (y_new - y_old)[..., None], 0, 255).round().astype(np.uint8)


def look_tone_curve(net: TransformerNet, clip: Path, size: tuple[int, int], n: int = 8) -> np.ndarray:
    """The look's average tone curve: (256,) float, output luma for source luma 0..255.

    Quantile mapping of the pooled luma of ``n`` frames spread over the clip (at ``size``) onto the
    pooled luma of the network's outputs for them (plain instance norm, no blending): monotone.
    """
    ys, yo = [], []
    for f in video.sample_frames(clip, n, size=size):
        ys.append(_luma(f).ravel())
        yo.append(_luma(to_array(stylize_tensor(net, from_array(f)))).ravel())
    q = np.linspace(0, 1, 257)
    qs, qo = np.quantile(np.concatenate(ys), q), np.quantile(np.concatenate(yo), q)
    qs = qs + np.arange(q.size) * 1e-6  # strictly increasing for np.interp
    return np.maximum.accumulate(np.interp(np.arange(256.0), qs, qo))


class ToneOp:
    """A per-frame luma operation on (source, output) uint8 frames; ``reset()`` at shot cuts.

    ``curve``: the look's tone curve (:func:`look_tone_curve`) for the "tone-curve" kinds.
    """

    def __init__(self, kind: str, curve: np.ndarray | None = None) -> None:
        self.kind, self.curve = kind, curve
        self.ref: tuple[float, float] | None = None  # tone-lock: (source, output) mean luma at the shot's start

    def reset(self) -> None:
        self.ref = None

    def __call__(self, src: np.ndarray, out: np.ndarray) -> np.ndarray:
        ys, yo = _luma(src), _luma(out)
        if self.kind == "tone-mean":
            yn = yo + (ys.mean() - yo.mean())
        elif self.kind == "tone-meanstd":
            yn = (yo - yo.mean()) / max(float(yo.std()), 1e-3) * ys.std() + ys.mean()
        elif self.kind == "tone-lock":
            if self.ref is None:
                self.ref = (float(ys.mean()), float(yo.mean()))
            yn = yo + ((self.ref[1] + ys.mean() - self.ref[0]) - yo.mean())
        elif self.kind in ("tone-curve", "tone-curve-ms", "tone-curve+mix"):  # anchor to the look's tone curve
            target = np.interp(ys, np.arange(256.0), self.curve)
            if self.kind == "tone-curve":
                yn = yo + (target.mean() - yo.mean())
            elif self.kind == "tone-curve+mix":
                yn = 0.5 * (yo + (target.mean() - yo.mean())) + 0.5 * target
            else:
                yn = (yo - yo.mean()) / max(float(yo.std()), 1e-3) * target.std() + target.mean()
        elif self.kind == "luma-mix":
            yn = 0.5 * yo + 0.5 * ys
        elif self.kind == "soft-limit":
            yn = ys + 48.0 * np.tanh((yo - ys) / 48.0)
        else:
            raise ValueError(self.kind)
        return _with_luma(out, yo, yn)


# --------------------------------------------------------------------------- the stylizer of one variant
class CheckStylizer(BlendingStylizer):
    """The render's stylizer with optional shared-norm statistics and a luma op before the blending."""

    def __init__(self, net: TransformerNet, options: RenderOptions, *, blend: bool, norm: str | None = None,
                 tone: str | None = None, curve: np.ndarray | None = None, only: str | None = None,
                 calibration: list[np.ndarray] | None = None) -> None:
        super().__init__(net, options)
        self.blend = blend
        self.shared = SharedNormStats(net, "freeze" if norm == "clip" else norm, only=only) if norm else None
        if norm == "clip":
            self.shared.calibrate(net, calibration)
        self.tone = ToneOp(tone, curve) if tone else None
        self._src: np.ndarray | None = None
        if self.tone is not None:
            self.post = lambda out: self.tone(self._src, out)
        detect = self.cut_at

        def cut_at(frame: np.ndarray) -> bool:
            cut = detect(frame)
            if cut:
                self.on_cut()
            return cut
        self.cut_at = cut_at

    def on_cut(self) -> None:
        if self.shared is not None:
            self.shared.reset()
        if self.tone is not None:
            self.tone.reset()

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        self._src = frame
        if self.blend:
            return BlendingStylizer.__call__(self, frame)
        self.cuts += self.cut_at(frame)  # keep the norm state's reset at cuts without blending
        return FrameStylizer.__call__(self, frame)

    def close(self) -> None:
        if self.shared is not None:
            self.shared.restore()


VARIANTS: dict[str, dict] = {
    "default": {"blend": True},
    "perframe": {"blend": False},
    "in-ema": {"blend": True, "norm": "ema"},
    "in-freeze": {"blend": True, "norm": "freeze"},
    "in-clip": {"blend": True, "norm": "clip"},
    "in-clip-dec": {"blend": True, "norm": "clip", "only": "decoder"},
    "in-ema-dec": {"blend": True, "norm": "ema", "only": "decoder"},
    "in-freeze-dec": {"blend": True, "norm": "freeze", "only": "decoder"},
    "tone-mean": {"blend": True, "tone": "tone-mean"},
    "tone-meanstd": {"blend": True, "tone": "tone-meanstd"},
    "tone-lock": {"blend": True, "tone": "tone-lock"},
    "tone-curve": {"blend": True, "tone": "tone-curve"},
    "tone-curve-ms": {"blend": True, "tone": "tone-curve-ms"},
    "tone-curve+mix": {"blend": True, "tone": "tone-curve+mix"},
    "luma-mix": {"blend": True, "tone": "luma-mix"},
    "soft-limit": {"blend": True, "tone": "soft-limit"},
    "in-clip+luma-mix": {"blend": True, "norm": "clip", "tone": "luma-mix"},
    "strength-0.6": {"blend": True, "strength": 0.6},
}


# --------------------------------------------------------------------------- one row
def bounded_size(clip: Path) -> tuple[int, int]:
    info = video.probe(clip)
    short = min(info.width, info.height)
    scale = min(1.0, SHORT_SIDE / short)
    return max(16, round(info.width * scale / 2) * 2), max(16, round(info.height * scale / 2) * 2)


def get_look(clip: Path, still: Path, looks: Path) -> tuple[TransformerNet, float | None]:
    path = looks / f"{clip.stem}__{still.stem}.look"
    if path.is_file():
        return load_look(path).net, None
    looks.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    look, _ = adapt_look(still, AdaptConfig(), video_path=clip)
    look.save(path)
    return load_look(path).net, time.perf_counter() - t0


def run_row(clip: Path, still: Path, variant: str, net: TransformerNet, n: int, out_dir: Path) -> dict:
    spec = VARIANTS[variant]
    size = bounded_size(clip)
    frames = min(n, video.probe(clip).frame_count or n)
    options = RenderOptions(size=size, max_frames=frames, temporal="blend", strength=spec.get("strength", 1.0))
    curve = look_tone_curve(net, clip, size) if spec.get("tone", "").startswith("tone-curve") else None
    stylizer = CheckStylizer(net, options, blend=spec["blend"], norm=spec.get("norm"), tone=spec.get("tone"), curve=curve,
                             only=spec.get("only"),
                             calibration=video.sample_frames(clip, 8, size=size) if spec.get("norm") == "clip" else None)
    with Image.open(still) as im:
        still_rgb = np.asarray(im.convert("RGB"))
    meter = LookMeter(still_rgb)
    wanted = set(pick_frames(frames))
    kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    worst: list = [-1.0, 0, None, None]  # drift, t, source, output of the frame with the largest drift so far
    curve: list[dict] = []

    def process(frame: np.ndarray) -> np.ndarray:
        out = stylizer(frame)
        t = meter.frames
        meter.update(frame, out)
        curve.append({k: round(float(v), 4) for k, v in meter.last.items()})
        if t in wanted:
            kept[t] = (frame, out)
        if meter.last["drift"] > worst[0]:
            worst[:] = [meter.last["drift"], t, frame, out]
        return out

    try:
        with tempfile.TemporaryDirectory() as tmp:
            dst = Path(tmp) / "render.mp4"
            stats = video.transcode(clip, dst, process, size=size, max_frames=frames)
            stab = stability(clip, dst, flow="dis", max_frames=frames)
    finally:
        stylizer.close()
    r = meter.result()
    row = {"clip": clip.name, "still": still.name, "variant": variant, "size": f"{size[0]}x{size[1]}", **r.to_dict(),
           "e_stab": stab.e_stab, "e_stab_x_floor": stab.ratio, "cuts": stylizer.cuts,
           "model_fps": stats.frames / stylizer.model_seconds if stylizer.model_seconds else float("nan")}
    key = f"{clip.stem}__{still.stem}__{variant}"
    caption = [f"{clip.name} / {still.name}", f"variant {variant}, {frames} frames {size[0]}x{size[1]}",
               f"tone drift {r.tone_drift:.1f} (t={r.drift_frame}), offset {r.mean_offset:+.1f}",
               f"min rank corr {r.min_rank_corr:.2f}, inverted {r.inverted_frames}",
               f"dark blobs max {r.dark_blobs_max:.3f} mean {r.dark_blobs_mean:.3f}",
               f"SSIM mean {r.ssim_mean:.2f} min {r.ssim_min:.2f}",
               f"palette ratio {r.palette_ratio:.2f}", f"e_stab {stab.ratio:.2f} x floor (DIS)"]
    sheets = out_dir / "sheets"
    sheets.mkdir(parents=True, exist_ok=True)
    kept.setdefault(worst[1], (worst[2], worst[3]))  # the frame of the largest drift too (if not already there)
    sheet_rows = [(t, *kept[t]) for t in sorted(kept)]
    sheet = contact_sheet(still_rgb, sheet_rows, sheets / f"{key}.png", caption=caption)
    if sheet.stat().st_size > 290_000:  # keep sheets under 300 KB
        contact_sheet(still_rgb, sheet_rows, sheet, caption=caption, colors=96)
    curves = out_dir / "curves"
    curves.mkdir(parents=True, exist_ok=True)
    (curves / f"{key}.json").write_text(json.dumps(curve))
    return row


HEADER = (f"{'clip':22s} {'still':18s} {'variant':18s} {'drift':>6s} {'@t':>3s} {'offset':>7s} {'rank':>6s} {'inv':>3s} "
          f"{'dark max':>8s} {'mean':>6s} {'SSIM':>5s} {'min':>5s} {'pal':>5s} {'stab':>6s} {'fps':>5s}")


def fmt(r: dict) -> str:
    return (f"{r['clip']:22s} {r['still']:18s} {r['variant']:18s} {r['tone_drift']:6.1f} {r['drift_frame']:3d} "
            f"{r['mean_offset']:+7.1f} {r['min_rank_corr']:6.2f} {r['inverted_frames']:3d} {r['dark_blobs_max']:8.3f} "
            f"{r['dark_blobs_mean']:6.3f} {r['ssim_mean']:5.2f} {r['ssim_min']:5.2f} {r['palette_ratio']:5.2f} "
            f"{r['e_stab_x_floor']:6.2f} {r['model_fps']:5.2f}")


def summary(path: Path, variants: list[str]) -> None:
    """Print the rows of ``path`` (last one wins per clip, still, variant) grouped by (clip, still), then means."""
    rows: dict[tuple[str, str, str], dict] = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        rows[(r["clip"], r["still"], r["variant"])] = r
    pairs = sorted({(c, s) for c, s, _ in rows})
    print(f"# {path}: {len(rows)} rows")
    print(HEADER)
    for c, s in pairs:
        for v in variants:
            if (c, s, v) in rows:
                print(fmt(rows[(c, s, v)]))
    common = [p for p in pairs if all((*p, v) in rows for v in variants)]
    keys = ["tone_drift", "min_rank_corr", "dark_blobs_max", "ssim_mean", "ssim_min", "palette_ratio", "e_stab_x_floor"]
    print(f"\n# mean over the {len(common)} (clip, still) pairs every listed variant has")
    print(f"{'variant':18s} " + " ".join(f"{k:>15s}" for k in keys))
    for v in variants:
        vals = [np.mean([rows[(*p, v)][k] for p in common]) for k in keys]
        print(f"{v:18s} " + " ".join(f"{x:15.3f}" for x in vals))


def _find(name: str, folder: Path) -> Path:
    p = Path(name)
    return p if p.is_file() else folder / name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", nargs="+", default=["cockatoo.mp4", "sintel_snow.mp4"], help="in SHARED/videos or paths")
    ap.add_argument("--stills", nargs="+", default=["film_stills/sintel_f0043.png", "film_stills/bbb_f0324.png"],
                    help="in SHARED/styles or paths")
    ap.add_argument("--variants", nargs="+", default=["default"], choices=sorted(VARIANTS))
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("-o", "--out", default="runs/look_check")
    ap.add_argument("--looks", help="cache of adapted looks (default OUT/looks)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--confirm", action="store_true", help="allow the held-out clips and still (confirmation runs only)")
    ap.add_argument("--summary", action="store_true", help="only print the table of OUT/rows.jsonl: every row, then the "
                    "mean of each variant over the (clip, still) pairs that every listed variant has")
    args = ap.parse_args()
    if args.summary:
        summary(Path(args.out) / "rows.jsonl", args.variants)
        return
    torch.set_num_threads(args.threads)
    clips = [_find(c, SHARED / "videos") for c in args.clips]
    stills = [_find(s, SHARED / "styles") for s in args.stills]
    held = [p.name for p in clips + stills if p.name in HELD_OUT]
    if held and not args.confirm:
        raise SystemExit(f"{', '.join(held)}: held out for confirmation; develop on other clips (or pass --confirm)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    looks = Path(args.looks) if args.looks else out / "looks"
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}; {machine()}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(f"# command: {' '.join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])}")
    print(f"# first {args.frames} frames, short side <= {SHORT_SIDE}; looks: adapt defaults {AdaptConfig().steps} steps "
          f"lr {AdaptConfig().lr:g} from the meta init, cached in {looks}")
    print("# drift: tone drift (luma 0..255) at frame @t; offset: mean Y(out) - Y(src); rank: min Spearman; inv: frames < 0;"
          " dark: new dark share; SSIM: luma; pal: palette ratio (Lab SW1 to still, out / src); stab: e_stab / floor (DIS)")
    print(HEADER, flush=True)
    rows = []
    for clip in clips:
        for still in stills:
            net, secs = get_look(clip, still, looks)
            if secs is not None:
                print(f"# adapted {clip.name} x {still.name} in {secs:.0f} s", flush=True)
            for variant in args.variants:
                row = run_row(clip, still, variant, net, args.frames, out)
                rows.append(row)
                print(fmt(row), flush=True)
                with open(out / "rows.jsonl", "a") as f:
                    f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
