"""Local taint analysis shared by the JavaScript/TypeScript, Go and Java predicates.

Within the top-level definition that encloses a match (plus the module-level declarations),
follow an expression back through assignments, declarations, parameters, concatenation,
template literals and formatting calls, and classify where its value can come from:

    CONST    literals, or strings built only from literals (never flagged)
    SAFE     passed through a sanitizer or converted to a number (never flagged)
    UNKNOWN  not constant, origin unknown: a call result, a field, a global
    PARAM    a parameter of the enclosing function: the caller decides
    TAINTED  a user-input source (request data, command-line arguments)

Rules turn the kind into a confidence (TAINTED -> high, with a `Related` at the source). The
analysis is flow-insensitive within a function (every assignment before the use counts), by
name (no alias analysis), and never crosses into another top-level definition, which is the
contract the incremental rescan depends on (see rules/predicates/__init__.py).

Each language subclasses `Analyzer` and implements the hooks at the end of the class. One
analyzer is cached per parsed tree, so the binding tables of a definition are built once for
all the candidates in it.
"""

from __future__ import annotations

import enum
import re
import threading

import tree_sitter as ts
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Iterator

from redline.findings import Confidence, Related, Span
from redline.secrets.regex import linear

MAX_DEPTH = 12
# isPathSafe, checkUrlAllowed, hasValidHost...: a home-made check on the value.
_VALIDATOR = linear(r"^(is|has|check|validate|verify|ensure)[A-Z_]?\w*(Safe|Valid|Allowed|Trusted|Permitted|Inside|Within|Whitelisted|Allowlisted)", re.IGNORECASE)
MAX_TEXTS = 200


class Kind(enum.IntEnum):
    CONST = 0
    SAFE = 1
    UNKNOWN = 2
    PARAM = 3
    TAINTED = 4


@dataclass(frozen=True)
class Flow:
    kind: Kind
    how: str | None = None  # the operation that mixed non-constant data into a string
    origin: object | None = None  # node: the source (TAINTED) or the parameter (PARAM)
    label: str = ""  # what the origin is, e.g. "req.query" or "parameter 'name'"
    texts: tuple[str, ...] = ()  # constant string pieces seen on the way (for shape checks)
    names: frozenset[str] = frozenset()  # variables the value was read from

    @property
    def dynamic(self) -> bool:
        return self.kind >= Kind.UNKNOWN

    @property
    def text(self) -> str:
        return "".join(self.texts)


CONST = Flow(Kind.CONST)
SAFE = Flow(Kind.SAFE)
UNKNOWN = Flow(Kind.UNKNOWN)


def const(text: str | None = None) -> Flow:
    return Flow(Kind.CONST, texts=(text,) if text else ())


def combine(flows: Iterable[Flow], how: str | None = None) -> Flow:
    """The flow of a value made of `flows`; `how` names the operation that joined them."""
    flows = list(flows)
    if not flows:
        return CONST
    top = max(flows, key=lambda f: f.kind)
    texts: list[str] = []
    names: set[str] = set()
    for f in flows:
        if len(texts) < MAX_TEXTS:
            texts.extend(f.texts[: MAX_TEXTS - len(texts)])
        names |= f.names
    inner_how = next((f.how for f in flows if f.how and f.kind >= Kind.UNKNOWN), None)
    if top.kind >= Kind.UNKNOWN:
        result_how = how or inner_how
    else:
        result_how = None
    return Flow(top.kind, result_how, top.origin, top.label, tuple(texts), frozenset(names))


def with_kind(flow: Flow, kind: Kind) -> Flow:
    return Flow(kind, flow.how if kind >= Kind.UNKNOWN else None, None, "", flow.texts, flow.names)


@dataclass(frozen=True)
class Binding:
    """Something that gives a name a value: a declaration, an assignment, a parameter."""

    name: str
    start: int  # byte offset from which the binding is in effect
    value: object | None  # the expression node (None for parameters)
    kind: str  # "value" | "param" | "iter" | "augment" | "append" | "field" | "zero"
    scope: object | None  # the function node that owns it; None at module / class level
    node: object  # the name node
    source: str | None = None  # a label when the binding itself is a user-input source


