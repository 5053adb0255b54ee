"""Predicates of the Python injection rules (RL101-RL111 and the Python-only RL113-RL129).

Each predicate starts from a candidate that the rule's query found (a call anchored on the
sink's name, or a string that looks like SQL), resolves the real callee through the imports,
and asks the local taint analysis where the dangerous argument comes from: request data gives a
high-confidence finding that points at the source, other non-constant data a lower-confidence
one (or none, for sinks where that would mostly be noise), constants and sanitized values none.
"""

from __future__ import annotations

import re

from redline.rules.predicates import MatchContext, Verdict, predicate
from redline.rules.predicates.python_scope import (
    alias_rejected,
    arg,
    call_args,
    call_qualname,
    callee_name,
    enclosing,
    enclosing_function,
    has_splat,
    imports_module,
    is_false,
    is_true,
    keyword_node,
    local_text,
    string_value,
    text,
    unwrap,
)
from redline.rules.predicates.python_sinks import (
    HIGH,
    LOW,
    MEDIUM,
    build_template,
    built_string,
    first_positional_call,
    name_words,
    validated,
    related_for,
    scope_uses,
    verdict,
)
from redline.rules.predicates.python_strings import NUMERIC_CONVERSIONS, Template, outermost_builder, template
from redline.rules.predicates.security_words import split_words
from redline.rules.predicates.taint_python import (
    CONST,
    CONST_VAL,
    TAINTED,
    UNKNOWN_VAL,
    Val,
    in_request_handler,
    module_bindings,
    name_is_bound,
    reaching_values,
    scope_for,
    value_of,
)
from redline.secrets.regex import escape, linear


def _call_ctx(ctx: MatchContext):
    call = ctx.node("match")
    return call, call_qualname(ctx.file, call) or ""


def _value(ctx, node, kind) -> Val:
    if node is None:
        return CONST_VAL
    return value_of(ctx.file, node, kind)


def _describe(ctx, node, val: Val, built=None) -> str:
    if built is not None:
        return built.tpl.how
    if val.tainted:
        return f"untrusted input ({val.what})"
    return "a non-constant value"


def _dynamic(ctx, node, kind: str, accept=None):
    """(value, description, built) of an argument: a string built from parts, or any value.
    A value checked by an allow-list or a full match before it gets here counts as constant."""
    val, how, built = _dynamic_raw(ctx, node, kind, accept)
    if val.level != CONST and node is not None and _all_validated(ctx, node, node, kind, 0):
        return CONST_VAL, how, built
    return val, how, built


def _all_validated(ctx, expr, sink, kind: str, depth: int) -> bool:
    """Every non-constant local name in `expr` is validated before `sink` (following
    assignments two levels deep)."""
    found = False
    for ident in _identifiers_in(expr):
        if _value(ctx, ident, kind).level == CONST:
            continue
        found = True
        if validated(ctx.file, sink, {text(ident)}, kind):
            continue
        values = reaching_values(ctx.file, ident) if depth < 2 else []
        if not values or not all(_all_validated(ctx, v, sink, kind, depth + 1) for v in values):
            return False
    return found


def _deny_guarded(ctx, expr, kind: str, depth: int = 0) -> bool:
    """Every non-constant local name in `expr` passed a check for the one character that matters
    (`if "'" in v: return` for a value inside '...'), following assignments two levels deep."""
    found = False
    for ident in _identifiers_in(expr):
        if _value(ctx, ident, "sql").level == CONST:
            continue
        found = True
        if validated(ctx.file, expr, {text(ident)}, kind, only_deny=True):
            continue
        values = reaching_values(ctx.file, ident) if depth < 2 else []
        if not values or not all(_deny_guarded(ctx, v, kind, depth + 1) for v in values):
            return False
    return found


def _identifiers_in(expr):
    out = []
    stack = [expr]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.type == "identifier":
            out.append(n)
        elif n.type == "attribute":
            stack.append(n.child_by_field_name("object"))
        elif n.type == "call":
            stack.append(n.child_by_field_name("arguments"))
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "attribute":
                stack.append(fn.child_by_field_name("object"))
        elif n.type == "keyword_argument":
            stack.append(n.child_by_field_name("value"))
        else:
            stack.extend(n.named_children)
    return out


def _dynamic_raw(ctx, node, kind: str, accept=None):
    built = built_string(ctx.file, node, kind, accept)
    if built is not None and unwrap(node) is not None and unwrap(node).start_byte == built.node.start_byte:
        return built.val, built.tpl.how, built  # the string is built right here: its holes decide
    val = _value(ctx, node, kind)
    if built is not None and built.val.level >= val.level:
        return built.val, built.tpl.how, built
    return val, _describe(ctx, node, val), built


# ---------------------------------------------------------------- SQL (RL101)

SQL_WORDS = linear(
    r"\b(select\b.*\bfrom|insert\s+(or\s+\w+\s+)?into|update\b.*\bset|delete\s+from|replace\s+into|where\s+[\w.`\"\[\]]+\s*(=|<|>|!|like\b|in\b|is\b)"
    r"|values\s*\(|order\s+by|group\s+by|limit\s+(\d|\x00)|(create|drop|alter|truncate)\s+(table|index|view|database)|pragma\s+\w)",
    re.IGNORECASE | re.DOTALL,
)
_K = lambda w: f"(?:{w.upper()}|{w.lower()})"  # noqa: E731 - keywords in one case, as SQL is written
SQL_SHAPE = linear(
    r"^\s*\(?\s*(?:"
    + rf"{_K('select')}\s.+?\s{_K('from')}\s"
    + rf"|{_K('insert')}\s+(?:{_K('or')}\s+\w+\s+)?{_K('into')}\s"
    + rf"|{_K('update')}\s+\S+\s+{_K('set')}\s"
    + rf"|{_K('delete')}\s+{_K('from')}\s"
    + rf"|{_K('replace')}\s+{_K('into')}\s"
    + rf"|(?:{_K('create')}|{_K('drop')}|{_K('alter')}|{_K('truncate')})\s+(?:{_K('temporary')}\s+|{_K('unique')}\s+)?"
    + rf"(?:{_K('table')}|{_K('index')}|{_K('view')}|{_K('database')}|{_K('schema')}|{_K('user')}|{_K('trigger')})\b"
    + rf"|{_K('with')}\s+\w+\s+{_K('as')}\s*\("
    + ")",
    re.DOTALL,
)
SQL_SINKS_ANY_STRING = frozenset({"execute", "executemany", "executescript", "mogrify", "exec_driver_sql", "read_sql",
                                  "read_sql_query", "executeQuery", "execute_sql", "RawSQL"})
NOT_SQL_CONSUMERS = frozenset(
    {"print", "pprint", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "format",
     "gettext", "ngettext", "ugettext", "gettext_lazy", "_", "append", "extend", "join", "split", "replace",
     "startswith", "endswith", "match", "search", "fullmatch", "sub", "compile", "findall", "len", "str", "repr",
     "encode", "decode", "strip", "lower", "upper", "assertEqual", "assertIn", "assertRaises", "assertTrue",
     "assertNotIn", "assertIsNone", "assertRaisesMessage", "assertQuerysetEqual", "write", "writelines",
     "add_argument", "help", "echo", "secho", "dedent", "indent", "insert", "index", "count"}
)


IDENT_BEFORE = linear(r"(?i)\b(from|join|into|update|table|exists|index|database|schema|view|by|truncate|alter|drop|"
                          r"select|distinct|begin|savepoint|release|to|describe|pragma|returning|function|procedure|"
                          r"sequence|column|constraint|trigger|type|owner)\s*[`\"\[]?$|[.]$")
# `= x` or `.x` after the hole; an `=` followed by a placeholder (`= ?`, `= %s`, `= :name`, `= $1`)
# is a value context instead (tested in `_ident_after`: RE2 has no look-ahead).
IDENT_AFTER = linear(r"^[`\"\]]?\s*(?:=\s*(?P<placeholder>[?%:$])?|\.)")


def _ident_after(after: str) -> bool:
    m = IDENT_AFTER.match(after)
    return m is not None and m.group("placeholder") is None


VALUE_BEFORE = linear(r"(?i)(=|<|>|<>|!=|\(|,|\b(in|like|ilike|values|limit|offset|and|or|then|else|between|is|not|when)\s*\(?)\s*$")


def _sql_value(ctx, tpl: Template) -> Val:
    """Taint of the inserted values. A table or column name (after FROM/JOIN/INTO/ORDER BY,
    before "=" in SET) cannot be a parameter; one that is not from input is configuration."""
    out = CONST_VAL
    parts = list(tpl.parts)
    for i, p in enumerate(parts):
        if not isinstance(p, str) and not isinstance(p, (str,)) and hasattr(p, "node"):
            if len(p.spec) == 1 and p.spec in NUMERIC_CONVERSIONS:
                continue
            val = _value(ctx, p.node, "sql")
            if val.level == CONST:
                continue
            # A value checked for quotes (if "'" in v: return) is harmless only inside quotes.
            before = parts[i - 1] if i > 0 and isinstance(parts[i - 1], str) else ""
            after = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], str) else ""
            quote = before.rstrip()[-1:]
            if quote in ("'", '"') and after[:1] == quote and _deny_guarded(ctx, p.node, "sql" + quote):
                continue
            if not val.tainted:
                before = parts[i - 1] if i > 0 and isinstance(parts[i - 1], str) else ""
                after = parts[i + 1] if i + 1 < len(parts) and isinstance(parts[i + 1], str) else ""
                quoted = before.rstrip()[-1:] in ("'", '"') and after[:1] == before.rstrip()[-1:]
                value = quoted or VALUE_BEFORE.search(before.rstrip().rstrip("'\""))
                if not value and (IDENT_BEFORE.search(before.rstrip()) or _ident_after(after)):
                    continue
                if _sql_fragment(p.node):
                    continue  # SQL composed from SQL (a subquery, a condition), not a value
            out = out | val
            if out.tainted:
                break
    return out


SQL_FRAGMENT_WORDS = frozenset({"sql", "subquery", "clause", "clauses", "where", "statement", "stmt", "condition",
                                "conditions", "constraint", "expression", "fragment", "joins", "placeholders"})


def _sql_fragment(node) -> bool:
    """Named like a piece of SQL (sql, where_clause, subquery, constraint_sql)."""
    node = unwrap(node)
    while node is not None and node.type == "call" and callee_name(node) in ("str", "join", "format"):
        args = node.child_by_field_name("arguments")
        node = unwrap(args.named_children[0]) if args is not None and args.named_child_count else None
    if node is None:
        return False
    if node.type == "attribute":
        name = text(node.child_by_field_name("attribute"))
    elif node.type == "identifier":
        name = text(node)
    else:
        return False
    return bool(set(name_words(name)) & SQL_FRAGMENT_WORDS)


