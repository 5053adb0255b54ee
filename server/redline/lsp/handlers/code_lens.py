"""textDocument/codeLens: a lens above each block inserted at once (redline.lsp.blocks).

Each block gets two lenses on its first line: "Inserted block: N security findings" (runs
`redline.showBlockFindings`) and "Mark reviewed" (runs `redline.markBlockReviewed`, see
commands.py). The provider is always advertised (settings arrive after initialize); with the
`reviewLens` setting off there are no blocks and the answer is empty. When a block's count
changes without the client asking (slow engines, a block marked reviewed) the server sends
workspace/codeLens/refresh, to clients that support it.
"""

from __future__ import annotations

from lsprotocol import types

from redline.lsp import convert

SHOW_BLOCK_FINDINGS = "redline.showBlockFindings"
MARK_BLOCK_REVIEWED = "redline.markBlockReviewed"


def lens_title(count: int) -> str:
    if count == 0:
        return "Inserted block: no security findings"
    return f"Inserted block: {count} security finding{'s' if count != 1 else ''}"


def lenses(session, uri: str) -> list[dict]:
    """The document's code lenses as JSON (camelCase)."""
    if not session.settings.review_lens:
        return []
    found = session.block_findings(uri)
    doc = session.document(uri)
    if doc is None or not found:
        return []
    out = []
    for block, findings in found:
        line, _ = doc.position(block.start, session.encoding)
        where = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}
        args = [uri, block.id]
        out.append({"range": where, "command": {"title": lens_title(len(findings)), "command": SHOW_BLOCK_FINDINGS, "arguments": args}})
        out.append({"range": where, "command": {"title": "Mark reviewed", "command": MARK_BLOCK_REVIEWED, "arguments": args}})
    return out


def _refresh_support(ls) -> bool:
    caps = getattr(ls, "client_capabilities", None)
    workspace = getattr(caps, "workspace", None)
    code_lens = getattr(workspace, "code_lens", None)
    return bool(getattr(code_lens, "refresh_support", False))


def register(server) -> None:
    def refresh() -> None:
        if _refresh_support(server):
            server.workspace_code_lens_refresh(None)

    server.session.lens_refresh = refresh

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def code_lens(ls, params: types.CodeLensParams):
        return [
            types.CodeLens(range=convert.to_range(lens["range"]), command=types.Command(**lens["command"]))
            for lens in lenses(ls.session, params.text_document.uri)
        ]
