"""The LSP base protocol reader: header blocks and bodies from a byte stream, robust to bad input.

pygls' reader (`pygls.io_.run_async`) only knows `Content-Length: N\\r\\n` spelled exactly so; one
bad header block leaves it deaf (it never resets) and a huge length makes it allocate that many
bytes (docs/pygls-upstream.md). Redline reads with `FrameParser` instead, over stdio and TCP
(`serve`). The parser is sans-IO: `feed(bytes)` returns the events the bytes complete, so the
property tests can drive it with any split of any stream.

Framing rules
- A header block is a run of lines ended by an empty line. Lines end with `\\r\\n` or a bare
  `\\n`; header names are case-insensitive; headers other than Content-Length are ignored.
  Empty lines between blocks are ignored.
- The block's Content-Length (the last one in the block) must be ASCII digits. A block without
  one, or with an invalid or negative one, is skipped and logged; the bytes after it are read as
  headers again (see resynchronisation).
- A length above `max_body` (MAX_BODY, 64 MiB) is refused and logged, and its body is never
  buffered: the reader goes straight back to looking for the next header block.
- A line longer than `max_line` keeps only its last `max_line` bytes (a header line is short).
- EOF ends the stream; an unfinished block or body at EOF is logged.

Resynchronisation (what it guarantees is tested in tests/test_lsp_fuzz.py)
- Between frames, a line whose text contains `Content-Length:` starts a header there, whatever
  precedes it on the line (the rest of a body cut short, junk): the last occurrence on the line
  counts. So after a skipped block, a refused length or a too-short length, the next message is
  found at its Content-Length line.
- While a body is read, a complete Content-Length header line (`Content-Length: <digits>` then
  a line end) inside the declared length ends that body where the header starts. No valid JSON
  text contains such a line (a raw line break cannot be inside a JSON string, and the letters
  cannot be outside one), so this never cuts a well-formed message; it rescues the messages that
  follow a length larger than its body, which would otherwise be swallowed or make the server
  wait for bytes that never come.
- Guarantee: a well-formed message M (`Content-Length: N` line first, N the exact body length
  <= max_body, then an empty line and the body) is delivered intact whatever bytes G came
  before it, unless G ends inside a declared body that ends before M's Content-Length line
  does. Every well-formed message after M is delivered too.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Awaitable, Callable

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024  # bytes: a larger Content-Length is refused, never allocated
MAX_LINE = 8 * 1024  # bytes of a header line that are kept
CHUNK = 64 * 1024  # bytes per read

_CL = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
# A complete Content-Length line inside a body (bounded, so that a search can resume near where
# the previous one stopped: a match is at most 14 + 16 + 1 + 16 + 20 + 16 + 2 bytes).
_CL_LINE = re.compile(rb"content-length[ \t]{0,16}:[ \t]{0,16}[0-9]{1,20}[ \t]{0,16}\r?\n", re.IGNORECASE)
_CL_LINE_MAX = 90
_HEADER = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*:")
_MAX_DIGITS = 18  # more digits than this is above any cap (and int() of 5,000 digits raises)


@dataclass
class Frame:
    """A body to decode; `cut` when the declared length was larger than the body."""

    body: bytes
    cut: bool = False


@dataclass
class Problem:
    """Something wrong with the framing, for the log."""

    text: str


def _show(value: bytes, limit: int = 40) -> str:
    text = value[:limit].decode("ascii", "backslashreplace")
    return repr(text + ("..." if len(value) > limit else ""))


class FrameParser:
    """Turns a byte stream into `Frame`s and `Problem`s (see the module docstring)."""

    def __init__(self, max_body: int = MAX_BODY, max_line: int = MAX_LINE) -> None:
        self.max_body = max_body
        self.max_line = max_line
        self._buf = bytearray()
        self._need: int | None = None  # in a body: its declared length
        self._searched = 0  # in a body: bytes already searched for a Content-Length line
        self._line_dropped = 0  # bytes dropped from the head of the current (long) line
        self._skipped = 0  # bytes skipped since the last frame (junk, bad blocks)
        self._new_block()

    def _new_block(self) -> None:
        self._lines = 0  # non-empty lines in the current header block
        self._length: int | None = None  # the block's Content-Length, when valid
        self._bad: bytes | None = None  # the block's Content-Length text, when invalid
        self._block_bytes = 0

    @property
    def buffered(self) -> int:
        """Bytes held between calls (at most max(max_body, max_line))."""
        return len(self._buf)

    @property
    def body_remaining(self) -> int | None:
        """In a body: how many of its declared bytes are still to come; None between frames."""
        return None if self._need is None else self._need - len(self._buf)

    # ------------------------------------------------------------------ feeding

    def feed(self, data: bytes) -> list[Frame | Problem]:
        self._buf += data
        events: list[Frame | Problem] = []
        buf = self._buf
        pos = 0
        while True:
            if self._need is not None:
                end = min(len(buf), pos + self._need)
                start = max(pos, pos + self._searched - _CL_LINE_MAX)
                m = _find_cl_line(buf, start, end)
                if m is not None:
                    body = bytes(buf[pos : m.start()])
                    events.append(Problem(
                        f"Content-Length {self._need} is larger than the message body ({len(body)} bytes):"
                        " the next header starts inside it; reading from there"
                    ))
                    self._need = None
                    pos = m.start()
                    if body.strip():
                        events.append(Frame(body, cut=True))
                    continue
                if end - pos < self._need:
                    self._searched = end - pos
                    break
                events.append(Frame(bytes(buf[pos:end])))
                self._need = None
                pos = end
                continue
            nl = buf.find(b"\n", pos)
            if nl < 0:
                excess = len(buf) - pos - self.max_line
                if excess > 0:  # keep the line's last max_line bytes only
                    self._line_dropped += excess
                    self._block_bytes += excess
                    pos += excess
                break
            # The same cut when the whole line is here: the events do not depend on the reads.
            start = max(pos, nl - self.max_line)
            dropped, self._line_dropped = self._line_dropped + start - pos, 0
            line = bytes(buf[start:nl])
            self._block_bytes += nl + 1 - pos
            pos = nl + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            events.extend(self._line(line, dropped))
        del buf[:pos]
        return events

    def eof(self) -> list[Frame | Problem]:
        """The stream ended: what was left unfinished, for the log."""
        events: list[Frame | Problem] = []
        if self._need is not None:
            events.append(Problem(f"input ended inside a message body ({len(self._buf)} of {self._need} bytes)"))
        else:
            pending = self._skipped + self._block_bytes + len(self._buf)
            if pending:
                events.append(Problem(f"input ended after {pending} bytes that are not a complete message"))
        self._buf.clear()
        self._need, self._skipped, self._line_dropped = None, 0, 0
        self._new_block()
        return events

    # ------------------------------------------------------------------ header lines

    def _line(self, line: bytes, dropped: int) -> list[Frame | Problem]:
        if not line.strip(b" \t") and not dropped:
            return self._end_of_block()
        self._lines += 1
        last = None
        for last in _CL.finditer(line):
            pass
        if last is not None:
            if last.start() or dropped:
                # Junk before the header on its line: whatever came before was not a message.
                self._skipped += self._block_bytes - (len(line) - last.start()) - 1
                self._block_bytes = len(line) - last.start() + 1
                self._lines = 1
            value = line[last.end() :].strip(b" \t")
            if value.isdigit() and len(value) <= _MAX_DIGITS:
                self._length, self._bad = int(value), None
            else:
                self._length, self._bad = None, value
            return []
        if not dropped and _HEADER.match(line):
            return []  # Content-Type or another header: ignored
        return []  # junk: counted with its block when the block ends

    def _end_of_block(self) -> list[Frame | Problem]:
        events: list[Frame | Problem] = []
        if not self._lines:
            self._block_bytes = 0  # an empty line between blocks
            return events
        length, bad = self._length, self._bad
        block = self._block_bytes
        self._new_block()
        if length is not None and length <= self.max_body:
            if self._skipped:
                events.append(Problem(f"skipped {self._skipped} bytes that are not a message before this one"))
                self._skipped = 0
            self._need, self._searched = length, 0
            return events
        self._skipped += block
        if length is not None or (bad is not None and bad.isdigit()):
            shown = str(length) if length is not None else _show(bad)
            events.append(Problem(
                f"Content-Length {shown} is above the limit of {self.max_body} bytes: message refused"
                " (not read into memory); looking for the next header"
            ))
        elif bad is not None:
            events.append(Problem(f"invalid Content-Length {_show(bad)}: header block skipped"))
        else:
            events.append(Problem("header block without Content-Length: skipped"))
        return events


def _find_cl_line(buf: bytearray, lo: int, hi: int):
    """`_CL_LINE.search(buf, lo, hi)`, fast for bodies with few raw line breaks (most clients
    send none): a match ends at a line break and holds no other, so only the bytes before each
    line break need a look."""
    breaks = buf.count(b"\n", lo, hi)
    if breaks == 0:
        return None
    if breaks > 64:
        return _CL_LINE.search(buf, lo, hi)
    nl = buf.find(b"\n", lo, hi)
    while nl >= 0:
        m = _CL_LINE.search(buf, max(lo, nl + 1 - _CL_LINE_MAX), nl + 1)
        if m is not None:
            return m
        nl = buf.find(b"\n", nl + 1, hi)
    return None


# ---------------------------------------------------------------------- the read loop


async def serve(
    read: Callable[[int], Awaitable[bytes]],
    deliver: Callable[[Frame], None],
    problem: Callable[[str], None],
    stop_event,
    parser: FrameParser | None = None,
) -> None:
    """Read chunks with `read(n)` (b"" at EOF) until EOF or `stop_event`; hand each frame to
    `deliver` and each framing problem to `problem`. Neither may raise (they are guarded)."""
    parser = parser or FrameParser()
    while not stop_event.is_set():
        data = await read(CHUNK)
        events = parser.feed(data) if data else parser.eof()
        for event in events:
            try:
                if isinstance(event, Frame):
                    deliver(event)
                else:
                    problem(event.text)
            except Exception:  # noqa: BLE001 - one message never ends the server
                log.exception("unable to handle a message")
            if stop_event.is_set():
                return
        if not data:
            return


def stream_reader(stream) -> Callable[[int], Awaitable[bytes]]:
    """`read(n)` for an asyncio.StreamReader (TCP)."""
    return stream.read


def file_reader(file, executor) -> Callable[[int], Awaitable[bytes]]:
    """`read(n)` for a blocking binary file (stdin), one read at a time in `executor`."""
    read1 = getattr(file, "read1", None) or file.read

    def read(n: int) -> Awaitable[bytes]:
        return asyncio.get_running_loop().run_in_executor(executor, read1, n)

    return read
