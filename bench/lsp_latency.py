"""Keystroke latency, start-up time and memory of `redline lsp`, against a bare pygls server.

    .venv/bin/python bench/lsp_latency.py [--edits 200] [--runs 3] [--server "redline lsp"]
        [--options '{"engines": {"bandit": false}}'] [--only typing|startup|rss]

For a 2k-line and a 10k-line Python file full of vulnerable code, the client opens the file and
types 200 characters one at a time in lockstep (each didChange is sent after the publish for the
previous one arrives) and records didChange -> publishDiagnostics for that version. It also
measures the time from spawning the server to the first diagnostics of an opened file, and the
resident memory with 50 open 2k-line documents. The same client drives a bare pygls server that
publishes one constant diagnostic per change (pygls' own document sync included) as the
reference for the protocol's own cost on this machine.

The client is a minimal JSON-RPC reader/writer on pipes (no pygls), so its own overhead is small
and the same for both servers. Timestamps are taken in the reader thread when a message has been
parsed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent

BARE_SERVER = r'''
from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "0")
DIAG = types.Diagnostic(
    range=types.Range(types.Position(0, 0), types.Position(0, 1)), message="constant", source="bare"
)

def publish(ls, uri, version):
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[DIAG], version=version))

@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls, params):
    publish(ls, params.text_document.uri, params.text_document.version)

@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls, params):
    doc = ls.workspace.get_text_document(params.text_document.uri)  # pygls applied the change
    publish(ls, doc.uri, params.text_document.version)

server.start_io()
'''

VULNERABLE_FUNCTIONS = [
    '''def run_report_{n}(name):
    cmd = "generate-report --user " + name
    os.system(cmd)
    return cmd
''',
    '''def load_settings_{n}(path):
    with open(path) as fh:
        data = yaml.load(fh)
    return data
''',
    '''def find_user_{n}(cur, user_id):
    cur.execute(f"SELECT * FROM users WHERE id = {{user_id}}")
    return cur.fetchone()
''',
    '''def restore_{n}(blob):
    obj = pickle.loads(blob)
    return obj
''',
    '''def compute_{n}(expression):
    return eval(expression)
''',
]

BENIGN_FUNCTION = '''def helper_{n}(items, factor=2):
    """Scale and filter the items."""
    total = 0
    out = []
    for i, item in enumerate(items):
        if item is None:
            continue
        value = item * factor + i
        total += value
        out.append(value)
    if total > 1000:
        out = [v for v in out if v % 3]
    return out, total
'''

# Typed after the end of a function's first body line: Enter, then each statement.
TYPED = (
    '\n    name = request.args.get("name")'
    '\n    os.system("ping -c 1 " + name)'
    '\n    data = yaml.load(open(path))'
    '\n    cur.execute("DELETE FROM t WHERE id = %s" % name)'
    '\n    value = eval(name)'
    '\n    subprocess.run(name, shell=True)'
)


def python_file(lines: int) -> str:
    """A Python module of about `lines` lines: one vulnerable function in five."""
    parts = ['"""Generated for bench/lsp_latency.py."""\nimport os\nimport pickle\nimport subprocess\n\nimport yaml\n\n']
    n = 0
    count = 8
    while count < lines:
        if n % 5 == 0:
            text = VULNERABLE_FUNCTIONS[(n // 5) % len(VULNERABLE_FUNCTIONS)].format(n=n)
        else:
            text = BENIGN_FUNCTION.format(n=n)
        parts.append(text + "\n\n")
        count += text.count("\n") + 2
        n += 1
    return "".join(parts)


class Client:
    """A minimal LSP client over the server's stdin/stdout."""

    def __init__(self, cmd: list[str], env: dict | None = None):
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=str(ROOT)
        )
        self.messages: queue.Queue = queue.Queue()
        self._id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put((time.perf_counter(), None))
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, msg: dict) -> float:
        body = json.dumps(msg).encode()
        t = time.perf_counter()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return t

    def request(self, method: str, params) -> dict:
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            _t, msg = self.messages.get(timeout=120)
            if msg is None:
                raise RuntimeError("server exited")
            if msg.get("id") == rid and "method" not in msg:
                return msg
            self._answer(msg)

    def notify(self, method: str, params) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def _answer(self, msg: dict) -> None:
        if "id" in msg and "method" in msg:  # a server request: answer with null
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def wait_publish(self, uri: str, version: int | None) -> tuple[float, dict]:
        while True:
            t, msg = self.messages.get(timeout=120)
            if msg is None:
                raise RuntimeError("server exited")
            self._answer(msg)
            if msg.get("method") == "textDocument/publishDiagnostics":
                p = msg["params"]
                if p["uri"] == uri and (version is None or p.get("version") == version):
                    return t, p

    options = None  # initializationOptions (--options)

    def initialize(self, root: Path) -> None:
        caps = {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}, "synchronization": {"didSave": True}},
            "window": {"workDoneProgress": False},
        }
        self.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": caps,
             "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
             "initializationOptions": Client.options},
        )
        self.notify("initialized", {})

    def open(self, uri: str, text: str, version: int = 1, language: str = "python") -> float:
        return self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}},
        )

    def rss_kb(self, children: bool = False) -> int:
        pids = [self.proc.pid]
        if children:
            pids += _children(self.proc.pid)
        return sum(_rss(p) for p in pids)

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            kids = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            for k in kids:
                out.append(int(k))
                out.extend(_children(int(k)))
    except OSError:
        pass
    return out


