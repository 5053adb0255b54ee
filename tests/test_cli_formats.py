"""`redline scan --format github|gitlab` and `--statistics`."""

import json

import pytest

from redline import cli
from redline.report import github

ENGINES = "[engines]\nbandit = false\ndetect-secrets = false\n"
APP = '''import os


def find(cur, name):
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")


def run(cmd):
    os.system(f"echo {cmd}")


def run2(cmd):
    os.system("ls " + cmd)
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "redline.toml").write_text(ENGINES)
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(argv, capsys):
    code = cli.main(["scan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_github_workflow_commands(project, capsys):
    code, out, _ = scan([".", "--format", "github"], capsys)
    lines = out.splitlines()
    assert code == 1 and len(lines) == 3
    assert lines[0].startswith("::error file=app.py,line=5,endLine=5,col=5,endColumn=62,title=RL101 sql-injection::SQL built with")
    assert lines[1].startswith("::error file=app.py,line=9,endLine=9,col=5,")
    assert lines[2].startswith("::error file=app.py,line=13,")
    assert "%25s" in lines[0]  # the message's "%s" is escaped


def test_github_escaping_of_names_and_messages(project, capsys):
    assert github.escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    odd = project / "we,ird:name.py"
    odd.write_text(APP)
    code, out, _ = scan([str(odd.name), "--format", "github"], capsys)
    assert out.splitlines()[0].startswith("::error file=we%2Cird%3Aname.py,line=5,")
    # A message can never start a second command: each finding is exactly one line.
    line = github.command("error", "x\n::warning::forged", file="a.py", title="t")
    assert "\n" not in line and line.endswith("::x%0A::warning::forged")


def test_gitlab_code_quality(project, capsys):
    (project / "copy.py").write_text(APP)
    code, out, _ = scan([".", "--format", "gitlab"], capsys)
    doc = json.loads(out)
    assert code == 1 and len(doc) == 6
    first = doc[0]
    assert first["check_name"] == "RL101" and first["description"].startswith("RL101 SQL built with")
    assert first["severity"] == "critical"
    assert first["location"] == {"path": "app.py", "lines": {"begin": 5, "end": 5}}
    assert {d["severity"] for d in doc} <= {"info", "minor", "major", "critical", "blocker"}
    # Same code in two files: two different fingerprints; the same scan again: the same ones.
    assert len({d["fingerprint"] for d in doc}) == 6
    _code, again, _ = scan([".", "--format", "gitlab"], capsys)
    assert [d["fingerprint"] for d in json.loads(again)] == [d["fingerprint"] for d in doc]


def test_gitlab_severity_mapping(project, capsys):
    (project / "redline.toml").write_text('[severity]\nRL101 = "info"\nRL102 = "warning"\n' + ENGINES)
    _code, out, _ = scan([".", "--format", "gitlab", "--fail-on", "never"], capsys)
    assert sorted((d["check_name"], d["severity"]) for d in json.loads(out)) == [
        ("RL101", "minor"), ("RL102", "major"), ("RL102", "major")]


def test_statistics(project, capsys):
    code, out, err = scan([".", "--statistics"], capsys)
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["2", "RL102"] and lines[0].split()[3] == "error"
    assert lines[1].split()[:2] == ["1", "RL101"]
    assert lines[2].startswith("3 findings")
    assert "cur.execute" not in out  # the table replaces the findings
    code, out, err = scan([".", "--statistics", "--format", "json"], capsys)
    assert json.loads(out)["summary"]["findings"] == 3
    assert err.splitlines()[0].split()[:2] == ["2", "RL102"]
