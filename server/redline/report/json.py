"""The JSON report: a stable, documented shape (docs/cli.md), `version` 1.

Additions keep the version; a renamed or removed key, or a changed meaning, bumps it. Lines and
columns are 1-based, columns count Unicode characters (code points) and `end_column` is
exclusive. Paths are relative to `root`, '/'-separated. `snippet` is the first flagged source
line with secrets masked. `role` is the file role of the finding's file (redline/roles.py:
production, test, example, dev-config).
"""

from __future__ import annotations

import json

from redline import __version__
from redline.report.results import Position, Reported, ScanResult

VERSION = 1


def _range(pos: Position) -> dict:
    return {"start_line": pos.line, "start_column": pos.column, "end_line": pos.end_line, "end_column": pos.end_column}


def finding_dict(path: str, r: Reported) -> dict:
    f = r.finding
    return {
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "cwe": list(f.cwe),
        "path": path,
        **_range(r.position),
        "engine": f.engine,
        "role": f.property("role") or "production",
        "fingerprint": f.fingerprint,
        "snippet": r.excerpt.text,
        "fixes": [
            {
                "title": title,
                "safe": safe,
                "edits": [{**_range(pos), "new_text": text} for pos, text in edits],
            }
            for title, safe, edits in r.fixes
        ],
        "related": [{"message": message, **_range(pos)} for message, pos in r.related],
        "properties": dict(f.properties),
    }


def report_dict(result: ScanResult) -> dict:
    counts = result.count_by_severity()
    return {
        "version": VERSION,
        "tool": {"name": "redline", "version": __version__},
        "root": result.root,
        "summary": {
            "files": len(result.files),
            "lines": result.lines,
            "findings": sum(counts.values()),
            "by_severity": {s.value: n for s, n in counts.items()},
            "skipped": len(result.skipped),
            "baseline_matched": result.baseline_matched,
        },
        "findings": [finding_dict(fr.path, r) for fr in sorted(result.files, key=lambda fr: fr.path) for r in fr.findings],
        "skipped": [{"path": s.path, "reason": s.reason, "kind": s.kind} for s in result.skipped],
        "errors": [{"path": fr.path, "source": src, "message": msg} for fr in result.files for src, msg in fr.errors],
        "config_problems": [
            {"file": p.file, "key": p.key, "line": None if p.line is None else p.line + 1, "message": p.message}
            for p in result.problems
        ],
    }


def render(result: ScanResult) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
