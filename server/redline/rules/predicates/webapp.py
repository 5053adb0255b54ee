"""Predicates for the web-application rules of webapp.toml (issue 19).

The classes that small Flask/Django/Express apps get wrong and that no other rule names:

* RL145 predictable-token: a token, reset code or session id computed from the clock, a
  counter or the user's own data (`md5(email + str(time.time()))`, `sha1(user.id + Date.now())`);
* RL146 state-change-on-get: a handler registered for GET that writes the database, writes or
  deletes files (CSRF protection does not cover GET; links and <img> tags trigger it);
* RL147 request-written-template: request data written into a template file (a later render of
  that file runs the template syntax in it);
* RL148 postmessage-any-origin: `message` event handlers that never check `event.origin` and
  `postMessage(data, '*')` of non-constant data;
* RL334 session-cookie-defaults: express-session / cookie-session with the cookie's `secure`
  flag left at its default;
* RL335 weak-signing-key: session/JWT/signing keys that are placeholder words or a few
  characters (the secrets engine looks for entropy, and these have none);
* JavaScript tables of RL116 log-injection and RL311 timing-unsafe-comparison.

Each predicate reads only the match's own definition (and module-level statements), as the
predicate contract in rules/predicates/__init__.py requires.
"""

from __future__ import annotations

import re
from functools import lru_cache

from redline.findings import Confidence, Fix, Related, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates import security_words as words
from redline.rules.predicates.python_scope import (
    call_args,
    decorators,
    enclosing_function,
    function_name,
    qualname,
    scan_cache,
    string_value as py_string,
    text as py_text,
    unwrap,
)
from redline.rules.predicates.javascript import bound_module
from redline.rules.predicates.taint_core import Kind, related_for, walk
from redline.rules.predicates.taint_js import JsAnalyzer, js_analyzer, string_value as js_string_raw
from redline.rules.predicates.taint_python import value_of
from redline.secrets.regex import escape, linear

_CONST_NAME = linear(r"[A-Z][A-Z0-9_]*")
_ORIGIN_CHECK = linear(r"\.origin\b|\borigin\b|\.source\b|\bsource\s*[!=]==?")
_METHOD_ARG = linear(r"method\s*=\s*\{?([^)}]*)")
_PATH_LITERAL = linear(r'"(/[^"]*)"')
_CLASS_ESCAPE = linear(r"replace(All)?\(\s*/\[[^\]]*\\\\\^")  # .replace(/[...\\^...]/g: a hand-written regex escaper

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

# ====================================================================== shared: weak keys

PLACEHOLDER = linear(
    r"(change.?(me|it|this)|your.?(own.?)?(secret|key|jwt|token|app)|replace.?(me|this|with)|placeholder|"
    r"secret|password|passw|default|dev(elopment)?|test(ing)?|example|sample|dummy|insecure|keyboard.?cat|"
    r"s3cr3t|shh+|todo|fixme|x{4,}|foo|bar|qwerty|123|abc|key|token|jwt|mysecret|supersecret|letmein|admin)",
    re.IGNORECASE,
)
WORDISH = linear(r"[A-Za-z][A-Za-z _.\-]*[0-9]{0,4}")
REFERENCE = linear(r"(\$\{|\{\{|%\(|<[A-Z_]+>|^\$[A-Z_]+$|^env:|^vault:|^arn:)")


def weak_key(value: str) -> str | None:
    """Why a literal key is weak ("a placeholder phrase", "only 6 characters"), or None when it
    is empty, a reference to another value (`${JWT_SECRET}`), or looks random (the secrets
    engine's business)."""
    v = value.strip()
    if not v or REFERENCE.search(v):
        return None
    letters = re.sub(r"[ _.\-0-9]", "", v)
    word_like = bool(WORDISH.fullmatch(v)) and (letters == letters.lower() or letters == letters.upper())
    if word_like and PLACEHOLDER.search(v):
        return "a placeholder phrase"
    if len(v) < 16:
        return f"only {len(v)} characters"
    if word_like and len(v) <= 64:
        return "a phrase of words"
    return None


def _shown(value: str) -> str:
    v = value.strip()
    return repr(v if len(v) <= 24 else v[:21] + "...")


# ====================================================================== RL335 weak-signing-key, Python

PY_KEY_NAME = linear(
    r"(?i)^([a-z0-9]+_)?(secret_?key|jwt_?secret(_?key)?|jwt_?key|signing_?key|session_?secret(_?key)?|cookie_?secret|"
    r"token_?secret|app_?secret|hmac_?(key|secret)|csrf_?secret(_?key)?|wtf_csrf_secret_key)$"
)
PY_SIGN_CALLS = {
    # qualified name -> index of the key argument, keyword name
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key"),
    "itsdangerous.TimedSerializer": (0, "secret_key"),
    "itsdangerous.Serializer": (0, "secret_key"),
    "itsdangerous.TimestampSigner": (0, "secret_key"),
    "itsdangerous.Signer": (0, "secret_key"),
}
ENV_GETTERS = ("os.environ.get", "os.getenv", "environ.get", "getenv", "config", "decouple.config", "env", "env.str")


def _py_target_name(node) -> str:
    node = unwrap(node)
    if node is None:
        return ""
    if node.type == "subscript":
        sub = node.child_by_field_name("subscript")
        s = py_string(sub) if sub is not None else None
        return s or ""
    if node.type == "attribute":
        return py_text(node.child_by_field_name("attribute"))
    return py_text(node)


def _py_weak_literal(file, value):
    """(literal node, reason, is_fallback) for a weak key literal, directly or as the default of
    an environment lookup (`os.environ.get('SECRET_KEY', 'dev')`, `os.getenv(...) or 'secret'`)."""
    value = unwrap(value)
    if value is None:
        return None
    s = py_string(value)
    if s is not None:
        if value.type == "string" and py_text(value)[:1] in "bB" and len(s) < 16:
            pass
        why = weak_key(s)
        return (value, why, False) if why else None
    if value.type == "boolean_operator":
        right = unwrap(value.child_by_field_name("right"))
        s = py_string(right)
        why = weak_key(s) if s is not None else None
        return (right, why, True) if why else None
    if value.type == "call":
        qn = qualname(file, value.child_by_field_name("function")) or ""
        if qn.endswith(ENV_GETTERS) or qn in ENV_GETTERS:
            pos, kw = call_args(value)
            default = kw.get("default") or (pos[1] if len(pos) > 1 else None)
            s = py_string(default) if default is not None else None
            why = weak_key(s) if s is not None else None
            return (default, why, True) if why else None
    return None


@predicate("webapp.py_weak_key")
def py_weak_key(ctx: MatchContext):
    node = ctx.node("match")
    file = ctx.file
    if node.type == "call":
        qn = qualname(file, node.child_by_field_name("function")) or ""
        spec = PY_SIGN_CALLS.get(qn)
        if spec is None:
            return None
        pos, kw = call_args(node)
        key = kw.get(spec[1]) or (pos[spec[0]] if len(pos) > spec[0] else None)
        if key is None:
            return None
        found = _py_weak_literal(file, key)
        where = f"{qn}()"
    else:
        target = ctx.node("target")
        name = _py_target_name(target)
        if not PY_KEY_NAME.search(name.lstrip("_")):
            return None
        found = _py_weak_literal(file, ctx.node("value"))
        where = name
    if not found:
        return None
    lit, why, fallback = found
    s = py_string(lit) or ""
    how = f"falls back to {_shown(s)}, {why}" if fallback else f"is {_shown(s)}, {why}"
    return Verdict(confidence=MEDIUM if fallback else HIGH, node=lit, args={"where": where, "how": how},
                   data={"lang": "python", "fallback": fallback})


# ====================================================================== RL335 weak-signing-key, JavaScript

JS_KEY_NAME = linear(
    r"(?i)^(secret|secret_?key|jwt_?secret(_?key)?|jwt_?key|signing_?key|session_?secret|cookie_?secret|"
    r"token_?secret|app_?secret|hmac_?(key|secret)|secret_?or_?(private_?)?key|access_?token_?secret|refresh_?token_?secret)$"
)
JWT_MODULES = frozenset({"jsonwebtoken", "jws", "jwt-simple", "koa-jwt", "express-jwt"})
SESSION_MODULES = {"express-session": "express-session", "cookie-session": "cookie-session",
                   "koa-session": "koa-session", "cookie-parser": "cookie-parser"}


def _js(ctx) -> JsAnalyzer:
    return js_analyzer(ctx.file)


def _js_args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


def _js_const(a: JsAnalyzer, node) -> str | None:
    if node is None:
        return None
    if node.type == "string":
        return js_string_raw(a, node)
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return a.text(node)[1:-1]
    return None


