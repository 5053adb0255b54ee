"""Predicates and fixes for Go rules (go.toml); local taint in taint_go.py."""

from __future__ import annotations

import re

from redline.findings import Confidence, Fix, Related, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates import security_words as words
from redline.rules.predicates import shell_words, sql_params
from redline.rules.predicates.edits import delete_range
from redline.rules.predicates.taint_core import from_command_line, Flow, Kind, Policy, combine, describe, plus_operands, user_url_flow, verdict, walk
from redline.rules.predicates.taint_go import GoAnalyzer, go_analyzer, go_string_value
from redline.secrets.regex import linear

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
STRING_TYPES = ("interpreted_string_literal", "raw_string_literal")

SQL_TEXT = linear(
    r"\b(select\b[\s\S]*\bfrom\b|insert\s+into\b|update\b[\s\S]*\bset\b|delete\s+from\b|replace\s+into\b|"
    r"(create|drop|alter|truncate)\s+(table|index|view|database|schema|user)\b|where\b|order\s+by\b|"
    r"group\s+by\b|values\s*\(|union\s+(all\s+)?select\b)",
    re.IGNORECASE,
)
STRONG_SQL_SINKS = frozenset({"Raw", "Where", "Having", "Order", "Joins", "Group", "Exec", "MustExec", "ExecContext"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh",
                    "/usr/bin/sh", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-command", "-lc", "-ec"})
PG_DRIVERS = ("github.com/lib/pq", "github.com/jackc/pgx", "github.com/jackc/pgx/v4", "github.com/jackc/pgx/v5",
              "github.com/jackc/pgx/v5/stdlib", "github.com/jackc/pgx/v4/stdlib", "github.com/jackc/pgx/v5/pgxpool",
              "github.com/jackc/pgx/v4/pgxpool", "gorm.io/driver/postgres")
QMARK_DRIVERS = ("github.com/go-sql-driver/mysql", "github.com/mattn/go-sqlite3", "modernc.org/sqlite",
                 "github.com/glebarez/sqlite", "gorm.io/gorm", "gorm.io/driver/mysql", "gorm.io/driver/sqlite",
                 "github.com/jinzhu/gorm")


def _a(ctx: MatchContext) -> GoAnalyzer:
    return go_analyzer(ctx.file)


def _args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


def _const_string(a: GoAnalyzer, node) -> str | None:
    if node is None:
        return None
    if node.type in STRING_TYPES:
        return go_string_value(a, node)
    if node.type == "identifier":
        d = a.single_definition(node)
        if d is not None and d[1].type in STRING_TYPES:
            return go_string_value(a, d[1])
    return None


def _guard(a: GoAnalyzer, kinds: set[str]):
    def accept(n, names, source_text) -> bool:
        if n.type != "call_expression":
            if "compare" in kinds and n.type == "binary_expression":
                op = a.text(n.child_by_field_name("operator"))
                if op in ("==", "!="):
                    left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                    for x, y in ((left, right), (right, left)):
                        if y is not None and y.type in STRING_TYPES and a.mentions(x, names, source_text):
                            return True
            return False
        full = a.text(n.child_by_field_name("function"))
        name = a.callee_name(n) or ""
        args = n.child_by_field_name("arguments")
        if a.validator_name(name) and a.mentions(args, names, source_text):
            return True
        if "prefix" in kinds and full in ("strings.HasPrefix", "filepath.HasPrefix") and a.mentions(args, names, source_text):
            return True
        if "base" in kinds and full in ("strings.HasPrefix", "filepath.HasPrefix") and a.mentions(args, names, source_text):
            parts = [c for c in args.named_children if c.type != "comment"] if args is not None else []
            if len(parts) == 2 and (parts[1].type not in STRING_TYPES or re.search(r"normalize|[Cc]anonical|realpath|RealPath|resolve|Clean|Abs|EvalSymlinks", a.text(parts[0]))):
                return True  # against a base folder, or on a cleaned path
            return False
        if "base" in kinds and full in ("filepath.IsLocal", "fs.ValidPath") and a.mentions(args, names, source_text):
            return True
        if "prefix" in kinds and full in ("filepath.IsLocal", "fs.ValidPath") and a.mentions(args, names, source_text):
            return True
        if "dotdot" in kinds and full in ("strings.Contains", "strings.Index") and ".." in a.text(args) and a.mentions(args, names, source_text):
            return True
        if "regex" in kinds and name in ("MatchString", "Match") and a.mentions(args, names, source_text):
            return True
        if "allow" in kinds and full in ("slices.Contains", "slices.Index") and a.mentions(args, names, source_text):
            return True
        return False

    return accept


def _verdict(flow: Flow, conf, args, node=None, data=None):
    return verdict(flow, conf, args, node=node, data=data) if conf is not None else None


# ---------------------------------------------------------------------- RL101 SQL


@predicate("go.sql")
def sql(ctx: MatchContext):
    a = _a(ctx)
    arg = ctx.node("arg")
    sink = ctx.text("sink")
    if arg is None or arg.type == "unary_expression":
        return None
    flow = a.flow(arg, "sql")
    if flow.kind < Kind.UNKNOWN:
        return None
    if sink not in STRONG_SQL_SINKS and not SQL_TEXT.search(flow.text):
        return None
    if sink in STRONG_SQL_SINKS and sink in ("Exec", "MustExec", "ExecContext") and not SQL_TEXT.search(flow.text):
        if flow.kind != Kind.TAINTED:
            return None
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow), "sink": sink})


