"""Text edits in bytes: what a change to a document did, in the terms the incremental re-scan and
the inserted-block tracker need. Part of the documents layer (no rules involved), so the rules
engine and the language server both read it from here."""

from __future__ import annotations

from typing import Iterable, NamedTuple


class ByteEdit(NamedTuple):
    """One text change: bytes [start, old_end) became [start, new_end)."""

    start: int
    old_end: int
    new_end: int


def shift_range(start: int, end: int, edits: Iterable[ByteEdit], *, touching: bool = False) -> tuple[int, int] | None:
    """[start, end) mapped through the edits in order; None when an edit overlaps it, and with
    `touching` also when an edit only touches one of its ends (an insert there may extend a
    syntax node, while a finding's span stays where it was)."""
    for e in edits:
        if end < e.start or (end == e.start and not touching):
            continue
        if start > e.old_end or (start == e.old_end and not touching):
            d = e.new_end - e.old_end
            start, end = start + d, end + d
            continue
        return None
    return start, end


def edited_ranges(edits: list[ByteEdit]) -> list[tuple[int, int]]:
    """Where each edit's new text ends up after all later edits (final coordinates)."""
    out: list[tuple[int, int]] = []
    for i, e in enumerate(edits):
        lo, hi = e.start, e.new_end
        for later in edits[i + 1 :]:
            # Grow to cover a later edit that overlaps or touches, then shift.
            if hi < later.start:
                continue
            if lo > later.old_end:
                d = later.new_end - later.old_end
                lo, hi = lo + d, hi + d
                continue
            lo = min(lo, later.start)
            hi = max(hi + later.new_end - later.old_end, later.new_end)
        out.append((lo, hi))
    return out
