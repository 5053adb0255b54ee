"""`redline mcp` end to end: the official SDK's own client (`stdio_client` + `ClientSession`)
launches `python -m redline mcp --root <tmp>` and calls each tool over stdio."""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

mcp = pytest.importorskip("mcp", reason="redline mcp needs the mcp package (a dependency in pyproject.toml)")

from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

from redline.deps import database  # noqa: E402

VULNERABLE = '''import subprocess


def run(cmd, conn, name):
    subprocess.run(cmd, shell=True)
    conn.execute(f"SELECT * FROM users WHERE name = '{name}'")
'''

FIXABLE = '''import yaml
import requests


def load(data, url):
    cfg = yaml.load(data)
    requests.get(url, verify=False, timeout=10)
    return cfg
'''

TOOLS = {"scan_code", "scan_files", "check_packages", "fix_code", "explain_rule"}


@contextlib.asynccontextmanager
async def session(root, tmp_path):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "redline", "mcp", "--root", str(root)],
        # The bundled advisory database, not a per-user copy this machine may have downloaded.
        env={"REDLINE_DATA_DIR": str(tmp_path / "user-data"), "XDG_CACHE_HOME": str(tmp_path / "cache")},
        cwd=str(tmp_path),
    )
    with open(tmp_path / "server-stderr.log", "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as s:
                await s.initialize()
                yield s


def rows(result):
    return sorted((f["code"], f["start_line"]) for f in result.structured_content["findings"])


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if c.type == "text")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "redline.toml").write_text("[engines]\nbandit = false\ndetect-secrets = false\n")
    (root / "app.py").write_text(VULNERABLE)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("import os\nos.system(input())\n")
    (root / "escape.py").symlink_to(outside / "secret.py")
    (root / "escape_dir").symlink_to(outside)
    return root


async def test_lists_the_tools_with_descriptions_and_schemas(project, tmp_path):
    async with session(project, tmp_path) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
    assert set(tools) == TOOLS
    assert "BEFORE writing generated code to disk" in tools["scan_code"].description
    assert "SQL" in tools["scan_code"].description and "secrets" in tools["scan_code"].description
    assert "BEFORE adding them as dependencies" in tools["check_packages"].description
    assert tools["scan_code"].input_schema["required"] == ["code", "path_or_language"]
    assert set(tools["check_packages"].input_schema["properties"]) == {"ecosystem", "packages", "online"}
    assert tools["check_packages"].input_schema["properties"]["packages"]["type"] == "array"
    assert set(tools["fix_code"].input_schema["required"]) == {"code", "path_or_language"}
    assert tools["scan_files"].input_schema["required"] == ["paths"]
    for t in tools.values():
        assert t.output_schema and t.output_schema["type"] == "object", t.name
        assert t.annotations.read_only_hint is True
    finding = tools["scan_code"].output_schema["$defs"]["FindingModel"]["properties"]
    assert {"code", "start_line", "start_column", "end_line", "end_column", "severity", "confidence", "cwe", "fixes"} <= set(finding)


async def test_scan_code_reports_shell_and_sql_injection_on_their_lines(project, tmp_path):
    async with session(project, tmp_path) as s:
        result = await s.call_tool("scan_code", {"code": VULNERABLE, "path_or_language": "app.py"})
        by_language = await s.call_tool("scan_code", {"code": VULNERABLE, "path_or_language": "python"})
    assert not result.is_error, text_of(result)
    assert rows(result) == [("RL101", 6), ("RL102", 5)]
    sql = next(f for f in result.structured_content["findings"] if f["code"] == "RL101")
    assert sql["name"] == "sql-injection" and sql["severity"] == "error" and 89 in sql["cwe"]
    assert (sql["start_column"], sql["end_line"]) == (5, 6) and sql["end_column"] > sql["start_column"]
    assert sql["confidence"] in ("high", "medium", "low") and sql["message"]
    assert result.structured_content["path"] == "app.py"
    assert result.structured_content["language"] == "python"
    assert "RL102 command-injection" in text_of(result) and "app.py:5:5" in text_of(result)
    assert rows(by_language) == rows(result)
    assert by_language.structured_content["path"] == "snippet.py"


