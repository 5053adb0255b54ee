"""didOpen / didChange / didSave / didClose: hand the text to the session's document store.

Bad input is applied the way the LSP specification says (positions clamped: a character past
its line's end is the line's end, a line past the document's end is the document's end; lone
surrogates, which cannot be encoded, become "?") or ignored (changes to a document that is not
open, versions that are not newer), and each case is logged as a warning, at most
`MAX_LOGGED` times per document until it is opened again. A position at the start of the line
after the last one, which some clients use for the end of the document, is not a problem.
"""

from __future__ import annotations

from lsprotocol import types

from redline.documents.positions import offset_at, position_at
from redline.documents.source import line_starts_of
from redline.documents.store import Change, _update_line_starts
from redline.lsp.settings import LogLevel

MAX_LOGGED = 50


def to_changes(events) -> list[Change]:
    out = []
    for e in events:
        r = getattr(e, "range", None)
        if r is None:
            out.append(Change(None, e.text))
        else:
            out.append(Change(((r.start.line, r.start.character), (r.end.line, r.end.character)), e.text))
    return out


def _has_lone_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def change_problems(data: bytes, line_starts: list[int], changes: list[Change], encoding) -> list[str]:
    """What is wrong with `changes` to a document holding `data` (see the module docstring)."""
    problems = []
    last = len(changes) - 1
    for i, change in enumerate(changes):
        if _has_lone_surrogates(change.text):
            problems.append(f"change {i + 1}: the text holds lone surrogates (replaced by '?')")
        new = change.text.encode("utf-8", "replace")
        if change.range is None:
            if i < last:
                data, line_starts = new, line_starts_of(new)
            continue
        offsets = []
        for name, (line, char) in zip(("start", "end"), change.range):
            off = offset_at(data, line_starts, line, char, encoding)
            offsets.append(off)
            end_of_document = line == len(line_starts) and char == 0
            if not end_of_document and position_at(data, line_starts, off, encoding) != (line, char):
                problems.append(
                    f"change {i + 1}: {name} {line}:{char} is not a position in the document"
                    f" ({len(line_starts)} lines): taken as {':'.join(map(str, position_at(data, line_starts, off, encoding)))}"
                )
        start, end = offsets
        if end < start:
            problems.append(f"change {i + 1}: the range ends before it starts: taken as the range it spans")
            start, end = end, start
        if i < last:
            data = data[:start] + new + data[end:]
            line_starts = _update_line_starts(line_starts, data, start, end, len(new))
    return problems


def register(server) -> None:
    logged: dict[str, int] = {}  # uri -> problems logged since it was opened

    def warn(ls, uri: str, message: str) -> None:
        n = logged[uri] = logged.get(uri, 0) + 1
        if n <= MAX_LOGGED:
            suffix = " (further problems with this document are not logged)" if n == MAX_LOGGED else ""
            ls.session.log(LogLevel.WARNING, f"{message}{suffix}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        d = params.text_document
        logged.pop(d.uri, None)
        if _has_lone_surrogates(d.text):
            warn(ls, d.uri, f"didOpen {d.uri}: the text holds lone surrogates (replaced by '?')")
        ls.session.open(d.uri, d.language_id, d.version, d.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        d = params.text_document
        doc = ls.session.document(d.uri)
        if doc is None:
            warn(ls, d.uri, f"didChange {d.uri} version {d.version}: the document is not open; ignored")
            return
        if d.version <= doc.version:
            warn(ls, d.uri, f"didChange {d.uri} version {d.version}: not newer than version {doc.version}; ignored")
            return
        changes = to_changes(params.content_changes)
        for problem in change_problems(doc.data, doc.line_starts, changes, ls.session.encoding):
            warn(ls, d.uri, f"didChange {d.uri} version {d.version}, {problem}")
        ls.session.change(d.uri, d.version, changes)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        ls.session.save(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.session.document(uri) is None:
            warn(ls, uri, f"didClose {uri}: the document is not open")
        ls.session.close(uri)
