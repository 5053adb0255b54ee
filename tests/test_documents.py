"""The document store: positions in every encoding, edits, incremental trees and findings.

Property tests replay thousands of random edit sequences and check that
- the text equals a replay of the same changes on a plain string (an independent model of the
  LSP rules: line ends \\n, \\r\\n and lone \\r, code units per encoding, clamping);
- the line index equals one computed from scratch;
- the incrementally reparsed tree equals a fresh parse (`str(tree.root_node)`) whenever the store
  calls it exact, and always after `settle()` (tree-sitter's incremental error recovery may
  differ from a fresh parse while the text has syntax errors: a known upstream limitation);
- the incremental findings (`engine.rescan`) equal a from-scratch scan of the same text, the way
  the server computes them: rescan when the previous findings may be reused, a full scan
  otherwise, and a full scan after settling;
- where pygls' own TextDocument is correct (positions in range, ordinary line ends), our text
  agrees with it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import TextDocument

from redline import languages as langs
from redline.documents.positions import Encoding, offset_at, position_at
from redline.documents.source import SourceFile, line_starts_of
from redline.documents.store import Change, DocumentStore, MarkerCheck
from redline.rules import engine
from redline.rules.registry import default_registry
from redline.rules.suppressions import MARKER_MARGIN, has_markers

URI = "file:///work/app.py"

# ------------------------------------------------------------------ the independent model

_BREAK = re.compile(r"\r\n|\r|\n")


def _units(ch: str, enc: Encoding) -> int:
    if enc is Encoding.UTF32:
        return 1
    if enc is Encoding.UTF16:
        return 2 if ord(ch) > 0xFFFF else 1
    return len(ch.encode("utf-8"))


def model_index(text: str, line: int, char: int, enc: Encoding) -> int:
    """Index into `text` (a str) of an LSP position, clamped as the spec says."""
    starts, ends = [0], []
    for m in _BREAK.finditer(text):
        ends.append(m.start())
        starts.append(m.end())
    ends.append(len(text))
    if line >= len(starts):
        return len(text)
    idx, units = starts[line], 0
    while idx < ends[line]:
        n = _units(text[idx], enc)
        if units + n > char:
            break
        units += n
        idx += 1
    return idx


def model_apply(text: str, change: Change, enc: Encoding) -> str:
    if change.range is None:
        return change.text
    (sl, sc), (el, ec) = change.range
    a, b = model_index(text, sl, sc, enc), model_index(text, el, ec, enc)
    a, b = min(a, b), max(a, b)
    return text[:a] + change.text + text[b:]


# ------------------------------------------------------------------ unit cases

EMOJI = "😀"  # 1 code point, 2 UTF-16 units, 4 UTF-8 bytes


@pytest.mark.parametrize(
    "text,pos,enc,expected_prefix",
    [
        (f"a{EMOJI}b", (0, 3), Encoding.UTF16, f"a{EMOJI}"),
        (f"a{EMOJI}b", (0, 2), Encoding.UTF32, f"a{EMOJI}"),
        (f"a{EMOJI}b", (0, 5), Encoding.UTF8, f"a{EMOJI}"),
        (f"a{EMOJI}b", (0, 2), Encoding.UTF16, "a"),  # inside the surrogate pair: snaps back
        (f"a{EMOJI}b", (0, 3), Encoding.UTF8, "a"),  # inside the UTF-8 sequence: snaps back
        ("中文x", (0, 2), Encoding.UTF16, "中文"),
        ("中文x", (0, 6), Encoding.UTF8, "中文"),
        ("e\u0301x", (0, 2), Encoding.UTF16, "e\u0301"),  # combining mark is its own code point
        ("ab\r\ncd", (1, 1), Encoding.UTF16, "ab\r\nc"),
        ("ab\rcd", (1, 1), Encoding.UTF16, "ab\rc"),  # lone CR ends a line
        ("ab\r\ncd", (0, 99), Encoding.UTF16, "ab"),  # past the end of a line: its end
        ("ab\ncd", (7, 0), Encoding.UTF16, "ab\ncd"),  # past the last line: end of document
        ("ab\ncd", (-1, -4), Encoding.UTF16, ""),  # negative: clamped to 0
    ],
)
def test_offset_at(text, pos, enc, expected_prefix):
    data = text.encode()
    off = offset_at(data, line_starts_of(data), pos[0], pos[1], enc)
    assert data[:off].decode() == expected_prefix


@pytest.mark.parametrize("enc", list(Encoding))
def test_position_round_trip(enc):
    text = f"x = '{EMOJI}中e\u0301'\r\ny\rz\n"
    data = text.encode()
    starts = line_starts_of(data)
    for i in range(len(text) + 1):
        off = len(text[:i].encode())
        line, char = position_at(data, starts, off, enc)
        if text[i - 1 : i] in ("\r",) and text[i : i + 1] == "\n":
            continue  # between \r and \n is not a position
        assert offset_at(data, starts, line, char, enc) == off


def test_line_starts_for_every_line_end():
    assert line_starts_of(b"a\nb\r\nc\rd") == [0, 2, 5, 7]
    assert line_starts_of(b"") == [0]
    assert line_starts_of(b"\r\r\n\n") == [0, 1, 3, 4]


def test_negotiate_prefers_utf8():
    assert Encoding.negotiate(["utf-16", "utf-8"]) is Encoding.UTF8
    assert Encoding.negotiate(["utf-32"]) is Encoding.UTF16
    assert Encoding.negotiate(None) is Encoding.UTF16


def test_stale_and_unknown_versions_are_ignored():
    store = DocumentStore()
    store.open(URI, "python", 3, "a = 1\n")
    assert store.change(URI, 3, [Change(None, "b = 2\n")], Encoding.UTF16) is None
    assert store.change(URI, 2, [Change(None, "b = 2\n")], Encoding.UTF16) is None
    assert store.change("file:///other.py", 9, [Change(None, "")], Encoding.UTF16) is None
    assert store.get(URI).text == "a = 1\n"
    res = store.change(URI, 4, [Change(((0, 4), (0, 5)), "2")], Encoding.UTF16)
    assert res is not None and res.document.text == "a = 2\n" and res.document.version == 4


def test_several_changes_in_one_notification_apply_in_order():
    store = DocumentStore()
    store.open(URI, "python", 1, "abc\n")
    res = store.change(
        URI, 2, [Change(((0, 0), (0, 0)), "X"), Change(((0, 4), (0, 4)), "Y"), Change(((1, 0), (1, 0)), "z")], Encoding.UTF16
    )
    assert res.document.text == "XabcY\nz"
    assert len(res.edits) == 3


def test_unknown_language_is_kept_without_a_tree():
    store = DocumentStore()
    doc = store.open("file:///notes.xyz", "xyz", 1, "hello")
    assert doc.language is None and doc.source is None and doc.tree is None
    res = store.change(doc.uri, 2, [Change(((0, 5), (0, 5)), " world")], Encoding.UTF16)
    assert res.document.text == "hello world"


# ------------------------------------------------------------------ properties

TOKENS = [
    "a", "b", "x", " ", "=", "(", ")", "'", '"', ":", "\t", "\n", "\r\n", "\r", "é", "e\u0301", "中",
    EMOJI, "\x0c", "def f(p):\n    ", "    ", "eval(p)\n", "import os\n", "os.system('ls ' + p)\n",
    'cur.execute(f"SELECT {p}")\n', "class C:\n    def m(self, q):\n        ", "pass\n",
    "yaml.load(s)\n", "return 1\n", "# redline: ignore[RL103] ok\n", "if x:\n", "'''", "\n\n",
]
text_st = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
pos_st = st.tuples(st.integers(0, 14), st.integers(0, 40))
change_st = st.one_of(
    st.tuples(pos_st, pos_st, text_st).map(lambda t: Change((t[0], t[1]), t[2])),
    st.tuples(pos_st, text_st).map(lambda t: Change((t[0], t[0]), t[1])),  # typing
    st.tuples(pos_st, pos_st).map(lambda t: Change((t[0], t[1]), "")),  # deleting
)
notification_st = st.lists(
    st.one_of(change_st, change_st, change_st, text_st.map(lambda t: Change(None, t))), min_size=1, max_size=3
)
enc_st = st.sampled_from(list(Encoding))
PROPS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BODY_LINES = [
    "    eval(p)\n", "    os.system('ls ' + p)\n", '    cur.execute(f"SELECT {p}")\n', "    x = 1\n",
    "    yaml.load(p)\n", "    return p\n", "    # redline: ignore[RL103] ok\n", "    pickle.loads(p)\n",
]
function_st = st.tuples(st.sampled_from(["f", "g", "h"]), st.lists(st.sampled_from(BODY_LINES), min_size=1, max_size=4)).map(
    lambda t: f"def {t[0]}(p):\n" + "".join(t[1]) + "\n"
)
functions_text_st = st.lists(function_st, min_size=1, max_size=6).map("".join)


@MANY
@given(st.one_of(text_st, functions_text_st), st.lists(notification_st, min_size=1, max_size=12), enc_st)
def test_edits_replay_like_the_model_and_reparse_like_fresh(initial, notifications, enc):
    registry = default_registry()
    store = DocumentStore(MarkerCheck(has_markers, MARKER_MARGIN))
    doc = store.open(URI, "python", 0, initial)
    model = initial
    previous = engine.scan(doc.source, registry).findings
    for version, changes in enumerate(notifications, start=1):
        for c in changes:
            model = model_apply(model, c, enc)
        res = store.change(URI, version, changes, enc)
        doc = res.document
        assert doc.text == model
        assert doc.line_starts == line_starts_of(doc.data)
        # The per-edit marker flag never says "none" when the text has a suppression marker.
        assert doc.markers or not has_markers(doc.data)
        previous = _server_findings(store, res, previous, registry)


def _server_findings(store, res, previous, registry):
    """Findings as the server computes them, checked against a from-scratch parse and scan."""
    doc = res.document
    fresh_tree = langs.new_parser("python").parse(doc.data)
    full = engine.scan(SourceFile(doc.path, "python", doc.data, fresh_tree), registry).findings
    if res.reuse_previous:
        found = engine.rescan(doc.source, registry, previous, res.edits, res.changed_ranges).findings
    else:
        found = engine.scan(doc.source, registry).findings
    if res.exact:
        assert str(doc.tree.root_node) == str(fresh_tree.root_node)
        assert found == full
    assert store.settle(doc.uri) == (not res.exact)
    assert str(doc.tree.root_node) == str(fresh_tree.root_node)
    if not res.exact:
        found = engine.scan(doc.source, registry).findings
    assert found == full
    return found


@MANY
@given(functions_text_st, st.lists(st.tuples(pos_st, st.sampled_from(TOKENS + BODY_LINES + ["", ""]), st.integers(0, 3)), min_size=1, max_size=15))
def test_typing_inside_functions_keeps_incremental_findings_exact(initial, keystrokes):
    """Small edits inside definitions take the partial path; it must still equal a full scan."""
    registry = default_registry()
    store = DocumentStore()
    doc = store.open(URI, "python", 0, initial)
    previous = engine.scan(doc.source, registry).findings
    for version, ((line, char), text, deleted) in enumerate(keystrokes, start=1):
        res = store.change(URI, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        previous = _server_findings(store, res, previous, registry)


def test_settle_repairs_a_tree_that_incremental_error_recovery_got_wrong():
    """The counterexample hypothesis found: unterminated triple quotes typed in three steps."""
    store = DocumentStore()
    store.open(URI, "python", 0, "def f(p):\n    eval(p)\n\ndef f(p):\n    os.system('ls ' + p)\n\ndef f(p):\n    eval(p)\n\n")
    for version, (pos, text) in enumerate([((4, 24), "\'\'\'"), ((5, 0), "    eval(p)\n"), ((7, 1), "\'")], start=1):
        res = store.change(URI, version, [Change((pos, pos), text)], Encoding.UTF16)
    doc = res.document
    fresh = langs.new_parser("python").parse(doc.data)
    assert not res.exact  # the text has errors, so the store does not vouch for the tree
    assert store.settle(URI)
    assert str(doc.tree.root_node) == str(fresh.root_node)
    assert doc.exact and not store.settle(URI)


SAFE_TOKENS = [t for t in TOKENS if t not in ("\r", "\x0c")]
safe_text_st = st.lists(st.sampled_from(SAFE_TOKENS), max_size=30).map("".join)


def _boundaries(line: str) -> list[int]:
    """UTF-16 offsets of the code point boundaries of a line (valid LSP characters)."""
    out, units = [0], 0
    for c in line:
        units += 2 if ord(c) > 0xFFFF else 1
        out.append(units)
    return out


@st.composite
def in_range_change(draw, text: str):
    """A change with valid positions only: in range, on code point boundaries, start <= end."""
    lines = text.replace("\r\n", "\n").split("\n")
    line = draw(st.integers(0, len(lines) - 1))
    char = draw(st.sampled_from(_boundaries(lines[line])))
    line2 = draw(st.integers(line, len(lines) - 1))
    ends = [b for b in _boundaries(lines[line2]) if line2 > line or b >= char]
    char2 = draw(st.sampled_from(ends))
    return Change(((line, char), (line2, char2)), draw(safe_text_st))


@PROPS
@given(safe_text_st, st.data())
def test_text_agrees_with_pygls_text_document(initial, data):
    store = DocumentStore()
    store.open(URI, "python", 0, initial)
    theirs = TextDocument(URI, initial, version=0, position_codec=None)
    for version in range(1, 8):
        text = store.get(URI).text
        change = data.draw(in_range_change(text))
        (sl, sc), (el, ec) = change.range
        theirs.apply_change(
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(sl, sc), types.Position(el, ec)), text=change.text
            )
        )
        store.change(URI, version, [change], Encoding.UTF16)
        assert store.get(URI).text == theirs.source


def test_a_marker_typed_or_joined_by_an_edit_is_noticed():
    store = DocumentStore(MarkerCheck(has_markers, MARKER_MARGIN))
    doc = store.open(URI, "python", 0, "x = eval(p)  # redline ignore\n")
    assert not doc.markers
    store.change(URI, 1, [Change(((0, 22), (0, 22)), ":")], Encoding.UTF8)  # "redline" + ":"
    assert doc.markers
    store.change(URI, 2, [Change(((0, 22), (0, 23)), "")], Encoding.UTF8)
    assert not doc.markers  # a document with markers is checked in full
    store.change(URI, 3, [Change(((0, 16), (0, 30)), "# no sec")], Encoding.UTF8)
    assert not doc.markers
    store.change(URI, 4, [Change(((0, 20), (0, 21)), "")], Encoding.UTF8)  # "no sec" -> "nosec"
    assert doc.markers and doc.source.markers


def test_without_a_marker_check_a_document_may_always_hold_markers():
    """The documents layer knows no suppression syntax: unless told how to look, it never
    claims a text is free of markers (which would let the server skip suppressions)."""
    store = DocumentStore()
    doc = store.open(URI, "python", 0, "x = 1\n")
    assert doc.markers
    store.change(URI, 1, [Change(((0, 0), (0, 0)), "y = 2\n")], Encoding.UTF8)
    assert doc.markers and doc.source.markers
