"""Local taint for JavaScript, TypeScript and TSX (see taint_core for the model).

Sources: Express/Fastify/Next `req.query|params|body|headers|cookies|...`, `req.get()`,
Koa `ctx.query|params|request.body`, browser `location.*`, `document.URL|referrer`,
`window.name`, and `process.argv` (the framework properties are `member` and `annotation`
sources of the model). Sanitizers (per-category escaping functions by name) and
the calls that return numbers, pass the receiver's text on or carry their arguments' data are
read from rules/models/javascript.toml (docs/models.md). Propagation: declarations (with destructuring), assignments,
`+=`, `push`, template literals, `+`, `concat`, `join`, `replace`, `util.format`, and any
other call whose receiver or arguments are tainted.
"""

from __future__ import annotations

import re

from redline.rules.predicates.taint_core import (
    CONST,
    SAFE,
    UNKNOWN,
    Analyzer,
    Binding,
    Flow,
    Kind,
    combine,
    const,
    plus_operands,
    with_kind,
)
from redline.rules.models import load as load_model
from redline.secrets.regex import linear

FUNCTIONS = frozenset({
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
})
RESPONSE_NAMES = frozenset({"res", "response", "resp", "reply"})
CONSTANT_GLOBALS = frozenset({"undefined", "NaN", "Infinity", "__dirname", "__filename"})
NAMESPACES = frozenset({"path", "url", "querystring", "util", "fs", "Buffer", "JSON", "Object", "Array", "String",
                        "Math", "Number", "os", "crypto", "qs", "_", "lodash", "validator", "he", "shellescape"})
# Library knowledge (sanitizers per category, number-returning calls, pass-through methods and
# argument transformers) is data: rules/models/javascript.toml (docs/models.md).
MODEL = load_model("javascript")


def _member_source(label: str):
    return next(src for src in MODEL.sources_of("member") if src.label == label)


REQUEST_PROPS = _member_source("request data").names
REQUEST_METHODS = _member_source("request data").methods
KOA_PROPS = _member_source("Koa context").names
BROWSER_LOCATION_PROPS = _member_source("page URL").names
DOCUMENT_PROPS = _member_source("document").names
ARCHIVE_ENTRY_PROPS = _member_source("archive entry").names
REQUEST_NAMES = _member_source("request data").receiver_names
NEST_DECORATORS = frozenset().union(*(src.names for src in MODEL.sources_of("annotation")))
NUMERIC_CALLS = MODEL.propagates("safe")
PASSTHROUGH_METHODS = MODEL.propagates("passthrough")
TRANSFORMERS = MODEL.propagates("transform")
# Text already in the page (form fields, element text) read back for an HTML sink: markup the
# page escaped once becomes markup again (CodeQL js/xss-through-dom).
DOM_TEXT = "text read from the page"
DOM_TEXT_METHODS = frozenset({"val", "text"})
DOM_TEXT_PROPS = frozenset({"value", "textContent", "innerText"})
DOM_LOOKUPS = frozenset({"getElementById", "querySelector"})
SANITIZED_NAME = linear(r"^(sanitized|escaped|encoded)([A-Z_]|$)")


def member_path(analyzer: "JsAnalyzer", node) -> list[str] | None:
    """`a.b.c` -> ["a", "b", "c"]; `a["b"]` -> ["a", "b"]; None for other shapes."""
    parts: list[str] = []
    n = node
    while True:
        if n.type == "member_expression":
            prop = n.child_by_field_name("property")
            parts.append(analyzer.text(prop))
            n = n.child_by_field_name("object")
        elif n.type == "subscript_expression":
            idx = n.child_by_field_name("index")
            if idx is not None and idx.type == "string":
                parts.append(string_value(analyzer, idx))
            else:
                parts.append("[]")
            n = n.child_by_field_name("object")
        elif n.type in ("parenthesized_expression", "non_null_expression", "as_expression", "await_expression"):
            inner = n.named_children[0] if n.named_children else None
            if inner is None:
                return None
            n = inner
        elif n.type in ("identifier", "this"):
            parts.append(analyzer.text(n))
            return list(reversed(parts))
        else:
            return None
        if n is None:
            return None


