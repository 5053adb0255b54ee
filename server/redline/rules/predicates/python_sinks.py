"""Shared pieces of the Python sink predicates: verdicts from taint, strings built from input."""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.findings import Confidence, Related, Span
from redline.rules.predicates import Verdict
from redline.rules.predicates.python_scope import callee_name, scan_cache, string_value, text, unwrap
from redline.rules.predicates.python_strings import (
    NUMERIC_CONVERSIONS,
    Hole,
    Template,
    _format,
    _merge,
    _percent,
    template,
)
from redline.rules.predicates.taint_python import (
    CONST,
    CONST_VAL,
    TAINTED,
    Val,
    reaching_values,
    scope_for,
    value_of,
)
from redline.secrets.regex import linear

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW


def related_for(val: Val) -> tuple[Related, ...]:
    if val.tainted and val.source is not None:
        return (Related(Span.of_node(val.source), f"untrusted input enters here ({val.what})"),)
    return ()


def verdict(
    val: Val,
    node,
    args: dict,
    *,
    unknown: Confidence | None = MEDIUM,
    tainted: Confidence = HIGH,
    data: dict | None = None,
) -> Verdict | None:
    """A finding for a sink fed by `val`: `tainted` confidence for input, `unknown` for other
    non-constant data (None: not reported), nothing for constants."""
    if val.level == CONST:
        return None
    if val.level == TAINTED:
        return Verdict(confidence=tainted, node=node, args=args, related=related_for(val), data=data or {})
    if unknown is None:
        return None
    return Verdict(confidence=unknown, node=node, args=args, data=data or {})


def holes_value(file, tpl: Template, kind: str) -> Val:
    out = CONST_VAL
    for h in tpl.holes:
        if h.spec and h.spec[-1:] in NUMERIC_CONVERSIONS and len(h.spec) == 1:
            continue  # %d / %f: only numbers fit
        out = out | value_of(file, h.node, kind)
        if out.level == TAINTED:
            break
    return out


@dataclass
class Built:
    tpl: Template
    val: Val
    node: object  # the expression that builds the string (may be a definition of a variable)


def _constant_string_of(file, node) -> str | None:
    """The text of a string literal, or of a name bound once to one (query templates)."""
    node = unwrap(node)
    if node is None:
        return None
    s = string_value(node)
    if s is not None:
        return s
    if node.type == "identifier":
        values = reaching_values(file, node)
        if len(values) == 1:
            return string_value(values[0])
    return None


