"""Small helpers over tree-sitter JSON and TOML trees: keys, string contents and their spans."""

from __future__ import annotations

import json
from typing import Iterator

# ----------------------------------------------------------------------------------- TOML


def toml_key(node, src: bytes) -> tuple[str, ...]:
    """The parts of a TOML key node (bare_key, quoted_key, dotted_key)."""
    t = node.type
    if t == "dotted_key":
        out: tuple[str, ...] = ()
        for c in node.named_children:
            out += toml_key(c, src)
        return out
    raw = src[node.start_byte : node.end_byte].decode("utf-8", "replace")
    if t == "quoted_key":
        if raw.startswith('"'):
            try:
                return (json.loads(raw),)
            except ValueError:
                return (raw[1:-1],)
        return (raw[1:-1],)
    return (raw,)


def toml_pairs(root, src: bytes) -> Iterator[tuple[tuple[str, ...], object]]:
    """(full key path, value node) for every pair, top-level and in [tables] / [[arrays]];
    pairs inside inline tables are yielded too, under their parent's path."""
    for child in root.named_children:
        if child.type == "pair":
            yield from _pairs_of_pair(child, (), src)
        elif child.type in ("table", "table_array_element"):
            header: tuple[str, ...] = ()
            for c in child.named_children:
                if c.type in ("bare_key", "dotted_key", "quoted_key"):
                    header = toml_key(c, src)
                elif c.type == "pair":
                    yield from _pairs_of_pair(c, header, src)


def _pairs_of_pair(pair, prefix: tuple[str, ...], src: bytes):
    key_node = pair.named_children[0] if pair.named_children else None
    value = pair.named_children[-1] if len(pair.named_children) > 1 else None
    if key_node is None or value is None:
        return
    path = prefix + toml_key(key_node, src)
    yield path, value
    if value.type == "inline_table":
        for c in value.named_children:
            if c.type == "pair":
                yield from _pairs_of_pair(c, path, src)


def toml_string(node, src: bytes) -> tuple[str, tuple[int, int]] | None:
    """(value, content span) of a TOML string node, or None for other nodes.

    The span covers the text between the quotes; escapes are decoded in the value (then the
    span still covers the raw text, which is what an edit replaces)."""
    if node is None or node.type != "string":
        return None
    raw = src[node.start_byte : node.end_byte]
    for q in (b'"""', b"'''", b'"', b"'"):
        if raw.startswith(q) and raw.endswith(q) and len(raw) >= 2 * len(q):
            inner = raw[len(q) : len(raw) - len(q)]
            start = node.start_byte + len(q)
            text = inner.decode("utf-8", "replace")
            if q.startswith(b'"') and b"\\" in inner:
                try:
                    text = json.loads('"' + text.replace("\n", "\\n") + '"')
                except ValueError:
                    pass
            return text, (start, start + len(inner))
    return None


# ----------------------------------------------------------------------------------- JSON


def json_string(node, src: bytes) -> tuple[str, tuple[int, int]] | None:
    """(decoded value, content span) of a JSON string node."""
    if node is None or node.type != "string":
        return None
    start, end = node.start_byte + 1, node.end_byte - 1
    if end < start:
        return None
    raw = src[start:end]
    if b"\\" in raw:
        try:
            return json.loads(b'"' + raw + b'"'), (start, end)
        except ValueError:
            return raw.decode("utf-8", "replace"), (start, end)
    return raw.decode("utf-8", "replace"), (start, end)


def json_object_pairs(node, src: bytes) -> Iterator[tuple[str, tuple[int, int], object]]:
    """(key, key content span, value node) for each pair of a JSON object node."""
    if node is None or node.type != "object":
        return
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key = pair.child_by_field_name("key")
        value = pair.child_by_field_name("value")
        ks = json_string(key, src)
        if ks is None:
            continue
        yield ks[0], ks[1], value


def json_root_object(tree):
    root = tree.root_node if tree is not None else None
    if root is None:
        return None
    for c in root.named_children:
        if c.type == "object":
            return c
    return None