def walk(node) -> Iterator:
    """All descendants of `node` (itself first), depth first, without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def plus_operands(node, is_plus) -> list:
    """The operands of a chain of `+` (left- or right-nested), without recursion: long string
    concatenations are common and must not hit the recursion or depth limits."""
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if is_plus(n):
            right, left = n.child_by_field_name("right"), n.child_by_field_name("left")
            if right is not None:
                stack.append(right)
            if left is not None:
                stack.append(left)
        else:
            out.append(n)
    return out


def node_key(node) -> tuple[int, int, str]:
    return (node.start_byte, node.end_byte, node.type)


class Analyzer:
    """Taint and value-shape questions about one parsed file. Subclass per language."""

    function_types: frozenset[str] = frozenset()
    module_binding_types: frozenset[str] = frozenset()  # root children read as module level

    def __init__(self, file):
        self.file = file
        self.src: bytes = file.text
        self.root = file.tree.root_node
        self._bindings: dict[tuple, dict[str, list[Binding]]] = {}
        self._module: dict[str, list[Binding]] | None = None
        self._memo: dict[tuple, Flow] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ text and structure

    def text(self, node) -> str:
        if node is None:
            return ""
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def unit_of(self, node):
        """The top-level node (child of the root) that contains `node`."""
        n = node
        while n.parent is not None and n.parent.parent is not None:
            n = n.parent
        return n

    def functions_of(self, node) -> list:
        """Enclosing function nodes of `node`, innermost first."""
        out = []
        n = node.parent
        while n is not None:
            if n.type in self.function_types:
                out.append(n)
            n = n.parent
        return out

    def enclosing_function(self, node):
        fns = self.functions_of(node)
        return fns[0] if fns else None

    def outer_function(self, node):
        fns = self.functions_of(node)
        return fns[-1] if fns else None

    # ------------------------------------------------------------------ bindings

    # Node types whose `bindings_at` can return something; a query finds them in C instead of
    # visiting every node in Python (the binding table of a large definition is built once).
    binding_types: tuple[str, ...] = ()
    _binding_queries: dict = {}

    def _binding_query(self):
        key = (type(self).__name__, self.file.language)
        q = Analyzer._binding_queries.get(key)
        if q is None:
            from redline import languages as langs

            grammar = langs.grammar(self.file.language)
            kinds = [t for t in self.binding_types if grammar.id_for_node_kind(t, True)]
            q = ts.Query(grammar, "[" + " ".join(f"({t})" for t in kinds) + "] @b")
            Analyzer._binding_queries[key] = q
        return q

    def _collect_into(self, table: dict[str, list[Binding]], top, module: bool) -> None:
        if self.binding_types:
            # Function nodes are among the captures, so one pass with a stack of open
            # functions gives every node its enclosing function without walking up parents.
            nodes = ts.QueryCursor(self._binding_query()).captures(top).get("b", [])
            nodes.sort(key=lambda n: (n.start_byte, -n.end_byte))
        else:
            nodes = list(walk(top))
        open_functions: list = []
        for node in nodes:
            while open_functions and open_functions[-1].end_byte <= node.start_byte:
                open_functions.pop()
            scope = open_functions[-1] if open_functions else None
            if node.type in self.function_types and node.end_byte > node.start_byte:
                open_functions.append(node)
            if module and scope is not None:
                continue  # module level: never read into function bodies
            if node.type in self.function_types:
                scope = node if not module else scope
            for b in self.bindings_at(node, scope):
                table.setdefault(b.name, []).append(b)

    def unit_bindings(self, unit) -> dict[str, list[Binding]]:
        key = node_key(unit)
        with self._lock:
            table = self._bindings.get(key)
            if table is None:
                table = {}
                self._collect_into(table, unit, module=False)
                self._bindings[key] = table
            return table

    def module_bindings(self) -> dict[str, list[Binding]]:
        with self._lock:
            if self._module is None:
                table: dict[str, list[Binding]] = {}
                for child in self.root.children:
                    if child.type in self.module_binding_types:
                        self._collect_into(table, child, module=True)
                self._module = table
            return self._module

    def visible(self, name: str, use) -> list[Binding]:
        """Bindings of `name` that can reach `use`: in its function chain, before it."""
        unit = self.unit_of(use)
        chain = {node_key(f) for f in self.functions_of(use)}
        found = []
        for b in self.unit_bindings(unit).get(name, ()):
            if b.scope is not None and node_key(b.scope) not in chain:
                continue
            if b.kind in ("param", "field") or b.start <= use.start_byte:
                if b.node is not None and node_key(b.node) == node_key(use):
                    continue  # the use is the binding's own name
                found.append(b)
        if found:
            return found
        return [b for b in self.module_bindings().get(name, ()) if node_key(b.node) != node_key(use)]

    def single_definition(self, ident):
        """(binding, value) when `ident` has exactly one visible binding with a value."""
        bs = self.visible(self.text(ident), ident)
        if len(bs) == 1 and bs[0].kind == "value" and bs[0].value is not None:
            return bs[0], bs[0].value
        return None

    def uses(self, name: str, within) -> list:
        """Identifier nodes named `name` inside `within` (reads and writes)."""
        return [n for n in walk(within) if n.type in self.identifier_types and self.text(n) == name]

    # ------------------------------------------------------------------ flows

    def flow(self, node, category: str = "any") -> Flow:
        """Where the value of expression `node` comes from, for sink `category`."""
        if node is None:
            return UNKNOWN
        key = (node_key(node), category)
        with self._lock:
            hit = self._memo.get(key)
            if hit is not None:
                return hit
            result = self._flow(node, category, 0, frozenset())
            self._memo[key] = result
            return result

    max_depth = MAX_DEPTH  # steps followed back from one expression

    def _flow(self, node, category: str, depth: int, visiting: frozenset) -> Flow:
        if depth > self.max_depth:
            return UNKNOWN
        label = self.source(node)
        if label:
            return Flow(Kind.TAINTED, None, node, label)
        if node.type in self.identifier_types:
            return self._identifier(node, category, depth, visiting)
        return self.expression(node, category, depth, visiting)

    def sub(self, node, category: str, depth: int, visiting: frozenset) -> Flow:
        return self._flow(node, category, depth + 1, visiting)

    def _identifier(self, node, category: str, depth: int, visiting: frozenset) -> Flow:
        name = self.text(node)
        known = self.known_identifier(node, name)
        if known is not None:
            return known
        if name in visiting:
            return CONST  # a cycle adds nothing new
        bindings = self.visible(name, node)
        if not bindings:
            return Flow(Kind.UNKNOWN, names=frozenset({name}))
        inner = visiting | {name}
        flows = []
        for b in bindings:
            if b.source:
                flows.append(Flow(Kind.TAINTED, None, b.node, b.source))
            elif b.kind == "zero":
                flows.append(CONST)  # declared without a value: the zero value
            elif b.kind == "param":
                flows.append(self.param_flow(b, category, depth, visiting))
            elif b.value is None:
                flows.append(UNKNOWN)
            else:
                f = self.sub(b.value, category, depth, inner)
                if b.kind == "augment" and f.kind >= Kind.UNKNOWN:
                    f = combine([f], "string concatenation")
                elif b.kind == "append" and f.kind >= Kind.UNKNOWN:
                    f = combine([f], self.append_how)
                flows.append(f)
        result = combine(flows)
        return Flow(result.kind, result.how, result.origin, result.label, result.texts, result.names | {name})

    append_how = "appending to a builder"

    def param_flow(self, b: Binding, category: str, depth: int, visiting: frozenset) -> Flow:
        """The value of parameter binding `b`: PARAM (the caller decides) unless a language knows
        its callers (a summary evaluated for one call site, or every call site of a private method)."""
        return Flow(Kind.PARAM, None, b.node, f"parameter '{b.name}'")

    # ------------------------------------------------------------------ guards

    def related_names(self, flow: Flow, use) -> set[str]:
        """The variables a value was read from, plus variables computed from them."""
        names = set(flow.names)
        if not names:
            return names
        unit = self.unit_of(use)
        table = self.unit_bindings(unit)
        for _ in range(2):
            grown = set(names)
            for name, bindings in table.items():
                if name in names:
                    continue
                for b in bindings:
                    if b.value is not None and any(
                        n.type in self.identifier_types and self.text(n) in names for n in walk(b.value)
                    ):
                        grown.add(name)
                        break
            if grown == names:
                break
            names = grown
        return names

    def guarded(self, sink, flow: Flow, accept, anywhere: bool = False) -> bool:
        """True when, before `sink` in its top-level statement or definition, some node is a check
        on the value that reaches the sink: `accept(node, names, source_text)` decides (a
        `startsWith` on the path, an allow-list lookup, a regex test...). `names` are the
        variables the value was read from or computed into; `source_text` the source
        expression's text when the value is tainted directly. `anywhere` also accepts checks
        after the sink (for sinks that only build a path object that is used later)."""
        top = self.unit_of(sink)  # module-level statements of a script share names with its callbacks
        names = self.related_names(flow, sink)
        holder = self.assigned_name(sink)
        if holder:
            names = names | {holder}  # `File f = new File(dir, name); if (!f.getCanonicalPath().startsWith(...))`
        source_text = self.text(flow.origin) if flow.kind == Kind.TAINTED and flow.origin is not None else None
        if not names and not source_text:
            return False
        for n in walk(top):
            if not anywhere and n.start_byte >= sink.start_byte:
                continue
            if accept(n, names, source_text):
                return True
        return False

    def assigned_name(self, node) -> str | None:
        """The variable `node`'s value is stored in (`x = node`, `T x = node`, `x := node`)."""
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            return self.text(name) if name is not None and name.type == "identifier" else None
        if parent.type in ("assignment_expression",):
            left = parent.child_by_field_name("left")
            return self.text(left) if left is not None and left.type == "identifier" else None
        if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
                "short_var_declaration", "assignment_statement"):
            left = parent.parent.child_by_field_name("left")
            if left is not None and left.named_child_count >= 1 and left.named_children[0].type == "identifier":
                return self.text(left.named_children[0])
        return None

    @staticmethod
    def validator_name(name: str | None) -> bool:
        """Names of home-made validation functions: isValidPath, isSafeUrl, validateHost..."""
        if not name:
            return False
        low = name.lower()
        if low.startswith(("isvalid", "isallowed", "issafe", "validate", "checkpath", "isinside", "issubpath",
                           "iswithin", "isrelative", "islocal", "allowed", "whitelist", "allowlist", "verify",
                           "ensure", "assert")):
            return True
        return bool(_VALIDATOR.match(name))

    def mentions(self, node, names: set[str], source_text: str | None) -> bool:
        """`node` reads one of `names`, or contains the source expression itself."""
        if node is None:
            return False
        for n in walk(node):
            if n.type in self.identifier_types and self.text(n) in names:
                return True
            if source_text and n.type not in self.identifier_types and n.end_byte - n.start_byte == len(
                source_text.encode()
            ) and self.text(n) == source_text:
                return True
        return False

    # ------------------------------------------------------------------ language hooks

    identifier_types: frozenset[str] = frozenset({"identifier"})
    call_types: frozenset[str] = frozenset()

    def bindings_at(self, node, scope) -> Iterable[Binding]:
        """The bindings node introduces (declarations, assignments, parameters...)."""
        return ()

    def source(self, node) -> str | None:
        """A label when `node` is a user-input source expression."""
        return None

    def known_identifier(self, node, name: str) -> Flow | None:
        """A fixed answer for special identifiers (globals, `undefined`, `nil`)."""
        return None

    def expression(self, node, category: str, depth: int, visiting: frozenset) -> Flow:
        return UNKNOWN

    def callee_name(self, call) -> str | None:
        """The last name of a call's callee: `startsWith` for `a.b.startsWith(x)`."""
        return None


