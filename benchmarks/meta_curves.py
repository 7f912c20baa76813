"""Plot the curves of a meta-training log (the JSONL ``filmstyle meta-train --log`` writes).

Usage: python benchmarks/meta_curves.py run.jsonl [more.jsonl ...] -o curves.png

Left: the training tasks' query loss before and after the K inner steps, per iteration (a moving
average over 20 iterations; the raw points are faint). Right: the held-out post-adaptation loss at
each evaluation. Several logs (e.g. one per algorithm) share the axes, labelled by file name.
matplotlib is needed here only, not by the library.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

WINDOW = 20  # iterations in the moving average (task losses vary a lot from style to style)


def read_log(path: str | Path) -> list[dict]:
    """The JSON records of a log, in file order."""
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def _smooth(values: Sequence[float], window: int) -> list[float]:
    out, acc = [], 0.0
    for i, v in enumerate(values):
        acc += v - (values[i - window] if i >= window else 0.0)
        out.append(acc / min(i + 1, window))
    return out


def plot_curves(logs: str | Path | Sequence[str | Path], png: str | Path) -> Path:
    """Write the PNG of one or several logs; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [logs] if isinstance(logs, (str, Path)) else list(logs)
    fig, (train_ax, eval_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for path in paths:
        records = read_log(path)
        label = Path(path).stem
        steps = [r for r in records if "pre" in r]
        its = [r["iteration"] for r in steps]
        for key, style in (("pre", "--"), ("post", "-")):
            values = [r[key] for r in steps]
            line, = train_ax.plot(its, _smooth(values, WINDOW), style, label=f"{label} {key}")
            train_ax.plot(its, values, style, color=line.get_color(), alpha=0.15, linewidth=0.8)
        evals = [r for r in records if "eval_post" in r]
        eval_ax.plot([r["iteration"] for r in evals], [r["eval_post"] for r in evals], "o-", label=label)
    train_ax.set(title="training tasks: query loss before / after adaptation", xlabel="iteration", ylabel="loss")
    eval_ax.set(title="held-out tasks: loss after adaptation", xlabel="iteration", ylabel="loss")
    for ax in (train_ax, eval_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    plt.close(fig)
    return Path(png)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("logs", nargs="+", help="JSONL logs of filmstyle meta-train")
    p.add_argument("-o", "--output", default="meta_curves.png")
    args = p.parse_args()
    print(f"wrote {plot_curves(args.logs, args.output)}")


if __name__ == "__main__":
    main()
