"""A pytest-lsp client that records every notification and can wait for one that matches.

pytest-lsp's own `wait_for_notification` only sees notifications that arrive after the call;
here every publishDiagnostics, logMessage, showMessage and progress notification is kept, and
`wait_for(...)` first looks at what already arrived, then waits for the next match (never
sleeping, never asserting on time; the timeout only turns a hang into a failure).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Callable

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "redline.lsp"]
HANG = 60  # seconds: only a guard against a hung server, never a measurement
CLIENTS = ["visual-studio-code", "neovim"]


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.waiters: list[tuple[Callable[[str, Any], bool], asyncio.Future]] = []

    def add(self, method: str, params: Any) -> None:
        self.events.append((method, params))
        for pred, fut in list(self.waiters):
            if not fut.done() and pred(method, params):
                fut.set_result(params)

    async def wait_for(self, pred: Callable[[str, Any], bool], since: int = 0, timeout: float = HANG) -> Any:
        for method, params in self.events[since:]:
            if pred(method, params):
                return params
        fut = asyncio.get_running_loop().create_future()
        entry = (pred, fut)
        self.waiters.append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters.remove(entry)

    def of(self, method: str) -> list[Any]:
        return [p for m, p in self.events if m == method]


def _recording(method: str, original=None):
    def handler(client: LanguageClient, params):
        if original is not None:
            original(client, params)
        client.recorder.add(method, params)

    return handler


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.recorder = Recorder()
    features = dict(DEFAULT_CLIENT_FEATURES)
    for method in (
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        types.WINDOW_LOG_MESSAGE,
        types.WINDOW_SHOW_MESSAGE,
        types.PROGRESS,
    ):
        features[method] = _recording(method, features.get(method))
    features[types.WORKSPACE_DIAGNOSTIC_REFRESH] = _recording(
        types.WORKSPACE_DIAGNOSTIC_REFRESH, features.get(types.WORKSPACE_DIAGNOSTIC_REFRESH)
    )
    # Clients with VS Code's capabilities announce code lens refresh support: answer it, as VS Code does.
    features[types.WORKSPACE_CODE_LENS_REFRESH] = _recording(types.WORKSPACE_CODE_LENS_REFRESH)
    features[types.CLIENT_REGISTER_CAPABILITY] = _recording(types.CLIENT_REGISTER_CAPABILITY)
    register_lsp_features(client, features)
    return client


def server_config(command: list[str] | None = None, env: dict[str, str] | None = None) -> pytest_lsp.ClientServerConfig:
    full_env = dict(os.environ)
    full_env.setdefault("PYTHONPATH", str(ROOT / "server"))
    full_env.update(env or {})
    return pytest_lsp.ClientServerConfig(server_command=command or SERVER, client_factory=make_client, server_env=full_env)


def capabilities(name: str, *, encodings: list[str] | None = None, pull: bool | None = None) -> types.ClientCapabilities:
    caps = pytest_lsp.client_capabilities(name)
    if encodings is not None:
        caps.general = caps.general or types.GeneralClientCapabilities()
        caps.general.position_encodings = [types.PositionEncodingKind(e) for e in encodings]
    if pull is False:
        caps.text_document.diagnostic = None
    elif pull is True and caps.text_document.diagnostic is None:
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    return caps


async def initialize(
    client: LanguageClient,
    name: str = "visual-studio-code",
    root: Path | None = None,
    options: Any = None,
    caps: types.ClientCapabilities | None = None,
) -> types.InitializeResult:
    folders = [types.WorkspaceFolder(uri=root.as_uri(), name=root.name)] if root else None
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=caps or capabilities(name),
            workspace_folders=folders,
            root_uri=root.as_uri() if root else None,
            initialization_options=options,
        )
    )


def open_doc(client: LanguageClient, path: Path, text: str, language_id: str = "python", version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)
        )
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, edits: list[tuple[tuple[int, int], tuple[int, int], str]] | str) -> None:
    if isinstance(edits, str):
        changes = [types.TextDocumentContentChangeWholeDocument(text=edits)]
    else:
        changes = [
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(*s), types.Position(*e)), text=t
            )
            for s, e, t in edits
        ]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=changes
        )
    )


async def published(client: LanguageClient, uri: str, version: int | None = ..., since: int = 0,
                    pred: Callable[[types.PublishDiagnosticsParams], bool] | None = None) -> types.PublishDiagnosticsParams:
    """The first publishDiagnostics for `uri` (with `version`, when given) matching `pred`."""

    def match(method, p):
        return (
            method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
            and p.uri == uri
            and (version is ... or p.version == version)
            and (pred is None or pred(p))
        )

    return await client.recorder.wait_for(match, since)


async def logged(client: LanguageClient, needle: str, since: int = 0) -> types.LogMessageParams:
    return await client.recorder.wait_for(
        lambda m, p: m == types.WINDOW_LOG_MESSAGE and needle in p.message, since
    )


def mark(client: LanguageClient) -> int:
    """Position in the notification log: later waits ignore what came before."""
    return len(client.recorder.events)


def codes(diagnostics) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP TextEdits (UTF-16 or UTF-8 agnostic for ASCII test texts) to `text`."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def off(p: types.Position) -> int:
        if p.line >= len(lines):
            return len(text)
        return starts[p.line] + p.character

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end) :]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str) -> tuple[list[types.TextEdit], int | None]:
    """The text edits for `uri` of a WorkspaceEdit and the version they were made for."""
    if edit.document_changes:
        for dc in edit.document_changes:
            if dc.text_document.uri == uri:
                return list(dc.edits), dc.text_document.version
        return [], None
    return list((edit.changes or {}).get(uri, [])), None


def pulls(client: LanguageClient) -> bool:
    caps = client.capabilities
    return bool(caps and caps.text_document and caps.text_document.diagnostic is not None)


async def diagnostics(client: LanguageClient, uri: str, version: int | None = ..., since: int = 0, pred=None):
    """The document's diagnostics as this client gets them: a pull where it supports pull
    diagnostics (after the server has handled everything sent before), else the publish for
    `version`."""
    if pulls(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        return list(report.items)
    return list((await published(client, uri, version, since, pred)).diagnostics)


VULNERABLE_PY = '''import os
import yaml


def run(cmd):
    os.system("ls " + cmd)


def load(path):
    with open(path) as f:
        return yaml.load(f)
'''

VULNERABLE_JS = '''const express = require("express");
const app = express();
app.get("/u", (req, res) => {
  const id = req.query.id;
  db.query("SELECT * FROM users WHERE id = " + id);
});
'''
