"""Independent jobs run in this process, on a pool of processes, or as Ray tasks, behind one call.

The segments of a long render (:mod:`filmstyle.segments`) and the cells of Table 1
(:mod:`filmstyle.bench.table1`) are independent jobs: a picklable job object handed to a module-level
function that writes its result to a file atomically and returns a small summary. :func:`run_jobs`
runs them where the user asked:

- ``local``: one after another in this process;
- ``process``: a pool of ``workers`` processes on this machine (spawned, not forked: torch and PyAV
  hold threads that a fork would copy half-way);
- ``ray``: one Ray task per job, one CPU each, on the cluster at ``address`` (``auto``,
  ``ray://HOST:PORT``, or none for a Ray started here); a job whose worker dies (killed, out of memory,
  node lost) is run again, :data:`RAY_RETRIES` times. ``pip install 'filmstyle[ray]'``.

A job that raises stops the run: the jobs not started are dropped (a Ray task is cancelled) and the
error goes to the caller. What the finished jobs wrote stays, so the same command resumes.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from filmstyle.core.errors import InputError

J = TypeVar("J")
R = TypeVar("R")

EXECUTOR_KINDS = ("local", "process", "ray")
RAY_RETRIES = 3  # a job whose worker died is run again this often
STOP_GRACE_S = 10.0  # a stopped pool's workers get this long after SIGTERM (a checkpoint to write), then SIGKILL


def threads_per_worker(executor: str, running: int) -> int:
    """Torch threads for each worker while ``running`` jobs run at once: one on Ray (each task holds
    one CPU), the cores shared out on a process pool running more than one, else 0 (leave torch's
    default: one job in this process, which :func:`run_jobs` also does for a pool of one)."""
    if executor == "ray":
        return 1
    if executor == "process" and running > 1:
        return max(1, (os.cpu_count() or 1) // running)
    return 0


def set_threads(threads: int) -> None:
    """In a worker: torch on ``threads`` threads (0: as it is)."""
    if threads:
        import torch

        torch.set_num_threads(threads)


def run_jobs(fn: Callable[[J], R], jobs: Iterable[J], *, executor: str = "local", workers: int = 1,
             address: str | None = None, on_done: Callable[[R], None] | None = None) -> list[R]:
    """``[fn(job) for job in jobs]`` in the order they finish, run by ``executor`` (module docstring).
    ``fn`` must be a module-level function and the jobs picklable for ``process`` and ``ray``.
    ``on_done(result)`` is called in this process as each job finishes."""
    jobs = list(jobs)
    if executor not in EXECUTOR_KINDS:
        raise InputError(None, f"unknown executor {executor!r}", f"use one of: {', '.join(EXECUTOR_KINDS)}")
    results: list[R] = []
    for result in _results(fn, jobs, executor, workers, address):
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results


def _results(fn: Callable[[Any], Any], jobs: list[Any], executor: str, workers: int,
             address: str | None) -> Iterator[Any]:
    if executor == "ray":
        yield from _on_ray(fn, jobs, address)
    elif executor == "local" or workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield fn(job)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        futures = [pool.submit(fn, job) for job in jobs]
        try:
            for done in as_completed(futures):
                yield done.result()
        except BaseException:
            # a failed job or a stopped driver: nothing more starts and the running jobs stop now (their
            # outputs are written atomically: nothing half-written stays), rather than after minutes
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()  # SIGTERM: a training in the job writes its checkpoint (Trainer)
            for process in processes:
                process.join(STOP_GRACE_S)
                if process.is_alive():  # a job's own SIGTERM handler kept it going (the pool's worker
                    process.kill()      # loop catches the KeyboardInterrupt a Trainer raises)
                    process.join()
            raise
        pool.shutdown()


def ray_init(address: str | None, **init: Any) -> Any:
    """The ``ray`` module, connected to ``address`` (or a Ray started here, ``init`` passed to
    ``ray.init``: e.g. ``num_cpus``) unless already connected."""
    try:
        import ray
    except ImportError:
        raise InputError(None, "--executor ray needs Ray", "pip install 'filmstyle[ray]'") from None
    if not ray.is_initialized():
        import signal
        import threading

        # ray.init replaces SIGTERM's handler with sys.exit: keep the caller's (the CLI's clean stop)
        kept = {}
        if threading.current_thread() is threading.main_thread():
            kept = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        ray.init(address=address, **{"include_dashboard": False, "log_to_driver": False, **init})
        for sig, handler in kept.items():
            if handler is not None:
                signal.signal(sig, handler)
    return ray


def ray_cpus(address: str | None) -> int:
    """How many one-CPU tasks the Ray cluster at ``address`` runs at a time."""
    return max(1, int(ray_init(address).cluster_resources().get("CPU", 1)))


def _on_ray(fn: Callable[[Any], Any], jobs: list[Any], address: str | None) -> Iterator[Any]:
    if not jobs:
        return
    ray = ray_init(address)
    task = ray.remote(num_cpus=1, max_retries=RAY_RETRIES)(fn)
    pending = [task.remote(job) for job in jobs]
    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    except BaseException:
        for ref in pending:  # a failed job or a stopped driver leaves nothing running: the next run resumes
            ray.cancel(ref, force=True)
        raise