# ---------------------------------------------------------------------- reads of other files

# Files an analysis read besides the one it analyzed (Java: other classes of the project, its
# properties files), by the analyzed file's path. The result cache does not store a file whose
# findings depend on other files (cache.py), since its key covers the file's own content only.
_external_lock = threading.Lock()
_external: "OrderedDict[str, set[str]]" = OrderedDict()
MAX_EXTERNAL = 4096


def note_external_read(source_path: str, other: str) -> None:
    with _external_lock:
        _external.setdefault(source_path, set()).add(other)
        _external.move_to_end(source_path)
        while len(_external) > MAX_EXTERNAL:
            _external.popitem(last=False)


def take_external_reads(source_path: str) -> set[str]:
    """The other files read while analyzing `source_path` since the last call (and forget them)."""
    with _external_lock:
        return _external.pop(source_path, set())


# ---------------------------------------------------------------------- caching

_cache_lock = threading.Lock()
_cache: "OrderedDict[tuple, tuple[object, Analyzer]]" = OrderedDict()
CACHE_SIZE = 16


def analyzer_for(file, cls: type[Analyzer]) -> Analyzer:
    """The analyzer of `cls` for `file`'s current tree (cached while the tree is alive)."""
    key = (cls, id(file.tree), id(file.text))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is file.tree and hit[1].src is file.text:
            _cache.move_to_end(key)
            return hit[1]
        analyzer = cls(file)
        _cache[key] = (file.tree, analyzer)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return analyzer


