"""Code actions: the rule's fix, suppress on this line / in this file, source.fixAll.redline."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.fixtures import lsp, vscode  # noqa: F401 - fixtures
from lsp.harness import (
    VULNERABLE_PY,
    apply_edits,
    capabilities,
    change,
    codes,
    diagnostics,
    edits_of,
    initialize,
    open_doc,
)

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


def _doc_changes(client) -> bool:
    ws = client.capabilities.workspace
    return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)


async def _actions(client, uri, diags, only=None):
    rng = diags[0].range if diags else types.Range(types.Position(0, 0), types.Position(0, 0))
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=list(diags), only=only),
        )
    )


async def _apply(client, uri, text, version, action):
    edits, edit_version = edits_of(action.edit, uri)
    if _doc_changes(client):
        assert edit_version == version - 1  # documentChanges carry the version they were made for
    else:
        assert action.edit.document_changes is None and uri in action.edit.changes
    new = apply_edits(text, edits)
    change(client, uri, version, new)
    return new


@pytest.mark.parametrize("code, title", [("RL112", "Use yaml.safe_load() (RL112)")])
async def test_rule_fix_is_preferred_when_safe_and_removes_the_finding(lsp, tmp_path, code, title):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    diags = [d for d in await diagnostics(lsp, uri, 1) if d.code == code]
    actions = await _actions(lsp, uri, diags)
    fix = next(a for a in actions if a.title == title)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics[0].code == code
    text = await _apply(lsp, uri, VULNERABLE_PY, 2, fix)
    assert "yaml.safe_load(f)" in text
    assert codes(await diagnostics(lsp, uri, 2)) == ["RL102"]


async def test_suppress_on_this_line(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    diags = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL102"]
    actions = await _actions(lsp, uri, diags)
    titles = [a.title for a in actions]
    assert "Suppress RL102 on this line" in titles and "Suppress RL102 in this file" in titles
    assert not any(a.is_preferred for a in actions if a.title.startswith("Suppress"))
    action = next(a for a in actions if a.title == "Suppress RL102 on this line")
    text = await _apply(lsp, uri, VULNERABLE_PY, 2, action)
    assert '    os.system("ls " + cmd)  # redline: ignore[RL102] <reason>\n' in text
    assert codes(await diagnostics(lsp, uri, 2)) == ["RL112"]


async def test_suppress_in_this_file(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    source = "#!/usr/bin/env python\n" + VULNERABLE_PY + "\n\ndef again(c):\n    os.system('rm ' + c)\n"
    uri = open_doc(lsp, tmp_path / "app.py", source)
    diags = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL102"]
    assert len(diags) == 2
    action = next(a for a in await _actions(lsp, uri, diags[:1]) if a.title == "Suppress RL102 in this file")
    text = await _apply(lsp, uri, source, 2, action)
    assert text.startswith("#!/usr/bin/env python\n# redline: ignore-file[RL102] <reason>\nimport os\n")
    assert codes(await diagnostics(lsp, uri, 2)) == ["RL112"]


async def test_suppression_uses_the_language_comment_syntax(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    source = "function run(code) {\n  eval(code);\n}\n"
    uri = open_doc(lsp, tmp_path / "app.js", source, language_id="javascript")
    diags = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL103"]
    action = next(a for a in await _actions(lsp, uri, diags) if a.title == "Suppress RL103 on this line")
    text = await _apply(lsp, uri, source, 2, action)
    assert "  eval(code); // redline: ignore[RL103] <reason>\n" in text
    assert [d for d in await diagnostics(lsp, uri, 2) if d.code == "RL103"] == []


async def test_suppression_above_a_line_that_ends_inside_a_string(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    source = 'def q(cur, name):\n    cur.execute(f"""SELECT *\n        FROM t WHERE name = {name}""")\n'
    uri = open_doc(lsp, tmp_path / "app.py", source)
    diags = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL101"]
    assert diags
    action = next(a for a in await _actions(lsp, uri, diags) if a.title == "Suppress RL101 on this line")
    text = await _apply(lsp, uri, source, 2, action)
    assert '    # redline: ignore[RL101] <reason>\n    cur.execute(f"""SELECT *\n' in text
    assert [d for d in await diagnostics(lsp, uri, 2) if d.code == "RL101"] == []


async def test_fix_all_is_resolved_lazily_for_the_version_it_was_offered_for(vscode, tmp_path):
    await initialize(vscode, "visual-studio-code", tmp_path)
    source = VULNERABLE_PY + "\n\ndef load2(s):\n    return yaml.load(s, Loader=yaml.Loader)\n"
    uri = open_doc(vscode, tmp_path / "app.py", source)
    await diagnostics(vscode, uri, 1)
    (action,) = await _actions(vscode, uri, [], only=["source.fixAll.redline"])
    assert action.kind == "source.fixAll.redline" and action.edit is None  # computed on resolve
    resolved = await vscode.code_action_resolve_async(action)
    edits, version = edits_of(resolved.edit, uri)
    assert version == 1 and len(edits) == 3  # two renames and the removal of ", Loader=..."
    text = apply_edits(source, edits)
    assert text.count("yaml.safe_load(") == 2 and "Loader" not in text
    change(vscode, uri, 2, text)
    assert codes(await diagnostics(vscode, uri, 2)) == ["RL102"]
    # Offered for version 2, resolved after version 3 arrived: refused, not applied stale.
    change(vscode, uri, 3, source)
    await diagnostics(vscode, uri, 3)
    (offered,) = await _actions(vscode, uri, [], only=["source.fixAll"])
    change(vscode, uri, 4, source + "\n")
    with pytest.raises(JsonRpcException, match="changed"):
        await vscode.code_action_resolve_async(offered)


async def test_fix_all_comes_resolved_for_clients_without_resolve(vscode, tmp_path):
    caps = capabilities("visual-studio-code")
    caps.text_document.code_action.resolve_support = None
    await initialize(vscode, caps=caps, root=tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    await diagnostics(vscode, uri, 1)
    (action,) = await _actions(vscode, uri, [], only=["source.fixAll.redline"])
    edits, _v = edits_of(action.edit, uri)
    assert [e.new_text for e in edits] == ["safe_load"]


async def test_no_fix_all_without_safe_fixes_and_only_filters(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", "import os\n\ndef f(c):\n    os.system(c)\n")
    diags = await diagnostics(lsp, uri, 1)
    assert await _actions(lsp, uri, [], only=["source.fixAll"]) is None
    only_quick = await _actions(lsp, uri, diags, only=[types.CodeActionKind.QuickFix])
    assert {a.kind for a in only_quick} == {types.CodeActionKind.QuickFix}
    assert await _actions(lsp, uri, diags, only=[types.CodeActionKind.Refactor]) is None


async def test_actions_for_diagnostics_whose_data_the_client_dropped(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    diags = [d for d in await diagnostics(lsp, uri, 1) if d.code == "RL112"]
    for d in diags:
        d.data = None
    titles = [a.title for a in await _actions(lsp, uri, diags)]
    assert titles[0] == "Use yaml.safe_load() (RL112)" and "Suppress RL112 on this line" in titles


async def test_other_servers_diagnostics_are_left_alone(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", "x = 1\n")
    await diagnostics(lsp, uri, 1)
    foreign = types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 1)), message="E501", source="flake8", code="E501"
    )
    assert await _actions(lsp, uri, [foreign]) is None
