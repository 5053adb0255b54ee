"""Suppression comments under hostile input (issue 12).

1. The parser stays linear: pathological lines (long runs of comment characters, thousands of
   markers, 60 KB - 2 MB single lines) are parsed under a liveness alarm far above what the
   scanner needs and far below what the old backtracking regexes took (12 s on 20 KB), and
   no regular expression runs over file content in the suppression modules.
2. Suppressions fail closed: a malformed marker suppresses nothing and is reported (RL399) on its
   line; a marker inside a string literal is not a marker.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from liveness import liveness

from session_sink import RecordingSink
from redline import pipeline
from redline.config import Config
from redline.documents.source import SourceFile
from redline.documents.store import Change
from redline.lsp import session as session_mod
from redline.lsp import suppress as lsp_suppress
from redline.lsp.settings import ServerSettings
from redline.rules import suppressions as sup
from redline.rules.registry import default_registry

BAD = sup.MALFORMED_CODE
ROOT = Path(__file__).resolve().parents[1] / "server" / "redline"


def alive(seconds: int = 10):
    """The old regexes took 12 s on 20 KB and about a minute on 200 KB; the scanner takes
    milliseconds."""
    return liveness(seconds, "still parsing suppressions: not linear")


def _findings(path: str, text: str):
    return pipeline.analyze_text(path, text, Config(), slow=False).findings


def _on(findings, row: int) -> list[str]:
    return sorted(f.code for f in findings if f.span.start_line == row)


# ------------------------------------------------------------------------------ 1. linear time

SHAPES = {
    # the two reports
    "hashes then nosecx": lambda n: b"#" * n + b" nosecx",
    "bundle with allowlist": lambda n: (b"var a=function(b){return b*2};/*x*/" * (n // 36 + 1))[:n] + b" allowlist",
    # long runs of each comment character, ending in a near-miss of every marker
    "slashes": lambda n: b"/" * n + b" redline:x nosecx allowlist",
    "stars": lambda n: b"*" * n + b" redline:x nosecx allowlist",
    "dashes": lambda n: b"-" * n + b" redline:x nosecx allowlist",
    "semicolons": lambda n: b";" * n + b" redline:x nosecx allowlist",
    "html comment openers": lambda n: b"<!--" * (n // 4) + b" redline:x nosecx allowlist",
    "quotes and hashes": lambda n: b"'#\"#" * (n // 4) + b" redline: ignore[",
    # markers repeated thousands of times, well-formed and not
    "nosec repeated": lambda n: b"# " + b"nosec " * (n // 6),
    "nosec B repeated": lambda n: b"# " + b"nosec B" * (n // 7),
    "redline: repeated": lambda n: b"# " + b"redline: " * (n // 9),
    "unclosed ignore[ repeated": lambda n: b"# " + b"redline: ignore[" * (n // 16),
    "valid ignore repeated": lambda n: b"# " + b"redline: ignore[RL101] ok " * (n // 26),
    "allowlist pragma repeated": lambda n: b"# " + b"pragma: allowlist " * (n // 18),
    "ignore then spaces": lambda n: b"# redline: ignore" + b" " * n + b"x",
    "open bracket then commas": lambda n: b"# redline: ignore[" + b"," * n,
    "nosec then ids": lambda n: b"# nosec" + b" B608," * (n // 6),
}


@pytest.mark.parametrize("size", [60_000, 2_000_000])  # 2 MB lines without a tree exceed MAX_LEXICAL_LINE
@pytest.mark.parametrize("language,path", [("python", "a.py"), ("text", "notes.txt")])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_pathological_lines_parse_in_linear_time(shape, language, path, size):
    # In a comment, where the scanner reads every byte (and the grammar parses one token fast).
    text = b"x = 1  # " + SHAPES[shape](size) + b"\n" + b"y = 2  # redline: ignore[RL101] ok\n"
    file = pipeline.make_source(path, text, language)
    with alive():
        parsed = sup.parse(file)
        problems = sup.problem_findings(file, parsed, default_registry())
        lsp_suppress.line_suppression(file, _finding(file, 0))
        lsp_suppress.file_suppression(file, "RL101")
    # A hostile line yields a bounded report, never one warning per marker.
    assert len([p for p in problems if p.span.start_line == 0]) <= 1
    assert 1 in parsed.by_line  # the ordinary marker on the next line is still read


def test_many_lines_with_markers_and_a_wide_minified_tree_stay_linear():
    """The tree is walked once per scan (tree-sitter's own node lookups restart from the first
    child: quadratic on a flat, wide line full of strings that mention markers)."""
    cases = [  # (path, language, text, markers read, rows suppressed by redline: ignore)
        ("a.js", "javascript", b"var a = [" + b'"nosec", ' * 60_000 + b"];\n", 0, 0),  # all in strings
        ("a.js", "javascript", b"var a = 1; " + b"/* nosec */ " * 60_000 + b"\n", 1, 0),  # over the cap
        ("a.js", "javascript", b"var a = " + b'["nosec",' * 3_000 + b"]" * 3_000 + b";\n", 0, 0),
        ("a.py", "python", b"x = '# nosec redline: ignore[ allowlist'\n" * 50_000, 0, 0),
        ("a.py", "python", b"x = 1  # redline: ignore[RL101] ok\n" * 20_000, 20_000, 20_000),
    ]
    for path, language, text, markers, rows in cases:
        file = pipeline.make_source(path, text, language)
        with alive():
            parsed = sup.parse(file)
        assert (len(parsed.markers), len(parsed.by_line)) == (markers, rows), path


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("module", ["rules/suppressions.py", "lsp/suppress.py"])
def test_no_backtracking_regex_reads_file_content_in_the_suppression_modules(module):
    """Structural: the scanners are hand-written. A regular expression brought back here must be
    RE2 (redline.secrets.regex), never Python's backtracking `re`."""
    assert not _imports(ROOT / module) & {"re", "regex", "fnmatch"}


