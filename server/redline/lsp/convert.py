"""Findings -> LSP diagnostics, and the quick-fix payload they carry.

Diagnostics are built as plain JSON objects (camelCase, as on the wire): they are published on
every keystroke, and building and unstructuring `lsprotocol` objects for a file with a hundred
findings cost more than the rest of the keystroke path.

Each diagnostic's `data` holds everything its code actions need, already in the document's
coordinates and the negotiated position encoding, so `textDocument/codeAction` needs no analysis
state (as in ruff's server):

    {"v": 1, "uri", "version", "rule", "name", "fingerprint",
     "fixes": [{"title", "safe", "edits": [TextEdit...]}],
     "suppressLine": TextEdit | None, "suppressFile": TextEdit | None,
     "inserted": true, "block": id}  (the last two only in a block inserted at once: blocks.py)

`Converter` caches each finding's diagnostic by what it depends on (the finding relative to its
first line, and the text of its lines), so typing re-converts only the findings near the edit;
findings below an inserted line are moved, not rebuilt.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from typing import Any, Iterable, Sequence

from lsprotocol import types

from redline.documents.positions import Encoding
from redline.documents.source import SourceFile
from redline.findings import Finding, Severity, Span
from redline.lsp import suppress
from redline.rules.model import help_uri_for
from redline.rules.registry import Registry

SOURCE = "redline"
DATA_VERSION = 1
CACHE_ROWS = 24  # findings whose spans (and fixes) reach further are converted without the cache
# Nor are findings whose lines hold more bytes than this (a minified bundle's one line): the key
# holds those lines' text, and any edit on such a line changes it anyway.
CACHE_REGION_BYTES = 16_384

SEVERITY = {
    Severity.ERROR: int(types.DiagnosticSeverity.Error),
    Severity.WARNING: int(types.DiagnosticSeverity.Warning),
    Severity.INFO: int(types.DiagnosticSeverity.Information),
    Severity.HINT: int(types.DiagnosticSeverity.Hint),
}


def cwe_url(cwe: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{cwe}.html"


def help_uri(code: str, registry: Registry | None) -> str | None:
    """The rule's documentation URL, or None when no docs URL is configured (rules/model.py)."""
    rule = registry.by_code.get(code) if registry is not None else None
    return rule.help_uri if rule is not None else help_uri_for(code)


# ---------------------------------------------------------------- positions and edits


def position(file: SourceFile, offset: int, encoding: Encoding) -> dict[str, int]:
    line, character = file.position(offset, encoding)
    return {"line": line, "character": character}


def byte_range(file: SourceFile, start: int, end: int, encoding: Encoding) -> dict[str, dict[str, int]]:
    return {"start": position(file, start, encoding), "end": position(file, end, encoding)}


def span_range(file: SourceFile, span: Span, encoding: Encoding) -> dict[str, dict[str, int]]:
    return byte_range(file, span.start_byte, span.end_byte, encoding)


def to_range(r: dict[str, dict[str, int]]) -> types.Range:
    return types.Range(
        start=types.Position(r["start"]["line"], r["start"]["character"]),
        end=types.Position(r["end"]["line"], r["end"]["character"]),
    )


def text_edit_json(file: SourceFile, start: int, end: int, new_text: str, encoding: Encoding) -> dict[str, Any]:
    return {"range": byte_range(file, start, end, encoding), "newText": new_text}


# ---------------------------------------------------------------- one finding


def _payload(file: SourceFile, finding: Finding, encoding: Encoding, memo: dict | None = None) -> dict[str, Any]:
    """The version-independent part of `data` (suppressFile excepted: see `Converter`).

    `memo` keeps the "suppress on this line" edit per (line, rule) for one conversion: it
    depends on nothing else, and finding it reads the whole line (thousands of findings on a
    minified bundle's one line made that quadratic)."""
    if memo is None:
        line = suppress.line_suppression(file, finding)
    else:
        key = (file.point_of(finding.span.start_byte)[0], finding.code)
        if key not in memo:
            memo[key] = suppress.line_suppression(file, finding)
        line = memo[key]
    return {
        "rule": finding.code,
        "name": finding.name,
        "fingerprint": finding.fingerprint,
        "fixes": [
            {
                "title": fx.title,
                "safe": fx.safe,
                "edits": [
                    text_edit_json(file, te.span.start_byte, te.span.end_byte, te.new_text, encoding)
                    for te in fx.edits
                ],
            }
            for fx in finding.fixes
        ],
        "suppressLine": None if line is None else text_edit_json(file, *line, encoding),
    }


