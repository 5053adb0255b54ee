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


def test_slow_scans_do_not_pile_up_bandit_syntax_trees():
    """bandit's trees are reference cycles; the worker collects them after each job rather than
    letting them pile up until the cyclic GC gets round to it (it grew 54 -> 73 MB over 50 files,
    58 MB with the collection). bandit itself keeps its last tree alive."""
    import ast
    import gc

    from redline.config import Config
    from redline.lsp import worker

    def alive() -> int:
        return sum(isinstance(o, ast.Module) for o in gc.get_objects())

    gc.collect()
    before = alive()
    gc.disable()  # as if the cyclic GC had not run yet: only the jobs' own collections count
    try:
        for i in range(3):
            _findings, errors = worker.slow_scan(
                f"/tmp/job{i}.py", "python", b"import pickle\n\ndef f(x):\n    return pickle.loads(x)\n" * 50, Config()
            )
            assert not errors
        assert alive() <= before + 1
    finally:
        gc.enable()
