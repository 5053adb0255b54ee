"""Quick fixes for Python rules. Each returns a `Fix` whose edits give working, secure code, or
None when the code's shape does not allow a mechanical rewrite (tests apply every fix, re-parse
the result and check that the rule no longer fires)."""

from __future__ import annotations

import re

from redline.findings import Fix, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix
from redline.rules.predicates.python_scope import (
    arg,
    call_args,
    call_qualname,
    callee_name,
    int_value,
    keyword_node,
    module_imports,
    text,
    unwrap,
)
from redline.rules.predicates.python_strings import Hole, Template
from redline.rules.predicates.taint_python import scope_for, single_definition
from redline.secrets.regex import linear


# ---------------------------------------------------------------- edit helpers


def _span(ctx, start: int, end: int) -> Span:
    return ctx.file.span(start, end)


def replace_node(ctx, node, new_text: str) -> TextEdit:
    return TextEdit(Span.of_node(node), new_text)


def remove_argument(ctx, node) -> TextEdit:
    """Delete an argument with the comma that separates it from its neighbours."""
    prev = node.prev_sibling
    nxt = node.next_sibling
    if prev is not None and prev.type == ",":
        return TextEdit(_span(ctx, prev.start_byte, node.end_byte), "")
    if nxt is not None and nxt.type == ",":
        end = nxt.end_byte
        after = nxt.next_sibling
        if after is not None:
            end = after.start_byte
        return TextEdit(_span(ctx, node.start_byte, end), "")
    return TextEdit(Span.of_node(node), "")


def append_arguments(ctx, call, extra: str) -> TextEdit:
    """Add `extra` (", x=1, y=2" without the leading comma) at the end of a call's arguments."""
    args = call.child_by_field_name("arguments")
    close = args.children[-1]
    before = close.prev_sibling
    if before is None or before.type == "(":
        return TextEdit(_span(ctx, close.start_byte, close.start_byte), extra)
    if before.type == ",":
        return TextEdit(_span(ctx, close.start_byte, close.start_byte), extra + ",")
    return TextEdit(_span(ctx, before.end_byte, before.end_byte), ", " + extra)


def has_import(ctx, module: str) -> bool:
    return module_imports(ctx.file).get(module) == module


def import_edit(ctx, module: str) -> TextEdit | None:
    """`import module` after the existing module-level imports (None when already there)."""
    if has_import(ctx, module):
        return None
    root = ctx.file.tree.root_node
    last = None
    for child in root.named_children:
        if child.type in ("import_statement", "import_from_statement", "future_import_statement"):
            last = child
    if last is not None:
        return TextEdit(_span(ctx, last.end_byte, last.end_byte), f"\nimport {module}")
    first = None
    for child in root.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count and child.named_children[0].type == "string" and first is None:
            # The module docstring stays first.
            return TextEdit(_span(ctx, child.end_byte, child.end_byte), f"\nimport {module}")
        first = child
        break
    pos = first.start_byte if first is not None else 0
    return TextEdit(_span(ctx, pos, pos), f"import {module}\n")


def py_string(s: str, multiline_hint: bool = False) -> str:
    """A Python literal for `s` (double quotes, triple quotes for multi-line text)."""
    if "\n" in s and '"""' not in s and "\\" not in s and not s.endswith('"'):
        return '"""' + s + '"""'
    out = repr(s)
    if out.startswith("'") and '"' not in s:
        out = '"' + out[1:-1].replace("\\'", "'") + '"'
    return out


# ---------------------------------------------------------------- SQL placeholders

VALUE_CONTEXT = linear(
    r"(=|<|>|<=|>=|<>|!=|\(|,|\b(?:in|like|ilike|values|limit|offset|and|or|then|else|between|is|not|set|when|case)\s*\(?)\s*$",
    re.IGNORECASE,
)
IDENT_CONTEXT = linear(r"\b(from|join|into|table|update|by|as|index|exists|database|schema|view)\s*$", re.IGNORECASE)
QMARK = ("sqlite3", "aiosqlite", "pyodbc", "duckdb", "snowflake", "jaydebeapi")
PYFORMAT = ("psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql", "django.db", "pgdb", "pymssql", "aiomysql", "aiopg")


