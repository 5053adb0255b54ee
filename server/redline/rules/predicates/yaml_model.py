"""A read-only view of YAML (tree-sitter-yaml) for the Kubernetes, compose and Actions predicates.

All YAML files share the language "yaml", so every predicate first asks what kind of document a
match is in (`doc_kind`): a Kubernetes manifest (a mapping with `apiVersion` and `kind`; each
document of a multi-document file on its own), a docker-compose file (file name
`docker-compose*.y*ml` / `compose*.y*ml`, or a top-level `services:` mapping), or a GitHub Actions
workflow (a file under `.github/workflows/`, or a top-level `on:` with `jobs:`).

`key_path(pair)` gives the keys from the document root to a mapping pair, with "[]" for sequence
items (`spec.template.spec.containers.[].securityContext.privileged`), so predicates can decide
where a key sits without walking the tree themselves.
"""

from __future__ import annotations

import fnmatch
import re
import textwrap
from pathlib import PurePosixPath

PAIRS = ("block_mapping_pair", "flow_pair")
MAPPINGS = ("block_mapping", "flow_mapping")
SEQUENCES = ("block_sequence", "flow_sequence")
ITEMS = ("block_sequence_item",)

COMPOSE_NAMES = ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml")


def text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _unwrap(node):
    """flow_node / block_node -> the content node (scalar, mapping, sequence); skips tags/anchors."""
    while node is not None and node.type in ("flow_node", "block_node"):
        content = [c for c in node.named_children if c.type not in ("tag", "anchor", "comment")]
        if not content:
            return None
        node = content[-1]
    return node


_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "r": "\r", "0": "\0", " ": " "}


def scalar(node) -> str | None:
    """The string value of a scalar node (plain, quoted or block); None for collections."""
    n = _unwrap(node)
    if n is None:
        return None
    t = n.type
    if t == "plain_scalar":
        return " ".join(text(n).split())
    if t == "single_quote_scalar":
        return text(n)[1:-1].replace("''", "'")
    if t == "double_quote_scalar":
        raw = text(n)[1:-1]
        return re.sub(r"\\(.)", lambda m: _DOUBLE_ESCAPES.get(m.group(1), m.group(1)), raw)
    if t == "block_scalar":
        lines = text(n).split("\n")
        return textwrap.dedent("\n".join(lines[1:]))
    return None


def is_true(node) -> bool:
    v = scalar(node)
    return v is not None and v.strip().lower() in ("true", "yes", "on", "y")


def is_false(node) -> bool:
    v = scalar(node)
    return v is not None and v.strip().lower() in ("false", "no", "off", "n")


def pair_key(pair) -> str:
    k = pair.child_by_field_name("key")
    v = scalar(k) if k is not None else None
    return v if v is not None else text(k)


def pair_value(pair):
    return pair.child_by_field_name("value")


def mapping_of(node):
    """The mapping node inside a value (block_node/flow_node), or None."""
    n = _unwrap(node)
    return n if n is not None and n.type in MAPPINGS else None


def sequence_items(node) -> list:
    """The item value nodes of a sequence value."""
    n = _unwrap(node)
    if n is None or n.type not in SEQUENCES:
        return []
    if n.type == "block_sequence":
        return [next((c for c in item.named_children if c.type != "comment"), None)
                for item in n.named_children if item.type == "block_sequence_item"]
    return [c for c in n.named_children if c.type in ("flow_node", "flow_pair")]


def pairs(mapping) -> list:
    return [c for c in mapping.named_children if c.type in PAIRS] if mapping is not None else []


def get(mapping, key: str):
    """The value node of `key` in a mapping node, or None."""
    for p in pairs(mapping):
        if pair_key(p) == key:
            return pair_value(p)
    return None


def dig(mapping, *keys: str):
    """Nested lookup through mappings: dig(m, "spec", "template")."""
    node = mapping
    for k in keys:
        if node is None:
            return None
        node = get(node if node.type in MAPPINGS else mapping_of(node), k)
    return node


def document_of(node):
    while node is not None and node.type != "document":
        node = node.parent
    return node


def root_mapping(doc):
    if doc is None:
        return None
    for c in doc.named_children:
        m = mapping_of(c) if c.type in ("block_node", "flow_node") else None
        if m is not None:
            return m
    return None


def key_path(node) -> list[str]:
    """Keys from the document root down to `node` (a pair or a value), "[]" for sequence items."""
    path: list[str] = []
    n = node
    while n is not None and n.type != "document":
        parent = n.parent
        if n.type in PAIRS:
            path.append(pair_key(n))
        elif n.type == "block_sequence_item" or (parent is not None and parent.type == "flow_sequence"):
            path.append("[]")
        n = parent
    path.reverse()
    return path


def enclosing_mapping(pair):
    """The mapping a pair belongs to."""
    return pair.parent if pair is not None and pair.parent is not None and pair.parent.type in MAPPINGS else None


# ------------------------------------------------------------------ document kinds

KUBERNETES, COMPOSE, ACTIONS = "kubernetes", "compose", "actions"


def _is_compose_name(path: str) -> bool:
    name = PurePosixPath(path.replace("\\", "/")).name.lower()
    return any(fnmatch.fnmatchcase(name, p) for p in COMPOSE_NAMES)


def is_workflow_path(path: str) -> bool:
    p = path.replace("\\", "/")
    return "/.github/workflows/" in f"/{p}" and p.lower().endswith((".yml", ".yaml"))


def is_action_path(path: str) -> bool:
    name = PurePosixPath(path.replace("\\", "/")).name.lower()
    return name in ("action.yml", "action.yaml")


def doc_kind(file_path: str, node) -> str | None:
    """What the YAML document containing `node` is: KUBERNETES, COMPOSE, ACTIONS or None."""
    doc = document_of(node)
    root = root_mapping(doc)
    if root is None:
        return None
    keys = {pair_key(p) for p in pairs(root)}
    if is_workflow_path(file_path) or is_action_path(file_path):
        return ACTIONS
    if "apiVersion" in keys and "kind" in keys:
        return KUBERNETES
    if _is_compose_name(file_path) or ("services" in keys and mapping_of(get(root, "services")) is not None
                                       and "apiVersion" not in keys):
        return COMPOSE
    if "jobs" in keys and ({"on", "true", True} & keys):
        return ACTIONS
    return None


def k8s_kind(node) -> str:
    root = root_mapping(document_of(node))
    return scalar(get(root, "kind")) or "" if root is not None else ""
