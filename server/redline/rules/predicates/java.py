"""Predicates and fixes for Java rules (java.toml); local taint in taint_java.py."""

from __future__ import annotations

import re

from redline.findings import Confidence, Fix, Related, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates import security_words as words
from redline.rules.predicates import shell_words, sql_params
from redline.rules.predicates.edits import delete_range
from redline.rules.predicates.taint_core import from_command_line, Flow, Kind, Policy, combine, describe, plus_operands, user_url_flow, verdict, walk
from redline.rules.predicates.taint_java import MODEL, JavaAnalyzer, java_analyzer, java_string_value
from redline.secrets.regex import linear

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

SQL_TEXT = linear(
    r"\b(select\b[\s\S]*\bfrom\b|insert\s+into\b|update\b[\s\S]*\bset\b|delete\s+from\b|replace\s+into\b|"
    r"(create|drop|alter|truncate)\s+(table|index|view|database|schema|user)\b|where\b|order\s+by\b|"
    r"group\s+by\b|values\s*\(|union\s+(all\s+)?select\b|^\s*from\s+\w+)",
    re.IGNORECASE,
)
STRONG_SQL_SINKS = MODEL.sink_callees("sql", "strong")
JDBC_TEMPLATE_SINKS = MODEL.sink_callees("sql", "jdbc-template")
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh",
                    "/usr/bin/sh", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-command", "-lc", "-ec"})
# Query languages (SQL, LDAP filters, XPath): user input is high; a parameter of the enclosing
# method mixed into the text is medium (the caller decides: a DAO method called with request
# data is the classic case, and the call may be in another file); a value of unknown origin (a
# field, the result of a call Redline cannot see into) is not reported. Concatenating values
# whose origin is unknown is everywhere in ordinary code (table names, ids from the database,
# configuration), and reporting them made these rules fire on every query built by
# concatenation, taint or not (issue 14).
INJECTION = Policy(HIGH, MEDIUM, None, built=True)
RESPONSE_NAMES = ("response", "resp", "res", "httpResponse", "servletResponse", "httpServletResponse")


def _a(ctx: MatchContext) -> JavaAnalyzer:
    return java_analyzer(ctx.file)


def _name(ctx: MatchContext, capture: str) -> str:
    """A captured class or callee name, fully qualified names read as the class they name
    (`java.security.MessageDigest` -> `MessageDigest`)."""
    return MODEL.simple_name(ctx.text(capture))


def _args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


def _const_string(a: JavaAnalyzer, node) -> str | None:
    if node is None:
        return None
    if node.type == "string_literal":
        return java_string_value(a, node)
    if node.type == "identifier":
        for b in a.visible(a.text(node), node):
            if b.value is not None and b.value.type == "string_literal":
                return java_string_value(a, b.value)
    value = a.constant(node)  # folded constants and the project's properties files
    return value if isinstance(value, str) else None


def _verdict(flow: Flow, conf, args, node=None, data=None):
    return verdict(flow, conf, args, node=node, data=data) if conf is not None else None


def _guard(a: JavaAnalyzer, kinds: set[str]):
    def accept(n, names, source_text) -> bool:
        if n.type == "method_invocation":
            name = a.text(n.child_by_field_name("name"))
            obj = n.child_by_field_name("object")
            args = n.child_by_field_name("arguments")
            if a.validator_name(name) and a.mentions(args, names, source_text):
                return True
            if "prefix" in kinds and name == "startsWith" and a.mentions(obj, names, source_text):
                return True
            if "base" in kinds and name == "startsWith" and a.mentions(obj, names, source_text):
                first = args.named_children[0] if args is not None and args.named_children else None
                return (first is not None and first.type != "string_literal") or bool(
                    re.search(r"normalize|[Cc]anonical|realpath|RealPath|resolve|Clean|Abs|EvalSymlinks", a.text(obj)))
            if "dotdot" in kinds and name in ("contains", "indexOf") and ".." in a.text(args) and a.mentions(obj, names, source_text):
                return True
            if "regex" in kinds and name == "matches" and (a.mentions(obj, names, source_text) or a.mentions(args, names, source_text)):
                return True
            if "regex" in kinds and name == "matcher" and a.mentions(args, names, source_text):
                return True
            if "allow" in kinds and name in ("contains", "containsKey", "indexOf") and a.mentions(args, names, source_text) \
                    and not a.mentions(obj, names, source_text):
                return True
            if "compare" in kinds and name in ("equals", "equalsIgnoreCase") and (
                    a.mentions(obj, names, source_text) or a.mentions(args, names, source_text)):
                return True
        return False

    return accept


def _receiver(call):
    return call.child_by_field_name("object") if call.type == "method_invocation" else None


# ---------------------------------------------------------------------- RL101 SQL


@predicate("java.sql")
def sql(ctx: MatchContext):
    a = _a(ctx)
    arg = ctx.node("arg")
    sink = ctx.text("sink")
    call = ctx.node("match")
    if arg is None:
        return None
    if sink in ("query", "update", "execute", "batchUpdate") and _receiver(call) is None:
        return None
    flow = a.flow(arg, "sql")
    if flow.kind < Kind.UNKNOWN:
        return None
    if sink not in STRONG_SQL_SINKS and not SQL_TEXT.search(flow.text):
        return None
    if sink in STRONG_SQL_SINKS and not SQL_TEXT.search(flow.text) and flow.kind != Kind.TAINTED:
        if not flow.how:
            return None
    conf = INJECTION.confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow), "sink": sink})


def java_parts(a: JavaAnalyzer, node, kinds: set[str]) -> list | None:
    t = node.type
    if t == "parenthesized_expression" and node.named_child_count == 1:
        return java_parts(a, node.named_children[0], kinds)
    if t == "string_literal":
        if a.text(node).startswith('"""'):
            return None
        return [sql_params.Text(_decode(java_string_value(a, node)))]
    if t == "binary_expression" and a.text(node.child_by_field_name("operator")) == "+":
        out = []
        for operand in plus_operands(node, a.is_plus):
            part = java_parts(a, operand, kinds)
            if part is None:
                return None
            out.extend(part)
        return out
    if t == "method_invocation" and a.text(node.child_by_field_name("object")) == "String" \
            and a.text(node.child_by_field_name("name")) == "format":
        args = _args(node)
        if not args or args[0].type != "string_literal":
            return None
        return _format_parts(_decode(java_string_value(a, args[0])), args[1:])
    return [sql_params.Value(node)]


_VERB = linear(r"%([-#+ 0,(]*\d*(?:\.\d+)?)([a-zA-Z%])")


def _format_parts(fmt: str, values: list) -> list | None:
    parts: list = []
    pos, vi = 0, 0
    for m in _VERB.finditer(fmt):
        parts.append(sql_params.Text(fmt[pos:m.start()]))
        pos = m.end()
        if m.group(2) == "%":
            parts.append(sql_params.Text("%"))
            continue
        if m.group(2) == "n":
            parts.append(sql_params.Text("\n"))
            continue
        if vi >= len(values) or m.group(2) not in "sSdfgeExXoc":
            return None
        parts.append(sql_params.Value(values[vi]))
        vi += 1
    parts.append(sql_params.Text(fmt[pos:]))
    if vi != len(values):
        return None
    return [p for p in parts if not (isinstance(p, sql_params.Text) and not p.text)]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


def _decode(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), raw)


def java_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + '"'


def _merge(parts: list) -> list:
    out: list = []
    for p in parts:
        if isinstance(p, sql_params.Text) and out and isinstance(out[-1], sql_params.Text):
            out[-1] = sql_params.Text(out[-1].text + p.text)
        else:
            out.append(p)
    return out


def _java_bound(a: JavaAnalyzer, b: sql_params.Bound) -> str:
    value = a.text(b.node)
    if b.prefix or b.suffix:
        out = value
        if b.prefix:
            out = f'"{b.prefix}" + {out}'
        if b.suffix:
            out = f'{out} + "{b.suffix}"'
        return out
    return value


def _sql_target(a: JavaAnalyzer, arg):
    """(the expression building the SQL, the declaration statement to delete or None)."""
    if arg.type in ("binary_expression", "method_invocation", "parenthesized_expression"):
        return arg, None
    if arg.type == "identifier":
        bindings = a.visible(a.text(arg), arg)
        if len(bindings) != 1 or bindings[0].kind != "value" or bindings[0].value is None:
            return None, None
        b = bindings[0]
        fn = a.outer_function(arg) or a.unit_of(arg)
        if len(a.uses(a.text(arg), fn)) != 2:
            return None, None
        decl = b.node.parent.parent if b.node.parent is not None else None
        if decl is None or decl.type != "local_variable_declaration" or len(decl.children_by_field_name("declarator")) != 1:
            return None, None
        return b.value, decl
    return None, None


def _parameterized(a: JavaAnalyzer, target, placeholder):
    parts = java_parts(a, target, set())
    if parts is None or not any(isinstance(p, sql_params.Value) for p in parts):
        return None
    return sql_params.parameterize(_merge(parts), placeholder)


