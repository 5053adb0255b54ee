"""The dependency checks in the language server: diagnostics on a manifest as it is edited, the
upgrade and rename quick fixes, and the old-data note in the hover.

The client pushes (no pull diagnostics): the server may move the dependencies engine off the
keystroke path for a document (it loads the database on its first run, which exceeds the
fast-engine budget), so the tests wait for the publish that carries its findings."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp.fixtures import finish
from lsp.harness import apply_edits, capabilities, change, edits_of, initialize, mark, open_doc, published, server_config

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


@pytest_lsp.fixture(config=server_config(env={"REDLINE_DATA_DIR": "/nonexistent/redline-test-user-data"}))
async def client(lsp_client: LanguageClient):
    """A server that uses the shipped advisory database (never a developer's downloaded copy)."""
    lsp_client.client_name = "neovim"
    yield
    await finish(lsp_client)


async def start(client, root):
    """Push diagnostics, and deferred engines run in a thread as soon as typing pauses."""
    await initialize(client, caps=capabilities("neovim", pull=False), root=root,
                     options={"workerProcess": False, "slowEnginesDelayMs": 0})


def having(*codes):
    return lambda p: set(codes) <= {d.code for d in p.diagnostics}


def lacking(*codes):
    return lambda p: not set(codes) & {d.code for d in p.diagnostics}


async def _actions(client, uri, diag):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )


async def test_manifest_diagnostics_fixes_and_hover(client, tmp_path):
    await start(client, tmp_path)
    text = "requests==2.19.1\nreqeusts==2.31.0\n"
    uri = open_doc(client, tmp_path / "requirements.txt", text, language_id="pip-requirements")
    diags = (await published(client, uri, 1, pred=having("RL401", "RL404"))).diagnostics
    by_code = {d.code: d for d in diags}
    vuln = by_code["RL401"]
    assert vuln.range.start == types.Position(0, 0) and vuln.range.end == types.Position(0, 16)
    assert "PYSEC-2018-28" in vuln.message and vuln.severity == types.DiagnosticSeverity.Warning

    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 3))
    )
    assert "advisory data is from" in hover.contents.value and "redline db update" in hover.contents.value

    upgrade = next(a for a in await _actions(client, uri, vuln) if a.title.startswith("Upgrade requests to"))
    text = apply_edits(text, edits_of(upgrade.edit, uri)[0])
    assert text.startswith("requests==2.31.0\n")
    rename = next(a for a in await _actions(client, uri, by_code["RL404"]) if a.title.startswith("Replace reqeusts with requests"))
    text = apply_edits(text, edits_of(rename.edit, uri)[0])
    assert text == "requests==2.31.0\nrequests==2.31.0\n"
    since = mark(client)
    change(client, uri, 2, text)
    await published(client, uri, 2, since, pred=lacking("RL401", "RL404"))


async def test_an_edited_lock_file_is_checked_again(client, tmp_path):
    await start(client, tmp_path)
    text = '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/qs": {"version": "6.5.3"}}}'
    uri = open_doc(client, tmp_path / "package-lock.json", text, language_id="json")
    first = await published(client, uri, 1)
    assert not any("GHSA-hrpp-h998-j3pp" in d.message for d in first.diagnostics)
    since = mark(client)
    change(client, uri, 2, text.replace("6.5.3", "6.9.4"))
    await published(client, uri, 2, since, pred=lambda p: any("GHSA-hrpp-h998-j3pp" in d.message for d in p.diagnostics))