def _js_weak_literal(a: JsAnalyzer, value):
    """(literal, reason, is_fallback) for a weak key literal, directly, through a constant bound
    once, or as the fallback of `process.env.X || 'secret'`."""
    if value is None:
        return None
    while value.type == "parenthesized_expression" and value.named_children:
        value = value.named_children[0]
    s = _js_const(a, value)
    if s is not None:
        why = weak_key(s)
        return (value, why, False) if why else None
    if value.type == "binary_expression" and a.text(value.child_by_field_name("operator")) in ("||", "??"):
        right = value.child_by_field_name("right")
        s = _js_const(a, right)
        why = weak_key(s) if s is not None else None
        return (right, why, True) if why else None
    if value.type == "identifier":
        d = a.single_definition(value)
        if d is not None and d[1] is not None and d[1].type in ("string", "template_string", "binary_expression"):
            found = _js_weak_literal(a, d[1])
            return found
    return None


def _js_call_name(a: JsAnalyzer, call) -> str:
    fn = call.child_by_field_name("function")
    if fn is None:
        return ""
    if fn.type == "member_expression":
        return a.text(fn.child_by_field_name("property"))
    return a.text(fn)


@predicate("webapp.js_weak_key")
def js_weak_key(ctx: MatchContext):
    a = _js(ctx)
    node = ctx.node("match")
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        name = _js_call_name(a, node)
        args = _js_args(node)
        if name in ("sign", "verify", "decode", "encode") and fn is not None and fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            mod = bound_module(a, obj) if obj is not None and obj.type == "identifier" else None
            if mod not in JWT_MODULES and not (mod is None and obj is not None and a.text(obj) in ("jwt", "jsonwebtoken")):
                return None
            key = args[1] if len(args) > 1 else None
            where = f"{a.text(fn)}()"
        elif name in ("cookieParser",) or (fn is not None and fn.type == "identifier" and bound_module(a, fn) == "cookie-parser"):
            key = args[0] if args else None
            where = "cookieParser()"
        else:
            return None
    else:
        target = ctx.node("target")
        raw = a.text(target)
        key_name = raw.strip("'\"")
        if target.type == "member_expression":
            key_name = a.text(target.child_by_field_name("property"))
        if key_name == "keys":
            # cookie-session / koa: keys: ['k1', 'k2'] in the options of a session middleware
            if not _in_session_call(a, node):
                return None
            value = ctx.node("value")
            if value is None or value.type != "array":
                return None
            for item in value.named_children:
                found = _js_weak_literal(a, item)
                if found:
                    lit, why, fallback = found
                    return _js_key_verdict(a, lit, why, fallback, "the session keys")
            return None
        if not JS_KEY_NAME.search(key_name):
            return None
        key = ctx.node("value")
        where = key_name
    found = _js_weak_literal(a, key)
    if not found:
        return None
    lit, why, fallback = found
    return _js_key_verdict(a, lit, why, fallback, where)


def _js_key_verdict(a, lit, why, fallback, where):
    s = _js_const(a, lit) or ""
    how = f"falls back to {_shown(s)}, {why}" if fallback else f"is {_shown(s)}, {why}"
    return Verdict(confidence=MEDIUM if fallback else HIGH, node=lit, args={"where": where, "how": how},
                   data={"lang": "js", "fallback": fallback})


def _in_session_call(a: JsAnalyzer, node) -> bool:
    n = node.parent
    while n is not None and n.type in ("object", "arguments"):
        if n.type == "arguments":
            call = n.parent
            if call is not None and call.type == "call_expression":
                fn = call.child_by_field_name("function")
                mod = bound_module(a, fn) if fn is not None and fn.type == "identifier" else None
                return mod in SESSION_MODULES or a.text(fn) in ("session", "cookieSession", "expressSession")
            return False
        n = n.parent
    return False


@fix("webapp.weak_key_env")
def weak_key_env(ctx: MatchContext, v: Verdict):
    """Read the key from the environment instead of the placeholder (no fallback: a missing key
    then fails at start instead of silently signing with a guessable one)."""
    if v.data.get("fallback") or v.node is None or v.data.get("lang") not in ("python", "js"):
        return None
    name = re.sub(r"[^A-Za-z0-9]+", "_", v.args.get("where", "SECRET_KEY")).strip("_").upper() or "SECRET_KEY"
    if not _CONST_NAME.fullmatch(name) or name.endswith("()"):
        return None
    if v.data.get("lang") == "python":
        if b"import os" not in ctx.file.text:
            return None
        new = f'os.environ["{name}"]'
    else:
        new = f"process.env.{name}"
    return Fix(f"Read the key from the environment ({name})", (TextEdit(Span.of_node(v.node), new),), safe=False)


# ====================================================================== RL334 session-cookie-defaults


@predicate("webapp.js_session_defaults")
def js_session_defaults(ctx: MatchContext):
    """express-session / cookie-session whose options leave the cookie's `secure` flag unset."""
    a = _js(ctx)
    call = ctx.node("match")
    fn = ctx.node("fn")
    mod = bound_module(a, fn)
    name = a.text(fn)
    if mod is None:
        # A fragment without its imports: trust the conventional names only inside app.use(...).
        use = call.parent.parent if call.parent is not None else None
        if name not in ("session", "expressSession", "cookieSession") or use is None or use.type != "call_expression" \
                or _js_call_name(a, use) != "use":
            return None
        mod = "cookie-session" if name == "cookieSession" else "express-session"
    if mod not in ("express-session", "cookie-session"):
        return None
    args = _js_args(call)
    if not args or args[0].type != "object":
        return None  # options from a variable: cannot tell
    options = args[0]
    cookie = _js_pair_value(a, options, "cookie")
    holder = options if mod == "cookie-session" else cookie
    if mod == "express-session" and cookie is not None and cookie.type != "object":
        return None  # cookie options built elsewhere
    secure = _js_pair_value(a, holder, "secure") if holder is not None else None
    if secure is not None:
        return None  # set (to anything: `secure: isProd` is a decision, explicit `false` is RL307's)
    what = "express-session's cookie" if mod == "express-session" else "cookie-session's cookie"
    conf = MEDIUM if mod == "express-session" else LOW
    return Verdict(confidence=conf, args={"what": what}, data={"mod": mod, "cookie": cookie is not None})


def _js_pair_value(a: JsAnalyzer, obj, key: str):
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type != "pair":
            continue
        k = pair.child_by_field_name("key")
        name = js_string_raw(a, k) if k is not None and k.type == "string" else a.text(k)
        if name == key:
            return pair.child_by_field_name("value")
    return None


@fix("webapp.session_secure_cookie")
def session_secure_cookie(ctx: MatchContext, v: Verdict):
    a = _js(ctx)
    call = ctx.node("match")
    options = _js_args(call)[0]
    if v.data.get("mod") == "cookie-session":
        target, items = options, "secure: true, httpOnly: true, sameSite: 'lax'"
    else:
        cookie = _js_pair_value(a, options, "cookie")
        if cookie is None:
            target, items = options, "cookie: { secure: true, httpOnly: true, sameSite: 'lax' }"
        else:
            target, items = cookie, "secure: true"
    pairs = [c for c in target.named_children if c.type != "comment"]
    if pairs:
        last = pairs[-1]
        edit = TextEdit(ctx.file.span(last.end_byte, last.end_byte), f", {items}")
    else:
        edit = TextEdit(Span.of_node(target), "{ " + items + " }")
    return Fix("Send the session cookie over HTTPS only (secure: true)", (edit,), safe=False)


# ====================================================================== RL145 predictable-token

TOKEN_WORDS = frozenset({
    "token", "nonce", "otp", "totp", "csrf", "xsrf", "sessionid", "sid", "apikey", "reset", "activation",
    "verification", "invite", "invitation", "confirmation", "unsubscribe", "magic", "recovery", "secret", "authcode",
    "accesscode", "resetcode", "verificationcode", "confirmationcode", "logincode", "securitycode", "challenge",
})
NOT_TOKEN_WORDS = frozenset({"cache", "etag", "filename", "file", "log", "trace", "request", "correlation", "build",
                             "version", "timestamp", "expires", "expiry", "expire", "created", "date", "time", "ttl",
                             "count", "length", "type", "url", "path", "name", "header", "test", "mock", "fake"})
PY_TIME = {
    "time.time": "the current time", "time.time_ns": "the current time", "time.monotonic": "a clock",
    "time.perf_counter": "a clock", "time.ctime": "the current time", "time.strftime": "the current time",
    "datetime.datetime.now": "the current time", "datetime.datetime.utcnow": "the current time",
    "datetime.datetime.today": "the current date", "datetime.date.today": "the current date",
    "datetime.now": "the current time", "datetime.utcnow": "the current time", "date.today": "the current date",
    "uuid.uuid1": "uuid1() (the MAC address and the time)", "os.getpid": "the process id",
    "timezone.now": "the current time", "django.utils.timezone.now": "the current time",
}
PY_RANDOM_OK = ("secrets.", "os.urandom", "uuid.uuid4", "random.SystemRandom", "Crypto.Random", "nacl.utils.random")
PY_HASHES = ("hashlib.", "md5", "sha1", "sha256", "sha512")
USER_DATA = linear(r"(?i)(email|e_mail|user_?name|login|user_?id|uid|username|phone|\bid\b|\.id$|name$)")


