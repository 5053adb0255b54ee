"""Predicates and fixes for Python rules."""

from __future__ import annotations

import re

from redline.findings import Fix, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate

_SQL_RE = re.compile(
    r"\b(select|insert|update|delete|replace|create|drop|alter|truncate|merge|with|pragma|grant|exec)\b",
    re.IGNORECASE,
)
_SQL_SINKS_ANY_STRING = {"execute", "executemany", "executescript", "mogrify", "exec_driver_sql"}


def string_has_interpolation(node) -> bool:
    return node.type == "string" and any(c.type == "interpolation" for c in node.children)


def is_constant(node) -> bool:
    """A literal whose value cannot depend on input: strings without interpolation, numbers,
    constant concatenations, and tuples/lists of those."""
    t = node.type
    if t == "string":
        return not string_has_interpolation(node)
    if t in ("integer", "float", "true", "false", "none"):
        return True
    if t == "concatenated_string":
        return all(is_constant(c) for c in node.named_children)
    if t == "parenthesized_expression":
        return all(is_constant(c) for c in node.named_children)
    if t == "binary_operator":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return bool(left and right and is_constant(left) and is_constant(right))
    if t in ("list", "tuple"):
        return all(is_constant(c) for c in node.named_children)
    return False


def _is_stringish(node) -> bool:
    return node is not None and node.type in ("string", "concatenated_string")


def dynamic_string(node) -> str | None:
    """How a string is built from non-constant parts, or None when it is not."""
    if node is None:
        return None
    t = node.type
    if t == "parenthesized_expression" and node.named_child_count == 1:
        return dynamic_string(node.named_children[0])
    if t == "string" and string_has_interpolation(node):
        return "an f-string"
    if t == "concatenated_string" and any(string_has_interpolation(c) for c in node.named_children):
        return "an f-string"
    if t == "binary_operator":
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op is None or left is None or right is None:
            return None
        if op.type == "%" and _is_stringish(left) and not is_constant(right):
            return "%-formatting"
        if op.type == "+" and (
            _is_stringish(left) or _is_stringish(right) or dynamic_string(left) or dynamic_string(right)
        ) and not (is_constant(left) and is_constant(right)):
            return "string concatenation"
    if t == "call":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "attribute":
            obj, attr = fn.child_by_field_name("object"), fn.child_by_field_name("attribute")
            if attr is not None and attr.text == b"format" and _is_stringish(obj):
                args = node.child_by_field_name("arguments")
                if args is not None and args.named_child_count and not all(is_constant(a) for a in args.named_children):
                    return "str.format()"
    return None


def _string_text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


@predicate("python.dynamic_sql")
def dynamic_sql(ctx: MatchContext):
    """The first argument of an SQL sink is a string built from non-constant parts."""
    arg = ctx.node("arg")
    how = dynamic_string(arg)
    if how is None:
        return None
    sink = ctx.text("sink")
    if sink not in _SQL_SINKS_ANY_STRING and not _SQL_RE.search(_string_text(arg)):
        return None
    return Verdict(args={"how": how, "sink": sink})


@predicate("python.non_constant_arg")
def non_constant_arg(ctx: MatchContext):
    """The captured @arg is not a constant (a literal cannot carry attacker data)."""
    arg = ctx.node("arg")
    if arg is None or is_constant(arg):
        return None
    if arg.type in ("list", "tuple"):
        return None  # an argument list without a shell is not parsed by a shell
    return Verdict(args={"how": dynamic_string(arg) or "a non-constant value"})


_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def _keyword(call, name: str):
    args = call.child_by_field_name("arguments")
    if args is None:
        return None
    for a in args.named_children:
        if a.type == "keyword_argument":
            key = a.child_by_field_name("name")
            if key is not None and key.text == name.encode():
                return a
    return None


@predicate("python.yaml_unsafe_load")
def yaml_unsafe_load(ctx: MatchContext):
    """yaml.load / load_all without a safe Loader (positional or keyword)."""
    call = ctx.node("match")
    fn = ctx.text("fn")
    callee = call.child_by_field_name("function")
    obj = callee.child_by_field_name("object") if callee is not None and callee.type == "attribute" else None
    if obj is None or obj.type != "identifier" or obj.text != b"yaml":
        return None
    if fn in ("unsafe_load", "unsafe_load_all"):
        return Verdict(args={"how": f"yaml.{fn}()"})
    loader = None
    kw = _keyword(call, "Loader")
    if kw is not None:
        loader = kw.child_by_field_name("value")
    else:
        args = call.child_by_field_name("arguments")
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        if len(positional) >= 2:
            loader = positional[1]
    if loader is not None:
        name = loader.text.decode().rsplit(".", 1)[-1]
        if name in _SAFE_LOADERS:
            return None
        return Verdict(args={"how": f"yaml.{fn}() with Loader={name}"}, data={"loader": kw})
    return Verdict(args={"how": f"yaml.{fn}() without a Loader"}, data={"loader": None})


@fix("python.yaml_safe_load")
def yaml_safe_load(ctx: MatchContext, verdict: Verdict):
    """yaml.load(x[, Loader=...]) -> yaml.safe_load(x)."""
    call = ctx.node("match")
    fn_node = ctx.node("fn")
    fn = ctx.text("fn")
    target = "safe_load_all" if fn.endswith("_all") else "safe_load"
    edits = [TextEdit(ctx.span(fn_node), target)]
    args = call.child_by_field_name("arguments")
    positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
    to_remove = []
    kw = _keyword(call, "Loader")
    if kw is not None:
        to_remove.append(kw)
    elif len(positional) >= 2:
        to_remove.append(positional[1])
    for node in to_remove:
        # Remove ", Loader=..." including the comma before it.
        prev = node.prev_sibling
        start = prev.start_byte if prev is not None and prev.type == "," else node.start_byte
        edits.append(TextEdit(ctx.file.span(start, node.end_byte), ""))
    return Fix(title=f"Use yaml.{target}()", edits=tuple(edits), safe=True)
