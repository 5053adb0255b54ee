"""Configuration: initializationOptions, workspace/configuration, didChangeConfiguration, and
redline.toml / pyproject.toml changes re-lint the open documents."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import lsp, vscode  # noqa: F401 - fixtures
from lsp.harness import (
    VULNERABLE_PY,
    codes,
    diagnostics,
    initialize,
    logged,
    mark,
    open_doc,
    published,
)

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


def _has(expected):
    return lambda p: codes(p.diagnostics) == expected


async def test_initialization_options(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path, options={"redline": {"ignore": ["RL102"], "severity": {"RL112": "hint"}}})
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    (d,) = await diagnostics(lsp, uri, 1)
    assert d.code == "RL112" and d.severity == types.DiagnosticSeverity.Hint


async def test_workspace_configuration_is_pulled(vscode, tmp_path):
    vscode.set_configuration({"redline": {"select": ["command-injection"]}})
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    # The first publish may come before the settings arrive; the settings re-lint the document.
    await published(vscode, uri, 1, pred=_has(["RL102"]))


async def test_did_change_configuration_with_settings(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    assert codes(await diagnostics(lsp, uri, 1)) == ["RL102", "RL112"]
    since = mark(lsp)
    lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"redline": {"minSeverity": "error", "ignore": ["RL112"]}})
    )
    if lsp.client_name == "neovim":
        # Neovim's capabilities pull diagnostics without refresh support: the client asks again
        # (pushing as well would show both sets: the real-Neovim test caught that).
        report = await lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert codes(report.items) == ["RL102"]
    else:
        # The first publish after `since` may still be the slow engines' result under the old
        # settings, racing the change: wait for the one under the new settings.
        await published(lsp, uri, 1, since, pred=_has(["RL102"]))


async def test_did_change_configuration_without_settings_pulls_them(vscode, tmp_path):
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    await published(vscode, uri, 1, pred=_has(["RL102", "RL112"]))
    since = mark(vscode)
    vscode.set_configuration({"redline": {"engines": {"redline": False}}})
    vscode.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await published(vscode, uri, 1, since, pred=_has([]))


async def test_config_file_and_watched_file_changes(lsp, tmp_path):
    config = tmp_path / "redline.toml"
    config.write_text('ignore = ["RL112"]\n')
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "src" / "app.py", VULNERABLE_PY)
    assert codes(await diagnostics(lsp, uri, 1)) == ["RL102"]
    since = mark(lsp)
    config.write_text('ignore = ["RL102"]\n')
    lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await logged(lsp, "configuration file changed", since)
    assert codes(await diagnostics(lsp, uri, 1, since, pred=_has(["RL112"]))) == ["RL112"]


async def test_watchers_are_registered_where_the_client_allows_it(vscode, tmp_path):
    await initialize(vscode, "visual-studio-code", tmp_path)
    reg = await vscode.recorder.wait_for(lambda m, p: m == types.CLIENT_REGISTER_CAPABILITY)
    (registration,) = reg.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = sorted(w["globPattern"] for w in registration.register_options["watchers"])
    # Configuration files, and the files other files' findings read (Java classes a document
    # calls, properties files; see test_lsp_workspace_index.py).
    assert globs == ["**/*.java", "**/*.properties", "**/.redline.toml", "**/pyproject.toml", "**/redline.toml"]


async def test_pyproject_tool_redline_and_exclude(lsp, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.redline]\nexclude = ["generated/"]\nselect = ["RL1"]\n'
    )
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    assert codes(await diagnostics(lsp, uri, 1)) == ["RL102", "RL112"]
    skipped = open_doc(lsp, tmp_path / "generated" / "app.py", VULNERABLE_PY)
    assert await diagnostics(lsp, skipped, 1) == []


async def test_filesystem_first_preference(lsp, tmp_path):
    (tmp_path / "redline.toml").write_text('ignore = ["RL112"]\n')
    options = {"configurationPreference": "filesystemFirst", "ignore": ["RL102"]}
    await initialize(lsp, lsp.client_name, tmp_path, options=options)
    uri = open_doc(lsp, tmp_path / "app.py", VULNERABLE_PY)
    # ignore lists do not merge: the file's list wins over the editor's.
    assert codes(await diagnostics(lsp, uri, 1)) == ["RL102"]


async def test_bad_configuration_file_is_reported_on_the_file(vscode, tmp_path):
    config = tmp_path / "redline.toml"
    config.write_text('select = ["RL1"]\nmin-severity = "loud"\ncolour = "red"\n')
    await initialize(vscode, "visual-studio-code", tmp_path)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    problems = await published(vscode, config.as_uri())
    by_line = {d.range.start.line: d for d in problems.diagnostics}
    assert set(by_line) == {1, 2}
    assert "min-severity" in by_line[1].message and "unknown key" in by_line[2].message
    assert all(d.source == "redline" and d.severity == types.DiagnosticSeverity.Error for d in problems.diagnostics)
    await logged(vscode, "configuration problem")
    # The valid rest applies.
    assert codes(await diagnostics(vscode, uri, 1)) == ["RL102", "RL112"]
    # Fixing the file clears the diagnostics on it.
    since = mark(vscode)
    config.write_text('select = ["RL1"]\n')
    vscode.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)])
    )
    cleared = await published(vscode, config.as_uri(), since=since)
    assert list(cleared.diagnostics) == []


async def test_bad_settings_are_shown_and_the_rest_applies(vscode, tmp_path):
    options = {"ignore": ["RL112"], "minSeverity": 3, "slowEnginesDelayMs": "soon", "logLevel": "debug"}
    await initialize(vscode, "visual-studio-code", tmp_path, options=options)
    uri = open_doc(vscode, tmp_path / "app.py", VULNERABLE_PY)
    assert codes((await published(vscode, uri, 1)).diagnostics) == ["RL102"]
    shown = await vscode.recorder.wait_for(lambda m, p: m == types.WINDOW_SHOW_MESSAGE and "minSeverity" in p.message)
    assert shown.type == types.MessageType.Warning
    await logged(vscode, "slowEnginesDelayMs")
