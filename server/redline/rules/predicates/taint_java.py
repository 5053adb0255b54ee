"""Local taint for Java (see taint_core for the model).

Sources: parameters annotated `@RequestParam`, `@PathVariable`, `@RequestBody`, `@RequestHeader`,
`@CookieValue` (Spring) or `@QueryParam`, `@PathParam`, `@FormParam`, `@HeaderParam` (JAX-RS);
`getParameter`/`getHeader`/`getQueryString`/`getCookies`/`getInputStream`/... on a servlet
request; `main(String[] args)`. Sanitizers: number parsing, `UUID.fromString`, encoders and
escapers per sink category, `getName()`/`getFileName()` for paths. Propagation: declarations,
assignments, `+=`, `+`, `String.format`, `formatted`, `String.join`, `concat`, `StringBuilder`
appends, collections' `add`, and methods of tainted values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import tree_sitter as ts
from pathlib import Path

from redline.rules.models import load as load_model
from redline.rules.predicates.taint_core import (
    CONST,
    SAFE,
    UNKNOWN,
    Analyzer,
    Binding,
    Flow,
    Kind,
    analyzer_for,
    combine,
    const,
    plus_operands,
    node_key,
    note_external_read,
    walk,
    with_kind,
)
from redline.secrets.regex import linear

MODEL = load_model("java")
FUNCTIONS = frozenset({"method_declaration", "constructor_declaration", "lambda_expression",
                       "compact_constructor_declaration"})


def _union(sources, attr) -> frozenset[str]:
    out: set[str] = set()
    for s in sources:
        out |= getattr(s, attr)
    return frozenset(out)


_REQUEST = next(s for s in MODEL.sources_of("call") if s.label == "request data")
_ARCHIVE = next(s for s in MODEL.sources_of("call") if s.label == "the archive entry name")
SOURCE_ANNOTATIONS = _union(MODEL.sources_of("annotation"), "names")
ENTRY_METHODS = _union(MODEL.sources_of("entry"), "methods")
HELPERS = tuple(s.pattern for s in MODEL.sources_of("helper") if s.pattern is not None)
APPENDERS = MODEL.propagates("append")
PASSTHROUGH = MODEL.propagates("passthrough")
SAFE_METHODS = MODEL.propagates("safe")
BUILDERS = MODEL.propagates("builder")
FORMATTERS = MODEL.propagates("format")
PUTTERS = MODEL.propagates("put")
GETTERS = MODEL.propagates("getter")
REMOVERS = MODEL.propagates("remove")
CONTAINERS = MODEL.propagates("container")
WRITES = MODEL.propagates("write")
WRITERS = frozenset({"PrintWriter", "BufferedWriter", "PrintStream", "OutputStreamWriter", "BufferedOutputStream",
                     "DataOutputStream", "Formatter"})
# Calls on a tracked container that neither add nor remove elements.
CONTAINER_READS = SAFE_METHODS | GETTERS | frozenset({"iterator", "stream", "toString", "forEach", "toArray"})
_INTEGER_TYPES = frozenset({"int", "long", "short", "byte", "char"})
_NUMBER_LITERALS = frozenset({"decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
                              "binary_integer_literal"})
_JUMPS = frozenset({"break_statement", "return_statement", "throw_statement", "continue_statement", "yield_statement"})
_TYPE_ARGUMENTS = linear(r"<.*>")  # `List<String>` -> `List`


_ABSENT = object()  # a container read where nothing was stored
_DECLARATIONS = None  # tree-sitter query: the methods and classes of a file
_PROPERTIES_NAME = linear(r"^[\w.-]{1,100}\.properties$")
_PROPERTY_LINE = linear(r"^\s*([^#!\s=:][^=:\s]*)\s*[=:\s]\s*(.*?)\s*$")
_properties_cache: dict = {}
MAX_PROPERTIES = 256 * 1024


def project_properties(source_path: str, name: str) -> dict[str, str] | None:
    """The entries of the project's properties file `name` (a resource next to the source, or in
    a `src/main/resources` or `resources` folder of an enclosing folder), or None when there is none."""
    if not _PROPERTIES_NAME.match(name) or not source_path:
        return None
    try:
        start = Path(source_path).resolve().parent
    except (OSError, RuntimeError, ValueError):
        return None
    key = (str(start), name)
    if key in _properties_cache:
        return _properties_cache[key]
    found = None
    for level in [start, *list(start.parents)[:10]]:
        for candidate in (level / name, level / "src" / "main" / "resources" / name, level / "resources" / name):
            try:
                if candidate.is_file() and not candidate.is_symlink() and candidate.stat().st_size <= MAX_PROPERTIES:
                    found = {}
                    for line in candidate.read_text("latin-1").splitlines():
                        m = _PROPERTY_LINE.match(line)
                        if m:
                            found.setdefault(m.group(1), m.group(2))
                    break
            except OSError:
                continue
        if found is not None:
            break
    if len(_properties_cache) > 256:
        _properties_cache.clear()
    _properties_cache[key] = found
    return found


def _java_str(v) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def java_string_value(a, node) -> str:
    """The raw text of a Java string literal (escapes left as written), text blocks included."""
    t = a.text(node)
    if t.startswith('"""'):
        return t[3:-3]
    return t[1:-1] if len(t) >= 2 else ""


def _unclosed_method(params) -> bool:
    """`params` is the parameter list of a method left open: a direct child of an ERROR that is
    the file or a top-level node of it, after the method's name."""
    err = params.parent
    if err is None or err.type != "ERROR" or (err.parent is not None and err.parent.parent is not None):
        return False
    prev = params.prev_named_sibling
    return prev is not None and prev.type == "identifier"


