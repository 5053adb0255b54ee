"""Configuration: keys in any spelling, bad keys and values named with file and key, discovery."""

from pathlib import Path

import pytest

from redline import config as cfg
from redline.config import Config, Problem, discover, find_config_file, from_mapping, load_file
from redline.findings import Confidence, Severity

KNOWN = {"RL101", "RL102", "RL103", "sql-injection", "command-injection", "code-injection"}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def test_defaults():
    c = Config()
    assert c.select == () and c.ignore == () and c.exclude == ()
    assert c.online is False
    assert c.max_file_size == 2_000_000
    assert c.engine_enabled("bandit", default=False) is False
    assert c.engine_enabled("redline") is True


def test_every_key_applies():
    data = {
        "select": ["RL1"],
        "ignore": ["RL103"],
        "exclude": ["tests/fixtures/", "*.min.js"],
        "severity": {"RL101": "warning"},
        "engines": {"bandit": True, "detect-secrets": False},
        "online": True,
        "application": False,
        "min-severity": "warning",
        "min-confidence": "medium",
        "max-file-size": 1234,
        "advisory-url": "https://osv.example.org/",
        "pypi-url": "file:///srv/pypi",
        "npm-url": "https://npm.example.org",
    }
    c, problems = from_mapping(data, "redline.toml", known_rules=KNOWN)
    assert problems == []
    assert c.select == ("RL1",) and c.ignore == ("RL103",)
    assert c.exclude == ("tests/fixtures/", "*.min.js")
    assert c.severity_for("RL101", "sql-injection", Severity.ERROR) is Severity.WARNING
    assert c.severity_for("RL102", "command-injection", Severity.ERROR) is Severity.ERROR
    assert c.engine_enabled("bandit", default=False) is True
    assert c.engine_enabled("detect-secrets", default=True) is False
    assert c.online is True and c.application is False
    assert c.min_severity is Severity.WARNING and c.min_confidence is Confidence.MEDIUM
    assert c.max_file_size == 1234
    assert c.advisory_url == "https://osv.example.org"  # trailing slash dropped
    assert c.pypi_url == "file:///srv/pypi"
    assert c.source == "redline.toml"


@pytest.mark.parametrize("key", ["max-file-size", "max_file_size", "maxFileSize", "MaxFileSize"])
def test_key_spellings(key):
    c, problems = from_mapping({key: 10}, "f.toml")
    assert problems == []
    assert c.max_file_size == 10


@pytest.mark.parametrize("key", ["minSeverity", "min_severity", "min-severity"])
def test_key_spellings_enum(key):
    c, problems = from_mapping({key: "error"}, "f.toml")
    assert problems == [] and c.min_severity is Severity.ERROR


def test_engine_names_in_any_spelling():
    c, problems = from_mapping({"engines": {"detectSecrets": False, "detect_secrets": False}}, "f.toml")
    assert problems == []
    assert c.engine_enabled("detect-secrets") is False


def test_comma_separated_string_lists():
    c, problems = from_mapping({"select": "RL101, RL102", "ignore": "RL103"}, "f.toml", known_rules=KNOWN)
    assert problems == []
    assert c.select == ("RL101", "RL102") and c.ignore == ("RL103",)


def test_unknown_key_is_reported_and_the_rest_applies():
    c, problems = from_mapping({"selct": ["RL101"], "online": True}, "redline.toml")
    assert [(p.file, p.key) for p in problems] == [("redline.toml", "selct")]
    assert "unknown key" in problems[0].message
    assert c.online is True


@pytest.mark.parametrize(
    "data,key,fragment",
    [
        ({"select": 3}, "select", "list of strings"),
        ({"exclude": ["a", 1]}, "exclude", "list of strings"),
        ({"severity": "warning"}, "severity", "table"),
        ({"severity": {"RL101": "loud"}}, "severity.RL101", "unknown severity"),
        ({"engines": ["bandit"]}, "engines", "table"),
        ({"engines": {"semgrep": True}}, "engines.semgrep", "unknown engine"),
        ({"engines": {"bandit": "yes"}}, "engines.bandit", "true or false"),
        ({"online": "yes"}, "online", "true or false"),
        ({"min-severity": "critical"}, "min-severity", "unknown severity"),
        ({"min-confidence": "sure"}, "min-confidence", "unknown confidence"),
        ({"max-file-size": -1}, "max-file-size", "positive"),
        ({"max-file-size": True}, "max-file-size", "positive"),
        ({"max-file-size": "2MB"}, "max-file-size", "positive"),
        ({"advisory-url": "ftp://mirror"}, "advisory-url", "URL"),
    ],
)
def test_bad_values_name_the_key_and_keep_the_default(data, key, fragment):
    c, problems = from_mapping(data, "pyproject.toml", known_rules=KNOWN)
    assert len(problems) == 1, problems
    p = problems[0]
    assert p.file == "pyproject.toml" and p.key == key
    assert fragment in p.message
    default = Config()
    assert c.max_file_size == default.max_file_size and c.online == default.online
    assert c.min_severity == default.min_severity


def test_bad_value_keeps_good_siblings():
    c, problems = from_mapping({"severity": {"RL101": "loud", "RL102": "info"}}, "f.toml", known_rules=KNOWN)
    assert [p.key for p in problems] == ["severity.RL101"]
    assert c.severity_for("RL102", "command-injection", Severity.ERROR) is Severity.INFO
    assert c.severity_for("RL101", "sql-injection", Severity.ERROR) is Severity.ERROR