def paramstyle(ctx, call) -> str | None:
    """'qmark', 'format' or 'named' (SQLAlchemy) for the driver this module uses; None if unknown."""
    mods = set(module_imports(ctx.file).values())

    def uses(prefixes):
        return any(m == p or m.startswith(p + ".") for m in mods for p in prefixes)
    styles = [s for s, prefixes in (("qmark", QMARK), ("format", PYFORMAT)) if uses(prefixes)]
    if len(styles) == 1:
        return styles[0]
    return None


def sql_with_placeholders(tpl: Template, style: str) -> tuple[str, list] | None:
    """The query text with placeholders and the value expressions, or None when a value is not
    in a value position (a table name, part of a LIKE pattern, ...)."""
    parts = list(tpl.parts)
    out: list[str] = []
    values: list = []
    i = 0
    while i < len(parts):
        p = parts[i]
        if isinstance(p, str):
            out.append(p)
            i += 1
            continue
        before = "".join(out)
        after = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], str) else ""
        quote = ""
        stripped = before.rstrip()
        if stripped.endswith(("'", '"')) and after.startswith(stripped[-1]):
            quote = stripped[-1]
            if before.endswith(quote):
                before = before[:-1]
            else:
                return None  # a quote, then text, then the value: part of a literal
            after = after[1:]
        elif before.endswith(("'", '"', "%", "_")) or after.startswith(("'", '"', "%", "_")) or re.search(r"[\w.]$", before) or re.match(r"^[\w.]", after):
            return None
        if IDENT_CONTEXT.search(before) or not VALUE_CONTEXT.search(before):
            return None
        n = len(values) + 1
        placeholder = {"qmark": "?", "format": "%s", "named": f":p{n}"}[style]
        out = [before, placeholder]
        values.append(p.node)
        if i + 1 < len(parts) and isinstance(parts[i + 1], str):
            parts[i + 1] = after
        i += 1
    query = "".join(out)
    if style == "format":
        # Literal % signs must be doubled once the driver formats the query.
        query = re.sub(r"%(?!s)", "%%", query.replace("%s", "\x00")).replace("\x00", "%s")
    if "{" in query and tpl.how == "an f-string":
        pass
    return query, values


def _params_text(ctx, values: list, style: str) -> str:
    exprs = [text(v) for v in values]
    if style == "named":
        return "{" + ", ".join(f'"p{i + 1}": {e}' for i, e in enumerate(exprs)) + "}"
    if len(exprs) == 1:
        return f"({exprs[0]},)"
    return "(" + ", ".join(exprs) + ")"


def _movable(ctx, values, def_node, call) -> bool:
    """Can the value expressions be evaluated at the call instead of the definition?"""
    for v in values:
        v = unwrap(v)
        if v.type not in ("identifier", "attribute", "subscript", "integer", "string", "call"):
            return False
        if v.type == "call" and callee_name(v) not in ("str", "int", "float"):
            return False
        names = [n for n in _identifiers(v)]
        scope = scope_for(ctx.file, call)
        for name in names:
            for d in scope.defs.get(name, ()):
                if def_node.end_byte < d.pos <= call.start_byte:
                    return False
    return True


