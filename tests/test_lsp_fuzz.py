"""Fuzz targets (hypothesis): the message reader and the document change path.

Reader (redline.lsp.reader.FrameParser), fed random byte streams and random header blocks and
bodies interleaved with well-formed messages, split into random chunks:
- it never raises, and holds at most max(max_body, max_line) bytes between reads (a refused
  Content-Length is never buffered);
- the events do not depend on how the stream is split into reads;
- resynchronisation, exactly as the module docstring states it: a well-formed message M is
  delivered intact unless the bytes before it leave the reader inside a declared body that ends
  before M's Content-Length line does; and a stream of well-formed messages only is delivered
  exactly, with no problem logged.
The read loop with the real protocol behind it: every guaranteed request is answered.

Documents (the server's didOpen/didChange/didClose path, in process, bodies as a client would
send them): random sequences with out-of-range and negative or huge positions, lone surrogates,
versions that go backwards, changes to documents that are not open and malformed changes:
- no exception reaches the server's error report;
- each document's text equals a reference model that applies the valid changes (the LSP rules:
  line ends \\n, \\r\\n and \\r, code units of the negotiated encoding, positions clamped);
- each bad change is logged (a warning on stderr or a window/logMessage).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsp.raw import PING, body, in_process_server, notification, request
from redline.lsp.reader import Frame, FrameParser, serve

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAX_BODY = 400  # small, so that refused lengths are common
MAX_LINE = 64

# ---------------------------------------------------------------------- streams

# Well-formed messages: a Content-Length line first (any case, CRLF or LF), optionally a
# Content-Type line, an empty line, then exactly that many bytes of JSON object.
_names = st.sampled_from(["Content-Length", "content-length", "CONTENT-LENGTH", "Content-length"])
_ends = st.sampled_from(["\r\n", "\n"])
_texts = st.lists(st.sampled_from(["a", "é", "😀", "\n", '"', "\\", "Content-Length: 5\r\n\r\n", "{", "}"]), max_size=12).map("".join)


@st.composite
def good_message(draw, msg_id: int | None = None):
    payload = request(msg_id, PING) if msg_id is not None else notification("x/y", {"t": draw(_texts)})
    data = body(payload)
    name, end = draw(_names), draw(_ends)
    spaces = draw(st.sampled_from(["", " ", "  "]))
    head = f"{name}:{spaces}{len(data)}{end}"
    if draw(st.booleans()):
        head += f"Content-Type: application/vscode-jsonrpc; charset=utf-8{end}"
    return (head + end).encode() + data


@st.composite
def bad_segment(draw):
    kind = draw(st.sampled_from(["bytes", "header", "junk-lines", "long line", "length too large"]))
    if kind == "length too large":  # a body shorter than declared: the next message starts inside
        payload = body(notification("x/y", {"t": draw(_texts)}))
        return b"Content-Length: %d\r\n\r\n" % (len(payload) + draw(st.integers(1, 150))) + payload
    if kind == "bytes":
        return draw(st.binary(max_size=60))
    if kind == "long line":  # longer than MAX_LINE and MAX_BODY, without a line end
        return draw(st.sampled_from([b"x", b"{", b" ", b"\r"])) * draw(st.integers(MAX_LINE, 3 * MAX_BODY))
    if kind == "junk-lines":
        return draw(st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b"Content-Length", b":", b" ", b"-3", b"99", b"x", b"{}"]), max_size=12).map(b"".join))
    value = draw(st.one_of(
        st.integers(0, 120).map(str), st.sampled_from(["-5", "", "abc", "1e3", "0x10", "99999999999999", "9" * 40, "401", "400"]),
    ))
    name = draw(st.sampled_from(["Content-Length", "content-length", "Content-Type", "Content-Lenght"]))
    end = draw(_ends)
    payload = draw(st.one_of(st.binary(max_size=50), good_message().map(lambda m: m.split(b"\n\n" if b"\n\n" in m else b"\r\n\r\n", 1)[-1])))
    return f"{name}: {value}{end}{end}".encode() + payload


@st.composite
def stream(draw):
    """Segments, each ("good", bytes, msg_id) or ("bad", bytes, None)."""
    segments = []
    for i in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            segments.append(("good", draw(good_message(100 + i)), 100 + i))
        else:
            segments.append(("bad", draw(bad_segment()), None))
    return segments


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


def run_parser(chunks: list[bytes]) -> tuple[list, FrameParser]:
    parser = FrameParser(max_body=MAX_BODY, max_line=MAX_LINE)
    events = []
    for chunk in chunks:
        events += parser.feed(chunk)
        assert parser.buffered <= max(MAX_BODY, MAX_LINE)
    return events + parser.eof(), parser


def guaranteed(segments) -> list[bytes]:
    """The well-formed messages the resynchronisation guarantee covers, in order."""
    out, prefix = [], b""
    for kind, data, _ in segments:
        if kind == "good":
            parser = FrameParser(max_body=MAX_BODY, max_line=MAX_LINE)
            parser.feed(prefix)
            remaining = parser.body_remaining
            first_line_end = data.index(b"\n") + 1
            if remaining is None or remaining >= first_line_end:
                out.append(data)
        prefix += data
    return out


_DECLARES = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+", re.IGNORECASE)


def check_guarantee_is_not_vacuous(segments) -> None:
    """Independently of the parser: a well-formed message may fall outside the guarantee only
    when bad bytes since the previous well-formed one declare a length the reader accepts."""
    kept = {id(m) for m in guaranteed(segments)}
    declared = False
    for kind, data, _ in segments:
        if kind == "bad":
            declared = declared or any(int(m.group().rsplit(b":", 1)[1]) <= MAX_BODY for m in _DECLARES.finditer(data))
        else:
            assert id(data) in kept or declared, data
            declared = False


def message_body(message: bytes) -> bytes:
    return re.split(rb"\r?\n\r?\n", message, maxsplit=1)[1]


def is_subsequence(needles: list, haystack: list) -> bool:
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


@SETTINGS
@given(stream(), st.lists(st.integers(0, 10_000), max_size=12))
def test_reader_resyncs_on_any_stream(segments, cuts):
    data = b"".join(d for _, d, _ in segments)
    events, _ = run_parser(chunked(data, cuts))
    one_shot, _ = run_parser([data])
    assert events == one_shot  # the split into reads changes nothing
    frames = [e.body for e in events if isinstance(e, Frame)]
    assert is_subsequence([message_body(m) for m in guaranteed(segments)], frames)
    check_guarantee_is_not_vacuous(segments)
    if all(kind == "good" for kind, _, _ in segments):
        assert events == [Frame(message_body(d)) for _, d, _ in segments]


@SETTINGS
@given(st.binary(max_size=400), st.lists(st.integers(0, 10_000), max_size=12), st.lists(good_message(7), min_size=1, max_size=3))
def test_reader_survives_random_bytes(junk, cuts, after):
    events, _ = run_parser(chunked(junk + b"".join(after), cuts))
    frames = [e.body for e in events if isinstance(e, Frame)]
    segments = [("bad", junk, None)] + [("good", m, 7) for m in after]
    assert is_subsequence([message_body(m) for m in guaranteed(segments)], frames)
    # Random bytes never hold a message body open past the first message after them, and a
    # message cut short (smaller length) cannot swallow a later one.
    assert len(guaranteed(segments)) >= len(after) - 1


_SERVER = None


def _ping_server():
    global _SERVER
    if _SERVER is None:
        server, out = in_process_server()
        server.protocol._initialized = True
        server.errors = []
        server.report_server_error = lambda error, source: server.errors.append(error)
        _SERVER = server, out
    return _SERVER


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream(), st.lists(st.integers(0, 10_000), max_size=8))
def test_the_read_loop_answers_every_guaranteed_request(segments, cuts):
    server, out = _ping_server()
    out.data = b""
    chunks = iter(chunked(b"".join(d for _, d, _ in segments), cuts))

    async def read(n):
        return next(chunks, b"")

    asyncio.run(serve(read, lambda f: server.protocol.handle_body(f.body), lambda p: None, threading.Event()))
    answered = out.responses()
    for message in guaranteed(segments):
        msg_id = next(i for k, d, i in segments if d is message)
        if msg_id is not None:
            assert answered[msg_id]["error"]["code"] == -32601
    assert server.errors == []


# ---------------------------------------------------------------------- documents

UINT_MAX = 2**31 - 1
URIS = ["file:///w/app.py", "file:///w/notes.txt"]
_doc_tokens = st.sampled_from(["a", "é", "😀", "中", "\n", "\r\n", "\r", "\ud800", "\udc00", " ", "x = 1", "eval(x)", "'''", "("])
doc_text = st.lists(_doc_tokens, max_size=12).map("".join)
position_value = st.one_of(st.integers(0, 6), st.sampled_from([-1, -(2**31), UINT_MAX, UINT_MAX + 1, 10**12]))
_BREAK = re.compile(r"\r\n|\r|\n")


def _units(ch: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    return 2 if ord(ch) > 0xFFFF else 1


def model_index(text: str, line: int, char: int, encoding: str) -> tuple[int, bool]:
    """Index into `text` of an LSP position, clamped as the specification says, and whether the
    position was valid (in the document, on a code point boundary, not past its line's end)."""
    starts, ends = [0], []
    for m in _BREAK.finditer(text):
        ends.append(m.start())
        starts.append(m.end())
    ends.append(len(text))
    if line >= len(starts):
        return len(text), line == len(starts) and char == 0  # the end of the document
    idx, units = starts[line], 0
    while idx < ends[line] and units < char:
        n = _units(text[idx], encoding)
        if units + n > char:
            return idx, False  # inside a code point: its start
        units += n
        idx += 1
    return idx, units == char


def clean(text: str) -> str:
    """What the server keeps of a text with lone surrogates (they cannot be encoded)."""
    return text.encode("utf-8", "replace").decode("utf-8")


@st.composite
def doc_op(draw):
    uri = draw(st.sampled_from(URIS))
    kind = draw(st.sampled_from(["open", "change", "change", "change", "change", "close", "malformed"]))
    version = draw(st.integers(-3, 12))
    if kind == "open":
        return notification("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python" if uri.endswith(".py") else "plaintext", "version": version, "text": draw(doc_text),
        }})
    if kind == "close":
        return notification("textDocument/didClose", {"textDocument": {"uri": uri}})
    if kind == "malformed":
        changes = draw(st.sampled_from([7, [{"range": {"start": {"line": "x", "character": 0}}, "text": ""}], [{"text": 5}], None]))
        return notification("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 5)) == 0:
            changes.append({"text": draw(doc_text)})
        else:
            start = {"line": draw(position_value), "character": draw(position_value)}
            end = {"line": draw(position_value), "character": draw(position_value)} if draw(st.booleans()) else dict(start)
            changes.append({"range": {"start": start, "end": end}, "text": draw(doc_text)})
    return notification("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})


class Model:
    """The documents as the client sees them, and whether an operation is a bad one."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.docs: dict[str, tuple[int, str]] = {}

    def apply(self, op: dict) -> bool:
        """Apply `op`; True when it is bad input the server must log."""
        params, method = op["params"], op["method"]
        uri = params["textDocument"]["uri"]
        if method.endswith("didOpen"):
            text = params["textDocument"]["text"]
            self.docs[uri] = (params["textDocument"]["version"], clean(text))
            return clean(text) != text
        if method.endswith("didClose"):
            return self.docs.pop(uri, None) is None
        changes, version = params["contentChanges"], params["textDocument"]["version"]
        if not isinstance(changes, list) or any(not self._well_typed(c) for c in changes):
            return True  # dropped as malformed
        if uri not in self.docs or version <= self.docs[uri][0]:
            return True  # not open, or not newer
        text, bad = self.docs[uri][1], False
        for change in changes:
            new = clean(change["text"])
            bad |= new != change["text"]
            if "range" not in change:
                text = new
                continue
            s, e = change["range"]["start"], change["range"]["end"]
            a, ok_a = model_index(text, s["line"], s["character"], self.encoding)
            b, ok_b = model_index(text, e["line"], e["character"], self.encoding)
            bad |= not (ok_a and ok_b and a <= b)
            a, b = min(a, b), max(a, b)
            text = text[:a] + new + text[b:]
        self.docs[uri] = (version, text)
        return bad

    @staticmethod
    def _well_typed(change) -> bool:
        if not isinstance(change, dict) or not isinstance(change.get("text"), str):
            return False
        if "range" not in change:
            return True
        r = change["range"]
        values = [r.get(k, {}).get(f) for k in ("start", "end") for f in ("line", "character")]
        return all(isinstance(v, int) and 0 <= v <= UINT_MAX for v in values)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record) -> None:
        self.count += 1


def _doc_server(encoding: str):
    """A fresh initialized server for each example (what a session remembers, such as engines
    that were slow, would make the examples depend on each other)."""
    server, out = in_process_server()
    caps = {"general": {"positionEncodings": [encoding]}}
    server.protocol.handle_body(body(request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": caps})))
    assert out.responses()[1]["result"]["capabilities"]["positionEncoding"] == encoding
    server.errors = []
    server.report_server_error = lambda error, source: server.errors.append(error)
    out.data = b""
    return server, out


def _log_messages(out) -> int:
    return sum(1 for m in out.messages() if m.get("method") == "window/logMessage")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=st.lists(doc_op(), min_size=1, max_size=10))
def test_document_changes_never_raise_never_lose_edits_and_bad_ones_are_logged(encoding, ops):
    server, out = _doc_server(encoding)
    session = server.session
    model = Model(encoding)
    records = Records()
    logging.getLogger().addHandler(records)
    try:
        for op in ops:
            before = records.count + _log_messages(out)
            bad = model.apply(json.loads(body(op)))  # as the server reads it: JSON joins "\ud800\udc00"
            server.protocol.handle_body(body(op))
            assert server.errors == [], [repr(e) + repr(getattr(e, "__cause__", None)) for e in server.errors]
            for uri in URIS:
                doc = session.document(uri)
                if uri in model.docs:
                    assert doc is not None and doc.text == model.docs[uri][1], (op, uri)
                else:
                    assert doc is None
            if bad:
                assert records.count + _log_messages(out) > before, op
    finally:
        logging.getLogger().removeHandler(records)
        session.shutdown()