def _numeric_sql(ctx, call, built, sink: str, sink_arg):
    """SQL formatted with %d/%i/%f of non-constant values: numbers cannot carry quotes, but the
    query should still take parameters (low confidence)."""
    for h in built.tpl.holes:
        if len(h.spec) == 1 and h.spec in NUMERIC_CONVERSIONS and _value(ctx, h.node, "sql").level != CONST:
            return Verdict(confidence=LOW, node=call, args={"how": f"{built.tpl.how} (numbers only)", "sink": sink},
                           data={"built": built, "arg": sink_arg})
    return None


def _sql_shaped(tpl: Template) -> bool:
    return bool(SQL_SHAPE.match(tpl.literal.replace("\x00", "?")))


def _sql_any(tpl: Template) -> bool:
    return bool(SQL_WORDS.search(tpl.literal.replace("\x00", " ")))


def _sql_verdict(ctx, call, sink_arg, sink: str, strict: bool):
    accept = _sql_shaped if strict else (None if sink in SQL_SINKS_ANY_STRING else _sql_any)
    if sink not in SQL_SINKS_ANY_STRING and sink not in ("raw", "text", "extra") and not strict:
        accept = _sql_any
    node = unwrap(sink_arg)
    if node is not None and node.type == "call" and callee_name(node) in ("text", "SQL", "literal_column"):
        inner = arg(node, 0)
        if inner is not None:
            node = unwrap(inner)
    built = built_string(ctx.file, node, "sql", accept)
    if built is None:
        return None
    built.val = _sql_value(ctx, built.tpl)
    if built.val.level == CONST:
        return _numeric_sql(ctx, call, built, sink, sink_arg)
    unknown = MEDIUM if not strict else LOW
    return verdict(
        built.val,
        call,
        {"how": built.tpl.how, "sink": sink},
        unknown=unknown,
        data={"built": built, "arg": sink_arg},
    )


@predicate("python.sql_injection")
def sql_injection(ctx: MatchContext):
    """A database call (execute, raw, text, read_sql, ...) whose query is built from
    non-constant parts, directly or through a local variable."""
    call = ctx.node("match")
    sink = ctx.text("sink") if ctx.node("sink") is not None else ctx.text("fn")
    if sink == "text":
        qn = call_qualname(ctx.file, call) or ""
        if not (qn.startswith("sqlalchemy") or imports_module(ctx.file, "sqlalchemy")):
            return None
    positional, kw = call_args(call)
    sink_arg = positional[0] if positional else kw.get("sql") or kw.get("query") or kw.get("statement")
    if sink_arg is None:
        return None
    found = _sql_verdict(ctx, call, sink_arg, sink, strict=False)
    if found is None and sink not in SQL_SINKS_ANY_STRING:
        # Helpers like queryDB(conn, sql): the query may be a later argument.
        for other in positional[1:3]:
            found = _sql_verdict(ctx, call, other, sink, strict=False)
            if found is not None:
                break
    return found


def _positional_call(node):
    """The call of which `node` is a positional argument, or None."""
    p = node.parent
    if p is None or p.type != "argument_list":
        return None
    return p.parent


def _consumers(file, expr) -> list:
    """Calls that receive the value of `expr` as a positional argument: directly, or through
    a variable it is assigned to."""
    call = _positional_call(expr)
    if call is not None:
        return [(call, expr)]
    p = expr.parent
    if p is not None and p.type == "keyword_argument":
        key = text(p.child_by_field_name("name"))
        if key in ("sql", "query", "statement", "stmt", "q"):
            return [(p.parent.parent, None)]
        return []
    if p is not None and p.type in ("assignment", "augmented_assignment") and p.child_by_field_name("right") == expr:
        left = p.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return []
        out = []
        for use in scope_uses(file, expr, text(left)):
            if use.start_byte <= p.end_byte:
                continue
            c = _positional_call(use)
            if c is None:
                continue
            if any(v.start_byte == expr.start_byte or v.start_byte == p.start_byte for v in reaching_values(file, use)):
                out.append((c, use))
        return out
    return []


@predicate("python.sql_string")
def sql_string(ctx: MatchContext):
    """A string that reads as an SQL statement, built from non-constant parts, reaching any
    call as its query (custom database helpers included)."""
    piece = ctx.node("match")
    expr = outermost_builder(piece)
    tpl = template(expr)
    if tpl is None or not _sql_shaped(tpl):
        return None
    val = _sql_value(ctx, tpl)
    numeric = False
    if val.level == CONST:
        if not any(len(h.spec) == 1 and h.spec in NUMERIC_CONVERSIONS and _value(ctx, h.node, "sql").level != CONST for h in tpl.holes):
            return None
        numeric = True
    for call, used in _consumers(ctx.file, expr):
        name = callee_name(call)
        if not name or name in NOT_SQL_CONSUMERS or (name[:1].isupper() and name.endswith(("Error", "Exception", "Warning"))):
            continue
        from redline.rules.predicates.python_sinks import Built

        first = used if used is not None and first_positional_call(used) == call else None
        if numeric:
            return Verdict(confidence=LOW, node=call, args={"how": f"{tpl.how} (numbers only)", "sink": name},
                           data={"built": Built(tpl, val, expr), "arg": first})
        return verdict(
            val,
            call,
            {"how": tpl.how, "sink": name},
            unknown=MEDIUM if name in SQL_SINKS_ANY_STRING else LOW,
            data={"built": Built(tpl, val, expr), "arg": first},
        )
    parent = expr.parent
    if parent is not None and parent.type == "return_statement" and not numeric:
        return verdict(val, expr, {"how": tpl.how, "sink": "the caller"}, unknown=LOW, tainted=MEDIUM)
    return None


# ---------------------------------------------------------------- commands (RL102, RL113)

SHELL_STRING = {
    "os.system": 0, "os.popen": 0, "os.popen2": 0, "os.popen3": 0, "os.popen4": 0, "popen2.popen2": 0,
    "popen2.popen3": 0, "popen2.popen4": 0, "commands.getoutput": 0, "commands.getstatusoutput": 0,
    "subprocess.getoutput": 0, "subprocess.getstatusoutput": 0, "asyncio.create_subprocess_shell": 0,
    "platform.popen": 0,
}
SUBPROCESS = frozenset({"subprocess.run", "subprocess.call", "subprocess.Popen", "subprocess.check_output",
                        "subprocess.check_call", "asyncio.create_subprocess_exec"})
OS_EXEC = {**{f"os.exec{s}": 0 for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")},
           **{f"os.spawn{s}": 1 for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")},
           "os.posix_spawn": 0, "os.posix_spawnp": 0, "os.startfile": 0, "pty.spawn": 0}
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh", "cmd",
                    "cmd.exe", "powershell", "powershell.exe", "pwsh"})