# ------------------------------------------------------------------------------ 2. fail closed

PY = "import os\ndef f(cmd):\n    os.system('ls ' + cmd)\n"  # RL102 on row 2
ROW = 2


def _with_comment(comment: str) -> str:
    return PY.replace("cmd)\n", f"cmd)  {comment}\n")


def test_the_vulnerable_line_is_flagged_and_a_valid_marker_silences_it():
    assert _on(_findings("a.py", PY), ROW) == ["RL102"]
    for comment in [
        "# redline: ignore[RL102] the command is a constant",
        "# redline: ignore[RL102, sql-injection] both",
        "# redline: ignore[command-injection] reviewed",
        "# redline: ignore[RL1] the family",
        "# redline: ignore every rule here",
        "# nosec",
        f"# nosec {default_registry().by_code['RL102'].bandit[0]}",
    ]:
        assert _on(_findings("a.py", _with_comment(comment)), ROW) == [], comment


MALFORMED = [
    "# redline: ignore[",
    "# redline: ignore[]",
    "# redline: ignore[RL102",  # unclosed, naming the rule
    "# redline: ignore[RL101",  # unclosed, naming another rule
    "# redline: ignore[,,,,]",
    "# redline: ignore[RL102,]",
    "# redline: ignore[RL102 RL103]",
    "# redline: ignore[RL102; reviewed]",
    "# redline: ignore [RL102] space before the bracket",
    "# redline: ignore RL102 codes outside brackets",
    "# redline: ignore(RL102)",
    "# redline: ignore-line[RL102]",
    "# redline: ignore[  # redline: ignore[RL101] two markers, the first unclosed",
    "# nosec B",
    "# nosec B60",
    "# nosec: b6",
    "# nosec RL102",
    "# nosec G204",
]


@pytest.mark.parametrize("comment", MALFORMED)
def test_a_malformed_marker_suppresses_nothing_and_is_reported_on_its_line(comment):
    findings = _findings("a.py", _with_comment(comment))
    assert "RL102" in _on(findings, ROW)
    assert BAD in _on(findings, ROW)
    (warning,) = [f for f in findings if f.code == BAD][:1]
    assert warning.name == "malformed-suppression" and warning.severity.value == "warning"
    assert "suppresses nothing" in warning.message and ("Write" in warning.message or "write" in warning.message)


@pytest.mark.parametrize("comment", ["# redline: ignore[", "# redline: ignore[]", "# redline: ignore[,]", "# nosec B"])
def test_a_malformed_marker_on_the_line_before_suppresses_nothing(comment):
    text = PY.replace("    os.system", f"    {comment}\n    os.system")
    findings = _findings("a.py", text)
    assert _on(findings, ROW) == [BAD] and _on(findings, ROW + 1) == ["RL102"]


@pytest.mark.parametrize(
    "header", ["# redline: ignore-file[", "# redline: ignore-file[]", "# redline: ignore-file[,,]",
               "# redline: ignore-file [RL102]", "# redline: ignore-files vendored"],
)
def test_a_malformed_ignore_file_does_not_silence_the_file(header):
    findings = _findings("a.py", f"{header}\n{PY}")
    assert _on(findings, 0) == [BAD] and _on(findings, ROW + 1) == ["RL102"]


