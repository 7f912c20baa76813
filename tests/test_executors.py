"""filmstyle.core.executors: independent jobs in this process or on a process pool (Ray: in
tests/test_segments.py and tests/test_bench.py)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from filmstyle.core.errors import InputError
from filmstyle.core.executors import run_jobs, threads_per_worker


def _job(what: str) -> str:
    if what == "fail":
        time.sleep(0.5)
        raise ValueError("bad job")
    if what == "slow":
        time.sleep(120)
    if what.startswith("fail-after:"):  # fails once the file exists (the other job has started)
        deadline = time.monotonic() + 30
        while not Path(what.split(":", 1)[1]).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        raise ValueError("bad job")
    if what.startswith("stubborn:"):  # a job that outlives SIGTERM, as a Trainer's in a pool worker does
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        Path(what.split(":", 1)[1]).write_text(str(os.getpid()))
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


def test_a_stopped_pool_leaves_no_worker_running(tmp_path: Path) -> None:
    """A worker whose job ignores SIGTERM is killed after the grace period, not left computing."""
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(ValueError, match="bad job"):
        run_jobs(_job, [f"stubborn:{pid_file}", f"fail-after:{pid_file}"], executor="process", workers=2)
    assert time.monotonic() - started < 60
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
