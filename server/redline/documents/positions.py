"""LSP positions <-> byte offsets <-> tree-sitter points.

LSP positions are (line, character) where lines end at `\\n`, `\\r\\n` or a lone `\\r`, and
`character` counts code units of the negotiated encoding (UTF-16 by default, UTF-8 or UTF-32 when
negotiated). Out-of-range positions are clamped as the specification says: a character past the
end of its line means the end of the line (before the line break), a line past the last line means
the end of the document. A character that falls inside a code point (half of a UTF-16 surrogate
pair, a byte inside a UTF-8 sequence) snaps back to the start of that code point.

Tree-sitter counts rows by `\\n` only, so its points differ from LSP lines when a file uses lone
`\\r` line ends: `ts_point` computes tree-sitter's own point for edits.
"""

from __future__ import annotations

import enum
from bisect import bisect_right


class Encoding(str, enum.Enum):
    UTF8 = "utf-8"
    UTF16 = "utf-16"
    UTF32 = "utf-32"

    @classmethod
    def negotiate(cls, offered: list[str] | None) -> "Encoding":
        """UTF-8 when the client offers it, else UTF-16 (the LSP default)."""
        if offered and cls.UTF8.value in offered:
            return cls.UTF8
        return cls.UTF16


def line_end(text: bytes, line_starts: list[int], line: int) -> int:
    """Byte offset of the end of `line`'s content, before its line break."""
    end = line_starts[line + 1] if line + 1 < len(line_starts) else len(text)
    if end > line_starts[line] and text[end - 1] == 0x0A:
        end -= 1
        if end > line_starts[line] and text[end - 1] == 0x0D:
            end -= 1
    elif end > line_starts[line] and text[end - 1] == 0x0D:
        end -= 1
    return end


def _units(ch: str, encoding: Encoding) -> int:
    cp = ord(ch)
    if encoding is Encoding.UTF16:
        return 2 if cp > 0xFFFF else 1
    if encoding is Encoding.UTF8:
        return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    return 1


def offset_at(text: bytes, line_starts: list[int], line: int, character: int, encoding: Encoding) -> int:
    """Byte offset of an LSP position, clamped to the document."""
    if line < 0 or character < 0:
        line, character = max(line, 0), max(character, 0)
    if line >= len(line_starts):
        return len(text)
    start = line_starts[line]
    end = line_end(text, line_starts, line)
    if encoding is Encoding.UTF8:
        off = min(start + character, end)
        # Snap back to the start of a UTF-8 sequence.
        while start < off < len(text) and (text[off] & 0xC0) == 0x80:
            off -= 1
        return off
    content = text[start:end]
    if content.isascii():
        return start + min(character, end - start)
    # Whole-line conversions in C rather than a Python loop per character (a keystroke at the
    # end of a 2 MB minified line cost two seconds): cut the line's code units at `character`,
    # back off half a surrogate pair (a character inside a code point snaps to its start).
    s = content.decode("utf-8", "surrogateescape")
    if encoding is Encoding.UTF32:
        prefix = s[:character]
    else:
        cut = s.encode("utf-16-le", "surrogatepass")[: 2 * character]
        if len(cut) >= 2 and 0xD8 <= cut[-1] <= 0xDB:
            cut = cut[:-2]  # a high surrogate whose pair the cut split
        prefix = cut.decode("utf-16-le", "surrogatepass")
    return start + len(prefix.encode("utf-8", "surrogateescape"))


def position_at(text: bytes, line_starts: list[int], offset: int, encoding: Encoding) -> tuple[int, int]:
    """LSP (line, character) of a byte offset (clamped to the document)."""
    offset = max(0, min(offset, len(text)))
    line = bisect_right(line_starts, offset) - 1
    start = line_starts[line]
    end = min(offset, line_end(text, line_starts, line))
    prefix = text[start:end]
    if encoding is Encoding.UTF8 or prefix.isascii():
        return line, len(prefix)
    s = prefix.decode("utf-8", "surrogateescape")
    if encoding is Encoding.UTF32:
        return line, len(s)
    return line, sum(2 if ord(c) > 0xFFFF else 1 for c in s)


