"""Predicates and fixes for JavaScript, TypeScript and TSX rules (javascript.toml).

Each predicate gets a candidate from the combined query, asks the local taint analysis
(taint_js) where the data at the sink comes from, and turns the answer into a confidence:
user input -> high (with the source as related information), a parameter or unknown value
built into a string -> medium or low depending on the sink, constants and sanitized values ->
no finding.
"""

from __future__ import annotations

import re

from redline.findings import Confidence, Fix, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.taint_core import from_command_line, Flow, Kind, Policy, describe, plus_operands, user_url_flow, verdict, walk
from redline.rules.predicates.taint_js import DOM_TEXT, JsAnalyzer, jquery_chain, js_analyzer, member_path, string_value
from redline.rules.predicates import security_words as words
from redline.secrets.regex import linear

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

SQL_TEXT = linear(
    r"\b(select\b[\s\S]*\bfrom\b|insert\s+into\b|update\b[\s\S]*\bset\b|delete\s+from\b|replace\s+into\b|"
    r"(create|drop|alter|truncate)\s+(table|index|view|database|schema|user)\b|where\b|order\s+by\b|"
    r"group\s+by\b|values\s*\(|union\s+(all\s+)?select\b)",
    re.IGNORECASE,
)
STRONG_SQL_SINKS = frozenset({
    "raw", "whereRaw", "orWhereRaw", "havingRaw", "orHavingRaw", "orderByRaw", "groupByRaw", "joinRaw",
    "fromRaw", "$queryRawUnsafe", "$executeRawUnsafe", "literal",
})
CHILD_PROCESS = frozenset({"child_process", "node:child_process"})
SHELL_MODULES = CHILD_PROCESS | {"shelljs"}
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh",
                    "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-command", "-lc", "-ec"})
CRYPTO_MODULES = frozenset({"crypto", "node:crypto", "crypto-browserify"})
FS_MODULES = frozenset({"fs", "node:fs", "fs/promises", "node:fs/promises", "fs-extra", "graceful-fs", "original-fs"})


# ---------------------------------------------------------------------- shared helpers


def _analyzer(ctx: MatchContext) -> JsAnalyzer:
    return js_analyzer(ctx.file)


def require_name(a: JsAnalyzer, node) -> str | None:
    """'m' for `require('m')`, also through `.x`, `.x()` and `await import('m')` chains."""
    n = node
    while n is not None:
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and a.text(fn) in ("require", "import"):
                args = n.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is not None and first.type == "string":
                    return string_value(a, first)
                return None
            n = fn
        elif n.type == "member_expression":
            n = n.child_by_field_name("object")
        elif n.type in ("await_expression", "parenthesized_expression", "as_expression", "non_null_expression"):
            n = n.named_children[0] if n.named_children else None
        else:
            return None
    return None


def bound_module(a: JsAnalyzer, ident) -> str | None:
    """The module an identifier was imported or required from, if it was."""
    if ident is None or ident.type != "identifier":
        return None
    for b in a.visible(a.text(ident), ident):
        v = b.value
        if v is None:
            continue
        if v.type == "import_statement":
            src = v.child_by_field_name("source")
            return string_value(a, src) if src is not None else None
        mod = require_name(a, v)
        if mod:
            return mod
    return None


def receiver_module(a: JsAnalyzer, obj) -> str | None:
    """The module an object expression stands for: `fs`, `require('fs')`, `fs.promises`."""
    if obj is None:
        return None
    direct = require_name(a, obj)
    if direct:
        return direct
    n = obj
    while n is not None and n.type == "member_expression":
        n = n.child_by_field_name("object")
    return bound_module(a, n)


def _args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


def _pair_value(obj, *keys: str, a: JsAnalyzer):
    """The value node of the first `key: value` pair of an object literal with one of `keys`."""
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type != "pair":
            continue
        key = pair.child_by_field_name("key")
        name = string_value(a, key) if key is not None and key.type == "string" else a.text(key)
        if name in keys:
            return pair.child_by_field_name("value")
    return None


def _pair(obj, key_name: str, a: JsAnalyzer):
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type != "pair":
            continue
        key = pair.child_by_field_name("key")
        name = string_value(a, key) if key is not None and key.type == "string" else a.text(key)
        if name == key_name:
            return pair
    return None


def _const_string(a: JsAnalyzer, node) -> str | None:
    """The value of a constant string expression (literal, or identifier bound to one)."""
    if node is None:
        return None
    if node.type == "string":
        return string_value(a, node)
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return a.text(node)[1:-1]
    if node.type == "identifier":
        d = a.single_definition(node)
        if d is not None and d[1].type in ("string", "template_string"):
            return _const_string(a, d[1])
    return None


FS_EXTRA_ENSURE = linear(r"^ensure(Dir|File|Link|Symlink)(Sync)?$")


def _guard(a: JsAnalyzer, kinds: set[str]):
    """An `accept` callback for Analyzer.guarded: checks that make a value safe to use."""

    def accept(n, names, source_text) -> bool:
        if n.type == "call_expression":
            name = a.callee_name(n)
            fn = n.child_by_field_name("function")
            recv = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
            args = n.child_by_field_name("arguments")
            if name and FS_EXTRA_ENSURE.match(name):
                return False  # fs-extra's ensureDir/ensureFile create the path, they do not check it
            if a.validator_name(name) and a.mentions(args, names, source_text):
                return True
            if "prefix" in kinds and name == "startsWith" and a.mentions(recv, names, source_text):
                return True
            if "base" in kinds and name == "startsWith" and a.mentions(recv, names, source_text):
                # A base-folder check: against a folder variable, or on a resolved path.
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is not None and (first.type not in ("string", "template_string") or string_value(a, first).startswith("..")):
                    return True
                resolved = a.text(recv)
                if recv.type == "identifier":
                    d = a.single_definition(recv)
                    resolved += " " + (a.text(d[1]) if d else "")
                return bool(re.search(r"normalize|[Cc]anonical|realpath|RealPath|resolve|relative|Clean|Abs|EvalSymlinks", resolved))
            if ("prefix" in kinds or "base" in kinds) and name == "indexOf" and a.mentions(recv, names, source_text) \
                    and n.parent is not None and n.parent.type == "binary_expression" and re.search(r"\b0\b", a.text(n.parent)):
                return True  # p.indexOf(base) !== 0
            if "dotdot" in kinds and name in ("includes", "indexOf") and a.mentions(recv, names, source_text):
                return ".." in a.text(args)
            if "regex" in kinds and name == "test" and a.mentions(args, names, source_text):
                return True
            if "regex" in kinds and name == "match" and a.mentions(recv, names, source_text) and _tested(n):
                return True  # if (!x.match(/^\w+$/)) ...; `const parts = x.match(re)` extracts data, checks nothing
            if "allow" in kinds and name in ("includes", "has", "indexOf", "some", "find") and a.mentions(
                args, names, source_text
            ) and not a.mentions(recv, names, source_text):
                return True
            return False
        if "compare" in kinds and n.type == "binary_expression":
            op = a.text(n.child_by_field_name("operator"))
            if op in ("===", "==", "!==", "!="):
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                for x, y in ((left, right), (right, left)):
                    if y is not None and y.type in ("string", "template_string") and a.mentions(x, names, source_text):
                        return True
        return False

    return accept


CONDITION_WRAPPERS = frozenset({"parenthesized_expression", "unary_expression", "binary_expression"})


def _tested(node) -> bool:
    """`node` is (part of) the condition of an if, a loop or ?:, or of a returned boolean."""
    n = node
    while n.parent is not None and n.parent.type in CONDITION_WRAPPERS:
        n = n.parent
    p = n.parent
    if p is None:
        return False
    if p.type in ("if_statement", "while_statement", "do_statement", "ternary_expression"):
        return p.child_by_field_name("condition") == n
    return p.type == "return_statement" and n != node  # return !x.match(re) / return x.match(re) !== null


def _sink_verdict(ctx, a: JsAnalyzer, flow: Flow, conf, args: dict, node=None, data=None):
    if conf is None:
        return None
    return verdict(flow, conf, args, node=node, data=data)


# ---------------------------------------------------------------------- RL101 SQL injection


@predicate("js.sql")
def sql(ctx: MatchContext):
    a = _analyzer(ctx)
    arg = ctx.node("arg")
    sink = ctx.text("sink")
    if arg is None or arg.type in ("object", "arrow_function", "function_expression"):
        return None
    flow = a.flow(arg, "sql")
    if flow.kind < Kind.UNKNOWN:
        return None
    if flow.kind < Kind.TAINTED and not SQL_TEXT.search(flow.text):
        # No SQL in sight: `this.client.raw(sql)`, `sequelize.literal(this.quoteIdentifier(as))`,
        # `raw(`CURRENT_TIMESTAMP(${precision})`)` are a query builder passing on fragments it
        # made itself (issue 13 class M: ORM internals). Request data still counts below.
        return None
    if sink not in STRONG_SQL_SINKS and not SQL_TEXT.search(flow.text):
        if not (flow.kind == Kind.TAINTED and sink in ("query", "execute") and _looks_like_db(a, ctx.node("match"))):
            return None
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow), "sink": sink})


def _looks_like_db(a: JsAnalyzer, call) -> bool:
    fn = call.child_by_field_name("function")
    obj = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
    name = a.text(obj).lower() if obj is not None else ""
    return any(w in name for w in ("db", "pool", "conn", "client", "sql", "knex", "sequelize", "database"))


SQL_DRIVERS = {
    "pg": "$", "pg-pool": "$", "@vercel/postgres": "$", "pg-promise": "$",
    "mysql": "?", "mysql2": "?", "mysql2/promise": "?", "sqlite3": "?", "sqlite": "?", "knex": "?",
    "sequelize": "?",
}


# ---------------------------------------------------------------------- RL102 command injection