def _py_fn_locals(file, fn, name: str) -> list:
    """Right-hand sides assigned to `name` in function `fn` (one level, for `ts = time.time()`):
    the first four, in source order. The function's body is walked once per scan for all names."""
    if fn is None:
        return []
    cache = scan_cache(file)
    key = ("py_fn_locals", fn.start_byte, fn.end_byte)
    table = cache.get(key)
    if table is None:
        table = cache[key] = {}
        body = fn.child_by_field_name("body")
        for n in walk(body) if body is not None else ():
            if n.type == "assignment":
                left = n.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    right = n.child_by_field_name("right")
                    if right is not None:
                        table.setdefault(py_text(left), []).append(right)
    return table.get(name, [])[:4]


def _py_material(file, value, depth: int = 0) -> tuple[list[tuple[str, object]], bool, bool, bool]:
    """(predictable sources, random source seen, hashed, user data seen) inside `value`."""
    sources, random_ok, hashed, user = [], False, False, False
    fn = enclosing_function(value)
    for n in walk(value):
        t = n.type
        if t == "call":
            qn = qualname(file, n.child_by_field_name("function")) or ""
            if qn in PY_TIME or any(qn.endswith("." + k) and k.count(".") >= 1 for k in PY_TIME if "." in k):
                key = qn if qn in PY_TIME else next(k for k in PY_TIME if qn.endswith("." + k))
                sources.append((PY_TIME[key], n))
            elif qn.startswith(PY_RANDOM_OK) or qn.startswith("random.") or qn.startswith("numpy.random"):
                random_ok = True  # CSPRNG (fine) or Mersenne Twister (RL304's finding)
            elif qn.startswith(PY_HASHES) or qn.split(".")[-1] in ("md5", "sha1", "sha256", "sha224", "sha512", "blake2b"):
                hashed = True
            elif qn.split(".")[-1] in ("compare_digest", "new") and qn.startswith("hmac"):
                random_ok = True  # keyed: not predictable without the key
            elif qn.startswith(("jwt.", "itsdangerous", "django.core.signing")) or (
                    qn.split(".")[-1] in ("dumps", "sign") and not qn.startswith(("json", "pickle", "marshal", "yaml", "base64"))):
                random_ok = True  # a signer (itsdangerous, jwt): keyed
        elif t == "identifier":
            name = py_text(n)
            if USER_DATA.search(name):
                user = True
            local = n.parent is None or n.parent.type not in ("attribute", "keyword_argument") or \
                n.parent.child_by_field_name("object") == n
            if local and depth == 0 and fn is not None:
                for rhs in _py_fn_locals(file, fn, name):
                    s2, r2, h2, u2 = _py_material(file, rhs, depth + 1)
                    sources += s2
                    random_ok |= r2
                    hashed |= h2
                    user |= u2
    return sources, random_ok, hashed, user


def _token_words(name: str) -> set[str]:
    ws = words.words_of([name])
    joined = set(ws)
    parts = words.split_words(name)
    for x, y in zip(parts, parts[1:]):
        joined.add(x + y)
    return joined


TOKEN_TAILS = TOKEN_WORDS | {"id", "key", "code", "string", "value", "hash"}


@lru_cache(maxsize=4096)  # a pure function of the name; the same names recur across a scan
def _tokenish(name: str) -> str | None:
    """What a name says its value is ("a reset token"), when it names a token: some word is a
    token word and the last word says what the value is (`reset_token`, `sessionId`,
    `make_confirmation_code`; not `access_token_revoked_at` or `token_type`)."""
    parts = words.split_words(name or "")
    if not parts or parts[-1] not in TOKEN_TAILS:
        return None
    ws = _token_words(name)
    hit = ws & TOKEN_WORDS
    if not hit or ws & NOT_TOKEN_WORDS:
        return None
    if "secret" in hit and ws & {"key"}:
        return None  # SECRET_KEY is configuration (RL335), not a generated token
    return words.what(hit) if hit & set(words.SECURITY_WORDS) else "a " + sorted(hit)[0] + " token"


def _py_token_target(node) -> str | None:
    """The name a value is stored under or returned from, if it reads like a token."""
    n = node.parent
    while n is not None and n.type in ("call", "argument_list", "binary_operator", "parenthesized_expression",
                                       "attribute", "keyword_argument", "f-string", "string", "interpolation"):
        if n.type == "keyword_argument":
            return _tokenish(py_text(n.child_by_field_name("name")))
        n = n.parent
    if n is None:
        return None
    if n.type == "assignment":
        return _tokenish(_py_target_name(n.child_by_field_name("left")))
    if n.type == "return_statement":
        fn = enclosing_function(n)
        return _tokenish(function_name(fn)) if fn is not None else None
    if n.type == "pair":
        key = n.child_by_field_name("key")
        s = py_string(key) if key is not None else None
        return _tokenish(s) if s else None
    return None


@predicate("webapp.py_predictable_token")
def py_predictable_token(ctx: MatchContext):
    value = ctx.node("value")
    what = _tokenish(_py_target_name(ctx.node("target"))) if ctx.node("target") is not None else None
    if what is None and ctx.node("match").type == "return_statement":
        fn = enclosing_function(ctx.node("match"))
        what = _tokenish(function_name(fn)) if fn is not None else None
    if what is None or value is None or unwrap(value).type in ("tuple", "list", "dictionary", "set", "expression_list",
                                                                 "pattern_list", "list_comprehension", "lambda"):
        return None  # a structure (version, token, timestamp) or a function, not the token itself
    sources, random_ok, hashed, user = _py_material(ctx.file, value)
    if random_ok:
        return None
    return _token_verdict(sources, hashed, user, what, value, py_text)


def _token_verdict(sources, hashed, user, what, value, text_of):
    if sources:
        desc = sorted({d for d, _ in sources})
        src = " and ".join(desc + (["the user's own data"] if user else []))
        conf = HIGH if hashed else MEDIUM
        related = tuple(Related(Span.of_node(n), f"predictable input: {d}") for d, n in sources[:3])
        return Verdict(confidence=conf, node=value, args={"what": what, "from": src,
                                                            "hashed": " (hashing does not add randomness)" if hashed else ""},
                       related=related)
    if hashed and user:
        return Verdict(confidence=MEDIUM, node=value, args={"what": what, "from": "the user's own data",
                                                              "hashed": " (hashing does not add randomness)"})
    return None


# ---------------------------------------------------------------------- JavaScript

JS_RANDOM_OK = ("crypto.randomBytes", "crypto.randomUUID", "crypto.getRandomValues", "randomBytes", "randomUUID",
                "uuid.v4", "uuidv4", "v4", "nanoid", "crypto.randomInt", "randomInt", "window.crypto.getRandomValues",
                "crypto.subtle", "Math.random", "sign", "createHmac", "cryptoRandomString", "generateSecret", "hash",
                "bcrypt.hash", "argon2.hash")


def _js_time_source(a: JsAnalyzer, n) -> str | None:
    t = n.type
    if t == "call_expression":
        full = a.text(n.child_by_field_name("function"))
        if full in ("Date.now", "performance.now", "process.hrtime", "process.hrtime.bigint"):
            return "the current time"
        if full in ("uuid.v1", "uuidv1", "v1", "uuid.v1mc"):
            return "uuid v1 (the MAC address and the time)"
        fn = n.child_by_field_name("function")
        if fn is not None and fn.type == "member_expression" and a.text(fn.child_by_field_name("property")) in (
                "getTime", "valueOf", "toISOString", "toString", "getMilliseconds") and \
                a.text(fn.child_by_field_name("object")).startswith(("new Date", "(new Date")):
            return "the current time"
    if t == "new_expression" and a.text(n.child_by_field_name("constructor")) == "Date" and \
            not _js_args(n) and n.parent is not None and n.parent.type in ("unary_expression", "binary_expression", "template_substitution"):
        return "the current time"
    return None


def _js_material(a: JsAnalyzer, value, depth: int = 0):
    sources, random_ok, hashed, user = [], False, False, False
    for n in walk(value):
        t = n.type
        if t in ("call_expression", "new_expression"):
            src = _js_time_source(a, n)
            if src:
                sources.append((src, n))
                continue
            if t == "call_expression":
                full = a.text(n.child_by_field_name("function"))
                name = _js_call_name(a, n)
                if full in JS_RANDOM_OK or name in JS_RANDOM_OK or full.startswith("crypto.random"):
                    random_ok = True
                elif name in ("createHash", "md5", "sha1", "sha256", "MD5", "SHA1", "SHA256", "digest"):
                    hashed = True
        elif t in ("identifier", "property_identifier", "shorthand_property_identifier"):
            name = a.text(n)
            if USER_DATA.search(name):
                user = True
            if t == "identifier" and depth == 0:
                d = a.single_definition(n)
                if d is not None and d[1] is not None and d[1] is not value:
                    s2, r2, h2, u2 = _js_material(a, d[1], depth + 1)
                    sources += s2
                    random_ok |= r2
                    hashed |= h2
                    user |= u2
    return sources, random_ok, hashed, user


def _js_target_name(a: JsAnalyzer, node) -> str:
    if node is None:
        return ""
    if node.type == "member_expression":
        return a.text(node.child_by_field_name("property"))
    if node.type in ("string",):
        return js_string_raw(a, node)
    return a.text(node)


