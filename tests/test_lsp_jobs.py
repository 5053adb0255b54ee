"""The background worker runs at a lower scheduling priority than the server (lsp/jobs.py)."""

from __future__ import annotations

import os

from redline.lsp import jobs


def _niceness() -> int:
    return os.nice(0)


def test_the_worker_process_runs_below_the_server():
    pool = jobs.Jobs(use_process=True)
    try:
        worker = pool._get().submit(_niceness).result(timeout=120)
    finally:
        pool.shutdown()
    assert worker == min(os.nice(0) + jobs.WORKER_NICENESS, 19)
