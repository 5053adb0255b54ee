"""Named predicate and fix functions that tree-sitter rules refer to by name.

A rule's query finds candidate nodes; its optional predicate decides, with the captured nodes
in hand, whether the candidate is a finding and how confident we are. Predicates are small
pure functions registered under a dotted name:

    @predicate("python.sql_dynamic")
    def sql_dynamic(ctx: MatchContext) -> Verdict | bool | None: ...

Contract for incremental scanning (see rules/engine.py): a predicate may read the captured
nodes, anything inside the top-level definition (function, class) that encloses the match,
and the module-level statements outside any definition. It must not read other top-level
definitions, so that an edit inside one function can be re-scanned on its own.

Inside a class, the re-scanned unit is the member (method, constructor) that contains the
edit, and the other members are re-run only when they may read what changed, by name. So a
predicate (or a per-function summary it uses) that looks at a sibling member must reach it the
way the language does, through a name the match's member mentions:

  - a member it calls or that calls it, by the member's name (`self.helper(...)`, `helper(..)`);
  - a field or class-level name the sibling writes: `self.x = ...`, `this.x += ...`,
    `x[...] = ...`, `x.y = ...`, or a mutating call `x.append(...)`/`x.add(...)`/`x.put(...)`
    (the list is `engine._MUTATORS`): a field filled by another method call is not tracked;
  - the class's own code outside its members (header, decorators, field initializers, nested
    classes), which is re-run on every edit in the class and may read any member.

It must not depend on a sibling it does not name (for instance "the class has a `dispatch`
method" read from a `get` method that does not mention `dispatch`) nor on the local variables of
another member. At module level, a definition may read module-level statements by the names it
mentions (imports, aliases, constants): an edit there re-runs every module-level statement and
the definitions mentioning a name the edited text writes or imports; it must not read module
text by content other than names (a module-level statement's own predicate may).

Fix builders are registered the same way with `@fix("python.yaml_safe_load")` and return a
`Fix` or None.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

from redline.documents.source import SourceFile
from redline.findings import Confidence, Fix, Related, Span

PREDICATES: dict[str, Callable] = {}
FIXES: dict[str, Callable] = {}


@dataclass
class MatchContext:
    """What a predicate or fix builder sees for one query match."""

    file: SourceFile
    captures: dict[str, list]  # capture name -> nodes
    rule: object  # redline.rules.model.Rule (untyped here to avoid an import cycle)

    def node(self, name: str = "match"):
        nodes = self.captures.get(name)
        return nodes[0] if nodes else None

    def nodes(self, name: str) -> list:
        return self.captures.get(name, [])

    def text(self, name_or_node="match") -> str:
        node = self.node(name_or_node) if isinstance(name_or_node, str) else name_or_node
        if node is None:
            return ""
        return self.file.text[node.start_byte : node.end_byte].decode("utf-8", "replace")

    @property
    def source(self) -> bytes:
        return self.file.text

    def span(self, node_or_start, end: int | None = None) -> Span:
        """The span of a node, or of bytes [start, end)."""
        if end is None:
            return self.file.span(node_or_start.start_byte, node_or_start.end_byte)
        return self.file.span(node_or_start, end)


@dataclass
class Verdict:
    """A predicate's answer when it wants more than yes/no.

    `node` overrides the reported node, `confidence` the rule's default, `args` fills
    `{placeholders}` in the message, `related` adds second locations, `data` is passed on to the
    fix builder.
    """

    confidence: Confidence | None = None
    node: object | None = None
    args: dict[str, str] = field(default_factory=dict)
    related: tuple[Related, ...] = ()
    data: dict = field(default_factory=dict)


def predicate(name: str):
    def register(fn):
        if name in PREDICATES and PREDICATES[name] is not fn:
            raise ValueError(f"predicate {name!r} registered twice")
        PREDICATES[name] = fn
        return fn

    return register


def fix(name: str):
    def register(fn):
        if name in FIXES and FIXES[name] is not fn:
            raise ValueError(f"fix {name!r} registered twice")
        FIXES[name] = fn
        return fn

    return register


_loaded = False


def load_all() -> None:
    """Import every module in this package so their decorators register."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


__all__ = [
    "FIXES",
    "PREDICATES",
    "MatchContext",
    "Verdict",
    "Fix",
    "Span",
    "fix",
    "load_all",
    "predicate",
]
