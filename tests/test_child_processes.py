"""Children die with the server and with the scan (issue 12; redline/safety.py, lsp/jobs.py).

Before: after SIGKILL or SIGTERM of `redline lsp`, the slow engines' worker and multiprocessing's
resource tracker kept running (16 of them 10-16 minutes later); a killed `redline scan --jobs N`
left its workers blocked on their task queue for good; and after LSP shutdown + exit the server
waited for the worker's bandit job to finish (40 s on the big file below) before exiting.

Processes are found through /proc (Linux). The bounds are liveness bounds (a child that outlives
its parent does so for minutes), never speed assertions.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_security_workspace import APP, ENGINES_ON, HANG, PYTHON, REDLINE, StdioServer, child_env, children, descendants

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")

GONE = 10.0  # seconds for an orphan to notice its parent died (the watchdog polls every 0.5 s)
EXIT = 30.0  # seconds for the server to exit after `exit`; the slow job below runs for minutes


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie has exited


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def survivors(pids: set[int], bound: float = GONE) -> list[str]:
    """The processes of `pids` still alive after waiting up to `bound` seconds for them to go."""
    deadline = time.monotonic() + bound
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() > deadline:
            return [f"{p}: {cmdline(p)[:200]}" for p in left]
        time.sleep(0.2)


def _until(pred, bound: float = HANG, step: float = 0.2):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return pred()


def _kill_all(pids: set[int]) -> None:
    """Clean up after a failed test: never leave what the test found running."""
    for p in pids:
        if alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


def _server_with_worker(tmp_path: Path, app_text: str = APP) -> tuple[StdioServer, Path]:
    ws = tmp_path / "ws"
    ws.mkdir()
    app = ws / "app.py"
    app.write_text(app_text)
    (ws / "redline.toml").write_text(ENGINES_ON)  # bandit is off by default (issue 13): its worker job is the subject
    server = StdioServer([REDLINE, "lsp"], ws, tmp_path / "stderr.txt")
    server.initialize(ws)
    server.open(app, app_text)
    return server, app


# ------------------------------------------------------------------ redline lsp


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_worker_and_resource_tracker_die_with_a_killed_server(tmp_path, sig):
    server, app = _server_with_worker(tmp_path)
    found: set[int] = set()
    try:
        # bandit's findings (RL9xx) came back: the worker is up and has run a job.
        assert server.wait_for_codes(app, "RL9") is not None, server.stderr()
        found = descendants(server.proc.pid)
        assert any("spawn_main" in cmdline(p) for p in found), [cmdline(p) for p in found]
        os.kill(server.proc.pid, sig)
        server.proc.wait(HANG)
        assert survivors(found) == []
    finally:
        _kill_all(found)
        server.close()


def test_exit_kills_a_running_slow_job_instead_of_waiting_for_it(tmp_path):
    # bandit needs minutes for this file (40 s for 20,000 lines on an idle core); Redline's own
    # rules need a second or two.
    big = "x = foo(1, 2, 3) + bar(4) * baz(5)\n" * 40_000
    server, app = _server_with_worker(tmp_path, big)
    found: set[int] = set()
    try:
        worker = _until(lambda: next((p for p in descendants(server.proc.pid) if "spawn_main" in cmdline(p)), None))
        assert worker, server.stderr()
        # Past its start-up (about a second of CPU): busy with bandit on the big file.
        assert _until(lambda: cpu_seconds(worker) >= 3.0), server.stderr()
        found = descendants(server.proc.pid)
        status = server.stop(timeout=EXIT)
        assert status == 0, f"the server did not exit within {EXIT} s of `exit` (status {status}):\n{server.stderr()}"
        assert survivors(found) == []
    finally:
        _kill_all(found)
        server.close()


# ------------------------------------------------------------------ redline scan --jobs 2


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_workers_die_with_a_killed_scan(tmp_path, sig):
    project = tmp_path / "project"
    project.mkdir()
    for i in range(600):  # long enough to still be running when the workers are seen
        (project / f"m{i}.py").write_text(f"import os, pickle\n\n\ndef f{i}(x):\n    os.system('ls ' + x)\n    return pickle.loads(x)\n")
    (project / "redline.toml").write_text(ENGINES_ON)  # the slow engines keep the scan running as it was sized for
    scan = subprocess.Popen([REDLINE, "scan", "--jobs", "2", "."], cwd=project, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    found: set[int] = set()
    try:
        workers = _until(lambda: len(children(scan.pid)) >= 2 and children(scan.pid))
        assert workers and scan.poll() is None, "the scan ended before its workers were seen"
        found = descendants(scan.pid)
        os.kill(scan.pid, sig)
        scan.wait(HANG)
        assert survivors(found) == []
    finally:
        if scan.poll() is None:
            scan.kill()
            scan.wait()
        _kill_all(found)


# ------------------------------------------------------------------ the watchdog alone


def test_the_watchdog_alone_notices_the_parent_died(tmp_path):
    """Without PR_SET_PDEATHSIG (other platforms, or a child started from a thread that ends):
    the watchdog thread sees it was re-parented and exits."""
    grandchild = (
        "import sys, time\n"
        "from redline.safety import die_with_parent\n"
        "die_with_parent(int(sys.argv[1]), pdeathsig=False)\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    middle = (
        "import os, subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, '-c', {grandchild!r}, str(os.getpid())], stdout=subprocess.PIPE)\n"
        "assert p.stdout.readline().strip() == b'ready'\n"
        "print(p.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen([PYTHON, "-c", middle], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=child_env())
    pid = None
    try:
        pid = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
        assert survivors({pid}) == []
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if pid is not None:
            _kill_all({pid})


# ------------------------------------------------------------------ Jobs (lsp/jobs.py) in-process


async def test_shutdown_kills_a_running_job_and_a_late_failure_keeps_the_next_worker():
    import asyncio
    from concurrent.futures.process import BrokenProcessPool

    from redline.lsp.jobs import Jobs

    jobs = Jobs(use_process=True)
    try:
        first = await asyncio.wait_for(jobs.submit(os.getpid)[1], HANG)
        _f, running = jobs.submit(time.sleep, 120)
        jobs.shutdown()  # must not wait for the sleep
        with pytest.raises(BrokenProcessPool):
            await asyncio.wait_for(running, 3 * GONE)  # a liveness bound: the sleep takes 120 s
        assert survivors({first}) == []
        second = await asyncio.wait_for(jobs.submit(os.getpid)[1], HANG)
        assert second != first
        # The session reports the killed job's BrokenProcessPool after the new worker started:
        # that must not throw the new, healthy worker away.
        jobs.broken()
        assert await asyncio.wait_for(jobs.submit(os.getpid)[1], HANG) == second
    finally:
        jobs.shutdown()
