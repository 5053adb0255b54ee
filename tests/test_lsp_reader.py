"""The base protocol reader (redline.lsp.reader) and message bodies (RedlineProtocol.handle_body):
one bad header block or body is logged and skipped, and the messages after it are answered.

pygls' own reader goes deaf after each of the header shapes below and dies of a MemoryError on
a huge Content-Length (docs/pygls-upstream.md)."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import subprocess
import sys
import threading
import tracemalloc

import pytest

from lsp.harness import HANG, ROOT
from lsp.raw import INITIALIZE, PING, Process, body, frame, in_process_server, notification, request, split_frames
from redline.lsp.reader import Frame, FrameParser, Problem, serve

VALID = request(7, PING)

# Each bad shape, as a client might send it, with the message it was meant to carry.
BAD_SHAPES = {
    "negative length": b"Content-Length: -5\r\n\r\n" + body(request(90, PING)),
    "missing length": b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + body(request(90, PING)),
    "length not a number": b"Content-Length: twelve\r\n\r\n" + body(request(90, PING)),
    "length larger than the body": b"Content-Length: 4000\r\n\r\n" + body(request(90, PING)),
    "length smaller than the body": b"Content-Length: 9\r\n\r\n" + body(request(90, PING)),
    "huge length": b"Content-Length: 99999999999999\r\n\r\n" + body(request(90, PING)),
    "huge length, no body": b"Content-Length: 99999999999999\r\n\r\n",
    "garbage": b"\x00\xff hello\r\n\r\nworld",
}
# Header shapes that are fine, only not the way pygls spells them.
LENIENT_SHAPES = {
    "lowercase name": frame(request(90, PING), "content-length: {n}\r\n\r\n"),
    "upper-case name": frame(request(90, PING), "CONTENT-LENGTH:{n}\r\n\r\n"),
    "LF line ends": frame(request(90, PING), "Content-Length: {n}\n\n"),
    "content type first": frame(request(90, PING), "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {n}\r\n\r\n"),
    "spaces around the value": frame(request(90, PING), "Content-Length:   {n}  \r\n\r\n"),
}


def frames(events) -> list[bytes]:
    return [e.body for e in events if isinstance(e, Frame)]


def problems(events) -> list[str]:
    return [e.text for e in events if isinstance(e, Problem)]


# ---------------------------------------------------------------------- the parser


@pytest.mark.parametrize("shape", list(BAD_SHAPES))
def test_a_bad_header_block_is_logged_and_the_next_message_read(shape):
    parser = FrameParser()
    events = parser.feed(BAD_SHAPES[shape] + frame(VALID))
    assert body(VALID) in frames(events)
    assert problems(events)


@pytest.mark.parametrize("shape", list(LENIENT_SHAPES))
def test_header_names_are_case_insensitive_and_lf_line_ends_accepted(shape):
    events = FrameParser().feed(LENIENT_SHAPES[shape] + frame(VALID))
    assert frames(events) == [body(request(90, PING)), body(VALID)]
    assert problems(events) == []


def test_a_length_larger_than_the_body_is_cut_where_the_next_header_starts():
    # Byte by byte, as a slow pipe would deliver it: the cut happens as soon as the next
    # header line is complete, without waiting for the declared 4000 bytes.
    parser = FrameParser()
    stream = BAD_SHAPES["length larger than the body"] + frame(VALID)
    events = []
    for i in range(len(stream)):
        events += parser.feed(stream[i : i + 1])
    assert frames(events) == [body(request(90, PING)), body(VALID)]
    assert "larger than the message body" in problems(events)[0]


def test_content_length_text_inside_a_body_is_only_text():
    text = "Content-Length: 12\r\n\r\nContent-Length: 99999999999999\n"
    message = notification("textDocument/didOpen", {"textDocument": {"uri": "file:///a.py", "languageId": "python", "version": 1, "text": text}})
    pretty = frame(body(message).replace(b", ", b",\n"))  # raw line breaks between JSON tokens
    events = FrameParser().feed(pretty + frame(message) + frame(VALID))
    assert frames(events) == [pretty.split(b"\r\n\r\n", 1)[1], body(message), body(VALID)]
    assert problems(events) == []


def test_a_huge_length_is_refused_without_buffering():
    parser = FrameParser(max_body=1000, max_line=100)
    events = parser.feed(b"Content-Length: 1001\r\n\r\n")
    assert "above the limit of 1000 bytes" in problems(events)[0]
    for _ in range(50):
        parser.feed(b"x" * 997)
        assert parser.buffered <= 100
    events = parser.feed(frame(VALID))
    assert frames(events) == [body(VALID)] and "skipped" in problems(events)[0]


def test_a_body_at_the_limit_is_read():
    message = notification("x", {"text": "a" * 900})
    parser = FrameParser(max_body=len(body(message)))
    assert frames(parser.feed(frame(message))) == [body(message)]


def test_end_of_input_inside_a_message_is_logged():
    parser = FrameParser()
    assert parser.feed(b"Content-Length: 50\r\n\r\n{") == []
    assert "inside a message body (1 of 50 bytes)" in problems(parser.eof())[0]
    assert parser.eof() == []


# ---------------------------------------------------------------------- the read loop


def test_a_huge_length_allocates_nothing_near_it():
    """pygls calls readexactly(99999999999999): a MemoryError that ends the server."""
    server, out = in_process_server()
    server.protocol._initialized = True
    stdin = io.BytesIO(b"Content-Length: 99999999999999\r\n\r\n" + b"x" * 3_000_000 + frame(VALID))

    async def read(n):
        return stdin.read1(n)

    tracemalloc.start()
    try:
        asyncio.run(serve(read, lambda f: server.protocol.handle_body(f.body), lambda p: None, threading.Event()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.responses()[7]["error"]["code"] == -32601
    assert peak < 2_000_000  # the 3 MB of refused body never sat in memory at once


# ---------------------------------------------------------------------- bodies


@pytest.fixture
def server():
    server, out = in_process_server()
    server.protocol._initialized = True  # lifecycle is tested in test_lsp_lifecycle.py
    server.out = out
    return server


@pytest.mark.parametrize("data", [b"{", b"not json", b'{"jsonrpc": "2.0", "id": 3, "method": "x"', b"\xff\xfe", b"[" * 100_000, b""])
def test_a_body_that_is_not_json_gets_a_parse_error(server, data):
    server.protocol.handle_body(data)
    server.protocol.handle_body(body(VALID))
    (error, answer) = server.out.messages()
    assert error == {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": error["error"]["message"]}}
    assert answer["id"] == 7 and answer["error"]["code"] == -32601


@pytest.mark.parametrize("data", [b"[]", b"1", b'"text"', b"null", b'[{"jsonrpc": "2.0", "id": 1, "method": "x"}]'])
def test_a_body_that_is_not_an_object_gets_a_parse_error(server, data):
    server.protocol.handle_body(data)
    assert [m["error"]["code"] for m in server.out.messages()] == [-32700]
    assert server.out.messages()[0]["id"] is None


def test_a_broken_notification_or_response_gets_no_answer(server):
    server.protocol.handle_body(b'{"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {')
    server.protocol.handle_body(b'{"jsonrpc": "2.0", "id": 4, "result": {')
    assert server.out.messages() == []


@pytest.mark.parametrize(
    "message,answer_id",
    [
        ({"id": 5, "method": PING}, 5),  # no "jsonrpc"
        ({"jsonrpc": "1.0", "id": 5, "method": PING}, 5),
        ({"jsonrpc": "2.0", "id": [5], "method": PING}, None),
        ({"jsonrpc": "2.0", "id": True, "method": PING}, None),
        ({"jsonrpc": "2.0", "id": 5, "method": 12}, 5),
        ({"jsonrpc": "2.0", "id": None, "method": PING}, None),
    ],
)
def test_an_object_that_is_not_a_request_gets_invalid_request(server, message, answer_id):
    server.protocol.handle_body(body(message))
    (error,) = server.out.messages()
    assert error["id"] == answer_id and error["error"]["code"] == -32600


def test_only_the_top_level_object_is_a_message():
    """pygls structured every nested object with a "jsonrpc" key as a message: this initialize
    got no answer at all."""
    server, out = in_process_server()
    options = {"jsonrpc": "2.0", "method": "exit", "params": {"jsonrpc": "2.0"}}
    server.protocol.handle_body(body(request(1, "initialize", {"capabilities": {}, "initializationOptions": options})))
    assert "capabilities" in out.responses()[1]["result"]
    assert server.protocol.exit_code is None


def test_an_object_without_method_or_id_is_dropped(server):
    server.protocol.handle_body(b'{"jsonrpc": "2.0"}')
    server.protocol.handle_body(b'{"jsonrpc": "2.0", "params": {}}')
    assert server.out.messages() == []


# ---------------------------------------------------------------------- end to end


def test_redline_lsp_answers_after_every_bad_header_shape():
    """The real `redline lsp` over stdio, one bad shape at a time: after each, a valid request
    is answered (the client waits for it before sending more); then shutdown and exit."""
    server = Process()
    try:
        server.send(frame(INITIALIZE))
        assert "capabilities" in server.response(1)["result"]
        shapes = {**BAD_SHAPES, **LENIENT_SHAPES}
        for i, shape in enumerate(shapes):
            server.send(shapes[shape] + frame(request(100 + i, PING)))
            assert server.response(100 + i)["error"]["code"] == -32601, shape
        server.send(frame(request(2, "shutdown")) + frame(notification("exit")))
        assert server.response(2)["result"] is None
        assert server.wait() == 0
    finally:
        server.kill()
    assert b"Traceback" not in server.stderr
    assert b"above the limit" in server.stderr and b"without Content-Length" in server.stderr


def test_redline_lsp_ends_cleanly_at_end_of_input():
    server = Process()
    try:
        server.send(frame(INITIALIZE) + b"Content-Length: 40\r\n\r\n{")
        server.response(1)
        assert server.wait() == 0
    finally:
        server.kill()
    assert b"Traceback" not in server.stderr and b"inside a message body" in server.stderr


def test_the_tcp_transport_uses_the_same_reader():
    with socket.socket() as s:  # a free port for the server to bind
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "redline", "lsp", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT / "server")},
    )
    try:
        while b"listening on" not in (line := proc.stderr.readline()):
            assert line, "the server ended before listening"
        with socket.create_connection(("127.0.0.1", port), timeout=HANG) as sock:
            sock.sendall(
                frame(INITIALIZE) + BAD_SHAPES["huge length"] + LENIENT_SHAPES["LF line ends"]
                + frame(request(2, "shutdown")) + frame(notification("exit"))
            )
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        answers = {m["id"]: m for m in split_frames(data)[0] if "id" in m}
        assert answers[90]["error"]["code"] == -32601 and answers[2]["result"] is None
        assert proc.wait(timeout=HANG) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_strings_and_integers_are_not_coerced(server):
    """cattrs would read `"text": 5` as "5" and `"line": 1.7` as 1; booleans stay booleans."""
    server.protocol.handle_body(body(request(2, "textDocument/hover", {"textDocument": {"uri": 5}, "position": {"line": 0, "character": 0}})))
    server.protocol.handle_body(body(request(3, "textDocument/hover", {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 1.7, "character": 0}})))
    server.protocol.handle_body(body(request(4, "textDocument/hover", {"textDocument": {"uri": "file:///a.py"}, "position": {"line": True, "character": 0}})))
    assert [server.out.responses()[i]["error"]["code"] for i in (2, 3, 4)] == [-32602] * 3
    fresh, out = in_process_server()
    caps = {"workspace": {"applyEdit": True, "workspaceEdit": {"documentChanges": False}}}
    fresh.protocol.handle_body(body(request(1, "initialize", {"capabilities": caps})))
    assert "capabilities" in out.responses()[1]["result"]
    assert fresh.protocol.client_capabilities.workspace.apply_edit is True


def test_enums_are_still_structured_as_enums(server):
    """The strict int and str hooks also serve int and str enums: a code action request echoing a
    diagnostic (severity 1, a DiagnosticSeverity) is answered, not lost in a failed response."""
    from lsprotocol import types

    uri = "file:///w/app.py"
    server.protocol.handle_body(body(notification("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "eval(x)\n"}})))
    (published,) = [m for m in server.out.messages() if m.get("method") == "textDocument/publishDiagnostics"]
    diagnostic = published["params"]["diagnostics"][0]
    assert diagnostic["severity"] == 1
    params = {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic], "only": ["quickfix"]}}
    server.protocol.handle_body(body(request(5, "textDocument/codeAction", params)))
    actions = server.out.responses()[5]["result"]
    assert actions and actions[0]["diagnostics"][0]["severity"] == 1
    message = server.protocol.structure_message({"jsonrpc": "2.0", "id": 6, "method": "textDocument/codeAction", "params": params})
    assert message.params.context.diagnostics[0].severity is types.DiagnosticSeverity.Error
    assert list(message.params.context.only) == [types.CodeActionKind.QuickFix]
