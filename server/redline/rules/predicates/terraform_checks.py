"""Building blocks for Terraform checks: issues, edits and small check constructors.

A Terraform rule in terraform.toml anchors its query on the resource types it covers; the
predicate `terraform.checks` then runs that rule's checks (tables in terraform_rules.py) on the
matched block. A check is a function `(block, module) -> list[Issue]`. Most are built here:

    is_("publicly_accessible", TRUE, fix="false")
        flags an attribute whose literal value is bad (nested blocks with dots:
        "vpc_config.endpoint_public_access"); the optional fix sets a safe value;
    unset_or("storage_encrypted", FALSE, default="unencrypted", fix="true")
        also flags the attribute when it is absent and the provider default is unsafe.

Values that are not literals (variables, references) never match: we only report what the
file itself says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from redline.findings import Confidence
from redline.rules.predicates.terraform_model import (
    UNKNOWN,
    Attr,
    Block,
    Template,
    as_bool,
    node_text,
    top_level_blocks,
)


@dataclass(frozen=True)
class Edit:
    """One change to make a finding go away.

    kind "set": replace the expression of `attr` with `text`;
    kind "set_node": replace `node` (e.g. one value inside an object) with `text`;
    kind "add": add `path = text` to `block` (creating nested blocks on the way).
    """

    kind: str
    text: str
    attr: Attr | None = None
    block: Block | None = None
    path: str = ""
    node: object = None

    def describe(self) -> str:
        if self.kind == "set_node" and self.node is not None and self.node.parent is not None:
            key = self.node.parent.child_by_field_name("key")
            name = node_text(key).strip().strip('"') if key is not None else "value"
        else:
            name = self.attr.name if self.attr is not None else self.path
        return f"{name} = {self.text}"


@dataclass(frozen=True)
class Issue:
    node: object  # where to report (an attribute, a label, or a Region)
    what: str  # short, for the message: "publicly_accessible = true"
    edits: tuple[Edit, ...] = ()
    confidence: Confidence | None = None


@dataclass
class Module:
    """The file a block is in, for checks that look at other blocks (e.g. a bucket's ACL)."""

    root: object
    _blocks: list[Block] | None = field(default=None, repr=False)

    @property
    def blocks(self) -> list[Block]:
        if self._blocks is None:
            self._blocks = top_level_blocks(self.root)
        return self._blocks

    def resources(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == "resource" and b.type in types]


Check = Callable[[Block, Module], list[Issue]]


# ------------------------------------------------------------------ value tests


def _norm(v):
    return v.strip().lower() if isinstance(v, str) else v


def eq(*bad) -> Callable:
    """Matches any of `bad`: strings case-insensitively, booleans also as "true"/"false"."""
    bools = {b for b in bad if isinstance(b, bool)}
    others = {_norm(b) for b in bad if not isinstance(b, bool)}

    def test(v) -> bool:
        if bools:
            b = as_bool(v)
            if b is not None and b in bools:
                return True
        if isinstance(v, bool):
            return False
        return isinstance(v, (str, int, float)) and _norm(v) in others

    return test


TRUE = eq(True)
FALSE = eq(False)


def non_empty_literal(v) -> bool:
    return isinstance(v, str) and bool(v.strip())


def shown(attr: Attr) -> str:
    text = " ".join(attr.text.split())
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ paths


def _split(path: str) -> tuple[list[str], str]:
    parts = path.split(".")
    return parts[:-1], parts[-1]


def attrs_at(block: Block, path: str) -> list[Attr]:
    """Every attribute at `path` ("a.b.attr"), through every matching nested block."""
    blocks, name = _split(path)
    holders = block.descendants(".".join(blocks)) if blocks else [block]
    return [a for h in holders if (a := h.attr(name)) is not None]


def _deepest(block: Block, parts: list[str]) -> tuple[Block, list[str]] | None:
    """The deepest existing block along `parts` and the names still missing below it.
    None when a `dynamic` block stands in the way (its content is unknown)."""
    current = block
    for i, part in enumerate(parts):
        if current.has_dynamic(part):
            return None
        nxt = current.block(part)
        if nxt is None:
            return current, parts[i:]
        current = nxt
    return current, []


def missing(block: Block, path: str) -> bool | None:
    """True when no block along `path` sets the attribute; None when unknown (dynamic)."""
    blocks, name = _split(path)
    found = _deepest(block, blocks)
    if found is None:
        return None
    holder, rest = found
    if rest:
        return True
    holders = block.descendants(".".join(blocks)) if blocks else [block]
    if any(h.has_dynamic(name) for h in holders):
        return None
    return all(h.attr(name) is None for h in holders)


def add_edit(block: Block, path: str, text: str) -> Edit:
    return Edit("add", text, block=block, path=path)


# ------------------------------------------------------------------ check constructors


def is_(path: str, bad: Callable, *, fix: str | None = None, why: str = "", unless: Iterable[str] = (),
        confidence: Confidence | None = None) -> Check:
    """Flag `path` when its literal value matches `bad`."""
    unless = tuple(unless)

    def check(block: Block, module: Module) -> list[Issue]:
        if any(block.has(u) for u in unless):
            return []
        out = []
        for attr in attrs_at(block, path):
            value = attr.value
            if value is UNKNOWN or isinstance(value, Template) or not bad(value):
                continue
            edits = (Edit("set", fix, attr=attr),) if fix is not None else ()
            what = f"{path} = {shown(attr)}" + (f" ({why})" if why else "")
            out.append(Issue(attr.node, what, edits, confidence))
        return out

    return check


def unset_or(path: str, bad: Callable, *, default: str, fix: str | None = None, why: str = "",
             unless: Iterable[str] = (), only_if: Callable[[Block], bool] | None = None,
             confidence: Confidence | None = None, missing_confidence: Confidence | None = None) -> Check:
    """Flag `path` when its value matches `bad`, or when it is absent (the default is unsafe).

    `default` says what the provider does when it is absent ("unencrypted by default").
    `unless` names attributes/blocks whose presence makes the check moot (e.g. a KMS key).
    """
    explicit = is_(path, bad, fix=fix, why=why, unless=unless, confidence=confidence)
    unless = tuple(unless)

    def check(block: Block, module: Module) -> list[Issue]:
        if only_if is not None and not only_if(block):
            return []
        found = explicit(block, module)
        if found or any(block.has(u) for u in unless):
            return found
        if missing(block, path):
            edits = (add_edit(block, path, fix),) if fix is not None else ()
            what = f"{path} is not set ({default})"
            return [Issue(block.head_node, what, edits, missing_confidence or confidence)]
        return []

    return check


def block_missing(path: str, *, default: str, unless: Iterable[str] = (),
                  confidence: Confidence | None = None) -> Check:
    """Flag a resource that has no `path` block (e.g. encryption_configuration)."""
    unless = tuple(unless)

    def check(block: Block, module: Module) -> list[Issue]:
        if any(block.has(u) for u in unless):
            return []
        parts = path.split(".")
        found = _deepest(block, parts)
        if found is None:
            return []
        holder, rest = found
        if not rest:
            return []
        return [Issue(block.head_node, f"no {path} block ({default})", (), confidence)]

    return check


def when(condition: Callable[[Block], bool], *checks: Check) -> Check:
    """Run `checks` only for blocks where `condition` holds."""

    def check(block: Block, module: Module) -> list[Issue]:
        if not condition(block):
            return []
        return [i for c in checks for i in c(block, module)]

    return check


def value_is(name: str, *values) -> Callable[[Block], bool]:
    wanted = {_norm(v) for v in values}
    return lambda b: _norm(b.value(name, None)) in wanted


def value_not(name: str, *values) -> Callable[[Block], bool]:
    wanted = {_norm(v) for v in values}

    def cond(b: Block) -> bool:
        v = b.value(name, None)
        return v is not UNKNOWN and _norm(v) not in wanted

    return cond


def run_checks(checks: Iterable[Check], block: Block, module: Module) -> list[Issue]:
    out: list[Issue] = []
    seen: set[tuple[int, int, str]] = set()
    for c in checks:
        for issue in c(block, module):
            key = (issue.node.start_byte, issue.node.end_byte, issue.what)
            if key not in seen:
                seen.add(key)
                out.append(issue)
    return out