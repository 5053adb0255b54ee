"""The tree-sitter rule engine: run the combined query, apply predicates, build findings.

`scan` runs every tree-sitter rule for a file's language over its whole tree. `rescan` re-runs
only what an edit touched and keeps the previous findings elsewhere, shifted by the edit; its
result equals `scan` of the same text (property tests replay random edits to prove it). Given
the previous text, the re-run units are class members and module-level statements, with
name-based invalidation (see "units and name-based invalidation" below); without it, whole
top-level definitions, and an edit in module-level statements scans everything. When a match
would span more than the re-scanned windows, `rescan` falls back to a full scan.

Engine results do not depend on configuration: select/ignore, severity overrides and
suppressions are applied afterwards (rules/pipeline.py), so results can be cached per text.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache

import tree_sitter as ts

from redline.documents.edits import ByteEdit, edited_ranges, shift_range
from redline.documents.source import SourceFile
from redline.limits import SKIPPED
from redline.findings import LIMIT_CODE, LIMIT_NAME, Confidence, Finding, Fix, Related, Severity, Span, TextEdit
from redline.rules.model import Rule
from redline.rules.predicates import FIXES, PREDICATES, MatchContext, Verdict
from redline.rules.registry import Registry

log = logging.getLogger(__name__)

# Top-level node types that can be re-scanned on their own, per language.
ISOLATED_UNITS: dict[str, frozenset[str]] = {
    "python": frozenset({"function_definition", "class_definition", "decorated_definition"}),
    "javascript": frozenset({"function_declaration", "generator_function_declaration", "class_declaration"}),
    "typescript": frozenset({"function_declaration", "generator_function_declaration", "class_declaration"}),
    "tsx": frozenset({"function_declaration", "generator_function_declaration", "class_declaration"}),
    "go": frozenset({"function_declaration", "method_declaration"}),
    "java": frozenset({"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}),
}
NEUTRAL_TOP_LEVEL = frozenset({"comment", "line_comment", "block_comment"})
MAX_CAPTURE_TEXT = 60

# Bounds on pathological input (issue 12). Matches start at most this many (visible) levels
# deep: on a deeper tree tree-sitter's query cursor grows superlinearly (past 65 535 levels it
# did not finish), and predicates walk up from a match, which costs the square of its depth in
# py-tree-sitter. Real code nests a few dozen levels; a deeper tree is reported (`DEPTH_REASON`).
MAX_START_DEPTH = 256
# Error recovery on thousands of unclosed brackets (200 000 lines of `(`) builds a tree on which
# every query is quadratic (80 s for 400 KB); a file with a syntax error and more unclosed
# brackets of one kind than this is not queried (`UNCLOSED_REASON`). Real code, even half typed,
# has a handful. (py-tree-sitter's progress callback, which could stop a query by time, crashes
# the process when the query has matches, so the bound is on the input.)
MAX_UNCLOSED = 2000
# CPU seconds the predicates (Python) may spend on one file: a base plus so much per megabyte
# (a minified 1.9 MB bundle needs about 1.5 s for its thousand findings). Some predicates walk a
# match's subtree and up again, which on an expression thousands of levels deep (2 000 nested
# `eval(`, or `eval(a)+eval(a)+...`) cost minutes; past the budget the scan stops there, keeps
# what it found and says so (`BUDGET_REASON`).
PREDICATE_BUDGET_BASE_S = 1.0
PREDICATE_BUDGET_PER_MB_S = 1.5
_SKIPPED = SKIPPED  # the CLI and the editor show such an error as the engine having skipped (part of) a file
DEPTH_REASON = (
    _SKIPPED + "code nested more than {depth} levels deep is not checked (the syntax tree is deeper); "
    "the rest of the file is"
)
UNCLOSED_REASON = (
    _SKIPPED + "{count} unclosed {bracket!r} brackets around a syntax error: the rules are not run on a "
    "tree this broken (more than {limit})"
)
BUDGET_REASON = (
    _SKIPPED + "the rules stopped after {seconds:.1f} s of CPU time at line {line} (very deeply nested or very long "
    "expressions); the code after that point is not checked"
)
_BRACKETS = ((b"(", b")"), (b"[", b"]"), (b"{", b"}"))


@dataclass
class EngineResult:
    findings: list[Finding]
    # (rule code, error text) for rules whose predicate or fix raised; their results are dropped.
    # ("redline", "skipped: ...") when a bound on pathological input left part of the file out.
    errors: list[tuple[str, str]] = field(default_factory=list)
    full: bool = True  # False when rescan re-used part of the previous result
    # The byte windows the last rescan re-ran (new coordinates; for tests and benchmarks).
    windows: tuple[tuple[int, int], ...] = ()


class _Args(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CAPTURE_TEXT else text[: MAX_CAPTURE_TEXT - 1] + "…"


def _build(rule: Rule, ctx: MatchContext, verdict: Verdict | None) -> Finding:
    node = (verdict.node if verdict and verdict.node is not None else None) or ctx.node("match")
    args = _Args({name: _short(ctx.text(nodes[0])) for name, nodes in ctx.captures.items() if nodes})
    if verdict:
        args.update(verdict.args)
    fixes: tuple[Fix, ...] = ()
    fix_name = rule.fix_for(ctx.file.language)
    if fix_name:
        built = FIXES[fix_name](ctx, verdict or Verdict())
        if isinstance(built, Fix):
            fixes = (built,)
        elif built:
            fixes = tuple(built)
    file = ctx.file
    # Spans come from bytes through the file's line index (LSP lines), never from tree-sitter
    # points, which count rows by \n only; whatever spans predicates and fixes built are
    # normalized the same way.
    fixes = tuple(
        replace(fx, edits=tuple(TextEdit(file.span(te.span.start_byte, te.span.end_byte), te.new_text) for te in fx.edits))
        for fx in fixes
    )
    related = tuple(
        Related(file.span(r.span.start_byte, r.span.end_byte), r.message) for r in (verdict.related if verdict else ())
    )
    return Finding(
        code=rule.code,
        name=rule.name,
        message=rule.message_for(file.language).format_map(args),
        severity=rule.severity,
        confidence=(verdict.confidence if verdict and verdict.confidence else rule.confidence_for(file.language)),
        cwe=rule.cwe,
        span=file.span(node.start_byte, node.end_byte),
        engine="redline",
        fixes=fixes,
        related=related,
    )


def _unclosed(file: SourceFile) -> str | None:
    """The reason not to query a broken tree with thousands of unclosed brackets, else None."""
    if not file.tree.root_node.has_error:
        return None
    text = file.text
    for open_, close in _BRACKETS:
        n = text.count(open_)
        if n > MAX_UNCLOSED and n - text.count(close) > MAX_UNCLOSED:
            return UNCLOSED_REASON.format(count=n - text.count(close), bracket=open_.decode(), limit=MAX_UNCLOSED)
    return None


def _too_deep(file: SourceFile) -> str | None:
    """The reason to give when the tree is deeper than matches may start, else None.

    A node's subtree is at most as deep as it has descendants (`descendant_count`, kept by
    tree-sitter), so only subtrees big enough to reach past the limit are walked: a few nodes
    on ordinary code, the one deep chain on deep code."""
    limit = MAX_START_DEPTH
    stack = [(file.tree.root_node, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return DEPTH_REASON.format(depth=limit)
        need = limit + 1 - depth
        for child in node.children:
            if child.descendant_count >= need:
                stack.append((child, depth + 1))
    return None


def _stopped(file: SourceFile, at: int, limit: int) -> Finding:
    """The marker of a scan that stopped after `limit` findings (pipeline.finalize reports it)."""
    line = file.point_of(at)[0] + 1
    return Finding(
        code=LIMIT_CODE,
        name=LIMIT_NAME,
        message=f"Redline stopped checking this file after {limit} findings (line {line}); the code after "
        "that point is not checked",
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        cwe=(),
        span=file.span(at, at),
        engine="redline",
        properties=(("stopped_after", str(limit)),),
    )


def _run(
    file: SourceFile, registry: Registry, byte_range: tuple[int, int] | None = None, limit: int | None = None,
    windows: list[tuple[int, int]] | None = None,
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Findings of the matches that intersect `byte_range`, or one of `windows`, or the file."""
    compiled = registry.compiled(file.language) if file.tree is not None else None
    if compiled is None:
        return [], []
    findings: dict[tuple[str, int, int], Finding] = {}
    failed: dict[str, str] = {}
    reason = _unclosed(file)
    if reason:
        return [], [("redline", reason)]
    if windows is None:
        windows = [byte_range] if byte_range is not None else [None]

    def each_window():
        for window in windows:
            cursor = ts.QueryCursor(compiled.query)
            if window is not None:
                cursor.set_byte_range(*window)
            cursor.set_max_start_depth(MAX_START_DEPTH)
            yield from cursor.matches(file.tree.root_node)

    matches = each_window()
    skipped: list[str] = []
    if windows == [None] and (reason := _too_deep(file)):
        skipped.append(reason)
    stop: Finding | None = None
    clock = time.thread_time
    budget = PREDICATE_BUDGET_BASE_S + PREDICATE_BUDGET_PER_MB_S * len(file.text) / 1e6
    deadline = clock() + budget
    for pattern_index, captures in matches:
        if clock() > deadline:
            at = captures["match"][0].start_byte if captures.get("match") else 0
            skipped.append(BUDGET_REASON.format(seconds=budget, line=file.point_of(at)[0] + 1))
            break
        # A pattern shared by several rules (see registry._merge_name_patterns) goes to each
        # rule whose names match; any other pattern to its one rule.
        for rule in compiled.rules_for(pattern_index, captures):
            if rule.code in failed or not captures.get("match"):
                continue
            ctx = MatchContext(file, captures, rule)
            try:
                verdict = None
                pred = rule.predicate_for(file.language)
                if pred:
                    answer = PREDICATES[pred](ctx)
                    if not answer:
                        continue
                    verdict = answer if isinstance(answer, Verdict) else None
                finding = _build(rule, ctx, verdict)
            except Exception as e:  # one broken rule must not take the others down
                log.exception("rule %s failed on %s", rule.code, file.path)
                failed[rule.code] = f"{type(e).__name__}: {e}"
                continue
            key = (finding.code, finding.span.start_byte, finding.span.end_byte)
            old = findings.get(key)
            if old is None or finding.confidence.rank > old.confidence.rank:
                findings[key] = finding
        if limit is not None and len(findings) >= limit:
            # Thousands of findings in one file (a minified bundle): enough to show the worst
            # of them; checking the rest would cost seconds on every keystroke.
            stop = _stopped(file, captures["match"][0].start_byte if captures.get("match") else 0, limit)
            break
    out = [f for f in findings.values() if f.code not in failed]
    if stop is not None:
        out.append(stop)
    out.sort(key=lambda f: f.sort_key)
    return out, sorted(failed.items()) + [("redline", r) for r in skipped]


