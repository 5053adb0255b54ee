"""Every valid/invalid example of the JavaScript/TypeScript, Go and Java rules, run against a
registry of only those rule files (tests/test_rule_examples.py runs all areas together)."""

import pytest

from support_jsgojava import EXT, registry, scan

LANGS = {"javascript", "typescript", "tsx", "go", "java"}


def _rules():
    """The rules the tree-sitter engine runs (families.toml also holds RL399, which the
    suppression pass reports: tests/test_rule_examples.py runs its examples through the pipeline)."""
    return [r for r in registry().rules if r.engine == "redline"]


def _cases(kind):
    for rule in _rules():
        for i, ex in enumerate(getattr(rule, kind)):
            if ex.language in LANGS:
                yield pytest.param(rule, ex, id=f"{rule.code}-{ex.language}-{kind}-{i}")


def _path(ex):
    return ex.path or EXT[ex.language]


@pytest.mark.parametrize("rule,example", list(_cases("invalid")))
def test_invalid_example_is_flagged(rule, example):
    found = [f.code for f in scan(_path(example), example.code)]
    assert rule.code in found, f"{rule.code} did not fire on:\n{example.code}\nfound: {found}"


@pytest.mark.parametrize("rule,example", list(_cases("valid")))
def test_valid_example_is_not_flagged(rule, example):
    hits = [f for f in scan(_path(example), example.code) if f.code == rule.code]
    assert not hits, f"{rule.code} fired on a valid example:\n{example.code}\n{hits[0].message}"


def test_each_language_of_each_rule_has_both_kinds_of_examples():
    for rule in _rules():
        for lang in set(rule.languages) & LANGS:
            assert any(ex.language == lang for ex in rule.valid), (rule.code, lang)
            assert any(ex.language == lang for ex in rule.invalid), (rule.code, lang)


def test_messages_format_with_the_documented_placeholders():
    # A literal brace in a message must be doubled, or formatting the finding fails.
    for rule in registry().rules:
        for lang in set(rule.languages) & LANGS:
            rule.message_for(lang).format_map({k: "x" for k in ("how", "sink", "fn", "what", "algo", "bits", "missing", "risk", "why")})
