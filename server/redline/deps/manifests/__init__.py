"""Manifest parsers, one module per format, behind `detect(path)` and `parse(...)`.

| format        | files                                                      | module          |
|---------------|------------------------------------------------------------|-----------------|
| requirements  | requirements*.txt, constraints*.txt, *.requirements.txt, requirements/*.txt | requirements.py |
| pyproject     | pyproject.toml ([project], [dependency-groups], Poetry)     | pytoml.py       |
| pipfile       | Pipfile                                                    | pytoml.py       |
| setup.cfg     | setup.cfg                                                  | setupcfg.py     |
| package.json  | package.json                                               | npm.py          |
| package-lock  | package-lock.json, npm-shrinkwrap.json                     | npm.py          |
| go.mod        | go.mod                                                     | gomod.py        |
| pom.xml       | pom.xml                                                    | pom.py          |

Parsers never execute anything and never read other files; a parser that meets something it
cannot read records a problem and goes on.
"""

from __future__ import annotations

import fnmatch
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.deps.manifests import npm
    from redline.deps.model import Manifest

# The parsers are imported by `parse`, not here: `detect` (file names only) is what the engines'
# table asks of every file opened (redline/engines/__init__.py), and it must stay cheap.

_REQUIREMENTS = ("requirements*.txt", "constraints*.txt", "*.requirements.txt", "*-requirements.txt", "requirements-*.txt")


def detect(path: str) -> str | None:
    """The manifest format of a file name, or None."""
    p = PurePath(path.replace("\\", "/"))
    name = p.name
    lower = name.lower()
    if any(fnmatch.fnmatchcase(lower, pat) for pat in _REQUIREMENTS):
        return "requirements"
    if lower.endswith(".txt") and p.parent.name.lower() == "requirements":
        return "requirements"
    return {
        "pyproject.toml": "pyproject",
        "Pipfile": "pipfile",
        "setup.cfg": "setup.cfg",
        "package.json": "package.json",
        "package-lock.json": "package-lock",
        "npm-shrinkwrap.json": "package-lock",
        "go.mod": "go.mod",
        "pom.xml": "pom.xml",
    }.get(name)


def parse(path: str, text: bytes, tree=None, wanted: npm.Wanted | None = None) -> Manifest | None:
    """The manifest in `text`; `tree` is the file's tree-sitter tree (TOML/JSON formats).

    `wanted(name, version)` filters lock-file entries (see npm.parse_package_lock)."""
    from redline.deps.manifests import gomod, npm, pom, pytoml, requirements, setupcfg

    fmt = detect(path)
    if fmt == "requirements":
        return requirements.parse(path, text)
    if fmt == "pyproject":
        return pytoml.parse_pyproject(path, tree, text)
    if fmt == "pipfile":
        return pytoml.parse_pipfile(path, tree, text)
    if fmt == "setup.cfg":
        return setupcfg.parse(path, text)
    if fmt == "package.json":
        return npm.parse_package_json(path, tree, text)
    if fmt == "package-lock":
        return npm.parse_package_lock(path, tree, text, wanted)
    if fmt == "go.mod":
        return gomod.parse(path, text)
    if fmt == "pom.xml":
        return pom.parse(path, text)
    return None