def string_value(analyzer, node) -> str:
    """The raw text of a string literal without its quotes (escapes left as written)."""
    t = analyzer.text(node)
    return t[1:-1] if len(t) >= 2 else ""


class JsAnalyzer(Analyzer):
    function_types = FUNCTIONS
    module_binding_types = frozenset({"lexical_declaration", "variable_declaration", "import_statement"})
    identifier_types = frozenset({"identifier", "shorthand_property_identifier"})
    call_types = frozenset({"call_expression"})
    append_how = "array building"
    binding_types = ("variable_declarator", "assignment_expression", "augmented_assignment_expression",
                     "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
                     "generator_function_declaration", "generator_function", "for_in_statement", "catch_clause",
                     "call_expression", "import_statement")

    # ------------------------------------------------------------------ bindings

    def _pattern_names(self, node) -> list:
        """Identifier nodes bound by a (possibly destructuring) pattern."""
        if node is None:
            return []
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            return [node]
        out = []
        for child in node.named_children:
            if child.type == "pair_pattern":
                out.extend(self._pattern_names(child.child_by_field_name("value")))
            elif child.type == "assignment_pattern" or child.type == "object_assignment_pattern":
                out.extend(self._pattern_names(child.child_by_field_name("left")))
            elif child.type in ("property_identifier",):
                continue
            else:
                out.extend(self._pattern_names(child))
        return out

    def bindings_at(self, node, scope):
        t = node.type
        if t == "variable_declarator":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            for ident in self._pattern_names(name):
                yield Binding(self.text(ident), node.start_byte, value, "value", scope, ident)
        elif t == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None:
                return
            if left.type == "identifier":
                yield Binding(self.text(left), node.start_byte, right, "value", scope, left)
            elif left.type == "member_expression":
                path = member_path(self, left)
                if path:
                    yield Binding(".".join(path), node.start_byte, right, "value", scope, left)
            elif left.type in ("object_pattern", "array_pattern"):
                for ident in self._pattern_names(left):
                    yield Binding(self.text(ident), node.start_byte, right, "value", scope, ident)
        elif t == "augmented_assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            op = node.child_by_field_name("operator")
            if left is not None and left.type == "identifier" and op is not None and self.text(op) == "+=":
                yield Binding(self.text(left), node.start_byte, right, "augment", scope, left)
        elif t in FUNCTIONS:
            yield from self._params(node)
        elif t == "for_in_statement":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            for ident in self._pattern_names(left):
                yield Binding(self.text(ident), node.start_byte, right, "iter", scope, ident)
        elif t == "catch_clause":
            param = node.child_by_field_name("parameter")
            for ident in self._pattern_names(param):
                yield Binding(self.text(ident), node.start_byte, None, "value", node, ident)
        elif t == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                obj, prop = fn.child_by_field_name("object"), fn.child_by_field_name("property")
                if obj is not None and obj.type == "identifier" and self.text(prop) in ("push", "unshift"):
                    args = node.child_by_field_name("arguments")
                    for a in args.named_children if args is not None else ():
                        yield Binding(self.text(obj), node.start_byte, a, "append", scope, obj)
        elif t == "import_statement":
            for ident in (n for n in node.named_children if n.type == "import_clause"):
                for name in self._import_names(ident):
                    yield Binding(self.text(name), node.start_byte, node, "value", None, name)

    def _import_names(self, clause):
        out = []
        for n in clause.named_children:
            if n.type == "identifier":
                out.append(n)
            elif n.type == "named_imports":
                for spec in n.named_children:
                    alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    if alias is not None:
                        out.append(alias)
            elif n.type == "namespace_import":
                out.extend(c for c in n.named_children if c.type == "identifier")
        return out

    def params_of(self, fn) -> list:
        """The parameter pattern nodes of a function, in order."""
        single = fn.child_by_field_name("parameter")
        if single is not None:
            return [single]
        params = fn.child_by_field_name("parameters")
        if params is None:
            return []
        out = []
        for p in params.named_children:
            if p.type in ("required_parameter", "optional_parameter"):
                p = p.child_by_field_name("pattern") or p
            elif p.type == "assignment_pattern":
                p = p.child_by_field_name("left") or p
            elif p.type == "rest_pattern":
                p = p.named_children[0] if p.named_children else p
            if p.type == "comment":
                continue
            out.append(p)
        return out

    def _params(self, fn):
        for p in self.params_of(fn):
            label = self._decorator_source(p.parent) if p.parent is not None else None
            for ident in self._pattern_names(p):
                yield Binding(self.text(ident), fn.start_byte, None, "param", fn, ident, label)

    def _decorator_source(self, param) -> str | None:
        """NestJS-style parameter decorators (@Param('id'), @Query(), @Body()...) mark request data."""
        if param.type not in ("required_parameter", "optional_parameter"):
            return None
        for child in param.named_children:
            if child.type == "decorator":
                expr = child.named_children[0] if child.named_children else None
                name = self.text(expr.child_by_field_name("function") if expr is not None and expr.type == "call_expression" else expr)
                if name.split(".")[-1] in NEST_DECORATORS:
                    return f"@{name.split('.')[-1]}() {self.text(param.child_by_field_name('pattern'))}"
        return None

    # ------------------------------------------------------------------ sources

    def is_request_name(self, ident) -> bool:
        """`req`, or the first parameter of a handler: its second parameter is the response
        (Express, Fastify, Koa-style), its type is a framework request, or the function is a
        Next.js route handler (GET, POST...). A `request` parameter of any other function is
        usually an HTTP client's request object, not user input."""
        name = self.text(ident)
        if name == "req":
            return True
        for fn in self.functions_of(ident):
            params = self.params_of(fn)
            if not params or self.text(params[0]) != name:
                continue
            if len(params) >= 2 and self.text(params[1]) in RESPONSE_NAMES:
                return True
            holder = params[0].parent
            typ = holder.child_by_field_name("type") if holder is not None else None
            if typ is not None and re.search(r"\b(Request|NextRequest|FastifyRequest|IncomingMessage)\b", self.text(typ)):
                return True
            fname = fn.child_by_field_name("name")
            if fname is not None and self.text(fname) in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
                return True
            return False
        # No enclosing function binds it (a fragment): trust the conventional name.
        return name in REQUEST_NAMES and not self.visible(name, ident)

    def source(self, node) -> str | None:
        t = node.type
        if t in ("member_expression", "subscript_expression"):
            path = member_path(self, node)
            if not path or len(path) < 2:
                return None
            root, first = path[0], path[1]
            if path[-1] == "length":
                return None  # a number
            if root == "process" and first == "argv":
                return "process.argv"
            if first in REQUEST_PROPS and root not in ("this",) and self._is_request_root(node, root):
                if root in ("ctx", "context") and first not in KOA_PROPS:
                    return None
                return f"{root}.{first}"
            if root in ("ctx", "context") and first in KOA_PROPS and self._root_is_param_or_free(node, root):
                return f"{root}.{first}"
            if root == "location" and first in BROWSER_LOCATION_PROPS:
                return f"location.{first}"
            if root in ("window", "document") and len(path) >= 3 and path[1] == "location" and path[2] in BROWSER_LOCATION_PROPS:
                return f"{root}.location.{path[2]}"
            if root == "document" and first in DOCUMENT_PROPS:
                return f"document.{first}"
            if root == "window" and first == "name":
                return "window.name"
            if len(path) == 2 and first in ARCHIVE_ENTRY_PROPS and self._archive_entry(node):
                return f"the archive entry name {root}.{first}"
            return None
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                obj, prop = fn.child_by_field_name("object"), fn.child_by_field_name("property")
                if obj is not None and obj.type == "identifier" and self.text(prop) in REQUEST_METHODS:
                    if self._is_request_root(obj, self.text(obj)):
                        return f"{self.text(obj)}.{self.text(prop)}()"
        return None

    def _archive_entry(self, node) -> bool:
        """`entry` is the first parameter of a `.on('entry', entry => ...)` listener (unzip,
        unzipper, yauzl, tar-stream): its name is chosen by whoever made the archive (zip slip)."""
        ident = node.child_by_field_name("object")
        if ident is None or ident.type != "identifier":
            return False
        for b in self.visible(self.text(ident), ident):
            fn = b.scope if b.kind == "param" else None
            params = self.params_of(fn) if fn is not None else []
            if not params or self.text(params[0]) != self.text(ident):
                continue
            args = fn.parent
            call = args.parent if args is not None and args.type == "arguments" else None
            if call is None or call.type != "call_expression":
                continue
            callee = call.child_by_field_name("function")
            first = args.named_children[0] if args.named_children else None
            if callee is not None and callee.type == "member_expression" \
                    and self.text(callee.child_by_field_name("property")) in ("on", "once") \
                    and first is not None and first.type == "string" and string_value(self, first) == "entry":
                return True
        return False

    def _root_node(self, node):
        n = node
        while n is not None and n.type in ("member_expression", "subscript_expression", "parenthesized_expression",
                                           "non_null_expression", "as_expression", "await_expression"):
            if n.type in ("member_expression", "subscript_expression"):
                n = n.child_by_field_name("object")
            else:
                n = n.named_children[0] if n.named_children else None
        return n

    def _is_request_root(self, node, root: str) -> bool:
        ident = self._root_node(node) if node.type != "identifier" else node
        if ident is None or ident.type != "identifier":
            return False
        if root in ("ctx", "context"):
            return True
        if not self.is_request_name(ident):
            return False
        # `req` must not be a local variable holding something else (e.g. an HTTP client request).
        for b in self.visible(root, ident):
            if b.kind == "value" and b.value is not None:
                return False
        return True

    def _root_is_param_or_free(self, node, root: str) -> bool:
        ident = self._root_node(node)
        if ident is None:
            return False
        return all(b.kind == "param" for b in self.visible(root, ident))

    # ------------------------------------------------------------------ expressions

    def known_identifier(self, node, name):
        if name in CONSTANT_GLOBALS:
            return CONST
        if SANITIZED_NAME.match(name):
            return SAFE  # the author says it went through a sanitizer we may not know
        return None

    def callee_name(self, call) -> str | None:
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "member_expression":
            return self.text(fn.child_by_field_name("property"))
        if fn.type == "identifier":
            return self.text(fn)
        return None

    def callee_text(self, call) -> str:
        return self.text(call.child_by_field_name("function"))

    def is_sanitizer(self, call, category: str) -> bool:
        name = self.callee_name(call) or ""
        full = self.callee_text(call)
        if name in NUMERIC_CALLS or full.startswith("Math.") or full in ("Number.parseInt", "Number.parseFloat", "Date.now",
                                                                          "performance.now"):
            return True
        return MODEL.sanitizes(category, name, full)

    def is_plus(self, node) -> bool:
        return node.type == "binary_expression" and self.text(node.child_by_field_name("operator")) == "+"

    def expression(self, node, category, depth, visiting) -> Flow:
        t = node.type
        sub = lambda n: self.sub(n, category, depth, visiting)  # noqa: E731
        if t == "string":
            return const(string_value(self, node))
        if t == "template_string":
            parts = []
            for c in node.named_children:
                if c.type == "template_substitution":
                    inner = c.named_children[0] if c.named_children else None
                    parts.append(sub(inner) if inner is not None else CONST)
                elif c.type in ("string_fragment", "escape_sequence"):
                    parts.append(const(self.text(c)))
            return combine(parts, "a template literal")
        if t in ("number", "true", "false", "null", "undefined", "regex", "template_literal_type"):
            return CONST
        if t in ("arrow_function", "function_expression", "function", "class", "generator_function"):
            return CONST
        if t in ("parenthesized_expression", "await_expression", "non_null_expression", "as_expression",
                 "satisfies_expression", "type_assertion", "spread_element"):
            inner = [c for c in node.named_children if c.type not in ("type_identifier", "predefined_type",
                                                                      "generic_type", "object_type", "union_type",
                                                                      "array_type", "type_arguments")]
            return sub(inner[0]) if inner else UNKNOWN
        if t == "sequence_expression":
            return sub(node.named_children[-1]) if node.named_children else CONST
        if t == "binary_expression":
            op = self.text(node.child_by_field_name("operator"))
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op == "+":
                return combine((sub(x) for x in plus_operands(node, self.is_plus)), "string concatenation")
            if op in ("||", "??", "&&"):
                return combine([sub(left), sub(right)])
            return SAFE  # arithmetic, comparisons, `in`, `instanceof`: numbers and booleans
        if t == "ternary_expression":
            return combine([sub(node.child_by_field_name("consequence")), sub(node.child_by_field_name("alternative"))])
        if t in ("unary_expression", "update_expression"):
            return SAFE
        if t == "assignment_expression":
            return sub(node.child_by_field_name("right"))
        if t in ("member_expression", "subscript_expression"):
            return self._member(node, category, depth, visiting)
        if t == "call_expression":
            return self._call(node, category, depth, visiting)
        if t == "new_expression":
            args = node.child_by_field_name("arguments")
            flows = [sub(a) for a in (args.named_children if args is not None else ())]
            ctor = self.text(node.child_by_field_name("constructor")).split(".")[-1]
            return self.through_call(ctor, None, flows)
        if t == "array":
            return combine(sub(c) for c in node.named_children)
        if t == "object":
            flows = []
            for c in node.named_children:
                if c.type == "pair":
                    flows.append(sub(c.child_by_field_name("value")))
                elif c.type in ("shorthand_property_identifier", "spread_element"):
                    flows.append(sub(c))
            return combine(flows)
        if t == "this":
            return UNKNOWN
        return UNKNOWN

    def _member(self, node, category, depth, visiting) -> Flow:
        if category == "html" and node.type == "member_expression" \
                and self.text(node.child_by_field_name("property")) in DOM_TEXT_PROPS \
                and self._dom_element(node.child_by_field_name("object")):
            return Flow(Kind.TAINTED, None, node, f"{DOM_TEXT}: {_short(self.text(node))}")
        path = member_path(self, node)
        if path and node.type == "member_expression":
            if path[-1] == "length":
                return SAFE
            if category == "html" and path[-1] in ("innerHTML", "outerHTML"):
                return SAFE  # markup already in the page, not new input
            dotted = ".".join(path)
            if dotted not in visiting:
                bindings = self.visible(dotted, node)
                if bindings:
                    return combine(self.sub(b.value, category, depth, visiting | {dotted})
                                   for b in bindings if b.value is not None)
        obj = node.child_by_field_name("object")
        f = self.sub(obj, category, depth, visiting) if obj is not None else UNKNOWN
        if f.kind < Kind.UNKNOWN and obj is not None and obj.type in ("identifier", "this"):
            # A property of a constant object (e.g. a config table) is still a constant,
            # but a property of an imported module or a global is unknown.
            return f if self.visible(self.text(obj), obj) else UNKNOWN
        return f

    def _call(self, node, category, depth, visiting) -> Flow:
        sub = lambda n: self.sub(n, category, depth, visiting)  # noqa: E731
        fn = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        args = [a for a in (args_node.named_children if args_node is not None else ()) if a.type != "comment"]
        if fn is None:
            return UNKNOWN
        if self.is_sanitizer(node, category):
            return SAFE
        name = self.callee_name(node) or ""
        full = self.callee_text(node)
        if full in ("require",):
            return UNKNOWN
        if full in ("String", "decodeURIComponent", "decodeURI", "unescape", "JSON.parse", "Buffer.from"):
            return combine(sub(a) for a in args[:1]) if args else CONST
        if full in ("util.format", "format", "sprintf", "util.formatWithOptions"):
            return combine((sub(a) for a in args), f"{full}()")
        if category == "html" and fn.type == "member_expression":
            if name == "text" and args:
                return SAFE  # jQuery .text(value) sets text, escaped
            if name == "html" and not args:
                return SAFE  # reading markup already in the page ($('<div>').text(x).html() escapes)
            if name in DOM_TEXT_METHODS and not args and jquery_chain(self, fn.child_by_field_name("object")):
                return Flow(Kind.TAINTED, None, node, f"{DOM_TEXT}: {_short(self.text(node))}")
        if category == "path" and name in ("replace", "replaceAll") and len(args) >= 2:
            pattern, replacement = self.text(args[0]), self.text(args[1])
            if ("\\." in pattern or ".." in pattern) and replacement in ("''", '""', "``"):
                return SAFE  # dots (and with them '..') removed
        if fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            if obj is not None and self.is_namespace(obj):
                return self.through_call(name, None, [sub(a) for a in args])
            receiver = sub(obj) if obj is not None else UNKNOWN
            if name == "concat":
                return combine([receiver] + [sub(a) for a in args], "concat()")
            if name == "join" and len(args) <= 1 and self.text(obj) not in ("path", "path.posix", "path.win32", "posix", "win32"):
                return combine([receiver], "join()")
            if name in ("replace", "replaceAll"):
                return combine([receiver] + [sub(a) for a in args[1:2]])
            if name in PASSTHROUGH_METHODS:
                return combine([receiver])
            return self.through_call(name, receiver, [sub(a) for a in args])
        return self.through_call(name, None, [sub(a) for a in args])

    def _dom_element(self, node) -> bool:
        """`document.getElementById(...)` / `document.querySelector(...)`, directly or through a
        variable with that single value."""
        if node is not None and node.type == "identifier":
            d = self.single_definition(node)
            node = d[1] if d is not None else None
        if node is None or node.type != "call_expression":
            return False
        fn = node.child_by_field_name("function")
        return (fn is not None and fn.type == "member_expression"
                and self.text(fn.child_by_field_name("object")) in ("document", "window.document")
                and self.text(fn.child_by_field_name("property")) in DOM_LOOKUPS)

    def is_namespace(self, obj) -> bool:
        """`path`, `util`, `JSON`... or a module bound by import/require: its functions are not
        methods of a value."""
        if obj.type != "identifier":
            return False
        bindings = self.visible(self.text(obj), obj)
        if not bindings:
            return self.text(obj) in NAMESPACES
        return all(b.value is not None and (b.value.type == "import_statement" or self._is_require(b.value))
                   for b in bindings)

    def _is_require(self, node) -> bool:
        n = node
        while n is not None and n.type in ("member_expression", "call_expression"):
            fn = n.child_by_field_name("function") if n.type == "call_expression" else None
            if fn is not None and self.text(fn) == "require":
                return True
            n = fn if fn is not None else n.child_by_field_name("object")
        return False

    def through_call(self, name: str, receiver: Flow | None, args: list[Flow]) -> Flow:
        """The result of a call that is neither a sanitizer nor a known formatter. Methods of
        tainted objects (`params.get('x')`) and argument transformers (`path.join`,
        `Buffer.from`) keep the taint; any other call (a query, a fetch, a helper) returns
        data of unknown origin."""
        f = combine(([receiver] if receiver is not None else []) + args)
        if f.kind >= Kind.PARAM and name not in TRANSFORMERS and not (receiver is not None and receiver.kind == f.kind):
            return with_kind(f, Kind.UNKNOWN)
        return f if f.kind >= Kind.UNKNOWN else with_kind(f, Kind.UNKNOWN)


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= 60 else text[:57] + "..."


def jquery_chain(analyzer, node, depth: int = 0) -> bool:
    """The receiver chain goes through `$(...)`, `jQuery(...)` or a `$name` variable/property,
    or a variable whose only value is such a chain (`var msg = $('<span>')`)."""
    n = node
    while n is not None:
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and analyzer.text(fn) in ("$", "jQuery"):
                return True
            n = fn
        elif n.type == "member_expression":
            if analyzer.text(n.child_by_field_name("property")).startswith("$"):
                return True
            n = n.child_by_field_name("object")
        elif n.type == "identifier":
            if analyzer.text(n).startswith("$") or analyzer.text(n) == "jQuery":
                return True
            d = analyzer.single_definition(n) if depth < 2 else None
            return d is not None and jquery_chain(analyzer, d[1], depth + 1)
        else:
            return False
    return False


def js_analyzer(file) -> JsAnalyzer:
    from redline.rules.predicates.taint_core import analyzer_for

    return analyzer_for(file, JsAnalyzer)