class JavaAnalyzer(Analyzer):
    function_types = FUNCTIONS
    # Java has no module level; a parameter list among the top nodes exists only when the whole
    # file is an ERROR (an unclosed method in a fragment), and is visible to what follows it.
    module_binding_types = frozenset({"formal_parameters"})
    identifier_types = frozenset({"identifier"})
    call_types = frozenset({"method_invocation", "object_creation_expression"})
    append_how = "a StringBuilder"
    # Java spells each step out (a builder, a map, an encoder, a split...): follow longer chains.
    max_depth = 24
    MAX_NESTED_SUMMARIES = 4
    binding_types = ("local_variable_declaration", "field_declaration", "resource", "assignment_expression",
                     "method_declaration", "constructor_declaration", "lambda_expression",
                     "compact_constructor_declaration", "enhanced_for_statement", "catch_formal_parameter",
                     "method_invocation", "formal_parameters")

    def __init__(self, file):
        super().__init__(file)
        self._env: list[dict] = []  # parameter -> Flow, for the summary being evaluated
        self._dead: dict = {}
        self._folding: set = set()
        self._methods: dict[str, list] | None = None
        self._idents: dict = {}
        self._classes: set[str] | None = None

    def unit_of(self, node):
        """The top-level node holding `node` (found by position among the root's children)."""
        if node.parent is None:
            return node
        start = node.start_byte
        for c in self.root.children:
            if c.start_byte <= start < c.end_byte or (c.start_byte == start == c.end_byte):
                return c
        return super().unit_of(node)

    def uses(self, name: str, within) -> list:
        """Identifier nodes named `name` inside `within` (indexed once per node)."""
        key = node_key(within)
        table = self._idents.get(key)
        if table is None:
            table = {}
            for n in walk(within):
                if n.type == "identifier":
                    table.setdefault(self.text(n), []).append(n)
            self._idents[key] = table
        return table.get(name, [])

    # ------------------------------------------------------------------ constant folding

    def constant(self, node, depth: int = 0):
        """The compile-time value of an expression (int, str, bool), or None when it is not one:
        literals, locals bound once to a constant, arithmetic, comparisons, `"abc".charAt(1)`."""
        if node is None or depth > 8:
            return None
        key = node_key(node)
        if key in self._folding:
            return None
        self._folding.add(key)
        try:
            return self._constant(node, depth)
        except (ArithmeticError, ValueError, IndexError, TypeError):
            return None
        finally:
            self._folding.discard(key)

    def _constant(self, node, depth):
        t = node.type
        c = lambda n: self.constant(n, depth + 1)  # noqa: E731
        if t in _NUMBER_LITERALS:
            return int(self.text(node).replace("_", "").rstrip("lL"), 0)
        if t == "string_literal":
            return java_string_value(self, node)
        if t == "character_literal":
            inner = self.text(node)[1:-1]
            return inner if len(inner) == 1 else None
        if t in ("true", "false"):
            return t == "true"
        if t == "parenthesized_expression":
            return c(node.named_children[0]) if node.named_children else None
        if t == "identifier":
            bs = self.visible(self.text(node), node)
            if len(bs) != 1 or bs[0].kind not in ("value", "field") or bs[0].value is None:
                return None
            return c(bs[0].value)
        if t == "cast_expression":
            v = c(node.child_by_field_name("value"))
            typ = self.text(node.child_by_field_name("type"))
            if typ == "int" and isinstance(v, str) and len(v) == 1:
                return ord(v)
            return v if typ in _INTEGER_TYPES | {"String"} else None
        if t == "unary_expression":
            v = c(node.child_by_field_name("operand"))
            op = self.text(node.child_by_field_name("operator"))
            if v is None:
                return None
            if op == "!" and isinstance(v, bool):
                return not v
            if op == "-" and isinstance(v, int) and not isinstance(v, bool):
                return -v
            return v if op == "+" else None
        if t == "ternary_expression":
            cond = c(node.child_by_field_name("condition"))
            if not isinstance(cond, bool):
                return None
            return c(node.child_by_field_name("consequence" if cond else "alternative"))
        if t == "binary_expression":
            return self._binary(node, depth)
        if t == "method_invocation":
            name = self.text(node.child_by_field_name("name"))
            if name == "getProperty":
                return self.property_value(node)
            obj = c(node.child_by_field_name("object"))
            args = [x for x in (node.child_by_field_name("arguments").named_children) if x.type != "comment"]
            vals = [c(x) for x in args]
            if not isinstance(obj, str) or any(v is None for v in vals):
                return None
            if name == "charAt" and len(vals) == 1 and isinstance(vals[0], int):
                return obj[vals[0]]
            if name == "length" and not vals:
                return len(obj)
            if name in ("equals", "contentEquals") and len(vals) == 1:
                return obj == vals[0]
            if name == "equalsIgnoreCase" and len(vals) == 1 and isinstance(vals[0], str):
                return obj.lower() == vals[0].lower()
            if name == "substring" and 1 <= len(vals) <= 2 and all(isinstance(v, int) for v in vals):
                return obj[vals[0]:vals[1]] if len(vals) == 2 else obj[vals[0]:]
            if name in ("toUpperCase", "toLowerCase", "trim") and not vals:
                return obj.upper() if name == "toUpperCase" else obj.lower() if name == "toLowerCase" else obj.strip()
            return None
        return None

    def _binary(self, node, depth):
        op = self.text(node.child_by_field_name("operator"))
        left = self.constant(node.child_by_field_name("left"), depth + 1)
        if op in ("&&", "||") and isinstance(left, bool):
            if (op == "&&" and not left) or (op == "||" and left):
                return left
        right = self.constant(node.child_by_field_name("right"), depth + 1)
        if left is None or right is None:
            return None
        if isinstance(left, str) and isinstance(right, str) and len(left) == 1 and len(right) == 1 and op not in ("+",):
            left, right = ord(left), ord(right)  # char arithmetic and comparison
        if op == "+" and (isinstance(left, str) or isinstance(right, str)):
            return f"{_java_str(left)}{_java_str(right)}"
        if op in ("&&", "||"):
            return (left and right) if op == "&&" else (left or right) if isinstance(left, bool) and isinstance(right, bool) else None
        if op in ("==", "!="):
            if isinstance(left, str) != isinstance(right, str):
                return None
            if isinstance(left, str) and (len(left) != 1 or len(right) != 1):
                return None  # == on String objects compares references
            return (left == right) if op == "==" else (left != right)
        if not (isinstance(left, int) and isinstance(right, int)) or isinstance(left, bool) or isinstance(right, bool):
            return None
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            q = abs(left) // abs(right)
            return q if (left >= 0) == (right >= 0) else -q
        if op == "%":
            r = abs(left) % abs(right)
            return r if left >= 0 else -r
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}.get(op)

    def property_value(self, call):
        """`props.getProperty("key"[, "default"])` on a local Properties loaded from a properties
        file of the project named by a constant (getResourceAsStream("app.properties"), new
        FileInputStream("conf/app.properties")): the value in that file, else the default."""
        obj = call.child_by_field_name("object")
        args = [x for x in call.child_by_field_name("arguments").named_children if x.type != "comment"]
        if obj is None or obj.type != "identifier" or not args:
            return None
        key = self.constant(args[0])
        default = self.constant(args[1]) if len(args) > 1 else None
        if not isinstance(key, str):
            return None
        fn = self.outer_function(call) or self.unit_of(call)
        name = None
        for use in self.uses(self.text(obj), fn):
            parent = use.parent
            if parent is not None and parent.type == "method_invocation" and self.text(parent.child_by_field_name("name")) == "load":
                for n in walk(parent.child_by_field_name("arguments")):
                    if n.type == "string_literal" and java_string_value(self, n).endswith(".properties"):
                        name = java_string_value(self, n).rsplit("/", 1)[-1]
        table = project_properties(getattr(self.file, "path", ""), name) if name else None
        if table is not None:
            note_external_read(self.file.path, name)
        if table is not None and key in table:
            return table[key]
        return default if isinstance(default, str) else None

    def dead(self, node) -> bool:
        """True when `node` sits in a branch that a constant condition never takes: an if/else arm,
        a ternary arm, a while body, or a switch case other than the one a constant selects."""
        key = node_key(node)
        hit = self._dead.get(key)
        if hit is not None:
            return hit
        self._dead[key] = False  # while computing: a cycle through constant() answers "live"
        result = False
        child, parent = node, node.parent
        while parent is not None and not result:
            t = parent.type
            if t in ("if_statement", "ternary_expression"):
                cond = parent.child_by_field_name("condition")
                if node_key(child) != node_key(cond):
                    v = self.constant(cond)
                    if isinstance(v, bool):
                        arm = "consequence" if node_key(child) == node_key(parent.child_by_field_name("consequence")) else "alternative"
                        result = (arm == "consequence") != v
            elif t == "while_statement" and node_key(child) == node_key(parent.child_by_field_name("body") or child):
                result = self.constant(parent.child_by_field_name("condition")) is False
            elif t in ("switch_block_statement_group", "switch_rule"):
                result = not self._switch_live(parent)
            if t in FUNCTIONS:
                break
            child, parent = parent, parent.parent
        self._dead[key] = result
        return result

    def _switch_live(self, group) -> bool:
        block = group.parent
        switch = block.parent if block is not None else None
        if switch is None or switch.type not in ("switch_statement", "switch_expression"):
            return True
        value = self.constant(switch.child_by_field_name("condition"))
        if value is None:
            return True
        groups = [g for g in block.named_children if g.type in ("switch_block_statement_group", "switch_rule")]

        def matches(g):
            for label in (x for x in g.named_children if x.type == "switch_label"):
                if self.text(label).strip().startswith("default"):
                    continue
                for e in label.named_children:
                    v = self.constant(e)
                    if v is None:
                        return None
                    if v == value or (isinstance(v, str) and isinstance(value, int) and len(v) == 1 and ord(v) == value):
                        return True
            return False

        states = [matches(g) for g in groups]
        if any(s is None for s in states):
            return True
        if not any(states):
            states = [any(self.text(x).strip().startswith("default") for x in g.named_children if x.type == "switch_label")
                      for g in groups]
        live = []
        falling = False
        for g, hit in zip(groups, states):
            on = hit or falling
            live.append(on)
            stmts = [x for x in g.named_children if x.type != "switch_label"]
            falling = on and g.type == "switch_block_statement_group" and not (stmts and stmts[-1].type in _JUMPS or (
                stmts and stmts[-1].type == "block" and stmts[-1].named_children and stmts[-1].named_children[-1].type in _JUMPS))
        return next((on for g, on in zip(groups, live) if node_key(g) == node_key(group)), True)

    # ------------------------------------------------------------------ visibility

    def visible(self, name: str, use) -> list[Binding]:
        """Bindings of `name` that reach `use`, without those in dead branches and those that a
        later plain assignment in the same block overwrites before `use`."""
        found = [b for b in super().visible(name, use) if b.node is None or not self.dead(b.node)]
        if len(found) < 2:
            return found
        stmts = [self._statement(b) for b in found]
        # The last plain assignment before `use` in each block overwrites what came before it there.
        last: dict = {}
        for b, st in zip(found, stmts):
            if st is not None and b.kind == "value" and use.start_byte >= st.end_byte:
                block = node_key(st.parent)
                if block not in last or st.start_byte > last[block]:
                    last[block] = st.start_byte
        if not last:
            return found
        return [b for b, st in zip(found, stmts)
                if st is None or b.kind in ("param", "field") or st.start_byte >= last.get(node_key(st.parent), -1)]

    def _statement(self, b: Binding):
        """The statement of a plain binding when it runs whenever its block does, else None."""
        n = b.node
        while n is not None and n.parent is not None and n.parent.type not in ("block", "switch_block_statement_group",
                                                                                "constructor_body"):
            if n.type in FUNCTIONS or n.type in ("class_body", "lambda_expression"):
                return None
            n = n.parent
        if n is None or n.parent is None:
            return None
        if n.type == "local_variable_declaration":
            return n
        if n.type == "expression_statement" and n.named_children and n.named_children[0].type in (
                "assignment_expression", "method_invocation"):
            inner = n.named_children[0]
            if inner.type == "assignment_expression" and node_key(inner.child_by_field_name("left")) != node_key(b.node):
                return None
            return n
        return None

    # ------------------------------------------------------------------ bindings

    def bindings_at(self, node, scope):
        t = node.type
        if t in ("local_variable_declaration", "field_declaration"):
            kind = "field" if t == "field_declaration" else "value"
            for decl in node.children_by_field_name("declarator"):
                name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
                if name is None:
                    continue
                if value is None:
                    yield Binding(self.text(name), node.start_byte, None, "zero" if kind == "value" else "field", scope, name)
                else:
                    yield Binding(self.text(name), node.start_byte, value, kind, scope, name)
        elif t == "resource":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is not None:
                yield Binding(self.text(name), node.start_byte, value, "value", scope, name)
        elif t == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            op = self.text(node.child_by_field_name("operator"))
            kind = "augment" if op == "+=" else "value"
            if op not in ("=", "+="):
                return
            if left is not None and left.type == "identifier":
                yield Binding(self.text(left), node.start_byte, right, kind, scope, left)
            elif left is not None and left.type == "field_access":
                yield Binding(self.text(left).replace(" ", ""), node.start_byte, right, kind, scope, left)
        elif t in FUNCTIONS:
            yield from self._params(node)
        elif t == "formal_parameters" and _unclosed_method(node):
            # A method whose closing brace is missing (being typed, or a cut-out fragment) parses as
            # an ERROR at the top: its parameters are still parameters of the code after them.
            yield from self._param_list(node, "", None, node.start_byte)
        elif t == "enhanced_for_statement":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is not None:
                yield Binding(self.text(name), node.start_byte, value, "iter", scope, name)
        elif t == "catch_formal_parameter":
            name = node.child_by_field_name("name")
            if name is not None:
                yield Binding(self.text(name), node.start_byte, None, "value", scope, name)
        elif t == "method_invocation":
            name = self.text(node.child_by_field_name("name"))
            if name in APPENDERS or name in PUTTERS or name in WRITES:
                root = node.child_by_field_name("object")
                while root is not None and root.type == "method_invocation" and self.text(root.child_by_field_name("name")) in APPENDERS:
                    root = root.child_by_field_name("object")
                if root is not None and root.type == "identifier":
                    args = node.child_by_field_name("arguments")
                    values = list(args.named_children if args is not None else ())
                    if name in PUTTERS and len(values) == 2:
                        values = values[1:]  # the key is not the value
                    if name in WRITES and values and values[0].type in _NUMBER_LITERALS | {"character_literal"}:
                        values = []
                    for a in values:
                        yield Binding(self.text(root), node.start_byte, a, "append", scope, root)

    def _params(self, fn):
        params = fn.child_by_field_name("parameters")
        if params is None:
            return
        if params.type == "identifier":  # x -> ...
            yield Binding(self.text(params), fn.start_byte, None, "param", fn, params)
            return
        method_name = self.text(fn.child_by_field_name("name")) if fn.type == "method_declaration" else ""
        yield from self._param_list(params, method_name, fn, fn.start_byte)

    def _param_list(self, params, method_name: str, fn, start: int):
        for p in params.named_children:
            if p.type == "identifier":  # (a, b) -> ...
                yield Binding(self.text(p), start, None, "param", fn, p)
                continue
            if p.type not in ("formal_parameter", "spread_parameter"):
                continue
            name = p.child_by_field_name("name")
            if name is None:
                decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
                name = decl.child_by_field_name("name") if decl is not None else None
            if name is None:
                continue
            label = None
            for mod in p.named_children:
                if mod.type == "modifiers":
                    for ann in mod.named_children:
                        if ann.type in ("annotation", "marker_annotation"):
                            ann_name = self.text(ann.child_by_field_name("name")).split(".")[-1]
                            if ann_name in SOURCE_ANNOTATIONS:
                                label = f"@{ann_name} {self.text(name)}"
            if label is None and method_name in ENTRY_METHODS and self.text(p.child_by_field_name("type")).replace(" ", "") in ("String[]",) :
                label = "command-line arguments"
            if label is None and p.type == "spread_parameter" and method_name in ENTRY_METHODS:
                label = "command-line arguments"
            yield Binding(self.text(name), start, None, "param", fn, name, label)

    # ------------------------------------------------------------------ types

    def declared_type_text(self, ident) -> str | None:
        """The declared type of a variable as written (qualified or not), without generics."""
        for b in self.visible(self.text(ident), ident):
            decl = b.node.parent if b.node is not None else None
            if decl is None:
                continue
            holder = decl.parent if decl.type == "variable_declarator" else decl
            typ = holder.child_by_field_name("type") if holder is not None else None
            if typ is not None:
                text = "".join(_TYPE_ARGUMENTS.sub("", self.text(typ)).split())
                if text != "var":
                    return text
            if b.value is not None and b.value.type == "object_creation_expression":
                return "".join(_TYPE_ARGUMENTS.sub("", self.text(b.value.child_by_field_name("type"))).split())
        return None

    def declared_type(self, ident) -> str | None:
        """The declared type of a variable, parameter or field (simple name, no generics)."""
        for b in self.visible(self.text(ident), ident):
            decl = b.node.parent
            if decl is None:
                continue
            holder = decl.parent if decl.type == "variable_declarator" else decl
            typ = holder.child_by_field_name("type") if holder is not None else None
            if typ is not None:
                text = _TYPE_ARGUMENTS.sub("", self.text(typ)).strip()
                if text != "var":
                    return text.split(".")[-1]
            if b.value is not None:
                return self.type_of(b.value)
        return None

    def type_of(self, node) -> str | None:
        """A best guess at the static type of an expression, by declarations and factories."""
        if node is None:
            return None
        t = node.type
        if t == "identifier":
            return self.declared_type(node)
        if t == "object_creation_expression":
            return _TYPE_ARGUMENTS.sub("", self.text(node.child_by_field_name("type"))).split(".")[-1]
        if t == "method_invocation":
            name = self.text(node.child_by_field_name("name"))
            if name in MODEL.types:
                return MODEL.types[name]
            if name in ("getInstance", "newInstance"):
                obj = node.child_by_field_name("object")
                return self.text(obj).split(".")[-1] if obj is not None else None
            return None
        if t in ("parenthesized_expression", "cast_expression"):
            typ = node.child_by_field_name("type")
            if typ is not None:
                return self.text(typ).split(".")[-1]
            return self.type_of(node.named_children[0]) if node.named_children else None
        return None

    def is_request(self, node) -> bool:
        if node is None:
            return False
        if node.type == "method_invocation":
            return self.text(node.child_by_field_name("name")) in _REQUEST.receiver_calls
        if node.type != "identifier":
            return False
        typ = self.declared_type(node)
        if typ is not None:
            return typ in _REQUEST.receiver_types
        return self.text(node) in _REQUEST.receiver_names

    # ------------------------------------------------------------------ sources

    def source(self, node) -> str | None:
        if node.type == "method_invocation":
            name = self.text(node.child_by_field_name("name"))
            obj = node.child_by_field_name("object")
            if name in _REQUEST.methods and self.is_request(obj):
                text = " ".join(self.text(node).split())
                return text if len(text) <= 48 else f"{self.text(obj)}.{name}()"
            if name in _ARCHIVE.methods and obj is not None and self.is_archive_entry(obj):
                return f"the archive entry name {self.text(obj)}.getName()"
            if any(h.match(name) for h in HELPERS) and "ContextPath" not in name and not self.is_request(obj):
                args = node.child_by_field_name("arguments")
                if args is not None and any(self.is_request(x) for x in args.named_children):
                    text = " ".join(self.text(node).split())
                    return text if len(text) <= 48 else f"{name}(request)"
        return None

    def is_archive_entry(self, node) -> bool:
        """A ZipEntry/JarEntry/TarArchiveEntry: its name comes from the archive (zip slip)."""
        if self.type_of(node) in _ARCHIVE.receiver_types:
            return True
        if node.type == "identifier":
            for b in self.visible(self.text(node), node):
                v = b.value
                if v is not None and v.type == "method_invocation" and self.text(v.child_by_field_name("name")) in _ARCHIVE.receiver_calls:
                    return True
                if v is not None and v.type == "cast_expression" and self.text(v.child_by_field_name("type")) in _ARCHIVE.receiver_types:
                    return True
        return node.type == "method_invocation" and self.text(node.child_by_field_name("name")) in _ARCHIVE.receiver_calls

    def known_identifier(self, node, name):
        return None

    # ------------------------------------------------------------------ expressions

    def callee_name(self, call) -> str | None:
        if call.type == "method_invocation":
            return self.text(call.child_by_field_name("name"))
        if call.type == "object_creation_expression":
            return _TYPE_ARGUMENTS.sub("", self.text(call.child_by_field_name("type"))).split(".")[-1].strip()
        return None

    def is_sanitizer(self, call, category: str) -> bool:
        name = self.callee_name(call) or ""
        obj = call.child_by_field_name("object") if call.type == "method_invocation" else None
        full = (self.text(obj) + "." if obj is not None else "") + name
        if name in SAFE_METHODS:
            return True
        return MODEL.sanitizes(category, name, full)

    def is_plus(self, node) -> bool:
        return node.type == "binary_expression" and self.text(node.child_by_field_name("operator")) == "+"

    def expression(self, node, category, depth, visiting) -> Flow:
        t = node.type
        sub = lambda n: self.sub(n, category, depth, visiting)  # noqa: E731
        if t == "string_literal":
            return const(java_string_value(self, node))
        if t in ("character_literal", "decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
                 "binary_integer_literal", "decimal_floating_point_literal", "hex_floating_point_literal",
                 "true", "false", "null_literal", "class_literal"):
            return CONST
        if t in ("lambda_expression", "method_reference"):
            return CONST
        if t == "binary_expression":
            op = self.text(node.child_by_field_name("operator"))
            if op == "+":
                return combine((sub(x) for x in plus_operands(node, self.is_plus)), "string concatenation")
            return SAFE
        if t in ("unary_expression", "instanceof_expression", "update_expression"):
            return SAFE
        if t == "ternary_expression":
            cond = self.constant(node.child_by_field_name("condition"))
            if isinstance(cond, bool):  # a constant condition takes one arm only
                return sub(node.child_by_field_name("consequence" if cond else "alternative"))
            return combine([sub(node.child_by_field_name("consequence")), sub(node.child_by_field_name("alternative"))])
        if t == "parenthesized_expression":
            return sub(node.named_children[0]) if node.named_children else UNKNOWN
        if t == "cast_expression":
            typ = self.text(node.child_by_field_name("type"))
            if typ in ("int", "long", "short", "byte", "double", "float", "boolean", "char"):
                return SAFE
            return sub(node.child_by_field_name("value"))
        if t == "assignment_expression":
            return sub(node.child_by_field_name("right"))
        if t == "field_access":
            dotted = self.text(node).replace(" ", "")
            if dotted not in visiting:
                bindings = self.visible(dotted, node)
                if bindings:
                    return combine(self.sub(b.value, category, depth, visiting | {dotted})
                                   for b in bindings if b.value is not None)
            obj = node.child_by_field_name("object")
            if obj is not None and obj.type == "this":
                field = node.child_by_field_name("field")
                return self._identifier_like(field, category, depth, visiting)
            return sub(obj) if obj is not None else UNKNOWN
        if t == "array_access":
            return sub(node.child_by_field_name("array"))
        if t in ("array_initializer",):
            return combine(sub(c) for c in node.named_children)
        if t == "array_creation_expression":
            value = node.child_by_field_name("value")
            return sub(value) if value is not None else SAFE
        if t == "method_invocation":
            return self._call(node, category, depth, visiting)
        if t == "object_creation_expression":
            args = node.child_by_field_name("arguments")
            flows = [sub(a) for a in (args.named_children if args is not None else ())]
            name = self.callee_name(node) or ""
            if name in BUILDERS:
                return combine(flows) if flows else CONST
            return self._through(name, None, flows)
        if t == "this":
            return UNKNOWN
        return UNKNOWN

    def _identifier_like(self, field, category, depth, visiting) -> Flow:
        if field is None:
            return UNKNOWN
        return self._flow(field, category, depth + 1, visiting) if field.type == "identifier" else UNKNOWN

    def _call(self, node, category, depth, visiting) -> Flow:
        sub = lambda n: self.sub(n, category, depth, visiting)  # noqa: E731
        if self.is_sanitizer(node, category):
            return SAFE
        name = self.text(node.child_by_field_name("name"))
        obj = node.child_by_field_name("object")
        args_node = node.child_by_field_name("arguments")
        args = [c for c in (args_node.named_children if args_node is not None else ()) if c.type != "comment"]
        obj_text = self.text(obj) if obj is not None else ""
        if MODEL.simple_name(obj_text) in MODEL.format_receivers and name in FORMATTERS:
            return combine((sub(a) for a in args), f"{MODEL.simple_name(obj_text)}.{name}")
        if name == "formatted" and obj is not None:
            return combine([sub(obj)] + [sub(a) for a in args], "String.formatted")
        if name == "concat" and obj is not None:
            return combine([sub(obj)] + [sub(a) for a in args], "concat()")
        if name in ("toString", "build", "getBuffer", "toByteArray", "toCharArray") and obj is not None:
            if obj.type == "identifier":
                wrapped = self._written_through(obj, category, depth, visiting)
                if wrapped is not None:
                    return combine([sub(obj), wrapped], "a writer")
            return sub(obj)
        if name in GETTERS and obj is not None and obj.type == "identifier" and args:
            element = self.container_element(obj, args[0], node)
            if element is not None:
                return sub(element) if element is not _ABSENT else (sub(args[1]) if len(args) > 1 else CONST)
        summary = self._summary(node, name, obj, args, category, depth, visiting)
        if summary is not None:
            return summary
        foreign = self._foreign(node, name, obj, args, category, depth, visiting)
        if foreign is not None:
            return foreign
        if obj is not None and obj.type == "identifier" and obj_text[:1].isupper() and not self.visible(obj_text, obj):
            receiver = None  # a static method of a class
        else:
            receiver = sub(obj) if obj is not None else None
        full = (obj_text + "." if obj is not None else "") + name
        return self._through(name, receiver, [sub(a) for a in args], MODEL.sanitizes_other(category, name, full))

    def _written_through(self, target, category, depth, visiting) -> Flow | None:
        """What was written into buffer `target` through writers wrapped around it
        (`PrintWriter pw = new PrintWriter(sw); pw.print(x); sw.toString()`)."""
        name = self.text(target)
        flows = []
        for other, bindings in self.unit_bindings(self.unit_of(target)).items():
            if other == name or other in visiting:
                continue
            wraps = any(b.value is not None and b.value.type == "object_creation_expression"
                        and self.callee_name(b.value) in WRITERS
                        and any(x.type == "identifier" and self.text(x) == name
                                for x in b.value.child_by_field_name("arguments").named_children)
                        for b in bindings)
            if wraps:
                flows += [self.sub(b.value, category, depth, visiting | {other})
                          for b in bindings if b.kind == "append" and b.value is not None and b.start < target.start_byte]
        return combine(flows) if flows else None

    # ------------------------------------------------------------------ summaries of the file's methods

    def methods(self) -> dict[str, list]:
        """Method declarations of the file by name (inner and nested classes included)."""
        if self._methods is None:
            table: dict[str, list] = {}
            classes: set[str] = set()
            global _DECLARATIONS
            if _DECLARATIONS is None:
                from redline import languages as langs

                _DECLARATIONS = ts.Query(langs.grammar("java"), "[(method_declaration) (class_declaration) (enum_declaration)"
                                                                " (record_declaration) (interface_declaration)] @d")
            nodes = ts.QueryCursor(_DECLARATIONS).captures(self.root).get("d", [])
            for n in sorted(nodes, key=lambda x: x.start_byte):
                if n.type == "method_declaration":
                    table.setdefault(self.text(n.child_by_field_name("name")), []).append(n)
                else:
                    classes.add(self.text(n.child_by_field_name("name")))
            self._methods, self._classes = table, classes
        return self._methods

    def declared_classes(self) -> set[str]:
        self.methods()
        return self._classes or set()

    @staticmethod
    def parameter_names(method) -> list:
        params = method.child_by_field_name("parameters")
        out = []
        for p in (params.named_children if params is not None else ()):
            if p.type in ("formal_parameter", "spread_parameter"):
                name = p.child_by_field_name("name")
                if name is None:
                    decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
                    name = decl.child_by_field_name("name") if decl is not None else None
                out.append((name, p.type == "spread_parameter"))
        return out

    def _own_method(self, obj) -> bool:
        """The call's receiver is this object or an object of a class declared in this file."""
        if obj is None or obj.type == "this":
            return True
        classes = self.declared_classes()
        if obj.type == "object_creation_expression":
            return self.callee_name(obj) in classes
        if obj.type == "identifier":
            text = self.text(obj)
            if text in classes and not self.visible(text, obj):
                return True  # a static method of a class of this file
            return self.declared_type(obj) in classes
        return False

    def resolve_methods(self, name: str, obj, nargs: int, at=None) -> list:
        """Methods of this file a call may run: in the same top-level declaration as the call
        `at` (the incremental rescan re-runs one top-level declaration on its own)."""
        if not self._own_method(obj):
            return []
        unit = node_key(self.unit_of(at)) if at is not None else None
        out = []
        for m in self.methods().get(name, ()):
            if unit is not None and node_key(self.unit_of(m)) != unit:
                continue
            params = self.parameter_names(m)
            if len(params) == nargs or (params and params[-1][1] and nargs >= len(params) - 1):
                if m.child_by_field_name("body") is not None:
                    out.append(m)
        return out

    def _summary(self, call, name, obj, args, category, depth, visiting) -> Flow | None:
        """The flow of a call to a method of this file: its return values, with its parameters
        bound to this call's arguments."""
        targets = self.resolve_methods(name, obj, len(args), call)
        if not targets:
            return None
        nested = [x for x in visiting if isinstance(x, tuple) and x[0] == "method"]
        if len(nested) >= self.MAX_NESTED_SUMMARIES:
            return None
        arg_flows = [self.sub(a, category, depth, visiting) for a in args]
        flows = []
        for m in targets:
            mkey = ("method", node_key(m))
            if mkey in visiting:
                flows.append(UNKNOWN)  # recursion
                continue
            env = {}
            for i, (pname, spread) in enumerate(self.parameter_names(m)):
                if pname is None:
                    continue
                env[node_key(pname)] = combine(arg_flows[i:]) if spread else (arg_flows[i] if i < len(arg_flows) else CONST)
            self._env.append(env)
            try:
                # Names seen so far belong to the caller: only the methods in progress carry over.
                inner = frozenset(x for x in visiting if isinstance(x, tuple)) | {mkey}
                for ret in self.returns(m):
                    flows.append(self.sub(ret, category, 0, inner))  # a fresh budget per method
            finally:
                self._env.pop()
        if not flows:
            return CONST  # void
        return combine(flows)

    def returns(self, method) -> list:
        """The expressions of `method`'s return statements (not those of nested lambdas or classes)."""
        body = method.child_by_field_name("body")
        out = []
        stack = list(body.children) if body is not None else []
        while stack:
            n = stack.pop()
            if n.type in FUNCTIONS or n.type in ("class_body",):
                continue
            if n.type == "return_statement":
                if n.named_children and not self.dead(n):
                    out.append(n.named_children[0])
                continue
            stack.extend(n.children)
        return out

    def param_flow(self, b, category, depth, visiting) -> Flow:
        if self._env:
            hit = self._env[-1].get(node_key(b.node))
            if hit is not None:
                return hit
        fn = b.scope
        if fn is not None and fn.type == "method_declaration" and "private" in self._modifiers(fn):
            flow = self._callers(fn, b, category, depth, visiting)
            if flow is not None:
                return flow
        return Flow(Kind.PARAM, None, b.node, f"parameter '{b.name}'")

    def _modifiers(self, decl) -> str:
        mods = next((c for c in decl.children if c.type == "modifiers"), None)
        return self.text(mods) if mods is not None else ""

    def _callers(self, fn, b, category, depth, visiting) -> Flow | None:
        """A private method's parameter: the arguments of its calls in this file (None when it has none)."""
        key = ("callers", node_key(fn))
        if key in visiting:
            return CONST
        names = [p for p, _ in self.parameter_names(fn)]
        index = next((i for i, p in enumerate(names) if p is not None and node_key(p) == node_key(b.node)), None)
        if index is None:
            return None
        name = self.text(fn.child_by_field_name("name"))
        flows = []
        for n in walk(self.unit_of(fn)):
            if n.type == "method_invocation" and self.text(n.child_by_field_name("name")) == name:
                args = [c for c in n.child_by_field_name("arguments").named_children if c.type != "comment"]
                if len(args) != len(names) or not self._own_method(n.child_by_field_name("object")):
                    continue
                if self.dead(n):
                    continue
                inner = frozenset(x for x in visiting if isinstance(x, tuple)) | {key}
                flows.append(self.sub(args[index], category, depth, inner))
        return combine(flows) if flows else None

    # ------------------------------------------------------------------ other files of the project

    def package(self) -> str:
        for c in self.root.children:
            if c.type == "package_declaration":
                return "".join(self.text(c).replace("package", "", 1).rstrip(";").split())
        return ""

    def imports(self) -> dict[str, str]:
        out = {}
        for c in self.root.children:
            if c.type == "import_declaration" and "*" not in self.text(c) and " static " not in f" {self.text(c)} ":
                name = "".join(self.text(c).replace("import", "", 1).rstrip(";").split())
                out[name.rsplit(".", 1)[-1]] = name
        return out

    def source_root(self) -> Path | None:
        """The folder the package path starts in (src/main/java for org/acme/A.java)."""
        try:
            folder = Path(getattr(self.file, "path", "") or "").resolve().parent
        except (OSError, RuntimeError, ValueError):
            return None
        parts = [p for p in self.package().split(".") if p]
        for part in reversed(parts):
            if folder.name != part:
                return None
            folder = folder.parent
        return folder if parts else None

    def class_file(self, type_text: str) -> tuple[Path, str] | None:
        """(file, simple class name) of a class of this project named `type_text` (qualified, imported
        or in the same package), when its source is under the same source root."""
        root = self.source_root()
        if root is None or not type_text:
            return None
        if "." in type_text and type_text[:1].islower():
            qualified = type_text
        elif type_text in self.imports():
            qualified = self.imports()[type_text]
        elif "." not in type_text:
            qualified = f"{self.package()}.{type_text}"
        else:
            return None
        path = root.joinpath(*qualified.split(".")).with_suffix(".java")
        try:
            if path.is_file() and path.resolve() != Path(self.file.path).resolve():
                return path, qualified.rsplit(".", 1)[-1]
        except (OSError, RuntimeError, ValueError):
            return None
        return None

    def _receiver_type_text(self, obj) -> str | None:
        if obj is None:
            return None
        if obj.type == "object_creation_expression":
            return "".join(_TYPE_ARGUMENTS.sub("", self.text(obj.child_by_field_name("type"))).split())
        if obj.type == "identifier":
            if self.visible(self.text(obj), obj):
                return self.declared_type_text(obj)
            return self.text(obj) if self.text(obj)[:1].isupper() else None  # a class: a static call
        if obj.type in ("field_access", "scoped_identifier"):
            return "".join(self.text(obj).split())  # org.acme.Util.helper(...)
        return None

    def _foreign(self, call, name, obj, args, category, depth, visiting) -> Flow | None:
        """A call to a method of another class of the project (`redline scan` of its folder or a
        file inside a source tree): the summary of that method in its own file, or of every
        implementation of an interface method in the interface's package, with the parameters
        bound to this call's arguments."""
        if _cross_depth() >= MAX_CROSS_FILE or name in PASSTHROUGH or name in SAFE_METHODS:
            return None
        found = self.class_file(self._receiver_type_text(obj) or "")
        if found is None:
            return None
        path, simple = found
        note_external_read(self.file.path, str(path))
        targets = []
        for other, cls in _implementations(path, simple):
            note_external_read(self.file.path, other.file.path)
            for m in other.methods().get(name, ()):
                params = other.parameter_names(m)
                if m.child_by_field_name("body") is not None and len(params) == len(args) and other.in_class(m, cls):
                    targets.append((other, m))
        if not targets:
            return None
        arg_flows = [self.sub(a, category, depth, visiting) for a in args]
        ours = {node_key(f.origin) for f in arg_flows if f.origin is not None}
        flows = []
        _enter_cross()
        try:
            for other, m in targets:
                flows.append(other.evaluate_call(m, arg_flows, category))
        finally:
            _leave_cross()
        result = combine(flows)
        if result.origin is not None and node_key(result.origin) not in ours:
            # the source is in the other file: point at this call instead
            if result.kind == Kind.TAINTED:
                callee = " ".join(self.text(call).split())
                callee = callee if len(callee) <= 48 else f"{name}()"
                return Flow(Kind.TAINTED, result.how, call, f"{callee}, which returns {result.label}", result.texts, result.names)
            return with_kind(result, Kind.UNKNOWN)
        return result

    def in_class(self, method, simple: str) -> bool:
        n = method.parent
        while n is not None and n.type not in ("class_declaration", "interface_declaration", "enum_declaration",
                                               "record_declaration"):
            n = n.parent
        return n is not None and self.text(n.child_by_field_name("name")) == simple

    def evaluate_call(self, method, arg_flows: list, category: str) -> Flow:
        """The flow of `method`'s return values with its parameters bound to `arg_flows` (for a
        call from another file)."""
        with self._lock:
            env = {}
            for i, (pname, spread) in enumerate(self.parameter_names(method)):
                if pname is not None:
                    env[node_key(pname)] = combine(arg_flows[i:]) if spread else (arg_flows[i] if i < len(arg_flows) else CONST)
            self._env.append(env)
            try:
                visiting = frozenset({("method", node_key(method))})
                flows = [self.sub(r, category, 0, visiting) for r in self.returns(method)]
            finally:
                self._env.pop()
        return combine(flows) if flows else CONST

    # ------------------------------------------------------------------ containers

    def container_element(self, obj, key_node, at):
        """The value node stored in local list/map `obj` under constant index/key `key_node` when
        `at` reads it, _ABSENT when nothing is stored there, None when that cannot be known (the
        container escapes, or changes under a condition that `at` is not under)."""
        key = self.constant(key_node)
        if key is None:
            return None
        name = self.text(obj)
        decls = [b for b in self.visible(name, obj) if b.kind != "append"]
        if len(decls) != 1 or decls[0].value is None or decls[0].value.type != "object_creation_expression":
            return None
        creation = decls[0].value
        if self.callee_name(creation) not in CONTAINERS or [x for x in creation.child_by_field_name("arguments").named_children
                                                            if x.type != "comment"]:
            return None
        fn = self.outer_function(obj) or self.unit_of(obj)
        items: list = []
        table: dict = {}
        for use in self.uses(name, fn):
            if use.start_byte >= at.start_byte or use.start_byte <= creation.start_byte:
                continue
            if self.dead(use):
                continue
            call = use.parent
            if call is None or call.type != "method_invocation" or node_key(call.child_by_field_name("object") or use) != node_key(use):
                return None  # passed somewhere, reassigned, aliased: it escapes
            op = self.text(call.child_by_field_name("name"))
            args = [x for x in call.child_by_field_name("arguments").named_children if x.type != "comment"]
            if op in CONTAINER_READS and op not in REMOVERS:
                continue
            if not self._runs_before(call, at):
                return None
            if op in APPENDERS and op in ("add", "addLast", "offer", "offerLast", "push", "addElement") and len(args) == 1:
                (items.insert(0, args[0]) if op == "push" else items.append(args[0]))
            elif op == "add" and len(args) == 2:
                i = self.constant(args[0])
                if not isinstance(i, int) or not 0 <= i <= len(items):
                    return None
                items.insert(i, args[1])
            elif op in PUTTERS and len(args) == 2:
                k = self.constant(args[0])
                if k is None:
                    return None
                if op != "putIfAbsent" or k not in table:
                    table[k] = args[1]
            elif op in REMOVERS and len(args) == 1:
                k = self.constant(args[0])
                if k is None:
                    return None
                if isinstance(k, int) and not isinstance(k, bool) and items:
                    if not 0 <= k < len(items):
                        return None
                    items.pop(k)
                else:
                    table.pop(k, None)
            elif op == "clear" and not args:
                items, table = [], {}
            else:
                return None
        if items and table:
            return None
        if isinstance(key, int) and not isinstance(key, bool) and not table:
            return items[key] if 0 <= key < len(items) else _ABSENT
        return table.get(key, _ABSENT) if not items else None

    def _runs_before(self, op, at) -> bool:
        """`op` runs every time before `at`: its statement sits in a block that also holds `at`."""
        stmt = op
        while stmt.parent is not None and stmt.parent.type not in ("block", "switch_block_statement_group", "constructor_body"):
            if stmt.parent.type in ("lambda_expression", "class_body"):
                return False
            stmt = stmt.parent
        block = stmt.parent
        if block is None or stmt.type != "expression_statement":
            return False
        return block.start_byte <= at.start_byte < block.end_byte

    def _through(self, name: str, receiver: Flow | None, args: list[Flow], encoder: bool = False) -> Flow:
        f = combine(([receiver] if receiver is not None else []) + args)
        if f.kind >= Kind.PARAM and name not in PASSTHROUGH and not encoder and not (receiver is not None and receiver.kind == f.kind):
            return with_kind(f, Kind.UNKNOWN)
        return f if f.kind >= Kind.UNKNOWN else with_kind(f, Kind.UNKNOWN)