def _body(
    file: SourceFile, finding: Finding, uri: str, encoding: Encoding, registry: Registry | None, related: bool
) -> dict[str, Any]:
    """The diagnostic without `data`."""
    d: dict[str, Any] = {
        "range": span_range(file, finding.span, encoding),
        "severity": SEVERITY[finding.severity],
        "code": finding.code,
        "source": SOURCE,
        "message": finding.message,
    }
    href = help_uri(finding.code, registry)
    if href:  # LSP requires a URI here; without a configured docs URL there is none to give
        d["codeDescription"] = {"href": href}
    if related and finding.related:
        d["relatedInformation"] = [
            {"location": {"uri": uri, "range": span_range(file, r.span, encoding)}, "message": r.message}
            for r in finding.related
        ]
    return d


def file_suppression_edit(file: SourceFile, code: str, encoding: Encoding) -> dict[str, Any] | None:
    whole = suppress.file_suppression(file, code)
    return None if whole is None else text_edit_json(file, *whole, encoding)


def diagnostic(
    file: SourceFile,
    finding: Finding,
    *,
    uri: str,
    version: int | None,
    encoding: Encoding,
    registry: Registry | None = None,
    related_support: bool = True,
) -> dict[str, Any]:
    """One diagnostic, without the cache."""
    d = _body(file, finding, uri, encoding, registry, related_support)
    d["data"] = {
        "v": DATA_VERSION,
        "uri": uri,
        "version": version,
        **_payload(file, finding, encoding),
        "suppressFile": file_suppression_edit(file, finding.code, encoding),
    }
    return d


def diagnostics(
    file: SourceFile,
    findings: Iterable[Finding],
    *,
    uri: str,
    version: int | None,
    encoding: Encoding,
    registry: Registry | None = None,
    related_support: bool = True,
) -> list[dict[str, Any]]:
    return Converter(uri, encoding, registry, related_support).convert(file, list(findings), version)


# ---------------------------------------------------------------- the cache


def _shift_lines(obj: Any, delta: int) -> Any:
    """A copy of a JSON value with every position's `line` moved by `delta`."""
    if isinstance(obj, dict):
        if "line" in obj and "character" in obj and len(obj) == 2:
            return {"line": obj["line"] + delta, "character": obj["character"]}
        return {k: _shift_lines(v, delta) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_shift_lines(v, delta) for v in obj]
    return obj


