"""Local taint for Python: where may the value of an expression come from?

`value_of(file, node, kind)` answers with a `Val`: CONST (cannot depend on input: literals,
module constants, sanitized values), UNKNOWN (not constant, origin not known: parameters of an
ordinary function, attributes, results of unknown calls) or TAINTED (comes from a source: request
data of Flask/Django/FastAPI and friends, route parameters, `sys.argv`, `input()`), with the node
where the tainted data enters, for `Related` locations.

The analysis stays inside one function (and reads the module-level statements for globals), as
the predicate contract requires. It follows assignments (with a simple reaching-definitions rule:
an unconditional assignment in a block that contains the use hides earlier ones), augmented
assignments, loops, `with ... as`, comprehensions, concatenation, f-strings, `%`, `format`,
`join` and known string/bytes/path transforms. A call to an unknown function gives UNKNOWN, not
TAINTED. Sanitizers depend on the sink `kind` (`shlex.quote` for commands, `escape` for HTML,
`os.path.basename`/`secure_filename` for paths, `int()` everywhere).

Facts per function (its assignments, whether it handles web requests) are built lazily the
first time a sink inside it asks, and cached for the scan (python_scope.scan_cache).
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field

from redline.rules.predicates.python_scope import (
    COMPREHENSIONS,
    call_args,
    callee_name,
    decorators,
    enclosing,
    enclosing_function,
    has_splat,
    function_name,
    imports_for,
    module_imports,
    module_statements,
    parameters,
    qualname,
    scan_cache,
    string_value,
    text,
    unwrap,
)
from redline.secrets.regex import linear

CONST, UNKNOWN, TAINTED = 0, 1, 2
MAX_DEPTH = 120


@dataclass(frozen=True)
class Val:
    level: int
    source: object | None = field(default=None, compare=False)  # node where tainted data enters
    what: str = ""  # e.g. "request.args", "route parameter 'name'"

    def __or__(self, other: "Val") -> "Val":
        return self if self.level >= other.level else other

    @property
    def tainted(self) -> bool:
        return self.level == TAINTED

    @property
    def constant(self) -> bool:
        return self.level == CONST


CONST_VAL = Val(CONST)
UNKNOWN_VAL = Val(UNKNOWN)

# ---------------------------------------------------------------- sources

REQUEST_NAMES = frozenset({"request", "req"})
# Attributes of a request object that carry what the client sent.
REQUEST_ATTRS = frozenset(
    {
        # Flask / Werkzeug / Quart
        "args", "form", "values", "json", "data", "files", "cookies", "headers", "get_json", "get_data",
        "stream", "url", "full_path", "path", "base_url", "query_string", "referrer", "user_agent",
        "environ", "view_args", "authorization", "read", "input_stream",
        # Django / DRF
        "GET", "POST", "COOKIES", "FILES", "META", "body", "REQUEST", "raw_post_data", "query_params",
        "get_full_path", "path_info",
        # Starlette / FastAPI / aiohttp / bottle / tornado
        "path_params", "query", "params", "match_info", "content", "text", "forms", "post",
        "body_arguments", "query_arguments", "arguments", "uri",
    }
)
# Methods of `self` in request handlers (tornado, webapp2) that return request data.
HANDLER_METHODS = frozenset(
    {"get_argument", "get_arguments", "get_query_argument", "get_query_arguments", "get_body_argument",
     "get_body_arguments", "get_cookie", "get_secure_cookie"}
)
SOURCE_CALLS = {
    "input": "input()",
    "raw_input": "raw_input()",
    "sys.stdin.read": "sys.stdin",
    "sys.stdin.readline": "sys.stdin",
    "sys.stdin.readlines": "sys.stdin",
}
SOURCE_ATTRS = {"sys.argv": "sys.argv"}
REQUEST_QUALNAMES = frozenset({"flask.request", "bottle.request", "quart.request", "sanic.request"})

# Decorators that make a function a route handler, and parameters they never fill from the URL.
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket", "view"}
)
NOT_ROUTE_PARAMS = frozenset(
    {"self", "cls", "request", "req", "db", "session", "background_tasks", "response", "current_user", "user", "app"}
)
FRAMEWORK_TYPES = frozenset(
    {"Request", "Session", "AsyncSession", "BackgroundTasks", "Response", "WebSocket", "HttpRequest", "User"}
)
SAFE_TYPES = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "date", "datetime", "Decimal", "PositiveInt", "conint"})

# ---------------------------------------------------------------- sanitizers and transforms

NUMERIC = frozenset({"int", "float", "bool", "len", "abs", "round", "ord", "hash", "id", "isinstance", "complex",
                     "Decimal", "UUID", "uuid4", "uuid1", "hexdigest", "digest", "isdigit", "isnumeric",
                     "isdecimal", "isalnum", "isalpha", "count", "index", "find", "rfind", "startswith",
                     "endswith", "exists", "isfile", "isdir", "getsize", "time", "now", "timestamp"})
SANITIZERS: dict[str, frozenset[str]] = {
    "sql": frozenset({"quote_name", "quote_ident", "qn", "escape_string", "escape", "literal", "Identifier",
                      "Literal", "quote_identifier", "escape_like", "placeholder", "placeholders"}),
    "cmd": frozenset({"quote", "shlex.quote", "pipes.quote", "shlex.join", "escape_shell_arg", "list2cmdline"}),
    "code": frozenset({"literal_eval", "repr"}),
    "path": frozenset({"basename", "secure_filename", "safe_join", "get_valid_filename", "slugify", "sanitize_filename"}),
    "xss": frozenset({"escape", "conditional_escape", "format_html", "strip_tags", "clean", "quote", "urlencode",
                      "linebreaks", "escapejs", "json_script", "sanitize", "bleach.clean", "quote_plus"}),
    "url": frozenset({"quote", "quote_plus", "urlencode", "url_for", "reverse", "secure_filename"}),
    "redirect": frozenset({"url_for", "reverse", "reverse_lazy", "resolve_url", "quote", "urlencode", "url_path_join"}),
    "xpath": frozenset({"escape", "quote", "xpath_escape"}),
    "ldap": frozenset({"escape_filter_chars", "escape_rdn", "escape_dn_chars", "filter_format", "escape"}),
    "regex": frozenset({"escape", "re.escape"}),
    "log": frozenset({"repr", "escape", "quote", "replace"}),
    "header": frozenset({"quote", "escape", "urlencode", "quote_plus"}),
    "template": frozenset({"escape"}),
}
# Calls whose result carries the taint of their arguments and receiver.
TRANSFORMS = frozenset(
    {
        "str", "bytes", "bytearray", "format", "format_map", "join", "strip", "lstrip", "rstrip", "lower",
        "upper", "title", "capitalize", "casefold", "swapcase", "replace", "split", "rsplit", "splitlines",
        "partition", "rpartition", "encode", "decode", "get", "getlist", "pop", "values", "items", "keys",
        "copy", "b64decode", "b64encode", "urlsafe_b64decode", "urlsafe_b64encode", "decodebytes",
        "decodestring", "b32decode", "b16decode", "a2b_base64", "unhexlify", "fromhex", "hexlify", "unquote",
        "unquote_plus", "unquote_to_bytes", "loads", "load", "join", "abspath", "realpath", "normpath",
        "expanduser", "expandvars", "dirname", "Path", "PurePath", "PosixPath", "joinpath", "resolve",
        "absolute", "urljoin", "urlunparse", "urlunsplit", "list", "tuple", "set", "dict", "sorted",
        "reversed", "next", "iter", "zip", "filter", "map", "dedent", "ljust", "rjust", "center", "zfill",
        "translate", "removeprefix", "removesuffix", "expandtabs", "read", "readline", "readlines",
        "getvalue", "to_dict", "dumps", "getattr", "first", "last", "StringIO", "BytesIO", "unicode",
        "text_type", "force_str", "force_text", "force_bytes", "smart_str", "smart_text", "normalize",
        "mark_safe", "Markup", "safe", "cast", "frozenset", "concat", "sub", "subn", "group", "groups",
        "groupdict", "lstrip", "with_suffix", "with_name", "relpath", "getattribute",
    }
)
BUILTIN_NAMES = frozenset(dir(builtins))
ALL_CAPS = linear(r"^_?[A-Z][A-Z0-9_]*$")


def _is_sanitizer(qn: str | None, name: str, kind: str) -> bool:
    if name in NUMERIC:
        return True
    table = SANITIZERS.get(kind)
    if not table:
        return False
    if name in table or (qn is not None and qn in table):
        return True
    if kind in ("xss", "sql", "ldap", "xpath", "log", "header", "template") and "escape" in name.lower():
        return True
    if "sanitiz" in name.lower():
        return True
    return False


# ---------------------------------------------------------------- scopes


@dataclass
class Def:
    pos: int  # byte offset from which the binding holds
    dom: object | None  # uses inside this node see only this binding (None: conditional)
    value: object | None  # the bound expression
    kind: str  # "assign" | "aug" | "iter" | "const" | "unknown" | "item"
    target: object
    key: str | None = None  # "item" written under a constant key: d['k'] = v


class Scope:
    """Facts of one function (or the module): parameters and whether it handles web requests
    at once; its assignments (`defs`) on first use."""

    def __init__(self, node, params: dict, route: bool = False, handler: bool = False, route_safe=None):
        self.node = node  # function_definition or module
        self.params = params  # name -> (node, default, annotation, index)
        self.route = route  # parameters (except framework ones) come from the URL / request
        self.handler = handler  # handles a web request
        self.route_safe = route_safe or set()  # route params with a numeric converter
        self._defs: dict[str, list[Def]] | None = None
        self._declared: set[str] = set()
        self.file = None  # set by scope_for: module constants decide constant branches

    def _build(self) -> None:
        defs: dict[str, list[Def]] = {}
        _collect_defs(self.node, defs, self._declared, _truth_in(self.file) if self.file is not None else _literal_truth)
        for lst in defs.values():
            lst.sort(key=lambda d: d.pos)
        self._defs = defs

    @property
    def defs(self) -> dict[str, list[Def]]:
        if self._defs is None:
            self._build()
        return self._defs

    @property
    def declared_global(self) -> set[str]:
        if self._defs is None:
            self._build()
        return self._declared


def _bind(defs: dict, target, value, kind: str, pos: int, dom) -> None:
    target = unwrap(target)
    if target is None:
        return
    t = target.type
    if t == "identifier":
        defs.setdefault(text(target), []).append(Def(pos, dom, value, kind, target))
    elif t in ("pattern_list", "tuple_pattern", "tuple", "list", "list_pattern", "expression_list"):
        elems = [c for c in target.named_children]
        vals = None
        v = unwrap(value) if value is not None else None
        if v is not None and kind == "assign" and v.type in ("tuple", "list", "expression_list"):
            vals = v.named_children
            if len(vals) != len(elems):
                vals = None
        for i, e in enumerate(elems):
            if vals is not None:
                _bind(defs, e, vals[i], kind, pos, dom)
            else:
                _bind(defs, e, value, "iter" if kind == "assign" else kind, pos, dom)
    elif t in ("list_splat_pattern", "list_splat") and target.named_child_count:
        _bind(defs, target.named_children[0], value, "iter" if kind == "assign" else kind, pos, dom)
    elif t == "subscript":
        # d[k] = v: d now also holds v (under the key k, when k is a constant string).
        base = unwrap(target.child_by_field_name("value"))
        if base is not None and base.type == "identifier" and value is not None:
            key = string_value(target.child_by_field_name("subscript"))
            defs.setdefault(text(base), []).append(Def(pos, None, value, "item", base, key))
    elif t == "as_pattern_target" and target.named_child_count:
        _bind(defs, target.named_children[0], value, kind, pos, dom)


# Methods that put their argument into the receiver: containers, and string builders
# (io.StringIO().write(x) ... getvalue()).
FILLING_METHODS = frozenset({b"append", b"extend", b"insert", b"add", b"update", b"appendleft", b"extendleft",
                             b"write", b"writelines"})


def _statement_parent(node):
    n = node
    while n.parent is not None and n.parent.type not in ("block", "module"):
        n = n.parent
    return n.parent


def _collect_defs(root, defs: dict, declared: set, truth=None) -> None:
    body = root.child_by_field_name("body") if root.type == "function_definition" else root
    if body is None:
        return
    _collect_statements(body.named_children, defs, declared, truth)


def _literal_truth(cond) -> bool | None:
    """True/False for a condition that is a constant literal (True, False, None, 0, 1, not ...)."""
    c = unwrap(cond)
    if c is None:
        return None
    if c.type == "not_operator":
        v = _literal_truth(c.child_by_field_name("argument"))
        return None if v is None else not v
    if c.type == "true":
        return True
    if c.type in ("false", "none"):
        return False
    if c.type == "integer":
        try:
            return int(text(c), 0) != 0
        except ValueError:
            return None
    return None


def _truth_in(file):
    """A condition's constant truth inside a function: literals, and module constants
    (DEBUG = False at module level, only ever bound to literals of one truth)."""

    def truth(cond) -> bool | None:
        c = unwrap(cond)
        if c is not None and c.type == "not_operator":
            v = truth(c.child_by_field_name("argument"))
            return None if v is None else not v
        if c is not None and c.type == "identifier" and ALL_CAPS.match(text(c)):
            defs = module_bindings(file, text(c))
            values = {_literal_truth(d.value) if d.kind == "assign" else None for d in defs}
            return values.pop() if len(values) == 1 else None
        return _literal_truth(c)

    return truth


# Node types with no binding anywhere below them: most of the nodes a scope's walk visits.
_NO_BINDINGS = frozenset({"identifier", "integer", "float", "true", "false", "none", "comment", "string_start",
                          "string_content", "string_end", "escape_sequence", "ellipsis", "type_conversion"})


def _collect_statements(statements, defs: dict, declared: set, truth=_literal_truth) -> None:
    """The bindings made by `statements`. A branch that a constant condition never takes
    (`if False:`, `if DEBUG:` with DEBUG = False, the else of `if True:`) binds nothing."""
    stack = list(reversed(statements))
    while stack:
        n = stack.pop()
        t = n.type
        if t in _NO_BINDINGS:
            continue  # a leaf (or string text): nothing below binds, so skip listing its children
        if t in ("if_statement", "while_statement") and truth is not None:
            v = truth(n.child_by_field_name("condition"))
            if v is True and t == "if_statement":
                cons = n.child_by_field_name("consequence")
                if cons is not None:
                    stack.append(cons)
                continue
            if v is False:
                alts = [c for c in n.named_children if c.type in ("elif_clause", "else_clause")]
                stack.extend(reversed(alts))
                continue
        if t in ("function_definition", "class_definition"):
            name = n.child_by_field_name("name")
            if name is not None:
                defs.setdefault(text(name), []).append(Def(n.start_byte, _statement_parent(n), None, "const", name))
            continue
        if t == "decorated_definition":
            inner = n.child_by_field_name("definition")
            if inner is not None:
                stack.append(inner)
            continue
        if t in ("lambda",) or t in COMPREHENSIONS:
            continue
        if t == "assignment":
            right = n.child_by_field_name("right")
            left = n.child_by_field_name("left")
            if right is not None and right.type == "assignment":  # a = b = value
                inner_right = right
                while inner_right is not None and inner_right.type == "assignment":
                    inner_right = inner_right.child_by_field_name("right")
                _bind(defs, left, inner_right, "assign", n.end_byte, _statement_parent(n))
            elif right is not None:
                _bind(defs, left, right, "assign", n.end_byte, _statement_parent(n))
            # annotated declaration without value (x: int) binds nothing
        elif t == "augmented_assignment":
            left = n.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                defs.setdefault(text(left), []).append(Def(n.end_byte, _statement_parent(n), n, "aug", left))
        elif t == "for_statement":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and right is not None:
                _bind(defs, left, right, "iter", left.end_byte, n.child_by_field_name("body"))
        elif t == "with_item":
            value = n.child_by_field_name("value")
            if value is not None and value.type == "as_pattern":
                ctx_expr = value.named_children[0] if value.named_child_count else None
                alias = value.child_by_field_name("alias")
                with_stmt = n.parent.parent if n.parent is not None else None
                dom = with_stmt.child_by_field_name("body") if with_stmt is not None else None
                if alias is not None:
                    _bind(defs, alias, ctx_expr, "assign", value.end_byte, dom)
        elif t == "except_clause":
            for c in n.named_children:
                if c.type == "as_pattern":
                    alias = c.child_by_field_name("alias")
                    if alias is not None:
                        _bind(defs, alias, None, "unknown", c.end_byte, None)
        elif t == "named_expression":
            name, value = n.child_by_field_name("name"), n.child_by_field_name("value")
            if name is not None:
                _bind(defs, name, value, "assign", n.end_byte, None)
        elif t in ("import_statement", "import_from_statement"):
            for c in n.children_by_field_name("name"):
                alias = c.child_by_field_name("alias") if c.type == "aliased_import" else None
                ident = alias if alias is not None else (c.named_children[0] if c.named_child_count else c)
                if ident is not None and ident.type == "identifier":
                    defs.setdefault(text(ident), []).append(Def(n.start_byte, _statement_parent(n), None, "const", ident))
            continue
        elif t == "call":
            # parts.append(x), args.extend(xs), seen.add(x), opts.update(d): the container now
            # also holds what was put in (like d[k] = v), so ' '.join(parts) carries it.
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "attribute":
                obj, attr = fn.child_by_field_name("object"), fn.child_by_field_name("attribute")
                args = n.child_by_field_name("arguments")
                if (obj is not None and obj.type == "identifier" and attr is not None and attr.text in FILLING_METHODS
                        and args is not None and args.type == "argument_list"):
                    for a in args.named_children:
                        if a.type != "comment":
                            defs.setdefault(text(obj), []).append(Def(n.end_byte, None, a, "item", obj))
        elif t in ("global_statement", "nonlocal_statement"):
            declared.update(text(c) for c in n.named_children if c.type == "identifier")
            continue
        stack.extend(reversed(n.named_children))


def _annotation_name(ann) -> str:
    if ann is None:
        return ""
    s = text(ann).strip().strip("'\"")
    s = re.sub(r"^(Optional|Annotated)\[", "", s)
    return re.split(r"[\[,|\s]", s, 1)[0]


def _route_info(file, fn) -> tuple[bool, set[str]]:
    """Is `fn` a route handler whose parameters come from the request? And which route
    parameters have a numeric converter (`<int:id>`)."""
    for d in decorators(fn):
        expr = d.named_children[0] if d.named_child_count else None
        call = expr if expr is not None and expr.type == "call" else None
        target = call.child_by_field_name("function") if call is not None else expr
        if target is None or target.type != "attribute":
            continue
        attr = text(target.child_by_field_name("attribute"))
        if attr in ROUTE_DECORATORS:
            safe = set()
            if call is not None:
                positional, _ = call_args(call)
                route = string_value(positional[0]) if positional else None
                if route:
                    safe = set(re.findall(r"<(?:int|float|uuid):(\w+)>", route))
            return True, safe
    # Django views: view(request, *url_kwargs) at module level, or get/post/... of a class-based view.
    names = [p[0] for p in parameters(fn)]
    outer = fn.parent.parent if fn.parent is not None and fn.parent.type == "decorated_definition" else fn.parent
    module_level = outer is not None and outer.type == "module"
    in_class = outer is not None and outer.type == "block" and outer.parent is not None and outer.parent.type == "class_definition"
    view_method = in_class and function_name(fn) in VIEW_METHODS
    if (names[:1] == ["request"] and module_level) or (names[:2] == ["self", "request"] and view_method):
        imports = module_imports(file).values()
        if any(q.startswith(("django", "rest_framework")) for q in imports):
            return True, {"\x00" + n for n in _object_params(fn, names)}
    return False, set()


VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch", "list", "retrieve",
                          "create", "update", "partial_update", "destroy"})
STR_METHODS = frozenset(dir(str))


def _object_params(fn, names: list[str]) -> list[str]:
    """Parameters used as objects (p.title, p.save()): not URL strings."""
    body = fn.child_by_field_name("body")
    if body is None:
        return []
    out = []
    for name in names:
        for m in re.finditer(rb"(?<![\w.])" + re.escape(name.encode()) + rb"\.(\w+)", body.text):
            if m.group(1).decode() not in STR_METHODS:
                out.append(name)
                break
    return out


_SELF_REQUEST = linear(rb"(?:^|[^\w.])self\.request\.(" + b"|".join(sorted(a.encode() for a in REQUEST_ATTRS)) + rb")\b")


def _uses_request_global(file, fn) -> bool:
    """Does the function read a framework's global request object: flask's `request` (or
    bottle's, quart's, ...) as imported, or a `request` that nothing binds (a fragment whose
    imports we cannot see: source_of reads `request.args` there as request data too)?"""
    imports = imports_for(file, fn)
    local = [name for name, q in imports.items() if q in REQUEST_QUALNAMES]
    body = fn.text
    if any(name.encode() + b"." in body for name in local):
        return True
    # A method that reads its handler's request (webapp2, tornado, Django class-based views):
    # source_of reads self.request.<attr> as request data too.
    if b"self.request." in body and _SELF_REQUEST.search(body):
        return True
    for name in REQUEST_NAMES:
        if name in imports or name.encode() + b"." not in body:
            continue
        if name in {p[0] for p in parameters(fn)} or module_bindings(file, name):
            continue
        local: dict = {}
        _collect_defs(fn, local, set())
        if name in local:
            continue
        if re.search(rb"(?<![\w.])" + name.encode() + rb"\.(" + b"|".join(a.encode() for a in REQUEST_ATTRS) + rb")\b", body):
            return True
    return False


def scope_for(file, node) -> Scope:
    """The facts of the innermost function around `node` (the module at top level)."""
    fn = enclosing_function(node)
    owner = fn if fn is not None else file.tree.root_node
    cache = scan_cache(file)
    key = ("scope", owner.start_byte, owner.end_byte)
    scope = cache.get(key)
    if scope is None:
        params, route, handler, safe = {}, False, False, set()
        if fn is not None:
            for i, (name, pnode, default, ann) in enumerate(parameters(fn)):
                params[name] = (pnode, default, ann, i)
            route, safe = _route_info(file, fn)
            handler = route or "request" in params or "req" in params or _uses_request_global(file, fn)
        scope = Scope(owner, params, route, handler, safe)
        scope.file = file
        cache[key] = scope
    return scope


def in_request_handler(file, node) -> bool:
    return scope_for(file, node).handler


# ---------------------------------------------------------------- evaluation


def _contains(outer, inner) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def chain_root(node):
    """The identifier at the base of an attribute/subscript/call chain, and the attribute names
    on the way (outermost last): `request.args.get('x')` -> (request, ['args', 'get'])."""
    path = []
    n = unwrap(node)
    while n is not None:
        t = n.type
        if t == "attribute":
            path.append(text(n.child_by_field_name("attribute")))
            n = unwrap(n.child_by_field_name("object"))
        elif t == "subscript":
            n = unwrap(n.child_by_field_name("value"))
        elif t == "call":
            n = unwrap(n.child_by_field_name("function"))
        else:
            break
    path.reverse()
    return n, path


def _typed_get(node) -> bool:
    """request.args.get('n', type=int): the framework converts the value."""
    n = unwrap(node)
    while n is not None and n.type in ("call", "attribute", "subscript"):
        if n.type == "call":
            _, kw = call_args(n)
            t = kw.get("type")
            if t is not None and text(t) in ("int", "float", "bool"):
                return True
            n = unwrap(n.child_by_field_name("function"))
        elif n.type == "attribute":
            n = unwrap(n.child_by_field_name("object"))
        else:
            n = unwrap(n.child_by_field_name("value"))
    return False


def source_of(file, node) -> Val | None:
    """TAINTED when `node` reads request data or another source directly; else None."""
    root, path = chain_root(node)
    if root is None or root.type != "identifier":
        return None
    name = text(root)
    if path:
        first = path[0]
        qual = imports_for(file, root).get(name)
        is_request = (name in REQUEST_NAMES and qual is None) or qual in REQUEST_QUALNAMES
        if is_request and first in REQUEST_ATTRS:
            if _typed_get(node):
                return CONST_VAL
            return Val(TAINTED, node, f"{name}.{first}")
        if name == "self":
            if first == "request" and len(path) > 1 and path[1] in REQUEST_ATTRS:
                return Val(TAINTED, node, f"self.request.{path[1]}")
            if first in HANDLER_METHODS:
                return Val(TAINTED, node, f"self.{first}()")
        dotted = ".".join([qual or name, *path])
        for req in REQUEST_QUALNAMES:
            if dotted.startswith(req + ".") and dotted[len(req) + 1 :].split(".", 1)[0] in REQUEST_ATTRS:
                return Val(TAINTED, node, dotted[: len(req) + 1 + len(dotted[len(req) + 1 :].split(".", 1)[0])])
        for src, what in SOURCE_ATTRS.items():
            if dotted == src or dotted.startswith(src + "."):
                return Val(TAINTED, node, what)
    n = unwrap(node)
    if n is not None and n.type == "call":
        qn = qualname(file, n.child_by_field_name("function"))
        if qn in SOURCE_CALLS:
            return Val(TAINTED, n, SOURCE_CALLS[qn])
    if n is not None and n.type == "subscript":
        inner = unwrap(n.child_by_field_name("value"))
        if inner is not None and qualname(file, inner) == "sys.argv":
            return Val(TAINTED, n, "sys.argv")
    return None


ENVIRONMENT = ("os.environ", "os.getenv", "os.environb", "os.getenvb")


def _reads_environment(file, node) -> bool:
    root, path = chain_root(node)
    if root is None or root.type != "identifier" or not path:
        return False
    base = imports_for(file, root).get(text(root))
    if base != "os" and not (base or "").startswith("os."):
        return False
    dotted = ".".join([base, *path])
    return dotted.startswith(ENVIRONMENT)


MAX_CALL_DEPTH = 2  # helper -> helper -> helper: deeper calls are not followed
MAX_HELPER_BYTES = 8000  # longer helpers are not summarised (cost; they rarely just pass data on)


class _Evaluator:
    def __init__(self, file, kind: str, bindings: dict | None = None, call_depth: int = 0):
        self.file = file
        self.kind = kind
        # Inside a helper applied to a call's arguments: (function start byte, parameter name)
        # -> the argument's value at the call. Answers then depend on the call, so they are
        # memoised per evaluator rather than for the scan.
        self.bindings = bindings or {}
        self.call_depth = call_depth
        cache = scan_cache(file)
        self.memo: dict = {} if self.bindings else cache.setdefault(("taint", kind), {})
        self.active: set = set()
        self.depth = 0

    # -- expressions
    def eval(self, node) -> Val:
        if node is None:
            return CONST_VAL
        key = (node.start_byte, node.end_byte, node.type)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        if key in self.active or self.depth > MAX_DEPTH:
            return CONST_VAL if key in self.active else UNKNOWN_VAL
        self.active.add(key)
        self.depth += 1
        try:
            result = self._eval(node)
        finally:
            self.depth -= 1
            self.active.discard(key)
        self.memo[key] = result
        return result

    def _any(self, nodes) -> Val:
        out = CONST_VAL
        for n in nodes:
            out = out | self.eval(n)
            if out.level == TAINTED:
                break
        return out

    def _eval(self, node) -> Val:
        t = node.type
        if t in ("integer", "float", "true", "false", "none", "ellipsis", "lambda", "slice", "comparison_operator",
                 "not_operator", "comment"):
            return CONST_VAL
        if t == "string":
            return self._any(c.child_by_field_name("expression") for c in node.named_children if c.type == "interpolation")
        if t in ("concatenated_string", "parenthesized_expression", "tuple", "list", "set", "expression_list",
                 "dictionary", "pair", "await", "list_splat", "dictionary_splat", "boolean_operator", "unary_operator",
                 "argument_list", "interpolation", "format_expression", "type_conversion"):
            if t == "interpolation":
                return self.eval(node.child_by_field_name("expression"))
            return self._any(node.named_children)
        if t == "conditional_expression":
            kids = node.named_children
            return self._any([kids[0], kids[2]] if len(kids) == 3 else kids)
        if t == "binary_operator":
            op = node.child_by_field_name("operator")
            left = unwrap(node.child_by_field_name("left"))
            if op is not None and op.type == "%" and left is not None and left.type in ("string", "concatenated_string"):
                # "... %d" % n: numeric conversions cannot carry text.
                from redline.rules.predicates.python_strings import NUMERIC_CONVERSIONS, template

                tpl = template(node)
                if tpl is not None:
                    return self._any(h.node for h in tpl.holes if not (len(h.spec) == 1 and h.spec in NUMERIC_CONVERSIONS))
                if "%" not in text(left).replace("%%", ""):
                    return CONST_VAL  # no conversion in the format: nothing is inserted
            return self._any([node.child_by_field_name("left"), node.child_by_field_name("right")])
        if t == "keyword_argument":
            return self.eval(node.child_by_field_name("value"))
        if t in COMPREHENSIONS:
            body = node.child_by_field_name("body")
            return self.eval(body) if body is not None else UNKNOWN_VAL
        if t == "identifier":
            return self.resolve(node)
        if t in ("attribute", "subscript", "call"):
            src = source_of(self.file, node)
            if src is not None:
                return src
            if _reads_environment(self.file, node):
                return UNKNOWN_VAL  # configuration: not attacker input, not a constant either
            if t == "attribute":
                obj = node.child_by_field_name("object")
                return self.eval(obj) if obj is not None else UNKNOWN_VAL
            if t == "subscript":
                base = unwrap(node.child_by_field_name("value"))
                key = string_value(node.child_by_field_name("subscript"))
                if key is not None and base is not None and base.type == "identifier":
                    return self._keyed(base, key)
                return self.eval(node.child_by_field_name("value"))
            return self._call(node)
        return UNKNOWN_VAL

    def _call(self, node) -> Val:
        fn = unwrap(node.child_by_field_name("function"))
        name = callee_name(node)
        qn = qualname(self.file, fn) if fn is not None else None
        if _is_sanitizer(qn, name, self.kind):
            return CONST_VAL
        args = node.child_by_field_name("arguments")
        arg_nodes = args.named_children if args is not None else []
        receiver = fn.child_by_field_name("object") if fn is not None and fn.type == "attribute" else None
        # A method of a module (os.path.join) has no receiver value of its own.
        if receiver is not None and unwrap(receiver).type == "identifier":
            base = text(unwrap(receiver))
            if base in imports_for(self.file, node):
                receiver = None
        if name == "get" and receiver is not None and unwrap(receiver).type == "identifier" and arg_nodes:
            key = string_value(arg_nodes[0])
            if key is not None:  # d.get('k', default): what was stored under 'k', or the default
                return self._keyed(unwrap(receiver), key) | self._any(arg_nodes[1:])
        helper = self._helper(fn) if fn is not None else None
        if helper is not None:
            applied = self._apply(helper, node, fn)
            if applied is not None:
                return applied
        if name in TRANSFORMS or (fn is not None and fn.type == "identifier" and name in BUILTIN_NAMES and name not in ("open", "eval", "exec", "compile", "getattr", "vars", "globals", "locals", "__import__")):
            parts = list(arg_nodes) + ([receiver] if receiver is not None else [])
            return self._any(parts)
        if fn is not None and fn.type == "identifier" and name in BUILTIN_NAMES:
            return UNKNOWN_VAL
        parts = list(arg_nodes) + ([receiver] if receiver is not None else [])
        # An unknown function of input is not known to pass the input through, and one of
        # constants may still read files, settings or the network: neither is constant.
        return UNKNOWN_VAL

    # -- helpers of the same module: what the return value carries, for these arguments
    def _helper(self, fn):
        """The function or lambda a call goes to, when it is defined in this module: a nested
        def or a lambda bound in an enclosing function, a method of the same class called on
        self, or a module-level def or lambda. None otherwise."""
        fn = unwrap(fn)
        if fn is None or self.call_depth >= MAX_CALL_DEPTH:
            return None
        if fn.type == "attribute":
            obj = unwrap(fn.child_by_field_name("object"))
            if obj is None or obj.type != "identifier" or text(obj) not in ("self", "cls"):
                return None
            cls = enclosing(fn, ("class_definition",))
            body = cls.child_by_field_name("body") if cls is not None else None
            return _function_in(body, text(fn.child_by_field_name("attribute"))) if body is not None else None
        if fn.type != "identifier":
            return None
        name = text(fn)
        # The enclosing functions, innermost first (walking nodes up: a module that is one
        # function has the same byte range, so scopes cannot be chained by their nodes).
        owner = enclosing_function(fn)
        use = fn
        while owner is not None:
            scope = scope_for(self.file, use)
            if name in scope.params or name in scope.declared_global:
                return None
            defs = scope.defs.get(name)
            if defs:
                return _callable_of(defs[-1])
            use, owner = owner, enclosing_function(owner)
        defs = module_bindings(self.file, name)
        if defs:
            return _callable_of(defs[-1])
        return module_function(self.file, name)

    def _apply(self, target, call, fn) -> Val | None:
        """The value of `call` to `target`: its return expressions evaluated with each
        parameter bound to the argument's value at this call (sanitizers inside count)."""
        if target.end_byte - target.start_byte > MAX_HELPER_BYTES or _contains(target, call) or has_splat(call):
            return None
        if target.type == "lambda":
            body = target.child_by_field_name("body")
            returns = [body] if body is not None else []
        else:
            returns = _returned(target.child_by_field_name("body"))
            if returns is None:
                return None  # a generator
        positional, keywords = call_args(call)
        params = parameters(target)
        if unwrap(fn).type == "attribute" and params and params[0][0] in ("self", "cls"):
            params = params[1:]
        bound = {}
        for i, (pname, _node, default, _ann) in enumerate(params):
            if i < len(positional):
                v = self.eval(positional[i])
            elif pname in keywords:
                v = self.eval(keywords[pname])
            elif default is not None:
                v = self.eval(default)
            else:
                v = UNKNOWN_VAL
            bound[(target.start_byte, pname)] = v
        sub = _Evaluator(self.file, self.kind, {**self.bindings, **bound}, self.call_depth + 1)
        sub.depth = self.depth
        out = CONST_VAL
        for r in returns:
            out = out | sub.eval(r)
            if out.tainted:
                break
        return out

    # -- names
    def _keyed(self, ident, key: str) -> Val:
        """The value read from `ident[key]` (a constant key): the container's bindings, except
        entries written under another constant key (d['cmd'] = 'ls'; d['dir'] = input: d['cmd']
        is constant) and, for a dict display, only the entry of that key."""
        name = text(ident)
        scope = scope_for(self.file, ident)
        if self._bound_between(ident, scope) is not None or name in scope.declared_global:
            return self.resolve(ident)
        out = CONST_VAL
        hidden = False
        for d in reversed(scope.defs.get(name, ())):
            if d.pos > ident.start_byte:
                continue
            if d.kind == "item":
                if d.key is not None:
                    if d.key == key:
                        out = out | self.eval(d.value)
                    continue
                out = out | self._entry_of(d.value, key)
                continue
            if d.kind == "assign":
                out = out | self._entry_of(d.value, key)
            else:
                out = out | self._def_value(scope, name, d)
            if d.dom is not None and _contains(d.dom, ident):
                hidden = True
                break
        if not hidden:
            out = out | self._entry(scope, name, ident)
        return out

    def _entry_of(self, value, key: str) -> Val:
        """`value[key]` for a bound expression: the entry of a dict display with constant keys,
        else whatever the expression may hold."""
        v = unwrap(value)
        if v is not None and v.type == "dictionary":
            pairs = [c for c in v.named_children if c.type != "comment"]
            if all(c.type == "pair" and string_value(c.child_by_field_name("key")) is not None for c in pairs):
                return self._any(c.child_by_field_name("value") for c in pairs
                                 if string_value(c.child_by_field_name("key")) == key)
        return self.eval(value)

    def _bound_between(self, ident, scope):
        """The value of a comprehension variable or lambda parameter named like `ident` between
        the use and its scope, or None."""
        name = text(ident)
        n = ident.parent
        while n is not None and n is not scope.node and n.type != "module":
            if n.type in COMPREHENSIONS:
                for clause in n.named_children:
                    if clause.type == "for_in_clause":
                        left = clause.child_by_field_name("left")
                        if left is not None and name in _names_in(left):
                            return self.eval(clause.child_by_field_name("right"))
            elif n.type == "lambda":
                params = n.child_by_field_name("parameters")
                if params is not None and name in _names_in(params):
                    return self.bindings.get((n.start_byte, name), UNKNOWN_VAL)
            n = n.parent
        return None

    def resolve(self, ident) -> Val:
        scope = scope_for(self.file, ident)
        # Comprehension variables and lambda parameters between the use and its scope.
        between = self._bound_between(ident, scope)
        if between is not None:
            return between
        return self.lookup(scope, text(ident), ident, ident.start_byte)

    def lookup(self, scope: Scope, name: str, use, pos: int) -> Val:
        if name in scope.declared_global and scope.node.type != "module":
            return self._module_value(name)
        out = CONST_VAL
        hidden = False
        for d in reversed(scope.defs.get(name, ())):
            if d.pos > pos:
                continue
            out = out | self._def_value(scope, name, d)
            if d.dom is not None and _contains(d.dom, use):
                hidden = True
                break
        if not hidden:
            out = out | self._entry(scope, name, use)
        return out

    def _def_value(self, scope: Scope, name: str, d: Def) -> Val:
        if d.kind == "const":
            return CONST_VAL
        if d.kind == "unknown" or d.value is None:
            return UNKNOWN_VAL
        if d.kind == "aug":
            before = self.lookup(scope, name, d.target, d.target.start_byte)
            return before | self.eval(d.value.child_by_field_name("right"))
        return self.eval(d.value)

    def _entry(self, scope: Scope, name: str, use) -> Val:
        if self.bindings and name in scope.params:
            bound = self.bindings.get((scope.node.start_byte, name))
            if bound is not None:
                return bound
        if name in scope.params:
            pnode, default, ann, index = scope.params[name]
            if scope.route and "\x00" + name in scope.route_safe:
                return UNKNOWN_VAL  # used as an object (f.title): not a string from the URL
            if scope.route and name not in NOT_ROUTE_PARAMS and name not in scope.route_safe:
                ann_name = _annotation_name(ann)
                if ann_name in SAFE_TYPES:
                    return CONST_VAL
                if ann_name in FRAMEWORK_TYPES:
                    return UNKNOWN_VAL
                if default is not None and default.type == "call" and callee_name(default) in ("Depends", "Security"):
                    return UNKNOWN_VAL
                return Val(TAINTED, pnode, f"route parameter '{name}'")
            if scope.route and name in scope.route_safe:
                return CONST_VAL
            return UNKNOWN_VAL
        if scope.node.type != "module":
            # A closure: the enclosing function's value at the nested definition.
            outer_fn = enclosing_function(scope.node)
            if outer_fn is not None:
                # A closure sees the enclosing function's variable when it is called: any
                # assignment in the enclosing function may reach it.
                outer = scope_for(self.file, scope.node)
                return self.lookup(outer, name, scope.node, outer.node.end_byte)
            return self._module_value(name)
        return self._global_default(name)

    def _module_value(self, name: str) -> Val:
        # The module-level statements that bind `name` (module_bindings). A module-level def
        # or class of that name is another top-level definition, which the predicate contract
        # does not let us read: renaming it re-scans only that definition, so an answer that
        # depended on it would go stale in the others. Such a name is therefore not known here.
        defs = module_bindings(self.file, name)
        if defs:
            module = module_scope(self.file)
            out = CONST_VAL
            for d in defs:
                out = out | self._def_value(module, name, d)
            return out
        return self._global_default(name)

    def _global_default(self, name: str) -> Val:
        if name in module_imports(self.file) or name in BUILTIN_NAMES or ALL_CAPS.match(name):
            return CONST_VAL
        return UNKNOWN_VAL


