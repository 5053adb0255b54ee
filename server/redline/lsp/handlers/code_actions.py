"""textDocument/codeAction and codeAction/resolve.

Quick fixes come from each diagnostic's `data` (see convert.py): no analysis state is needed.
Where a client drops `data` (it need not keep it) or the data belongs to an older version of the
document, the current finding at that range is used instead. `source.fixAll.redline` is returned
unresolved and computed in codeAction/resolve, for the version it was offered for; a client that
cannot resolve gets the edit at once.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcInvalidParams

from redline.lsp import actions, convert


def _range_key(r: types.Range) -> tuple:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def data_for(session, uri: str, diagnostic: types.Diagnostic) -> dict | None:
    """Fresh quick-fix data for a diagnostic of ours from the current findings, or None."""
    rec = session.record(uri)
    if rec is None or rec.state is None or rec.state.version != rec.doc.version or rec.report is None:
        return None
    report = rec.report
    want = _range_key(diagnostic.range)
    for d in report.diagnostics:
        r = d["range"]
        have = (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])
        if d.get("code") == diagnostic.code and have == want:
            return d.get("data")
    return None


def _diagnostic_data(session, uri: str, diagnostic: types.Diagnostic) -> dict | None:
    if diagnostic.source != convert.SOURCE:
        return None
    doc = session.document(uri)
    try:
        data = convert.read_data(diagnostic.data)
        if doc is not None and data.get("version") == doc.version and data.get("uri") == uri:
            return data
    except convert.BadData:
        pass
    return data_for(session, uri, diagnostic)


def register(server) -> None:
    kinds = [types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND]

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=kinds, resolve_provider=True))
    def code_action(ls, params: types.CodeActionParams):
        session = ls.session
        uri = params.text_document.uri
        rec = session.current(uri)  # after a change still waiting for its analysis
        only = params.context.only
        out: list[types.CodeAction] = []
        if actions.wants(only, types.CodeActionKind.QuickFix.value):
            for diagnostic in params.context.diagnostics:
                data = _diagnostic_data(session, uri, diagnostic)
                if data is None:
                    continue
                try:
                    out.extend(actions.quick_fixes(diagnostic, data, session.client.document_changes))
                except convert.BadData as e:
                    raise JsonRpcInvalidParams(f"diagnostic data: {e}") from None
        doc, state = (rec.doc, rec.state) if rec is not None else (None, None)
        if (
            doc is not None and state is not None and state.version == doc.version
            and actions.has_safe_fix(state.findings)
            and (actions.wants(only, actions.FIX_ALL_KIND) if only else True)
        ):
            action = actions.fix_all_action(uri, doc.version)
            if not session.client.code_action_resolve:
                action = _resolve(session, action)
            out.append(action)
        return out or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    def resolve(ls, action: types.CodeAction):
        if not isinstance(action.data, dict) or not action.data.get("fixAll"):
            return action  # quick fixes come complete
        return _resolve(ls.session, action)


def _resolve(session, action: types.CodeAction) -> types.CodeAction:
    uri, version = action.data.get("uri"), action.data.get("version")
    rec = session.current(uri)
    doc, state = (rec.doc, rec.state) if rec is not None else (None, None)
    if doc is None or state is None or doc.version != version or state.version != version:
        raise JsonRpcContentModified(f"{uri} changed since the action was offered (version {version})")
    return actions.resolve_fix_all(
        action, doc.source, state.findings, doc.version, session.encoding, session.client.document_changes
    )
