"""Per-file time limits for engines: `call(seconds, fn, *args)` runs `fn` and interrupts it with
`TimeLimitExceeded` once it has used `seconds` of CPU time.

CPU time, not wall-clock time: on a loaded machine (a CI runner, or the language server's worker,
which runs at a lower priority than the editor) the same engine on the same file takes three
times as long by the clock (measured here: bandit 1.8 s of CPU, 5.2 s by the clock, on an
11,000-line file). A limit by the clock would drop findings depending on the load; a limit on
CPU time gives the same result on every run. An engine that waits without computing (a network
look-up) is not stopped by it: such calls carry their own timeouts.

How the interruption gets into the engine's code:

- On the main thread of a process with `signal.setitimer` (Linux and macOS: the language
  server's worker process, the `redline scan` pool workers, `redline scan --jobs 1`, and the
  server's own event-loop thread), a one-shot ITIMER_PROF timer (the process's CPU time) whose
  SIGPROF handler raises the exception. Python runs signal handlers between bytecodes, so
  pure-Python engines (bandit, detect-secrets, the rule engine's Python parts) stop within
  moments of the limit; a single long call into C (one tree-sitter query, one regular
  expression search) finishes first.
- Anywhere else (another thread, e.g. the server with `workerProcess: false`; or a platform
  without `setitimer`) signals cannot be used, and a watchdog thread watches the engine
  thread's CPU clock (the wall clock where there is none) and asks the interpreter to raise the
  exception in that thread (CPython's `PyThreadState_SetAsyncExc`, delivered at the same points
  as a signal handler's). On an interpreter without that call only the cooperative checks below
  stop the engine.
- Cooperative checks: engines that loop over units of work (bandit's node visitor,
  detect-secrets' lines) call `check()`, which raises once the limit has fired. That also stops
  an engine that swallowed the exception with a bare `except:`.

The exception derives from BaseException (as KeyboardInterrupt does), so an engine's own
`except Exception` clauses (bandit catches its plugins' errors and carries on) let it through.
A timer raises it at most once per call, so the clean-up here cannot be interrupted twice; and
when the engine returns after the limit fired (it swallowed the exception), `call` raises it:
the results of an interrupted run are never used.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")

# How an engine error's message starts when the engine skipped the file rather than failed
# (pipeline.skipped_reason); the report writers and the language server word it accordingly.
SKIPPED = "skipped: "


def is_skip(message: str) -> bool:
    return message.startswith(SKIPPED)


OUT_OF_MEMORY = (
    f"{SKIPPED}ran out of memory (the memory-limit setting, in worker processes); "
    "its findings for this file are left out"
)


class TimeLimitExceeded(BaseException):
    """An engine used up its time limit on one file."""

    def __init__(self, seconds: float | None = None):
        if seconds is None:  # raised by the watchdog (the interpreter passes no arguments)
            limit = current()
            seconds = limit.seconds if limit is not None else 0.0
        super().__init__(f"stopped after {format_seconds(seconds)} of CPU time")
        self.seconds = seconds


def format_seconds(seconds: float) -> str:
    return f"{seconds:g} s" if seconds >= 1 or seconds == 0 else f"{seconds * 1000:g} ms"


class _Limit:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = False  # between start and stop: only then may a timer raise
        self.fired = False  # the limit was reached (set by the timer, or by check())


_local = threading.local()


def current() -> _Limit | None:
    """The limit the engine running on this thread is under, if any."""
    return getattr(_local, "limit", None)


def check() -> None:
    """Raise TimeLimitExceeded if this thread's limit has fired (a flag test: call it often)."""
    limit = getattr(_local, "limit", None)
    if limit is not None and limit.fired and limit.active:
        raise TimeLimitExceeded(limit.seconds)


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


_armed: _Limit | None = None  # the main thread's limit that the SIGPROF handler serves


def _on_sigprof(signum, frame) -> None:
    limit = _armed
    if limit is None or not limit.active or limit.fired:
        return
    limit.fired = True
    raise TimeLimitExceeded(limit.seconds)


