"""GitHub Actions workflow commands: one annotation per finding on the pull request's files.

    ::error file=app.py,line=5,endLine=5,col=5,endColumn=62,title=RL101 sql-injection::SQL built with ...

Errors are `error`, warnings `warning`, infos and hints `notice`. Escaping follows GitHub's
rules (actions/toolkit `command.ts`): in the message `%`, `\\r` and `\\n` become `%25`, `%0D`
and `%0A`; in properties also `:` and `,` become `%3A` and `%2C`. So neither a file name nor a
message chosen by the scanned repository can end the command early or start another one.
Columns are 1-based characters. Engine errors on a file are `warning` annotations on the file.
"""

from __future__ import annotations

from redline.findings import Severity
from redline.limits import is_skip
from redline.report.results import ScanResult, sanitize

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props) -> str:
    shown = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{level}{' ' + shown if shown else ''}::{escape_data(sanitize(message))}"


def render(result: ScanResult) -> str:
    out = []
    for fr in sorted(result.files, key=lambda fr: fr.path):
        for r in fr.findings:
            f, pos = r.finding, r.position
            out.append(command(
                LEVELS[f.severity], f.message, file=sanitize(fr.path), line=pos.line, endLine=pos.end_line,
                col=pos.column, endColumn=pos.end_column, title=f"{f.code} {f.name}",
            ))
        for source, message in fr.errors:
            what = "skipped" if is_skip(message) else "error"
            out.append(command("warning", f"{source}: {message}", file=sanitize(fr.path), title=f"redline: engine {what}"))
    return "".join(line + "\n" for line in out)