CHECKPOINT = 4096  # bytes between the column checkpoints of a long non-ASCII line


class Columns:
    """Byte offset -> LSP position for one text, in time independent of how long lines are.

    `position_at` slices and decodes a line from its start, so converting many offsets on one
    long line (a minified bundle with thousands of findings on its only line) cost the square
    of its length. This keeps per line whether it is ASCII (most are: the column is the byte
    column) and, for a long non-ASCII line, the code-unit count at code-point boundaries every
    `CHECKPOINT` bytes, so each conversion decodes at most that much. Built lazily, line by
    line; valid for one text (a `SourceFile` holds one).
    """

    __slots__ = ("text", "line_starts", "_ascii", "_marks")

    def __init__(self, text: bytes, line_starts: list[int]):
        self.text = text
        self.line_starts = line_starts
        self._ascii: dict[int, bool] = {}
        # line -> (byte offsets of checkpoints, UTF-16 units before each, code points before each)
        self._marks: dict[int, tuple[list[int], list[int], list[int]]] = {}

    def position(self, offset: int, encoding: Encoding) -> tuple[int, int]:
        text, starts = self.text, self.line_starts
        offset = max(0, min(offset, len(text)))
        line = bisect_right(starts, offset) - 1
        start = starts[line]
        end = min(offset, line_end(text, starts, line))
        if encoding is Encoding.UTF8 or end <= start:
            return line, max(end - start, 0)
        ascii_line = self._ascii.get(line)
        if ascii_line is None:
            ascii_line = self._ascii[line] = text[start : line_end(text, starts, line)].isascii()
        if ascii_line:
            return line, end - start
        if end - start <= CHECKPOINT:
            return line, _count(text[start:end], encoding)
        offs, u16, u32 = self._checkpoints(line)
        k = bisect_right(offs, end) - 1
        base = u16[k] if encoding is Encoding.UTF16 else u32[k]
        return line, base + _count(text[offs[k] : end], encoding)

    def _checkpoints(self, line: int) -> tuple[list[int], list[int], list[int]]:
        marks = self._marks.get(line)
        if marks is not None:
            return marks
        text = self.text
        start = self.line_starts[line]
        stop = line_end(text, self.line_starts, line)
        offs, u16, u32 = [start], [0], [0]
        pos = start
        while pos < stop:
            nxt = min(pos + CHECKPOINT, stop)
            while nxt < stop and (text[nxt] & 0xC0) == 0x80:
                nxt -= 1  # a checkpoint never splits a UTF-8 sequence
            if nxt <= pos:
                nxt = min(pos + CHECKPOINT, stop)
            chunk = text[pos:nxt]
            u16.append(u16[-1] + _count(chunk, Encoding.UTF16))
            u32.append(u32[-1] + _count(chunk, Encoding.UTF32))
            offs.append(nxt)
            pos = nxt
        self._marks[line] = marks = (offs, u16, u32)
        return marks


def _count(chunk: bytes, encoding: Encoding) -> int:
    """Code units of `encoding` in a piece of UTF-8 (UTF-16 or UTF-32)."""
    if chunk.isascii():
        return len(chunk)
    s = chunk.decode("utf-8", "surrogateescape")
    if encoding is Encoding.UTF32:
        return len(s)
    return len(s.encode("utf-16-le", "surrogatepass")) // 2  # a lone (escape) surrogate counts 1


def ts_point(text: bytes, offset: int, line_starts: list[int] | None = None) -> tuple[int, int]:
    """Tree-sitter's (row, byte column) of an offset: rows counted by `\\n` only."""
    if line_starts is not None and b"\r" not in text:
        row = bisect_right(line_starts, offset) - 1
        return row, offset - line_starts[row]
    row = text.count(b"\n", 0, offset)
    last = text.rfind(b"\n", 0, offset)
    return row, offset - (last + 1)


def ts_point_after(start: tuple[int, int], inserted: bytes) -> tuple[int, int]:
    """Tree-sitter point at the end of `inserted` placed at `start`."""
    rows = inserted.count(b"\n")
    if rows == 0:
        return start[0], start[1] + len(inserted)
    return start[0] + rows, len(inserted) - (inserted.rfind(b"\n") + 1)
