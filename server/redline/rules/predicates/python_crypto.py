"""Predicates of the Python crypto, TLS, randomness and configuration rules (RL301-RL307 and the
Python-only RL309-RL315 and the Python table of RL320), plus the file-system ones (temporary files, permissions)."""

from __future__ import annotations

import re

from redline.rules.predicates import MatchContext, Verdict, predicate
from redline.rules.predicates import security_words
from redline.rules.predicates.python_scope import (
    alias_rejected,
    arg,
    call_args,
    call_qualname,
    callee_name,
    enclosing_function,
    function_name,
    has_splat,
    imports_module,
    int_value,
    is_false,
    is_true,
    keyword_node,
    local_text,
    string_value,
    text,
    unwrap,
)
from redline.rules.predicates.python_sinks import HIGH, LOW, MEDIUM, name_words, scope_uses
from redline.rules.predicates.taint_python import (
    CONST,
    module_bindings,
    name_is_bound,
    reaching_values,
    scope_for,
    value_of,
)
from redline.secrets.regex import escape, linear


# ---------------------------------------------------------------- naming context

PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pw", "pword", "passw", "pass", "passwords"})
SIGNATURE_WORDS = frozenset({"sign", "signature", "signed", "signing", "sig", "cert", "certificate", "hmac", "mac",
                             "verify", "verification", "integrity", "authenticate", "auth", "token", "secret"})
SECRET_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "token", "secret", "nonce", "salt", "otp", "totp",
                          "hotp", "csrf", "xsrf", "session", "sessionid", "sid", "apikey", "auth", "reset", "pin",
                          "iv", "activation", "verification", "cookie", "credential", "credentials", "passcode",
                          "tokens", "secrets", "passwords", "sessid", "uuid"})
KEY_COMPANIONS = frozenset({"api", "secret", "private", "crypto", "encryption", "encrypt", "aes", "signing", "hmac",
                            "access", "master", "session", "auth", "jwt", "cipher"})
CODE_COMPANIONS = frozenset({"verification", "otp", "reset", "activation", "invite", "confirm", "confirmation", "auth",
                             "login", "security", "sms", "2fa", "mfa", "recovery"})


def _security_words(words: list[str]) -> str | None:
    """The word that makes a name security-relevant (token, password, key, ...), or None."""
    ws = set(words)
    for w in words:
        if w in SECRET_WORDS:
            return w
    if "key" in ws and (len(ws) == 1 or ws & KEY_COMPANIONS or words[-1] == "key" and len(words) <= 2 and words[0] in ("gen", "generate", "new", "make", "create", "random", "get")):
        return "key"
    if "code" in ws and ws & CODE_COMPANIONS:
        return "code"
    return None


def _context_names(node) -> list[str]:
    """Names that say what a value is used for: the assignment target, the keyword or dict key it
    is passed under, and the enclosing function (when the value is returned)."""
    names: list[str] = []
    n = node
    while n.parent is not None:
        p = n.parent
        t = p.type
        if t in ("assignment", "augmented_assignment") and p.child_by_field_name("right") == n:
            left = p.child_by_field_name("left")
            if left is not None:
                names.append(text(left))
            break
        if t == "keyword_argument":
            names.append(text(p.child_by_field_name("name")))
            break
        if t == "pair":
            key = string_value(p.child_by_field_name("key"))
            if key:
                names.append(key)
            break
        if t == "return_statement":
            fn = enclosing_function(p)
            if fn is not None:
                names.append(function_name(fn))
            break
        if t in ("expression_statement", "block", "module", "function_definition", "if_statement", "for_statement",
                 "while_statement", "with_statement"):
            break
        n = p
    return names


def _names_context(node) -> tuple[str | None, str]:
    for name in _context_names(node):
        w = _security_words(name_words(name))
        if w:
            return w, name
    return None, ""


# ---------------------------------------------------------------- weak hashes (RL301)

WEAK_HASHES = {"md5": "MD5", "sha1": "SHA-1", "md4": "MD4", "md2": "MD2", "sha": "SHA-1", "ripemd160": None}
FAST_HASHES = frozenset({"sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512",
                         "blake2b", "blake2s", "sha512_224", "sha512_256"})
KDF_ADVICE = ("Hash passwords with a slow, salted password hash: argon2 (argon2-cffi's PasswordHasher), bcrypt, "
              "or hashlib.scrypt() / hashlib.pbkdf2_hmac('sha256', password, os.urandom(16), 600_000).")


def _hash_algo(ctx, call, qn: str) -> tuple[str | None, str | None]:
    """(weak algorithm name, fast algorithm name) of a hash constructor call."""
    name = qn.rsplit(".", 1)[-1]
    if qn.startswith("hashlib.") and qn.count(".") == 1:
        if name == "new":
            algo = (string_value(arg(call, 0, "name")) or "").lower().replace("-", "")
            if algo in WEAK_HASHES and WEAK_HASHES[algo]:
                return WEAK_HASHES[algo], None
            if algo in FAST_HASHES:
                return None, algo.upper()
            return None, None
        if name in WEAK_HASHES and WEAK_HASHES[name]:
            return WEAK_HASHES[name], None
        if name in FAST_HASHES:
            return None, name.upper().replace("_", "-")
        return None, None
    if re.match(r"^(Crypto|Cryptodome)\.Hash\.(MD5|MD4|MD2|SHA|SHA1)\.new$", qn):
        return {"MD5": "MD5", "MD4": "MD4", "MD2": "MD2", "SHA": "SHA-1", "SHA1": "SHA-1"}[qn.split(".")[2]], None
    if re.match(r"^cryptography\.hazmat\.primitives\.hashes\.(MD5|SHA1)$", qn):
        return {"MD5": "MD5", "SHA1": "SHA-1"}[name], None
    if qn in ("md5.new", "sha.new", "md5.md5"):
        return ("MD5" if qn.startswith("md5") else "SHA-1"), None
    return None, None


def _hashed_names(ctx, call) -> list[str]:
    """What the hash is computed over: the argument, and data fed with .update() later."""
    out = []
    positional, kw = call_args(call)
    data = kw.get("data") or kw.get("string")
    if positional and callee_name(call) != "new":
        data = positional[0]
    elif len(positional) > 1:
        data = positional[1]
    if data is not None:
        out.append(text(data))
    # h = hashlib.md5(); h.update(password)
    p = call.parent
    if p is not None and p.type == "assignment" and p.child_by_field_name("right") == call:
        left = p.child_by_field_name("left")
        fn = enclosing_function(call)
        if left is not None and left.type == "identifier" and fn is not None:
            pattern = linear(rb"\b" + escape(left.text) + rb"\.update\(([^)]*)\)")
            out.extend(m.group(1).decode("utf-8", "replace") for m in pattern.finditer(fn.text))
    return out


HMAC_CALLS = frozenset({"hmac.new", "hmac.HMAC", "hmac.digest"})
DIGEST_PARAMS = (b"digestmod", b"digest_method")


