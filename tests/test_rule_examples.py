"""Every rule's `invalid` examples must produce its code and its `valid` examples must not."""

from pathlib import PurePath

import pytest

from redline import languages as langs
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


def _cases(kind):
    for rule in default_registry().rules:
        for i, ex in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, ex, id=f"{rule.code}-{kind}-{i}")


@pytest.mark.parametrize("rule,example", list(_cases("invalid")))
def test_invalid_example_is_flagged(rule, example):
    analysis = analyze_text(_path(rule, example), expand(example.code))
    assert not analysis.errors, analysis.errors
    codes = [f.code for f in analysis.findings]
    assert rule.code in codes, f"{rule.code} did not fire on:\n{example.code}\nfound: {codes}"


@pytest.mark.parametrize("rule,example", list(_cases("valid")))
def test_valid_example_is_not_flagged(rule, example):
    analysis = analyze_text(_path(rule, example), expand(example.code))
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