def typing_edits(text: str, count: int, autoclose: bool = False):
    """(line, character, inserted text) for typing `count` edits of TYPED at the end of the first
    body line of a function in the middle of the file (new lines inside that function).

    With `autoclose`, typing behaves like an editor that closes brackets and quotes (VS Code's
    default): an opening one inserts the pair, and typing the closing one over the inserted one
    only moves the cursor (no edit)."""
    lines = text.split("\n")
    mid = len(lines) // 2
    while not lines[mid].startswith("def "):
        mid += 1
    line = mid + 1
    col = len(lines[line])
    pending: list[str] = []  # closers inserted ahead of the cursor, innermost last
    pairs = {"(": ")", "[": "]", "{": "}", '"': '"', "'": "'"}
    produced = 0
    while produced < count:
        for ch in TYPED:
            if produced >= count:
                return
            if autoclose and pending and ch == pending[-1]:
                pending.pop()
                col += 1
                continue  # typed over the auto-inserted closer: no edit
            if autoclose and ch in pairs and not (ch in "\"'" and pending and pending[-1] == ch):
                yield line, col, ch + pairs[ch]
                pending.append(pairs[ch])
            else:
                yield line, col, ch
            produced += 1
            if ch == "\n":
                line, col, pending = line + 1, 0, []
            else:
                col += 1


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure_typing(cmd: list[str], text: str, edits: int, root: Path, env: dict, autoclose: bool = False) -> list[float]:
    c = Client(cmd, env)
    try:
        c.initialize(root)
        uri = (root / "typing.py").as_uri()
        c.open(uri, text)
        c.wait_publish(uri, 1)
        out = []
        for i, (line, col, ch) in enumerate(typing_edits(text, edits, autoclose), start=2):
            t0 = c.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": i},
                    "contentChanges": [
                        {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}},
                         "text": ch}
                    ],
                },
            )
            t1, _p = c.wait_publish(uri, i)
            out.append((t1 - t0) * 1000)
        return out
    finally:
        c.close()


def _cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far (its own threads), in ms."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


LAST_STARTUP_CPU: list[float] = []  # server CPU ms at the first diagnostics, per measure_startup call


