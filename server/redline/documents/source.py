"""A source file as every engine sees it: path, language, bytes, tree and line starts."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from redline.documents.positions import Columns, Encoding
from redline.findings import Span


def line_starts_of(text: bytes) -> list[int]:
    """Byte offsets where each line starts. Line ends are \\n, \\r\\n and a lone \\r (as in LSP)."""
    starts = [0]
    if b"\r" not in text:
        find = text.find
        i = find(b"\n")
        while i != -1:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        return starts
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == 0x0A:
            starts.append(i + 1)
        elif c == 0x0D:
            if i + 1 < n and text[i + 1] == 0x0A:
                i += 1
            starts.append(i + 1)
        i += 1
    return starts


@dataclass
class SourceFile:
    """One file to scan. `tree` is None for languages without a grammar or when parsing failed."""

    path: str
    language: str
    text: bytes
    tree: object | None = None
    _line_starts: list[int] | None = field(default=None, repr=False)
    # False when the text is known to hold no suppression marker (rules/suppressions.py), so
    # that the language server does not search a large file for them on every keystroke.
    markers: bool | None = None
    _columns: Columns | None = field(default=None, repr=False, compare=False)

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = line_starts_of(self.text)
        return self._line_starts

    def position(self, offset: int, encoding: Encoding) -> tuple[int, int]:
        """LSP (line, character) of a byte offset, through a per-line column index (cached),
        so that many offsets on one long line cost no more than on short ones."""
        if self._columns is None:
            self._columns = Columns(self.text, self.line_starts)
        return self._columns.position(offset, encoding)

    def point_of(self, offset: int) -> tuple[int, int]:
        """(row, byte column) of a byte offset."""
        starts = self.line_starts
        row = bisect_right(starts, offset) - 1
        return row, offset - starts[row]

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.point_of(start), self.point_of(end))

    def line_span(self, row: int) -> Span:
        """The span of line `row` without its line ending."""
        starts = self.line_starts
        start = starts[row]
        end = starts[row + 1] if row + 1 < len(starts) else len(self.text)
        while end > start and self.text[end - 1 : end] in (b"\n", b"\r"):
            end -= 1
        return self.span(start, end)

    def line(self, row: int) -> bytes:
        s = self.line_span(row)
        return self.text[s.start_byte : s.end_byte]

    @property
    def line_count(self) -> int:
        return len(self.line_starts)