def _list_elements(ctx, node):
    """The elements of a list/tuple argument, directly or through one local definition."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type in ("list", "tuple"):
        return node.named_children
    if node.type == "identifier":
        values = reaching_values(ctx.file, node)
        if len(values) == 1 and values[0].type in ("list", "tuple"):
            return values[0].named_children
    return None


def _list_head(ctx, node):
    """The elements of the list that starts `[prog, ...] + rest` (directly or through one local
    definition): the program is its first element, whatever `rest` holds."""
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        values = reaching_values(ctx.file, node)
        node = unwrap(values[0]) if len(values) == 1 else None
    while node is not None and node.type == "binary_operator" and text(node.child_by_field_name("operator")) == "+":
        node = unwrap(node.child_by_field_name("left"))
    if node is not None and node.type in ("list", "tuple") and node.named_children:
        return node.named_children
    return None


def _is_interpreter(node) -> bool:
    """`sys.executable` (or `sys._base_executable`): the Python running this program."""
    node = unwrap(node)
    return node is not None and node.type == "attribute" and text(node) in ("sys.executable", "sys._base_executable")


def _shell_value(ctx, node, fn: str):
    val, how, built = _dynamic(ctx, node, "cmd")
    return val, how, built


@predicate("python.command_injection")
def command_injection(ctx: MatchContext):
    """A shell command (os.system, subprocess with shell=True, ...) built from non-constant data,
    or a program chosen by untrusted input."""
    call, qn = _call_ctx(ctx)
    fn = qn.rsplit(".", 1)[-1]
    if qn in SHELL_STRING or (qn.endswith(".exec_command") and fn == "exec_command"):
        target = arg(call, 0, "command")
        if target is None:
            return None
        val, how, built = _shell_value(ctx, target, fn)
        return verdict(val, call, {"how": how, "fn": qn}, data={"built": built, "kind": "shell", "arg": target})
    if qn in SUBPROCESS or (qn.startswith("subprocess.") and fn in ("run", "call", "Popen", "check_output", "check_call")) or (
        qn in ("Popen", "check_output", "check_call", "run", "call")
        and is_true(call_args(call)[1].get("shell"))
        and not name_is_bound(ctx.file, call.child_by_field_name("function"))
    ):
        # The last: a bare Popen(..., shell=True) whose import we cannot see (a fragment, a
        # star import): shell=True is subprocess's signature.
        target = arg(call, 0, "args")
        if target is None:
            return None
        _, kw = call_args(call)
        shell = kw.get("shell")
        if is_true(shell) or qn == "asyncio.create_subprocess_shell":
            elements = _list_elements(ctx, target)
            if elements is not None:
                if not elements:
                    return None
                target = elements[0]
            val, how, built = _shell_value(ctx, target, fn)
            return verdict(val, call, {"how": how, "fn": qn}, data={"built": built, "kind": "subprocess", "arg": target})
        # No shell: only a program chosen by input is command injection (arguments: RL113).
        elements = _list_elements(ctx, target)
        if elements is None:
            elements = _list_head(ctx, target)
        if elements and _is_interpreter(elements[0]):
            # The running interpreter re-executed with its own arguments ([sys.executable] +
            # sys.argv: a reloader) chooses nothing; a script or -c code from input does.
            val = _value(ctx, target, "cmd")
            if not val.tainted or val.what == "sys.argv":
                return None
            return verdict(val, call, {"how": _describe(ctx, target, val), "fn": qn}, unknown=None)
        program = elements[0] if elements else (target if elements is None else None)
        if program is None:
            return None
        val = _value(ctx, program, "cmd")
        if elements is None and unwrap(target).type not in ("list", "tuple"):
            # A string (or a list from elsewhere): the first word picks the program.
            return verdict(val, call, {"how": _describe(ctx, program, val), "fn": qn}, unknown=None)
        return verdict(val, call, {"how": _describe(ctx, program, val), "fn": qn}, unknown=None)
    if qn in OS_EXEC:
        index = OS_EXEC[qn]
        positional, _ = call_args(call)
        if len(positional) <= index:
            return None
        program = positional[index]
        prog_text = string_value(program)
        if prog_text is not None and prog_text.rsplit("/", 1)[-1] in {s.rsplit("/", 1)[-1] for s in SHELLS}:
            rest = positional[index + 1 :]
            if len(rest) == 1:
                rest = _list_elements(ctx, rest[0]) or rest
            texts = [string_value(r) for r in rest]
            if "-c" in texts:
                i = texts.index("-c")
                if i + 1 < len(rest):
                    val, how, built = _shell_value(ctx, rest[i + 1], fn)
                    return verdict(val, call, {"how": how, "fn": qn})
            return None
        val = _value(ctx, program, "cmd")
        return verdict(val, call, {"how": _describe(ctx, program, val), "fn": qn}, unknown=None)
    return None


# Helpers that run command lines; a bare `execute` is the DB-API cursor method (RL101's business).
RUNNER_NAME = linear(r"(?:^|_)(?:run|exec|cmd|command|shell|ssh|cli|system|popen|spawn)(?:_|$)|^_+execute$|(?:^|_)execute_", re.I)


# Last words of helper names that report or describe rather than run: `_cli_error(msg)`,
# `shell_warning`, `cmd_usage`, `run_log` print a message built from the command, they run nothing.
_REPORT_WORDS = frozenset({"error", "err", "errors", "fail", "failure", "failed", "warn", "warning", "warnings",
                           "message", "msg", "log", "logger", "print", "usage", "help", "doc", "docs", "info",
                           "debug", "notice", "note", "exception", "exit", "abort", "die", "fatal", "name", "label",
                           "title", "description", "repr", "str", "format", "formatter", "parser", "parse",
                           "quote", "escape", "split", "history"})


def _reports_only(name: str) -> bool:
    words = split_words(name)
    return bool(words) and words[-1] in _REPORT_WORDS


@predicate("python.command_wrapper")
def command_wrapper(ctx: MatchContext):
    """A command line built by interpolation, passed to a helper whose name says it runs
    commands (run_command, _run_ssh, exec_cmd, ...)."""
    call = ctx.node("match")
    name = ctx.text("fn")
    if not RUNNER_NAME.search(name) or _reports_only(name):
        return None
    qn = call_qualname(ctx.file, call) or ""
    if qn in SHELL_STRING or qn in SUBPROCESS or qn in OS_EXEC or qn.startswith(("subprocess.", "os.")):
        return None  # the precise rule handles these
    target = ctx.node("arg")
    built = built_string(ctx.file, target, "cmd", accept=lambda t: not _sql_shaped(t) and (
        " " in t.literal or any(_joins_words(ctx, h.node) for h in t.holes)))
    if built is None:
        return None
    return verdict(built.val, call, {"how": built.tpl.how, "fn": name}, unknown=LOW, tainted=MEDIUM)


def _joins_words(ctx, node) -> bool:
    """`''.join(parts)` where `parts` was filled with strings formatted around spaces
    (parts.append(" %s=%s" % (k, v))): a command line assembled piece by piece."""
    node = unwrap(node)
    if node is None or node.type != "call" or callee_name(node) != "join":
        return False
    items = arg(node, 0)
    items = unwrap(items)
    if items is None or items.type != "identifier":
        return False
    for d in scope_for(ctx.file, items).defs.get(text(items), ()):
        if d.kind == "item" and d.pos <= node.start_byte:
            tpl = template(d.value)
            if tpl is not None and tpl.holes and " " in tpl.literal:
                return True
    return False


@predicate("python.argument_injection")
def argument_injection(ctx: MatchContext):
    """Untrusted input as an argument of a program run without a shell (it can add options
    such as --output=/etc/passwd)."""
    call, qn = _call_ctx(ctx)
    if not (qn in SUBPROCESS or qn in OS_EXEC or qn.startswith("subprocess.")):
        return None
    _, kw = call_args(call)
    if is_true(kw.get("shell")):
        return None
    target = arg(call, OS_EXEC.get(qn, 0) + (1 if qn in OS_EXEC and not qn.endswith(("v", "ve", "vp", "vpe")) else 0), "args")
    if qn in OS_EXEC and qn.endswith(("v", "ve", "vp", "vpe", "spawn")):
        target = arg(call, OS_EXEC[qn] + 1)
    elements = _list_elements(ctx, target) if target is not None else None
    if qn in OS_EXEC and not qn.endswith(("v", "ve", "vp", "vpe")):
        positional, _ = call_args(call)
        elements = positional[OS_EXEC[qn] + 1 :]
    if not elements or len(elements) < 2:
        return None
    program = elements[0]
    if _value(ctx, program, "cmd").level != CONST:
        return None  # RL102 covers a program chosen by input
    for element in elements[1:]:
        val = _value(ctx, element, "cmd")
        if val.tainted:
            return Verdict(confidence=HIGH, node=call, args={"what": val.what, "fn": qn}, related=related_for(val))
    return None


# ---------------------------------------------------------------- code (RL103)

CODE_SINKS = frozenset({"eval", "exec", "builtins.eval", "builtins.exec", "compile", "builtins.compile"})
# Expression evaluators of libraries, by qualified name: the keyword of their expression argument.
# pandas.eval and numexpr.evaluate hand their string to Python's own parser and evaluator in
# several paths (engine="python", attribute access, @local references); ImageMath.eval evaluates
# with a restricted namespace that has been escaped (CVE-2023-50447), unsafe_eval without any.
LIBRARY_CODE_SINKS = {
    "PIL.ImageMath.eval": "expression", "PIL.ImageMath.unsafe_eval": "expression",
    "numexpr.evaluate": "ex", "numexpr.re_evaluate": "ex", "pandas.eval": "expr",
}
# DataFrame.query / DataFrame.eval: a method of any object, so only in a module that imports
# pandas and only for a string built right there or from input (not a name for a constant).
FRAME_METHODS = frozenset({"query", "eval"})


@predicate("python.code_injection")
def code_injection(ctx: MatchContext):
    if alias_rejected(ctx):
        return None
    call, qn = _call_ctx(ctx)
    if qn in LIBRARY_CODE_SINKS:
        target = arg(call, 0, LIBRARY_CODE_SINKS[qn])
        if target is None:
            return None
        val, how, built = _dynamic(ctx, target, "code")
        return verdict(val, call, {"how": how, "fn": qn.split(".", 1)[-1] if qn.startswith("PIL.") else qn})
    if qn not in CODE_SINKS:
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "attribute" or text(fn.child_by_field_name("attribute")) not in FRAME_METHODS:
            return None
        name = text(fn.child_by_field_name("attribute"))
        if not imports_module(ctx.file, "pandas"):
            return None
        target = arg(call, 0, "expr")
        if target is None:
            return None
        val, how, built = _dynamic(ctx, target, "code")
        if built is None and val.level != TAINTED:
            return None  # a name or attribute: usually a constant expression defined elsewhere
        return verdict(val, call, {"how": how, "fn": "DataFrame." + name})
    target = arg(call, 0, "source")
    if target is None:
        return None
    if qn.endswith("compile") and _only_ast(arg(call, 3, "flags")):
        return None  # compile(src, name, mode, ast.PyCF_ONLY_AST) parses to a tree: nothing runs
    val, how, built = _dynamic(ctx, target, "code")
    if val.level != TAINTED and (_generated_code(ctx, target) or _source_file_contents(ctx, target)):
        return None
    return verdict(val, call, {"how": how, "fn": qn.rsplit(".", 1)[-1]})


def _source_file_contents(ctx, node) -> bool:
    """The code is the text of a file the module opened itself (`with open(path) as f:
    exec(compile(f.read(), path, "exec"))`): running a Python file by path, which is what
    import does (a config file, setup.py reading its version file, PYTHONSTARTUP). Who picks the
    path is the question, and a path from input makes the value tainted, which is still reported;
    code downloaded (`urlopen(url).read()`) is not a file the module opened and is still reported."""
    node = unwrap(node)
    if node is not None and node.type == "call" and callee_name(node) == "compile":
        node = unwrap(arg(node, 0, "source"))
    if node is None or node.type != "call":
        return False
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "attribute" or text(fn.child_by_field_name("attribute")) != "read":
        return False
    obj = fn.child_by_field_name("object")
    if obj is None or obj.type != "identifier":
        return False
    opened = linear(rf"(?:io\.|codecs\.)?open\(.*\)\s+as\s+{escape(text(obj))}", re.DOTALL)
    up = node.parent
    while up is not None and up.type not in ("function_definition", "class_definition", "module"):
        if up.type == "with_statement":
            clause = next((c for c in up.named_children if c.type == "with_clause"), None)
            for item in clause.named_children if clause is not None else ():
                if opened.fullmatch(text(item)):
                    call = unwrap(item.named_children[0].named_children[0]) if item.named_children and item.named_children[0].named_children else None
                    path = arg(call, 0, "file") if call is not None and call.type == "call" else None
                    return path is not None and _value(ctx, path, "path").level != TAINTED
        up = up.parent
    return False


_FLAG_SEPARATORS = linear(r"[\s|()]+")


def _only_ast(flags) -> bool:
    """compile()'s flags ask for an AST only (`ast.PyCF_ONLY_AST`, alone or or-ed with other
    PyCF_ flags): the source is parsed, not turned into code that can run."""
    if flags is None:
        return False
    names = [t for t in _FLAG_SEPARATORS.split(text(flags)) if t]
    return any(n.rsplit(".", 1)[-1] == "PyCF_ONLY_AST" for n in names) and all(
        n.rsplit(".", 1)[-1].startswith("PyCF_") for n in names)


def _generated_code(ctx, target) -> bool:
    """Code the program built itself (template engines, routing compilers, the debugger's own
    frames): exec/eval of a code object made by compile() (that compile() call is the one judged,
    by its source) or compile() of an AST built with the ast module (a tree, not text: nothing can
    be spliced into it). Input reaching either is still reported (the caller checks taint first)."""
    node = unwrap(target)
    if node is None:
        return False
    if _literal_text(node):
        return True  # text made of literals only ("\n" * (lineno - 1) + "raise exc"): nothing from outside
    values = [node]
    if node.type == "identifier":
        values = [unwrap(v) for v in reaching_values(ctx.file, node)]
        if not values:
            return False
    for v in values:
        v = _through_conversions(v)
        if v is not None and v.type == "attribute" and _own_generated_attribute(ctx, v):
            continue
        if v is None or v.type != "call":
            return False
        if _own_generator_call(ctx, v):
            continue  # text a function of this module (or a method of this class) generated
        if callee_name(v) in ("visit", "generic_visit") and _generated_code(ctx, arg(v, 0)):
            continue  # an ast.NodeTransformer's output: still a tree
        qn = call_qualname(ctx.file, v) or callee_name(v)
        if not (qn in ("compile", "builtins.compile") or qn.startswith("ast.")):
            return False
    return True


def _literal_text(node) -> bool:
    """A string built only from literals: concatenations of string literals, and a literal
    repeated any number of times."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "string":
        return not any(c.type == "interpolation" for c in node.named_children)
    if node.type == "concatenated_string":
        return all(_literal_text(c) for c in node.named_children)
    if node.type == "binary_operator":
        op = text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op == "+":
            return _literal_text(left) and _literal_text(right)
        if op == "*":
            return _literal_text(left) or _literal_text(right)
    return False


