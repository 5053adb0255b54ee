"""Small edit builders shared by the quick fixes of several languages."""

from __future__ import annotations

from redline.documents.source import SourceFile
from redline.findings import TextEdit


def delete_range(file: SourceFile, start: int, end: int, allow_semicolon: bool = False) -> TextEdit:
    """Delete bytes [start, end); the whole line when nothing else stands on it (a lone `;` after
    the range counts as nothing when `allow_semicolon`, for Go)."""
    src = file.text
    line_start = src.rfind(b"\n", 0, start) + 1
    line_end = src.find(b"\n", end)
    line_end = len(src) if line_end == -1 else line_end
    rest = (b"", b";") if allow_semicolon else (b"",)
    if src[line_start:start].strip() == b"" and src[end:line_end].strip() in rest:
        return TextEdit(file.span(line_start, min(line_end + 1, len(src))), "")
    return TextEdit(file.span(start, end), "")
