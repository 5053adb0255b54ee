"""File roles: what a file is for (production code, a test, an example or doc, generated or
vendored output, a developer-only configuration) and what that changes about its findings.

A role comes from the file's path relative to its project root (never the absolute path: a
checkout under /home/u/tests/ must not make every file a test), from its name and, for
generated files, from its content. Everything is data: the tables below are the whole of the
conventions (pytest, jest, go test, JUnit/Maven layouts, examples/docs folders, dist/vendor and
minified bundles, compose overrides); `role_of` and `policy_action` are pure functions of them.

The policy (`policy_action`) says what happens to a finding of a rule in a role: "report" (as
it is), "hint" (kept at severity hint) or "drop". A rule's TOML `roles = [...]` lists the roles
where it reports as it is (dropped elsewhere); without it the rule's family decides
(`FAMILY_POLICY`). Configuration overrides roles per path (`roles = { "scripts/**" = "test" }`)
and the policy per role (`roles = { test = "report" }`). Generated files are not scanned.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Iterable, Mapping

PRODUCTION = "production"
TEST = "test"
EXAMPLE = "example"
GENERATED = "generated"
DEV_CONFIG = "dev-config"
ROLES = (PRODUCTION, TEST, EXAMPLE, GENERATED, DEV_CONFIG)

REPORT, HINT, DROP = "report", "hint", "drop"
ACTIONS = (REPORT, HINT, DROP)

# Folder names (any component of the relative path, case-insensitive) that give a role.
DIRS: dict[str, tuple[str, ...]] = {
    GENERATED: ("node_modules", "vendor", "vendored", "_vendor", "third_party", "third-party", "bower_components", "site-packages"),
    TEST: ("tests", "test", "__tests__", "__mocks__", "spec", "specs", "testing", "testdata", "test_data", "fixtures", "e2e",
           # A server a package ships beside its code only to run its own tests against (urllib3's
           # dummyserver/: echo handlers, CA keys): on the real-code benchmark 13 findings there,
           # all test scaffolding (issue 13). Named for what it is, not after one project.
           "dummyserver", "dummy_server", "testserver", "test_server", "mockserver", "mock_server",
           "fakeserver", "fake_server"),
    EXAMPLE: ("examples", "example", "docs", "doc", "docs_src", "samples", "sample", "demo", "demos", "tutorial", "tutorials", "benchmarks"),
    DEV_CONFIG: (".devcontainer",),
}
# Folder names that give a role only as the first component (a `build/` or `dist/` package deep
# inside a source tree is more likely code than output).
TOP_DIRS: dict[str, tuple[str, ...]] = {
    GENERATED: ("dist", "build", "out", "client-dist", "bundle"),
}
# What a development-only requirements file is named for (`dev-requirements.txt`,
# `requirements-test.txt`, `requirements/docs.txt`).
_DEV_REQ = r"(dev|develop|development|test|tests|testing|docs?|lint|linting|ci|tox|bench|benchmarks?|typing|mypy|coverage|style)"
_DEV_CONTAINER = r"(dev|devel|develop|development|local|test|tests|testing|ci|e2e|docs)"
# Container and compose files in these folders (any component) build a tool's or CI's
# environment, not what ships: typer's scripts/docker/Dockerfile, a project's ci/ or hack/ images.
_DEV_CONTAINER_DIRS = frozenset({"scripts", "script", "ci", ".ci", ".github", ".circleci", ".gitlab", "tools", "hack", "dev"})
_CONTAINER_FILE = re.compile(
    r"(Dockerfile|Containerfile)([.-][\w.-]+)?|[\w.-]+\.(Dockerfile|Containerfile)|(docker-)?compose([.-][\w.-]+)?\.ya?ml",
    re.IGNORECASE,
)
# File-name patterns (regular expressions on the base name).
NAMES: dict[str, tuple[str, ...]] = {
    GENERATED: (
        r".*[.-]min\.(m?js|cjs|css)",
        r".*\.bundle\.(m?js|cjs|css)",
        r".*\.(pb|pb2|pb2_grpc)\.(go|py)",
        r".*_pb2(_grpc)?\.py",
        r".*\.generated\.\w+",
        r".*\.g\.dart",
    ),
    TEST: (
        r"test_.*\.py",
        r".*_test\.py",
        r"conftest\.py",
        # a package's helpers for its own test suite (pandas/_testing.py, `*_testing.py`) and a
        # test server module kept beside the code (testserver.py, mock_server.py)
        r".*_testing\.py",
        r"(dummy|test|mock|fake)_?server\.py",
        r".*_test\.go",
        r".*\.(test|spec)\.[cm]?[jt]sx?",
        r".*(Test|Tests|IT)\.(java|kt)",
        r".*_spec\.rb",
        r".*_test\.rb",
    ),
    DEV_CONFIG: (
        r"(docker-)?compose[.-](dev|development|local|test|testing|ci|e2e|override)([.-][\w.-]*)?\.ya?ml",
        # requirements of the project's own development: tests, docs, linters, CI
        rf"{_DEV_REQ}[-_.]requirements(\.[\w-]+)?\.(txt|in)",
        rf"requirements[-_.]{_DEV_REQ}([-_.][\w-]+)?\.(txt|in)",
        # task files of the project's own development (nox, fabric, doit, paver)
        r"(noxfile|fabfile|toxfile|dodo|pavement)\.py",
        # containers built only for development, tests or CI (Dockerfile.dev, test.Dockerfile)
        rf"(Dockerfile|Containerfile)[.-]{_DEV_CONTAINER}",
        rf"{_DEV_CONTAINER}[.-](Dockerfile|Containerfile)",
    ),
}
# Files of a `requirements/` folder that are the project's own development requirements.
_DEV_REQ_IN_FOLDER = re.compile(_DEV_REQ + r"([-_.][\w-]+)?\.(txt|in)", re.IGNORECASE)
# Precedence when several apply.
ORDER = (GENERATED, TEST, EXAMPLE, DEV_CONFIG)

# Content: a header that says the file is generated (first 2,000 bytes), and minified JS/CSS.
GENERATED_HEADER = re.compile(
    rb"@generated\b|\bdo not edit\b|\bauto-?generated\b|\bautomatically generated\b|\bcode generated by\b",
    re.IGNORECASE,
)
MINIFIED_EXTENSIONS = (".js", ".mjs", ".cjs", ".css")
MINIFIED_LINE = 1000  # a line at least this long...
MINIFIED_AVERAGE = 200  # ...and this many bytes per line on average (over the first 64 KB)

SKIP_REASON = (
    "generated, minified or vendored file (role generated): not scanned; "
    'configure `roles = {{ "{path}" = "production" }}` to scan it'
)

# What a finding becomes in a role, by rule family (rules.model.Rule.family); roles not listed
# report. Secrets: only high-confidence findings (a provider's key format, a real-looking cloud
# key) stay in tests and examples; the rest is dropped there. On the real-code benchmark the
# medium- and low-confidence ones in tests were fixtures every time (passwords of test users,
# RFC example tokens, JWTs signed with a tutorial's key), 194 of 478 findings as hints.
FAMILY_POLICY: dict[str, dict[str, str]] = {
    "injection": {TEST: DROP, EXAMPLE: DROP},
    "crypto-and-configuration": {TEST: DROP, EXAMPLE: DROP},
    "imported": {TEST: DROP, EXAMPLE: DROP},
    "secrets": {TEST: "confident", EXAMPLE: "confident"},
    # The project's own dev/test/docs requirements: ranges and old pins there are chosen for
    # its CI (a minimum-versions job), not shipped; a typosquat there still reaches a developer
    # machine, wherever the file is (RL404 in CODE_POLICY).
    "dependencies": {TEST: DROP, EXAMPLE: HINT, DEV_CONFIG: DROP},
    # Containers and manifests of examples, docs, tests and development (a demo image that runs
    # as root, `sudo` in a devcontainer, a test compose file without limits): hardening findings
    # there describe nothing that runs in production. Until the real-code triage they were
    # kept as hints; 9 of 9 there were judged noise (issue 13, class P). What reaches a
    # developer's machine from there stays (CODE_POLICY: secrets, `curl | sh`, remote ADD).
    "infrastructure": {TEST: DROP, EXAMPLE: DROP, DEV_CONFIG: DROP},
}

# Per-rule exceptions to the family policy (a rule's own TOML `roles` still wins). A private key
# in a test or example folder is a TLS or signing fixture (tests/certs/server.key): 44 of 44 on
# the real-code benchmark. A provider token there (RL201) can be tried against the provider as it
# is: it follows the family policy (reported when high-confidence).
CODE_POLICY: dict[str, dict[str, str]] = {
    "RL202": {TEST: DROP, EXAMPLE: DROP},
    "RL404": {DEV_CONFIG: REPORT, TEST: REPORT, EXAMPLE: REPORT},
    # Example, benchmark and dev-task code imports what its reader or the developer installs
    # (jsonschema's benchmarks/ and pyperf, noxfile.py and nox): 15 of 15 on real releases.
    "RL406": {EXAMPLE: DROP, DEV_CONFIG: DROP},
    # An example's ranges and unpinned names are for its reader to resolve (gunicorn's examples:
    # fastapi>=0.100.0, numpy): noise every time on real releases. A pinned vulnerable version
    # there (RL401, family policy: hint) stays: readers copy an example's pins as they are.
    "RL402": {EXAMPLE: DROP},
    "RL403": {EXAMPLE: DROP},
    # A secret in a container's environment or a resource follows the secrets family: a
    # real-looking one is reported wherever it is, a demo password is not.
    "RL532": {TEST: "confident", EXAMPLE: "confident", DEV_CONFIG: "confident"},
    "RL515": {TEST: "confident", EXAMPLE: "confident", DEV_CONFIG: "confident"},
    # A script fetched and run as root, or a remote file added unchecked, runs on every machine
    # that builds the image, a developer's included: kept as a hint there.
    "RL533": {EXAMPLE: HINT, DEV_CONFIG: HINT},
    "RL534": {EXAMPLE: HINT, DEV_CONFIG: HINT},
}

_COMPILED = {role: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) for role, pats in NAMES.items()}
_DIRS = {role: frozenset(names) for role, names in DIRS.items()}
_TOP = {role: frozenset(names) for role, names in TOP_DIRS.items()}
_GIT_MARKERS = (".git", ".hg", ".svn")


def path_role(rel: str) -> str:
    """The role of a '/'-separated path relative to the project root, from path and name."""
    parts = [p for p in rel.replace("\\", "/").split("/") if p and p != "."]
    if not parts:
        return PRODUCTION
    name, folders = parts[-1], [p.lower() for p in parts[:-1]]
    if folders and folders[-1] == "requirements" and _DEV_REQ_IN_FOLDER.fullmatch(name):
        return DEV_CONFIG
    dev_container = _CONTAINER_FILE.fullmatch(name) is not None and any(f in _DEV_CONTAINER_DIRS for f in folders)
    for role in ORDER:
        pats = _COMPILED.get(role)
        if pats is not None and pats.fullmatch(name):
            return role
        dirs = _DIRS.get(role)
        if dirs and any(f in dirs for f in folders):
            return role
        top = _TOP.get(role)
        if top and folders and folders[0] in top:
            return role
        if role == DEV_CONFIG and dev_container:
            return role
    return PRODUCTION


def generated_content(name: str, text: bytes) -> bool:
    """A generated header, or a minified JS/CSS file (long lines, few line breaks)."""
    if GENERATED_HEADER.search(text[:2000]):
        return True
    if not name.lower().endswith(MINIFIED_EXTENSIONS):
        return False
    head = text[:65536]
    lines = head.split(b"\n")
    return max(map(len, lines)) >= MINIFIED_LINE and len(head) / len(lines) >= MINIFIED_AVERAGE


def role_of(rel: str, text: bytes | None = None, overrides: Iterable[tuple[str, str]] = ()) -> str:
    """The role of the file at `rel` (relative, '/'-separated) with content `text`:
    configuration overrides first (the first glob that matches), then the path, then content."""
    rel = rel.replace("\\", "/").lstrip("/")
    for glob, role in overrides:
        if glob_matches(glob, rel):
            return role
    role = path_role(rel)
    if role == PRODUCTION and text is not None and generated_content(rel.rsplit("/", 1)[-1], text):
        return GENERATED
    return role


@lru_cache(maxsize=512)
def _glob(pattern: str):
    from redline.files import compile_pattern

    return compile_pattern(pattern)


def glob_matches(pattern: str, rel: str) -> bool:
    """gitignore-style `pattern` (as `exclude` uses) against `rel` or one of its folders."""
    rule = _glob(pattern)
    if rule is None:
        return False
    if rule.regex.search(rel):
        return True
    parts = rel.split("/")
    return any(rule.regex.search("/".join(parts[:i])) for i in range(1, len(parts)))


@lru_cache(maxsize=4096)
def _vcs_root(folder: str) -> str | None:
    """The nearest folder at or above `folder` with a .git (.hg, .svn), or None."""
    here = folder
    while True:
        if any(os.path.exists(os.path.join(here, m)) for m in _GIT_MARKERS):
            return here
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


@lru_cache(maxsize=1024)
def _submodule(folder: str) -> bool:
    """`folder` has a `.git` file (a gitlink: a submodule or a linked worktree), not a folder."""
    return os.path.isfile(os.path.join(folder, ".git"))


def relative_path(path: str, roots: Iterable[str] = ()) -> str:
    """`path` relative to its project root: the deepest of `roots` (the scan root, the config
    file's folder) and the nearest version-control root that holds it. A relative `path` is
    already relative; an absolute one with no root is reduced to its file name."""
    if not os.path.isabs(path):
        return path.replace(os.sep, "/")
    path = os.path.normpath(path)
    candidates = [os.path.normpath(r) for r in roots if r and os.path.isabs(r)]
    vcs = _vcs_root(os.path.dirname(path))
    if vcs and not (candidates and _submodule(vcs)):
        # A git submodule inside the scanned project (its `.git` is a file pointing into the
        # outer repository: aiohttp's vendor/llhttp) is part of that project: its files keep
        # the path that says where they sit (vendor/, tests/), not one relative to the submodule.
        candidates.append(vcs)
    best = None
    for r in candidates:
        inside = r if r.endswith(os.sep) else r + os.sep
        if path.startswith(inside) and (best is None or len(r) > len(best)):
            best = r
    if best is None:
        return os.path.basename(path)
    return os.path.relpath(path, best).replace(os.sep, "/")


def policy_action(role: str, family: str, rule_roles: tuple[str, ...] | None, confident: bool,
                  role_policy: Mapping[str, str] | None = None, code: str = "") -> str:
    """What a finding becomes in `role`: REPORT, HINT or DROP.

    `rule_roles` is the rule's own list of roles (None: its family's default); `confident`
    whether the finding is high-confidence (secrets in tests and examples: kept, else dropped); `role_policy` the
    configuration's per-role switch ("report": every rule reports there as in production)."""
    if role == PRODUCTION:
        return REPORT
    if role_policy and role_policy.get(role) == REPORT:
        return REPORT
    if rule_roles is not None:
        return REPORT if role in rule_roles else DROP
    action = CODE_POLICY.get(code, {}).get(role) or FAMILY_POLICY.get(family, {}).get(role, REPORT)
    if action == "confident":
        return REPORT if confident else DROP
    return action