async def test_fix_code_applies_the_safe_fixes_and_returns_what_remains(project, tmp_path):
    async with session(project, tmp_path) as s:
        before = await s.call_tool("scan_code", {"code": FIXABLE, "path_or_language": "app.py"})
        result = await s.call_tool("fix_code", {"code": FIXABLE, "path_or_language": "app.py"})
        only_yaml = await s.call_tool("fix_code", {"code": FIXABLE, "path_or_language": "app.py", "rules": ["RL112"]})
        unknown = await s.call_tool("fix_code", {"code": FIXABLE, "path_or_language": "app.py", "rules": ["RL999x"]})
    assert rows(before) == [("RL112", 6), ("RL305", 7)]
    edit = next(f for f in before.structured_content["findings"] if f["code"] == "RL112")["fixes"][0]
    assert edit["safe"] and edit["edits"][0]["start_line"] == 6 and "safe_load" in edit["edits"][0]["new_text"]
    fixed = result.structured_content
    assert fixed["code"] == FIXABLE.replace("yaml.load(data)", "yaml.safe_load(data)").replace("url, verify=False, timeout=10)", "url, timeout=10)")
    assert fixed["changed"] is True
    assert sorted((a["code"], a["line"]) for a in fixed["applied"]) == [("RL112", 6), ("RL305", 7)]
    assert fixed["findings"] == []
    assert "yaml.safe_load(data)" in text_of(result)
    assert "verify=False" in only_yaml.structured_content["code"]
    assert rows(only_yaml) == [("RL305", 7)]
    assert unknown.is_error and "unknown rule 'RL999x'" in text_of(unknown)
    assert not (project / "app.py").read_text().count("safe_load")  # nothing was written


async def test_scan_files_reads_inside_the_root_and_refuses_escapes(project, tmp_path):
    async with session(project, tmp_path) as s:
        inside = await s.call_tool("scan_files", {"paths": ["app.py"]})
        whole = await s.call_tool("scan_files", {"paths": []})
        dotdot = await s.call_tool("scan_files", {"paths": ["../outside/secret.py"]})
        absolute = await s.call_tool("scan_files", {"paths": [str(tmp_path / "outside")]})
        link = await s.call_tool("scan_files", {"paths": ["escape.py"]})
        link_dir = await s.call_tool("scan_files", {"paths": ["escape_dir/secret.py"]})
        sneaky = await s.call_tool("scan_files", {"paths": ["app.py/../../outside"]})
        missing = await s.call_tool("scan_files", {"paths": ["nope.py"]})
        again = await s.call_tool("scan_files", {"paths": ["."]})  # the server lives on
    assert not inside.is_error, text_of(inside)
    assert [(f["path"], f["code"], f["start_line"]) for f in inside.structured_content["findings"]] == [
        ("app.py", "RL102", 5), ("app.py", "RL101", 6)
    ]
    # The walk does not follow the links out of the root: only app.py is read.
    assert {f["path"] for f in whole.structured_content["findings"]} == {"app.py"}
    reasons = {s["path"]: s["reason"] for s in whole.structured_content["skipped"]}
    assert "outside" in reasons["escape.py"] and "outside" in reasons["escape_dir"]
    for refused, name in ((dotdot, "../outside/secret.py"), (absolute, str(tmp_path / "outside")), (link, "escape.py"),
                          (link_dir, "escape_dir/secret.py"), (sneaky, "app.py/../../outside")):
        assert refused.is_error, name
        assert f"refused: '{name}' is outside the project root" in text_of(refused)
        assert "secret" not in text_of(refused).split("root")[-1]  # no content of the file
    assert missing.is_error and "no such file or folder" in text_of(missing)
    assert rows(again) == rows(whole)


