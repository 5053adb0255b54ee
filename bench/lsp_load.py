"""Many open documents edited faster than they can be analyzed one by one: does `redline lsp`
keep up, and how much memory does it hold?

    .venv/bin/python bench/lsp_load.py [--docs 200] [--lines 2000] [--rate 100] [--seconds 30]
        [--timeout 600] [--server "redline lsp"]

Builds `--docs` documents of about `--lines` lines each by concatenating real Python source files
(Django's, from bench/corpora/ when present: `make bench-corpus-django`; then the packages in
the virtual environment), writes them to a temporary workspace, starts the real server over
stdio and opens them all. Then it edits them round-robin at `--rate` edits per second for
`--seconds` seconds: each edit types the next character of a statement on a new line in the
middle of a function. The client never waits for the server (a writer thread queues what the
pipe cannot take yet, as an editor does).

Reported: the time from the last edit until diagnostics for the latest version of every
document have arrived (push diagnostics with versions), how many publishes there were, and the
server's peak resident memory (VmHWM of the server process; the slow-engine worker process is
reported on its own). The server's CPU time between the last edit and catching up is printed
too: on the shared build machine the wall time depends on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent

STATEMENTS = [
    'name = request.args.get("name")',
    'os.system("ping -c 1 " + name)',
    'cur.execute("DELETE FROM t WHERE id = %s" % name)',
    "value = eval(name)",
    "subprocess.run(name, shell=True)",
]


def source_files() -> list[Path]:
    """Real Python files, in a fixed order: Django's source first, then site-packages."""
    roots = sorted((HERE / "corpora").glob("Django-*/django"))
    site = sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    out: list[Path] = []
    for r in [*roots, *site]:
        out.extend(sorted(p for p in r.rglob("*.py") if "test" not in p.name))
    return out


def build_documents(count: int, lines: int) -> list[str]:
    """`count` texts of about `lines` lines, each whole real files concatenated."""
    docs: list[str] = []
    parts: list[str] = []
    n = 0
    for path in source_files():
        if len(docs) == count:
            break
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        k = text.count("\n")
        if k < 20 or k > lines or "\r" in text:
            continue
        parts.append(text if text.endswith("\n") else text + "\n")
        n += k
        if n >= lines:
            docs.append("".join(parts))
            parts, n = [], 0
    if len(docs) < count:
        raise SystemExit(f"only {len(docs)} documents of {lines} lines from the corpus; try `make bench-corpus-django`")
    return docs


def typing_point(text: str) -> tuple[int, int, str]:
    """(line, column, indent): the end of a one-line assignment inside a function or method,
    near the middle (new statements typed after it stay inside the same block)."""
    lines = text.split("\n")
    pattern = re.compile(r"^(\s{4,})[A-Za-z_][A-Za-z0-9_.]* = \S.*$")

    def balanced(s: str) -> bool:
        return all(s.count(a) == s.count(b) for a, b in ("()", "[]", "{}")) and '"""' not in s and "'''" not in s

    for i in [*range(len(lines) // 2, len(lines) - 1), *range(len(lines) // 2)]:
        m = pattern.match(lines[i])
        if not m or not balanced(lines[i]) or lines[i].rstrip().endswith(("\\", ",", ":", "+", "-")):
            continue
        nxt = lines[i + 1]
        if nxt.strip() and len(nxt) - len(nxt.lstrip()) > len(m.group(1)):
            continue
        return i, len(lines[i]), m.group(1)
    return len(lines) - 1, len(lines[-1]), ""


def keystrokes(text: str):
    """Endless (line, column, inserted text) edits typing STATEMENTS at `typing_point`."""
    line, col, indent = typing_point(text)
    while True:
        for stmt in STATEMENTS:
            yield line, col, "\n" + indent
            line, col = line + 1, len(indent)
            for ch in stmt:
                yield line, col, ch
                col += 1


class Client:
    """A minimal LSP client over pipes; writes go through a queue so the client never blocks."""

    def __init__(self, cmd: list[str], cwd: Path):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd)
        self.outbox: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.published: dict[str, tuple[int | None, float]] = {}  # uri -> (version, arrival)
        self.publishes = 0
        self.responses: dict[int, dict] = {}
        self.cond = threading.Condition(self.lock)
        self._id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._write, daemon=True).start()

    def _write(self) -> None:
        while True:
            data = self.outbox.get()
            if data is None:
                return
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                return

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            now = time.perf_counter()
            if "id" in msg and "method" in msg:  # a server request: answer with null
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif msg.get("method") == "textDocument/publishDiagnostics":
                p = msg["params"]
                with self.cond:
                    self.publishes += 1
                    self.published[p["uri"]] = (p.get("version"), now)
                    self.cond.notify_all()
            elif "id" in msg:
                with self.cond:
                    self.responses[msg["id"]] = msg
                    self.cond.notify_all()

    def send(self, msg: dict) -> float:
        body = json.dumps(msg).encode()
        self.outbox.put(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return time.perf_counter()

    def request(self, method: str, params, timeout: float = 120) -> dict:
        self._id += 1
        rid = self._id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        with self.cond:
            if not self.cond.wait_for(lambda: rid in self.responses, timeout):
                raise TimeoutError(method)
            return self.responses.pop(rid)

    def notify(self, method: str, params) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_versions(self, want: dict[str, int], timeout: float) -> float | None:
        """Wait until every uri's latest publish is for its wanted version: the arrival time of
        the last of them, None on timeout."""
        def done() -> bool:
            return all(self.published.get(u, (None,))[0] == v for u, v in want.items())

        with self.cond:
            if not self.cond.wait_for(done, timeout):
                return None
            return max(self.published[u][1] for u in want)

    def behind(self, want: dict[str, int]) -> int:
        with self.lock:
            return sum(self.published.get(u, (None,))[0] != v for u, v in want.items())

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=30)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()
        self.outbox.put(None)


