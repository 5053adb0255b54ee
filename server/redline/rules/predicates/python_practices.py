"""Predicates and fixes of python_practices.toml: credentials written into authentication code
(RL206 hardcoded password checks, RL207 empty database passwords, RL208 well-known default
passwords), identity comparison with literals (RL321) and standard-library functions that were
removed from Python (RL322).

The credential rules complement the secrets engine (RL204 hardcoded-password): RL204 reports
values that look like real passwords wherever they are written and deliberately skips
placeholders (`password`, `admin`, empty values) because in configuration templates and
documentation they are stand-ins. In authentication code the same values are not stand-ins:
`if password == "admin"` is a working backdoor, `connect(password="")` logs in without a
password. Names are classified with the secrets engine's own rules (redline.secrets.names) and a
value RL204 would report is left to it (redline.secrets.context.gate), so one line never gets
both findings.
"""

from __future__ import annotations

import re

from redline.findings import Fix, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.python_fixes import import_edit, py_string, replace_node
from redline.rules.predicates.python_scope import (
    callee_name,
    call_args,
    enclosing_function,
    imports_for,
    string_value,
    text,
    unwrap,
)
from redline.secrets import context as secret_context
from redline.secrets import filters as secret_filters
from redline.secrets import names as secret_names
from redline.secrets.names import Kind
from redline.secrets.redact import redact
from redline.secrets.regex import linear

# ---------------------------------------------------------------- password names and values

# A name's last word that still names the password itself (`password_confirm`, `new_pwd_2`).
_AFTER_PASSWORD = frozenset({"confirm", "confirmation", "again", "repeat", "repeated", "1", "2"})
# First words of names that are about a password rather than hold one: `remember_password`
# (a check box), `save_password`, `forgot_password` (a link), `min_password_length`.
_ABOUT_FIRST = frozenset({"remember", "save", "store", "hide", "forgot", "forgotten", "require", "required",
                          "allow", "needs", "need", "ask", "prompt", "enter", "random", "generate", "generated",
                          "temp", "temporary", "one", "otp", "initial"})
# Values a password-named field is compared with that are modes, not passwords.
_FLAG_VALUES = frozenset({"on", "off", "yes", "no", "true", "false", "none", "null", "nil", "undefined", "y", "n",
                          "0", "1", "ok", "set", "unset", "empty", "required", "optional", "hidden", "masked",
                          "redacted", "prompt", "ask", "env", "file", "stdin", "keyring", "plain", "plaintext",
                          "hash", "hashed", "md5", "sha1", "sha256", "bcrypt", "argon2", "pbkdf2", "crypt"})


def password_name(name: str) -> bool:
    """Does this variable, attribute or key name hold a password (not a setting about one)?"""
    if not name or len(name) > 80:
        return False
    if secret_names.classify(name) is not Kind.PASSWORD:
        return False
    ws = secret_names.words(name)
    if not ws or ws[0] in _ABOUT_FIRST:
        return False
    last = ws[-1] if ws[-1] not in _AFTER_PASSWORD or len(ws) < 2 else ws[-2]
    return any(p in last for p in secret_names.PASSWORD_PARTS) or last in secret_names.PASSWORD_WORDS


_WRAPPERS = frozenset({"strip", "rstrip", "lstrip", "lower", "upper", "casefold", "encode", "decode"})
_GETTERS = frozenset({"get", "getlist", "getenv", "get_argument", "getvalue", "getfirst"})


def password_expression(node) -> str | None:
    """The text of `node` when it reads a password: `password`, `self.db_password`,
    `request.form['password']`, `data.get('pwd')`, `password.strip()`; else None."""
    node = unwrap(node)
    if node is None:
        return None
    t = node.type
    name = None
    if t == "identifier":
        name = text(node)
    elif t == "attribute":
        name = text(node.child_by_field_name("attribute"))
    elif t == "subscript":
        name = string_value(node.child_by_field_name("subscript"))
    elif t == "call":
        fn = node.child_by_field_name("function")
        method = callee_name(node)
        if fn is not None and fn.type == "attribute" and method in _WRAPPERS:
            return password_expression(fn.child_by_field_name("object"))
        if method in _GETTERS:
            positional, _ = call_args(node)
            name = string_value(positional[0]) if positional else None
    if name is None or not password_name(name):
        return None
    shown = text(node)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def literal_password(value: str) -> bool:
    """Could this literal be a password (not a mode, mask, path, template or prose)?"""
    v = value.encode("utf-8", "replace")
    if len(value) < 2 or len(value) > 200 or value.strip() != value or any(c.isspace() for c in value):
        return False
    if not any(c.isalnum() for c in value) or len(set(value)) == 1:
        return False
    if value.lower() in _FLAG_VALUES:
        return False
    if secret_filters.is_masked(v) or secret_filters.is_template(v) or secret_filters.has_template(v):
        return False
    if value.startswith(("/", "\\", "./", "~")) or "://" in value:
        return False
    return True


