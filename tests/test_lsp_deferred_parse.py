"""The keystroke path's parse budget: a reparse that gives up, the clean tree the next one starts
from, and findings carried meanwhile (documents/store.py, languages.parse_within,
lsp/analysis.carry, lsp/session.reparse_budget)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_sink import RecordingSink
from redline import languages as langs
from redline import pipeline
from redline.config import Config
from redline.documents.positions import Encoding
from redline.documents.store import Change, DocumentStore
from redline.lsp import analysis
from redline.lsp import session as session_mod
from redline.lsp.settings import ServerSettings
from redline.rules.registry import default_registry
from test_lsp_units import FUNCS, TOKENS  # the same modules and keystrokes as the other analysis properties

URI = "file:///w/a.py"
FUNC = "def f{n}(c):\n    x = {n}\n    return x + c\n\n\n"
VULN = "def run(c):\n    os.system('ls ' + c)\n\n\n"


def big_module(functions: int = 400) -> str:
    return "import os\n\n\n" + VULN + "".join(FUNC.format(n=n) for n in range(functions))


def fresh(data: bytes) -> str:
    return str(langs.new_parser("python").parse(data).root_node)


# ------------------------------------------------------------------ languages.parse_within


def test_parse_within_gives_the_same_tree_as_a_plain_parse_and_reads_node_text():
    data = big_module(50).encode()
    tree = langs.parse_within("python", data, None, budget_s=10.0)
    assert tree is not None and str(tree.root_node) == fresh(data)
    fn = tree.root_node.children[1]
    assert fn.text == data[fn.start_byte : fn.end_byte]  # long node: read in several chunks
    name = fn.child_by_field_name("name")
    assert name.text == b"run"


def test_parse_within_gives_up_on_a_zero_budget_and_the_parser_recovers():
    data = big_module().encode()
    assert langs.parse_within("python", data, None, budget_s=0.0) is None
    # The thread's parser was reset: its next parse (of another text) is complete and right.
    other = b"def g(a):\n    return a\n"
    assert str(langs.parse("python", other).root_node) == fresh(other)
    assert langs.parse_within("yaml-does-not-exist", data, None, 1.0) is None


# ------------------------------------------------------------------ the store


def test_a_deferred_reparse_keeps_the_text_and_the_next_change_parses_it():
    store = DocumentStore()
    text = big_module()
    store.open(URI, "python", 1, text)
    res = store.change(URI, 2, [Change(((4, 4), (4, 4)), "y = (")], Encoding.UTF16, budget_s=0.0)
    doc = res.document
    assert res.deferred and res.rebased and not res.exact and not res.reuse_previous
    assert doc.tree is None and doc.stale is not None and doc.source.tree is None
    line = "    y = (os.system('ls ' + c)"
    assert doc.text.splitlines()[4] == line
    res = store.change(URI, 3, [Change(((4, len(line)), (4, len(line))), ")")], Encoding.UTF16)  # no budget
    assert not res.deferred and res.rebased and res.exact
    assert str(res.document.tree.root_node) == fresh(res.document.data)
    assert res.document.stale is None


def test_a_reparse_with_errors_keeps_the_clean_tree_as_the_start_of_the_next():
    store = DocumentStore()
    store.open(URI, "python", 1, big_module(20))
    res = store.change(URI, 2, [Change(((4, 4), (4, 4)), "y = (")], Encoding.UTF16, budget_s=10.0)
    doc = res.document
    assert not res.deferred and not res.exact and doc.tree.root_node.has_error
    assert doc.stale is not None and not doc.stale.root_node.has_error
    end = len("    y = (os.system('ls ' + c)")
    res = store.change(URI, 3, [Change(((4, end), (4, end)), ")")], Encoding.UTF16, budget_s=10.0)
    assert res.rebased and res.exact and res.document.stale is None
    assert str(res.document.tree.root_node) == fresh(res.document.data)
    # Without a budget (the CLI, the tests of the store) the old behaviour is kept.
    res = store.change(URI, 4, [Change(((4, 4), (4, 4)), "x = (")], Encoding.UTF16)
    assert res.document.stale is None


def test_settle_and_drop_tree_clear_the_stale_tree():
    store = DocumentStore()
    store.open(URI, "python", 1, big_module())
    res = store.change(URI, 2, [Change(((4, 4), (4, 4)), "x = (")], Encoding.UTF16, budget_s=0.0)
    assert res.deferred
    assert store.settle(URI)
    doc = store.get(URI)
    assert doc.stale is None and doc.exact and str(doc.tree.root_node) == fresh(doc.data)
    store.change(URI, 3, [Change(((4, 4), (4, 4)), "x = (")], Encoding.UTF16, budget_s=0.0)
    doc.drop_tree()
    assert doc.tree is None and doc.stale is None and doc.exact
    res = store.change(URI, 4, [Change(((4, 4), (4, 9)), "")], Encoding.UTF16, budget_s=0.0)
    assert res.reparsed_fully and not res.deferred  # no tree to start from: parsed in full
    assert str(res.document.tree.root_node) == fresh(res.document.data)


# ------------------------------------------------------------------ the analysis, as the server runs it



@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(FUNCS), min_size=1, max_size=6),
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 30), st.sampled_from(TOKENS), st.integers(0, 3), st.booleans()),
        min_size=1, max_size=20,
    ),
)
def test_deferred_and_rebased_reparses_settle_to_a_fresh_scan(monkeypatch, funcs, keystrokes):
    """Keystrokes whose reparse gives up (chosen by hypothesis) carry the findings, shifted; a
    result that is not provisional equals a full scan of its tree; after the pause (settle) the
    tree and the findings equal those of a fresh parse."""
    registry, config = default_registry(), Config()
    real = langs.parse_within
    give_up = {"now": False}  # the same patch for every example: state is reset below
    monkeypatch.setattr(langs, "parse_within", lambda *a: None if give_up["now"] else real(*a))
    store = DocumentStore()
    doc = store.open(URI, "python", 0, "import os\n\n" + "\n".join(funcs))
    state = analysis.on_open(doc.source, 0, config, registry)
    for version, (line, char, text, deleted, defer) in enumerate(keystrokes, start=1):
        give_up["now"] = defer
        res = store.change(doc.uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8, 1.0)
        if res.deferred:
            assert doc.tree is None
            state = analysis.carry(state, doc.source, version, res.edits, config, registry)
            assert state.provisional and state.version == version
            for f in state.findings:  # carried findings point at the same text as before
                assert 0 <= f.span.start_byte <= f.span.end_byte <= len(doc.data)
            continue
        state = analysis.on_change(
            state, doc.source, version, res.edits, res.changed_ranges, config, registry,
            not res.reparsed_fully, provisional_ok=not res.exact or res.rebased,
        )
        if not state.provisional:
            assert state.findings == analysis.on_open(doc.source, version, config, registry).findings
    store.settle(doc.uri)
    assert str(doc.tree.root_node) == fresh(doc.data)
    settled = analysis.on_open(doc.source, state.version, config, registry)
    again = pipeline.make_source(doc.path, doc.data)
    assert settled.findings == analysis.on_open(again, state.version, config, registry).findings


def test_the_session_publishes_carried_findings_and_republishes_after_settling(monkeypatch):
    monkeypatch.setattr(session_mod, "reparse_budget", lambda lines: 0.0)  # every reparse gives up
    sink = RecordingSink()
    s = session_mod.Session(sink)
    s.configure(ServerSettings())
    s.open(URI, "python", 1, big_module())
    (first,) = [d for d in sink.published[-1][2] if d["code"] == "RL102"]
    assert first["range"]["start"]["line"] == 4
    s.change(URI, 2, [Change(((0, 0), (0, 0)), "\n\n")])
    uri, version, diagnostics = sink.published[-1]
    assert version == 2 and s.document(URI).tree is None
    (moved,) = [d for d in diagnostics if d["code"] == "RL102"]
    assert moved["range"]["start"]["line"] == 6  # shifted by the two new lines
    assert s.record(URI).state.provisional
    count = len(sink.published)
    s.settle(URI, 2)
    assert s.document(URI).tree is not None and not s.record(URI).state.provisional
    # The findings are the same, but the report made without a tree is replaced.
    assert len(sink.published) == count + 1 and sink.published[-1][1] == 2
    s.settle(URI, 2)
    assert len(sink.published) == count + 1  # nothing new to say


def test_a_document_deferred_for_too_long_is_parsed_without_a_budget(monkeypatch):
    monkeypatch.setattr(session_mod, "reparse_budget", lambda lines: 0.0)
    monkeypatch.setattr(session_mod, "MAX_DEFERRED_S", -1.0)  # any deferral is already too long
    s = session_mod.Session(RecordingSink())
    s.configure(ServerSettings())
    s.open(URI, "python", 1, big_module())
    s.change(URI, 2, [Change(((0, 0), (0, 0)), "\n")])
    assert s.document(URI).tree is None  # the first one gives up
    s.change(URI, 3, [Change(((0, 0), (0, 0)), "\n")])
    doc = s.document(URI)
    assert doc.tree is not None and str(doc.tree.root_node) == fresh(doc.data)


def test_the_budget_grows_with_the_document():
    budget = session_mod.reparse_budget
    assert budget(100) == session_mod.REPARSE_BUDGET_MIN_S
    assert budget(100_000) == session_mod.REPARSE_BUDGET_MAX_S
    assert budget(2_000) < budget(10_000) < budget(15_000)


def test_a_suppression_typed_while_the_reparse_gives_up_applies_at_once(monkeypatch):
    monkeypatch.setattr(session_mod, "reparse_budget", lambda lines: 0.0)
    sink = RecordingSink()
    s = session_mod.Session(sink)
    s.configure(ServerSettings())
    s.open(URI, "python", 1, big_module())
    assert [d["code"] for d in sink.published[-1][2]].count("RL102") == 1
    end = len("    os.system('ls ' + c)")
    s.change(URI, 2, [Change(((4, end), (4, end)), "  # redline: ignore[RL102] fixed list of hosts")])
    assert s.document(URI).tree is None and s.document(URI).markers
    assert "RL102" not in [d["code"] for d in sink.published[-1][2]]
    s.change(URI, 3, [Change(((0, 0), (0, 0)), "\n")])  # still carried, still suppressed
    assert s.document(URI).tree is None and "RL102" not in [d["code"] for d in sink.published[-1][2]]