def proc_status(pid: int, key: str) -> int:
    """A kB figure from /proc/PID/status (VmRSS, VmHWM), 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), 0 when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            for k in Path(f"/proc/{pid}/task/{tid}/children").read_text().split():
                out.append(int(k))
                out.extend(children(int(k)))
    except OSError:
        pass
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=100.0, help="edits per second (all documents together)")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--timeout", type=float, default=600.0, help="give up waiting to catch up after this long")
    ap.add_argument("--server", default=f"{BIN / 'redline'} lsp")
    args = ap.parse_args()

    texts = build_documents(args.docs, args.lines)
    total_lines = sum(t.count("\n") for t in texts)
    print(f"{len(texts)} documents, {total_lines / len(texts):.0f} lines and {sum(map(len, texts)) / len(texts) / 1000:.0f} kB each on average")
    with tempfile.TemporaryDirectory(prefix="redline-load-") as tmp:
        root = Path(tmp)
        uris = []
        for i, text in enumerate(texts):
            path = root / f"doc_{i:03d}.py"
            path.write_text(text, "utf-8")
            uris.append(path.as_uri())
        client = Client(shlex.split(args.server), root)
        pid = client.proc.pid
        peak = {"rss": 0, "worker": 0}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak["rss"] = max(peak["rss"], proc_status(pid, "VmRSS"))
                peak["worker"] = max(peak["worker"], sum(proc_status(k, "VmRSS") for k in children(pid)))
                stop.wait(0.2)

        threading.Thread(target=sample, daemon=True).start()
        try:
            caps = {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}, "synchronization": {"didSave": True}},
                "window": {"workDoneProgress": False},
            }
            client.request("initialize", {
                "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": caps,
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            })
            client.notify("initialized", {})
            t0 = time.perf_counter()
            versions = {}
            for uri, text in zip(uris, texts):
                client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
                versions[uri] = 1
            if client.wait_versions(versions, args.timeout) is None:
                raise SystemExit("the documents' first diagnostics did not arrive")
            print(f"opened: first diagnostics for all after {time.perf_counter() - t0:.1f} s; "
                  f"server RSS {proc_status(pid, 'VmRSS') / 1024:.0f} MB")
            time.sleep(2.0)  # let the slow engines' first round start

            edits = [keystrokes(t) for t in texts]
            n = int(args.rate * args.seconds)
            start = time.perf_counter()
            last = start
            for i in range(n):
                due = start + i / args.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                k = i % len(uris)
                line, col, ins = next(edits[k])
                versions[uris[k]] += 1
                pos = {"line": line, "character": col}
                last = client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uris[k], "version": versions[uris[k]]},
                    "contentChanges": [{"range": {"start": pos, "end": pos}, "text": ins}],
                })
            cpu_last = cpu_seconds(pid)
            sent = time.perf_counter() - start
            print(f"sent {n} edits in {sent:.1f} s ({n / sent:.0f}/s), {n / len(uris):.0f} per document")
            progress_at = time.perf_counter()
            arrival = None
            while arrival is None:
                arrival = client.wait_versions(versions, 10.0)
                if arrival is None:
                    waited = time.perf_counter() - last
                    print(f"  {waited:.0f} s after the last edit: {client.behind(versions)} documents behind")
                    if time.perf_counter() - progress_at > args.timeout:
                        break
            cpu_used = cpu_seconds(pid) - cpu_last
            stop.set()
            hwm = proc_status(pid, "VmHWM")
            peak["rss"] = max(peak["rss"], proc_status(pid, "VmRSS"))
            if arrival is None:
                print(f"NOT caught up {args.timeout:.0f} s after the last edit: {client.behind(versions)} documents behind")
            else:
                print(f"caught up: diagnostics for the latest version of every document {arrival - last:.2f} s after the last edit "
                      f"(server CPU time meanwhile {cpu_used:.2f} s; load average {os.getloadavg()[0]:.1f})")
            print(f"publishes: {client.publishes}")
            print(f"server peak RSS {max(hwm, peak['rss']) / 1024:.0f} MB (VmHWM), now {proc_status(pid, 'VmRSS') / 1024:.0f} MB; "
                  f"worker process peak {peak['worker'] / 1024:.0f} MB")
        finally:
            stop.set()
            client.close()


if __name__ == "__main__":
    main()