@predicate("webapp.js_predictable_token")
def js_predictable_token(ctx: MatchContext):
    a = _js(ctx)
    match = ctx.node("match")
    value = ctx.node("value")
    if match.type == "return_statement":
        fn = a.enclosing_function(match)
        name = None
        if fn is not None:
            fname = fn.child_by_field_name("name")
            if fname is not None:
                name = a.text(fname)
            elif fn.parent is not None and fn.parent.type == "variable_declarator":
                name = a.text(fn.parent.child_by_field_name("name"))
            elif fn.parent is not None and fn.parent.type == "pair":
                name = a.text(fn.parent.child_by_field_name("key"))
        what = _tokenish(name) if name else None
    else:
        what = _tokenish(_js_target_name(a, ctx.node("target")))
    if what is None or value is None:
        return None
    if value.type in ("arrow_function", "function_expression", "function", "array", "object", "class"):
        return None
    sources, random_ok, hashed, user = _js_material(a, value)
    if random_ok:
        return None
    return _token_verdict(sources, hashed, user, what, value, a.text)


# ====================================================================== RL146 state-change-on-get

STATE_VERBS = frozenset({
    "delete", "remove", "destroy", "drop", "transfer", "withdraw", "pay", "payment", "purchase", "buy", "checkout",
    "approve", "reject", "grant", "revoke", "promote", "demote", "ban", "unban", "deactivate", "activate", "disable",
    "enable", "reset", "update", "edit", "create", "add", "insert", "save", "upload", "charge", "refund", "cancel",
    "subscribe", "unsubscribe", "follow", "unfollow", "vote", "invite", "clear", "purge", "wipe", "import", "kill",
    "like", "unlike", "star", "unstar", "block", "unblock", "publish", "unpublish", "archive", "restore", "confirm",
})


# Verbs that also name the page showing a form (GET /posts/new, /<page>/edit, /movies/add): they
# support a write found in the handler, but alone they are not evidence.
FORM_VERBS = frozenset({"edit", "create", "add", "update", "upload", "change", "set", "save", "insert", "import",
                        "new", "invite", "confirm", "subscribe", "unsubscribe", "reset"})


def state_verb(name: str, alone: bool = False) -> str | None:
    """The first state-changing verb among the words of a route path or function name (with
    `alone`, only verbs that are evidence without a write: delete, transfer, approve, ...)."""
    for w in words.split_words(name or ""):
        if w in STATE_VERBS and not (alone and w in FORM_VERBS):
            return w
    return None


PY_DB_WRITE_CALLS = frozenset({"commit", "add", "add_all", "bulk_create", "bulk_update", "save", "delete", "insert_one",
                               "insert_many", "update_one", "update_many", "delete_one", "delete_many", "replace_one",
                               "find_one_and_update", "find_one_and_delete", "executemany", "create", "update",
                               "get_or_create", "update_or_create", "remove"})
PY_FILE_WRITE_CALLS = frozenset({"remove", "unlink", "rmtree", "rmdir", "rename", "replace", "write_text",
                                 "write_bytes", "makedirs", "mkdir", "move", "copyfile", "copy"})
SQL_WRITE = linear(r"(?i)^\s*(insert|update|delete|replace|drop|alter|create|truncate)\b")
GET_ONLY_DECORATORS = ("require_GET", "require_safe")


def _py_route_methods(file, fn):
    """(is a route, methods or None for the framework default, route node) for a decorated function."""
    for dec in decorators(fn):
        expr = dec.named_children[0] if dec.named_children else None
        if expr is None:
            continue
        call = expr if expr.type == "call" else None
        fnode = call.child_by_field_name("function") if call is not None else expr
        name = py_text(fnode).rsplit(".", 1)[-1]
        if name in GET_ONLY_DECORATORS:
            return True, ["GET"], dec
        if call is None:
            continue
        pos, kw = call_args(call)
        if name == "get" and fnode.type == "attribute" and pos and (py_string(pos[0]) or "").startswith("/"):
            return True, ["GET"], dec
        if name == "require_http_methods" and pos and pos[0].type in ("list", "tuple"):
            methods = [(py_string(m) or "").upper() for m in pos[0].named_children]
            return True, methods, dec
        if name == "route" and fnode.type == "attribute" and pos and (py_string(pos[0]) or "").startswith("/"):
            m = kw.get("methods")
            if m is None:
                return True, None, dec
            if m.type in ("list", "tuple", "set"):
                return True, [(py_string(x) or "").upper() for x in m.named_children], dec
            return False, None, None
    return False, None, None


def _py_checks_method(body_text: str) -> bool:
    """The handler branches on the method (Flask-WTF's validate_on_submit() is true only for POST)."""
    return "request.method" in body_text or "validate_on_submit()" in body_text


def _py_evidence(file, fn):
    body = fn.child_by_field_name("body")
    if body is None:
        return None
    for n in walk(body):
        if n.type in ("function_definition", "class_definition") and n is not fn:
            continue
        if n.type != "call":
            continue
        f = n.child_by_field_name("function")
        if f is None or f.type != "attribute":
            if f is not None and f.type == "identifier" and py_text(f) == "open":
                pos, kw = call_args(n)
                mode = py_string(kw.get("mode") or (pos[1] if len(pos) > 1 else None)) or ""
                if any(c in mode for c in "wax+"):
                    return "writes a file", n, MEDIUM
            continue
        name = py_text(f.child_by_field_name("attribute"))
        obj = py_text(f.child_by_field_name("object"))
        qn = qualname(file, f) or ""
        if name in ("execute", "executemany", "executescript"):
            pos, _ = call_args(n)
            sql = py_string(pos[0]) if pos else None
            if sql is None and pos and pos[0].type in ("binary_operator", "call"):
                sql = py_text(pos[0]).lstrip("f'\"( ")
            if sql and SQL_WRITE.search(sql.lstrip("'\"")):
                return "runs an SQL " + SQL_WRITE.search(sql.lstrip("'\"")).group(1).upper(), n, MEDIUM
            continue
        if name == "commit" and ("session" in obj or "db" in obj or "conn" in obj or "transaction" in obj):
            return "commits a database transaction", n, MEDIUM
        if name in PY_DB_WRITE_CALLS and name != "commit":
            if name in ("add", "delete", "add_all") and not ("session" in obj):
                continue
            if name in ("create", "update", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "delete") \
                    and "objects" not in obj and not obj.endswith(("query", "filter()")) and "session" not in obj \
                    and ".filter(" not in obj and ".get(" not in obj and "collection" not in obj:
                if name == "delete" and obj and obj[0].islower() and obj not in ("os", "shutil", "self", "request", "cache", "session"):
                    return f"deletes a record ({obj}.delete())", n, LOW
                continue
            if name == "save" and obj in ("self", "form", "request", "session", "image", "img", "fig", "plt", "wb", "doc"):
                continue
            if name == "remove" and not ("collection" in obj or "db" in obj):
                continue
            return f"writes to the database ({obj}.{name}())", n, MEDIUM
        if qn.startswith(("os.", "shutil.", "pathlib.")) and name in PY_FILE_WRITE_CALLS:
            return f"changes files ({qn}())", n, MEDIUM
        if name in ("write_text", "write_bytes"):
            return "writes a file", n, MEDIUM
    return None


@predicate("webapp.py_state_change_get")
def py_state_change_get(ctx: MatchContext):
    fn = ctx.node("fn")
    if fn is None:
        return None
    is_route, methods, dec = _py_route_methods(ctx.file, fn)
    if not is_route:
        return None
    if methods is not None and "GET" not in methods:
        return None
    body_text = py_text(fn.child_by_field_name("body") or fn)
    if methods is not None and len([m for m in methods if m not in ("GET", "HEAD", "OPTIONS")]) and _py_checks_method(body_text):
        return None  # GET and POST in one handler that branches on the method
    if methods is None and _py_checks_method(body_text):
        return None
    ev = _py_evidence(ctx.file, fn)
    name = function_name(fn)
    route = ""
    expr = dec.named_children[0] if dec is not None and dec.named_children else None
    if expr is not None and expr.type == "call":
        pos, _ = call_args(expr)
        route = py_string(pos[0]) or "" if pos else ""
    named = state_verb(name) or state_verb(route)
    return _state_verdict(ev, named, name, route, dec)


DESTRUCTIVE = linear(r"(?i)(delete|remove|destroy|drop|truncate|unlink|rmtree|rmdir|\brm|\bdel\(|changes files|writes a file)")


def _state_verdict(ev, named, name, route, report_node):
    label = f"{route} ({name})" if route and name else (route or name or "this handler")
    if ev is not None:
        what, node, conf = ev
        # A write in a handler named for a state change, or one that deletes, is what CSRF abuses;
        # a bare insert or update may be a view counter or a last-seen time (low).
        if named:
            conf = MEDIUM
        elif conf == MEDIUM and not DESTRUCTIVE.search(what):
            conf = LOW
        return Verdict(confidence=conf, node=report_node, args={"handler": label, "evidence": what},
                       related=(Related(Span.of_node(node), f"state change on GET: {what}"),))
    if named and state_verb(named, alone=True):
        verb = named
        return Verdict(confidence=LOW, node=report_node,
                       args={"handler": label, "evidence": f"is named for a state change ('{verb}')"})
    return None


