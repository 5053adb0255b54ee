"""A read-only view of Terraform (HCL) for the IaC predicates: blocks, attributes, literal values.

tree-sitter-hcl gives `block` nodes (`resource "aws_s3_bucket" "b" { body }`) whose body holds
`attribute` nodes (`name = expression`) and nested blocks. `Block` wraps one of them;
`evaluate` turns an expression into a Python value when it is a literal (strings, numbers,
booleans, null, lists, objects, heredocs, `jsonencode(...)`) and into `UNKNOWN` when it depends
on anything else (variables, references, function results). Checks must treat `UNKNOWN` as
"cannot tell" and stay silent, so that `var.x` never produces a finding.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from functools import cached_property


class _Unknown:
    """The value of an expression we cannot evaluate statically."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Template:
    """A string with `${...}` interpolations: not a constant, but its text can still be read."""

    text: str


@dataclass(frozen=True)
class Call:
    """A function call with evaluated arguments, e.g. jsonencode({...})."""

    name: str
    args: tuple
    node: object


def node_text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _string_parts(node) -> tuple[str, bool]:
    """Text of a quoted string or template and whether it has interpolations/directives."""
    parts: list[str] = []
    dynamic = False
    for child in node.children:
        t = child.type
        if t == "template_literal":
            parts.append(node_text(child))
        elif t in ("template_interpolation", "template_directive"):
            dynamic = True
            parts.append(node_text(child))
        elif t == "escape_sequence":
            parts.append(_unescape(node_text(child)))
    return "".join(parts), dynamic


_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", '\\"': '"', "\\\\": "\\"}


def _unescape(seq: str) -> str:
    return _ESCAPES.get(seq, seq)


def heredoc_text(node) -> str:
    """The content of a heredoc (`<<EOF` / `<<-EOF`), dedented for the `<<-` form."""
    raw = node_text(node)
    lines = raw.split("\n")
    body = "\n".join(lines[1:-1]) if len(lines) >= 2 else ""
    if raw.startswith("<<-"):
        body = textwrap.dedent(body)
    return body


def _strip_expression(node):
    """The single meaningful child of an `expression` wrapper, or the node itself."""
    while node is not None and node.type == "expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def evaluate(node):
    """The Python value of a literal expression; UNKNOWN when it is not a literal."""
    if node is None:
        return UNKNOWN
    node = _strip_expression(node)
    t = node.type
    if t == "expression":
        return UNKNOWN  # a reference like var.x (variable_expr + get_attr) or an operation
    if t == "literal_value":
        return evaluate(node.named_children[0]) if node.named_child_count else UNKNOWN
    if t == "string_lit" or t == "quoted_template":
        text, dynamic = _string_parts(node)
        return Template(text) if dynamic else text
    if t == "template_expr":
        inner = node.named_children[0] if node.named_child_count else None
        if inner is None:
            return UNKNOWN
        if inner.type == "heredoc_template":
            dynamic = any(c.type in ("template_interpolation", "template_directive") for c in inner.children)
            text = heredoc_text(inner)
            return Template(text) if dynamic else text
        return evaluate(inner)
    if t == "numeric_lit":
        raw = node_text(node)
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw)
            except ValueError:
                return UNKNOWN
    if t == "bool_lit":
        return node_text(node).strip() == "true"
    if t == "null_lit":
        return None
    if t == "collection_value":
        return evaluate(node.named_children[0]) if node.named_child_count else UNKNOWN
    if t == "tuple":
        return [evaluate(c) for c in node.named_children if c.type == "expression"]
    if t == "object":
        out = {}
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            key = object_key(elem)
            if key is not None:
                out[key] = evaluate(elem.child_by_field_name("val"))
        return out
    if t == "function_call":
        name_node = node.named_children[0] if node.named_child_count else None
        args_node = next((c for c in node.named_children if c.type == "function_arguments"), None)
        args = tuple(evaluate(a) for a in args_node.named_children if a.type == "expression") if args_node else ()
        return Call(node_text(name_node), args, node)
    return UNKNOWN


def object_key(elem) -> str | None:
    """The key of an object element: `Name = ...`, `"Name" = ...`."""
    key = _strip_expression(elem.child_by_field_name("key"))
    if key is None:
        return None
    if key.type == "variable_expr":
        return node_text(key).strip()
    value = evaluate(key)
    return value if isinstance(value, str) else None


