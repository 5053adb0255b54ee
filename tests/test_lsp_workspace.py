"""redline.scanWorkspace (progress, cancellation, results for files that are not open) and
redline.showRule."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.fixtures import lsp, slow_lsp, vscode  # noqa: F401 - fixtures
from lsp.harness import VULNERABLE_JS, VULNERABLE_PY, codes, initialize, mark, open_doc, published

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


def _project(root):
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(VULNERABLE_PY)
    (root / "src" / "web.js").write_text(VULNERABLE_JS)
    (root / "src" / "clean.py").write_text("print('hello')\n")
    (root / "build").mkdir()
    (root / "build" / "gen.py").write_text(VULNERABLE_PY)
    (root / ".gitignore").write_text("build/\n")
    (root / ".git").mkdir()


def _progress(client, token=None):
    kinds = []
    for method, p in client.recorder.events:
        if method == types.PROGRESS and (token is None or p.token == token):
            kinds.append((p.value["kind"], p.value.get("percentage"), p.value.get("message", "")))
    return kinds


async def _scan(client, *args, token=None):
    if token is not None:
        client.progress_reports.setdefault(token, [])  # a token the client made up itself
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.scanWorkspace", arguments=list(args) or None, work_done_token=token)
    )


async def test_scan_reports_files_that_are_not_open(lsp, tmp_path):
    _project(tmp_path)
    await initialize(lsp, lsp.client_name, tmp_path)
    opened = open_doc(lsp, tmp_path / "src" / "clean.py", "print('hello')\n")
    summary = await _scan(lsp)
    assert summary["files"] == 2 and summary["findings"] == 3 and not summary["cancelled"]
    pushes = {p.uri: p for m, p in lsp.recorder.events if m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
    app, web = (tmp_path / "src" / "app.py").as_uri(), (tmp_path / "src" / "web.js").as_uri()
    assert codes(pushes[app].diagnostics) == ["RL102", "RL112"] and pushes[app].version is None
    assert codes(pushes[web].diagnostics) == ["RL101"]
    assert (tmp_path / "build" / "gen.py").as_uri() not in pushes  # .gitignore'd
    assert opened not in pushes or pushes[opened].version == 1  # open files keep their own
    # Server-created progress: begin at 0 %, reports, end.
    progress = _progress(lsp)
    assert progress[0][:2] == ("begin", 0) and progress[-1][0] == "end"
    assert [p[1] for p in progress if p[0] == "report"][-1] == 100
    # workspace/diagnostic includes the scanned files.
    ws = await lsp.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    assert {i.uri for i in ws.items} >= {app, web}


async def test_scan_uses_the_clients_progress_token_and_folder_argument(vscode, tmp_path):
    _project(tmp_path)
    await initialize(vscode, "visual-studio-code", tmp_path)
    summary = await _scan(vscode, (tmp_path / "src").as_uri(), token="client-token")
    assert summary["files"] == 3
    progress = _progress(vscode, "client-token")
    assert progress[0][0] == "begin" and progress[-1][0] == "end" and "3 files" in progress[-1][2]


async def test_opening_a_scanned_file_hands_over_to_live_diagnostics(vscode, tmp_path):
    _project(tmp_path)
    await initialize(vscode, "visual-studio-code", tmp_path)
    await _scan(vscode)
    since = mark(vscode)
    uri = open_doc(vscode, tmp_path / "src" / "app.py", "x = 1\n")
    assert list((await published(vscode, uri, 1, since)).diagnostics) == []


async def test_scan_on_startup(vscode, tmp_path):
    _project(tmp_path)
    await initialize(vscode, "visual-studio-code", tmp_path, options={"scanWorkspaceOnStartup": True})
    p = await published(vscode, (tmp_path / "src" / "app.py").as_uri())
    assert codes(p.diagnostics) == ["RL102", "RL112"]


async def test_scan_can_be_cancelled(slow_lsp, tmp_path):
    # 40 files scanned 16 at a time; the file in the third batch blocks until released, so the
    # cancellation surely arrives while the scan runs.
    for i in range(40):
        (tmp_path / f"f{i:02}.py").write_text("import os\n\ndef f(c):\n    os.system(c)\n")
    (tmp_path / "f33.py").write_text("BLOCK = 1\n")
    await initialize(slow_lsp, slow_lsp.client_name, tmp_path, options={"workerProcess": False})
    slow_lsp.progress_reports.setdefault("t1", [])
    scan = slow_lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.scanWorkspace", work_done_token="t1")
    )
    import asyncio

    scan = asyncio.ensure_future(scan)
    await slow_lsp.recorder.wait_for(
        lambda m, p: m == types.PROGRESS and p.token == "t1" and p.value.get("percentage") == 80
    )
    slow_lsp.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="t1"))
    await slow_lsp.workspace_execute_command_async(types.ExecuteCommandParams(command="test.release"))
    summary = await scan
    assert summary["cancelled"] and summary["files"] == 32
    assert _progress(slow_lsp, "t1")[-1][0] == "end" and "cancelled" in _progress(slow_lsp, "t1")[-1][2]


async def test_show_rule(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    for arg in ("RL101", "sql-injection", "rl101"):
        rule = await lsp.workspace_execute_command_async(
            types.ExecuteCommandParams(command="redline.showRule", arguments=[arg])
        )
        assert rule["code"] == "RL101" and rule["name"] == "sql-injection" and "CWE-89" in rule["cwe"]
        assert rule["markdown"].startswith("# RL101 sql-injection") and "**Fix:**" in rule["markdown"]
    for bad in (["RL000"], [], [1]):
        with pytest.raises(JsonRpcException, match="rule"):
            await lsp.workspace_execute_command_async(
                types.ExecuteCommandParams(command="redline.showRule", arguments=bad)
            )


async def test_unknown_command_is_an_error(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    with pytest.raises(JsonRpcException, match="unknown command"):
        await lsp.workspace_execute_command_async(types.ExecuteCommandParams(command="redline.nope"))


async def test_workspace_folders_added_later_are_scanned(vscode, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    (second / "app.py").write_text(VULNERABLE_PY)
    await initialize(vscode, "visual-studio-code", first)
    assert (await _scan(vscode))["files"] == 0
    vscode.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=second.as_uri(), name="two")], removed=[]
            )
        )
    )
    summary = await _scan(vscode)
    assert summary["files"] == 1 and summary["findings"] == 2
    p = await published(vscode, (second / "app.py").as_uri())
    assert codes(p.diagnostics) == ["RL102", "RL112"]
