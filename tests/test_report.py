"""Report writers: positions, carets, secret masking, JSON shape, SARIF against the 2.1.0 schema."""

import json
from pathlib import Path

import jsonschema
import pytest

from redline.config import Problem
from redline.documents.source import SourceFile
from redline.files import SkipKind, Skipped
from redline.findings import Confidence, Finding, Fix, Related, Severity, TextEdit
from redline.report import baseline
from redline.report import json as json_report
from redline.report import sarif
from redline.report import text as text_report
from redline.report.results import ScanResult, display_width, file_result, mask_line
from redline.rules.model import Example, Rule

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
FAKE_KEY = "AKIA" + "Q7WZ" * 4  # shaped like an AWS key id, built at run time


def _source(text: str, path: str = "/w/app.py", language: str = "python") -> SourceFile:
    return SourceFile(path=path, language=language, text=text.encode())


def _finding(src: SourceFile, needle: str, code="RL101", name="sql-injection", nth=0, **kw) -> Finding:
    data = src.text
    start = -1
    for _ in range(nth + 1):
        start = data.index(needle.encode(), start + 1)
    end = start + len(needle.encode())
    defaults = dict(
        code=code,
        name=name,
        message=kw.pop("message", f"{name} here"),
        severity=kw.pop("severity", Severity.ERROR),
        confidence=Confidence.HIGH,
        cwe=kw.pop("cwe", (89,)),
        span=src.span(start, end),
        fingerprint=kw.pop("fingerprint", f"fp-{code}-{start}"),
    )
    defaults.update(kw)
    return Finding(**defaults)


def _rule(code="RL101", name="sql-injection", severity=Severity.ERROR, cwe=(89,)) -> Rule:
    return Rule(
        code=code,
        name=name,
        languages=("python",),
        message="m",
        cwe=cwe,
        severity=severity,
        confidence=Confidence.MEDIUM,
        docs="What it is.\n\nWhy and how to fix it.",
        valid=(Example("x"),),
        invalid=(Example("y"),),
    )


class _Registry:
    def __init__(self, rules):
        self.rules = rules


def _result(*files, skipped=(), problems=(), root="/w") -> ScanResult:
    return ScanResult(root, list(files), list(skipped), list(problems))


# ---------------------------------------------------------------- positions and text


def test_columns_in_characters_and_utf16_units():
    src = _source("x = '\U0001f600é中' + q\n")
    f = _finding(src, "q")
    fr = file_result("app.py", src, [f], [], 1)
    pos = fr.findings[0].position
    assert (pos.line, pos.column, pos.end_column) == (1, 13, 14)  # characters
    assert (pos.column_utf16, pos.end_column_utf16) == (14, 15)  # the emoji is 2 UTF-16 units
    assert f.span.start_point == (0, 18)  # the three characters take 4 + 2 + 3 bytes


def test_text_output_reads_like_a_compiler():
    src = _source("import os\n\ndef f(q):\n    cur.execute(q)\n")
    fr = file_result("pkg/app.py", src, [_finding(src, "cur.execute(q)")], [], 4)
    out = text_report.render(_result(fr))
    lines = out.splitlines()
    assert lines[0] == "pkg/app.py:4:5: RL101 [error] sql-injection here"
    assert lines[1] == "  4 |     cur.execute(q)"
    assert lines[2] == "    |     ^^^^^^^^^^^^^^"


def test_caret_keeps_tabs_and_counts_wide_characters_twice():
    src = _source("\tx = '中文' + q\n")
    fr = file_result("a.py", src, [_finding(src, "q")], [], 1)
    out = text_report.render(_result(fr)).splitlines()
    source_line, caret_line = out[1], out[2]
    assert caret_line.endswith("| \t" + " " * (5 + 4 + 4) + "^")
    assert display_width("中文") == 4
    assert "\t" in source_line


def test_multiline_finding_is_underlined_to_the_end_of_its_first_line():
    src = _source("cur.execute(\n    q,\n)\n")
    fr = file_result("a.py", src, [_finding(src, "cur.execute(\n    q,\n)")], [], 3)
    out = text_report.render(_result(fr)).splitlines()
    assert out[2].endswith("| " + "^" * len("cur.execute("))
    pos = fr.findings[0].position
    assert (pos.line, pos.end_line, pos.end_column) == (1, 3, 2)


def test_control_and_bidi_characters_are_not_printed():
    src = _source("q = '\x1b[2J\u202e' + x; cur.execute(q)\n")
    fr = file_result("a.py", src, [_finding(src, "cur.execute(q)", message="bad \x1b[31m")], [], 1)
    out = text_report.render(_result(fr))
    assert "\x1b" not in out and "\u202e" not in out
    assert "q = '?[2J?'" in out


