"""`redline scan` on bad input: a clear message and a defined exit status, never a traceback.

Each case runs the real command in a subprocess and checks the exit status, the message on
stderr, and that neither "Traceback" nor the last-resort "internal error" line appears (that
guard in cli.main would hide a traceback, not fix its cause). Cases that need a file the user
cannot read run the command as `nobody` when the tests run as root (root reads everything).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline import cli
from redline.config import Config
from redline.lsp.workspace_config import ConfigResolver

# Only Redline's own fast rules: these tests are about inputs, not engines.
QUIET = "[engines]\nbandit = false\ndetect-secrets = false\n"
VULNERABLE = "import os\n\n\ndef run(cmd):\n    os.system(f'echo {cmd}')\n"
SCRIPT = Path(sys.executable).with_name("redline")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "redline"]
TRACEBACK = "Traceback (most recent call last)"  # (rule documentation in SARIF says "Tracebacks")
# A hang is a failure, not a slow pass: the limit only stops a stuck scan (a FIFO read).
HANG_GUARD = 300


def redline(*args: str, cwd: Path, env: dict | None = None, as_nobody: bool = False, command=None):
    prefix = _unprivileged() if as_nobody else []
    full_env = {k: v for k, v in os.environ.items() if k != "REDLINE_DEBUG"}
    full_env.update({"NO_COLOR": "1", **(env or {})})
    return subprocess.run(
        [*prefix, *(command or COMMAND), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        timeout=HANG_GUARD,
    )


def text(result) -> tuple[str, str]:
    return (result.stdout or b"").decode("utf-8", "replace"), (result.stderr or b"").decode("utf-8", "replace")


def check(result, code: int, *fragments: str) -> tuple[str, str]:
    out, err = text(result)
    assert result.returncode == code, (result.returncode, out, err)
    assert TRACEBACK not in out + err, err
    assert "internal error" not in err, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return out, err


def _unprivileged() -> list[str]:
    """A prefix that runs a command as a user who cannot read mode-000 files."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def project():
    """A short, world-readable folder (pytest's tmp_path is private to root and too long for a
    socket name)."""
    folder = Path(tempfile.mkdtemp(prefix="rl-"))
    folder.chmod(0o755)
    (folder / "redline.toml").write_text(QUIET)
    (folder / "app.py").write_text(VULNERABLE)
    yield folder
    for dirpath, dirnames, _files in os.walk(folder):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
    shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- paths on the command line


def test_a_path_that_does_not_exist(project):
    out, _err = check(redline("scan", "nope.py", cwd=project), 2, "redline: error: no such file or folder: nope.py")
    assert out == ""


def test_an_unreadable_folder_is_skipped_with_a_reason(project):
    locked = project / "locked"
    locked.mkdir()
    (locked / "a.py").write_text(VULNERABLE)
    locked.chmod(0)
    # Config discovery used to stat locked/redline.toml and die with PermissionError.
    out, _err = check(redline("scan", "locked", cwd=project, as_nobody=True), 0, "locked: skipped: cannot list folder: Permission denied")
    assert "No findings" in out


class _FailingEntry:
    """A directory entry whose type cannot be read (what lstat failing on NFS or FUSE looks like)."""

    def __init__(self, entry):
        self._entry, self.name, self.path = entry, entry.name, entry.path

    def is_symlink(self):
        return False

    def is_dir(self, follow_symlinks=True):
        return False

    def is_file(self, follow_symlinks=True):
        raise OSError(5, "Input/output error")

    def stat(self, follow_symlinks=True):
        raise OSError(5, "Input/output error")


def test_a_folder_whose_listing_or_entries_fail(project, monkeypatch, capsys):
    """In-process: os.scandir failing for one folder, and entries whose type cannot be read."""
    from redline import files

    (project / "broken").mkdir()
    (project / "flaky").mkdir()
    (project / "flaky" / "mod.py").write_text(VULNERABLE)
    real = os.scandir

    class Listing:
        def __init__(self, folder):
            if os.path.basename(folder) == "broken":
                raise OSError(5, "Input/output error", folder)
            self._it = real(folder)
            self._flaky = os.path.basename(folder) == "flaky"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._it.close()

        def __iter__(self):
            return (_FailingEntry(e) if self._flaky else e for e in self._it)

    monkeypatch.setattr(files.os, "scandir", Listing)
    monkeypatch.chdir(project)
    code = cli.main(["scan", ".", "--no-slow"])
    out, err = capsys.readouterr()
    assert code == 1 and "app.py" in out, err
    assert "broken: skipped: cannot list folder: Input/output error" in err
    assert "flaky/mod.py: skipped: cannot stat: Input/output error" in err


