"""`redline scan --fix / --unsafe-fixes / --diff-fixes`, and standard input (`scan - --stdin-filename`)."""

import io
import json
import os
import stat
import sys

import pytest

from redline import cli, fixes
from redline.findings import Confidence, Finding, Fix, Severity, Span, TextEdit

ENGINES = "[engines]\nbandit = false\ndetect-secrets = false\n"
APP = '''import hashlib
import yaml
import requests


def load(data, url):
    cfg = yaml.load(data)
    requests.get(url, verify=False, timeout=10)
    return hashlib.md5(data).hexdigest(), cfg
'''
SAFE_FIXED = APP.replace("yaml.load(data)", "yaml.safe_load(data)").replace("url, verify=False, timeout=10)", "url, timeout=10)")


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


def codes(out):
    return sorted((f["code"], f["start_line"]) for f in json.loads(out)["findings"])


def test_fix_applies_the_safe_fixes_and_reports_what_remains(project, capsys):
    code, out, _ = scan([".", "--format", "json"], capsys)
    before = codes(out)
    assert ("RL112", 7) in before and ("RL305", 8) in before
    md5 = [c for c in before if c[1] == 9]
    assert md5, before  # the weak hash: its fix needs review

    code, out, err = scan([".", "--fix", "--format", "json"], capsys)
    assert (project / "app.py").read_text() == SAFE_FIXED
    assert "redline: 2 fixes in 1 file" in err
    assert codes(out) == md5  # re-scanned: only the finding without a safe fix is left
    assert code == 1


def test_unsafe_fixes_also_apply_the_ones_marked_for_review(project, capsys):
    code, out, err = scan([".", "--fix", "--unsafe-fixes", "--format", "json"], capsys)
    text = (project / "app.py").read_text()
    assert "hashlib.sha256(data)" in text and "yaml.safe_load(data)" in text
    assert codes(out) == [] and code == 0


def test_diff_fixes_prints_a_diff_and_writes_nothing(project, capsys):
    code, out, err = scan([".", "--diff-fixes"], capsys)
    assert (project / "app.py").read_text() == APP
    assert code == 1
    assert out.startswith("--- a/app.py\n+++ b/app.py\n")
    assert ("-    cfg = yaml.load(data)\n-    requests.get(url, verify=False, timeout=10)\n"
            "+    cfg = yaml.safe_load(data)\n+    requests.get(url, timeout=10)\n") in out
    assert "md5" not in out.replace("hashlib.md5(data).hexdigest(), cfg", "")
    (project / "app.py").write_text(SAFE_FIXED)
    code, out, _ = scan([".", "--diff-fixes"], capsys)
    assert code == 0 and out == ""


def test_unsafe_fixes_alone_is_a_usage_error(project, capsys):
    code, _out, err = scan([".", "--unsafe-fixes"], capsys)
    assert code == 2 and "--unsafe-fixes goes with --fix" in err


def test_fixed_file_keeps_its_mode_and_symbolic_links_are_not_written(project, capsys):
    os.chmod(project / "app.py", 0o640)
    real = project / "real.py"
    real.write_text(APP)
    (project / "link.py").symlink_to(real)
    scan([".", "--fix"], capsys)
    assert stat.S_IMODE(os.stat(project / "app.py").st_mode) == 0o640
    assert (project / "app.py").read_text() == SAFE_FIXED
    assert os.path.islink(project / "link.py")
    assert not [p for p in os.listdir(project) if p.startswith(".redline-fix-")]


def test_write_atomic_refuses_links_outside_roots_and_changed_files(tmp_path):
    inside, outside = tmp_path / "in", tmp_path / "out"
    inside.mkdir(), outside.mkdir()
    (outside / "a.py").write_text("x")
    (inside / "b.py").write_text("x")
    (inside / "l.py").symlink_to(outside / "a.py")
    with pytest.raises(fixes.WriteRefused, match="symbolic link"):
        fixes.write_atomic(str(inside / "l.py"), b"x", b"y", [str(inside)])
    with pytest.raises(fixes.WriteRefused, match="outside"):
        fixes.write_atomic(str(outside / "a.py"), b"x", b"y", [str(inside)])
    with pytest.raises(fixes.WriteRefused, match="changed since"):
        fixes.write_atomic(str(inside / "b.py"), b"old", b"y", [str(inside)])
    fixes.write_atomic(str(inside / "b.py"), b"x", b"y", [str(inside)])
    assert (inside / "b.py").read_text() == "y" and (outside / "a.py").read_text() == "x"


def _finding(text: bytes, start: int, end: int, new: str, code="RL112", safe=True) -> Finding:
    span = Span(start, end, (0, start), (0, end))
    return Finding(code, "n", "m", Severity.ERROR, Confidence.HIGH, (1,), span,
                   fixes=(Fix(f"fix {code}", (TextEdit(span, new),), safe),))