@fix("java.sql_parameterize")
def sql_parameterize(ctx: MatchContext, v: Verdict):
    a = _a(ctx)
    call = ctx.node("match")
    arg = ctx.node("arg")
    sink = ctx.text("sink")
    args = _args(call)
    if not args or args[0] != arg:
        return None
    target, decl = _sql_target(a, arg)
    if target is None:
        return None
    recv = _receiver(call)
    recv_type = a.type_of(recv) if recv is not None else None
    recv_text = a.text(recv) if recv is not None else ""
    if sink in JDBC_TEMPLATE_SINKS and (recv_type in ("JdbcTemplate", "JdbcOperations") or "jdbc" in recv_text.lower()):
        if any(x.type in ("array_creation_expression",) for x in args[1:]) or len(args) > 2:
            return None
        result = _parameterized(a, target, lambda i: "?")
        if result is None:
            return None
        text, bound = result
        edits = [TextEdit(Span.of_node(target), java_literal(text)),
                 TextEdit(ctx.file.span(args[-1].end_byte, args[-1].end_byte), ", " + ", ".join(_java_bound(a, b) for b in bound))]
        return _with_decl(ctx, decl, edits, "Use ? placeholders and pass the values to JdbcTemplate")
    if sink in ("createQuery", "createNativeQuery") and len(args) <= 2:
        result = _parameterized(a, target, lambda i: f"?{i}")
        if result is None:
            return None
        text, bound = result
        params = "".join(f".setParameter({i}, {_java_bound(a, b)})" for i, b in enumerate(bound, 1))
        edits = [TextEdit(Span.of_node(target), java_literal(text)),
                 TextEdit(ctx.file.span(call.end_byte, call.end_byte), params)]
        return _with_decl(ctx, decl, edits, "Use positional parameters (?1) and setParameter()")
    if sink in ("executeQuery", "executeUpdate", "execute", "executeLargeUpdate") and len(args) == 1:
        return _prepared_statement(ctx, a, call, target, decl)
    return None


def _with_decl(ctx, decl, edits: list, title: str, safe: bool = True) -> Fix:
    """The fix; a `String sql = ...` declaration stays where it is, now with placeholders."""
    edits.sort(key=lambda e: e.span.start_byte)
    return Fix(title, tuple(edits), safe=safe)


def _statement_of(node):
    n = node
    while n is not None and n.type not in ("expression_statement", "local_variable_declaration", "return_statement",
                                            "if_statement", "while_statement"):
        n = n.parent
    return n


def _prepared_statement(ctx, a: JavaAnalyzer, call, target, decl):
    """Statement st = conn.createStatement(); ... st.executeQuery(sql)  ->
    PreparedStatement st = conn.prepareStatement(sql'); st.setObject(1, v); ... st.executeQuery()."""
    recv = _receiver(call)
    if recv is None or recv.type != "identifier":
        return None
    name = a.text(recv)
    bindings = a.visible(name, recv)
    if len(bindings) != 1 or bindings[0].value is None:
        return None
    b = bindings[0]
    create = b.value
    if create.type != "method_invocation" or a.text(create.child_by_field_name("name")) != "createStatement" or _args(create):
        return None
    holder = b.node.parent.parent if b.node.parent is not None and b.node.parent.type == "variable_declarator" else b.node.parent
    if holder is None or holder.type not in ("local_variable_declaration", "resource"):
        return None
    fn = a.outer_function(call)
    if fn is None or a.outer_function(holder) is None or a.outer_function(holder).start_byte != fn.start_byte:
        return None
    # The statement object must be used for this one query only (close() is fine).
    for use in a.uses(name, fn):
        if use.start_byte in (recv.start_byte, b.node.start_byte):
            continue
        parent = use.parent
        if parent is None or parent.type != "method_invocation" or a.text(parent.child_by_field_name("name")) != "close":
            return None
    result = _parameterized(a, target, lambda i: "?")
    if result is None:
        return None
    text, bound = result
    stmt = _statement_of(call)
    if stmt is None:
        return None
    line_start = ctx.file.text.rfind(b"\n", 0, stmt.start_byte) + 1
    indent = ctx.file.text[line_start:stmt.start_byte].decode()
    if indent.strip():
        return None
    sets = "".join(f"{name}.setObject({i}, {_java_bound(a, bb)});\n{indent}" for i, bb in enumerate(bound, 1))
    edits = []
    typ = holder.child_by_field_name("type")
    if typ is not None and a.text(typ) in ("Statement", "java.sql.Statement"):
        edits.append(TextEdit(Span.of_node(typ), "PreparedStatement" if a.text(typ) == "Statement" else "java.sql.PreparedStatement"))
    edits.append(TextEdit(Span.of_node(create.child_by_field_name("name")), "prepareStatement"))
    create_args = create.child_by_field_name("arguments")
    edits.append(TextEdit(Span.of_node(create_args), f"({java_literal(text)})"))
    edits.append(TextEdit(ctx.file.span(stmt.start_byte, stmt.start_byte), sets))
    args_node = call.child_by_field_name("arguments")
    edits.append(TextEdit(Span.of_node(args_node), "()"))
    if decl is not None:
        edits.append(delete_range(ctx.file, decl.start_byte, decl.end_byte))
    import_edit = _import_prepared_statement(ctx, a)
    if import_edit is not None:
        edits.append(import_edit)
    edits.sort(key=lambda e: e.span.start_byte)
    for x, y in zip(edits, edits[1:]):
        if x.span.end_byte > y.span.start_byte:
            return None
    return Fix("Use a PreparedStatement with ? placeholders", tuple(edits), safe=True)


def _import_prepared_statement(ctx, a: JavaAnalyzer) -> TextEdit | None:
    imports = [c for c in a.root.children if c.type == "import_declaration"]
    texts = [a.text(c) for c in imports]
    if any("java.sql.*" in t or "java.sql.PreparedStatement" in t for t in texts):
        return None
    anchor = next((c for c in imports if "java.sql.Statement" in a.text(c)), imports[-1] if imports else None)
    if anchor is None:
        return None
    return TextEdit(ctx.file.span(anchor.end_byte, anchor.end_byte), "\nimport java.sql.PreparedStatement;")


# ---------------------------------------------------------------------- RL102 command injection


def _elements_of(a: JavaAnalyzer, n):
    if n.type == "array_creation_expression":
        n = n.child_by_field_name("value")
    if n is not None and n.type == "array_initializer":
        return [c for c in n.named_children if c.type != "comment"]
    if n is not None and n.type == "method_invocation" and a.text(n.child_by_field_name("name")) in ("asList", "of"):
        return _args(n)
    return None


def _elements(a: JavaAnalyzer, node):
    """The element nodes of an array/list expression (new String[]{...}, {..}, Arrays.asList, List.of),
    following one variable; None when unknown."""
    n = node
    for _ in range(3):
        if n is None:
            return None
        if n.type == "array_creation_expression":
            n = n.child_by_field_name("value")
            continue
        if n.type == "array_initializer":
            return [c for c in n.named_children if c.type != "comment"]
        if n.type == "method_invocation" and a.text(n.child_by_field_name("name")) in ("asList", "of"):
            return _args(n)
        if n.type == "identifier":
            bs = a.visible(a.text(n), n)
            if len(bs) != 1 or bs[0].value is None:
                return None
            n = bs[0].value
            continue
        return None
    return None


def _argv_flow(a: JavaAnalyzer, call, elements):
    """(flow, shell?) for a command given as separate elements."""
    if not elements:
        return None, False
    programs, flags = _const_options(a, elements[0]), _const_options(a, elements[1]) if len(elements) > 1 else None
    constants = [_const_string(a, x) for x in elements]
    if programs is not None and not programs <= SHELLS and any(c in SHELLS for c in constants) \
            and any(c in SHELL_FLAGS for c in constants):
        # shell and flag added in branches (cmd.exe /c on Windows, sh -c elsewhere)
        return combine(a.flow(x, "cmd") for x, c in zip(elements, constants) if c is None), True
    if programs and programs <= SHELLS and len(elements) >= 3 and flags and flags <= SHELL_FLAGS:
        return combine(a.flow(x, "cmd") for x in elements[2:]), True
    flow = a.flow(elements[0], "cmd")
    return (flow if flow.kind == Kind.TAINTED else None), False


def _const_options(a: JavaAnalyzer, node) -> set[str] | None:
    """The constant strings `node` may hold (a variable set to "sh" or "cmd.exe" in two
    branches), or None when one of its values is not a constant."""
    if node is None:
        return None
    if node.type != "identifier":
        value = _const_string(a, node)
        return {value} if value is not None else None
    out: set[str] = set()
    for b in a.visible(a.text(node), node):
        if b.kind == "zero":
            continue
        value = _const_string(a, b.value) if b.value is not None else None
        if value is None:
            return None
        if value:
            out.add(value)  # "" is the initial value a branch replaces, not a program
    return out or None


