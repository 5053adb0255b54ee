"""The package names a lock file records (read, never executed), for two questions:

- does a package exist? A name a lock file resolved was installed from the registry at least
  once, so RL405 (unknown package) has nothing to warn about;
- is an import a transitive dependency? A name in the lock file is installed with the project
  even when no manifest declares it (RL406, see redline.deps.imports).

Formats: package-lock.json / npm-shrinkwrap.json (v1-v3), yarn.lock (classic and berry),
pnpm-lock.yaml, bun.lock, poetry.lock, uv.lock, pdm.lock, Pipfile.lock. bun.lockb is binary and
yields nothing. Names come back normalized for their ecosystem (redline.deps.versions). Plain
string operations, no regular expressions: lock files can be tens of megabytes. Results are
cached by path, modification time and size.
"""

from __future__ import annotations

import json
import os
import threading

from redline.deps import versions as V

MAX_BYTES = 50_000_000
NPM_LOCKS = ("npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")
PYPI_LOCKS = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")

_cache: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}
_lock = threading.Lock()


def ecosystem_of(path: str) -> str | None:
    name = os.path.basename(path)
    if name in NPM_LOCKS:
        return V.NPM
    if name in PYPI_LOCKS:
        return V.PYPI
    return None


def names_in(path: str) -> frozenset[str]:
    """Normalized package names recorded in the lock file at `path` (empty when unreadable)."""
    eco = ecosystem_of(path)
    if eco is None:
        return frozenset()
    try:
        st = os.stat(path)
    except OSError:
        return frozenset()
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _cache.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    names: set[str] = set()
    if st.st_size <= MAX_BYTES:
        try:
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        base = os.path.basename(path)
        try:
            names = _PARSERS[base](text)
        except (ValueError, AttributeError, TypeError):
            names = set()
    out = frozenset(V.normalize_name(eco, n) for n in names if n)
    with _lock:
        _cache[path] = (stamp, out)
    return out


def _package_lock(text: str) -> set[str]:
    doc = json.loads(text)
    out: set[str] = set()
    for key in (doc.get("packages") or {}):
        i = key.rfind("node_modules/")
        if i != -1:
            out.add(key[i + len("node_modules/"):])

    def walk(deps):
        for name, info in (deps or {}).items():
            out.add(name)
            if isinstance(info, dict):
                walk(info.get("dependencies"))

    walk(doc.get("dependencies"))
    return out


def _spec_name(spec: str) -> str:
    """`@scope/name@^1.0` / `name@npm:1.0` -> the package name."""
    spec = spec.strip().strip("\"'")
    at = spec.find("@", 1)
    return spec[:at] if at > 0 else spec


def _yarn_lock(text: str) -> set[str]:
    out: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in " \t#" or not line.rstrip().endswith(":"):
            continue
        for spec in line.rstrip()[:-1].split(","):
            name = _spec_name(spec)
            if name and name != "__metadata":
                out.add(name)
    return out


def _pnpm_lock(text: str) -> set[str]:
    out: set[str] = set()
    section = ""
    for line in text.splitlines():
        if line and line[0] not in " \t#":
            section = line.rstrip()
            continue
        if section not in ("packages:", "snapshots:"):
            continue
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            key = line.strip()[:-1].strip("\"'").lstrip("/")
            paren = key.find("(")
            if paren != -1:
                key = key[:paren]
            out.add(_pnpm_name(key))
    return out


def _pnpm_name(key: str) -> str:
    """`lodash@4.17.21`, `@babel/core@7.0.0` (v9) or `lodash/4.17.21`, `@babel/core/7.0.0` (v5/v6)."""
    if "@" in key[1:]:
        return _spec_name(key)
    parts = key.split("/")
    keep = 2 if key.startswith("@") else 1
    return "/".join(parts[:keep])


def _bun_lock(text: str) -> set[str]:
    out: set[str] = set()
    inside = False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith('"packages"'):
            inside = True
            continue
        if inside and line.startswith('    "') and '": [' in s:
            out.add(s[1 : s.index('"', 1)])
    return out


def _toml_packages(text: str) -> set[str]:
    """poetry.lock, uv.lock, pdm.lock: the `name` of each `[[package]]` table."""
    out: set[str] = set()
    in_package = False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("["):
            in_package = s == "[[package]]"
            continue
        if in_package and s.startswith("name") and "=" in s:
            value = s.split("=", 1)[1].strip().strip("\"'")
            out.add(value)
            in_package = False
    return out


def _pipfile_lock(text: str) -> set[str]:
    doc = json.loads(text)
    return {n for section in ("default", "develop") for n in (doc.get(section) or {})}


_PARSERS = {
    "npm-shrinkwrap.json": _package_lock,
    "package-lock.json": _package_lock,
    "yarn.lock": _yarn_lock,
    "pnpm-lock.yaml": _pnpm_lock,
    "bun.lock": _bun_lock,
    "poetry.lock": _toml_packages,
    "uv.lock": _toml_packages,
    "pdm.lock": _toml_packages,
    "Pipfile.lock": _pipfile_lock,
}
