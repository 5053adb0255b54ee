"""A parse from scratch is bounded: hostile text cannot hold the scan or the editor.

tree-sitter's error recovery is quadratic on some input (a long run of `word: word word` labels
in JavaScript): 72 KB took 8.7 s, 200 KB minutes. Past `languages.parse_budget` the file gets no
tree and the rule engine reports the skip with its reason; the other engines still run.
"""

from __future__ import annotations

import pytest
from liveness import liveness

from redline import languages as langs
from redline import pipeline
from redline.config import from_mapping

HOSTILE = ("pragma: allowlist " * 40_000).encode()  # 720 KB: minutes without the budget


def test_hostile_text_gets_no_tree_within_the_budget():
    with liveness(60):
        assert langs.parse("javascript", HOSTILE) is None


def test_the_rule_engine_reports_the_skip_and_other_engines_still_run():
    secret_line = b"const token = 'ghp_" + b"A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" + b"';\n"
    # One long line reads as minified (role `generated`, not scanned): scan it as source here.
    config, problems = from_mapping({"roles": {"bundle.js": "production"}}, "test")
    assert problems == []
    with liveness(60):
        analysis = pipeline.analyze_text("bundle.js", secret_line + HOSTILE, config, slow=False)
    assert ("redline", langs.PARSE_GAVE_UP) in analysis.errors
    assert any(f.code.startswith("RL20") and f.span.start_line == 0 for f in analysis.findings)


@pytest.mark.parametrize("language,path,text", [
    ("python", "a.py", b"import subprocess\nsubprocess.call(cmd, shell=True)\n" * 2000),
    ("javascript", "a.js", b"const x = require('child_process');\nx.exec(cmd);\n" * 2000),
])
def test_ordinary_code_parses_to_the_same_tree_as_before(language, path, text):
    tree = langs.parse(language, text)
    plain = langs.parser(language).parse(text)
    assert tree is not None and str(tree.root_node) == str(plain.root_node)
    assert tree.root_node.children[0].text == plain.root_node.children[0].text


def test_the_budget_grows_with_the_size():
    assert langs.parse_budget(0) == langs.PARSE_BUDGET_S
    assert langs.parse_budget(2_000_000) == pytest.approx(langs.PARSE_BUDGET_S + 2 * langs.PARSE_BUDGET_PER_MB_S)