async def test_scan_files_reports_a_configuration_problem_instead_of_failing(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "redline.toml").write_text("ignored-rules = ['RL101']\n[engines]\nbandit = false\n")
    (root / "app.py").write_text(VULNERABLE)
    async with session(root, tmp_path) as s:
        result = await s.call_tool("scan_files", {"paths": ["."]})
    assert not result.is_error, text_of(result)
    problems = result.structured_content["config_problems"]
    assert [p["key"] for p in problems] == ["ignored-rules"] and problems[0]["line"] == 1
    assert rows(result) == [("RL101", 6), ("RL102", 5)]  # the scan ran with the rest of the configuration
    assert "configuration has 1 problem" in text_of(result)


async def test_check_packages_vulnerable_typosquat_and_unknown(project, tmp_path):
    has_db = database.packaged_database_path().exists()
    made_up = "zq-redline-" + "made-up-pkg"
    async with session(project, tmp_path) as s:
        result = await s.call_tool("check_packages", {"ecosystem": "pypi", "packages": ["flask==0.12", "reqeusts", made_up, "requests"]})
        npm = await s.call_tool("check_packages", {"ecosystem": "npm", "packages": ["@angular/core@1.0.0", "lodahs", "@zq-private-org/util@2.0.0"]})
        bad = await s.call_tool("check_packages", {"ecosystem": "cargo", "packages": ["serde"]})
        go_result = await s.call_tool("check_packages", {"ecosystem": "go", "packages": ["golang.org/x/net@v0.17.0"]})
        maven_result = await s.call_tool("check_packages", {"ecosystem": "maven", "packages": ["com.fasterxml.jackson.core:jackson-databind:2.9.8"]})
    assert not result.is_error, text_of(result)
    out = {p["input"]: p for p in result.structured_content["packages"]}
    assert result.structured_content["online"] is False
    assert out["reqeusts"]["status"] == "possible-typosquat" and out["reqeusts"]["similar_to"] == "requests"
    assert out[made_up]["status"] == "unknown-name" and out[made_up]["exists"] is None
    assert out["requests"]["status"] == "ok" and out["requests"]["exists"] is True
    assert "possible typosquat of requests" in text_of(result)
    assert bad.is_error and "unknown ecosystem 'cargo'" in text_of(bad)
    npm_out = {p["name"]: p for p in npm.structured_content["packages"]}
    assert npm_out["@angular/core"]["version"] == "1.0.0"
    assert npm_out["lodahs"]["similar_to"] == "lodash"
    private = npm_out["@zq-private-org/util"]
    assert (private["version"], private["name_check"], private["status"]) == ("2.0.0", "private", "ok")
    assert "private" in private["notes"][0]
    if not has_db:
        pytest.skip("the bundled advisory database (redline/data/advisories.rldb) is absent: `make data` builds it")
    flask = out["flask==0.12"]
    assert flask["status"] == "vulnerable" and flask["version"] == "0.12"
    assert "PYSEC-2018-66" in [a["id"] for a in flask["advisories"]]
    assert any("CVE-2023-30861" in a["aliases"] for a in flask["advisories"])
    assert flask["fixed_version"] == "2.2.5"
    assert "flask 0.12: vulnerable (PYSEC-2018-66" in text_of(result)
    assert npm_out["@angular/core"]["vulnerable"] is True
    go = {p["name"]: p for p in go_result.structured_content["packages"]}["golang.org/x/net"]
    assert go["version"] == "v0.17.0" and go["vulnerable"] and go["fixed_version"].startswith("v0.")
    maven = maven_result.structured_content["packages"][0]
    assert (maven["name"], maven["version"]) == ("com.fasterxml.jackson.core:jackson-databind", "2.9.8")
    assert maven["vulnerable"] and maven["fixed_version"]


