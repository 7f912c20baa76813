"""Loss against adaptation steps K for the meta-learned init, scratch and transfer learning (issue 3).

On held-out styles and held-out content photos (filmstyle.training.tasks.HOLDOUT_*), each init is
adapted with the user's inner loop (filmstyle.training.adapt.adapt: Adam, batch 1, random crops of the
training photos) and, at every K in --steps, the perceptual loss (content + style + TV, the
weights of LossConfig) is measured on the held-out photos (centre crops, --size px). It prints the
table (mean over styles), writes JSON and a PNG, and times 50 steps at 256 px from the meta init.

    python benchmarks/meta_steps.py --meta init.look --transfer filmstyle/assets/demo.look \
        --size 128 --steps 0 10 25 50 100 200 --out meta_steps
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

import torch
from _common import machine, require_shared

from filmstyle.core.config import AdaptConfig
from filmstyle.core.image import load_image, load_still, resize_short
from filmstyle.look import load_look
from filmstyle.losses import perceptual_loss, style_targets
from filmstyle.measure.style import style_distance
from filmstyle.nets import TransformerNet, load_vgg19
from filmstyle.nets.transformer import FILMSTYLE_NET as DEFAULT_NET
from filmstyle.training.adapt import adapt
from filmstyle.training.tasks import HOLDOUT_CONTENT, HOLDOUT_STYLES


def centre_crop(img: torch.Tensor, size: int) -> torch.Tensor:
    img = resize_short(img, size)
    h, w = img.shape[-2:]
    top, left = (h - size) // 2, (w - size) // 2
    return img[..., top:top + size, left:left + size]


def curve(net: TransformerNet, still: torch.Tensor, frames: list[torch.Tensor], held: torch.Tensor,
          steps: list[int], cfg: AdaptConfig, vgg, distances: dict | None = None) -> dict[int, float]:  # noqa: ANN001
    """Held-out loss of ``net`` after each K in ``steps`` of adaptation (``net`` is changed).
    Also, in ``distances`` when given, the held-out style distance (relative Gram distance to the
    still, :func:`filmstyle.measure.style.style_distance`) at each K."""
    targets = style_targets(vgg, still, cfg.loss)

    def held_loss() -> float:
        with torch.no_grad():
            out = net(held)
            if distances is not None:
                distances[len(distances)] = style_distance(vgg, (o[None].clamp(0, 1) for o in out), still)
            return float(perceptual_loss(vgg, out, held, targets, cfg.loss)["total"])

    out = {0: held_loss()} if 0 in steps else {}
    wanted = set(steps)

    def on_step(step: int, _: dict[str, float]) -> None:
        if step in wanted:
            out[step] = held_loss()

    if max(steps) > 0:
        adapt(net, still, frames, replace(cfg, steps=max(steps)), vgg=vgg, on_step=on_step)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meta", required=True, help="the meta-learned init (look file)")
    ap.add_argument("--transfer", help="a network trained on other styles, for the transfer-learning baseline")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--steps", type=int, nargs="+", default=[0, 10, 25, 50, 100, 200])
    ap.add_argument("--scratch-steps", type=int, nargs="*", default=[], help="extra K for scratch only (e.g. 500 1000)")
    ap.add_argument("--styles", type=int, default=6, help="how many held-out styles")
    ap.add_argument("--skip", type=int, default=0, help="skip the first N held-out styles (to split a long run)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--inits", nargs="+", default=["meta", "scratch", "transfer"], help="which inits to run")
    ap.add_argument("--no-timing", action="store_true", help="skip timing 50 steps at 256 px")
    ap.add_argument("--out", default="meta_steps", help="prefix of the JSON and PNG written")
    args = ap.parse_args()
    data = require_shared()
    print(f"machine: {machine()}")
    vgg = load_vgg19("relu4_3")
    held = torch.cat([centre_crop(load_image(data / "content" / n), args.size) for n in HOLDOUT_CONTENT[:4]])
    train_photos = sorted(p for p in (data / "content").glob("*.jpg") if p.name not in HOLDOUT_CONTENT)[:16]
    frames = [resize_short(load_image(p), args.size) for p in train_photos]
    # tone none: the network's own output is what meta-training optimises and what the held-out loss measures
    cfg = AdaptConfig(lr=args.lr, size=args.size, seed=0, tone="none")
    meta_config = load_look(args.meta).net.config  # scratch is the same network, from random weights
    inits = {"meta": lambda: load_look(args.meta).net, "scratch": lambda: _scratch(meta_config)}
    if args.transfer:
        inits["transfer"] = lambda: load_look(args.transfer).net
    inits = {k: v for k, v in inits.items() if k in args.inits}
    styles = HOLDOUT_STYLES[args.skip:args.skip + args.styles]
    print(f"held-out styles: {', '.join(styles)}; held-out photos: {len(held)} centre crops at {args.size} px; "
          f"adaptation on {len(frames)} training photos, Adam lr {args.lr}, batch 1")
    results: dict[str, dict[str, dict[int, float]]] = {k: {} for k in inits}
    dist: dict[str, dict[str, dict[int, float]]] = {k: {} for k in inits}
    for style in styles:
        still = load_still(data / "styles" / style, args.size)
        for name, make in inits.items():
            steps = sorted(set(args.steps) | (set(args.scratch_steps) if name == "scratch" else set()))
            t0 = time.perf_counter()
            found: dict[int, float] = {}
            results[name][style] = curve(make(), still, frames, held, steps, cfg, vgg, found)
            dist[name][style] = dict(zip(results[name][style], found.values()))
            print(f"  {style:40s} {name:8s} " + " ".join(f"K{k}={v:.3f}" for k, v in results[name][style].items())
                  + "  style distance " + " ".join(f"K{k}={v:.3f}" for k, v in dist[name][style].items())
                  + f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    all_steps = sorted({k for r in results.values() for c in r.values() for k in c})
    for title, table in (("held-out loss", results), ("held-out style distance", dist)):
        print(f"\n{title}, mean over styles\n| init | " + " | ".join(f"K={k}" for k in all_steps) + " |")
        print("|---|" + "---|" * len(all_steps))
        for name, per_style in table.items():
            cells = [statistics.mean(c[k] for c in per_style.values()) if all(k in c for c in per_style.values())
                     else None for k in all_steps]
            print(f"| {name} | " + " | ".join("" if v is None else f"{v:.3f}" for v in cells) + " |")
    if not args.no_timing:
        _time_50_steps(args, data, styles, train_photos, vgg)
    Path(f"{args.out}.json").write_text(json.dumps({"machine": machine(), "args": vars(args), "results": results,
                                                "style_distance": dist}, indent=1))
    _plot(results, f"{args.out}.png")
    print(f"wrote {args.out}.json and {args.out}.png")


def _time_50_steps(args, data, styles, train_photos, vgg) -> None:  # noqa: ANN001
    """The goal of issue 3: 50 adaptation steps at 256 px from the meta init, wall-clock."""
    still = load_still(data / "styles" / styles[0], 256)
    frames256 = [resize_short(load_image(p), 256) for p in train_photos[:8]]
    t0 = time.perf_counter()
    adapt(load_look(args.meta).net, still, frames256, AdaptConfig(steps=50, lr=args.lr, size=256), vgg=vgg)
    print(f"\n50 adaptation steps at 256 px from the meta init: {time.perf_counter() - t0:.1f} s")


def _scratch(config: dict | None = None) -> TransformerNet:
    torch.manual_seed(0)
    return TransformerNet(**(config or DEFAULT_NET))


def _plot(results: dict[str, dict[str, dict[int, float]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, per_style in results.items():
        ks = sorted(set.intersection(*(set(c) for c in per_style.values())))
        ax.plot([max(k, 1) for k in ks], [statistics.mean(c[k] for c in per_style.values()) for k in ks], marker="o", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("adaptation steps K (K=0 drawn at 1)")
    ax.set_ylabel("held-out perceptual loss (mean over styles)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
