"""PEP 508 requirement strings with byte spans: `name[extras] (specifiers) ; marker` and
`name[extras] @ url ; marker`, as written in requirements files, pyproject.toml and setup.cfg.
"""

from __future__ import annotations

import re
from functools import lru_cache

from redline.deps import spec as specs
from redline.deps import versions as V
from redline.deps.model import Requirement

_NAME = re.compile(rb"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_CLAUSE = re.compile(rb"(~=|===|==|!=|<=|>=|<|>)\s*([^,\s;()]+)")
_VCS = (b"git+", b"hg+", b"svn+", b"bzr+")


def source_of_url(url: bytes) -> str:
    u = url.lower()
    if u.startswith(_VCS) or u.startswith(b"git://") or u.startswith(b"git@"):
        return "vcs"
    if u.startswith(b"file:"):
        return "path"
    return "url"


def parse(text: bytes, base: int, kind: str = "runtime") -> Requirement | str:
    """A Requirement for `text` (found at byte `base` of the file), or an error message."""
    rel = _parse_relative(text, kind)
    if isinstance(rel, str) or base == 0:
        return rel
    return _shift(rel, base)


def _shift(req: Requirement, base: int) -> Requirement:
    span, ns, ss, vs = req.span, req.name_span, req.spec_span, req.version_span
    return Requirement(
        req.ecosystem, req.name, (span[0] + base, span[1] + base),
        None if ns is None else (ns[0] + base, ns[1] + base), req.spec,
        None if ss is None else (ss[0] + base, ss[1] + base), req.version,
        None if vs is None else (vs[0] + base, vs[1] + base), req.kind, req.source, req.locked, req.alias, req.dialect,
    )


@lru_cache(maxsize=16384)
def _parse_relative(text: bytes, kind: str) -> Requirement | str:
    base = 0
    m = re.match(rb"\s*", text)
    start = m.end()
    nm = _NAME.match(text, start)
    if not nm:
        return "not a requirement: expected a package name"
    name = nm.group().decode("ascii")
    pos = nm.end()
    while pos < len(text) and text[pos : pos + 1].isspace():
        pos += 1
    if text[pos : pos + 1] == b"[":
        close = text.find(b"]", pos)
        if close < 0:
            return "unclosed extras bracket"
        pos = close + 1
    rest_start = pos
    marker_at = text.find(b";", pos)
    body_end = marker_at if marker_at >= 0 else len(text)
    body = text[rest_start:body_end]
    stripped = body.strip()
    end = rest_start + len(body.rstrip()) if stripped else nm.end()
    span = (base + start, base + end)
    name_span = (base + nm.start(), base + nm.end())
    if stripped.startswith(b"@"):
        url = stripped[1:].strip()
        if not url:
            return "missing URL after '@'"
        return Requirement(V.PYPI, name, span, name_span, kind=kind, source=source_of_url(url), dialect="pep440")
    spec_text = stripped.decode("utf-8", "replace")
    if stripped and specs.pep440(spec_text.strip()) is None:
        return f"invalid version specifier {spec_text!r}"
    spec_off = base + rest_start + (len(body) - len(body.lstrip()))
    spec_span = (spec_off, spec_off + len(stripped)) if stripped else None
    version = version_span = None
    clauses = list(_CLAUSE.finditer(text, rest_start, body_end))
    for c in clauses:
        op, ver = c.group(1), c.group(2)
        if op == b"===" or (op == b"==" and b"*" not in ver):
            version = ver.decode("ascii", "replace")
            version_span = (base + c.start(2), base + c.end(2))
            break
    return Requirement(
        V.PYPI,
        name,
        span,
        name_span,
        spec=spec_text.strip(),
        spec_span=spec_span,
        version=version,
        version_span=version_span,
        kind=kind,
        dialect="pep440",
    )