def _sql_style(a: GoAnalyzer) -> str | None:
    imports = a.imports()
    pg = any(i in PG_DRIVERS or i.startswith("github.com/jackc/pgx") for i in imports)
    qm = any(i in QMARK_DRIVERS for i in imports)
    if pg and not qm:
        return "$"
    if qm and not pg:
        return "?"
    return None


def go_parts(a: GoAnalyzer, node, kinds: set[str]) -> list | None:
    """Text/Value parts of a Go string expression: literals, `+`, and fmt.Sprintf verbs."""
    t = node.type
    if t == "parenthesized_expression" and node.named_child_count == 1:
        return go_parts(a, node.named_children[0], kinds)
    if t in STRING_TYPES:
        kinds.add("raw" if t == "raw_string_literal" else "interpreted")
        return [sql_params.Text(_decode(a, node))]
    if t == "binary_expression" and a.text(node.child_by_field_name("operator")) == "+":
        out = []
        for operand in plus_operands(node, a.is_plus):
            part = go_parts(a, operand, kinds)
            if part is None:
                return None
            out.extend(part)
        return out
    if t == "call_expression" and a.text(node.child_by_field_name("function")) == "fmt.Sprintf":
        args = _args(node)
        if not args or args[0].type not in STRING_TYPES:
            return None
        kinds.add("raw" if args[0].type == "raw_string_literal" else "interpreted")
        return _format_parts(_decode(a, args[0]), args[1:])
    return [sql_params.Value(node)]


_VERB = linear(r"%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])")


def _format_parts(fmt: str, values: list) -> list | None:
    parts: list = []
    pos = 0
    vi = 0
    for m in _VERB.finditer(fmt):
        parts.append(sql_params.Text(fmt[pos:m.start()]))
        pos = m.end()
        if m.group(2) == "%":
            parts.append(sql_params.Text("%"))
            continue
        if vi >= len(values) or m.group(2) not in "svdqfgtxXbeEGoOcUp":
            return None
        if m.group(2) == "q":
            return None  # %q quotes in Go syntax: leave it to a human
        parts.append(sql_params.Value(values[vi]))
        vi += 1
    parts.append(sql_params.Text(fmt[pos:]))
    if vi != len(values):
        return None
    return [p for p in parts if not (isinstance(p, sql_params.Text) and not p.text)]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


def _decode(a: GoAnalyzer, node) -> str:
    raw = go_string_value(a, node)
    if node.type == "raw_string_literal":
        return raw
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), raw)


def go_literal(text: str, kinds: set[str]) -> str:
    if "raw" in kinds and "`" not in text:
        return "`" + text + "`"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + '"'


def _merge(parts: list) -> list:
    out: list = []
    for p in parts:
        if isinstance(p, sql_params.Text) and out and isinstance(out[-1], sql_params.Text):
            out[-1] = sql_params.Text(out[-1].text + p.text)
        else:
            out.append(p)
    return out


def _definition_target(a: GoAnalyzer, arg):
    """(node building the string, declaration statement or None): the argument itself, or the
    single `q := ...` definition of a variable used only here."""
    if arg.type != "identifier":
        return arg, None
    d = a.single_definition(arg)
    if d is None:
        return None, None
    binding, value = d
    fn = a.outer_function(arg) or a.unit_of(arg)
    if len(a.uses(a.text(arg), fn)) != 2:
        return None, None
    stmt = binding.node.parent.parent if binding.node.parent is not None else None
    if stmt is None or stmt.type not in ("short_var_declaration", "var_spec", "assignment_statement"):
        stmt = None
    return value, stmt