async def test_explain_rule_by_code_and_name(project, tmp_path):
    async with session(project, tmp_path) as s:
        by_code = await s.call_tool("explain_rule", {"code": "RL101"})
        by_name = await s.call_tool("explain_rule", {"code": "command-injection"})
        unknown = await s.call_tool("explain_rule", {"code": "no-such-rule"})
    rule = by_code.structured_content["rules"][0]
    assert (rule["code"], rule["name"], rule["cwe"]) == ("RL101", "sql-injection", [89])
    assert "Fix:" in rule["docs"] and rule["suppress"] == "# redline: ignore[RL101] <reason>"
    assert text_of(by_code).startswith("RL101 sql-injection")
    assert [r["code"] for r in by_name.structured_content["rules"]] == ["RL102"]
    assert unknown.is_error and "unknown rule 'no-such-rule'" in text_of(unknown)


async def test_bad_input_is_a_tool_error_and_the_server_carries_on(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "redline.toml").write_text("max-file-size = 1000\n")
    async with session(root, tmp_path) as s:
        language = await s.call_tool("scan_code", {"code": "x = 1\n", "path_or_language": "cobol-85"})
        huge = await s.call_tool("scan_code", {"code": "x = 1\n" * 400, "path_or_language": "python"})
        binary = await s.call_tool("scan_code", {"code": "x = 1\0\n", "path_or_language": "python"})
        empty = await s.call_tool("scan_code", {"code": "x = 1\n", "path_or_language": ""})
        missing_arg = await s.call_tool("scan_code", {"code": "x = 1\n"})
        fine = await s.call_tool("scan_code", {"code": "import os\nos.system(cmd)\n", "path_or_language": "python"})
    assert language.is_error and "unknown language or file type 'cobol-85'" in text_of(language)
    assert huge.is_error and "larger than max-file-size (1,000 bytes)" in text_of(huge)
    assert binary.is_error and "NUL" in text_of(binary)
    assert empty.is_error and "path_or_language is empty" in text_of(empty)
    assert missing_arg.is_error and "path_or_language" in text_of(missing_arg)
    assert not fine.is_error and rows(fine) == [("RL102", 2)]


async def test_the_redline_script_serves_too(tmp_path):
    """The console script, as an agent's configuration runs it (`redline mcp`), from the project
    folder (no --root: the current folder)."""
    script = os.path.join(os.path.dirname(sys.executable), "redline")
    if not os.path.exists(script):
        pytest.skip("no redline script next to this interpreter (not installed with pip install -e .)")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text("import os\nos.system(cmd)\n")
    params = StdioServerParameters(command=script, args=["mcp"], cwd=str(root),
                                   env={"REDLINE_DATA_DIR": str(tmp_path / "user-data")})
    async with stdio_client(params, errlog=open(os.devnull, "w")) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            result = await s.call_tool("scan_files", {"paths": ["app.py"]})
            outside = await s.call_tool("scan_files", {"paths": [str(tmp_path)]})
    assert rows(result) == [("RL102", 2)]
    assert result.structured_content["root"] == os.path.realpath(root)
    assert outside.is_error


# ---------------------------------------------------------------- in process: the network


