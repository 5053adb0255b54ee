"""`redline scan`, `rules`, `lsp` and `db`: options, outputs and exit codes."""

import json
import subprocess
import sys
import types
from pathlib import Path

import jsonschema
import pytest

from redline import cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))

VULNERABLE = '''import os


def find(cur, name):
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")


def run(cmd):
    os.system(f"echo {cmd}")
'''
SAFE = "def f(cur, name):\n    cur.execute('SELECT * FROM users WHERE name = ?', (name,))\n"
# These tests are about the command, not about which engines report what: the imported engines
# (bandit, detect-secrets) are switched off so that only Redline's own rules speak.
ENGINES = "\n[engines]\nbandit = false\ndetect-secrets = false\n"


def configure(project: Path, text: str = "") -> Path:
    path = project / "redline.toml"
    path.write_text(text + ENGINES)
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(VULNERABLE)
    (tmp_path / "safe.py").write_text(SAFE)
    (tmp_path / "README.md").write_text("# project\n")
    configure(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(argv, capsys) -> tuple[int, dict]:
    code, out, err = run(["scan", *argv, "--format", "json"], capsys)
    return code, json.loads(out)


# ---------------------------------------------------------------- text output and exit codes


def test_text_output_and_exit_status(project, capsys):
    code, out, err = run(["scan", "."], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("app.py:5:5: RL101 [error] SQL built with an f-string")
    assert lines[1] == '  5 |     cur.execute(f"SELECT * FROM users WHERE name = \'{name}\'")'
    assert lines[2].startswith("    |     ^^^^")
    assert any(line.startswith("app.py:9:5: RL102 [error]") for line in lines)
    # app.py, safe.py and redline.toml (a TOML file) are scanned: 9 + 2 + 4 lines.
    assert lines[-1].startswith("2 findings (2 errors) in 1 of 3 files (15 lines)")
    assert "\033[" not in out  # not a terminal: no colour
    assert err == ""  # README.md is a routine skip: not listed without --show-skipped


def test_no_findings_exits_zero(project, capsys):
    code, out, _ = run(["scan", "safe.py"], capsys)
    assert code == 0 and out.startswith("No findings in 1 file (2 lines) scanned in ")


@pytest.mark.parametrize(
    "fail_on,severity,expected",
    [
        ("never", "error", 0),
        ("error", "error", 1),
        ("error", "warning", 0),
        ("warning", "warning", 1),
        ("warning", "info", 0),
        ("info", "info", 1),
        ("hint", "hint", 1),
    ],
)
def test_fail_on(project, capsys, fail_on, severity, expected):
    configure(project, f'[severity]\nRL1 = "{severity}"\n')
    code, _out, _err = run(["scan", "app.py", "--fail-on", fail_on], capsys)
    assert code == expected


def test_default_fail_on_is_warning(project, capsys):
    assert cli.FAIL_ON_DEFAULT == "warning"
    configure(project, '[severity]\nRL1 = "warning"\n')
    assert run(["scan", "app.py"], capsys)[0] == 1
    configure(project, '[severity]\nRL1 = "info"\n')
    assert run(["scan", "app.py"], capsys)[0] == 0


@pytest.mark.parametrize(
    "option,value,codes",
    [
        ("--select", "RL101", ["RL101"]),
        ("--select", "sql-injection,command-injection", ["RL101", "RL102"]),
        ("--select", "RL1", ["RL101", "RL102"]),
        ("--select", "RL103", []),
        ("--ignore", "RL101", ["RL102"]),
        ("--ignore", "command-injection", ["RL101"]),
        ("--ignore", "RL1", []),
    ],
)
def test_select_and_ignore(project, capsys, option, value, codes):
    code, doc = scan_json(["app.py", option, value], capsys)
    assert sorted(f["code"] for f in doc["findings"]) == codes
    assert code == (1 if codes else 0)


def test_select_replaces_and_ignore_adds_to_the_configuration(project, capsys):
    configure(project, 'select = ["RL102"]\nignore = ["RL103"]\n')
    _code, doc = scan_json(["app.py"], capsys)
    assert [f["code"] for f in doc["findings"]] == ["RL102"]
    _code, doc = scan_json(["app.py", "--select", "RL101"], capsys)
    assert [f["code"] for f in doc["findings"]] == ["RL101"]
    _code, doc = scan_json(["app.py", "--select", "RL1", "--ignore", "RL101"], capsys)
    assert [f["code"] for f in doc["findings"]] == ["RL102"]


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_in_select_or_ignore_is_a_usage_error(project, capsys, option):
    code, out, err = run(["scan", ".", option, "RL101,RL999"], capsys)
    assert code == 2 and out == ""
    assert f"{option}: unknown rule 'RL999'" in err


def test_missing_path_is_a_usage_error(project, capsys):
    code, _out, err = run(["scan", "nope.py"], capsys)
    assert code == 2 and "no such file or folder: nope.py" in err


@pytest.mark.parametrize("argv", [[], ["scan"], ["scan", ".", "--format", "xml"], ["scan", ".", "--jobs", "-1"], ["frobnicate"]])
def test_bad_usage_exits_2(project, capsys, argv):
    assert run(argv, capsys)[0] == 2


def test_help_and_version_exit_0(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "scan" in out and "rules" in out and "lsp" in out
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.startswith("redline ")
    code, out, _ = run(["scan", "--help"], capsys)
    assert code == 0 and "--fail-on" in out and "default: warning" in out


# ---------------------------------------------------------------- configuration


def test_config_problems_stop_the_scan_naming_file_line_and_key(project, capsys):
    # A misspelt or mistyped key must not quietly change what CI checks: exit 2, nothing scanned.
    configure(project, 'online = false\nselct = ["RL101"]\nmax-file-size = "big"\n')
    code, out, err = run(["scan", "app.py"], capsys)
    assert code == 2 and out == ""
    assert f"redline: error: {project / 'redline.toml'}:2: selct: unknown key" in err
    assert f"redline: error: {project / 'redline.toml'}:3: max-file-size: expected a positive number of bytes" in err


def test_pyproject_tool_redline_is_found_from_a_subfolder(project, capsys):
    (project / "redline.toml").unlink()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.redline]\nignore = ["RL102"]\n\n[tool.redline.engines]\nbandit = false\ndetect-secrets = false\n'
    )
    (project / "pkg").mkdir()
    (project / "pkg" / "mod.py").write_text(VULNERABLE)
    _code, doc = scan_json(["pkg"], capsys)
    assert [f["code"] for f in doc["findings"]] == ["RL101"]


def test_explicit_config(project, capsys, tmp_path_factory):
    other = tmp_path_factory.mktemp("cfg") / "ci.toml"
    other.write_text('ignore = ["RL101"]\n' + ENGINES)
    configure(project, 'ignore = ["RL102"]\n')
    _code, doc = scan_json(["app.py", "--config", str(other)], capsys)
    assert [f["code"] for f in doc["findings"]] == ["RL102"]


@pytest.mark.parametrize("content,fragment", [(None, "no such file"), ("select = [\n", "not valid TOML")])
def test_explicit_config_that_cannot_be_used_exits_2(project, capsys, content, fragment):
    path = project / "ci.toml"
    if content is not None:
        path.write_text(content)
    code, out, err = run(["scan", "app.py", "--config", str(path)], capsys)
    assert code == 2 and out == "" and fragment in err


def test_a_broken_discovered_config_exits_2(project, capsys):
    configure(project, "select = [\n")
    code, out, err = run(["scan", "app.py", "--no-slow"], capsys)
    assert code == 2 and out == "" and "not valid TOML" in err


def test_exclude_from_config(project, capsys):
    (project / "vendor").mkdir()
    (project / "vendor" / "lib.py").write_text(VULNERABLE)
    configure(project, 'exclude = ["vendor/"]\n')
    _code, doc = scan_json(["."], capsys)
    assert {f["path"] for f in doc["findings"]} == {"app.py"}
    assert {"path": "vendor", "reason": "matches 'vendor/' (exclude in redline.toml)", "kind": "excluded"} in doc["skipped"]


# ---------------------------------------------------------------- skipped files and errors


def test_skipped_files_are_listed_with_reasons(project, capsys):
    (project / "blob.py").write_bytes(b"\x00\x01binary")
    (project / ".gitignore").write_text("ignored.py\n")
    (project / "ignored.py").write_text(VULNERABLE)
    (project / "big.py").write_text("x = 1\n" * 100)
    configure(project, "max-file-size = 300\n")
    code, out, err = run(["scan", "."], capsys)
    assert "blob.py: skipped: binary file (contains NUL bytes)" in err
    assert "big.py: skipped: larger than the 300 bytes limit (600 bytes)" in err
    assert "ignored.py" not in err and "ignored.py" not in out  # routine skip
    assert "--show-skipped lists them" in out
    _code, _out, err = run(["scan", ".", "--show-skipped"], capsys)
    assert "ignored.py: skipped: matches 'ignored.py' in .gitignore" in err
    assert "README.md: skipped: no Redline language" in err
    _code, doc = scan_json(["."], capsys)
    kinds = {s["path"]: s["kind"] for s in doc["skipped"]}
    assert kinds == {
        ".gitignore": "language",
        "README.md": "language",
        "big.py": "size",
        "blob.py": "binary",
        "ignored.py": "ignored",
    }


def test_show_skipped_lists_generated_files_in_every_format(project, capsys):
    # A minified bundle and a file under dist/ are not scanned (role generated): the text report
    # lists them with --show-skipped, JSON and SARIF always carry them with their reason.
    (project / "static").mkdir()
    (project / "static" / "app.min.js").write_text("var a=document.location.hash;" * 80 + "\n")
    (project / "dist").mkdir()
    (project / "dist" / "bundle.js").write_text("eval(location.hash);\n")
    configure(project)
    _code, out, err = run(["scan", "."], capsys)
    assert "app.min.js" not in err and "--show-skipped lists them" in out  # routine: counted, not listed
    _code, _out, err = run(["scan", ".", "--show-skipped"], capsys)
    assert "static/app.min.js: skipped: generated, minified or vendored file" in err
    assert "dist/bundle.js: skipped: generated, minified or vendored file" in err
    _code, doc = scan_json(["."], capsys)
    skipped = {s["path"]: s for s in doc["skipped"]}
    assert skipped["static/app.min.js"]["kind"] == "generated" and skipped["dist/bundle.js"]["kind"] == "generated"
    assert "not scanned" in skipped["dist/bundle.js"]["reason"]
    assert not any(f["path"].startswith(("dist/", "static/")) for f in doc["findings"])
    _code, out, _err = run(["scan", ".", "--format", "sarif"], capsys)
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    ids = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n["descriptor"]["id"] for n in notes}
    assert ids["static/app.min.js"] == "skipped/generated" and ids["dist/bundle.js"] == "skipped/generated"