def test_a_file_inside_a_folder_that_cannot_be_searched(project):
    locked = project / "locked"
    locked.mkdir()
    (locked / "a.py").write_text(VULNERABLE)
    locked.chmod(0)
    check(redline("scan", "locked/a.py", cwd=project, as_nobody=True), 2, "redline: error: cannot access locked/a.py: Permission denied")


def test_an_unreadable_file_inside_a_folder_is_skipped(project):
    (project / "secret.py").write_text(VULNERABLE)
    (project / "secret.py").chmod(0)
    _out, err = check(redline("scan", ".", cwd=project, as_nobody=True), 1, "secret.py: skipped: cannot read: Permission denied")
    assert "app.py" not in err


def test_a_socket_and_a_device_are_skipped(project):
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(project / "s.py"))
        _out, err = check(redline("scan", "s.py", "/dev/null", "app.py", cwd=project), 1)
    finally:
        sock.close()
    assert "s.py: skipped: not a regular file (a socket)" in err
    assert "null: skipped: not a regular file (a character device)" in err


def test_a_fifo_named_on_the_command_line_is_skipped(project):
    os.mkfifo(project / "pipe.py")
    check(redline("scan", "pipe.py", cwd=project), 0, "pipe.py: skipped: not a regular file (a FIFO)")


def test_a_file_swapped_for_a_fifo_during_the_scan_is_skipped_not_waited_on(project):
    """The walk sees a regular file; before it is read it becomes a FIFO with no writer. Opening
    it blocking would wait forever: the read must notice on the open descriptor."""
    swap = (
        "import os, sys\n"
        "from redline import cli, files\n"
        "walk = files.Walker.walk\n"
        "def swapping(self, paths):\n"
        "    for item in walk(self, paths):\n"
        "        if str(item).endswith('victim.py'):\n"
        "            os.remove(item); os.mkfifo(item)\n"
        "        yield item\n"
        "files.Walker.walk = swapping\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    (project / "victim.py").write_text(VULNERABLE)
    result = redline("scan", ".", "--jobs", "1", cwd=project, command=[sys.executable, "-c", swap])
    check(result, 1, "victim.py: skipped: cannot read: not a regular file (a FIFO)")
    assert "app.py" in text(result)[0]


def test_gitignore_files_that_are_fifos_or_devices_are_not_read(project):
    (project / ".git" / "info").mkdir(parents=True)
    os.mkfifo(project / ".git" / "info" / "exclude")  # read_text() on these used to wait forever
    os.mkfifo(project / ".gitignore")
    (project / "sub").mkdir()
    os.symlink("/dev/zero", project / "sub" / ".gitignore")  # and this one to read without end
    (project / "sub" / "mod.py").write_text(VULNERABLE)
    out, _err = check(redline("scan", ".", cwd=project), 1)
    assert "app.py" in out and "sub/mod.py" in out


def test_a_symlink_loop(project):
    os.symlink("loop.py", project / "loop.py")
    check(redline("scan", "loop.py", cwd=project), 0, "loop.py: skipped: symbolic link loop")


# ---------------------------------------------------------------- file contents and names


def test_binary_undecodable_empty_and_huge_files(project):
    (project / "blob.py").write_bytes(b"\x7fELF\x00\x01")
    (project / "latin.py").write_bytes(b"x = '\xe9'\n")
    (project / "empty.py").write_bytes(b"")
    with open(project / "huge.py", "wb") as fh:
        fh.truncate(5_000_000_000)  # sparse: costs no disk
    _out, err = check(redline("scan", ".", cwd=project), 1)
    assert "blob.py: skipped: binary file (contains NUL bytes)" in err
    assert "latin.py: skipped: not UTF-8 text (invalid byte at offset 5)" in err
    assert "huge.py: skipped: larger than the 2.0 MB limit" in err
    assert "empty.py" not in err


def test_a_huge_max_file_size_reads_in_chunks(project):
    (project / "redline.toml").write_text("max-file-size = 9223372036854775807\n" + QUIET)
    out, _err = check(redline("scan", "app.py", cwd=project), 1)  # was OverflowError in read()
    assert "RL102" in out


def test_file_names_with_a_newline_or_bytes_that_are_not_utf8(project):
    bad = os.fsencode(project) + b"/bad\xffname.py"
    with open(bad, "wb") as fh:
        fh.write(VULNERABLE.encode())
    (project / "new\nline.py").write_text(VULNERABLE)
    out, _err = check(redline("scan", ".", cwd=project), 1)
    assert "new?line.py:5:5: RL102" in out  # one line per finding: the newline cannot forge one
    assert "bad?name.py:5:5: RL102" in out

    result = redline("scan", ".", "--format", "sarif", cwd=project)
    check(result, 1)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(result.stdout)["runs"][0]["results"]}
    assert uris == {"app.py", "bad%FFname.py", "new%0Aline.py"}

    check(redline("scan", ".", "--format", "json", "-o", "report.json", cwd=project), 1)
    assert {f["path"] for f in json.loads((project / "report.json").read_text("utf-8"))["findings"]} == {"app.py", "bad?name.py", "new\nline.py"}

    check(redline("scan", ".", "--write-baseline", "baseline.json", cwd=project), 0)
    out, _err = check(redline("scan", ".", "--baseline", "baseline.json", cwd=project), 0)
    assert "3 known in the baseline" in out


