"""Unit tests of the language server's pure parts (no server process)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline import pipeline
from redline.config import Config
from redline.documents.positions import Encoding
from redline.documents.store import Change, DocumentStore
from redline.findings import Confidence, Finding, Fix, Related, Severity, TextEdit
from redline.lsp import actions, analysis, convert, explain, suppress
from redline.lsp.settings import LogLevel, Preference, ServerSettings, parse
from redline.rules.registry import default_registry

# ------------------------------------------------------------------ settings


def test_settings_split_server_keys_from_configuration_keys():
    s, problems = parse(
        {
            "redline": {
                "configurationPreference": "filesystemFirst",
                "scan_workspace_on_startup": True,
                "slow-engines-delay-ms": 100,
                "logLevel": "warn",
                "select": ["RL1"],
                "minSeverity": "warning",
                "interpreter": ["/usr/bin/python3"],  # the VS Code client's own setting
            }
        }
    )
    assert problems == []
    assert s.configuration_preference is Preference.FILESYSTEM_FIRST and s.scan_workspace_on_startup
    assert s.slow_engines_delay_ms == 100 and s.log_level is LogLevel.WARNING
    assert dict(s.config) == {"select": ["RL1"], "minSeverity": "warning"}


def test_bad_settings_keep_defaults_and_name_the_key():
    s, problems = parse({"configurationPreference": "mine", "workerProcess": "yes", "logLevel": 3, "ignore": ["RL1"]})
    assert s.configuration_preference is Preference.EDITOR_FIRST and s.worker_process and s.log_level is LogLevel.INFO
    assert sorted(p.key for p in problems) == ["configurationPreference", "logLevel", "workerProcess"]
    assert dict(s.config) == {"ignore": ["RL1"]}
    assert parse("nonsense")[1][0].message.startswith("expected an object")
    assert parse(None) == (ServerSettings(), [])


def test_later_settings_extend_the_base():
    base, _ = parse({"select": ["RL1"], "logLevel": "debug"})
    s, _ = parse({"ignore": ["RL102"]}, base)
    assert dict(s.config) == {"select": ["RL1"], "ignore": ["RL102"]} and s.log_level is LogLevel.DEBUG


# ------------------------------------------------------------------ suppression edits


def _source(text: str, path: str = "app.py"):
    return pipeline.make_source(path, text.encode())


def _finding(file, start: int, end: int, code: str = "RL102") -> Finding:
    return Finding(code, "x", "m", Severity.ERROR, Confidence.HIGH, (78,), file.span(start, end))


def _apply(text: str, edit: suppress.ByteReplace) -> str:
    data = text.encode()
    return (data[: edit.start] + edit.new_text.encode() + data[edit.end :]).decode()


@pytest.mark.parametrize(
    "path, text, target, expected",
    [
        ("a.py", "x = 1\nos.system(c)\n", "os.system(c)", "x = 1\nos.system(c)  # redline: ignore[RL102] <reason>\n"),
        ("a.js", "eval(c);\r\n", "eval(c)", "eval(c); // redline: ignore[RL102] <reason>\r\n"),
        ("a.py", "os.system(c)  # redline: ignore[RL103] ok\n", "os.system(c)",
         "os.system(c)  # redline: ignore[RL103, RL102] ok\n"),
        ("a.py", "    # redline: ignore[RL103] ok\n    os.system(c)\n", "os.system(c)",
         "    # redline: ignore[RL103, RL102] ok\n    os.system(c)\n"),
        ("a.py", 'def f():\n    q("""a {x}\n    b""")\n', 'q("""a {x}\n    b""")',
         'def f():\n    # redline: ignore[RL102] <reason>\n    q("""a {x}\n    b""")\n'),
        ("a.py", "x = f(a) + \\\n    g(b)\n", "f(a)", "# redline: ignore[RL102] <reason>\nx = f(a) + \\\n    g(b)\n"),
    ],
)
def test_line_suppression(path, text, target, expected):
    file = _source(text, path)
    start = text.encode().index(target.encode())
    edit = suppress.line_suppression(file, _finding(file, start, start + len(target.encode())))
    result = _apply(text, edit)
    assert result == expected
    # And the comment written does suppress the finding.
    from redline.rules import suppressions

    after = _source(result, path)
    moved = result.encode().index(target.encode())
    assert suppressions.is_suppressed(suppressions.parse(after), _finding(after, moved, moved + len(target.encode())))


def test_no_suppression_without_comment_syntax_and_none_twice():
    f = _source('{"a": 1}\n', "a.json")
    assert suppress.line_suppression(f, _finding(f, 1, 4)) is None
    assert suppress.file_suppression(f, "RL102") is None
    g = _source("os.system(c)  # redline: ignore[RL102] ok\n")
    assert suppress.line_suppression(g, _finding(g, 0, 12)) is None


@pytest.mark.parametrize(
    "path, text, expected",
    [
        ("a.py", "import os\n", "# redline: ignore-file[RL102] <reason>\nimport os\n"),
        ("a.py", "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\n",
         "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# redline: ignore-file[RL102] <reason>\nimport os\n"),
        ("a.sh", "#!/bin/sh", "#!/bin/sh\n# redline: ignore-file[RL102] <reason>\n"),
        ("a.go", "package main\r\n", "// redline: ignore-file[RL102] <reason>\r\npackage main\r\n"),
        ("a.py", "# redline: ignore-file[RL101] generated\nimport os\n", "# redline: ignore-file[RL101, RL102] generated\nimport os\n"),
    ],
)
def test_file_suppression(path, text, expected):
    assert _apply(text, suppress.file_suppression(_source(text, path), "RL102")) == expected


# ------------------------------------------------------------------ fix-all


def test_fix_all_takes_safe_fixes_and_skips_overlaps():
    file = _source("abcdefghij\n")
    sp = file.span
    safe1 = Fix("one", (TextEdit(sp(0, 2), "X"),), safe=True)
    overlapping = Fix("two", (TextEdit(sp(1, 3), "Y"), TextEdit(sp(8, 9), "Z")), safe=True)
    unsafe = Fix("three", (TextEdit(sp(5, 6), "U"),), safe=False)
    later = Fix("four", (TextEdit(sp(6, 7), "V"),), safe=True)
    fs = [
        Finding("RL1", "a", "m", Severity.ERROR, Confidence.HIGH, (1,), sp(0, 2), fixes=(safe1,)),
        Finding("RL2", "b", "m", Severity.ERROR, Confidence.HIGH, (2,), sp(1, 3), fixes=(overlapping,)),
        Finding("RL3", "c", "m", Severity.ERROR, Confidence.HIGH, (3,), sp(5, 6), fixes=(unsafe, later)),
    ]
    edits = actions.fix_all_edits(fs)
    assert [e.new_text for e in edits] == ["X", "V"]
    assert actions.has_safe_fix(fs) and not actions.has_safe_fix([])


def test_only_filter_is_hierarchical():
    assert actions.wants(None, "quickfix") and actions.wants(["source"], "source.fixAll.redline")
    assert actions.wants(["source.fixAll"], "source.fixAll.redline")
    assert not actions.wants(["source.fixAll.other"], "source.fixAll.redline")
    assert not actions.wants(["refactor"], "quickfix")


# ------------------------------------------------------------------ conversion


def _findings_with_everything(file) -> list[Finding]:
    text = file.text
    out = []
    for i, start in enumerate(m for m in range(len(text)) if text.startswith(b"os.system", m)):
        end = text.index(b")", start) + 1
        out.append(
            Finding(
                "RL102", "command-injection", f"finding {i}", Severity.WARNING, Confidence.MEDIUM, (78,),
                file.span(start, end),
                fixes=(Fix("fix it", (TextEdit(file.span(start, start + 2), "subprocess"),), safe=i % 2 == 0),),
                related=(Related(file.span(start, start + 2), "here"),),
                fingerprint=f"fp{i}",
            )
        )
    return out


def test_cached_conversion_equals_fresh_conversion_while_lines_move():
    """The converter's cache (moved, not rebuilt, findings) must give exactly what converting
    from scratch gives, for every encoding, after edits above, below and inside findings."""
    rnd = random.Random(7)
    base = "import os\n" + "".join(f"def f{i}(c):\n    s = 'é😀{i}'; os.system(c)\n\n" for i in range(12))
    for enc in Encoding:
        store = DocumentStore()
        doc = store.open("file:///a.py", "python", 0, base)
        conv = convert.Converter("file:///a.py", enc, default_registry())
        for version in range(1, 40):
            line = rnd.randrange(len(doc.line_starts))
            text = rnd.choice(["\n", "x", "# é\n", "", "\n\n"])
            store.change(doc.uri, version, [Change(((line, 0), (line, rnd.choice([0, 0, 1]))), text)], enc)
            file = doc.source
            found = _findings_with_everything(file)
            cached = conv.convert(file, found, version)
            fresh = [
                convert.diagnostic(file, f, uri=doc.uri, version=version, encoding=enc, registry=default_registry())
                for f in found
            ]
            assert cached == fresh
            assert json.loads(conv.json) == fresh  # the JSON text sent with the publish


def test_diagnostic_json_shape(monkeypatch):
    monkeypatch.delenv("REDLINE_DOCS_URL", raising=False)
    file = _source("import os\nos.system(c)\n")
    f = _findings_with_everything(file)[0]
    d = convert.diagnostic(file, f, uri="file:///a.py", version=3, encoding=Encoding.UTF16, registry=default_registry())
    assert d["range"] == {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 12}}
    assert d["severity"] == 2 and d["code"] == "RL102" and d["source"] == "redline"
    assert "codeDescription" not in d  # no documentation URL configured: none is made up
    monkeypatch.setenv("REDLINE_DOCS_URL", "https://git.example.org/redline/blob/main/docs/rules")
    linked = convert.diagnostic(file, f, uri="file:///a.py", version=3, encoding=Encoding.UTF16, registry=default_registry())
    assert linked["codeDescription"] == {"href": "https://git.example.org/redline/blob/main/docs/rules/RL102.md"}
    assert d["relatedInformation"][0]["location"]["uri"] == "file:///a.py"
    assert d["data"]["version"] == 3 and d["data"]["fixes"][0]["edits"][0]["newText"] == "subprocess"
    assert convert.read_data(d["data"])["rule"] == "RL102"
    with pytest.raises(convert.BadData):
        convert.read_data({"rule": "RL1"})


# ------------------------------------------------------------------ incremental analysis

FUNCS = [
    "def run(c):\n    os.system('ls ' + c)\n",
    "def calc(e):\n    return eval(e)\n",
    "def ok(x):\n    return x + 1\n",
    "class K:\n    def m(self, c):\n        exec(c)\n",
]
TOKENS = ["(", ")", "'", '"', "\n", "\n    ", " + c", "eval(c)", "os.system(c)", "x", ":", "# c", ""]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FUNCS), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30), st.sampled_from(TOKENS), st.integers(0, 3)), min_size=1, max_size=20),
)
def test_on_change_equals_a_full_scan_of_the_same_tree(funcs, keystrokes):
    """What the server publishes after each keystroke (incremental, even on trees with syntax
    errors) equals a full analysis of the tree the store holds; after settling, of a fresh parse."""
    registry = default_registry()
    config = Config()
    store = DocumentStore()
    doc = store.open("file:///w/a.py", "python", 0, "import os\n\n" + "\n".join(funcs))
    state = analysis.on_open(doc.source, 0, config, registry)
    for version, (line, char, text, deleted) in enumerate(keystrokes, start=1):
        res = store.change(doc.uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        state = analysis.on_change(
            state, doc.source, version, res.edits, res.changed_ranges, config, registry, not res.reparsed_fully
        )
        assert state.findings == analysis.on_open(doc.source, version, config, registry).findings
    if store.settle(doc.uri):
        state = analysis.on_open(doc.source, state.version, config, registry)
    fresh = pipeline.make_source(doc.path, doc.data)
    assert state.findings == analysis.on_open(fresh, state.version, config, registry).findings


def test_slow_findings_move_with_edits_and_disappear_when_touched():
    registry, config = default_registry(), Config()
    store = DocumentStore()
    doc = store.open("file:///w/a.py", "python", 0, "a = 1\nb = 'SECRET'\n")
    file = doc.source
    slow = [Finding("RL999", "t", "m", Severity.WARNING, Confidence.HIGH, (999,), file.span(10, 18), engine="test")]
    state = analysis.merge_slow(analysis.on_open(file, 0, config, registry), file, slow, 0, config, registry)
    res = store.change(doc.uri, 1, [Change(((0, 0), (0, 0)), "# top\n")], Encoding.UTF8)
    state = analysis.on_change(state, doc.source, 1, res.edits, res.changed_ranges, config, registry)
    (moved,) = [f for f in state.findings if f.code == "RL999"]
    assert doc.data[moved.span.start_byte : moved.span.end_byte] == b"'SECRET'" and moved.span.start_line == 2
    res = store.change(doc.uri, 2, [Change(((2, 6), (2, 7)), "X")], Encoding.UTF8)
    state = analysis.on_change(state, doc.source, 2, res.edits, res.changed_ranges, config, registry)
    assert [f for f in state.findings if f.code == "RL999"] == [] and state.slow_version == 0


def test_size_limit_reason():
    assert analysis.size_problem(10, Config(max_file_size=10)) is None
    assert "maxFileSize" in analysis.size_problem(11, Config(max_file_size=10))


# ------------------------------------------------------------------ explanations


def test_docs_split_into_what_why_fix():
    what, why, fix = explain.split_docs("What it is.\n\nWhy one.\n\nWhy two.\n\nFix: do this\ninstead.\n")
    assert what == "What it is." and why == ["Why one.", "Why two."] and fix == "do this instead."
    assert explain.suppression_examples("RL1", "xml") == (
        "<!-- redline: ignore[RL1] <reason> -->", "<!-- redline: ignore-file[RL1] <reason> -->",
    )


# ------------------------------------------------------------------ costly fast engines


class _CountingEngine:
    name = "test-counting"
    slow = False
    default_on = True

    def __init__(self):
        self.calls = 0

    def applies(self, file):
        return True

    def scan(self, file, config):
        self.calls += 1
        start = file.text.find(b"MARK")
        if start < 0:
            return []
        return [Finding("RL998", "t", "m", Severity.WARNING, Confidence.HIGH, (998,), file.span(start, start + 4), engine=self.name)]


class _Sink:
    def __init__(self):
        self.published, self.logs = [], []

    def publish(self, uri, version, diagnostics):
        self.published.append((uri, version, diagnostics))

    def log(self, level, message):
        self.logs.append(message)

    def show(self, level, message):
        pass

    def refresh(self):
        pass


def test_a_costly_fast_engine_leaves_the_keystroke_path(monkeypatch):
    from redline import engines
    from redline.lsp import session as session_mod

    fake = _CountingEngine()
    monkeypatch.setattr(engines, "_engines", [*engines.all_engines(), fake])
    monkeypatch.setattr(session_mod, "FAST_ENGINE_BUDGET_MS", -1.0)  # every engine is "too slow"
    sink = _Sink()
    s = session_mod.Session(sink)
    s.configure(ServerSettings())
    s.open("file:///w/first.py", "python", 1, "x = 'MARK'\n")
    # An engine's first run in the process (loading its tables) does not count.
    assert not sink.logs and "test-counting" not in s.record("file:///w/first.py").deferred
    s.open("file:///w/a.py", "python", 1, "x = 'MARK'\n")
    assert any("test-counting took" in m for m in sink.logs)
    assert [f.code for f in s.record("file:///w/a.py").state.slow] == ["RL998"]  # carried like slow ones
    calls = fake.calls
    s.change("file:///w/a.py", 2, [Change(((0, 0), (0, 0)), "\n")])
    assert fake.calls == calls  # no longer run per keystroke
    (moved,) = [d for d in sink.published[-1][2] if d["code"] == "RL998"]
    assert moved["range"]["start"] == {"line": 1, "character": 5}
    doc = s.document("file:///w/a.py")
    assert "test-counting" in s._slow_engines(s.record(doc.uri), doc.source, Config())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FUNCS), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30), st.sampled_from(TOKENS), st.integers(0, 3)), min_size=1, max_size=20),
)
def test_provisional_results_only_while_the_tree_has_errors(funcs, keystrokes):
    """As the server runs it: while the tree has syntax errors the result may be provisional
    (findings outside the edited definition carried over); otherwise it equals a full scan of
    the tree; and the full analysis at the next pause equals one of a fresh parse."""
    registry, config = default_registry(), Config()
    store = DocumentStore()
    doc = store.open("file:///w/a.py", "python", 0, "import os\n\n" + "\n".join(funcs))
    state = analysis.on_open(doc.source, 0, config, registry)
    for version, (line, char, text, deleted) in enumerate(keystrokes, start=1):
        res = store.change(doc.uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        state = analysis.on_change(
            state, doc.source, version, res.edits, res.changed_ranges, config, registry,
            not res.reparsed_fully, provisional_ok=not res.exact,
        )
        if not state.provisional:
            assert state.findings == analysis.on_open(doc.source, version, config, registry).findings
    store.settle(doc.uri)
    settled = analysis.on_open(doc.source, state.version, config, registry)
    fresh = pipeline.make_source(doc.path, doc.data)
    assert settled.findings == analysis.on_open(fresh, state.version, config, registry).findings