def test_engine_errors_are_reported_not_fatal(project, capsys, monkeypatch):
    from redline.engines.treesitter import TreeSitterEngine

    def boom(self, file, config):
        if file.path.endswith("app.py"):
            raise RuntimeError("query exploded")
        return []

    monkeypatch.setattr(TreeSitterEngine, "scan", boom)
    code, out, err = run(["scan", ".", "--jobs", "1"], capsys)
    assert code == 0
    assert "redline: app.py: error: redline: RuntimeError: query exploded" in err
    _code, doc = scan_json([".", "--jobs", "1"], capsys)
    assert doc["errors"] == [{"path": "app.py", "source": "redline", "message": "RuntimeError: query exploded"}]


def test_a_crash_in_the_analysis_of_one_file_does_not_stop_the_scan(project, capsys, monkeypatch):
    import redline.pipeline as pipeline

    real = pipeline.analyze

    def analyze(file, config, slow=True):
        if file.path.endswith("safe.py"):
            raise ValueError("bug")
        return real(file, config, slow=slow)

    monkeypatch.setattr(pipeline, "analyze", analyze)
    # --no-cache: the cached path (redline.cache) is tested in test_cli_cache.py.
    code, _out, err = run(["scan", ".", "--jobs", "1", "--no-cache"], capsys)
    assert code == 1 and "safe.py: error: redline: ValueError: bug" in err


