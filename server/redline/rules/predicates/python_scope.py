"""Syntax helpers for Python predicates: calls, arguments, enclosing scopes, imports.

Everything here reads only what the predicate contract allows (rules/predicates/__init__.py):
the match's enclosing top-level definition and the module-level statements. Results that are
worth keeping during one scan (import tables, per-function facts) live in `scan_cache(file)`,
which is reset whenever a different tree is scanned, and is per thread.
"""

from __future__ import annotations

import threading

import tree_sitter as ts
from bisect import bisect_right

from redline.secrets.regex import linear

_local = threading.local()

FUNCTION_TYPES = frozenset({"function_definition", "lambda"})
SCOPE_TYPES = frozenset({"function_definition", "module"})
COMPREHENSIONS = frozenset(
    {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"}
)


def scan_cache(file) -> dict:
    """A dict that lives as long as this thread scans the same tree of the same file."""
    state = getattr(_local, "state", None)
    if state is None or state[0] is not file.tree or state[1] is not file.text:
        state = (file.tree, file.text, {})
        _local.state = state
    return state[2]


def module_root(file):
    """The tree's root node, one object per scan (py-tree-sitter caches a node's children on the
    node object, and `tree.root_node` makes a new one each time)."""
    cache = scan_cache(file)
    root = cache.get("root")
    if root is None:
        root = cache["root"] = file.tree.root_node
    return root


def text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


# ---------------------------------------------------------------- calls and arguments


def call_args(call) -> tuple[list, dict]:
    """Positional argument nodes and {keyword: value node} of a call (splats are skipped)."""
    args = call.child_by_field_name("arguments")
    positional, keywords = [], {}
    if args is None:
        return positional, keywords
    if args.type == "generator_expression":  # f(x for x in y)
        return [args], keywords
    for a in args.named_children:
        t = a.type
        if t == "keyword_argument":
            key = a.child_by_field_name("name")
            value = a.child_by_field_name("value")
            if key is not None and value is not None:
                keywords[text(key)] = value
        elif t in ("comment", "list_splat", "dictionary_splat"):
            continue
        else:
            positional.append(a)
    return positional, keywords


def has_splat(call) -> bool:
    args = call.child_by_field_name("arguments")
    return args is not None and any(a.type in ("list_splat", "dictionary_splat") for a in args.named_children)


def keyword_node(call, name: str):
    """The keyword_argument node `name=...` of a call, or None."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return None
    for a in args.named_children:
        if a.type == "keyword_argument":
            key = a.child_by_field_name("name")
            if key is not None and key.text == name.encode():
                return a
    return None


def arg(call, index: int, keyword: str | None = None):
    """The argument at `index` (or passed as `keyword`), or None."""
    positional, keywords = call_args(call)
    if keyword and keyword in keywords:
        return keywords[keyword]
    return positional[index] if index < len(positional) else None


def unwrap(node):
    """Strip parentheses (and `await`)."""
    while node is not None and node.type in ("parenthesized_expression", "await") and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def callee_name(call) -> str:
    """The last name of the called function: `execute` for `cur.execute(...)`."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return ""
    if fn.type == "identifier":
        return text(fn)
    if fn.type == "attribute":
        return text(fn.child_by_field_name("attribute"))
    return ""


def is_true(node) -> bool:
    return node is not None and node.type == "true"


def is_false(node) -> bool:
    return node is not None and (node.type == "false" or (node.type == "integer" and node.text == b"0"))


def int_value(node) -> int | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "integer":
        try:
            return int(text(node).replace("_", ""), 0)
        except ValueError:
            return None
    if node.type == "binary_operator":
        left, right = int_value(node.child_by_field_name("left")), int_value(node.child_by_field_name("right"))
        op = node.child_by_field_name("operator")
        if left is None or right is None or op is None:
            return None
        return {"*": left * right, "+": left + right, "-": left - right, "|": left | right}.get(op.type)
    return None


def string_value(node) -> str | None:
    """The value of a plain string literal (no interpolation), without prefix and quotes."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "concatenated_string":
        parts = [string_value(c) for c in node.named_children]
        return None if any(p is None for p in parts) else "".join(parts)
    if node.type != "string":
        return None
    out = []
    for c in node.named_children:
        if c.type == "interpolation":
            return None
        if c.type in ("string_content", "escape_sequence"):
            out.append(text(c))
    return "".join(out)


# ---------------------------------------------------------------- scopes


def enclosing(node, types):
    n = node.parent
    while n is not None:
        if n.type in types:
            return n
        n = n.parent
    return None


def enclosing_function(node):
    """The innermost function_definition around `node`, or None at module level."""
    return enclosing(node, ("function_definition",))


def top_level(node, file=None):
    """The module-level statement that contains `node` (found by position when `file` is
    given, which avoids walking up the tree)."""
    if file is not None and file.tree is not None:
        root = module_root(file)
        # The first child that ends after the node's start (found in C, without listing the
        # module's children): the last one that starts at or before it when it contains the node.
        kid = root.first_child_for_byte(node.start_byte)
        if kid is not None and kid.start_byte <= node.start_byte and kid.end_byte >= node.end_byte:
            return kid
        cache = scan_cache(file)
        kids = cache.get("top")
        if kids is None:
            kids = cache["top"] = list(root.children)
            cache["top_starts"] = [k.start_byte for k in kids]
        starts = cache["top_starts"]
        i = bisect_right(starts, node.start_byte) - 1
        if 0 <= i < len(kids) and kids[i].end_byte >= node.end_byte:
            return kids[i]
    n = node
    while n.parent is not None and n.parent.parent is not None:
        n = n.parent
    return n


DEFINITIONS = frozenset({"function_definition", "class_definition", "decorated_definition"})


def module_statements(file) -> list:
    """The module-level statements other than function and class definitions, in order (one
    cheap pass over the module's children per tree; nothing inside a definition is read)."""
    cache = scan_cache(file)
    out = cache.get("module_statements")
    if out is None:
        out = [c for c in module_root(file).children if c.is_named and c.type not in DEFINITIONS]
        cache["module_statements"] = out
    return out


def local_text(file, node) -> bytes:
    """The text a predicate may search around `node`: its enclosing function, or at module
    level the module-level statements (function and class bodies left out)."""
    fn = enclosing_function(node)
    if fn is not None:
        return fn.text
    cache = scan_cache(file)
    out = cache.get("module_text")
    if out is None:
        out = b"\n".join(c.text for c in module_root(file).children if c.type not in DEFINITIONS)
        cache["module_text"] = out
    return out


def decorators(fn) -> list:
    parent = fn.parent
    if parent is not None and parent.type == "decorated_definition":
        return [d for d in parent.named_children if d.type == "decorator"]
    return []


def function_name(fn) -> str:
    return text(fn.child_by_field_name("name")) if fn is not None else ""


def parameters(fn) -> list[tuple[str, object, object | None, object | None]]:
    """(name, node, default value, type annotation) of each parameter of a function."""
    params = fn.child_by_field_name("parameters")
    out = []
    if params is None:
        return out
    for p in params.named_children:
        t = p.type
        if t == "identifier":
            out.append((text(p), p, None, None))
        elif t in ("default_parameter", "typed_default_parameter"):
            name = p.child_by_field_name("name")
            out.append((text(name), name, p.child_by_field_name("value"), p.child_by_field_name("type")))
        elif t == "typed_parameter":
            ident = next((c for c in p.named_children if c.type == "identifier"), None)
            if ident is not None:
                out.append((text(ident), ident, None, p.child_by_field_name("type")))
            else:  # *args: T / **kw: T
                inner = next((c for c in p.named_children if c.type in ("list_splat_pattern", "dictionary_splat_pattern")), None)
                if inner is not None and inner.named_child_count:
                    out.append((text(inner.named_children[0]), inner.named_children[0], None, p.child_by_field_name("type")))
        elif t in ("list_splat_pattern", "dictionary_splat_pattern") and p.named_child_count:
            out.append((text(p.named_children[0]), p.named_children[0], None, None))
    return out


# ---------------------------------------------------------------- imports


def _import_bindings(stmt) -> list[tuple[str, str]]:
    """(local name, qualified name) bound by one import statement."""
    out = []
    if stmt.type == "import_statement":
        for n in stmt.children_by_field_name("name"):
            if n.type == "aliased_import":
                out.append((text(n.child_by_field_name("alias")), text(n.child_by_field_name("name"))))
            elif n.type == "dotted_name":
                full = text(n)
                out.append((full.split(".", 1)[0], full.split(".", 1)[0]))
    elif stmt.type == "import_from_statement":
        mod = stmt.child_by_field_name("module_name")
        module = text(mod) if mod is not None and mod.type == "dotted_name" else ""
        if not module:
            return out  # relative imports name local code
        for n in stmt.children_by_field_name("name"):
            if n.type == "aliased_import":
                out.append((text(n.child_by_field_name("alias")), f"{module}.{text(n.child_by_field_name('name'))}"))
            elif n.type == "dotted_name":
                out.append((text(n), f"{module}.{text(n)}"))
    return out


def _collect_imports(node, into: dict[str, str], descend_defs: bool) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("import_statement", "import_from_statement"):
            for local, qual in _import_bindings(n):
                into.setdefault(local, qual)
            continue
        if not descend_defs and t in ("function_definition", "class_definition", "decorated_definition"):
            continue
        if t in ("expression_statement", "call", "string", "comment"):
            continue
        stack.extend(reversed(n.named_children))


def module_imports(file) -> dict[str, str]:
    """{local name: qualified name} of the imports among module-level statements."""
    cache = scan_cache(file)
    table = cache.get("imports")
    if table is None:
        table = {}
        if file.tree is not None:
            for stmt in module_statements(file):
                _collect_imports(stmt, table, descend_defs=False)
        cache["imports"] = table
    return table


def imports_for(file, node) -> dict[str, str]:
    """Module imports plus those inside the top-level definition that contains `node`."""
    top = top_level(node, file)
    if top.type not in ("function_definition", "class_definition", "decorated_definition"):
        return module_imports(file)
    cache = scan_cache(file)
    key = ("imports", top.start_byte, top.end_byte)
    table = cache.get(key)
    if table is None:
        if b"import" not in file.text[top.start_byte : top.end_byte]:
            table = module_imports(file)
        else:
            local: dict[str, str] = {}
            # The import statements inside the definition, found by the query engine rather
            # than by walking a (possibly 2000-line) class in Python.
            cursor = ts.QueryCursor(_import_query())
            cursor.set_byte_range(top.start_byte, top.end_byte)
            for _, nodes in sorted(cursor.captures(top).items()):
                for stmt in sorted(nodes, key=lambda n: n.start_byte):
                    for name, qual in _import_bindings(stmt):
                        local.setdefault(name, qual)
            table = dict(module_imports(file))
            table.update(local)
        cache[key] = table
    return table


_IMPORT_QUERY = None


def _import_query():
    global _IMPORT_QUERY
    if _IMPORT_QUERY is None:
        from redline import languages as langs

        _IMPORT_QUERY = ts.Query(langs.grammar("python"), "(import_statement) @i (import_from_statement) @i")
    return _IMPORT_QUERY


def imports_module(file, *prefixes: str) -> bool:
    """Does any import (module level) name one of these modules or their submodules?"""
    cache = scan_cache(file)
    key = ("imports_module", prefixes)
    hit = cache.get(key)
    if hit is None:
        hit = False
        for qual in module_imports(file).values():
            if any(qual == p or qual.startswith(p + ".") for p in prefixes):
                hit = True
                break
        cache[key] = hit
    return hit


def qualname(file, node) -> str | None:
    """`subprocess.run` for `run` after `from subprocess import run`; dotted names as written
    otherwise; None for expressions that are not (attribute chains of) names."""
    node = unwrap(node)
    if node is None:
        return None
    parts = []
    while node.type == "attribute":
        parts.append(text(node.child_by_field_name("attribute")))
        node = unwrap(node.child_by_field_name("object"))
        if node is None:
            return None
    if node.type != "identifier":
        return None
    base = text(node)
    base = imports_for(file, node).get(base, base)
    return ".".join([base, *reversed(parts)])


_ALIAS_RE = linear(rb"\bas\s+([A-Za-z_]\w*)")


def _import_aliases(file) -> frozenset:
    """Every name that follows `as` in the file: a superset of the names imports bind with
    `as` (with/except targets too), found by a text scan once per tree."""
    cache = scan_cache(file)
    names = cache.get("import_aliases")
    if names is None:
        names = frozenset(_ALIAS_RE.findall(file.text))
        cache["import_aliases"] = names
    return names


def alias_rejected(ctx) -> bool:
    """For a rule's alias pattern `((call function: (identifier) @fn @alias) @match)`: skip the
    match (True) unless the called name is an import alias of another function (`from subprocess
    import run as sh`, `from os import system as run_it`, module level or inside the definition),
    which the rule's name-anchored patterns cannot see. The predicate then judges the real
    callee by its qualified name."""
    node = ctx.captures.get("alias")
    if not node:
        return False
    if node[0].text not in _import_aliases(ctx.file):
        return True  # most calls: no import anywhere in the file is renamed to this name
    name = text(node[0])
    qual = imports_for(ctx.file, node[0]).get(name)
    return qual is None or "." not in qual or qual.rsplit(".", 1)[-1] == name


def call_qualname(file, call) -> str | None:
    return qualname(file, call.child_by_field_name("function"))


def last_imports_end(file) -> int | None:
    """Byte offset just after the last module-level import statement (None when there is none)."""
    end = None
    for child in file.tree.root_node.named_children:
        if child.type in ("import_statement", "import_from_statement", "future_import_statement"):
            end = child.end_byte
    return end
