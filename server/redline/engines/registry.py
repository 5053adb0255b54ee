"""The registry engine (slow, online only): does each unknown package exist on PyPI / npm?

Runs only when the `online` setting is on, and only for names the offline lists do not know
(RL404 typosquat candidates and RL405 unknown names of PyPI and npm manifests). A registry 404
turns into RL405 "does not exist on PyPI/npm" (error, high confidence), which replaces the
offline hint or typosquat warning on that line (same CWE: the pipeline keeps the more
confident finding). Answers are cached (redline.deps.registry), so the fast engine can use them
on later keystrokes without any network access.

It is a slow engine so that network round trips never sit on the keystroke path: the language
server runs it debounced, off the event loop; `redline scan` runs it with everything else.
"""

from __future__ import annotations

from redline.config import Config
from redline.deps import checks, manifests
from redline.deps import names as N
from redline.deps import registry
from redline.deps import versions as V
from redline.deps.database import get_database
from redline.documents.source import SourceFile
from redline.engines.dependencies import rules_of
from redline.findings import Finding

_FORMATS = ("requirements", "pyproject", "pipfile", "setup.cfg", "package.json")


class RegistryEngine:
    name = "registry"
    slow = True
    default_on = True  # does nothing unless `online` is on

    def applies(self, file: SourceFile) -> bool:
        return manifests.detect(file.path) in _FORMATS

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        if not config.online:
            return []
        rule = rules_of("dependencies").get("RL405")
        if rule is None:
            return []
        manifest = manifests.parse(file.path, file.text, file.tree)
        if manifest is None or manifest.ecosystem not in (V.PYPI, V.NPM):
            return []
        db, _err = get_database()
        index = N.index_for(manifest.ecosystem, frozenset(db.names(manifest.ecosystem)) if db is not None else frozenset())
        if index is None:
            return []
        candidates = []
        for req in manifest.requirements:
            if not req.from_registry or req.locked:
                continue
            verdict = index.check(req.name)
            if verdict.is_known or verdict.status == "private":
                continue
            candidates.append((req, verdict))
        if not candidates:
            return []
        client = registry.client_for(config.pypi_url, config.npm_url)
        answers = client.exists_many([(manifest.ecosystem, req.name) for req, _v in candidates])
        label = "PyPI" if manifest.ecosystem == V.PYPI else "npm"
        out = []
        for req, verdict in candidates:
            if answers.get((manifest.ecosystem, req.name)) is False:
                out.append(checks.nonexistent(rule, file, req, label, verdict, engine=self.name))
        return out


ENGINE = RegistryEngine()