class _SignalTimer:
    """ITIMER_PROF / SIGPROF, one shot. Our handler stays installed between calls (two system
    calls per engine run instead of six: the language server runs fast engines through here on
    every keystroke). Someone else's handler or pending timer (a profiler) is put back on stop;
    while ours runs, theirs is postponed."""

    def __init__(self, limit: _Limit):
        self.limit = limit
        self.old_handler: Any = None
        self.old_delay = 0.0
        self.old_interval = 0.0
        self.started = 0.0
        self.done = False

    def start(self) -> None:
        global _armed
        current_handler = signal.getsignal(signal.SIGPROF)
        if current_handler is not _on_sigprof:
            previous = signal.signal(signal.SIGPROF, _on_sigprof)
            if previous not in (signal.SIG_DFL, None):
                self.old_handler = previous  # someone else's: give it back afterwards
        _armed = self.limit
        self.limit.active = True
        self.old_delay, self.old_interval = signal.setitimer(signal.ITIMER_PROF, self.limit.seconds)
        if self.old_delay:
            self.started = time.process_time()

    def stop(self) -> None:
        global _armed
        # Once `active` is off the handler never raises, so only the first line can be
        # interrupted, and the second call in `call` completes the job.
        self.limit.active = False
        if self.done:
            return
        signal.setitimer(signal.ITIMER_PROF, 0)
        _armed = None
        if self.old_handler is not None:
            signal.signal(signal.SIGPROF, self.old_handler)
        if self.old_delay:
            left = self.old_delay - (time.process_time() - self.started)
            signal.setitimer(signal.ITIMER_PROF, max(left, 0.001), self.old_interval)
        self.done = True


_set_async_exc: Any = None


def _async_exc_call():
    """CPython's PyThreadState_SetAsyncExc as `setter(thread_ident, exception_type or None)`, or
    False when the interpreter has none."""
    global _set_async_exc
    if _set_async_exc is None:
        try:
            import ctypes

            fn = ctypes.pythonapi.PyThreadState_SetAsyncExc
            fn.restype = ctypes.c_int

            def setter(ident: int, exc: type | None) -> int:
                # None is passed as NULL: "clear the pending exception".
                return fn(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc is not None else None)

            _set_async_exc = setter
        except (ImportError, AttributeError):  # not CPython: cooperative checks only
            _set_async_exc = False
    return _set_async_exc


class _ThreadTimer:
    """A watchdog thread: when the engine's thread has used up the limit (its CPU clock, or the
    wall clock where there is none), raise TimeLimitExceeded in it."""

    def __init__(self, limit: _Limit):
        self.limit = limit
        self.ident = threading.get_ident()
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        try:
            clock = time.pthread_getcpuclockid(self.ident)
            self.clock: Callable[[], float] = lambda: time.clock_gettime(clock)
        except (AttributeError, OSError):
            self.clock = time.monotonic
        self.started = 0.0

    def _arm(self, delay: float) -> None:
        self.timer = threading.Timer(delay, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            if not self.limit.active or self.limit.fired:
                return
            try:
                used = self.clock() - self.started
            except OSError:  # the thread is gone
                return
            if used < self.limit.seconds:  # it waited rather than computed: not yet
                self._arm(max(self.limit.seconds - used, 0.01))
                return
            self.limit.fired = True
            setter = _async_exc_call()
            if setter:
                setter(self.ident, TimeLimitExceeded)

    def start(self) -> None:
        self.started = self.clock()
        with self.lock:
            self.limit.active = True
            self._arm(self.limit.seconds)

    def stop(self) -> None:
        with self.lock:
            was_active, self.limit.active = self.limit.active, False
            if was_active and self.limit.fired:
                setter = _async_exc_call()
                if setter:
                    setter(self.ident, None)  # drop it if it has not been raised yet
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None


def bound_memory(megabytes: int) -> bool:
    """Cap this process's address space (RLIMIT_AS) at `megabytes` (0: as high as allowed), so
    that an engine that runs away with memory gets a MemoryError (reported as having skipped
    the file) instead of taking the machine's memory. Only for worker processes: the cap is
    the whole process's. False where there is no such limit (Windows) or it cannot be set."""
    try:
        import resource
    except ImportError:
        return False
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = megabytes * 1024 * 1024 if megabytes > 0 else resource.RLIM_INFINITY
        if hard != resource.RLIM_INFINITY and (want == resource.RLIM_INFINITY or want > hard):
            want = hard
        if resource.getrlimit(resource.RLIMIT_AS)[0] != want:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        return True
    except (ValueError, OSError):
        return False


def call(seconds: float | None, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`, interrupted by TimeLimitExceeded once it has used `seconds` of CPU time
    (None or 0: no limit).

    Limits do not nest on one thread: a call inside another's `fn` runs under the outer limit
    only."""
    if not seconds or seconds <= 0 or current() is not None:
        return fn(*args)
    limit = _Limit(seconds)
    timer = _SignalTimer(limit) if _signals_usable() else _ThreadTimer(limit)
    _local.limit = limit
    try:
        try:
            timer.start()
            result = fn(*args)
        finally:
            timer.stop()
    finally:
        # A second chance: a timer raises at most once, and if it did so inside the stop()
        # above, this one completes it. stop() is idempotent.
        timer.stop()
        _local.limit = None
    if limit.fired:
        raise TimeLimitExceeded(seconds)  # the engine swallowed the exception: its results are partial
    return result
