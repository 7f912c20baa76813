"""Meta-training: learn an initialisation of the transform network that adapts to a style fast.

Every outer loop but second-order MAML uses the one inner loop, :func:`filmstyle.training.adapt.adapt`
(Adam, batch 1), on a copy of the network; evaluation always does, as ``filmstyle adapt`` will.

- reptile: θ ← θ + ε · mean_tasks(φ_K − θ) over the adapted parameters (no outer optimiser).
- fomaml: Adam on mean_tasks ∇_φ L_query(φ_K), for all parameters.
- maml: K plain SGD steps differentiated through (torch.func); Adam on mean_tasks ∇_θ L_query(φ_K(θ)).
- es: Adam on minus the antithetic ES estimate of ∇_θ E_ε[F(θ + σε)], F = −L_query(φ_K), over the
  adapted parameters.

``params`` ("all" | "norm") is what the inner loop adapts. With "norm" (MetaStyle, Zhang et al. 2019)
Reptile and ES only meta-learn the instance-norm parameters; FOMAML and MAML learn all of θ.
Reptile: Nichol et al. 2018; MAML and FOMAML: Finn et al. 2017; ES: Salimans et al. 2017, read as
variational optimisation (Staines & Barber 2012): minimise E_{ε~N(0,I)} L(θ + σε).

A run is reproducible from its config: tasks, crops and ES noise are seeded by the iteration, so a
run resumed from its checkpoint (safetensors + JSON, written atomically every ``checkpoint_every``
iterations and on an interrupt) ends with exactly the weights of an uninterrupted one.
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch.func import functional_call

from filmstyle.core.config import DETAIL_SIGMA, DEVICE, LossConfig, MetaTrainConfig
from filmstyle.core.device import resolve_device
from filmstyle.core.files import atomic_path, check_writable
from filmstyle.core.image import load_image, resize_short
from filmstyle.core.store import weights_sha256
from filmstyle.look import Look, load_look
from filmstyle.losses import loss_network, perceptual_loss, style_targets
from filmstyle.nets.transformer import TransformerNet
from filmstyle.nets.vgg import VGG19Features
from filmstyle.training.loop import Trainer
from filmstyle.training.adapt import adapt, random_crop, trainable_parameters
from filmstyle.training.pretrain import pretrain_identity
from filmstyle.training.tasks import (
    Task,
    TaskSampler,
    clip_frames,
    split_data,
    task_seed,
)

log = logging.getLogger(__name__)
EVAL_SEED = 20240603  # held-out tasks use this seed in every run, so runs compare on the same tasks
Step = tuple[list[torch.Tensor], dict[str, float]]  # (update direction per meta-parameter, stats)


def query_loss(net: Callable[[torch.Tensor], torch.Tensor], task: Task, targets: dict[str, torch.Tensor], vgg: VGG19Features,
               cfg: LossConfig) -> torch.Tensor:
    """Perceptual loss of ``net`` on the task's query crops (Q, 3, s, s), averaged: 0-dim tensor; of
    what the task shows (``task.shown``: e.g. the grade plus the network's detail) where it says."""
    out = net(task.query)
    if task.shown is not None:
        out = task.shown(task.query, out)
    return perceptual_loss(vgg, out, task.query, targets, cfg)["total"]


def adapted(net: TransformerNet, task: Task, cfg: MetaTrainConfig, vgg: VGG19Features,
            steps: int | None = None) -> TransformerNet:
    """A copy of ``net`` after the inner loop on ``task`` (``net`` itself is unchanged)."""
    phi = copy.deepcopy(net)
    adapt(phi, task.style, task.frames, cfg.inner(task.seed, steps), vgg=vgg, composite=task.shown)
    return phi


def _pre_post(net: TransformerNet, task: Task, cfg: MetaTrainConfig, vgg: VGG19Features,
              steps: int | None = None) -> tuple[float, TransformerNet, dict[str, torch.Tensor]]:
    """Query loss before adaptation, the adapted copy, and the style targets."""
    targets = style_targets(vgg, task.style, cfg.loss)
    with torch.no_grad():
        pre = float(query_loss(net, task, targets, vgg, cfg.loss))
    return pre, adapted(net, task, cfg, vgg, steps), targets


def reptile_step(net: TransformerNet, tasks: Sequence[Task], cfg: MetaTrainConfig, vgg: VGG19Features,
                 iteration: int) -> Step:
    """Direction mean_tasks(φ_K − θ) over the adapted parameters (Nichol et al. 2018, serial batch)."""
    theta = trainable_parameters(net, cfg.params)
    delta = [torch.zeros_like(p) for p in theta]
    pre, post = [], []
    for task in tasks:
        loss0, phi, targets = _pre_post(net, task, cfg, vgg)
        with torch.no_grad():
            post.append(float(query_loss(phi, task, targets, vgg, cfg.loss)))
        for d, p, q in zip(delta, theta, trainable_parameters(phi, cfg.params)):
            d.add_(q.detach() - p.detach(), alpha=1 / len(tasks))
        pre.append(loss0)
    return delta, {"pre": _mean(pre), "post": _mean(post)}


def fomaml_step(net: TransformerNet, tasks: Sequence[Task], cfg: MetaTrainConfig, vgg: VGG19Features,
                iteration: int) -> Step:
    """First-order MAML gradient: mean over tasks of ∇_φ L_query at φ_K, for every parameter."""
    grads = [torch.zeros_like(p) for p in net.parameters()]
    pre, post = [], []
    for task in tasks:
        loss0, phi, targets = _pre_post(net, task, cfg, vgg)
        phi.requires_grad_(True)
        loss = query_loss(phi, task, targets, vgg, cfg.loss)
        for acc, g in zip(grads, torch.autograd.grad(loss, list(phi.parameters()))):
            acc.add_(g, alpha=1 / len(tasks))
        pre.append(loss0)
        post.append(float(loss.detach()))
    return grads, {"pre": _mean(pre), "post": _mean(post)}


def maml_step(net: TransformerNet, tasks: Sequence[Task], cfg: MetaTrainConfig, vgg: VGG19Features,
              iteration: int) -> Step:
    """Second-order MAML gradient ∇_θ L_query(φ_K(θ)), K plain SGD steps differentiated through.

    The inner steps see the crops ``adapt`` would (same seeds) but use SGD with ``cfg.inner_lr``.
    Memory: the graphs of all K steps are kept. Measured on a CPU (width 16, depth 5, VGG to
    relu4_3, 2 query crops): about 95 MB more per inner step at 128 px, growing with the pixel count
    (about 4x at 256 px), so K = 10 at 256 px needs some 4 GB and K = 50 some 20 GB per task.
    ``params="norm"`` does not shrink this: the activations dominate, not the inner gradients.
    """
    names = [n for n, _ in net.named_parameters()]
    inner = [n for n, _ in (net.named_parameters() if cfg.params == "all" else net.norm_parameters())]
    theta = {n: p.detach().requires_grad_(True) for n, p in net.named_parameters()}
    buffers = dict(net.named_buffers())
    grads = [torch.zeros_like(p) for p in theta.values()]
    gen = torch.Generator()
    pre, post = [], []
    for task in tasks:
        targets = style_targets(vgg, task.style, cfg.loss)
        with torch.no_grad():
            pre.append(float(query_loss(net, task, targets, vgg, cfg.loss)))
        fast = dict(theta)
        for step in range(1, cfg.inner_steps + 1):
            gen.manual_seed(task.seed * 1_000_003 + step)  # the seed adapt uses at this step
            crop = random_crop(task.frames, cfg.size, gen)
            out = functional_call(net, {**buffers, **fast}, (crop,))
            if task.shown is not None:
                out = task.shown(crop, out)
            loss = perceptual_loss(vgg, out, crop, targets, cfg.loss)["total"]
            step_grads = torch.autograd.grad(loss, [fast[n] for n in inner], create_graph=True)
            fast.update({n: fast[n] - cfg.inner_lr * g for n, g in zip(inner, step_grads)})
        loss = query_loss(lambda x: functional_call(net, {**buffers, **fast}, (x,)), task, targets, vgg, cfg.loss)
        for acc, g in zip(grads, torch.autograd.grad(loss, [theta[n] for n in names])):
            acc.add_(g, alpha=1 / len(tasks))
        post.append(float(loss.detach()))
    return grads, {"pre": _mean(pre), "post": _mean(post)}


def centered_ranks(x: torch.Tensor) -> torch.Tensor:
    """Ranks of ``x`` (1-D) scaled to [-0.5, 0.5]: the fitness shaping of Salimans et al. 2017."""
    ranks = torch.empty_like(x)
    ranks[x.argsort()] = torch.arange(len(x), dtype=x.dtype)
    return ranks / max(len(x) - 1, 1) - 0.5


def es_gradient(fitness: Callable[[int, list[torch.Tensor]], float], theta: Sequence[torch.Tensor], *,
                sigma: float, pairs: int, gen: torch.Generator) -> tuple[list[torch.Tensor], list[float]]:
    """Antithetic ES estimate of ∇_θ E_ε[F(θ + σε)], ε ~ N(0, I), with rank-normalised fitness.

    ``fitness(i, params)`` scores pair ``i``'s candidate (higher is better); both candidates of a
    pair share the index (and so the task: common random numbers). Returns (ascent direction per
    tensor of ``theta``, the 2 * pairs raw fitness values as [+ε_0, −ε_0, +ε_1, ...]).
    """
    noise, scores = [], []
    for i in range(pairs):
        eps = [torch.randn(t.shape, generator=gen, dtype=t.dtype).to(t.device) for t in theta]
        for sign in (1.0, -1.0):
            scores.append(float(fitness(i, [t.detach() + sign * sigma * e for t, e in zip(theta, eps)])))
        noise.append(eps)
    shaped = centered_ranks(torch.tensor(scores, dtype=torch.float64)).view(pairs, 2)
    weights = (shaped[:, 0] - shaped[:, 1]).tolist()
    grad = [sum(w * eps[j] for w, eps in zip(weights, noise)) / (2 * pairs * sigma) for j in range(len(theta))]
    return grad, scores


def es_step(net: TransformerNet, tasks: Sequence[Task], cfg: MetaTrainConfig, vgg: VGG19Features,
            iteration: int) -> Step:
    """Minus the ES gradient of fitness = −(post-adaptation query loss), pair i on task i mod B."""
    theta = trainable_parameters(net, cfg.params)
    targets = [style_targets(vgg, t.style, cfg.loss) for t in tasks]

    def fitness(i: int, values: list[torch.Tensor]) -> float:
        candidate = copy.deepcopy(net)
        with torch.no_grad():
            for p, v in zip(trainable_parameters(candidate, cfg.params), values):
                p.copy_(v)
        task = tasks[i % len(tasks)]
        phi = adapted(candidate, task, cfg, vgg)
        with torch.no_grad():
            return -float(query_loss(phi, task, targets[i % len(tasks)], vgg, cfg.loss))

    gen = torch.Generator().manual_seed(task_seed(cfg.seed ^ 0x5EED, iteration))
    grad, scores = es_gradient(fitness, theta, sigma=cfg.es_sigma, pairs=cfg.es_pairs, gen=gen)
    with torch.no_grad():
        pre = [float(query_loss(net, t, tg, vgg, cfg.loss)) for t, tg in zip(tasks, targets)]
    return [-g for g in grad], {"pre": _mean(pre), "post": -_mean(scores)}


OUTER: dict[str, Callable[[TransformerNet, Sequence[Task], MetaTrainConfig, VGG19Features, int], Step]] = {
    "reptile": reptile_step, "fomaml": fomaml_step, "maml": maml_step, "es": es_step}


def meta_parameters(net: TransformerNet, cfg: MetaTrainConfig) -> list[torch.nn.Parameter]:
    """What the outer loop updates (see the module table)."""
    return trainable_parameters(net, cfg.params) if cfg.algorithm in ("reptile", "es") else list(net.parameters())


def evaluate(net: TransformerNet, tasks: Sequence[Task], cfg: MetaTrainConfig, vgg: VGG19Features) -> dict[str, float]:
    """Mean query loss on ``tasks`` before and after ``cfg.eval_steps`` steps of ``adapt`` (Adam, ``cfg.eval_lr``)."""
    if cfg.eval_lr is not None:
        cfg = replace(cfg, inner_lr=cfg.eval_lr)
    pre, post = [], []
    for task in tasks:
        loss0, phi, targets = _pre_post(net, task, cfg, vgg, cfg.eval_steps)
        with torch.no_grad():
            post.append(float(query_loss(phi, task, targets, vgg, cfg.loss)))
        pre.append(loss0)
    return {"eval_pre": _mean(pre), "eval_post": _mean(post)}


@dataclass
class MetaTrainResult:
    """The meta-learned network, the held-out evaluations ({iteration, eval_pre, eval_post}) and timing."""

    net: TransformerNet
    config: MetaTrainConfig
    iterations: int
    evals: list[dict[str, float]]
    resumed_from: int = 0
    seconds: float = 0.0

    def look(self) -> Look:
        """The initialisation as a look file (``filmstyle adapt --init PATH`` reads it)."""
        return Look(net=self.net, kind="init", meta={"algorithm": self.config.algorithm, "config": self.config.to_dict(),
                                        "iterations": self.iterations, "eval": self.evals[-1] if self.evals else None})


def meta_train(cfg: MetaTrainConfig, train: TaskSampler, held_out: Sequence[Task], *, net: TransformerNet | None = None,
               vgg: VGG19Features | None = None, checkpoint: str | os.PathLike | None = None, resume: bool = False,
               log_path: str | os.PathLike | None = None, device: torch.device | None = None,
               on_iteration: Callable[[dict[str, float]], None] | None = None,
               stop_after: float | None = None) -> MetaTrainResult:
    """Meta-train ``net`` (default: a new TransformerNet seeded by ``cfg.seed``) for ``cfg.iterations``.

    Runs in the one loop (:class:`filmstyle.training.loop.Trainer`), one outer iteration a step.
    Iteration i (from 1) uses tasks (i-1)*B .. i*B-1 of ``train``. The held-out tasks are evaluated at
    iteration 0, every ``cfg.eval_every`` iterations and at the end. With ``resume`` and a checkpoint
    of the same run (config apart from the iteration count, data, initial weights), training goes on
    from it. ``log_path`` gets one JSON line per iteration: iteration, algorithm, pre, post (query
    losses before/after adaptation), seconds, and eval_pre/eval_post when evaluated. ``device``: where
    it computes (default: where ``net`` is); the tasks move there, the result's network comes back
    to the CPU. The device is not part of the run: a run may resume on another. ``stop_after``:
    seconds after which the run stops at the end of an iteration (held-out evaluation then, checkpoint
    kept; :meth:`filmstyle.training.loop.Trainer.run`): the result holds the iterations done, and the
    same run resumed goes on to ``cfg.iterations``.
    """
    if net is None:
        torch.manual_seed(cfg.seed)
        net = TransformerNet(**cfg.net_config())
    vgg = vgg if vgg is not None else loss_network(cfg.loss)
    params = meta_parameters(net, cfg)
    opt = None if cfg.algorithm == "reptile" else torch.optim.Adam(params, lr=cfg.outer_lr)
    identity = {"config": {k: v for k, v in cfg.to_dict().items() if k not in ("iterations", "eval_every", "checkpoint_every")
                           and (k, v) not in (("end_kernel", 9), ("decoder", None), ("tone", "none"),
                                              ("detail_sigma", DETAIL_SIGMA))},  # runs from before these keep theirs
                "data": train.names, "seed": train.seed, "held_out": [t.name for t in held_out],
                "init": weights_sha256(net.state_dict())}
    run_key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    device = device if device is not None else next(net.parameters()).device
    net.to(device)
    vgg.to(device)
    held_out = [_on(t, device) for t in held_out]
    ckpt = Path(checkpoint) if checkpoint is not None else None
    if ckpt is not None and not resume:
        ckpt.unlink(missing_ok=True)
    trainer = Trainer(net, opt, steps=cfg.iterations, seed=cfg.seed, checkpoint=ckpt, run_key=run_key,
                      every=cfg.checkpoint_every, on_step=(lambda i, record: on_iteration(record)) if on_iteration else None)
    evals: list[dict[str, float]] = trainer.state.setdefault("evals", [])
    log_file = Path(log_path) if log_path is not None else None
    _trim_log(log_file, trainer.start)
    if trainer.start == 0 and held_out:
        evals.append({"iteration": 0, **evaluate(net, held_out, cfg, vgg)})
        _log(log_file, {"algorithm": cfg.algorithm, **evals[-1]})

    def iteration(it: int, gen: torch.Generator) -> dict[str, float]:
        t_it = time.perf_counter()
        tasks = [_on(t, device) for t in train.tasks((it - 1) * cfg.meta_batch, cfg.meta_batch)]
        direction, stats = OUTER[cfg.algorithm](net, tasks, cfg, vgg, it)
        lr = cfg.outer_lr * (1 - (it - 1) / cfg.iterations) if cfg.anneal else cfg.outer_lr
        if opt is not None:
            for group in opt.param_groups:
                group["lr"] = lr
        _outer_update(params, direction, opt, lr)
        record = {"iteration": it, **stats, "seconds": round(time.perf_counter() - t_it, 3)}
        if held_out and (it % cfg.eval_every == 0 or it == cfg.iterations):
            evals.append({"iteration": it, **evaluate(net, held_out, cfg, vgg)})
            record.update({k: v for k, v in evals[-1].items() if k != "iteration"})
        _log(log_file, {**record, "algorithm": cfg.algorithm})
        return record

    try:
        result = trainer.run(iteration, stop_after=stop_after)
    except KeyboardInterrupt:
        if ckpt is not None:
            log.warning("interrupted: checkpoint in %s; resume to go on", ckpt)
        raise
    if held_out and result.steps > trainer.start and (not evals or evals[-1]["iteration"] != result.steps):
        evals.append({"iteration": result.steps, **evaluate(net, held_out, cfg, vgg)})  # stopped early: where it got
        _log(log_file, {"algorithm": cfg.algorithm, **evals[-1]})
    return MetaTrainResult(net=net.cpu(), config=cfg, iterations=result.steps, evals=list(evals), resumed_from=trainer.start,
                           seconds=result.seconds)


def run_meta_training(cfg: MetaTrainConfig, *, styles_dir: str | os.PathLike, content_dir: str | os.PathLike,
                      output: str | os.PathLike, videos_dir: str | os.PathLike | None = None,
                      log_path: str | os.PathLike | None = None, resume: bool = False, frames_per_clip: int = 8,
                      init: str = "scratch", device: str = DEVICE,
                      on_iteration: Callable[[dict[str, float]], None] | None = None,
                      shown: Callable[[Task], Any] | None = None,
                      stop_after: float | None = None) -> tuple[Path, MetaTrainResult]:
    """Meta-train on folders (held-out set: :mod:`filmstyle.training.tasks`) and write the init look file.

    ``init``: "scratch" (a new network of ``cfg.width`` x ``cfg.depth``) or a look/init file to start
    from. ``cfg.warmup`` > 0 first runs the reconstruction warm-up of :mod:`filmstyle.training.pretrain`
    on the training photos; its result is kept in ``output + ".warmup.look"`` and reused.
    The checkpoint is ``output + ".ckpt"``; it is kept after the run so the run can be extended.
    ``device``: "auto", "cpu" or "cuda" (:func:`filmstyle.core.device.resolve_device`). ``shown``: what
    every task's losses see (:class:`filmstyle.training.tasks.TaskSampler`); it must follow ``cfg.tone``
    (:func:`filmstyle.adaptation.meta_train_init` sets it). ``stop_after``: as :func:`meta_train`; the
    init written then is the network after the iterations done (its header says how many).
    """
    if (shown is None) != (cfg.tone == "none"):
        raise ValueError(f"tone {cfg.tone!r} needs {'no' if cfg.tone == 'none' else 'a'} 'shown' for the tasks")
    out = check_writable(output)
    where = resolve_device(device)
    split = split_data(styles_dir, content_dir, videos_dir)
    sampler = {"size": cfg.size, "frames_per_task": cfg.frames_per_task, "query_per_task": cfg.query_per_task, "shown": shown}
    train = TaskSampler(split.train_styles, [*split.train_content, *clip_frames(split.train_clips, frames_per_clip, cfg.size)],
                        grade_prob=cfg.grade_prob, seed=cfg.seed, **sampler)
    held = TaskSampler(split.eval_styles, [*split.eval_content, *clip_frames(split.eval_clips, frames_per_clip, cfg.size)],
                       grade_prob=0.0, seed=EVAL_SEED, **sampler)
    net = _initial_net(cfg, init, cfg.warmup, split.train_content, out.with_name(out.name + ".warmup.look"), where)
    result = meta_train(cfg, train, held.fixed_tasks(), net=net, checkpoint=out.with_name(out.name + ".ckpt"),
                        resume=resume, log_path=log_path, device=where, on_iteration=on_iteration,
                        stop_after=stop_after)
    result.look().save(out)
    return out, result


def _initial_net(cfg: MetaTrainConfig, init: str, warmup_steps: int, photos: Sequence[Path],
                 cache: Path, device: torch.device = torch.device("cpu")) -> TransformerNet:
    """The network meta-training starts from: new or loaded, then optionally warmed up (cached) on ``device``."""
    if init == "scratch":
        torch.manual_seed(cfg.seed)
        net = TransformerNet(**cfg.net_config())
    else:
        net = load_look(init).net
    if warmup_steps <= 0:
        return net
    key = {"init": weights_sha256(net.state_dict()), "steps": warmup_steps, "seed": cfg.seed,
           "photos": sorted(p.name for p in photos)}
    if cache.exists():
        cached = load_look(cache)
        if cached.meta.get("warmup") == key:
            log.info("reusing the reconstruction warm-up in %s", cache)
            return cached.net
    images = [resize_short(load_image(p), cfg.size) for p in photos]
    net.to(device)
    losses = pretrain_identity(net, images, steps=warmup_steps, size=min(cfg.size, 128), seed=cfg.seed)
    Look(net=net, kind="init", meta={"role": "warmup", "warmup": key, "final_l1": losses[-1]}).save(cache)
    return net


def _on(task: Task, device: torch.device) -> Task:
    """``task`` with its tensors on ``device``."""
    if task.style.device == device:
        return task
    return replace(task, style=task.style.to(device), frames=[f.to(device) for f in task.frames],
                               query=task.query.to(device))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _outer_update(params: list[torch.nn.Parameter], direction: list[torch.Tensor],
                  opt: torch.optim.Optimizer | None, lr: float) -> None:
    """Reptile: θ += lr * direction. Others: ``direction`` is a gradient for the Adam step."""
    if opt is None:
        with torch.no_grad():
            for p, d in zip(params, direction):
                p.add_(d, alpha=lr)
        return
    for p, g in zip(params, direction):
        p.grad = g.detach().to(p.dtype)
    opt.step()
    opt.zero_grad(set_to_none=True)


def _trim_log(path: Path | None, last: int) -> None:
    """Keep the log lines of iterations <= ``last`` (all gone for a fresh run)."""
    if path is None:
        return
    lines = path.read_text().splitlines() if (last > 0 and path.exists()) else []
    kept = [line for line in lines if line.strip() and json.loads(line).get("iteration", 0) <= last]
    with atomic_path(path) as tmp:
        tmp.write_text("".join(line + "\n" for line in kept))


def _log(path: Path | None, record: dict[str, Any]) -> None:
    if path is not None:
        with open(path, "a") as f:
            f.write(json.dumps(record) + "\n")