def as_bool(value) -> bool | None:
    """True/False for boolean literals and the strings "true"/"false"; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_list(value) -> list:
    """A list value as a list; a single literal as a one-element list; UNKNOWN as []."""
    if isinstance(value, list):
        return value
    if value is UNKNOWN or value is None:
        return []
    return [value]


def json_value(value):
    """A JSON document given as a string, heredoc or jsonencode(...); UNKNOWN when not literal."""
    if isinstance(value, Call) and value.name == "jsonencode" and value.args:
        return value.args[0]
    text = value.text if isinstance(value, Template) else value
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return UNKNOWN
    return UNKNOWN


@dataclass
class Attr:
    node: object  # the `attribute` node
    name: str

    @cached_property
    def expr(self):
        return next((c for c in self.node.named_children if c.type == "expression"), None)

    @cached_property
    def value(self):
        return evaluate(self.expr)

    @property
    def text(self) -> str:
        return node_text(self.expr)


@dataclass
class Block:
    node: object  # the `block` node

    @cached_property
    def kind(self) -> str:
        first = self.node.named_children[0] if self.node.named_child_count else None
        return node_text(first) if first is not None and first.type == "identifier" else ""

    @cached_property
    def label_nodes(self) -> list:
        return [c for c in self.node.named_children if c.type in ("string_lit", "identifier")][1:]

    @cached_property
    def labels(self) -> tuple[str, ...]:
        out = []
        for n in self.label_nodes:
            if n.type == "string_lit":
                parts = [c for c in n.named_children if c.type == "template_literal"]
                out.append(node_text(parts[0]) if len(parts) == 1 and n.named_child_count == 3 else node_text(n).strip('"'))
            else:
                out.append(node_text(n))
        return tuple(out)

    @property
    def type(self) -> str:
        """The resource or data source type (first label)."""
        return self.labels[0] if self.labels else ""

    @property
    def name(self) -> str:
        return self.labels[1] if len(self.labels) > 1 else ""

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return prefix + ".".join(self.labels) if self.labels else self.kind

    @property
    def head_node(self):
        """The node to report when something is missing: the type label, else the keyword."""
        if self.label_nodes:
            return self.label_nodes[0]
        return self.node.named_children[0] if self.node.named_child_count else self.node

    @cached_property
    def body(self):
        return next((c for c in self.node.named_children if c.type == "body"), None)

    @cached_property
    def _children(self) -> tuple[dict[str, Attr], list["Block"]]:
        attrs: dict[str, Attr] = {}
        blocks: list[Block] = []
        if self.body is not None:
            for child in self.body.named_children:
                if child.type == "attribute":
                    ident = child.named_children[0] if child.named_child_count else None
                    if ident is not None:
                        attrs[node_text(ident)] = Attr(child, node_text(ident))
                elif child.type == "block":
                    blocks.append(Block(child))
        return attrs, blocks

    @property
    def attrs(self) -> dict[str, Attr]:
        return self._children[0]

    def attr(self, name: str) -> Attr | None:
        return self._children[0].get(name)

    def value(self, name: str, default=UNKNOWN):
        """The literal value of an attribute; `default` when it is absent."""
        a = self.attr(name)
        return a.value if a is not None else default

    def has(self, name: str) -> bool:
        """An attribute or a nested block of that name exists (a `dynamic` block counts)."""
        return name in self.attrs or bool(self.blocks(name)) or self.has_dynamic(name)

    def blocks(self, name: str | None = None) -> list["Block"]:
        return [b for b in self._children[1] if name is None or b.kind == name]

    def block(self, name: str) -> "Block | None":
        found = self.blocks(name)
        return found[0] if found else None

    def has_dynamic(self, name: str) -> bool:
        return any(b.kind == "dynamic" and b.labels[:1] == (name,) for b in self._children[1])

    def descendants(self, path: str) -> list["Block"]:
        """Nested blocks along a dotted path of block names, e.g. "settings.ip_configuration"."""
        current = [self]
        for part in path.split("."):
            current = [b for c in current for b in c.blocks(part)]
        return current

    @property
    def indent(self) -> str:
        """Indentation of this block's first line."""
        line_start = self.node.start_point[1]
        return " " * line_start


def top_level_blocks(root) -> list[Block]:
    """Every top-level block of a file (resources, data sources, providers, variables)."""
    body = next((c for c in root.named_children if c.type == "body"), None) if root.type == "config_file" else root
    if body is None:
        return []
    return [Block(c) for c in body.named_children if c.type == "block"]