def _hmac_digest_factory(ctx, call) -> bool:
    """The hash call only builds the digest of an HMAC (HMAC-SHA1 and HMAC-MD5 are not broken as
    MACs, collisions do not forge them): a lambda passed to hmac.new()/as `digestmod`, or a
    function that returns the hash object and is named as a `digestmod`/`digest_method` in the
    file (itsdangerous' and Flask's signers). `hashlib.sha1` passed uncalled never matches."""
    node = call.parent
    if node is not None and node.type == "lambda" and node.child_by_field_name("body") == call:
        holder = node.parent
        if holder is not None and holder.type == "keyword_argument":
            key = holder.child_by_field_name("name")
            return key is not None and key.text in DIGEST_PARAMS
        if holder is not None and holder.type == "argument_list" and holder.parent is not None:
            return (call_qualname(ctx.file, holder.parent) or "") in HMAC_CALLS
        return False
    if node is None or node.type != "return_statement":
        return False
    fn = enclosing_function(call)
    if fn is None or fn.type != "function_definition":
        return False
    name = function_name(fn).encode()
    if not name:
        return False
    for line in ctx.file.text.splitlines():  # bytes tests only: linear in the file
        if name in line and any(p in line for p in DIGEST_PARAMS) and not line.lstrip().startswith(b"def "):
            return True
    return False


# Names that say a digest is an identifier, not a protection: cache keys, file and template names,
# ETags, GUIDs of stored files, queue slots; plus the RFC 6455 handshake (SHA-1 over the client's
# key and a fixed GUID) and HTTP digest-auth client nonces, where the protocol fixes the hash.
NON_SECURITY_HASH = (security_words.NON_SECURITY_HASH_WORDS | frozenset({
    "guid", "name", "slot", "unique", "tmpl", "template", "url", "path", "filename", "source", "ws", "websocket",
    "accept", "handshake", "cnonce", "bytecode",
})) - {"digest", "integrity", "fingerprint", "fingerprints", "thumbprint"}
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"



def _non_security_hash(ctx, call, data_words: list[str], context: list[str]) -> bool:
    """A weak hash used as a name, key or checksum, or as a protocol mandates it. A security word
    beside it (api_key, session, token) keeps the finding."""
    p = call.parent
    if p is not None and p.type == "attribute" and text(p.child_by_field_name("attribute")) in ("digest_size", "block_size", "name"):
        return True  # only the hash's size is read
    if "cnonce" in context or WEBSOCKET_GUID in local_text(ctx.file, call):
        return True  # the protocol fixes the hash (HTTP digest auth, RFC 6455 Sec-WebSocket-Accept)
    if _security_words(context) or _security_words(data_words):
        return False
    return bool(NON_SECURITY_HASH.intersection(context + data_words))


CHALLENGE_WORDS = frozenset({"scramble", "challenge", "nonce", "cnonce"})


def _challenge_response(fn, data_words: list[str]) -> bool:
    """The password is hashed into the answer to a server's challenge, as an authentication
    protocol fixes it (MySQL's scramble, CRAM-MD5, HTTP digest and WSSE nonces): a function that
    takes the challenge as a parameter, or hashes it with the password. Nothing is stored, and the
    client cannot pick another hash; storing passwords is judged where it happens."""
    if CHALLENGE_WORDS.intersection(data_words):
        return True
    params = fn.child_by_field_name("parameters") if fn is not None else None
    if params is None:
        return False
    words = {w for n in _identifiers(params) for w in name_words(text(n))}
    return bool(CHALLENGE_WORDS & words)


def _oaep_parameter(call) -> bool:
    """`padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), ...)`: RSA-OAEP's
    mask generation and label hash, where SHA-1 is still sound (no collision resistance is needed;
    RFC 8017 and JOSE's RSA-OAEP use it), not a digest of data."""
    p = call.parent
    if p is not None and p.type == "keyword_argument":
        p = p.parent
    if p is None or p.type != "argument_list" or p.parent is None or p.parent.type != "call":
        return False
    return callee_name(p.parent) in ("OAEP", "MGF1")


@predicate("python.weak_hash")
def weak_hash(ctx: MatchContext):
    if alias_rejected(ctx):
        return None
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    weak, fast = _hash_algo(ctx, call, qn)
    if weak is None and fast is None:
        return None
    used = keyword_node(call, "usedforsecurity")
    if used is not None and is_false(used.child_by_field_name("value")):
        return None
    data_words = [w for t in _hashed_names(ctx, call) for w in name_words(t)]
    context = [w for name in _context_names(call) for w in name_words(name)]
    fn = enclosing_function(call)
    fn_words = name_words(function_name(fn)) if fn is not None else []
    password = bool(PASSWORD_WORDS & set(data_words + context)) or (
        bool(PASSWORD_WORDS & set(fn_words)) and bool(data_words) and not (set(data_words) & {"salt", "user", "username", "name", "email"})
    )
    if fast and not password:
        return None
    if password and _challenge_response(fn, data_words):
        return None
    if not password and _hmac_digest_factory(ctx, call):
        return None
    algo = weak or f"{fast} (a fast hash)"
    if password:
        return Verdict(
            confidence=HIGH,
            args={"algo": algo, "problem": "is used to hash a password: fast hashes are brute-forced at billions of guesses per second.",
                  "advice": KDF_ADVICE},
            data={"password": True},
        )
    signature = bool(SIGNATURE_WORDS & set(data_words + context + fn_words))
    if not signature and (_non_security_hash(ctx, call, data_words, context + fn_words) or _oaep_parameter(call)):
        return None
    # Left: a weak hash with nothing around it that says what it is for (h = md5(data)), at low
    # confidence. Dropping these was measured (bench/results/python_noise.md): no record of
    # SecurityEval, SALLM, SVEN or SafeCoder needs them, but 29 of CyberSecEval's 55 Python CWE-328
    # records do, so they stay.
    return Verdict(
        confidence=HIGH if signature else LOW,
        args={"algo": algo, "problem": "is broken for security use: collisions can be forged.",
              "advice": f"Use hashlib.sha256() (or SHA-3/BLAKE2){'' if signature else ', or pass usedforsecurity=False where the digest is not security-relevant (a cache key)'}."},
        data={"password": False},
    )


# ---------------------------------------------------------------- weak ciphers (RL302)

CRYPTO_WEAK = {"DES": "DES", "DES3": "3DES", "ARC4": "RC4", "ARC2": "RC2", "Blowfish": "Blowfish", "CAST": "CAST",
               "XOR": "XOR"}
CRYPTOGRAPHY_WEAK = {"TripleDES": "3DES", "ARC4": "RC4", "Blowfish": "Blowfish", "IDEA": "IDEA", "CAST5": "CAST5",
                     "SEED": "SEED", "_DES": "DES"}


def _mode_is_ecb(node) -> bool:
    return node is not None and text(node).rsplit(".", 1)[-1] in ("MODE_ECB",)