def test_long_lines_are_cut_around_the_finding():
    src = _source("x = [" + "1, " * 500 + "eval(q)" + ", 2" * 500 + "]\n")
    fr = file_result("a.js", src, [_finding(src, "eval(q)", code="RL103", name="code-injection")], [], 1)
    ex = fr.findings[0].excerpt
    assert len(ex.text) <= 202 and ex.text.startswith("…") and ex.text.endswith("…")
    assert ex.text[ex.start : ex.end] == "eval(q)"


def test_summary_line_and_color():
    src = _source("a(q)\nb(q)\n")
    fr = file_result(
        "a.py",
        src,
        [_finding(src, "a(q)"), _finding(src, "b(q)", code="RL301", name="weak-hash", severity=Severity.WARNING)],
        [],
        2,
    )
    result = _result(fr, skipped=[Skipped("x.bin.py", "binary file (contains NUL bytes)", SkipKind.BINARY)])
    result.seconds = 0.5
    summary = text_report.summary(result, 1)
    assert summary.startswith("2 findings (1 error, 1 warning) in 1 of 1 file (2 lines)")
    assert "1 path skipped" in summary
    assert "\033[" in text_report.render(result, color=True)
    assert "\033[" not in text_report.render(result, color=False)
    assert text_report.summary(_result(), 0).startswith("No findings")


def test_skipped_listing_shows_problems_and_hides_routine_skips():
    result = _result(
        skipped=[
            Skipped("blob.py", "binary file (contains NUL bytes)", SkipKind.BINARY),
            Skipped("README.md", "no Redline language for '.md'", SkipKind.LANGUAGE),
            Skipped("node_modules", "node_modules/ is excluded by default", SkipKind.IGNORED),
        ]
    )
    lines, n = text_report.render_skipped(result, show_all=False)
    assert lines == ["blob.py: skipped: binary file (contains NUL bytes)"] and n == 1
    lines, n = text_report.render_skipped(result, show_all=True)
    assert n == 3


# ---------------------------------------------------------------- secrets never appear whole


def _secret_case():
    src = _source(f'AWS_KEY = "{FAKE_KEY}"; run(AWS_KEY)\n')
    secret = _finding(src, FAKE_KEY, code="RL201", name="aws-access-key", cwe=(798,), message="AWS access key id AKIA…")
    other = _finding(src, "run(AWS_KEY)", code="RL102", name="command-injection", cwe=(78,))
    whole_line = _finding(src, f'AWS_KEY = "{FAKE_KEY}"', code="RL902", name="detect-secrets", engine="detect-secrets", cwe=(798,))
    return src, [secret, other, whole_line]


def test_mask_line_keeps_a_short_prefix_of_long_values():
    assert mask_line("k = 'abcdefghijklmnopqrst'", [(5, 25)]) == "k = 'abcd****************'"
    assert mask_line("k = 'short'", [(5, 10)]) == "k = '*****'"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_secrets_are_masked_in_every_format(fmt):
    src, findings = _secret_case()
    fr = file_result("settings.py", src, findings, [], 1)
    result = _result(fr)
    out = {
        "text": lambda: text_report.render(result),
        "json": lambda: json_report.render(result),
        "sarif": lambda: sarif.render(result, _Registry([_rule()])),
    }[fmt]()
    assert FAKE_KEY not in out
    assert FAKE_KEY[4:] not in out  # not even the part after the prefix
    if fmt != "sarif":
        assert "run(AWS_KEY)" in out  # the rest of the line is still shown


def test_imported_credential_messages_and_credential_cwes_are_masked():
    password = "Zq" + "8vL2nWt5Rk3xPm"  # built at run time
    src = _source(f'app.config["SECRET_KEY"] = "{password}"\nenv = {{"DB_PASSWORD": "{password}x"}}\n')
    bandit = _finding(
        src, '"SECRET_KEY"', code="RL901", name="bandit", cwe=(259,), engine="bandit",
        message=f"Possible hardcoded password: '{password}' [bandit B105: hardcoded_password_string]",
    )
    iac = _finding(src, f'"{password}x"', code="RL532", name="credential-in-environment", cwe=(798,))
    fr = file_result("settings.py", src, [bandit, iac], [], 2)
    for out in (text_report.render(_result(fr)), json_report.render(_result(fr))):
        assert password not in out
        assert "hardcoded password: '" in out and "[bandit B105: hardcoded_password_string]" in out
    assert fr.findings[0].excerpt.text == 'app.config["SECRET_KEY"] = "Zq8v' + "*" * 12 + '"'
    assert fr.findings[1].excerpt.text == 'env = {"DB_PASSWORD": "Zq8' + "*" * 15 + "}"


