"""Changes that arrive faster than they are analyzed (issue 12): every change is applied to the
text at once, but a document's analysis (reparse, rules, publish) runs for its latest version
only, once the messages already received are handled (lsp/session.py `_drain`)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.config import Config
from redline.documents.positions import Encoding
from redline.documents.store import Change, DocumentStore
from redline.lsp import analysis
from redline.lsp import session as session_mod
from redline.lsp.handlers import diagnostics as diagnostics_handler
from redline.lsp.settings import ServerSettings
from redline.lsp.settings import parse as parse_settings
from redline.rules.registry import default_registry
from test_lsp_units import FUNCS, TOKENS  # the same modules and keystrokes as the other analysis properties

VULN = "def run_{n}(c):\n    os.system('ls ' + c)\n\n\n"
HELPER = "def helper_{n}(x):\n    y = x * 2\n    return y\n\n\n"
TYPED = "\n    value = eval(name)"  # typed after the end of `y = x * 2`, one character per change


def module(n: int) -> str:
    return "import os\n\n\n" + "".join((VULN if i % 3 == 0 else HELPER).format(n=i) for i in range(n))


class Sink:
    def __init__(self) -> None:
        self.published: list[tuple[str, int | None, list[dict]]] = []

    def publish(self, uri, version, diagnostics) -> None:
        self.published.append((uri, version, diagnostics))

    def log(self, level, message) -> None:
        pass

    def show(self, level, message) -> None:
        pass

    def refresh(self) -> None:
        pass


def new_session(pull: bool = False) -> tuple[session_mod.Session, Sink]:
    sink = Sink()
    s = session_mod.Session(sink)
    s.configure(ServerSettings())
    s.client = dataclasses.replace(s.client, pull_diagnostics=pull)
    return s, sink


def typing(text: str, count: int, k: int) -> tuple[list[tuple[tuple[int, int], str]], str]:
    """`count` one-character insertions typing TYPED into the `k`th helper, and the final text."""
    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if line.startswith("    y = x * 2")][k]
    line, col = at, len(lines[at])
    out = []
    for ch in (TYPED * count)[:count]:
        out.append(((line, col), ch))
        if ch == "\n":
            lines[line : line + 1] = [lines[line][:col], lines[line][col:]]
            line, col = line + 1, 0
        else:
            lines[line] = lines[line][:col] + ch + lines[line][col:]
            col += 1
    return out, "\n".join(lines)


def shape(diagnostics: list[dict]) -> list[tuple]:
    return sorted((d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"], d["message"]) for d in diagnostics)


def open_all(s: session_mod.Session, docs: int) -> dict[str, str]:
    """Open `docs` documents outside any event loop (analyzed at once, no timers)."""
    texts = {}
    for i in range(docs):
        uri = f"file:///w/doc_{i}.py"
        texts[uri] = module(30 + i)
        s.open(uri, "python", 1, texts[uri])
    return texts


def test_queued_changes_are_all_applied_and_analyzed_once_per_document():
    s, sink = new_session()
    texts = open_all(s, 4)
    changes = 25
    plans = {uri: typing(text, changes, k=1 + i) for i, (uri, text) in enumerate(texts.items())}
    before = s.analyses
    sink.published.clear()

    async def main() -> None:
        # All the didChange notifications of one read from the client, handled in a row:
        # round-robin over the documents, as a backlog of typing in several files would be.
        for n in range(changes):
            for uri, (edits, _final) in plans.items():
                (line, col), ch = edits[n]
                assert s.change(uri, 2 + n, [Change(((line, col), (line, col)), ch)])
        assert sink.published == []  # nothing analyzed before the queued messages are handled
        for _ in range(20):
            await asyncio.sleep(0)
        s.shutdown()

    asyncio.run(main())
    final_version = 1 + changes
    for uri, (_edits, final) in plans.items():
        doc = s.document(uri)
        assert doc.text == final  # (a) no edit lost
        assert doc.version == final_version
        mine = [(v, d) for u, v, d in sink.published if u == uri]
        assert [v for v, _ in mine] == [final_version]  # (b) the latest version, published once
        # ... with what a fresh open of that text shows (eval(name) is flagged).
        fresh, fresh_sink = new_session()
        fresh.open(uri, "python", final_version, final)
        assert shape(mine[0][1]) == shape(fresh_sink.published[-1][2])
        assert any("eval" in d["message"] for d in mine[0][1])
    # (c) one analysis per document instead of one per change
    assert s.analyses - before == len(plans)


def test_analysis_waits_while_client_messages_are_pending():
    """Changes that arrive over several turns of the event loop while more input waits (the
    transport's `input_pending`) are analyzed together once the input is read."""
    s, sink = new_session()
    texts = open_all(s, 2)
    uri = next(iter(texts))
    edits, final = typing(texts[uri], 12, k=0)
    pending = [True]
    s.input_pending = lambda: pending[0]
    sink.published.clear()

    async def main() -> None:
        for n, ((line, col), ch) in enumerate(edits):
            s.change(uri, 2 + n, [Change(((line, col), (line, col)), ch)])
            for _ in range(3):
                await asyncio.sleep(0)  # the drain runs, finds input pending, comes back
        assert sink.published == [] and s.analyses == 0
        assert s.document(uri).text == final
        pending[0] = False
        for _ in range(5):
            await asyncio.sleep(0)
        s.shutdown()

    s.analyses = 0
    asyncio.run(main())
    assert [v for _u, v, _d in sink.published] == [1 + len(edits)]
    assert s.analyses == 1


def test_analysis_does_not_wait_for_input_forever(monkeypatch):
    """A client that never stops sending still gets diagnostics (MAX_COALESCE_S)."""
    monkeypatch.setattr(session_mod, "MAX_COALESCE_S", 0.0)
    s, sink = new_session()
    texts = open_all(s, 1)
    uri = next(iter(texts))
    s.input_pending = lambda: True
    sink.published.clear()

    async def main() -> None:
        s.change(uri, 2, [Change(((0, 0), (0, 0)), "#")])
        for _ in range(5):
            await asyncio.sleep(0)
        s.shutdown()

    asyncio.run(main())
    assert [v for _u, v, _d in sink.published] == [2]


def test_a_pull_for_a_document_waiting_for_its_analysis_answers_for_its_latest_version():
    s, sink = new_session(pull=True)
    texts = open_all(s, 1)
    uri = next(iter(texts))
    edits, final = typing(texts[uri], len(TYPED), k=0)
    first = s.record(uri).report.result_id

    async def main() -> None:
        for n, ((line, col), ch) in enumerate(edits):
            s.change(uri, 2 + n, [Change(((line, col), (line, col)), ch)])
        # The request is handled before the loop turns: it must not answer the old report.
        report = diagnostics_handler.document_report(s, uri, first)
        assert report["kind"] == "full"
        assert any("eval" in d["message"] for d in report["items"])
        assert s.record(uri).report.version == 1 + len(edits)
        workspace = diagnostics_handler.workspace_report(s, {})
        assert [i["version"] for i in workspace["items"] if i["uri"] == uri] == [1 + len(edits)]
        s.shutdown()

    asyncio.run(main())
    assert s.document(uri).text == final


def test_a_config_change_analyzes_waiting_changes_first():
    s, sink = new_session()
    texts = open_all(s, 1)
    uri = next(iter(texts))
    edits, final = typing(texts[uri], len(TYPED), k=0)

    async def main() -> None:
        for n, ((line, col), ch) in enumerate(edits):
            s.change(uri, 2 + n, [Change(((line, col), (line, col)), ch)])
        s.config_changed()
        assert s.record(uri).state.version == 1 + len(edits)
        assert any("eval" in f.message for f in s.record(uri).state.findings)
        s.shutdown()

    asyncio.run(main())


def test_only_the_hot_documents_keep_trees_while_their_pause_waits(monkeypatch):
    """A tree with syntax errors waits for the pause in typing to be parsed afresh (settle). When
    its document leaves the hot ones first, the tree goes anyway (memory: they are 1.6 MB each
    at 2,000 lines), and the pause still parses afresh and re-scans."""
    monkeypatch.setattr(session_mod, "HOT_TREES", 2)
    monkeypatch.setattr(session_mod, "SETTLE_DELAY_S", 0.01)
    sink = Sink()
    s = session_mod.Session(sink)
    settings, _problems = parse_settings({"engines": {"bandit": False, "detect-secrets": False, "registry": False}})
    s.configure(settings)
    texts = open_all(s, 4)  # the last two opened are hot
    uris = list(texts)
    line = texts[uris[2]].split("\n").index("def helper_1(x):") + 1

    async def main() -> None:
        for uri in uris[2:]:  # an unclosed bracket: trees with errors, a pause to wait for
            assert s.change(uri, 2, [Change(((line, 4), (line, 4)), "eval(name, (")])
            await asyncio.sleep(0)
            assert not s.document(uri).exact and s.debouncer.pending("settle " + uri)
        for uri in uris[:2]:
            assert s.change(uri, 2, [Change(((0, 0), (0, 0)), "#")])
            await asyncio.sleep(0)
        assert [u for u in uris if s.document(u).tree is not None] == uris[:2]
        await asyncio.sleep(0.3)  # the pauses
        s.shutdown()

    asyncio.run(main())
    for uri in uris[2:]:
        fresh, fresh_sink = new_session()
        fresh.open(uri, "python", 2, s.document(uri).text)
        assert s.record(uri).state.findings == fresh.record(uri).state.findings
        assert not s.record(uri).state.provisional and s.document(uri).tree is None
    assert [v for u, v, _d in sink.published if u == uris[2]][-1] == 2


# ---------------------------------------------------------------------- cold documents, batches


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FUNCS), min_size=2, max_size=6),
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 30), st.sampled_from(TOKENS), st.integers(0, 3),
                  st.booleans(), st.booleans()),
        min_size=1, max_size=20,
    ),
)
def test_changes_analyzed_in_batches_on_dropped_trees_equal_a_full_scan(funcs, keystrokes):
    """A document whose tree was dropped (a cold one) is parsed from scratch on its next change;
    what was kept of the old tree's top level lets the rules re-check only the definitions that
    changed. Several applied changes are reparsed and analyzed as one. Either way the findings
    equal a full scan of the tree the store holds."""
    registry, config = default_registry(), Config()
    store = DocumentStore()
    doc = store.open("file:///w/a.py", "python", 0, "import os\n\n" + "\n".join(funcs))
    state = analysis.on_open(doc.source, 0, config, registry)
    for version, (line, char, text, deleted, drop, batch) in enumerate(keystrokes, start=1):
        if drop and doc.pending is None:
            doc.drop_tree()
        store.apply(doc.uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        if batch and version < len(keystrokes):
            continue  # analyzed with the next one
        res = store.reparse(doc.uri)
        state = analysis.on_change(
            state, doc.source, version, res.edits, res.changed_ranges, config, registry, not res.reparsed_fully
        )
        assert state.findings == analysis.on_open(doc.source, version, config, registry).findings


def test_a_dropped_tree_leaves_the_next_change_a_narrow_rescan():
    """The point of the kept layout: an edit inside one function of a cold document re-checks
    that function, not the whole file."""
    store = DocumentStore()
    text = module(30)
    doc = store.open("file:///w/a.py", "python", 1, text)
    doc.drop_tree()
    line = text.split("\n").index("def helper_1(x):") + 1
    res = store.change(doc.uri, 2, [Change(((line, 4), (line, 4)), "z = 1; ")], Encoding.UTF8)
    assert not res.reparsed_fully and res.reuse_previous and res.exact
    start = res.document.line_starts[line - 1]
    [(lo, hi)] = res.changed_ranges
    assert lo == start and hi < res.document.line_starts[line + 4]  # helper_1 only
    doc.drop_tree()
    res = store.change(doc.uri, 3, [Change(None, text)], Encoding.UTF8)  # a whole-document change
    assert res.reparsed_fully and res.changed_ranges == []


# ---------------------------------------------------------------------- the real server


def _frame(msg: dict) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_messages(out) -> list[dict]:
    msgs = []
    while True:
        length = None
        while True:
            line = out.readline()
            if not line:
                return msgs
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        msgs.append(json.loads(out.read(length)))


def test_the_server_analyzes_a_backlog_of_changes_once_per_document(tmp_path: Path):
    """All messages in one write to `redline lsp`: each document's last version is published,
    and far fewer analyses run than there were changes (one per change before)."""
    docs, changes = 3, len(TYPED)
    msgs = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": tmp_path.as_uri(),
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            "initializationOptions": {"engines": {"bandit": False, "detect-secrets": False}},
        }},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    ]
    finals = {}
    plans = {}
    for i in range(docs):
        uri = (tmp_path / f"doc_{i}.py").as_uri()
        text = module(30)
        msgs.append({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                     "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
        plans[uri], finals[uri] = typing(text, changes, k=i)
    for n in range(changes):
        for uri, edits in plans.items():
            (line, col), ch = edits[n]
            pos = {"line": line, "character": col}
            msgs.append({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": 2 + n},
                "contentChanges": [{"range": {"start": pos, "end": pos}, "text": ch}]}})
    # A request after the changes answers from the latest text (code actions flush first).
    last_uri = list(plans)[-1]
    msgs.append({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": last_uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}}})
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "redline", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env=env, cwd=tmp_path,
    )
    try:
        proc.stdin.write(b"".join(_frame(m) for m in msgs))
        proc.stdin.flush()
        # Wait for the code action's answer, then let the analyses finish and shut down.
        deadline = time.monotonic() + 120
        seen: list[dict] = []
        import threading

        reader = threading.Thread(target=lambda: seen.extend(_read_messages(proc.stdout)), daemon=True)
        reader.start()
        while time.monotonic() < deadline and not any(m.get("id") == 2 for m in list(seen)):
            time.sleep(0.05)
        want = {uri: 1 + changes for uri in plans}
        while time.monotonic() < deadline:
            got = {}
            for m in list(seen):
                if m.get("method") == "textDocument/publishDiagnostics":
                    got[m["params"]["uri"]] = m["params"].get("version")
            if got == want:
                break
            time.sleep(0.05)
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}) + _frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.close()
        proc.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    publishes = [m["params"] for m in seen if m.get("method") == "textDocument/publishDiagnostics"]
    for uri in plans:
        versions = [p.get("version") for p in publishes if p["uri"] == uri]
        assert versions and versions[-1] == 1 + changes, versions
        final = [p for p in publishes if p["uri"] == uri][-1]
        assert any("eval" in d["message"] for d in final["diagnostics"])
    # Versions analyzed (a pause may publish the same version again): one per document, give or
    # take one the reader's timing lets through early; before, each of the docs * changes.
    analyzed = {(p["uri"], p["version"]) for p in publishes if p.get("version", 1) > 1}
    assert len(analyzed) <= 2 * docs, sorted((u[-8:], v) for u, v in analyzed)