# Text conversions that keep the code they are given: to_unicode(self.code), source.decode().
_TEXT_CONVERSIONS = frozenset({"to_unicode", "to_native", "native_str", "str", "decode", "encode", "strip",
                               "lstrip", "rstrip", "dedent", "textwrap.dedent"})


def _through_conversions(node):
    node = unwrap(node)
    for _ in range(4):
        if node is None or node.type != "call" or callee_name(node) not in _TEXT_CONVERSIONS:
            return node
        fn = node.child_by_field_name("function")
        positional, _ = call_args(node)
        if fn is not None and fn.type == "attribute" and callee_name(node) in ("decode", "encode", "strip", "lstrip", "rstrip"):
            node = unwrap(fn.child_by_field_name("object"))
        elif len(positional) == 1:
            node = unwrap(positional[0])
        else:
            return node
    return node


def _class_of(node):
    n = node.parent
    while n is not None and n.type != "class_definition":
        n = n.parent
    return n


def _defined_functions(container) -> set[bytes]:
    """Names of the functions defined directly in a class body or module (decorated ones too)."""
    body = container.child_by_field_name("body") if container.type == "class_definition" else container
    out = set()
    stack = list(body.named_children) if body is not None else []
    while stack:
        n = stack.pop()
        if n.type == "decorated_definition":
            stack.extend(c for c in n.named_children if c.type == "function_definition")
        elif n.type == "function_definition":
            name = n.child_by_field_name("name")
            if name is not None:
                out.add(name.text)
        elif n.type in ("if_statement", "else_clause", "try_statement", "except_clause", "block"):
            stack.extend(n.named_children)
    return out


def _own_generator_call(ctx, call) -> bool:
    """A call of a method of the enclosing class (`self._generate_python(loader)`) or of a function
    the module defines (`_compile(template, text)`): the module's own code generator."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type == "identifier":
        return fn.text in _defined_functions(ctx.file.tree.root_node)
    if fn.type == "attribute" and text(fn.child_by_field_name("object")) in ("self", "cls"):
        cls = _class_of(call)
        return cls is not None and fn.child_by_field_name("attribute").text in _defined_functions(cls)
    return False


def _own_generated_attribute(ctx, node) -> bool:
    """`self.code` where the class computes `code` itself: a property or cached property of the
    class, or every `self.code = ...` in the class assigns what one of its generators returns."""
    if text(node.child_by_field_name("object")) != "self":
        return False
    cls = _class_of(node)
    if cls is None:
        return False
    attr = node.child_by_field_name("attribute").text
    if attr in _defined_functions(cls):
        return True
    found = False
    stack = [cls.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.type == "assignment":
            left = n.child_by_field_name("left")
            if left is not None and left.type == "attribute" and text(left.child_by_field_name("object")) == "self" \
                    and left.child_by_field_name("attribute").text == attr:
                right = _through_conversions(n.child_by_field_name("right"))
                if right is None or right.type != "call" or not _own_generator_call(ctx, right):
                    return False
                found = True
            continue
        stack.extend(n.named_children)
    return found


DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "__import__", "builtins.__import__", "imp.load_source",
                             "importlib.__import__", "pydoc.locate"})


@predicate("python.dynamic_import")
def dynamic_import(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    if qn not in DYNAMIC_IMPORTS:
        return None
    target = arg(call, 0, "name")
    val = _value(ctx, target, "code")
    return verdict(val, call, {"how": _describe(ctx, target, val), "fn": qn}, unknown=None)


# ---------------------------------------------------------------- paths (RL104)

PATH_SINKS = {
    "open": 0, "io.open": 0, "codecs.open": 0, "os.open": 0, "builtins.open": 0, "os.remove": 0, "os.unlink": 0,
    "os.rmdir": 0, "os.removedirs": 0, "os.mkdir": 0, "os.makedirs": 0, "os.rename": 0, "os.replace": 0,
    "os.listdir": 0, "os.scandir": 0, "os.truncate": 0, "os.chmod": 0, "os.chown": 0, "shutil.copy": 0,
    "shutil.copy2": 0, "shutil.copyfile": 0, "shutil.copytree": 0, "shutil.move": 0, "shutil.rmtree": 0,
    "flask.send_file": 0, "send_file": 0, "bottle.static_file": 0, "django.http.FileResponse": 0,
    "starlette.responses.FileResponse": 0, "fastapi.responses.FileResponse": 0, "aiofiles.open": 0,
    "pathlib.Path": 0, "linecache.getlines": 0, "fileinput.input": 0, "os.path.getsize": None,
}
PATH_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "rmdir",
                          "mkdir", "touch", "rename", "replace", "iterdir"})
NORMALIZERS = (b"realpath", b"abspath", b"normpath", b"resolve(", b"commonpath", b"safe_join", b"is_relative_to",
               b"relative_to")


def _has_base_check(ctx, node) -> bool:
    fn = enclosing_function(node)
    body = fn.text if fn is not None else b""
    normalized = any(n in body for n in NORMALIZERS)
    checked = b"startswith(" in body or b"commonpath" in body or b"is_relative_to" in body or b"relative_to(" in body
    return normalized and checked


def _path_verdict(ctx, call, target, sink: str):
    if target is None:
        return None
    val, how, built = _dynamic(ctx, target, "path")
    if val.level == CONST:
        return None
    if _has_base_check(ctx, call):
        return None
    unknown = LOW if in_request_handler(ctx.file, call) else None
    return verdict(val, call, {"how": how, "sink": sink}, unknown=unknown)


@predicate("python.path_traversal")
def path_traversal(ctx: MatchContext):
    """A file API receiving a path built from untrusted input, without a base-folder check."""
    if alias_rejected(ctx):
        return None
    call, qn = _call_ctx(ctx)
    name = qn.rsplit(".", 1)[-1] if qn else callee_name(call)
    if qn in PATH_SINKS and PATH_SINKS[qn] is not None:
        if qn == "pathlib.Path":
            return None  # judged where it is used (read_text(), open(), ...)
        return _path_verdict(ctx, call, arg(call, PATH_SINKS[qn], "file" if "open" in qn else None), qn)
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "attribute":
        obj = unwrap(fn.child_by_field_name("object"))
        if name in PATH_METHODS and obj is not None and obj.type == "call":
            oqn = call_qualname(ctx.file, obj) or ""
            if oqn.endswith(("pathlib.Path", "Path", "PurePath")):
                return _path_verdict(ctx, call, arg(obj, 0), f"Path().{name}")
        if name == "save" and obj is not None:
            # An uploaded file saved under a name from the request (werkzeug FileStorage.save).
            upload = _value(ctx, obj, "path")
            if upload.tainted:
                return _path_verdict(ctx, call, arg(call, 0, "dst"), "save")
    return None


# ---------------------------------------------------------------- archives (RL114)


@predicate("python.tar_extraction")
def tar_extraction(ctx: MatchContext):
    """TarFile.extractall()/extract() without filter= (member names like ../../x escape)."""
    call = ctx.node("match")
    name = ctx.text("fn")
    qn = call_qualname(ctx.file, call) or ""
    if qn == "shutil.unpack_archive":
        if keyword_node(call, "filter") is not None:
            return None
        return Verdict(confidence=LOW, args={"fn": "shutil.unpack_archive"})
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "attribute":
        return None
    if keyword_node(call, "filter") is not None or has_splat(call):
        return None
    body = local_text(ctx.file, call)
    if b"isabs(" in body or b"'..'" in body or b'".."' in body or _has_base_check(ctx, call):
        return None  # member names are checked before extraction
    obj = unwrap(fn.child_by_field_name("object"))
    is_tar = False
    if obj is not None:
        candidates = reaching_values(ctx.file, obj) if obj.type == "identifier" else [obj]
        for v in candidates:
            v = unwrap(v)
            if v is not None and v.type == "call":
                vq = call_qualname(ctx.file, v) or ""
                if vq.startswith("tarfile.") or vq.endswith(("TarFile", "TarFile.open")):
                    is_tar = True
    if not is_tar:
        if not imports_module(ctx.file, "tarfile") or (obj is not None and "zip" in text(obj).lower()):
            return None
    if name == "extractall" and keyword_node(call, "members") is not None:
        return Verdict(confidence=LOW, args={"fn": f"{text(obj)}.{name}()"})
    return Verdict(confidence=MEDIUM if is_tar else LOW, args={"fn": f"{text(obj)}.{name}()"})


# ---------------------------------------------------------------- XSS (RL105)

MARKUP = frozenset({"markupsafe.Markup", "flask.Markup", "jinja2.Markup", "django.utils.safestring.mark_safe",
                    "django.utils.safestring.SafeString", "django.utils.safestring.SafeText", "mark_safe",
                    "Markup", "SafeString"})
RESPONSES = frozenset({"flask.make_response", "flask.Response", "werkzeug.wrappers.Response", "django.http.HttpResponse",
                       "django.http.response.HttpResponse", "fastapi.responses.HTMLResponse",
                       "starlette.responses.HTMLResponse", "make_response", "HttpResponse", "HTMLResponse",
                       "django.http.HttpResponseBadRequest", "django.http.HttpResponseNotFound",
                       "django.http.HttpResponseForbidden", "webob.Response", "bottle.HTTPResponse"})
HTML_TAG = linear(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[\s>/]|<!--")


def _json_body(node) -> bool:
    """A dict or list body (`{...}`, `dict(request.headers)`, a comprehension): make_response()
    turns it into a JSON response, which browsers do not read as HTML."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("dictionary", "dictionary_comprehension", "list", "list_comprehension"):
        return True
    return node.type == "call" and callee_name(node) == "dict"


def _not_html(call) -> bool:
    _, kw = call_args(call)
    for key in ("content_type", "mimetype", "media_type"):
        v = kw.get(key)
        if v is not None:
            s = string_value(v)
            return s is not None and "html" not in s.lower()
    return False