# ---------------------------------------------------------------------- verdict helpers


@dataclass(frozen=True)
class Policy:
    """How a sink turns a flow into a confidence; None means "not a finding".

    `built` applies to non-tainted flows only: they are reported only when the value was built
    by concatenation/formatting (`how` is set), not when it is an opaque variable.
    """

    tainted: Confidence | None = Confidence.HIGH
    param: Confidence | None = Confidence.MEDIUM
    unknown: Confidence | None = Confidence.LOW
    built: bool = True

    def confidence(self, flow: Flow) -> Confidence | None:
        if flow.kind == Kind.TAINTED:
            return self.tainted
        if flow.kind < Kind.UNKNOWN:
            return None
        if self.built and not flow.how:
            return None
        return self.param if flow.kind == Kind.PARAM else self.unknown


# The checks that make a user-supplied URL safe to fetch or to redirect to, in every language.
URL_GUARDS = frozenset({"prefix", "regex", "allow", "compare"})


def user_url_flow(a: Analyzer, at, node, kind: str, prefix, fixed_host, guard) -> Flow | None:
    """The flow of a URL that user input controls (SSRF, open redirect), or None when the input
    is not tainted, a constant prefix fixes the host (`fixed_host(prefix(a, node))`), or a check
    of one of URL_GUARDS before `at` guards it (`guard(a, kinds)`: the language's checks)."""
    flow = a.flow(node, kind)
    if flow.kind != Kind.TAINTED or fixed_host(prefix(a, node)):
        return None
    if a.guarded(at, flow, guard(a, set(URL_GUARDS))):
        return None
    return flow


