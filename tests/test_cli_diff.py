"""`redline scan --diff REF`: only the findings on lines a change added, in every format."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from redline import cli, gitdiff

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

ENGINES = "[engines]\nbandit = false\ndetect-secrets = false\n"
OLD = '''import os


def run(cmd):
    os.system(f"echo {cmd}")
'''
# Two new vulnerable lines (9 and 13) after the old one (5).
NEW = OLD + '''

def find(cur, name):
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")


def again(cmd):
    os.system("ls " + cmd)
'''


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """main: app.py with one finding (line 5); branch `feature` adds two (lines 9 and 13)."""
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "redline.toml").write_text(ENGINES)
    (r / "app.py").write_text(OLD)
    (r / "old.py").write_text(OLD)
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "base")
    git(r, "checkout", "-q", "-b", "feature")
    (r / "app.py").write_text(NEW)
    git(r, "commit", "-q", "-am", "feature")
    monkeypatch.chdir(r)
    return r


def scan(argv, capsys):
    code = cli.main(["scan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(doc):
    return sorted((f["path"], f["start_line"], f["code"]) for f in doc["findings"])


def test_only_added_lines_are_reported(repo, capsys):
    code, out, _ = scan([".", "--format", "json"], capsys)
    everything = lines_of(json.loads(out))
    assert ("app.py", 5, "RL102") in everything and ("old.py", 5, "RL102") in everything

    code, out, err = scan([".", "--diff", "main", "--format", "json"], capsys)
    assert lines_of(json.loads(out)) == [("app.py", 9, "RL101"), ("app.py", 13, "RL102")], err
    assert code == 1
    assert json.loads(out)["summary"]["files"] == 1  # only the changed file is scanned


def test_no_change_passes_the_gate(repo, capsys):
    git(repo, "checkout", "-q", "main")
    code, out, err = scan([".", "--diff", "main"], capsys)
    assert code == 0, out + err
    assert out.startswith("No findings")


def test_sarif_and_text_are_filtered_too(repo, capsys):
    code, out, _ = scan([".", "--diff", "main", "--format", "sarif"], capsys)
    results = json.loads(out)["runs"][0]["results"]
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results) == [9, 13]
    code, out, _ = scan([".", "--diff", "main"], capsys)
    heads = [line for line in out.splitlines() if line.startswith("app.py:")]
    assert [h.split(":")[1] for h in heads] == ["9", "13"]


def test_uncommitted_and_untracked_changes_count(repo, capsys):
    (repo / "old.py").write_text(OLD + "\n\ndef x(cmd):\n    os.system('rm ' + cmd)\n")  # unstaged edit, line 9
    (repo / "new.py").write_text(OLD)  # untracked: every line is new
    (repo / ".gitignore").write_text("ignored.py\n")
    (repo / "ignored.py").write_text(OLD)  # untracked but ignored: not scanned
    code, out, _ = scan([".", "--diff", "main", "--format", "json"], capsys)
    got = lines_of(json.loads(out))
    assert ("old.py", 9, "RL102") in got and ("old.py", 5, "RL102") not in got
    assert ("new.py", 5, "RL102") in got
    assert not any(p == "ignored.py" for p, _l, _c in got)


def test_a_renamed_file_keeps_its_old_findings_out(repo, capsys):
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "rename")
    git(repo, "mv", "old.py", "moved.py")
    text = (repo / "moved.py").read_text() + "\n\ndef y(cmd):\n    os.system('rm ' + cmd)\n"
    (repo / "moved.py").write_text(text)
    git(repo, "commit", "-q", "-am", "rename")
    code, out, _ = scan([".", "--diff", "main", "--format", "json"], capsys)
    assert lines_of(json.loads(out)) == [("moved.py", 9, "RL102")]


def test_diff_from_a_subfolder_and_odd_file_names(repo, capsys):
    sub = repo / "sub dir"
    sub.mkdir()
    (sub / "tést.py").write_text(OLD)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "odd names")
    code, out, _ = scan([str(sub), "--diff", "main", "--format", "json"], capsys)
    assert [(Path(p).name, line) for p, line, _c in lines_of(json.loads(out))] == [("tést.py", 5)]


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", ""])
def test_a_bad_ref_is_a_usage_error(repo, capsys, ref):
    code, out, err = scan([".", f"--diff={ref}"], capsys)
    assert code == 2 and out == ""
    assert "redline: error: --diff:" in err


def test_outside_a_repository_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.py").write_text(OLD)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, out, err = scan([".", "--diff", "main"], capsys)
    assert code == 2 and "not in a git repository" in err


def test_git_missing_is_a_usage_error(repo, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    code, out, err = scan([".", "--diff", "main"], capsys)
    assert code == 2 and "needs git" in err


def test_a_hostile_repository_config_runs_nothing(repo, capsys, tmp_path):
    """.git/config may name commands for fsmonitor, an external diff, textconv and filters."""
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}; false"
    git(repo, "config", "core.fsmonitor", cmd)
    git(repo, "config", "diff.external", cmd)
    git(repo, "config", "diff.evil.textconv", cmd)
    git(repo, "config", "diff.evil.command", cmd)
    git(repo, "config", "filter.evil.clean", cmd)
    git(repo, "config", "filter.evil.process", cmd)
    git(repo, "config", "core.pager", cmd)
    (repo / ".gitattributes").write_text("*.py diff=evil filter=evil\n")
    (repo / "app.py").write_text(NEW + "\n# touched\n")  # a stat-dirty file: git would clean it
    code, out, err = scan([".", "--diff", "main", "--format", "json"], capsys)
    assert not marker.exists()
    assert ("app.py", 9, "RL101") in lines_of(json.loads(out)), err


def test_parse_diff_quoted_names_and_hunks():
    patch = (
        b'diff --git "a/t\\303\\251st.py" "b/t\\303\\251st.py"\n'
        b'--- "a/t\\303\\251st.py"\n+++ "b/t\\303\\251st.py"\n'
        b"@@ -3,0 +4,2 @@\n+a\n+b\n@@ -9 +11 @@\n-x\n+y\n@@ -20,3 +22,0 @@\n"
        b"diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n"
    )
    assert gitdiff.parse_diff(patch) == {"tést.py": {4, 5, 11}}


def test_the_documented_pull_request_step_reports_only_new_findings(repo, tmp_path):
    """docs/ci.md's GitHub step, run in a clone whose origin/main is the base branch."""
    import re
    import sys

    import yaml

    doc = (Path(__file__).resolve().parent.parent / "docs" / "ci.md").read_text("utf-8")
    body = next(b for b in re.findall(r"^```yaml\n(.*?)^```", doc, re.M | re.S) if b.startswith("# .github/workflows/redline-pr.yml"))
    (job,) = yaml.safe_load(body)["jobs"].values()
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    step = next(s["run"] for s in job["steps"] if "redline scan" in s.get("run", ""))
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_BASE_REF": "main", "XDG_CACHE_HOME": str(tmp_path / "c")}
    r = subprocess.run(["bash", "-e", "-c", step], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert [line.split(",")[1] for line in lines] == ["line=9", "line=13"], r.stdout
    assert all(line.startswith("::error file=app.py,") for line in lines)
