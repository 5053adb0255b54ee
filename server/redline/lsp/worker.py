"""Work done off the event loop: the slow engines and workspace scans (the files a scan looks
at come from `redline.workspace.discover`, run here too).

These functions run in a worker process (by default) or thread and take and return plain,
picklable values. A separate process keeps the slow engines' pure-Python work from holding the
interpreter lock while the event loop answers keystrokes, and keeps detect-secrets' process-wide
settings away from the server.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from redline.config import Config
from redline.findings import Finding

log = logging.getLogger(__name__)


def _release_after(fn):
    """Collect the job's garbage and hand freed memory back to the system when it returns.

    bandit's syntax trees are cycles (parent and sibling links) that wait for the cyclic GC, and
    the allocator keeps freed pages: without this the worker grew from 54 to 73 MB over 50 open
    files; with it, it stays at 58 MB (the worker idles between jobs, so the pause is free)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            gc.collect()
            _malloc_trim()

    return wrapper


def _malloc_trim() -> None:
    global _trim
    if _trim is None:
        try:
            import ctypes

            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to trim
            _trim = False
    if _trim:
        _trim(0)


_trim = None


def _bound_memory(config: Config) -> None:
    """In a worker process (not the server's own, with `workerProcess: false`), cap the address
    space at the `memory-limit` setting: an engine that runs away with memory then fails with a
    MemoryError, reported as having skipped the file. The engines' time limits (`time-limit`)
    apply wherever they run (pipeline.run_engines)."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        from redline import limits

        limits.bound_memory(config.memory_limit)


def warm_up() -> int:
    """Import what the jobs need, so the first real job does not pay for it."""
    from redline import pipeline

    pipeline.enabled_engines(Config())
    return os.getpid()


@_release_after
def slow_scan(
    path: str, language: str, text: bytes, config: Config, names: list[str] | None = None
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Raw findings (before finalize) of the engines named (default: the slow ones) for one
    document version. Parses with this thread's own parser (languages.parser)."""
    from redline import pipeline

    _bound_memory(config)
    file = pipeline.make_source(path, text, language=language)
    if file is None:
        return [], []
    if names is None:
        engines = pipeline.enabled_engines(config, slow=True)
    else:
        engines = [e for e in pipeline.enabled_engines(config) if e.name in names]
    return pipeline.run_engines(file, config, engines)


@dataclass
class FileReport:
    path: str
    uri: str
    diagnostics: list = field(default_factory=list)  # lsprotocol Diagnostics
    count: int = 0
    skipped: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


@_release_after
def scan_files(jobs: list[tuple[str, str]], root: str, config: Config, encoding, related_support: bool) -> list[FileReport]:
    """Full analysis (every enabled engine) of files on disk, as diagnostics.

    `jobs` holds (path, uri) pairs. A file that cannot be read or parsed becomes a report with
    `skipped` set; an engine failure is reported in `errors`, never raised.
    """
    from redline import files, pipeline
    from redline.lsp import convert
    from redline.rules.registry import default_registry

    registry = default_registry()
    _bound_memory(config)
    out = []
    for path, uri in jobs:
        report = FileReport(path, uri)
        try:
            source = files.read_source(Path(path), Path(root), config)
            if isinstance(source, files.Skipped):
                report.skipped = source.reason
            else:
                analysis = pipeline.analyze(source, config, slow=True)
                report.errors = list(analysis.errors)
                report.count = len(analysis.findings)
                report.diagnostics = convert.diagnostics(
                    source, analysis.findings, uri=uri, version=None, encoding=encoding,
                    registry=registry, related_support=related_support,
                )
        except Exception as e:  # noqa: BLE001 - one bad file must not end the scan
            log.exception("scanning %s failed", path)
            report.errors.append(("scan", f"{type(e).__name__}: {e}"))
        out.append(report)
    return out