def test_overlapping_fixes_and_fixes_that_break_the_syntax_are_skipped():
    text = b"x = foo(bar(1))\n"
    a = _finding(text, 4, 15, "safe(bar(1))", "RL001")  # foo(bar(1)) -> safe(bar(1))
    b = _finding(text, 8, 14, "baz(1)", "RL002")  # bar(1), inside a: overlaps
    c = _finding(text, 0, 1, "x +", "RL003")  # "x + = ...": a syntax error
    new, applied, skipped = fixes.one_round("python", text, [a, b, c], False, lambda f: True)
    assert new == b"x = safe(bar(1))\n"
    assert [s[1:] for s in skipped] == [("RL003", "fix RL003", "it would leave a syntax error"),
                                         ("RL002", "fix RL002", "it overlaps another fix")]
    assert [a_[1] for a_ in applied] == ["RL001"]
    # A file that already has a syntax error elsewhere can still be fixed (no *new* error).
    broken = b"x = foo(bar(1))\ndef (:\n"
    new, applied, _ = fixes.one_round("python", broken, [a], False, lambda f: True)
    assert applied and new.startswith(b"x = safe(bar(1))")


def test_fix_reports_skipped_fixes(project, capsys, monkeypatch):
    real = fixes.one_round

    def breaking(language, text, findings, unsafe, keep):
        bad = [f.moved(fixes=(Fix("break it", (TextEdit(f.span, "yaml.load((("),), True),)) if f.code == "RL112" else f for f in findings]
        return real(language, text, bad, unsafe, keep)

    monkeypatch.setattr(fixes, "one_round", breaking)
    code, out, err = scan([".", "--fix"], capsys)
    assert "app.py:7: RL112: fix not applied (break it): it would leave a syntax error" in err
    assert "yaml.load(data)" in (project / "app.py").read_text()


# ---------------------------------------------------------------- standard input


def feed(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_is_scanned_as_the_named_file(project, capsys, monkeypatch):
    feed(monkeypatch, APP.encode())
    code, out, _ = scan(["-", "--stdin-filename", "pkg/not_there.py", "--format", "json"], capsys)
    doc = json.loads(out)
    assert {f["path"] for f in doc["findings"]} == {"pkg/not_there.py"}
    assert ("RL112", 7) in codes(out) and code == 1


def test_stdin_name_picks_language_and_configuration(project, capsys, monkeypatch):
    (project / "strict").mkdir()
    (project / "strict" / "redline.toml").write_text('ignore = ["RL112"]\n' + ENGINES)
    feed(monkeypatch, APP.encode())
    code, out, _ = scan(["-", "--stdin-filename", "strict/x.py", "--format", "json"], capsys)
    assert "RL112" not in {c for c, _l in codes(out)} and codes(out)
    feed(monkeypatch, APP.encode())
    code, out, _ = scan(["-", "--stdin-filename", "notes.unknownext", "--format", "json"], capsys)
    assert json.loads(out)["findings"] == [] and json.loads(out)["skipped"][0]["kind"] == "language"


def test_stdin_fix_writes_the_fixed_text_to_stdout(project, capsys, monkeypatch):
    feed(monkeypatch, APP.encode())
    code, out, err = scan(["-", "--stdin-filename", "app.py", "--fix"], capsys)
    assert out == SAFE_FIXED
    assert code == 1  # the weak hash is still there
    assert (project / "app.py").read_text() == APP  # the file on disk is not touched
    feed(monkeypatch, b"print(1)\n")
    code, out, err = scan(["-", "--stdin-filename", "ok.py", "--fix"], capsys)
    assert out == "print(1)\n" and code == 0


@pytest.mark.parametrize("argv", [["-"], ["-", "app.py", "--stdin-filename", "a.py"], ["app.py", "--stdin-filename", "a.py"],
                                  ["-", "--stdin-filename", "a.py", "--diff", "main"]])
def test_stdin_usage_errors(project, capsys, monkeypatch, argv):
    feed(monkeypatch, b"")
    code, out, err = scan(argv, capsys)
    assert code == 2 and "redline: error:" in err


def test_fix_with_diff_fixes_only_the_added_lines(project, capsys):
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("needs git")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)
    (project / "app.py").write_text(APP + "\n\ndef more(data):\n    return yaml.load(data)\n")  # line 13
    code, out, err = scan([".", "--diff", "main", "--fix", "--format", "json"], capsys)
    text = (project / "app.py").read_text()
    assert "    cfg = yaml.load(data)\n" in text  # old line: not touched
    assert "    return yaml.safe_load(data)\n" in text
    assert codes(out) == []  # the fixed line no longer has a finding; old ones are not reported
