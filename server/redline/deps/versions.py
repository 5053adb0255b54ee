"""Versions and package names per ecosystem: one place that knows how PyPI, npm, Go and Maven
order versions and spell names.

- PyPI: PEP 440 (`packaging.version`); names PEP 503-normalized (lowercase, runs of `-_.` -> `-`).
- npm and Go: SemVer 2.0 (`redline.deps.semver`); Go's leading `v` is dropped.
- Maven: Maven's ComparableVersion (`redline.deps.mavenversion`).

`parse(ecosystem, text)` returns an object that compares with others of the same ecosystem, or
None when the text is not a version there (dist-tags, ranges, property references).
"""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.version import InvalidVersion, Version

from redline.deps import mavenversion, semver

PYPI, NPM, GO, MAVEN = "PyPI", "npm", "Go", "Maven"
ECOSYSTEMS = (PYPI, NPM, GO, MAVEN)

_PEP503 = re.compile(r"[-_.]+")


@lru_cache(maxsize=65536)
def normalize_name(ecosystem: str, name: str) -> str:
    """The name as the advisory database and the top-package lists spell it."""
    name = name.strip()
    if ecosystem == PYPI:
        return _PEP503.sub("-", name).lower()
    if ecosystem == NPM:
        return name.lower()
    return name


@lru_cache(maxsize=65536)
def parse(ecosystem: str, text: str):
    """A comparable version, or None."""
    if not text or len(text) > 200:
        return None
    if ecosystem == PYPI:
        try:
            return Version(text)
        except InvalidVersion:
            return None
    if ecosystem in (NPM, GO):
        return semver.parse(text)
    if ecosystem == MAVEN:
        return mavenversion.parse(text)
    return None


def display(ecosystem: str, text: str) -> str:
    """How a version is written in that ecosystem's manifests (Go keeps its `v`)."""
    if ecosystem == GO and not text.startswith("v"):
        return "v" + text
    return text