def build_template(file, node) -> Template | None:
    """`template()` plus formatting of a template held in a variable: `query % args`,
    `QUERY.format(...)`."""
    tpl = template(node)
    if tpl is not None:
        return tpl
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "binary_operator":
        op = node.child_by_field_name("operator")
        left = unwrap(node.child_by_field_name("left"))
        if op is not None and op.type == "%" and left is not None and left.type == "identifier":
            body = _constant_string_of(file, left)
            if body is not None:
                parts = _percent(body, node.child_by_field_name("right"))
                if parts and any(isinstance(p, Hole) for p in parts):
                    return Template(_merge(parts), "%-formatting")
    if node.type == "call":
        built = _builder_template(file, node)
        if built is not None:
            return built
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "attribute" and text(fn.child_by_field_name("attribute")) == "format":
            obj = unwrap(fn.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier":
                body = _constant_string_of(file, obj)
                if body is not None:
                    parts = _format(body, node)
                    if parts and any(isinstance(p, Hole) for p in parts):
                        return Template(_merge(parts), "str.format()")
    return None


BUILDER_HOWS = frozenset({"a StringIO built with write()", "a list of pieces joined with join()"})


def _builder_template(file, call) -> Template | None:
    """A string assembled piece by piece in a local builder: `buf.getvalue()` after
    `buf = io.StringIO()` and `buf.write(...)`, or `sep.join(parts)` after `parts = [...]` and
    `parts.append(...)`. The pieces, in source order up to the call, make the template."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "attribute":
        return None
    attr = text(fn.child_by_field_name("attribute"))
    obj = unwrap(fn.child_by_field_name("object"))
    if attr == "getvalue" and obj is not None and obj.type == "identifier":
        holder, sep, how = obj, "", "a StringIO built with write()"
    elif attr == "join" and obj is not None and obj.type == "string" and string_value(obj) is not None:
        args = call.child_by_field_name("arguments")
        holder = unwrap(args.named_children[0]) if args is not None and args.named_child_count == 1 else None
        if holder is None or holder.type != "identifier":
            return None
        sep, how = string_value(obj), "a list of pieces joined with join()"
    else:
        return None
    defs = [d for d in scope_for(file, holder).defs.get(text(holder), ()) if d.pos <= call.start_byte]
    if not defs or not any(d.kind == "item" for d in defs):
        return None
    pieces = []
    for d in defs:
        v = unwrap(d.value)
        if v is None:
            return None
        if d.kind == "assign":
            if v.type in ("list", "tuple"):
                pieces.extend(c for c in v.named_children if c.type != "comment")
            elif v.type == "call" and callee_name(v) in ("StringIO", "list"):
                a = v.child_by_field_name("arguments")
                pieces.extend(a.named_children[:1] if a is not None and attr == "getvalue" else [])
            else:
                return None  # rebound to something else: not a builder we can read
        elif d.kind == "item":
            pieces.append(v)
        else:
            return None
    parts: list = []
    for i, piece in enumerate(pieces):
        if i and sep:
            parts.append(sep)
        lit = string_value(piece)
        if lit is not None:
            parts.append(lit)
            continue
        inner = template(piece)
        parts.extend(inner.parts if inner is not None else [Hole(piece)])
    if not any(isinstance(p, Hole) for p in parts):
        return None
    return Template(_merge(parts), how)


def built_string(file, node, kind: str, accept=None) -> Built | None:
    """The string expression `node` (or the variable's definitions) built from non-constant
    parts: the most dangerous of the candidates. `accept(template)` filters candidates."""
    node = unwrap(node)
    if node is None:
        return None
    candidates = []
    tpl = build_template(file, node)
    if tpl is not None:
        candidates.append((tpl, node))
    elif node.type == "identifier":
        for value in reaching_values(file, node):
            if value.type == "augmented_assignment":
                right = value.child_by_field_name("right")
                t = build_template(file, right)
                if t is None and right is not None:
                    t = Template((Hole(right),), "string concatenation")
                if t is not None:
                    candidates.append((t, value))
                continue
            t = build_template(file, value)
            if t is not None:
                candidates.append((t, value))
    best = None
    for tpl, where in candidates:
        if accept is not None and not accept(tpl):
            continue
        val = holes_value(file, tpl, kind)
        if tpl.how in BUILDER_HOWS and not val.tainted:
            continue  # pieces collected from elsewhere (model metadata, settings): only input counts
        if best is None or val.level > best.val.level:
            best = Built(tpl, val, where)
    return best


def scope_uses(file, node, name: str) -> list:
    """Identifier nodes named `name` in the function (or module) that contains `node`."""
    scope = scope_for(file, node)
    cache = scan_cache(file)
    key = ("uses", scope.node.start_byte, scope.node.end_byte)
    table = cache.get(key)
    if table is None:
        table = {}
        stack = [scope.node]
        while stack:
            n = stack.pop()
            if n.type == "identifier":
                table.setdefault(text(n), []).append(n)
                continue
            if n.type in ("string", "comment"):
                continue
            if n is not scope.node and n.type in ("function_definition", "class_definition") and scope.node.type == "module":
                continue
            stack.extend(n.children)
        for lst in table.values():
            lst.sort(key=lambda n: n.start_byte)
        cache[key] = table
    return table.get(name, [])


def first_positional_call(node):
    """The call of which `node` is the first positional argument, or None."""
    p = node.parent
    if p is None or p.type != "argument_list":
        return None
    positional = [a for a in p.named_children if a.type not in ("keyword_argument", "comment")]
    if not positional or positional[0] != node:
        return None
    return p.parent


_ACRONYM_END = linear(r"([A-Z]+)([A-Z][a-z])")  # with `re`, quadratic in a long run of capitals


def name_words(name: str) -> list[str]:
    """Words of an identifier: getSessionID -> [get, session, id]; api_key -> [api, key]."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = _ACRONYM_END.sub(r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", name.lower()) if w]


# ---------------------------------------------------------------- validation guards

VALIDATOR_CALLS = frozenset({"match", "fullmatch", "isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha",
                             "isidentifier", "issubset", "isascii", "is_safe_url", "url_has_allowed_host_and_scheme"})
VALIDATOR_NAME = linear(r"^_*(is_?)?(valid|safe|allowed|whitelist|allowlist|legal|sane)", re.IGNORECASE)
EXITS = ("return_statement", "raise_statement", "continue_statement", "break_statement")


def _mentions(node, names: set[str]) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and text(n) in names:
            return True
        stack.extend(n.named_children)
    return False


