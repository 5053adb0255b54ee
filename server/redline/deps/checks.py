"""From a parsed manifest to findings: vulnerable versions, risky ranges, unpinned requirements,
typosquats and unknown names. Pure functions of (file, manifest, settings, database, name lists);
the dependencies engine (engines/dependencies.py) wires them up.

Rules (server/redline/rules/builtin/dependencies.toml):
- RL401 vulnerable-dependency: a pinned or locked version has advisories. Severity from the
  worst advisory (critical/high: error, moderate/unknown: warning, low: info). Fix: the smallest
  version above it that no known advisory affects.
- RL402 vulnerable-version-range: a range with a lower bound allows versions with advisories.
  Confidence low (info) when it also allows a fixed version; medium (warning) when every version
  it allows that the advisories name is affected.
- RL403 unpinned-dependency: an application's requirement with no exact version and no lock file.
- RL404 possible-typosquat, RL405 unknown-package: see redline.deps.names. RL405 becomes an
  error ("does not exist on PyPI/npm") when the registry said 404 (online only, see registry.py).
  Offline, RL405's hint is given only for a name being added (`is_new_name`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from redline.deps import names as N
from redline.deps import osv
from redline.deps import spec as specs
from redline.deps import versions as V
from redline.deps.database import AdvisoryDB
from redline.deps.model import Manifest, Requirement
from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding, Fix, Severity, TextEdit
from redline.rules.model import Rule
from redline.secrets.regex import linear

ENGINE = "dependencies"
MAX_LISTED = 3  # advisories named in a message; the rest are counted
LOCK_FILES = {
    "package.json": ("npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"),
    "pipfile": ("Pipfile.lock",),
    "pyproject": ("poetry.lock", "uv.lock", "pdm.lock"),
    "go.mod": ("go.sum",),
}
_UNPINNED_KINDS = ("runtime", "optional", "dev")
_SEVERITY = {"CRITICAL": Severity.ERROR, "HIGH": Severity.ERROR, "MEDIUM": Severity.WARNING, "LOW": Severity.INFO}


class _Args(dict):
    def __missing__(self, key):
        return "{" + key + "}"


@dataclass
class Settings:
    """What the checks need from the configuration and the file system."""

    application: bool | None = None  # config override; None: the manifest's guess
    has_lock: bool = False  # a lock file sits next to the manifest
    constrained: frozenset[str] = frozenset()  # normalized names pinned by -c constraint files
    # Normalized name -> exists: cached registry answers (online), and names the covering lock
    # file resolved (a package installed from the registry exists).
    registry_known: dict[str, bool] = field(default_factory=dict)
    # The text of the manifest as saved on disk, when it differs from the text scanned (an
    # editor buffer with unsaved edits); None when they are the same file.
    saved_text: bytes | None = None
    on_disk: bool = True  # False: standard input or a new, unsaved buffer (every name is new)
    lock_read: bool = False  # a covering lock file was found and listed package names


def is_new_name(req: Requirement, settings: Settings) -> bool:
    """Is `req` being added now, rather than a name the project has used for a while?

    Offline, "unknown to every list" says little about an established manifest (on 59 popular
    releases, 105 of 105 such hints named real packages too rare for the 15,000-name lists). The
    risk RL405 is for, a name an assistant invented, is at its highest when the name is added:
    - text that is not a saved file (standard input, a new editor buffer): every name is new;
    - an editor buffer whose saved file does not have the name yet: being typed now;
    - a manifest with a lock file that does not resolve the name: added since the last install
      (nobody has installed it yet; a resolved name is known to exist and never gets here)."""
    if not settings.on_disk:
        return True
    if settings.saved_text is not None and req.name.lower().encode() not in settings.saved_text.lower():
        return True
    return settings.lock_read


def make(rule: Rule, file: SourceFile, start: int, end: int, *, severity: Severity | None = None,
         confidence: Confidence | None = None, fixes: tuple[Fix, ...] = (), properties: dict | None = None,
         engine: str = ENGINE, **args) -> Finding:
    return Finding(
        code=rule.code,
        name=rule.name,
        message=rule.message.format_map(_Args(args)),
        severity=severity or rule.severity,
        confidence=confidence or rule.confidence,
        cwe=rule.cwe,
        span=file.span(start, end),
        engine=engine,
        fixes=fixes,
        properties=tuple((k, str(v)) for k, v in (properties or {}).items() if v is not None and v != ""),
    )


def _edit(file: SourceFile, span: tuple[int, int], text: str) -> TextEdit:
    return TextEdit(file.span(*span), text)


# ------------------------------------------------------------------------------ advisories


def worst_severity(advisories: list[osv.Advisory]) -> Severity:
    worst = Severity.WARNING if any(a.severity is None for a in advisories) else Severity.INFO
    for a in advisories:
        sev = _SEVERITY.get(a.severity or "", Severity.WARNING)
        if sev.rank > worst.rank:
            worst = sev
    return worst


def describe(advisories: list[osv.Advisory]) -> str:
    """`ID (CVE) [HIGH]: summary; ID2 ...; and N more`."""
    ordered = sorted(advisories, key=lambda a: (-(a.score or _score_of(a.severity)), a.id))
    parts = []
    for a in ordered[:MAX_LISTED]:
        sev = f" [{a.severity}]" if a.severity else ""
        summary = f": {a.summary.rstrip('.')}" if a.summary else ""
        parts.append(f"{a.title}{sev}{summary}")
    more = len(ordered) - MAX_LISTED
    text = "; ".join(parts)
    if more > 0:
        text += f"; and {more} more"
    return text


def _score_of(severity: str | None) -> float:
    return {"CRITICAL": 9.0, "HIGH": 7.0, "MEDIUM": 4.0, "LOW": 0.1}.get(severity or "", 5.0)


def _parse(eco: str, text: str):
    return V.parse(eco, text.lstrip("v") if eco == V.GO else text)


def _is_prerelease(eco: str, parsed) -> bool:
    return bool(getattr(parsed, "is_prerelease", False) or getattr(parsed, "pre", None))


def smallest_safe(advisories: tuple[osv.Advisory, ...], eco: str, above: str | None, allowed=None) -> str | None:
    """The smallest version named as a fix by the package's advisories that is above `above`
    (when given), allowed by `allowed` (a Constraint, when given) and affected by none of them."""
    floor = _parse(eco, above) if above else None
    floor_pre = floor is not None and _is_prerelease(eco, floor)
    candidates = {}
    for a in advisories:
        for v in a.fixed_versions():
            p = _parse(eco, v)
            if p is None or (floor is not None and not p > floor):
                continue
            if _is_prerelease(eco, p) and not floor_pre:
                continue
            candidates.setdefault(v, p)
    ordered = sorted(candidates.items(), key=lambda kv: kv[1])
    fast = _first_outside(advisories, ordered, allowed)
    if fast is not False:
        return fast
    # Mixed version types: ask each advisory. Advisories that rejected a candidate are tried
    # first on the next one (consecutive fix versions are mostly rejected by the same few).
    order = list(advisories)
    for v, _p in ordered:
        if allowed is not None and not allowed.allows(v):
            continue
        blocker = next((i for i, a in enumerate(order) if a.affects(v)), None)
        if blocker is None:
            return v
        order.insert(0, order.pop(blocker))
    return None


def _first_outside(advisories, ordered, allowed):
    """The first candidate (ascending (text, parsed) pairs) outside every advisory's affected
    intervals and listed versions; False when the intervals cannot be compared with each other.

    One sweep: with intervals sorted by their low end, a candidate is affected exactly when some
    interval starting at or below it reaches beyond it, so a running maximum of the high ends
    of the intervals started so far decides."""
    intervals = []
    listed = set()
    for a in advisories:
        iv = a.intervals()
        if iv is None:
            return False
        intervals.extend(iv)
        listed |= a.versions
    kinds = {type(b) for lo, hi, _i in intervals for b in (lo, hi) if b is not None} | {type(p) for _v, p in ordered}
    if len(kinds) > 1:
        return False
    intervals.sort(key=lambda iv: (iv[0] is not None, iv[0]) if iv[0] is not None else (False, 0))
    i = 0
    reach = None  # (high or None for unbounded, inclusive); None before any interval started
    started = False
    for v, p in ordered:
        while i < len(intervals) and (intervals[i][0] is None or intervals[i][0] <= p):
            _lo, hi, inclusive = intervals[i]
            if not started or reach[0] is not None and (hi is None or hi > reach[0] or (hi == reach[0] and inclusive)):
                reach = (hi, inclusive)
                started = True
            i += 1
        inside = started and (reach[0] is None or p < reach[0] or (p == reach[0] and reach[1]))
        if inside or v in listed:
            continue
        if allowed is not None and not allowed.allows(v):
            continue
        return v
    return None


def _safe(db: AdvisoryDB, eco: str, name: str, above: str | None, allowed=None) -> str | None:
    """smallest_safe, remembered per database (a keystroke re-scan asks the same questions)."""
    key = ("safe", eco, V.normalize_name(eco, name), above, getattr(allowed, "text", None), type(allowed).__name__)
    if key not in db.memo:
        db.memo[key] = smallest_safe(db.advisories(eco, name), eco, above, allowed)
    return db.memo[key]


def _data_note(db: AdvisoryDB, eco: str) -> tuple[str, str | None]:
    note = db.staleness_note(eco)
    return (f" (Note: {note}.)" if note else ""), db.data_date(eco)


def vulnerable_pinned(rule: Rule, file: SourceFile, req: Requirement, db: AdvisoryDB) -> Finding | None:
    version = req.version or ""
    if not db.has_package(req.ecosystem, req.name):
        return None
    hits = db.affecting(req.ecosystem, req.name, version)
    if not hits:
        return None
    fixed = _safe(db, req.ecosystem, req.name, version)
    toolchain = req.kind == "toolchain"
    shown = V.display(req.ecosystem, version) if not toolchain else f"go{version}"
    package = "the Go standard library in toolchain" if toolchain else req.name
    fixes: tuple[Fix, ...] = ()
    if fixed:
        target = V.display(req.ecosystem, fixed) if not toolchain else f"go{fixed}"
        if req.locked:
            how = "npm install" if req.ecosystem == V.NPM else "your package manager"
            remedy = f"Upgrade to {target}, the smallest version that fixes every known advisory (with {how}; the lock file follows)."
        else:
            remedy = f"Upgrade to {target}, the smallest version that fixes every known advisory."
            if req.version_span:
                title = f"Upgrade the Go toolchain to {target}" if toolchain else f"Upgrade {req.name} to {target}"
                fixes = (Fix(title, (_edit(file, req.version_span, fixed),)),)
    else:
        remedy = "No fixed version is known: replace the package or remove it."
    note, data_date = _data_note(db, req.ecosystem)
    return make(
        rule, file, *req.span,
        severity=worst_severity(hits),
        fixes=fixes,
        properties={
            "ecosystem": req.ecosystem, "package": req.name, "version": version,
            "advisories": ",".join(a.id for a in hits), "fixed_version": fixed,
            "advisory_urls": " ".join(a.url for a in hits if a.url), "advisory_data_date": data_date,
        },
        package=package, version=shown, count=len(hits),
        vulnerabilities="vulnerability" if len(hits) == 1 else "vulnerabilities",
        advisories=describe(hits), remedy=remedy + note,
    )


def _lowest_vulnerable(db: AdvisoryDB, eco: str, name: str, c: specs.Constraint, low: str):
    """(version, advisories) for the lowest version the range allows that the advisories name
    (or its lower bound) and that is affected; None when there is none."""
    key = ("range", eco, V.normalize_name(eco, name), c.text, type(c).__name__)
    if key in db.memo:
        return db.memo[key]
    candidates = {low}
    for a in db.advisories(eco, name):
        candidates.update(a.boundary_versions())
    best = None
    for v in candidates:
        p = _parse(eco, v)
        if p is None or (best is not None and not p < best[0]) or not c.allows(v):
            continue
        hits = db.affecting(eco, name, v)
        if hits:
            best = (p, v, hits)
    result = (best[1], best[2]) if best else None
    db.memo[key] = result
    return result


def vulnerable_range(rule: Rule, file: SourceFile, req: Requirement, c: specs.Constraint, db: AdvisoryDB,
                     library: bool = False) -> Finding | None:
    """RL402. A `library`'s range that also allows a fixed version is not reported: its users'
    installers resolve it to the newest version (fixed), and its lower bound is a compatibility
    promise, not what gets installed (issue 13: 31 of 31 such findings on real releases were
    noise). A library range that allows no fixed version still is (warning)."""
    if not db.has_package(req.ecosystem, req.name):
        return None
    low = c.lowest()
    if low is None:
        return None
    found = _lowest_vulnerable(db, req.ecosystem, req.name, c, low)
    if found is None:
        return None
    example, hits = found
    safe = _safe(db, req.ecosystem, req.name, None, allowed=c)
    fixes: tuple[Fix, ...] = ()
    if safe is not None and library:
        return None
    if safe is not None:
        severity, confidence = Severity.INFO, Confidence.LOW
        raised = c.raised(safe)
        remedy = f"Require at least {safe}, the smallest allowed version that fixes every known advisory."
        if raised and req.spec_span and not req.locked:
            fixes = (Fix(f"Require {req.name} {raised}", (_edit(file, req.spec_span, raised),)),)
    else:
        severity, confidence = Severity.WARNING, Confidence.MEDIUM
        anywhere = _safe(db, req.ecosystem, req.name, low)
        remedy = (
            f"Every version it allows that the advisories name is affected: allow {anywhere} or later."
            if anywhere
            else "No fixed version is known: replace the package or remove it."
        )
    note, data_date = _data_note(db, req.ecosystem)
    return make(
        rule, file, *req.span,
        severity=severity, confidence=confidence, fixes=fixes,
        properties={
            "ecosystem": req.ecosystem, "package": req.name, "range": req.spec, "example_version": example,
            "advisories": ",".join(a.id for a in hits), "fixed_version": safe, "advisory_data_date": data_date,
        },
        package=req.name, spec=req.spec or "*", example=example,
        advisories=describe(hits), remedy=remedy + note,
    )


# ----------------------------------------------------------------------------- pinning


def unpinned(rule: Rule, file: SourceFile, req: Requirement, c: specs.Constraint | None) -> Finding | None:
    if c is not None and c.exact is not None:
        return None
    if req.ecosystem == V.MAVEN and not req.spec.strip().startswith(("[", "(")):
        return None  # no version: managed by a BOM/dependencyManagement, not a floating range
    shown = req.spec.strip() or "any version"
    return make(rule, file, *req.span, package=req.name, spec=shown, properties={"package": req.name, "range": req.spec})


# Extras of a library named for its own development (pip install lib[test]): like dependency
# groups, what they pin or allow serves the project's CI, not its users.
DEV_EXTRA = linear(
    r"(dev|develop|development|test|tests|testing|docs?|lint|linting|ci|tox|bench|benchmarks?|typing|mypy|"
    r"coverage|style|types|check|checks|qa)([-_.][\w-]*)?",
    re.IGNORECASE,
)


def dev_only(req: Requirement, manifest: Manifest, settings: Settings) -> bool:
    """Is `req` installed only while developing a library, never by its users?

    A library's dev dependencies (devDependencies, PEP 735 dependency groups, Poetry groups,
    tests_require), its build requirements (resolved fresh by the build front end) and its
    dev/test/docs extras. Vulnerable pins and ranges there were noise on every real release
    triaged (issue 13, class D: minimum-version CI groups, a docs lock, a test server's
    express). An application's dev dependencies still count: its lock file installs them on
    every developer machine and CI runner. Name checks (typosquats) apply everywhere."""
    if manifest.is_lock or is_application(manifest, settings):
        return False  # a lock file does not say whose it is: its dev entries are installed with it
    if req.kind in ("dev", "build"):
        return True
    return req.kind == "optional" and bool(req.group) and DEV_EXTRA.fullmatch(req.group) is not None


def is_application(manifest: Manifest, settings: Settings) -> bool:
    if settings.application is not None:
        return settings.application
    return bool(manifest.application)


# -------------------------------------------------------------------------------- names


def name_findings(rules: dict[str, Rule], file: SourceFile, req: Requirement, index: N.NameIndex, settings: Settings) -> list[Finding]:
    verdict = index.check(req.name)
    if verdict.is_known or verdict.status == "private":
        return []
    norm = V.normalize_name(req.ecosystem, req.name)
    registry = "PyPI" if req.ecosystem == V.PYPI else "npm"
    exists = settings.registry_known.get(norm)
    if exists is False:
        return [nonexistent(rules["RL405"], file, req, registry, verdict)]
    if verdict.status == "scope":
        return []  # a listed publisher's npm scope: nobody else can register the name
    if verdict.status == "typosquat":
        rule = rules["RL404"]
        fixes: tuple[Fix, ...] = ()
        if req.name_span and verdict.target:
            fixes = (Fix(f"Replace {req.name} with {verdict.target}", (_edit(file, req.name_span, verdict.target),)),)
        return [
            make(rule, file, *req.span, fixes=fixes, package=req.name, target=verdict.target, how=verdict.how,
                 properties={"package": req.name, "similar_to": verdict.target, "similarity": verdict.how,
                             "registry_checked": "exists" if exists else None})
        ]
    if exists:
        return []  # the registry confirmed it (online lookup, cached): rare, not invented
    if not is_new_name(req, settings):
        return []  # an established name: ask the registry (`online = true`) to check it
    rule = rules["RL405"]
    return [
        make(
            rule, file, *req.span, package=req.name,
            what=f"is not in any list of {registry} packages Redline has offline (the popular packages and every package with an advisory)",
            advice="check that it exists and is the package you mean before installing it; assistants invent names that attackers then register",
            properties={"package": req.name, "registry": registry},
        )
    ]


def nonexistent(rule: Rule, file: SourceFile, req: Requirement, registry: str, verdict: N.Verdict | None, engine: str = ENGINE) -> Finding:
    """RL405 upgraded by a registry answer: the package does not exist (error, high confidence)."""
    fixes: tuple[Fix, ...] = ()
    hint = ""
    if verdict is not None and verdict.status == "typosquat" and verdict.target:
        hint = f" Did you mean {verdict.target}?"
        if req.name_span:
            fixes = (Fix(f"Replace {req.name} with {verdict.target}", (_edit(file, req.name_span, verdict.target),)),)
    return make(
        rule, file, *req.span, severity=Severity.ERROR, confidence=Confidence.HIGH, fixes=fixes, engine=engine,
        package=req.name, what=f"does not exist on {registry}",
        advice=f"installing it fails today, and anyone can register the name tomorrow. Remove it or fix the name.{hint}",
        properties={"package": req.name, "registry": registry, "registry_checked": "missing"},
    )


# ------------------------------------------------------------------------------ manifest


def check(file: SourceFile, manifest: Manifest, rules: dict[str, Rule], db: AdvisoryDB | None, settings: Settings) -> list[Finding]:
    out: list[Finding] = []
    index = None
    if manifest.ecosystem in (V.PYPI, V.NPM) and not manifest.is_lock:
        known = frozenset(db.names(manifest.ecosystem)) if db is not None else frozenset()
        index = N.index_for(manifest.ecosystem, known)
    app = is_application(manifest, settings) and not settings.has_lock
    for req in manifest.requirements:
        dialect = req.dialect or specs.DIALECT_OF.get(req.ecosystem, "exact")
        # A pinned requirement needs no constraint object (the version says it all).
        c = specs.for_dialect(dialect, req.spec) if req.from_registry and req.spec and req.version is None else None
        if req.from_registry and db is not None and not dev_only(req, manifest, settings):
            if req.version is not None:
                f = vulnerable_pinned(rules["RL401"], file, req, db)
                if f:
                    out.append(f)
            elif c is not None:
                f = vulnerable_range(rules["RL402"], file, req, c, db, library=not is_application(manifest, settings))
                if f:
                    out.append(f)
        if (
            app and req.from_registry and not req.locked and req.kind in _UNPINNED_KINDS
            and V.normalize_name(req.ecosystem, req.name) not in settings.constrained
        ):
            if req.version is None and (not req.spec or c is not None or req.source == "tag"):
                f = unpinned(rules["RL403"], file, req, c)
                if f:
                    out.append(f)
        if index is not None and req.from_registry and not req.locked:
            out.extend(name_findings(rules, file, req, index, settings))
    return out


# ------------------------------------------------------------------------- file-system facts


def sibling_lock(path: str, fmt: str) -> bool:
    """Is the manifest covered by a lock file? (The name is historical: see `covering_lock`.)"""
    return covering_lock(path, fmt) is not None


MAX_LOCK_LEVELS = 12  # folders walked up from a manifest looking for a workspace root's lock
_LOCK_READ = 20_000_000  # a lock file larger than this is taken to cover its workspace unread


def covering_lock(path: str, fmt: str) -> str | None:
    """The lock file that covers a manifest on disk, or None.

    A lock file of the manifest's ecosystem (npm-shrinkwrap.json, package-lock.json, yarn.lock,
    pnpm-lock.yaml, bun.lock(b); poetry.lock, uv.lock, pdm.lock; Pipfile.lock; go.sum) in the
    manifest's folder covers it. One in a folder above covers it when that folder is the root of
    a workspace the manifest belongs to: npm/yarn/bun `workspaces` in its package.json, a
    pnpm-workspace.yaml, `[tool.uv.workspace]`/`[tool.pdm...workspace]` in its pyproject.toml,
    or the lock file names the member's folder (package-lock `packages`, pnpm `importers`, uv
    editable members). The walk stops at the repository root (a folder with `.git`) or the
    file system root: a lock file outside the repository covers nothing in it."""
    names = LOCK_FILES.get(fmt)
    if not names:
        return None
    folder = Path(path).parent
    member = folder
    for level in range(MAX_LOCK_LEVELS):
        for n in names:
            lock = folder / n
            if lock.is_file() and (level == 0 or _workspace_covers(folder, lock, member, fmt)):
                return str(lock)
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent
    return None


def _read_text(p: Path, limit: int = _LOCK_READ) -> str | None:
    """The file's text (None when missing or larger than `limit`), cached by modification time
    and size: the language server asks on every keystroke in a manifest."""
    try:
        st = p.stat()
    except OSError:
        return None
    if st.st_size > limit:
        return None
    return _read_cached(str(p), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)  # lock files can be tens of megabytes
def _read_cached(path: str, _mtime: int, _size: int) -> str | None:
    try:
        return Path(path).read_text("utf-8", "replace")
    except OSError:
        return None


def _workspace_covers(root: Path, lock: Path, member: Path, fmt: str) -> bool:
    """Does the lock file in `root` (a folder above the manifest) cover the member folder?"""
    rel = member.relative_to(root).as_posix()
    if fmt == "package.json":
        if (root / "pnpm-workspace.yaml").is_file():
            return True
        text = _read_text(root / "package.json", 5_000_000) or ""
        try:
            doc = json.loads(text) if text else None
        except ValueError:
            doc = None
        if isinstance(doc, dict) and doc.get("workspaces"):
            return True
    elif fmt == "pyproject":
        text = _read_text(root / "pyproject.toml", 5_000_000) or ""
        if "[tool.uv.workspace]" in text or ("[tool.pdm" in text and "workspace" in text):
            return True
    if lock.suffix == ".lockb":
        return False  # binary: cannot be read for member paths
    body = _read_text(lock)
    if body is None:
        return True  # too large to read: a monorepo's lock file
    # The member's folder written as a key or value: "packages/app", packages/app:, "./packages/app"
    return any(f"{q}{pre}{rel}{q}" in body or f"\n  {pre}{rel}:" in body for q in ('"', "'") for pre in ("", "./"))


def constrained_names(path: str, includes: list[tuple[str, str]], depth: int = 0, seen: set | None = None) -> frozenset[str]:
    """Names pinned (`==`) in the constraint files (`-c`) a requirements file includes,
    following nested includes up to 3 levels; files are read, never executed."""
    from redline.deps.manifests import requirements as R

    seen = seen if seen is not None else set()
    out: set[str] = set()
    if depth > 3:
        return frozenset()
    base = Path(path).parent
    for flag, rel in includes:
        target = (base / os.path.expanduser(rel)).resolve()
        if target in seen or not target.is_file():
            continue
        seen.add(target)
        try:
            if target.stat().st_size > 2_000_000:
                continue
            data = target.read_bytes()
        except OSError:
            continue
        inc = R.parse(str(target), data)
        if flag == "-c":
            out.update(V.normalize_name(V.PYPI, r.name) for r in inc.requirements if r.version is not None)
        out.update(constrained_names(str(target), [i for i in inc.includes if i[0] == "-c"] if flag == "-r" else inc.includes, depth + 1, seen))
    return frozenset(out)