# ---------------------------------------------------------------- baselines


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("[" * 100_000 + "]" * 100_000, "not a Redline baseline (JSON nested too deeply)"),
        ('{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}", "JSON nested too deeply"),
        ('{"version": ' + "9" * 5000 + ', "findings": []}', "not a Redline baseline (invalid JSON: Exceeds the limit"),
        ("not json at all", "not a Redline baseline (invalid JSON"),
        ("[1, 2]", "no 'findings' list"),
        ('{"version": 1, "findings": {}}', "no 'findings' list"),
        ('{"version": 1, "findings": [{"path": 1}]}', "findings[0] needs a 'path' and a 'fingerprint'"),
        ('{"version": "' + "x" * 10_000 + '", "findings": []}', "is not supported (expected 1)"),
    ],
)
def test_bad_baselines_exit_2(project, content, fragment):
    (project / "baseline.json").write_text(content)
    out, err = check(redline("scan", "app.py", "--baseline", "baseline.json", cwd=project), 2, "redline: error: baseline.json: ", fragment)
    assert out == "" and len(err) < 400


def test_a_baseline_that_is_not_utf8_or_not_a_file(project):
    (project / "latin.json").write_bytes(b'{"version": 1, "findings": ["\xe9"]}')
    check(redline("scan", "app.py", "--baseline", "latin.json", cwd=project), 2, "not UTF-8 text")
    check(redline("scan", "app.py", "--baseline", "missing.json", cwd=project), 2, "missing.json: cannot read baseline: No such file")
    check(redline("scan", "app.py", "--baseline", ".", cwd=project), 2, "cannot read baseline")
    os.mkfifo(project / "pipe.json")
    check(redline("scan", "app.py", "--baseline", "pipe.json", cwd=project), 2, "pipe.json: cannot read baseline: not a regular file (a FIFO)")


def test_a_baseline_over_the_size_limit(project, monkeypatch, capsys):
    from redline.report import baseline

    monkeypatch.setattr(baseline, "MAX_SIZE", 100)
    monkeypatch.chdir(project)
    (project / "baseline.json").write_text(json.dumps({"version": 1, "findings": [{"path": "a.py", "fingerprint": "f" * 40}] * 5}))
    code = cli.main(["scan", "app.py", "--baseline", "baseline.json"])
    _out, err = capsys.readouterr()
    assert code == 2 and "cannot read baseline: larger than 100 bytes" in err


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("redline.toml", 'ignore = ["RL102"]\nselect = [1,, 2]\n', "redline.toml:2: not valid TOML"),
        (".redline.toml", "ignore = RL102\n", ".redline.toml:1: not valid TOML"),
        ("pyproject.toml", '[project]\nname = "x"\n[tool.redline\nignore = ["RL102"]\n', "pyproject.toml:3: not valid TOML"),
        ("redline.toml", 'ignore = ["RL102"]\nmax-file-size = "2MB"\n', "redline.toml:2: max-file-size: expected a positive number of bytes"),
        ("redline.toml", "exclude = 3\n", "redline.toml:1: exclude: expected a list of strings"),
        ("pyproject.toml", '[tool.redline]\nexclud = ["vendor/"]\n', "pyproject.toml:2: exclud: unknown key"),
        ("redline.toml", 'exclude = ["vendor/", "[z-a].py"]\n', "redline.toml:1: exclude: invalid glob '[z-a].py'"),
        ("redline.toml", 'ignore = ["RL1O2"]\n', "redline.toml:1: ignore: unknown rule(s) RL1O2"),
        ("redline.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n", "redline.toml: not valid TOML: nested too deeply"),
        ("redline.toml", 'x = "\xff"\n', "redline.toml: cannot read: not UTF-8 text"),
        ("redline.toml", "#" * 10_000_001 + "\n", "redline.toml: cannot read: larger than 10,000,000 bytes"),
    ],
)
def test_an_invalid_discovered_configuration_stops_the_scan(project, name, content, fragment):
    (project / "redline.toml").unlink()
    (project / name).write_text(content, "latin-1" if "\xff" in content else "utf-8")
    out, err = check(redline("scan", "app.py", cwd=project), 2, f"redline: error: {project / name}", fragment)
    assert out == "" and "redline scan does not run until" in err


