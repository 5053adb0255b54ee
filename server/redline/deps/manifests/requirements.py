"""pip requirements and constraints files (`requirements*.txt`, `constraints*.txt`).

Handles what pip's file format allows: comments (`#` at the start or after whitespace), line
continuations (`\\` at the end of a line), `-r`/`-c` includes, `-e` editable installs, global
options (`-i`, `--extra-index-url`, ...), per-requirement options (`--hash=...`), extras,
environment markers, direct URLs (`name @ https://...`), bare archive URLs and paths, and VCS
references (`git+https://...#egg=name`).

Offsets are bytes of the original file: continuations are replaced by spaces of the same
length, so logical lines keep the positions of the physical ones.
"""

from __future__ import annotations

from redline.deps import versions as V
from redline.deps.manifests import pep508
from redline.deps.model import Manifest, Requirement
from redline.secrets.regex import linear

_COMMENT = linear(rb"(^|\s)#.*$")
_REQ_OPTIONS = linear(rb"\s(--hash|--global-option|--install-option|--config-settings|-C)\b")
_INCLUDE = linear(rb"^\s*(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")
_EDITABLE = linear(rb"^\s*(-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_EGG = linear(rb"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_URL = linear(rb"^[A-Za-z][A-Za-z0-9+.-]*://|^git@")
_CONTINUATION = linear(rb"\\\r?\n")
_DRIVE = linear(rb"^[A-Za-z]:[\\/]")


def _logical_lines(text: bytes):
    """(start offset, line bytes) with continuations blanked out in place."""
    joined = _CONTINUATION.sub(lambda m: b" " * len(m.group()), text)
    pos = 0
    for line in joined.split(b"\n"):
        yield pos, line.rstrip(b"\r")
        pos += len(line) + 1


def _target_requirement(target: bytes, base: int, kind: str) -> Requirement | None:
    """A requirement for a URL, VCS reference or path; named by `#egg=` when there is one."""
    egg = _EGG.search(target)
    source = pep508.source_of_url(target) if _URL.match(target) else "path"
    if not egg:
        return None
    name = egg.group(1).decode("ascii")
    span = (base, base + len(target))
    name_span = (base + egg.start(1), base + egg.end(1))
    return Requirement(V.PYPI, name, span, name_span, kind=kind, source=source, dialect="pep440")


def parse(path: str, text: bytes) -> Manifest:
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    constraints = name.startswith("constraints")
    manifest = Manifest(path, "requirements", V.PYPI, application=True)
    kind = "constraint" if constraints else "runtime"
    for start, line in _logical_lines(text):
        if b"#" in line:
            line = _COMMENT.sub(b"", line)
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip())
        if stripped.startswith(b"-"):
            inc = _INCLUDE.match(line)
            if inc:
                flag = "-c" if inc.group(1) in (b"-c", b"--constraint") else "-r"
                manifest.includes.append((flag, inc.group(2).decode("utf-8", "replace")))
                continue
            ed = _EDITABLE.match(line)
            if ed:
                req = _target_requirement(ed.group(2), start + ed.start(2), kind)
                if req:
                    manifest.requirements.append(req)
            continue  # -e handled; anything else is a global option: -i, --pre, --require-hashes, ...
        cut = _REQ_OPTIONS.search(line) if b" -" in line or b"\t-" in line else None
        body = line[: cut.start()] if cut else line
        stripped = body.strip()
        if _URL.match(stripped) or stripped.startswith((b".", b"/", b"~")) or _DRIVE.match(stripped):
            req = _target_requirement(stripped, start + indent, kind)
            if req:
                manifest.requirements.append(req)
            continue
        result = pep508.parse(body, start, kind)
        if isinstance(result, str):
            manifest.problems.append(((start + indent, start + len(body.rstrip())), result))
        else:
            manifest.requirements.append(result)
    return manifest
