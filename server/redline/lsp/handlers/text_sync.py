"""didOpen / didChange / didSave / didClose: hand the text to the session's document store."""

from __future__ import annotations

from lsprotocol import types

from redline.documents.store import Change


def to_changes(events) -> list[Change]:
    out = []
    for e in events:
        r = getattr(e, "range", None)
        if r is None:
            out.append(Change(None, e.text))
        else:
            out.append(Change(((r.start.line, r.start.character), (r.end.line, r.end.character)), e.text))
    return out


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        d = params.text_document
        ls.session.open(d.uri, d.language_id, d.version, d.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        d = params.text_document
        ls.session.change(d.uri, d.version, to_changes(params.content_changes))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        ls.session.save(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        ls.session.close(params.text_document.uri)