def test_control_characters_from_the_configuration_do_not_reach_the_terminal(project):
    (project / "redline.toml").write_text('"\\u001b]0;owned\\u0007\\u001b[2J" = 1\n')
    _out, err = check(redline("scan", "app.py", cwd=project), 2, "redline.toml: ?]0;owned??[2J: unknown key")
    assert "\x1b" not in err and "\x07" not in err


def test_configuration_files_that_are_not_files(project):
    check(redline("scan", "app.py", "--config", "missing.toml", cwd=project), 2, "redline: error: --config missing.toml: no such file")
    check(redline("scan", "app.py", "--config", ".", cwd=project), 2, "redline: error: --config .: not a configuration file (a folder)")
    os.mkfifo(project / "pipe.toml")
    check(redline("scan", "app.py", "--config", "pipe.toml", cwd=project), 2, "not a configuration file (a FIFO)")
    (project / "redline.toml").unlink()
    os.mkfifo(project / "redline.toml")  # not a configuration file: discovery passes it by
    check(redline("scan", "app.py", "--no-slow", cwd=project), 1)


def test_a_configuration_that_cannot_be_read(project):
    (project / "redline.toml").chmod(0)
    check(redline("scan", "app.py", cwd=project, as_nobody=True), 2, "redline.toml: cannot read: Permission denied")