@predicate("python.xss")
def xss(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    name = qn.rsplit(".", 1)[-1]
    if qn in MARKUP or (name in ("Markup", "mark_safe", "SafeString") and qn.endswith(name)):
        if name in ("Markup", "SafeString") and qn == name and not imports_module(ctx.file, "markupsafe", "flask", "jinja2", "django"):
            return None
        target = arg(call, 0)
        if target is None:
            return None
        val, how, built = _dynamic(ctx, target, "xss")
        if not val.tainted and built is None:
            json_call = _unescaped_json(ctx, target)
            if json_call is not None:
                return Verdict(confidence=MEDIUM, args={"how": f"JSON from {callee_name(json_call)}() (which leaves '</script>' and '<!--' as they are)"
                                                        f" marked safe by {name}()"})
        unknown = LOW if built is not None else None
        return verdict(val, call, {"how": f"{how} marked safe by {name}()"}, unknown=unknown)
    if qn in RESPONSES or (name in ("make_response", "HttpResponse", "HTMLResponse") and qn.endswith(name)):
        if qn.startswith("rest_framework"):
            return None
        if _not_html(call):
            return None
        target = arg(call, 0, "content") or arg(call, 0, "response")
        if target is None:
            return None
        if name == "make_response" and _json_body(target):
            return None  # Flask and Quart serialize a dict or list body as application/json
        val, how, _ = _dynamic(ctx, target, "xss")
        return verdict(val, call, {"how": how}, unknown=None)
    fn = call.child_by_field_name("function")
    if name == "write" and fn is not None and fn.type == "attribute":
        obj = text(fn.child_by_field_name("object"))
        if obj in ("self", "self.response", "self.response.out", "request.wfile", "self.wfile", "response", "resp"):
            target = arg(call, 0)
            if target is None:
                return None
            val, how, _ = _dynamic(ctx, target, "xss")
            return verdict(val, call, {"how": how}, unknown=None)
    return None


JSON_DUMPERS = frozenset({"json.dumps", "simplejson.dumps", "django.core.serializers.serialize", "serialize", "dumps"})


def _unescaped_json(ctx, node, depth: int = 0):
    """The json.dumps()/serialize('json', ...) call that `node` is (or that every value of the
    variable `node` comes from), when its encoder does not escape HTML; else None."""
    node = unwrap(node)
    if node is None or depth > 3:
        return None
    if node.type == "identifier":
        values = reaching_values(ctx.file, node)
        calls = [_unescaped_json(ctx, v, depth + 1) for v in values]
        return calls[0] if calls and all(c is not None for c in calls) else None
    if node.type != "call":
        return None
    qn = call_qualname(ctx.file, node) or ""
    name = callee_name(node)
    if qn not in JSON_DUMPERS and not (name == "dumps" and qn.endswith("json.dumps")):
        return None
    positional, kw = call_args(node)
    if name == "serialize" and not (positional and string_value(positional[0]) == "json"):
        return None
    if name == "dumps" and qn == "dumps" and not imports_module(ctx.file, "json", "simplejson"):
        return None
    encoder = kw.get("cls")
    if encoder is not None and re.search(r"(?i)html|escape|safe", text(encoder)):
        return None
    data = positional[1] if name == "serialize" and len(positional) > 1 else (positional[0] if positional else None)
    if data is not None and _scalar(data):
        return None  # a number or a truth value cannot hold markup
    return node


def _scalar(node) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    t = node.type
    if t in ("integer", "float", "true", "false", "none", "comparison_operator", "not_operator"):
        return True
    if t == "boolean_operator":
        return all(_scalar(c) or (c.type == "call" and callee_name(c).startswith(("is_", "has_", "can_")))
                   for c in node.named_children)
    if t == "call":
        return callee_name(node) in ("len", "int", "float", "bool", "round", "abs", "count")
    return False


def json_into_mako(ctx, call):
    """render('page.mako', request, {'x_json': json.dumps(data)}): Mako prints context values
    without escaping unless the template asks for it, and JSON is not HTML-safe."""
    positional, kw = call_args(call)
    template = next((string_value(a) for a in positional if (string_value(a) or "").endswith(".mako")), None)
    if template is None:
        return None
    contexts = [a for a in positional if unwrap(a).type == "dictionary"] + [v for v in kw.values() if unwrap(v).type == "dictionary"]
    for d in contexts:
        for pair in unwrap(d).named_children:
            if pair.type != "pair":
                continue
            value = pair.child_by_field_name("value")
            json_call = _unescaped_json(ctx, value)
            if json_call is not None:
                key = string_value(pair.child_by_field_name("key")) or text(pair.child_by_field_name("key"))
                return Verdict(confidence=LOW, node=json_call,
                               args={"how": f"JSON from {callee_name(json_call)}() (which leaves '</script>' and '<!--' as they are), "
                                            f"given to the Mako template {template} as '{key}'"})
    return None


@predicate("python.xss_return")
def xss_return(ctx: MatchContext):
    """A Flask view returning a string built from request data: Flask sends it as text/html."""
    ret = ctx.node("match")
    value = ret.named_children[0] if ret.named_child_count else None
    if value is None or value.type in ("tuple", "expression_list", "call", "dictionary", "list", "integer", "true",
                                       "false", "none", "comparison_operator", "not_operator"):
        if value is None or value.type != "call" or callee_name(value) not in ("format", "join", "replace", "str"):
            return None
    if value.type == "string" and not any(c.type == "interpolation" for c in value.named_children):
        return None
    if not imports_module(ctx.file, "flask"):
        return None
    scope = scope_for(ctx.file, ret)
    if not scope.route:
        return None
    val, how, built = _dynamic(ctx, value, "xss")
    if not val.tainted:
        return None
    html = built is not None and bool(HTML_TAG.search(built.tpl.literal))
    return Verdict(confidence=HIGH if html else MEDIUM, node=value, args={"how": how}, related=related_for(val))


@predicate("python.jinja_autoescape")
def jinja_autoescape(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    if not (qn in ("jinja2.Environment", "jinja2.environment.Environment", "jinja2.Template")
            or (qn == "Environment" and (imports_module(ctx.file, "jinja2") or keyword_node(call, "loader") is not None))):
        return None
    if has_splat(call):
        return None
    kw = keyword_node(call, "autoescape")
    if kw is None:
        if qn.endswith("Template"):
            return None
        return Verdict(confidence=MEDIUM, args={"how": "Everything this jinja2 Environment renders (autoescape is off by default)"})
    value = kw.child_by_field_name("value")
    if is_false(value):
        return Verdict(confidence=HIGH, args={"how": "Everything this jinja2 Environment renders (autoescape=False)"})
    return None


@predicate("python.safe_filter")
def safe_filter(ctx: MatchContext):
    """A template string passed to a renderer that marks a value |safe or turns autoescape off."""
    call, qn = _call_ctx(ctx)
    if not (qn.endswith(("render_template_string", "Template", "from_string"))):
        return None
    s = string_value(arg(call, 0, "source"))
    if s is None:
        return None
    if re.search(r"\|\s*safe\b|{%-?\s*autoescape\s+(false|off)", s):
        return Verdict(confidence=MEDIUM, args={"how": "A template value marked |safe"})
    return None


# ---------------------------------------------------------------- SSRF (RL106)

HTTP_FUNCS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "urlopen",
                        "Request", "urlretrieve", "fetch", "open"})
HTTP_MODULES = ("requests", "httpx", "urllib.request", "urllib2", "urllib", "aiohttp", "urllib3", "httplib2",
                "pycurl", "tornado.httpclient")
CLIENT_FACTORIES = ("requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession",
                    "urllib3.PoolManager", "urllib3.HTTPConnectionPool", "httplib2.Http", "tornado.httpclient.AsyncHTTPClient",
                    "tornado.httpclient.HTTPClient", "urllib.request.build_opener")


def _is_http_client(ctx, obj) -> bool:
    obj = unwrap(obj)
    if obj is None:
        return False
    values = reaching_values(ctx.file, obj) if obj.type == "identifier" else [obj]
    if not values and obj.type == "identifier":
        # A client made at module level: session = requests.Session()
        values = [d.value for d in module_bindings(ctx.file, text(obj)) if d.value is not None]
    for v in values:
        v = unwrap(v)
        if v is not None and v.type == "call":
            q = call_qualname(ctx.file, v) or ""
            if q.startswith(CLIENT_FACTORIES):
                return True
    return False


def _url_position(built) -> str:
    """'host' when input can choose the host, 'path' when only the path/query."""
    if built is None:
        return "host"
    parts = built.tpl.parts
    first = parts[0] if parts and isinstance(parts[0], str) else ""
    m = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)", first)
    if not m:
        return "host"
    if len(first) > m.end() and first[m.end()] in "/?#":
        return "path"
    return "host"


@predicate("python.ssrf")
def ssrf(ctx: MatchContext):
    if alias_rejected(ctx):
        return None
    call, qn = _call_ctx(ctx)
    name = qn.rsplit(".", 1)[-1]
    if name not in HTTP_FUNCS:
        return None
    fn = call.child_by_field_name("function")
    known = qn.startswith(HTTP_MODULES) and not qn.startswith("urllib.parse")
    if not known and fn is not None and fn.type == "attribute" and imports_module(ctx.file, *HTTP_MODULES):
        known = _is_http_client(ctx, fn.child_by_field_name("object"))
    if not known:
        return None
    index = 1 if name == "request" and (qn.startswith(("requests", "httpx", "urllib3")) or not qn.startswith(HTTP_MODULES)) else 0
    target = arg(call, index, "url")
    if target is None:
        return None
    val, how, built = _dynamic(ctx, target, "url")
    if val.level == CONST:
        return None
    where = _url_position(built)
    if val.tainted:
        conf = HIGH if where == "host" else MEDIUM
        return Verdict(confidence=conf, args={"how": how if where == "host" else f"{how} (the path of the URL)"},
                       related=related_for(val))
    if in_request_handler(ctx.file, call) and where == "host":
        return Verdict(confidence=LOW, args={"how": how})
    return None


# ---------------------------------------------------------------- deserialization (RL107)

DESER = {
    "pickle.load": "pickle", "pickle.loads": "pickle", "pickle.Unpickler": "pickle", "cPickle.load": "pickle",
    "cPickle.loads": "pickle", "_pickle.load": "pickle", "_pickle.loads": "pickle", "dill.load": "dill",
    "dill.loads": "dill", "cloudpickle.load": "cloudpickle", "cloudpickle.loads": "cloudpickle",
    "jsonpickle.decode": "jsonpickle", "jsonpickle.loads": "jsonpickle", "shelve.open": "shelve",
    "marshal.load": "marshal", "marshal.loads": "marshal", "pandas.read_pickle": "pandas",
    "joblib.load": "joblib", "torch.load": "torch", "numpy.load": "numpy", "sklearn.externals.joblib.load": "joblib",
    "keras.models.load_model": "keras",
}