def test_an_ignore_file_below_the_header_is_reported_and_ignored():
    late = sup.FILE_HEADER_LINES + 1
    text = "x = 1\n" * late + "# redline: ignore-file[RL102] too late\n" + PY
    findings = _findings("a.py", text)
    assert _on(findings, late) == [BAD] and _on(findings, late + 1 + ROW) == ["RL102"]
    assert "first 20 lines" in [f for f in findings if f.code == BAD][0].message


def test_an_unknown_selector_is_reported_and_the_known_ones_still_apply():
    findings = _findings("a.py", _with_comment("# redline: ignore[RL102, command-injections] typo"))
    assert _on(findings, ROW) == [BAD]  # RL102 is suppressed by the entry that names it
    assert "command-injections" in findings[0].message
    findings = _findings("a.py", _with_comment("# redline: ignore[not-a-rule, RL8] nothing matches"))
    assert _on(findings, ROW) == sorted(["RL102", BAD, BAD])


def test_the_warning_cannot_be_suppressed_by_a_comment():
    # a valid bare nosec on the same line silences RL102 (documented), never the warning
    findings = _findings("a.py", _with_comment("# redline: ignore[ nosec"))
    assert _on(findings, ROW) == [BAD]
    # naming the warning's own code, or silencing the whole file, does not hide it either
    findings = _findings("a.py", _with_comment("# redline: ignore[] redline: ignore[RL399] x"))
    assert _on(findings, ROW) == sorted(["RL102", BAD])
    findings = _findings("a.py", "# redline: ignore-file everything\n" + _with_comment("# nosec B"))
    assert _on(findings, ROW + 1) == [BAD]