# ---------------------------------------------------------------------- Express

JS_DB_WRITE = frozenset({"save", "create", "insertOne", "insertMany", "updateOne", "updateMany", "deleteOne", "deleteMany",
                         "findByIdAndUpdate", "findByIdAndDelete", "findByIdAndRemove", "findOneAndUpdate",
                         "findOneAndDelete", "findOneAndRemove", "replaceOne", "destroy", "bulkCreate", "upsert",
                         "increment", "decrement", "bulkWrite"})
JS_FS_WRITE = frozenset({"writeFile", "writeFileSync", "appendFile", "appendFileSync", "unlink", "unlinkSync", "rm",
                         "rmSync", "rmdir", "rmdirSync", "rename", "renameSync", "mkdir", "mkdirSync", "copyFile",
                         "copyFileSync", "createWriteStream", "outputFile", "remove", "removeSync", "emptyDir"})
ROUTERS = linear(r"^(app|router|api|server|routes|route|r|admin|v1|v2|apiRouter|userRouter|authRouter|adminRouter|\w*[Rr]outer)$")


def _js_evidence(a: JsAnalyzer, handler):
    for n in walk(handler):
        if n.type != "call_expression":
            continue
        fn = n.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            continue
        name = a.text(fn.child_by_field_name("property"))
        obj = a.text(fn.child_by_field_name("object"))
        args = _js_args(n)
        if name in ("query", "run", "execute", "exec", "raw", "none", "one", "any") and args:
            sql = _js_const(a, args[0])
            if sql is None and args[0].type == "template_string":
                sql = a.text(args[0])[1:]
            if sql and SQL_WRITE.search(sql):
                return "runs an SQL " + SQL_WRITE.search(sql).group(1).upper(), n, MEDIUM
            continue
        if name in JS_DB_WRITE:
            if name == "create" and obj in ("Object", "crypto", "http", "https", "net"):
                continue
            if name == "save" and obj in ("req.session", "session"):
                continue
            return f"writes to the database ({obj}.{name}())", n, MEDIUM
        if name in ("update", "remove", "del", "insert") and (obj[:1].isupper() or "db" in obj.lower() or "collection" in obj.lower()
                                                               or "knex" in obj or "model" in obj.lower()):
            return f"writes to the database ({obj}.{name}())", n, MEDIUM
        if name in JS_FS_WRITE and (obj in ("fs", "fsp", "fse", "fs.promises", "fsPromises") or obj.endswith("fs")):
            return f"changes files ({obj}.{name}())", n, MEDIUM
    return None


@predicate("webapp.js_state_change_get")
def js_state_change_get(ctx: MatchContext):
    a = _js(ctx)
    call = ctx.node("match")
    router = ctx.node("router")
    args = _js_args(call)
    if len(args) < 2:
        return None
    path = _js_const(a, args[0])
    if path is None or not path.startswith("/"):
        return None
    if not ROUTERS.match(a.text(router).split(".")[-1]):
        return None
    handler = args[-1]
    if handler.type not in ("arrow_function", "function_expression", "function"):
        return None
    ev = _js_evidence(a, handler)
    fname = handler.child_by_field_name("name")
    name = a.text(fname) if fname is not None else ""
    named = state_verb(path) or state_verb(name)
    return _state_verdict(ev, named, name, path, call)


# ====================================================================== RL147 request-written-template

TEMPLATE_PATH = linear(r"(?i)((^|[/\\'\"`{])(templates?|views?|layouts?|partials?)[/\\]|['\"`](templates?|views?)['\"`]|\.(j2|jinja2?|tpl|mako|ejs|hbs|handlebars|pug|jade|njk|twig|liquid|mustache)\b)")


@predicate("webapp.py_template_write")
def py_template_write(ctx: MatchContext):
    """`open(<template path>, 'w').write(request data)` / `Path(...).write_text(request data)`."""
    file = ctx.file
    call = ctx.node("match")
    data_nodes = ctx.nodes("data")
    path_node = ctx.node("path")
    if path_node is None or not data_nodes:
        return None
    path_text = _py_path_text(file, path_node)
    if not TEMPLATE_PATH.search(path_text):
        return None
    return _py_tainted_write(file, data_nodes, call)


def _py_tainted_write(file, data_nodes, node) -> Verdict | None:
    """The finding for the first of `data_nodes` that holds request data, written at `node`:
    high confidence when the module also renders templates."""
    for data in data_nodes:
        val = value_of(file, data, "generic")
        if val.tainted:
            rendered = b"render_template" in file.text or b"get_template" in file.text or b"Template(" in file.text
            return Verdict(confidence=HIGH if rendered else MEDIUM, node=node,
                           args={"what": f"request data ({val.what})"},
                           related=(Related(Span.of_node(val.source), f"user input enters here: {val.what}"),) if val.source is not None else ())
    return None


def _py_path_text(file, node) -> str:
    """The text of a path expression, with one level of local variables substituted."""
    node = unwrap(node)
    out = py_text(node)
    if node is not None and node.type == "identifier":
        fn = enclosing_function(node)
        for rhs in _py_fn_locals(file, fn, py_text(node)):
            out += " " + py_text(rhs)
    if node is not None and node.type == "call":
        # open(os.path.join(TEMPLATE_DIR, name), 'w')
        for n in walk(node):
            if n.type == "identifier":
                for rhs in _py_fn_locals(file, enclosing_function(node), py_text(n)):
                    out += " " + py_text(rhs)
    return out


@predicate("webapp.py_template_open")
def py_template_open(ctx: MatchContext):
    """`with open(<template path>, 'w') as f: f.write(request data)`."""
    file = ctx.file
    call = ctx.node("open")
    pos, kw = call_args(call)
    if not pos:
        return None
    mode = py_string(kw.get("mode") or (pos[1] if len(pos) > 1 else None)) or ""
    if not any(c in mode for c in "wa"):
        return None
    if not TEMPLATE_PATH.search(_py_path_text(file, pos[0])):
        return None
    handle = py_text(ctx.node("handle"))
    body = ctx.node("body")
    for n in walk(body):
        if n.type != "call":
            continue
        f = n.child_by_field_name("function")
        if f is None or f.type != "attribute" or py_text(f.child_by_field_name("object")) != handle \
                or py_text(f.child_by_field_name("attribute")) not in ("write", "writelines"):
            continue
        args, _ = call_args(n)
        verdict = _py_tainted_write(file, args, n)
        if verdict is not None:
            return verdict
    return None


@predicate("webapp.js_template_write")
def js_template_write(ctx: MatchContext):
    a = _js(ctx)
    call = ctx.node("match")
    args = _js_args(call)
    if len(args) < 2:
        return None
    path = args[0]
    path_text = a.text(path)
    if path.type == "identifier":
        d = a.single_definition(path)
        if d is not None and d[1] is not None:
            path_text += " " + a.text(d[1])
    if not TEMPLATE_PATH.search(path_text):
        return None
    flow = a.flow(args[1], "code")
    if flow.kind != Kind.TAINTED:
        return None
    rendered = b".render(" in ctx.file.text or b"compile(" in ctx.file.text
    return Verdict(confidence=HIGH if rendered else MEDIUM, node=call, args={"what": f"request data ({flow.label})"},
                   related=related_for(flow))


# ====================================================================== RL148 postmessage-any-origin


@predicate("webapp.js_message_listener")
def js_message_listener(ctx: MatchContext):
    """A `message` event handler that reads the data and never looks at the sender's origin."""
    a = _js(ctx)
    handler = ctx.node("handler")
    if handler is None:
        return None
    if handler.type == "identifier":
        d = a.single_definition(handler)
        if d is None or d[1] is None:
            fns = [n for n in walk(a.unit_of(handler) or handler) if n.type == "function_declaration"
                   and a.text(n.child_by_field_name("name")) == a.text(handler)]
            if not fns:
                return None
            handler = fns[0]
        else:
            handler = d[1]
    if handler.type not in ("arrow_function", "function_expression", "function", "function_declaration"):
        return None
    body = a.text(handler)
    if _ORIGIN_CHECK.search(body):
        return None
    params = a.params_of(handler)
    if not params:
        return None
    ev = a.text(params[0])
    if ev.startswith("{"):
        if "data" not in ev:
            return None
    elif not linear(r"\b" + escape(ev) + r"\s*\.\s*data\b").search(body):
        return None
    danger = re.search(r"\b(eval|Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write|location|href|src|"
                       r"postMessage|fetch|ajax|setAttribute|localStorage|sessionStorage|cookie)\b", body)
    return Verdict(confidence=MEDIUM if danger else LOW,
                   args={"how": "a message event handler reads event.data without checking event.origin"})


