"""Suppression comments.

- `redline: ignore[RL101,sql-injection] reason` in a comment on the flagged line, or alone on the
  line before it; `redline: ignore reason` (no brackets) silences every rule on that line.
- `redline: ignore-file[RL101] reason` (or `ignore-file` for all rules) within the first
  `FILE_HEADER_LINES` lines.
- `# nosec` (every rule on the line) and `# nosec B608, B602` (rules that cover those bandit ids,
  and bandit's own findings with those ids).
- `pragma: allowlist secret` (secrets rules, RL2xx and detect-secrets findings) on the line, and
  `pragma: allowlist nextline secret` on the line before.

The whole file is scanned only when a cheap substring test finds one of the markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from redline.documents.source import SourceFile
from redline.findings import Finding
from redline.rules.model import selector_matches

FILE_HEADER_LINES = 20
_MARKERS = (b"redline:", b"nosec", b"NOSEC", b"allowlist")  # _NOSEC_RE ignores case
_COMMENT = r"(?:#|//|/\*|<!--|--|;|\*)"
_IGNORE_RE = re.compile(
    _COMMENT + r"[^\n]*?\bredline:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?[ \t]*([^\n]*)"
)
_NOSEC_RE = re.compile(_COMMENT + r"[^\n]*?\bnosec\b([ \t:]+(?:B\d{3}[ \t,]*)+)?", re.IGNORECASE)
_ALLOW_RE = re.compile(r"pragma:\s*allowlist\s+(nextline\s+)?secret")
_ALL = "*"


@dataclass
class Suppressions:
    by_line: dict[int, set[str]] = field(default_factory=dict)  # row -> selectors ("*" = all)
    nosec: dict[int, set[str]] = field(default_factory=dict)  # row -> bandit ids ("*" = all)
    secrets: set[int] = field(default_factory=set)  # rows where secrets are allowed
    file: set[str] = field(default_factory=set)
    # Rows whose comment is the only thing on the line (suppresses the next code line too).
    standalone: set[int] = field(default_factory=set)
    missing_reason: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_line or self.nosec or self.secrets or self.file)


def _selectors(raw: str | None) -> set[str]:
    if raw is None:
        return {_ALL}
    items = {s.strip() for s in raw.split(",") if s.strip()}
    return items or {_ALL}


# Longer than any marker: a window this wide around an edit shows every marker it can create.
MARKER_MARGIN = 16


def has_markers(text: bytes) -> bool:
    """Could `text` hold a suppression comment? (False is certain; True means look closer.)"""
    return any(m in text for m in _MARKERS)


def parse(file: SourceFile) -> Suppressions:
    sup = Suppressions()
    text = file.text
    if file.markers is False or not has_markers(text):
        return sup
    for row, raw in enumerate(text.splitlines()):
        if not has_markers(raw):
            continue
        line = raw.decode("utf-8", "replace")
        alone = bool(re.match(r"\s*" + _COMMENT, line))
        m = _IGNORE_RE.search(line)
        if m:
            kind, sel, reason = m.group(1), m.group(2), m.group(3).strip().rstrip("*/->").strip()
            if not reason:
                sup.missing_reason.append(row)
            if kind == "ignore-file":
                if row < FILE_HEADER_LINES:
                    sup.file |= _selectors(sel)
            else:
                sup.by_line.setdefault(row, set()).update(_selectors(sel))
                if alone:
                    sup.standalone.add(row)
        m = _NOSEC_RE.search(line)
        if m:
            ids = set(re.findall(r"B\d{3}", (m.group(1) or "").upper())) or {_ALL}
            sup.nosec.setdefault(row, set()).update(ids)
        m = _ALLOW_RE.search(line)
        if m:
            sup.secrets.add(row + 1 if m.group(1) else row)
    return sup


def _matches(selectors: set[str], f: Finding) -> bool:
    if _ALL in selectors:
        return True
    bandit_id = f.property("bandit_id") if f.engine == "bandit" else None
    return any(selector_matches(s, f.code, f.name, bandit_id) for s in selectors)


def _rows_for(sup: Suppressions, row: int) -> set[str]:
    sel = set(sup.by_line.get(row, ()))
    if row - 1 in sup.standalone:
        sel |= sup.by_line.get(row - 1, set())
    return sel


def is_suppressed(sup: Suppressions, f: Finding, bandit_ids: tuple[str, ...] = ()) -> bool:
    if not sup:
        return False
    if _matches(sup.file, f):
        return True
    row = f.span.start_line
    if _matches(_rows_for(sup, row), f):
        return True
    nosec = sup.nosec.get(row)
    if nosec:
        ids = set(bandit_ids)
        if f.engine == "bandit" and f.property("bandit_id"):
            ids.add(f.property("bandit_id"))
        if _ALL in nosec or nosec & ids:
            return True
    if row in sup.secrets and (f.code.startswith("RL2") or f.engine == "detect-secrets"):
        return True
    return False