def test_no_slow_runs_only_fast_engines(project, capsys, monkeypatch):
    import redline.pipeline as pipeline

    seen = []
    real = pipeline.analyze
    monkeypatch.setattr(pipeline, "analyze", lambda f, c, slow=True: seen.append(slow) or real(f, c, slow=slow))
    run(["scan", "app.py", "--no-slow", "--no-cache"], capsys)
    run(["scan", "app.py", "--no-cache"], capsys)
    assert seen == [False, True]


# ---------------------------------------------------------------- formats and output


def test_json_output(project, capsys):
    code, doc = scan_json(["."], capsys)
    assert code == 1
    assert doc["version"] == 1 and doc["root"] == str(project)
    assert doc["summary"]["files"] == 3 and doc["summary"]["findings"] == 2
    f = doc["findings"][0]
    assert (f["code"], f["path"], f["start_line"], f["start_column"]) == ("RL101", "app.py", 5, 5)
    assert f["cwe"] == [89] and f["severity"] == "error" and len(f["fingerprint"]) == 32


def test_sarif_output_validates(project, capsys):
    (project / "blob.py").write_bytes(b"\x00")
    code, out, _err = run(["scan", ".", "--format", "sarif"], capsys)
    assert code == 1
    doc = json.loads(out)
    cls = jsonschema.validators.validator_for(SCHEMA)
    errors = list(cls(SCHEMA, format_checker=cls.FORMAT_CHECKER).iter_errors(doc))
    assert not errors, errors[0].message
    run_ = doc["runs"][0]
    assert {r["ruleId"] for r in run_["results"]} == {"RL101", "RL102"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]}
    assert uris == {"app.py"}
    rule_ids = {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert {"RL101", "RL102", "RL103"} <= rule_ids


def test_output_file(project, capsys):
    code, out, _err = run(["scan", ".", "--format", "json", "--output", "report.json"], capsys)
    assert code == 1 and out == ""
    assert json.loads((project / "report.json").read_text())["summary"]["findings"] == 2
    code, out, _ = run(["scan", ".", "-o", "report.txt"], capsys)
    assert out == "" and "app.py:5:5: RL101" in (project / "report.txt").read_text()


def test_output_file_that_cannot_be_written_exits_2(project, capsys):
    (project / "out").mkdir()
    code, _out, err = run(["scan", ".", "--output", "out"], capsys)
    assert code == 2 and "cannot write out" in err


def test_color_always(project, capsys):
    _code, out, _ = run(["scan", "app.py", "--color", "always"], capsys)
    assert "\033[1;31m[error]" in out


def test_parallel_scan_equals_serial_scan(project, capsys):
    for i in range(6):
        (project / f"m{i}.py").write_text(VULNERABLE.replace("users", f"t{i}"))
    _c1, serial = scan_json([".", "--jobs", "1"], capsys)
    _c2, parallel = scan_json([".", "--jobs", "3"], capsys)
    assert serial["findings"] == parallel["findings"] and len(serial["findings"]) == 14
    assert serial["skipped"] == parallel["skipped"]


# ---------------------------------------------------------------- baselines


def test_baseline_round_trip_survives_line_shifts(project, capsys):
    code, _out, err = run(["scan", ".", "--write-baseline", "baseline.json"], capsys)
    assert code == 0 and "wrote 2 finding(s)" in err
    saved = json.loads((project / "baseline.json").read_text())
    assert [e["code"] for e in saved["findings"]] == ["RL101", "RL102"]

    # Code moves down: the known findings stay known.
    (project / "app.py").write_text('"""Docstring."""\n\nimport os\n\n' + VULNERABLE)
    code, doc = scan_json([".", "--baseline", "baseline.json"], capsys)
    assert code == 0 and doc["findings"] == [] and doc["summary"]["baseline_matched"] == 2
    code, out, _ = run(["scan", ".", "--baseline", "baseline.json"], capsys)
    assert "2 known in the baseline not shown" in out

    # A new finding is reported on its own.
    (project / "app.py").write_text(VULNERABLE + "\n\ndef g(cur, x):\n    cur.execute('DELETE FROM t WHERE id = ' + x)\n")
    code, doc = scan_json([".", "--baseline", "baseline.json"], capsys)
    assert code == 1 and [(f["code"], f["start_line"]) for f in doc["findings"]] == [("RL101", 13)]
    code, out, _ = run(["scan", ".", "--baseline", "baseline.json", "--format", "sarif"], capsys)
    assert [r["baselineState"] for r in json.loads(out)["runs"][0]["results"]] == ["new"]


@pytest.mark.parametrize("content", ["{", '{"version": 1}', '{"version": 2, "findings": []}'])
def test_bad_baseline_exits_2(project, capsys, content):
    (project / "b.json").write_text(content)
    code, out, err = run(["scan", ".", "--baseline", "b.json"], capsys)
    assert code == 2 and out == "" and "b.json" in err


def test_missing_baseline_exits_2(project, capsys):
    code, _out, err = run(["scan", ".", "--baseline", "none.json"], capsys)
    assert code == 2 and "cannot read baseline" in err


# ---------------------------------------------------------------- redline rules


def test_rules_table(capsys):
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split()[:5] == ["CODE", "NAME", "SEVERITY", "CWE", "LANGUAGES"]
    row = next(r for r in rows if r.startswith("RL101"))
    assert "sql-injection" in row and "error" in row and "CWE-89" in row and "python" in row


@pytest.mark.parametrize("selector", ["RL101", "rl101", "sql-injection"])
def test_rule_documentation(capsys, selector):
    code, out, _ = run(["rules", selector], capsys)
    assert code == 0
    assert out.startswith("RL101 sql-injection\n")
    assert "CWE-89" in out and "Fix:" in out and "redline: ignore[RL101]" in out


def test_rules_by_prefix_and_json(capsys):
    code, out, _ = run(["rules", "RL1", "--format", "json"], capsys)
    rules = json.loads(out)
    assert code == 0 and all(r["code"].startswith("RL1") for r in rules)
    assert {"RL101", "RL102"} <= {r["code"] for r in rules} and "docs" in rules[0]


def test_unknown_rule_exits_2(capsys):
    code, out, err = run(["rules", "RL999"], capsys)
    assert code == 2 and out == "" and "unknown rule 'RL999'" in err


# ---------------------------------------------------------------- redline lsp / db


@pytest.fixture
def fake_lsp(monkeypatch):
    calls = []
    module = types.ModuleType("redline.lsp.server")
    module.run = lambda tcp=None: calls.append(tcp) or 0  # cmd_lsp returns the server's exit status
    monkeypatch.setitem(sys.modules, "redline.lsp.server", module)
    return calls


@pytest.mark.parametrize("argv,tcp", [(["lsp"], None), (["lsp", "--stdio"], None), (["lsp", "--tcp", "127.0.0.1:2087"], "127.0.0.1:2087")])
def test_lsp_calls_the_server(fake_lsp, capsys, argv, tcp):
    assert run(argv, capsys)[0] == 0
    assert fake_lsp == [tcp]


@pytest.mark.parametrize("value", ["2087", "host:", ":80", "h:99999", "h:port"])
def test_lsp_bad_tcp_address(fake_lsp, capsys, value):
    code, _out, err = run(["lsp", "--tcp", value], capsys)
    assert code == 2 and "HOST:PORT" in err and fake_lsp == []


def test_db_delegates_every_argument(monkeypatch, capsys):
    seen = []
    module = types.ModuleType("redline.deps.cli")
    module.main = lambda argv: seen.append(argv) or 3
    monkeypatch.setitem(sys.modules, "redline.deps.cli", module)
    assert cli.main(["db", "update", "--help", "--offline"]) == 3
    assert seen == [["update", "--help", "--offline"]]


def test_db_missing_module_exits_2(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "redline.deps.cli", None)
    code, _out, err = run(["db", "info"], capsys)
    assert code == 2 and "redline db" in err and "not available" in err


# ---------------------------------------------------------------- the installed command


def test_cli_module_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from redline import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('tree_sitter', 'pygls', 'lsprotocol', 'redline.pipeline', 'redline.rules.registry') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_python_dash_m_and_console_script(project):
    proc = subprocess.run([sys.executable, "-m", "redline", "scan", "app.py", "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 1 and json.loads(proc.stdout)["summary"]["findings"] == 2
    script = Path(sys.executable).parent / "redline"
    if script.exists():  # the console script from pyproject.toml
        proc = subprocess.run([str(script), "scan", "safe.py"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


def test_scan_skips_its_own_baseline_and_report_files(tmp_path):
    """A baseline's hex fingerprints must not be scanned as secrets on the next run."""
    from redline.cli import main

    (tmp_path / "app.py").write_text("import yaml\ncfg = yaml.load(open('c'))\n")
    base = tmp_path / ".redline-baseline.json"
    assert main(["scan", str(tmp_path), "--write-baseline", str(base), "--fail-on", "never"]) == 0
    out = tmp_path / "report.json"
    assert main(["scan", str(tmp_path), "--baseline", str(base), "--format", "json", "--output", str(out)]) == 0
    import json

    report = json.loads(out.read_text())
    scanned = {f["path"] for f in report["findings"]}
    assert ".redline-baseline.json" not in scanned and "report.json" not in scanned
    assert report["findings"] == []  # everything is in the baseline, nothing new


# ---------------------------------------------------------------- the scan loop


def test_paths_are_shown_relative_to_the_root_when_inside_it(tmp_path):
    root = tmp_path / "proj"
    assert cli._shown(root / "pkg" / "a.py", root) == "pkg/a.py"
    assert cli._shown(str(root / "a.py"), str(root) + "/") == "a.py"
    assert cli._shown(tmp_path / "other" / "b.py", root) == (tmp_path / "other" / "b.py").as_posix()
    assert cli._shown(tmp_path / "projx" / "c.py", root) == (tmp_path / "projx" / "c.py").as_posix()


def test_the_scan_leaves_no_objects_frozen_out_of_the_collector(project, capsys, monkeypatch):
    """run_scan freezes start-up objects for the scan only: an in-process caller (tests, an
    editor integration) must not keep every later object out of garbage collection."""
    import gc

    frozen = []
    real = cli.scan_file
    monkeypatch.setattr(cli, "scan_file", lambda *a, **k: frozen.append(gc.get_freeze_count()) or real(*a, **k))
    code, _doc = scan_json([".", "--jobs", "1"], capsys)
    assert code == 1 and frozen and all(n > 0 for n in frozen)
    assert gc.get_freeze_count() == 0
