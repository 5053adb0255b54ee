"""`redline lsp`: the language server process.

`run()` builds the pygls server, registers the handlers (one module per concern in
`redline.lsp.handlers`) and serves stdio or TCP. Imports are deferred until `run` so that
`redline --help` stays fast; the rules and grammars load on the first document.
"""

from __future__ import annotations

import json
import logging
import os
import sys

log = logging.getLogger(__name__)


def create_server():
    """A ready-to-serve RedlineServer (also used by tests in-process)."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    from redline import __version__
    from redline.lsp.handlers import register_all
    from redline.lsp.protocol import RedlineProtocol
    from redline.lsp.session import Session
    from redline.lsp.settings import LogLevel

    class ProtocolSink:
        def __init__(self, server: "RedlineServer"):
            self.server = server

        def publish(self, uri, version, diagnostics):
            # Diagnostics are JSON values already (convert.py): skip pygls' cattrs round trip,
            # which cost more than the analysis on a file with a hundred findings.
            self.publish_raw(uri, version, json.dumps(diagnostics))

        def publish_raw(self, uri, version, diagnostics_json: str):
            """`publish` with the diagnostics already as JSON text (convert.Converter.json)."""
            head = {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
            params = {"uri": uri} if version is None else {"uri": uri, "version": version}
            body = json.dumps(head)[:-1] + ', "params": ' + json.dumps(params)[:-1] + ', "diagnostics": ' + diagnostics_json + "}}"
            self.server.protocol.send_raw(body)

        def log(self, level: LogLevel, message: str) -> None:
            self.server.window_log_message(types.LogMessageParams(type=types.MessageType(int(level)), message=message))

        def show(self, level: LogLevel, message: str) -> None:
            self.server.window_show_message(types.ShowMessageParams(type=types.MessageType(int(level)), message=message))

        def refresh(self) -> None:
            self.server.workspace_diagnostic_refresh(None)

    class RedlineServer(LanguageServer):
        def __init__(self):
            super().__init__(
                "redline",
                __version__,
                text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                protocol_cls=RedlineProtocol,
            )
            self.session = Session(ProtocolSink(self))

        def report_server_error(self, error, source):
            # pygls shows every notification error in a pop-up; a log line is enough.
            try:
                self.session.log(LogLevel.ERROR, f"internal error ({source.__name__}): {error}")
            except Exception:  # noqa: BLE001 - never fail while reporting a failure
                log.exception("could not report %s", error)

        def log_malformed(self, method: str, reason: str) -> None:
            self.session.log(LogLevel.ERROR, f"ignored malformed {method} notification: {reason}")

        def log_framing(self, problem: str) -> None:
            """A problem with the message framing (redline.lsp.reader): stderr and the client's log."""
            log.warning("%s", problem)
            self.session.log(LogLevel.WARNING, f"bad input from the client: {problem}")

    server = RedlineServer()
    register_all(server)
    return server


def _parse_tcp(tcp: str) -> tuple[str, int]:
    host, sep, port = tcp.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {tcp!r}")
    return host or "127.0.0.1", int(port)


def run(tcp: str | None = None) -> int:
    """Serve over stdio, or over TCP when `tcp` is "HOST:PORT". Returns the exit status."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="redline-lsp %(levelname)s %(name)s: %(message)s")
    if tcp:
        try:
            host, port = _parse_tcp(tcp)
        except ValueError as e:
            print(f"redline lsp: {e}", file=sys.stderr)
            return 2
    server = create_server()
    try:
        if tcp:
            _serve_tcp(server, host, port)
        else:
            _serve_stdio(server)
    finally:
        server.session.shutdown()
    # `exit` after `shutdown`: 0; `exit` alone: 1 (LSP specification); end of input: 0.
    code = server.protocol.exit_code
    return 0 if code is None else code


def _read_loop(server, read):
    """Redline's read loop (redline.lsp.reader) in place of pygls' `run_async`."""
    from redline.lsp.reader import serve

    return serve(
        read, lambda frame: server.protocol.handle_body(frame.body), server.log_framing, server._stop_event
    )


def _serve_stdio(server, stdin=None, stdout=None) -> None:
    """pygls' start_io with Redline's reader; stdin is read in a thread of its own."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from pygls.io_ import StdoutWriter

    from redline.lsp.reader import file_reader

    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redline-stdin")
    stdin = stdin or sys.stdin.buffer
    read, server.session.input_pending = _watched(file_reader(stdin, executor), stdin)
    try:
        asyncio.run(_read_loop(server, read))
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        executor.shutdown(wait=False)
        server.shutdown()


def _watched(read, source):
    """`read`, and a function telling whether client bytes wait to be read (Session.input_pending:
    a read finished and not handled yet, or `source`'s descriptor readable). Never true for a
    regular file (always readable) or where select() cannot tell."""
    import select
    import stat

    last: list = [None]

    def watched(n: int):
        aw = read(n)
        last[0] = aw
        return aw

    try:
        fd = source.fileno()
        polled = not stat.S_ISREG(os.fstat(fd).st_mode)
    except (AttributeError, OSError, ValueError):
        fd, polled = -1, False

    def pending() -> bool:
        done = getattr(last[0], "done", None)
        if done is not None and done():
            return True
        if not polled:
            return False
        try:
            return bool(select.select([fd], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    return watched, pending


def _serve_tcp(server, host: str, port: int) -> None:
    """pygls' start_tcp with Redline's reader, plus a line on stderr once the socket listens
    (clients and tests wait for it). One client connection; the server exits when it ends."""
    import asyncio
    import threading

    from redline.lsp.reader import stream_reader

    server._stop_event = threading.Event()

    async def connection(reader, writer):
        server.protocol.set_writer(writer)
        read, pending = _watched(stream_reader(reader), writer.get_extra_info("socket"))
        server.session.input_pending = lambda: bool(getattr(reader, "_buffer", None)) or pending()
        await _read_loop(server, read)
        server.shutdown()

    async def main():
        server._server = await asyncio.start_server(connection, host, port)
        bound = server._server.sockets[0].getsockname()
        print(f"redline lsp: listening on {bound[0]}:{bound[1]}", file=sys.stderr, flush=True)
        async with server._server:
            try:
                await server._server.serve_forever()
            except asyncio.CancelledError:
                pass

    try:
        asyncio.run(main())
    except (KeyboardInterrupt, SystemExit):
        pass