def _callable_of(d: Def):
    """The function definition or lambda a binding gives its name, if any."""
    if d.kind == "const" and d.target is not None and d.target.parent is not None \
            and d.target.parent.type == "function_definition":
        return d.target.parent
    v = unwrap(d.value) if d.kind == "assign" and d.value is not None else None
    return v if v is not None and v.type == "lambda" else None


def _function_in(block, name: str):
    """The def named `name` among the statements of `block` (a class body), or None."""
    for stmt in block.named_children:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if fn is not None and fn.type == "function_definition" and text(fn.child_by_field_name("name")) == name:
            return fn
    return None


def module_function(file, name: str):
    """The module-level def named `name` (the last one), or None.

    Reading another top-level definition stretches the predicate contract: a finding that
    depends on a helper's summary is recomputed when its own definition changes, not when
    only the helper does (a later full scan catches that up)."""
    cache = scan_cache(file)
    table = cache.get("module_functions")
    if table is None:
        table = {}
        for stmt in file.tree.root_node.named_children:
            fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
            if fn is not None and fn.type == "function_definition":
                table[text(fn.child_by_field_name("name"))] = fn
        cache["module_functions"] = table
    return table.get(name)


def _returned(body):
    """The expressions a function body returns (not those of nested functions), or None when
    it is a generator."""
    out = []
    if body is None:
        return out
    stack = [body]
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("function_definition", "lambda", "class_definition"):
            continue
        if t == "yield":
            return None
        if t == "return_statement":
            out.extend(c for c in n.named_children if c.type != "comment")
            continue
        stack.extend(n.named_children)
    return out


