"""textDocument/hover on a flagged range: what is wrong, why, the fix, how to suppress; and
whether it lies in a block inserted at once (redline.lsp.blocks), to be reviewed."""

from __future__ import annotations

from lsprotocol import types

from redline.lsp import convert, explain
from redline.lsp.blocks import block_of


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: types.HoverParams):
        session = ls.session
        uri = params.text_document.uri
        rec = session.current(uri)  # after a change still waiting for its analysis
        if rec is None or rec.state is None or not rec.state.findings or rec.doc.source is None:
            return None
        doc, state = rec.doc, rec.state
        pos = params.position
        offset = doc.offset((pos.line, pos.character), session.encoding)
        hits = [f for f in state.findings if f.span.start_byte <= offset <= f.span.end_byte]
        if not hits:
            return None
        span_lo = min(f.span.start_byte for f in hits)
        span_hi = max(f.span.end_byte for f in hits)
        md = session.client.markdown_hover
        text = explain.hover_markdown(hits, session.registry.by_code, doc.language, markdown=md)
        block = next((b for f in hits if (b := block_of(rec.blocks, f.span.start_byte, f.span.end_byte))), None)
        if block is not None:
            note = "In a block inserted at once — review before commit"
            text = (f"*{note}*" if md else note) + "\n\n" + text
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown if md else types.MarkupKind.PlainText, value=text),
            range=convert.to_range(convert.byte_range(doc.source, span_lo, span_hi, session.encoding)),
        )
