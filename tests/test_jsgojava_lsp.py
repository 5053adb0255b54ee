"""The JavaScript, Go and Java rules through the real language server: a diagnostic with the
source of the user input as related information, its quick fix as a code action, and the
diagnostic gone once the fix is applied."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import vscode  # noqa: F401 - fixture
from lsp.harness import apply_edits, change, diagnostics, edits_of, initialize, open_doc

JS = """const { Pool } = require('pg');
const pool = new Pool();
app.get('/u', async (req, res) => {
  const { id } = req.query;
  const r = await pool.query(`SELECT * FROM users WHERE id = ${id}`);
  res.json(r.rows);
});
"""
GO = """package main

import (
\t"crypto/tls"
\t"net/http"
)

var client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
"""
JAVA = """class Accounts {
  void f(HttpServletResponse response, String token) {
    Cookie c = new Cookie("session", token);
    response.addCookie(c);
  }
}
"""


@pytest.mark.parametrize("name, language_id, text, code, title", [
    ("app.js", "javascript", JS, "RL101", "placeholders"),
    ("main.go", "go", GO, "RL305", "Remove InsecureSkipVerify"),
    ("Accounts.java", "java", JAVA, "RL307", "Set Secure and HttpOnly"),
])
async def test_fix_through_the_server(vscode, tmp_path, name, language_id, text, code, title):  # noqa: F811
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / name, text, language_id=language_id)
    diags = [d for d in await diagnostics(vscode, uri, 1) if d.code == code]
    assert len(diags) == 1, [(d.code, d.message) for d in diags]
    diag = diags[0]
    assert diag.source == "redline" and diag.code
    # no documentation URL configured (REDLINE_DOCS_URL, [project.urls]): no link is made up
    assert diag.code_description is None or diag.code_description.href.endswith(f"{diag.code}.md")
    if code == "RL101":
        [related] = diag.related_information
        assert related.location.range.start.line == 3 and "req.query" in related.message
    actions = await vscode.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    fix = next(a for a in actions if title in a.title)
    assert fix.kind == types.CodeActionKind.QuickFix
    edits, _version = edits_of(fix.edit, uri)
    new = apply_edits(text, edits)
    assert new != text
    change(vscode, uri, 2, new)
    after = [d for d in await diagnostics(vscode, uri, 2) if d.code == code]
    assert not after, [d.message for d in after]
