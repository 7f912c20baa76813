"""The one training loop: seeded steps, an optimizer, checkpoints, resume and progress.

Every training in filmstyle runs here: adaptation (``filmstyle adapt``, from the meta init or from
scratch, with or without the temporal loss), every meta-training outer loop, the reconstruction
warm-up, StyleBank's pre-training and its new banks, and the learned LUT fit. A training is a
*step function* ``step(i, gen) -> terms``: it draws what it needs from ``gen`` (seeded by the run's
seed and the step number, so a resumed run draws exactly what an uninterrupted one would) and
returns its terms. If ``terms["total"]`` is a tensor with a gradient, the loop does the backward
pass and the optimizer step; otherwise the step function has updated the weights itself (the meta
outer loops do). Every term is recorded as a float and handed to ``on_step`` (the CLI's progress
bar shows them all).

With a checkpoint path, the module, the optimizer state, the history and the step function's
JSON ``state`` are written every ``every`` steps and on SIGINT or SIGTERM (from the last completed
step, never from a half-done one), and a later run with the same ``run_key`` resumes from them:
bit-identical to a run that was never interrupted (tests/test_loop.py). A checkpoint of another
run, or an unreadable one, is ignored with a warning.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import torch

from filmstyle.core import store
from filmstyle.core.errors import InputError

log = logging.getLogger(__name__)
StepFn = Callable[[int, torch.Generator], dict[str, Any]]
OnStep = Callable[[int, dict[str, float]], None]
SEED_STRIDE = 1_000_003  # step i of a run seeded s draws from a generator seeded s * stride + i


class Optimizer(store.HasState, Protocol):
    """What the loop steps: a ``torch.optim`` optimizer or :class:`filmstyle.training.adam.Adam`."""

    def zero_grad(self, set_to_none: bool = True) -> None: ...

    def step(self) -> Any: ...


@dataclass
class TrainResult:
    """A finished run: steps, one record of floats per step, seconds of this session, the step it
    resumed from (0 = fresh), the step function's final JSON state and the seconds that earlier
    sessions spent on the steps before ``resumed_from`` (as their checkpoint recorded them)."""

    steps: int
    history: list[dict[str, float]]
    seconds: float
    resumed_from: int = 0
    state: dict[str, Any] = field(default_factory=dict)
    seconds_before: float = 0.0

    @property
    def seconds_total(self) -> float:
        """Seconds the whole run's steps took, over every session."""
        return self.seconds_before + self.seconds

    @property
    def losses(self) -> dict[str, float]:
        """The last step's terms."""
        return self.history[-1] if self.history else {}


class Trainer:
    """One run of the loop. Construct it (which restores a matching checkpoint: see ``start``,
    ``history`` and ``state``), then :meth:`run` a step function.

    module: what is checkpointed (None: nothing but the optimizer); optimizer: stepped on
    ``terms["total"]`` (None: the step function updates the weights); steps: the last step;
    seed: seeds the per-step generator; checkpoint: where state is kept (None: no checkpoint);
    run_key: identifies the run (settings, data, initial weights); every: checkpoint interval.
    """

    def __init__(self, module: torch.nn.Module | None, optimizer: Optimizer | None, *, steps: int,
                 seed: int = 0, checkpoint: str | os.PathLike | None = None, run_key: str = "", every: int = 25,
                 on_step: OnStep | None = None) -> None:
        if steps < 0 or every < 1:
            raise ValueError(f"need steps >= 0 and every >= 1, got {steps=}, {every=}")
        self.module, self.optimizer, self.steps, self.seed = module, optimizer, steps, seed
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.run_key, self.every, self.on_step = run_key, every, on_step
        self.start, self.history, self.state, self.seconds_before = 0, [], {}, 0.0
        if self.checkpoint is not None and self.checkpoint.exists():
            self._restore()

    def _restore(self) -> None:
        try:
            tensors, meta = store.read(self.checkpoint, ("checkpoint",), "checkpoint")
        except InputError as e:
            log.warning("ignoring checkpoint: %s", e)
            return
        if meta.get("run_key") != self.run_key:
            log.warning("ignoring checkpoint %s: it belongs to another run (settings, data or init differ)", self.checkpoint)
            return
        store.load_snapshot(tensors, self.module, self.optimizer)
        self.start = int(meta["step"])
        self.history = list(meta.get("history", []))[: self.start]
        self.state = dict(meta.get("state", {}))
        self.seconds_before = float(meta.get("seconds", 0.0))
        log.info("resuming from step %d of %s", self.start, self.checkpoint)

    def _save(self, snapshot: dict[str, torch.Tensor], step: int, state: dict[str, Any], seconds: float) -> None:
        store.write(self.checkpoint, snapshot, kind="checkpoint",
                    meta={"run_key": self.run_key, "step": step, "history": self.history[:step], "state": state,
                          "seconds": seconds})
        log.info("checkpoint at step %d written to %s", step, self.checkpoint)

    def _snapshot(self, seconds: float) -> tuple[dict[str, torch.Tensor], dict[str, Any], float] | None:
        """The state after the last completed step, and the seconds all sessions spent up to it."""
        if self.checkpoint is None:
            return None
        return store.snapshot(self.module, self.optimizer), _json_copy(self.state), self.seconds_before + seconds

    def run(self, step: StepFn, *, stop_after: float | None = None) -> TrainResult:
        """Steps ``start + 1 .. steps``; KeyboardInterrupt (SIGINT, or SIGTERM, which is raised as
        one here) saves the last completed step and propagates. ``stop_after``: seconds of this
        session after which the run stops at the end of a step, saves its checkpoint and returns
        (``steps`` of the result: the last step done); the same run resumed goes on from there."""
        gen, t0, done = torch.Generator(), time.perf_counter(), self.start
        last = self._snapshot(0.0)
        with _sigterm_as_interrupt():
            try:
                for i in range(self.start + 1, self.steps + 1):
                    gen.manual_seed(self.seed * SEED_STRIDE + i)
                    terms = step(i, gen)
                    total = terms.get("total")
                    if self.optimizer is not None and isinstance(total, torch.Tensor) and total.requires_grad:
                        self.optimizer.zero_grad(set_to_none=True)
                        total.backward()
                        self.optimizer.step()
                    record = {k: float(v.detach()) if isinstance(v, torch.Tensor) else float(v) for k, v in terms.items()}
                    self.history.append(record)
                    done = i
                    last = self._snapshot(time.perf_counter() - t0)
                    if self.on_step is not None:
                        self.on_step(i, record)
                    out_of_time = stop_after is not None and time.perf_counter() - t0 >= stop_after
                    if last is not None and (i % self.every == 0 or i == self.steps or out_of_time):
                        self._save(last[0], i, last[1], last[2])
                    if out_of_time:
                        break
            except KeyboardInterrupt:
                if last is not None and done > self.start:
                    self._save(last[0], done, last[1], last[2])
                raise
        return TrainResult(steps=done, history=self.history, seconds=time.perf_counter() - t0,
                           resumed_from=self.start, state=self.state, seconds_before=self.seconds_before)


def _json_copy(state: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(state))


class _sigterm_as_interrupt:
    """While active (main thread only), SIGTERM raises KeyboardInterrupt, so a killed training
    saves its checkpoint like an interrupted one. A handler already installed (the CLI's) is kept."""

    def __enter__(self) -> None:
        self.previous = None
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            self.previous = signal.signal(signal.SIGTERM, _raise_interrupt)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