MAX_CROSS_FILE = 2  # calls followed into other files, nested
MAX_PROJECT_FILE = 512 * 1024
_cross = threading.local()
_project_lock = threading.Lock()
_project: "OrderedDict[str, tuple[tuple, JavaAnalyzer]]" = OrderedDict()
_IMPLEMENTS = linear(r"\bimplements\b[^{]*")


def _words(text: str) -> set[str]:
    return set("".join(c if c.isalnum() or c == "_" else " " for c in text).split())


def _cross_depth() -> int:
    return getattr(_cross, "depth", 0)


def _enter_cross() -> None:
    _cross.depth = _cross_depth() + 1


def _leave_cross() -> None:
    _cross.depth = max(0, _cross_depth() - 1)


def project_analyzer(path: Path) -> JavaAnalyzer | None:
    """The analyzer of another Java file of the project, parsed once while it is unchanged."""
    from redline.pipeline import make_source

    try:
        st = path.stat()
        if st.st_size > MAX_PROJECT_FILE or path.is_symlink():
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        key = str(path)
        with _project_lock:
            hit = _project.get(key)
            if hit is not None and hit[0] == stamp:
                _project.move_to_end(key)
                return hit[1]
        file = make_source(key, path.read_bytes(), "java")
    except (OSError, ValueError):
        return None
    if file is None or file.tree is None:
        return None
    analyzer = JavaAnalyzer(file)
    with _project_lock:
        _project[key] = (stamp, analyzer)
        while len(_project) > 64:
            _project.popitem(last=False)
    return analyzer


