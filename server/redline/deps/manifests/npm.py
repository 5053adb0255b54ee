"""package.json (every dependency kind, overrides, resolutions) and package-lock.json
(lockfileVersion 2 and 3 `packages`; version 1 `dependencies`), from the tree-sitter JSON tree.

The lock file can be tens of thousands of lines: its entries are found by one tree-sitter query
(run in C), and Python only visits the captured `version`/`name`/`link` values.
"""

from __future__ import annotations

import json
import threading
from typing import Callable

import tree_sitter as ts

from redline import languages as langs
from redline.deps import semver
from redline.deps import spec as specs
from redline.deps import versions as V
from redline.deps.manifests.treeutil import json_object_pairs, json_root_object, json_string
from redline.deps.model import Manifest, Requirement
from redline.secrets.regex import linear

DEPENDENCY_KINDS = {
    "dependencies": "runtime",
    "devDependencies": "dev",
    "peerDependencies": "peer",
    "optionalDependencies": "optional",
}
_VCS_PREFIXES = ("git+", "git://", "git@", "github:", "gitlab:", "bitbucket:", "gist:")
_GITHUB_SHORT = linear(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(#.*)?$")


def classify(value: str) -> tuple[str, str | None, str]:
    """(source, real name for `npm:` aliases, range text) of a dependency value."""
    v = value.strip()
    if v.startswith("npm:"):
        rest = v[4:]
        at = rest.rfind("@")
        if at > 0:
            return "registry", rest[:at], rest[at + 1 :]
        return "registry", rest, ""
    if v.startswith(("file:", "link:", "portal:")) or v.startswith(("./", "../", "/", "~/")):
        return "path", None, v
    if v.startswith("workspace:"):
        return "workspace", None, v
    if v.startswith(_VCS_PREFIXES):
        return "vcs", None, v
    if v.startswith(("http://", "https://")):
        return "url", None, v
    if semver.is_range(v):
        return "registry", None, v
    if _GITHUB_SHORT.match(v):
        return "vcs", None, v
    return "tag", None, v


def _requirement(name: str, name_span, value_node, src: bytes, kind: str, pair_span) -> Requirement | None:
    s = json_string(value_node, src)
    if s is None:
        return None
    value, (vstart, vend) = s
    source, real, rng = classify(value)
    req_name = real or name
    version = version_span = None
    spec_span = (vstart, vend)
    if source == "registry":
        c = specs.npm(rng)
        if c is not None and c.exact is not None:
            version = c.exact
            raw = src[vstart:vend].decode("utf-8", "replace")
            at = raw.rfind(version)
            if at >= 0:
                version_span = (vstart + at, vstart + at + len(version))
        if real is not None:
            off = value.rfind(rng) if rng else len(value)
            spec_span = (vstart + off, vend)
    return Requirement(
        V.NPM,
        req_name,
        pair_span,
        name_span if real is None else None,
        spec=rng if source in ("registry", "tag") else value,
        spec_span=spec_span,
        version=version,
        version_span=version_span,
        kind=kind,
        source=source,
        alias=name if real else None,
        dialect="npm",
    )


def parse_package_json(path: str, tree, src: bytes) -> Manifest:
    manifest = Manifest(path, "package.json", V.NPM, application=None)
    root = json_root_object(tree)
    if root is None:
        return manifest
    for key, _kspan, value in json_object_pairs(root, src):
        if key == "private" and value is not None and value.type == "true":
            manifest.application = True
        kind = DEPENDENCY_KINDS.get(key)
        if kind is not None:
            for name, name_span, dep_value in json_object_pairs(value, src):
                pair = dep_value.parent if dep_value is not None else None
                span = (pair.start_byte, pair.end_byte) if pair is not None else name_span
                req = _requirement(name, name_span, dep_value, src, kind, span)
                if req is not None:
                    manifest.requirements.append(req)
        elif key in ("overrides", "resolutions"):
            _overrides(manifest, value, src)
    return manifest


def _overrides(manifest: Manifest, node, src: bytes, depth: int = 0) -> None:
    """npm `overrides` (nested; "." is the package itself) and yarn `resolutions` ("a/**/b")."""
    if depth > 8:
        return
    for key, name_span, value in json_object_pairs(node, src):
        if value is None:
            continue
        if value.type == "object":
            _overrides(manifest, value, src, depth + 1)
            continue
        if key == ".":
            continue  # the version of the enclosing package: its own key carries no version
        name = key.rsplit("/**/", 1)[-1]
        if name.startswith("**/"):
            name = name[3:]
        pair = value.parent
        req = _requirement(name, None, value, src, "override", (pair.start_byte, pair.end_byte))
        if req is not None and req.source == "registry":
            manifest.requirements.append(req)


# ------------------------------------------------------------------------- package-lock.json
#
# A 30k-line lock file has ~2,000 entries and ~150,000 tree nodes: visiting them from Python
# costs more than the whole time budget. So the lock is read with json.loads (C), entries are
# filtered by `wanted(name, version)` (the checks pass "has advisories"), and only the entries
# kept are located in the tree-sitter tree for their exact spans. A lock file that is not valid
# JSON (mid-edit) is read from the tree with a query instead.

_LOCK_QUERY_TEXT = """
(document (object (pair
  key: (string (string_content) @section (#eq? @section "packages"))
  value: (object (pair
    key: (string (string_content) @path)
    value: (object (pair
      key: (string (string_content) @field (#any-of? @field "version" "name" "link" "dev"))
      value: (_) @value)))))))
"""
_query_lock = threading.Lock()
_query: ts.Query | None = None

Wanted = Callable[[str, str], bool]


def _lock_query() -> ts.Query:
    global _query
    if _query is None:
        with _query_lock:
            if _query is None:
                _query = ts.Query(langs.grammar("json"), _LOCK_QUERY_TEXT)
    return _query


def _pair_index(obj_node, src: bytes) -> dict[str, object]:
    """key -> value node for the pairs of a JSON object node."""
    out: dict[str, object] = {}
    if obj_node is None or obj_node.type != "object":
        return out
    for pair in obj_node.named_children:
        if pair.type != "pair":
            continue
        key = pair.child_by_field_name("key")
        if key is None:
            continue
        ks = json_string(key, src)
        if ks is not None:
            out.setdefault(ks[0], pair.child_by_field_name("value"))
    return out


def _lock_requirement(name: str, version: str, dev: bool, version_node, src: bytes) -> Requirement | None:
    vs = json_string(version_node, src)
    if vs is None:
        return None
    pair = version_node.parent
    span = (pair.start_byte, pair.end_byte) if pair is not None else vs[1]
    return Requirement(
        V.NPM, name, span, None, spec=version, spec_span=vs[1], version=version,
        version_span=vs[1], kind="dev" if dev else "runtime", locked=True, dialect="npm",
    )


def _entry_name(key: str, entry: dict) -> str:
    name = entry.get("name")
    return name if isinstance(name, str) and name else key.rsplit("node_modules/", 1)[-1]


def parse_package_lock(path: str, tree, src: bytes, wanted: Wanted | None = None) -> Manifest:
    manifest = Manifest(path, "package-lock", V.NPM, application=None)
    try:
        doc = json.loads(src)
    except (ValueError, UnicodeDecodeError):
        doc = None
    if not isinstance(doc, dict):
        if tree is not None:
            _lock_from_tree(manifest, tree, src, wanted)
        return manifest
    root = json_root_object(tree)
    packages = doc.get("packages")
    if isinstance(packages, dict):
        keep = []
        for position, (key, entry) in enumerate(packages.items()):
            if not key or "node_modules/" not in key or not isinstance(entry, dict) or entry.get("link"):
                continue
            version = entry.get("version")
            if not isinstance(version, str) or semver.parse(version) is None:
                continue  # git or file dependencies record a URL here
            name = _entry_name(key, entry)
            if wanted is None or wanted(name, version):
                keep.append((position, key, name, version, bool(entry.get("dev"))))
        if keep and root is not None:
            packages_node = _pair_index(root, src).get("packages")
            pairs = [c for c in packages_node.named_children if c.type == "pair"] if packages_node is not None else []
            index = None  # built only when document order and dict order disagree (duplicate keys)
            for position, key, name, version, dev in keep:
                body = None
                if position < len(pairs):
                    pair = pairs[position]
                    ks = json_string(pair.child_by_field_name("key"), src)
                    if ks is not None and ks[0] == key:
                        body = pair.child_by_field_name("value")
                if body is None:
                    if index is None:
                        index = _pair_index(packages_node, src)
                    body = index.get(key)
                version_node = _pair_index(body, src).get("version") if body is not None else None
                req = _lock_requirement(name, version, dev, version_node, src) if version_node is not None else None
                if req is not None:
                    manifest.requirements.append(req)
        return manifest
    if isinstance(doc.get("dependencies"), dict) and root is not None:
        _lock_v1(manifest, doc["dependencies"], _pair_index(root, src).get("dependencies"), src, wanted)
    return manifest


def _lock_v1(manifest: Manifest, deps: dict, node, src: bytes, wanted: Wanted | None, depth: int = 0) -> None:
    """lockfileVersion 1: nested `dependencies` objects of {version, dev, dependencies}."""
    if depth > 64 or node is None:
        return
    index = None
    for name, entry in deps.items():
        if not isinstance(entry, dict):
            continue
        version = entry.get("version")
        nested = entry.get("dependencies")
        ok = isinstance(version, str) and semver.parse(version) is not None and (wanted is None or wanted(name, version))
        if not ok and not isinstance(nested, dict):
            continue
        if index is None:
            index = _pair_index(node, src)
        body_index = _pair_index(index.get(name), src)
        if ok and body_index.get("version") is not None:
            req = _lock_requirement(name, version, bool(entry.get("dev")), body_index["version"], src)
            if req is not None:
                manifest.requirements.append(req)
        if isinstance(nested, dict):
            _lock_v1(manifest, nested, body_index.get("dependencies"), src, wanted, depth + 1)


def _lock_from_tree(manifest: Manifest, tree, src: bytes, wanted: Wanted | None) -> None:
    """A lock file that is not valid JSON: read what the tree holds (slower, but rare)."""
    entries: dict[int, dict] = {}
    for _pattern, caps in ts.QueryCursor(_lock_query()).matches(tree.root_node):
        path_node = caps["path"][0]
        entry = entries.setdefault(path_node.start_byte, {"path": path_node})
        entry[src[caps["field"][0].start_byte : caps["field"][0].end_byte].decode()] = caps["value"][0]
    for entry in entries.values():
        key = src[entry["path"].start_byte : entry["path"].end_byte].decode("utf-8", "replace")
        if not key or "node_modules/" not in key:
            continue
        link = entry.get("link")
        if link is not None and link.type == "true":
            continue
        vs = json_string(entry.get("version"), src)
        if vs is None or semver.parse(vs[0]) is None:
            continue
        named = json_string(entry.get("name"), src)
        name = named[0] if named else key.rsplit("node_modules/", 1)[-1]
        if wanted is not None and not wanted(name, vs[0]):
            continue
        dev = entry.get("dev")
        req = _lock_requirement(name, vs[0], dev is not None and dev.type == "true", entry["version"], src)
        if req is not None:
            manifest.requirements.append(req)
