"""workspace/executeCommand: `redline.scanWorkspace` and `redline.showRule`.

`redline.scanWorkspace [folderUri...]` scans every file of the workspace folders that is not open
(open documents already have diagnostics) in the worker, publishes diagnostics per file, keeps
them for workspace/diagnostic, and reports work-done progress (percentage, cancellable). It
answers with a summary once done or cancelled.

`redline.showRule RLxxx|name` answers with the rule's metadata and its documentation as Markdown.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from redline.documents.store import uri_path
from redline.lsp import explain
from redline.lsp.session import path_to_uri
from redline.lsp.settings import LogLevel

log = logging.getLogger(__name__)
SCAN = "redline.scanWorkspace"
SHOW_RULE = "redline.showRule"
BATCH = 16


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
    from redline.lsp import worker

    session = ls.session
    roots = _roots(session, args)
    progress = await Progress.start(ls, token, "Redline: scanning the workspace")
    summary = {"files": 0, "findings": 0, "skipped": 0, "errors": 0, "cancelled": False, "truncated": False}
    try:
        open_paths = [d.path for d in itertools.chain(session.store, session.text_only)]
        jobs: list[tuple[str, Path]] = []
        for root in roots:
            cfg = session.resolver.for_path(str(root / "_"))
            _f, found = session.jobs.submit(
                worker.discover, str(root), cfg, session.settings.workspace_scan_max_files, open_paths
            )
            paths, skipped, truncated = await found
            summary["skipped"] += skipped
            summary["truncated"] |= truncated
            jobs.extend((p, root) for p in paths)
        total = len(jobs)
        done = 0
        progress.report(0, total, f"0/{total} files")
        # One batch per (root, configuration) so the worker gets one Config per call.
        groups: dict[tuple, list[tuple[str, str]]] = {}
        for path, root in jobs:
            groups.setdefault((str(root), session.resolver.for_path(path)), []).append((path, path_to_uri(path)))
        for (root, config), items in groups.items():
            for i in range(0, len(items), BATCH):
                if progress.cancelled:
                    summary["cancelled"] = True
                    return summary
                batch = items[i : i + BATCH]
                _f, fut = session.jobs.submit(
                    worker.scan_files, batch, root, config, session.encoding, session.client.related_information
                )
                reports = await fut
                if progress.cancelled:  # cancelled while this batch ran: stop without it
                    summary["cancelled"] = True
                    return summary
                for report in reports:
                    if report.skipped:
                        summary["skipped"] += 1
                        session.log(LogLevel.DEBUG, f"{report.path}: skipped: {report.skipped}")
                    for name, error in report.errors:
                        summary["errors"] += 1
                        session.log(LogLevel.ERROR, f"{name} failed on {report.path}: {error}")
                    if report.uri not in session.reports:
                        summary["findings"] += report.count
                        session.set_workspace_report(report.uri, report.diagnostics)
                done += len(batch)
                summary["files"] = done
                progress.report(done, total, f"{done}/{total} files")
        if session.client.pull_diagnostics and session.client.diagnostic_refresh:
            session.sink.refresh()
        return summary
    except asyncio.CancelledError:
        summary["cancelled"] = True
        raise
    finally:
        state = "cancelled" if summary["cancelled"] else "done"
        progress.end(f"{state}: {summary['files']} files, {summary['findings']} findings")
        session.log(LogLevel.INFO, f"workspace scan {state}: {summary}")


def register(server) -> None:
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