def _alternatives(a: JavaAnalyzer, node) -> list[list] | None:
    """The element lists a command array variable may hold (one per assignment: `args = new
    String[]{...}` in each branch), or None."""
    if node.type != "identifier":
        return None
    out = []
    for b in a.visible(a.text(node), node):
        if b.kind == "zero" or b.value is None or b.value.type == "null_literal":
            continue
        elements = _elements_of(a, b.value)
        if elements is None:
            return None
        out.append(elements)
    return out or None


def _added(a: JavaAnalyzer, ident) -> list | None:
    """The values added to local list `ident` (`list.add(x)`), in source order, or None when it is
    not a local list built that way."""
    if ident.type != "identifier":
        return None
    bs = [b for b in a.visible(a.text(ident), ident) if b.kind != "append"]
    if len(bs) != 1 or bs[0].value is None or bs[0].value.type != "object_creation_expression" \
            or a.callee_name(bs[0].value) not in MODEL.propagates("container"):
        return None
    fn = a.outer_function(ident) or a.unit_of(ident)
    out = []
    for use in a.uses(a.text(ident), fn):
        call = use.parent
        if use.start_byte >= ident.start_byte or call is None or call.type != "method_invocation" or a.dead(use):
            continue
        if a.text(call.child_by_field_name("name")) == "add" and len(_args(call)) == 1:
            out.append(_args(call)[0])
    return out


def _worst(a: JavaAnalyzer, call, alternatives: list[list]):
    """Of several possible command arrays, the one user input reaches the most dangerously."""
    best, rank = None, -1
    for elements in alternatives:
        flow, shell = _argv_flow(a, call, elements)
        r = -1 if flow is None else int(flow.kind) * 2 + int(shell)
        if r > rank:
            best, rank = elements, r
    return best


def _env_flow(a: JavaAnalyzer, env):
    """The flow of Runtime.exec's environment array when user input is in it."""
    elements = _elements(a, env)
    flow = combine(a.flow(x, "cmd") for x in elements) if elements else a.flow(env, "cmd")
    return flow if flow.kind == Kind.TAINTED else None


def _fixed_program(a: JavaAnalyzer, node, depth: int = 0) -> bool:
    """Does the command line `node` start with constant text (`"rsync -a " + dir`), so that the
    non-constant pieces are arguments that Runtime.exec re-splits (each space starts another
    argument)? A program chosen by a value of unknown origin is configuration, not reported."""
    if node is None or depth > 3:
        return False
    while node is not None and (node.type == "parenthesized_expression" and node.named_child_count == 1
                                or node.type == "binary_expression" and a.text(node.child_by_field_name("operator")) == "+"):
        node = node.named_children[0] if node.type == "parenthesized_expression" else node.child_by_field_name("left")
    if node is None:
        return False
    if node.type == "identifier":
        bs = [b for b in a.visible(a.text(node), node) if b.value is not None]
        return len(bs) == 1 and _fixed_program(a, bs[0].value, depth + 1)
    value = _const_string(a, node)
    return bool(value and value.strip())


