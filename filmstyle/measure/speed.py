"""Speed: frames per second, and a stopwatch that adds up the seconds spent in one part of a
pipeline (the network alone, the blending). Render, grade, bench and the Table 1 methods all time
with these, so model-only and end-to-end FPS mean the same thing everywhere."""
from __future__ import annotations

import time


def fps(frames: int, seconds: float) -> float:
    """``frames`` / ``seconds`` (inf for no time spent)."""
    return frames / seconds if seconds > 0 else float("inf")


class Stopwatch:
    """Accumulates wall-clock seconds over ``with watch:`` blocks in ``watch.seconds``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._t0 = 0.0

    def __enter__(self) -> Stopwatch:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._t0
