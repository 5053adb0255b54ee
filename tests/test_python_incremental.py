"""The Python predicates respect the rescan contract: after random keystrokes inside and around
definitions, `engine.rescan` (which re-runs only the touched top-level definitions) gives what a
full scan of the same text gives. A predicate that read another top-level definition (for
taint, an import, a guard) would make them differ; module-level statements may be read, and an
edit there makes rescan fall back to a full scan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline import languages as langs
from redline.documents.positions import Encoding
from redline.documents.source import SourceFile
from redline.documents.store import Change, DocumentStore
from redline.rules import engine
from redline.rules.registry import default_registry

LINES = [
    "    q = request.args.get('q')\n",
    "    os.system('ls ' + q)\n",
    "    cur.execute(f\"SELECT * FROM t WHERE a = '{q}'\")\n",
    "    sql = 'SELECT * FROM t WHERE a = %s' % p\n",
    "    db.exec(sql)\n",
    "    return redirect(q)\n",
    "    token = random.getrandbits(64)\n",
    "    h = hashlib.md5(password).hexdigest()\n",
    "    q = shlex.quote(q)\n",
    "    if q not in ALLOWED:\n        return None\n",
    "    requests.get(q, verify=False)\n",
    "    resp.set_cookie('sid', q)\n",
    "    from subprocess import run\n",
    "    run(q, shell=True)\n",
]
HEADER = "import os, random, hashlib, shlex, requests\nfrom flask import Flask, request, redirect\napp = Flask(__name__)\nALLOWED = {'a'}\n\n"
TOKENS = ["q", "p", " + ", "'", '"', "(", ")", ":", "\n", " ", "    ", "request.args['x']", "x", "#", "def ", "=", "f'{q}'"]


def _unit(name, lines, routed):
    deco = f"@app.route('/{name}')\n" if routed else ""
    return f"{deco}def {name}(p, cur, db, resp, password):\n" + "".join(lines) + "\n"


unit_st = st.tuples(st.sampled_from(["f", "g", "h"]), st.lists(st.sampled_from(LINES), min_size=1, max_size=5), st.booleans()).map(
    lambda t: _unit(*t)
)
text_st = st.lists(unit_st, min_size=1, max_size=4).map(lambda us: HEADER + "".join(us))
keystroke_st = st.tuples(st.tuples(st.integers(0, 40), st.integers(0, 60)), st.sampled_from(TOKENS + ["", ""]), st.integers(0, 3))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_st, st.lists(keystroke_st, min_size=1, max_size=10))
def test_python_rescan_equals_full_scan(initial, keystrokes):
    reg = default_registry()
    store = DocumentStore()
    uri = "file:///w/app.py"
    doc = store.open(uri, "python", 0, initial)
    previous = engine.scan(doc.source, reg).findings
    before = doc.data
    for version, ((line, char), text, deleted) in enumerate(keystrokes, start=1):
        res = store.change(uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        doc = res.document
        fresh = langs.new_parser("python").parse(doc.data)
        full = engine.scan(SourceFile(doc.path, "python", doc.data, fresh), reg)
        assert not full.errors, full.errors
        if res.reuse_previous and res.exact:
            found = engine.rescan(doc.source, reg, previous, res.edits, res.changed_ranges).findings
            assert found == full.findings, (doc.text, [f.code for f in found], [f.code for f in full.findings])
            found = engine.rescan(doc.source, reg, previous, res.edits, res.changed_ranges, before=before).findings
            assert found == full.findings, (doc.text, [f.code for f in found], [f.code for f in full.findings])
        previous, before = full.findings, doc.data


def test_the_generated_files_do_produce_findings():
    # Guard against a vacuous property: the building blocks must trigger the rules.
    text = HEADER + _unit("f", LINES, True)
    file = SourceFile("app.py", "python", text.encode(), langs.parse("python", text.encode()))
    codes = {f.code for f in engine.scan(file, default_registry()).findings}
    assert {"RL101", "RL102", "RL111", "RL304", "RL305", "RL307"} <= codes, codes


def _rescan_after(initial: str, edits: list[tuple[tuple[int, int], tuple[int, int], str]]):
    """(rescan findings, full-scan findings) after applying `edits` one by one; the rescan must
    have been incremental (rescan of the edited definition only)."""
    reg = default_registry()
    store = DocumentStore()
    uri = "file:///w/app.py"
    doc = store.open(uri, "python", 0, initial)
    previous = engine.scan(doc.source, reg).findings
    found = full = None
    for version, (start, end, text) in enumerate(edits, start=1):
        res = store.change(uri, version, [Change((start, end), text)], Encoding.UTF8)
        doc = res.document
        assert res.reuse_previous and res.exact
        result = engine.rescan(doc.source, reg, previous, res.edits, res.changed_ranges)
        assert not result.full
        full = engine.scan(SourceFile(doc.path, "python", doc.data, langs.new_parser("python").parse(doc.data)), reg)
        found, previous = result.findings, full.findings
    return found, full.findings


def test_renaming_a_definition_that_another_one_reads_as_a_global():
    # g() reads the global `build`; renaming the def `build` re-scans only that definition, so
    # g's findings must not depend on whether a module-level def of that name exists.
    initial = (
        "import os\n\n"
        "def build():\n    return 'ls'\n\n"
        "def g():\n    os.system(build)\n    os.system(Runner)\n\n"
        "class Runner:\n    pass\n"
    )
    found, full = _rescan_after(initial, [((2, 9), (2, 9), "x"), ((9, 12), (9, 12), "X")])
    assert [f.sort_key for f in found] == [f.sort_key for f in full]
    found, full = _rescan_after(initial.replace("def build", "def buildx"), [((2, 9), (2, 10), "")])
    assert [f.sort_key for f in found] == [f.sort_key for f in full]


def test_an_edit_inside_a_function_keeps_module_level_facts_and_findings():
    initial = (
        "import subprocess as sp\nfrom flask import request\nBASE = 'ls '\ncmd = request.args['c']\n\n"
        "def a():\n    sp.call(BASE + cmd, shell=True)\n\n"
        "def b(x):\n    return x\n"
    )
    # Typing inside b(): a()'s finding (module-level taint through `cmd`) is kept, shifted.
    found, full = _rescan_after(initial, [((9, 12), (9, 12), " + BASE"), ((9, 4), (9, 4), "y = cmd\n    ")])
    assert [f.sort_key for f in found] == [f.sort_key for f in full]
    assert any(f.code == "RL102" for f in full)


# ---------------------------------------------------------------- member units on a real-looking module

# ---------------------------------------------------------------- member units and module facts
# The same contract with the finer units: an edit inside a method re-runs that method and the
# members that may read what it changed (by name); an edit at module level re-runs the module-level
# statements and the definitions that mention a name it changed. Random edit sequences on a
# realistic module of several classes (tests/data/incremental/orders_service.py).

from incremental_support import DATA, check_sequence, edit_st  # noqa: E402

ORDERS = (DATA / "orders_service.py").read_text()
PY_SNIPPETS = [
    "    q = request.args.get('q')\n", "        os.system('ls ' + q)\n", "        self.recent = request.args.get('r')\n",
    "        return self.recent\n", "        self.cursor.execute('SELECT ' + self.last_user)\n",
    "import shlex\n", "from os import *\n", "from os import system as run_report\n", "REPORT_CMD = request.args['c']\n",
    "    def find(self, x):\n        return x\n", "def run_report(u):\n    return u\n", "session_secret", "self.runner",
    "run_report", "user_from_request", "self.cache_dir", "eval(", "yaml.safe_load", "    page_size = request.args['p']\n",
    "class ReportJobs:\n", "@app.route('/x')\n", "        ", "shell=True", "q", "self.",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(edit_st(ORDERS, PY_SNIPPETS), min_size=1, max_size=8))
def test_member_units_rescan_equals_full_scan_on_a_multi_class_module(edits):
    check_sequence("python", "file:///w/orders_service.py", ORDERS, edits, default_registry())


def _windows_after(text: str, line: int, col: int, inserted: str):
    reg = default_registry()
    store = DocumentStore()
    uri = "file:///w/orders_service.py"
    doc = store.open(uri, "python", 0, text)
    previous = engine.scan(doc.source, reg).findings
    res = store.change(uri, 1, [Change(((line, col), (line, col)), inserted)], Encoding.UTF8)
    result = engine.rescan(res.document.source, reg, previous, res.edits, res.changed_ranges, before=text.encode())
    full = engine.scan(res.document.source, reg)
    assert result.findings == full.findings
    data = res.document.data
    return result, [data[a:b].decode() for a, b in result.windows]


def _line_of(text: str, needle: str) -> int:
    return text.split("\n").index(next(ln for ln in text.split("\n") if needle in ln))


def test_an_edit_in_a_method_reruns_that_method_and_the_class_code_only():
    line = _line_of(ORDERS, "def digest(self, order):") + 1
    result, windows = _windows_after(ORDERS, line, 8, "x = 1\n        ")
    assert not result.full
    assert any("def digest" in w for w in windows), windows
    assert not any("def find(" in w or "def search(" in w for w in windows)  # other members stay as they were
    # Module helper functions are followed by name, classes are not: show_order stays as it was.
    assert not any("def show_order" in w for w in windows)


def test_a_method_that_calls_the_edited_one_or_reads_its_field_is_rerun():
    # user_from_request writes self.last_user and is called by run_for_request.
    line = _line_of(ORDERS, 'self.last_user = request.args.get("user")')
    _result, windows = _windows_after(ORDERS, line, 8, "y = 2\n        ")
    joined = "\n".join(windows)
    assert "def user_from_request" in joined and "def run_for_request" in joined
    assert "def __init__(self, runner=sp)" in joined  # it writes last_user too
    assert "def token" not in joined and "def run_shell" not in joined


def test_a_module_level_constant_reruns_the_definitions_that_mention_it():
    line = _line_of(ORDERS, "REPORT_CMD = ")
    _result, windows = _windows_after(ORDERS, line, len("REPORT_CMD = "), "'nice ' + ")
    joined = "\n".join(windows)
    assert "class ReportJobs" in joined  # run_report reads REPORT_CMD
    assert "def next_page" not in joined and "class Webhooks" not in joined


def test_editing_a_module_helper_reruns_the_definitions_that_call_it():
    # Python taint follows calls to module-level helpers by name (taint_python.module_function):
    # the caller's finding depends on the helper's body, so an edit there re-runs the caller.
    initial = ("import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
               "def build(d):\n    return 'ls ' + d\n\n"
               "@app.get('/x')\ndef x():\n    os.system(build(request.args['d']))\n\n"
               "def unrelated():\n    return 1\n")
    reg = default_registry()
    store = DocumentStore()
    uri = "file:///w/app.py"
    doc = store.open(uri, "python", 0, initial)
    previous = engine.scan(doc.source, reg).findings
    # `return 'ls ' + d` -> `return 'ls -l'`: the argument no longer reaches the command.
    res = store.change(uri, 1, [Change(((5, 11), (5, 21)), "'ls -l'")], Encoding.UTF8)
    result = engine.rescan(res.document.source, reg, previous, res.edits, res.changed_ranges, before=initial.encode())
    full = engine.scan(res.document.source, reg)
    assert result.findings == full.findings
    assert not result.full
    rerun = b"".join(res.document.data[a:b] for a, b in result.windows)
    assert b"def x()" in rerun and b"def unrelated" not in rerun
