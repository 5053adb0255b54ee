"""Issue 12: deeply nested and badly broken code must not hang the tree-sitter engine.

Matches start at most `MAX_START_DEPTH` levels deep (tree-sitter's query cursor did not finish
on a tree 100 000 levels deep, and predicates walk up from a match); a deeper tree is reported
as partly skipped, and the code above that depth is still checked. A broken tree with thousands
of unclosed brackets (on which every query is quadratic) is not queried, with a reason.
"""

from __future__ import annotations


import pytest
from liveness import liveness

from redline import pipeline
from redline.config import Config
from redline.rules import engine as rule_engine

LIVENESS_S = 120  # generous: each case takes about a second here


def alarm(seconds: int = LIVENESS_S):
    return liveness(seconds)


def _reasons(analysis) -> list[str]:
    return [error for name, error in analysis.errors if name == "redline"]


N = 300  # more than MAX_START_DEPTH levels, cheap to parse
# A finding near the top (which must still be reported) and a deeply nested expression.
DEEP = {
    "app.py": "eval(input())\nx = " + "(" * N + "1" + ")" * N + "\n",
    "app.js": "eval(location.hash);\nvar x = " + "[" * N + "1" + "]" * N + ";\n",
    "main.go": 'package main\nimport ("os"; "os/exec")\nfunc f() { exec.Command("sh", "-c", os.Args[1]).Run() }\n'
    "var x = " + "(" * N + "1" + ")" * N + "\n",
    "A.java": "class A { void f(String c) throws Exception { Runtime.getRuntime().exec(c); }\n int x = "
    + "(" * N + "1" + ")" * N + "; }\n",
    "ci.yaml": "a: " + "[" * N + "]" * N + "\n",
}
EXPECTED = {"app.py": "RL103", "app.js": "RL103", "main.go": "RL102", "A.java": "RL102", "ci.yaml": None}


@pytest.mark.parametrize("path", sorted(DEEP))
def test_deep_nesting_is_reported_and_the_rest_is_checked(path):
    with alarm():
        analysis = pipeline.analyze_text(path, DEEP[path], Config(), slow=False)
    assert any("nested more than 256 levels deep is not checked" in r for r in _reasons(analysis)), analysis.errors
    codes = [f.code for f in analysis.findings]
    if EXPECTED[path]:
        assert EXPECTED[path] in codes


def test_shallow_files_report_nothing_skipped():
    analysis = pipeline.analyze_text("app.py", "eval(input())\nx = " + "(" * 20 + "1" + ")" * 20 + "\n", slow=False)
    assert not _reasons(analysis) and [f.code for f in analysis.findings] == ["RL103"]


def test_a_hundred_thousand_levels_deep_expression_does_not_hang():
    # `1+1+...+1`: a left-nested binary expression 100 000 levels deep. tree-sitter's query
    # cursor took minutes on it (beyond 65 535 levels) before matches had a start depth.
    text = "eval(input())\nx = " + "+".join(["1"] * 100_000) + "\n"
    with alarm():
        analysis = pipeline.analyze_text("deep.py", text, Config(), slow=False)
    assert any("nested more than 256 levels" in r for r in _reasons(analysis))
    assert [f.code for f in analysis.findings] == ["RL103"]


@pytest.mark.parametrize(
    "path,prefix",
    [
        ("open.py", ""),
        ("open.js", ""),
        ("open.go", "package main\nfunc f() {\n"),
        ("Open.java", "class A { void f() {\n"),
    ],
)
def test_thousands_of_unclosed_brackets_are_not_queried(path, prefix):
    # 100 000 lines of `(`: error recovery builds a tree on which every query was quadratic
    # (80 s for 200 000 lines).
    text = prefix + "(\n" * 100_000
    with alarm():
        analysis = pipeline.analyze_text(path, text, Config(), slow=False)
    reasons = _reasons(analysis)
    assert reasons and "100000 unclosed '(' brackets" in reasons[0] and reasons[0].startswith("skipped: ")


def test_a_few_unclosed_brackets_are_queried_as_usual():
    text = "eval(input())\n" + "(\n" * 50
    analysis = pipeline.analyze_text("app.py", text, Config(), slow=False)
    assert not _reasons(analysis) and "RL103" in [f.code for f in analysis.findings]


def test_deep_json_does_not_hang():
    text = "[" * 200_000 + "]" * 200_000 + "\n"
    with alarm():
        analysis = pipeline.analyze_text("data.json", text, Config(), slow=False)
    assert analysis.skipped is None and not _reasons(analysis)


def test_rescan_of_a_deep_file_reports_the_skip_again():
    file = pipeline.make_source("app.py", DEEP["app.py"].encode())
    registry = __import__("redline.rules.registry", fromlist=["default_registry"]).default_registry()
    result = rule_engine.scan(file, registry)
    assert any(name == "redline" and "nested" in e for name, e in result.errors)
    # A rescan with no edit reuses nothing from a partial result: it scans in full again.
    again = rule_engine.rescan(file, registry, result.findings, [], [(0, len(file.text))])
    assert any(name == "redline" and "nested" in e for name, e in again.errors)


def test_predicates_on_a_very_long_expression_stop_at_their_budget_and_keep_what_they_found():
    # 2 000 `eval(a)` terms in one expression: the predicates walk the expression from each
    # match (minutes in all). They stop after their CPU budget, with a reason, and the findings
    # made so far are kept (rather than the whole engine being stopped by `time-limit`).
    text = "x = " + "+".join(["eval(a)"] * 2000) + ";\n"
    with alarm():
        # one 16 KB line reads as minified (role generated, not scanned): scan it as source
        config = Config(time_limit=0, role_overrides=(("*.js", "production"),))
        analysis = pipeline.analyze_text("long.js", text, config, slow=False)
    assert any("the rules stopped after" in r for r in _reasons(analysis)), analysis.errors
    assert "RL103" in [f.code for f in analysis.findings]