def test_unknown_rules_in_selectors_are_dropped_with_a_problem():
    c, problems = from_mapping({"select": ["RL101", "RL999", "sql-injection", "RL1"]}, "f.toml", known_rules=KNOWN)
    assert [p.key for p in problems] == ["select"]
    assert "RL999" in problems[0].message
    assert c.select == ("RL101", "sql-injection", "RL1")


def test_non_table_configuration():
    c, problems = from_mapping(["select"], "f.toml")
    assert problems and problems[0].file == "f.toml"
    assert c == Config()


def test_problem_text_names_file_line_and_key():
    assert str(Problem("redline.toml", "select", "expected a list", 2)) == "redline.toml:3: select: expected a list"
    assert str(Problem("redline.toml", "select", "expected a list")) == "redline.toml: select: expected a list"


def test_load_file_reports_the_line_of_a_bad_key(tmp_path):
    p = _write(tmp_path / "redline.toml", '# settings\nonline = false\nmax-file-size = "big"\n')
    c, problems = load_file(p)
    assert [(p_.key, p_.line) for p_ in problems] == [("max-file-size", 2)]
    assert str(p) in str(problems[0])


def test_pyproject_tool_redline_table(tmp_path):
    p = _write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.ruff]\nselect = ["E"]\n\n[tool.redline]\nselect = ["RL101"]\nbogus = 1\n',
    )
    c, problems = load_file(p, known_rules=KNOWN)
    assert c.select == ("RL101",)
    assert [pr.key for pr in problems] == ["bogus"]
    assert problems[0].line == 8


def test_pyproject_line_numbers_come_from_the_redline_table(tmp_path):
    # [tool.ruff] also has a `select` key above ours: the problem must point at ours.
    p = _write(
        tmp_path / "pyproject.toml",
        '[tool.ruff]\nselect = ["E"]\n\n[tool.redline]\nselect = 3\n',
    )
    _c, problems = load_file(p)
    assert [(pr.key, pr.line) for pr in problems] == [("select", 4)]


def test_pyproject_with_odd_tool_values_does_not_crash(tmp_path):
    p = _write(tmp_path / "pyproject.toml", "tool = 3\n")
    assert find_config_file(tmp_path) is None  # no [tool.redline]: not a Redline config
    c, problems = load_file(p)
    assert problems == [] and c.select == ()
    _write(p, "[tool]\nredline = 3\n")
    assert find_config_file(tmp_path) == p
    c, problems = load_file(p)
    assert [pr.key for pr in problems] == ["-"] and "table" in problems[0].message


def test_unreadable_and_invalid_toml(tmp_path):
    bad = _write(tmp_path / "redline.toml", "select = [\n")
    c, problems = load_file(bad)
    assert c == Config()
    assert problems[0].key == "-" and "not valid TOML" in problems[0].message
    missing = tmp_path / "nope.toml"
    c, problems = load_file(missing)
    assert problems[0].key == "-" and "cannot read" in problems[0].message


def test_discovery_order_and_walk_up(tmp_path):
    root = tmp_path / "project"
    sub = root / "src" / "pkg"
    sub.mkdir(parents=True)
    _write(root / "pyproject.toml", '[tool.redline]\nonline = true\n')
    c, problems, found = discover(sub)
    assert found == root / "pyproject.toml" and c.online is True and problems == []
    _write(root / ".redline.toml", "max-file-size = 7\n")
    c, _p, found = discover(sub / "mod.py")
    assert found == root / ".redline.toml" and c.max_file_size == 7 and c.online is False
    _write(root / "redline.toml", "max-file-size = 9\n")
    c, _p, found = discover(sub)
    assert found == root / "redline.toml" and c.max_file_size == 9


def test_pyproject_without_redline_table_is_not_a_config(tmp_path):
    outer = tmp_path / "outer"
    inner = outer / "inner"
    _write(outer / "redline.toml", "online = true\n")
    _write(inner / "pyproject.toml", '[project]\nname = "inner"\n')
    assert find_config_file(inner) is None
    c, _p, found = discover(inner)
    assert found == outer / "redline.toml" and c.online is True


def test_broken_pyproject_is_reported_rather_than_skipped(tmp_path):
    _write(tmp_path / "pyproject.toml", "[tool.redline\n")
    assert find_config_file(tmp_path) == tmp_path / "pyproject.toml"
    _c, problems, _found = discover(tmp_path)
    assert problems and "not valid TOML" in problems[0].message


def test_no_config_anywhere(tmp_path):
    c, problems, found = discover(tmp_path)
    assert (c, problems, found) == (Config(), [], None)


def test_known_rule_keys_has_codes_and_names():
    keys = cfg.known_rule_keys()
    assert "RL101" in keys and "sql-injection" in keys


def test_subtable_keys_get_their_line(tmp_path):
    p = _write(tmp_path / "pyproject.toml", '[tool.redline]\nonline = false\n\n[tool.redline.severity]\nRL101 = "loud"\n')
    _c, problems = load_file(p, known_rules=KNOWN)
    assert [(pr.key, pr.line) for pr in problems] == [("severity.RL101", 4)]


def test_bandit_ids_are_accepted_as_selectors():
    from redline.config import from_mapping

    cfg, problems = from_mapping({"ignore": ["B608", "RL101", "nope"]}, "redline.toml", known_rules={"RL101", "sql-injection"})
    assert cfg.ignore == ("B608", "RL101")
    assert [p.message for p in problems] == ["unknown rule(s) nope; they are ignored"]