def _identifiers(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            yield text(n)
        stack.extend(n.named_children)


@fix("python.sql_parameterize")
def sql_parameterize(ctx: MatchContext, verdict: Verdict):
    call = verdict.node if verdict.node is not None else ctx.node("match")
    if call is None or call.type != "call" or callee_name(call) not in ("execute",):
        return None
    built = verdict.data.get("built")
    sink_arg = verdict.data.get("arg")
    positional, kw = call_args(call)
    if built is None or sink_arg is None or len(positional) != 1 or kw or positional[0] != sink_arg:
        return None
    sink_arg = unwrap(sink_arg)
    if sink_arg.type == "call" and callee_name(sink_arg) == "text":
        inner = arg(sink_arg, 0)
        style = "named"
        target = unwrap(inner)
    else:
        style = paramstyle(ctx, call)
        target = sink_arg
    if style is None or target is None:
        return None
    result = sql_with_placeholders(built.tpl, style)
    if result is None:
        return None
    query, values = result
    params = _params_text(ctx, values, style)
    edits = []
    if target.type == "identifier":
        d = single_definition(ctx.file, target)
        if d is None or d.value is None or d.value.start_byte != built.node.start_byte or not _movable(ctx, values, d.value, call):
            return None
        edits.append(replace_node(ctx, d.value, py_string(query)))
        edits.append(TextEdit(_span(ctx, sink_arg.end_byte, sink_arg.end_byte), f", {params}"))
    else:
        if target.start_byte != built.node.start_byte:
            return None
        edits.append(replace_node(ctx, target, py_string(query)))
        edits.append(TextEdit(_span(ctx, sink_arg.end_byte, sink_arg.end_byte), f", {params}"))
    placeholder = {"qmark": "?", "format": "%s", "named": ":name"}[style]
    return Fix(title=f"Pass the values as query parameters ({placeholder} placeholders)", edits=tuple(edits), safe=False)


# ---------------------------------------------------------------- shell -> argument list

SHELL_META = linear(r"[|&;<>()$`\\\"'*?\[\]{}~!#\n]")


def _argv(ctx, tpl: Template) -> list[str] | None:
    tokens: list[list] = [[]]
    for p in tpl.parts:
        if isinstance(p, str):
            if SHELL_META.search(p):
                return None
            pieces = re.split(r"(\s+)", p)
            for piece in pieces:
                if not piece:
                    continue
                if piece.isspace():
                    if tokens[-1]:
                        tokens.append([])
                else:
                    tokens[-1].append(piece)
        else:
            tokens[-1].append(p)
    tokens = [t for t in tokens if t]
    if not tokens or not isinstance(tokens[0][0], str):
        return None  # the program itself comes from a value
    out = []
    for tok in tokens:
        if all(isinstance(x, str) for x in tok):
            out.append(py_string("".join(tok)))
        elif len(tok) == 1 and not tok[0].spec:
            expr = text(unwrap(tok[0].node))
            out.append(f"str({expr})")
        else:
            exprs = [text(x.node) for x in tok if isinstance(x, Hole)]
            quote = '"' if not any('"' in e for e in exprs) else ("'" if not any("'" in e for e in exprs) else None)
            if quote is None:
                return None
            body = "".join(x.replace("{", "{{").replace("}", "}}") if isinstance(x, str) else "{" + text(x.node) + (x.spec if x.spec.startswith(("!", ":")) else "") + "}" for x in tok)
            out.append(f"f{quote}{body}{quote}")
    return out


@fix("python.shell_to_list")
def shell_to_list(ctx: MatchContext, verdict: Verdict):
    built = verdict.data.get("built")
    kind = verdict.data.get("kind")
    target = unwrap(verdict.data.get("arg"))
    call = ctx.node("match")
    if built is None or target is None or kind not in ("shell", "subprocess"):
        return None
    if target.start_byte != built.node.start_byte:
        return None  # through a variable: leave it to a human
    argv = _argv(ctx, built.tpl)
    if argv is None:
        return None
    listing = "[" + ", ".join(argv) + "]"
    qn = call_qualname(ctx.file, call) or ""
    if kind == "subprocess":
        shell = keyword_node(call, "shell")
        if shell is None:
            return None
        edits = [replace_node(ctx, target, listing), remove_argument(ctx, shell)]
        return Fix(title="Run the program with an argument list, without a shell", edits=tuple(edits), safe=False)
    if qn == "os.system":
        positional, kw = call_args(call)
        if kw or len(positional) != 1:
            return None
        edits = [replace_node(ctx, call, f"subprocess.call({listing})")]
        imp = import_edit(ctx, "subprocess")
        if imp is not None:
            edits.insert(0, imp)
        return Fix(title="Run the program with subprocess.call([...]), without a shell", edits=tuple(edits), safe=False)
    return None


# ---------------------------------------------------------------- TLS, debug


@fix("python.remove_keyword")
def remove_keyword(ctx: MatchContext, verdict: Verdict):
    node = ctx.node("match")
    if node is None or node.type != "keyword_argument" or not verdict.data.get("remove"):
        return None
    return Fix(title=f"Remove {text(node)} (keep certificate verification on)", edits=(remove_argument(ctx, node),), safe=True)


@fix("python.debug_off")
def debug_off(ctx: MatchContext, verdict: Verdict):
    node = ctx.node("match")
    key = verdict.data.get("keyword")
    if node is None or node.type != "call" or not key:
        return None
    kw = keyword_node(node, key)
    if kw is None:
        return None
    return Fix(title=f"Remove {text(kw)}", edits=(remove_argument(ctx, kw),), safe=False)


# ---------------------------------------------------------------- randomness

SECRETS_SAME = {"choice": "secrets.choice", "getrandbits": "secrets.randbits"}


@fix("python.use_secrets")
def use_secrets(ctx: MatchContext, verdict: Verdict):
    call = ctx.node("match")
    qn = verdict.data.get("qualname") or ""
    if not qn.startswith("random."):
        return None
    name = qn.split(".", 1)[1]
    fn = call.child_by_field_name("function")
    positional, kw = call_args(call)
    edits = []
    if name in SECRETS_SAME:
        edits.append(replace_node(ctx, fn, SECRETS_SAME[name]))
    elif name == "randint" and len(positional) == 2 and not kw:
        a, b = positional
        ia, ib = int_value(a), int_value(b)
        if ia is not None and ib is not None:
            expr = f"secrets.randbelow({ib - ia + 1})" + (f" + {ia}" if ia else "")
        else:
            expr = f"secrets.randbelow(({text(b)}) - ({text(a)}) + 1) + ({text(a)})"
        if call.parent is not None and call.parent.type not in ("expression_statement", "argument_list", "assignment", "return_statement"):
            expr = f"({expr})"
        edits.append(replace_node(ctx, call, expr))
    elif name == "randrange" and len(positional) == 1 and not kw:
        edits.append(replace_node(ctx, fn, "secrets.randbelow"))
    elif name == "randbytes":
        edits.append(replace_node(ctx, fn, "secrets.token_bytes"))
    else:
        edits.append(replace_node(ctx, fn, f"secrets.SystemRandom().{name}"))
    imp = import_edit(ctx, "secrets")
    if imp is not None:
        edits.insert(0, imp)
    return Fix(title="Use the secrets module (a cryptographic generator)", edits=tuple(edits), safe=True)


# ---------------------------------------------------------------- hashes


@fix("python.hash_sha256")
def hash_sha256(ctx: MatchContext, verdict: Verdict):
    if verdict.data.get("password"):
        return None
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    fn = call.child_by_field_name("function")
    if qn in ("hashlib.md5", "hashlib.sha1", "hashlib.md4") and fn.type == "attribute":
        return Fix(title="Use hashlib.sha256()", edits=(replace_node(ctx, fn.child_by_field_name("attribute"), "sha256"),), safe=False)
    if qn == "hashlib.new":
        name = arg(call, 0, "name")
        if name is not None and unwrap(name).type == "string":
            return Fix(title="Use SHA-256", edits=(replace_node(ctx, name, '"sha256"'),), safe=False)
    return None


# ---------------------------------------------------------------- cookies, templates, archives


@fix("python.cookie_flags")
def cookie_flags(ctx: MatchContext, verdict: Verdict):
    node = ctx.node("match")
    if node.type == "assignment":
        value = node.child_by_field_name("right")
        return Fix(title="Set it to True", edits=(replace_node(ctx, value, "True"),), safe=False)
    keys = verdict.data.get("keys") or []
    edits, add = [], []
    for key, kw in keys:
        if kw is None:
            add.append(f"{key}=True")
        else:
            edits.append(replace_node(ctx, kw.child_by_field_name("value"), "True"))
    if add:
        edits.append(append_arguments(ctx, node, ", ".join(add)))
    if not edits:
        return None
    return Fix(title="Set secure=True and httponly=True", edits=tuple(edits), safe=False)


@fix("python.jinja_autoescape_on")
def jinja_autoescape_on(ctx: MatchContext, verdict: Verdict):
    call = ctx.node("match")
    kw = keyword_node(call, "autoescape")
    if kw is not None:
        return Fix(title="Turn autoescaping on", edits=(replace_node(ctx, kw.child_by_field_name("value"), "True"),), safe=False)
    return Fix(title="Turn autoescaping on", edits=(append_arguments(ctx, call, "autoescape=True"),), safe=False)


@fix("python.tar_filter")
def tar_filter(ctx: MatchContext, verdict: Verdict):
    call = ctx.node("match")
    if keyword_node(call, "filter") is not None:
        return None
    return Fix(title='Extract with filter="data" (Python 3.12+, 3.8.17+)', edits=(append_arguments(ctx, call, 'filter="data"'),), safe=False)


@fix("python.xss_fix")
def xss_fix(ctx: MatchContext, verdict: Verdict):
    if verdict.data.get("fix") == "jinja":
        return jinja_autoescape_on(ctx, verdict)
    return None
