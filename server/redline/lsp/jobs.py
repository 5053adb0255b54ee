"""Background work: one worker (a process by default) and per-document debounce timers.

`Jobs.submit` runs a function of `redline.lsp.worker` off the event loop and returns an asyncio
future. The process is started on first use with the `spawn` method (a clean interpreter, no
forked event-loop threads); if it dies, the next job starts a new one. `Debouncer` keeps one
timer per document: a newer version replaces the older timer, so only the last version of a
burst of keystrokes reaches the slow engines.

The worker never imports from the workspace (the server's working directory, where editors
start it): it and multiprocessing's resource tracker start with PYTHONSAFEPATH=1 and copy the
server's cleaned sys.path (redline.safety). It dies with the server (killed or crashed), and
`shutdown` kills it rather than waiting for a long bandit job: the server exits when asked.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, Callable

from redline import safety

log = logging.getLogger(__name__)


# The worker's scheduling priority (nice value added): its jobs are background work that must
# not take a CPU from the event loop answering keystrokes (measured on 2 cores: bandit in the
# worker at the same priority tripled the p95 keystroke latency on a 10k-line file).
WORKER_NICENESS = 10


def _background(parent_pid: int | None = None, pdeathsig: bool = False) -> None:
    """Worker process initializer: exit when the server dies, and lower our priority (best
    effort; not on every platform)."""
    if parent_pid is not None:
        safety.die_with_parent(parent_pid, pdeathsig=pdeathsig)
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
            if self.use_process and not safety.spawn_is_safe():
                log.warning("running with -E but not -P: slow engines run in a thread, not a process "
                            "that would import from the working directory")
                self.use_process = False
            if self.use_process:
                import multiprocessing
                import threading
                from concurrent.futures import ProcessPoolExecutor

                # PR_SET_PDEATHSIG fires when the starting *thread* ends: only ask for it when
                # that is the main thread (the event loop's), which lasts as long as we do.
                main = threading.current_thread() is threading.main_thread()
                with safety.safe_children():  # the resource tracker starts here
                    self._executor = ProcessPoolExecutor(
                        max_workers=1,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_background,
                        initargs=(os.getpid(), main),
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
        with safety.safe_children():  # the pool starts its process on a submit
            try:
                fut = self._get().submit(fn, *args)
            except Exception:  # BrokenProcessPool, or shut down: start a fresh worker once
                log.warning("worker unavailable; starting a new one", exc_info=True)
                self._drop()
                fut = self._get().submit(fn, *args)
        return fut, asyncio.wrap_future(fut)

    def broken(self) -> None:
        """Forget a worker that failed (its process died); the next submit starts another.

        A late failure of a worker we already dropped (killed by `shutdown` or an earlier
        `broken`) leaves the current, healthy one alone."""
        if self._executor is not None and getattr(self._executor, "_broken", True) is False:
            return
        self._drop()

    def _drop(self) -> None:
        """Forget the worker and kill its process: a job it is running is not waited for (a
        long bandit run would otherwise keep the process, and at exit the server, alive)."""
        ex, self._executor = self._executor, None
        if ex is None:
            return
        processes = list((getattr(ex, "_processes", None) or {}).values())
        try:
            ex.shutdown(wait=False, cancel_futures=True)
        except Exception:  # noqa: BLE001
            pass
        for process in processes:
            try:
                process.kill()
            except Exception:  # noqa: BLE001 - already gone
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
