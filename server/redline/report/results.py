"""What the writers print: findings with 1-based positions, masked source lines, per-file facts.

Positions in `Finding` are byte based; reports want 1-based lines and columns counted in
characters (text and JSON) or UTF-16 code units (SARIF's default `columnKind`). They are computed
where the source is at hand (`file_result`, which runs in the worker process), so that the
writers never read files again.

Secrets never appear whole in any output: wherever a finding about a credential (RL2xx, the
secrets engines, or a hard-coded-credential CWE) covers part of a line, that part of every excerpt
of the line is masked (see `mask_line`); a secret value found by the secrets engines is also
masked wherever another finding's message quotes it, and values quoted in the messages of
imported engines' credential findings (bandit's "Possible hardcoded password: '...'") are masked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from redline.findings import Finding, Severity

SECRET_ENGINES = frozenset({"detect-secrets", "secrets"})
IMPORTED_ENGINES = frozenset({"bandit", "detect-secrets"})  # their messages are not redacted
SECRET_CWES = frozenset({259, 321, 798})  # hard-coded password, key, credentials
MASK = "*"
KEEP_PREFIX = 4  # characters of a long secret left visible, to recognise it
MAX_EXCERPT = 200  # characters of a source line shown around a finding


def is_secret(f: Finding) -> bool:
    """A finding whose flagged text may be a credential."""
    return f.code.startswith("RL2") or f.engine in SECRET_ENGINES or bool(SECRET_CWES.intersection(f.cwe))


def _is_secret_value(f: Finding) -> bool:
    """A finding whose span is the secret value itself (not, say, the name of the setting)."""
    return f.code.startswith("RL2") or f.engine in SECRET_ENGINES


@dataclass(frozen=True, slots=True)
class Position:
    """1-based lines; columns 1-based, end exclusive, in characters and in UTF-16 code units."""

    line: int
    column: int
    end_line: int
    end_column: int
    column_utf16: int
    end_column_utf16: int


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The start line of a finding, as shown under it: `text` (masked, control characters
    made visible, cut around the finding when long) and the flagged characters [start, end)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reported:
    finding: Finding
    position: Position
    excerpt: Excerpt
    related: tuple[tuple[str, Position], ...] = ()  # (message, position)
    fixes: tuple[tuple[str, bool, tuple[tuple[Position, str], ...]], ...] = ()  # (title, safe, edits)


@dataclass
class FileResult:
    path: str  # relative to the scan root, '/'-separated
    language: str
    lines: int
    findings: list[Reported] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (engine or rule, message)


@dataclass
class ScanResult:
    root: str
    files: list[FileResult]
    skipped: list = field(default_factory=list)  # redline.files.Skipped
    problems: list = field(default_factory=list)  # redline.config.Problem
    baseline_matched: int = 0  # findings hidden because the baseline has them
    baseline_used: bool = False
    seconds: float = 0.0

    @property
    def findings(self) -> list[tuple[FileResult, Reported]]:
        return [(fr, r) for fr in self.files for r in fr.findings]

    @property
    def lines(self) -> int:
        return sum(fr.lines for fr in self.files)

    def count_by_severity(self) -> dict[Severity, int]:
        out = {s: 0 for s in Severity}
        for _fr, r in self.findings:
            out[r.finding.severity] += 1
        return out


# ---------------------------------------------------------------- positions


class LineIndex:
    """Byte offsets <-> 1-based (line, character column, UTF-16 column) for one source."""

    def __init__(self, text: bytes, line_starts: list[int]):
        self.text = text
        self.starts = line_starts
        self._decoded: dict[int, str] = {}

    def line_bytes(self, row: int) -> bytes:
        if row >= len(self.starts):
            return b""
        start = self.starts[row]
        end = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip(b"\r\n")

    def line(self, row: int) -> str:
        s = self._decoded.get(row)
        if s is None:
            s = self._decoded[row] = self.line_bytes(row).decode("utf-8", "replace")
        return s

    def columns(self, row: int, byte_col: int) -> tuple[int, int]:
        """0-based (character, UTF-16) columns of a byte column on `row`."""
        prefix = self.line_bytes(row)[:byte_col].decode("utf-8", "replace")
        if prefix.isascii():
            return len(prefix), len(prefix)
        return len(prefix), sum(2 if ord(c) > 0xFFFF else 1 for c in prefix)

    def position(self, start: tuple[int, int], end: tuple[int, int]) -> Position:
        (sr, sc), (er, ec) = start, end
        c, c16 = self.columns(sr, sc)
        e, e16 = self.columns(er, ec)
        return Position(sr + 1, c + 1, er + 1, e + 1, c16 + 1, e16 + 1)


# ---------------------------------------------------------------- excerpts


def _visible(ch: str) -> str:
    """Control and bidirectional-override characters shown as '?' so that a source line can
    neither drive the terminal nor reorder what the reader sees (Trojan Source)."""
    if ch == "\t":
        return ch
    cat = unicodedata.category(ch)
    if cat == "Cc" or cat == "Cf" and ch not in "\u200d":  # keep the emoji joiner
        return "?"
    return ch


def mask_value(value: str) -> str:
    keep = KEEP_PREFIX if len(value) >= 16 else 0
    return value[:keep] + MASK * (len(value) - keep)


_QUOTED = re.compile(r"""(['"])([^'"\n]{4,})\1""")


def redact_message(f: Finding, values: list[str]) -> Finding:
    """`f` with known secret values (and, for imported engines' credential findings, any quoted
    value) masked in its message."""
    message = f.message
    for v in values:
        if v in message:
            message = message.replace(v, mask_value(v))
    if f.engine in IMPORTED_ENGINES and SECRET_CWES.intersection(f.cwe):
        message = _QUOTED.sub(lambda m: m[1] + mask_value(m[2]) + m[1], message)
    return f if message == f.message else replace(f, message=message)


def mask_line(line: str, spans: list[tuple[int, int]]) -> str:
    """`line` with the character ranges in `spans` masked (all but a short prefix of long ones)."""
    if not spans:
        return line
    chars = list(line)
    for start, end in spans:
        start, end = max(0, start), min(len(chars), end)
        chars[start:end] = mask_value("".join(chars[start:end]))
    return "".join(chars)


def _secret_spans(index: LineIndex, findings: list[Finding]) -> dict[int, list[tuple[int, int]]]:
    """Row -> character ranges covered by secrets findings on that row."""
    out: dict[int, list[tuple[int, int]]] = {}
    for f in findings:
        # Imported engines' credential findings point at the setting's name, not the value:
        # their values are masked through the quotes in their messages (_secret_values).
        if not is_secret(f) or (f.engine in IMPORTED_ENGINES and not _is_secret_value(f)):
            continue
        (sr, sc), (er, ec) = f.span.start_point, f.span.end_point
        for row in range(sr, er + 1):
            start = index.columns(row, sc)[0] if row == sr else 0
            end = index.columns(row, ec)[0] if row == er else len(index.line(row))
            if end <= start and row == sr == er:
                end = len(index.line(row))  # an empty span: hide the whole line
            out.setdefault(row, []).append((start, end))
    return out


def excerpt(index: LineIndex, pos: Position, masks: list[tuple[int, int]], values: list[str] = ()) -> Excerpt:
    row = pos.line - 1
    raw = index.line(row)
    for v in values:  # a secret value known from a message may sit outside every span
        start = raw.find(v)
        while start != -1:
            masks = [*masks, (start, start + len(v))]
            start = raw.find(v, start + len(v))
    line = mask_line(raw, masks)
    start = pos.column - 1
    end = pos.end_column - 1 if pos.end_line == pos.line else len(line)
    end = max(end, start + 1)
    lo = 0
    if len(line) > MAX_EXCERPT:
        lo = max(0, min(start - MAX_EXCERPT // 4, len(line) - MAX_EXCERPT))
        hi = lo + MAX_EXCERPT
        cut = line[lo:hi]
        prefix = "…" if lo else ""
        line = prefix + cut + ("…" if hi < len(index.line(row)) else "")
        start, end = start - lo + len(prefix), min(end - lo, hi - lo) + len(prefix)
    text = "".join(_visible(c) for c in line)
    return Excerpt(text, start, max(end, start + 1))


def file_result(path: str, file, findings: list[Finding], errors: list[tuple[str, str]], lines: int) -> FileResult:
    """Report-ready results for one scanned `file` (a SourceFile) shown as `path`."""
    if not findings:
        return FileResult(path, file.language, lines, [], list(errors))
    index = LineIndex(file.text, file.line_starts)
    secrets = _secret_spans(index, findings) if any(is_secret(f) for f in findings) else {}
    values: list[str] = []
    if secrets:
        values = sorted(_secret_values(file.text, findings), key=len, reverse=True)
        findings = [redact_message(f, values) for f in findings]
    reported = []
    for f in findings:
        pos = index.position(f.span.start_point, f.span.end_point)
        related = tuple((r.message, index.position(r.span.start_point, r.span.end_point)) for r in f.related)
        fixes = tuple(
            (fx.title, fx.safe, tuple((index.position(te.span.start_point, te.span.end_point), te.new_text) for te in fx.edits))
            for fx in f.fixes
        )
        reported.append(Reported(f, pos, excerpt(index, pos, secrets.get(pos.line - 1, []), values), related, fixes))
    return FileResult(path, file.language, lines, reported, list(errors))


def _span_text(text: bytes, f: Finding) -> str:
    return text[f.span.start_byte : f.span.end_byte].decode("utf-8", "replace")


def _secret_values(text: bytes, findings: list[Finding]) -> set[str]:
    """Secret values to mask wherever they appear: the spans of the secrets engines' findings
    and the values imported engines quote in their credential messages."""
    out = set()
    for f in findings:
        if _is_secret_value(f):
            out.add(_span_text(text, f).strip("'\"`"))
        elif f.engine in IMPORTED_ENGINES and SECRET_CWES.intersection(f.cwe):
            out.update(m[2] for m in _QUOTED.finditer(f.message))
    return {v for v in out if len(v) >= 4}


# ---------------------------------------------------------------- text helpers shared by writers


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters 2, combining marks 0."""
    if text.isascii():
        return len(text)
    w = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def sanitize(text: str) -> str:
    """A message safe to print on a terminal (no control characters but newlines)."""
    return "".join(c if c == "\n" else _visible(c) for c in text)
