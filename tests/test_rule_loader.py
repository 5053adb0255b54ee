"""The rule loader rejects bad rules with the file, the rule and the reason; the engine isolates
a failing rule; the combined query maps each pattern back to its rule."""

import pytest

from redline.documents.source import SourceFile
from redline.findings import Confidence, Severity
from redline.rules import engine, loader
from redline.rules.predicates import PREDICATES, predicate
from redline.rules.registry import Registry
from redline import languages as langs

GOOD = '''
[[rule]]
code = "RL990"
name = "test-eval"
languages = ["python"]
cwe = [95]
severity = "error"
confidence = "medium"
message = "eval of {arg}: do not."
docs = "Eval."
query = """(call function: (identifier) @f arguments: (argument_list . (_) @arg) (#eq? @f "eval")) @match"""
valid = ["print(1)"]
invalid = ["eval(x)"]
'''


def _load(*texts):
    return loader.load_texts([(f"rules{i}.toml", t) for i, t in enumerate(texts)])


def test_a_good_rule_loads():
    (rule,) = _load(GOOD)
    assert rule.code == "RL990" and rule.severity is Severity.ERROR and rule.confidence is Confidence.MEDIUM
    assert rule.languages == ("python",) and rule.query_for("python")


@pytest.mark.parametrize(
    "change,reason",
    [
        (('code = "RL990"', 'code = "X1"'), "is not RL followed by three digits"),
        (('name = "test-eval"', 'name = "Test_Eval"'), "is not kebab-case"),
        (('languages = ["python"]', 'languages = ["cobol"]'), "unknown language 'cobol'"),
        (("cwe = [95]", "cwe = []"), "'cwe' must be a non-empty list"),
        (('severity = "error"', 'severity = "fatal"'), "unknown severity 'fatal'"),
        (('confidence = "medium"', 'confidence = "sure"'), "unknown confidence 'sure'"),
        (("@match", "@m"), "has no @match capture"),
        (("(call function", "(cal function"), "query does not compile for python"),
        (('valid = ["print(1)"]', "valid = []"), "needs at least one 'valid' and one 'invalid' example"),
        (('docs = "Eval."', 'docs = "Eval."\nfix = "no.such.fix"'), "fix 'no.such.fix' is not registered"),
        (('docs = "Eval."', 'docs = "Eval."\ncolour = "red"'), "unknown keys ['colour']"),
        (('message = "eval of {arg}: do not."\n', ""), "missing 'message'"),
    ],
)
def test_bad_rules_name_file_rule_and_reason(change, reason):
    bad = GOOD.replace(*change)
    assert bad != GOOD
    with pytest.raises(loader.RuleError) as err:
        _load(bad)
    assert err.value.file == "rules0.toml"
    assert reason in err.value.reason, err.value.reason
    assert "rules0.toml: rule " in str(err.value)


def test_invalid_toml_is_reported_with_the_file():
    with pytest.raises(loader.RuleError, match="rules0.toml.*not valid TOML"):
        _load("[[rule]\ncode=")


def test_duplicate_codes_and_names_are_rejected():
    with pytest.raises(loader.RuleError, match="code also used in rules0.toml"):
        _load(GOOD, GOOD)
    with pytest.raises(loader.RuleError, match="name 'test-eval' also used by RL990"):
        _load(GOOD, GOOD.replace("RL990", "RL991"))


FAMILY = '''
[[rule]]
code = "RL980"
name = "family"
languages = []
cwe = [95]
severity = "warning"
confidence = "low"
message = "generic"
docs = "Family."
'''

EXTEND = '''
[[extend]]
code = "RL980"
languages = ["javascript"]
message = "javascript {f}"
confidence = "high"
query = """(call_expression function: (identifier) @f (#eq? @f "eval")) @match"""
valid = ["f(x)"]
invalid = ["eval(x)"]
'''


def test_extend_adds_a_language_with_its_message_and_confidence():
    (rule,) = _load(FAMILY, EXTEND)
    assert rule.languages == ("javascript",)
    assert rule.message_for("javascript") == "javascript {f}"
    assert rule.confidence_for("javascript") is Confidence.HIGH
    assert rule.invalid[0].language == "javascript"


def test_extend_errors():
    with pytest.raises(loader.RuleError, match="no file defines"):
        _load(EXTEND)
    with pytest.raises(loader.RuleError, match="already defined"):
        _load(FAMILY, EXTEND, EXTEND)


def test_a_family_no_language_implements_is_left_out_and_listed():
    assert _load(FAMILY) == []
    assert loader.unimplemented([("f.toml", FAMILY)]) == ["RL980"]
    assert loader.unimplemented([("f.toml", FAMILY), ("e.toml", EXTEND)]) == []


def test_builtin_rules_load():
    rules = loader.load_builtin()
    assert rules and all(r.code.startswith("RL") for r in rules)


def _file(text: str) -> SourceFile:
    return SourceFile("t.py", "python", text.encode(), langs.parse("python", text.encode()))


def test_combined_query_maps_patterns_to_rules():
    two = GOOD + GOOD.replace("RL990", "RL991").replace("test-eval", "test-exec").replace('"eval"', '"exec"')
    registry = Registry(_load(two))
    result = engine.scan(_file("eval(a)\nexec(b)\n"), registry)
    assert [(f.code, f.span.start_line) for f in result.findings] == [("RL990", 0), ("RL991", 1)]
    assert result.findings[0].message == "eval of a: do not."


def test_a_failing_predicate_drops_only_its_rule(caplog):
    @predicate("test.explodes")
    def explodes(ctx):
        raise RuntimeError("boom")

    try:
        broken = GOOD.replace("RL990", "RL992").replace("test-eval", "test-broken").replace(
            'docs = "Eval."', 'docs = "Eval."\npredicate = "test.explodes"'
        )
        registry = Registry(_load(GOOD, broken))
        result = engine.scan(_file("eval(a)\n"), registry)
        assert [f.code for f in result.findings] == ["RL990"]
        assert result.errors == [("RL992", "RuntimeError: boom")]
    finally:
        PREDICATES.pop("test.explodes")


def test_every_builtin_family_is_implemented_for_some_language():
    """A family defined in families.toml but extended by no language file would silently vanish."""
    assert loader.unimplemented() == []
