"""Baselines: accept today's findings, report only new ones.

A baseline is a JSON file listing (path, fingerprint) pairs, with the code, line and message of
each for people reading the diff. `Finding.fingerprint` hashes the rule code and the flagged text,
not the line number, so a baselined finding stays matched when code above it moves; changing the
flagged code itself, or renaming the file, makes it new again.

`load` never raises anything but BaselineError for a bad file: missing, not a regular file (a FIFO
is refused, not waited on), larger than MAX_SIZE, not UTF-8, not JSON, nested too deeply, or JSON
of another shape.
"""

from __future__ import annotations

import json
from pathlib import Path

from redline import __version__
from redline.report.results import FileResult

VERSION = 1
MAX_SIZE = 100_000_000  # ~500,000 findings; a larger file is refused rather than parsed


class BaselineError(ValueError):
    pass


def entries(files: list[FileResult]) -> list[dict]:
    out = [
        {"path": fr.path, "fingerprint": r.finding.fingerprint, "code": r.finding.code, "line": r.position.line, "message": r.finding.message}
        for fr in files
        for r in fr.findings
    ]
    return sorted(out, key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))


def dumps(items: list[dict]) -> str:
    doc = {"version": VERSION, "tool": {"name": "redline", "version": __version__}, "findings": items}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, files: list[FileResult]) -> int:
    """Write the baseline of `files`' findings; return how many it holds. OSError on failure."""
    items = entries(files)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A file name that is not UTF-8 holds a lone surrogate: written as its JSON escape (\udcff),
    # which `load` reads back to the same string, so its findings match.
    path.write_bytes(dumps(items).encode("utf-8", "backslashreplace"))
    return len(items)


def load(path: Path) -> set[tuple[str, str]]:
    """The (path, fingerprint) pairs of a baseline file; BaselineError says what is wrong."""
    from redline.files import read_regular

    try:
        raw = read_regular(path, MAX_SIZE)
    except OSError as e:
        raise BaselineError(f"{path}: cannot read baseline: {e.strerror or e}") from None
    if len(raw) > MAX_SIZE:
        raise BaselineError(f"{path}: cannot read baseline: larger than {MAX_SIZE:,} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise BaselineError(f"{path}: not a Redline baseline (not UTF-8 text: invalid byte at offset {e.start})") from None
    except json.JSONDecodeError as e:
        raise BaselineError(f"{path}: not a Redline baseline (invalid JSON: {e})") from None
    except (RecursionError, MemoryError):
        raise BaselineError(f"{path}: not a Redline baseline (JSON nested too deeply)") from None
    except ValueError as e:  # e.g. a number longer than int() accepts
        raise BaselineError(f"{path}: not a Redline baseline (invalid JSON: {_short(str(e))})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a Redline baseline (no 'findings' list)")
    if doc.get("version") != VERSION:
        shown = _short(repr(doc.get("version")))
        raise BaselineError(f"{path}: baseline version {shown} is not supported (expected {VERSION})")
    keys = set()
    for i, e in enumerate(doc["findings"]):
        if not isinstance(e, dict) or not isinstance(e.get("path"), str) or not isinstance(e.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{i}] needs a 'path' and a 'fingerprint'")
        keys.add((e["path"], e["fingerprint"]))
    return keys


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def apply(files: list[FileResult], known: set[tuple[str, str]]) -> int:
    """Drop findings the baseline knows (in place); return how many were dropped."""
    dropped = 0
    for fr in files:
        kept = [r for r in fr.findings if (fr.path, r.finding.fingerprint) not in known]
        dropped += len(fr.findings) - len(kept)
        fr.findings = kept
    return dropped
