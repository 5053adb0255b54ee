"""Code actions from a diagnostic's `data` (pure): the rule's fixes, the two suppressions, and
the edits of `source.fixAll.redline`."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from lsprotocol import types

from redline.documents.positions import Encoding
from redline.documents.source import SourceFile
from redline.findings import Finding, TextEdit
from redline.lsp import convert

FIX_ALL_KIND = "source.fixAll.redline"
FIX_ALL_TITLE = "Redline: apply all safe fixes"


def quick_fixes(diagnostic: types.Diagnostic, data: dict[str, Any], document_changes: bool) -> list[types.CodeAction]:
    """The fix(es), "suppress on this line" and "suppress in this file" for one diagnostic."""
    uri, version, rule = data["uri"], data.get("version"), data["rule"]
    out: list[types.CodeAction] = []

    def action(title: str, edits: list[dict], preferred: bool = False) -> types.CodeAction:
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=preferred or None,
            edit=convert.workspace_edit(uri, version, [convert.lsp_text_edit(e) for e in edits], document_changes),
        )

    for fx in data.get("fixes") or ():
        if not isinstance(fx, dict) or not isinstance(fx.get("edits"), list):
            raise convert.BadData("malformed fix")
        out.append(action(f"{fx.get('title') or 'Fix'} ({rule})", fx["edits"], preferred=bool(fx.get("safe"))))
    if isinstance(data.get("suppressLine"), dict):
        out.append(action(f"Suppress {rule} on this line", [data["suppressLine"]]))
    if isinstance(data.get("suppressFile"), dict):
        out.append(action(f"Suppress {rule} in this file", [data["suppressFile"]]))
    return out


def wants(only: Sequence[str] | None, kind: str) -> bool:
    """Does the request's `context.only` admit actions of `kind` (hierarchical, as in LSP)?"""
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in (str(getattr(k, "value", k)) for k in only))


def fix_all_edits(findings: Iterable[Finding]) -> list[TextEdit]:
    """The safe fixes of every finding, first come first served where fixes overlap."""
    chosen: list[TextEdit] = []
    taken: list[tuple[int, int]] = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        for fx in f.fixes:
            if not fx.safe:
                continue
            ranges = [(e.span.start_byte, e.span.end_byte) for e in fx.edits]
            if any(_overlaps(r, t) for r in ranges for t in taken):
                continue
            chosen.extend(fx.edits)
            taken.extend(ranges)
            break
    return sorted(chosen, key=lambda e: (e.span.start_byte, e.span.end_byte))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at the same point: order would be ambiguous
    return a[0] < b[1] and b[0] < a[1]


def has_safe_fix(findings: Iterable[Finding]) -> bool:
    return any(fx.safe for f in findings for fx in f.fixes)


def fix_all_action(uri: str, version: int) -> types.CodeAction:
    """The unresolved action: resolved by `resolve_fix_all` when the user picks it."""
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"fixAll": True, "uri": uri, "version": version})


def resolve_fix_all(
    action: types.CodeAction, file: SourceFile, findings: Iterable[Finding], version: int, encoding: Encoding,
    document_changes: bool,
) -> types.CodeAction:
    uri = action.data["uri"]
    edits = [
        convert.lsp_text_edit(convert.text_edit_json(file, e.span.start_byte, e.span.end_byte, e.new_text, encoding))
        for e in fix_all_edits(findings)
    ]
    action.edit = convert.workspace_edit(uri, version, edits, document_changes)
    return action