@predicate("python.deserialization")
def deserialization(ctx: MatchContext):
    if alias_rejected(ctx):
        return None
    call, qn = _call_ctx(ctx)
    if qn not in DESER:
        return None
    mod, fn = qn.rsplit(".", 1)
    if qn == "torch.load":
        kw = keyword_node(call, "weights_only")
        if kw is None or not is_false(kw.child_by_field_name("value")):
            return None  # torch >= 2.6 loads weights only by default
    if qn == "numpy.load":
        kw = keyword_node(call, "allow_pickle")
        if kw is None or not is_true(kw.child_by_field_name("value")):
            return None
    if qn == "keras.models.load_model":
        kw = keyword_node(call, "safe_mode")
        if kw is None or not is_false(kw.child_by_field_name("value")):
            return None
    target = arg(call, 0)
    val = _value(ctx, target, "deser") if target is not None else UNKNOWN_VAL
    if val.level == CONST and target is not None and unwrap(target).type in ("string", "concatenated_string"):
        return None  # a literal payload in the source
    if val.level == CONST:
        val = UNKNOWN_VAL
    # A cache that loads what the same class (or module) wrote with this serializer (bytecode and
    # HTTP caches, crawler state): a hint, not a finding, unless input reaches the load.
    unknown = LOW if val.level != TAINTED and _writes_own(ctx, call, mod) else MEDIUM
    return verdict(val, call, {"mod": mod, "fn": fn, "what": qn + "()"}, unknown=unknown)


def _writes_own(ctx, call, mod: str) -> bool:
    if mod not in ("pickle", "cPickle", "_pickle", "marshal", "dill", "cloudpickle", "joblib"):
        return False
    holder = enclosing(call, ("class_definition",))
    body = holder.text if holder is not None else ctx.file.text
    return (mod + ".dump").encode() in body


# ---------------------------------------------------------------- templates (RL108)


@predicate("python.template_injection")
def template_injection(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    name = qn.rsplit(".", 1)[-1]
    ok = (
        qn in ("flask.render_template_string", "jinja2.Template", "django.template.Template", "mako.template.Template",
               "jinja2.environment.Template", "tornado.template.Template", "chevron.render")
        or name == "from_string"
        or (qn == "render_template_string")
    )
    if not ok:
        return None
    target = arg(call, 0, "source")
    if target is None:
        return None
    val, how, built = _dynamic(ctx, target, "template")
    return verdict(val, call, {"how": how}, unknown=MEDIUM if built is not None else None)


# ---------------------------------------------------------------- XPath, LDAP (RL109, RL110)


@predicate("python.xpath_injection")
def xpath_injection(ctx: MatchContext):
    call = ctx.node("match")
    name = ctx.text("fn")
    qn = call_qualname(ctx.file, call) or ""
    target = arg(call, 0, "_path" if name == "xpath" else "path")
    if target is None:
        return None
    if name in ("find", "findall", "findtext", "iterfind") and not imports_module(ctx.file, "xml", "lxml", "defusedxml"):
        return None
    if name in ("XPath", "ETXPath") and not (qn.startswith("lxml") or imports_module(ctx.file, "lxml")):
        return None
    val, how, built = _dynamic(ctx, target, "xpath")
    unknown = MEDIUM if (name in ("xpath", "XPath", "ETXPath") and built is not None) else None
    return verdict(val, call, {"how": how}, unknown=unknown)


@predicate("python.ldap_injection")
def ldap_injection(ctx: MatchContext):
    call = ctx.node("match")
    name = ctx.text("fn")
    if not imports_module(ctx.file, "ldap", "ldap3", "ldap3.core"):
        return None
    positional, kw = call_args(call)
    ldap3 = imports_module(ctx.file, "ldap3") and not imports_module(ctx.file, "ldap")
    base = positional[0] if positional else kw.get("base") or kw.get("search_base")
    if name == "search" and ldap3:
        flt = positional[1] if len(positional) > 1 else kw.get("search_filter")
    else:  # python-ldap: search*(base, scope, filterstr, ...)
        flt = positional[2] if len(positional) > 2 else kw.get("filterstr")
    candidates = [flt, base]
    best = None
    for c in candidates:
        if c is None:
            continue
        val, how, built = _dynamic(ctx, c, "ldap")
        if built is None and not val.tainted:
            continue
        if best is None or val.level > best[0].level:
            best = (val, how)
    if best is None:
        return None
    return verdict(best[0], call, {"how": best[1]}, unknown=MEDIUM)


# ---------------------------------------------------------------- redirects (RL111)

REDIRECTS = frozenset({"flask.redirect", "django.shortcuts.redirect", "django.http.HttpResponseRedirect",
                       "django.http.HttpResponsePermanentRedirect", "starlette.responses.RedirectResponse",
                       "fastapi.responses.RedirectResponse", "bottle.redirect", "werkzeug.utils.redirect",
                       "redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect", "RedirectResponse",
                       "django.http.response.HttpResponseRedirect", "quart.redirect"})
REDIRECT_GUARDS = (b"url_has_allowed_host_and_scheme", b"is_safe_url", b"is_safe_redirect", b"url_is_safe",
                   b"is_safe_path", b".netloc", b"urlparse(")


def _redirect_guarded(ctx, node) -> bool:
    fn = enclosing_function(node)
    body = fn.text if fn is not None else b""
    return any(g in body for g in REDIRECT_GUARDS)


def _relative_target(built) -> bool:
    """A target that starts with a fixed local path ("/profile/...") or a fixed host."""
    if built is None:
        return False
    first = built.tpl.parts[0] if built.tpl.parts and isinstance(built.tpl.parts[0], str) else ""
    if len(first) >= 2 and first[0] == "/" and first[1] not in "/\\":
        return True
    return bool(re.match(r"^https?://[^/?#]+[/?#]", first))


CURRENT_PATH = ("request.path", "request.get_full_path", "request.path_info", "request.full_path",
                "self.request.path", "self.request.get_full_path", "self.request.path_info")
CURRENT_PATH_EXPRS = frozenset(CURRENT_PATH) | {p + "()" for p in CURRENT_PATH if p.endswith("get_full_path")} | {
    p + '.rstrip("/")' for p in CURRENT_PATH} | {p + ".rstrip('/')" for p in CURRENT_PATH}


# A check that the path does not start with "//" (a protocol-relative URL to another host).
PROTOCOL_RELATIVE_CHECKS = (b'"//"', b"'//'", b"protocol_relative", b"lstrip('/')", b'lstrip("/")')


def _leftmost(node):
    """The first operand of `a + b + c`, or the expression itself."""
    node = unwrap(node)
    while node is not None and node.type == "binary_operator" and text(node.child_by_field_name("operator")) == "+":
        node = unwrap(node.child_by_field_name("left"))
    return node


def _own_path_target(ctx, node, target) -> bool:
    """A redirect to the request's own path with something appended (`request.path + "/"`,
    then `+= "?" + request.query`: trailing-slash redirects), in a function that refuses a path
    starting with "//": what follows the path cannot change the host."""
    fn = enclosing_function(node)
    if fn is None or not any(g in fn.text for g in PROTOCOL_RELATIVE_CHECKS):
        return False
    start = _leftmost(target)
    if start is not None and start.type == "identifier":
        defs = [d for d in scope_for(ctx.file, start).defs.get(text(start), ()) if d.pos <= node.start_byte]
        firsts = [d for d in defs if d.kind != "aug"]
        if not firsts or any(d.kind != "assign" or d.value is None for d in firsts):
            return False
        return all(_leftmost(d.value) is not None and text(_leftmost(d.value)) in CURRENT_PATH_EXPRS for d in firsts)
    return start is not None and text(start) in CURRENT_PATH_EXPRS


def _redirect_verdict(ctx, node, target):
    val, how, built = _dynamic(ctx, target, "redirect")
    if not val.tainted or _relative_target(built) or _redirect_guarded(ctx, node):
        return None
    if val.what in CURRENT_PATH or _own_path_target(ctx, node, target):
        return None  # back to the page that was requested (same host)
    where = f"a URL taken from {val.what}" if built is None else f"a URL built by {how} from {val.what}"
    return Verdict(confidence=HIGH, node=node, args={"how": where}, related=related_for(val))


@predicate("python.open_redirect")
def open_redirect(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    name = qn.rsplit(".", 1)[-1]
    fn = call.child_by_field_name("function")
    if qn in REDIRECTS or (name == "redirect" and fn is not None and fn.type == "attribute" and text(fn.child_by_field_name("object")) == "self"):
        if qn == "redirect" and not imports_module(ctx.file, "flask", "django", "bottle", "quart", "werkzeug"):
            return None
        target = arg(call, 0, "to" if "django" in qn else "location")
        if target is None:
            target = arg(call, 0, "url")
        if target is None:
            return None
        return _redirect_verdict(ctx, call, target)
    return None


@predicate("python.location_header")
def location_header(ctx: MatchContext):
    """response.headers['Location'] = x / response['Location'] = x."""
    assign = ctx.node("match")
    left = assign.child_by_field_name("left")
    key = left.child_by_field_name("subscript") if left is not None else None
    name = string_value(key) if key is not None else None
    if name is None or name.lower() != "location":
        return None
    return _redirect_verdict(ctx, assign, assign.child_by_field_name("right"))


# ---------------------------------------------------------------- headers (RL121)

HEADER_OBJECTS = linear(r"(?i)(header|response|resp|res|rv|r)$")


@predicate("python.header_injection")
def header_injection(ctx: MatchContext):
    """A response header whose value (or name) comes from the request."""
    node = ctx.node("match")
    if node.type == "assignment":
        target = node.child_by_field_name("left")
        value = node.child_by_field_name("right")
        obj = unwrap(target.child_by_field_name("value")) if target is not None else None
        key = target.child_by_field_name("subscript") if target is not None else None
        if obj is None:
            return None
        obj_text = text(obj)
        if not (obj_text.endswith("headers") or HEADER_OBJECTS.search(obj_text.split(".")[-1])):
            return None
        if not obj_text.endswith("headers") and not _is_response(ctx, obj):
            return None
    else:
        fn = node.child_by_field_name("function")
        obj = unwrap(fn.child_by_field_name("object")) if fn is not None else None
        if obj is None:
            return None
        name = text(fn.child_by_field_name("attribute"))
        obj_text = text(obj)
        if name == "__setitem__":
            if not _is_response(ctx, obj):
                return None
        elif not ("header" in obj_text.lower()):
            return None
        positional, _ = call_args(node)
        if len(positional) < 2:
            return None
        key, value = positional[0], positional[1]
    if _request_headers(obj_text):
        return None  # the headers of a request (one the code sends, or the parsed one): no response is written
    name_text = string_value(key) if key is not None else None
    if name_text is not None and name_text.lower() == "location":
        return None  # RL111
    val = _value(ctx, value, "header")
    kval = _value(ctx, key, "header") if key is not None else CONST_VAL
    best = val if val.level >= kval.level else kval
    if not best.tainted:
        return None
    if best is val and not kval.tainted and _parsed_header(val.what) and _header_name(key) not in VALUE_SENSITIVE_HEADERS:
        # A request header's value passed on: the HTTP parser split the request at line breaks,
        # so it carries none, and this header's value chooses nothing (Connection, Host, a
        # WebSocket subprotocol).
        return None
    return Verdict(confidence=HIGH, args={"what": best.what}, related=related_for(best))


# Headers whose value alone changes how a browser treats the response, wherever it came from.
VALUE_SENSITIVE_HEADERS = frozenset({
    "set-cookie", "content-type", "content-disposition", "access-control-allow-origin",
    "access-control-allow-credentials", "access-control-allow-headers", "access-control-allow-methods",
    "refresh", "link", "content-security-policy", "x-frame-options", "x-xss-protection", None,
})


def _header_name(key) -> str | None:
    """The lower-case header name of a key: a string, or a constant named after it
    (`hdrs.SEC_WEBSOCKET_PROTOCOL`); None when it cannot be told."""
    if key is None:
        return None
    literal = string_value(key)
    if literal is not None:
        return literal.lower()
    key = unwrap(key)
    if key is not None and key.type in ("identifier", "attribute"):
        last = text(key).rsplit(".", 1)[-1]
        if last.isupper():
            return last.lower().replace("_", "-")
    return None


def _parsed_header(what: str) -> bool:
    """Is the taint a header of the request (`request.headers`, `req.headers`, `request.user_agent`)?"""
    last = (what or "").rsplit(".", 1)[-1].lower()
    return last in ("headers", "user_agent", "useragent")


# A request's whole URL as the framework or client hands it out: percent-encoded (werkzeug's
# request.url re-quotes control characters, httpx and scrapy URLs are encoded when built, a
# server's raw request-target had its line ended at CR/LF by the parser), so no line break can be
# in it. Decoded parts are not in this list: Flask's request.path turns %0A into a line break.
_ENCODED_URL_ATTRS = frozenset({"url", "uri", "raw_uri", "base_url", "url_root", "host_url", "absolute_url", "raw_path"})


def _encoded_url(what: str, attrs: frozenset[str] = _ENCODED_URL_ATTRS) -> bool:
    """Is the taint a request's whole URL (`request.url`, `self.request.url`, `req.uri`)?"""
    parts = (what or "").split(".")
    if len(parts) < 2 or parts[-1].lower() not in attrs:
        return False
    words = split_words(parts[-2])
    return bool(words) and words[-1] in ("request", "req")


# Servers and frameworks whose request.path is the raw path of the request line (not
# percent-decoded: sanic's parsed URL, tornado's and gunicorn's split request-target), and those
# that decode it (Flask/Werkzeug, Django, Starlette, aiohttp, Falcon...), where %0A becomes a line break.
_RAW_PATH_FRAMEWORKS = ("sanic", "tornado", "gunicorn")
_DECODED_PATH_FRAMEWORKS = ("flask", "werkzeug", "quart", "django", "starlette", "fastapi", "aiohttp", "falcon",
                            "bottle", "pyramid", "litestar")


def _raw_path(ctx, what: str) -> bool:
    """`request.path` / `req.path` in a module of a server whose path is not percent-decoded."""
    return (_encoded_url(what, frozenset({"path"}))
            and imports_module(ctx.file, *_RAW_PATH_FRAMEWORKS)
            and not imports_module(ctx.file, *_DECODED_PATH_FRAMEWORKS))


# Parts of a request line that the HTTP parser reads as a token: no space, let alone a CR/LF.
_LINE_TOKENS = frozenset({"method", "scheme", "http_version", "version"})


def _only_encoded_urls(ctx, node) -> bool:
    """A message built from parts (f-string, concatenation, formatting) whose only input parts
    are a request's whole URL, its method or its headers: none can hold a line break."""
    tpl = build_template(ctx.file, node)
    if tpl is None:
        return False
    found = False
    for h in tpl.holes:
        v = _value(ctx, h.node, "log")
        if not v.tainted:
            continue
        if not (_encoded_url(v.what) or _raw_path(ctx, v.what) or _encoded_url(v.what, _LINE_TOKENS) or _parsed_header(v.what)):
            return False
        found = found or _encoded_url(v.what) or _raw_path(ctx, v.what)
    return found


def _request_headers(obj_text: str) -> bool:
    """`request.headers`, `self.request.headers`, `err_request.headers`: a request's headers."""
    parts = obj_text.split(".")
    if len(parts) < 2 or parts[-1] != "headers":
        return False
    words = split_words(parts[-2])
    return bool(words) and words[-1] in ("request", "req")


def _is_response(ctx, obj) -> bool:
    obj = unwrap(obj)
    values = reaching_values(ctx.file, obj) if obj.type == "identifier" else []
    for v in values:
        v = unwrap(v)
        if v is not None and v.type == "call":
            n = callee_name(v)
            if "Response" in n or n in ("make_response", "HttpResponse", "JsonResponse", "render", "redirect"):
                return True
    return False


# ---------------------------------------------------------------- logs, regexes (RL116, RL117)

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})