def _function_module(a: JsAnalyzer, call) -> str | None:
    """The module a called function comes from. In a fragment where nothing binds the name,
    the conventional names (exec, cp.exec, child_process.exec) are taken at their word."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "member_expression":
        obj = fn.child_by_field_name("object")
        mod = receiver_module(a, obj)
        if mod is None and obj is not None and obj.type == "identifier" and not a.visible(a.text(obj), obj) \
                and a.text(obj) in ("child_process", "childProcess", "cp", "childprocess", "child"):
            return "child_process"
        return mod
    mod = bound_module(a, fn)
    if mod is None and not a.visible(a.text(fn), fn):
        return "child_process"
    return mod


def _shell_script(a: JsAnalyzer, call, name: str):
    """The node(s) whose text a shell will parse, for a child_process call; None if no shell."""
    args = _args(call)
    if not args:
        return None
    if name in ("exec", "execSync"):
        return [args[0]]
    options = next((x for x in args[1:] if x.type == "object"), None)
    shell = _pair_value(options, "shell", a=a)
    if shell is not None and shell.type not in ("false", "null", "undefined"):
        return [args[0]] + ([args[1]] if len(args) > 1 and args[1].type == "array" else [])
    program = _const_string(a, args[0])
    if program in SHELLS and len(args) > 1 and args[1].type == "array":
        elems = [e for e in args[1].named_children if e.type != "comment"]
        if elems and _const_string(a, elems[0]) in SHELL_FLAGS:
            return elems[1:]
    return None


@predicate("js.command")
def command(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    name = ctx.text("fn")
    mod = _function_module(a, call)
    if mod not in SHELL_MODULES:
        return None
    if mod == "shelljs" and name != "exec":
        return None
    script = _shell_script(a, call, name)
    if not script:
        return None
    from redline.rules.predicates.taint_core import combine

    flow = combine(a.flow(n, "cmd") for n in script)
    if flow.kind < Kind.UNKNOWN:
        return None
    if a.guarded(call, flow, _guard(a, {"regex", "allow"})):
        return None
    conf = HIGH if flow.kind == Kind.TAINTED else (MEDIUM if flow.how else LOW)
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow), "fn": f"{name}"},
                         data={"module": mod})


# ---------------------------------------------------------------------- RL103 code injection

VM_FUNCTIONS = frozenset({"runInNewContext", "runInThisContext", "runInContext", "compileFunction"})


@predicate("js.code")
def code(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    name = ctx.text("fn")
    args = _args(call)
    if not args:
        return None
    if name in ("setTimeout", "setInterval", "setImmediate", "execScript"):
        target = args[0]
        flow = a.flow(target, "code")
        stringish = target.type in ("string", "template_string") or flow.how is not None
        if not stringish and flow.kind != Kind.TAINTED:
            return None
        if target.type in ("arrow_function", "function_expression"):
            return None
    elif name == "Function":
        target = args[-1]
        flow = a.flow(target, "code")
    elif name in VM_FUNCTIONS or name == "Script":
        fn = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        obj = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
        mod = receiver_module(a, obj) if obj is not None else bound_module(a, fn)
        if mod not in ("vm", "node:vm") and not (obj is not None and a.text(obj) == "vm"):
            return None
        target = args[0]
        flow = a.flow(target, "code")
    else:  # eval
        target = args[0]
        flow = a.flow(target, "code")
    if flow.kind < Kind.UNKNOWN:
        return None
    if a.guarded(call, flow, _guard(a, {"regex", "allow"})):
        return None
    if flow.kind == Kind.TAINTED:
        conf = HIGH
    elif flow.kind == Kind.PARAM or flow.how:
        conf = MEDIUM
    else:
        conf = LOW
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow, "a non-constant string"), "fn": name})


# ---------------------------------------------------------------------- RL104 path traversal

FS_FUNCTIONS = frozenset({
    "readFile", "readFileSync", "createReadStream", "writeFile", "writeFileSync", "appendFile",
    "appendFileSync", "createWriteStream", "unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync",
    "readdir", "readdirSync", "open", "openSync", "copyFile", "copyFileSync", "rename", "renameSync",
    "mkdir", "mkdirSync", "outputFile", "outputFileSync", "readJson", "readJsonSync", "remove", "removeSync",
    "stat", "statSync", "lstat", "access", "accessSync", "exists", "existsSync", "truncate", "chmod",
})
RESPONSE_FILE_METHODS = frozenset({"sendFile", "download", "sendfile", "attachment"})


@predicate("js.path")
def path_traversal(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    name = ctx.text("fn")
    args = _args(call)
    if not args:
        return None
    fn = call.child_by_field_name("function")
    obj = fn.child_by_field_name("object") if fn.type == "member_expression" else None
    if name in RESPONSE_FILE_METHODS:
        if obj is None or a.text(obj).split(".")[-1] not in ("res", "response", "reply", "resp", "ctx"):
            return None
        options = next((x for x in args[1:] if x.type == "object"), None)
        if _pair_value(options, "root", a=a) is not None:
            return None  # send() refuses '..' outside `root`
    else:
        mod = receiver_module(a, obj) if obj is not None else bound_module(a, fn)
        if mod is None and obj is not None and a.text(obj).split(".")[0] in ("fs", "fsp", "fsPromises", "fse"):
            mod = "fs"
        if mod not in FS_MODULES:
            return None
    target = args[0]
    flow = a.flow(target, "path")
    if flow.kind < Kind.PARAM:
        return None
    if a.guarded(call, flow, _guard(a, {"base", "dotdot", "regex", "allow"})):
        return None
    if flow.kind == Kind.TAINTED:
        conf = LOW if from_command_line(flow) else HIGH
    elif flow.how or _joined(a, target):
        conf = LOW
    else:
        return None
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow), "sink": name})


def _joined(a: JsAnalyzer, node) -> bool:
    """The path is built with path.join/resolve (directly or through one variable)."""
    n = node
    if n.type == "identifier":
        d = a.single_definition(n)
        if d is None:
            return False
        n = d[1]
    return n.type == "call_expression" and (a.callee_name(n) or "") in ("join", "resolve")


# ---------------------------------------------------------------------- RL105 XSS


@predicate("js.xss_dom")
def xss_dom(ctx: MatchContext):
    """innerHTML/outerHTML/document.write/insertAdjacentHTML/dangerouslySetInnerHTML/$.html()."""
    a = _analyzer(ctx)
    arg = ctx.node("arg")
    if arg is None:
        return None
    name = ctx.text("fn") if ctx.node("fn") is not None else ctx.text("prop")
    if name in JQUERY_INSERTS or name in ("html", "$", "jQuery"):
        return _jquery(ctx, a, name, arg)
    if name in TRUST_FUNCTIONS:
        flow = a.flow(arg, "html")
        if flow.kind < Kind.UNKNOWN:
            return None
        conf = HIGH if flow.kind == Kind.TAINTED else (MEDIUM if flow.how else LOW)
        return _sink_verdict(ctx, a, flow, conf, {"how": f"{name}() of {describe(flow)} marks it as trusted HTML; it"})
    if name == "document.write" or name in ("write", "writeln"):
        call = ctx.node("match")
        fn = call.child_by_field_name("function")
        if a.text(fn.child_by_field_name("object")) not in ("document", "window.document"):
            return None
    flow = a.flow(arg, "html")
    if flow.kind < Kind.UNKNOWN:
        return None
    if _dom_text(flow):
        conf = MEDIUM
    elif flow.kind == Kind.TAINTED:
        conf = HIGH
    elif flow.how:
        conf = MEDIUM
    else:
        conf = LOW
    what = describe(flow, "a non-constant value")
    return _sink_verdict(ctx, a, flow, conf, {"how": f"{what[0].upper()}{what[1:]} (via {name})"})


JQUERY_INSERTS = frozenset({"append", "prepend", "after", "before", "replaceWith", "wrap", "wrapAll", "wrapInner"})
TRUST_FUNCTIONS = frozenset({"trustAsHtml", "bypassSecurityTrustHtml", "bypassSecurityTrustScript",
                             "bypassSecurityTrustUrl", "bypassSecurityTrustResourceUrl", "bypassSecurityTrustStyle"})


def _jquery_receiver(a: JsAnalyzer, node) -> bool:
    return jquery_chain(a, node)


def _dom_text(flow: Flow) -> bool:
    """User input only in the sense that it is text of the page (a form field, an element's
    text): medium, since it may be the user's own input."""
    return flow.kind == Kind.TAINTED and flow.label.startswith(DOM_TEXT)


def _jquery(ctx, a: JsAnalyzer, name: str, arg):
    """jQuery parses strings that look like HTML: $(html), .html(html), .append(html)..."""
    call = ctx.node("match")
    fn = call.child_by_field_name("function")
    receiver = fn.child_by_field_name("object") if fn.type == "member_expression" else None
    if arg.type in ("arrow_function", "function_expression", "object", "number"):
        return None
    flow = a.flow(arg, "html")
    if flow.kind < Kind.UNKNOWN:
        return None
    markup = flow.how is not None and "<" in flow.text
    jq = name in ("$", "jQuery") or (receiver is not None and _jquery_receiver(a, receiver))
    if name in JQUERY_INSERTS and not jq:
        return None  # DOM append()/before() insert text, not HTML
    if name in ("$", "jQuery") and flow.kind != Kind.TAINTED and not markup:
        return None  # a selector or an element, not HTML
    if name in ("$", "jQuery") and _dom_text(flow):
        start = _prefix(a, arg).lstrip()
        if start and not start.startswith("<"):
            return None  # '#id' + text: a selector (jQuery 1.9+ parses HTML only from strings starting with '<')
    if _dom_text(flow):
        conf = MEDIUM
    elif flow.kind == Kind.TAINTED:
        conf = HIGH
    elif markup:
        conf = MEDIUM
    elif name == "html" and jq:
        conf = LOW
    else:
        return None
    what = describe(flow, "a non-constant value")
    return _sink_verdict(ctx, a, flow, conf, {"how": f"{what[0].upper()}{what[1:]} (via {'$()' if name in ('$', 'jQuery') else '.' + name + '()'})"})


PLAIN_TYPES = linear(r"text/plain|application/json|\.json\(|\.type\(\s*['\"](json|text)", re.IGNORECASE)


# ---------------------------------------------------------------------- RL106 SSRF

HTTP_CLIENTS = frozenset({"axios", "got", "node-fetch", "request", "needle", "superagent", "ky", "undici",
                          "http", "https", "node:http", "node:https", "cross-fetch", "isomorphic-fetch",
                          "request-promise", "phin", "bent"})
FIXED_HOST = linear(r"^[a-z][a-z0-9+.-]*://[^/?#'\"`]+[/?#]", re.IGNORECASE)


def fixed_host(flow_prefix: str) -> bool:
    """The constant text before the first dynamic part already fixes scheme and host, or the
    URL is a relative path."""
    return bool(FIXED_HOST.match(flow_prefix)) or (flow_prefix.startswith("/") and not flow_prefix.startswith("//"))


def _prefix(a: JsAnalyzer, node) -> str:
    """Constant text at the start of a string expression (template, concatenation, variable)."""
    n = node
    for _ in range(4):
        if n is None:
            return ""
        if n.type == "template_string":
            out = []
            for c in n.named_children:
                if c.type == "template_substitution":
                    break
                out.append(a.text(c))
            return "".join(out)
        if n.type == "binary_expression" and a.text(n.child_by_field_name("operator")) == "+":
            left = n.child_by_field_name("left")
            s = _const_string(a, left)
            if s is not None:
                return s
            n = left
            continue
        if n.type == "identifier":
            d = a.single_definition(n)
            n = d[1] if d else None
            continue
        if n.type == "call_expression" and a.callee_name(n) in ("format", "concat"):
            args = _args(n)
            fn = n.child_by_field_name("function")
            if a.callee_name(n) == "concat" and fn.type == "member_expression":
                s = _const_string(a, fn.child_by_field_name("object"))
                return s or ""
            return _const_string(a, args[0]) if args else ""
        if n.type == "new_expression":
            args = _args(n)
            if a.text(n.child_by_field_name("constructor")) == "URL" and len(args) >= 2:
                base = _const_string(a, args[1])
                if base:
                    return base.rstrip("/") + "/"
            n = args[0] if args else None
            continue
        return ""
    return ""


def _user_url_flow(a, at, node, kind: str):
    return user_url_flow(a, at, node, kind, _prefix, fixed_host, _guard)


