"""Per-file engine time limits (redline/limits.py, config `time-limit`).

An engine that runs past its limit on a file is stopped, reported as having skipped that file
(with the reason) and loses only its own findings: in `redline scan` (--jobs 1 in this process,
--jobs 2 in forked workers), in the language server's worker, and on a thread where signals
cannot be used. The slow-job queue of the server hands one job at a time to the worker, so
closing a document drops its waiting job, and the next job starts as soon as the worker is free.

The looping test engines give up after LOOP_S by the clock and then report a finding: without a
working limit a test fails on that finding instead of hanging. No test measures speed.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient
from lsprotocol import types

from lsp.fixtures import finish
from lsp.harness import ROOT, codes, initialize, logged, open_doc, published, server_config
from redline import limits, pipeline
from redline.config import Config, from_mapping
from redline.documents.source import SourceFile
from redline.engines import all_engines
from redline.findings import Confidence, Finding, Severity

LOOP_S = 30.0  # how long a looping engine spins before it gives up (only reached without a limit)
TINY = 0.2  # seconds of CPU time: the limit the looping engines are given
SECRET_LINE = 'password = "hunter2hunter2"\n'


def _finding(file: SourceFile, engine: str, message: str) -> Finding:
    return Finding(
        code="RL999", name="test-limit", message=message, severity=Severity.WARNING,
        confidence=Confidence.HIGH, cwe=(999,), span=file.span(0, 1), engine=engine,
    )


class LoopingEngine:
    """Spins (pure Python, as bandit does) until LOOP_S have passed; `swallow` catches every
    exception inside the loop, as an engine with a bare `except:` would."""

    slow = True
    default_on = True

    def __init__(self, name: str = "test-loop", swallow: bool = False):
        self.name = name
        self.swallow = swallow

    def applies(self, file: SourceFile) -> bool:
        return True

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        end = time.monotonic() + LOOP_S
        while time.monotonic() < end:
            if self.swallow:
                try:
                    sum(range(1000))
                except BaseException:  # noqa: B036 - what the test is about
                    pass
            else:
                sum(range(1000))
        return [_finding(file, self.name, "the engine was not interrupted")]


def _file(text: str = SECRET_LINE, path: str = "app.py") -> SourceFile:
    return pipeline.make_source(path, text.encode())


def _assert_skipped(findings, errors, name: str, seconds: float) -> None:
    assert not [f for f in findings if f.engine == name], "the interrupted engine's findings were kept"
    assert (name, pipeline.skipped_reason(seconds)) in errors
    assert f"stopped after {limits.format_seconds(seconds)}" in pipeline.skipped_reason(seconds)


# ---------------------------------------------------------------- the limit itself


def test_a_looping_engine_is_stopped_and_the_others_still_report():
    file = _file()
    secrets = next(e for e in all_engines() if e.name == "secrets")
    secrets.scan(file, Config())  # its first run loads its tables: not what this test is about
    findings, errors = pipeline.run_engines(file, Config(time_limit=TINY), [LoopingEngine(), secrets])
    _assert_skipped(findings, errors, "test-loop", TINY)
    assert [f.code for f in findings if f.engine == "secrets"] == ["RL204"]


def test_an_engine_that_swallows_the_interrupt_loses_its_results():
    findings, errors = pipeline.run_engines(_file(), Config(time_limit=TINY), [LoopingEngine(swallow=True)])
    _assert_skipped(findings, errors, "test-loop", TINY)


def test_the_limit_works_off_the_main_thread():
    """The language server with `workerProcess: false` runs the slow engines on a thread."""
    out: dict = {}

    def work():
        out["result"] = pipeline.run_engines(_file(), Config(time_limit=TINY), [LoopingEngine()])

    t = threading.Thread(target=work)
    t.start()
    t.join(LOOP_S * 2)
    assert not t.is_alive()
    _assert_skipped(*out["result"], "test-loop", TINY)


def test_limits_leave_no_timer_behind():
    import signal

    for _ in range(200):  # engines that finish around their limit
        try:
            limits.call(0.0005, sum, range(20_000))
        except limits.TimeLimitExceeded:
            pass
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    spin_until = time.process_time() + 0.05
    while time.process_time() < spin_until:  # a stray SIGPROF would raise here
        pass


def test_zero_turns_the_limit_off_and_quick_engines_are_untouched():
    assert limits.call(0, sum, [1, 2]) == 3
    findings, errors = pipeline.run_engines(_file(), Config(), [e for e in all_engines() if e.name == "secrets"])
    assert errors == [] and [f.code for f in findings] == ["RL204"]


def test_time_limit_setting():
    cfg, problems = from_mapping({"timeLimit": 2.5}, "redline.toml")
    assert (cfg.time_limit, problems) == (2.5, [])
    assert Config().time_limit > 0  # on by default
    for bad in (-1, "5", True, float("nan")):
        cfg, problems = from_mapping({"time-limit": bad}, "redline.toml")
        assert cfg.time_limit == Config().time_limit and [p.key for p in problems] == ["time-limit"]


# ---------------------------------------------------------------- redline scan


@pytest.fixture
def looping_engine():
    """A looping engine registered with the engines every scan uses (forked workers inherit it)."""
    engines = all_engines()
    engine = LoopingEngine()
    engines.append(engine)
    yield engine
    engines.remove(engine)


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_applies_the_limit_in_process_and_in_workers(tmp_path, looping_engine, jobs):
    from redline.cli import run_scan

    (tmp_path / "a.py").write_text(SECRET_LINE)
    (tmp_path / "b.py").write_text("x = 1\n")
    files, _unread = run_scan(sorted(tmp_path.glob("*.py")), tmp_path, Config(time_limit=TINY), jobs=jobs)
    by_path = {fr.path: fr for fr in files}
    assert set(by_path) == {"a.py", "b.py"}
    for fr in files:
        assert ("test-loop", pipeline.skipped_reason(TINY)) in fr.errors
        assert not [r for r in fr.findings if r.finding.engine == "test-loop"]
    assert [r.finding.code for r in by_path["a.py"].findings] == ["RL204"]


class HungryEngine:
    """Asks for 2 GB at once (calloc'd, so free without a cap: nothing is touched)."""

    name = "test-hungry"
    slow = True
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        return True

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        block = bytearray(2 << 30)
        return [_finding(file, self.name, f"got {len(block)} bytes: no memory limit")]


def _vm_megabytes() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmSize:"))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to size the limit")
def test_scan_workers_cap_their_memory(tmp_path):
    """`redline scan --jobs 2` workers run under the memory-limit: an engine that runs away with
    memory fails there and is reported as having skipped the file; the others still report."""
    from redline.cli import run_scan

    engines = all_engines()
    hungry = HungryEngine()
    engines.append(hungry)
    try:
        (tmp_path / "a.py").write_text(SECRET_LINE)
        (tmp_path / "b.py").write_text("x = 1\n")
        config = Config(memory_limit=_vm_megabytes() + 1000)  # the forked workers start at our size
        files, _unread = run_scan(sorted(tmp_path.glob("*.py")), tmp_path, config, jobs=2)
    finally:
        engines.remove(hungry)
    by_path = {fr.path: fr for fr in files}
    for fr in files:
        assert ("test-hungry", limits.OUT_OF_MEMORY) in fr.errors
        assert not [r for r in fr.findings if r.finding.engine == "test-hungry"]
    assert [r.finding.code for r in by_path["a.py"].findings] == ["RL204"]


