"""Raw LSP byte streams for the reader and lifecycle tests: frames, an in-process server whose
output is captured, and a `redline lsp` subprocess driven byte by byte."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading

from lsp.harness import HANG, ROOT


def body(obj) -> bytes:
    return json.dumps(obj).encode()


def frame(obj_or_body, header: str = "Content-Length: {n}\r\n\r\n") -> bytes:
    data = obj_or_body if isinstance(obj_or_body, bytes) else body(obj_or_body)
    return header.format(n=len(data)).encode() + data


def request(msg_id, method: str, params=None) -> dict:
    out = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        out["params"] = params
    return out


def notification(method: str, params=None) -> dict:
    out = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        out["params"] = params
    return out


INITIALIZE = request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
PING = "redline/ping"  # no such method: answered with MethodNotFound, cheaply


def split_frames(data: bytes) -> tuple[list[dict], bytes]:
    """The complete messages in what the server wrote (it always writes `\\r\\n` headers)."""
    out = []
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            return out, data
        length = next(int(v) for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")) if k.lower() == b"content-length")
        if len(rest) < length:
            return out, data
        out.append(json.loads(rest[:length]))
        data = rest[length:]


class Capture:
    """A writer for `protocol.set_writer` that keeps what the server sends."""

    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass

    def messages(self) -> list[dict]:
        return split_frames(self.data)[0]

    def responses(self) -> dict:
        return {m["id"]: m for m in self.messages() if "id" in m and "method" not in m}


def in_process_server():
    """A RedlineServer whose protocol writes into a Capture (no transport, no event loop)."""
    from redline.lsp.server import create_server

    server = create_server()
    server.protocol.set_writer(out := Capture())
    server._stop_event = threading.Event()
    return server, out


class Process:
    """`redline lsp` over stdio: send raw bytes, wait for a response by id."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT / "server") + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "redline", "lsp", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        self.inbox: queue.Queue = queue.Queue()
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.seen: list[dict] = []

    def _read(self) -> None:
        pending = b""
        while chunk := self.proc.stdout.read1(65536):
            messages, pending = split_frames(pending + chunk)
            for m in messages:
                self.inbox.put(m)
        self.inbox.put(None)

    def _read_stderr(self) -> None:
        while chunk := self.proc.stderr.read1(65536):
            self.stderr += chunk

    def send(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def response(self, msg_id) -> dict:
        """The response to `msg_id` (fails if the server ends or says nothing for HANG seconds)."""
        for m in self.seen:
            if m.get("id") == msg_id and "method" not in m:
                return m
        while True:
            m = self.inbox.get(timeout=HANG)
            assert m is not None, f"the server ended before answering {msg_id}: {self.stderr.decode()[-2000:]}"
            self.seen.append(m)
            if m.get("id") == msg_id and "method" not in m:
                return m

    def wait(self) -> int:
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait(timeout=HANG)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
