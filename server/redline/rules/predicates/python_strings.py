"""How a Python string is built: literal text and the expressions put into it.

`template(node)` decomposes f-strings, `%`-formatting, `str.format()` and `+` concatenation into
a list of literal text pieces and `Hole`s (the inserted expressions), so that rules can ask
"what does the fixed text look like" (SQL keywords, shell metacharacters, HTML tags) and "where
do the inserted values come from" (taint), and fixes can rewrite the string into placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.rules.predicates.python_scope import call_args, text, unwrap
from redline.secrets.regex import linear


@dataclass(frozen=True)
class Hole:
    node: object  # the inserted expression
    spec: str = ""  # the %-conversion ("s", "d", ...) or format spec / conversion of a field
    quoted: bool = False  # filled in by callers that look at the surrounding text


@dataclass(frozen=True)
class Template:
    parts: tuple  # str | Hole
    how: str  # "an f-string", "%-formatting", "str.format()", "string concatenation"

    @property
    def holes(self) -> list[Hole]:
        return [p for p in self.parts if isinstance(p, Hole)]

    @property
    def literal(self) -> str:
        """The fixed text with each hole shown as "\\x00"."""
        return "".join(p if isinstance(p, str) else "\x00" for p in self.parts)


_PERCENT = linear(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])")
_FIELD = linear(r"\{\{|\}\}|\{([^{}]*)\}")
NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgG")


def _is_string(node) -> bool:
    return node is not None and node.type in ("string", "concatenated_string")


def _string_body(node) -> str | None:
    """Text of a string literal without prefix/quotes (interpolations shown as "{...}")."""
    if node.type == "concatenated_string":
        parts = [_string_body(c) for c in node.named_children]
        return None if any(p is None for p in parts) else "".join(parts)
    out = []
    for c in node.named_children:
        if c.type in ("string_content", "escape_sequence"):
            out.append(text(c))
        elif c.type == "interpolation":
            out.append("{" + text(c.child_by_field_name("expression")) + "}")
    return "".join(out)


def _fstring_parts(node) -> list:
    out: list = []
    if node.type == "concatenated_string":
        for c in node.named_children:
            out.extend(_fstring_parts(c))
        return out
    is_f = _prefix(node).lower().count("f") > 0
    for c in node.named_children:
        if c.type in ("string_content", "escape_sequence"):
            s = text(c)
            if is_f:
                s = s.replace("{{", "{").replace("}}", "}")
            out.append(s)
        elif c.type == "interpolation":
            expr = c.child_by_field_name("expression")
            spec = ""
            for k in c.named_children:
                if k.type in ("type_conversion", "format_specifier"):
                    spec += text(k)
            out.append(Hole(expr, spec))
    return out


def _prefix(node) -> str:
    # py-tree-sitter 0.25+ raises IndexError for a child index out of range (a leaf node).
    start = node.child(0) if node.child_count else None
    if start is None or start.type != "string_start":
        return ""
    return text(start).rstrip("'\"")


def _merge(parts: list) -> tuple:
    out: list = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        elif p != "":
            out.append(p)
    return tuple(out)


def _percent(fmt: str, right) -> list | None:
    right = unwrap(right)
    values = None
    mapping = None
    if right is not None and right.type == "tuple":
        values = list(right.named_children)
    elif right is not None and right.type == "dictionary":
        mapping = {}
        for pair in right.named_children:
            if pair.type == "pair":
                k = pair.child_by_field_name("key")
                v = pair.child_by_field_name("value")
                from redline.rules.predicates.python_scope import string_value

                key = string_value(k)
                if key is not None and v is not None:
                    mapping[key] = v
    out: list = []
    pos = 0
    i = 0
    for m in _PERCENT.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        conv = m.group("conv")
        if conv == "%":
            out.append("%")
            continue
        key = m.group("key")
        if key is not None:
            node = mapping.get(key) if mapping is not None else right
            out.append(Hole(node if node is not None else right, conv))
        elif values is not None:
            if i >= len(values):
                return None
            out.append(Hole(values[i], conv))
            i += 1
        else:
            out.append(Hole(right, conv))
    out.append(fmt[pos:])
    return out


def _format(fmt: str, call) -> list | None:
    positional, keywords = call_args(call)
    out: list = []
    pos = 0
    auto = 0
    for m in _FIELD.finditer(fmt):
        out.append(fmt[pos : m.start()])
        pos = m.end()
        whole = m.group(0)
        if whole in ("{{", "}}"):
            out.append(whole[0])
            continue
        field = m.group(1)
        name, _, spec = field.partition(":")
        name, _, conversion = name.partition("!")
        base = re.split(r"[.\[]", name, 1)[0]
        if base == "":
            node = positional[auto] if auto < len(positional) else call
            auto += 1
        elif base.isdigit():
            idx = int(base)
            node = positional[idx] if idx < len(positional) else call
        else:
            node = keywords.get(base, call)
        out.append(Hole(node, spec))
    out.append(fmt[pos:])
    return out


def template(node) -> Template | None:
    """The pieces of a string built by interpolation, formatting or concatenation; None for
    anything else (including plain literals and names)."""
    node = unwrap(node)
    if node is None:
        return None
    t = node.type
    if t in ("string", "concatenated_string"):
        parts = _fstring_parts(node)
        if not any(isinstance(p, Hole) for p in parts):
            return None
        return Template(_merge(parts), "an f-string")
    if t == "binary_operator":
        op = node.child_by_field_name("operator")
        left, right = unwrap(node.child_by_field_name("left")), unwrap(node.child_by_field_name("right"))
        if op is None or left is None or right is None:
            return None
        if op.type == "%" and _is_string(left):
            body = _string_body(left)
            if body is None:
                return None
            parts = _percent(body, right)
            if parts is None or not any(isinstance(p, Hole) for p in parts):
                return None
            return Template(_merge(parts), "%-formatting")
        if op.type == "+":
            operands = _plus_operands(node)
            if not any(_stringish_leaf(o) for o in operands):
                return None
            parts: list = []
            for o in operands:
                parts.extend(_leaf_parts(o))
            if not any(isinstance(p, Hole) for p in parts):
                return None
            return Template(_merge(parts), "string concatenation")
        return None
    if t == "call":
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "attribute":
            obj = unwrap(fn.child_by_field_name("object"))
            attr = fn.child_by_field_name("attribute")
            if attr is not None and attr.text == b"format" and _is_string(obj):
                body = _string_body(obj)
                if body is None:
                    return None
                parts = _format(body, node)
                if parts is None or not any(isinstance(p, Hole) for p in parts):
                    return None
                return Template(_merge(parts), "str.format()")
    return None


def _plus_operands(node) -> list:
    """The operands of a chain a + b + c (left-nested), without recursion."""
    out = []
    stack = [node]
    while stack:
        n = unwrap(stack.pop())
        op = n.child_by_field_name("operator") if n is not None and n.type == "binary_operator" else None
        if op is not None and op.type == "+":
            stack.append(n.child_by_field_name("right"))
            stack.append(n.child_by_field_name("left"))
        elif n is not None:
            out.append(n)
    return out


def _stringish_leaf(node) -> bool:
    """A string literal, or a string built by formatting (not a further + chain)."""
    if node.type in ("string", "concatenated_string"):
        return True
    if node.type == "binary_operator":
        op = node.child_by_field_name("operator")
        return op is not None and op.type == "%" and _is_string(unwrap(node.child_by_field_name("left")))
    if node.type == "call":
        fn = node.child_by_field_name("function")
        return fn is not None and fn.type == "attribute" and text(fn.child_by_field_name("attribute")) in ("format", "join") \
            and _is_string(unwrap(fn.child_by_field_name("object")))
    return False


def _leaf_parts(node) -> list:
    if node.type in ("string", "concatenated_string"):
        return _fstring_parts(node)
    if _stringish_leaf(node):
        inner = template(node)
        if inner is not None:
            return list(inner.parts)
    return [Hole(node)]


def outermost_builder(node):
    """Climb from a string piece to the whole expression that builds the string."""
    n = node
    while n.parent is not None:
        p = n.parent
        if p.type in ("concatenated_string", "parenthesized_expression"):
            n = p
            continue
        if p.type == "binary_operator":
            op = p.child_by_field_name("operator")
            if op is not None and op.type in ("+", "%"):
                n = p
                continue
        if p.type == "attribute" and p.parent is not None and p.parent.type == "call":
            attr = p.child_by_field_name("attribute")
            if attr is not None and attr.text == b"format" and p.child_by_field_name("object") == n:
                n = p.parent
                continue
        break
    return n