@predicate("python.weak_cipher")
def weak_cipher(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    parts = qn.split(".")
    name = parts[-1]
    pycrypto = imports_module(ctx.file, "Crypto", "Cryptodome")
    if name == "new" and len(parts) >= 2:
        cipher = parts[-2]
        # DES3.new(...) is unmistakable even in a fragment without its import.
        if cipher in CRYPTO_WEAK and (qn.startswith(("Crypto.", "Cryptodome.")) or pycrypto or qn == f"{cipher}.new"):
            return Verdict(args={"algo": CRYPTO_WEAK[cipher]}, data={"cipher": cipher})
        positional, kw = call_args(call)
        mode = positional[1] if len(positional) > 1 else kw.get("mode")
        if _mode_is_ecb(mode) and (qn.startswith(("Crypto.", "Cryptodome.")) or pycrypto):
            return Verdict(args={"algo": f"{cipher} in ECB mode"})
        if cipher == "AES" and mode is None and len(positional) == 1 and pycrypto:
            return Verdict(confidence=MEDIUM, args={"algo": "AES without a mode (ECB in old PyCrypto)"})
        return None
    if name in CRYPTOGRAPHY_WEAK and (qn.startswith("cryptography") or ".algorithms." in qn or imports_module(ctx.file, "cryptography")):
        return Verdict(args={"algo": CRYPTOGRAPHY_WEAK[name]})
    if name == "ECB" and (qn.startswith("cryptography") or imports_module(ctx.file, "cryptography")):
        return Verdict(args={"algo": "ECB mode"})
    if qn in ("pyDes.des", "pyDes.triple_des", "des", "triple_des") and imports_module(ctx.file, "pyDes"):
        return Verdict(args={"algo": "DES" if name == "des" else "3DES"})
    return None


# ---------------------------------------------------------------- key sizes (RL303)


@predicate("python.weak_key_size")
def weak_key_size(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    name = qn.rsplit(".", 1)[-1]
    size = None
    if name == "generate_private_key" and ("rsa" in qn or "dsa" in qn or imports_module(ctx.file, "cryptography")):
        if ".ec." in qn or qn.startswith("ec."):
            return None
        positional, kw = call_args(call)
        node = kw.get("key_size")
        if node is None:
            node = positional[1] if "rsa" in qn and len(positional) > 1 else (positional[0] if "dsa" in qn and positional else None)
        size = _key_size(ctx, node)
    elif name == "generate" and re.search(r"(^|\.)\w*(RSA|DSA)\.generate$", qn):
        size = _key_size(ctx, arg(call, 0, "bits"))
    elif qn == "rsa.newkeys":
        size = _key_size(ctx, arg(call, 0, "nbits"))
    elif name == "generate_key" and imports_module(ctx.file, "OpenSSL"):
        size = _key_size(ctx, arg(call, 1, "bits"))
    if size is None or size >= 2048:
        return None
    return Verdict(args={"bits": str(size)})


def _key_size(ctx, node) -> int | None:
    """The key size an argument gives: a literal, a variable whose every reaching assignment is
    one literal, or a parameter left at its literal default (def make(bits=1024)), which is the
    size every caller gets unless it passes another."""
    size = int_value(node)
    node = unwrap(node)
    if size is not None or node is None or node.type != "identifier":
        return size
    values = reaching_values(ctx.file, node)
    if values:
        sizes = {int_value(v) for v in values}
        return sizes.pop() if len(sizes) == 1 else None
    scope = scope_for(ctx.file, node)
    param = scope.params.get(text(node))
    if param is not None and text(node) not in scope.defs:
        return int_value(param[1])
    return None


# ---------------------------------------------------------------- randomness (RL304)

RANDOM_FUNCS = frozenset({"random", "randint", "randrange", "choice", "choices", "sample", "shuffle", "getrandbits",
                          "uniform", "randbytes", "triangular"})


@predicate("python.insecure_random")
def insecure_random(ctx: MatchContext):
    if alias_rejected(ctx):
        return None
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    if not (qn.startswith("random.") and qn.count(".") == 1 and qn.split(".")[1] in RANDOM_FUNCS):
        if not (qn.startswith(("numpy.random.", "np.random.")) and qn.rsplit(".", 1)[-1] in RANDOM_FUNCS | {"rand", "randn", "bytes"}):
            return None
    # Climb to the expression whose name tells what the value is for.
    word, name = _names_context(call)
    if word is None:
        # A helper that generates a security value: def generate_token(...): ... return ...
        fn = enclosing_function(call)
        if fn is not None:
            w = _security_words(name_words(function_name(fn)))
            if w and _flows_to_return(call, fn):
                word, name = w, function_name(fn)
    if word is None:
        # Where the value goes: a cookie, the session, a password=/token= argument (not for
        # values that are not identifiers: a uniform delay, a shuffle).
        flow = _random_flow(ctx, call) if qn.rsplit(".", 1)[-1] not in ("uniform", "shuffle", "gauss") else None
        if flow is None:
            return None
        return Verdict(confidence=HIGH, args={"how": f"{qn}()", "what": flow}, data={"qualname": qn})
    what = {"password": "a password", "passwd": "a password", "pwd": "a password", "token": "a token",
            "secret": "a secret", "nonce": "a nonce", "salt": "a salt", "otp": "a one-time password",
            "session": "a session id", "key": "a key", "csrf": "a CSRF token", "iv": "an IV", "pin": "a PIN",
            "code": "a verification code", "reset": "a reset token"}.get(word, f"'{name}'")
    strong = word not in ("key", "code", "pin", "uuid", "cookie", "sid")
    return Verdict(
        confidence=HIGH if strong else MEDIUM,
        args={"how": f"{qn}()", "what": what},
        data={"qualname": qn},
    )


# Calls through which a random value stays what it was (its text, its digits).
PASS_THROUGH = frozenset({"str", "hex", "format", "join", "encode", "decode", "hexlify", "b64encode",
                          "urlsafe_b64encode", "zfill", "rjust", "ljust", "bytes", "repr"})
SECRET_KEYWORDS = {"password": "a password", "passwd": "a password", "token": "a token", "secret": "a secret",
                   "api_key": "a key", "key": "a key", "nonce": "a nonce", "salt": "a salt", "otp": "a one-time password",
                   "session_id": "a session id", "sid": "a session id", "csrf_token": "a CSRF token"}


def _same(a, b) -> bool:
    return a is not None and b is not None and a.start_byte == b.start_byte and a.end_byte == b.end_byte and a.type == b.type


def _random_flow(ctx, call, depth: int = 0) -> str | None:
    """What a random value is used as, judged by where it flows in the function: the value of a
    cookie (set_cookie), an entry of the session, a password=/token=/secret= argument; through
    str()/join()/format()/f-strings/concatenation and local variables (two assignments deep)."""
    n = call
    while n.parent is not None:
        p = n.parent
        t = p.type
        if t in ("binary_operator", "parenthesized_expression", "interpolation", "string", "concatenated_string",
                 "list", "tuple", "generator_expression", "list_comprehension", "for_in_clause"):
            n = p
            continue
        if t == "argument_list" and p.parent is not None and p.parent.type == "call":
            outer = p.parent
            name = callee_name(outer)
            if name in PASS_THROUGH:
                n = outer
                continue
            if name == "set_cookie":
                positional, kw = call_args(outer)
                if (len(positional) > 1 and _same(positional[1], n)) or _same(kw.get("value"), n):
                    cookie = string_value(positional[0] if positional else kw.get("key")) or ""
                    words = name_words(cookie)
                    if _security_words(words) or set(words) & {"sid", "id", "sess", "auth", "login", "remember"}:
                        return f"the value of the '{cookie}' cookie"
            return None
        if t == "call" and _same(p.child_by_field_name("arguments"), n) and callee_name(p) in PASS_THROUGH:
            n = p  # ''.join(random.choice(ALPHABET) for _ in range(n))
            continue
        if t == "attribute" and p.parent is not None and p.parent.type == "call" and _same(p.child_by_field_name("object"), n):
            if callee_name(p.parent) in PASS_THROUGH:  # ''.join(...) receiver is the separator; value.hex()
                n = p.parent
                continue
            return None
        if t == "keyword_argument":
            key = text(p.child_by_field_name("name")).lower()
            return SECRET_KEYWORDS.get(key)
        if t == "assignment" and _same(p.child_by_field_name("right"), n):
            left = unwrap(p.child_by_field_name("left"))
            if left is not None and left.type == "subscript":
                base = text(left.child_by_field_name("value"))
                if base.endswith("session"):
                    return "a value stored in the session"
                return None
            if left is not None and left.type == "identifier" and depth < 2:
                for use in scope_uses(ctx.file, left, text(left)):
                    if use.start_byte > p.end_byte:
                        found = _random_flow(ctx, use, depth + 1)
                        if found is not None:
                            return found
            return None
        return None
    return None


def _flows_to_return(call, fn) -> bool:
    n = call
    while n is not None and n != fn:
        if n.type == "return_statement":
            return True
        if n.type in ("assignment", "augmented_assignment"):
            left = n.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                return linear(rb"return\b[^\n]*\b" + escape(left.text) + rb"\b").search(fn.text) is not None
            return False
        n = n.parent
    return False


# ---------------------------------------------------------------- TLS (RL305, RL320)

HTTP_CALLS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
                        "Client", "AsyncClient", "Session", "ClientSession", "TCPConnector", "urlopen", "Request",
                        "mount", "build_opener", "HTTPSConnection", "PoolManager", "ProxyManager", "HTTPAdapter",
                        "HTTPSConnectionPool", "connection_from_url", "ws_connect", "create_connection", "Http"})