class _Registry:
    """A stand-in PyPI on 127.0.0.1 that knows no package (404) and counts the requests."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.paths: list[str] = []
        seen = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                seen.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/pypi"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def registry(monkeypatch, tmp_path):
    monkeypatch.setenv("REDLINE_DATA_DIR", str(tmp_path / "user-data"))  # the registry answers' cache
    server = _Registry()
    yield server
    server.close()


def test_check_packages_asks_the_registry_only_when_the_call_says_online(tmp_path, registry):
    from dataclasses import replace

    from redline.config import Config
    from redline.mcptool import core

    root = tmp_path / "proj"
    root.mkdir()
    # A cloned project cannot turn the network on, nor point it elsewhere.
    (root / "redline.toml").write_text(f'online = true\npypi-url = "{registry.url}"\n')
    made_up = "zq-redline-" + "invented-name"
    offline = core.check_packages(core.Workspace(root), "pypi", [made_up])
    assert offline["online"] is False and offline["packages"][0]["status"] == "unknown-name"
    assert registry.paths == []

    trusted = replace(Config(), pypi_url=registry.url)  # what the server's own settings say
    ws = core.Workspace(root, trusted)
    assert core.check_packages(ws, "pypi", [made_up])["packages"][0]["exists"] is None
    assert registry.paths == []
    online = core.check_packages(ws, "pypi", [made_up, "requests"], online=True)
    assert online["online"] is True
    out = {p["name"]: p for p in online["packages"]}
    assert out[made_up]["status"] == "does-not-exist" and out[made_up]["exists"] is False
    assert out["requests"]["status"] == "ok"
    assert registry.paths == [f"/pypi/{made_up}/json"]  # only the name no offline list knows


def test_code_named_under_a_folder_that_links_out_of_the_root_is_named_at_the_root(tmp_path):
    from redline.mcptool import core

    root = tmp_path / "proj"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "out").symlink_to(tmp_path / "outside")
    (root / "src").mkdir()
    ws = core.Workspace(root)
    assert core.resolve_target(ws, "src/app.py")[1:] == ("src/app.py", "python")
    assert core.resolve_target(ws, "out/requirements.txt")[1:] == ("requirements.txt", "requirements")
    assert core.resolve_target(ws, "../../etc/app.py")[1] == "app.py"
    full, shown, language = core.resolve_target(ws, "terraform")
    assert (shown, language) == ("main.tf", "hcl") and full == os.path.join(ws.root, "main.tf")


def test_the_cli_loads_the_sdk_only_for_redline_mcp_and_checks_the_root(tmp_path):
    import subprocess

    code = (
        "import sys\nfrom redline import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('mcp', 'mcp_types', 'redline.mcptool') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    proc = subprocess.run([sys.executable, "-m", "redline", "mcp", "--root", str(tmp_path / "nope")],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2 and "--root" in proc.stderr and "not a folder" in proc.stderr
    assert proc.stdout == ""


def test_docs_snippets_are_valid_and_name_every_tool():
    import asyncio
    import json
    import re
    from pathlib import Path

    from redline.mcptool.server import build_server

    doc = (Path(__file__).resolve().parent.parent / "docs" / "mcp.md").read_text()
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, re.S)]
    vscode = next(b for b in blocks if "servers" in b)["servers"]["redline"]
    assert vscode == {"type": "stdio", "command": "redline", "args": ["mcp"]}
    terminal = next(b for b in blocks if "mcpServers" in b)["mcpServers"]["redline"]
    assert terminal == {"command": "redline", "args": ["mcp"]}
    tools = asyncio.run(build_server(str(Path.cwd())).list_tools())
    table = set(re.findall(r"^\| `(\w+)` \|", doc, re.M))
    assert table == {t.name for t in tools} == TOOLS


def test_long_lists_are_capped_with_the_actionable_skips_first(tmp_path, monkeypatch):
    from redline.mcptool import core

    root = tmp_path / "proj"
    root.mkdir()
    for i in range(12):
        (root / f"notes{i}.md").write_text("x\n")  # no Redline language: routine skips
    (root / "blob.py").write_bytes(b"x = 1\0\n")  # binary: worth saying
    (root / "app.py").write_text("import os\n" + "os.system(cmd)\n" * 8)
    monkeypatch.setattr(core, "MAX_SKIPPED", 5)
    monkeypatch.setattr(core, "MAX_FINDINGS", 3)
    report = core.scan_files(core.Workspace(root), ["."])
    assert report["summary"]["skipped"] == 13 and len(report["skipped"]) == 5
    assert report["skipped"][0]["path"] == "blob.py" and report["skipped"][0]["kind"] == "binary"
    assert report["summary"]["findings"] == 8 and report["truncated"] == 5
    assert [(f["code"], f["start_line"]) for f in report["findings"]] == [("RL102", 2), ("RL102", 3), ("RL102", 4)]
