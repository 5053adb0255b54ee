"""Slow engines: debounced off the event loop, never delaying the fast path, results for an old
version never published, run on save, announced to pull clients with a refresh."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import slow_lsp, slow_vscode  # noqa: F401 - fixtures
from lsp.harness import capabilities, change, codes, diagnostics, initialize, mark, open_doc, published

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")
THREAD = {"workerProcess": False, "slowEnginesDelayMs": 0}


async def _release(client):
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="test.release"))


async def test_slow_results_for_an_old_version_are_never_published(slow_vscode, tmp_path):
    slow_lsp = slow_vscode  # a push client: the order of publishes is what is checked
    await initialize(slow_lsp, slow_lsp.client_name, tmp_path, options=THREAD)
    uri = open_doc(slow_lsp, tmp_path / "app.py", "BLOCK = 'SLOWMARK'\n\ndef g(x):\n    eval(x)\n")
    assert codes((await published(slow_lsp, uri, 1)).diagnostics) == ["RL103"]
    # Version 1's slow run is blocked in the worker; typing goes on at full speed.
    change(slow_lsp, uri, 2, [((0, 0), (0, 0), "# moved\n")])
    change(slow_lsp, uri, 3, [((0, 2), (0, 7), "shifted")])
    assert codes((await published(slow_lsp, uri, 3)).diagnostics) == ["RL103"]
    since = mark(slow_lsp)
    await _release(slow_lsp)
    final = await published(slow_lsp, uri, 3, since, pred=lambda p: "RL999" in codes(p.diagnostics))
    (marker,) = [d for d in final.diagnostics if d.code == "RL999"]
    assert (marker.range.start.line, marker.range.start.character) == (1, 9)
    # No publish ever showed version 1's marker position (line 0) for a later version.
    for m, p in slow_lsp.recorder.events:
        if m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            assert all(d.range.start.line != 0 for d in p.diagnostics if d.code == "RL999")


async def test_slow_results_are_merged_and_follow_edits(slow_lsp, tmp_path):
    caps = capabilities(slow_lsp.client_name)
    if caps.text_document.diagnostic is not None:
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    await initialize(slow_lsp, caps=caps, root=tmp_path, options=THREAD)
    uri = open_doc(slow_lsp, tmp_path / "app.py", "x = 'SLOWMARK'\n\ndef f(y):\n    return eval(y)\n")
    if caps.text_document.diagnostic is None:
        await published(slow_lsp, uri, 1, pred=lambda p: "RL999" in codes(p.diagnostics))
    else:
        await slow_lsp.recorder.wait_for(lambda m, p: m == types.WORKSPACE_DIAGNOSTIC_REFRESH)
        assert codes(await diagnostics(slow_lsp, uri)) == ["RL103", "RL999"]
    # An edit above moves the slow finding along before the slow engines run again.
    change(slow_lsp, uri, 2, [((0, 0), (0, 0), "\n")])
    found = await diagnostics(slow_lsp, uri, 2)
    assert codes(found) == ["RL103", "RL999"]
    assert [(d.range.start.line, d.range.start.character) for d in found if d.code == "RL999"] == [(1, 5)]


async def test_save_runs_the_slow_engines(slow_vscode, tmp_path):
    slow_lsp = slow_vscode
    await initialize(slow_lsp, slow_lsp.client_name, tmp_path, options={"workerProcess": False, "slowEnginesDelayMs": 600_000})
    uri = open_doc(slow_lsp, tmp_path / "app.py", "x = 1\n")
    await published(slow_lsp, uri, 1)
    change(slow_lsp, uri, 2, "x = 'SLOWMARK'\n")
    assert codes((await published(slow_lsp, uri, 2)).diagnostics) == []
    since = mark(slow_lsp)
    slow_lsp.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri)))
    assert codes((await published(slow_lsp, uri, 2, since)).diagnostics) == ["RL999"]


async def test_pull_clients_are_asked_to_refresh(slow_lsp, tmp_path):
    caps = capabilities(slow_lsp.client_name, pull=True)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    await initialize(slow_lsp, caps=caps, root=tmp_path, options=THREAD)
    uri = open_doc(slow_lsp, tmp_path / "app.py", "x = 'SLOWMARK'\n")
    await slow_lsp.recorder.wait_for(lambda m, p: m == types.WORKSPACE_DIAGNOSTIC_REFRESH)
    assert codes(await diagnostics(slow_lsp, uri)) == ["RL999"]
    assert not [e for e in slow_lsp.recorder.events if e[0] == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