TLS_CHOICE_WORDS = frozenset({"verify", "verified", "cert", "certs", "reqs", "ssl", "tls", "insecure", "hostname",
                              "check", "unverified", "validate", "secure"})


def _callers_tls_choice(node) -> bool:
    """The statement runs only in a branch taken on the caller's TLS choice: an if/elif (or its
    else) in a function whose condition reads a verify/cert/ssl-named value (`elif verify is
    False:`, `if ssl_options["cert_reqs"] == CERT_NONE:`). A library honouring `verify=False`
    turns nothing off by itself; the caller's verify=False is reported where it is written."""
    fn = enclosing_function(node)
    if fn is None:
        return False
    n = node
    while n is not None and n != fn:
        parent = n.parent
        if parent is not None and parent.type in ("if_statement", "elif_clause", "else_clause") and n.type == "block":
            stmt = parent if parent.type == "if_statement" else parent.parent
            conds = [stmt.child_by_field_name("condition")] + [
                c.child_by_field_name("condition") for c in stmt.named_children if c.type == "elif_clause"]
            for cond in conds:
                if cond is None:
                    continue
                for ident in _identifiers(cond):
                    name = text(ident)
                    if TLS_CHOICE_WORDS.intersection(name_words(name)):
                        return True
        n = parent
    return False


