"""The finding model shared by every engine, the CLI, the reports and the language server.

Everything here is a frozen dataclass: findings are values, safe to cache, compare and send
between processes. Positions are kept twice: byte offsets into the UTF-8 source (what
tree-sitter and edits use) and (row, byte-column) points (what tree-sitter reports). Reports
and the language server convert columns to the encoding their consumer wants.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for --fail-on and thresholds."""
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {value!r}: expected one of {', '.join(s.value for s in cls)}"
            ) from None


_SEVERITY_RANK = {Severity.HINT: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Confidence(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}[self]

    @classmethod
    def parse(cls, value: str) -> "Confidence":
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown confidence {value!r}: expected one of {', '.join(c.value for c in cls)}"
            ) from None


@dataclass(frozen=True, slots=True)
class Span:
    """A range in a source file: bytes [start_byte, end_byte) and 0-based (row, byte column) points."""

    start_byte: int
    end_byte: int
    start_point: tuple[int, int]
    end_point: tuple[int, int]

    @classmethod
    def of_node(cls, node) -> "Span":
        """The span of a tree-sitter node."""
        return cls(node.start_byte, node.end_byte, tuple(node.start_point), tuple(node.end_point))

    @property
    def start_line(self) -> int:
        return self.start_point[0]

    @property
    def end_line(self) -> int:
        return self.end_point[0]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace bytes [start_byte, end_byte) of the source with new_text."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A quick fix: a title shown in the editor and the edits that make it.

    `safe` fixes keep the program's behaviour apart from the vulnerability and may be marked
    preferred (applied by "fix all"); unsafe ones need a human to look.
    """

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = False


@dataclass(frozen=True, slots=True)
class Related:
    """A second location that explains a finding, e.g. where tainted data enters."""

    span: Span
    message: str


# The one finding that is not a rule's: "N more findings not shown in this file" (the cap on
# findings per file, pipeline.finalize), also what the tree-sitter engine adds where it stopped
# early (rules/engine.py). Not a rule in the registry: it names no weakness.
LIMIT_CODE = "RL000"
LIMIT_NAME = "findings-limit"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # RLnnn
    name: str  # kebab-case rule name
    message: str
    severity: Severity
    confidence: Confidence
    cwe: tuple[int, ...]
    span: Span
    engine: str = "redline"
    fixes: tuple[Fix, ...] = ()
    related: tuple[Related, ...] = ()
    # Extra facts for reports (e.g. bandit's test id, advisory ids); plain JSON-able values.
    properties: tuple[tuple[str, str], ...] = ()
    fingerprint: str = ""

    def with_fingerprint(self, fingerprint: str) -> "Finding":
        return self.moved(fingerprint=fingerprint)

    def moved(
        self, *, span: "Span | None" = None, fixes: "tuple[Fix, ...] | None" = None,
        related: "tuple[Related, ...] | None" = None, fingerprint: str | None = None,
    ) -> "Finding":
        """A copy with the given location-dependent fields replaced. The constructor, not
        dataclasses.replace (twice as fast): the language server moves findings per keystroke."""
        return Finding(
            self.code, self.name, self.message, self.severity, self.confidence, self.cwe,
            self.span if span is None else span, self.engine, self.fixes if fixes is None else fixes,
            self.related if related is None else related, self.properties,
            self.fingerprint if fingerprint is None else fingerprint,
        )

    @property
    def sort_key(self) -> tuple:
        return (self.span.start_byte, self.span.end_byte, self.code, self.message)

    def property(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.properties:
            if k == key:
                return v
        return default


def line_text(source: bytes, row: int, line_starts: list[int] | None = None) -> bytes:
    """The bytes of line `row` without its line ending."""
    if line_starts is None:
        lines = source.splitlines()
        return lines[row] if row < len(lines) else b""
    start = line_starts[row]
    end = line_starts[row + 1] if row + 1 < len(line_starts) else len(source)
    return source[start:end].rstrip(b"\r\n")


def assign_fingerprints(findings: list[Finding], source: bytes) -> list[Finding]:
    """Give each finding a fingerprint that survives edits elsewhere in the file.

    The fingerprint hashes the rule code, the whitespace-normalized text of the flagged source
    (not its line number) and how many earlier findings had the same code and text, so moving
    code up or down keeps it, while a second identical finding gets its own.
    """
    seen: dict[tuple[str, bytes], int] = {}
    out = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        raw = source[f.span.start_byte : f.span.end_byte]
        snippet = _SNIPPETS.get(raw)
        if snippet is None:
            snippet = b" ".join(raw.split())[:400]
            if len(_SNIPPETS) > 20_000:
                _SNIPPETS.clear()
            _SNIPPETS[raw] = snippet
        if not snippet:
            snippet = b" ".join(line_text(source, f.span.start_line).split())
        key = (f.code, snippet)
        n = seen.get(key, 0)
        seen[key] = n + 1
        digest = _DIGESTS.get((key, n))
        if digest is None:
            digest = hashlib.sha256(f.code.encode() + b"\0" + snippet + b"\0" + str(n).encode()).hexdigest()[:32]
            if len(_DIGESTS) > 20_000:
                _DIGESTS.clear()
            _DIGESTS[(key, n)] = digest
        # A finding carried through an edit usually has its fingerprint already: keep the object.
        out.append(f if f.fingerprint == digest else f.with_fingerprint(digest))
    return out


# The language server fingerprints the same findings on every keystroke: remember the work
# (bounded; a pure function of the keys, so clearing is always safe).
_SNIPPETS: dict[bytes, bytes] = {}
_DIGESTS: dict[tuple[tuple[str, bytes], int], str] = {}
