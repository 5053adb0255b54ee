"""Suppression comments: redline: ignore[...], the line-before form, ignore-file, nosec, allowlist."""

import pytest

from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding, Severity, Span
from redline.rules import suppressions as sup

SQL = ("RL101", "sql-injection")
SECRET = ("RL201", "aws-access-key")


def _file(text: str, path: str = "app.py", language: str = "python") -> SourceFile:
    return SourceFile(path=path, language=language, text=text.encode())


def _finding(file: SourceFile, row: int, rule=SQL, engine="redline", properties=()) -> Finding:
    start = file.line_starts[row]
    span = file.line_span(row)
    return Finding(
        code=rule[0],
        name=rule[1],
        message="m",
        severity=Severity.ERROR,
        confidence=Confidence.HIGH,
        cwe=(89,),
        span=Span(start, span.end_byte, span.start_point, span.end_point),
        engine=engine,
        properties=properties,
    )


def _suppressed(text: str, row: int, rule=SQL, bandit=(), **kw) -> bool:
    f = _file(text, **{k: v for k, v in kw.items() if k in ("path", "language")})
    finding = _finding(f, row, rule, **{k: v for k, v in kw.items() if k in ("engine", "properties")})
    return sup.is_suppressed(sup.parse(f), finding, bandit)


@pytest.mark.parametrize(
    "comment",
    [
        "# redline: ignore[RL101] id is an int",
        "# redline: ignore[sql-injection] id is an int",
        "# redline: ignore[RL1] whole family",
        "# redline: ignore[RL102, RL101] both",
        "# redline: ignore all rules here",
        "# redline:ignore[RL101] no space",
    ],
)
def test_ignore_on_the_same_line(comment):
    text = f"x = 1\ncur.execute(q)  {comment}\n"
    assert _suppressed(text, 1)


@pytest.mark.parametrize(
    "comment,expected",
    [
        ("# redline: ignore[RL102] other rule", False),
        ("# redline: ignore[command-injection] other rule", False),
        ("# redline: ignore[RL2] other family", False),
        ("# redline: ignore[RL10] prefix of RL101", True),
    ],
)
def test_ignore_matches_only_its_rules(comment, expected):
    assert _suppressed(f"cur.execute(q)  {comment}\n", 0) is expected


def test_ignore_on_the_line_before_when_alone():
    text = "# redline: ignore[RL101] the table name comes from a fixed list\ncur.execute(q)\n"
    assert _suppressed(text, 1)


def test_ignore_on_the_line_before_after_code_does_not_reach_the_next_line():
    text = "run(x)  # redline: ignore[RL101] only this line\ncur.execute(q)\n"
    assert not _suppressed(text, 1)
    assert _suppressed(text, 0)


def test_ignore_two_lines_above_does_not_reach():
    text = "# redline: ignore[RL101] reason\n\ncur.execute(q)\n"
    assert not _suppressed(text, 2)


def test_reason_is_optional_but_recorded_when_missing():
    parsed = sup.parse(_file("cur.execute(q)  # redline: ignore[RL101]\nb()  # redline: ignore[RL101] fine\n"))
    assert parsed.missing_reason == [0]


def test_ignore_file_near_the_top():
    text = '"""Module."""\n# redline: ignore-file[RL101] generated code\n' + "x = 1\n" * 30 + "cur.execute(q)\n"
    assert _suppressed(text, 32)
    assert not _suppressed(text, 32, rule=("RL102", "command-injection"))


def test_ignore_file_without_codes_silences_everything():
    text = "# redline: ignore-file vendored\ncur.execute(q)\n"
    assert _suppressed(text, 1)
    assert _suppressed(text, 1, rule=("RL102", "command-injection"))


def test_ignore_file_too_far_down_is_ignored():
    text = "x = 1\n" * (sup.FILE_HEADER_LINES + 1) + "# redline: ignore-file[RL101] late\ncur.execute(q)\n"
    assert not _suppressed(text, sup.FILE_HEADER_LINES + 2)


def test_nosec_without_ids_silences_the_line():
    assert _suppressed("cur.execute(q)  # nosec\n", 0)
    assert not _suppressed("cur.execute(q)\n# nosec\n", 0)


@pytest.mark.parametrize("comment", ["# nosec B608", "# nosec: B608", "# nosec B101, B608", "# NOSEC b608"])
def test_nosec_with_the_bandit_id_of_the_rule(comment):
    assert _suppressed(f"cur.execute(q)  {comment}\n", 0, bandit=("B608",))


def test_nosec_with_another_bandit_id_does_not_suppress():
    assert not _suppressed("cur.execute(q)  # nosec B101\n", 0, bandit=("B608",))


def test_nosec_applies_to_bandit_findings_by_their_own_id():
    props = (("bandit_id", "B307"),)
    assert _suppressed("eval(x)  # nosec B307\n", 0, rule=("RL901", "bandit"), engine="bandit", properties=props)
    assert not _suppressed("eval(x)  # nosec B101\n", 0, rule=("RL901", "bandit"), engine="bandit", properties=props)


def test_redline_ignore_by_bandit_id_for_bandit_findings():
    props = (("bandit_id", "B307"),)
    assert _suppressed("eval(x)  # redline: ignore[B307] reviewed\n", 0, rule=("RL901", "bandit"), engine="bandit", properties=props)


def test_allowlist_secret_on_the_line():
    text = 'KEY = "AKIA" + "Q" * 16  # pragma: allowlist secret\n'
    assert _suppressed(text, 0, rule=SECRET)
    assert not _suppressed(text, 0, rule=SQL)  # only secrets


def test_allowlist_secret_for_detect_secrets_findings():
    text = 'token = "abc"  # pragma: allowlist secret\n'
    assert _suppressed(text, 0, rule=("RL902", "detect-secrets"), engine="detect-secrets")


def test_allowlist_nextline_secret():
    text = '# pragma: allowlist nextline secret\nKEY = "value"\n'
    assert _suppressed(text, 1, rule=SECRET)
    assert not _suppressed(text, 0, rule=SECRET)


def test_slash_comments_in_other_languages():
    text = "db.query(q); // redline: ignore[RL101] constant table\n"
    assert _suppressed(text, 0, path="a.js", language="javascript")
    text = "/* redline: ignore[RL101] reviewed */\ndb.query(q);\n"
    assert _suppressed(text, 1, path="a.js", language="javascript")


def test_no_markers_means_nothing_to_parse():
    parsed = sup.parse(_file("cur.execute(q)\n"))
    assert not parsed
    assert not sup.is_suppressed(parsed, _finding(_file("cur.execute(q)\n"), 0))


def test_crlf_line_ends():
    text = "x = 1\r\ncur.execute(q)  # redline: ignore[RL101] ok\r\n"
    assert _suppressed(text, 1)


def test_suppression_applies_to_the_start_line_of_a_multiline_finding():
    text = "cur.execute(  # redline: ignore[RL101] reviewed\n    q,\n)\n"
    f = _file(text)
    finding = _finding(f, 0)
    assert sup.is_suppressed(sup.parse(f), finding)


def test_end_to_end_through_the_pipeline():
    from redline.pipeline import analyze_text

    code = "def f(name):\n    cur.execute(f'SELECT * FROM t WHERE a = {name}')\n"
    assert [x.code for x in analyze_text("a.py", code).findings] == ["RL101"]
    silenced = code.replace("}')\n", "}')  # redline: ignore[sql-injection] name is validated above\n")
    assert analyze_text("a.py", silenced).findings == []
    nosec = code.replace("}')\n", "}')  # nosec B608\n")
    assert analyze_text("a.py", nosec).findings == []
