"""Opening or scanning a repository never runs its code (issue 12; redline/safety.py).

Editors start `redline lsp` with the workspace folder as the working directory, and Python puts
the working directory first on sys.path for `python -c` and `python -m`. The worker that runs
bandit and detect-secrets and multiprocessing's resource tracker both start as `python -c ...`,
so before the fix a workspace `selectors.py`, `signal.py` or `pickle.py` ran in them seconds
after the first file was opened, `python -m redline` imported a workspace `re.py`, and the worker
loaded bandit plugins declared by a workspace `*.egg-info`.

Here a workspace holds a module named after every standard-library module and every package
installed beside Redline, `sitecustomize.py`, `usercustomize.py`, a `.pth` file, `conftest.py`,
`setup.py`, a build backend named in pyproject.toml and bandit plugins in egg-info/dist-info
metadata. Each writes a marker file (outside the workspace) when it is imported. The server and
the CLI are started in it every way docs/editors.md and docs/cli.md describe (and the plain
`python -m` forms, which are not the documented ones but are defended too), made to run the slow
engines in their worker (open a Python file, save it), and must leave no marker.

What no program can defend against from the inside: under plain `python -m redline`, Python
imports runpy's dependencies and the `redline` package itself after putting the working
directory first and before any of our code runs (RUNPY_CHAIN below). Those are planted only for
the launch forms that are safe from them (the `redline` script, `python -P -m`); the plain `-m`
forms are tested with everything else.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

PYTHON = sys.executable
REDLINE = str(Path(sys.executable).with_name("redline"))
HANG = 180  # seconds: only turns a hung server into a failure, never a measurement

# Imported by `python -m` (runpy: importlib.machinery and its dependencies) after the working
# directory is on sys.path and before redline/__main__.py runs (found by planting every
# standard-library name: these are the only ones that still ran). `redline/` itself too.
RUNPY_CHAIN = {"importlib", "contextlib", "warnings", "collections", "keyword", "operator", "reprlib", "functools", "types"}

# bandit's B612 (logging.config.listen) is covered by no Redline rule: its RL901 finding proves
# that the worker started and ran bandit. bandit and detect-secrets are off by default (issue 13):
# the workspace's configuration turns them on, so that their imports run here too.
APP = "import os\n\nimport logging.config\n\n\ndef run(cmd):\n    os.system(cmd)\n    return logging.config.listen(9999)\n"
ENGINES_ON = "[engines]\nbandit = true\ndetect-secrets = true\n"


def _marker_code(markers: Path, name: str) -> str:
    # Builtins only: whatever module this shadows, nothing else needs to import.
    return f"open({str(markers / name)!r}, 'a').close()\n"


def _module_names() -> set[str]:
    names = {n for n in sys.stdlib_module_names if not n.startswith("_")} | {"__future__"}
    # Every top-level package installed beside Redline (pygls, lsprotocol, bandit, yaml, ...).
    names |= {n for n in importlib.metadata.packages_distributions() if n.isidentifier() and not n.startswith("__")}
    return names


def plant(ws: Path, markers: Path, *, runpy_chain: bool) -> list[str]:
    """Fill `ws` with code that marks `markers` when it runs; returns the planted names."""
    ws.mkdir(parents=True, exist_ok=True)
    markers.mkdir(parents=True, exist_ok=True)
    planted = []
    for name in sorted(_module_names()):
        if name in RUNPY_CHAIN and not runpy_chain:
            continue
        if name == "redline":
            if runpy_chain:  # a package shadowing ours: only the safe launch forms survive it
                (ws / "redline").mkdir()
                (ws / "redline" / "__init__.py").write_text(_marker_code(markers, "redline"))
                planted.append(name)
            continue
        (ws / f"{name}.py").write_text(_marker_code(markers, name))
        planted.append(name)
    for name in ("sitecustomize", "usercustomize", "conftest", "setup", "evil_backend", "evil_plugin", "__main__"):
        (ws / f"{name}.py").write_text(_marker_code(markers, name))
        planted.append(name)
    (ws / "zz_evil.pth").write_text("import os; " + _marker_code(markers, "pth"))
    (ws / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "evil_backend"\nbackend-path = ["."]\n\n'
        '[project]\nname = "evil"\nversion = "1.0"\n'
    )
    # Plugins that bandit (stevedore, importlib.metadata entry points) would load if the worker
    # looked for distributions in the working directory.
    entry_points = (
        "[bandit.plugins]\nevil = evil_plugin:check\n\n[bandit.blacklists]\nevil = evil_plugin:blacklist\n\n"
        "[bandit.formatters]\nevil = evil_plugin:fmt\n\n[console_scripts]\nevil = evil_plugin:main\n"
    )
    egg = ws / "evil_plugin.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 1.0\n")
    (egg / "entry_points.txt").write_text(entry_points)
    dist = ws / "evil_dist-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-dist\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(entry_points)
    (ws / "app.py").write_text(APP)
    (ws / "redline.toml").write_text(ENGINES_ON)
    return planted


def child_env() -> dict[str, str]:
    """Our environment, minus anything that would make the children safe without Redline's help."""
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)
    return env