def scan(file: SourceFile, registry: Registry, limit: int | None = None) -> EngineResult:
    """Every rule over the whole file; with `limit`, stop after that many findings (the result
    then ends with a `LIMIT_CODE` marker where the scan stopped)."""
    findings, errors = _run(file, registry, limit=limit)
    return EngineResult(findings, errors, full=True)


_scan = scan

# ---------------------------------------------------------------- incremental re-scan


def _shift_offset(offset: int, edit: ByteEdit) -> int | None:
    if offset <= edit.start:
        return offset
    if offset >= edit.old_end:
        return offset + edit.new_end - edit.old_end
    return None


def _respan(file: SourceFile, span: Span, edits: list[ByteEdit]) -> Span | None:
    r = shift_range(span.start_byte, span.end_byte, edits)
    return None if r is None else file.span(*r)


def _last_byte(f: Finding) -> int:
    end = f.span.end_byte
    for fx in f.fixes:
        for te in fx.edits:
            end = max(end, te.span.end_byte)
    for rel in f.related:
        end = max(end, rel.span.end_byte)
    return end


def shift_finding(file: SourceFile, f: Finding, edits: list[ByteEdit]) -> Finding | None:
    """The finding moved by the edits into `file`'s coordinates; None when an edit touches it."""
    if edits and _last_byte(f) + 1 < min(e.start for e in edits):
        # Wholly before every edit (by more than a byte, so not a `\r` an edit pairs with a
        # `\n`): bytes and points are unchanged. Most findings on a keystroke.
        return f
    span = _respan(file, f.span, edits)
    if span is None:
        return None
    fixes = []
    for fx in f.fixes:
        new_edits = []
        for te in fx.edits:
            s = _respan(file, te.span, edits)
            if s is None:
                return None
            new_edits.append(TextEdit(s, te.new_text))
        fixes.append(Fix(fx.title, tuple(new_edits), fx.safe))
    related = []
    for rel in f.related:
        s = _respan(file, rel.span, edits)
        if s is None:
            return None
        related.append(Related(s, rel.message))
    return f.moved(span=span, fixes=tuple(fixes), related=tuple(related))


