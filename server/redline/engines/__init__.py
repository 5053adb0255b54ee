"""Engines behind one interface.

Every module in this package that defines a module-level `ENGINE` (an object with the `Engine`
protocol of engines/base.py) is an engine; `all_engines()` imports them on first use. The
tree-sitter rule engine is `redline`; others (secrets, dependencies, bandit, detect-secrets)
add their own module here.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading

from redline.engines.base import Engine

log = logging.getLogger(__name__)
_engines: list[Engine] | None = None
_lock = threading.Lock()


def all_engines() -> list[Engine]:
    global _engines
    if _engines is None:
        with _lock:
            if _engines is None:
                found = []
                for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
                    if info.name == "base":
                        continue
                    module = importlib.import_module(f"{__name__}.{info.name}")
                    engine = getattr(module, "ENGINE", None)
                    if engine is not None:
                        found.append(engine)
                found.sort(key=lambda e: (e.slow, e.name != "redline", e.name))
                _engines = found
    return _engines


def get(name: str) -> Engine | None:
    return next((e for e in all_engines() if e.name == name), None)
