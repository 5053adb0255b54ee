"""One hang detector for the tests of bounded work on hostile input (issue 12).

Not a speed assertion: the bound is far above what the code under test takes (milliseconds to a
second or two) and far below what the unbounded code took (minutes). `Hung` is a BaseException so
that an engine's `except Exception` isolation cannot swallow it; the faulthandler backstop ends a
run stuck inside C code, where the signal handler cannot run.
"""

from __future__ import annotations

import faulthandler
import signal
from contextlib import contextmanager


class Hung(BaseException):
    """The block ran past its liveness bound."""


@contextmanager
def liveness(seconds: int, what: str = "still running"):
    def ring(*_):
        raise Hung(f"{what} after {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds * 2, exit=True)
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, old)
