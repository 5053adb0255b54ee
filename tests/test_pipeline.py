"""De-duplication, configuration filters and the whole-file pipeline."""

from redline.config import Config
from redline.findings import Confidence, Finding, Severity, Span
from redline.pipeline import apply_config, deduplicate
from redline.rules.registry import default_registry


def _f(code, cwe, start=0, row=0, engine="redline", conf=Confidence.MEDIUM, props=()):
    rule = default_registry().by_code.get(code)
    return Finding(code, rule.name if rule else code.lower(), "m", Severity.WARNING, conf, cwe,
                   Span(start, start + 3, (row, start), (row, start + 3)), engine, properties=props)


def test_same_line_same_cwe_keeps_redline_over_an_imported_engine():
    ours, theirs = _f("RL101", (89,)), _f("RL901", (89,), engine="bandit", conf=Confidence.HIGH)
    assert deduplicate([theirs, ours], default_registry()) == [ours]


def test_same_line_different_cwe_keeps_both_and_other_lines_are_independent():
    a, b, c = _f("RL101", (89,)), _f("RL102", (78,), start=5), _f("RL901", (89,), row=1, engine="bandit")
    assert set(deduplicate([a, b, c], default_registry())) == {a, b, c}


def test_more_confident_finding_of_the_same_cwe_wins():
    low, high = _f("RL106", (918,), conf=Confidence.LOW), _f("RL111", (918,), start=4, conf=Confidence.HIGH)
    assert deduplicate([low, high], default_registry()) == [high]


def test_bandit_finding_covered_by_a_redline_rule_on_the_line_is_dropped():
    registry = default_registry()
    rl101 = registry.by_code["RL101"]
    assert rl101.bandit, "RL101 declares the bandit ids it covers"
    ours = _f("RL101", (89,))
    theirs = _f("RL901", (20,), engine="bandit", props=(("bandit_id", rl101.bandit[0]),))
    assert deduplicate([theirs, ours], registry) == [ours]


def test_many_findings_of_one_rule_on_one_line_are_all_kept_and_it_stays_linear():
    many = [_f("RL401", (1395,), start=i * 4) for i in range(20000)]
    assert len(deduplicate(many, default_registry())) == 20000


def test_apply_config_select_ignore_severity_and_thresholds():
    reg = default_registry()
    a, b = _f("RL101", (89,)), _f("RL301", (328,))
    assert apply_config([a, b], Config(select=("RL1",)), reg) == [a]
    assert apply_config([a, b], Config(ignore=("weak-hash",)), reg) == [a]
    (raised,) = apply_config([a], Config(severity=(("RL101", Severity.ERROR),)), reg)
    assert raised.severity is Severity.ERROR
    assert apply_config([a], Config(min_severity=Severity.ERROR), reg) == []
    assert apply_config([a], Config(min_confidence=Confidence.HIGH), reg) == []