@predicate("webapp.js_post_message_star")
def js_post_message_star(ctx: MatchContext):
    a = _js(ctx)
    call = ctx.node("match")
    args = _js_args(call)
    if len(args) < 2 or _js_const(a, args[1]) != "*":
        return None
    data = args[0]
    flow = a.flow(data, "any")
    if flow.kind <= Kind.SAFE and data.type in ("string", "template_string", "number"):
        return None  # a constant signal ("ready") tells the receiver nothing secret
    receiver = a.text(call.child_by_field_name("function").child_by_field_name("object") or call)
    if receiver in ("window", "self", "globalThis", "global", "_global", "this", "root"):
        return None  # a message to this very window (setImmediate polyfills, same-page events)
    sensitive = SENSITIVE_MESSAGE.search(a.text(data)) is not None
    return Verdict(confidence=MEDIUM if sensitive else LOW,
                   args={"how": f"{receiver}.postMessage(..., '*') sends its data to whatever page is loaded in that window"})


@fix("webapp.post_message_origin")
def post_message_origin(ctx: MatchContext, v: Verdict):
    args = _js_args(ctx.node("match"))
    if len(args) < 2:
        return None
    return Fix("Send only to this page's origin (window.location.origin)",
               (TextEdit(Span.of_node(args[1]), "window.location.origin"),), safe=False)


# ====================================================================== RL116 log injection, JavaScript

LOG_METHODS = frozenset({"log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly", "http", "notice", "critical"})
LOGGERS = linear(r"(?i)^(console|log|logger|_?logger|winston|pino|bunyan|this\.logger|this\.log|app\.log|fastify\.log|req\.log|request\.log|\w*logger)$")
LOG_CLEAN = linear(r"(replace(All)?\([^)]*(\\n|\\r|\\s|\[\\r\\n\]|\\x00|\\u|control)|JSON\.stringify|encodeURIComponent|escape|sanitiz|inspect)")


def _js_cleaned_locals(a: JsAnalyzer, node) -> bool:
    """A variable in `node` whose value had its line breaks removed (or was JSON-encoded)."""
    for n in walk(node):
        if n.type == "identifier":
            d = a.single_definition(n)
            if d is not None and d[1] is not None and LOG_CLEAN.search(a.text(d[1])):
                return True
    return False


RAW_REQUEST_PARTS = (".url", ".originalUrl", ".path", ".headers", ".header", ".get", ".ip", ".ips", ".method",
                     ".protocol", ".hostname", ".host", ".secure")


@predicate("webapp.js_log_injection")
def js_log_injection(ctx: MatchContext):
    a = _js(ctx)
    call = ctx.node("match")
    obj = ctx.node("obj")
    if obj is None or not LOGGERS.match(a.text(obj)):
        return None
    for arg in _js_args(call):
        if arg.type in ("string", "number", "object", "arrow_function", "function_expression"):
            continue
        flow = a.flow(arg, "log")
        if flow.kind != Kind.TAINTED:
            continue
        if LOG_CLEAN.search(a.text(arg)):
            continue
        if _js_cleaned_locals(a, arg):
            continue
        label = flow.label
        if label.endswith(RAW_REQUEST_PARTS) or label.startswith("process.argv"):
            # Node's HTTP parser rejects CR/LF in the request line and headers, so the raw URL, path
            # and header values cannot break a log line (decoded query, params and bodies can);
            # ip/method/protocol are the server's own; argv is the operator's own.
            continue
        return Verdict(confidence=MEDIUM, node=arg, args={"what": f"{a.text(arg)[:60]} from {label}"},
                       related=related_for(flow))
    return None


# ====================================================================== RL311 timing-unsafe-comparison, JavaScript

SECRETISH = linear(r"(?i)(signature|hmac|digest|token|secret|passw|pwd|apikey|api_key|api-key|otp|csrf|xsrf|mac$)")
NOT_SECRETISH = linear(r"(?i).*(type|kind|name|names|length|count|size|index|idx|position|pos|header|headers|prefix|format|mode|status|url|path|hashkey|hashcode|hasher|hashing|hashes|tokens|tokenizer|tokenize|lexer)")


def _js_last_name(a: JsAnalyzer, node) -> str | None:
    """The name that says what a value is: `sig` of `req.body.sig`, 'x-signature' of
    `req.headers['x-signature']`, `getToken` / 'x-api-key' of `req.get('x-api-key')`."""
    t = node.type
    if t == "identifier":
        return a.text(node)
    if t == "member_expression":
        return a.text(node.child_by_field_name("property"))
    if t == "subscript_expression":
        idx = node.child_by_field_name("index")
        return _js_const(a, idx) if idx is not None else None
    if t == "call_expression":
        args = _js_args(node)
        first = _js_const(a, args[0]) if len(args) == 1 else None
        return first or _js_call_name(a, node)
    return None


def _js_secret_side(a: JsAnalyzer, node) -> str | None:
    name = _js_last_name(a, node)
    if name == "hash" and node.type == "member_expression" and a.text(node.child_by_field_name("object")).endswith("location"):
        return None  # the URL fragment
    if not name or len(name) > 60 or not SECRETISH.search(name) or NOT_SECRETISH.fullmatch(name):
        return None
    return a.text(node) if len(a.text(node)) <= 60 else name


def _js_trivial(a: JsAnalyzer, node) -> bool:
    t = node.type
    if t in ("string", "template_string", "number", "null", "undefined", "true", "false", "regex", "unary_expression"):
        return True
    if t == "identifier" and a.text(node) in ("undefined", "NaN"):
        return True
    if t == "member_expression" and a.text(node.child_by_field_name("property")) in ("length", "size", "type"):
        return True
    if t == "identifier":
        name = a.text(node)
        if name.isupper() and not SECRETISH.search(name):
            return True
        d = a.single_definition(node)
        if d is not None and d[1] is not None and d[1].type in ("string", "number", "null", "true", "false"):
            return True
    return False


@predicate("webapp.js_timing_compare")
def js_timing_compare(ctx: MatchContext):
    a = _js(ctx)
    node = ctx.node("match")
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or _js_trivial(a, left) or _js_trivial(a, right):
        return None
    for x, y in ((left, right), (right, left)):
        what = _js_secret_side(a, x)
        if what is None:
            continue
        if y.type not in ("identifier", "member_expression", "subscript_expression", "call_expression"):
            return None
        fx, fy = a.flow(x, "any"), a.flow(y, "any")
        if fx.kind == Kind.TAINTED and fy.kind == Kind.TAINTED:
            return None  # password === passwordConfirm from the same form
        if fx.kind != Kind.TAINTED and fy.kind != Kind.TAINTED and not _js_secret_side(a, y):
            return None  # neither side is what a caller sends, nor a second secret
        if fx.kind != Kind.TAINTED and fy.kind != Kind.TAINTED and x.type == y.type == "identifier":
            return None  # two local values (password !== repeatPassword, a sentinel check): no stored secret is probed
        return Verdict(args={"what": what})
    return None


SENSITIVE_MESSAGE = linear(r"(?i)(token|secret|session|passw|cookie|auth|credential|user|email|apikey|api_key|jwt|code)")
WINDOW_RECEIVERS = frozenset({"window", "globalThis", "top", "parent", "document.defaultView", "this.window", "win"})


@predicate("webapp.js_postmessage")
def js_postmessage(ctx: MatchContext):
    """Dispatch: a `message` listener (RL148's first two patterns) or a postMessage call."""
    if ctx.node("handler") is None:
        return js_post_message_star(ctx)
    a = _js(ctx)
    recv = ctx.node("recv")
    if recv is not None and a.text(recv) not in WINDOW_RECEIVERS:
        return None  # a Worker, MessagePort, BroadcastChannel or WebSocket: not cross-origin
    return js_message_listener(ctx)


# ====================================================================== Go and Java tables (RL146, RL335)


def _node_text(ctx: MatchContext, node) -> str:
    return ctx.file.text[node.start_byte:node.end_byte].decode("utf-8", "replace") if node is not None else ""


def _go_java_string(ctx: MatchContext, node) -> str | None:
    """The value of a Go/Java string literal, also through []byte("..."), "...".getBytes(...)
    and a constant bound once in the same definition is not followed (kept simple)."""
    if node is None:
        return None
    t = node.type
    if t in ("interpreted_string_literal", "raw_string_literal", "string_literal"):
        s = _node_text(ctx, node)
        if t == "string_literal" and s.startswith('"""'):
            return None
        return s[1:-1] if len(s) >= 2 else None
    if t == "type_conversion_expression":  # Go []byte("secret")
        return _go_java_string(ctx, node.child_by_field_name("operand"))
    if t == "method_invocation" and _node_text(ctx, node.child_by_field_name("name")) == "getBytes":  # Java
        return _go_java_string(ctx, node.child_by_field_name("object"))
    if t == "call_expression":  # Go []byte("x") parsed as a call in some positions
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is not None and _node_text(ctx, fn) == "[]byte" and args is not None and args.named_child_count == 1:
            return _go_java_string(ctx, args.named_children[0])
    return None


