"""What a manifest parser returns: the requirements it declares, with exact byte spans.

Every manifest format (requirements files, pyproject.toml, Pipfile, setup.cfg, package.json,
package-lock.json, go.mod, pom.xml) becomes one `Manifest` holding `Requirement`s; the checks
in `redline.deps.checks` only ever see this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]  # [start, end) byte offsets in the manifest


@dataclass(frozen=True)
class Requirement:
    ecosystem: str  # versions.PYPI / NPM / GO / MAVEN
    name: str  # as the registry knows it (after npm aliases and Maven property resolution)
    span: Span  # the whole requirement (what a finding underlines)
    name_span: Span | None = None  # the name as written (what a rename edits)
    spec: str = ""  # the constraint as written: "==1.2.3", "^4.17.0", ">=2,<3", "[1.0,2.0)"
    spec_span: Span | None = None
    version: str | None = None  # the exact version when pinned or locked
    version_span: Span | None = None  # where that version is written (what an upgrade edits)
    kind: str = "runtime"  # runtime | dev | optional | peer | build | override | toolchain
    source: str = "registry"  # registry | url | vcs | path | workspace | tag
    locked: bool = False  # from a lock file (machine-written: no name checks, no edits)
    alias: str | None = None  # npm "name": "npm:real@range": the key that was written
    dialect: str = ""  # how to read `spec` (redline.deps.spec): pep440 | poetry | npm | maven | exact
    group: str = ""  # the optional extra or dependency group it is listed in ("test", "docs")

    @property
    def pinned(self) -> bool:
        return self.version is not None

    @property
    def from_registry(self) -> bool:
        return self.source in ("registry", "tag")


@dataclass
class Manifest:
    path: str
    format: str  # requirements | pyproject | pipfile | setup.cfg | package.json | package-lock | go.mod | pom.xml
    ecosystem: str
    requirements: list[Requirement] = field(default_factory=list)
    includes: list[tuple[str, str]] = field(default_factory=list)  # ("-r" | "-c", path as written)
    application: bool | None = None  # the parser's guess; None: no opinion
    problems: list[tuple[Span, str]] = field(default_factory=list)  # lines it could not read

    @property
    def is_lock(self) -> bool:
        return self.format in ("package-lock",)