def test_memory_limit_setting():
    cfg, problems = from_mapping({"memoryLimit": 512}, "redline.toml")
    assert (cfg.memory_limit, problems) == (512, [])
    for bad in (-1, 1.5, "512", True):
        cfg, problems = from_mapping({"memory-limit": bad}, "redline.toml")
        assert cfg.memory_limit == Config().memory_limit and [p.key for p in problems] == ["memory-limit"]


def pathological_sql(size: int = 180_000) -> str:
    """One f-string SQL line of `size` bytes passed to execute(): bandit's B608 check is quadratic
    in its placeholders (160 s for this one), and a secret the fast engines report."""
    unit = "SELECT {a} FROM {b} "
    body = (unit * (size // len(unit) + 1))[:size]
    body = body[: body.rfind("{")]
    return f'import sqlite3\n\ndef q(cursor, a, b):\n    cursor.execute(f"{body}")\n\n{SECRET_LINE}'


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_scan_reports_bandit_skipped_on_the_pathological_file(tmp_path, fmt):
    (tmp_path / "slow.py").write_text(pathological_sql())
    # bandit is off by default (issue 13): this test is about its time limit, so it turns it on.
    (tmp_path / "redline.toml").write_text("time-limit = 1\n[engines]\nbandit = true\n")
    proc = subprocess.run(
        [sys.executable, "-m", "redline", "scan", "slow.py", "--format", fmt, "--fail-on", "never", "--jobs", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,  # only a guard against a hang
        env={**os.environ, "PYTHONPATH": str(ROOT / "server")},
    )
    assert proc.returncode == 0, proc.stderr
    reason = pipeline.skipped_reason(1)
    assert f"slow.py: bandit: {reason}" in proc.stderr  # told whatever the format
    if fmt == "json":
        report = json.loads(proc.stdout)
        assert {"path": "slow.py", "source": "bandit", "message": reason} in report["errors"]
        assert "RL204" in [f["code"] for f in report["findings"]]
    elif fmt == "sarif":
        run = json.loads(proc.stdout)["runs"][0]
        notes = run["invocations"][0]["toolExecutionNotifications"]
        (note,) = [n for n in notes if n["message"]["text"].startswith("bandit:")]
        assert note["descriptor"]["id"] == "engine-skipped" and note["level"] == "warning"
        assert reason in note["message"]["text"]
        assert "RL204" in [r["ruleId"] for r in run["results"]]
    else:
        assert "RL204" in proc.stdout


# ---------------------------------------------------------------- language server


class FakeJobs:
    """Records what reaches the worker; each job finishes when the test says so."""

    use_process = True

    def __init__(self):
        self.submitted: list[tuple[str, Future]] = []
        self.restarts = 0

    def submit(self, fn, *args):
        fut: Future = Future()
        fut.set_running_or_notify_cancel()  # a process pool marks queued jobs running too
        self.submitted.append((args[0], fut))
        return fut, asyncio.wrap_future(fut)

    def paths(self) -> list[str]:
        return [Path(p).name for p, _ in self.submitted]

    def shutdown(self):
        self.restarts += 1


class NullSink:
    def publish(self, *a): pass
    def log(self, *a): pass
    def show(self, *a): pass
    def refresh(self): pass


async def _settle():
    for _ in range(5):
        await asyncio.sleep(0)


def _with_bandit(session):
    """bandit is off by default (issue 13); these tests need a slow engine on Python files."""
    from redline.lsp.settings import ServerSettings

    session.configure(ServerSettings(config={"engines": {"bandit": True}}))
    return session


async def test_closing_a_document_drops_its_waiting_slow_job(tmp_path):
    from redline.lsp.session import Session

    session = _with_bandit(Session(NullSink()))
    session.jobs = jobs = FakeJobs()
    uris = {}
    for name in ("a.py", "b.py", "c.py"):
        uris[name] = (tmp_path / name).as_uri()
        session.open(uris[name], "python", 1, SECRET_LINE)
        await _settle()  # the idle timer (0 s after open) starts the slow job
    assert jobs.paths() == ["a.py"]  # one job at a time in the worker; b and c wait
    session.close(uris["b.py"])
    jobs.submitted[0][1].set_result(([], []))  # a.py's job ends
    await _settle()
    assert jobs.paths() == ["a.py", "c.py"]  # c starts at once, b never reaches the worker
    jobs.submitted[1][1].set_result(([], []))
    await _settle()
    assert jobs.paths() == ["a.py", "c.py"]
    session.shutdown()


async def test_a_job_stuck_past_its_limits_restarts_the_worker(tmp_path, monkeypatch):
    """One long call into C code cannot be interrupted: the server kills such a worker and the
    waiting jobs go on in a new one."""
    from redline.lsp.session import Session

    monkeypatch.setattr(Session, "SLOW_JOB_OVERDUE_FACTOR", 0)
    monkeypatch.setattr(Session, "SLOW_JOB_GRACE_S", 0.05)
    session = _with_bandit(Session(NullSink()))
    session.jobs = jobs = FakeJobs()
    restart = jobs.shutdown

    def shutdown():  # the next job (b.py) gets the usual allowance
        session.SLOW_JOB_GRACE_S = 60.0
        restart()

    jobs.shutdown = shutdown
    a, b = (tmp_path / "a.py").as_uri(), (tmp_path / "b.py").as_uri()
    session.open(a, "python", 1, SECRET_LINE)
    await _settle()
    session.open(b, "python", 1, SECRET_LINE)
    await _settle()
    assert (jobs.paths(), jobs.restarts) == (["a.py"], 0)
    for _ in range(200):  # a.py's job never ends (a liveness bound, not a measurement)
        if len(jobs.submitted) > 1:
            break
        await asyncio.sleep(0.05)
    assert jobs.restarts == 1 and jobs.paths() == ["a.py", "b.py"]
    jobs.submitted[1][1].set_result(([], []))
    jobs.submitted[0][1].set_exception(RuntimeError("killed"))  # the old worker's late answer
    await _settle()
    assert jobs.paths() == ["a.py", "b.py"]
    session.shutdown()


@pytest_lsp.fixture(config=server_config())
async def server(lsp_client: LanguageClient):
    """A real `redline lsp` (slow engines in its worker process)."""
    lsp_client.client_name = "visual-studio-code"
    yield
    await finish(lsp_client)


async def test_lsp_worker_skips_bandit_and_moves_on(server, tmp_path):
    """The worker process stops bandit on the pathological file at the limit, says so, keeps
    the fast findings, and runs the next document's slow engines."""
    (tmp_path / "redline.toml").write_text("time-limit = 1\n[engines]\nbandit = true\n")  # off by default
    await initialize(server, root=tmp_path, options={"slowEnginesDelayMs": 0})
    slow_uri = open_doc(server, tmp_path / "slow.py", pathological_sql())
    msg = await logged(server, "bandit skipped")
    assert pipeline.skipped_reason(1)[len(limits.SKIPPED):] in msg.message
    assert msg.type == types.MessageType.Warning
    first = await published(server, slow_uri, 1)
    assert "RL204" in codes(first.diagnostics)
    # The worker is free again: the next document's bandit findings arrive.
    # (B612, logging.config.listen: a bandit check covered by no Redline rule)
    other = open_doc(server, tmp_path / "other.py", "import logging.config\n\nlogging.config.listen(9999)\n")
    await published(server, other, 1, pred=lambda p: "RL901" in codes(p.diagnostics))