@predicate("js.ssrf")
def ssrf(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    arg = ctx.node("arg")
    name = ctx.text("fn")
    fn = call.child_by_field_name("function")
    obj = fn.child_by_field_name("object") if fn.type == "member_expression" else None
    if name == "fetch" and obj is None:
        pass  # the global fetch
    else:
        base = obj if obj is not None else fn
        mod = receiver_module(a, base) if base.type != "identifier" else bound_module(a, base)
        label = a.text(base)
        if mod not in HTTP_CLIENTS and not (mod is None and label in ("axios", "got", "superagent", "needle", "http", "https")):
            return None
    if arg is not None and arg.type == "object":
        arg = _pair_value(arg, "url", "uri", "href", "baseURL", "hostname", "host", a=a)
    if arg is None:
        return None
    flow = _user_url_flow(a, call, arg, "url")
    if flow is None:
        return None
    return _sink_verdict(ctx, a, flow, HIGH, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL107 / RL112 deserialization


@predicate("js.unserialize")
def unserialize(ctx: MatchContext):
    a = _analyzer(ctx)
    arg = ctx.node("arg")
    flow = a.flow(arg, "deser")
    if flow.kind < Kind.UNKNOWN:
        return None
    conf = HIGH if flow.kind == Kind.TAINTED else MEDIUM
    return _sink_verdict(ctx, a, flow, conf, {"what": "node-serialize's unserialize()"})


FULL_SCHEMA = linear(r"DEFAULT_FULL_SCHEMA|FULL_SCHEMA|js/function|js/regexp|js/undefined")


@predicate("js.yaml_load")
def yaml_load(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    obj = ctx.node("obj")
    mod = receiver_module(a, obj)
    name = a.text(obj)
    if mod != "js-yaml" and not (mod is None and name in ("jsyaml", "jsYaml", "jsYAML")):
        return None
    args = _args(call)
    if not args:
        return None
    flow = a.flow(args[0], "deser")
    options = args[1] if len(args) > 1 else None
    fn = ctx.text("fn")
    if options is not None and FULL_SCHEMA.search(a.text(options)):
        return _sink_verdict(ctx, a, flow, HIGH, {"how": f"js-yaml {fn}() with the full schema"})
    if fn in ("load", "loadAll"):
        return Verdict(confidence=LOW, args={"how": f"js-yaml {fn}() (js-yaml 3 and older use the full, unsafe schema by default)"})
    return None


# ---------------------------------------------------------------------- RL108 template injection

TEMPLATE_ENGINES = {
    "ejs": {"render", "compile"}, "pug": {"render", "compile"}, "jade": {"render", "compile"},
    "handlebars": {"compile", "precompile"}, "Handlebars": {"compile", "precompile"},
    "mustache": {"render"}, "Mustache": {"render"}, "nunjucks": {"renderString"}, "_": {"template"},
    "lodash": {"template"}, "dot": {"template", "compile"}, "doT": {"template", "compile"},
    "hogan": {"compile"}, "Hogan": {"compile"}, "swig": {"render", "compile"}, "eta": {"render", "compile"},
    "Sqrl": {"render"}, "squirrelly": {"render"}, "template": {"render", "compile"},
}


@predicate("js.template")
def template_injection(ctx: MatchContext):
    a = _analyzer(ctx)
    obj = ctx.text("obj")
    fn = ctx.text("fn")
    if fn not in TEMPLATE_ENGINES.get(obj, ()):
        mod = receiver_module(a, ctx.node("obj"))
        base = {"handlebars": "handlebars", "ejs": "ejs", "pug": "pug", "lodash": "lodash", "mustache": "mustache",
                "nunjucks": "nunjucks", "dot": "dot", "eta": "eta"}.get(mod or "")
        if base is None or fn not in TEMPLATE_ENGINES.get(base, ()):
            return None
    flow = a.flow(ctx.node("arg"), "template")
    if flow.kind < Kind.UNKNOWN:
        return None
    if a.guarded(ctx.node("match"), flow, _guard(a, {"allow"})):
        return None
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL109 / RL110 XPath, LDAP


@predicate("js.xpath")
def xpath(ctx: MatchContext):
    a = _analyzer(ctx)
    obj = ctx.node("obj")
    fn = ctx.text("fn")
    mod = receiver_module(a, obj)
    name = a.text(obj)
    if fn == "evaluate" and name == "document":
        pass
    elif mod not in ("xpath", "xpath.js", "fontoxpath") and name not in ("xpath", "XPath"):
        return None
    flow = a.flow(ctx.node("arg"), "xpath")
    if flow.kind != Kind.TAINTED and not re.search(r"/|\[|@|::", flow.text):
        return None  # not shaped like an XPath expression
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow)})