def from_command_line(flow: Flow) -> bool:
    """Tainted by command-line arguments: whoever runs the program already chooses its files."""
    return flow.kind == Kind.TAINTED and flow.label.startswith(("process.argv", "os.Args", "flag.Arg", "command-line"))


def related_for(flow: Flow) -> tuple[Related, ...]:
    if flow.kind == Kind.TAINTED and flow.origin is not None:
        return (Related(Span.of_node(flow.origin), f"user input enters here: {flow.label}"),)
    if flow.kind == Kind.PARAM and flow.origin is not None:
        return (Related(Span.of_node(flow.origin), f"the value comes from {flow.label}"),)
    return ()


def describe(flow: Flow, default: str = "a non-constant value") -> str:
    """Words for the message: "a template literal with user input (req.query)" and the like."""
    if flow.kind == Kind.TAINTED:
        return f"{flow.how} of user input ({flow.label})" if flow.how else f"user input ({flow.label})"
    if flow.how:
        if flow.kind == Kind.PARAM and flow.label:
            return f"{flow.how} of {flow.label}"
        return flow.how
    if flow.kind == Kind.PARAM and flow.label:
        return flow.label
    return default


__all__ = [
    "Analyzer",
    "Binding",
    "CONST",
    "Flow",
    "Kind",
    "Policy",
    "SAFE",
    "UNKNOWN",
    "analyzer_for",
    "combine",
    "const",
    "describe",
    "from_command_line",
    "node_key",
    "plus_operands",
    "related_for",
    "walk",
    "with_kind",
]


def verdict(flow: Flow, confidence: Confidence | None, args: dict[str, str] | None = None, node=None, data=None):
    """A predicate answer for a tainted/non-constant sink, or None when `confidence` is None."""
    from redline.rules.predicates import Verdict

    if confidence is None:
        return None
    return Verdict(
        confidence=confidence,
        node=node,
        args=dict(args or {}),
        related=related_for(flow),
        data=dict(data or {}),
    )
