"""workspace/executeCommand: `redline.scanWorkspace` and `redline.showRule`.

`redline.scanWorkspace [folderUri...]` scans every file of the workspace folders that is not open
(open documents already have diagnostics) in the worker, publishes diagnostics per file, keeps
them for workspace/diagnostic, and reports work-done progress (percentage, cancellable). It
answers with a summary once done or cancelled.

`redline.showRule RLxxx|name` answers with the rule's metadata and its documentation as Markdown.

Review of code inserted at once (redline.lsp.blocks, the lenses of code_lens.py):
`redline.showBlockFindings uri blockId` answers with the block's findings, shows them in a
message and, where the client can, shows the first one (window/showDocument with a selection); `redline.markBlockReviewed uri blockId` forgets the block (its lens and its findings'
tag go); `redline.findingsSinceOpen [uri]` answers with the findings whose fingerprints were not
among the document's findings when it was opened (every open document without a URI).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from redline.documents.store import uri_path
from redline.lsp import convert, explain
from redline.lsp.blocks import block_of
from redline.lsp.settings import LogLevel

log = logging.getLogger(__name__)
SCAN = "redline.scanWorkspace"
SHOW_RULE = "redline.showRule"
FINDINGS_SINCE_OPEN = "redline.findingsSinceOpen"


class Progress:
    """Work-done progress on a client- or server-created token; `cancelled` once the user cancels."""

    def __init__(self, ls, token):
        self.ls, self.token = ls, token

    @classmethod
    async def start(cls, ls, token, title: str) -> "Progress":
        if token is None and ls.session.client.work_done_progress:
            token = f"redline-scan-{uuid.uuid4().hex[:8]}"
            try:
                await ls.work_done_progress.create_async(token)
            except Exception as e:  # noqa: BLE001 - scan without progress rather than not at all
                ls.session.log(LogLevel.WARNING, f"window/workDoneProgress/create failed: {e}")
                token = None
        self = cls(ls, token)
        if token is not None:
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0, message="finding files")
            )
        return self

    @property
    def cancelled(self) -> bool:
        fut = self.ls.work_done_progress.tokens.get(self.token) if self.token is not None else None
        return bool(fut is not None and fut.cancelled())

    def report(self, done: int, total: int, message: str) -> None:
        if self.token is not None:
            pct = 100 if total == 0 else min(100, done * 100 // total)
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, percentage=pct, cancellable=True)
            )

    def end(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)


def _roots(session, args: list) -> list[Path]:
    if not args:
        return list(session.resolver.roots)
    out = []
    for a in args:
        items = a if isinstance(a, list) else [a]
        for item in items:
            if not isinstance(item, str):
                raise JsonRpcInvalidParams(f"{SCAN}: expected folder URIs or paths, got {item!r}")
            out.append(Path(uri_path(item) if item.startswith("file:") else item))
    return out


async def scan_workspace(ls, token, args: list) -> dict:
    """The command: the session scans (redline.workspace); this reports its progress."""
    session = ls.session
    roots = _roots(session, args)
    progress = await Progress.start(ls, token, "Redline: scanning the workspace")
    summary = {"files": 0, "findings": 0, "skipped": 0, "errors": 0, "cancelled": False, "truncated": False}
    try:
        result = await session.scan_workspace(
            roots,
            cancelled=lambda: progress.cancelled,
            progress=lambda done, total: progress.report(done, total, f"{done}/{total} files"),
        )
        summary = result.as_dict()
        return summary
    except asyncio.CancelledError:
        summary["cancelled"] = True
        raise
    finally:
        state = "cancelled" if summary["cancelled"] else "done"
        progress.end(f"{state}: {summary['files']} files, {summary['findings']} findings")
        session.log(LogLevel.INFO, f"workspace scan {state}: {summary}")


def _finding_json(session, uri: str, f, block_id: str | None = None) -> dict:
    doc = session.document(uri)
    item = {"rule": f.code, "name": f.name, "message": f.message, "severity": f.severity.value, "fingerprint": f.fingerprint}
    if doc is not None and doc.source is not None:
        item["range"] = convert.span_range(doc.source, f.span, session.encoding)
    if block_id is not None:
        item["block"] = block_id
    return item


def _block_args(name: str, args: list) -> tuple[str, str]:
    if len(args) != 2 or not all(isinstance(a, str) for a in args):
        raise JsonRpcInvalidParams(f"{name}: expected a document URI and a block id")
    return args[0], args[1]


def _line_list(items: list[dict]) -> str:
    return "; ".join(
        f"{i['rule']} line {i['range']['start']['line'] + 1}: {i['message']}" if "range" in i else f"{i['rule']}: {i['message']}"
        for i in items
    )


def show_block_findings(session, args: list) -> dict:
    from redline.lsp.handlers.code_lens import SHOW_BLOCK_FINDINGS

    uri, block_id = _block_args(SHOW_BLOCK_FINDINGS, args)
    for block, findings in session.block_findings(uri):
        if block.id == block_id:
            doc = session.document(uri)
            first = doc.position(block.start, session.encoding)[0] if doc is not None else 0
            last = doc.position(block.end, session.encoding)[0] if doc is not None else 0
            items = [_finding_json(session, uri, f, block_id) for f in findings]
            where = f"{Path(uri_path(uri)).name} lines {first + 1}-{last + 1}"
            if items:
                session.sink.show(LogLevel.INFO, f"Redline: block inserted at once ({where}): {_line_list(items)}")
            else:
                session.sink.show(LogLevel.INFO, f"Redline: no security findings in the block inserted at once ({where})")
            return {"uri": uri, "block": block_id, "startLine": first, "endLine": last, "findings": items}
    raise JsonRpcInvalidParams(f"{SHOW_BLOCK_FINDINGS}: no block {block_id!r} in {uri} (reviewed, deleted or closed)")


def mark_block_reviewed(session, args: list) -> dict:
    from redline.lsp.handlers.code_lens import MARK_BLOCK_REVIEWED

    uri, block_id = _block_args(MARK_BLOCK_REVIEWED, args)
    return {"uri": uri, "block": block_id, "reviewed": session.mark_block_reviewed(uri, block_id)}


def findings_since_open(session, args: list) -> dict:
    if any(not isinstance(a, str) for a in args):
        raise JsonRpcInvalidParams(f"{FINDINGS_SINCE_OPEN}: expected document URIs")
    uris = args or [uri for uri, rec in session.docs.items() if not rec.text_only]
    out: dict[str, list[dict]] = {}
    for uri in uris:
        found = session.findings_since_open(uri)
        if found is None:
            if args:
                raise JsonRpcInvalidParams(f"{FINDINGS_SINCE_OPEN}: {uri} is not open")
            continue
        blocks = session.record(uri).blocks
        out[uri] = [
            _finding_json(session, uri, f, getattr(block_of(blocks, f.span.start_byte, f.span.end_byte), "id", None))
            for f in found
        ]
    total = sum(len(v) for v in out.values())
    if total:
        text = " | ".join(f"{Path(uri_path(u)).name}: {_line_list(items)}" for u, items in out.items() if items)
        session.sink.show(LogLevel.INFO, f"Redline: {total} finding{'s' if total != 1 else ''} since opened: {text}")
    else:
        session.sink.show(LogLevel.INFO, "Redline: no new findings since the documents were opened")
    return {"documents": out, "count": total}


def register(server) -> None:
    from redline.lsp.handlers.code_lens import MARK_BLOCK_REVIEWED, SHOW_BLOCK_FINDINGS

    @server.command(SHOW_BLOCK_FINDINGS)
    async def show_block(ls, params: types.ExecuteCommandParams):
        result = show_block_findings(ls.session, list(params.arguments or []))
        if result["findings"] and ls.session.client.show_document:
            # Locate the first one: the editor shows the document with the finding selected.
            first = result["findings"][0]
            if "range" in first:
                try:
                    await ls.window_show_document_async(
                        types.ShowDocumentParams(uri=result["uri"], take_focus=True, selection=convert.to_range(first["range"]))
                    )
                except Exception as e:  # noqa: BLE001 - the list is the answer; locating is a courtesy
                    ls.session.log(LogLevel.DEBUG, f"window/showDocument failed: {e}")
        return result

    @server.command(MARK_BLOCK_REVIEWED)
    def mark_reviewed(ls, params: types.ExecuteCommandParams):
        return mark_block_reviewed(ls.session, list(params.arguments or []))

    @server.command(FINDINGS_SINCE_OPEN)
    def since_open(ls, params: types.ExecuteCommandParams):
        return findings_since_open(ls.session, list(params.arguments or []))

    @server.command(SCAN)
    async def scan(ls, params: types.ExecuteCommandParams):
        return await scan_workspace(ls, params.work_done_token, list(params.arguments or []))

    @server.command(SHOW_RULE)
    def show_rule(ls, params: types.ExecuteCommandParams):
        args = list(params.arguments or [])
        if len(args) != 1 or not isinstance(args[0], str):
            raise JsonRpcInvalidParams(f"{SHOW_RULE}: expected one rule code or name, e.g. \"RL101\"")
        rule = ls.session.registry.get(args[0])
        if rule is None:
            raise JsonRpcInvalidParams(f"{SHOW_RULE}: unknown rule {args[0]!r}")
        return {
            "code": rule.code,
            "name": rule.name,
            "severity": rule.severity.value,
            "confidence": rule.confidence.value,
            "cwe": [f"CWE-{n}" for n in rule.cwe],
            "languages": list(rule.languages),
            "helpUri": rule.help_uri,
            "markdown": explain.rule_markdown(rule),
        }