def _names_in(node) -> set[str]:
    if node.type == "identifier":
        return {text(node)}
    out = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.add(text(n))
        else:
            stack.extend(n.named_children)
    return out


def value_of(file, node, kind: str = "generic") -> Val:
    """Where the value of `node` may come from, for a sink of `kind`."""
    if node is None or file.tree is None:
        return UNKNOWN_VAL
    return _Evaluator(file, kind).eval(node)


def module_scope(file) -> Scope:
    root = file.tree.root_node
    cache = scan_cache(file)
    key = ("scope", root.start_byte, root.end_byte)
    scope = cache.get(key)
    if scope is None:
        scope = Scope(root, {})
        cache[key] = scope
    return scope


def module_bindings(file, name: str) -> list[Def]:
    """The bindings of `name` made by module-level statements other than function and class
    definitions (assignments, imports, loops, `with`, and definitions nested in `if`/`try`),
    in source order. With the module-level definitions named `name`
    (python_scope.defines_at_module_level) they are exactly `module_scope(file).defs[name]`.

    Built once per tree from the module-level statements only, so a keystroke inside a function
    of a large module does not walk the module's definitions."""
    cache = scan_cache(file)
    table = cache.get("module_bindings")
    if table is None:
        table = {}
        _collect_statements(module_statements(file), table, set())
        for lst in table.values():
            lst.sort(key=lambda d: d.pos)
        cache["module_bindings"] = table
    return table.get(name, [])


