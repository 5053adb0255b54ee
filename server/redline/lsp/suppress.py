"""The text edits behind "suppress RLxxx on this line" and "suppress RLxxx in this file".

Both write the comment syntax `redline.rules.suppressions` reads, in the language's own comment
style (`redline.languages`): `# redline: ignore[RL101] <reason>`, `// redline: ignore[...]`,
`<!-- redline: ignore[...] -->`. Where the line already carries a `redline: ignore[...]` the
code is added to its list instead of writing a second comment.

A comment appended at the end of a line is wrong where the line ends inside a string (a
multi-line SQL literal), after a line continuation (`\\`), or inside a YAML block scalar: there
the comment goes on a line of its own above the flagged line, which suppresses the next line.
Pure functions over a `SourceFile`; the result is a byte-range replacement. An existing marker is
found by the suppression parser itself (a linear scanner that only reads real comments), so the
edit extends a marker that counts, never one inside a string or a malformed one.
"""

from __future__ import annotations

from typing import NamedTuple

from redline import languages as langs
from redline.documents.source import SourceFile
from redline.findings import LIMIT_CODE, Finding
from redline.rules.suppressions import FILE_HEADER_LINES, MALFORMED_CODE, Marker, scan_markers

# Reports no comment can hide: a malformed marker (fix the marker) and the summary of findings left
# out by the per-file cap (it is no finding of a line). Offering to suppress them would write a
# comment that does nothing.
UNSUPPRESSIBLE = frozenset({MALFORMED_CODE, LIMIT_CODE})

REASON = "<reason>"
# Node types whose inside is text, not code: a comment there would change the program.
_TEXTUAL = ("string", "comment", "scalar", "heredoc", "template", "raw_text", "text_block")


class ByteReplace(NamedTuple):
    start: int
    end: int
    new_text: str


def _comment(language: str, body: str) -> str | None:
    spec = langs.LANGUAGES.get(language)
    if spec is None:
        return f"# {body}"
    if spec.comment:
        return f"{spec.comment} {body}"
    if spec.block_comment:
        return f"{spec.block_comment[0]} {body} {spec.block_comment[1]}"
    return None


def _line_bounds(file: SourceFile, row: int) -> tuple[int, int, bytes]:
    """Start, end (before the line break) and the line break of LSP line `row`."""
    starts = file.line_starts
    start = starts[row]
    nxt = starts[row + 1] if row + 1 < len(starts) else len(file.text)
    end = nxt
    while end > start and file.text[end - 1 : end] in (b"\n", b"\r"):
        end -= 1
    newline = file.text[end:nxt] or _default_newline(file.text)
    return start, end, newline


def _default_newline(text: bytes) -> bytes:
    i = text.find(b"\n")
    if i > 0 and text[i - 1 : i] == b"\r":
        return b"\r\n"
    return b"\n"


def _row_of(file: SourceFile, offset: int) -> int:
    return file.point_of(offset)[0]


def _inside_text(file: SourceFile, offset: int) -> bool:
    """True when `offset` lies strictly inside a string, comment or scalar node."""
    tree = file.tree
    if tree is None:
        return False
    node = tree.root_node.descendant_for_byte_range(offset, offset)
    while node is not None:
        if node.start_byte < offset < node.end_byte and any(t in node.type for t in _TEXTUAL):
            return True
        node = node.parent
    return False


def _existing(file: SourceFile, rows: range, kind: str) -> Marker | None:
    """The first well-formed `redline: <kind>[...]` marker in a comment on `rows`."""
    for m in scan_markers(file, rows):
        if m.kind == kind and m.problem is None and m.list_span is not None:
            return m
    return None


def _add_code(file: SourceFile, marker: Marker, code: str) -> ByteReplace | None:
    start, end = marker.list_span
    items = [s.strip() for s in file.text[start:end].decode("utf-8", "replace").split(",") if s.strip()]
    if code in (i.upper() for i in items):
        return None
    return ByteReplace(start, end, ", ".join([*items, code]) if items else code)


def line_suppression(file: SourceFile, finding: Finding, reason: str = REASON) -> ByteReplace | None:
    """The edit that suppresses `finding` on its line; None where the language has no comments,
    and for the report of a malformed marker (no comment can suppress it: fix the marker)."""
    if finding.code in UNSUPPRESSIBLE:
        return None
    body = f"redline: ignore[{finding.code}] {reason}".rstrip()
    comment = _comment(file.language, body)
    if comment is None:
        return None
    row = _row_of(file, finding.span.start_byte)
    start, end, newline = _line_bounds(file, row)
    line = file.text[start:end]
    existing = _existing(file, range(row, row + 1), "ignore")
    if existing:
        return _add_code(file, existing, finding.code)
    if row > 0:
        above = _existing(file, range(row - 1, row), "ignore")
        if above and above.alone:
            return _add_code(file, above, finding.code)
    ends_open = line.rstrip().endswith(b"\\") or _inside_text(file, end)
    if not ends_open:
        gap = "  " if file.language == "python" else " "
        return ByteReplace(end, end, (gap if line.strip() else "") + comment)
    if _inside_text(file, start):
        return None  # the line starts and ends inside a literal: nowhere to put a comment
    indent = line[: len(line) - len(line.lstrip())].decode("utf-8", "replace")
    return ByteReplace(start, start, indent + comment + newline.decode())


def _header_insert_row(file: SourceFile) -> int:
    """First row after a shebang, a Python encoding line or an XML declaration."""
    row = 0
    for _ in range(2):
        if row >= file.line_count:
            break
        start, end, _nl = _line_bounds(file, row)
        line = file.text[start:end]
        if (
            (row == 0 and line.startswith(b"#!"))
            or (line.lstrip(b" \t\f").startswith(b"#") and (b"coding:" in line or b"coding=" in line))
            or (row == 0 and line.startswith(b"<?xml"))
        ):
            row += 1
            continue
        break
    return row


def file_suppression(file: SourceFile, code: str, reason: str = REASON) -> ByteReplace | None:
    """The edit that suppresses rule `code` in the whole file; None without comment syntax, and
    for the report of a malformed marker."""
    if code in UNSUPPRESSIBLE:
        return None
    comment = _comment(file.language, f"redline: ignore-file[{code}] {reason}".rstrip())
    if comment is None:
        return None
    existing = _existing(file, range(min(FILE_HEADER_LINES, file.line_count)), "ignore-file")
    if existing:
        return _add_code(file, existing, code)
    row = _header_insert_row(file)
    newline = _default_newline(file.text).decode()
    if row >= file.line_count or (row > 0 and file.line_starts[row] >= len(file.text)):
        # Shebang-only (or empty) file: append after the last line.
        text = file.text
        sep = "" if not text or text.endswith((b"\n", b"\r")) else newline
        return ByteReplace(len(text), len(text), sep + comment + newline)
    at = file.line_starts[row]
    return ByteReplace(at, at, comment + newline)