def _direct(node, names: set[str]) -> bool:
    """`node` is one of the names, or a call on/of it (x.lower(), set(x), int(x))."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "identifier":
        return text(node) in names
    if node.type == "call":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "attribute" and _direct(fn.child_by_field_name("object"), names):
            return True
        args = node.child_by_field_name("arguments")
        return args is not None and any(_direct(a, names) for a in args.named_children if a.type != "keyword_argument")
    return False


def _constantish(node) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("string", "integer", "float", "true", "false", "none", "concatenated_string"):
        return True
    if node.type in ("list", "tuple", "set", "dictionary"):
        return True
    if node.type == "identifier":
        return text(node).isupper()
    if node.type == "attribute":
        return text(node.child_by_field_name("attribute")).isupper()
    return False


# Characters whose absence makes a value harmless for one kind of sink: a value without a quote
# cannot leave a quoted SQL literal, one without '<' cannot open a tag, one without a line break
# cannot add a header or a log line. `if "'" in v: return` is a guard for SQL only.
DENY_CHARS = {"sql'": "'", 'sql"': '"', "xss": "<", "header": "\r\n", "log": "\r\n"}


def _implies(cond, names: set[str], when: bool, kind: str | None = None, only_deny: bool = False) -> bool:
    """Does `cond` evaluating to `when` imply that the values named `names` were validated
    (for a sink of `kind`)?"""
    cond = unwrap(cond)
    if cond is None:
        return False
    t = cond.type
    if t == "not_operator":
        return _implies(cond.child_by_field_name("argument"), names, not when, kind, only_deny)
    if t == "boolean_operator":
        op = cond.child_by_field_name("operator")
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        is_and = op is not None and op.type == "and"
        if is_and == when:  # (a and b) true / (a or b) false: both hold
            return _implies(left, names, when, kind, only_deny) or _implies(right, names, when, kind, only_deny)
        return _implies(left, names, when, kind, only_deny) and _implies(right, names, when, kind, only_deny)
    if t == "call":
        name = callee_name(cond)
        if only_deny:
            return False
        if (name in VALIDATOR_CALLS or VALIDATOR_NAME.match(name)) and _direct(cond, names):
            return when
        return False
    if t == "comparison_operator":
        ops = [c.type for c in cond.children if not c.is_named]
        kids = cond.named_children
        if len(ops) != 1 or len(kids) != 2:
            return False
        left, right = kids
        if ops[0] in ("in", "not in") and kind in DENY_CHARS and _direct(right, names):
            lit = string_value(left)
            if lit and any(ch in lit for ch in DENY_CHARS[kind]):
                return (not when) if ops[0] == "in" else when
        if only_deny:
            return False
        if not _direct(left, names):
            if ops[0] in ("==", "!=") and _direct(right, names):
                left, right = right, left
            else:
                return False
        if not _constantish(right):
            return False
        if ops[0] in ("in", "=="):
            return when
        if ops[0] in ("not in", "!="):
            return not when
    return False


def _exits(block) -> bool:
    if block is None or not block.named_children:
        return False
    last = block.named_children[-1]
    if last.type in EXITS:
        return True
    if last.type == "expression_statement" and last.named_child_count and last.named_children[0].type == "call":
        return callee_name(last.named_children[0]) in ("abort", "exit", "_exit", "fail", "throw", "error_response")
    return False


def validated(file, node, names: set[str], kind: str | None = None, only_deny: bool = False) -> bool:
    """Is `node` only reached after a check that validates the values named `names` (an
    allow-list, a full regular-expression match, isdigit(), ...)?"""
    if not names:
        return False
    child = node
    n = node.parent
    while n is not None and n.type not in ("function_definition", "module"):
        if n.type == "if_statement":
            cons = n.child_by_field_name("consequence")
            cond = n.child_by_field_name("condition")
            if cons is not None and cons.start_byte <= child.start_byte and child.end_byte <= cons.end_byte:
                if _implies(cond, names, True, kind, only_deny):
                    return True
            elif child.type == "else_clause" and _implies(cond, names, False, kind, only_deny):
                return True
        if n.type == "elif_clause":
            cons = n.child_by_field_name("consequence")
            if cons is not None and cons.start_byte <= child.start_byte and _implies(n.child_by_field_name("condition"), names, True, kind, only_deny):
                return True
        if n.type in ("block", "module"):
            for stmt in n.named_children:
                if stmt.start_byte >= child.start_byte:
                    break
                if stmt.type == "if_statement" and _exits(stmt.child_by_field_name("consequence")):
                    if not any(c.type in ("else_clause", "elif_clause") for c in stmt.named_children):
                        if _implies(stmt.child_by_field_name("condition"), names, False, kind, only_deny):
                            return True
                elif stmt.type == "assert_statement" and stmt.named_child_count:
                    if _implies(stmt.named_children[0], names, True, kind, only_deny):
                        return True
        child = n
        n = n.parent
    return False


def value_names(file, node) -> set[str]:
    """Local names whose values flow into `node` (one level through assignments)."""
    names: set[str] = set()
    stack = [node]
    seen_defs = 0
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.type == "identifier":
            names.add(text(n))
            if seen_defs < 8:
                for v in reaching_values(file, n):
                    seen_defs += 1
                    stack.append(v)
            continue
        if n.type == "attribute":
            stack.append(n.child_by_field_name("object"))
            continue
        if n.type == "call":
            stack.append(n.child_by_field_name("arguments"))
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "attribute":
                stack.append(fn.child_by_field_name("object"))
            continue
        stack.extend(n.named_children)
    return names