def test_a_secret_value_is_masked_in_other_findings_messages():
    src, findings = _secret_case()
    leaky = _finding(src, "run(AWS_KEY)", code="RL103", name="code-injection", cwe=(95,), message=f"runs {FAKE_KEY} as code")
    fr = file_result("settings.py", src, [*findings, leaky], [], 1)
    messages = [r.finding.message for r in fr.findings]
    assert not any(FAKE_KEY in m for m in messages)
    assert "runs AKIA" in messages[-1]


# ---------------------------------------------------------------- JSON


def test_json_shape():
    src = _source("import yaml\ndata = yaml.load(f)\n")
    fix = Fix("Use yaml.safe_load()", (TextEdit(src.span(19, 28), "yaml.safe_load"),), safe=True)
    rel = Related(src.span(0, 11), "yaml imported here")
    f = _finding(src, "yaml.load(f)", code="RL112", name="unsafe-yaml-load", cwe=(502,), fixes=(fix,), related=(rel,), properties=(("bandit_id", "B506"),))
    fr = file_result("cfg/load.py", src, [f], [("bandit", "exit status 2")], 2)
    result = _result(
        fr,
        skipped=[Skipped("big.py", "larger than the 2.0 MB limit (3.0 MB)", SkipKind.SIZE)],
        problems=[Problem("redline.toml", "selct", "unknown key", 0)],
    )
    doc = json.loads(json_report.render(result))
    assert doc["version"] == 1 and doc["tool"]["name"] == "redline"
    assert doc["summary"] == {
        "files": 1,
        "lines": 2,
        "findings": 1,
        "by_severity": {"error": 1, "warning": 0, "info": 0, "hint": 0},
        "skipped": 1,
        "baseline_matched": 0,
    }
    (item,) = doc["findings"]
    assert item == {
        "code": "RL112",
        "name": "unsafe-yaml-load",
        "message": "unsafe-yaml-load here",
        "severity": "error",
        "confidence": "high",
        "cwe": [502],
        "path": "cfg/load.py",
        "start_line": 2,
        "start_column": 8,
        "end_line": 2,
        "end_column": 20,
        "engine": "redline",
        "role": "production",
        "fingerprint": f.fingerprint,
        "snippet": "data = yaml.load(f)",
        "fixes": [
            {
                "title": "Use yaml.safe_load()",
                "safe": True,
                "edits": [{"start_line": 2, "start_column": 8, "end_line": 2, "end_column": 17, "new_text": "yaml.safe_load"}],
            }
        ],
        "related": [{"message": "yaml imported here", "start_line": 1, "start_column": 1, "end_line": 1, "end_column": 12}],
        "properties": {"bandit_id": "B506"},
    }
    assert doc["skipped"] == [{"path": "big.py", "reason": "larger than the 2.0 MB limit (3.0 MB)", "kind": "size"}]
    assert doc["errors"] == [{"path": "cfg/load.py", "source": "bandit", "message": "exit status 2"}]
    assert doc["config_problems"] == [{"file": "redline.toml", "key": "selct", "line": 1, "message": "unknown key"}]


# ---------------------------------------------------------------- SARIF


