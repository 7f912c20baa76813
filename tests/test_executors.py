"""filmstyle.core.executors: independent jobs in this process or on a process pool (Ray: in
tests/test_segments.py and tests/test_bench.py)."""
from __future__ import annotations

import time

import pytest

from filmstyle.core.errors import InputError
from filmstyle.core.executors import run_jobs, threads_per_worker


def _job(what: str) -> str:
    if what == "fail":
        time.sleep(0.5)
        raise ValueError("bad job")
    if what == "slow":
        time.sleep(120)
    return what.upper()


def test_local_jobs_run_in_order_and_report_as_they_finish() -> None:
    done: list[str] = []
    assert run_jobs(_job, ["a", "b"], on_done=done.append) == ["A", "B"] and done == ["A", "B"]
    assert run_jobs(_job, [], executor="process", workers=2) == []


def test_a_failed_job_stops_the_pool_at_once() -> None:
    """The error reaches the caller without waiting for the job still running (120 s here)."""
    started = time.monotonic()
    with pytest.raises(ValueError, match="bad job"):
        run_jobs(_job, ["fail", "slow"], executor="process", workers=2)
    assert time.monotonic() - started < 60


def test_threads_and_unknown_executors() -> None:
    assert threads_per_worker("ray", 8) == 1 and threads_per_worker("local", 1) == 0
    assert threads_per_worker("process", 2) >= 1
    with pytest.raises(InputError, match="unknown executor"):
        run_jobs(_job, ["a"], executor="cluster")
