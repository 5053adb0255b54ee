"""Robustness: a failing rule or engine loses only its own results and is logged; malformed
messages get JSON-RPC errors; huge files are skipped with a reason and stall nothing."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp.fixtures import dying_worker, faulty, lsp  # noqa: F401 - fixtures
from lsp.harness import change, codes, diagnostics, initialize, logged, mark, open_doc, published

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


async def test_a_failing_rule_loses_only_its_own_results(faulty, tmp_path):
    await initialize(faulty, "visual-studio-code", tmp_path)
    bad = open_doc(faulty, tmp_path / "bad.py", "import os\n\ndef f(c, boom, x):\n    os.system('ls ' + c)\n    eval(boom)\n    eval(x)\n")
    good = open_doc(faulty, tmp_path / "good.py", "def g(x):\n    eval(x)\n")
    assert codes((await published(faulty, bad, 1)).diagnostics) == ["RL102"]
    assert codes((await published(faulty, good, 1)).diagnostics) == ["RL103"]
    message = await logged(faulty, "RL103 failed")
    assert message.type == types.MessageType.Error and "test predicate exploded" in message.message
    # Once the input that trips the rule is gone, the rule reports again.
    change(faulty, bad, 2, [((4, 9), (4, 13), "c")])
    assert codes((await published(faulty, bad, 2)).diagnostics) == ["RL102", "RL103", "RL103"]


async def test_a_failing_engine_loses_only_its_own_results(faulty, tmp_path):
    await initialize(faulty, "visual-studio-code", tmp_path)
    uri = open_doc(faulty, tmp_path / "app.py", "ENGINE_BOOM = 1\n\ndef g(x):\n    eval(x)\n")
    assert codes((await published(faulty, uri, 1)).diagnostics) == ["RL103"]
    await logged(faulty, "test-broken failed")


def _raw_request(client, msg_id: str, method: str, params) -> Future:
    fut: Future = Future()
    client.protocol._request_futures[msg_id] = fut
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return fut


async def test_malformed_messages_get_errors_not_crashes(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    uri = open_doc(lsp, tmp_path / "app.py", "def g(x):\n    eval(x)\n")
    await diagnostics(lsp, uri, 1)
    bad = _raw_request(lsp, "bad-1", "textDocument/hover", {"textDocument": {"uri": 5}, "position": "here"})
    with pytest.raises(JsonRpcException) as err:
        await asyncio.wrap_future(bad)
    assert err.value.code == -32602  # InvalidParams
    since = mark(lsp)
    lsp.protocol._send_data(
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {}, "contentChanges": 7}}
    )
    await logged(lsp, "ignored malformed textDocument/didChange", since)
    bad_data = _raw_request(
        lsp, "bad-2", "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 11}},
            "context": {"diagnostics": [{
                "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 11}},
                "message": "m", "source": "redline", "code": "RL103",
                "data": {"v": 1, "rule": "RL103", "uri": uri, "version": 1, "fixes": [{"edits": "nope"}]},
            }]},
        },
    )
    with pytest.raises(JsonRpcException) as err:
        await asyncio.wrap_future(bad_data)
    assert err.value.code == -32602
    # Still serving.
    change(lsp, uri, 2, [((1, 4), (1, 4), "x")])
    assert await diagnostics(lsp, uri, 2) == []


async def test_a_huge_minified_file_is_skipped_and_stalls_nothing(lsp, tmp_path):
    await initialize(lsp, lsp.client_name, tmp_path)
    huge_text = "var a=eval(b);" * 380_000  # 5.3 MB on one line
    # (not named *.min.js: that name alone makes it a generated file, never scanned at any size)
    huge = open_doc(lsp, tmp_path / "bundle.js", huge_text, language_id="javascript")
    small = open_doc(lsp, tmp_path / "app.py", "def g(x):\n    eval(x)\n")
    assert codes(await diagnostics(lsp, small, 1)) == ["RL103"]
    reason = await logged(lsp, "bundle.js: not scanned")
    assert "size limit" in reason.message
    assert await diagnostics(lsp, huge, 1) == []
    change(lsp, huge, 2, [((0, 0), (0, 0), "x")])
    assert await diagnostics(lsp, huge, 2) == []
    change(lsp, small, 2, [((1, 4), (1, 4), "x")])
    assert await diagnostics(lsp, small, 2) == []
    # Cut down to size, it is scanned like any other file.
    change(lsp, huge, 3, "var a = eval(b);\n")
    assert codes(await diagnostics(lsp, huge, 3)) == ["RL103"]


async def test_a_dead_worker_process_is_replaced(dying_worker, tmp_path):
    await initialize(dying_worker, "visual-studio-code", tmp_path, options={"slowEnginesDelayMs": 0})
    uri = open_doc(dying_worker, tmp_path / "app.py", "x = 'SLOWMARK'  # DIE\n")
    await logged(dying_worker, "slow engines failed")
    change(dying_worker, uri, 2, "x = 'SLOWMARK'\n")
    p = await published(dying_worker, uri, 2, pred=lambda p: codes(p.diagnostics) == ["RL999"])
    assert p.diagnostics[0].range.start.character == 5
