"""The JavaScript/TypeScript, Go and Java predicates respect the rescan contract: after random
keystrokes inside and around definitions, `engine.rescan` (which re-runs only the touched
top-level definitions) gives exactly what a full scan of the same text gives. A predicate that
read another definition (for taint, a guard, an import) would make them differ."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline import languages as langs
from redline.documents.positions import Encoding
from redline.documents.source import SourceFile
from redline.documents.store import Change, DocumentStore
from redline.rules import engine

from support_jsgojava import registry

JS_LINES = [
    "  db.query(`SELECT * FROM t WHERE id = ${p}`);\n", "  exec('ls ' + p);\n", "  const q = req.query.x;\n",
    "  el.innerHTML = '<b>' + q + '</b>';\n", "  if (!q.startsWith('/')) return;\n", "  res.redirect(q);\n",
    "  const token = Math.random().toString(36);\n", "  return p;\n", "  fs.readFileSync(path.join(dir, q));\n",
]
GO_LINES = [
    "\tq := fmt.Sprintf(\"SELECT * FROM t WHERE a = '%s'\", p)\n", "\tdb.Query(q)\n", "\tp = r.FormValue(\"x\")\n",
    "\texec.Command(\"sh\", \"-c\", \"ls \"+p)\n", "\thttp.Redirect(w, r, p, 302)\n", "\t_ = md5.Sum([]byte(p))\n",
    "\tif !strings.HasPrefix(p, \"/\") {\n\t\treturn\n\t}\n", "\tos.Open(filepath.Join(\"/srv\", p))\n",
]
JAVA_LINES = [
    "    String q = \"SELECT * FROM t WHERE a = '\" + p + \"'\";\n", "    st.executeQuery(q);\n",
    "    p = request.getParameter(\"x\");\n", "    Runtime.getRuntime().exec(\"ls \" + p);\n",
    "    response.sendRedirect(p);\n", "    Random r = new Random();\n", "    new File(\"/srv\", p);\n",
    "    MessageDigest.getInstance(\"MD5\");\n",
]
HEADERS = {
    "javascript": "const { exec } = require('child_process');\nconst fs = require('fs');\n",
    "go": "package main\n\nimport (\n\t\"crypto/md5\"\n\t\"os/exec\"\n)\n\n",
    "java": "import java.sql.*;\n\n",
}


def _js(name, lines):
    return f"function {name}(req, res, p, dir) {{\n" + "".join(lines) + "}\n"


def _go(name, lines):
    return f"func {name}(w http.ResponseWriter, r *http.Request, p string) {{\n" + "".join(lines) + "}\n"


def _java(name, lines):
    return (f"class {name.upper()} {{\n  void m(HttpServletRequest request, HttpServletResponse response, Statement st, String p)"
            " throws Exception {\n" + "".join(lines) + "  }\n}\n")


UNITS = {"javascript": (_js, JS_LINES), "go": (_go, GO_LINES), "java": (_java, JAVA_LINES)}
URIS = {"javascript": "file:///w/app.js", "go": "file:///w/main.go", "java": "file:///w/App.java"}
TOKENS = ["p", "q", " + ", "'", '"', "(", ")", "{", "}", "\n", " ", ";", "req.query.a", "x", "`", "//", "\t"]


def _text_st(lang):
    make, lines = UNITS[lang]
    unit = st.tuples(st.sampled_from(["f", "g", "h"]), st.lists(st.sampled_from(lines), min_size=1, max_size=4)).map(
        lambda t: make(*t) + "\n")
    return st.lists(unit, min_size=1, max_size=4).map(lambda us: HEADERS[lang] + "".join(us))


keystroke_st = st.tuples(st.tuples(st.integers(0, 30), st.integers(0, 60)),
                         st.sampled_from(TOKENS + ["", ""]), st.integers(0, 3))
PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check(lang, initial, keystrokes):
    reg = registry()
    store = DocumentStore()
    uri = URIS[lang]
    doc = store.open(uri, lang, 0, initial)
    previous = engine.scan(doc.source, reg).findings
    before = doc.data
    for version, ((line, char), text, deleted) in enumerate(keystrokes, start=1):
        res = store.change(uri, version, [Change(((line, char), (line, char + deleted)), text)], Encoding.UTF8)
        doc = res.document
        fresh = langs.new_parser(lang).parse(doc.data)
        result = engine.scan(SourceFile(doc.path, lang, doc.data, fresh), reg)
        assert not result.errors, (doc.text, result.errors)  # half-typed code must not crash a predicate
        full = result.findings
        if res.reuse_previous and res.exact:
            found = engine.rescan(doc.source, reg, previous, res.edits, res.changed_ranges).findings
            assert found == full, (doc.text, [f.code for f in found], [f.code for f in full])
            # With the previous text: member and statement units, name-based invalidation.
            found = engine.rescan(doc.source, reg, previous, res.edits, res.changed_ranges, before=before).findings
            assert found == full, (doc.text, [f.code for f in found], [f.code for f in full])
        previous, before = full, doc.data


@PROPS
@given(_text_st("javascript"), st.lists(keystroke_st, min_size=1, max_size=10))
def test_javascript_rescan_equals_full_scan(initial, keystrokes):
    _check("javascript", initial, keystrokes)


@PROPS
@given(_text_st("go"), st.lists(keystroke_st, min_size=1, max_size=10))
def test_go_rescan_equals_full_scan(initial, keystrokes):
    _check("go", initial, keystrokes)


@PROPS
@given(_text_st("java"), st.lists(keystroke_st, min_size=1, max_size=10))
def test_java_rescan_equals_full_scan(initial, keystrokes):
    _check("java", initial, keystrokes)


def test_the_generated_files_do_produce_findings():
    # Guard against a vacuous property: the building blocks must trigger the rules.
    for lang, (make, lines) in UNITS.items():
        text = HEADERS[lang] + make("f", lines)
        file = SourceFile(URIS[lang], lang, text.encode(), langs.parse(lang, text.encode()))
        assert len(engine.scan(file, registry()).findings) >= 3, lang


# ---------------------------------------------------------------- member units and module facts
# With the previous text, rescan re-runs the edited method and the members that may read what it
# changed (by name), and after a module-level edit the statements and definitions that mention a
# changed name. Random edit sequences on realistic multi-class files (tests/data/incremental/).

from incremental_support import DATA, check_sequence, edit_st  # noqa: E402

JAVA = (DATA / "AccountController.java").read_text()
JS = (DATA / "cart.js").read_text()
JAVA_SNIPPETS = [
    "        lastName = request.getParameter(\"x\");\n", "        Runtime.getRuntime().exec(lastName);\n",
    "        audit.add(request.getParameter(\"a\"));\n", "import java.util.*;\n", "import java.io.*;\n",
    "    private String BASE_DIR = \"/tmp\";\n", "    void nameFrom() {}\n", "nameFrom", "lastName", "audit",
    "connection", "request.getParameter(\"q\")", " + name", "}", "{", ";", "this.", "static ",
]
JS_SNIPPETS = [
    "    this.items = req.query.items;\n", "    exec(this.items[0]);\n", "const UPLOAD_DIR = process.argv[2];\n",
    "const { execSync: exec } = require('child_process');\n", "  user(req) { return 'x'; }\n", "this.user(req)",
    "requestCount", "UPLOAD_DIR", "this.db", "req.query.x", " + id", "}", "{", ";", "`", "//", "exec(",
]


@PROPS
@given(st.lists(edit_st(JAVA, JAVA_SNIPPETS), min_size=1, max_size=8))
def test_java_member_units_rescan_equals_full_scan(edits):
    check_sequence("java", "file:///w/AccountController.java", JAVA, edits, registry())


@PROPS
@given(st.lists(edit_st(JS, JS_SNIPPETS), min_size=1, max_size=8))
def test_javascript_member_units_rescan_equals_full_scan(edits):
    check_sequence("javascript", "file:///w/cart.js", JS, edits, registry())


def test_the_multi_class_files_produce_findings_and_incremental_rescans():
    # Guard against a vacuous property: the files have findings, and a keystroke inside a
    # method is re-run without scanning the file.
    for lang, text, uri, needle, typed in (
            ("java", JAVA, "file:///w/A.java", "return random.nextInt();", "int y = 1; "),
            ("javascript", JS, "file:///w/c.js", "return Math.random().toString(36);", "let y = 1; ")):
        line = text.split("\n").index(next(ln for ln in text.split("\n") if needle in ln))
        assert check_sequence(lang, uri, text, [((line, 4), 0, typed)], registry()) == 1, lang