def _implementations(path: Path, simple: str) -> list[tuple[JavaAnalyzer, str]]:
    """The class in `path`, or, for an interface, the classes of its package that implement it."""
    first = project_analyzer(path)
    if first is None:
        return []
    decl = next((n for n in walk(first.root) if n.type in ("class_declaration", "interface_declaration")
                 and first.text(n.child_by_field_name("name")) == simple), None)
    if decl is None:
        return []
    if decl.type == "class_declaration":
        return [(first, simple)]
    out = []
    try:
        siblings = sorted(path.parent.glob("*.java"))[:200]
    except OSError:
        return []
    for sibling in siblings:
        try:
            if sibling == path or sibling.stat().st_size > MAX_PROJECT_FILE:
                continue
            head = sibling.read_text("utf-8", "replace")
        except OSError:
            continue
        if not any(simple in _words(m.group(0)) for m in _IMPLEMENTS.finditer(head)):
            continue
        other = project_analyzer(sibling)
        if other is None:
            continue
        for n in walk(other.root):
            if n.type == "class_declaration":
                interfaces = n.child_by_field_name("interfaces")
                if interfaces is not None and simple in _words(other.text(interfaces)):
                    out.append((other, other.text(n.child_by_field_name("name"))))
    return out


def java_analyzer(file) -> JavaAnalyzer:
    return analyzer_for(file, JavaAnalyzer)
