"""pom.xml: `<dependency>` elements (in dependencies, dependencyManagement and plugins) with
literal versions, version ranges, and `${property}` references resolved from `<properties>`,
`${project.version}` and the parent's version. There is no XML grammar in the project's
tree-sitter set, so the file is read with a small scanner that keeps byte offsets: comments and
CDATA are blanked out first (same length), then elements are matched.

When a version comes from a property, the requirement's `version_span` points at the
property's value, so "upgrade to X" edits the one place that defines it.
"""

from __future__ import annotations

import re

from redline.deps import spec as specs
from redline.deps import versions as V
from redline.deps.model import Manifest, Requirement
from redline.secrets.regex import linear

_BLANK = linear(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S)
_DEPENDENCY = linear(rb"<dependency\b[^>]*>(.*?)</dependency\s*>", re.S)
# An element and its closing tag: RE2 has no back-references, so the closing name is captured
# too and compared in `_same_tag`.
_FIELD = linear(rb"<(groupId|artifactId|version)\s*>\s*([^<]*?)\s*</(groupId|artifactId|version)\s*>", re.S)
_PROPERTIES = linear(rb"<properties\s*>(.*?)</properties\s*>", re.S)
_PROPERTY = linear(rb"<([A-Za-z_][\w.\-]*)\s*>\s*([^<]*?)\s*</([A-Za-z_][\w.\-]*)\s*>", re.S)
_PARENT = linear(rb"<parent\s*>(.*?)</parent\s*>", re.S)
_REF = linear(rb"^\$\{([^}]+)\}$")
_VERSION = linear(rb"<version\s*>\s*([^<]*?)\s*</version\s*>")
_NESTED = (b"parent", b"dependencies", b"dependencyManagement", b"build", b"profiles", b"reporting", b"plugins", b"modules", b"properties")
_NESTED_BLOCK = linear(b"|".join(rb"<" + n + rb"\b.*?</" + n + rb"\s*>" for n in _NESTED), re.S)


def _same_tag(m) -> bool:
    return m.group(1) == m.group(3)


_SPACES = bytes(10 if b == 10 else 32 for b in range(256))  # every byte but "\n" -> " "


def _blank(text: bytes) -> bytes:
    return _BLANK.sub(lambda m: m.group().translate(_SPACES), text)


def _project_version(text: bytes) -> tuple[bytes, int, int] | None:
    """The project's own <version> (a direct child of <project>, outside nested elements)."""
    depth_free = _NESTED_BLOCK.sub(lambda m: b" " * len(m.group()), text)
    m = _VERSION.search(depth_free)
    return (m.group(1), m.start(1), m.end(1)) if m else None


def parse(path: str, text: bytes) -> Manifest:
    manifest = Manifest(path, "pom.xml", V.MAVEN, application=True)
    clean = _blank(text)
    props: dict[bytes, tuple[bytes, int, int]] = {}
    for block in _PROPERTIES.finditer(clean):
        for p in _PROPERTY.finditer(clean, block.start(1), block.end(1)):
            if not _same_tag(p):
                continue
            props[p.group(1)] = (p.group(2), p.start(2), p.end(2))
    own = _project_version(clean)
    if own:
        props.setdefault(b"project.version", own)
        props.setdefault(b"pom.version", own)
    parent = _PARENT.search(clean)
    if parent:
        pv = _VERSION.search(parent.group(1))
        if pv:
            start = parent.start(1) + pv.start(1)
            props.setdefault(b"project.parent.version", (pv.group(1), start, start + len(pv.group(1))))
    for dep in _DEPENDENCY.finditer(clean):
        fields = {f.group(1): (f.group(2), f.start(2), f.end(2)) for f in _FIELD.finditer(clean, dep.start(1), dep.end(1)) if _same_tag(f)}
        if b"groupId" not in fields or b"artifactId" not in fields:
            continue
        group, artifact = fields[b"groupId"][0], fields[b"artifactId"][0]
        if group.startswith(b"${") or artifact.startswith(b"${"):
            continue
        name = f"{group.decode()}:{artifact.decode()}"
        span = (dep.start(), dep.end())
        name_span = (fields[b"artifactId"][1], fields[b"artifactId"][2])
        if b"version" not in fields:
            manifest.requirements.append(Requirement(V.MAVEN, name, span, name_span, dialect="maven"))
            continue
        value, vs, ve = fields[b"version"]
        resolved, rs, re_ = value, vs, ve
        seen = 0
        while True:
            ref = _REF.match(resolved)
            if not ref or seen > 5:
                break
            target = props.get(ref.group(1))
            if target is None:
                resolved = b""
                break
            resolved, rs, re_ = target
            seen += 1
        text_value = resolved.decode("utf-8", "replace")
        if not text_value or "${" in text_value:
            manifest.requirements.append(
                Requirement(V.MAVEN, name, span, name_span, spec=value.decode("utf-8", "replace"), spec_span=(vs, ve), dialect="maven")
            )
            continue
        c = specs.maven(text_value)
        exact = c.exact if c is not None else None
        version_span = None
        if exact:
            at = max(0, text_value.find(exact))
            version_span = (rs + at, rs + at + len(exact.encode()))
        manifest.requirements.append(
            Requirement(
                V.MAVEN, name, span, name_span, spec=text_value, spec_span=(rs, re_),
                version=exact, version_span=version_span, dialect="maven",
            )
        )
    return manifest