def _identifiers(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            yield n
        stack.extend(n.named_children)


@predicate("python.tls_verify_off")
def tls_verify_off(ctx: MatchContext):
    node = ctx.node("match")
    t = node.type
    if t in ("assignment", "keyword_argument") and _callers_tls_choice(node):
        return None
    if t == "keyword_argument":
        key = text(node.child_by_field_name("name"))
        value = node.child_by_field_name("value")
        call = node.parent.parent if node.parent is not None else None
        if call is None or call.type != "call":
            return None
        qn = call_qualname(ctx.file, call) or callee_name(call)
        if qn.startswith(("jwt", "jose")) or "jwt" in qn.lower():
            return None
        if key in ("cert_reqs", "verify_mode"):
            if text(value).rsplit(".", 1)[-1].strip("'\"") != "CERT_NONE":
                return None
            return Verdict(args={"how": f"{key}=CERT_NONE"}, data={"remove": False})
        if not is_false(value):
            return None
        name = qn.rsplit(".", 1)[-1]
        if not (qn.startswith(("requests", "httpx", "aiohttp", "urllib3", "urllib", "httplib2", "tornado", "websocket"))
                or name in HTTP_CALLS):
            return None
        if key == "check_hostname":
            return Verdict(args={"how": "check_hostname=False"}, data={"remove": True})
        return Verdict(args={"how": f"{key}=False"}, data={"remove": True})
    if t == "call":
        qn = call_qualname(ctx.file, call := node) or ""
        name = ctx.text("fn")
        if name in ("_create_unverified_context", "_create_stdlib_context"):
            if qn.startswith("ssl.") or imports_module(ctx.file, "ssl"):
                return Verdict(args={"how": f"ssl.{name}()"})
            return None
        if name == "wrap_socket" and qn == "ssl.wrap_socket":
            kw = keyword_node(call, "cert_reqs")
            if kw is not None and "CERT_REQUIRED" in text(kw.child_by_field_name("value")):
                return None
            return Verdict(args={"how": "ssl.wrap_socket() (deprecated; it checks no certificate or host name by default)"})
        if name == "set_missing_host_key_policy":
            policy = arg(call, 0)
            ptext = text(policy)
            if "AutoAddPolicy" in ptext or "WarningPolicy" in ptext:
                return Verdict(args={"how": f"paramiko {ptext.rstrip('()')} (accepts any SSH host key)"})
            return None
        if name == "Context" and (qn.startswith("OpenSSL.SSL") or imports_module(ctx.file, "OpenSSL")) and "SSL" in qn:
            body = local_text(ctx.file, call)
            if b"set_verify" not in body:
                return Verdict(confidence=MEDIUM, args={"how": "A pyOpenSSL Context without set_verify() (it verifies nothing by default)"})
            return None
        return None
    if t == "assignment":
        left = node.child_by_field_name("left")
        value = node.child_by_field_name("right")
        attr = text(left.child_by_field_name("attribute")) if left is not None and left.type == "attribute" else ""
        if attr == "check_hostname" and is_false(value):
            return Verdict(args={"how": "check_hostname = False"})
        if attr == "verify_mode" and text(value).rsplit(".", 1)[-1] == "CERT_NONE":
            return Verdict(args={"how": "verify_mode = CERT_NONE"})
        if attr == "verify" and is_false(value):
            return Verdict(args={"how": f"{text(left)} = False"})
        if attr == "_create_default_https_context" and "unverified" in text(value):
            return Verdict(args={"how": "Replacing ssl._create_default_https_context with an unverified context"})
    return None


WEAK_PROTOCOLS = {"PROTOCOL_SSLv2": "SSL 2", "PROTOCOL_SSLv3": "SSL 3", "PROTOCOL_TLSv1": "TLS 1.0",
                  "PROTOCOL_TLSv1_1": "TLS 1.1", "SSLv2_METHOD": "SSL 2", "SSLv3_METHOD": "SSL 3",
                  "TLSv1_METHOD": "TLS 1.0", "TLSv1_1_METHOD": "TLS 1.1", "SSLv3": "SSL 3", "TLSv1": "TLS 1.0",
                  "TLSv1_1": "TLS 1.1", "SSLv2": "SSL 2"}


@predicate("python.weak_tls_version")
def weak_tls_version(ctx: MatchContext):
    node = ctx.node("match")
    name = ctx.text("v")
    label = WEAK_PROTOCOLS.get(name)
    if label is None:
        return None
    obj = text(node.child_by_field_name("object"))
    if name in ("SSLv3", "TLSv1", "TLSv1_1", "SSLv2"):
        if not obj.endswith("TLSVersion"):
            return None
        # Only as the minimum version to accept.
        p = node.parent
        if p is None or p.type not in ("assignment", "keyword_argument"):
            return None
        target = p.child_by_field_name("left") if p.type == "assignment" else p.child_by_field_name("name")
        if target is None or "minimum_version" not in text(target):
            return None
    elif not (obj.endswith(("ssl", "SSL")) or imports_module(ctx.file, "ssl", "OpenSSL")):
        return None
    p = node.parent
    while p is not None and p.type in ("parenthesized_expression",):
        p = p.parent
    if p is not None and p.type in ("comparison_operator", "boolean_operator", "not_operator"):
        return None
    if p is not None and p.type == "argument_list" and callee_name(p.parent) in ("hasattr", "getattr", "set_options", "isinstance"):
        return None
    # A table from one library's protocol constants to another's (a dict entry, a lookup key, or
    # `table[ssl.PROTOCOL_TLSv1] = SSL.TLSv1_METHOD`) selects nothing by itself.
    # An options dict (`{"ssl_version": ssl.PROTOCOL_TLSv1}`, `opts["ssl_version"] = ...`) has
    # string keys and stays reported.
    if p is not None and p.type == "subscript" and p.child_by_field_name("subscript") == node:
        return None
    # ... unless the key names the version itself: {"TLSv1.0": SSL.TLSv1_METHOD} maps a setting's
    # value to the library's constant, the setting decides.
    if p is not None and p.type == "pair":
        key = p.child_by_field_name("key")
        if key.type != "string" or (string_value(key) or "").lower().startswith(("tlsv", "sslv")):
            return None
    if p is not None and p.type == "assignment" and p.child_by_field_name("right") == node:
        left = p.child_by_field_name("left")
        if left is not None and left.type == "subscript" and left.child_by_field_name("subscript").type != "string":
            return None
    return Verdict(args={"version": label})


# ---------------------------------------------------------------- IVs, salts (RL309, RL310)

CIPHER_MODES = frozenset({"CBC", "CFB", "CFB8", "OFB", "CTR", "GCM", "XTS"})


def name_is_bound_locally(file, ident) -> bool:
    scope = scope_for(file, ident)
    name = text(ident)
    return scope.node.type == "module" or name in scope.params or name in scope.defs or name in scope.declared_global


def _constant_bytes(ctx, node) -> bool:
    """A literal, or a name bound only to literals (b'\\x00' * 16, '01234567')."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("string", "concatenated_string", "binary_operator", "integer", "identifier", "attribute", "call"):
        if node.type == "call":
            n = callee_name(node)
            if n not in ("bytes", "bytearray", "encode", "fromhex", "unhexlify"):
                return False
        val = value_of(ctx.file, node, "generic")
        if val.level != CONST:
            return False
        if node.type in ("identifier", "attribute"):
            values = reaching_values(ctx.file, node) if node.type == "identifier" else []
            if not values and node.type == "identifier" and not name_is_bound_locally(ctx.file, node):
                # A module constant (NONCE = bytes(12)) used inside a function.
                values = [d.value for d in module_bindings(ctx.file, text(node)) if d.kind == "assign" and d.value is not None]
            if not values:
                return False
            return all(_constant_bytes(ctx, v) for v in values)
        return True
    return False


@predicate("python.static_iv")
def static_iv(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    name = qn.rsplit(".", 1)[-1]
    iv = None
    if name in CIPHER_MODES and (qn.startswith("cryptography") or ".modes." in qn or qn.startswith("modes.")):
        iv = arg(call, 0, "initialization_vector") or arg(call, 0, "nonce") or arg(call, 0, "tweak")
    elif name == "new" and (qn.startswith(("Crypto.", "Cryptodome.")) or imports_module(ctx.file, "Crypto", "Cryptodome")
                            or qn in {f"{c}.new" for c in ("AES", "DES", "DES3", "Blowfish", "ARC2", "CAST")}):
        positional, kw = call_args(call)
        iv = kw.get("iv") or kw.get("IV") or kw.get("nonce") or (positional[2] if len(positional) > 2 else None)
        mode = positional[1] if len(positional) > 1 else kw.get("mode")
        if mode is not None and _mode_is_ecb(mode):
            return None
    if iv is None or not _constant_bytes(ctx, iv):
        return None
    return Verdict(args={"what": "initialization vector" if "nonce" not in text(iv).lower() else "nonce"})


@predicate("python.predictable_salt")
def predictable_salt(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    name = qn.rsplit(".", 1)[-1]
    positional, kw = call_args(call)
    salt = None
    if qn == "hashlib.pbkdf2_hmac":
        salt = kw.get("salt") or (positional[2] if len(positional) > 2 else None)
    elif qn == "hashlib.scrypt":
        salt = kw.get("salt")
    elif name in ("PBKDF2HMAC", "Scrypt", "HKDF", "Argon2id") and "cryptography" in qn:
        salt = kw.get("salt") or (positional[2] if name == "PBKDF2HMAC" and len(positional) > 2 else None)
    elif qn == "bcrypt.hashpw":
        salt = positional[1] if len(positional) > 1 else kw.get("salt")
    elif name == "PBKDF2" and qn.startswith(("Crypto.", "Cryptodome.")):
        salt = positional[1] if len(positional) > 1 else kw.get("salt")
    if salt is None:
        return None
    if _constant_bytes(ctx, salt):
        return Verdict(confidence=HIGH, args={"how": "a constant"})
    node = unwrap(salt)
    values = reaching_values(ctx.file, node) if node.type == "identifier" else [node]
    for v in values:
        vt = v.text
        if re.search(rb"\b(md5|sha1|sha224|sha256|sha384|sha512|blake2b|blake2s|hashlib\.new)\s*\(", vt):
            return Verdict(confidence=MEDIUM, args={"how": "a hash of other data"})
    return None


# ---------------------------------------------------------------- comparisons (RL312)

NOT_SECRET_WORDS = frozenset({
    "type", "types", "name", "kind", "len", "length", "count", "id", "format", "field", "url", "header", "prefix",
    "suffix", "algorithm", "algo", "method", "version", "required", "enabled", "expected", "key", "start", "end",
    "pos", "position", "index", "reason", "mode", "status", "state", "class", "label", "tag", "test", "regex",
    "pattern", "message", "msg", "error", "errors", "validator", "validators", "field", "policy", "rule", "rules",
    "form", "widget", "template", "attr", "value", "values", "list", "dict", "set", "str", "string", "char",
})
# Not here: "sig" (signal numbers), "nonce" (public by design: digest-auth and OpenID nonces are
# sent in the clear), "checksum" (cache and file integrity). Their comparisons leak nothing secret.
SECRETISH = frozenset({"signature", "hmac", "digest", "mac", "token", "otp", "csrf", "secret", "password",
                       "passwd", "hash", "hashed", "apikey", "pwd", "pw"})
# Words that make an UPPER_CASE constant a credential (API_TOKEN, ADMIN_PASSWORD) rather than a
# protocol or lexer name (SIGNATURE_PLAINTEXT, TOKEN_DATA, signal.SIGTERM, PP_V2_SIGNATURE).
CREDENTIAL_CONSTANT_WORDS = frozenset({"secret", "password", "passwd", "pwd", "pw", "apikey", "credential", "credentials",
                                       "private", "master"})
# ... or a token/key word with one of these (API_TOKEN, AUTH_KEY; AUTH_HEADER is a placement).
CREDENTIAL_COMPANIONS = frozenset({"api", "auth", "access", "bearer", "admin", "session", "signing", "hmac"})
EQUALITY_METHODS = frozenset({"__eq__", "__ne__", "__hash__"})


def _protocol_constant(node) -> bool:
    """An UPPER_CASE name (a module constant, signal.SIGTERM, self.WAKEUP_REQUEST) that does not
    name a credential: a protocol, lexer or signal value, public by nature."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "attribute":
        node = node.child_by_field_name("attribute")
    if node is None or node.type != "identifier":
        return False
    name = text(node)
    if not name.isupper():
        return False
    ws = set(name_words(name))
    credential = ws & CREDENTIAL_CONSTANT_WORDS or (ws & {"token", "key"} and ws & CREDENTIAL_COMPANIONS)
    return not credential


def _mentions_identifier(node, name: str) -> bool:
    return any(text(i) == name for i in _identifiers(node))


def _secretish(node) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    t = node.type
    if t in ("string", "integer", "none", "true", "false", "float", "concatenated_string"):
        return None
    if t == "call":
        name = callee_name(node)
        if name in ("hexdigest", "digest"):
            return "a digest"
        words = set(name_words(name))
        if {"sign", "hmac", "signature", "mac"} & words and not words & NOT_SECRET_WORDS:
            return "a signature"
        return None
    if t in ("identifier", "attribute", "subscript"):
        last = text(node)
        if t == "attribute":
            last = text(node.child_by_field_name("attribute"))
        elif t == "subscript":
            key = string_value(node.child_by_field_name("subscript"))
            last = key or text(node.child_by_field_name("value")).rsplit(".", 1)[-1]
        words = name_words(last)
        if set(words) & NOT_SECRET_WORDS:
            return None
        if t in ("identifier", "attribute") and _protocol_constant(node):
            return None
        hit = set(words) & SECRETISH
        if hit:
            return f"'{last}'"
    return None


def _local_name(ctx, node) -> bool:
    node = unwrap(node)
    if node is None or node.type != "identifier" or text(node).isupper():
        return False
    scope = scope_for(ctx.file, node)
    name = text(node)
    return name in scope.params or name in scope.defs


@predicate("python.timing_compare")
def timing_compare(ctx: MatchContext):
    node = ctx.node("match")
    ops = [c.type for c in node.children if not c.is_named]
    if len(ops) != 1 or ops[0] not in ("==", "!="):
        return None
    left, right = node.named_children[0], node.named_children[-1]
    if _secretish(left) is None and _secretish(right) is None:
        return None  # no side reads like a secret (the loop below would find none): skip the value tracking
    if value_of(ctx.file, left, "generic").tainted and value_of(ctx.file, right, "generic").tainted:
        return None  # two values from the request (password == password_confirmation)
    if all(_local_name(ctx, x) for x in (left, right)):
        return None  # two local values (password == password_confirmation): no stored secret is probed
    if function_name(enclosing_function(node)) in EQUALITY_METHODS:
        return None  # an object's __eq__ compares two objects of the program, not a guess
    for a, b in ((left, right), (right, left)):
        what = _secretish(a)
        if what is None:
            continue
        bu = unwrap(b)
        if bu is None or bu.type in ("string", "integer", "none", "true", "false", "concatenated_string", "float"):
            return None
        if bu.type == "call" and callee_name(bu) in ("len", "type", "int", "bool"):
            return None
        if _protocol_constant(bu):
            return None  # token == TOKEN_DATA, sig == signal.SIGTERM: a protocol value, not a secret
        au = unwrap(a)
        if au is not None and au.type == "identifier" and _mentions_identifier(bu, text(au)):
            return None  # token.strip() != token: the value against itself
        return Verdict(args={"what": what})
    return None


# ---------------------------------------------------------------- debug, cookies, CSRF (RL306, RL307, RL313)

DJANGO_SETTINGS = (b"INSTALLED_APPS", b"MIDDLEWARE", b"ALLOWED_HOSTS", b"ROOT_URLCONF", b"DATABASES", b"SECRET_KEY",
                   b"TEMPLATES", b"WSGI_APPLICATION")


def _settings_module(ctx) -> bool:
    path = ctx.file.path.replace("\\", "/").lower()
    name = path.rsplit("/", 1)[-1]
    if "settings" in name or "/settings/" in path or name in ("config.py", "conf.py", "production.py", "prod.py", "base.py"):
        if "settings" in path or any(re.search(rb"(?m)^" + k + rb"\s*=", ctx.file.text) for k in DJANGO_SETTINGS[:4]):
            return True
    # Module-level assignments only (lines that start with the name): other definitions are not read.
    return sum(1 for k in DJANGO_SETTINGS if re.search(rb"(?m)^" + k + rb"\s*=", ctx.file.text)) >= 2


@predicate("python.debug_mode")
def debug_mode(ctx: MatchContext):
    node = ctx.node("match")
    t = node.type
    if t == "call":
        qn = call_qualname(ctx.file, node) or ""
        name = qn.rsplit(".", 1)[-1] or callee_name(node)
        flags = [k for k in ("debug", "use_debugger", "DEBUG") if keyword_node(node, k) is not None and is_true(keyword_node(node, k).child_by_field_name("value"))]
        if not flags:
            return None
        if name == "run_simple" and keyword_node(node, "use_debugger") is not None:
            return Verdict(args={"how": "run_simple(use_debugger=True)"})
        if name == "run" and keyword_node(node, "debug") is not None and imports_module(ctx.file, "flask", "quart", "sanic", "bottle"):
            return Verdict(args={"how": f"{text(node.child_by_field_name('function'))}(debug=True)"}, data={"keyword": "debug"})
        if name == "update" and text(node.child_by_field_name("function")).endswith("config") and keyword_node(node, "DEBUG") is not None:
            return Verdict(args={"how": "config DEBUG=True"})
        if name in ("Flask", "FastAPI", "Starlette") and keyword_node(node, "debug") is not None:
            return Verdict(args={"how": f"{name}(debug=True)"})
        return None
    if t == "assignment":
        left = node.child_by_field_name("left")
        if left.type == "identifier" and text(left) == "DEBUG":
            if node.parent is None or node.parent.parent is None or node.parent.parent.type != "module":
                return None
            if not _settings_module(ctx):
                return None
            return Verdict(args={"how": "DEBUG = True in the settings"})
        if left.type == "attribute" and text(left.child_by_field_name("attribute")) == "debug":
            if imports_module(ctx.file, "flask", "quart"):
                return Verdict(args={"how": f"{text(left)} = True"})
            return None
        if left.type == "subscript":
            key = string_value(left.child_by_field_name("subscript"))
            if key == "DEBUG" and text(left.child_by_field_name("value")).endswith("config"):
                return Verdict(args={"how": "config['DEBUG'] = True"})
    return None


COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": ("the Secure flag on the session cookie", "read by anyone on the network path (it is also sent over plain HTTP)"),
    "CSRF_COOKIE_SECURE": ("the Secure flag on the CSRF cookie", "read by anyone on the network path (it is also sent over plain HTTP)"),
    "SESSION_COOKIE_HTTPONLY": ("the HttpOnly flag on the session cookie", "read by any script on the page, including injected ones"),
    "REMEMBER_COOKIE_SECURE": ("the Secure flag on the remember-me cookie", "read by anyone on the network path"),
    "REMEMBER_COOKIE_HTTPONLY": ("the HttpOnly flag on the remember-me cookie", "read by any script on the page"),
}