GO_JAVA_KEY_NAME = linear(
    r"(?i)^([a-z0-9]+_?)?(secret_?key|jwt_?secret(_?key)?|jwt_?key|signing_?key|session_?secret|cookie_?secret|"
    r"token_?secret|app_?secret|hmac_?(key|secret))$"
)
KEY_CALLS = frozenset({"SignedString", "signWith", "setSigningKey", "HMAC256", "HMAC384", "HMAC512", "hmacShaKeyFor",
                       "NewCookieStore", "NewFilesystemStore"})


@predicate("webapp.gojava_weak_key")
def gojava_weak_key(ctx: MatchContext):
    if ctx.node("fn") is not None:
        name = _node_text(ctx, ctx.node("fn"))
        if name not in KEY_CALLS:
            return None
        args = ctx.node("args")
        cands = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        where = f"{name}()"
    else:
        target = _node_text(ctx, ctx.node("target"))
        if not GO_JAVA_KEY_NAME.search(target):
            return None
        cands = [ctx.node("value")]
        where = target
    for c in cands:
        s = _go_java_string(ctx, c)
        why = weak_key(s) if s is not None else None
        if why:
            return Verdict(confidence=HIGH, node=c, args={"where": where, "how": f"is {_shown(s)}, {why}"},
                           data={"lang": "go/java", "fallback": False})
    return None


# ---------------------------------------------------------------------- RL146: Go routers, Spring


GO_DB_WRITE = frozenset({"Create", "Save", "Delete", "Update", "Updates", "UpdateColumn", "UpdateColumns", "InsertOne",
                         "InsertMany", "UpdateOne", "UpdateMany", "DeleteOne", "DeleteMany", "ReplaceOne",
                         "FindOneAndUpdate", "FindOneAndDelete"})
GO_FILE_WRITE = frozenset({"Remove", "RemoveAll", "WriteFile", "Rename", "Truncate", "Mkdir", "MkdirAll"})


def _go_evidence(ctx: MatchContext, body):
    for n in walk(body):
        if n.type != "call_expression":
            continue
        fn = n.child_by_field_name("function")
        if fn is None or fn.type != "selector_expression":
            continue
        name = _node_text(ctx, fn.child_by_field_name("field"))
        recv = _node_text(ctx, fn.child_by_field_name("operand"))
        args = n.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if name in ("Exec", "ExecContext", "MustExec", "NamedExec"):
            sql = _go_java_string(ctx, args.named_children[1] if name.endswith("Context") and args is not None
                                  and args.named_child_count > 1 else first)
            if sql and SQL_WRITE.search(sql):
                return "runs an SQL " + SQL_WRITE.search(sql).group(1).upper(), n, MEDIUM
            continue
        if name in GO_DB_WRITE and recv not in ("os", "http", "c", "ctx", "w", "r", "context"):
            return f"writes to the database ({recv}.{name}())", n, MEDIUM
        if recv == "os" and name in GO_FILE_WRITE:
            return f"changes files (os.{name}())", n, MEDIUM
    return None


@predicate("webapp.go_state_change_get")
def go_state_change_get(ctx: MatchContext):
    call = ctx.node("match")
    args = ctx.node("args")
    items = [c for c in args.named_children if c.type != "comment"] if args is not None else []
    if len(items) < 2:
        return None
    path = _go_java_string(ctx, items[0])
    if path is None or not path.startswith("/"):
        return None
    handler = items[-1]
    ev = _go_evidence(ctx, handler) if handler.type == "func_literal" else None
    name = _node_text(ctx, handler) if handler.type in ("identifier", "selector_expression") else ""
    named = state_verb(path) or state_verb(name.rsplit(".", 1)[-1])
    return _state_verdict(ev, named, name, path, call)


JAVA_DB_WRITE = frozenset({"save", "saveAll", "saveAndFlush", "delete", "deleteById", "deleteAll", "deleteAllById",
                           "persist", "merge", "remove", "executeUpdate", "insert", "updateById", "deleteInBatch"})


def _java_evidence(ctx: MatchContext, body):
    for n in walk(body):
        if n.type != "method_invocation":
            continue
        name = _node_text(ctx, n.child_by_field_name("name"))
        obj = n.child_by_field_name("object")
        recv = _node_text(ctx, obj)
        if name == "update" and ("jdbc" in recv.lower() or "template" in recv.lower()):
            return f"writes to the database ({recv}.update())", n, MEDIUM
        if name in ("execute", "executeUpdate") and ("stmt" in recv.lower() or "statement" in recv.lower() or "jdbc" in recv.lower()):
            args = n.child_by_field_name("arguments")
            sql = _go_java_string(ctx, args.named_children[0]) if args is not None and args.named_children else None
            if (sql is not None and SQL_WRITE.search(sql)) or (sql is None and name == "executeUpdate"):
                return f"writes to the database ({recv}.{name}())", n, MEDIUM
            continue  # execute() of a prepared statement whose SQL is elsewhere: a SELECT as often as not
        if name in JAVA_DB_WRITE and obj is not None and recv not in ("list", "map", "set", "session", "request", "response",
                                                                        "model", "cache", "iterator", "it"):
            if name in ("remove", "delete") and not re.search(r"(?i)(repo|repository|dao|service|em|entityManager|mapper|store)$", recv):
                continue
            return f"writes to the database ({recv}.{name}())", n, MEDIUM
        if recv == "Files" and name in ("delete", "deleteIfExists", "write", "writeString", "move", "createFile"):
            return f"changes files (Files.{name}())", n, MEDIUM
    return None


@predicate("webapp.java_state_change_get")
def java_state_change_get(ctx: MatchContext):
    method = ctx.node("match")
    ann = ctx.node("ann")
    aname = _node_text(ctx, ctx.node("a"))
    route = ""
    if aname == "RequestMapping":
        text = _node_text(ctx, ann)
        m = _METHOD_ARG.search(text)
        if m is None:
            return None  # no method: Spring accepts every method; whether GET is meant is unclear
        if "GET" not in m.group(1):
            return None
    elif aname != "GetMapping":
        return None
    lit = _PATH_LITERAL.search(_node_text(ctx, ann))
    route = lit.group(1) if lit else ""
    body = method.child_by_field_name("body")
    if body is None:
        return None
    ev = _java_evidence(ctx, body)
    name = _node_text(ctx, method.child_by_field_name("name"))
    named = state_verb(route) or state_verb(name)
    return _state_verdict(ev, named, name, route, method.child_by_field_name("name"))


# ====================================================================== RL117 regex injection, JavaScript

REGEX_ESCAPES = linear(r"(?i)(escape|quote|sanitiz|lodash|_\.escapeRegExp|escapeStringRegexp|escape-string-regexp)")


@predicate("webapp.js_regex_injection")
def js_regex_injection(ctx: MatchContext):
    """`new RegExp(<request data>)`: only values from the request (a parameter or a library's own
    option is the caller's business, and libraries build patterns from options all the time)."""
    a = _js(ctx)
    pattern = ctx.node("pattern")
    if pattern is None or pattern.type in ("string", "regex", "template_string") and _js_const(a, pattern) is not None:
        return None
    flow = a.flow(pattern, "regex")
    if flow.kind != Kind.TAINTED:
        return None
    if REGEX_ESCAPES.search(a.text(pattern)) or _js_escaped_locals(a, pattern):
        return None
    return Verdict(confidence=HIGH, args={"how": f"{a.text(pattern)[:60]} ({flow.label})"}, related=related_for(flow))


def _js_escaped_locals(a: JsAnalyzer, node) -> bool:
    for n in walk(node):
        if n.type == "identifier":
            d = a.single_definition(n)
            if d is not None and d[1] is not None and (REGEX_ESCAPES.search(a.text(d[1])) or
                                                      _CLASS_ESCAPE.search(a.text(d[1]))):
                return True
    return False


# ====================================================================== RL314 cleartext protocols, JavaScript