@predicate("js.ldap")
def ldap(ctx: MatchContext):
    a = _analyzer(ctx)
    arg = ctx.node("arg")
    flow = a.flow(arg, "ldap")
    if "(" not in flow.text or "=" not in flow.text:
        return None
    conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
    return _sink_verdict(ctx, a, flow, conf, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL111 open redirect


@predicate("js.redirect")
def redirect(ctx: MatchContext):
    a = _analyzer(ctx)
    match = ctx.node("match")
    target = ctx.node("arg")
    if match.type == "call_expression":
        args = _args(match)
        if not args:
            return None
        target = args[-1]
        obj = ctx.node("obj")
        objname = a.text(obj) if obj is not None else ""
        fn = ctx.text("fn")
        if fn in ("assign", "replace"):
            if objname not in ("location", "window.location", "document.location"):
                return None
        elif objname.split(".")[-1] not in ("res", "response", "resp", "reply", "ctx", "context"):
            return None
    if target is None:
        return None
    flow = _user_url_flow(a, match, target, "redirect")
    if flow is None:
        return None
    return _sink_verdict(ctx, a, flow, HIGH, {"how": describe(flow)})


# ---------------------------------------------------------------------- RL130 prototype pollution

MERGE_FUNCTIONS = frozenset({"merge", "mergeWith", "defaultsDeep", "set", "setWith", "zipObjectDeep",
                             "deepmerge", "extend", "assignIn"})
SCHEMA_WORDS = linear(r"(?i)schema")
OBJECT_KEYS_CALL = linear(r"Object\.(keys|entries)\((.*)\)")
PROTO_GUARD = linear(r"__proto__|prototype|constructor|hasOwnProperty|hasOwn\b|Object\.create\(null\)|isSafeKey|isPrototypePolluted")


@predicate("js.proto_assign")
def proto_assign(ctx: MatchContext):
    """obj[a][b] = v or obj[a].b = v with a user-controlled `a`; or a recursive merge over the
    keys of another object that descends into target[key]."""
    a = _analyzer(ctx)
    outer_key = ctx.node("key")
    match = ctx.node("match")
    left = match.child_by_field_name("left")
    single = left is not None and left.type == "subscript_expression" and left.child_by_field_name("index") == outer_key
    if not single:
        flow = a.flow(outer_key, "proto")
        if flow.kind == Kind.TAINTED and not PROTO_GUARD.search(a.text(a.outer_function(match) or match)):
            return _sink_verdict(ctx, a, flow, HIGH, {"how": f"a property name from {flow.label}"})
        return None
    target = left.child_by_field_name("object")
    if target is not None and " ".join(a.text(target).split()) in _own_key_sources(a, outer_key):
        return None  # X[k] = ... for a key k of X itself: an own property is rewritten, no setter runs
    walked = _path_walk(a, match, left, outer_key)
    if walked is not None:
        return walked
    fn = a.enclosing_function(match)
    if fn is None or outer_key.type != "identifier":
        return None
    name = _function_name(a, fn)
    target = left.child_by_field_name("object")
    fn_text = a.text(fn)
    # Cheap text checks first: the function must call itself and have no prototype guard.
    if not name or target is None or f"{name}(" not in fn_text.replace(" (", "(") or PROTO_GUARD.search(fn_text):
        return None
    bindings = a.visible(a.text(outer_key), outer_key)
    iterated = [b for b in bindings if b.kind == "iter" or (b.value is not None and "Object.keys" in a.text(b.value))]
    sources = {OBJECT_KEYS_CALL.sub(r"\2", a.text(b.value)).strip() for b in iterated if b.value is not None}
    if a.text(target) in sources:
        return None
    if iterated:
        how = f"keys copied by the recursive function {name}()"
    elif bindings and all(b.kind == "value" and b.value is not None for b in bindings) \
            and a.flow(outer_key, "proto").kind == Kind.PARAM:
        # `newKey = key.substring(0, i)`: a path string split one key per call (set('a.b.c', v)).
        if SCHEMA_WORDS.search(fn_text):
            return None  # the paths are a schema's declared ones (an ODM applying defaults)
        how = f"a path of keys split by the recursive function {name}()"
    else:
        return None
    descent = re.sub(r"\s", "", f"{a.text(target)}[{a.text(outer_key)}]")
    # The recursive call descends into target[key], directly or through a variable holding it.
    def descends(n) -> bool:
        if n.type == "subscript_expression":
            return re.sub(r"\s", "", a.text(n)) == descent
        return n.type == "identifier" and any(
            b.value is not None and re.sub(r"\s", "", a.text(b.value)) == descent for b in a.visible(a.text(n), n))

    for call in walk(fn):
        if call.type == "call_expression" and a.text(call.child_by_field_name("function")).split(".")[-1] == name:
            if any(descends(n) for arg in _args(call) for n in walk(arg)):
                break
    else:
        return None
    # One finding per function: at the first write of target[key] (if/else branches write twice).
    for n in walk(fn):
        if n.type == "assignment_expression" and n.start_byte < match.start_byte \
                and re.sub(r"\s", "", a.text(n.child_by_field_name("left"))) == descent:
            return None
    return Verdict(confidence=MEDIUM, args={"how": how})


def _keys_of(a: JsAnalyzer, node, depth: int = 0) -> str | None:
    """T for `Object.keys(T)` / `Object.entries(T)` / `Object.getOwnPropertyNames(T)`, directly or
    through a variable bound once to it."""
    if node is None:
        return None
    if node.type == "identifier" and depth < 2:
        d = a.single_definition(node)
        return _keys_of(a, d[1], depth + 1) if d is not None else None
    if node.type == "call_expression" and a.text(node.child_by_field_name("function")) in (
            "Object.keys", "Object.entries", "Object.getOwnPropertyNames", "Reflect.ownKeys"):
        args = _args(node)
        return " ".join(a.text(args[0]).split()) if args else None
    return None


def _own_key_sources(a: JsAnalyzer, key) -> set[str]:
    """The objects whose own keys `key` ranges over: `for (k in T)`, `for (const k of
    Object.keys(T))`, `const k = keys[i]` with `keys = Object.keys(T)`, `[k, v]` of
    Object.entries(T). Writing T[k] back then rewrites an existing own property: even a key
    '__proto__' (an own data property, as JSON.parse makes it) is a plain property there, so the
    write cannot reach Object.prototype (issue 13 class M: mongoose's filter and cast helpers)."""
    out: set[str] = set()
    if key is None or key.type != "identifier":
        return out
    for b in a.visible(a.text(key), key):
        if b.value is None:
            continue
        if b.kind == "iter":
            stmt = b.node
            while stmt is not None and stmt.type != "for_in_statement":
                stmt = stmt.parent
            if stmt is None:
                continue
            if any(c.type == "in" for c in stmt.children):
                out.add(" ".join(a.text(b.value).split()))
            else:
                t = _keys_of(a, b.value)
                if t:
                    out.add(t)
        elif b.kind == "value":
            v = b.value
            if v.type == "subscript_expression":
                t = _keys_of(a, v.child_by_field_name("object"))
                if t:
                    out.add(t)
    return out


LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
LITERAL_KEYS = frozenset({"string", "number", "template_string"})


def _creates_object(a: JsAnalyzer, node) -> bool:
    """`{}`, `[]`, `o[k] || {}`, `new Object()`, `Object.create(...)`: an intermediate level."""
    if node is None:
        return False
    if node.type in ("object", "array"):
        return not node.named_children
    if node.type == "binary_expression" and a.text(node.child_by_field_name("operator")) in ("||", "??"):
        return _creates_object(a, node.child_by_field_name("right"))
    if node.type == "assignment_expression":
        return _creates_object(a, node.child_by_field_name("right"))
    text = re.sub(r"\s", "", a.text(node))
    return text in ("newObject()", "newMap()") or text.startswith("Object.create(")


def _path_walk(a: JsAnalyzer, match, left, key):
    """`cur = cur[k]` in a loop, then `cur[k2] = v`: a set-by-path utility (`set(obj, 'a.b.c', v)`,
    `parse_str('a[b]=c')`), where a path segment '__proto__' walks into Object.prototype."""
    target = left.child_by_field_name("object")
    if target is None or target.type != "identifier" or key.type in LITERAL_KEYS:
        return None
    if _creates_object(a, match.child_by_field_name("right")):
        return None  # the intermediate `cur[k] = {}`: reported at the final write
    fn = a.enclosing_function(match)
    if fn is None:
        return None
    name = a.text(target)
    step = step_index = None
    for n in walk(fn):
        if n.type != "assignment_expression":
            continue
        l, r = n.child_by_field_name("left"), n.child_by_field_name("right")
        while r is not None and r.type == "assignment_expression":
            r = r.child_by_field_name("right")  # cur = cur[k] = cur[k] || {}
        if r is not None and r.type == "binary_expression" and a.text(r.child_by_field_name("operator")) in ("||", "??"):
            r = r.child_by_field_name("left")
        if l is None or r is None or l.type != "identifier" or a.text(l) != name or r.type != "subscript_expression":
            continue
        index = r.child_by_field_name("index")
        if a.text(r.child_by_field_name("object")) != name or index is None or index.type in LITERAL_KEYS:
            continue
        p = n.parent
        while p is not None and p != fn and p.type not in LOOPS:
            p = p.parent
        if p is not None and p.type in LOOPS:
            step, step_index = n, index
            break
    if step is None or PROTO_GUARD.search(a.text(fn)):
        return None
    flow = a.flow(key, "proto")
    if flow.kind < Kind.UNKNOWN:
        return None
    # The last key must come from the same path as the walked ones (keys[i] ... keys[n - 1],
    # path.shift() ... path.shift()), not from another object's keys or a constant.
    walked = a.flow(step_index, "proto").names | {a.text(x) for x in walk(step_index) if x.type == "identifier"}

    def from_path(k) -> bool:
        return bool(walked & (a.flow(k, "proto").names | {a.text(x) for x in walk(k) if x.type == "identifier"}))

    # One finding per walk: the first write of a key of the path (if/else branches often write twice).
    for n in walk(fn):
        if n.type != "assignment_expression" or n.start_byte >= match.start_byte:
            continue
        l = n.child_by_field_name("left")
        if l is None or l.type != "subscript_expression" or a.text(l.child_by_field_name("object")) != name:
            continue
        k = l.child_by_field_name("index")
        if k is not None and k.type not in LITERAL_KEYS and not _creates_object(a, n.child_by_field_name("right")) \
                and from_path(k):
            return None
    if not from_path(key):
        return None
    if flow.kind < Kind.TAINTED and SCHEMA_WORDS.search(a.text(fn)):
        return None  # the paths walked are a schema's declared ones (an ODM applying defaults, virtuals)
    conf = HIGH if flow.kind == Kind.TAINTED else (MEDIUM if flow.kind == Kind.PARAM else LOW)
    walk_text = " ".join(a.text(step).split())
    how = f"a path of keys ({walk_text} walks one key at a time, then {name}[{a.text(key)}] is set)"
    return Verdict(confidence=conf, args={"how": how})


@predicate("js.proto_merge")
def proto_merge(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    fn = call.child_by_field_name("function")
    name = ctx.text("fn")
    if name not in MERGE_FUNCTIONS:
        return None
    if name == "extend":
        args = _args(call)
        if not args or args[0].type != "true":
            return None  # only the deep form of $.extend(true, ...)
    obj = fn.child_by_field_name("object") if fn.type == "member_expression" else None
    mod = receiver_module(a, obj) if obj is not None else bound_module(a, fn)
    label = a.text(obj) if obj is not None else a.text(fn)
    if mod not in ("lodash", "lodash.merge", "lodash.set", "deepmerge", "merge", "jquery", "mixin-deep",
                   "defaults-deep", "dot-prop", "set-value", "object-path") and label not in ("_", "$", "jQuery", "lodash"):
        if not (name == "deepmerge" and obj is None):
            return None
    from redline.rules.predicates.taint_core import combine

    flow = combine(a.flow(x, "proto") for x in _args(call))
    if flow.kind != Kind.TAINTED:
        return None
    return _sink_verdict(ctx, a, flow, HIGH, {"how": f"{label}.{name}() of {flow.label}"})


def _function_name(a: JsAnalyzer, fn) -> str | None:
    name = fn.child_by_field_name("name")
    if name is not None:
        return a.text(name)
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        return a.text(parent.child_by_field_name("name"))
    if parent is not None and parent.type == "pair":
        return a.text(parent.child_by_field_name("key"))
    return None


# ---------------------------------------------------------------------- RL131 NoSQL injection

MONGO_METHODS = frozenset({"find", "findOne", "findOneAndUpdate", "findOneAndDelete", "findOneAndReplace",
                           "updateOne", "updateMany", "deleteOne", "deleteMany", "countDocuments", "count",
                           "update", "remove", "replaceOne", "exists", "distinct", "findOneAndRemove", "where"})


@predicate("js.nosql")
def nosql(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    args = _args(call)
    if not args:
        return None
    query = args[0]
    fn = ctx.text("fn")
    if query.type == "identifier":
        # `const filter = { $where: ... }; coll.find(filter)`: read the object literal it was bound to once.
        d = a.single_definition(query)
        if d is not None and d[1] is not None and d[1].type == "object" and _pair_value(d[1], "$where", a=a) is not None:
            query = d[1]
    # $where runs JavaScript on the server: any built string is code injection.
    where = _pair_value(query, "$where", a=a) if query.type == "object" else None
    if where is not None:
        flow = a.flow(where, "code")
        conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
        return _sink_verdict(ctx, a, flow, conf, {"how": f"a $where clause built from {describe(flow)}"})
    if fn == "where" and query.type in ("template_string", "binary_expression"):
        flow = a.flow(query, "code")
        conf = Policy(HIGH, MEDIUM, MEDIUM, built=True).confidence(flow)
        return _sink_verdict(ctx, a, flow, conf, {"how": f"a $where expression built from {describe(flow)}"})
    # Operator injection: a request value used as a query value without a cast to string.
    candidates = []
    if query.type == "object":
        for pair in query.named_children:
            if pair.type == "pair":
                candidates.append(pair.child_by_field_name("value"))
            elif pair.type == "shorthand_property_identifier":
                candidates.append(pair)
    else:
        candidates.append(query)
    for value in candidates:
        if value is None or value.type in ("template_string", "string", "number", "object", "array"):
            continue
        flow = a.flow(value, "nosql")
        # Route parameters and headers are always strings; bodies and query strings can be objects.
        objectish = flow.label.endswith((".body", ".query", ".json()", ".request"))
        if flow.kind == Kind.TAINTED and objectish and not flow.how and _member_or_ident(value):
            return _sink_verdict(ctx, a, flow, HIGH, {"how": f"{a.text(value)} ({flow.label}), which can be an object such as {{\"$ne\": null}}"}, node=value)
    return None


def _member_or_ident(node) -> bool:
    return node.type in ("member_expression", "subscript_expression", "identifier", "shorthand_property_identifier")


# ---------------------------------------------------------------------- crypto and configuration

FAST_HASHES = frozenset({"sha256", "sha384", "sha512", "sha224", "sha3256", "sha3512", "blake2b512", "blake2s256"})
WEAK_HASHES = {"md5": "MD5", "md4": "MD4", "md2": "MD2", "sha1": "SHA-1", "sha-1": "SHA-1", "ripemd160": "RIPEMD-160",
               "rmd160": "RIPEMD-160", "ripemd": "RIPEMD-160"}


@predicate("js.weak_hash")
def weak_hash(ctx: MatchContext):
    a = _analyzer(ctx)
    algo_node = ctx.node("algo")
    if algo_node is not None:
        algo = _const_string(a, algo_node)
        if algo is None:
            return None
        if ctx.text("fn") == "createHmac":
            # HMAC-SHA1/MD5 are fine as MACs; as a password hash any HMAC is too fast.
            if not words.context_words(a, ctx.node("match"), words.js_names) & words.PASSWORD_WORDS:
                return None
            return Verdict(confidence=MEDIUM, args={"algo": f"HMAC-{algo.upper()} of a password (a fast hash: use crypto.scrypt, bcrypt or argon2)",
                                                    "why": "a fast hash lets an attacker test billions of guesses per second"},
                           data={"password": True})
        if algo.lower() not in WEAK_HASHES:
            if algo.lower().replace("-", "") in FAST_HASHES and words.context_words(a, ctx.node("match"), words.js_names) & words.PASSWORD_WORDS:
                return Verdict(confidence=MEDIUM, args={"algo": f"{algo.upper()} of a password (a fast hash: use crypto.scrypt, bcrypt or argon2 with a salt)", "why": "a fast hash lets an attacker test billions of guesses per second"},
                               data={"password": True})
            return None
        pretty = WEAK_HASHES[algo.lower()]
    else:
        pretty = ctx.text("fn").upper().replace("SHA1", "SHA-1")
        if ctx.node("obj") is not None and ctx.text("obj") not in ("CryptoJS", "cryptoJS", "CryptoJs"):
            return None
        if ctx.node("obj") is None:
            mod = bound_module(a, ctx.node("fn"))
            if mod not in ("md5", "sha1", "crypto-js/md5", "crypto-js/sha1", "blueimp-md5", "js-md5", "js-sha1"):
                return None
    context = words.context_words(a, ctx.node("match"), words.js_names)
    if context & words.PASSWORD_WORDS:
        return Verdict(confidence=HIGH, args={"algo": f"{pretty} (here for a password: use crypto.scrypt, bcrypt or argon2)", "why": "a fast hash lets an attacker test billions of guesses per second (and it is broken besides)"},
                       data={"password": True})
    if context & words.NON_SECURITY_HASH_WORDS:
        return None  # an ETag, cache key, checksum or file name: not a security use (issue 13 class M)
    return Verdict(confidence=MEDIUM, args={"algo": pretty, "why": "collisions can be forged, so it protects neither integrity nor signatures"}, data={"password": False})


@fix("js.weak_hash_sha256")
def weak_hash_sha256(ctx: MatchContext, v: Verdict):
    if v.data.get("password") or ctx.node("algo") is None or ctx.node("algo").type != "string":
        return None
    node = ctx.node("algo")
    quote = ctx.text(node)[0]
    return Fix("Use SHA-256", (TextEdit(Span.of_node(node), f"{quote}sha256{quote}"),), safe=False)


WEAK_CIPHER = linear(r"^(des|des-|des3|des-ede|rc2|rc4|bf|blowfish|cast|idea|seed)|-ecb$|^id-aes\d+-wrap$", re.IGNORECASE)


@predicate("js.weak_cipher")
def weak_cipher(ctx: MatchContext):
    a = _analyzer(ctx)
    fn = ctx.text("fn")
    if fn in ("createCipher", "createDecipher") and ctx.node("algo") is None:
        return Verdict(args={"algo": f"crypto.{fn}() (MD5-derived key, no IV)"})
    algo = _const_string(a, ctx.node("algo"))
    if algo is None:
        return None
    if fn in ("createCipher", "createDecipher"):
        return Verdict(args={"algo": f"crypto.{fn}('{algo}') (MD5-derived key, no IV)"})
    if WEAK_CIPHER.search(algo):
        return Verdict(args={"algo": algo.upper()})
    return None


@predicate("js.cryptojs_cipher")
def cryptojs_cipher(ctx: MatchContext):
    obj = ctx.text("obj")
    if obj not in ("CryptoJS", "cryptoJS", "CryptoJs"):
        return None
    return Verdict(args={"algo": f"CryptoJS.{ctx.text('fn')}" if ctx.node("fn") is not None else "ECB mode"})


@predicate("js.rsa_bits")
def rsa_bits(ctx: MatchContext):
    a = _analyzer(ctx)
    bits = _int(ctx.text("bits"))
    if bits is None or bits >= 2048:
        return None
    algo = _const_string(a, ctx.node("algo"))
    if algo is not None and algo.lower() not in ("rsa", "dsa", "rsa-pss", "dh"):
        return None
    return Verdict(args={"bits": str(bits)})


def _int(text: str) -> int | None:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        return None


@fix("js.rsa_2048")
def rsa_2048(ctx: MatchContext, v: Verdict):
    node = ctx.node("bits")
    return Fix("Use a 2048-bit key", (TextEdit(Span.of_node(node), "2048"),), safe=True)


@predicate("js.insecure_random")
def insecure_random(ctx: MatchContext):
    """Math.random() where the names around it say the value is a secret (a token, a password,
    a session id, a key...): medium. Math.random() anywhere else (animation, jitter, sampling, a
    test name, a cache-busting query string, an element id) is not reported: issue 13 class M
    counted those low-confidence hints as noise. crypto.pseudoRandomBytes() is reported
    wherever it is: the API exists only as the non-cryptographic twin of randomBytes (deprecated
    since Node 0.11, removed from the docs), so every call asked for predictable bytes."""
    a = _analyzer(ctx)
    call = ctx.node("match")
    fn = ctx.text("fn")
    context = words.context_words(a, call, words.js_names)
    hit = context & words.SECURITY_WORDS
    if fn in ("pseudoRandomBytes", "prng"):
        callee = call.child_by_field_name("function")
        obj = callee.child_by_field_name("object") if callee.type == "member_expression" else None
        mod = receiver_module(a, obj) if obj is not None else bound_module(a, callee)
        if mod is None:  # a fragment: trust `crypto.` (or a bare name) only while nothing else binds it
            root = a._root_node(obj) if obj is not None else callee
            name = a.text(root) if root is not None else ""
            if (obj is not None and name not in ("crypto", "nodeCrypto", "cryptoLib")) or a.visible(name, root):
                return None
        elif mod not in CRYPTO_MODULES:
            return None
        return Verdict(confidence=HIGH if hit else MEDIUM,
                       args={"how": f"crypto.{fn}()", "what": words.what(hit) if hit else "random bytes"})
    if hit:
        return Verdict(confidence=MEDIUM, args={"how": "Math.random()", "what": words.what(hit)})
    return None


def _token_chain(a: JsAnalyzer, call):
    """`Math.random().toString(36)...` -> the outermost node of the string-making chain."""
    parent = call.parent
    if parent is None or parent.type != "member_expression" or a.text(parent.child_by_field_name("property")) != "toString":
        return None
    node = parent.parent  # the toString() call
    if node is None or node.type != "call_expression":
        return None
    while node.parent is not None and node.parent.type == "member_expression":
        prop = a.text(node.parent.child_by_field_name("property"))
        grand = node.parent.parent
        if prop in ("slice", "substring", "substr", "replace", "padStart", "padEnd", "toUpperCase") and grand is not None and grand.type == "call_expression":
            node = grand
        else:
            break
    return node


@fix("js.secure_random")
def secure_random(ctx: MatchContext, v: Verdict):
    a = _analyzer(ctx)
    call = ctx.node("match")
    callee = call.child_by_field_name("function")
    if ctx.text("fn") in ("pseudoRandomBytes", "prng"):
        name = callee.child_by_field_name("property") if callee.type == "member_expression" else callee
        if callee.type != "member_expression":  # an imported name: randomBytes must be imported too
            return []
        return [Fix("Use crypto.randomBytes()", (TextEdit(Span.of_node(name), "randomBytes"),), safe=True)]
    fixes = [Fix(
        "Use crypto.getRandomValues()",
        (TextEdit(Span.of_node(call), "(crypto.getRandomValues(new Uint32Array(1))[0] / 4294967296)"),),
        safe=True,
    )]
    chain = _token_chain(a, call)
    if chain is not None:
        fixes.insert(0, Fix("Use crypto.randomUUID()", (TextEdit(Span.of_node(chain), "crypto.randomUUID()"),), safe=False))
    return fixes


@predicate("js.tls_pair")
def tls_pair(ctx: MatchContext):
    a = _analyzer(ctx)
    key = ctx.node("key")
    name = string_value(a, key) if key.type == "string" else a.text(key)
    if name == "rejectUnauthorized":
        return Verdict(args={"how": "rejectUnauthorized: false"})
    if name == "strictSSL":
        return Verdict(args={"how": "strictSSL: false"})
    if name == "insecure":
        return Verdict(confidence=MEDIUM, args={"how": "insecure: true"})
    if name == "checkServerIdentity" and _no_op_check(a, ctx.node("check")):
        return Verdict(args={"how": "a checkServerIdentity that accepts every host name"})
    return None


def _no_op_check(a: JsAnalyzer, fn) -> bool:
    """A checkServerIdentity callback that never reports a mismatch: its body returns nothing,
    undefined or null, throws nothing and calls no other check (tls.checkServerIdentity)."""
    if fn is None:
        return False
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    if body.type != "statement_block":
        return a.text(body).strip() in ("undefined", "null", "void 0")
    for n in walk(body):
        if n.type in ("throw_statement", "call_expression", "new_expression", "if_statement"):
            return False
        if n.type == "return_statement":
            value = n.named_children[0] if n.named_children else None
            if value is not None and a.text(value).strip() not in ("undefined", "null", "void 0"):
                return False
    return True


@fix("js.remove_pair")
def remove_pair(ctx: MatchContext, v: Verdict):
    pair = ctx.node("match")
    return Fix("Remove the option (keep certificate checks on)", (_remove_list_item(ctx.file, pair),), safe=True)


def _remove_list_item(file, node) -> TextEdit:
    """Delete `node` from a comma-separated list, with one adjacent comma and the whitespace
    (and the whole line when it stands alone on it)."""
    src = file.text
    start, end = node.start_byte, node.end_byte
    nxt = node.next_sibling
    prev = node.prev_sibling
    if nxt is not None and nxt.type == ",":
        end = nxt.end_byte
        # eat spaces after the comma on the same line
        while end < len(src) and src[end:end + 1] in (b" ", b"\t"):
            end += 1
    elif prev is not None and prev.type == ",":
        start = prev.start_byte
    # whole line?
    line_start = src.rfind(b"\n", 0, start) + 1
    line_end = src.find(b"\n", end)
    line_end = len(src) if line_end == -1 else line_end
    if src[line_start:start].strip() == b"" and src[end:line_end].strip() == b"":
        return TextEdit(file.span(line_start, min(line_end + 1, len(src))), "")
    return TextEdit(file.span(start, end), "")


@predicate("js.tls_env")
def tls_env(ctx: MatchContext):
    a = _analyzer(ctx)
    left = ctx.node("left")
    path = member_path(a, left)
    if not path or path[-1] != "NODE_TLS_REJECT_UNAUTHORIZED":
        return None
    value = _const_string(a, ctx.node("value"))
    raw = ctx.text("value")
    if value == "0" or raw == "0":
        return Verdict(args={"how": "NODE_TLS_REJECT_UNAUTHORIZED = '0'"})
    return None


@fix("js.remove_statement")
def remove_statement(ctx: MatchContext, v: Verdict):
    node = ctx.node("match")
    stmt = node
    while stmt.parent is not None and stmt.type != "expression_statement":
        stmt = stmt.parent
    if stmt.type != "expression_statement":
        return None
    src = ctx.file.text
    start, end = stmt.start_byte, stmt.end_byte
    line_start = src.rfind(b"\n", 0, start) + 1
    line_end = src.find(b"\n", end)
    line_end = len(src) if line_end == -1 else line_end
    if src[line_start:start].strip() == b"" and src[end:line_end].strip() == b"":
        start, end = line_start, min(line_end + 1, len(src))
    return Fix("Remove this line (keep certificate checks on)", (TextEdit(ctx.file.span(start, end), ""),), safe=True)


@predicate("js.stack_leak")
def stack_leak(ctx: MatchContext):
    """An error's stack trace sent to the client."""
    a = _analyzer(ctx)
    call = ctx.node("match")
    args = call.child_by_field_name("arguments")
    stack = None
    for n in walk(args):
        if n.type == "member_expression" and a.text(n.child_by_field_name("property")) == "stack":
            stack = n
            break
    if stack is None:
        return None
    # Guarded by a development-only condition?
    p = call.parent
    while p is not None:
        if p.type in ("if_statement", "ternary_expression"):
            cond = p.child_by_field_name("condition")
            if cond is not None and re.search(r"NODE_ENV|development|isDev|DEBUG|debug", a.text(cond)):
                return None
        p = p.parent
    fn = a.enclosing_function(call)
    conf = MEDIUM
    if fn is not None and len(JsAnalyzer.params_of(a, fn)) == 4:
        conf = HIGH  # an Express error handler (err, req, res, next)
    return Verdict(confidence=conf, node=stack, args={"how": f"{a.text(stack)} is sent in the response"})


# ---------------------------------------------------------------------- RL307 cookies

SESSION_COOKIE = linear(r"sess|sid|token|auth|jwt|login|remember|csrf|xsrf|connect\.sid", re.IGNORECASE)


@predicate("js.cookie")
def cookie(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    args = _args(call)
    root = _root_ident(a, ctx.node("res"))
    if root is None or a.text(root) not in ("res", "response", "resp", "reply"):
        return None
    if len(args) < 2:
        return None
    name = _const_string(a, args[0]) or a.text(args[0])
    options = args[2] if len(args) > 2 else None
    if options is not None and options.type != "object":
        return None  # options from a variable: cannot tell
    secure = _pair_value(options, "secure", a=a)
    http_only = _pair_value(options, "httpOnly", a=a)
    explicit_off = [k for k, v in (("Secure", secure), ("HttpOnly", http_only)) if v is not None and v.type == "false"]
    missing = [k for k, v in (("Secure", secure), ("HttpOnly", http_only)) if v is None]
    if explicit_off:
        conf = HIGH
        which = explicit_off
    elif missing and SESSION_COOKIE.search(name):
        conf = MEDIUM
        which = missing
    else:
        return None
    return Verdict(confidence=conf, args=_cookie_args(which), data={"which": which})


def _cookie_args(which: list[str]) -> dict[str, str]:
    risks = []
    if "Secure" in which:
        risks.append("sent over plain HTTP")
    if "HttpOnly" in which:
        risks.append("read by scripts on the page")
    return {"missing": " and ".join(which), "risk": " and ".join(risks)}


@fix("js.cookie_flags")
def cookie_flags(ctx: MatchContext, v: Verdict):
    a = _analyzer(ctx)
    call = ctx.node("match")
    args = _args(call)
    options = args[2] if len(args) > 2 else None
    edits = []
    if options is None:
        edits.append(TextEdit(ctx.file.span(args[1].end_byte, args[1].end_byte), ", { secure: true, httpOnly: true }"))
    else:
        add = []
        for key, prop in (("Secure", "secure"), ("HttpOnly", "httpOnly")):
            value = _pair_value(options, prop, a=a)
            if value is None:
                add.append(f"{prop}: true")
            elif value.type == "false":
                edits.append(TextEdit(Span.of_node(value), "true"))
        if add:
            edits.append(_add_to_object(ctx.file, a, options, add))
    return Fix("Set secure and httpOnly", tuple(edits), safe=True)


@predicate("js.session_cookie")
def session_cookie(ctx: MatchContext):
    """express-session / cookie-session options with secure or httpOnly explicitly off."""
    a = _analyzer(ctx)
    obj = ctx.node("options")
    if obj is None:
        return None
    secure = _pair_value(obj, "secure", a=a)
    http_only = _pair_value(obj, "httpOnly", a=a)
    which = [k for k, v in (("Secure", secure), ("HttpOnly", http_only)) if v is not None and v.type == "false"]
    if not which:
        return None
    return Verdict(confidence=HIGH, args=_cookie_args(which), data={"which": which})


@fix("js.session_cookie_flags")
def session_cookie_flags(ctx: MatchContext, v: Verdict):
    a = _analyzer(ctx)
    obj = ctx.node("options")
    edits = []
    for prop in ("secure", "httpOnly"):
        value = _pair_value(obj, prop, a=a)
        if value is not None and value.type == "false":
            edits.append(TextEdit(Span.of_node(value), "true"))
    return Fix("Set secure and httpOnly to true", tuple(edits), safe=True) if edits else None


def _add_to_object(file, a: JsAnalyzer, obj, items: list[str]) -> TextEdit:
    """Insert `items` as new properties at the end of an object literal."""
    pairs = [c for c in obj.named_children if c.type != "comment"]
    text = ", ".join(items)
    if not pairs:
        return TextEdit(Span.of_node(obj), "{ " + text + " }")
    last = pairs[-1]
    after = last.next_sibling
    if after is not None and after.type == ",":
        return TextEdit(file.span(after.end_byte, after.end_byte), " " + text + ",")
    return TextEdit(file.span(last.end_byte, last.end_byte), ", " + text)


# ---------------------------------------------------------------------- dispatchers
# A rule has one predicate and one fix per language; these pick the variant by the captures
# of the pattern that matched.


def _root_ident(a: JsAnalyzer, node):
    n = node
    while n is not None and n.type in ("call_expression", "member_expression", "parenthesized_expression", "await_expression"):
        if n.type == "call_expression":
            n = n.child_by_field_name("function")
        elif n.type == "member_expression":
            n = n.child_by_field_name("object")
        else:
            n = n.named_children[0] if n.named_children else None
    return n


@predicate("js.xss")
def xss(ctx: MatchContext):
    if ctx.node("res") is not None:
        a = _analyzer(ctx)
        root = _root_ident(a, ctx.node("res"))
        if root is None or a.text(root) not in ("res", "response", "resp", "reply"):
            return None
        return _xss_response(ctx, a)
    return xss_dom(ctx)


def _xss_response(ctx, a):
    arg = ctx.node("arg")
    if arg.type in ("object", "array"):
        return None  # res.send({...}) / reply.send([...]) is serialized as JSON, not HTML
    flow = a.flow(arg, "html")
    if flow.kind != Kind.TAINTED or _dom_text(flow):
        return None  # text of a page parsed on the server (cheerio) is not request data
    if not flow.how and flow.origin is not None and a.text(arg) == a.text(flow.origin):
        if flow.label.endswith((".body", ".query", ".params", ".headers", ".cookies", ".files")):
            return None  # a whole object is sent as JSON
    fn = a.outer_function(ctx.node("match"))
    if fn is not None and PLAIN_TYPES.search(a.text(fn)):
        return None
    what = describe(flow)
    return _sink_verdict(ctx, a, flow, HIGH, {"how": what[0].upper() + what[1:]})


@predicate("js.proto")
def proto(ctx: MatchContext):
    return proto_merge(ctx) if ctx.node("fn") is not None else proto_assign(ctx)


@predicate("js.cipher")
def cipher(ctx: MatchContext):
    if ctx.node("obj") is not None:
        return cryptojs_cipher(ctx)
    return weak_cipher(ctx)


@predicate("js.tls")
def tls(ctx: MatchContext):
    return tls_pair(ctx) if ctx.node("key") is not None else tls_env(ctx)


@fix("js.tls_fix")
def tls_fix(ctx: MatchContext, v: Verdict):
    return remove_pair(ctx, v) if ctx.node("key") is not None else remove_statement(ctx, v)


@predicate("js.cookies")
def cookies(ctx: MatchContext):
    return session_cookie(ctx) if ctx.node("options") is not None else cookie(ctx)


@fix("js.cookies_fix")
def cookies_fix(ctx: MatchContext, v: Verdict):
    return session_cookie_flags(ctx, v) if ctx.node("options") is not None else cookie_flags(ctx, v)


@predicate("js.debug")
def debug(ctx: MatchContext):
    a = _analyzer(ctx)
    root = _root_ident(a, ctx.node("res"))
    if root is None or a.text(root) not in ("res", "response", "resp", "reply", "ctx", "context"):
        return None
    return stack_leak(ctx)


# ---------------------------------------------------------------------- fixes: SQL, exec, innerHTML

from redline.rules.predicates import sql_params  # noqa: E402


def _js_parts(a: JsAnalyzer, node, quotes: set[str]) -> list | None:
    """Split a string expression into Text and Value parts; `quotes` collects the quote kinds."""
    t = node.type
    if t == "parenthesized_expression" and node.named_child_count == 1:
        return _js_parts(a, node.named_children[0], quotes)
    if t == "template_string":
        quotes.add("`")
        parts = []
        for c in node.named_children:
            if c.type == "template_substitution":
                inner = c.named_children[0] if c.named_children else None
                if inner is None:
                    return None
                parts.append(sql_params.Value(inner))
            else:
                parts.append(sql_params.Text(a.text(c)))
        return parts
    if t == "string":
        q = a.text(node)[:1]
        quotes.add(q)
        raw = string_value(a, node).replace("\\'", "'").replace('\\"', '"')
        if q != "`":
            raw = raw.replace("`", "\\`").replace("${", "\\${")
        return [sql_params.Text(raw)]
    if t == "binary_expression" and a.text(node.child_by_field_name("operator")) == "+":
        out = []
        for operand in plus_operands(node, a.is_plus):
            part = _js_parts(a, operand, quotes)
            if part is None:
                return None
            out.extend(part)
        return out
    return [sql_params.Value(node)]


def _merge_texts(parts: list) -> list:
    out: list = []
    for p in parts:
        if isinstance(p, sql_params.Text) and out and isinstance(out[-1], sql_params.Text):
            out[-1] = sql_params.Text(out[-1].text + p.text)
        else:
            out.append(p)
    return out


def _js_literal(text: str, quotes: set[str]) -> str:
    if quotes == {"'"} or quotes == {'"'}:
        q = next(iter(quotes))
        return q + text.replace("\\" + q, q).replace(q, "\\" + q).replace("\\`", "`").replace("\\${", "${") + q
    return "`" + text + "`"


def _js_bound(a: JsAnalyzer, b: sql_params.Bound) -> str:
    value = a.text(b.node)
    if b.prefix or b.suffix:
        return f"`{b.prefix}${{{value}}}{b.suffix}`"
    return value


def _sql_target(a: JsAnalyzer, arg):
    """The node that builds the query: the argument itself, or the single definition of a
    variable that is used only at this call."""
    if arg.type in ("template_string", "binary_expression", "parenthesized_expression"):
        return arg
    if arg.type == "identifier":
        d = a.single_definition(arg)
        if d is None:
            return None
        binding, value = d
        fn = a.outer_function(arg) or a.unit_of(arg)
        if len(a.uses(a.text(arg), fn)) != 2:
            return None
        if value.type in ("template_string", "binary_expression"):
            return value
    return None


@fix("js.sql_parameterize")
def sql_parameterize(ctx: MatchContext, v: Verdict):
    a = _analyzer(ctx)
    call = ctx.node("match")
    arg = ctx.node("arg")
    sink = ctx.text("sink")
    args = _args(call)
    if not args or args[0] != arg:
        return None
    if sink in ("raw", "whereRaw", "orWhereRaw", "havingRaw", "orHavingRaw", "orderByRaw", "groupByRaw", "joinRaw", "fromRaw"):
        style, wrap = "?", "array"
    elif sink in ("query", "execute", "run", "all", "get", "each"):
        modules = _sql_modules(a, call)
        styles = {SQL_DRIVERS[m] for m in modules}
        if len(styles) != 1:
            return None
        style = styles.pop()
        wrap = "replacements" if modules == {"sequelize"} else "array"
        if wrap == "replacements" and len(args) != 1:
            return None
    else:
        return None
    if len(args) > 2 or (len(args) == 2 and not _is_callback(a, args[1])):
        return None
    target = _sql_target(a, arg)
    if target is None:
        return None
    quotes: set[str] = set()
    parts = _js_parts(a, target, quotes)
    if parts is None:
        return None
    result = sql_params.parameterize(_merge_texts(parts), (lambda i: f"${i}") if style == "$" else (lambda i: "?"))
    if result is None:
        return None
    text, bound = result
    values = ", ".join(_js_bound(a, b) for b in bound)
    insert = f", {{ replacements: [{values}] }}" if wrap == "replacements" else f", [{values}]"
    edits = [TextEdit(Span.of_node(target), _js_literal(text, quotes)),
             TextEdit(ctx.file.span(arg.end_byte, arg.end_byte), insert)]
    if target.start_byte > arg.start_byte:
        edits.reverse()
    edits.sort(key=lambda e: e.span.start_byte)
    return Fix("Use query placeholders and pass the values separately", tuple(edits), safe=True)


def _is_callback(a: JsAnalyzer, node) -> bool:
    if node.type in ("arrow_function", "function_expression", "function"):
        return True
    return node.type == "identifier" and bool(re.fullmatch(r"cb|callback|done|next|handler|\w*(Callback|Handler|Cb)", a.text(node)))


def _sql_modules(a: JsAnalyzer, near) -> set[str]:
    unit = a.unit_of(near)
    found = set()
    for top in a.root.children:
        if top.type not in ("lexical_declaration", "variable_declaration", "import_statement") and top is not unit:
            continue
        for n in walk(top):
            mod = None
            if n.type == "import_statement":
                src = n.child_by_field_name("source")
                mod = string_value(a, src) if src is not None else None
            elif n.type == "call_expression" and a.text(n.child_by_field_name("function")) == "require":
                mod = require_name(a, n)
            if mod in SQL_DRIVERS:
                found.add(mod)
    return found


SHELL_META = linear(r"[|&;<>()$`\\\"'*?\[\]{}~#!\n]")


@fix("js.exec_to_execfile")
def exec_to_execfile(ctx: MatchContext, v: Verdict):
    """exec(`ls -l ${dir}`, cb) -> execFile('ls', ['-l', dir], cb) when the command has a
    plain shape: words separated by spaces, each value a whole word, no shell syntax."""
    a = _analyzer(ctx)
    call = ctx.node("match")
    name = ctx.text("fn")
    if name not in ("exec", "execSync"):
        return None
    args = _args(call)
    if not args:
        return None
    quotes: set[str] = set()
    parts = _js_parts(a, args[0], quotes)
    if parts is None:
        return None
    words_ = _argv(a, _merge_texts(parts))
    if not words_ or words_[0][0] != "text":
        return None
    program = words_[0][1]
    argv = ", ".join(f"'{w}'" if kind == "text" else a.text(w) for kind, w in words_[1:])
    fn = call.child_by_field_name("function")
    new_name = "execFile" if name == "exec" else "execFileSync"
    edits = []
    if fn.type == "member_expression":
        edits.append(TextEdit(Span.of_node(fn.child_by_field_name("property")), new_name))
    else:
        imported = _add_named_import(a, ctx.file, fn, new_name)
        if imported is None:
            return None
        edits.extend(imported)
        edits.append(TextEdit(Span.of_node(fn), new_name))
    edits.append(TextEdit(Span.of_node(args[0]), f"'{program}', [{argv}]"))
    edits.sort(key=lambda e: e.span.start_byte)
    return Fix(f"Run the program with {new_name}() and an argument list (no shell)", tuple(edits), safe=False)


def _argv(a: JsAnalyzer, parts: list):
    """[("text", word) | ("value", node)] or None when the command is not a plain word list."""
    out = []
    current_text = ""
    current_value = None
    for p in parts:
        if isinstance(p, sql_params.Text):
            if SHELL_META.search(p.text):
                return None
            chunks = p.text.split(" ")
            for j, chunk in enumerate(chunks):
                if j > 0:
                    if current_value is not None:
                        out.append(("value", current_value))
                    elif current_text:
                        out.append(("text", current_text))
                    current_text, current_value = "", None
                if chunk:
                    if current_value is not None:
                        return None  # text glued to a value: '--x=' + v
                    current_text += chunk
        else:
            if current_text or current_value is not None:
                return None
            current_value = p.node
    if current_value is not None:
        out.append(("value", current_value))
    elif current_text:
        out.append(("text", current_text))
    return out


def _add_named_import(a: JsAnalyzer, file, fn_ident, new_name: str):
    """Edits that add `new_name` next to the destructured/named import of `fn_ident`."""
    for b in a.visible(a.text(fn_ident), fn_ident):
        decl = b.node.parent
        while decl is not None and decl.type not in ("object_pattern", "named_imports"):
            decl = decl.parent
        if decl is None:
            return None
        names = [a.text(c) for c in decl.named_children]
        if new_name in names:
            return []
        last = [c for c in decl.named_children if c.type != "comment"][-1]
        return [TextEdit(file.span(last.end_byte, last.end_byte), f", {new_name}")]
    return None


@fix("js.inner_html_to_text")
def inner_html_to_text(ctx: MatchContext, v: Verdict):
    prop = ctx.node("prop")
    if prop is None or ctx.text("prop") != "innerHTML":
        return None
    return Fix("Set textContent instead (the text is shown, not parsed as HTML)",
               (TextEdit(Span.of_node(prop), "textContent"),), safe=False)


# ---------------------------------------------------------------------- RL320 old TLS versions, RL132 XXE

OLD_TLS_JS = {"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "SSLv3": "SSL 3.0", "TLSv1_method": "TLS 1.0",
              "TLSv1_1_method": "TLS 1.1", "SSLv3_method": "SSL 3.0", "TLSv1_client_method": "TLS 1.0",
              "TLSv1_server_method": "TLS 1.0", "TLSv1_1_client_method": "TLS 1.1", "TLSv1_1_server_method": "TLS 1.1"}


@predicate("js.tls_version")
def tls_version(ctx: MatchContext):
    a = _analyzer(ctx)
    key = ctx.text("key").strip("'\"")
    value = _const_string(a, ctx.node("value"))
    if value not in OLD_TLS_JS:
        return None
    return Verdict(args={"how": f"{key}: '{value}' allows {OLD_TLS_JS[value]}"})


@fix("js.tls12")
def tls12(ctx: MatchContext, v: Verdict):
    node = ctx.node("value")
    key = ctx.text("key").strip("'\"")
    if node.type != "string" or key not in ("minVersion", "secureProtocol"):
        return None
    q = ctx.text("value")[0]
    new = "TLSv1.2" if key == "minVersion" else "TLSv1_2_method"
    return Fix("Require TLS 1.2", (TextEdit(Span.of_node(node), f"{q}{new}{q}"),), safe=key == "minVersion")


@predicate("js.xxe")
def xxe(ctx: MatchContext):
    return Verdict(args={"how": "noent: true makes libxmljs substitute entities, external ones included"})


@fix("js.xxe_fix")
def xxe_fix(ctx: MatchContext, v: Verdict):
    return Fix("Remove noent (keep entities unexpanded)", (_remove_list_item(ctx.file, ctx.node("match")),), safe=True)


# ---------------------------------------------------------------------- RL332 target="_blank" without noopener

LINK_ELEMENTS = frozenset({"a", "area", "form"})
EXTERNAL_URL = linear(r"^(https?:)?//", re.IGNORECASE)


def _jsx_value(attr):
    """The value node of a JSX attribute (a string or a {expression}), None for a bare flag."""
    kids = [c for c in attr.named_children if c.type != "property_identifier"]
    return kids[0] if kids else None


def _jsx_literal(a: JsAnalyzer, value) -> str | None:
    """The text of a JSX attribute value that is a string literal, also as {"..."}."""
    if value is None:
        return None
    if value.type == "jsx_expression" and value.named_children:
        value = value.named_children[0]
    if value.type == "string":
        return string_value(a, value)
    if value.type == "template_string" and not any(c.type == "template_substitution" for c in value.named_children):
        return string_value(a, value)
    return None


def _url_prefix(a: JsAnalyzer, value) -> str:
    """The constant start of a dynamic href: 'https://x/' + id, `https://x/${id}`."""
    node = value.named_children[0] if value.type == "jsx_expression" and value.named_children else value
    while node is not None and node.type == "binary_expression":
        node = node.child_by_field_name("left")
    if node is None:
        return ""
    if node.type == "string":
        return string_value(a, node)
    if node.type == "template_string":
        first = node.named_children[0] if node.named_children else None
        return a.text(first) if first is not None and first.type == "string_fragment" else ""
    return ""


@predicate("js.target_blank")
def target_blank(ctx: MatchContext):
    """<a target="_blank" href={external or dynamic}> with no rel containing noopener/noreferrer
    (eslint-plugin-react jsx-no-target-blank). Elements with a spread ({...props}) or a dynamic
    rel may set rel themselves: not reported."""
    a = _analyzer(ctx)
    attr = ctx.node("match")
    if (_jsx_literal(a, _jsx_value(attr)) or "").lower() != "_blank":
        return None
    element = attr.parent
    name = element.child_by_field_name("name") if element is not None else None
    if name is None or a.text(name) not in LINK_ELEMENTS:
        return None
    attrs = {}
    for child in element.named_children:
        if child.type == "jsx_expression":
            return None  # {...props} may carry rel
        if child.type == "jsx_attribute" and child.named_children:
            attrs[a.text(child.named_children[0])] = child
    rel = attrs.get("rel")
    if rel is not None:
        text = _jsx_literal(a, _jsx_value(rel))
        if text is None or re.search(r"\bno(opener|referrer)\b", text, re.IGNORECASE):
            return None
    link = attrs.get("action" if a.text(name) == "form" else "href")
    value = _jsx_value(link) if link is not None else None
    if value is None:
        return None
    literal = _jsx_literal(a, value)
    if literal is not None:
        if not EXTERNAL_URL.match(literal):
            return None  # a page of this site
        return Verdict(args={"how": literal})
    prefix = _url_prefix(a, value)
    if prefix and not EXTERNAL_URL.match(prefix):
        return None  # '/users/' + id: this site
    how = a.text(value.named_children[0] if value.type == "jsx_expression" and value.named_children else value)
    return Verdict(confidence=MEDIUM if prefix else LOW, args={"how": how if len(how) <= 60 else how[:57] + "..."})


@fix("js.add_noopener")
def add_noopener(ctx: MatchContext, v: Verdict):
    attr = ctx.node("match")
    element = attr.parent
    rel = next((c for c in element.named_children if c.type == "jsx_attribute" and c.named_children
                and _analyzer(ctx).text(c.named_children[0]) == "rel"), None)
    if rel is not None:
        value = _jsx_value(rel)
        if value is None or value.type != "string":
            return None
        text = _analyzer(ctx).text(value)
        new = text[0] + (text[1:-1] + " noopener noreferrer").strip() + text[-1]
        return Fix('Add noopener noreferrer to rel', (TextEdit(Span.of_node(value), new),), safe=True)
    return Fix('Add rel="noopener noreferrer"',
               (TextEdit(ctx.file.span(attr.end_byte, attr.end_byte), ' rel="noopener noreferrer"'),), safe=True)


# ---------------------------------------------------------------------- RL160 dynamic module load

MODULE_PATH_NOTES = ("process.cwd", "process.env", "CWD", "cwd")


@predicate("js.dynamic_require")
def dynamic_require(ctx: MatchContext):
    """require(x) / import(x) with a path computed at run time. Request data -> high; a path from
    the working directory or the environment -> low; a name or path handed in by the caller (a
    plugin loader), constants, __dirname and require.resolve() of constants -> nothing. A
    `require` that the file binds itself (a bundle's module wrapper, AMD) is not node's."""
    a = _analyzer(ctx)
    call, arg = ctx.node("match"), ctx.node("arg")
    fn_node = ctx.node("fn")
    fn = "import" if fn_node.type == "import" else "require"
    if arg is None or arg.type in ("string", "array", "object", "arrow_function", "function_expression"):
        return None
    if fn == "require" and a.visible("require", fn_node):
        return None
    if _const_module_path(a, arg):
        return None
    flow = a.flow(arg, "code")
    if flow.kind < Kind.UNKNOWN:
        return None
    if a.guarded(call, flow, _guard(a, {"regex", "allow"})):
        return None
    if flow.kind == Kind.TAINTED:
        conf = HIGH
    elif any(w in a.text(arg) for w in MODULE_PATH_NOTES):
        conf = LOW  # code loaded from wherever the process was started, or named by the environment
    else:
        # require(name), require('./plugins/' + name), require(path.join(dir, file)): a plugin or
        # rule loader whose caller names the module. On real code (express's view engines, eslint's
        # --rulesdir, knex's CLI) these were all by design, so only request data counts.
        return None
    how = describe(flow, "computed at run time")
    if flow.kind < Kind.TAINTED and any(w in a.text(arg) for w in MODULE_PATH_NOTES):
        how = "taken from the working directory or the environment"
    return _sink_verdict(ctx, a, flow, conf, {"how": how, "fn": fn})


def _const_module_path(a: JsAnalyzer, node) -> bool:
    """Made only of literals, __dirname/__filename, require.resolve('x') and path.* of those."""
    for n in walk(node):
        if n.type == "identifier":
            name = a.text(n)
            parent = n.parent
            if name in ("__dirname", "__filename", "path", "require", "undefined"):
                continue
            if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == n \
                    and name in ("path", "require", "module", "import"):
                continue
            if _const_string(a, n) is not None:
                continue
            return False
        if n.type in ("this", "subscript_expression", "await_expression"):
            return False
        if n.type == "call_expression":
            callee = a.text(n.child_by_field_name("function"))
            if not (callee == "require.resolve" or callee.startswith("path.")):
                return False
    return True


# ---------------------------------------------------------------------- RL161 unsafe buffers

SIZE_NAME = linear(r"(?i)(len|length|size|count|bytes|^n)$")
BUFFER_WRITES = linear(r"^(fill|write\w*|set|copy)$")
# A call given the buffer that writes into it: fs.readSync(fd, buf), stream.read(buf), x.copy(buf).
BUFFER_FILLERS = linear(r"(read|copy|fill|write|decode|encode|digest|update|random|into)")


@predicate("js.unsafe_buffer")
def unsafe_buffer(ctx: MatchContext):
    a = _analyzer(ctx)
    call = ctx.node("match")
    if ctx.node("noassert") is not None:
        method = ctx.text("rw")
        return Verdict(confidence=MEDIUM, args={
            "what": f"{method}(..., true) turns off the bounds check (noAssert)",
            "why": "an offset past the end reads or writes memory outside the buffer (drop the trailing `true`)"})
    arg = ctx.node("arg")
    if ctx.node("ctor") is not None:
        if a.visible("Buffer", call) and bound_module(a, _ident(call, "constructor")) not in ("buffer", "node:buffer", "safe-buffer"):
            return None
        if arg is None or arg.type in ("string", "template_string", "array", "number", "binary_expression"):
            return None  # literal data, or an obvious size (zero-filled since Node 8): deprecated, not confused
        if len(_args(call)) > 1:
            return None  # new Buffer(text, 'base64'): data with its encoding
        if _typed_as_string(a, call, arg):
            return None
        flow = a.flow(arg, "buffer")
        if SIZE_NAME.search(a.text(arg)) and flow.kind < Kind.TAINTED:
            return None  # new Buffer(len): a size by its name (zero-filled since Node 8)
        if flow.kind < Kind.PARAM or _feature_fallback(a, call):
            return None  # a value the code made itself (a digest, a field), or the old-Node branch of
            # `Buffer.from ? Buffer.from(x) : new Buffer(x)`
        conf = HIGH if flow.kind == Kind.TAINTED else MEDIUM
        src = f" from {describe(flow)}" if flow.kind == Kind.TAINTED else ""
        return verdict(flow if flow.kind == Kind.TAINTED else Flow(Kind.UNKNOWN), conf, {
            "what": f"new Buffer({_short_text(a.text(arg))}){src} uses the deprecated Buffer constructor",
            "why": "a number allocates that many bytes (uninitialised before Node 8) where data was expected, so a "
                   "numeric value from parsed input allocates memory or leaks heap contents"})
    # Buffer.allocUnsafe(n): reported when nothing in the function fills or writes the buffer
    name = _assigned_name(a, call)
    fn = a.enclosing_function(call) or call.parent
    if name is not None and fn is not None and _written(a, fn, name):
        return None
    if name is None or "." in name or (ctx.node("arg") is not None and ctx.node("arg").type == "number"):
        return None  # returned, passed on or stored in a field (its writer is elsewhere), or a fixed size
    return Verdict(confidence=LOW, args={
        "what": f"{ctx.text('fn')}() returns uninitialised memory that this function never fills",
        "why": "bytes not overwritten still hold earlier data (other requests, keys) and leak when the buffer is sent or stored"})


def _feature_fallback(a: JsAnalyzer, call) -> bool:
    """`cond ? Buffer.alloc(x) : new Buffer(x)` / `if (Buffer.from) ... else new Buffer(x)`: the
    deprecated constructor kept for old Node only."""
    n = call.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        if n.type in ("ternary_expression", "if_statement"):
            text = a.text(n)
            if "Buffer.from" in text or "Buffer.alloc" in text:
                return True
        n = n.parent
    return False


def _ident(call, field_name: str):
    n = call.child_by_field_name(field_name)
    return n if n is not None and n.type == "identifier" else None


def _short_text(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _typed_as_string(a: JsAnalyzer, call, arg) -> bool:
    """`typeof x === 'string'` checked on a condition above the call (if or ?:)."""
    target = a.text(arg)
    n = call.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        if n.type in ("if_statement", "ternary_expression"):
            cond = n.child_by_field_name("condition")
            text = " ".join(a.text(cond).split()) if cond is not None else ""
            if f"typeof {target} === 'string'" in text or f'typeof {target} === "string"' in text \
                    or f"typeof {target} == 'string'" in text or f'typeof {target} == "string"' in text:
                return True
        n = n.parent
    return False


FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "function", "arrow_function",
                            "method_definition", "generator_function_declaration", "generator_function"})


def _assigned_name(a: JsAnalyzer, call) -> str | None:
    p = call.parent
    if p is not None and p.type == "variable_declarator" and p.child_by_field_name("value") == call:
        name = p.child_by_field_name("name")
        return a.text(name) if name is not None and name.type == "identifier" else None
    if p is not None and p.type == "assignment_expression" and p.child_by_field_name("right") == call:
        return a.text(p.child_by_field_name("left"))
    return None


def _written(a: JsAnalyzer, fn, name: str) -> bool:
    """The buffer is filled, written, copied into, indexed on the left of `=`, or handed to a call
    that writes into it (fs.readSync(fd, buf), stream.read(buf), crypto.randomFillSync(buf))."""
    for n in walk(fn):
        if n.type == "call_expression":
            callee = n.child_by_field_name("function")
            if callee is not None and callee.type == "member_expression":
                if a.text(callee.child_by_field_name("object")) == name \
                        and BUFFER_WRITES.match(a.text(callee.child_by_field_name("property"))):
                    return True
            args = n.child_by_field_name("arguments")
            if args is not None and any(a.text(x) == name for x in args.named_children) \
                    and BUFFER_FILLERS.search(a.text(callee).rsplit(".", 1)[-1].lower()):
                return True
        elif n.type == "assignment_expression":
            left = n.child_by_field_name("left")
            if left is not None and left.type == "subscript_expression" and a.text(left.child_by_field_name("object")) == name:
                return True
    return False


# ---------------------------------------------------------------------- RL313 JWT not verified

JWT_MODULES = frozenset({"jsonwebtoken"})


@predicate("js.jwt")
def jwt_unverified(ctx: MatchContext):
    """jsonwebtoken: `jwt.decode(token)` in a function that never calls `verify` (the claims are
    used as decoded: high when the token comes from the request, medium otherwise); `verify` or
    `sign` with the 'none' algorithm (high). decode() to read the header next to a verify()
    (picking the key by `kid`) is the documented use and is not reported."""
    a = _analyzer(ctx)
    call, obj = ctx.node("match"), ctx.node("obj")
    mod = receiver_module(a, obj)
    if mod is None and not (obj.type == "identifier" and a.text(obj) in ("jwt", "jsonwebtoken") and not a.visible(a.text(obj), obj)):
        return None
    if mod is not None and mod not in JWT_MODULES:
        return None
    fn = ctx.text("fn")
    args = _args(call)
    if fn in ("verify", "sign"):
        options = next((x for x in args[1:] if x.type == "object"), None)
        algos = _pair_value(options, "algorithms", "algorithm", a=a)
        if algos is None:
            return None
        names = [algos] if algos.type != "array" else [e for e in algos.named_children if e.type != "comment"]
        if not any((_const_string(a, e) or "").lower() == "none" for e in names):
            return None
        return Verdict(confidence=HIGH, args={"how": f"{'is accepted' if fn == 'verify' else 'is signed'} with the 'none' algorithm (no signature at all)"})
    scope = a.enclosing_function(call)
    body = a.text(scope) if scope is not None else a.text(call.parent or call)
    if "verify(" in "".join(body.split()):
        return None  # decoded next to a verification (reading the header to pick the key)
    flow = a.flow(ctx.node("token"), "code")
    conf = HIGH if flow.kind == Kind.TAINTED else MEDIUM
    return verdict(flow if flow.kind == Kind.TAINTED else Flow(Kind.UNKNOWN), conf,
                   {"how": "is only decoded (jwt.decode does not check the signature) and its claims are used"})


# ---------------------------------------------------------------------- RL315 bind to every interface

ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"})


@predicate("js.bind_all")
def bind_all(ctx: MatchContext):
    """server.listen(port, '0.0.0.0') / listen({ host: '0.0.0.0' }): a host that is every interface,
    written as a constant (a host from configuration or the environment is the deployment's choice;
    node's own default without a host is every interface too, but then no address is written)."""
    a = _analyzer(ctx)
    args = _args(ctx.node("match"))
    if not args:
        return None
    if args[0].type == "object":
        host = _pair_value(args[0], "host", "hostname", a=a)
        value = _const_string(a, host)
    elif len(args) >= 2 and args[0].type in ("number", "identifier", "member_expression", "call_expression", "binary_expression"):
        host = args[1]
        value = _const_string(a, host)
    else:
        return None  # listen('0.0.0.0') alone: an event emitter or a path, not a port and a host
    if value not in ALL_INTERFACES:
        return None
    return Verdict(confidence=MEDIUM, args={"how": f"host '{value}'"})
