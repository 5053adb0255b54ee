"""Text synchronization: the server keeps one copy of each document (pygls' own is switched
off). Random incremental edits sent through the real server must leave it with the text pygls'
TextDocument computes for the same edits: checked through what the server reports, which for a
document full of findings pins down the text (every finding's position and message)."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from lsp.fixtures import lsp  # noqa: F401 - fixture
from lsp.harness import diagnostics, initialize, logged, open_doc, pulls

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")

START = "import os\n" + "".join(f"def f{i}(x, é='😀'):\n    eval(x)\n    os.system('ls ' + x)\n\n" for i in range(8))
PIECES = ["x", " ", "é", "😀", "\n", "eval(y)", "\n    os.system(z)\n", "#", "'", "(", ")", "def g(a):\n    eval(a)\n", ""]


def _random_change(rnd: random.Random, text: str) -> types.TextDocumentContentChangePartial:
    lines = text.split("\n")
    sl = rnd.randrange(len(lines))
    el = min(len(lines) - 1, sl + rnd.choice([0, 0, 0, 1, 2]))

    def col(line: str) -> int:
        cut = rnd.randint(0, len(line))
        return len(line[:cut].encode("utf-16-le")) // 2  # UTF-16 code units, never mid-pair

    sc, ec = col(lines[sl]), col(lines[el])
    if (el, ec) < (sl, sc):
        sc, ec = ec, sc
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(sl, sc), types.Position(el, ec)), text=rnd.choice(PIECES)
    )


def _last_publish(client, uri, version):
    found = [p for m, p in client.recorder.events if m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS and p.uri == uri and p.version == version]
    return list(found[-1].diagnostics)


def _shape(diags):
    return sorted((d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message) for d in diags)


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_edits_leave_the_text_pygls_would_have(lsp, tmp_path, seed):
    # Half-typed code can leave tree-sitter's incremental error recovery with another tree than
    # a fresh parse (documents/store.py); the server re-parses when the user pauses. The test
    # waits for that pause (the server logs it) before comparing with a freshly opened copy.
    await initialize(lsp, lsp.client_name, tmp_path, options={"logLevel": "debug", "slowEnginesDelayMs": 0})
    rnd = random.Random(seed)
    uri = open_doc(lsp, tmp_path / "edited.py", START)
    await diagnostics(lsp, uri, 1)
    encoding = "utf-16"  # pytest-lsp's VS Code and Neovim 0.11 both accept UTF-16
    result_encoding = lsp.capabilities.general and lsp.capabilities.general.position_encodings
    if result_encoding and "utf-8" in [str(e.value if hasattr(e, "value") else e) for e in result_encoding]:
        encoding = "utf-8"
    model = TextDocument(uri, START, version=1, position_codec=PositionCodec(encoding))
    version = 1
    for batch in range(6):
        for _ in range(10):
            version += 1
            changes = []
            for _ in range(rnd.choice([1, 1, 2])):  # each change applies to the text the previous left
                change = _random_change(rnd, model.source)
                if encoding == "utf-8":  # positions were made in UTF-16: restate them in UTF-8
                    change = _as_utf8(model.source, change)
                model.apply_change(change)
                changes.append(change)
            lsp.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=changes,
                )
            )
        await logged(lsp, f"idle {uri} version {version}:", since=0)
        edited = _last_publish(lsp, uri, version) if not pulls(lsp) else await diagnostics(lsp, uri)
        fresh_uri = open_doc(lsp, tmp_path / f"fresh{batch}.py", model.source)
        fresh = await diagnostics(lsp, fresh_uri, 1)
        assert _shape(edited) == _shape(fresh), f"after {version - 1} edits"
    assert any(d.code == "RL103" for d in edited)  # the comparison had findings to compare


def _as_utf8(text: str, change: types.TextDocumentContentChangePartial) -> types.TextDocumentContentChangePartial:
    lines = text.split("\n")

    def conv(p: types.Position) -> types.Position:
        line = lines[p.line]
        units, chars = 0, 0
        for ch in line:
            if units >= p.character:
                break
            units += 2 if ord(ch) > 0xFFFF else 1
            chars += 1
        return types.Position(p.line, len(line[:chars].encode("utf-8")))

    return types.TextDocumentContentChangePartial(
        range=types.Range(conv(change.range.start), conv(change.range.end)), text=change.text
    )
