"""Decide from the names around an expression whether it makes a security value.

`Math.random()`, `math/rand` and `java.util.Random` are fine for jitter and shuffling and wrong
for tokens; MD5 is fine for an ETag and wrong for a password. The names of the variable,
property, function, method and class around a call say which it is. Names are split into
lower-case words (`generateSessionId` -> generate, session, id) and compared with word lists.
Used by the JavaScript, Go and Java predicates; only the match's own definition is read.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

SECURITY_WORDS = frozenset({
    "token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pwd", "passphrase",
    "nonce", "salt", "session", "sessionid", "sid", "csrf", "xsrf", "otp", "totp", "hotp", "auth",
    "authentication", "credential", "credentials", "apikey", "iv", "jwt", "bearer", "cipher", "encrypt",
    "encryption", "crypto", "signature", "signing", "reset", "verification", "activation", "invite",
    "invitation", "captcha", "pin", "seed", "privatekey", "secretkey", "accesskey", "oauth", "cookie",
    "challenge", "magic", "recovery", "confirm", "confirmation", "unsubscribe", "license",
})
SECURITY_BIGRAMS = frozenset({
    ("api", "key"), ("secret", "key"), ("private", "key"), ("access", "key"), ("encryption", "key"),
    ("aes", "key"), ("hmac", "key"), ("signing", "key"), ("crypto", "key"), ("session", "key"),
    ("auth", "code"), ("verification", "code"), ("reset", "code"), ("one", "time"), ("access", "code"),
    ("security", "code"), ("confirmation", "code"), ("login", "code"), ("temp", "pass"),
})
PASSWORD_WORDS = frozenset({"password", "passwords", "passwd", "pwd", "passphrase", "pass", "pword"})
NON_SECURITY_HASH_WORDS = frozenset({
    "etag", "cache", "cachekey", "checksum", "dedupe", "dedup", "gravatar", "avatar", "color", "colour",
    "bucket", "shard", "partition", "hashcode", "filename", "fingerprint", "content", "file", "asset",
    "integrity", "chunk", "blob", "eTag", "digest", "md5sum", "sha1sum", "lookup", "index", "legacy",
    "uuid", "serial", "thumbprint", "dedupe", "fingerprints", "shard",
})
NON_SECURITY_RANDOM_WORDS = frozenset({
    "color", "colour", "delay", "jitter", "backoff", "shuffle", "animation", "animate", "position", "width",
    "height", "offset", "retry", "sample", "sampling", "test", "tests", "mock", "fake", "demo", "opacity",
    "angle", "speed", "particle", "star", "game", "dice", "quote", "greeting", "timeout", "wait", "sleep",
    "chart", "noise", "rgb", "hue", "x", "y", "z", "placeholder", "example", "avatar", "element", "dom",
    "key", "react", "component", "class", "classname", "css", "style", "anim", "fixture", "lorem",
})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_words(name: str) -> list[str]:
    """`generateSessionID_v2` -> ["generate", "session", "id", "v", "2"]."""
    return [w.lower() for w in _WORD.findall(name)]


def words_of(names: Iterable[str]) -> set[str]:
    """Lower-case words of all `names`, plus joined bigrams ("api key" -> "apikey")."""
    out: set[str] = set()
    for name in names:
        ws = split_words(name)
        out.update(ws)
        for a, b in zip(ws, ws[1:]):
            if (a, b) in SECURITY_BIGRAMS:
                out.add(a + b)
    return out


def context_words(analyzer, node, names_of: Callable, stop_at_function: bool = False) -> set[str]:
    """Words of the names around `node`: each ancestor contributes what `names_of(analyzer,
    ancestor, child)` returns (the declared variable, the property, the function...)."""
    names: list[str] = _argument_names(analyzer, node)  # md5(password), DigestUtils.sha1Hex(pw)
    child = node
    n = node.parent
    while n is not None:
        names.extend(names_of(analyzer, n, child))
        if n.type in CALL_TYPES and child != n.child_by_field_name("arguments"):
            names.extend(_argument_names(analyzer, n))  # createHash('md5').update(password)
        child, n = n, n.parent
    return words_of(names)


CALL_TYPES = frozenset({"call_expression", "method_invocation"})
IDENTIFIERS = frozenset({"identifier", "property_identifier", "field_identifier", "shorthand_property_identifier"})


def _argument_names(analyzer, call) -> list[str]:
    args = call.child_by_field_name("arguments") if call.type in CALL_TYPES | {"object_creation_expression", "new_expression"} else None
    if args is None:
        return []
    out = []
    stack = list(args.named_children)
    while stack and len(out) < 30:
        n = stack.pop()
        if n.type in IDENTIFIERS:
            out.append(analyzer.text(n))
        elif n.type not in ("arrow_function", "function_expression", "func_literal", "lambda_expression"):
            stack.extend(n.named_children)
    return out


def what(hit: set[str]) -> str:
    """A phrase for the message: "a password", "a session id or token"."""
    order = ["password", "passwd", "pwd", "passphrase", "token", "secret", "apikey", "secretkey", "privatekey",
             "session", "sessionid", "sid", "nonce", "salt", "iv", "otp", "csrf", "xsrf", "reset", "seed", "cookie"]
    for w in order:
        if w in hit:
            return {
                "pwd": "a password", "passwd": "a password", "password": "a password", "passphrase": "a passphrase",
                "apikey": "an API key", "secretkey": "a secret key", "privatekey": "a private key",
                "session": "a session id", "sessionid": "a session id", "sid": "a session id",
                "iv": "an IV", "otp": "a one-time code", "csrf": "a CSRF token", "xsrf": "a CSRF token",
                "reset": "a reset token", "seed": "a seed", "cookie": "a cookie value",
            }.get(w, f"a {w}")
    return "a " + sorted(hit)[0]


# ---------------------------------------------------------------------- names per language


def _strings(analyzer, node, string_types) -> list[str]:
    out = []
    for c in node.named_children:
        if c.type in string_types and c.end_byte - c.start_byte <= 42:
            out.append(analyzer.text(c).strip("'\"`"))
    return out


def js_names(a, n, child) -> list[str]:
    t = n.type
    if t == "variable_declarator":
        return [a.text(n.child_by_field_name("name"))]
    if t in ("assignment_expression", "augmented_assignment_expression"):
        return [a.text(n.child_by_field_name("left"))]
    if t == "pair":
        return [a.text(n.child_by_field_name("key"))]
    if t == "jsx_attribute":
        return [a.text(n.named_children[0])] if n.named_children else []
    if t in ("function_declaration", "method_definition", "class_declaration", "function_expression",
             "generator_function_declaration", "class", "public_field_definition", "field_definition"):
        name = n.child_by_field_name("name") or n.child_by_field_name("property")
        return [a.text(name)] if name is not None else []
    if t == "arguments" and n.parent is not None and n.parent.type in ("call_expression", "new_expression"):
        fn = n.parent.child_by_field_name("function") or n.parent.child_by_field_name("constructor")
        return [a.text(fn).split(".")[-1]] + _strings(a, n, ("string",)) if fn is not None else []
    return []


def go_names(a, n, child) -> list[str]:
    t = n.type
    if t in ("short_var_declaration", "assignment_statement"):
        return [a.text(n.child_by_field_name("left"))]
    if t in ("var_spec", "const_spec"):
        return [a.text(c) for c in n.children_by_field_name("name")]
    if t == "keyed_element":
        return [a.text(n.named_children[0])] if n.named_children else []
    if t in ("function_declaration", "method_declaration"):
        names = [a.text(n.child_by_field_name("name"))]
        recv = n.child_by_field_name("receiver")
        if recv is not None:
            names.append(a.text(recv))
        return names
    if t == "type_spec":
        return [a.text(n.child_by_field_name("name"))]
    if t == "argument_list" and n.parent is not None and n.parent.type == "call_expression":
        fn = n.parent.child_by_field_name("function")
        return [a.text(fn).split(".")[-1]] + _strings(a, n, ("interpreted_string_literal", "raw_string_literal"))
    if t == "return_statement":
        return []
    return []


def java_names(a, n, child) -> list[str]:
    t = n.type
    if t == "variable_declarator":
        return [a.text(n.child_by_field_name("name"))]
    if t == "assignment_expression":
        return [a.text(n.child_by_field_name("left"))]
    if t in ("method_declaration", "class_declaration", "constructor_declaration", "enum_declaration",
             "record_declaration", "interface_declaration"):
        name = n.child_by_field_name("name")
        return [a.text(name)] if name is not None else []
    if t == "argument_list" and n.parent is not None and n.parent.type in ("method_invocation", "object_creation_expression"):
        fn = n.parent.child_by_field_name("name") or n.parent.child_by_field_name("type")
        return ([a.text(fn)] if fn is not None else []) + _strings(a, n, ("string_literal",))
    return []
