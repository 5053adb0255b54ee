"""Local taint for Go (see taint_core for the model).

Sources: `*http.Request` parameters (`r.URL.Query()`, `r.FormValue`, `r.PostFormValue`, `r.Form`,
`r.Header`, `r.Body`, `r.Cookie`, ...), `mux.Vars(r)`, `chi.URLParam(r, ...)`, gin/echo/fiber
context getters, values decoded from those into a variable (`json.NewDecoder(r.Body).Decode(&v)`),
and `os.Args` / `flag.Args()`. Sanitizers: `strconv` parsing, numeric conversions, escaping
functions per sink category, `filepath.Base`. Propagation: `:=`, `=`, `+=`, `+`, `fmt.Sprintf`,
`strings.*`, `strings.Builder` writes, `append`, composite literals, and methods of tainted values.
Which request fields, framework methods, package functions, decoders, sanitizers and pass-through
calls these are is data: rules/models/go.toml (docs/models.md), read on first use (`go_model()`).
"""

from __future__ import annotations

import re

from redline.rules.models import Model
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
    with_kind,
)

FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})


class GoModel:
    """The tables the analysis reads from rules/models/go.toml (docs/models.md), built on first
    use so that importing the Go rules costs no TOML parsing until a Go file is analyzed."""

    def __init__(self, model: Model | None = None) -> None:
        model = model if model is not None else load_model("go")
        self.model = model
        typed = [s for s in model.sources_of("member") if s.receiver_types]
        # the incoming request: its declared types, the names taken as it in a fragment, its fields
        self.request_types = frozenset(t for s in typed for t in s.receiver_types)
        self.request_names = frozenset(n for s in typed for n in s.receiver_names)
        self.request_fields = frozenset(n for s in typed for n in s.names)
        # package-level values: {"os": {"Args"}}
        self.package_members: dict[str, frozenset[str]] = {}
        for s in model.sources_of("member"):
            if not s.receiver_types:
                for pkg in s.receiver_names:
                    self.package_members[pkg] = self.package_members.get(pkg, frozenset()) | s.names
        # framework contexts and typed parameters: {"gin.Context": {"Query", ...}}, in file order
        self.context_methods: dict[str, frozenset[str]] = {}
        self.package_calls: set[str] = set()
        for s in model.sources_of("call"):
            for typ in s.receiver_types:
                self.context_methods[typ] = self.context_methods.get(typ, frozenset()) | s.methods
            if not s.receiver_types:
                self.package_calls |= {f"{pkg}.{m}" for pkg in s.receiver_names for m in s.methods}
        self.request_helpers = tuple(s.pattern for s in model.sources_of("helper") if s.pattern is not None)
        self.decoders = model.propagates("decode")
        self.builder_writes = model.propagates("append")
        self.numeric = model.propagates("safe")
        self.passthrough = model.propagates("passthrough")


_tables: GoModel | None = None


def go_model() -> GoModel:
    global _tables
    if _tables is None:
        _tables = GoModel()
    return _tables


def selector_path(a: "GoAnalyzer", node) -> list[str] | None:
    """`r.URL.Query` -> ["r", "URL", "Query"]; calls and indexing in between are skipped."""
    parts: list[str] = []
    n = node
    while n is not None:
        if n.type == "selector_expression":
            parts.append(a.text(n.child_by_field_name("field")))
            n = n.child_by_field_name("operand")
        elif n.type == "call_expression":
            n = n.child_by_field_name("function")
        elif n.type in ("index_expression", "slice_expression", "parenthesized_expression", "unary_expression",
                        "type_assertion_expression"):
            n = n.child_by_field_name("operand") or (n.named_children[0] if n.named_children else None)
        elif n.type == "identifier":
            parts.append(a.text(n))
            return list(reversed(parts))
        else:
            return None
    return None


def go_string_value(a: "GoAnalyzer", node) -> str:
    t = a.text(node)
    return t[1:-1] if len(t) >= 2 else ""