FTP_MODULES = frozenset({"basic-ftp", "ftp", "jsftp", "promise-ftp", "ftp-client"})
TELNET_MODULES = frozenset({"telnet-client", "telnet-stream", "node-telnet-client", "telnet"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


def _js_new_module(a: JsAnalyzer, ctor) -> str | None:
    """The module a constructor expression comes from: `Client` bound to require('basic-ftp').Client,
    `ftp.Client`, `new (require('telnet-client'))()`."""
    if ctor is None:
        return None
    if ctor.type == "identifier":
        return bound_module(a, ctor)
    if ctor.type == "member_expression":
        obj = ctor.child_by_field_name("object")
        return bound_module(a, obj) if obj is not None and obj.type == "identifier" else None
    return None


@predicate("webapp.js_cleartext_protocol")
def js_cleartext_protocol(ctx: MatchContext):
    a = _js(ctx)
    node = ctx.node("match")
    if node.type == "new_expression":
        mod = _js_new_module(a, node.child_by_field_name("constructor"))
        if mod in TELNET_MODULES:
            return Verdict(args={"proto": "Telnet", "use": "SSH (ssh2) instead"})
        return None
    # method calls with an options object: client.access({...}) (basic-ftp), c.connect({...}) (ftp),
    # nodemailer.createTransport({...})
    name = _js_call_name(a, node)
    args = _js_args(node)
    opts = args[0] if args and args[0].type == "object" else None
    if opts is None:
        return None
    host = _js_const(a, _js_pair_value(a, opts, "host"))
    if host is not None and host in LOCAL_HOSTS:
        return None
    if name == "createTransport":
        fn = node.child_by_field_name("function")
        obj = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
        if bound_module(a, obj) != "nodemailer" and a.text(obj) != "nodemailer":
            return None
        ignore = _js_pair_value(a, opts, "ignoreTLS")
        if ignore is not None and ignore.type == "true":
            return Verdict(confidence=HIGH, args={"proto": "SMTP with ignoreTLS: true", "use": "secure: true (port 465) or requireTLS: true (port 587)"})
        return None
    if name in ("access", "connect"):
        # which client? the receiver was built by `new X()` of an FTP module in this definition
        fn = node.child_by_field_name("function")
        recv = fn.child_by_field_name("object") if fn is not None and fn.type == "member_expression" else None
        mod = None
        if recv is not None and recv.type == "identifier":
            d = a.single_definition(recv)
            if d is not None and d[1] is not None and d[1].type == "new_expression":
                mod = _js_new_module(a, d[1].child_by_field_name("constructor"))
        if mod not in FTP_MODULES:
            return None
        secure = _js_pair_value(a, opts, "secure")
        if secure is not None and secure.type != "false":
            return None  # secure: true / 'implicit' / a variable
        if _js_pair_value(a, opts, "password") is None and _js_pair_value(a, opts, "user") is None:
            return None  # anonymous FTP of public files
        return Verdict(args={"proto": "FTP without TLS", "use": "secure: true (FTPS) or SFTP (ssh2-sftp-client)"})
    return None


# ====================================================================== RL145 for Go and Java

GJ_TIME = (
    (linear(r"^time\.Now\(\)"), "the current time"),
    (linear(r"^(uuid\.NewUUID|uuid\.NewV1)\(\)"), "a version-1 UUID (the MAC address and the time)"),
    (linear(r"^os\.Getpid\(\)"), "the process id"),
    (linear(r"^System\.(currentTimeMillis|nanoTime)\(\)"), "the current time"),
    (linear(r"^new (java\.util\.)?Date\(\)"), "the current time"),
    (linear(r"^(Instant|LocalDateTime|ZonedDateTime|OffsetDateTime|LocalDate)\.now\("), "the current time"),
    (linear(r"^Calendar\.getInstance\(\)"), "the current time"),
    (linear(r"^UUID\.nameUUIDFromBytes\("), "a name-based UUID (a hash of known input)"),
)
GJ_RANDOM_OK = linear(
    r"(SecureRandom|UUID\.randomUUID|randomUUID|\bRandom\b|RandomStringUtils|ThreadLocalRandom|nextInt|nextLong|"
    r"\bMac\b|Hmac|hmac\.|Jwts|JWT\.create|KeyGenerator|rand\.Read|rand\.Int|rand\.Intn|uuid\.New\(\)|uuid\.NewRandom|"
    r"uuid\.NewString|securecookie|jwt\.|Sign)"
)
GJ_HASHES = linear(r"(MessageDigest|DigestUtils|Hashing\.|md5\.|sha1\.|sha256\.|sha512\.|\.Sum(256|512)?\()")
GJ_CALLS = frozenset({"call_expression", "method_invocation", "object_creation_expression"})
GJ_FUNCTIONS = frozenset({"method_declaration", "function_declaration", "func_literal", "lambda_expression",
                          "constructor_declaration"})


def _gj_function(node):
    n = node.parent
    while n is not None and n.type not in GJ_FUNCTIONS:
        n = n.parent
    return n


def _gj_locals(ctx: MatchContext, fn, name: str) -> list:
    out = []
    if fn is None:
        return out
    for n in walk(fn):
        if n.type == "variable_declarator" and _node_text(ctx, n.child_by_field_name("name")) == name:
            v = n.child_by_field_name("value")
        elif n.type == "short_var_declaration":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is None or right is None or not left.named_children or _node_text(ctx, left.named_children[0]) != name:
                continue
            v = right.named_children[0] if right.named_children else None
        else:
            continue
        if v is not None:
            out.append(v)
    return out[:4]


def _gj_material(ctx: MatchContext, value, depth: int = 0):
    sources, random_ok, hashed, user = [], False, False, False
    fn = _gj_function(value)
    for n in walk(value):
        t = n.type
        if t in GJ_CALLS:
            text = _node_text(ctx, n)
            for pat, desc in GJ_TIME:
                if pat.search(text):
                    sources.append((desc, n))
                    break
            head = text.split("(", 1)[0]
            if GJ_RANDOM_OK.search(head):
                random_ok = True
            elif GJ_HASHES.search(head + "("):
                hashed = True
        elif t == "identifier":
            name = _node_text(ctx, n)
            if USER_DATA.search(name):
                user = True
            if depth == 0:
                for rhs in _gj_locals(ctx, fn, name):
                    if rhs is value:
                        continue
                    s2, r2, h2, u2 = _gj_material(ctx, rhs, depth + 1)
                    sources += s2
                    random_ok |= r2
                    hashed |= h2
                    user |= u2
    return sources, random_ok, hashed, user


@predicate("webapp.gojava_predictable_token")
def gojava_predictable_token(ctx: MatchContext):
    match = ctx.node("match")
    value = ctx.node("value")
    if value is None:
        return None
    if match.type == "return_statement":
        fn = _gj_function(match)
        name = _node_text(ctx, fn.child_by_field_name("name")) if fn is not None and fn.child_by_field_name("name") is not None else ""
    else:
        target = ctx.node("target")
        if target is not None and target.type in ("field_access", "selector_expression"):
            target = target.child_by_field_name("field") or target
        name = _node_text(ctx, target)
    what = _tokenish(name)
    if what is None or value.type in ("composite_literal", "array_creation_expression", "func_literal", "lambda_expression"):
        return None
    sources, random_ok, hashed, user = _gj_material(ctx, value)
    if random_ok:
        return None
    return _token_verdict(sources, hashed, user, what, value, None)


# ====================================================================== quick fixes: RL145, RL146


CRYPTO_BOUND = linear(r"(\b(const|let|var)\s+crypto\s*=\s*require\(\s*['\"](node:)?crypto['\"]\s*\)|"
                      r"\bimport\s+(\*\s+as\s+)?crypto\s+from\s+['\"](node:)?crypto['\"])")


@fix("webapp.random_token")
def random_token(ctx: MatchContext, v: Verdict):
    """Replace the predictable value with a random token of the same role (Python: secrets,
    JavaScript: crypto.randomBytes). The token's format changes (length, alphabet): not safe."""
    node = v.node
    if node is None:
        return None
    path = ctx.file.path.lower()
    if path.endswith(".py"):
        from redline.rules.predicates.python_fixes import import_edit  # a public helper of the Python fixes
        edits = [TextEdit(Span.of_node(node), "secrets.token_urlsafe(32)")]
        imp = import_edit(ctx, "secrets")
        if imp is not None:
            edits.insert(0, imp)
        return Fix("Use secrets.token_urlsafe(32)", tuple(edits), safe=False)
    if path.endswith((".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".mts", ".cts")):
        bound = CRYPTO_BOUND.search(ctx.file.text.decode("utf-8", "replace")) is not None
        expr = "crypto.randomBytes(32).toString('hex')" if bound else "require('crypto').randomBytes(32).toString('hex')"
        return Fix("Use crypto.randomBytes(32)", (TextEdit(Span.of_node(node), expr),), safe=False)
    return None


@fix("webapp.route_post")
def route_post(ctx: MatchContext, v: Verdict):
    """Register the handler for POST instead of GET (forms and fetch calls must then use POST)."""
    node = ctx.node("match")
    path = ctx.file.path.lower()
    if path.endswith(".py"):
        dec = v.node
        expr = dec.named_children[0] if dec is not None and dec.named_children else None
        if expr is None or expr.type != "call":
            return None
        fn = expr.child_by_field_name("function")
        name = py_text(fn).rsplit(".", 1)[-1]
        if name == "get" and fn.type == "attribute":
            return Fix("Register the handler for POST", (TextEdit(Span.of_node(fn.child_by_field_name("attribute")), "post"),), safe=False)
        if name != "route":
            return None
        pos, kw = call_args(expr)
        if "methods" in kw:
            return None
        args = expr.child_by_field_name("arguments")
        close = args.children[-1] if args is not None and args.children else None
        if close is None or close.type != ")":
            return None
        return Fix("Register the handler for POST", (TextEdit(ctx.file.span(close.start_byte, close.start_byte), ', methods=["POST"]'),), safe=False)
    if path.endswith((".js", ".mjs", ".cjs", ".ts")) and node.type == "call_expression":
        fn = node.child_by_field_name("function")
        prop = fn.child_by_field_name("property") if fn is not None else None
        if prop is None:
            return None
        return Fix("Register the handler for POST", (TextEdit(Span.of_node(prop), "post"),), safe=False)
    return None