def measure_startup(cmd: list[str], text: str, root: Path, env: dict) -> float:
    c = Client(cmd, env)
    try:
        c.initialize(root)
        uri = (root / "first.py").as_uri()
        c.open(uri, text)
        t, _p = c.wait_publish(uri, 1)
        LAST_STARTUP_CPU.append(_cpu_ms(c.proc.pid))
        return (t - c.t_spawn) * 1000
    finally:
        c.close()


def measure_rss(cmd: list[str], text: str, docs: int, root: Path, env: dict) -> tuple[int, int]:
    c = Client(cmd, env)
    try:
        c.initialize(root)
        uris = [(root / f"doc{i}.py").as_uri() for i in range(docs)]
        for i, uri in enumerate(uris):
            c.open(uri, text.replace("helper_", f"helper{i}_"))
        for uri in uris:
            c.wait_publish(uri, 1)
        return c.rss_kb(), c.rss_kb(children=True)
    finally:
        c.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3, help="start-up measurements per server")
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--server", default=f"{BIN / 'redline'} lsp", help="command that starts the server")
    ap.add_argument("--options", help="initializationOptions for redline lsp, as JSON")
    ap.add_argument("--only", choices=("typing", "startup", "rss"), help="run one of the three measurements")
    ap.add_argument("--autoclose", action="store_true", help="type like an editor that closes brackets and quotes")
    args = ap.parse_args()

    env = dict(os.environ)
    env["PYTHONPATH"] = env.get("PYTHONPATH") or str(ROOT / "server")
    redline = args.server.split()
    bare = [sys.executable, "-c", BARE_SERVER]
    root = Path(os.environ.get("TMPDIR", "/tmp")) / "redline-bench-lsp"
    root.mkdir(parents=True, exist_ok=True)
    files = {2000: python_file(2000), 10000: python_file(10000)}

    mode = "edits with auto-closed brackets and quotes" if args.autoclose else "one-character edits"
    print(f"# lsp_latency: {args.edits} {mode} in lockstep; python {sys.version.split()[0]}; "
          f"{os.cpu_count()} CPUs")
    rows = []
    for lines, text in files.items():
        if args.only not in (None, "typing"):
            break
        for name, cmd in (("redline lsp", redline), ("bare pygls", bare)):
            Client.options = json.loads(args.options) if args.options and name == "redline lsp" else None
            ms = measure_typing(cmd, text, args.edits, root, env, args.autoclose)
            rows.append((name, lines, statistics.median(ms), percentile(ms, 0.95), max(ms)))
            print(f"{name:12} {lines:6} lines: didChange->publish median {rows[-1][2]:6.2f} ms  "
                  f"p95 {rows[-1][3]:6.2f} ms  max {rows[-1][4]:7.2f} ms", flush=True)
    for name, cmd in (("redline lsp", redline), ("bare pygls", bare)):
        if args.only not in (None, "startup"):
            break
        Client.options = json.loads(args.options) if args.options and name == "redline lsp" else None
        LAST_STARTUP_CPU.clear()
        starts = [measure_startup(cmd, files[2000], root, env) for _ in range(args.runs)]
        print(f"{name:12} spawn -> first diagnostics (2k lines): median {statistics.median(starts):6.0f} ms  "
              f"(runs: {', '.join(f'{s:.0f}' for s in starts)}); server CPU by then: median "
              f"{statistics.median(LAST_STARTUP_CPU):.0f} ms; load average {os.getloadavg()[0]:.2f}", flush=True)
    for name, cmd in (("redline lsp", redline), ("bare pygls", bare)):
        if args.only not in (None, "rss"):
            break
        Client.options = json.loads(args.options) if args.options and name == "redline lsp" else None
        rss, total = measure_rss(cmd, files[2000], args.docs, root, env)
        print(f"{name:12} RSS with {args.docs} open 2k-line documents: {rss / 1024:6.1f} MB "
              f"(with worker processes: {total / 1024:6.1f} MB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