@predicate("python.log_injection")
def log_injection(ctx: MatchContext):
    call = ctx.node("match")
    fn = call.child_by_field_name("function")
    obj = text(fn.child_by_field_name("object")) if fn is not None and fn.type == "attribute" else ""
    last = obj.rsplit(".", 1)[-1].lower()
    if not (last in ("logging", "logger", "log", "_logger", "_log", "LOG".lower(), "syslog") or last.endswith("logger")):
        return None
    positional, _ = call_args(call)
    specs = _percent_conversions(string_value(positional[0])) if positional else None
    for i, a in enumerate(positional):
        val = _value(ctx, a, "log")
        if val.tainted and i > 0:
            if specs is not None and i - 1 < len(specs) and specs[i - 1] == "r":
                continue  # %r writes repr(): line breaks come out as \r and \n
            if _parsed_header(val.what):
                continue  # a header of a parsed request: the parser split the request at line breaks
            if _encoded_url(val.what) or _raw_path(ctx, val.what):
                continue  # a request's whole URL: percent-encoded, so %0A stays three characters
        if val.tainted and i == 0 and _only_encoded_urls(ctx, a):
            continue  # f"Request: {request.method} {request.url} stopped": the URL is encoded
        if val.tainted:
            # In the message text itself it is certain; as a %-argument a formatter may still
            # escape it.
            return Verdict(confidence=HIGH if i == 0 else MEDIUM, args={"what": val.what}, related=related_for(val))
    return None


def _percent_conversions(message: str | None) -> list[str] | None:
    """The conversion letters of a %-format string in order ('s', 'r', 'd', ...); None when the
    message is not a literal or uses %(name)s keys."""
    if message is None:
        return None
    out, i, n = [], 0, len(message)
    while i < n:
        if message[i] != "%":
            i += 1
            continue
        i += 1
        if i < n and message[i] == "%":
            i += 1
            continue
        if i < n and message[i] == "(":
            return None
        while i < n and message[i] in "#0- +*.0123456789hlL":
            i += 1
        if i < n:
            out.append(message[i])
            i += 1
    return out


SCRIPT_TAG = linear(r"<\s*/?\s*\(?\??:?script", re.IGNORECASE)  # `<\s*/?\s*` is quadratic for `re`
REGEX_FUNCS = frozenset({"re.compile", "re.search", "re.match", "re.fullmatch", "re.sub", "re.subn", "re.split",
                         "re.findall", "re.finditer", "regex.compile", "regex.search", "regex.match"})