def reported_by_secrets(value: str) -> bool:
    """Would the secrets engine report this value as a hardcoded password (RL204)?"""
    return secret_context.gate(Kind.PASSWORD, value.encode("utf-8", "replace")) is not None


def _test_file(ctx: MatchContext) -> bool:
    return secret_filters.is_test_path(ctx.file.path or "")


def _operands(node) -> list:
    return [c for c in node.named_children if c.type != "comment"]


# ---------------------------------------------------------------- RL206 hardcoded password check


@predicate("python.hardcoded_password_check")
def hardcoded_password_check(ctx: MatchContext):
    node = ctx.node("match")
    if _test_file(ctx):
        return None
    ops = node.children_by_field_name("operators")
    operands = _operands(node)
    if len(ops) != 1 or len(operands) != 2:
        return None
    op = ops[0].type
    left, right = operands
    if op in ("==", "!="):
        for a, b in ((left, right), (right, left)):
            what = password_expression(a)
            if what is None:
                continue
            value = string_value(b)
            if value is None or not literal_password(value) or reported_by_secrets(value):
                return None
            return Verdict(args={"what": what, "redacted": redact(value, 2)})
        return None
    if op in ("in", "not in"):
        what = password_expression(left)
        coll = unwrap(right)
        if what is None or coll is None or coll.type not in ("tuple", "list", "set"):
            return None
        values = [string_value(c) for c in _operands(coll)]
        if not values or any(v is None for v in values):
            return None
        kept = [v for v in values if literal_password(v)]
        if not kept:
            return None
        shown = ", ".join(redact(v, 2) for v in kept[:3]) + (", ..." if len(kept) > 3 else "")
        return Verdict(args={"what": what, "redacted": shown})
    return None


# ---------------------------------------------------------------- RL207 empty password, RL208 default password

# Modules whose connections take a password (database drivers and clients).
DB_MODULES = frozenset({
    "MySQLdb", "pymysql", "mysql", "mariadb", "psycopg2", "psycopg", "pg8000", "asyncpg", "aiopg", "aiomysql",
    "cx_Oracle", "oracledb", "pymssql", "pyodbc", "ibm_db", "ibm_db_dbi", "pymongo", "motor", "redis", "aioredis",
    "sqlalchemy", "peewee", "pony", "databases", "clickhouse_driver", "snowflake", "teradatasql", "vertica_python",
    "cassandra", "neo4j", "elasticsearch", "influxdb", "pika", "kombu", "ldap", "ldap3", "paramiko", "ftplib",
    "smtplib", "poplib", "imaplib", "pysftp", "fabric",
})
# Keys that make a dictionary a database or service connection configuration.
CONNECTION_KEYS = frozenset({"engine", "host", "hostname", "server", "port", "user", "username", "name", "database",
                             "db", "dbname", "driver", "dsn", "sid", "service_name"})
DB_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "mysql", "mariadb", "mssql", "sqlserver", "oracle",
                        "mongodb", "redis", "rediss", "amqp", "amqps", "cockroachdb", "db2", "ibm_db_sa", "clickhouse",
                        "snowflake", "redshift", "vertica", "neo4j", "bolt", "cassandra", "ldap", "ldaps", "ftp",
                        "smtp"})
_DB_URL = linear(r"^([a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?://[^:/@\s]+:@", re.IGNORECASE)

# Well-known default and most-guessed passwords (vendor defaults, password-list heads). Compared
# case-insensitively with the whole value.
DEFAULT_PASSWORDS = frozenset({
    "password", "passw0rd", "p@ssw0rd", "p@ssword", "password1", "password123", "pass", "pass123", "passwd",
    "admin", "admin1", "admin123", "admin1234", "administrator", "root", "toor", "secret", "guest", "letmein",
    "qwerty", "changeme", "changeit", "default", "welcome", "master", "abc123", "1234", "12345", "123456",
    "1234567", "12345678", "123456789", "1234567890", "0000", "000000", "111111", "123123", "postgres", "mysql",
    "oracle", "tiger", "manager", "sa", "raspberry", "alpine", "ubnt", "user", "service",
})


def _pair_key(node):
    """The name a keyword argument, dictionary entry, parameter default or assignment gives its
    value: (name, value node, kind)."""
    t = node.type
    if t == "keyword_argument":
        return text(node.child_by_field_name("name")), node.child_by_field_name("value"), "argument"
    if t == "pair":
        return string_value(node.child_by_field_name("key")), node.child_by_field_name("value"), "entry"
    if t in ("default_parameter", "typed_default_parameter"):
        return text(node.child_by_field_name("name")), node.child_by_field_name("value"), "default"
    if t == "assignment":
        left = unwrap(node.child_by_field_name("left"))
        if left is None:
            return None, None, ""
        if left.type == "identifier":
            name = text(left)
        elif left.type == "attribute":
            name = text(left.child_by_field_name("attribute"))
        elif left.type == "subscript":
            name = string_value(left.child_by_field_name("subscript"))
        else:
            return None, None, ""
        return name, node.child_by_field_name("right"), "assignment"
    return None, None, ""


