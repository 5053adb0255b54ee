"""setup.cfg: `[options] install_requires / setup_requires / tests_require` and
`[options.extras_require]`, one PEP 508 requirement per (continuation) line."""

from __future__ import annotations

from dataclasses import replace

from redline.deps import versions as V
from redline.deps.manifests import pep508
from redline.deps.model import Manifest
from redline.secrets.regex import linear

_SECTION = linear(rb"^\s*\[([^\]]+)\]\s*$")
_KEY = linear(rb"^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$")
_TRAILING_COMMENT = linear(rb"\s+#.*$")
_KINDS = {b"install_requires": "runtime", b"setup_requires": "build", b"tests_require": "dev"}


def parse(path: str, text: bytes) -> Manifest:
    manifest = Manifest(path, "setup.cfg", V.PYPI, application=False)
    section = b""
    kind: str | None = None  # set while inside a requirements value
    group = ""  # the extra being read in [options.extras_require]
    pos = 0
    for raw in text.split(b"\n"):
        start = pos
        pos += len(raw) + 1
        line = raw.rstrip(b"\r")
        stripped = line.strip()
        if not stripped or stripped.startswith((b"#", b";")):
            continue
        m = _SECTION.match(line)
        if m:
            section, kind = m.group(1).strip().lower(), None
            continue
        indented = line[:1] in (b" ", b"\t")
        value_start = None
        if not indented:
            km = _KEY.match(line)
            kind = None
            if not km:
                continue
            key = km.group(1).lower()
            if section == b"options" and key in _KINDS:
                kind = _KINDS[key]
            elif section == b"options.extras_require":
                kind = "optional"
                group = key.decode("utf-8", "replace")
            if kind is None:
                continue
            value_start = km.start(2)
        elif kind is None:
            continue
        else:
            value_start = len(line) - len(line.lstrip())
        value = line[value_start:]
        value = _TRAILING_COMMENT.sub(b"", value)
        if not value.strip():
            continue
        result = pep508.parse(value, start + value_start, kind)
        if isinstance(result, str):
            manifest.problems.append(((start + value_start, start + value_start + len(value.rstrip())), result))
        else:
            manifest.requirements.append(replace(result, group=group) if kind == "optional" and group else result)
    return manifest
