"""Run an iterator a few items ahead of its consumer, on a worker thread.

Used by :func:`filmstyle.core.video.transcode` to demux, decode and convert the next frames while the
current one is processed and encoded: FFmpeg (through PyAV) and numpy release the GIL in their C
loops, so the two threads overlap.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Prefetch(Generic[T]):
    """Iterate ``items`` on a worker thread; the consumer gets them, in order, by iterating this.

    At most ``ahead`` items for which ``heavy(item)`` is true (decoded frames, say) and ``light``
    others wait to be taken; the worker blocks until the consumer makes room. An exception raised
    by ``items`` is raised to the consumer once the items before it are taken. Use as a context
    manager: leaving it, normally or by an exception (KeyboardInterrupt included), drops what was not
    taken, stops the worker at its next hand-over and joins it, so ``items`` (and whatever it reads)
    is no longer in use afterwards; ``items.close()``, where it exists, runs on the worker.
    """

    def __init__(self, items: Iterable[T], *, ahead: int, heavy: Callable[[T], bool] = lambda item: True,
                 light: int = 256, name: str = "filmstyle-prefetch") -> None:
        if ahead < 1 or light < 1:
            raise ValueError(f"need ahead >= 1 and light >= 1, got {ahead=}, {light=}")
        self._items, self._is_heavy = items, heavy
        self._limits = {True: ahead, False: light}
        self._waiting: deque[tuple[T, bool]] = deque()
        self._counts = {True: 0, False: 0}
        self._cond = threading.Condition()
        self._stopping = self._finished = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Prefetch[T]:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        error: BaseException | None = None
        source = iter(self._items)
        try:
            for item in source:
                is_heavy = bool(self._is_heavy(item))
                with self._cond:
                    while not self._stopping and self._counts[is_heavy] >= self._limits[is_heavy]:
                        self._cond.wait()
                    if self._stopping:
                        break
                    self._waiting.append((item, is_heavy))
                    self._counts[is_heavy] += 1
                    self._cond.notify_all()
        except BaseException as e:  # noqa: BLE001 -- handed to the consumer
            error = e
        finally:
            try:
                close = getattr(source, "close", None)
                if close is not None:
                    close()
            except BaseException as e:  # noqa: BLE001
                error = error or e
            with self._cond:
                self._error, self._finished = error, True
                self._cond.notify_all()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        with self._cond:
            while not self._waiting and not self._finished:
                self._cond.wait()
            if self._waiting:
                item, is_heavy = self._waiting.popleft()
                self._counts[is_heavy] -= 1
                self._cond.notify_all()
                return item
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            raise StopIteration

    def close(self) -> None:
        """Stop the worker and wait for it (a second Ctrl-C does not cut the wait short)."""
        with self._cond:
            self._stopping = True
            self._waiting.clear()
            self._cond.notify_all()
        if self._thread.ident is None:
            return  # never started
        interrupted: KeyboardInterrupt | None = None
        while True:
            try:
                self._thread.join()
                break
            except KeyboardInterrupt as e:  # the worker may be inside FFmpeg: let it leave first
                interrupted = e
        if interrupted is not None:
            raise interrupted
