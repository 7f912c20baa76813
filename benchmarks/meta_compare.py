"""The four outer loops, and what adapts (all | norm), compared on the same budget (issue 3).

Every run starts from the same network (seeded, after the same reconstruction warm-up), sees the
same task stream and is stopped at the same budget of inner adaptation steps (one step = one
forward/backward pass of the transform network and VGG on one crop):

- reptile, fomaml, maml: meta-batch B tasks x K inner steps per iteration -> budget / (B K) iterations
- es: 2 x pairs candidates x K inner steps per iteration -> budget / (2 pairs K) iterations

Wall-clock time is printed too (maml's steps are dearer: it differentiates through them). The
measure is the meta-training objective on the held-out styles and photos: the query loss after
``--eval-steps`` steps of ``filmstyle adapt``'s inner loop, before (iteration 0) and after training.
Runs resume: an interrupted comparison re-run with the same arguments goes on where it stopped.

    python benchmarks/meta_compare.py --budget 800 --size 128 --out runs/meta_compare
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _common import machine, require_shared

from filmstyle.training.meta import MetaTrainConfig, _initial_net, run_meta_training
from filmstyle.training.tasks import split_data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int, default=800, help="inner adaptation steps per run")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--inner-steps", type=int, default=10)
    ap.add_argument("--meta-batch", type=int, default=2)
    ap.add_argument("--es-pairs", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--algorithms", nargs="+", default=["reptile", "fomaml", "maml", "es"])
    ap.add_argument("--params", nargs="+", default=["all", "norm"])
    ap.add_argument("--outer-lr", type=float, help="outer step size for fomaml/maml/es (default: theirs)")
    ap.add_argument("--maml-inner-lr", type=float, help="maml's inner SGD step size (default: inner-lr 1e-3)")
    ap.add_argument("--tag", default="", help="suffix of the run names (for a second setting)")
    ap.add_argument("--out", default="runs/meta_compare", help="folder for the runs' logs and the summary")
    args = ap.parse_args()
    data = require_shared()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    base = MetaTrainConfig(size=args.size, inner_steps=args.inner_steps, meta_batch=args.meta_batch,
                           es_pairs=args.es_pairs, anneal=True, seed=0)
    split = split_data(data / "styles", data / "content", data / "videos")
    warm = out / "warmup.look"
    if not warm.exists():
        _initial_net(base, "scratch", args.warmup, split.train_content, warm)
    rows = []
    for algorithm in args.algorithms:
        for params in args.params:
            per_it = 2 * args.es_pairs * args.inner_steps if algorithm == "es" else args.meta_batch * args.inner_steps
            iterations = max(1, args.budget // per_it)
            outer_lr = 1.0 if algorithm == "reptile" else args.outer_lr  # Reptile as the shipped run
            inner_lr = args.maml_inner_lr if (algorithm == "maml" and args.maml_inner_lr) else base.inner_lr
            cfg = MetaTrainConfig(**{**base.to_dict(), "loss": base.loss, "algorithm": algorithm, "params": params,
                                     "iterations": iterations, "eval_every": iterations, "outer_lr": outer_lr,
                                     "inner_lr": inner_lr, "eval_lr": base.inner_lr})
            name = f"{algorithm}_{params}{args.tag}"
            summary = out / f"{name}.json"
            if summary.exists():
                rows.append(json.loads(summary.read_text()))
                print(f"{name}: done before, {summary}", flush=True)
                continue
            t0 = time.perf_counter()
            _, result = run_meta_training(cfg, styles_dir=data / "styles", content_dir=data / "content",
                                          videos_dir=data / "videos", output=out / f"{name}.look",
                                          log_path=out / f"{name}.jsonl", resume=True, init=str(warm))
            row = {"algorithm": algorithm + args.tag, "params": params, "iterations": iterations, "inner_lr": inner_lr,
                   "inner_steps": iterations * per_it, "seconds": round(time.perf_counter() - t0, 1),
                   "outer_lr": cfg.outer_lr, "eval_pre_0": result.evals[0]["eval_pre"],
                   "eval_post_0": result.evals[0]["eval_post"], "eval_pre": result.evals[-1]["eval_pre"],
                   "eval_post": result.evals[-1]["eval_post"], "resumed_from": result.resumed_from}
            summary.write_text(json.dumps(row, indent=1))
            (out / f"{name}.look").unlink(missing_ok=True)  # keep the logs, not 8 networks
            rows.append(row)
            print(f"{name}: {row}", flush=True)
    k = args.inner_steps
    lines = [f"machine: {machine()}",
             f"budget {args.budget} inner steps per run at {args.size} px; held-out loss after K={k} steps of adapt",
             "", f"| algorithm | adapts | iterations | inner steps | wall s | held-out K={k}: start | end | change |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['algorithm']} | {r['params']} | {r['iterations']} | {r['inner_steps']} | {r['seconds']:.0f}"
                     f"{' (resumed)' if r['resumed_from'] else ''} | {r['eval_post_0']:.3f} | {r['eval_post']:.3f} | "
                     f"{100 * (r['eval_post'] / r['eval_post_0'] - 1):+.1f}% |")
    text = "\n".join(lines)
    (out / f"summary{args.tag}.md").write_text(text + "\n")
    print("\n" + text)


if __name__ == "__main__":
    main()