def _cookie_jar_call(call) -> bool:
    """A client-side cookie store's set_cookie (http.cookiejar.CookieJar and its subclasses in HTTP
    clients and crawlers): it stores a Cookie object the client received, it sends no Set-Cookie
    header, so flags are not its to set. A response's set_cookie takes a name and a value; the jar's
    takes one Cookie object, its receiver is a jar, or the call is made in a CookieJar subclass."""
    fn = call.child_by_field_name("function")
    receiver = fn.child_by_field_name("object") if fn is not None and fn.type == "attribute" else None
    last = text(receiver).rsplit(".", 1)[-1].lower() if receiver is not None else ""
    if "jar" in last:
        return True
    positional, kw = call_args(call)
    if len(positional) == 1 and not kw and string_value(positional[0]) is None and positional[0].type != "string":
        return True
    if receiver is not None and text(receiver) in ("self", "super()"):
        cls = call.parent
        while cls is not None and cls.type != "class_definition":
            cls = cls.parent
        bases = cls.child_by_field_name("superclasses") if cls is not None else None
        if bases is not None and "cookiejar" in text(bases).lower():
            return True
    return False


@predicate("python.insecure_cookie")
def insecure_cookie(ctx: MatchContext):
    node = ctx.node("match")
    if node.type == "call":
        if has_splat(node) or _cookie_jar_call(node):
            return None
        missing, risks, fix_keys = [], [], []
        for key, label, risk in (("secure", "Secure", "read on the network (it is also sent over plain HTTP)"),
                                 ("httponly", "HttpOnly", "read by any script on the page")):
            kw = keyword_node(node, key)
            if kw is None:
                missing.append(label)
                risks.append(risk)
                fix_keys.append((key, None))
            elif is_false(kw.child_by_field_name("value")):
                missing.append(label)
                risks.append(risk)
                fix_keys.append((key, kw))
        if not missing:
            return None
        positional, _ = call_args(node)
        # Deleting a cookie (an empty value with max_age=0/expires in the past) exposes nothing.
        if positional and len(positional) > 1 and string_value(positional[1]) == "":
            return None
        return Verdict(
            confidence=MEDIUM if len(missing) == 2 else LOW,
            args={"missing": " and ".join(f"the {m} flag" for m in missing), "risk": " or ".join(risks)},
            data={"keys": fix_keys},
        )
    if node.type == "assignment":
        left = node.child_by_field_name("left")
        name = text(left) if left.type == "identifier" else string_value(left.child_by_field_name("subscript")) if left.type == "subscript" else None
        if name not in COOKIE_SETTINGS:
            return None
        label, risk = COOKIE_SETTINGS[name]
        return Verdict(args={"missing": label, "risk": risk})
    return None