def _validate(doc: dict) -> None:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    errors = sorted(cls(SCHEMA, format_checker=cls.FORMAT_CHECKER).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def _sarif_case(tmp_path):
    src = _source("import yaml\nx = '\U0001f600'; data = yaml.load(f)\n")
    fix = Fix("Use yaml.safe_load()", (TextEdit(src.span(31, 40), "yaml.safe_load"),), safe=True)
    f = _finding(
        src, "yaml.load(f)", code="RL112", name="unsafe-yaml-load", cwe=(502, 20), fixes=(fix,),
        related=(Related(src.span(0, 11), "imported here"),), properties=(("bandit_id", "B506"),),
    )
    w = _finding(src, "import yaml", code="RL301", name="weak-hash", severity=Severity.INFO, cwe=(327,))
    unknown = _finding(src, "data", code="RL599", name="not-declared", severity=Severity.HINT, cwe=(1,))
    fr = file_result("src/my app/load.py", src, [f, w, unknown], [("bandit", "crashed")], 2)
    cfg = tmp_path / "redline.toml"
    cfg.write_text("selct = 1\n")
    result = _result(
        fr,
        skipped=[Skipped("blob.py", "binary file (contains NUL bytes)", SkipKind.BINARY), Skipped("README.md", "no language", SkipKind.LANGUAGE)],
        problems=[Problem(str(cfg), "selct", "unknown key", 0), Problem(str(cfg), "-", "odd")],
        root=str(tmp_path),
    )
    registry = _Registry([_rule(), _rule("RL112", "unsafe-yaml-load", cwe=(502,)), _rule("RL301", "weak-hash", Severity.WARNING, (327,))])
    return result, registry


def test_sarif_validates_against_the_official_schema(tmp_path):
    result, registry = _sarif_case(tmp_path)
    doc = json.loads(sarif.render(result, registry))
    _validate(doc)
    result.baseline_used = True
    _validate(json.loads(sarif.render(result, registry)))
    _validate(json.loads(sarif.render(_result(root=str(tmp_path)), registry)))  # no results at all


def test_sarif_contract(tmp_path, monkeypatch):
    monkeypatch.setenv("REDLINE_DOCS_URL", "https://git.example.org/redline/blob/main/docs/rules/")
    result, registry = _sarif_case(tmp_path)
    doc = json.loads(sarif.render(result, registry))
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "redline"
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.resolve().as_uri() + "/"
    rules = run["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    r112 = by_id["RL112"]
    assert r112["name"] == "unsafe-yaml-load"
    assert r112["shortDescription"]["text"] == "What it is."
    assert r112["helpUri"] == "https://git.example.org/redline/blob/main/docs/rules/RL112.md"
    assert run["tool"]["driver"]["informationUri"] == "https://git.example.org/redline/blob/main/docs/rules/README.md"
    assert "security" in r112["properties"]["tags"] and "CWE-502" in r112["properties"]["tags"]
    assert r112["properties"]["security-severity"] == "8.0"
    assert by_id["RL301"]["properties"]["security-severity"] == "5.5"
    assert "RL599" in by_id  # a code no rule declares still gets a descriptor

    first = run["results"][0]
    assert first["ruleId"] == "RL112" and rules[first["ruleIndex"]]["id"] == "RL112"
    assert first["level"] == "error"
    assert first["message"]["text"] == "unsafe-yaml-load here"
    (loc,) = first["locations"]
    art = loc["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "src/my%20app/load.py", "uriBaseId": "SRCROOT"}
    region = loc["physicalLocation"]["region"]
    # Line 2 is "x = '😀'; data = yaml.load(f)": the emoji counts as two UTF-16 code units.
    assert region == {"startLine": 2, "startColumn": 18, "endLine": 2, "endColumn": 30}
    assert first["partialFingerprints"] == {sarif.FINGERPRINT_KEY: result.files[0].findings[0].finding.fingerprint}
    assert first["properties"]["cwe"] == ["CWE-502", "CWE-20"]
    assert first["properties"]["bandit_id"] == "B506"
    assert first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "yaml.safe_load"
    assert first["relatedLocations"][0]["message"]["text"] == "imported here"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"RL112": "error", "RL301": "note", "RL599": "note"}

    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is True
    notes = {n["descriptor"]["id"]: n for n in inv["toolExecutionNotifications"]}
    assert notes["skipped/binary"]["level"] == "warning"
    assert notes["skipped/language"]["level"] == "note"
    assert notes["engine-error"]["level"] == "error"
    conf = inv["toolConfigurationNotifications"]
    assert conf[0]["message"]["text"] == "selct: unknown key"
    assert conf[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_sarif_schema_copy_is_the_official_one():
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert "result" in SCHEMA["definitions"] and "run" in SCHEMA["definitions"]


def test_schema_check_catches_a_broken_log():
    with pytest.raises(AssertionError):
        _validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"ruleId": "RL1"}]}]})


# ---------------------------------------------------------------- baselines


def test_baseline_round_trip(tmp_path):
    src = _source("a(q)\nb(q)\n")
    fr = file_result("a.py", src, [_finding(src, "a(q)"), _finding(src, "b(q)")], [], 2)
    path = tmp_path / "nested" / "baseline.json"
    assert baseline.write(path, [fr]) == 2
    known = baseline.load(path)
    assert known == {("a.py", fr.findings[0].finding.fingerprint), ("a.py", fr.findings[1].finding.fingerprint)}
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and [e["line"] for e in doc["findings"]] == [1, 2]
    fr2 = file_result("a.py", src, [_finding(src, "a(q)"), _finding(src, "b(q)", fingerprint="new")], [], 2)
    assert baseline.apply([fr2], known) == 1
    assert [r.finding.fingerprint for r in fr2.findings] == ["new"]


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("not json", "invalid JSON"),
        ('{"findings": 3}', "no 'findings' list"),
        ('{"version": 7, "findings": []}', "version 7"),
        ('{"version": 1, "findings": [{"path": "a.py"}]}', "findings[0]"),
    ],
)
def test_bad_baselines_say_what_is_wrong(tmp_path, content, fragment):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(baseline.BaselineError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        baseline.load(path)


def test_missing_baseline(tmp_path):
    with pytest.raises(baseline.BaselineError, match="cannot read"):
        baseline.load(tmp_path / "none.json")