@fix("go.sql_parameterize")
def sql_parameterize(ctx: MatchContext, v: Verdict):
    a = _a(ctx)
    call = ctx.node("match")
    arg = ctx.node("arg")
    args = _args(call)
    if not args or args[-1] != arg:
        return None  # values already follow the query: leave it to a human
    target, _stmt = _definition_target(a, arg)
    if target is None:
        return None
    kinds: set[str] = set()
    parts = go_parts(a, target, kinds)
    if parts is None or not any(isinstance(p, sql_params.Value) for p in parts):
        return None
    style = _sql_style(a)
    fixes = []
    for st, title, safe in (("?", "Use ? placeholders (MySQL, SQLite) and pass the values to the driver", style == "?"),
                            ("$", "Use $n placeholders (PostgreSQL) and pass the values to the driver", style == "$")):
        if style is not None and st != style:
            continue
        result = sql_params.parameterize(_merge(parts), (lambda i: f"${i}") if st == "$" else (lambda i: "?"))
        if result is None:
            return None
        text, bound = result
        values = ", ".join(_go_bound(a, b) for b in bound)
        edits = [TextEdit(Span.of_node(target), go_literal(text, kinds)),
                 TextEdit(ctx.file.span(arg.end_byte, arg.end_byte), f", {values}")]
        edits.sort(key=lambda e: e.span.start_byte)
        fixes.append(Fix(title if style is None else "Use query placeholders and pass the values to the driver",
                         tuple(edits), safe=safe))
    return fixes


def _go_bound(a: GoAnalyzer, b: sql_params.Bound) -> str:
    value = a.text(b.node)
    if b.prefix or b.suffix:
        return f'"{b.prefix}" + {value} + "{b.suffix}"'.replace('"" + ', "").replace(' + ""', "")
    return value


# ---------------------------------------------------------------------- RL102 command injection


def _command_args(a: GoAnalyzer, call):
    args = _args(call)
    if a.text(call.child_by_field_name("function")).endswith("CommandContext"):
        args = args[1:]
    return args


