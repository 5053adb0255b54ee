"""PEP 508 requirement strings with byte spans: `name[extras] (specifiers) ; marker` and
`name[extras] @ url ; marker`, as written in requirements files, pyproject.toml and setup.cfg.
"""

from __future__ import annotations

import re
from functools import lru_cache

from redline.secrets.regex import linear

from redline.deps import spec as specs
from redline.deps import versions as V
from redline.deps.model import Requirement

_CLAUSE = linear(rb"(~=|===|==|!=|<=|>=|<|>)\s*([^,\s;()]+)")
_VCS = (b"git+", b"hg+", b"svn+", b"bzr+")
_SIMPLE_PIN = linear(rb"(===?)\s*([0-9][0-9A-Za-z.!+_-]*)")


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


_REQ = linear(
    rb"(?P<lead>\s*)(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?P<extras>\[[^\]]*\]?)?"
    rb"(?P<ws>\s*)(?P<body>[^;]*?)\s*(?:;.*)?$",
    re.S,
)


@lru_cache(maxsize=16384)
def _parse_relative(text: bytes, kind: str) -> Requirement | str:
    m = _REQ.match(text)
    if not m:
        return "not a requirement: expected a package name"
    if m.group("extras") and not m.group("extras").endswith(b"]"):
        return "unclosed extras bracket"
    name = m.group("name").decode("ascii")
    name_span = m.span("name")
    body = m.group("body")
    span = (m.end("lead"), m.end("body") if body else m.end("name"))
    if body.startswith(b"@"):
        url = body[1:].strip()
        if not url:
            return "missing URL after '@'"
        return Requirement(V.PYPI, name, span, name_span, kind=kind, source=source_of_url(url), dialect="pep440")
    if not body:
        return Requirement(V.PYPI, name, span, name_span, kind=kind, dialect="pep440")
    spec_text = body.decode("utf-8", "replace")
    simple = _SIMPLE_PIN.fullmatch(body)
    if simple is not None and V.parse(V.PYPI, simple.group(2).decode("ascii")) is not None:
        # `==1.2.3`, the common case: no specifier set needed.
        return Requirement(
            V.PYPI, name, span, name_span, spec=spec_text, spec_span=m.span("body"),
            version=simple.group(2).decode("ascii"),
            version_span=(m.start("body") + simple.start(2), m.start("body") + simple.end(2)), kind=kind, dialect="pep440",
        )
    if specs.pep440(spec_text) is None:
        return f"invalid version specifier {spec_text!r}"
    version = version_span = None
    if b"=" in body:
        for c in _CLAUSE.finditer(body):
            op, ver = c.group(1), c.group(2)
            if op == b"===" or (op == b"==" and b"*" not in ver):
                version = ver.decode("ascii", "replace")
                version_span = (m.start("body") + c.start(2), m.start("body") + c.end(2))
                break
    return Requirement(
        V.PYPI, name, span, name_span, spec=spec_text, spec_span=m.span("body"),
        version=version, version_span=version_span, kind=kind, dialect="pep440",
    )