def test_a_very_long_line_without_a_tree_suppresses_nothing():
    line = b"x = 1  " + b"'#\"#" * (sup.MAX_LEXICAL_LINE // 4) + b"  # nosec\n"
    parsed = sup.parse(SourceFile("notes.txt", "text", line))
    assert not parsed.nosec and [m.problem is not None for m in parsed.markers] == [True]
    short = SourceFile("notes.txt", "text", b"x = 1  # nosec\n")
    assert sup.parse(short).nosec == {0: {"*"}}


def test_a_hostile_line_with_too_many_markers_suppresses_nothing():
    comment = "# " + "redline: ignore[RL102] x " * (sup.MAX_MARKERS_PER_LINE + 1)
    findings = _findings("a.py", _with_comment(comment))
    assert _on(findings, ROW) == sorted(["RL102", BAD])


# ------------------------------------------------------------------ markers inside string literals

STRINGS = [
    # (path, vulnerable text, row of the finding, the line with a marker in a string, same with a real comment)
    ("a.py", PY, ROW, "    os.system('ls ' + cmd); s = '# nosec'", "    os.system('ls ' + cmd); s = 1  # nosec"),
    ("a.py", PY, ROW, "    os.system('ls # redline: ignore[RL102] x ' + cmd)",
     "    os.system('ls ' + cmd)  # redline: ignore[RL102] x"),
    ("a.js", "function f(req) {\n  eval(req.query.code);\n}\n", 1,
     "  eval(req.query.code); const s = \"// redline: ignore[RL103] x\";",
     "  eval(req.query.code); // redline: ignore[RL103] x"),
    ("a.js", "function f(req) {\n  eval(req.query.code);\n}\n", 1,
     "  eval(req.query.code); const s = `/* nosec */`;", "  eval(req.query.code); /* nosec */"),
    ("a.go",
     'package main\nimport (\n\t"net/http"\n\t"os/exec"\n)\nfunc h(w http.ResponseWriter, r *http.Request) {\n'
     '\texec.Command("sh", "-c", r.URL.Query().Get("c")).Run()\n}\n', 6,
     '\texec.Command("sh", "-c", r.URL.Query().Get("c")).Run(); _ = "// nosec"',
     '\texec.Command("sh", "-c", r.URL.Query().Get("c")).Run() // nosec'),
    ("a.go",
     'package main\nimport (\n\t"net/http"\n\t"os/exec"\n)\nfunc h(w http.ResponseWriter, r *http.Request) {\n'
     '\texec.Command("sh", "-c", r.URL.Query().Get("c")).Run()\n}\n', 6,
     '\texec.Command("sh", "-c", r.URL.Query().Get("c")).Run(); _ = `// redline: ignore[RL102] x`',
     '\texec.Command("sh", "-c", r.URL.Query().Get("c")).Run() // redline: ignore[RL102] x'),
    ("A.java",
     'class A {\n  void f(javax.servlet.http.HttpServletRequest request) throws Exception {\n'
     '    Runtime.getRuntime().exec(request.getParameter("c"));\n  }\n}\n', 2,
     '    Runtime.getRuntime().exec(request.getParameter("c")); String s = "// redline: ignore[RL102] x";',
     '    Runtime.getRuntime().exec(request.getParameter("c")); // redline: ignore[RL102] x'),
    ("A.java",
     'class A {\n  void f(javax.servlet.http.HttpServletRequest request) throws Exception {\n'
     '    Runtime.getRuntime().exec(request.getParameter("c"));\n  }\n}\n', 2,
     '    Runtime.getRuntime().exec(request.getParameter("c") + "/* nosec */");',
     '    Runtime.getRuntime().exec(request.getParameter("c")); /* nosec */'),
    ("pod.yaml",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n"
     "      image: app:1.0\n      securityContext: {privileged: true}\n", 8,
     '      securityContext: {privileged: true, note: "# nosec"}',
     "      securityContext: {privileged: true}  # nosec"),
    ("Dockerfile", "FROM python:3.12\nRUN curl -sSL https://example.com/install.sh | sh\nUSER app\n", 1,
     'RUN echo "# nosec" && curl -sSL https://example.com/install.sh | sh',
     "RUN curl -sSL https://example.com/install.sh | sh  # nosec"),
    ("Dockerfile", "FROM python:3.12\nRUN curl -sSL https://example.com/install.sh | sh\nUSER app\n", 1,
     "RUN curl -sSL 'https://example.com/install.sh#redline: ignore[RL533] x' | sh",
     "RUN curl -sSL https://example.com/install.sh | sh # redline: ignore[RL533] x"),
]


@pytest.mark.parametrize("path,text,row,in_string,in_comment", STRINGS, ids=lambda v: v if isinstance(v, str) and "." in v[:8] else None)
def test_a_marker_inside_a_string_is_not_a_marker(path, text, row, in_string, in_comment):
    lines = text.split("\n")
    (code,) = {f.code for f in _findings(path, text) if f.span.start_line == row}
    lines[row] = in_string
    findings = _findings(path, "\n".join(lines))
    assert _on(findings, row) == [code], "a marker in a string must not suppress (nor be reported)"
    lines[row] = in_comment
    assert _on(_findings(path, "\n".join(lines)), row) == [], "the same marker in a real comment suppresses"


def test_markers_in_multiline_strings_and_error_recovered_comments_do_not_count():
    text = 's = """\n# redline: ignore-file[RL102] inside a string\n"""\n' + PY
    assert _on(_findings("a.py", text), 3 + ROW) == ["RL102"]
    text = 'q = """\n# redline: ignore[RL102] x\n"""\n' + PY.replace("    os.system", '    """\n    # nosec\n    """\n    os.system')
    assert "RL102" in [f.code for f in _findings("a.py", text)]
    # tree-sitter-dockerfile recovers `ENV A="# ..."` as an ERROR holding a "comment" (that runs to
    # the end of the file): the quote before it says it is a string
    docker = 'FROM python:3.12\nENV NOTE="# redline: ignore-file[RL533] x"\nRUN curl -sSL https://e.com/i.sh | sh\n'
    file = pipeline.make_source("Dockerfile", docker.encode())
    assert "(ERROR" in str(file.tree.root_node) and sup.parse(file).markers == []
    file = pipeline.make_source("Dockerfile", docker.replace('NOTE="#', "NOTE=1 #").encode())
    assert [m.kind for m in sup.parse(file).markers] == ["ignore-file"]


@pytest.mark.parametrize(
    "language,line,counts",
    [
        ("python", 'os.system(c); s = "# nosec"', False),
        ("python", "os.system(c)  # nosec", True),
        ("python", "s = 'a\\' # nosec'", False),
        ("python", "s = 'it''s'  # nosec", True),
        ("javascript", 'eval(c); s = "// nosec";', False),
        ("javascript", "eval(c); s = `/* nosec */`;", False),
        ("javascript", "eval(c); /* a */ x = '/* nosec */';", False),
        ("javascript", "eval(c); /* nosec */", True),
        ("javascript", "eval(c); // nosec", True),
        ("go", "x := `// nosec`", False),
        ("yaml", 'a: "# nosec"', False),
        ("yaml", "a: b # nosec", True),
        ("dockerfile", 'RUN echo "# nosec"', False),
        ("dockerfile", "RUN echo a # nosec", True),
        ("bash", "echo a#nosec", False),
        ("text", "see http://host/#nosec", False),
        ("text", 'x = "// nosec"', False),
        ("text", "x = 1 // nosec", True),
        ("xml", '<a href="x">nosec</a>', False),
        ("xml", "<a/> <!-- nosec -->", True),
    ],
)
def test_without_a_tree_the_marker_must_follow_a_comment_token_outside_quotes(language, line, counts):
    """The lexical check used where the file has no tree (languages without a grammar, or the
    language server while a reparse is pending)."""
    file = SourceFile(path="f", language=language, text=(line + "\n").encode())
    assert file.tree is None
    assert bool(sup.parse(file).nosec) is counts


def _finding(file: SourceFile, row: int):
    from redline.findings import Confidence, Finding, Severity, Span

    span = file.line_span(row)
    return Finding("RL101", "sql-injection", "m", Severity.ERROR, Confidence.HIGH, (89,),
                   Span(span.start_byte, span.end_byte, span.start_point, span.end_point))


def test_the_quick_fix_extends_only_a_real_well_formed_marker():
    # in a string: a comment is added rather than editing the string
    f = pipeline.make_source("a.py", b"cur.execute(q, '# redline: ignore[RL102] x')\n")
    edit = lsp_suppress.line_suppression(f, _finding(f, 0))
    assert edit.new_text == "  # redline: ignore[RL101] <reason>"
    # a real marker: the code is added to its list
    f = pipeline.make_source("a.py", b"cur.execute(q)  # redline: ignore[RL102] x\n")
    edit = lsp_suppress.line_suppression(f, _finding(f, 0))
    assert f.text[: edit.start] + edit.new_text.encode() + f.text[edit.end :] == (
        b"cur.execute(q)  # redline: ignore[RL102, RL101] x\n"
    )
    # ignore-file inside a string is not extended either
    f = pipeline.make_source("a.py", b"s = '# redline: ignore-file[RL102] x'\n")
    edit = lsp_suppress.file_suppression(f, "RL101")
    assert edit.start == 0 and edit.new_text == "# redline: ignore-file[RL101] <reason>\n"


# ------------------------------------------------------------------ the language server's marker flag


URI = "file:///w/a.py"
BIG = "import os\n\n\ndef run(c):\n    os.system('ls ' + c)\n\n\n" + "".join(
    f"def f{n}(c):\n    x = {n}\n    return x + c\n\n\n" for n in range(300)
)
END = len("    os.system('ls ' + c)")


def _codes(sink, row=4):
    return sorted(d["code"] for d in sink.published[-1][2] if d["range"]["start"]["line"] == row)


@pytest.mark.parametrize("give_up", [False, True], ids=["parsed", "reparse-deferred"])
def test_typing_a_malformed_marker_reports_it_and_fixing_it_suppresses(monkeypatch, give_up):
    """Through the session, as keystrokes arrive: the per-document marker flag must see a marker
    appear and disappear (with the reparse deferred, the lexical check stands in for the tree)."""
    if give_up:
        monkeypatch.setattr(session_mod, "reparse_budget", lambda lines: 0.0)
    sink = RecordingSink()
    s = session_mod.Session(sink)
    s.configure(ServerSettings())
    s.open(URI, "python", 1, BIG)
    assert not s.document(URI).markers and _codes(sink) == ["RL102"]
    s.change(URI, 2, [Change(((4, END), (4, END)), "  # redline: ignore[")])
    assert s.document(URI).markers and _codes(sink) == sorted(["RL102", BAD])
    s.change(URI, 3, [Change(((4, END + 20), (4, END + 20)), "RL102] constant")])
    assert _codes(sink) == []
    s.change(URI, 4, [Change(((4, END), (4, END + 34)), "")])  # remove the comment
    assert not s.document(URI).markers
    if give_up:
        # lsp/analysis.carry moves the published findings of a marker-free text as they are, so
        # the finding the removed comment hid comes back at the pause, when the tree settles
        s.settle(URI, 4)
    assert _codes(sink) == ["RL102"]
    s.change(URI, 5, [Change(((4, END), (4, END)), "; s = '# nosec'")])
    assert s.document(URI).markers and _codes(sink) == ["RL102"]
    if give_up:
        s.settle(URI, 5)
        assert _codes(sink) == ["RL102"]


def test_no_suppress_action_is_offered_for_the_malformed_marker_warning():
    file = pipeline.make_source("a.py", _with_comment("# redline: ignore[").encode())
    (warning,) = [f for f in _findings("a.py", file.text.decode()) if f.code == BAD]
    assert lsp_suppress.line_suppression(file, warning) is None
    assert lsp_suppress.file_suppression(file, BAD) is None
    assert lsp_suppress.file_suppression(file, "RL102") is not None