@predicate("go.command")
def command(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    if not a.package_is(ctx.node("pkg"), "os/exec"):
        return None
    args = _command_args(a, call)
    if not args:
        return None
    program = _const_string(a, args[0])
    if program in SHELLS and len(args) >= 3 and _const_string(a, args[1]) in SHELL_FLAGS:
        flow = combine(a.flow(x, "cmd") for x in args[2:])
        if flow.kind < Kind.UNKNOWN:
            return None
        if a.guarded(call, flow, _guard(a, {"regex", "allow"})):
            return None
        conf = HIGH if flow.kind == Kind.TAINTED else (MEDIUM if flow.how else LOW)
        return _verdict(flow, conf, {"how": f"A shell script built from {describe(flow)}", "fn": f"exec.Command(\"{program}\", \"-c\", ...)"},
                        data={"shell": True})
    flow = a.flow(args[0], "cmd")
    if flow.kind == Kind.TAINTED and not a.guarded(call, flow, _guard(a, {"regex", "allow", "compare"})):
        return _verdict(flow, HIGH, {"how": f"A program name from {describe(flow)}", "fn": "exec.Command"})
    return None




@fix("go.command_argv")
def command_argv(ctx: MatchContext, v: Verdict):
    """exec.Command("sh", "-c", fmt.Sprintf("ls -l %s", dir)) -> exec.Command("ls", "-l", dir)."""
    if not v.data.get("shell"):
        return None
    a = _a(ctx)
    call = ctx.node("match")
    args = _command_args(a, call)
    if len(args) != 3:
        return None
    target, stmt = _definition_target(a, args[2])
    if target is None:
        return None
    parts = go_parts(a, target, set())
    if parts is None:
        return None
    words_ = shell_words.argv(_merge(parts))
    if not words_ or words_[0][0] != "text":
        return None
    rendered = ", ".join(f'"{w}"' if k == "text" else a.text(w) for k, w in words_)
    edits = [TextEdit(ctx.file.span(args[0].start_byte, args[2].end_byte), rendered)]
    if target is not args[2]:
        if stmt is None or stmt.type != "short_var_declaration" or len(stmt.child_by_field_name("left").named_children) != 1:
            return None
        edits.insert(0, delete_range(ctx.file, stmt.start_byte, stmt.end_byte, allow_semicolon=True))
    return Fix("Run the program directly with an argument list (no shell)", tuple(edits), safe=False)


# ---------------------------------------------------------------------- RL104 path traversal


@predicate("go.path")
def path_traversal(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    pkg = ctx.node("pkg")
    if not a.package_is(pkg, "os", "io/ioutil", "net/http"):
        return None
    arg = ctx.node("arg")
    flow = a.flow(arg, "path")
    if flow.kind < Kind.PARAM:
        return None
    if a.guarded(call, flow, _guard(a, {"base", "dotdot", "regex", "allow"})):
        return None
    if flow.kind == Kind.TAINTED:
        conf = LOW if from_command_line(flow) else HIGH
    elif flow.how or _joined(a, arg):
        conf = LOW
    else:
        return None
    return _verdict(flow, conf, {"how": describe(flow), "sink": f"{ctx.text('pkg')}.{ctx.text('fn')}"})


def _joined(a: GoAnalyzer, node) -> bool:
    n = node
    if n.type == "identifier":
        d = a.single_definition(n)
        if d is None:
            return False
        n = d[1]
    return n.type == "call_expression" and a.text(n.child_by_field_name("function")) in ("filepath.Join", "path.Join")


# ---------------------------------------------------------------------- RL105 XSS

WRITER_TYPES = ("http.ResponseWriter",)
PLAIN_CONTENT = linear(r"application/json|text/plain|text/csv|application/octet-stream")


def _is_response_writer(a: GoAnalyzer, node) -> bool:
    if node is None:
        return False
    if node.type == "unary_expression":
        node = node.child_by_field_name("operand")
    if node is None or node.type != "identifier":
        if node is not None and node.type == "parenthesized_expression":
            return _is_response_writer(a, node.named_children[0])
        return False
    typ = a.param_type(node)
    if typ is not None:
        return typ.replace("*", "") in WRITER_TYPES
    return a.text(node) in ("w", "rw", "resp", "writer", "res") and not a.visible(a.text(node), node)


@predicate("go.xss")
def xss(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = ctx.text("fn")
    if ctx.node("pkg") is not None and ctx.text("pkg") == "template":
        if not a.package_is(ctx.node("pkg"), "html/template"):
            return None
        flow = a.flow(ctx.node("arg"), "html")
        if flow.kind < Kind.UNKNOWN:
            return None
        conf = HIGH if flow.kind == Kind.TAINTED else (MEDIUM if flow.how else LOW)
        return _verdict(flow, conf, {"how": f"template.{fn}() of {describe(flow)}"})
    # A write of request data to an http.ResponseWriter.
    if not _is_response_writer(a, ctx.node("w")):
        return None
    args = _args(call)
    if fn in ("Fprintf", "Fprint", "Fprintln"):
        payload = args[1:]
    elif fn == "WriteString":
        payload = args[1:2]
    else:
        payload = args[:1]
    if not payload:
        return None
    flow = combine(a.flow(x, "html") for x in payload)
    if flow.kind != Kind.TAINTED:
        return None
    body = a.outer_function(call)
    if body is not None and PLAIN_CONTENT.search(a.text(body)):
        return None
    markup = "<" in flow.text or not flow.text
    conf = HIGH if markup else MEDIUM
    what = describe(flow)
    return _verdict(flow, conf, {"how": what[0].upper() + what[1:] + " written to the http.ResponseWriter"})


# ---------------------------------------------------------------------- RL106 SSRF

FIXED_HOST = linear(r"^[a-z][a-z0-9+.-]*://[^/?#'\"`%]+[/?#]", re.IGNORECASE)


def _prefix(a: GoAnalyzer, node) -> str:
    n = node
    for _ in range(4):
        if n is None:
            return ""
        if n.type in STRING_TYPES:
            return go_string_value(a, n)
        if n.type == "binary_expression":
            n = n.child_by_field_name("left")
            continue
        if n.type == "call_expression" and a.text(n.child_by_field_name("function")) == "fmt.Sprintf":
            args = _args(n)
            fmt = _const_string(a, args[0]) if args else None
            return (fmt or "").split("%", 1)[0]
        if n.type == "identifier":
            d = a.single_definition(n)
            n = d[1] if d else None
            continue
        return ""
    return ""


def _user_url_flow(a, at, node, kind: str):
    return user_url_flow(a, at, node, kind, _prefix, fixed_host, _guard)


def fixed_host(prefix: str) -> bool:
    return bool(FIXED_HOST.match(prefix)) or (prefix.startswith("/") and not prefix.startswith("//"))


@predicate("go.ssrf")
def ssrf(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    recv = ctx.node("pkg")
    if recv is not None and ctx.text("pkg") == "http":
        if not a.package_is(recv, "net/http"):
            return None
    else:
        recv = ctx.node("client")
        if recv is None or not _is_http_client(a, recv):
            return None
    arg = ctx.node("arg")
    flow = _user_url_flow(a, call, arg, "url")
    if flow is None:
        return None
    return _verdict(flow, HIGH, {"how": describe(flow)})


def _is_http_client(a: GoAnalyzer, node) -> bool:
    text = a.text(node)
    if text == "http.DefaultClient":
        return True
    if node.type != "identifier":
        return False
    typ = a.param_type(node)
    if typ is not None:
        return "http.Client" in typ
    for b in a.visible(text, node):
        if b.value is not None and "http.Client" in a.text(b.value):
            return True
    return False


# ---------------------------------------------------------------------- RL107 gob, RL108 templates


@predicate("go.gob")
def gob(ctx: MatchContext):
    a = _a(ctx)
    if not a.package_is(ctx.node("pkg"), "encoding/gob"):
        return None
    flow = a.flow(ctx.node("arg"), "deser")
    if flow.kind != Kind.TAINTED:
        return None
    return _verdict(flow, MEDIUM, {"what": f"gob decoding of {describe(flow)}"})


@predicate("go.template")
def template(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    fn = call.child_by_field_name("function")
    recv = fn.child_by_field_name("operand")
    if not _is_template(a, recv):
        return None
    flow = a.flow(ctx.node("arg"), "template")
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow)})


def _is_template(a: GoAnalyzer, node) -> bool:
    imports = a.imports()
    if imports and not ({"text/template", "html/template"} & imports):
        return False
    n = node
    for _ in range(6):
        if n is None:
            return False
        if n.type == "call_expression":
            text = a.text(n.child_by_field_name("function"))
            if text in ("template.New", "template.Must") or text.endswith(".New") and "template" in text:
                return True
            fn = n.child_by_field_name("function")
            n = fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
            continue
        if n.type == "identifier":
            typ = a.param_type(n)
            if typ is not None:
                return "template.Template" in typ
            d = a.single_definition(n)
            if d is None:
                return False
            n = d[1]
            continue
        if n.type == "unary_expression":
            n = n.child_by_field_name("operand")
            continue
        if n.type == "composite_literal":
            return "template.Template" in a.text(n.child_by_field_name("type"))
        return False
    return False


# ---------------------------------------------------------------------- RL109 XPath, RL110 LDAP, RL111 redirect


@predicate("go.xpath")
def xpath(ctx: MatchContext):
    a = _a(ctx)
    flow = a.flow(ctx.node("arg"), "xpath")
    if flow.kind != Kind.TAINTED and not re.search(r"/|\[|@|::", flow.text):
        return None  # not shaped like an XPath expression
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow)})


