"""Engines behind one interface.

Each engine is a module of this package with a module-level `ENGINE` (an object with the `Engine`
protocol of engines/base.py), and a row in `_TABLE` below: its name, whether it is slow, whether
it is on by default, and which files it can apply to, as cheap data (languages, whether manifest
file names count). `all_engines()` returns one `LazyEngine` per row without importing anything;
an engine's module is imported the first time a file its row admits is tested with `applies` (or
the engine is asked for by `get`). So the first diagnostics of a Python file never import the
slow engines, and a file that is no manifest and no code of a language an engine reads never
imports that engine (tests/test_engines_lazy.py checks the table against the modules).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass

from redline.engines.base import Engine

ANY = None  # `languages` of an engine that may apply to any file


@dataclass(frozen=True)
class EngineRow:
    module: str  # under redline.engines
    name: str
    slow: bool
    default_on: bool
    languages: frozenset[str] | None  # languages it may apply to (ANY: every file)
    manifests: bool = False  # it may also apply to dependency manifests (by file name)


_PY_JS = frozenset({"python", "javascript", "typescript", "tsx"})
_TEMPLATES = frozenset({"jinja", "html", "ejs", "handlebars", "vue", "svelte"})  # templates.SYNTAX

_TABLE = (
    EngineRow("treesitter", "redline", False, True, ANY),
    EngineRow("secrets", "secrets", False, True, ANY),
    EngineRow("templates", "templates", False, True, _TEMPLATES),
    EngineRow("dependencies", "dependencies", False, True, _PY_JS, manifests=True),
    EngineRow("bandit", "bandit", True, False, frozenset({"python"})),
    EngineRow("detect_secrets", "detect-secrets", True, False, ANY),
    EngineRow("registry", "registry", True, True, frozenset(), manifests=True),
)


class LazyEngine:
    """An engine whose module is imported when a file it may apply to is first seen."""

    def __init__(self, row: EngineRow):
        self.row = row
        self.name, self.slow, self.default_on = row.name, row.slow, row.default_on
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = importlib.import_module(f"{__name__}.{self.row.module}").ENGINE
        return self._engine

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def may_apply(self, file) -> bool:
        """From the row alone, without importing the engine."""
        row = self.row
        if row.languages is None or file.language in row.languages:
            return True
        if row.manifests:
            from redline.deps.manifests import detect  # file names only: no parser is imported

            return detect(file.path or "") is not None
        return False

    def applies(self, file) -> bool:
        return self.may_apply(file) and self.engine.applies(file)

    def scan(self, file, config):
        return self.engine.scan(file, config)

    def __repr__(self) -> str:
        return f"LazyEngine({self.name!r}, loaded={self.loaded})"


_engines: list[LazyEngine] | None = None
_lock = threading.Lock()


def all_engines() -> list[Engine]:
    """Every engine, fast ones first and `redline` first of those; nothing is imported here."""
    global _engines
    if _engines is None:
        with _lock:
            if _engines is None:
                found = [LazyEngine(row) for row in _TABLE]
                found.sort(key=lambda e: (e.slow, e.name != "redline", e.name))
                _engines = found
    return _engines


def get(name: str) -> Engine | None:
    """The engine itself (its module imported), or None."""
    lazy = next((e for e in all_engines() if e.name == name), None)
    if lazy is None:
        return None
    return lazy.engine if isinstance(lazy, LazyEngine) else lazy


def import_all() -> list[Engine]:
    """Import every engine now: for a host about to fork workers (`redline scan --jobs`), which
    should share the engines' modules instead of importing them in each worker."""
    return [e.engine if isinstance(e, LazyEngine) else e for e in all_engines()]
