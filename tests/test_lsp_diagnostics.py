"""Diagnostics on open, change and close; push with versions, pull with result ids."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import lsp, vscode  # noqa: F401 - fixtures
from lsp.harness import (
    VULNERABLE_JS,
    VULNERABLE_PY,
    capabilities,
    change,
    codes,
    diagnostics,
    initialize,
    mark,
    open_doc,
    published,
    pulls,
)

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


async def test_open_reports_findings_with_every_field(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    found = await diagnostics(lsp, uri, 1)
    assert codes(found) == ["RL102", "RL112"]
    by_code = {d.code: d for d in found}
    shell = by_code["RL102"]
    assert shell.source == "redline"
    assert shell.severity == types.DiagnosticSeverity.Error
    # no documentation URL configured (REDLINE_DOCS_URL, [project.urls]): no link is made up
    assert shell.code_description is None or shell.code_description.href.endswith("/RL102.md")
    assert "shell" in shell.message
    assert (shell.range.start.line, shell.range.start.character) == (5, 4)
    assert (shell.range.end.line, shell.range.end.character) == (5, 26)
    data = by_code["RL112"].data
    assert data["rule"] == "RL112" and data["uri"] == uri and data["version"] == 1
    (fix,) = data["fixes"]
    assert fix["safe"] and fix["edits"][0]["newText"] == "safe_load"
    assert data["suppressLine"]["newText"] == "  # redline: ignore[RL112] <reason>"
    assert data["suppressFile"]["newText"] == "# redline: ignore-file[RL112] <reason>\n"


async def test_related_information_points_where_tainted_data_enters(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.js", VULNERABLE_JS, language_id="javascript")
    (sql,) = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL101"]
    (rel,) = sql.related_information
    assert rel.location.uri == uri
    assert (rel.location.range.start.line, rel.location.range.start.character) == (3, 13)
    assert "req.query" in rel.message


async def test_changes_are_published_for_their_version(vscode, tmp_path):
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    assert codes((await published(vscode, uri, 1)).diagnostics) == ["RL102", "RL112"]
    # Commenting out the os.system line: the finding goes away.
    change(vscode, uri, 2, [((5, 4), (5, 4), "# ")])
    assert codes((await published(vscode, uri, 2)).diagnostics) == ["RL112"]
    # A burst of changes sent without waiting: answered in order, and always for the last version;
    # versions the server read together with a later one are not analyzed (session.py).
    since = mark(vscode)
    change(vscode, uri, 3, [((5, 4), (5, 6), "")])  # the finding comes back
    change(vscode, uri, 4, [((0, 0), (0, 0), "\n")])  # everything moves down a line
    change(vscode, uri, 5, [((11, 15), (11, 24), "yaml.safe_load(f)")])
    last = await published(vscode, uri, 5, since)
    versions = [
        p.version for m, p in vscode.recorder.events[since:] if m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
    ]
    assert versions == sorted(versions) and versions[-1] == 5 and set(versions) <= {3, 4, 5}
    assert codes(last.diagnostics) == ["RL102"]
    assert last.diagnostics[0].range.start.line == 6


async def test_stale_and_unknown_versions_are_ignored(vscode, tmp_path):
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY, version=5)
    await published(vscode, uri, 5)
    since = mark(vscode)
    change(vscode, uri, 4, [((5, 4), (5, 4), "# ")])  # older than what the server has: dropped
    change(vscode, (tmp_path / "never-opened.py").as_uri(), 9, [((0, 0), (0, 0), "x")])
    change(vscode, uri, 6, [((0, 0), (0, 0), "# hi\n")])
    p = await published(vscode, uri, 6, since)
    assert [e for e in vscode.recorder.events[since:] if e[0] == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] == [
        (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, p)
    ]
    # The dropped change was not applied: the os.system finding is still there, one line down.
    assert codes(p.diagnostics) == ["RL102", "RL112"]
    assert p.diagnostics[0].range.start.line == 6


async def test_close_clears_diagnostics(vscode, tmp_path):
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    await published(vscode, uri, 1)
    since = mark(vscode)
    vscode.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    cleared = await published(vscode, uri, since=since)
    assert list(cleared.diagnostics) == []


async def test_whole_document_changes(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", "x = 1\n")
    assert await diagnostics(lsp, uri, 1) == []
    change(lsp, uri, 2, VULNERABLE_PY)
    assert codes(await diagnostics(lsp, uri, 2)) == ["RL102", "RL112"]


async def test_pull_diagnostics_with_result_ids(vscode, tmp_path):
    await initialize(vscode, caps=capabilities("visual-studio-code", pull=True), root=tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    doc = types.TextDocumentIdentifier(uri=uri)
    first = await vscode.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=doc))
    assert first.kind == "full" and codes(first.items) == ["RL102", "RL112"] and first.result_id
    again = await vscode.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc, previous_result_id=first.result_id)
    )
    assert again.kind == "unchanged" and again.result_id == first.result_id
    change(vscode, uri, 2, [((5, 4), (5, 4), "# ")])
    after = await vscode.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc, previous_result_id=first.result_id)
    )
    assert after.kind == "full" and codes(after.items) == ["RL112"] and after.result_id != first.result_id
    # workspace/diagnostic: every open document, unchanged where the client has the result.
    ws = await vscode.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    (item,) = ws.items
    assert item.uri == uri and item.version == 2 and codes(item.items) == ["RL112"]
    ws2 = await vscode.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[types.PreviousResultId(uri=uri, value=item.result_id)])
    )
    assert ws2.items[0].kind == "unchanged"
    # No push for a client that pulls.
    assert not [e for e in vscode.recorder.events if e[0] == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]


async def test_neovim_pulls_when_it_can(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    found = await diagnostics(lsp, uri, 1)
    assert codes(found) == ["RL102", "RL112"]
    pushed = [p for m, p in lsp.recorder.events if m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    assert bool(pushed) == (not pulls(lsp))


async def test_files_without_a_language_get_no_diagnostics(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "notes.md", "# eval(x)\n", language_id="markdown")
    assert await diagnostics(lsp, uri, 1) == []
