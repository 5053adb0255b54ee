"""Every rule's `invalid` examples must produce its code and its `valid` examples must not.

An invalid example may pin the line it must flag with a trailing `# <- RLnnn` comment (`// <- RLnnn`
in JavaScript, Go and Java): the rule must then report a finding on each marked line (its span
covers the line), not merely somewhere in the snippet.
"""

import re
from pathlib import PurePath

import pytest

from redline import languages as langs
from redline.config import Config
from redline.pipeline import analyze_text
from redline.rules.registry import default_registry
from redline.secrets.fakes import expand  # {{fake:...}} placeholders: secrets built at test time

EXT = {lang: ext for ext, lang in reversed(list(langs.EXTENSIONS.items()))}
EXT.update({"dockerfile": "Dockerfile", "requirements": "requirements.txt", "gomod": "go.mod", "dotenv": ".env"})


def _path(rule, example) -> str:
    if example.path:
        return example.path
    lang = example.language or rule.languages[0]
    name = EXT.get(lang, ".txt")
    return name if not name.startswith(".") or lang == "dotenv" else f"example{name}"


def _config(rule) -> Config:
    """The default configuration with the rule's own engine on: bandit and detect-secrets are off
    by default (issue 13), and their rules' examples are about what they report when on."""
    return Config(engines=((rule.engine, True),))


MARK = re.compile(r"(?:#|//)\s*<-\s*(RL\d+)\s*$")


def pinned_lines(code: str, rule_code: str) -> list[int]:
    """0-based lines of `code` marked `# <- rule_code`."""
    return [i for i, line in enumerate(code.split("\n")) if (m := MARK.search(line)) and m.group(1) == rule_code]


def _cases(kind):
    for rule in default_registry().rules:
        for i, ex in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, ex, id=f"{rule.code}-{kind}-{i}")


@pytest.mark.parametrize("rule,example", list(_cases("invalid")))
def test_invalid_example_is_flagged(rule, example):
    analysis = analyze_text(_path(rule, example), expand(example.code), _config(rule))
    assert not analysis.errors, analysis.errors
    codes = [f.code for f in analysis.findings]
    assert rule.code in codes, f"{rule.code} did not fire on:\n{example.code}\nfound: {codes}"
    spans = [(f.span.start_line, f.span.end_line) for f in analysis.findings if f.code == rule.code]
    for line in pinned_lines(example.code, rule.code):
        assert any(s <= line <= e for s, e in spans), (
            f"{rule.code} must flag line {line + 1} of:\n{example.code}\nit flagged lines {[s + 1 for s, _ in spans]}")


def test_markers_name_their_rule():
    """A `<- RLnnn` marker in an example names the rule it is listed under (a typo would make
    the pin silently check nothing), and valid examples carry none."""
    for rule in default_registry().rules:
        for ex in rule.invalid:
            marked = [m.group(1) for line in ex.code.split("\n") if (m := MARK.search(line))]
            assert all(c == rule.code for c in marked), (rule.code, ex.code)
        for ex in rule.valid:
            assert not any(MARK.search(line) for line in ex.code.split("\n")), (rule.code, ex.code)


def test_pinned_line_check_can_fail():
    code = "import os\nx = 1  # <- RL102\nos.system('ls ' + path)"
    assert pinned_lines(code, "RL102") == [1]
    spans = [(f.span.start_line, f.span.end_line) for f in analyze_text("example.py", code).findings if f.code == "RL102"]
    assert spans and not any(s <= 1 <= e for s, e in spans)


@pytest.mark.parametrize("rule,example", list(_cases("valid")))
def test_valid_example_is_not_flagged(rule, example):
    analysis = analyze_text(_path(rule, example), expand(example.code), _config(rule))
    assert not analysis.errors, analysis.errors
    hits = [f for f in analysis.findings if f.code == rule.code]
    assert not hits, f"{rule.code} fired on a valid example:\n{example.code}\n{hits[0].message}"


def test_every_language_has_examples():
    for rule in default_registry().rules:
        with_examples = {ex.language for ex in rule.valid} & {ex.language for ex in rule.invalid}
        for lang in rule.languages:
            if rule.engine == "redline":
                assert lang in with_examples or any(
                    ex.language in (None, lang) for ex in rule.invalid
                ), f"{rule.code} has no examples for {lang}"


def test_every_rule_has_examples_cwe_and_docs():
    for rule in default_registry().rules:
        assert rule.valid and rule.invalid, rule.code
        assert rule.cwe and rule.docs and rule.message, rule.code
        assert PurePath(rule.source_file).suffix == ".toml"
