"""The LSP lifecycle as the specification says: nothing but `initialize` (and `exit`) before
initialize, no requests after shutdown, `exit` status 0 after shutdown and 1 without, and
unknown methods answered (requests) or ignored (notifications)."""

from __future__ import annotations

import logging

import pytest

from lsp.raw import INITIALIZE, PING, Process, body, frame, in_process_server, notification, request

DID_OPEN = notification(
    "textDocument/didOpen",
    {"textDocument": {"uri": "file:///w/app.py", "languageId": "python", "version": 1, "text": "eval(x)\n"}},
)
HOVER = {"textDocument": {"uri": "file:///w/app.py"}, "position": {"line": 0, "character": 0}}


def send(server, *messages) -> None:
    for m in messages:
        server.protocol.handle_body(body(m))


@pytest.fixture
def server():
    server, out = in_process_server()
    server.out = out
    return server


def test_requests_before_initialize_get_server_not_initialized(server):
    send(server, request(1, "textDocument/hover", HOVER), request(2, "shutdown"), request(3, PING))
    assert {i: m["error"]["code"] for i, m in server.out.responses().items()} == {1: -32002, 2: -32002, 3: -32002}
    send(server, INITIALIZE)
    assert "capabilities" in server.out.responses()[1]["result"]


def test_notifications_before_initialize_are_dropped(server):
    send(server, DID_OPEN, notification("initialized", {}))
    send(server, INITIALIZE)
    assert server.session.document("file:///w/app.py") is None
    send(server, DID_OPEN)
    assert server.session.document("file:///w/app.py") is not None


def test_requests_after_shutdown_get_invalid_request(server):
    send(server, INITIALIZE, request(2, "shutdown"))
    assert server.out.responses()[2]["result"] is None
    send(server, request(3, "textDocument/hover", HOVER), request(4, "shutdown"), request(5, PING), DID_OPEN)
    responses = server.out.responses()
    assert {i: responses[i]["error"]["code"] for i in (3, 4, 5)} == {3: -32600, 4: -32600, 5: -32600}
    assert server.session.document("file:///w/app.py") is None  # the notification was dropped
    assert server.protocol.exit_code is None
    send(server, notification("exit"))
    assert server.protocol.exit_code == 0 and server._stop_event.is_set()


def test_exit_without_shutdown_sets_status_1(server):
    send(server, INITIALIZE, notification("exit"))
    assert server.protocol.exit_code == 1 and server._stop_event.is_set()


@pytest.mark.parametrize("params", [5, {"x": 1}, [], None])
def test_exit_with_params_still_exits(server, params):
    send(server, INITIALIZE, request(2, "shutdown"), {"jsonrpc": "2.0", "method": "exit", "params": params})
    assert server.protocol.exit_code == 0


@pytest.mark.parametrize("params", [None, {}, [1, 2], 5])
@pytest.mark.parametrize("method", [PING, "$/redline/unknown", "textDocument/noSuchThing"])
def test_unknown_requests_get_method_not_found(server, method, params):
    send(server, INITIALIZE, request(2, method, params))
    assert server.out.responses()[2]["error"]["code"] == -32601


@pytest.mark.parametrize("params", [None, {}, 5])
@pytest.mark.parametrize("method", ["$/redline/unknown", "$/someClient/event", "redline/unknown"])
def test_unknown_notifications_are_ignored_silently(server, caplog, method, params):
    send(server, INITIALIZE)
    before = len(server.out.messages())
    with caplog.at_level(logging.INFO):
        send(server, notification(method, params))
    assert server.out.messages()[before:] == []  # no answer and no window/logMessage
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    send(server, request(3, PING))
    assert server.out.responses()[3]["error"]["code"] == -32601


def test_cancel_request_still_works(server):
    send(server, INITIALIZE, notification("$/cancelRequest", {"id": 99}))
    assert server.out.responses().keys() == {1}


# ---------------------------------------------------------------------- the process status


@pytest.mark.parametrize(
    "messages,status",
    [
        ([INITIALIZE, request(2, "shutdown"), notification("exit")], 0),
        ([INITIALIZE, notification("exit")], 1),
        ([notification("exit")], 1),  # exit is honoured before initialize too
    ],
)
def test_redline_lsp_exit_status(messages, status):
    server = Process()
    try:
        server.send(b"".join(frame(m) for m in messages))
        # No closing of stdin first: `exit` alone must end the process.
        assert server.proc.wait(timeout=60) == status
    finally:
        server.kill()
    assert b"Traceback" not in server.stderr