@predicate("python.csrf_disabled")
def csrf_disabled(ctx: MatchContext):
    node = ctx.node("match")
    if node.type == "decorator":
        if "csrf_exempt" not in text(node):
            return None
        return Verdict(confidence=LOW, args={"how": "@csrf_exempt"})
    if node.type == "assignment":
        left = node.child_by_field_name("left")
        value = node.child_by_field_name("right")
        name = text(left) if left.type == "identifier" else string_value(left.child_by_field_name("subscript")) if left.type == "subscript" else ""
        if name in ("WTF_CSRF_ENABLED", "CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT") and is_false(value):
            return Verdict(args={"how": f"{name} = False"})
        if name == "MIDDLEWARE" and value is not None and value.type in ("list", "tuple"):
            items = [string_value(c) or "" for c in value.named_children]
            # A settings module, or a list that names Django's own middleware classes.
            if not _settings_module(ctx) and not any(i.startswith(("django.middleware.", "django.contrib.")) for i in items):
                return None
            if any("SessionMiddleware" in i or "CommonMiddleware" in i for i in items) and not any("CsrfViewMiddleware" in i for i in items):
                return Verdict(args={"how": "MIDDLEWARE without django.middleware.csrf.CsrfViewMiddleware"})
    return None


# ---------------------------------------------------------------- JWT (RL314)


