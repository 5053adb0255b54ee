"""Inserted blocks: code that arrived in one go (a paste, an accepted completion, an agent's edit).

A single content change of a didChange that inserts at least `min_lines` lines, or at least
`CHARS_PER_LINE * min_lines` characters on fewer lines (a long one-liner), is remembered as a
`Block` (a byte range of the document). Typing never makes one: each keystroke is its own small
change. Blocks are then kept mapped through every later edit:

- an edit wholly before a block (or an insertion at its first byte) moves it;
- an edit wholly after it (or an insertion at its end) leaves it alone;
- an edit inside it, or overlapping one of its ends, grows or shrinks it (the text the edit puts
  there counts as part of the block);
- an edit that removes all of it drops it, and so does one that leaves only white space;
- blocks that overlap are merged into one (it keeps the oldest id).

A whole-document change (clients that sync the full text), and a large replacement, is first
reduced to the span that differs (common prefix and suffix), so that a keystroke is still a
keystroke and a paste still a paste; a replacement counts only the lines it brings that were not
among those it replaced (a formatter's edit of the whole file makes no block). Leading and
trailing white space of the inserted text is not part of the block, so that the block starts on
its first line of code.

Pure functions over bytes and edits; the session keeps one tuple of blocks per open document, in
memory only (dropped on close).
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

from redline.documents.edits import ByteEdit

CHARS_PER_LINE = 50  # with the default 8 lines: 400 characters
_SPACE = b" \t\r\n\f\v"


class Block(NamedTuple):
    id: str
    start: int  # byte offsets in the document, [start, end)
    end: int


class Edit(NamedTuple):
    """One content change as bytes: its `ByteEdit` and the text it put there; `whole`: it
    replaced the whole document (a change without a range)."""

    edit: ByteEdit
    text: bytes
    whole: bool = False


def is_large(text: bytes, min_lines: int) -> bool:
    """Whether inserting `text` at once makes a block."""
    stripped = text.strip(_SPACE)
    if not stripped:
        return False
    lines = stripped.count(b"\n") + 1
    if lines >= min_lines:
        return True
    return len(stripped.decode("utf-8", "replace")) >= CHARS_PER_LINE * min_lines


def minimal_edit(old: bytes, new: bytes) -> ByteEdit:
    """The smallest single edit turning `old` into `new` (common prefix and suffix kept)."""
    n = min(len(old), len(new))
    lo = 0
    # Compare in chunks first: full-sync clients send the whole text on every keystroke.
    step = 4096
    while lo + step <= n and old[lo : lo + step] == new[lo : lo + step]:
        lo += step
    while lo < n and old[lo] == new[lo]:
        lo += 1
    hi = 0
    limit = n - lo
    while hi + step <= limit and old[len(old) - hi - step : len(old) - hi] == new[len(new) - hi - step : len(new) - hi]:
        hi += step
    while hi < limit and old[len(old) - hi - 1] == new[len(new) - hi - 1]:
        hi += 1
    return ByteEdit(lo, len(old) - hi, len(new) - hi)


def map_block(block: Block, e: ByteEdit) -> Block | None:
    """`block` after edit `e` (see the module docstring); None when the edit removed it."""
    s, t = block.start, block.end
    a, b, c = e
    delta = c - b
    if a == b:  # an insertion
        if a <= s:
            return block._replace(start=s + delta, end=t + delta)
        if a >= t:
            return block
        return block._replace(end=t + delta)
    if b <= s:
        return block._replace(start=s + delta, end=t + delta)
    if a >= t:
        return block
    if a <= s and b >= t:
        return None  # removed entirely (or replaced: a large new text makes a block of its own)
    start = min(s, a)
    end = c if b >= t else t + delta
    return block._replace(start=start, end=end) if start < end else None


def _trim(data: bytes, start: int, end: int) -> tuple[int, int]:
    while start < end and data[start] in _SPACE:
        start += 1
    while end > start and data[end - 1] in _SPACE:
        end -= 1
    return start, end


def merge(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """Blocks sorted by start, overlapping ones merged (the merged block keeps the oldest id)."""
    out: list[Block] = []
    for b in sorted(blocks, key=lambda b: (b.start, b.end)):
        if out and b.start < out[-1].end:
            last = out[-1]
            keep = last.id if _age(last.id) <= _age(b.id) else b.id
            out[-1] = Block(keep, last.start, max(last.end, b.end))
        else:
            out.append(b)
    return tuple(out)


def _age(block_id: str) -> int:
    try:
        return int(block_id.lstrip("b"))
    except ValueError:
        return 0


def _novel(inserted: bytes, removed: bytes) -> bytes:
    """The lines of `inserted` that were not already among the lines it replaced (a formatter
    that rewrites a whole range inserts mostly lines that were there)."""
    if not removed:
        return inserted
    old = {line.strip() for line in removed.split(b"\n")}
    return b"\n".join(line for line in inserted.split(b"\n") if line.strip() not in old)


def _hunks(old: bytes, new: bytes, base: int, min_lines: int) -> list[tuple[ByteEdit, bytes, bytes]]:
    """Replacing `old` (at byte `base`) by `new` as (edit, inserted, removed) in order, each edit
    in the coordinates left by the previous: the span that differs, split by a line diff when
    both sides of it are several lines long (a formatter's edit of a whole file)."""
    m = minimal_edit(old, new)
    removed, inserted = old[m.start : m.old_end], new[m.start : m.new_end]
    at = base + m.start
    if removed.count(b"\n") < 2 or inserted.count(b"\n") < min(min_lines, 2):
        return [(ByteEdit(at, at + len(removed), at + len(inserted)), inserted, removed)]
    import difflib

    a, b = removed.splitlines(keepends=True), inserted.splitlines(keepends=True)
    a_off, b_off = [0], [0]
    for line in a:
        a_off.append(a_off[-1] + len(line))
    for line in b:
        b_off.append(b_off[-1] + len(line))
    out = []
    shift = 0  # bytes added by the hunks before (their edits are already applied)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        start = at + a_off[i1] + shift
        gone, put = removed[a_off[i1] : a_off[i2]], inserted[b_off[j1] : b_off[j2]]
        out.append((ByteEdit(start, start + len(gone), start + len(put)), put, gone))
        shift += len(put) - len(gone)
    return out


def track(
    blocks: Sequence[Block], before: bytes, edits: Sequence[Edit], after: bytes, min_lines: int, new_id
) -> tuple[Block, ...]:
    """`blocks` of a document holding `before`, after `edits` (in order, each in the coordinates
    left by the previous ones) turned it into `after`; a large insertion adds a block with id
    `new_id()`. A replacement is first reduced to the span that differs, and counts as large
    only by the lines it brings that were not in the text it replaced."""
    needs_text = [e.whole or (e.edit.old_end > e.edit.start and is_large(e.text, min_lines)) for e in edits]
    data = before if any(needs_text) else None
    current = list(blocks)
    for i, e in enumerate(edits):
        parts = [(e.edit, e.text, b"")]
        if needs_text[i]:
            assert data is not None
            old = data if e.whole else data[e.edit.start : e.edit.old_end]
            parts = _hunks(old, e.text, 0 if e.whole else e.edit.start, min_lines)
        for edit, text, removed in parts:
            mapped = [m for b in current if (m := map_block(b, edit)) is not None]
            if is_large(_novel(text, removed), min_lines):
                lead = len(text) - len(text.lstrip(_SPACE))
                trail = len(text) - len(text.rstrip(_SPACE))
                mapped.append(Block(new_id(), edit.start + lead, edit.new_end - trail))
            current = list(merge(mapped))
        if data is not None and i < len(edits) - 1:
            data = e.text if e.whole else data[: e.edit.start] + e.text + data[e.edit.old_end :]
    out = []
    for b in current:
        start, end = _trim(after, max(0, min(b.start, len(after))), max(0, min(b.end, len(after))))
        if start < end:
            out.append(b._replace(start=start, end=end))
    return merge(out)


def contains(block: Block, start: int, end: int) -> bool:
    """Whether a finding spanning bytes [start, end) lies (at least partly) in the block."""
    return start < block.end and end > block.start if end > start else block.start <= start < block.end


def block_of(blocks: Sequence[Block], start: int, end: int) -> Block | None:
    for b in blocks:
        if contains(b, start, end):
            return b
    return None
