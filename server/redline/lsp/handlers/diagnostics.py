"""Pull diagnostics: textDocument/diagnostic and workspace/diagnostic, with result ids.

Reports are computed when the text changes (session.py); a pull only looks them up, after
analyzing a document whose last changes still wait for their analysis (so the answer is always for
the latest version). The result id changes whenever a report is replaced, so an unchanged report
is answered as such.
"""

from __future__ import annotations

from lsprotocol import types

IDENTIFIER = "redline"


def document_report(session, uri: str, previous_result_id: str | None) -> dict:
    session.flush(uri)
    report = session.report(uri)
    if report is None:
        return {"kind": "full", "items": []}
    if previous_result_id is not None and previous_result_id == report.result_id:
        return {"kind": "unchanged", "resultId": report.result_id}
    return {"kind": "full", "resultId": report.result_id, "items": report.diagnostics}


def workspace_report(session, previous: dict[str, str]) -> dict:
    session.flush()
    items = []
    for uri, report in session.reports():
        item = {"uri": uri, "version": report.version, "resultId": report.result_id}
        if previous.get(uri) == report.result_id:
            item["kind"] = "unchanged"
        else:
            item["kind"] = "full"
            item["items"] = report.diagnostics
        items.append(item)
    return {"items": items}


def register(server) -> None:
    options = types.DiagnosticOptions(identifier=IDENTIFIER, inter_file_dependencies=False, workspace_diagnostics=True)

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)
    def document_diagnostic(ls, params: types.DocumentDiagnosticParams):
        # Reports are JSON already (convert.py); the client structures them.
        return document_report(ls.session, params.text_document.uri, params.previous_result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    def workspace_diagnostic(ls, params: types.WorkspaceDiagnosticParams):
        previous = {p.uri: p.value for p in params.previous_result_ids or ()}
        return workspace_report(ls.session, previous)