class Converter:
    """Converts a document's findings to diagnostics, re-using unchanged ones between versions."""

    def __init__(self, uri: str, encoding: Encoding, registry: Registry | None, related_support: bool = True):
        self.uri = uri
        self.encoding = encoding
        self.registry = registry
        self.related = related_support
        # key -> [row, body, payload, JSON of body without its closing brace, JSON of payload
        # without its braces] in absolute coordinates for `row`
        self._cache: dict[tuple, list] = {}
        # The JSON text of the last `convert` result, put together from the cached pieces: a
        # publish on a large file sends 150 KB, and json.dumps of it cost 1.3 ms per keystroke.
        self.json: str = "[]"

    def _key(self, file: SourceFile, f: Finding) -> tuple[tuple, int] | None:
        starts = file.line_starts
        row = bisect_right(starts, f.span.start_byte) - 1
        base = starts[row]
        lo, hi = f.span.start_byte, f.span.end_byte
        fixes = []
        for fx in f.fixes:
            edits = []
            for e in fx.edits:
                lo, hi = min(lo, e.span.start_byte), max(hi, e.span.end_byte)
                edits.append((e.span.start_byte - base, e.span.end_byte - base, e.new_text))
            fixes.append((fx.title, fx.safe, tuple(edits)))
        related = []
        for r in f.related:
            lo, hi = min(lo, r.span.start_byte), max(hi, r.span.end_byte)
            related.append((r.span.start_byte - base, r.span.end_byte - base, r.message))
        if lo < base:
            return None
        last = bisect_right(starts, hi) - 1
        if last - row > CACHE_ROWS:
            return None
        region_start = starts[row - 1] if row > 0 else 0
        region_end = starts[last + 1] if last + 1 < len(starts) else len(file.text)
        if region_end - region_start > CACHE_REGION_BYTES:
            return None
        key = (
            f.code, f.name, f.message, f.severity, f.fingerprint,
            f.span.start_byte - base, f.span.end_byte - base,
            tuple(fixes), tuple(related),
            base - region_start, file.text[region_start:region_end],
        )
        return key, row

    def convert(
        self, file: SourceFile, findings: Sequence[Finding], version: int | None, blocks: Sequence = ()
    ) -> list[dict[str, Any]]:
        """`blocks`: the document's inserted blocks (redline.lsp.blocks); a finding in one gets
        `"inserted": true, "block": id` in its data."""
        uri, enc = self.uri, self.encoding
        new_cache: dict[tuple, list] = {}
        file_edits: dict[str, tuple[Any, str]] = {}
        out = []
        parts = []
        head = f'{{"v": {DATA_VERSION}, "uri": {json.dumps(uri)}, "version": {json.dumps(version)}, '
        memo: dict = {}
        for f in findings:
            keyed = self._key(file, f)
            if keyed is None:
                hit = _entry(0, _body(file, f, uri, enc, self.registry, self.related), _payload(file, f, enc, memo))
            else:
                key, row = keyed
                hit = self._cache.get(key) or new_cache.get(key)
                if hit is None:
                    hit = _entry(row, _body(file, f, uri, enc, self.registry, self.related), _payload(file, f, enc, memo))
                elif hit[0] != row:
                    delta = row - hit[0]
                    hit = _entry(row, _shift_lines(hit[1], delta), _shift_lines(hit[2], delta))
                new_cache[key] = hit
            body, payload = hit[1], hit[2]
            if f.code not in file_edits:
                edit = file_suppression_edit(file, f.code, enc)
                file_edits[f.code] = (edit, json.dumps(edit))
            edit, edit_json = file_edits[f.code]
            d = dict(body)
            d["data"] = {"v": DATA_VERSION, "uri": uri, "version": version, **payload, "suppressFile": edit}
            block = _block_of(blocks, f) if blocks else None
            tag = ""
            if block is not None:
                d["data"]["inserted"], d["data"]["block"] = True, block.id
                tag = f'"inserted": true, "block": {json.dumps(block.id)}, '
            out.append(d)
            parts.append(f'{hit[3]}, "data": {head}{hit[4]}{tag}"suppressFile": {edit_json}}}}}')
        self._cache = new_cache
        self.json = "[" + ", ".join(parts) + "]"
        return out


def _block_of(blocks: Sequence, f: Finding):
    from redline.lsp.blocks import block_of

    return block_of(blocks, f.span.start_byte, f.span.end_byte)


def _entry(row: int, body: dict[str, Any], payload: dict[str, Any]) -> list:
    """A cache entry: the values and their JSON pieces (see Converter.convert)."""
    payload_json = json.dumps(payload)[1:-1]
    return [row, body, payload, json.dumps(body)[:-1], payload_json + ", " if payload_json else ""]


def problem_diagnostics(problems: Sequence) -> list[dict[str, Any]]:
    """Diagnostics on a configuration file for `redline.config.Problem`s (whole line, or line 0)."""
    out = []
    for p in problems:
        line = p.line if p.line is not None else 0
        out.append(
            {
                "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}},
                "severity": int(types.DiagnosticSeverity.Error),
                "source": SOURCE,
                "code": "config",
                "message": f"{p.key}: {p.message}",
            }
        )
    return out


# ---------------------------------------------------------------- reading `data` back


class BadData(ValueError):
    """A diagnostic's data is not ours or is malformed."""


def read_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("v") != DATA_VERSION or not isinstance(data.get("rule"), str):
        raise BadData("not a Redline diagnostic payload")
    if not isinstance(data.get("fixes"), list):
        raise BadData("fixes missing")
    return data


def lsp_text_edit(edit: dict[str, Any]) -> types.TextEdit:
    try:
        return types.TextEdit(range=to_range(edit["range"]), new_text=str(edit["newText"]))
    except (KeyError, TypeError) as e:
        raise BadData(f"malformed text edit: {e}") from None


def workspace_edit(
    uri: str, version: int | None, edits: Sequence[types.TextEdit], document_changes: bool
) -> types.WorkspaceEdit:
    """A WorkspaceEdit for one document: `documentChanges` with the version when the client
    supports it, else `changes`."""
    if document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: list(edits)})
