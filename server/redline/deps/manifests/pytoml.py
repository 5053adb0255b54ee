"""pyproject.toml (PEP 621 `[project]`, PEP 735 `[dependency-groups]`, `[build-system]`, Poetry)
and Pipfile, read from the tree-sitter TOML tree so that each requirement has its exact span.
"""

from __future__ import annotations

from dataclasses import replace

from redline.deps import spec as specs
from redline.deps import versions as V
from redline.deps.manifests import pep508
from redline.deps.manifests.treeutil import toml_pairs, toml_string
from redline.deps.model import Manifest, Requirement

_POETRY_SOURCES = {"git": "vcs", "path": "path", "url": "url"}
_PIPFILE_SOURCES = {"git": "vcs", "hg": "vcs", "svn": "vcs", "path": "path", "file": "url"}


def _pep508_array(manifest: Manifest, array, src: bytes, kind: str, group: str = "") -> None:
    if array is None or array.type != "array":
        return
    for item in array.named_children:
        s = toml_string(item, src)
        if s is None:
            continue  # e.g. {include-group = "x"} in dependency groups
        _value, (start, end) = s
        result = pep508.parse(src[start:end], start, kind)
        if isinstance(result, str):
            manifest.problems.append(((start, end), result))
        else:
            manifest.requirements.append(replace(result, group=group) if group else result)


def _name_span(key_node, src: bytes) -> tuple[int, int]:
    start, end = key_node.start_byte, key_node.end_byte
    if src[start : start + 1] in (b'"', b"'"):
        start, end = start + 1, end - 1
    return start, end


def _table_requirement(pair_key, value, src: bytes, name: str, kind: str, dialect: str, sources: dict) -> Requirement | None:
    """`name = "spec"` or `name = { version = "spec", ... }` (Poetry, Pipfile)."""
    name_span = _name_span(pair_key, src)
    span = (pair_key.start_byte, value.end_byte)
    spec_node = value
    source = "registry"
    if value.type == "inline_table":
        spec_node = None
        for pair in value.named_children:
            if pair.type != "pair" or len(pair.named_children) < 2:
                continue
            k = src[pair.named_children[0].start_byte : pair.named_children[0].end_byte].decode("utf-8", "replace").strip("\"'")
            if k == "version":
                spec_node = pair.named_children[-1]
            elif k in sources:
                source = sources[k]
    elif value.type == "array":
        # Poetry "multiple constraints": a list of inline tables; use the first version found.
        spec_node = None
        for item in value.named_children:
            if item.type == "inline_table":
                req = _table_requirement(pair_key, item, src, name, kind, dialect, sources)
                if req is not None:
                    return Requirement(**{**req.__dict__, "span": span})
        return Requirement(V.PYPI, name, span, name_span, kind=kind, source=source, dialect=dialect)
    s = toml_string(spec_node, src) if spec_node is not None else None
    if s is None:
        return Requirement(V.PYPI, name, span, name_span, kind=kind, source=source, dialect=dialect)
    spec_text, spec_span = s
    version = version_span = None
    c = specs.for_dialect(dialect, spec_text)
    if c is not None and c.exact is not None:
        version = c.exact
        raw = src[spec_span[0] : spec_span[1]].decode("utf-8", "replace")
        at = raw.find(version)
        if at >= 0:
            version_span = (spec_span[0] + at, spec_span[0] + at + len(version))
    return Requirement(
        V.PYPI,
        name,
        span,
        name_span,
        spec=spec_text,
        spec_span=spec_span,
        version=version,
        version_span=version_span,
        kind=kind,
        source=source,
        dialect=dialect,
    )


def _poetry_kind(path: tuple[str, ...]) -> str | None:
    """The kind of a Poetry dependency table path (..., name), or None if it is not one."""
    if len(path) == 4 and path[:3] == ("tool", "poetry", "dependencies"):
        return "runtime"
    if len(path) == 4 and path[:3] == ("tool", "poetry", "dev-dependencies"):
        return "dev"
    if len(path) == 6 and path[:3] == ("tool", "poetry", "group") and path[4] == "dependencies":
        return "dev"
    return None


def parse_pyproject(path: str, tree, src: bytes) -> Manifest:
    manifest = Manifest(path, "pyproject", V.PYPI, application=False)
    if tree is None:
        return manifest
    own: set[str] = set()
    pairs = list(toml_pairs(tree.root_node, src))
    for key, value in pairs:
        if key in (("project", "name"), ("tool", "poetry", "name")):
            s = toml_string(value, src)
            if s:
                own.add(V.normalize_name(V.PYPI, s[0]))
    for key, value in pairs:
        if key == ("project", "dependencies"):
            _pep508_array(manifest, value, src, "runtime")
        elif len(key) == 3 and key[:2] == ("project", "optional-dependencies"):
            _pep508_array(manifest, value, src, "optional", key[2])
        elif len(key) == 2 and key[0] == "dependency-groups":
            _pep508_array(manifest, value, src, "dev", key[1])
        elif key == ("build-system", "requires"):
            _pep508_array(manifest, value, src, "build")
        else:
            kind = _poetry_kind(key)
            if kind is None or key[-1].lower() == "python":
                continue
            pair = value.parent
            if pair is None or pair.type != "pair":
                continue
            key_node = pair.named_children[0]
            # A dotted key (`poetry.dependencies.foo = ...`) names the package in its last part.
            if key_node.type == "dotted_key":
                key_node = key_node.named_children[-1]
            req = _table_requirement(key_node, value, src, key[-1], kind, "poetry", _POETRY_SOURCES)
            if req is not None:
                manifest.requirements.append(req)
    if own:
        # `all = ["myproject[a,b]"]`: the project referring to its own extras is not a dependency.
        manifest.requirements = [r for r in manifest.requirements if V.normalize_name(V.PYPI, r.name) not in own]
    return manifest


def parse_pipfile(path: str, tree, src: bytes) -> Manifest:
    manifest = Manifest(path, "pipfile", V.PYPI, application=True)
    if tree is None:
        return manifest
    for key, value in toml_pairs(tree.root_node, src):
        if len(key) != 2 or key[0] not in ("packages", "dev-packages"):
            continue
        pair = value.parent
        if pair is None or pair.type != "pair":
            continue
        key_node = pair.named_children[0]
        if key_node.type == "dotted_key":
            key_node = key_node.named_children[-1]
        kind = "runtime" if key[0] == "packages" else "dev"
        req = _table_requirement(key_node, value, src, key[1], kind, "pep440", _PIPFILE_SOURCES)
        if req is not None:
            manifest.requirements.append(req)
    return manifest
