"""SARIF 2.1.0, as DESIGN.md fixes it and GitHub code scanning reads it.

One run; `tool.driver` names "redline" and lists every rule (id, name, shortDescription,
fullDescription, help, helpUri, defaultConfiguration.level, properties.tags with "security" and
each "CWE-n", properties.security-severity, properties.precision). Each result has ruleId,
ruleIndex, level, message.text, one location whose artifactLocation.uri is relative to the scan
root (`uriBaseId` SRCROOT, declared in `originalUriBaseIds`) with a 1-based region, and
partialFingerprints, properties.cwe (["CWE-89"]), properties.role (the file role: production,
test, example, dev-config), fixes and relatedLocations when there are any.
Columns are UTF-16 code units, SARIF's default `columnKind`, declared explicitly. Skipped files
and engine errors are tool execution notifications (an engine stopped by its time limit on a
file is `engine-skipped`, level warning); configuration problems are configuration
notifications. No source text is copied into the log (so no secret can leak through it).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from redline import __version__
from redline.findings import Severity
from redline.limits import is_skip
from redline.report.results import Position, ScanResult
from redline.rules.model import docs_base

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "redlineFingerprint/v1"
ROOT_ID = "SRCROOT"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}
# GitHub shows security-severity >= 9.0 as critical, >= 7.0 high, >= 4.0 medium, else low.
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "3.0", Severity.HINT: "1.0"}
PRECISION = {"high": "high", "medium": "medium", "low": "low"}


def _region(pos: Position) -> dict:
    return {
        "startLine": pos.line,
        "startColumn": pos.column_utf16,
        "endLine": pos.end_line,
        "endColumn": pos.end_column_utf16,
    }


def _artifact(path: str) -> dict:
    return {"uri": quote(path, safe="/", errors="surrogateescape"), "uriBaseId": ROOT_ID}  # a non-UTF-8 name: its own bytes


def rule_descriptor(rule) -> dict:
    cwes = [f"CWE-{c}" for c in rule.cwe]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.short_description},
        "fullDescription": {"text": rule.docs},
        "help": {"text": rule.docs, "markdown": rule.docs},
        **({"helpUri": rule.help_uri} if rule.help_uri else {}),  # only when a docs URL is configured (rules/model.py)
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["security", *cwes, rule.family, *rule.tags],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": PRECISION[rule.confidence.value],
            "problem.severity": {"info": "recommendation", "hint": "recommendation"}.get(rule.severity.value, rule.severity.value),
            "cwe": cwes,
            "languages": list(rule.languages),
            "engine": rule.engine,
        },
    }


def _fallback_descriptor(finding) -> dict:
    """For a finding whose code no rule declares (an engine's bug; still reported)."""
    cwes = [f"CWE-{c}" for c in finding.cwe]
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": finding.name.replace("-", " ")},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": ["security", *cwes], "security-severity": SECURITY_SEVERITY[finding.severity]},
    }


def report_dict(result: ScanResult, registry) -> dict:
    rules = [rule_descriptor(r) for r in registry.rules]
    index = {d["id"]: i for i, d in enumerate(rules)}
    results = []
    for fr in sorted(result.files, key=lambda fr: fr.path):
        for r in fr.findings:
            f = r.finding
            if f.code not in index:
                index[f.code] = len(rules)
                rules.append(_fallback_descriptor(f))
            res = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": LEVELS[f.severity],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(fr.path), "region": _region(r.position)}}],
                "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
                "properties": {
                    "cwe": [f"CWE-{c}" for c in f.cwe],
                    "confidence": f.confidence.value,
                    "engine": f.engine,
                    "severity": f.severity.value,
                    "role": "production",  # the file role (redline/roles.py); others set below
                    **{k: v for k, v in f.properties},
                },
            }
            if result.baseline_used:
                res["baselineState"] = "new"
            if r.related:
                res["relatedLocations"] = [
                    {
                        "id": i,
                        "message": {"text": message},
                        "physicalLocation": {"artifactLocation": _artifact(fr.path), "region": _region(pos)},
                    }
                    for i, (message, pos) in enumerate(r.related)
                ]
            if r.fixes:
                res["fixes"] = [
                    {
                        "description": {"text": title},
                        "artifactChanges": [
                            {
                                "artifactLocation": _artifact(fr.path),
                                "replacements": [
                                    {"deletedRegion": _region(pos), "insertedContent": {"text": text}} for pos, text in edits
                                ],
                            }
                        ],
                    }
                    for title, _safe, edits in r.fixes
                    if edits
                ]
                if not res["fixes"]:
                    del res["fixes"]
            results.append(res)
    notifications = [
        {
            "level": "note" if s.kind in ("ignored", "excluded", "language") else "warning",
            "message": {"text": f"skipped: {s.reason}"},
            "descriptor": {"id": f"skipped/{s.kind}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(s.path)}}],
        }
        for s in result.skipped
    ] + [
        {
            # An engine that skipped the file (its time limit) is a warning, a failure an error.
            "level": "warning" if is_skip(msg) else "error",
            "message": {"text": f"{src}: {msg}"},
            "descriptor": {"id": "engine-skipped" if is_skip(msg) else "engine-error"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(fr.path)}}],
        }
        for fr in result.files
        for src, msg in fr.errors
    ]
    config_notes = [
        {
            "level": "warning",
            "message": {"text": f"{p.key}: {p.message}"},
            "descriptor": {"id": "configuration"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(p.file).resolve().as_uri()},
                        **({"region": {"startLine": p.line + 1}} if p.line is not None else {}),
                    }
                }
            ],
        }
        for p in result.problems
    ]
    invocation = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if config_notes:
        invocation["toolConfigurationNotifications"] = config_notes
    run = {
        "tool": {
            "driver": {
                "name": "redline",
                "version": __version__,
                "semanticVersion": __version__,
                **({"informationUri": f"{docs_base()}README.md"} if docs_base() else {}),
                "rules": rules,
            }
        },
        "originalUriBaseIds": {ROOT_ID: {"uri": Path(result.root).resolve().as_uri().rstrip("/") + "/"}},
        "columnKind": "utf16CodeUnits",
        "invocations": [invocation],
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, registry) -> str:
    return json.dumps(report_dict(result, registry), indent=2, ensure_ascii=False) + "\n"