def test_the_language_server_reports_a_bad_configuration_and_uses_the_rest(tmp_path):
    (tmp_path / "redline.toml").write_text('ignore = ["RL102"]\nexclude = ["[z-a]", "vendor/"]\nselct = 1\n')
    resolver = ConfigResolver()
    config = resolver.for_path(str(tmp_path / "app.py"))
    assert config.ignore == ("RL102",) and config.exclude == ("vendor/",)
    problems = resolver.problems[str(tmp_path / "redline.toml")]
    assert [(p.key, p.line) for p in problems] == [("exclude", 1), ("selct", 2)]
    (tmp_path / "redline.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000)
    resolver.invalidate()
    assert resolver.for_path(str(tmp_path / "app.py")) == Config()
    assert "nested too deeply" in resolver.problems[str(tmp_path / "redline.toml")][0].message


def test_every_key_the_configuration_accepts_is_listed_as_known():
    """Unknown keys stop `redline scan`, and the message lists the known ones: a key added to
    from_mapping but not to KEYS would be listed wrongly (and the other way round)."""
    import inspect
    import re

    from redline import config

    source = inspect.getsource(config.from_mapping)
    handled = set()
    for group in re.findall(r"key (?:==|in) (\([^)]*\)|\"[^\"]+\")", source):
        handled.update(re.findall(r'"([a-z-]+)"', group))
    assert handled == set(config.KEYS)
    for key in config.KEYS:
        _c, problems = config.from_mapping({key: object()}, "f.toml")
        assert all("unknown key" not in p.message for p in problems), key


# ---------------------------------------------------------------- output


def test_outputs_that_cannot_be_written(project):
    (project / "out").mkdir()
    check(redline("scan", "app.py", "-o", "out", cwd=project), 2, "redline: error: cannot write out: it is a folder")
    check(redline("scan", "app.py", "-o", "no/such/folder/r.txt", cwd=project), 2, "redline: error: cannot write no/such/folder/r.txt: no folder")
    check(redline("scan", "app.py", "--write-baseline", "out", cwd=project), 2, "redline: error: cannot write baseline out")
    (project / "out").chmod(0o555)
    check(redline("scan", "app.py", "-o", "out/r.txt", cwd=project, as_nobody=True), 2, "redline: error: cannot write out/r.txt: Permission denied")


def test_empty_file_names_are_not_taken_as_no_option(project):
    # `--config ""` used to fall back to the discovered configuration, `-o ""` to stdout.
    out, _err = check(redline("scan", "app.py", "--config", "", "-o", "", cwd=project), 2, "redline: error: --config, --output: expected a file name")
    assert out == ""


def test_standard_output_closed_or_full(project):
    closed = subprocess.run([*COMMAND, "scan", "app.py"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=HANG_GUARD, close_fds=True, preexec_fn=lambda: os.close(1))
    check(closed, 2, "cannot write the report: standard output is closed")
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run([*COMMAND, "scan", "app.py"], cwd=project, stdout=full, stderr=subprocess.PIPE, timeout=HANG_GUARD)
    _out, err = check(result, 2, "redline: error: cannot write the report to standard output: No space left on device")
    assert "Exception ignored" not in err


# ---------------------------------------------------------------- the last guard

BOOM = (
    "import sys\n"
    "from redline import cli\n"
    "def boom(*a, **k):\n"
    "    raise RuntimeError('boom\\nsecond line')\n"
    "cli._write_report = boom\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def test_an_unexpected_exception_is_one_line_and_exit_2(project):
    result = redline("scan", "app.py", cwd=project, command=[sys.executable, "-c", BOOM])
    out, err = text(result)
    assert result.returncode == 2 and TRACEBACK not in err
    assert err.strip().splitlines() == ["redline: error: internal error: RuntimeError: boom (run with --debug or REDLINE_DEBUG=1 for the traceback)"]


@pytest.mark.parametrize("args,env", [(["--debug", "scan", "app.py"], None), (["scan", "app.py", "--debug"], None), (["scan", "app.py"], {"REDLINE_DEBUG": "1"})])
def test_debug_shows_the_traceback(project, args, env):
    result = redline(*args, cwd=project, env=env, command=[sys.executable, "-c", BOOM])
    _out, err = text(result)
    assert result.returncode == 2
    assert TRACEBACK in err and "RuntimeError: boom" in err
    assert err.strip().splitlines()[-1] == "redline: error: internal error: RuntimeError: boom"


# ---------------------------------------------------------------- random input

NAMES = ("x.py", "x.js", "x.go", "X.java", "x.tf", "x.yaml", "Dockerfile", "requirements.txt", "package.json", "x.sh")
KEYS = ("select", "ignore", "exclude", "severity", "engines", "min-severity", "min-confidence", "max-file-size", "application", "advisory-url", "bogus", "engines.bandit", "severity.RL101")
VALUES = ('["RL101"]', '"RL1"', "[1, 2]", '["[z-a]", "**/x"]', "true", "0", "-1", "9223372036854775807", '"error"', '{ bandit = false }', "{ RL101 = 3 }", '"file:///x"', "[[[]]]", "1979-05-27", "inf", '"\\u0000"')


def _config_text():
    line = st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)).map(lambda kv: f"{kv[0]} = {kv[1]}")
    structured = st.lists(line, max_size=4).map("\n".join)
    return st.one_of(st.text(max_size=200), structured, st.just(""))


# Random bytes are rarely UTF-8 (skipped as undecodable): half the files are random text, which
# reaches the parsers and the rules.
CONTENT = st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=CONTENT, name=st.sampled_from(NAMES), config_text=_config_text())
def test_random_file_contents_and_configurations_never_crash(content, name, config_text):
    with tempfile.TemporaryDirectory(prefix="rl-") as folder:
        (Path(folder) / name).write_bytes(content)
        (Path(folder) / "redline.toml").write_text(config_text, "utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["scan", str(Path(folder) / name), "--no-slow", "--jobs", "1", "--format", "json"])
    assert code in (0, 1, 2), err.getvalue()
    assert TRACEBACK not in err.getvalue() and "internal error" not in err.getvalue(), err.getvalue()
    if code != 2:
        json.loads(out.getvalue())