def rescan_window(file: SourceFile, ranges: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The byte range of the top-level definitions that contain `ranges`, or None for "scan all".

    Every range must lie inside one isolated definition (boundaries included). A range in the
    space between definitions, across two of them, in a module-level statement, or where a whole
    definition was deleted changes module-level layout that predicates and fixes may depend on
    (for instance where a fix inserts an import), so the whole file is scanned again.
    """
    units = ISOLATED_UNITS.get(file.language)
    if not units or file.tree is None:
        return None
    children = file.tree.root_node.children
    lo = hi = None
    for s, e in ranges:
        owner = next((c for c in children if c.start_byte <= s and e <= c.end_byte), None)
        if owner is None or owner.type not in units:
            return None
        lo = owner.start_byte if lo is None else min(lo, owner.start_byte)
        hi = owner.end_byte if hi is None else max(hi, owner.end_byte)
    if lo is None:
        return (0, 0)
    return lo, hi


# ---------------------------------------------------------------- units and name-based invalidation
#
# With the text the previous result was computed on (`before`), rescan re-runs less than whole
# top-level definitions. The re-scanned unit of an edit inside a class is the member (method,
# constructor) that contains it; the other members of the class are re-run only when they may
# read what the edit changed, by name:
#
#   - a member that mentions the edited member's name (it calls it: its summary may differ);
#   - a member whose name the edited member mentions, before or after the edit (arguments);
#   - a member that mentions an attribute or class-level name the edited member may write
#     (`self.x = ...`, `this.x += ...`, `x[...] =`, `x.add(...)` where x is a field or a name the
#     class binds), before or after the edit;
#
# and so on transitively (a re-run member's own names and writes count in turn). The class's
# own code outside its members (header, decorators, fields, nested classes) is re-run on every
# edit in the class, since its findings may read any member. An edit that renames a member,
# touches class-level code, or adds or removes members re-runs the whole class.
#
# An edit at module level re-runs the touched statements or definitions, every module-level
# statement (their predicates may read module-level text by content, not only by name), every
# definition that mentions a name the edited text mentions before or after the edit (imports,
# aliases, constants), and every definition holding a finding whose fix edits text outside that
# definition (an import added after the module's imports: its place may have moved). A wildcard
# import (`from m import *`, `import x.*;`, `import . "p"`) in the edited text scans everything.

# Members of a class body that are units of their own.
MEMBER_UNITS: dict[str, frozenset[str]] = {
    "python": frozenset({"function_definition", "decorated_definition"}),
    "javascript": frozenset({"method_definition"}),
    "typescript": frozenset({"method_definition"}),
    "tsx": frozenset({"method_definition"}),
    "java": frozenset({"method_declaration", "constructor_declaration"}),
}
CLASS_TYPES = frozenset({"class_definition", "class_declaration", "abstract_class_declaration", "enum_declaration",
                         "record_declaration"})
_WORD = __import__("re").compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_RE = __import__("re")
# Names written by a piece of code: the dotted chain before an assignment (`x =`, `self.x +=`,
# `a.b.c =`, `x, y =`), an item access (`x[...]`, a read or a write) or a call of a mutating
# method (`self.items.append(...)`, `map.put(...)`). A call of any other method is a read.
_MUTATORS = (rb"append|extend|add|addAll|update|insert|put|putAll|push|unshift|splice|set|setdefault|"
             rb"appendleft|extendleft|offer|write|setAttribute|setProperty|setItem|assign|merge|concat|"
             rb"__setitem__|setattr|store|save|Store|Set|Add|Write")
_WRITE = _RE.compile(
    rb"((?:[A-Za-z_$][A-Za-z0-9_$]*\s*\.\s*)*#?[A-Za-z_$][A-Za-z0-9_$]*)\s*"
    rb"(?:(?:[-+*/%&|^@]|<<|>>|>>>|\*\*|//|\?\?|\|\||&&)?=(?!=)|\[|,|\.\s*(?:" + _MUTATORS + rb")\s*\()"
)
_DEFINES = _RE.compile(rb"\b(?:def|class|function|func|interface|enum|record|struct|type|var|let|const|global|nonlocal)"
                       rb"\s+(?:\([^)]*\)\s*)?\*?\s*([A-Za-z_$][A-Za-z0-9_$]*)")
_IMPORTS = _RE.compile(rb"\b(?:import|require|from|package|using)\b")
_RECEIVERS = frozenset({b"self", b"cls", b"this", b"super"})
_WILDCARD = _RE.compile(rb"\bimport\s+\*|\bimport\s+[\w.]+\.\*|\bimport\s+\.\s|\bimport\s*\(\s*\.\s|^\s*\.\s+\"", _RE.M)
_NOT_CODE = frozenset({"comment", "line_comment", "block_comment", "pass_statement", ";", "{", "}", ":", "decorator"})


@lru_cache(maxsize=4096)
def _words(text: bytes) -> frozenset[bytes]:
    return frozenset(_WORD.findall(text))


@lru_cache(maxsize=4096)
def _attribute_writes(text: bytes) -> frozenset[bytes]:
    """The attributes `text` may write through `self.`/`this.`/`cls.` (fields)."""
    out: set[bytes] = set()
    for chain in _WRITE.findall(text):
        words = _WORD.findall(chain)
        if len(words) > 1 and words[0] in _RECEIVERS:
            out.update(words[1:])
    return frozenset(out)


@lru_cache(maxsize=4096)
def _writes(text: bytes) -> frozenset[bytes]:
    """The names `text` may bind or write (a superset): written chains, defined names."""
    out: set[bytes] = set()
    for chain in _WRITE.findall(text):
        out.update(_WORD.findall(chain))
    out.update(_DEFINES.findall(text))
    return frozenset(out - _RECEIVERS)


def _member_name(node) -> bytes | None:
    if node.type == "decorated_definition":
        node = node.child_by_field_name("definition") or node
    name = node.child_by_field_name("name")
    return name.text if name is not None else None


def _class_body(node):
    if node.type == "decorated_definition":
        node = node.child_by_field_name("definition")
        if node is None:
            return None
    if node.type not in CLASS_TYPES:
        return None
    return node.child_by_field_name("body")


def _consistent(before: bytes, text: bytes, edit: ByteEdit, d: int) -> bool:
    """Is `before` the text `edit` turned into `text`? (lengths, and the bytes around the edit)"""
    if len(before) != len(text) - d:
        return False
    a = max(0, edit.start - 256)
    return before[a: edit.start] == text[a: edit.start] and before[edit.old_end: edit.old_end + 256] == \
        text[edit.new_end: edit.new_end + 256]


def _single_edit(edits: list[ByteEdit]) -> ByteEdit | None:
    return edits[0] if len(edits) == 1 else None


def _plan(file: SourceFile, before: bytes, edits: list[ByteEdit], ranges: list[tuple[int, int]],
          previous: list[Finding]) -> list[tuple[int, int]] | None:
    """The windows (new coordinates) to re-run, or None to scan everything."""
    edit = _single_edit(edits)
    units = ISOLATED_UNITS.get(file.language)
    if edit is None or not units or file.tree is None:
        w = rescan_window(file, ranges)
        return None if w is None else [w]
    d = edit.new_end - edit.old_end
    kids = file.tree.root_node.children
    owners = []
    for s, e in ranges:
        owner = next((c for c in kids if c.start_byte <= s and e <= c.end_byte), None)
        owners.append(owner)
    if owners and all(o is not None and o.type in units for o in owners) and len({o.start_byte for o in owners}) == 1:
        top = owners[0]
        name = _member_name(top)
        name_node = (top.child_by_field_name("definition") or top) if top.type == "decorated_definition" else top
        name_node = name_node.child_by_field_name("name")
        lo = min(s for s, _ in ranges)
        hi = max(e for _, e in ranges)
        if name and name_node is not None and not (name_node.start_byte <= hi and lo <= name_node.end_byte):
            if not _consistent(before, file.text, edit, d):
                return None
            windows = _plan_in_definition(file, before, edit, d, top, ranges)
            if file.language not in FOLLOWS_TOP_LEVEL_CALLS or not _is_function(top):
                return windows
            # Other definitions may follow calls to this one by name (module helpers): re-run
            # those that mention it, and theirs in turn.
            return _merge(windows + _readers(file, kids, {name}, {top.start_byte}))
    return _plan_module(file, before, edit, d, kids, ranges, previous)


# Languages whose predicates follow a call into another top-level function by its name (Python
# taint evaluates module-level helper functions: taint_python.module_function; classes are not
# followed). After an edit in such a function, the top-level code that mentions its name is
# re-run, and the functions among it in turn. A language whose predicates start following calls
# into other top-level definitions must be listed here (the property tests would catch it).
FOLLOWS_TOP_LEVEL_CALLS = frozenset({"python"})
_FUNCTIONS = frozenset({"function_definition", "function_declaration", "generator_function_declaration",
                        "method_declaration"})


def _is_function(node) -> bool:
    if node.type == "decorated_definition":
        node = node.child_by_field_name("definition") or node
    return node.type in _FUNCTIONS


def _readers(file: SourceFile, kids, names: set[bytes], done: set[int]) -> list[tuple[int, int]]:
    """Top-level children (not in `done`, by start) that mention one of `names`; transitively
    through the names of the definitions among them where calls are followed by name."""
    text = file.text
    units = ISOLATED_UNITS[file.language] if file.language in FOLLOWS_TOP_LEVEL_CALLS else frozenset()
    names = set(names)
    out: list[tuple[int, int]] = []
    grew = True
    while grew:
        grew = False
        for c in kids:
            if c.start_byte in done or c.type in NEUTRAL_TOP_LEVEL:
                continue
            if _words(text[c.start_byte: c.end_byte]) & names:
                done.add(c.start_byte)
                out.append((c.start_byte, c.end_byte))
                if c.type in units and _is_function(c) and (n := _member_name(c)):
                    names.add(n)
                    grew = True
    return out


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _plan_in_definition(file, before, edit, d, top, ranges) -> list[tuple[int, int]]:
    whole = [(top.start_byte, top.end_byte)]
    kinds = MEMBER_UNITS.get(file.language)
    body = _class_body(top) if kinds else None
    if body is None:
        return whole
    members = [c for c in body.children if c.type in kinds]
    lo = min(s for s, _ in ranges)
    hi = max(e for _, e in ranges)
    edited = next((m for m in members if m.start_byte <= lo and hi <= m.end_byte), None)
    if edited is None:
        return whole  # class-level code, or members added or removed
    name_node = (edited.child_by_field_name("definition") or edited) if edited.type == "decorated_definition" else edited
    name_node = name_node.child_by_field_name("name")
    if name_node is None or (name_node.start_byte <= hi and lo <= name_node.end_byte):
        return whole  # the member's name changed: callers and the class's member list
    text = file.text
    old_text = before[edited.start_byte: edited.end_byte - d]
    if not _consistent(before, text, edit, d):
        return whole  # `before` is not the text the edit applies to
    # The rest of the class: its header, decorators, fields, nested classes.
    rest: list[tuple[int, int]] = []
    pos = top.start_byte
    for m in members:
        if m.start_byte > pos:
            rest.append((pos, m.start_byte))
        pos = m.end_byte
    rest.append((pos, top.end_byte))
    rest_text = b"\n".join(text[a:b] for a, b in rest)
    rest = [(a, b) for a, b in rest if _WORD.search(text, a, b)]
    info = []
    names: set[bytes] = set()
    for m in members:
        body_text = old_text if m is edited else text[m.start_byte: m.end_byte]
        name = _member_name(m)
        if name:
            names.add(name)
        info.append((m, name, body_text))
    new_edited = text[edited.start_byte: edited.end_byte]
    # Names the class binds: member names, the class-level code's names, and attributes written
    # anywhere in it (before or after the edit).
    bound = names | _words(rest_text)
    for _m, _n, t in info:
        bound.update(_attribute_writes(t))
    bound.update(_attribute_writes(new_edited))
    bound -= _RECEIVERS

    def writes(name, t):
        out = set(_writes(t) & bound)
        if name:
            out.add(name)
        return out

    mentions = {id(m): _words(t) for m, _n, t in info}
    mentions[id(edited)] |= _words(new_edited)
    wrote = {id(m): writes(n, t) for m, n, t in info}
    wrote[id(edited)] |= writes(None, new_edited)
    by_id = {id(m): (m, n) for m, n, _t in info}
    # Who mentions what, and who is named what (an index, not a scan per member).
    readers: dict[bytes, list[int]] = {}
    for i, words in mentions.items():
        for w in words & bound:
            readers.setdefault(w, []).append(i)
    named: dict[bytes, list[int]] = {}
    for m, n, _t in info:
        if n:
            named.setdefault(n, []).append(id(m))
    chosen = {id(edited)}
    queue = [id(edited)]
    size = edited.end_byte - edited.start_byte
    limit = (top.end_byte - top.start_byte) * 3 // 4
    while queue:
        u = queue.pop()
        found = [i for w in wrote[u] for i in readers.get(w, ())]
        found += [i for w in mentions[u] & names for i in named.get(w, ())]
        for i in found:
            if i not in chosen:
                chosen.add(i)
                queue.append(i)
                m = by_id[i][0]
                size += m.end_byte - m.start_byte
        if size > limit:
            return whole  # most of the class: one window, without the bookkeeping
    windows = [(by_id[i][0].start_byte, by_id[i][0].end_byte) for i in chosen] + rest
    return _merge(windows)


def _plan_module(file, before, edit, d, kids, ranges, previous) -> list[tuple[int, int]] | None:
    text = file.text
    if not _consistent(before, text, edit, d):
        return None
    units = ISOLATED_UNITS[file.language]
    lo = min(s for s, _ in ranges)
    hi = max(e for _, e in ranges)
    # The edited region: the ranges grown to the top-level children they touch.
    for c in kids:
        if c.start_byte < hi and lo < c.end_byte or c.start_byte < lo == hi < c.end_byte:
            lo, hi = min(lo, c.start_byte), max(hi, c.end_byte)
    if lo > edit.start or hi < edit.new_end:
        return None
    old_region = before[lo: hi - d]
    new_region = text[lo:hi]
    if _WILDCARD.search(old_region) or _WILDCARD.search(new_region):
        return None
    changed = _writes(old_region) | _writes(new_region)
    if _IMPORTS.search(old_region) or _IMPORTS.search(new_region):
        changed |= _words(old_region) | _words(new_region)  # every name an import may bind
    changed -= _RECEIVERS
    windows = [(lo, hi)]
    done = set()
    for c in kids:
        if lo <= c.start_byte and c.end_byte <= hi or c.type in NEUTRAL_TOP_LEVEL:
            done.add(c.start_byte)
        elif c.type not in units:
            windows.append((c.start_byte, c.end_byte))  # a module-level statement
            done.add(c.start_byte)
    windows += _readers(file, kids, set(changed), done)
    # Definitions holding a finding whose fix edits text outside the definition.
    starts = [c.start_byte for c in kids]
    from bisect import bisect_right

    for f in previous:
        if not f.fixes:
            continue
        moved = shift_range(f.span.start_byte, f.span.end_byte, [edit])
        if moved is None:
            continue
        i = bisect_right(starts, moved[0]) - 1
        if i < 0:
            continue
        c = kids[i]
        for fx in f.fixes:
            if any(not (f.span.start_byte >= 0 and _inside_old(te.span, c, edit)) for te in fx.edits):
                windows.append((c.start_byte, c.end_byte))
                break
    return _merge(windows)


def _inside_old(span: Span, node, edit: ByteEdit) -> bool:
    r = shift_range(span.start_byte, span.end_byte, [edit])
    return r is not None and node.start_byte <= r[0] and r[1] <= node.end_byte


def rescan(
    file: SourceFile,
    registry: Registry,
    previous: list[Finding],
    edits: list[ByteEdit],
    changed: list[tuple[int, int]] = (),
    limit: int | None = None,
    before: bytes | None = None,
) -> EngineResult:
    """Re-run only what `edits` (and the parser's `changed` ranges, final coordinates) touched.

    `previous` is the engine result for the text before the edits; `file` holds the new text
    and the tree reparsed from the edited old tree. A previous result that stopped at `limit`
    is not reused (what it left out is unknown), nor is one over `limit` made. With `before`,
    the text `previous` was computed on, the re-run units are members of classes and single
    module-level statements, with name-based invalidation (see above); without it, whole
    top-level definitions, and any module-level edit scans everything.
    """

    def scan(file: SourceFile, registry: Registry) -> EngineResult:
        return _scan(file, registry, limit)

    if any(f.code == LIMIT_CODE for f in previous):
        return scan(file, registry)
    ranges = list(changed) + edited_ranges(edits)
    if not ranges:
        windows: list[tuple[int, int]] = []
    elif before is not None:
        windows = _plan(file, before, edits, ranges, previous)
        if windows is None:
            return scan(file, registry)
    else:
        window = rescan_window(file, ranges)
        if window is None:
            return scan(file, registry)
        windows = [window] if window[0] < window[1] else []
    windows = [w for w in windows if w[0] < w[1]]

    def inside(span: Span) -> bool:
        return any(lo <= span.start_byte and span.end_byte <= hi for lo, hi in windows)

    def touching(span: Span) -> bool:
        return any(span.start_byte < hi and span.end_byte > lo for lo, hi in windows)

    kept: list[Finding] = []
    for f in previous:
        if shift_range(f.span.start_byte, f.span.end_byte, edits) is None:
            continue  # an edit went through it: its unit is in a window
        moved = shift_finding(file, f, edits)
        if moved is None:
            return scan(file, registry)  # an edit touched its fix or related location
        if inside(moved.span):
            continue  # recomputed below
        if touching(moved.span):
            return scan(file, registry)  # a finding reaches across a window
        kept.append(moved)
    fresh: list[Finding] = []
    errors: list[tuple[str, str]] = []
    if windows:
        found, errors = _run(file, registry, windows=windows)
        for f in found:
            if inside(f.span):
                fresh.append(f)
            elif touching(f.span):
                return scan(file, registry)
    merged = sorted(kept + fresh, key=lambda f: f.sort_key)
    if (limit is not None and len(merged) > limit) or any(code == "redline" for code, _ in errors):
        return scan(file, registry)
    failed = {code for code, _ in errors}
    if failed:
        merged = [f for f in merged if f.code not in failed]
    return EngineResult(merged, sorted(set(errors)), full=False, windows=tuple(windows))
