"""initialize: capabilities, position encoding negotiation, stdio and TCP transports."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

import pytest
from lsprotocol import types

from lsp.fixtures import lsp, vscode  # noqa: F401 - fixtures
from lsp.harness import ROOT, capabilities, diagnostics, initialize, open_doc

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


async def test_capabilities(lsp, tmp_path):
    result = await initialize(lsp, lsp.client_name, tmp_path)
    caps = result.capabilities
    assert result.server_info.name == "redline"
    sync = caps.text_document_sync
    assert sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental and sync.save
    actions = caps.code_action_provider
    assert actions.resolve_provider is True
    assert set(actions.code_action_kinds) == {types.CodeActionKind.QuickFix, "source.fixAll.redline"}
    diag = caps.diagnostic_provider
    assert diag.identifier == "redline" and diag.workspace_diagnostics and not diag.inter_file_dependencies
    assert caps.hover_provider
    assert set(caps.execute_command_provider.commands) == {
        "redline.scanWorkspace", "redline.showRule",
        "redline.showBlockFindings", "redline.markBlockReviewed", "redline.findingsSinceOpen",
    }
    assert caps.code_lens_provider is not None  # the review lens (test_lsp_blocks.py)
    assert caps.workspace.workspace_folders.supported and caps.workspace.workspace_folders.change_notifications


@pytest.mark.parametrize(
    "offered, expected",
    [
        (None, "utf-16"),
        (["utf-16"], "utf-16"),
        (["utf-32", "utf-16"], "utf-16"),  # pygls alone would pick the client's first choice
        (["utf-32", "utf-16", "utf-8"], "utf-8"),
        (["utf-8"], "utf-8"),
    ],
)
async def test_position_encoding_is_utf8_when_offered_else_utf16(vscode, tmp_path, offered, expected):
    caps = capabilities("visual-studio-code", encodings=offered) if offered else capabilities("visual-studio-code")
    result = await initialize(vscode, caps=caps, root=tmp_path)
    assert result.capabilities.position_encoding == expected


@pytest.mark.parametrize("encoding, column", [("utf-16", 15), ("utf-8", 18)])
async def test_positions_use_the_negotiated_encoding(vscode, tmp_path, encoding, column):
    # "é" is one UTF-16 unit and two UTF-8 bytes; "😀" is two UTF-16 units and four bytes.
    await initialize(vscode, caps=capabilities("visual-studio-code", encodings=[encoding]), root=tmp_path)
    uri = open_doc(vscode, tmp_path / "enc.py", "def f(x):\n    s = 'é😀'; eval(x)\n")
    (d,) = await diagnostics(vscode, uri, 1)
    assert d.code == "RL103"
    assert (d.range.start.line, d.range.start.character) == (1, column)


async def _read_until(stream, needle: bytes) -> bytes:
    seen = b""
    while needle not in seen:
        line = await asyncio.wait_for(stream.readline(), 60)
        if not line:
            raise AssertionError(f"server ended before printing {needle!r}: {seen.decode(errors='replace')}")
        seen += line
    return seen


def _frame(msg: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(msg) + msg


async def _read_message(reader) -> bytes:
    length = None
    while True:
        line = await asyncio.wait_for(reader.readline(), 60)
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return await reader.readexactly(length)


async def test_tcp_transport(tmp_path):
    with socket.socket() as s:  # a free port for the server to bind
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT / "server"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "redline.lsp", "--tcp", f"127.0.0.1:{port}",
        stderr=asyncio.subprocess.PIPE, env=env,
    )
    try:
        await _read_until(proc.stderr, b"listening on 127.0.0.1:%d" % port)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_frame(b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'))
        await writer.drain()
        body = await _read_message(reader)
        assert b'"name": "redline"' in body and b'"positionEncoding": "utf-16"' in body
        writer.write(_frame(b'{"jsonrpc":"2.0","id":2,"method":"shutdown"}'))
        writer.write(_frame(b'{"jsonrpc":"2.0","method":"exit"}'))
        await writer.drain()
        writer.close()
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


def test_tcp_argument_is_checked():
    from redline.lsp.server import run

    assert run(tcp="no-port") == 2