def _connection_call(ctx, call) -> str | None:
    """The called name when `call` opens a connection or logs in (`psycopg2.connect`,
    `MySQLdb.connect`, `redis.Redis`, `ftp.login`, anything named *connect*)."""
    name = callee_name(call)
    if not name:
        return None
    low = name.lower()
    if "connect" in low or low in ("login", "auth", "authenticate", "bind", "simple_bind_s", "bind_s"):
        return name
    fn = call.child_by_field_name("function")
    base = fn
    while base is not None and base.type == "attribute":
        base = base.child_by_field_name("object")
    if base is not None and base.type == "identifier":
        qual = imports_for(ctx.file, base).get(text(base))
        if qual and qual.split(".", 1)[0] in DB_MODULES:
            return name
    return None


def _connection_dict(node) -> bool:
    """A dictionary literal that configures a connection (at least two of host, port, user,
    name, engine...), such as an entry of Django's DATABASES."""
    keys = set()
    for pair in node.named_children:
        if pair.type == "pair":
            k = string_value(pair.child_by_field_name("key"))
            if k:
                keys.add(k.lower())
    return len(keys & CONNECTION_KEYS) >= 2


@predicate("python.empty_password")
def empty_password(ctx: MatchContext):
    node = ctx.node("match")
    if _test_file(ctx):
        return None
    if node.type == "string":
        value = string_value(node)
        m = _DB_URL.match(value or "")
        if m is None or m.group(1).lower() not in DB_SCHEMES:
            return None
        return Verdict(args={"where": f"in the {m.group(1)} URL (user:@host)"}, data={"url": True})
    name, value_node, kind = _pair_key(node)
    if not name or value_node is None or string_value(value_node) != "" or not password_name(name):
        return None
    if kind == "argument":
        call = node.parent.parent if node.parent is not None else None
        called = _connection_call(ctx, call) if call is not None and call.type == "call" else None
        if called is None:
            return None
        return Verdict(node=value_node, args={"where": f"as {name}= to {called}()"}, data={"name": name})
    if kind == "entry":
        if node.parent is None or node.parent.type != "dictionary" or not _connection_dict(node.parent):
            return None
        return Verdict(node=value_node, args={"where": f"as '{name}' of a connection configuration"}, data={"name": name})
    return None


@predicate("python.default_password")
def default_password(ctx: MatchContext):
    node = ctx.node("match")
    if _test_file(ctx):
        return None
    name, value_node, kind = _pair_key(node)
    if not name or value_node is None or not password_name(name):
        return None
    value = string_value(value_node)
    if value is None or value.lower() not in DEFAULT_PASSWORDS or reported_by_secrets(value):
        return None
    if kind in ("entry", "assignment") and value.lower() in ("".join(secret_names.words(name)), name.lower()):
        return None  # PASSWORD = "password", {"password": "password"}: a field name, not a value
    where = {
        "argument": f"as {name}=",
        "entry": f"as '{name}'",
        "default": f"as the default of parameter {name}",
        "assignment": f"to {name}",
    }[kind]
    return Verdict(node=value_node, args={"value": value, "where": where},
                   data={"name": name, "kind": kind})


@fix("python.password_from_environment")
def password_from_environment(ctx: MatchContext, verdict: Verdict):
    """Replace the literal with `os.environ["NAME"]` (not for parameter defaults, which are
    evaluated once at import, nor for URLs, whose other parts stay in the code)."""
    name = verdict.data.get("name")
    value_node = verdict.node
    if not name or value_node is None or verdict.data.get("kind") == "default" or verdict.data.get("url"):
        return None
    env = secret_names.env_name(name) or "PASSWORD"
    if env in ("PASSWORD", "PASSWD", "PWD", "PASS"):
        env = "DB_PASSWORD" if ctx.rule.code == "RL207" else "APP_PASSWORD"
    edits: list[TextEdit] = [replace_node(ctx, value_node, f"os.environ[{py_string(env)}]")]
    imp = import_edit(ctx, "os")
    if imp is not None:
        edits.insert(0, imp)
    return Fix(title=f"Read the password from the environment variable {env}", edits=tuple(edits), safe=False)


# ---------------------------------------------------------------- RL321 `is` with a literal

_LITERALS = frozenset({"string", "concatenated_string", "integer", "float", "tuple", "list", "dictionary", "set",
                       "list_comprehension", "dictionary_comprehension", "set_comprehension"})


def _literal(node) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "unary_operator":
        return _literal(node.child_by_field_name("argument"))
    if node.type == "string":
        return not any(c.type == "interpolation" for c in node.named_children)
    return node.type in _LITERALS


