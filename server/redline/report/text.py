"""Compiler-style text: `path:line:col: RL101 [error] message`, the source line and a caret.

    app.py:12:5: RL101 [error] SQL built with an f-string is passed to execute(): ...
       12 |     cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
          |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          = fix: Pass the values as query parameters

Lines and columns are 1-based, columns counted in characters. The caret line keeps the tabs of
the source line and counts wide characters twice, so it lines up in a terminal. Secrets are
masked in the source line (report/results.py).
"""

from __future__ import annotations

from redline.findings import Severity
from redline.report.results import FileResult, Reported, ScanResult, display_width, sanitize

_COLORS = {
    Severity.ERROR: "\033[1;31m",
    Severity.WARNING: "\033[1;33m",
    Severity.INFO: "\033[1;34m",
    Severity.HINT: "\033[2m",
}
_BOLD, _DIM, _CYAN, _RESET = "\033[1m", "\033[2m", "\033[36m", "\033[0m"


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color and text else text


def _caret_prefix(text: str, upto: int) -> str:
    """Blanks as wide as text[:upto] on a terminal, tabs kept as tabs."""
    head = text[:upto]
    return "".join("\t" if c == "\t" else " " * display_width(c) for c in head)


def render_finding(path: str, r: Reported, style: _Style, gutter: int) -> list[str]:
    f, pos, ex = r.finding, r.position, r.excerpt
    sev = style(_COLORS[f.severity], f"[{f.severity.value}]")
    role = f.property("role")
    tag = f" ({role} file)" if role and role != "production" else ""
    head = f"{style(_BOLD, f'{path}:{pos.line}:{pos.column}:')} {style(_BOLD, f.code)} {sev} {sanitize(f.message)}{tag}"
    bar = style(_CYAN, "|")
    pad = " " * gutter
    caret = "^" * max(1, display_width(ex.text[ex.start : ex.end]))
    lines = [
        head,
        f"{style(_CYAN, str(pos.line).rjust(gutter))} {bar} {ex.text}",
        f"{pad} {bar} {_caret_prefix(ex.text, ex.start)}{style(_COLORS[f.severity], caret)}",
    ]
    for message, rel in r.related:
        lines.append(f"{pad} {style(_CYAN, '=')} note: {path}:{rel.line}:{rel.column}: {sanitize(message)}")
    for title, safe, _edits in r.fixes:
        lines.append(f"{pad} {style(_CYAN, '=')} fix{'' if safe else ' (review it)'}: {sanitize(title)}")
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(result: ScanResult, shown_skipped: int) -> str:
    counts = result.count_by_severity()
    total = sum(counts.values())
    files_with = sum(1 for fr in result.files if fr.findings)
    parts = [f"{_plural(n, s.value)}" for s, n in counts.items() if n]
    what = (f"{_plural(total, 'finding')} ({', '.join(parts)})" if total else "No findings")
    scanned = f"{_plural(len(result.files), 'file')} ({result.lines:,} lines) scanned in {result.seconds:.2f} s"
    where = f"in {files_with} of {scanned}" if total else f"in {scanned}"
    tail = []
    if result.baseline_matched:
        tail.append(f"{result.baseline_matched} known in the baseline not shown")
    if result.skipped:
        tail.append(f"{_plural(len(result.skipped), 'path')} skipped" + ("" if shown_skipped == len(result.skipped) else " (--show-skipped lists them)"))
    return f"{what} {where}" + ("; " + "; ".join(tail) if tail else "") + "."


def render(result: ScanResult, color: bool = False) -> str:
    """The findings, one block each, then the summary line."""
    style = _Style(color)
    out: list[str] = []
    width = max((len(str(r.position.line)) for _fr, r in result.findings), default=1)
    gutter = max(width, 3)
    for fr in sorted(result.files, key=lambda fr: fr.path):
        for r in fr.findings:
            out.extend(render_finding(_path(fr.path), r, style, gutter))
            out.append("")
    return "\n".join(out) + "\n" if out else ""


def render_skipped(result: ScanResult, show_all: bool) -> tuple[list[str], int]:
    """Lines for stderr about skipped paths: each one that is not routine (binary, too large,
    unreadable, ...), or every one with `show_all`; plus how many were listed."""
    from redline.files import SkipKind

    lines = []
    for s in result.skipped:
        if show_all or s.kind not in SkipKind.ROUTINE:
            lines.append(f"{_path(s.path)}: skipped: {sanitize(s.reason)}")
    return lines, len(lines)


def render_errors(files: list[FileResult]) -> list[str]:
    from redline.limits import is_skip

    # An engine that skipped the file (its time limit) is not an error: `path: bandit: skipped: ...`.
    return [
        f"{_path(fr.path)}: {'' if is_skip(msg) else 'error: '}{engine}: {sanitize(msg)}"
        for fr in files
        for engine, msg in fr.errors
    ]


def _path(path: str) -> str:
    """A file name on one line: a newline in it would forge a line of the report."""
    return sanitize(path).replace("\n", "?")