class GoAnalyzer(Analyzer):
    function_types = FUNCTIONS
    module_binding_types = frozenset({"var_declaration", "const_declaration", "import_declaration"})
    identifier_types = frozenset({"identifier"})
    call_types = frozenset({"call_expression"})
    append_how = "a strings.Builder"
    binding_types = ("short_var_declaration", "assignment_statement", "var_spec", "const_spec", "function_declaration",
                     "method_declaration", "func_literal", "range_clause", "call_expression", "import_spec")

    # ------------------------------------------------------------------ bindings

    def bindings_at(self, node, scope):
        t = node.type
        if t == "short_var_declaration":
            yield from self._assign(node, scope, "value")
        elif t == "assignment_statement":
            op = node.child_by_field_name("operator")
            kind = "augment" if op is not None and self.text(op) == "+=" else "value"
            if op is not None and self.text(op) not in ("=", "+=", ":="):
                return
            yield from self._assign(node, scope, kind)
        elif t in ("var_spec", "const_spec"):
            names = [c for c in node.children_by_field_name("name")]
            value = node.child_by_field_name("value")
            values = [v for v in value.named_children if v.type != "comment"] if value is not None else []
            for i, ident in enumerate(names):
                if values:
                    v = values[i] if len(values) == len(names) else values[0]
                    yield Binding(self.text(ident), node.start_byte, v, "value", scope, ident)
                else:
                    yield Binding(self.text(ident), node.start_byte, None, "zero", scope, ident)
        elif t in FUNCTIONS:
            for plist in (node.child_by_field_name("receiver"), node.child_by_field_name("parameters")):
                if plist is None:
                    continue
                for p in plist.named_children:
                    if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                        continue
                    for ident in p.children_by_field_name("name"):
                        yield Binding(self.text(ident), node.start_byte, None, "param", node, ident)
        elif t == "range_clause":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None:
                for ident in left.named_children:
                    if ident.type == "identifier" and self.text(ident) != "_":
                        yield Binding(self.text(ident), node.start_byte, right, "iter", scope, ident)
        elif t == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if fn is None or args is None:
                return
            name = self.text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else self.text(fn)
            if name in go_model().decoders:
                for arg in args.named_children:
                    if arg.type == "unary_expression" and self.text(arg).startswith("&"):
                        target = arg.child_by_field_name("operand")
                        if target is not None and target.type == "identifier":
                            yield Binding(self.text(target), node.start_byte, node, "value", scope, target)
            elif fn.type == "selector_expression" and name in go_model().builder_writes:
                obj = fn.child_by_field_name("operand")
                if obj is not None and obj.type == "identifier":
                    for arg in args.named_children:
                        yield Binding(self.text(obj), node.start_byte, arg, "append", scope, obj)
            elif self.text(fn) in ("fmt.Fprintf", "fmt.Fprint", "fmt.Fprintln"):
                first = args.named_children[0] if args.named_children else None
                if first is not None and first.type == "unary_expression":
                    target = first.child_by_field_name("operand")
                    if target is not None and target.type == "identifier":
                        yield Binding(self.text(target), node.start_byte, node, "append", scope, target)
        elif t == "import_spec":
            path = node.child_by_field_name("path")
            name = node.child_by_field_name("name")
            if path is not None:
                pkg = self.text(name) if name is not None else go_string_value(self, path).rsplit("/", 1)[-1]
                yield Binding(pkg, node.start_byte, node, "value", None, name or path)

    def _assign(self, node, scope, kind):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        lefts = [c for c in left.named_children if c.type != "comment"]
        rights = [c for c in right.named_children if c.type != "comment"]
        for i, target in enumerate(lefts):
            value = rights[i] if len(rights) == len(lefts) else (rights[0] if rights else None)
            if target.type == "identifier":
                if self.text(target) == "_":
                    continue
                yield Binding(self.text(target), node.start_byte, value, kind, scope, target)
            elif target.type == "selector_expression":
                path = selector_path(self, target)
                if path:
                    yield Binding(".".join(path), node.start_byte, value, kind, scope, target)
            elif target.type == "index_expression":
                obj = target.child_by_field_name("operand")
                if obj is not None and obj.type == "identifier":
                    yield Binding(self.text(obj), node.start_byte, value, "append", scope, obj)

    # ------------------------------------------------------------------ imports

    def import_path(self, pkg: str) -> str | None:
        """The import path bound to package name `pkg` at module level, if any."""
        for b in self.module_bindings().get(pkg, ()):
            if b.value is not None and b.value.type == "import_spec":
                return go_string_value(self, b.value.child_by_field_name("path"))
        return None

    def has_imports(self) -> bool:
        return any(c.type == "import_declaration" for c in self.root.children)

    def imports(self) -> set[str]:
        out = set()
        for c in self.root.children:
            if c.type == "import_declaration":
                for n in c.named_children:
                    specs = n.named_children if n.type == "import_spec_list" else [n]
                    for spec in specs:
                        if spec.type == "import_spec":
                            out.add(go_string_value(self, spec.child_by_field_name("path")))
        return out

    def package_is(self, ident, *paths: str) -> bool:
        """`ident` (a package name) refers to one of `paths`; without imports (a fragment) its
        conventional name is accepted."""
        name = self.text(ident)
        found = self.import_path(name)
        if found is not None:
            return found in paths
        if self.visible(name, ident):
            return False  # a local variable, not a package
        return not self.has_imports() and any(p.rsplit("/", 1)[-1] == name for p in paths)

    # ------------------------------------------------------------------ sources

    def param_type(self, ident) -> str | None:
        """The declared type text of the parameter an identifier refers to."""
        for b in self.visible(self.text(ident), ident):
            if b.kind == "param":
                decl = b.node.parent
                if decl is not None:
                    typ = decl.child_by_field_name("type")
                    return self.text(typ) if typ is not None else None
        return None

    def is_request(self, ident) -> bool:
        m = go_model()
        typ = self.param_type(ident)
        if typ is not None:
            return typ.replace(" ", "") in m.request_types
        return self.text(ident) in m.request_names and not self.visible(self.text(ident), ident)

    def request_context(self, ident) -> bool:
        """A handler's context parameter of any framework (`ctx *admin.Context`, `c *Context`,
        beego's `ctx *context.Context`): its `Request` field is the incoming *http.Request. Not
        an *http.Response, whose Request is the client's own outgoing request."""
        typ = (self.param_type(ident) or "").replace(" ", "")
        return bool(re.fullmatch(r"\*?(\w+\.)?\w*Context", typ))

    def context_kind(self, ident) -> str | None:
        typ = self.param_type(ident)
        if typ is None:
            return None
        for kind in go_model().context_methods:
            if kind in typ:
                return kind
        return None

    def source(self, node) -> str | None:
        t = node.type
        if t == "selector_expression":
            path = selector_path(self, node)
            if not path or len(path) < 2:
                return None
            m = go_model()
            if path[1] in m.package_members.get(path[0], ()):
                return f"{path[0]}.{path[1]}"
            if path[-1] == "Name" and len(path) in (2, 3) and self.is_archive_entry(node):
                return f"the archive entry name {'.'.join(path)}"
            root = self._root(node)
            if root is None:
                return None
            if path[1] in m.request_fields and self.is_request(root):
                return f"{path[0]}.{path[1]}"
            if len(path) >= 3 and path[1] == "Request" and path[2] in m.request_fields and (
                    self.context_kind(root) or self.request_context(root)):
                return f"{path[0]}.Request.{path[2]}"
            return None
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            text = self.text(fn)
            m = go_model()
            if text in m.package_calls:
                return f"{text}()"
            helper = self.text(fn.child_by_field_name("field")) if fn is not None and fn.type == "selector_expression" else text
            args = node.child_by_field_name("arguments")
            if any(p.search(helper or "") for p in m.request_helpers) and args is not None and any(
                    a.type == "identifier" and self.is_request(a) for a in args.named_children):
                label = " ".join(self.text(node).split())
                return label if len(label) <= 48 else f"{helper}(r)"
            if fn is not None and fn.type == "selector_expression":
                label = self.source(fn)
                if label:
                    text = " ".join(self.text(node).split())
                    return text if len(text) <= 48 else label + "()"
                obj = fn.child_by_field_name("operand")
                field = self.text(fn.child_by_field_name("field"))
                if obj is not None and obj.type == "identifier":
                    kind = self.context_kind(obj)
                    if kind and field in m.context_methods[kind]:
                        return f"{self.text(obj)}.{field}()"
        return None

    def is_archive_entry(self, selector) -> bool:
        """`hdr.Name` after `hdr, err := tr.Next()` (archive/tar) or `f.Name` / `f.FileHeader.Name`
        for `f` ranging over `zr.File` (archive/zip): names chosen by whoever made the archive."""
        root = self._root(selector)
        if root is None:
            return False
        imports = self.imports()
        for b in self.visible(self.text(root), root):
            v = b.value
            if v is None:
                continue
            text = self.text(v)
            if b.kind == "value" and v.type == "call_expression" and text.endswith(".Next()") and (
                    not imports or "archive/tar" in imports):
                return True
            if b.kind == "iter" and text.endswith(".File") and (not imports or "archive/zip" in imports):
                return True
        return False

    def _root(self, node):
        n = node
        while n is not None and n.type != "identifier":
            if n.type == "selector_expression":
                n = n.child_by_field_name("operand")
            elif n.type == "call_expression":
                n = n.child_by_field_name("function")
            elif n.type in ("index_expression", "parenthesized_expression", "unary_expression"):
                n = n.child_by_field_name("operand") or (n.named_children[0] if n.named_children else None)
            else:
                return None
        return n

    def known_identifier(self, node, name):
        if name in ("nil", "true", "false", "iota"):
            return CONST
        return None

    # ------------------------------------------------------------------ expressions

    def callee_name(self, call) -> str | None:
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "selector_expression":
            return self.text(fn.child_by_field_name("field"))
        return self.text(fn)

    def is_sanitizer(self, call, category: str) -> bool:
        fn = call.child_by_field_name("function")
        full = self.text(fn)
        name = (self.callee_name(call) or "")
        m = go_model()
        if name in m.numeric or m.model.sanitizes(category, name, full):
            return True
        if category == "path" and full in ("filepath.Clean", "path.Clean"):
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is not None and first.type == "binary_expression":
                left = first.child_by_field_name("left")
                if left is not None and left.type in ("interpreted_string_literal", "raw_string_literal") and go_string_value(self, left).startswith("/"):
                    return True  # Clean("/" + p) cannot climb above the root
        return False

    def is_plus(self, node) -> bool:
        return node.type == "binary_expression" and self.text(node.child_by_field_name("operator")) == "+"

    def expression(self, node, category, depth, visiting) -> Flow:
        t = node.type
        sub = lambda n: self.sub(n, category, depth, visiting)  # noqa: E731
        if t in ("interpreted_string_literal", "raw_string_literal"):
            return const(go_string_value(self, node))
        if t in ("int_literal", "float_literal", "imaginary_literal", "rune_literal", "true", "false", "nil", "iota"):
            return CONST
        if t == "func_literal":
            return CONST
        if t == "binary_expression":
            op = self.text(node.child_by_field_name("operator"))
            if op == "+":
                return combine((sub(x) for x in plus_operands(node, self.is_plus)), "string concatenation")
            return SAFE
        if t in ("parenthesized_expression", "type_assertion_expression", "slice_expression", "index_expression"):
            inner = node.child_by_field_name("operand") or (node.named_children[0] if node.named_children else None)
            return sub(inner) if inner is not None else UNKNOWN
        if t == "unary_expression":
            op = self.text(node.child_by_field_name("operator"))
            inner = node.child_by_field_name("operand")
            return sub(inner) if op in ("&", "*", "<-") and inner is not None else SAFE
        if t == "type_conversion_expression":
            typ = self.text(node.child_by_field_name("type"))
            if typ in go_model().numeric:
                return SAFE
            return sub(node.child_by_field_name("operand"))
        if t == "selector_expression":
            return self._selector(node, category, depth, visiting)
        if t == "call_expression":
            return self._call(node, category, depth, visiting)
        if t == "composite_literal":
            body = node.child_by_field_name("body")
            return combine(sub(v) for v in self._literal_values(body)) if body is not None else CONST
        if t == "literal_element":
            return sub(node.named_children[0]) if node.named_children else CONST
        if t == "import_spec":
            return UNKNOWN
        return UNKNOWN

    def _literal_values(self, body):
        out = []
        for c in body.named_children:
            if c.type == "keyed_element":
                value = c.child_by_field_name("value") or (c.named_children[-1] if c.named_children else None)
                if value is not None:
                    out.append(value)
            elif c.type in ("literal_element", "literal_value"):
                out.append(c)
        return out

    def _selector(self, node, category, depth, visiting) -> Flow:
        path = selector_path(self, node)
        if path and all(p for p in path):
            dotted = ".".join(path)
            if dotted not in visiting:
                bindings = self.visible(dotted, node)
                if bindings:
                    return combine(self.sub(b.value, category, depth, visiting | {dotted})
                                   for b in bindings if b.value is not None)
        operand = node.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and self.import_path(self.text(operand)) is not None:
            return UNKNOWN  # a package-level name of another package
        return self.sub(operand, category, depth, visiting) if operand is not None else UNKNOWN

    def _call(self, node, category, depth, visiting) -> Flow:
        sub = lambda n: self.sub(n, category, depth, visiting)  # noqa: E731
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        args = [c for c in (args_node.named_children if args_node is not None else ()) if c.type != "comment"]
        if fn is None:
            return UNKNOWN
        if self.is_sanitizer(node, category):
            return SAFE
        full = self.text(fn)
        name = self.callee_name(node) or ""
        if full in ("fmt.Sprintf", "fmt.Sprint", "fmt.Sprintln", "fmt.Errorf"):
            return combine((sub(a) for a in args), full)
        if full in ("fmt.Fprintf", "fmt.Fprint", "fmt.Fprintln"):
            return combine((sub(a) for a in args[1:]), full.replace("Fp", "Sp"))
        if full in ("strings.Join",):
            return combine((sub(a) for a in args), "strings.Join")
        if full in ("string", "append", "copy") or fn.type in ("slice_type", "array_type"):
            return combine(sub(a) for a in args)
        if fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier" and self.import_path(self.text(operand)) is not None:
                receiver = None  # a package function, not a method
            elif operand is not None and operand.type == "identifier" and not self.visible(self.text(operand), operand) \
                    and self.text(operand) in ("strings", "bytes", "filepath", "path", "url", "strconv", "fmt",
                                               "html", "base64", "hex", "json", "io", "ioutil", "os"):
                receiver = None
            else:
                receiver = sub(operand) if operand is not None else None
            return self._through(name, receiver, [sub(a) for a in args])
        return self._through(name, None, [sub(a) for a in args])

    def _through(self, name: str, receiver: Flow | None, args: list[Flow]) -> Flow:
        f = combine(([receiver] if receiver is not None else []) + args)
        if f.kind >= Kind.PARAM and name not in go_model().passthrough and not (receiver is not None and receiver.kind == f.kind):
            return with_kind(f, Kind.UNKNOWN)
        return f if f.kind >= Kind.UNKNOWN else with_kind(f, Kind.UNKNOWN)


def go_analyzer(file) -> GoAnalyzer:
    return analyzer_for(file, GoAnalyzer)