@predicate("java.command")
def command(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = _name(ctx, "fn")
    args = _args(call)
    if not args:
        return None
    if call.type == "method_invocation" and fn == "exec":
        recv = _receiver(call)
        if recv is None or not (a.text(recv) == "Runtime.getRuntime()" or a.type_of(recv) == "Runtime"):
            return None
        elements = _elements(a, args[0])
        env = _env_flow(a, args[1]) if len(args) > 1 and args[1].type != "null_literal" else None
        if env is not None:
            how = f"The environment of the command (LD_PRELOAD, PATH, BASH_ENV... choose what runs) built from {describe(env)}"
            if not a.guarded(call, env, _guard(a, set(MODEL.guards["cmd"]))):
                return _verdict(env, HIGH, {"how": how, "fn": "Runtime.exec()"}, data={"shell": False})
        if elements is None and _alternatives(a, args[0]):
            elements = _worst(a, call, _alternatives(a, args[0]))
        if elements is None:
            if a.type_of(args[0]) in ("String[]",) or args[0].type == "array_creation_expression":
                flow = a.flow(args[0], "cmd")
                if flow.kind != Kind.PARAM:
                    return None
                # a whole command array from the caller: program and arguments are the caller's choice
                return _verdict(flow, LOW, {"how": f"A command array from {describe(flow)}", "fn": "Runtime.exec()"},
                                data={"shell": False})
            flow = a.flow(args[0], "cmd")
            shell = False
            if flow.kind < Kind.UNKNOWN:
                return None
            how = f"A command line built from {describe(flow)}"
        else:
            flow, shell = _argv_flow(a, call, elements)
            if flow is None or flow.kind < Kind.UNKNOWN:
                return None
            how = f"A shell script built from {describe(flow)}" if shell else f"A program name from {describe(flow)}"
    else:
        if fn == "command" and (_receiver(call) is None or a.type_of(_receiver(call)) not in (None, "ProcessBuilder")):
            return None
        elements = args if len(args) > 1 else (_elements(a, args[0]) or _added(a, args[0]) or
                                                 _worst(a, call, _alternatives(a, args[0]) or []) or None)
        if elements is None:
            return None
        flow, shell = _argv_flow(a, call, elements)
        if flow is None or flow.kind < Kind.UNKNOWN:
            return None
        how = f"A shell script built from {describe(flow)}" if shell else f"A program name from {describe(flow)}"
    if a.guarded(call, flow, _guard(a, set(MODEL.guards["cmd"]))):
        return None
    if flow.kind == Kind.UNKNOWN and not (flow.how and (shell or (fn == "exec" and _fixed_program(a, args[0])))):
        return None  # an opaque value of unknown origin (a field, a call Redline cannot see into): see INJECTION
    # A command line or shell script *built* from values of unknown origin is a low-confidence
    # hint (what FindSecBugs and Semgrep's formatted-runtime-call report): Runtime.exec re-splits
    # it and a shell runs its metacharacters, so whoever controls one piece controls the command.
    conf = HIGH if flow.kind == Kind.TAINTED else (LOW if flow.kind == Kind.UNKNOWN else MEDIUM if flow.how else LOW)
    return _verdict(flow, conf, {"how": how, "fn": "Runtime.exec()" if fn == "exec" else "ProcessBuilder"},
                    data={"shell": shell})




@fix("java.command_argv")
def command_argv(ctx: MatchContext, v: Verdict):
    """Runtime.exec("ls -l " + dir) -> exec(new String[]{"ls", "-l", dir});
    new ProcessBuilder("sh", "-c", "ls -l " + dir) -> new ProcessBuilder("ls", "-l", dir)."""
    a = _a(ctx)
    call = ctx.node("match")
    args = _args(call)
    fn = _name(ctx, "fn")
    if fn == "exec" and len(args) == 1 and not v.data.get("shell") and args[0].type in ("binary_expression", "method_invocation"):
        target = args[0]
        wrap = True
    elif fn == "ProcessBuilder" and v.data.get("shell") and len(args) == 3:
        target = args[2]
        wrap = False
    else:
        return None
    parts = java_parts(a, target, set())
    if parts is None:
        return None
    words_ = shell_words.argv(_merge(parts))
    if not words_ or words_[0][0] != "text":
        return None
    rendered = ", ".join(java_literal(w) if k == "text" else a.text(w) for k, w in words_)
    if wrap:
        edit = TextEdit(Span.of_node(target), "new String[]{" + rendered + "}")
    else:
        edit = TextEdit(ctx.file.span(args[0].start_byte, args[2].end_byte), rendered)
    return Fix("Pass the program and its arguments separately (no shell, no re-splitting)", (edit,), safe=False)


# ---------------------------------------------------------------------- RL103 code injection


@predicate("java.code")
def code(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = _name(ctx, "fn")
    recv = _receiver(call)
    typ = a.type_of(recv) if recv is not None else None
    recv_text = a.text(recv) if recv is not None else ""
    # The receiver's declared type decides; only without one does its name count.
    if fn == "eval":
        types, hint, what = ("ScriptEngine", "NashornScriptEngine", "Compilable", "AbstractScriptEngine"), "engine", "ScriptEngine.eval"
        if "getEngineBy" in recv_text:
            typ = "ScriptEngine"
    elif fn == "parseExpression":
        types, hint, what = ("SpelExpressionParser", "ExpressionParser", "TemplateAwareExpressionParser"), "parser", "SpEL parseExpression"
    else:  # GroovyShell.evaluate / parse
        types, hint, what = ("GroovyShell",), "shell", f"GroovyShell.{fn}"
        if "GroovyShell" in recv_text:
            typ = "GroovyShell"
    if typ is not None and typ not in types:
        return None
    if typ is None and hint not in recv_text.lower():
        return None
    flow = a.flow(ctx.node("arg"), "code")
    if flow.kind < Kind.UNKNOWN:
        return None
    if a.guarded(call, flow, _guard(a, set(MODEL.guards["code"]))):
        return None
    conf = HIGH if flow.kind == Kind.TAINTED else (MEDIUM if flow.kind == Kind.PARAM or flow.how else LOW)
    return _verdict(flow, conf, {"how": describe(flow, "a non-constant string"), "fn": what})


# ---------------------------------------------------------------------- RL104 path traversal

FILES_TAKING_PATHS = MODEL.sink_callees("path")


@predicate("java.path")
def path_traversal(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = _name(ctx, "fn")
    args = _args(call)
    if not args:
        return None
    if call.type == "method_invocation" and _name(ctx, "cls") == "Files":
        # copy/move write to their last argument; the others take the path first.
        args = args if fn in ("copy", "move") else args[:1]
        args = [x for x in args if not a.text(x).startswith(("Paths.get", "Path.of", "new File"))]
        if not args:
            return None  # reported on the inner call
    if call.type == "object_creation_expression" and fn != "File":
        args = args[:1]  # FileOutputStream(name, append), FileReader(name, charset)...
    flow = combine(a.flow(x, "path") for x in args)
    if flow.kind < Kind.PARAM:
        return None
    builds_only = call.type == "object_creation_expression" and fn == "File" or fn in ("get", "of")
    if a.guarded(call, flow, _guard(a, set(MODEL.guards["path"])), anywhere=builds_only):
        return None
    if flow.kind == Kind.TAINTED:
        conf = LOW if from_command_line(flow) else HIGH
    elif flow.how or len(args) > 1:
        conf = LOW
    else:
        return None
    name = f"new {fn}" if call.type == "object_creation_expression" else f"{_name(ctx, 'cls')}.{fn}"
    return _verdict(flow, conf, {"how": describe(flow), "sink": name})


# ---------------------------------------------------------------------- RL105 XSS

PLAIN_CONTENT = linear(r"application/json|text/plain|text/csv|application/octet-stream|APPLICATION_JSON|TEXT_PLAIN")


def _is_response_writer(a: JavaAnalyzer, node) -> bool:
    if node is None:
        return False
    if node.type == "method_invocation":
        name = a.text(node.child_by_field_name("name"))
        if name in ("getWriter", "getOutputStream"):
            obj = node.child_by_field_name("object")
            if obj is None:
                return False
            typ = a.type_of(obj)
            return (typ or "").endswith("ServletResponse") or a.text(obj) in RESPONSE_NAMES
        return False
    if node.type == "identifier":
        for b in a.visible(a.text(node), node):
            if b.value is not None and _is_response_writer(a, b.value):
                return True
        return False
    return False


@predicate("java.xss")
def xss(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    if call.type == "return_statement":
        return _xss_return(ctx, a)
    if not _is_response_writer(a, ctx.node("w")):
        return None
    fn = _name(ctx, "fn")
    args = _args(call)
    if fn in ("printf", "format"):
        # the format string is data too (a tainted format is a tainted page); a Locale is not
        payload = args[1:] if args and "Locale" in a.text(args[0]) else args
    else:
        payload = args[:1]
    if not payload:
        return None
    flow = combine(a.flow(x, "html") for x in payload)
    if flow.kind != Kind.TAINTED:
        return None
    method = a.outer_function(call)
    if method is not None and PLAIN_CONTENT.search(a.text(method)):
        return None
    what = describe(flow)
    return _verdict(flow, HIGH, {"how": what[0].upper() + what[1:] + " written to the servlet response"})


def _xss_return(ctx, a: JavaAnalyzer):
    method = a.enclosing_function(ctx.node("match"))
    if method is None or method.type != "method_declaration":
        return None
    annotations = _annotations(a, method)
    cls = method.parent.parent if method.parent is not None else None
    class_annotations = _annotations(a, cls) if cls is not None and cls.type == "class_declaration" else set()
    if "ResponseBody" not in annotations and "RestController" not in class_annotations:
        return None
    if "produces" in a.text(method) and PLAIN_CONTENT.search(a.text(method)):
        return None
    flow = a.flow(ctx.node("arg"), "html")
    if flow.kind != Kind.TAINTED or "<" not in flow.text:
        return None
    what = describe(flow)
    return _verdict(flow, HIGH, {"how": what[0].upper() + what[1:] + " returned as the HTML body"})


def _annotations(a: JavaAnalyzer, decl) -> set[str]:
    out = set()
    for child in decl.named_children:
        if child.type == "modifiers":
            for ann in child.named_children:
                if ann.type in ("annotation", "marker_annotation"):
                    out.add(a.text(ann.child_by_field_name("name")).split(".")[-1])
    return out


# ---------------------------------------------------------------------- RL106 SSRF

FIXED_HOST = linear(r"^[a-z][a-z0-9+.-]*://[^/?#'\"%]+[/?#]", re.IGNORECASE)


def _prefix(a: JavaAnalyzer, node) -> str:
    n = node
    for _ in range(4):
        if n is None:
            return ""
        if n.type == "string_literal":
            return java_string_value(a, n)
        if n.type == "binary_expression":
            n = n.child_by_field_name("left")
            continue
        if n.type == "method_invocation" and a.text(n.child_by_field_name("name")) == "format":
            args = _args(n)
            s = _const_string(a, args[0]) if args else None
            return (s or "").split("%", 1)[0]
        if n.type == "identifier":
            bs = a.visible(a.text(n), n)
            n = bs[0].value if len(bs) == 1 else None
            continue
        return ""
    return ""


def _user_url_flow(a, at, node, kind: str):
    return user_url_flow(a, at, node, kind, _prefix, fixed_host, _guard)


def fixed_host(prefix: str) -> bool:
    for p in ("redirect:", "forward:"):
        if prefix.startswith(p):
            prefix = prefix[len(p):]
    return bool(FIXED_HOST.match(prefix)) or (prefix.startswith("/") and not prefix.startswith("//"))


REST_TEMPLATE_METHODS = frozenset({"getForObject", "getForEntity", "postForObject", "postForEntity", "exchange",
                                   "headForHeaders", "patchForObject", "optionsForAllow", "postForLocation"})


@predicate("java.ssrf")
def ssrf(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = _name(ctx, "fn")
    if call.type == "method_invocation":
        recv = _receiver(call)
        recv_text = a.text(recv) if recv is not None else ""
        if fn in REST_TEMPLATE_METHODS:
            pass
        elif fn == "create" and recv_text != "URI":
            return None
        elif fn == "newBuilder" and recv_text != "HttpRequest":
            return None
        elif fn == "url" and "Builder" not in recv_text:
            return None
        elif fn == "uri" and recv is None:
            return None
    arg = ctx.node("arg")
    flow = _user_url_flow(a, call, arg, "url")
    if flow is None:
        return None
    if fn in ("Socket", "InetSocketAddress") and from_command_line(flow):
        return None  # a client tool connecting to the host its user names: its purpose
    return _verdict(flow, HIGH, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL107 deserialization


@predicate("java.deserialize")
def deserialize(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    if call.type == "object_creation_expression":
        return _new_object_stream(ctx, a, call)
    fn = _name(ctx, "fn")
    method = a.enclosing_function(call)
    if method is not None and method.type == "method_declaration" and a.text(method.child_by_field_name("name")) in (
            "readObject", "readExternal", "readResolve", "readObjectNoData"):
        return None  # the class's own serialization hooks
    if fn in ("enableDefaultTyping", "activateDefaultTyping", "enableDefaultTypingAsProperty"):
        return Verdict(confidence=MEDIUM, args={"what": f"Jackson {fn}() (polymorphic typing from the JSON)"})
    recv = _receiver(call)
    if recv is None:
        return None
    if fn == "fromXML":
        scope = a.text(a.unit_of(call))
        if re.search(r"allowTypes|addPermission|setupDefaultSecurity|allowTypesByWildcard", scope):
            return None
        if a.type_of(recv) not in (None, "XStream") and "xstream" not in a.text(recv).lower():
            return None
        flow = a.flow(ctx.node("arg"), "deser")
        conf = HIGH if flow.kind == Kind.TAINTED else MEDIUM
        return _verdict(flow, conf, {"what": "XStream.fromXML() without a type allow-list"})
    typ = a.type_of(recv)
    if typ not in ("ObjectInputStream", "XMLDecoder") and not (typ is None and a.text(recv) in ("ois", "objectInputStream", "objectIn")):
        return None
    if recv.type == "identifier" and any(b.kind in ("param", "field") for b in a.visible(a.text(recv), recv)):
        return None  # a stream handed in: part of a class's own (de)serialization, not the entry point
    if recv.type == "object_creation_expression" or any(
            b.value is not None and b.value.type == "object_creation_expression" for b in a.visible(a.text(recv), recv)):
        return None  # reported where the stream is created
    scope = a.text(a.outer_function(call) or a.unit_of(call))
    if "setObjectInputFilter" in scope or "ValidatingObjectInputStream" in scope or "resolveClass" in a.text(a.unit_of(call)):
        return None
    stream_flow = _stream_origin(a, recv)
    conf = HIGH if stream_flow is not None and stream_flow.kind == Kind.TAINTED else MEDIUM
    what = "XMLDecoder.readObject()" if typ == "XMLDecoder" else f"ObjectInputStream.{fn}()"
    if stream_flow is not None and stream_flow.kind == Kind.TAINTED:
        return _verdict(stream_flow, conf, {"what": f"{what} on {describe(stream_flow)}"})
    return Verdict(confidence=conf, args={"what": what})


def _new_object_stream(ctx, a: JavaAnalyzer, creation):
    """new ObjectInputStream(in) / new XMLDecoder(in): the stream exists to deserialize."""
    typ = a.text(creation.child_by_field_name("type"))
    scope = a.text(a.outer_function(creation) or a.unit_of(creation))
    if "setObjectInputFilter" in scope or "resolveClass" in a.text(a.unit_of(creation)):
        return None
    method = a.enclosing_function(creation)
    if method is not None and method.type == "method_declaration" and a.text(method.child_by_field_name("name")) in (
            "readObject", "readExternal", "readResolve"):
        return None
    args = _args(creation)
    flow = combine(a.flow(x, "deser") for x in args) if args else None
    what = f"new {typ}(...).readObject()"
    if flow is not None and flow.kind == Kind.TAINTED:
        return _verdict(flow, HIGH, {"what": f"{what} on {describe(flow)}"})
    return Verdict(confidence=MEDIUM, args={"what": what})


def _stream_origin(a: JavaAnalyzer, recv):
    """The flow of what an ObjectInputStream/XMLDecoder reads from."""
    n = recv
    if n.type == "identifier":
        bs = a.visible(a.text(n), n)
        if len(bs) != 1 or bs[0].value is None:
            return None
        n = bs[0].value
    if n.type == "object_creation_expression":
        args = _args(n)
        return combine(a.flow(x, "deser") for x in args) if args else None
    return None


# ---------------------------------------------------------------------- RL108 template injection


@predicate("java.template")
def template(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = _name(ctx, "fn")
    args = _args(call)
    if call.type == "object_creation_expression":  # FreeMarker new Template(name, reader, cfg)
        if len(args) < 2 or args[1].type != "object_creation_expression" or "StringReader" not in a.text(args[1].child_by_field_name("type")):
            return None
        inner = _args(args[1])
        if not inner:
            return None
        target, engine = inner[0], "FreeMarker Template"
    elif fn == "evaluate":
        recv = _receiver(call)
        if recv is None or "velocity" not in a.text(recv).lower() and a.type_of(recv) not in ("VelocityEngine",):
            return None
        if len(args) < 4:
            return None
        target, engine = args[3], "Velocity.evaluate"
    else:  # Thymeleaf process(template, context)
        recv = _receiver(call)
        if recv is None or a.type_of(recv) not in ("TemplateEngine", "SpringTemplateEngine", "ITemplateEngine") \
                and "templateengine" not in a.text(recv).lower():
            return None
        if not args:
            return None
        target, engine = args[0], "TemplateEngine.process"
        flow = a.flow(target, "template")
        if flow.kind != Kind.TAINTED:
            return None
        return _verdict(flow, HIGH, {"how": f"{describe(flow)} ({engine})"})
    flow = a.flow(target, "template")
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": f"{describe(flow)} ({engine})"})


# ---------------------------------------------------------------------- RL109 XPath, RL110 LDAP, RL111 redirect


XPATH_TEXT = linear(r"/|\[|@|::|\bcount\(|\btext\(\)")


@predicate("java.xpath")
def xpath(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = _name(ctx, "fn")
    recv = _receiver(call)
    if recv is None:
        return None
    if fn in ("evaluate", "compile"):
        if a.type_of(recv) not in ("XPath",) and "xpath" not in a.text(recv).lower():
            return None
    flow = a.flow(ctx.node("arg"), "xpath")
    if flow.kind != Kind.TAINTED and not XPATH_TEXT.search(flow.text):
        return None
    conf = INJECTION.confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow)})


@predicate("java.ldap")
def ldap(ctx: MatchContext):
    a = _a(ctx)
    flow = a.flow(ctx.node("arg"), "ldap")
    if "(" not in flow.text or "=" not in flow.text:
        return None
    conf = INJECTION.confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow)})


@predicate("java.redirect")
def redirect(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    arg = ctx.node("arg")
    if call.type == "method_invocation":
        recv = _receiver(call)
        if recv is None:
            return None
    flow = _user_url_flow(a, call, arg, "redirect")
    if flow is None:
        return None
    return _verdict(flow, HIGH, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL143 trust boundary

TRUST_SINKS = [s for s in MODEL.sinks if s.category == "trust-boundary"]
TRUST_PLACES = {"HttpSession": "the session", "ServletContext": "the application context",
                "HttpServletRequest": "a request attribute", "ServletRequest": "a request attribute"}


@predicate("java.trust_boundary")
def trust_boundary(ctx: MatchContext):
    """Request data stored as a session, servlet-context or request attribute (CWE-501)."""
    a = _a(ctx)
    call = ctx.node("match")
    recv = ctx.node("obj")
    typ = a.type_of(recv)
    if typ is None and a.is_request(recv):
        typ = "HttpServletRequest"
    if typ is None and recv.type == "identifier" and a.text(recv).lower() in ("session", "httpsession"):
        typ = "HttpSession"
    fn = _name(ctx, "fn")
    sinks = [s for s in TRUST_SINKS if fn in s.callees and typ in s.receiver_types]
    if not sinks:
        return None
    flow = combine(a.flow(x, "trust-boundary") for x in _args(call))
    if flow.kind != Kind.TAINTED:
        return None
    if a.guarded(call, flow, _guard(a, set(MODEL.guards.get("trust-boundary", ()))), anywhere=False):
        return None
    what = describe(flow)
    return _verdict(flow, HIGH, {"how": what[0].upper() + what[1:], "sink": f"{TRUST_PLACES.get(typ, typ)} ({fn})"})


# ---------------------------------------------------------------------- RL112 SnakeYAML


@predicate("java.yaml")
def yaml(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    recv = _receiver(call)
    if recv is None:
        return None
    creation = recv
    if recv.type == "identifier":
        bs = a.visible(a.text(recv), recv)
        creation = next((b.value for b in bs if b.value is not None), None)
        if creation is None:
            return None
    if creation.type != "object_creation_expression" or a.text(creation.child_by_field_name("type")) != "Yaml":
        return None
    if re.search(r"SafeConstructor|LoaderOptions", a.text(creation)):
        return None
    flow = a.flow(ctx.node("arg"), "deser")
    conf = HIGH if flow.kind == Kind.TAINTED else MEDIUM
    how = f"SnakeYAML's new Yaml().{_name(ctx, 'fn')}()"
    return _verdict(flow, conf, {"how": how + (f" of {describe(flow)}" if flow.kind == Kind.TAINTED else "")})


# ---------------------------------------------------------------------- RL131 NoSQL


@predicate("java.nosql")
def nosql(ctx: MatchContext):
    a = _a(ctx)
    flow = a.flow(ctx.node("arg"), "code")
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": f"a $where clause built from {describe(flow)}"})


# ---------------------------------------------------------------------- crypto and configuration

WEAK_DIGESTS = {"MD5": "MD5", "MD4": "MD4", "MD2": "MD2", "SHA1": "SHA-1", "SHA-1": "SHA-1", "SHA": "SHA-1"}
DIGEST_UTILS_FIX = {"md5": "sha256", "md5Hex": "sha256Hex", "sha1": "sha256", "sha1Hex": "sha256Hex", "sha": "sha256",
                    "shaHex": "sha256Hex", "md2": "sha256", "md2Hex": "sha256Hex", "getMd5Digest": "getSha256Digest",
                    "getSha1Digest": "getSha256Digest", "getShaDigest": "getSha256Digest", "getMd2Digest": "getSha256Digest"}


def _context(a: JavaAnalyzer, node) -> set[str]:
    found = words.context_words(a, node, words.java_names)
    # A field's purpose shows in the methods that use it.
    field = node.parent
    while field is not None and field.type not in ("field_declaration", "method_declaration", "class_body"):
        field = field.parent
    if field is not None and field.type == "field_declaration":
        names = [a.text(d.child_by_field_name("name")) for d in field.children_by_field_name("declarator")]
        body = field.parent
        for member in body.named_children if body is not None else ():
            if member.type == "method_declaration" and any(
                    n.type == "identifier" and a.text(n) in names for n in walk(member)):
                found |= words.words_of([a.text(member.child_by_field_name("name"))])
    return found


@predicate("java.weak_hash")
def weak_hash(ctx: MatchContext):
    a = _a(ctx)
    algo_node = ctx.node("algo")
    cls = _name(ctx, "cls")
    if algo_node is not None:
        algo = _const_string(a, algo_node)
        if algo is None:
            return None
        if algo.upper() not in WEAK_DIGESTS:
            if algo.upper().startswith(("SHA-2", "SHA-3", "SHA-5", "SHA2", "SHA5", "SHA3")) and _context(a, ctx.node("match")) & words.PASSWORD_WORDS:
                return Verdict(confidence=MEDIUM, args={"algo": f"{algo} of a password (a fast hash: use Argon2, bcrypt, scrypt or PBKDF2 with a salt)", "why": "a fast hash lets an attacker test billions of guesses per second"},
                               data={"password": True})
            return None
        pretty = WEAK_DIGESTS[algo.upper()]
    else:
        fn = _name(ctx, "fn")
        pretty = "MD5" if "md5" in fn.lower() else ("MD2" if "md2" in fn.lower() else "SHA-1")
        pretty = f"{pretty} ({cls}.{fn})"
    context = _context(a, ctx.node("match"))
    if context & words.PASSWORD_WORDS:
        return Verdict(confidence=HIGH, args={"algo": f"{pretty} (here for a password: use Argon2, bcrypt, scrypt or PBKDF2, e.g. Spring Security's Argon2PasswordEncoder)", "why": "a fast hash lets an attacker test billions of guesses per second (and it is broken besides)"},
                       data={"password": True})
    conf = LOW if context & words.NON_SECURITY_HASH_WORDS else MEDIUM
    return Verdict(confidence=conf, args={"algo": pretty, "why": "collisions can be forged, so it protects neither integrity nor signatures"}, data={"password": False})


@fix("java.sha256")
def sha256(ctx: MatchContext, v: Verdict):
    if v.data.get("password"):
        return None
    algo = ctx.node("algo")
    if algo is not None:
        if algo.type != "string_literal":
            return None
        return Fix("Use SHA-256", (TextEdit(Span.of_node(algo), '"SHA-256"'),), safe=False)
    fn = _name(ctx, "fn")
    cls = _name(ctx, "cls")
    target = DIGEST_UTILS_FIX.get(fn) if cls == "DigestUtils" else ("sha256" if cls == "Hashing" else None)
    if target is None:
        return None
    return Fix("Use SHA-256", (TextEdit(Span.of_node(ctx.node("fn")), target),), safe=False)


CBC_PADDINGS = frozenset({"PKCS5PADDING", "PKCS7PADDING", "ISO10126PADDING"})


@predicate("java.weak_cipher")
def weak_cipher(ctx: MatchContext):
    a = _a(ctx)
    algo = _const_string(a, ctx.node("algo"))
    if algo is None:
        return None
    parts = algo.split("/")
    name = parts[0].upper()
    if name in ("DES", "DESEDE", "TRIPLEDES", "RC4", "ARCFOUR", "RC2", "BLOWFISH", "RC5", "IDEA"):
        return Verdict(args={"algo": algo})
    if len(parts) >= 2 and parts[1].upper() == "ECB" and name not in ("RSA",):
        return Verdict(args={"algo": f"{algo} (ECB mode)"})
    if len(parts) == 1 and name == "AES":
        return Verdict(args={"algo": "\"AES\" without a mode (the provider default is AES/ECB/PKCS5Padding)"})
    if len(parts) == 3 and parts[1].upper() == "CBC" and parts[2].upper() in CBC_PADDINGS:
        # Unauthenticated CBC with padding: where ciphertexts come back (tokens, cookies, messages)
        # and a padding error is observable, a padding oracle decrypts them (Vaudenay 2002).
        return Verdict(confidence=LOW, args={"algo": f"\"{algo}\" (CBC with padding and no authentication: a padding oracle decrypts any ciphertext an attacker can submit for decryption)"})
    if name == "RSA" and (len(parts) == 1 or parts[-1].upper() == "PKCS1PADDING"):
        return Verdict(confidence=MEDIUM, args={"algo": f"\"{algo}\" (RSA with PKCS#1 v1.5 padding, open to padding-oracle attacks; use RSA/ECB/OAEPWithSHA-256AndMGF1Padding)"})
    return None


@predicate("java.weak_key_algorithm")
def weak_key_algorithm(ctx: MatchContext):
    """KeyGenerator/SecretKeyFactory for DES, 3DES, RC2, RC4, Blowfish."""
    a = _a(ctx)
    algo = _const_string(a, ctx.node("algo"))
    if algo is None or algo.split("/")[0].upper() not in ("DES", "DESEDE", "TRIPLEDES", "RC2", "RC4", "ARCFOUR", "BLOWFISH"):
        return None
    return Verdict(args={"algo": f"{_name(ctx, 'cls')}.getInstance(\"{algo}\")"})


@predicate("java.cipher")
def cipher(ctx: MatchContext):
    return weak_cipher(ctx) if _name(ctx, "cls") == "Cipher" else weak_key_algorithm(ctx)


@predicate("java.rsa_bits")
def rsa_bits(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    bits = _int_value(a, ctx.node("bits"))
    if bits is None or bits >= 2048:
        return None
    if call.type == "object_creation_expression":
        return Verdict(args={"bits": str(bits)})
    recv = _receiver(call)
    if recv is None:
        return None
    algo = _keypair_algorithm(a, recv)
    if algo is None:
        if a.type_of(recv) not in (None, "KeyPairGenerator") or bits not in (512, 768, 1024, 1536):
            return None
    elif algo.upper() not in ("RSA", "DSA", "DH", "DIFFIEHELLMAN", "RSASSA-PSS"):
        return None
    return Verdict(args={"bits": str(bits)})


def _keypair_algorithm(a: JavaAnalyzer, recv) -> str | None:
    n = recv
    if n.type == "identifier":
        bs = a.visible(a.text(n), n)
        n = next((b.value for b in bs if b.value is not None), None)
    if n is not None and n.type == "method_invocation" and a.text(n.child_by_field_name("name")) == "getInstance":
        args = _args(n)
        return _const_string(a, args[0]) if args else None
    return None


def _int_value(a: JavaAnalyzer, node) -> int | None:
    if node is None:
        return None
    if node.type in ("decimal_integer_literal", "hex_integer_literal"):
        try:
            return int(a.text(node).replace("_", "").rstrip("lL"), 0)
        except ValueError:
            return None
    if node.type == "identifier":
        for b in a.visible(a.text(node), node):
            if b.value is not None:
                return _int_value(a, b.value)
    return None


@fix("java.rsa_2048")
def rsa_2048(ctx: MatchContext, v: Verdict):
    node = ctx.node("bits")
    if node is None or node.type != "decimal_integer_literal":
        return None
    return Fix("Use a 2048-bit key", (TextEdit(Span.of_node(node), "2048"),), safe=True)


@predicate("java.insecure_random")
def insecure_random(ctx: MatchContext):
    a = _a(ctx)
    node = ctx.node("match")
    if node.type == "object_creation_expression":
        typ = a.text(node.child_by_field_name("type"))
        if typ not in ("Random", "java.util.Random"):
            return None
        how = "java.util.Random"
    elif _name(ctx, "cls") == "Math":
        how = "Math.random()"
    elif _name(ctx, "cls") == "RandomStringUtils":
        how = f"RandomStringUtils.{_name(ctx, 'fn')}() (java.util.Random underneath)"
    else:
        how = "ThreadLocalRandom"
    dest = _secret_destination(a, node)
    if dest is not None:
        return Verdict(confidence=HIGH, args={"how": how, "what": dest})
    context = _context(a, node)
    hit = context & words.SECURITY_WORDS
    if hit:
        return Verdict(confidence=MEDIUM, args={"how": how, "what": words.what(hit)})
    if node.type == "object_creation_expression":
        return _draws_verdict(a, node, how)
    return None


def _draws(a: JavaAnalyzer, creation) -> list:
    """The draws (`rnd.nextInt()`, `rnd.nextBytes(b)`, `rnd.ints()`) from the generator that
    `creation` (`new Random()`) is stored in, within its top-level class; [] when it is not stored
    in a variable or field of that class."""
    holder = a.assigned_name(creation)
    if holder is None:
        return []
    decl = creation.parent.parent if creation.parent is not None else None
    field = decl is not None and decl.type == "field_declaration"
    within = a.unit_of(creation) if field else a.outer_function(creation)
    if within is None:
        return []
    out = []
    for use in a.uses(holder, within):
        call = use.parent
        if call is None or call.type != "method_invocation" or call.child_by_field_name("object") != use:
            continue
        name = a.text(call.child_by_field_name("name"))
        if name.startswith("next") or name in ("ints", "longs", "doubles"):
            out.append(call)
    return out


def _draws_verdict(a: JavaAnalyzer, creation, how: str):
    """A generator made in one place and drawn from in another: where its values go decides
    (`String nonce = "" + rnd.nextInt()`, a draw in `generateToken()`), as for the generator
    itself. Reported at the creation, which the quick fix replaces."""
    for draw in _draws(a, creation)[:20]:
        dest = _secret_destination(a, draw)
        if dest is not None:
            return Verdict(confidence=HIGH, args={"how": how, "what": dest},
                           related=(Related(Span.of_node(draw), "a value drawn from it goes here"),))
    for draw in _draws(a, creation)[:20]:
        hit = _context(a, draw) & words.SECURITY_WORDS
        if hit:
            return Verdict(confidence=MEDIUM, args={"how": how, "what": words.what(hit)},
                           related=(Related(Span.of_node(draw), f"drawn here for {words.what(hit)}"),))
    return None


SECRET_SINKS = MODEL.sink_callees("secret")
SECRET_WORDS = {"Cookie": "a cookie value", "addCookie": "a cookie value", "setValue": "a cookie value",
                "setAttribute": "session or request state", "putValue": "session state"}


def _holder(a: JavaAnalyzer, node) -> str | None:
    """The variable that the value of `node` (or a call chain on it) ends up in."""
    n = node
    for _ in range(8):
        parent = n.parent
        if parent is None:
            return None
        if parent.type == "method_invocation" and a.text(parent.child_by_field_name("name")) == "nextBytes":
            out = _args(parent)  # random.nextBytes(buffer) fills the buffer
            return a.text(out[0]) if out and out[0].type == "identifier" else None
        if parent.type in ("method_invocation", "parenthesized_expression", "cast_expression", "binary_expression",
                           "argument_list", "object_creation_expression"):
            n = parent
            continue
        name = a.assigned_name(n)
        if name is None and parent.type == "field_access":
            return None
        return name
    return None


def _secret_destination(a: JavaAnalyzer, node) -> str | None:
    """Where a random value goes when that place must be unguessable: a cookie, the session, a
    key or IV (model: [[sink]] category "secret"). Follows the value through the variables it
    is stored in or computed into, within the class."""
    unit = a.unit_of(node)
    direct = node
    while direct.parent is not None and direct.type not in ("expression_statement", "local_variable_declaration",
                                                              "field_declaration", "return_statement"):
        direct = direct.parent
        if direct.type in ("method_invocation", "object_creation_expression") and a.callee_name(direct) in SECRET_SINKS:
            return SECRET_WORDS.get(a.callee_name(direct), "a key, IV or secret")
    holder = _holder(a, node)
    if holder is None:
        return None
    names = {holder}
    # name -> identifiers its values read; a filled buffer reads the generator that fills it
    reads: dict[str, set[str]] = {}
    for name, bindings in a.unit_bindings(unit).items():
        for b in bindings:
            if b.value is not None:
                reads.setdefault(name, set()).update(a.text(n) for n in walk(b.value) if n.type == "identifier")
    sinks = []
    for n in walk(unit):
        if n.type == "method_invocation" and a.text(n.child_by_field_name("name")) == "nextBytes":
            out = _args(n)
            if out and out[0].type == "identifier":
                reads.setdefault(a.text(out[0]), set()).update(
                    a.text(x) for x in walk(n.child_by_field_name("object")) if x.type == "identifier")
        elif n.type in ("method_invocation", "object_creation_expression") and a.callee_name(n) in SECRET_SINKS:
            sinks.append(n)
    if not sinks:
        return None
    for _ in range(6):
        grown = names | {name for name, read in reads.items() if read & names}
        if grown == names:
            break
        names = grown
    for n in sinks:
        if a.mentions(n.child_by_field_name("arguments"), names, None) and not a.dead(n):
            return SECRET_WORDS.get(a.callee_name(n), "a key, IV or secret")
    return None


@fix("java.secure_random")
def secure_random(ctx: MatchContext, v: Verdict):
    node = ctx.node("match")
    if node.type == "object_creation_expression" and not _args(node):
        return Fix("Use java.security.SecureRandom", (TextEdit(Span.of_node(node), "new java.security.SecureRandom()"),), safe=True)
    if node.type == "method_invocation" and _name(ctx, "cls") == "Math":
        return Fix("Use java.security.SecureRandom", (TextEdit(Span.of_node(node), "new java.security.SecureRandom().nextDouble()"),), safe=True)
    return None


@predicate("java.tls")
def tls(ctx: MatchContext):
    a = _a(ctx)
    node = ctx.node("match")
    if node.type == "method_declaration":
        name = ctx.text("name")
        body = ctx.node("body")
        statements = [c for c in body.named_children if c.type not in ("line_comment", "block_comment")]
        if name == "checkServerTrusted":
            if statements and not all(a.text(s).strip() == "return;" for s in statements):
                return None
            return Verdict(args={"how": "An X509TrustManager whose checkServerTrusted() accepts every certificate"})
        if name == "verify":
            params = node.child_by_field_name("parameters")
            if params is None or "SSLSession" not in a.text(params):
                return None
            if len(statements) == 1 and re.fullmatch(r"return\s+true\s*;", a.text(statements[0]).strip()):
                return Verdict(args={"how": "A HostnameVerifier that accepts every host name"})
            return None
        return None
    if node.type == "method_invocation":
        return Verdict(args={"how": "A HostnameVerifier that returns true for every host"})
    return Verdict(args={"how": f"{a.text(node)} (accepts every certificate or host name)"})


@predicate("java.debug")
def debug(ctx: MatchContext):
    node = ctx.node("match")
    if node.type == "annotation":
        return Verdict(args={"how": "@EnableWebSecurity(debug = true) logs requests and security internals"})
    return None


EXCEPTION_DETAILS = frozenset({"getMessage", "getLocalizedMessage", "getStackTrace", "toString", "getCause"})


@predicate("java.error_details")
def error_details(ctx: MatchContext):
    """RL144: an exception's stack trace or message written into the HTTP response."""
    a = _a(ctx)
    fn = _name(ctx, "fn")
    arg = ctx.node("arg")
    if fn == "printStackTrace":
        if arg is None or not _is_response_writer(a, arg):
            return None
        return Verdict(confidence=HIGH, args={"how": "printStackTrace(response.getWriter())"})
    if fn == "sendError":
        args = _args(ctx.node("match"))
        if len(args) < 2 or a.type_of(ctx.node("w")) not in (None, "HttpServletResponse") and a.text(ctx.node("w")) not in RESPONSE_NAMES:
            return None
        arg = args[1]
    elif not _is_response_writer(a, ctx.node("w")):
        return None
    for n in walk(arg):
        if n.type == "method_invocation" and a.text(n.child_by_field_name("name")) in EXCEPTION_DETAILS:
            obj = n.child_by_field_name("object")
            if obj is not None and obj.type == "identifier" and _is_exception(a, obj):
                return Verdict(confidence=MEDIUM, args={"how": f"{a.text(obj)}.{a.text(n.child_by_field_name('name'))}() in the response"})
    return None


def _is_exception(a: JavaAnalyzer, ident) -> bool:
    """A catch parameter (or a variable of a type named ...Exception / ...Error / Throwable)."""
    for b in a.visible(a.text(ident), ident):
        parent = b.node.parent if b.node is not None else None
        if parent is not None and parent.type == "catch_formal_parameter":
            return True
    typ = a.declared_type(ident) or ""
    return typ.endswith(("Exception", "Error")) or typ == "Throwable"


SESSION_COOKIE = linear(r"sess|sid|token|auth|jwt|login|remember|csrf|xsrf", re.IGNORECASE)


@predicate("java.cookie")
def cookie(ctx: MatchContext):
    a = _a(ctx)
    node = ctx.node("match")
    if node.type == "method_invocation":
        which = ["Secure" if _name(ctx, "fn") == "setSecure" else "HttpOnly"]
        return Verdict(confidence=HIGH, args=_cookie_args(which), data={"which": which, "off": True})
    var = _cookie_variable(a, node)
    fn = a.outer_function(node)
    if var is None or fn is None:
        return None
    present = {}
    for n in walk(fn):
        if n.type == "method_invocation" and a.text(n.child_by_field_name("object")) == var:
            name = a.text(n.child_by_field_name("name"))
            if name in ("setSecure", "setHttpOnly"):
                present[name] = a.text(n.child_by_field_name("arguments"))
    missing = [k for k, m in (("Secure", "setSecure"), ("HttpOnly", "setHttpOnly")) if m not in present]
    if not missing:
        return None
    name_value = _const_string(a, ctx.node("name"))
    conf = LOW if name_value is not None and not SESSION_COOKIE.search(name_value) else MEDIUM
    if name_value is not None and re.search(r"setMaxAge\(\s*0\s*\)", a.text(fn)):
        conf = LOW  # deleting a cookie
    return Verdict(confidence=conf, args=_cookie_args(missing), data={"which": missing, "var": var})


def _cookie_args(which: list[str]) -> dict[str, str]:
    risks = []
    if "Secure" in which:
        risks.append("sent over plain HTTP")
    if "HttpOnly" in which:
        risks.append("read by scripts on the page")
    return {"missing": " and ".join(which), "risk": " and ".join(risks)}


def _cookie_variable(a: JavaAnalyzer, creation) -> str | None:
    parent = creation.parent
    if parent is not None and parent.type == "variable_declarator":
        return a.text(parent.child_by_field_name("name"))
    if parent is not None and parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        return a.text(left) if left is not None and left.type == "identifier" else None
    return None


@fix("java.cookie_flags")
def cookie_flags(ctx: MatchContext, v: Verdict):
    node = ctx.node("match")
    if v.data.get("off"):
        args = node.child_by_field_name("arguments")
        return Fix("Set it to true", (TextEdit(Span.of_node(args), "(true)"),), safe=True)
    var = v.data.get("var")
    stmt = node
    while stmt is not None and stmt.type not in ("local_variable_declaration", "expression_statement"):
        stmt = stmt.parent
    if var is None or stmt is None:
        return None
    line_start = ctx.file.text.rfind(b"\n", 0, stmt.start_byte) + 1
    indent = ctx.file.text[line_start:stmt.start_byte].decode()
    if indent.strip():
        return None
    calls = "".join(f"\n{indent}{var}.set{k}(true);" for k in v.data.get("which", []))
    return Fix("Set Secure and HttpOnly", (TextEdit(ctx.file.span(stmt.end_byte, stmt.end_byte), calls),), safe=True)


# ---------------------------------------------------------------------- RL320 old TLS versions, RL132 XXE

OLD_TLS_JAVA = {"SSL": "SSL 3.0", "SSLV3": "SSL 3.0", "SSLV2": "SSL 2.0", "TLSV1": "TLS 1.0", "TLSV1.1": "TLS 1.1",
                "SSLV2HELLO": "SSL 2.0 hello"}


@predicate("java.tls_version")
def tls_version(ctx: MatchContext):
    a = _a(ctx)
    node = ctx.node("match")
    if node.type == "method_invocation" and _name(ctx, "fn") == "getInstance":
        value = _const_string(a, ctx.node("arg"))
        if value is None or value.upper() not in OLD_TLS_JAVA:
            return None
        return Verdict(args={"how": f"SSLContext.getInstance(\"{value}\") selects {OLD_TLS_JAVA[value.upper()]}"})
    old = []
    for el in _elements(a, ctx.node("arg")) or []:
        value = _const_string(a, el)
        if value is not None and value.upper() in OLD_TLS_JAVA:
            old.append(value)
    if not old:
        return None
    return Verdict(args={"how": f"setEnabledProtocols() enables {', '.join(old)}"})


@fix("java.tls12")
def tls12(ctx: MatchContext, v: Verdict):
    if _name(ctx, "fn") != "getInstance":
        return None
    node = ctx.node("arg")
    if node is None or node.type != "string_literal":
        return None
    return Fix("Use TLS 1.2", (TextEdit(Span.of_node(node), '"TLSv1.2"'),), safe=True)


XML_FACTORIES = {
    "DocumentBuilderFactory": ("newInstance", "newDefaultInstance", "newNSInstance", "newDefaultNSInstance"),
    "SAXParserFactory": ("newInstance", "newDefaultInstance", "newNSInstance", "newDefaultNSInstance"),
    "XMLInputFactory": ("newInstance", "newFactory", "newDefaultFactory"),
    "TransformerFactory": ("newInstance", "newDefaultInstance"),
    "SchemaFactory": ("newInstance", "newDefaultInstance"),
    "XMLReaderFactory": ("createXMLReader",),
}
XXE_HARDENING = linear(
    r"disallow-doctype-decl|external-general-entities|external-parameter-entities|load-external-dtd|"
    r"ACCESS_EXTERNAL_DTD|ACCESS_EXTERNAL_SCHEMA|ACCESS_EXTERNAL_STYLESHEET|SUPPORT_DTD|"
    r"IS_SUPPORTING_EXTERNAL_ENTITIES|FEATURE_SECURE_PROCESSING|setExpandEntityReferences\(\s*false|"
    r"setEntityResolver|XMLConstants\.ACCESS"
)


@predicate("java.xxe")
def xxe(ctx: MatchContext):
    a = _a(ctx)
    node = ctx.node("match")
    if node.type == "method_invocation":
        cls = _name(ctx, "cls")
        if _name(ctx, "fn") not in XML_FACTORIES.get(cls, ()):
            return None
        what = f"{cls}.{_name(ctx, 'fn')}()"
    else:
        cls = a.text(node.child_by_field_name("type"))
        what = f"new {cls}()"
    var = _cookie_variable(a, node)
    scope = a.outer_function(node)
    # A factory kept in a field may be hardened anywhere in its class.
    text = a.text(a.unit_of(node) if scope is None else scope)
    if XXE_HARDENING.search(text):
        return None
    return Verdict(args={"how": f"{what} parses DOCTYPEs and resolves external entities by default"},
                   data={"var": var, "cls": cls})


@fix("java.xxe_fix")
def xxe_fix(ctx: MatchContext, v: Verdict):
    var, cls = v.data.get("var"), v.data.get("cls")
    lines = {
        "DocumentBuilderFactory": ['{v}.setAttribute(javax.xml.XMLConstants.ACCESS_EXTERNAL_DTD, "");',
                                   '{v}.setAttribute(javax.xml.XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");'],
        "TransformerFactory": ['{v}.setAttribute(javax.xml.XMLConstants.ACCESS_EXTERNAL_DTD, "");',
                               '{v}.setAttribute(javax.xml.XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");'],
        "XMLInputFactory": ["{v}.setProperty(javax.xml.stream.XMLInputFactory.SUPPORT_DTD, false);"],
    }.get(cls)
    if var is None or lines is None:
        return None
    node = ctx.node("match")
    stmt = node
    while stmt is not None and stmt.type not in ("local_variable_declaration", "expression_statement"):
        stmt = stmt.parent
    if stmt is None:
        return None
    line_start = ctx.file.text.rfind(b"\n", 0, stmt.start_byte) + 1
    indent = ctx.file.text[line_start:stmt.start_byte].decode()
    if indent.strip():
        return None
    text = "".join(f"\n{indent}" + line.format(v=var) for line in lines)
    return Fix("Block external DTDs and entities", (TextEdit(ctx.file.span(stmt.end_byte, stmt.end_byte), text),), safe=True)


# ---------------------------------------------------------------------- RL330 Spring Security CSRF disabled

STATELESS = linear(r"SessionCreationPolicy\s*\.\s*STATELESS|\bSTATELESS\b")


@predicate("java.csrf_disabled")
def csrf_disabled(ctx: MatchContext):
    """`http.csrf().disable()`, `http.csrf(c -> c.disable())`, `http.csrf(AbstractHttpConfigurer::disable)`.
    Low when the configuration makes the application stateless (no session cookie for a forged
    request to ride on: token-authenticated APIs)."""
    a = _a(ctx)
    call = ctx.node("match")
    if ctx.node("arg") is not None:
        arg = ctx.node("arg")
        if arg.type == "method_reference":
            if not re.search(r"::\s*disable$", a.text(arg)):
                return None
        else:
            body = arg.child_by_field_name("body")
            text = re.sub(r"\s", "", a.text(body)) if body is not None else ""
            if not re.search(r"^\{?\w+\.disable\(\);?\}?$", text):
                return None
        how = f"csrf({a.text(arg)})"
    else:
        how = "csrf().disable()"
    scope = a.enclosing_function(call) or call
    if STATELESS.search(a.text(scope)):
        return Verdict(confidence=LOW, args={"how": how + " in a stateless configuration"})
    return Verdict(args={"how": how})


# ---------------------------------------------------------------------- RL333 partial path traversal

CANONICAL = linear(r"\b(getCanonicalPath|getAbsolutePath)\s*\(")
SEPARATED = linear(r"File\.separator|separatorChar|FileSystems\.getDefault\(\)\.getSeparator|[\"'][/\\\\]+[\"']|\"[^\"]*[/\\\\]\"\s*$")


def _canonical_string(a: JavaAnalyzer, node, depth: int = 0):
    """The text that makes `node` a canonical path string (getCanonicalPath() / getAbsolutePath(),
    also through a local variable or a helper named so), or None. A java.nio Path (toPath(),
    normalize(), toRealPath()) compares whole names and is not a string."""
    if node is None or depth > 3:
        return None
    if node.type == "identifier":
        bindings = a.visible(a.text(node), node)
        if not bindings:
            return None
        last = max(bindings, key=lambda b: b.node.start_byte)  # `dir = getCanonicalPath(dir);` replaces the parameter
        return _canonical_string(a, last.value, depth + 1) if last.value is not None else None
    if node.type == "method_invocation":
        name = a.text(node.child_by_field_name("name"))
        if name in ("getCanonicalPath", "getAbsolutePath"):
            return a.text(node)
        if name in ("toString", "trim") and node.child_by_field_name("object") is not None:
            return None
    return None


@predicate("java.partial_path")
def partial_path(ctx: MatchContext):
    """`child.getCanonicalPath().startsWith(dir.getCanonicalPath())`: "/srv/app-evil/x" starts with
    "/srv/app" (CodeQL java/partial-path-traversal)."""
    a = _a(ctx)
    child, parent = ctx.node("path"), ctx.node("dir")
    if _canonical_string(a, child) is None:
        return None
    base = _canonical_string(a, parent)
    if base is None:
        return None
    # A separator added to the base (dir.getCanonicalPath() + File.separator) closes the hole.
    texts = [a.text(parent)]
    if parent.type == "identifier":
        texts += [a.text(b.value) for b in a.visible(a.text(parent), parent) if b.value is not None]
    if any(SEPARATED.search(t) for t in texts):
        return None
    return Verdict(args={"how": f"{' '.join(a.text(child).split())} is compared with {' '.join(a.text(parent).split())}"})
