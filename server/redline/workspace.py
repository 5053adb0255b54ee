"""The files of a workspace: scanning them (which files, in which batches, the summary), and
which files' findings depend on which other files (`ReadIndex`).

Protocol-free, so that any front end can drive it: the language server's
`redline.scanWorkspace` command runs it with its worker process doing the work
(`redline.lsp.worker.discover` / `scan_files`) and publishes what comes back. The caller hands
in how to run a step (`find`, `scan_batch`, both awaitable) and what to do with each file's
result (`take`); this module decides the order and keeps the count.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Protocol, Sequence

from redline.config import Config

BATCH = 16  # files per call into the worker: big enough to amortise the call, small enough to cancel


class FileResult(Protocol):
    path: str
    count: int  # findings
    skipped: str | None
    errors: list[tuple[str, str]]


@dataclass
class ScanSummary:
    files: int = 0
    findings: int = 0
    skipped: int = 0
    errors: int = 0
    cancelled: bool = False
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def discover(root: str, config: Config, max_files: int, exclude_paths: Sequence[str]) -> tuple[list[str], int, bool]:
    """Files under `root` a workspace scan looks at (honouring .gitignore, `exclude` and the size
    limit), except `exclude_paths`: (paths, how many were skipped, whether `max_files` cut the
    list short)."""
    from redline import files

    skip = set(exclude_paths)
    paths: list[str] = []
    skipped = 0
    for item in files.Walker(Path(root), config).walk([Path(root)]):
        if isinstance(item, files.Skipped):
            if item.kind not in files.SkipKind.ROUTINE:
                skipped += 1
            continue
        p = str(item)
        if p in skip:
            continue
        if len(paths) >= max_files:
            return paths, skipped, True
        paths.append(p)
    return paths, skipped, False


def batches(
    found: Sequence[tuple[str, Path]], config_for: Callable[[str], Config], size: int = BATCH
) -> list[tuple[str, Config, list[str]]]:
    """(root, config, paths) batches of at most `size` files, one configuration per batch."""
    groups: dict[tuple[str, Config], list[str]] = {}
    for path, root in found:
        groups.setdefault((str(root), config_for(path)), []).append(path)
    return [
        (root, config, paths[i : i + size]) for (root, config), paths in groups.items() for i in range(0, len(paths), size)
    ]


async def scan(
    roots: Sequence[Path],
    *,
    config_for: Callable[[str], Config],
    find: Callable[[str, Config], Awaitable[tuple[list[str], int, bool]]],
    scan_batch: Callable[[str, Config, list[str]], Awaitable[Sequence[FileResult]]],
    take: Callable[[FileResult], bool],
    cancelled: Callable[[], bool] = lambda: False,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ScanSummary:
    """Scan every file under `roots`. `find(root, config)` lists a root's files (see `discover`),
    `scan_batch(root, config, paths)` analyses a batch, `take(result)` uses one file's result
    and says whether its findings count (False: the file is open, its own diagnostics win).
    Stops between batches once `cancelled()`; `progress(done, total)` after each."""
    summary = ScanSummary()
    found: list[tuple[str, Path]] = []
    for root in roots:
        paths, skipped, truncated = await find(str(root), config_for(str(root / "_")))
        summary.skipped += skipped
        summary.truncated |= truncated
        found.extend((p, root) for p in paths)
    total = len(found)
    progress(0, total)
    for root, config, paths in batches(found, config_for):
        if cancelled():
            summary.cancelled = True
            return summary
        results = await scan_batch(root, config, paths)
        if cancelled():  # cancelled while this batch ran: stop without it
            summary.cancelled = True
            return summary
        for result in results:
            summary.skipped += bool(result.skipped)
            summary.errors += len(result.errors)
            if take(result):
                summary.findings += result.count
        summary.files += len(paths)
        progress(summary.files, total)
    return summary


# Files whose changes can change the findings of other files: Java classes (a call into another
# class of the project is summarised in that class's file) and the properties files Java code
# reads algorithm names from. Editors are asked to report changes to these (didChangeWatchedFiles).
CROSS_FILE_GLOBS = ("**/*.java", "**/*.properties")


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


class ReadIndex:
    """Which analyzed files read which other files of the project while they were analyzed (the
    dataflow engine's summaries of calls into other classes, properties files; see
    `redline.rules.predicates.taint_core.take_external_reads`), so that a change to one file
    tells whose findings may have changed. Paths are compared resolved (symbolic links)."""

    def __init__(self) -> None:
        self._reads: dict[str, set[str]] = {}  # reader (as given) -> files it read (resolved)

    def note(self, reader: str, reads: Iterable[str], replace: bool) -> None:
        """What an analysis of `reader` read: all of it (`replace`, a full analysis) or some
        (an incremental one re-ran part of the file: add to what is known)."""
        found = {_real(p) for p in reads}
        if replace:
            if found:
                self._reads[reader] = found
            else:
                self._reads.pop(reader, None)
        elif found:
            self._reads.setdefault(reader, set()).update(found)

    def forget(self, reader: str) -> None:
        self._reads.pop(reader, None)

    def reads(self, reader: str) -> frozenset[str]:
        return frozenset(self._reads.get(reader, ()))

    def readers_of(self, paths: Iterable[str]) -> set[str]:
        """The readers that read any of `paths`, except those paths themselves."""
        changed = {_real(p) for p in paths}
        return {r for r, read in self._reads.items() if read & changed and _real(r) not in changed}
