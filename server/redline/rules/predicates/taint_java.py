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
from redline.secrets.regex import linear

from redline.rules.models import load as load_model

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
_TYPE_ARGUMENTS = linear(r"<.*>")  # `List<String>` -> `List`


def java_string_value(a, node) -> str:
    """The raw text of a Java string literal (escapes left as written), text blocks included."""
    t = a.text(node)
    if t.startswith('"""'):
        return t[3:-3]
    return t[1:-1] if len(t) >= 2 else ""


class JavaAnalyzer(Analyzer):
    function_types = FUNCTIONS
    module_binding_types = frozenset()
    identifier_types = frozenset({"identifier"})
    call_types = frozenset({"method_invocation", "object_creation_expression"})
    append_how = "a StringBuilder"
    binding_types = ("local_variable_declaration", "field_declaration", "resource", "assignment_expression",
                     "method_declaration", "constructor_declaration", "lambda_expression",
                     "compact_constructor_declaration", "enhanced_for_statement", "catch_formal_parameter",
                     "method_invocation")

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
            if name in APPENDERS:
                root = node.child_by_field_name("object")
                while root is not None and root.type == "method_invocation" and self.text(root.child_by_field_name("name")) in APPENDERS:
                    root = root.child_by_field_name("object")
                if root is not None and root.type == "identifier":
                    args = node.child_by_field_name("arguments")
                    for a in (args.named_children if args is not None else ()):
                        yield Binding(self.text(root), node.start_byte, a, "append", scope, root)

    def _params(self, fn):
        params = fn.child_by_field_name("parameters")
        if params is None:
            return
        if params.type == "identifier":  # x -> ...
            yield Binding(self.text(params), fn.start_byte, None, "param", fn, params)
            return
        method_name = self.text(fn.child_by_field_name("name")) if fn.type == "method_declaration" else ""
        for p in params.named_children:
            if p.type == "identifier":  # (a, b) -> ...
                yield Binding(self.text(p), fn.start_byte, None, "param", fn, p)
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
            yield Binding(self.text(name), fn.start_byte, None, "param", fn, name, label)

    # ------------------------------------------------------------------ types

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
            return self.text(call.child_by_field_name("type")).split(".")[-1]
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
        if name in ("toString", "build") and obj is not None:
            return sub(obj)
        if obj is not None and obj.type == "identifier" and obj_text[:1].isupper() and not self.visible(obj_text, obj):
            receiver = None  # a static method of a class
        else:
            receiver = sub(obj) if obj is not None else None
        return self._through(name, receiver, [sub(a) for a in args])

    def _through(self, name: str, receiver: Flow | None, args: list[Flow]) -> Flow:
        f = combine(([receiver] if receiver is not None else []) + args)
        if f.kind >= Kind.PARAM and name not in PASSTHROUGH and not (receiver is not None and receiver.kind == f.kind):
            return with_kind(f, Kind.UNKNOWN)
        return f if f.kind >= Kind.UNKNOWN else with_kind(f, Kind.UNKNOWN)


def java_analyzer(file) -> JavaAnalyzer:
    return analyzer_for(file, JavaAnalyzer)
