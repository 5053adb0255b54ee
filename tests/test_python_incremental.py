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
    for version, ((line, char), text, deleted) in enumerate(keystrokes, start=1):
        res = store.change(uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        doc = res.document
        fresh = langs.new_parser("python").parse(doc.data)
        full = engine.scan(SourceFile(doc.path, "python", doc.data, fresh), reg)
        assert not full.errors, full.errors
        if res.reuse_previous and res.exact:
            found = engine.rescan(doc.source, reg, previous, res.edits, res.changed_ranges).findings
            assert found == full.findings, (doc.text, [f.code for f in found], [f.code for f in full.findings])
        previous = full.findings


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
