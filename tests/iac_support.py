"""Helpers for the IaC tests: scan a snippet, apply a quick fix's edits, check the tree."""

from __future__ import annotations

from redline import languages as langs
from redline.findings import Finding, Fix
from redline.pipeline import analyze_text


def scan(path: str, code: str, code_filter: str | None = None) -> list[Finding]:
    analysis = analyze_text(path, code)
    assert not analysis.errors, analysis.errors
    return [f for f in analysis.findings if code_filter is None or f.code == code_filter]


def apply_fix(code: str, fix: Fix) -> str:
    """Apply the fix's TextEdits (byte offsets into the UTF-8 text), last first."""
    data = code.encode("utf-8")
    edits = sorted(fix.edits, key=lambda e: (e.span.start_byte, e.span.end_byte), reverse=True)
    for a, b in zip(edits, edits[1:]):
        assert b.span.end_byte <= a.span.start_byte, "overlapping edits"
    for e in edits:
        data = data[: e.span.start_byte] + e.new_text.encode("utf-8") + data[e.span.end_byte :]
    return data.decode("utf-8")


def has_errors(path: str, code: str) -> bool:
    lang = langs.detect(path)
    tree = langs.parse(lang, code.encode("utf-8"))
    return tree is None or tree.root_node.has_error


def fix_until_clean(path: str, code: str, rule: str, limit: int = 10) -> tuple[str, list[str]]:
    """Apply `rule`'s first available fix repeatedly; return the final text and the titles used.
    Asserts after every step that the file still parses and that the fixed finding is gone."""
    titles: list[str] = []
    parsed_before = not has_errors(path, code)
    for _ in range(limit):
        findings = [f for f in scan(path, code, rule) if f.fixes]
        if not findings:
            return code, titles
        target = findings[0]
        fixed = apply_fix(code, target.fixes[0])
        assert fixed != code, f"{rule}: the fix changed nothing"
        if parsed_before:
            assert not has_errors(path, fixed), f"{rule}: fix produced a parse error:\n{fixed}"
        after = scan(path, fixed, rule)
        assert len(after) < len(scan(path, code, rule)), f"{rule}: still {len(after)} findings after the fix:\n{fixed}"
        titles.append(target.fixes[0].title)
        code = fixed
    raise AssertionError(f"{rule}: fixes did not converge")
