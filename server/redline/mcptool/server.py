"""The MCP server: `redline mcp [--root DIR]`, stdio, built on the official SDK's `MCPServer`
(mcp 2.x: `mcp.server.mcpserver`). Each tool returns a `CallToolResult` with the typed result in
`structured_content` (validated against the tool's output schema, a pydantic model below) and a
short text summary in `content` for clients that read only text.

Bad input (unknown language, code above max-file-size, binary text, a path outside the root, an
unknown rule or ecosystem) raises `ToolError`: the call returns `is_error` with the message, and
the server carries on. An unexpected exception is turned into a ToolError too (message
"internal error: ..."), logged with its traceback on stderr; stdout carries only the protocol.
Calls into the engine are serialized: the engines keep per-process state, and an agent calls
one tool at a time anyway.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Annotated, Any, Callable, Optional

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from redline import __version__
from redline.mcptool import core

log = logging.getLogger(__name__)

TEXT_LINES = 25  # findings listed in the text summary; the structured result has them all


# ---------------------------------------------------------------- output schemas


class Edit(BaseModel):
    start_line: int = Field(description="1-based line where the replaced text starts")
    start_column: int = Field(description="1-based column (Unicode characters)")
    end_line: int
    end_column: int = Field(description="1-based, exclusive")
    new_text: str = Field(description="text that replaces the range")


class FixModel(BaseModel):
    title: str
    safe: bool = Field(description="keeps behaviour apart from the vulnerability (fix_code applies only these)")
    edits: list[Edit]


class RelatedModel(BaseModel):
    message: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int


class FindingModel(BaseModel):
    code: str = Field(description="rule code, e.g. RL101 (explain_rule documents it)")
    name: str = Field(description="rule name, e.g. sql-injection")
    message: str
    severity: str = Field(description="error, warning, info or hint")
    confidence: str = Field(description="high, medium or low")
    cwe: list[int]
    path: str
    start_line: int = Field(description="1-based")
    start_column: int = Field(description="1-based, Unicode characters")
    end_line: int
    end_column: int = Field(description="1-based, exclusive")
    engine: str
    fingerprint: str
    snippet: str = Field(description="the flagged line, secrets masked")
    fixes: list[FixModel]
    related: list[RelatedModel]
    properties: dict[str, str]


class Summary(BaseModel):
    files: int
    lines: int
    findings: int
    by_severity: dict[str, int]
    skipped: int
    baseline_matched: int


class SkippedModel(BaseModel):
    path: str
    reason: str
    kind: str


class ErrorModel(BaseModel):
    path: str
    source: str = Field(description="the engine or rule that failed; its findings for the file are left out")
    message: str


class ConfigProblem(BaseModel):
    file: str
    key: str
    line: Optional[int]
    message: str


class ScanCodeResult(BaseModel):
    path: str = Field(description="the name the code was scanned as")
    language: str
    root: str
    summary: Summary
    findings: list[FindingModel]
    skipped: list[SkippedModel]
    errors: list[ErrorModel]
    config_problems: list[ConfigProblem] = Field(description="problems in the project's redline.toml (its defaults were used)")
    truncated: int = Field(description="findings left out of this result (the most severe are kept)")


class ScanFilesResult(BaseModel):
    root: str
    summary: Summary
    findings: list[FindingModel]
    skipped: list[SkippedModel]
    errors: list[ErrorModel]
    config_problems: list[ConfigProblem]
    truncated: int


class AppliedFix(BaseModel):
    line: int
    code: str
    title: str


class NotAppliedFix(BaseModel):
    line: int
    code: str
    title: str
    reason: str


class FixCodeResult(BaseModel):
    path: str
    language: str
    code: str = Field(description="the code with the safe fixes applied")
    changed: bool
    applied: list[AppliedFix]
    not_applied: list[NotAppliedFix]
    findings: list[FindingModel] = Field(description="what remains in the fixed code")
    summary: Summary
    errors: list[ErrorModel]
    config_problems: list[ConfigProblem]
    truncated: int


class Advisory(BaseModel):
    id: str
    aliases: list[str]
    severity: Optional[str]
    summary: str
    url: Optional[str]
    fixed_versions: list[str]


class PackageResult(BaseModel):
    input: str
    name: str
    version: Optional[str]
    status: str = Field(description="ok, vulnerable, possible-typosquat, unknown-name or does-not-exist (online)")
    vulnerable: bool
    advisories: list[Advisory]
    fixed_version: Optional[str] = Field(description="smallest version that fixes every known advisory")
    name_check: Optional[str] = Field(description="popular, known, typosquat, unknown, private or scope (PyPI and npm)")
    similar_to: Optional[str] = Field(description="the popular package a possible typosquat resembles")
    similarity: Optional[str]
    exists: Optional[bool] = Field(description="true: known to exist; false: the registry said it does not (online); null: not known")
    notes: list[str]


class DatabaseInfo(BaseModel):
    snapshot: Optional[str] = Field(description="when the advisory database was collected")
    data_date: Optional[str] = Field(description="the newest advisory of this ecosystem in it")
    note: Optional[str] = Field(description="set when this ecosystem's advisory data is old")
    error: Optional[str] = Field(description="why the database could not be loaded (no vulnerability checks then)")


class CheckPackagesResult(BaseModel):
    ecosystem: str
    online: bool
    database: DatabaseInfo
    packages: list[PackageResult]
    config_problems: list[ConfigProblem]


class RuleDoc(BaseModel):
    code: str
    name: str
    severity: str
    confidence: str
    cwe: list[int]
    languages: list[str]
    engine: str
    url: Optional[str]
    summary: str
    docs: str
    bandit: list[str]
    suppress: str


class ExplainRuleResult(BaseModel):
    rules: list[RuleDoc]
    text: str


# ---------------------------------------------------------------- text summaries


def _findings_text(findings: list[dict], truncated: int = 0) -> list[str]:
    lines = []
    for f in findings[:TEXT_LINES]:
        fix = ""
        if any(fx["safe"] for fx in f["fixes"]):
            fix = " [safe fix]"
        elif f["fixes"]:
            fix = " [fix to review]"
        lines.append(f"{f['path']}:{f['start_line']}:{f['start_column']}: {f['severity']} {f['code']} {f['name']}: {f['message']}{fix}")
    more = len(findings) - TEXT_LINES + truncated
    if more > 0:
        lines.append(f"... and {more} more (see the structured result)")
    return lines


def _report_text(report: dict, what: str) -> str:
    n = len(report["findings"]) + report.get("truncated", 0)
    head = f"{n} finding{'s' if n != 1 else ''} in {what}" + ("." if n == 0 else ":")
    lines = [head, *_findings_text(report["findings"], report.get("truncated", 0))]
    if report.get("errors"):
        lines.append(f"{len(report['errors'])} engine error(s): some findings may be missing.")
    if report.get("config_problems"):
        lines.append(f"The configuration has {len(report['config_problems'])} problem(s): " + "; ".join(p["message"] for p in report["config_problems"][:3]))
    return "\n".join(lines)


def _packages_text(result: dict) -> str:
    lines = []
    for p in result["packages"]:
        shown = p["name"] + (f" {p['version']}" if p["version"] else "")
        if p["status"] == "vulnerable":
            ids = ", ".join(a["id"] for a in p["advisories"][:5])
            fixed = f"; upgrade to {p['fixed_version']}" if p["fixed_version"] else "; no fixed version known"
            lines.append(f"{shown}: vulnerable ({ids}){fixed}")
        elif p["status"] == "possible-typosquat":
            lines.append(f"{shown}: possible typosquat of {p['similar_to']} ({p['similarity']})")
        elif p["status"] == "unknown-name":
            lines.append(f"{shown}: not in any offline list of {result['ecosystem']} packages; check it exists before installing")
        elif p["status"] == "does-not-exist":
            lines.append(f"{shown}: does not exist on the registry")
        else:
            lines.append(f"{shown}: ok")
        if p["status"] != "vulnerable" and p["vulnerable"]:
            lines[-1] += f" (also vulnerable: {', '.join(a['id'] for a in p['advisories'][:5])})"
    if result["database"]["note"]:
        lines.append(f"Note: {result['database']['note']}.")
    if result["database"]["error"]:
        lines.append(f"Advisory database unavailable: {result['database']['error']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the server


INSTRUCTIONS = (
    "Redline finds security problems in code. Call scan_code on code you generated before writing "
    "it to disk, fix_code to apply the safe fixes, scan_files on files of the project after "
    "changing them, check_packages before adding a dependency, and explain_rule for a finding's "
    "rule. Nothing is executed and nothing leaves the machine unless check_packages is called "
    "with online=true."
)


def _result(model: type[BaseModel], data: dict, text: str) -> CallToolResult:
    structured = model.model_validate(data).model_dump(mode="json")
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def build_server(root: str) -> MCPServer:
    """The MCP server for the project at `root` (the tools refuse paths outside it)."""
    ws = core.Workspace(root)
    lock = threading.Lock()
    # bandit's plugin loader reports its optional formatters (sarif) as errors on stderr, where an
    # MCP client shows them as the server's: they are no concern of a scan.
    logging.getLogger("stevedore").setLevel(logging.CRITICAL)

    def run(fn: Callable[[], Any]) -> Any:
        with lock:
            try:
                return fn()
            except core.BadInput as e:
                raise ToolError(str(e)) from None
            except ToolError:
                raise
            except Exception as e:  # noqa: BLE001 - a bug must cost one call, not the server
                log.exception("redline mcp: internal error")
                detail = str(e).splitlines()[0][:300] if str(e) else ""
                raise ToolError(f"internal error: {type(e).__name__}{': ' + detail if detail else ''}") from None

    server = MCPServer(
        "redline",
        title="Redline security checks",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

    @server.tool(
        annotations=read_only,
        description=(
            "Scan a piece of code for security problems. Call it BEFORE writing generated code to disk, and "
            "after generating code that touches SQL, shell commands, files and paths, HTTP requests, "
            "deserialization, crypto or hashing, secrets and credentials, templates, or dependencies. "
            "path_or_language is a file name (app.py, src/db.ts, Dockerfile, main.tf, requirements.txt, "
            "package.json) or a language id (python, javascript, typescript, go, java, terraform, yaml, "
            "dockerfile, bash). Returns findings with rule code, 1-based line/column range, severity, "
            "confidence, CWE, message and fixes as text edits. The code is never executed."
        ),
    )
    def scan_code(
        code: Annotated[str, Field(description="the source text to scan")],
        path_or_language: Annotated[str, Field(description="a file name like app.py / Dockerfile / requirements.txt, or a language id like python")],
    ) -> Annotated[CallToolResult, ScanCodeResult]:
        report = run(lambda: core.scan_code(ws, code, path_or_language))
        return _result(ScanCodeResult, report, _report_text(report, report["path"]))

    @server.tool(
        annotations=read_only,
        description=(
            "Scan files or folders of the project (paths relative to the project root, or absolute paths "
            "inside it) the way `redline scan` does: .gitignore and the project's redline.toml apply. Call it "
            "after writing or editing files, before committing. Paths outside the project root (after "
            "resolving symbolic links and '..') are refused. An empty list scans the whole project."
        ),
    )
    def scan_files(
        paths: Annotated[list[str], Field(description="files or folders, e.g. [\"src/app.py\", \"infra/\"]; [] or [\".\"] for the whole project")],
    ) -> Annotated[CallToolResult, ScanFilesResult]:
        report = run(lambda: core.scan_files(ws, paths))
        return _result(ScanFilesResult, report, _report_text(report, f"{report['summary']['files']} file(s)"))

    @server.tool(
        annotations=read_only,
        description=(
            "Check packages BEFORE adding them as dependencies (pip install, npm install, go get, a new "
            "line in requirements.txt / package.json / go.mod / pom.xml): known-vulnerable versions "
            "(advisory ids and the fixed version), possible typosquats (the popular package the name "
            "resembles) and names that no offline list knows (maybe invented). ecosystem: pypi, npm, go or "
            "maven. Packages like 'flask==2.3.3', 'requests', 'lodash@4.17.21', '@scope/pkg@1.2.3', "
            "'golang.org/x/net@v0.17.0', 'org.apache.commons:commons-text:1.9'. Offline unless online=true "
            "(then PyPI/npm are asked whether unknown names exist)."
        ),
    )
    def check_packages(
        ecosystem: Annotated[str, Field(description="pypi, npm, go or maven")],
        packages: Annotated[list[str], Field(description="package names, optionally with an exact version")],
        online: Annotated[Optional[bool], Field(description="ask PyPI/npm about names the offline lists do not know (sends those names to the registry); default off")] = None,
    ) -> Annotated[CallToolResult, CheckPackagesResult]:
        result = run(lambda: core.check_packages(ws, ecosystem, packages, online))
        return _result(CheckPackagesResult, result, _packages_text(result))

    @server.tool(
        annotations=read_only,
        description=(
            "Apply Redline's safe fixes to a piece of code and return the fixed code plus the findings that "
            "remain. Call it after scan_code reports findings with a safe fix, then review what remains. "
            "rules limits the fixes to some rules (codes like RL112, names like unsafe-yaml-load, prefixes "
            "like RL1). Nothing is written to disk."
        ),
    )
    def fix_code(
        code: Annotated[str, Field(description="the source text to fix")],
        path_or_language: Annotated[str, Field(description="a file name like app.py or a language id like python")],
        rules: Annotated[Optional[list[str]], Field(description="only fix findings of these rules (default: all)")] = None,
    ) -> Annotated[CallToolResult, FixCodeResult]:
        result = run(lambda: core.fix_code(ws, code, path_or_language, rules))
        head = (
            f"Applied {len(result['applied'])} fix(es): " + "; ".join(f"line {a['line']} {a['code']} {a['title']}" for a in result["applied"])
            if result["applied"] else "No safe fix applied."
        )
        text = head + "\n" + _report_text(result, f"the fixed {result['path']}") + "\n\nFixed code:\n" + result["code"]
        return _result(FixCodeResult, result, text)

    @server.tool(
        annotations=read_only,
        description=(
            "Explain a Redline rule: what it finds, why it matters, how to fix it and how to suppress it. "
            "code is a rule code (RL101), a rule name (sql-injection) or a code prefix (RL1)."
        ),
    )
    def explain_rule(
        code: Annotated[str, Field(description="rule code like RL101 or name like sql-injection")],
    ) -> Annotated[CallToolResult, ExplainRuleResult]:
        result = run(lambda: core.explain_rule(code))
        return _result(ExplainRuleResult, result, result["text"])

    return server


def run(root: str | None = None) -> int:
    """Serve on stdio until the client closes the connection."""
    server = build_server(os.path.abspath(root or os.getcwd()))
    server.run("stdio")
    return 0