@predicate("go.ldap")
def ldap(ctx: MatchContext):
    a = _a(ctx)
    args = _args(ctx.node("match"))
    if len(args) < 7:
        return None
    flow = a.flow(args[6], "ldap")
    if "(" not in flow.text:
        return None
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": describe(flow)}, node=args[6])


@predicate("go.redirect")
def redirect(ctx: MatchContext):
    a = _a(ctx)
    call = ctx.node("match")
    args = _args(call)
    if ctx.node("pkg") is not None:
        if not a.package_is(ctx.node("pkg"), "net/http") or len(args) < 3:
            return None
        target = args[2]
    else:
        ctx_ident = ctx.node("obj")
        if ctx_ident is None or not a.context_kind(ctx_ident) or len(args) < 2:
            return None
        target = args[1]
    flow = _user_url_flow(a, call, target, "redirect")
    if flow is None:
        return None
    return _verdict(flow, HIGH, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL131 NoSQL


@predicate("go.nosql")
def nosql(ctx: MatchContext):
    a = _a(ctx)
    if _const_string(a, ctx.node("key")) != "$where":
        return None
    flow = a.flow(ctx.node("arg"), "code")
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _verdict(flow, conf, {"how": f"a $where clause built from {describe(flow)}"})


# ---------------------------------------------------------------------- crypto and configuration

HASH_PACKAGES = {"crypto/md5": "MD5", "crypto/sha1": "SHA-1", "golang.org/x/crypto/md4": "MD4",
                 "golang.org/x/crypto/ripemd160": "RIPEMD-160"}
FAST_HASH_PACKAGES = {"crypto/sha256": "SHA-256", "crypto/sha512": "SHA-512"}


def _hmac_digest_factory(a, call) -> bool:
    """`hmac.New(func() hash.Hash { return sha1.New() }, key)`: the hash only builds the digest of
    an HMAC (HMAC-SHA1/MD5 are not broken as MACs). `hmac.New(sha1.New, key)` never matches."""
    node = call.parent
    if node is None or node.type not in ("return_statement", "expression_list"):
        return False
    while node is not None and node.type not in ("func_literal", "function_declaration", "method_declaration"):
        node = node.parent
    if node is None or node.type != "func_literal" or node.parent is None or node.parent.type != "argument_list":
        return False
    outer = node.parent.parent
    fn = outer.child_by_field_name("function") if outer is not None else None
    if fn is None or fn.type != "selector_expression":
        return False
    pkg, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if pkg is None or pkg.type != "identifier" or field is None or field.text != b"New":
        return False
    name = pkg.text.decode()
    return (a.import_path(name) or ("crypto/hmac" if name == "hmac" else None)) == "crypto/hmac"


@predicate("go.weak_hash")
def weak_hash(ctx: MatchContext):
    a = _a(ctx)
    pkg = ctx.node("pkg")
    name = ctx.text("pkg")
    path = a.import_path(name)
    if path is None:
        if a.has_imports() or a.visible(name, pkg):
            return None
        path = {"md5": "crypto/md5", "sha1": "crypto/sha1", "sha256": "crypto/sha256", "sha512": "crypto/sha512"}.get(name)
    context = words.context_words(a, ctx.node("match"), words.go_names)
    if path in FAST_HASH_PACKAGES:
        if not context & words.PASSWORD_WORDS:
            return None
        return Verdict(confidence=MEDIUM, args={"algo": f"{FAST_HASH_PACKAGES[path]} of a password (a fast hash: use golang.org/x/crypto/argon2, bcrypt or scrypt with a salt)", "why": "a fast hash lets an attacker test billions of guesses per second"},
                       data={"password": True})
    if path not in HASH_PACKAGES:
        return None
    pretty = HASH_PACKAGES[path]
    if not context & words.PASSWORD_WORDS and _hmac_digest_factory(a, ctx.node("match")):
        return None
    if context & words.PASSWORD_WORDS:
        return Verdict(confidence=HIGH, args={"algo": f"{pretty} (here for a password: use golang.org/x/crypto/argon2, bcrypt or scrypt)", "why": "a fast hash lets an attacker test billions of guesses per second (and it is broken besides)"},
                       data={"password": True})
    if context & words.NON_SECURITY_HASH_WORDS and not context & words.SECURITY_WORDS:
        # An ETag, cache key, checksum or file name: nothing relies on collision resistance.
        # These were reported at low confidence until the real-code triage (issue 13) found every
        # one of them false; a signature or token-named use stays reported.
        return None
    return Verdict(confidence=MEDIUM, args={"algo": pretty, "why": "collisions can be forged, so it protects neither integrity nor signatures"}, data={"password": False, "path": path})


@fix("go.sha256")
def sha256(ctx: MatchContext, v: Verdict):
    if v.data.get("password") or v.data.get("path") not in ("crypto/md5", "crypto/sha1"):
        return None
    a = _a(ctx)
    fn = ctx.text("fn")
    call = ctx.node("match")
    target = "sha256.Sum256" if fn == "Sum" else "sha256.New"
    edits = [TextEdit(Span.of_node(call.child_by_field_name("function")), target)]
    if "crypto/sha256" not in a.imports() and a.import_path("sha256") is None:
        edit = _add_import(ctx.file, a, "crypto/sha256")
        if edit is None:
            return None
        edits.insert(0, edit)
    return Fix("Use SHA-256 (crypto/sha256); remove the old import if this was its last use", tuple(edits), safe=False)


def _add_import(file, a: GoAnalyzer, path: str) -> TextEdit | None:
    for c in a.root.children:
        if c.type != "import_declaration":
            continue
        for n in c.named_children:
            if n.type == "import_spec_list":
                specs = [s for s in n.named_children if s.type == "import_spec"]
                if not specs:
                    return None
                first = specs[0]
                line_start = file.text.rfind(b"\n", 0, first.start_byte) + 1
                indent = file.text[line_start:first.start_byte].decode()
                return TextEdit(file.span(line_start, line_start), f'{indent}"{path}"\n')
            if n.type == "import_spec":
                return TextEdit(file.span(c.end_byte, c.end_byte), f'\nimport "{path}"')
    return None


WEAK_CIPHERS = {"crypto/des": "DES/3DES", "crypto/rc4": "RC4", "golang.org/x/crypto/blowfish": "Blowfish",
                "golang.org/x/crypto/cast5": "CAST5", "golang.org/x/crypto/tea": "TEA", "golang.org/x/crypto/xtea": "XTEA"}


@predicate("go.weak_cipher")
def weak_cipher(ctx: MatchContext):
    a = _a(ctx)
    name = ctx.text("pkg")
    path = a.import_path(name)
    if path is None:
        if a.has_imports() or a.visible(name, ctx.node("pkg")):
            return None
        path = {"des": "crypto/des", "rc4": "crypto/rc4", "blowfish": "golang.org/x/crypto/blowfish"}.get(name)
    if path not in WEAK_CIPHERS:
        return None
    return Verdict(args={"algo": WEAK_CIPHERS[path]})


@predicate("go.rsa_bits")
def rsa_bits(ctx: MatchContext):
    a = _a(ctx)
    if ctx.node("size") is not None:
        size = ctx.text("size")
        if not a.package_is(ctx.node("pkg"), "crypto/dsa") or not size.startswith("L1024"):
            return None
        return Verdict(args={"bits": "1024 (DSA " + size + ")"})
    if not a.package_is(ctx.node("pkg"), "crypto/rsa"):
        return None
    node = ctx.node("bits")
    value = _int_value(a, node)
    if value is None or value >= 2048:
        return None
    return Verdict(args={"bits": str(value)})


def _int_value(a: GoAnalyzer, node) -> int | None:
    if node is None:
        return None
    if node.type == "int_literal":
        try:
            return int(a.text(node).replace("_", ""), 0)
        except ValueError:
            return None
    if node.type == "identifier":
        d = a.single_definition(node)
        if d is not None and d[1].type == "int_literal":
            return _int_value(a, d[1])
    return None


@fix("go.rsa_2048")
def rsa_2048(ctx: MatchContext, v: Verdict):
    node = ctx.node("bits")
    if node is None or node.type != "int_literal":
        return None
    return Fix("Use a 2048-bit key", (TextEdit(Span.of_node(node), "2048"),), safe=True)


# Words that say a random number paces or orders work rather than making a value someone must
# not guess: `sessionRefreshJitter`, `tokenRetryBackoff`. A security word beside one of them
# names what is being retried, not what the random number becomes.
TIMING_WORDS = frozenset({"delay", "jitter", "backoff", "retry", "retries", "timeout", "wait", "sleep",
                          "shuffle", "sample", "sampling", "interval"})


@predicate("go.insecure_random")
def insecure_random(ctx: MatchContext):
    a = _a(ctx)
    pkg = ctx.node("pkg")
    path = a.import_path(ctx.text("pkg"))
    if path not in ("math/rand", "math/rand/v2"):
        if path is not None or a.has_imports() or a.visible(ctx.text("pkg"), pkg):
            return None
    context = words.context_words(a, ctx.node("match"), words.go_names)
    hit = context & words.SECURITY_WORDS
    if not hit or context & TIMING_WORDS:
        return None
    return Verdict(confidence=MEDIUM, args={"how": f"{path or 'math/rand'} ({ctx.text('pkg')}.{ctx.text('fn')})", "what": words.what(hit)})


@predicate("go.tls")
def tls(ctx: MatchContext):
    return Verdict(args={"how": "InsecureSkipVerify: true"})


@fix("go.tls_fix")
def tls_fix(ctx: MatchContext, v: Verdict):
    node = ctx.node("match")
    if node.type == "keyed_element":
        from redline.rules.predicates.javascript import _remove_list_item

        return Fix("Remove InsecureSkipVerify (keep certificate checks on)", (_remove_list_item(ctx.file, node),), safe=True)
    return Fix("Remove this line (keep certificate checks on)", (delete_range(ctx.file, node.start_byte, node.end_byte, allow_semicolon=True),), safe=True)


@predicate("go.debug")
def debug(ctx: MatchContext):
    if ctx.node("path") is not None:
        return Verdict(args={"how": "importing net/http/pprof serves /debug/pprof on the default mux"})
    return Verdict(confidence=LOW, args={"how": "gin.SetMode(gin.DebugMode)"})


SESSION_COOKIE = linear(r"sess|sid|token|auth|jwt|login|remember|csrf|xsrf", re.IGNORECASE)


def _cookie_fields(a: GoAnalyzer, body) -> dict[str, object]:
    out = {}
    for el in body.named_children:
        if el.type == "keyed_element":
            key = el.child_by_field_name("key") or el.named_children[0]
            value = el.child_by_field_name("value") or el.named_children[-1]
            out[a.text(key)] = value
    return out


@predicate("go.cookie")
def cookie(ctx: MatchContext):
    a = _a(ctx)
    lit = ctx.node("match")
    body = ctx.node("body")
    fields = _cookie_fields(a, body)
    later = _later_assignments(a, lit)
    off, missing = [], []
    for key in ("Secure", "HttpOnly"):
        value = fields.get(key)
        text = a.text(value) if value is not None else later.get(key)
        if text is None:
            missing.append(key)
        elif text == "false":
            off.append(key)
    name = fields.get("Name")
    inner = name.named_children[0] if name is not None and name.named_children else name
    name_value = _const_string(a, inner)
    if off:
        conf, which = HIGH, off + missing
    elif missing:
        # A constant name that does not look like a session cookie (theme, lang) matters less.
        conf = LOW if name_value is not None and not SESSION_COOKIE.search(name_value) else MEDIUM
        which = missing
    else:
        return None
    risks = []
    if "Secure" in which:
        risks.append("sent over plain HTTP")
    if "HttpOnly" in which:
        risks.append("read by scripts on the page")
    return Verdict(confidence=conf, args={"missing": " and ".join(which), "risk": " and ".join(risks)},
                   data={"which": which})


def _later_assignments(a: GoAnalyzer, lit) -> dict[str, str]:
    """`c.Secure = true` after `c := &http.Cookie{...}` in the same function."""
    decl = lit.parent
    while decl is not None and decl.type not in ("short_var_declaration", "var_spec", "assignment_statement"):
        if decl.type in ("call_expression", "block", "function_declaration"):
            return {}
        decl = decl.parent
    if decl is None:
        return {}
    left = decl.child_by_field_name("left") or decl.child_by_field_name("name")
    names = [a.text(n) for n in (left.named_children if left is not None and left.type == "expression_list" else [left]) if n is not None]
    fn = a.outer_function(lit)
    out = {}
    if fn is None or not names:
        return out
    for n in walk(fn):
        if n.type == "assignment_statement" and n.start_byte > lit.end_byte:
            target = n.child_by_field_name("left")
            value = n.child_by_field_name("right")
            t = a.text(target)
            for name in names:
                for key in ("Secure", "HttpOnly"):
                    if t == f"{name}.{key}":
                        out[key] = a.text(value)
    return out


@fix("go.cookie_flags")
def cookie_flags(ctx: MatchContext, v: Verdict):
    a = _a(ctx)
    body = ctx.node("body")
    fields = _cookie_fields(a, body)
    edits, add = [], []
    for key in v.data.get("which", []):
        value = fields.get(key)
        if value is None:
            add.append(f"{key}: true")
        elif a.text(value) == "false":
            edits.append(TextEdit(Span.of_node(value), "true"))
    if add:
        elements = [c for c in body.named_children if c.type != "comment"]
        if not elements:
            edits.append(TextEdit(Span.of_node(body), "{" + ", ".join(add) + "}"))
        else:
            last = elements[-1]
            after = last.next_sibling
            if after is not None and after.type == ",":
                line_start = ctx.file.text.rfind(b"\n", 0, last.start_byte) + 1
                indent = ctx.file.text[line_start:last.start_byte].decode()
                if indent.strip() == "":
                    text = "".join(f"\n{indent}{x}," for x in add)
                else:
                    text = " " + ", ".join(add) + ","
                edits.append(TextEdit(ctx.file.span(after.end_byte, after.end_byte), text))
            else:
                edits.append(TextEdit(ctx.file.span(last.end_byte, last.end_byte), ", " + ", ".join(add)))
    if not edits:
        return None
    return Fix("Set Secure and HttpOnly", tuple(edits), safe=True)


# ---------------------------------------------------------------------- RL320 old TLS versions

OLD_TLS = {"VersionSSL30": "SSL 3.0", "VersionTLS10": "TLS 1.0", "VersionTLS11": "TLS 1.1"}


@predicate("go.tls_version")
def tls_version(ctx: MatchContext):
    value = ctx.text("value").split(".")[-1]
    if value not in OLD_TLS:
        return None
    key = ctx.text("key")
    return Verdict(args={"how": f"{key}: tls.{value} allows {OLD_TLS[value]}"})


@fix("go.tls12")
def tls12(ctx: MatchContext, v: Verdict):
    node = ctx.node("value")
    if ctx.text("key") != "MinVersion":
        return None
    text = ctx.text("value")
    prefix = text.rsplit(".", 1)[0] + "." if "." in text else ""
    return Fix("Require TLS 1.2", (TextEdit(Span.of_node(node), prefix + "VersionTLS12"),), safe=True)


# ---------------------------------------------------------------------- RL331 narrowing integer conversion

INT_BITS = {"int8": 8, "uint8": 8, "byte": 8, "int16": 16, "uint16": 16, "int32": 32, "uint32": 32, "rune": 32}
PARSERS = {"strconv.Atoi": None, "strconv.ParseInt": 2, "strconv.ParseUint": 2}  # index of the bitSize argument
RELATIONAL = frozenset({"<", "<=", ">", ">="})


def _parsed_bits(a: GoAnalyzer, call) -> int | None:
    """The bit size of the integer a strconv parse call returns (Atoi and bitSize 0: the size of
    int, 64 on the platforms Go servers run on); None when it is not a strconv parse or the
    size is not a literal."""
    full = a.text(call.child_by_field_name("function"))
    if full not in PARSERS:
        return None
    index = PARSERS[full]
    if index is None:
        return 64
    args = _args(call)
    if len(args) <= index or args[index].type != "int_literal":
        return None
    try:
        bits = int(a.text(args[index]), 0)
    except ValueError:
        return None
    return bits or 64


def _range_checked(a: GoAnalyzer, fn, name: str) -> bool:
    """Some comparison in the function bounds `name` by something other than zero (an upper
    limit: `n > math.MaxInt32`, `i < 0 || i > 1<<20-1`, `n <= limit`)."""
    for n in walk(fn):
        if n.type != "binary_expression" or a.text(n.child_by_field_name("operator")) not in RELATIONAL:
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        for x, y in ((left, right), (right, left)):
            if x is not None and y is not None and x.type == "identifier" and a.text(x) == name and a.text(y) != "0":
                return True
    return False


@predicate("go.int_conversion")
def int_conversion(ctx: MatchContext):
    """int32(n), uint16(n)... of an integer parsed with strconv at a larger size, with no range
    check on it in the function (gosec G109, CodeQL go/incorrect-integer-conversion)."""
    a = _a(ctx)
    target = ctx.text("type")
    value = ctx.node("value")
    bits = INT_BITS.get(target)
    if bits is None or a.visible(target, ctx.node("type")):
        return None  # a local name shadows the builtin type
    name = a.text(value)
    bindings = a.visible(name, value)
    parses = [b for b in bindings if b.value is not None and b.value.type == "call_expression"
              and _parsed_bits(a, b.value) is not None]
    if not parses or len(parses) != len(bindings):
        return None  # also assigned from something else: its range is unknown here
    size = min(_parsed_bits(a, b.value) for b in parses)
    if size <= bits:
        return None
    fn = a.outer_function(value)
    if fn is None or _range_checked(a, fn, name):
        return None
    call = parses[-1].value
    parser = a.text(call.child_by_field_name("function"))
    how = f"{name} comes from {parser}() as a {size}-bit integer and is converted to {target}"
    return Verdict(args={"how": how, "bits": str(bits)},
                   related=(Related(Span.of_node(call), f"{name} is parsed here with {size} bits"),))