@predicate("python.regex_injection")
def regex_injection(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    if qn not in REGEX_FUNCS:
        return None
    target = arg(call, 0, "pattern")
    val, how, _ = _dynamic(ctx, target, "regex")
    if not val.tainted:
        return None
    return Verdict(confidence=HIGH, args={"how": how}, related=related_for(val))


@predicate("python.bad_html_filter")
def bad_html_filter(ctx: MatchContext):
    """A regular expression that strips <script> tags: browsers accept many variants it misses."""
    call, qn = _call_ctx(ctx)
    if qn not in REGEX_FUNCS:
        return None
    first = arg(call, 0, "pattern")
    if first is None or b"script" not in first.text.lower():
        return None
    pattern = string_value(first)
    if pattern is None or not SCRIPT_TAG.search(pattern):
        return None
    return Verdict(confidence=MEDIUM)


# ---------------------------------------------------------------- XML (RL115)

XML_PARSE = {
    "xml.etree.ElementTree.fromstring": "std", "xml.etree.ElementTree.parse": "std", "xml.etree.ElementTree.XML": "std",
    "xml.etree.ElementTree.iterparse": "std", "xml.etree.ElementTree.fromstringlist": "std",
    "xml.etree.cElementTree.fromstring": "std", "xml.etree.cElementTree.parse": "std",
    "xml.dom.minidom.parseString": "std", "xml.dom.minidom.parse": "std", "xml.dom.pulldom.parseString": "std",
    "xml.dom.pulldom.parse": "std", "xml.sax.parseString": "std", "xml.sax.parse": "std",
    "lxml.etree.fromstring": "lxml", "lxml.etree.parse": "lxml", "lxml.etree.XML": "lxml",
    "lxml.etree.iterparse": "lxml", "lxml.etree.XMLID": "lxml", "lxml.objectify.fromstring": "lxml",
    "lxml.objectify.parse": "lxml", "lxml.etree.XSLT": "lxml",
}


@predicate("python.xxe")
def xxe(ctx: MatchContext):
    call, qn = _call_ctx(ctx)
    name = qn.rsplit(".", 1)[-1]
    _, kw = call_args(call)
    if name == "XMLParser" and (qn.startswith("lxml") or imports_module(ctx.file, "lxml")):
        bad = []
        if is_true(kw.get("resolve_entities")):
            bad.append("resolve_entities=True")
        if is_false(kw.get("no_network")):
            bad.append("no_network=False")
        if is_true(kw.get("load_dtd")) and "resolve_entities" not in kw:
            bad.append("load_dtd=True")
        if is_true(kw.get("huge_tree")):
            bad.append("huge_tree=True")
        if bad:
            return Verdict(confidence=HIGH, args={"how": f"An lxml XMLParser with {', '.join(bad)}"})
        if "resolve_entities" not in kw and not has_splat(call):
            # lxml before 5.0 resolves external entities by default.
            return Verdict(confidence=LOW, args={"how": "An lxml XMLParser without resolve_entities=False"})
        return None
    if name == "setFeature":
        positional, _ = call_args(call)
        if len(positional) == 2 and is_true(positional[1]):
            feat = text(positional[0])
            if "external_ges" in feat or "external_pes" in feat or "external-general" in feat:
                return Verdict(confidence=HIGH, args={"how": f"setFeature({feat}, True)"})
        return None
    kind = XML_PARSE.get(qn)
    if kind is None:
        return None
    target = arg(call, 0, "source") or arg(call, 0, "text")
    if target is None:
        return None
    if kind == "lxml":
        parser = arg(call, 1, "parser")
        if parser is not None:
            return None  # judged where the parser is made
    val, how, _ = _dynamic(ctx, target, "xml")
    if val.level == CONST:
        return None
    if kind == "std":
        if not val.tainted:
            return None
        return Verdict(confidence=MEDIUM, args={"how": f"{qn}() on untrusted input ({val.what})"}, related=related_for(val))
    if val.tainted:
        return Verdict(confidence=HIGH, args={"how": f"{qn}() with lxml's default parser on untrusted input ({val.what})"},
                       related=related_for(val))
    if in_request_handler(ctx.file, call):
        return Verdict(confidence=LOW, args={"how": f"{qn}() with lxml's default parser"})
    return None


# ---------------------------------------------------------------- errors (RL122)


@predicate("python.stack_trace_exposure")
def stack_trace_exposure(ctx: MatchContext):
    """A request handler that sends a traceback or an exception's text to the client."""
    node = ctx.node("match")
    value = node.named_children[0] if node.named_child_count else None
    if value is None or value.type in ("identifier", "integer", "string", "true", "false", "none") and value.type != "identifier":
        return None
    body = value.text
    trace = (b"traceback." in body or b"format_exc" in body or b"print_exc" in body) and b"DEBUG" not in body
    handler = None if trace else enclosing(node, ("except_clause", "function_definition"))
    if not trace and (handler is None or handler.type != "except_clause"):
        return None
    if not in_request_handler(ctx.file, node):
        return None
    if trace:
        return Verdict(confidence=HIGH, node=value, args={"what": "a stack trace"})
    alias = None
    for c in handler.named_children:
        if c.type == "as_pattern":
            a = c.child_by_field_name("alias")
            alias = text(a) if a is not None else None
    if not alias:
        return None
    if re.search(rb"(?<![\w.])" + re.escape(alias.encode()) + rb"(?![\w])", body):
        return Verdict(confidence=LOW, node=value, args={"what": "the exception's message"})
    return None


# ---------------------------------------------------------------- dispatch (one predicate per rule)


@predicate("python.sql_any")
def sql_any(ctx: MatchContext):
    if ctx.node("sink") is not None or ctx.node("fn") is not None:
        return sql_injection(ctx)
    return sql_string(ctx)


@predicate("python.command_any")
def command_any(ctx: MatchContext):
    if alias_rejected(ctx):
        return None
    if ctx.node("arg") is not None:
        return command_wrapper(ctx)
    return command_injection(ctx)


@predicate("python.xss_any")
def xss_any(ctx: MatchContext):
    node = ctx.node("match")
    if node.type == "return_statement":
        if not imports_module(ctx.file, "flask"):
            return None
        return xss_return(ctx)
    name = ctx.text("fn")
    if name == "Environment":
        v = jinja_autoescape(ctx)
        if v is not None:
            v.data["fix"] = "jinja"
        return v
    if name in ("render", "render_to_response"):
        return json_into_mako(ctx, ctx.node("match"))
    if name in ("render_template_string", "Template", "from_string"):
        v = jinja_autoescape(ctx) if name == "Template" else None
        if v is not None:
            v.data["fix"] = "jinja"
            return v
        return safe_filter(ctx)
    return xss(ctx)


@predicate("python.redirect_any")
def redirect_any(ctx: MatchContext):
    if ctx.node("match").type == "assignment":
        return location_header(ctx)
    return open_redirect(ctx)


# ---------------------------------------------------------------- URL checks (RL124)

TLDS = r"(?:com|org|net|io|dev|edu|gov|co|uk|de|fr|app|info|biz|us|eu|local|internal|cloud|ai)"
DOMAIN = linear(r"^(?:[a-z][a-z0-9+.-]*://)?[\w-]+(?:\.[\w-]+)*\." + TLDS + r"(?::\d+)?/?$", re.IGNORECASE)
# A dot not escaped by a backslash, then host labels and a known TLD (the group `host`).
UNESCAPED_HOST_RE = linear(r"(?:^|[^\\])(?P<host>\.(?:[\w-]+\.)*" + TLDS + r")\b")


# Last words of names that hold keyed or listed values, not one URL: membership in them is exact.
_COLLECTION_WORDS = frozenset({"config", "conf", "cfg", "settings", "options", "opts", "environ", "env", "headers",
                               "kwargs", "params", "mapping", "dict", "keys", "registry", "cache", "mounts",
                               "hosts", "domains", "origins", "allowlist", "whitelist", "blocklist", "blacklist"})


def _key_collection(node) -> bool:
    """Is this the right side of `in` a dict, set, list or keyed mapping (exact membership)
    rather than a string a substring is looked for in?"""
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("list", "set", "dictionary", "tuple", "list_comprehension", "set_comprehension",
                     "dictionary_comprehension"):
        return True
    if node.type == "call":
        return callee_name(node) in ("keys", "values", "items", "dict", "set", "frozenset", "list", "tuple")
    if node.type not in ("identifier", "attribute"):
        return False
    name = text(node).rsplit(".", 1)[-1]
    if name.isupper():
        return True  # a module constant: an allow-list such as ALLOWED_HOSTS
    return name.lower().rsplit("_", 1)[-1] in _COLLECTION_WORDS


@predicate("python.incomplete_url_check")
def incomplete_url_check(ctx: MatchContext):
    node = ctx.node("match")
    p = ctx.node("p")
    if p is None and node.type == "call":
        positional, _ = call_args(node)
        p = positional[0] if positional else None
    literal = string_value(p) if p is not None else None
    if literal is None:
        return None
    if node.type == "comparison_operator":
        ops = [c.type for c in node.children if not c.is_named]
        if ops != ["in"] or not DOMAIN.match(literal) or literal.startswith("."):
            return None
        if _key_collection(node.named_children[-1]):
            return None  # an exact key or member lookup (`'_mount.app' in app.config`), not a substring test
        return Verdict(args={"how": f"'{literal}' in ...", "example": f"https://evil.net/?{literal.split('://')[-1]}"})
    name = ctx.text("fn")
    if name == "endswith":
        if not DOMAIN.match(literal) or literal.startswith((".", "/")) or "://" in literal:
            return None
        return Verdict(args={"how": f".endswith('{literal}')", "example": f"https://evil{literal.split('://')[-1]}"})
    qn = call_qualname(ctx.file, node) or ""
    if qn not in REGEX_FUNCS:
        return None
    found = UNESCAPED_HOST_RE.search(literal)
    if not found:
        return None
    host = found.group("host")
    return Verdict(args={"how": f"The pattern '{literal}'", "example": "a host with any character where the dots are (e.g. " + host.replace(".", "X") + ") or with more text around it"})


# ---------------------------------------------------------------- NoSQL (RL131)

MONGO_METHODS = frozenset({"find", "find_one", "find_one_and_update", "find_one_and_delete", "find_one_and_replace",
                           "update_one", "update_many", "delete_one", "delete_many", "count_documents", "aggregate",
                           "replace_one", "distinct"})
DYNAMO_KEYS = ("FilterExpression", "KeyConditionExpression", "ConditionExpression", "ProjectionExpression",
               "UpdateExpression")


@predicate("python.nosql_injection")
def nosql_injection(ctx: MatchContext):
    node = ctx.node("match")
    if node.type == "pair":
        key = string_value(node.child_by_field_name("key"))
        if key not in ("$where", "$function", "$accumulator", "$expr"):
            return None
        val, how, built = _dynamic(ctx, node.child_by_field_name("value"), "code")
        return verdict(val, node, {"how": f"{how} in a {key} clause"}, unknown=MEDIUM if built is not None else None)
    if node.type == "keyword_argument":
        key = text(node.child_by_field_name("name"))
        if key not in DYNAMO_KEYS:
            return None
        val, how, built = _dynamic(ctx, node.child_by_field_name("value"), "sql")
        if built is None and not val.tainted:
            return None
        return verdict(val, node, {"how": f"{how} in a DynamoDB {key}"}, unknown=MEDIUM)
    name = ctx.text("fn")
    if name not in MONGO_METHODS or not imports_module(ctx.file, "pymongo", "motor", "mongoengine", "flask_pymongo"):
        return None
    target = arg(call := node, 0, "filter")
    if target is None:
        return None
    t = unwrap(target)
    if t.type == "identifier":
        bound = reaching_values(ctx.file, t)
        if bound and all(unwrap(v) is not None and unwrap(v).type == "dictionary" for v in bound):
            return None  # a document built field by field: RL149 (python_nosql.py) judges its values
    # The whole query document from the request: {"$ne": null} and friends get through.
    val = _value(ctx, target, "generic")
    if t.type != "dictionary" and val.tainted:
        return Verdict(confidence=HIGH, node=call, args={"how": f"untrusted input ({val.what}) used as the whole query"},
                       related=related_for(val))
    return None


# ---------------------------------------------------------------- client IP headers (RL125)

FORWARDED_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "x-client-ip", "true-client-ip", "cf-connecting-ip",
                               "forwarded", "http_x_forwarded_for", "http_x_real_ip", "http_x_client_ip",
                               "http_true_client_ip", "http_cf_connecting_ip", "http_forwarded"})
DECISION_CALLS = frozenset({"startswith", "endswith", "ip_address", "ip_network", "match", "fullmatch"})


def _used_in_decision(node) -> bool:
    """Is `node` (or the call around it) compared, matched or membership-tested?"""
    n = node
    while n.parent is not None and n.parent.type in ("parenthesized_expression", "call", "attribute", "subscript",
                                                     "argument_list", "boolean_operator"):
        if n.parent.type == "call" and callee_name(n.parent) in DECISION_CALLS:
            return True
        n = n.parent
    p = n.parent
    return p is not None and p.type in ("comparison_operator", "if_statement", "elif_clause", "while_statement",
                                        "conditional_expression", "assert_statement", "not_operator")


@predicate("python.spoofable_client_ip")
def spoofable_client_ip(ctx: MatchContext):
    """A client-supplied forwarding header (X-Forwarded-For, ...) used in an access decision."""
    call = ctx.node("match")
    if ctx.text("fn") != "get":
        return None
    header = string_value(arg(call, 0))
    if header is None or header.lower() not in FORWARDED_HEADERS:
        return None
    src = _value(ctx, call, "generic")
    if not src.tainted:
        return None
    uses = [call]
    p = call.parent
    if p is not None and p.type == "assignment" and p.child_by_field_name("right") == call:
        left = p.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            uses += [u for u in scope_uses(ctx.file, call, text(left)) if u.start_byte > p.end_byte]
    for use in uses:
        if _used_in_decision(use):
            return Verdict(confidence=MEDIUM, node=use if use != call else call, args={"header": header},
                           related=() if use == call else related_for(src))
    return None


# ---------------------------------------------------------------- CSV (RL126)


@predicate("python.csv_injection")
def csv_injection(ctx: MatchContext):
    """Request data written to a CSV file: cells starting with = + - @ run as spreadsheet formulas."""
    call = ctx.node("match")
    if ctx.text("fn") not in ("writerow", "writerows") or not imports_module(ctx.file, "csv", "unicodecsv"):
        return None
    target = arg(call, 0)
    if target is None:
        return None
    val = _value(ctx, target, "csv")
    if not val.tainted:
        return None
    return Verdict(confidence=HIGH, args={"what": val.what}, related=related_for(val))
