"""The dependencies engine (fast, offline): manifests and imports.

- Manifests (requirements/constraints files, pyproject.toml, Pipfile, setup.cfg, package.json,
  package-lock.json, go.mod, pom.xml): RL401-RL405 through redline.deps.checks.
- Python and JavaScript/TypeScript files: RL406 undeclared imports through redline.deps.imports.

No network: with `online` on, registry answers already in the cache are used (the slow
`registry` engine makes the lookups). When the advisory database is missing, the other checks
still run and the engine reports why vulnerable-version checks did not (PartialResult).
"""

from __future__ import annotations

import os
from functools import lru_cache

from redline.config import Config
from redline.deps import manifests
from redline.documents.source import SourceFile
from redline.engines.base import PartialResult
from redline.findings import Finding, Fix, Severity, TextEdit
from redline.rules.registry import default_registry

# The checks, the name indexes (rapidfuzz), the advisory database, the registry client (urllib)
# and the import resolver (importlib.metadata) are imported where they are first needed: by the
# first manifest, or by the first code file whose imports are checked. Opening a Python file
# loads only this module and redline.deps.imports (tests/test_engines_lazy.py).
_CODE_LANGS = ("python", "javascript", "typescript", "tsx")  # imports.PYTHON_LANGS + JS_LANGS


def warm_up() -> None:
    """Load what a first scan would otherwise load: the advisory database, the popular-package
    lists and name indexes, the installed Python modules (about 50 ms of CPU, once per process).

    For a host to call off the keystroke path (e.g. a language server at start-up, in a
    thread), so that the first manifest or code file opened is not slow once. Never required:
    everything is loaded on first use anyway."""
    from redline.deps import imports
    from redline.deps import names as N
    from redline.deps import versions as V
    from redline.deps.database import get_database

    db, _err = get_database()
    for eco in (V.PYPI, V.NPM):
        N.index_for(eco, frozenset(db.names(eco)) if db is not None else frozenset())
    imports.installed_python_modules()


@lru_cache(maxsize=4096)
def manifest_format(path: str) -> str | None:
    """manifests.detect(path), remembered: it depends on the name only, and applies() and scan()
    both ask for every file scanned."""
    return manifests.detect(path)


_rules_of: dict[str, tuple[object, dict]] = {}


def rules_of(engine: str = "dependencies") -> dict:
    """The rules of `engine` by code, worked out once per registry (the engine asks per file)."""
    registry = default_registry()
    hit = _rules_of.get(engine)
    if hit is None or hit[0] is not registry:
        hit = _rules_of[engine] = (registry, {r.code: r for r in registry.rules if r.engine == engine})
    return hit[1]


_SAVED_LIMIT = 4 * 1024 * 1024


def _saved_if_different(file: SourceFile) -> bytes | None:
    """The manifest as saved on disk when the scanned text differs from it (an editor buffer
    with unsaved edits: names not in the saved file are being added), else None."""
    try:
        if os.path.getsize(file.path) > _SAVED_LIMIT:
            return None
        with open(file.path, "rb") as fh:
            saved = fh.read()
    except OSError:
        return None
    return None if saved == file.text else saved


class DependenciesEngine:
    name = "dependencies"
    slow = False
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        return manifest_format(file.path) is not None or file.language in _CODE_LANGS

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        rules = rules_of()
        if not rules:
            return []
        if manifest_format(file.path) is not None:
            return self._manifest(file, config, rules)
        return self._imports(file, rules)

    # manifests
    def _manifest(self, file: SourceFile, config: Config, rules: dict) -> list[Finding]:
        from redline.deps import checks, locks, registry
        from redline.deps import versions as V
        from redline.deps.database import get_database

        db, db_error = get_database()
        wanted = None
        if db is not None:
            npm_names = db.names(V.NPM)
            wanted = lambda name, _version: name.lower() in npm_names  # noqa: E731
        manifest = manifests.parse(file.path, file.text, file.tree, wanted)
        if manifest is None:
            return []
        on_disk = os.path.isfile(file.path)
        settings = checks.Settings(application=config.application, on_disk=on_disk)
        if on_disk:
            settings.saved_text = _saved_if_different(file)
            lock = checks.covering_lock(file.path, manifest.format)
            settings.has_lock = lock is not None
            if lock is not None and not manifest.is_lock:
                # A name the lock file resolved was installed from the registry: it exists.
                resolved = locks.names_in(lock)
                settings.lock_read = bool(resolved)
                for req in manifest.requirements:
                    norm = V.normalize_name(manifest.ecosystem, req.name)
                    if norm in resolved:
                        settings.registry_known[norm] = True
            if manifest.includes:
                settings.constrained = checks.constrained_names(file.path, manifest.includes)
        if config.online and manifest.ecosystem in (V.PYPI, V.NPM) and not manifest.is_lock:
            client = registry.client_for(config.pypi_url, config.npm_url)
            for req in manifest.requirements:
                answer = client.cached(manifest.ecosystem, req.name)
                if answer is not None:
                    settings.registry_known[V.normalize_name(manifest.ecosystem, req.name)] = answer
        findings = checks.check(file, manifest, rules, db, settings)
        if db is None and any(r.from_registry for r in manifest.requirements):
            # Keyed by the engine's name, not a rule code: the vulnerable-version rules did not run
            # at all, and the language server reads rule-code keys as tree-sitter rule failures.
            raise PartialResult(findings, [(self.name, db_error or "advisory database unavailable")])
        return findings

    # imports
    def _imports(self, file: SourceFile, rules: dict) -> list[Finding]:
        rule = rules.get("RL406")
        if rule is None:
            return []
        from redline.deps import imports

        ws, missing = imports.undeclared(file)
        if ws is None or not missing:
            return []
        from redline.deps import checks
        from redline.deps import names as N
        from redline.deps import versions as V
        from redline.deps.database import get_database

        db, _err = get_database()
        eco = V.PYPI if file.language in imports.PYTHON_LANGS else V.NPM
        index = N.index_for(eco, frozenset(db.names(eco)) if db is not None else frozenset())
        manifest_names = ", ".join(os.path.basename(m) for m in ws.manifests[:3])
        out = []
        for imp in missing:
            verdict = index.check(imp.module) if index is not None else None
            near = verdict is not None and verdict.status == "typosquat"
            fixes: tuple[Fix, ...] = ()
            if near and (file.language in imports.JS_LANGS or verdict.target.isidentifier()):
                fixes = (Fix(f"Import {verdict.target}", (TextEdit(file.span(*imp.span), verdict.target),)),)
            extra = (
                f" It looks like the popular {verdict.target} ({verdict.how}): a typo here invites a typosquatted install."
                if near
                else ""
            )
            out.append(
                checks.make(
                    rule, file, *imp.span,
                    severity=Severity.WARNING if near else None,
                    fixes=fixes,
                    module=imp.module, manifests=manifest_names, near=extra,
                    properties={"module": imp.module, "manifests": " ".join(ws.manifests), "similar_to": verdict.target if near else None},
                )
            )
        return out


ENGINE = DependenciesEngine()
