"""Hover on a flagged range: what is wrong, why (CWE link), the fix, how to suppress."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import lsp  # noqa: F401 - fixture
from lsp.harness import VULNERABLE_PY, diagnostics, initialize, open_doc

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


async def _hover(client, uri, line, character):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character))
    )


async def test_hover_explains_the_finding(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    (d,) = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL112"]
    hover = await _hover(lsp, uri, d.range.start.line, d.range.start.character + 3)
    assert hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert text.startswith("**RL112 ")
    assert d.message in text
    assert "**Why it matters:**" in text
    assert "[CWE-502](https://cwe.mitre.org/data/definitions/502.html)" in text
    assert "Quick fix available: Use yaml.safe_load() (safe)." in text
    assert "`# redline: ignore[RL112] <reason>`" in text and "`# redline: ignore-file[RL112] <reason>`" in text
    assert "`redline rules RL112`" in text  # no public docs host: the offline command (issue 17)
    assert hover.range == d.range


async def test_hover_outside_findings_is_empty(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    await diagnostics(lsp, uri, 1)
    assert await _hover(lsp, uri, 0, 2) is None
    assert await _hover(lsp, (tmp_path / "other.py").as_uri(), 0, 0) is None


async def test_hover_in_plain_text_for_clients_without_markdown(lsp, tmp_path):
    from lsp.harness import capabilities

    caps = capabilities(lsp.client_name)
    caps.text_document.hover.content_format = [types.MarkupKind.PlainText]
    await initialize(lsp, caps=caps, root=tmp_path)
    source = "function run(code) {\n  eval(code);\n}\n"
    uri = open_doc(lsp, tmp_path / "app.js", source, language_id="javascript")
    await diagnostics(lsp, uri, 1)
    hover = await _hover(lsp, uri, 1, 3)
    assert hover.contents.kind == types.MarkupKind.PlainText
    assert "**" not in hover.contents.value and "// redline: ignore[RL103] <reason>" in hover.contents.value
