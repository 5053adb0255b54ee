"""GitLab Code Quality report (the `codequality` artifact), shown on merge requests.

A JSON array; each finding is an object with `description`, `check_name` (the rule code),
`fingerprint` (unique in the report: the finding's own fingerprint hashed with its path, so the
same code in two files gives two entries), `severity` (`info`, `minor`, `major`, `critical`,
`blocker`), `location.path` (relative to the scan root) and `location.lines.begin`, plus
`type`, `categories` and `engine_name`. Redline's severities map error -> critical, warning ->
major, info -> minor, hint -> info.
"""

from __future__ import annotations

import hashlib
import json

from redline.findings import Severity
from redline.report.results import ScanResult

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor", Severity.HINT: "info"}


def fingerprint(path: str, finding_fingerprint: str, code: str, line: int) -> str:
    key = f"{path}\0{code}\0{finding_fingerprint or line}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def report_list(result: ScanResult) -> list[dict]:
    out = []
    seen: set[str] = set()
    for fr in sorted(result.files, key=lambda fr: fr.path):
        for r in fr.findings:
            f = r.finding
            fp = fingerprint(fr.path, f.fingerprint, f.code, r.position.line)
            while fp in seen:  # the same fingerprint twice in a file: keep them apart
                fp = hashlib.sha256(fp.encode()).hexdigest()[:32]
            seen.add(fp)
            out.append({
                "type": "issue",
                "description": f"{f.code} {f.message}",
                "check_name": f.code,
                "fingerprint": fp,
                "severity": SEVERITIES[f.severity],
                "categories": ["Security"],
                "engine_name": "redline",
                "location": {
                    "path": fr.path,
                    "lines": {"begin": r.position.line, "end": r.position.end_line},
                },
            })
    return out


def render(result: ScanResult) -> str:
    return json.dumps(report_list(result), indent=2, ensure_ascii=False) + "\n"