@predicate("python.jwt_unverified")
def jwt_unverified(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    name = qn.rsplit(".", 1)[-1]
    if not (qn.startswith(("jwt.", "jose.", "python_jwt.", "authlib")) or imports_module(ctx.file, "jwt", "jose", "python_jwt")):
        return None
    if name == "process_jwt":
        body = local_text(ctx.file, call)
        if b"verify_jwt" in body:
            return None
        return Verdict(confidence=MEDIUM, args={"how": "python_jwt.process_jwt() without verify_jwt()"})
    if name != "decode":
        return None
    _, kw = call_args(call)
    if is_false(kw.get("verify")):
        return Verdict(args={"how": "verify=False"})
    options = unwrap(kw.get("options"))
    if options is not None and options.type == "dictionary":
        for pair in options.named_children:
            if pair.type == "pair" and string_value(pair.child_by_field_name("key")) in ("verify_signature", "verify_aud", "verify_exp") and is_false(pair.child_by_field_name("value")):
                if string_value(pair.child_by_field_name("key")) == "verify_signature":
                    return Verdict(args={"how": "options={'verify_signature': False}"})
    algs = unwrap(kw.get("algorithms"))
    if algs is not None and algs.type in ("list", "tuple") and any((string_value(a) or "").lower() == "none" for a in algs.named_children):
        return Verdict(args={"how": "algorithms=['none']"})
    return None


# ---------------------------------------------------------------- files (RL122, RL123)


@predicate("python.insecure_tempfile")
def insecure_tempfile(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    if qn in ("tempfile.mktemp", "os.tempnam", "os.tmpnam"):
        return Verdict(args={"fn": qn})
    if qn == "mktemp" and not name_is_bound(ctx.file, call.child_by_field_name("function")):
        # A bare mktemp() that nothing in reach defines or imports: in a fragment or a file
        # whose import we cannot see, the only well-known mktemp is tempfile's.
        return Verdict(confidence=MEDIUM, args={"fn": "mktemp"})
    return None


STAT_BITS = {"S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100, "S_IRWXG": 0o70, "S_IRGRP": 0o40,
             "S_IWGRP": 0o20, "S_IXGRP": 0o10, "S_IRWXO": 0o7, "S_IROTH": 0o4, "S_IWOTH": 0o2, "S_IXOTH": 0o1,
             "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000, "S_IREAD": 0o400, "S_IWRITE": 0o200, "S_IEXEC": 0o100}


def _mode(node) -> int | None:
    node = unwrap(node)
    if node is None:
        return None
    v = int_value(node)
    if v is not None:
        return v
    if node.type == "attribute":
        return STAT_BITS.get(text(node.child_by_field_name("attribute")))
    if node.type == "identifier":
        return STAT_BITS.get(text(node))
    if node.type == "binary_operator":
        op = node.child_by_field_name("operator")
        a, b = _mode(node.child_by_field_name("left")), _mode(node.child_by_field_name("right"))
        if a is None or b is None or op is None:
            return None
        return {"|": a | b, "+": a + b, "&": a & b}.get(op.type)
    return None


@predicate("python.file_permissions")
def file_permissions(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    name = qn.rsplit(".", 1)[-1] if qn else callee_name(call)
    positional, kw = call_args(call)
    mode_node = None
    if qn in ("os.chmod", "os.lchmod", "os.fchmod"):
        mode_node = positional[1] if len(positional) > 1 else kw.get("mode")
    elif name == "chmod" and call.child_by_field_name("function").type == "attribute":
        mode_node = positional[0] if positional else kw.get("mode")
    elif qn == "os.umask":
        # makedirs/mkdir/os.open modes pass through the umask; umask(0) itself does not.
        mask = _mode(arg(call, 0, "mask"))
        if mask is None or mask & 0o002:
            return None
        p = call.parent
        if p is not None and p.type == "assignment" and p.child_by_field_name("left").type == "identifier":
            saved = p.child_by_field_name("left").text
            if re.search(rb"umask\(\s*" + re.escape(saved) + rb"\s*\)", local_text(ctx.file, call)):
                return None  # the read-and-restore idiom: old = os.umask(0); os.umask(old)
        return Verdict(args={"mode": f"umask {oct(mask)}", "who": "every user on the system can write new files"})
    else:
        return None
    mode = _mode(mode_node)
    if mode is None:
        return None
    if mode & 0o002:
        return Verdict(args={"mode": oct(mode), "who": "every user on the system can modify it"})
    return None


# ---------------------------------------------------------------- network (RL315, RL316)

CLEARTEXT = {"ftplib.FTP": ("FTP", "ftplib.FTP_TLS"), "telnetlib.Telnet": ("Telnet", "SSH (paramiko)"),
             "smtplib.SMTP": ("SMTP", "smtplib.SMTP_SSL or starttls()"), "poplib.POP3": ("POP3", "poplib.POP3_SSL"),
             "imaplib.IMAP4": ("IMAP", "imaplib.IMAP4_SSL or starttls()")}
LOCALHOST = frozenset({"localhost", "127.0.0.1", "::1", ""})


@predicate("python.cleartext_protocol")
def cleartext_protocol(ctx: MatchContext):
    call = ctx.node("match")
    qn = call_qualname(ctx.file, call) or ""
    if qn not in CLEARTEXT:
        return None
    proto, use = CLEARTEXT[qn]
    host = string_value(arg(call, 0, "host"))
    if host is not None and host in LOCALHOST:
        return None
    if proto in ("SMTP", "IMAP"):
        body = local_text(ctx.file, call)
        if b"starttls" in body:
            return None
    return Verdict(args={"proto": proto, "use": use})


SOCKET_SERVERS = frozenset({"HTTPServer", "ThreadingHTTPServer", "TCPServer", "ThreadingTCPServer", "UDPServer",
                            "ThreadingUDPServer", "ForkingTCPServer", "make_server", "SimpleXMLRPCServer"})


@predicate("python.bind_all_interfaces")
def bind_all_interfaces(ctx: MatchContext):
    call = ctx.node("match")
    name = callee_name(call)
    if name == "bind" or name in SOCKET_SERVERS:
        # sock.bind((host, port)), HTTPServer((host, port), Handler), make_server(host, port, app)
        target = unwrap(arg(call, 0))
        if target is None:
            return None
        if target.type == "tuple" and target.named_children:
            target = target.named_children[0]
        elif name != "make_server":
            return None
        host = string_value(target)
        qn = call_qualname(ctx.file, call) or ""
        known = imports_module(ctx.file, "socket", "socketserver", "asyncio") if name == "bind" else (
            qn.startswith(("http.server.", "socketserver.", "wsgiref.simple_server.", "xmlrpc.server.")))
        if host in ("0.0.0.0", "", "::") and known:
            return Verdict(args={"how": f"{name}(('{host}', ...))"})
        return None
    kw = keyword_node(call, "host")
    if kw is None:
        return None
    host = string_value(kw.child_by_field_name("value"))
    if host in ("0.0.0.0", "::"):
        return Verdict(args={"how": f"{text(call.child_by_field_name('function'))}(host='{host}')"})
    return None
