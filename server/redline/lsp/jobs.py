"""Background work: one worker (a process by default) and per-document debounce timers.

`Jobs.submit` runs a function of `redline.lsp.worker` off the event loop and returns an asyncio
future. The process is started on first use with the `spawn` method (a clean interpreter, no
forked event-loop threads); if it dies, the next job starts a new one. `Debouncer` keeps one
timer per document: a newer version replaces the older timer, so only the last version of a
burst of keystrokes reaches the slow engines.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, Callable

log = logging.getLogger(__name__)


# The worker's scheduling priority (nice value added): its jobs are background work that must
# not take a CPU from the event loop answering keystrokes (measured on 2 cores: bandit in the
# worker at the same priority tripled the p95 keystroke latency on a 10k-line file).
WORKER_NICENESS = 10


def _background() -> None:
    """Worker process initializer: lower our priority (best effort; not on every platform)."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):
        pass


class Jobs:
    def __init__(self, use_process: bool = True):
        self.use_process = use_process
        self._executor: Executor | None = None

    def _get(self) -> Executor:
        if self._executor is None:
            if self.use_process:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._executor = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_background
                )
            else:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redline-worker")
        return self._executor

    @property
    def started(self) -> bool:
        return self._executor is not None

    def submit(self, fn: Callable[..., Any], *args: Any) -> tuple[Future, asyncio.Future]:
        """Run `fn(*args)` in the worker: the concurrent future (to cancel it while queued) and an
        asyncio future for the event loop."""
        try:
            fut = self._get().submit(fn, *args)
        except Exception:  # BrokenProcessPool, or shut down: start a fresh worker once
            log.warning("worker unavailable; starting a new one", exc_info=True)
            self._drop()
            fut = self._get().submit(fn, *args)
        return fut, asyncio.wrap_future(fut)

    def broken(self) -> None:
        """Forget a worker that failed (its process died); the next submit starts another."""
        self._drop()

    def _drop(self) -> None:
        ex, self._executor = self._executor, None
        if ex is not None:
            try:
                ex.shutdown(wait=False, cancel_futures=True)
            except Exception:  # noqa: BLE001
                pass

    def shutdown(self) -> None:
        self._drop()


class Debouncer:
    """One pending call per key; scheduling again replaces it."""

    def __init__(self) -> None:
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def schedule(self, key: str, delay_s: float, fn: Callable[[], Any]) -> None:
        self.cancel(key)
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.pop(key, None)
            fn()

        self._timers[key] = loop.call_later(max(delay_s, 0.0), fire)

    def cancel(self, key: str) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def pending(self, key: str) -> bool:
        return key in self._timers

    def cancel_all(self) -> None:
        for key in list(self._timers):
            self.cancel(key)