def marks(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir())


def children(pid: int) -> set[int]:
    """The child processes of `pid` (Linux /proc; empty elsewhere or once `pid` is gone)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# ------------------------------------------------------------------ a plain stdio LSP client


class StdioServer:
    """`redline lsp` (or any argv) as a subprocess, spoken to over stdin/stdout by hand.

    A reader thread collects every message; server-to-client requests are answered with null."""

    def __init__(self, argv: list[str], cwd: Path, stderr_path: Path, env: dict[str, str] | None = None):
        self._stderr = open(stderr_path, "wb")
        self.stderr_path = stderr_path
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env if env is not None else child_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self._ids = 0
        self._write_lock = threading.Lock()
        self.messages: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = json.loads(out.read(length))
            if "id" in body and "method" in body:  # a request to us: accept it, say nothing
                self._send({"jsonrpc": "2.0", "id": body["id"], "result": None})
            self.messages.put(body)

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode()
        with self._write_lock:
            try:
                self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    def notify(self, method: str, params=None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params=None, timeout: float = HANG) -> dict | None:
        self._ids += 1
        rid = self._ids
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def wait_for(self, pred, timeout: float = HANG) -> dict | None:
        """The first message (already received or to come) that matches, or None: on timeout or
        when the server closed its output."""
        for m in self.seen:
            if pred(m):
                return m
        import time

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = self.messages.get(timeout=left)
            except queue.Empty:
                return None
            if m is None:
                self.messages.put(None)  # keep telling later waiters
                return None
            self.seen.append(m)
            if pred(m):
                return m

    def initialize(self, root: Path) -> None:
        reply = self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}})
        assert reply is not None and "result" in reply, self.stderr()
        self.notify("initialized", {})

    def open(self, path: Path, text: str, language: str = "python") -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": language, "version": 1, "text": text}})

    def save(self, path: Path) -> None:
        self.notify("textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})

    def wait_for_codes(self, path: Path, code_prefix: str, timeout: float = HANG) -> dict | None:
        uri = path.as_uri()
        return self.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and any(str(d.get("code", "")).startswith(code_prefix) for d in m["params"]["diagnostics"]),
            timeout,
        )

    def stop(self, timeout: float = HANG) -> int | None:
        """shutdown + exit; the exit status, or None if it did not exit within `timeout`."""
        if self.proc.poll() is None:
            self.request("shutdown", None, timeout=timeout)
            self.notify("exit")
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        # stdout belongs to the reader thread: closing it here would wait for that thread's read,
        # which never ends while a surviving child of the server still holds the pipe. A failed
        # test leaves nothing running: the server's children go first.
        for pid in descendants(self.proc.pid) if self.proc.poll() is None else ():
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        self.kill()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self._stderr.close()

    def stderr(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text("utf-8", "replace")[-4000:]


# ------------------------------------------------------------------ the server


LSP_LAUNCHES = {
    # documented (docs/editors.md): safe from everything planted
    "redline lsp": ([REDLINE, "lsp"], True),
    "python -P -m redline lsp": ([PYTHON, "-P", "-m", "redline", "lsp"], True),
    "python -P -m redline.lsp": ([PYTHON, "-P", "-m", "redline.lsp"], True),
    # not documented, defended as far as possible: everything but RUNPY_CHAIN
    "python -m redline lsp": ([PYTHON, "-m", "redline", "lsp"], False),
    "python -m redline.lsp": ([PYTHON, "-m", "redline.lsp"], False),
    # -E without -P: children would ignore PYTHONSAFEPATH, so the slow engines run in a thread
    "python -E -m redline lsp": ([PYTHON, "-E", "-m", "redline", "lsp"], False),
}


@pytest.mark.parametrize("launch", list(LSP_LAUNCHES))
def test_the_language_server_runs_no_workspace_code(tmp_path, launch):
    argv, everything = LSP_LAUNCHES[launch]
    ws, markers = tmp_path / "ws", tmp_path / "markers"
    plant(ws, markers, runpy_chain=everything)
    app = ws / "app.py"
    server = StdioServer(argv, ws, tmp_path / "stderr.txt")
    try:
        server.initialize(ws)
        server.open(app, APP)
        server.save(app)
        # RL9xx: bandit's findings, computed in the worker: the worker started and ran bandit.
        slow = server.wait_for_codes(app, "RL9")
        status = server.stop()
    finally:
        server.close()
    assert marks(markers) == [], f"workspace code ran under `{launch}`:\n{server.stderr()}"
    assert slow is not None, f"the slow engines never reported (worker broken?):\n{server.stderr()}"
    assert status == 0, server.stderr()


# ------------------------------------------------------------------ the CLI


SCAN_LAUNCHES = {
    "redline scan .": ([REDLINE, "scan", "."], True),
    "redline scan --jobs 2 .": ([REDLINE, "scan", "--jobs", "2", "."], True),
    "python -P -m redline scan --jobs 2 .": ([PYTHON, "-P", "-m", "redline", "scan", "--jobs", "2", "."], True),
    "python -m redline scan --jobs 2 .": ([PYTHON, "-m", "redline", "scan", "--jobs", "2", "."], False),
    "python -m redline scan .": ([PYTHON, "-m", "redline", "scan", "."], False),
}


@pytest.mark.parametrize("launch", list(SCAN_LAUNCHES))
def test_the_scan_runs_no_workspace_code(tmp_path, launch):
    argv, everything = SCAN_LAUNCHES[launch]
    ws, markers = tmp_path / "ws", tmp_path / "markers"
    planted = plant(ws, markers, runpy_chain=everything)
    done = subprocess.run(argv + ["--format", "json"], cwd=ws, env=child_env(), capture_output=True, text=True, timeout=HANG)
    assert marks(markers) == [], f"workspace code ran under `{launch}`:\n{done.stderr[-4000:]}"
    assert done.returncode == 1, done.stderr[-4000:]  # findings (app.py), not a crash
    report = json.loads(done.stdout)
    scanned = json.dumps(report)
    assert "app.py" in scanned and len(planted) > 200


# ------------------------------------------------------------------ redline.safety itself


def test_drop_cwd_from_path_removes_what_means_the_working_directory(tmp_path, monkeypatch):
    from redline import safety

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "flags", _flags(safe_path=False))
    other = str(tmp_path / "lib")
    path = [str(tmp_path), "/usr/lib/python3", "", other, ".", str(tmp_path)]
    removed = safety.drop_cwd_from_path(path)
    # The interpreter's first entry and every relative one go; a later absolute entry naming the
    # same directory was put there on purpose (PYTHONPATH, a .pth file) and stays.
    assert path == ["/usr/lib/python3", other, str(tmp_path)]
    assert sorted(removed) == sorted([str(tmp_path), "", "."])


def test_drop_cwd_from_path_keeps_the_first_entry_under_safe_path(tmp_path, monkeypatch):
    from redline import safety

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "flags", _flags(safe_path=True))
    path = [str(tmp_path), "/usr/lib/python3", ""]
    safety.drop_cwd_from_path(path)
    assert path == [str(tmp_path), "/usr/lib/python3"]


def _flags(**overrides):
    import types

    values = {name: getattr(sys.flags, name) for name in dir(sys.flags) if not name.startswith("_") and name not in ("count", "index", "n_fields", "n_sequence_fields", "n_unnamed_fields")}
    values.update(overrides)
    return types.SimpleNamespace(**values)


def test_safe_children_sets_the_variable_for_children_only_while_they_start(monkeypatch):
    from redline import safety

    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    with safety.safe_children():
        with safety.safe_children():
            child = subprocess.run([PYTHON, "-c", "import sys; print(sys.flags.safe_path)"], capture_output=True, text=True)
        assert os.environ.get("PYTHONSAFEPATH") == "1"  # the outer block still holds it
    assert child.stdout.strip() == "True"
    assert "PYTHONSAFEPATH" not in os.environ  # in-process callers keep their environment
    monkeypatch.setenv("PYTHONSAFEPATH", "x")
    with safety.safe_children():
        pass
    assert os.environ["PYTHONSAFEPATH"] == "x"


@pytest.mark.parametrize(
    ("flags", "safe"),
    [({}, True), ({"ignore_environment": 1}, False), ({"ignore_environment": 1, "safe_path": True}, True), ({"isolated": 1, "ignore_environment": 1}, True)],
)
def test_spawn_is_safe_unless_children_would_ignore_the_environment(monkeypatch, flags, safe):
    from redline import safety

    base = {"ignore_environment": 0, "safe_path": False, "isolated": 0}
    monkeypatch.setattr(sys, "flags", _flags(**{**base, **flags}))
    assert safety.spawn_is_safe() is safe