def name_is_bound(file, ident) -> bool:
    """Is the name of `ident` bound where it is used: by the function around it (or an enclosing
    one), or by a module-level statement (an import, an assignment)? Other top-level definitions
    are not read (see the predicate contract), so a module-level def of that name does not count."""
    name = text(ident)
    fn = enclosing_function(ident)
    while fn is not None:
        scope = scope_for(file, fn.child_by_field_name("body") or fn)
        if name in scope.params or name in scope.defs:
            return True
        fn = enclosing_function(fn)
    return bool(module_bindings(file, name)) or name in imports_for(file, ident)


def reaching_values(file, ident, _depth: int = 0) -> list:
    """The expressions that may be bound to the identifier `ident` where it is used (for fixes
    and for string-shape checks); empty when it is a parameter or a global. An augmented
    assignment (`cmd += x`) contributes itself and what reached it."""
    if ident is None or ident.type != "identifier" or _depth > 8:
        return []
    scope = scope_for(file, ident)
    name = text(ident)
    out = []
    for d in reversed(scope.defs.get(name, ())):
        if d.pos > ident.start_byte:
            continue
        if d.kind == "assign" and d.value is not None:
            out.append(d.value)
        elif d.kind == "aug" and d.value is not None:
            out.append(d.value)
            out.extend(v for v in reaching_values(file, d.target, _depth + 1) if v not in out)
        if d.dom is not None and _contains(d.dom, ident):
            break
    return out


def single_definition(file, ident):
    """The one assignment statement that defines `ident` at its use, when there is exactly one
    and it dominates the use (for fixes that rewrite it); else None."""
    if ident is None or ident.type != "identifier":
        return None
    scope = scope_for(file, ident)
    name = text(ident)
    defs = [d for d in scope.defs.get(name, ())]
    before = [d for d in defs if d.pos <= ident.start_byte]
    if len(defs) != 1 or len(before) != 1:
        return None
    d = before[0]
    if d.kind != "assign" or d.dom is None or not _contains(d.dom, ident) or d.value is None:
        return None
    return d