@predicate("python.is_literal")
def is_literal(ctx: MatchContext):
    node = ctx.node("match")
    ops = node.children_by_field_name("operators")
    operands = _operands(node)
    if len(ops) != 1 or len(operands) != 2:
        return None  # chains (a is b is c) are rare enough to leave alone
    op = ops[0].type
    if op not in ("is", "is not"):
        return None
    lit = next((x for x in operands if _literal(x)), None)
    if lit is None:
        return None
    return Verdict(args={"op": op, "eq": "==" if op == "is" else "!=", "literal": _short(text(lit))},
                   data={"op": ops[0], "eq": "==" if op == "is" else "!="})


def _short(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= 30 else s[:27] + "..."


@fix("python.is_to_equals")
def is_to_equals(ctx: MatchContext, verdict: Verdict):
    op, eq = verdict.data.get("op"), verdict.data.get("eq")
    if op is None or not eq:
        return None
    return Fix(title=f"Compare values with {eq}", edits=(replace_node(ctx, op, eq),), safe=True)


# ---------------------------------------------------------------- RL322 removed standard-library functions

# qualified name -> (removed in, replacement, mechanical rename of the attribute or None)
REMOVED = {
    "time.clock": ("3.8", "time.perf_counter() for intervals or time.process_time() for CPU time", "perf_counter"),
    "base64.encodestring": ("3.9", "base64.encodebytes()", "encodebytes"),
    "base64.decodestring": ("3.9", "base64.decodebytes()", "decodebytes"),
    "cgi.escape": ("3.8", "html.escape(), which also escapes quotes (cgi.escape did not by default, leaving "
                          "attribute values open to injection)", None),
    "cgi.parse_qs": ("3.8", "urllib.parse.parse_qs()", None),
    "cgi.parse_qsl": ("3.8", "urllib.parse.parse_qsl()", None),
    "os.popen2": ("3.0", "subprocess.run() with a list of arguments", None),
    "os.popen3": ("3.0", "subprocess.run() with a list of arguments", None),
    "os.popen4": ("3.0", "subprocess.run() with a list of arguments", None),
    "os.getcwdu": ("3.0", "os.getcwd()", "getcwd"),
    "platform.linux_distribution": ("3.8", "platform.freedesktop_os_release() (3.10) or the distro package", None),
    "platform.dist": ("3.8", "platform.freedesktop_os_release() (3.10) or the distro package", None),
    "inspect.getargspec": ("3.11", "inspect.signature() or inspect.getfullargspec()", None),
    "inspect.formatargspec": ("3.11", "inspect.signature()", None),
    "ssl.match_hostname": ("3.12", "an SSLContext with check_hostname=True (ssl.create_default_context())", None),
    "sys.setcheckinterval": ("3.9", "sys.setswitchinterval()", None),
    "fractions.gcd": ("3.9", "math.gcd()", None),
    "plistlib.readPlist": ("3.9", "plistlib.load()", None),
    "plistlib.writePlist": ("3.9", "plistlib.dump()", None),
    "plistlib.readPlistFromBytes": ("3.9", "plistlib.loads()", None),
    "plistlib.writePlistToBytes": ("3.9", "plistlib.dumps()", None),
    "string.maketrans": ("3.0", "str.maketrans() or bytes.maketrans()", None),
    "imp.load_source": ("3.12", "importlib.util.spec_from_file_location() and module_from_spec()", None),
    "imp.load_module": ("3.12", "importlib.import_module() or importlib.util", None),
    "imp.find_module": ("3.12", "importlib.util.find_spec()", None),
    "imp.reload": ("3.12", "importlib.reload()", None),
    "imp.new_module": ("3.12", "types.ModuleType()", None),
    "imp.load_compiled": ("3.12", "importlib.machinery.SourcelessFileLoader", None),
    "imp.load_dynamic": ("3.12", "importlib.machinery.ExtensionFileLoader", None),
}
REMOVED_MODULES = frozenset({"imp"})  # gone as a whole
_COMPAT_WORDS = (b"hasattr", b"version_info", b"PY2", b"PY3", b"six.", b"sys.version", b"getattr")
_COMPAT_ERRORS = {"AttributeError", "ImportError", "ModuleNotFoundError", "NameError", "Exception", "BaseException"}


def _compat_guarded(node, base: bytes = b"") -> bool:
    """Is the call inside version-compatibility code (`if hasattr(time, 'clock')`, `if
    sys.version_info < (3,)`, `if imp:` for a module imported only on old versions, `try: ...
    except AttributeError`)?"""
    child, n = node, node.parent
    while n is not None and n.type not in ("function_definition", "class_definition", "module"):
        if n.type in ("if_statement", "elif_clause", "conditional_expression"):
            cond = n.child_by_field_name("condition")
            if cond is None and n.type == "conditional_expression" and n.named_child_count == 3:
                cond = n.named_children[1]
            if cond is not None and any(w in cond.text for w in _COMPAT_WORDS):
                return True
            if cond is not None and base and re.fullmatch(rb"(not\s+)?" + re.escape(base) + rb"(\s+is(\s+not)?\s+None)?", cond.text.strip()):
                return True
        if n.type == "try_statement" and child.type == "block":
            for clause in n.named_children:
                if clause.type != "except_clause":
                    continue
                caught = clause.named_children[0] if clause.named_children and clause.named_children[0].type != "block" else None
                if caught is None:
                    return True  # bare except
                if {w for w in re.findall(r"\w+", text(caught))} & _COMPAT_ERRORS:
                    return True
        child, n = n, n.parent
    return False


def _module_defines(root, name: bytes) -> bool:
    """Does the module define `name` itself at module level (`def name(...)` or `name = ...`,
    also inside the module's if/try blocks), as compatibility shims do?"""
    stack = list(root.named_children)
    while stack:
        n = stack.pop()
        if n.type == "function_definition":
            if n.child_by_field_name("name") is not None and n.child_by_field_name("name").text == name:
                return True
            continue
        if n.type == "class_definition":
            continue
        if n.type == "decorated_definition":
            stack.extend(n.named_children)
            continue
        if n.type == "assignment":
            left = n.child_by_field_name("left")
            if left is not None and left.type == "identifier" and left.text == name:
                return True
            continue
        if n.type in ("if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
                      "finally_clause", "block", "expression_statement", "with_statement"):
            stack.extend(n.named_children)
    return False


@predicate("python.removed_api")
def removed_api(ctx: MatchContext):
    call = ctx.node("match")
    fn = call.child_by_field_name("function")
    base = fn
    parts = []
    while base is not None and base.type == "attribute":
        parts.append(text(base.child_by_field_name("attribute")))
        base = base.child_by_field_name("object")
    if base is None or base.type != "identifier":
        return None
    imports = imports_for(ctx.file, base)
    root = imports.get(text(base))
    if root is None:
        return None  # a local object that happens to have the method's name
    if not parts and _module_defines(ctx.file.tree.root_node, base.text):
        return None  # the module's own shim of that name (a def on new Pythons, the import on old ones)
    qual = ".".join([root, *reversed(parts)])
    entry = REMOVED.get(qual)
    if entry is None or _compat_guarded(call, base.text):
        return None
    version, instead, rename = entry
    if root.split(".", 1)[0] in REMOVED_MODULES:
        error = f"importing {root.split('.', 1)[0]} fails (ModuleNotFoundError)"
    elif not parts:
        error = f"the import of {qual.rsplit('.', 1)[1]} fails (ImportError)"
    else:
        error = "the call raises AttributeError"
    return Verdict(node=fn, args={"name": qual, "version": version, "instead": instead, "error": error},
                   data={"rename": rename if fn.type == "attribute" else None})


@fix("python.removed_api_rename")
def removed_api_rename(ctx: MatchContext, verdict: Verdict):
    rename = verdict.data.get("rename")
    fn = verdict.node
    if not rename or fn is None or fn.type != "attribute":
        return None
    attr = fn.child_by_field_name("attribute")
    base = text(fn.child_by_field_name("object"))
    return Fix(title=f"Use {base}.{rename}()", edits=(replace_node(ctx, attr, rename),), safe=rename != "perf_counter")


# ---------------------------------------------------------------- RL323 urlopen of any scheme

URL_OPENERS = frozenset({"urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.urlopen", "urllib.urlretrieve",
                         "urllib2.urlopen", "six.moves.urllib.request.urlopen", "future.moves.urllib.request.urlopen"})
_FIXED_SCHEME = linear(r"^(https?|ftps?)://", re.IGNORECASE)
# Signs that the function (or module) checks the scheme before opening: `urlparse(u).scheme`,
# `u.startswith(("http://", "https://"))`, a URL validator.
_SCHEME_CHECK = linear(
    rb"scheme|urlparse|urlsplit|URLValidator|validators\.url|startswith\(\s*\(?\s*[rbuRBU]?['\"](?:https?|ftp)"
    rb"|match\(\s*[rbuRBU]*['\"]\^?\(?https?"
)


def _constant_http(ctx, node, depth: int = 0) -> bool:
    """Is the URL a constant, or built on a fixed http(s)/ftp prefix (`"https://api/" + x`,
    `f"{BASE_URL}/items"` with BASE_URL = "https://...", `Request("https://...")`)?"""
    node = unwrap(node)
    if node is None or depth > 3:
        return False
    if string_value(node) is not None:
        return True
    if node.type == "call" and callee_name(node) == "Request":
        positional, kw = call_args(node)
        inner = positional[0] if positional else kw.get("url")
        return inner is not None and _constant_http(ctx, inner, depth + 1)
    if node.type == "identifier":
        values = _assigned_values(ctx, node)
        return bool(values) and all(_constant_http(ctx, v, depth + 1) for v in values)
    return _http_prefix(ctx, node, depth)


def _http_prefix(ctx, node, depth: int) -> bool:
    """Does the text of this URL start with a fixed http(s)/ftp scheme?"""
    node = unwrap(node)
    if node is None or depth > 3:
        return False
    value = string_value(node)
    if value is not None:
        return bool(_FIXED_SCHEME.match(value))
    if node.type == "identifier":
        values = _assigned_values(ctx, node)
        return bool(values) and all(_http_prefix(ctx, v, depth + 1) for v in values)
    if node.type == "binary_operator" and node.child_by_field_name("operator").type == "+":
        return _http_prefix(ctx, node.child_by_field_name("left"), depth + 1)
    if node.type == "call" and callee_name(node) == "Request":
        return _constant_http(ctx, node, depth + 1)
    from redline.rules.predicates.python_strings import Hole, template

    tpl = template(node)
    if tpl is None or not tpl.parts:
        return False
    first = tpl.parts[0]
    if isinstance(first, str):
        return bool(_FIXED_SCHEME.match(first))
    return isinstance(first, Hole) and _http_prefix(ctx, first.node, depth + 1)


def _assigned_values(ctx, ident) -> list:
    """What this name is assigned in its function, or at module level when the function does
    not assign it."""
    from redline.rules.predicates.python_scope import module_statements

    name = text(ident).encode()
    fn = enclosing_function(ident)
    values = _assignments(fn, name) if fn is not None else []
    if not values:
        for stmt in module_statements(ctx.file):
            values.extend(_assignments(stmt, name))
    return values


def _assignments(root, name: bytes) -> list:
    out = []
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "assignment":
            left = n.child_by_field_name("left")
            right = n.child_by_field_name("right")
            if left is not None and left.type == "identifier" and left.text == name and right is not None:
                out.append(right)
        if n.type in ("function_definition", "class_definition", "lambda") and n is not root:
            continue
        stack.extend(n.named_children)
    return out


@predicate("python.url_scheme_unchecked")
def url_scheme_unchecked(ctx: MatchContext):
    call = ctx.node("match")
    if _test_file(ctx):
        return None
    from redline.rules.predicates.python_scope import call_qualname, local_text

    qual = call_qualname(ctx.file, call)
    if qual not in URL_OPENERS:
        return None
    positional, kw = call_args(call)
    url = positional[0] if positional else kw.get("url")
    if url is None or _constant_http(ctx, url):
        return None
    if _SCHEME_CHECK.search(local_text(ctx.file, call)):
        return None
    return Verdict(node=url, args={"fn": qual.rsplit(".", 1)[1], "url": _short(text(url))})


# ---------------------------------------------------------------- RL324 unmatchable anchors

RE_FUNCTIONS = frozenset({"re.compile", "re.match", "re.search", "re.fullmatch", "re.findall", "re.finditer",
                          "re.sub", "re.subn", "re.split", "regex.compile", "regex.match", "regex.search",
                          "regex.fullmatch"})
_LINE_FLAGS = linear(r"\b(M|MULTILINE|X|VERBOSE)\b")
_ZERO_WIDTH_ESCAPES = frozenset("AbBZ")


def unmatchable_anchor(pattern: str) -> str | None:
    """'^' or '$' when the pattern (without MULTILINE) has a caret after something that must
    consume a character, or a dollar before one (`/^abc$/`, `a^b`); None otherwise, also when
    the pattern sets its own flags."""
    n = len(pattern)
    i = 0
    state = "start"  # start | consume | other
    pending_dollar = False
    while i < n:
        c = pattern[i]
        token_consumes = None  # True, False (zero width), or None (unknown / structure)
        if c == "\\":
            nxt = pattern[i + 1] if i + 1 < n else ""
            if pending_dollar and nxt in ("n", "s"):
                pending_dollar = False  # `$` also matches before a final newline: `abc$\n`
            token_consumes = nxt not in _ZERO_WIDTH_ESCAPES
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            if j >= n:
                return None
            token_consumes = True
            i = j + 1
        elif c == "(":
            skip = 1
            if pattern.startswith("(?", i):
                rest = pattern[i + 2 : i + 3]
                if rest and rest not in ":=!<P#":
                    return None  # inline flags: (?m), (?x)...
                if rest in ("#", "P") and not pattern.startswith("(?P<", i):
                    j = pattern.find(")", i)  # a comment or a named backreference (?P=name)
                    if j < 0:
                        return None
                    state, pending_dollar = "other", False
                    i = j + 1
                    continue
                if pattern.startswith("(?P<", i):
                    j = pattern.find(">", i)
                    if j < 0:
                        return None
                    skip = j + 1 - i
                elif pattern.startswith(("(?<=", "(?<!"), i):
                    skip = 4
                else:
                    skip = 3
            state = "start"  # the group starts a new sequence
            pending_dollar = False
            i += skip
            continue
        elif c == ")":
            state = "other"
            pending_dollar = False
            i += 1
            continue
        elif c == "|":
            state = "start"
            pending_dollar = False
            i += 1
            continue
        elif c in "*?+{":
            if c in "*?" or pattern.startswith("{0", i):
                state = "other"  # the previous token may match nothing
            if c == "{":
                j = pattern.find("}", i)
                i = j + 1 if j > 0 else n
            else:
                i += 1
            continue
        elif c == "^":
            if state == "consume":
                return "^"
            state = "other" if state != "start" else "start"
            i += 1
            continue
        elif c == "$":
            pending_dollar = True
            state = "other"
            i += 1
            continue
        else:
            token_consumes = True
            i += 1
        # a token that consumes a character, unless a quantifier that allows zero follows
        optional = i < n and (pattern[i] in "*?" or pattern.startswith("{0", i) or pattern.startswith("{,", i))
        if token_consumes and not optional:
            if pending_dollar:
                return "$"
            state = "consume"
        elif token_consumes is False:
            pass
        else:
            state = "other"
            pending_dollar = False if optional else pending_dollar
    return None


@predicate("python.unmatchable_anchor")
def unmatchable_anchor_predicate(ctx: MatchContext):
    call = ctx.node("match")
    from redline.rules.predicates.python_scope import call_qualname

    qual = call_qualname(ctx.file, call)
    if qual not in RE_FUNCTIONS:
        return None
    positional, kw = call_args(call)
    pattern_node = unwrap(positional[0] if positional else kw.get("pattern"))
    if pattern_node is not None and pattern_node.type == "identifier":
        values = _assigned_values(ctx, pattern_node)  # PATTERN = r"..." (one assignment)
        pattern_node = values[0] if len(values) == 1 else None
    pattern = string_value(pattern_node) if pattern_node is not None else None
    if pattern is None:
        return None
    others = [a for a in positional[1:]] + [v for k, v in kw.items() if k != "pattern"]
    if any(_LINE_FLAGS.search(text(a)) for a in others):
        return None
    if "flags" in kw and unwrap(kw["flags"]).type == "identifier":
        return None  # flags chosen elsewhere
    if "^" not in pattern and "$" not in pattern:
        return None
    anchor = unmatchable_anchor(pattern)
    if anchor is None:
        return None
    if anchor == "^":
        args = {"anchor": "^", "edge": "start", "where": "after characters it must match first"}
    else:
        args = {"anchor": "$", "edge": "end", "where": "before characters it must still match"}
    args.update(pattern=_short(text(pattern_node)), fn=qual)
    return Verdict(node=pattern_node, args=args)


# ---------------------------------------------------------------- RL325 assert as input validation

_INPUT_SOURCE = linear(
    rb"\b(?:raw_)?input\s*\(|\brequest\.(?:args|form|values|json|data|files|GET|POST|body|headers|"
    rb"cookies|COOKIES|META|FILES|query_params|get_json|get_data|params|match_info|query|query_string|path_params)\b"
)
_SOURCE_NAMES = {b"input": "input()", b"raw_input": "raw_input()"}


def _source_label(m: re.Match) -> str:
    s = m.group(0)
    for k, v in _SOURCE_NAMES.items():
        if s.startswith(k):
            return v
    return s.decode("utf-8", "replace")


# isinstance() checks against these are checks of the data (`assert isinstance(n, int)`); against
# anything else (typing.Iterable, a class of the program) they narrow a type for the type checker.
_DATA_TYPES = frozenset({b"int", b"float", b"str", b"bytes", b"bool", b"dict", b"list", b"tuple", b"set",
                         b"numbers.Number", b"Number", b"numbers.Integral", b"Decimal", b"decimal.Decimal"})


def _narrows_types(cond) -> bool:
    """Is the assert's condition only type narrowing for the type checker (`x is not None`,
    `isinstance(resp.stream, typing.Iterable)`, joined with `and`), not a check of a value?"""
    cond = unwrap(cond)
    if cond is None:
        return False
    if cond.type == "boolean_operator":
        op = cond.child_by_field_name("operator")
        if op is None or op.type != "and":
            return False
        return _narrows_types(cond.child_by_field_name("left")) and _narrows_types(cond.child_by_field_name("right"))
    if cond.type == "comparison_operator":
        ops = [c.type for c in cond.children if not c.is_named]
        parts = cond.named_children
        return ops == ["is not"] and len(parts) == 2 and parts[1].type == "none"
    if cond.type == "call" and callee_name(cond) == "isinstance":
        positional, _ = call_args(cond)
        if len(positional) != 2:
            return False
        kinds = positional[1]
        kinds = kinds.named_children if kinds.type == "tuple" else [kinds]
        return bool(kinds) and not any(k.text in _DATA_TYPES for k in kinds)
    return False


def _untrusted_names(fn, before: int) -> dict[bytes, str]:
    """{local name: source} for the names the function assigns (before `before`) from input()
    or request data, directly or through other such names."""
    assigns = []
    stack = [fn.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None or n.start_byte >= before:
            continue
        if n.type in ("function_definition", "class_definition", "lambda"):
            continue
        if n.type in ("assignment", "augmented_assignment"):
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and right is not None:
                names = [left.text] if left.type == "identifier" else [
                    c.text for c in left.named_children if c.type == "identifier"] if left.type in (
                    "pattern_list", "tuple_pattern") else []
                if names:
                    assigns.append((names, right))
        elif n.type == "named_expression":
            name, value = n.child_by_field_name("name"), n.child_by_field_name("value")
            if name is not None and value is not None:
                assigns.append(([name.text], value))
        stack.extend(n.named_children)
    found: dict[bytes, str] = {}
    for _ in range(3):  # a few rounds reach names derived from derived names
        grew = False
        for names, right in assigns:
            if all(nm in found for nm in names):
                continue
            m = _INPUT_SOURCE.search(right.text)
            src = _source_label(m) if m else None
            if src is None:
                for nm, s in found.items():
                    if re.search(rb"\b" + re.escape(nm) + rb"\b", right.text):
                        src = s
                        break
            if src is not None:
                for nm in names:
                    if nm not in found:
                        found[nm] = src
                        grew = True
        if not grew:
            break
    return found


@predicate("python.assert_validates_input")
def assert_validates_input(ctx: MatchContext):
    node = ctx.node("match")
    if _test_file(ctx) or not node.named_children:
        return None
    cond = node.named_children[0]
    if _narrows_types(cond):
        return None
    m = _INPUT_SOURCE.search(cond.text)
    if m:
        return Verdict(args={"what": _short(text(cond)), "source": _source_label(m)})
    fn = enclosing_function(node)
    if fn is None:
        return None
    idents = {n for n in re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", cond.text)}
    if not idents:
        return None
    for name, src in _untrusted_names(fn, node.start_byte).items():
        if name in idents:
            return Verdict(args={"what": _short(text(cond)), "source": f"{name.decode()} = ...{src}"})
    return None


@fix("python.assert_to_raise")
def assert_to_raise(ctx: MatchContext, verdict: Verdict):
    """`assert cond, msg` -> `if not cond:\\n    raise ValueError(msg)`, when the assert is a
    statement of its own line."""
    node = ctx.node("match")
    src = ctx.file.text
    line_start = src.rfind(b"\n", 0, node.start_byte) + 1
    indent = src[line_start : node.start_byte]
    if indent.strip() or (node.parent is not None and node.parent.type not in ("block", "module")):
        return None
    nxt = node.next_sibling
    if nxt is not None and nxt.type == ";":
        return None
    parts = node.named_children
    cond = parts[0]
    msg = text(parts[1]) if len(parts) > 1 else py_string("invalid input")
    c = text(cond)
    if cond.type in ("boolean_operator", "conditional_expression", "lambda", "named_expression", "not_operator"):
        c = f"({c})"
    ind = indent.decode("utf-8", "replace")
    new = f"if not {c}:\n{ind}    raise ValueError({msg})"
    return Fix(title="Check with if and raise ValueError (asserts are removed by python -O)",
               edits=(replace_node(ctx, node, new),), safe=False)


# ---------------------------------------------------------------- RL326 pickle payload classes

# Callables that run code or commands when a pickle calls them on load.
CODE_RUNNERS = frozenset({
    "exec", "eval", "__import__", "builtins.exec", "builtins.eval", "os.system", "os.popen",
    "os.execv", "os.execve", "os.execvp", "os.execl", "os.execlp", "os.spawnv", "os.spawnl", "os.startfile",
    "posix.system", "nt.system", "subprocess.Popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
    "subprocess.check_output", "subprocess.getoutput", "subprocess.getstatusoutput", "pty.spawn", "commands.getoutput",
    "runpy.run_path", "runpy.run_module", "webbrowser.open",
})


@predicate("python.pickle_payload")
def pickle_payload(ctx: MatchContext):
    fn = ctx.node("match")
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    stack = list(body.named_children)
    while stack:
        n = stack.pop()
        if n.type in ("function_definition", "class_definition", "lambda"):
            continue
        if n.type == "return_statement" and n.named_children:
            value = unwrap(n.named_children[0])
            if value is not None and value.type in ("tuple", "expression_list") and value.named_children:
                first = value.named_children[0]
                from redline.rules.predicates.python_scope import qualname

                qual = qualname(ctx.file, first)
                if qual in CODE_RUNNERS:
                    return Verdict(node=n, args={"callable": qual})
        stack.extend(n.named_children)
    return None
