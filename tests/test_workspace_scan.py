"""redline.workspace.scan: the order, batching, counting and cancelling of a workspace scan,
with the steps (finding files, scanning a batch) handed in as a front end does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from redline.config import Config
from redline.workspace import BATCH, batches, scan


@dataclass
class Result:
    path: str
    count: int = 1
    skipped: str | None = None
    errors: list = field(default_factory=list)


def _scan(roots, files, cancel_after=None, taken=None):
    calls: list[list[str]] = []

    async def find(root, config):
        found = files[root]
        return found, 2, len(found) > 100

    async def scan_batch(root, config, paths):
        calls.append(paths)
        return [Result(p, skipped="too big" if p.endswith("big.py") else None, errors=[("x", "y")] if "bad" in p else [])
                for p in paths]

    def cancelled():
        return cancel_after is not None and len(calls) >= cancel_after

    summary = asyncio.run(scan(
        [Path(r) for r in roots], config_for=lambda p: Config(), find=find, scan_batch=scan_batch,
        take=lambda r: taken is None or r.path not in taken, cancelled=cancelled,
    ))
    return summary, calls


def test_every_file_is_scanned_once_in_batches_and_counted():
    files = {"/w": [f"/w/f{i}.py" for i in range(BATCH + 3)] + ["/w/big.py", "/w/bad.py"]}
    summary, calls = _scan(["/w"], files, taken={"/w/f0.py"})  # f0.py is open: its findings are its own
    assert [len(c) for c in calls] == [BATCH, 5]
    assert sorted(p for c in calls for p in c) == sorted(files["/w"])
    assert (summary.files, summary.skipped, summary.errors) == (BATCH + 5, 2 + 1, 1)
    assert summary.findings == BATCH + 4 and not summary.cancelled and not summary.truncated


def test_a_cancelled_scan_stops_between_batches():
    files = {"/w": [f"/w/f{i}.py" for i in range(3 * BATCH)]}
    summary, calls = _scan(["/w"], files, cancel_after=1)
    assert len(calls) == 1 and summary.cancelled and summary.files == 0  # the batch that ran is dropped


def test_batches_hold_one_configuration_each():
    strict = Config(min_confidence=Config().min_confidence, select=("RL1",))
    found = [("/a/x.py", Path("/a")), ("/a/strict/y.py", Path("/a")), ("/a/z.py", Path("/a"))]
    out = batches(found, lambda p: strict if "/strict/" in p else Config(), size=BATCH)
    assert [(root, paths) for root, _config, paths in out] == [("/a", ["/a/x.py", "/a/z.py"]), ("/a", ["/a/strict/y.py"])]
    assert out[1][1] == strict
