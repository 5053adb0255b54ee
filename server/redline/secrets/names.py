"""Is a variable, key, argument or header name one that holds a credential?

A name is split into lower-case words (`stripeApiKey`, `STRIPE_API_KEY`, `stripe-api-key`,
`stripe.api.key` all give `stripe api key`). It is a credential name when a word contains a
strong credential word (`password`, `secret`, `token`, `credential`, `apikey`, ...), or is a short
one on its own (`pwd`, `pass`, `auth`), or ends in `key` after a word that makes it a secret key
(`api key`, `private key`, `signing key`, a provider's name) - unless the last word says the
value is about the credential rather than the credential itself (`password_length`,
`token_url`, `api_key_name`, `public_key`, `credentials_id`).
"""

from __future__ import annotations

import enum
from functools import lru_cache


class Kind(enum.Enum):
    PASSWORD = "password"  # RL204: passwords and passphrases (spaces allowed)
    SECRET = "secret"  # RL205: tokens, API keys, client secrets
    KEY = "key"  # RL205 with a stricter gate: `<something>_key`, plain `key`


# Substrings that make a word a credential word (checked inside each word).
PASSWORD_PARTS = ("password", "passwd", "passphrase", "passcode")
SECRET_PARTS = ("secret", "token", "credential", "apikey", "privatekey", "accesskey", "secretkey", "authkey")
# Whole words only (too short to look for inside other words).
PASSWORD_WORDS = frozenset({"pwd", "pass", "pw", "pswd", "passwort", "contrasena", "senha", "motdepasse"})
SECRET_WORDS = frozenset({"creds", "auth", "authorization", "bearer", "apitoken", "sas", "psk", "dsn"})
# `<word> key` pairs that name a secret key.
KEY_QUALIFIERS = frozenset(
    {
        "api", "access", "secret", "private", "client", "app", "application", "master", "signing",
        "encryption", "account", "storage", "shared", "license", "licence", "service", "consumer",
        "admin", "root", "deploy", "webhook", "bot", "oauth", "auth", "hmac", "jwt", "session",
        "crypto", "cipher", "aes", "decryption", "subscription", "primary", "secondary", "sas",
        "integration", "ingest", "ingestion", "write", "read", "management", "server", "sdk",
        "live", "prod", "production", "test", "dev", "rest", "user", "developer", "partner",
    }
)
# `<word> key` pairs that are not secrets.
KEY_NOT_SECRET = frozenset(
    {
        "public", "pub", "cache", "sort", "foreign", "partition", "lookup", "dict", "map", "row",
        "column", "unique", "idempotency", "cursor", "group", "order", "index", "object", "item",
        "field", "form", "translation", "i18n", "message", "setting", "settings", "config", "hash",
        "hotkey", "shortcut", "keyboard", "press", "composite", "natural", "surrogate", "routing",
        "redis", "s3", "bucket", "object", "file", "ssh", "gpg", "pgp", "rsa", "dsa", "ec", "kms",
        "cmk", "alias", "context", "state", "query", "path", "storage_class", "dedup", "deduplication",
        "lock", "mutex", "event", "metric", "label", "tag", "registry", "primary_key", "react",
        "list", "track", "cert", "certificate", "tls", "ssl", "x509",
        # `Sec-WebSocket-Key`: a random nonce of the WebSocket handshake (RFC 6455), public by design
        "socket", "websocket",
    }
)
# A last word that makes the name about the credential, not the credential.
NOT_THE_VALUE = frozenset(
    {
        "id", "ids", "name", "names", "type", "types", "file", "filename", "files", "path", "paths",
        "dir", "directory", "folder", "url", "urls", "uri", "endpoint", "host", "hostname", "len",
        "length", "size", "count", "min", "max", "minimum", "maximum", "field", "fields", "label",
        "hint", "prompt", "placeholder", "title", "message", "msg", "error", "errors", "regex", "re", "rx",
        "pattern", "format", "policy", "policies", "header", "prefix", "suffix", "env", "var",
        "variable", "param", "parameter", "arg", "column", "col", "table", "attr", "attribute",
        "enabled", "required", "expiry", "expires", "expiration", "expire", "ttl", "timeout", "age",
        "lifetime", "version", "algorithm", "alg", "algo", "mode", "method", "scheme", "kind",
        "class", "validator", "validators", "hasher", "hashers", "reset", "changed", "change",
        "strength", "rule", "rules", "chars", "location", "ref", "reference", "arn", "resource",
        "source", "provider", "manager", "store", "backend", "backends", "help", "text", "desc",
        "description", "doc", "docs", "example", "sample", "mock", "fake", "dummy", "widget",
        "input", "button", "view", "form", "page", "template", "handler", "callback", "func",
        "function", "class", "cls", "factory", "parser", "serializer", "schema", "model", "enum",
        "lock", "key_name", "keyname", "index", "idx", "pos", "position", "offset", "start", "end",
        "line", "status", "state", "flag", "flags", "option", "options", "bool", "used",
        "set", "get", "exists", "present", "missing", "invalid", "valid", "check", "verify",
        "length", "keys", "list", "map", "dict", "kwarg", "kwargs", "args", "mask", "masked",
        "hidden", "visible", "display", "show", "hide", "style", "color", "icon", "location",
        "link", "links", "html", "markup", "label", "labels", "text", "caption",
        "dialog", "modal", "action", "event", "events", "signal", "receiver", "sender", "topic",
        "queue", "channel", "scope", "scopes", "audience", "issuer", "subject", "claim", "claims",
        "count", "number", "num", "total", "limit", "retries", "retry", "delay", "interval",
        "window", "cookie", "storage", "cache", "generator", "gen", "service", "client", "api",
        "request", "response", "result", "results", "token_type", "usage", "uses", "user",
        "username", "login", "email", "account", "owner", "role", "permission", "permissions",
        "hash", "hashed", "digest", "encoding", "encoder", "decoder", "encrypted", "cipher",
        "salt", "iterations", "rounds", "work", "cost", "entropy", "charset", "alphabet",
        "separator", "delimiter", "char", "character", "placeholder", "pair", "pairs",
        "vault", "kv", "secretsmanager", "ssm",
        # the value is a digest, an identifier or a version of something, not a credential
        "checksum", "checksums", "etag", "sha", "sha1", "sha256", "sha512", "md5", "crc", "crc32",
        "fingerprint", "revision", "uuid", "guid",
        # JOSE parameters that name an algorithm (`id_token_encrypted_response_enc`: "A128CBC-HS256")
        "enc",
    }
)
# A first word that makes the name a question or an action, not a value.
NOT_A_VALUE_FIRST = frozenset(
    {"is", "has", "use", "uses", "enable", "enabled", "should", "show", "require", "requires",
     "validate", "check", "get", "fetch", "load", "read", "parse", "build", "make", "create",
     "generate", "gen", "new", "reset", "forgot", "change", "update", "set", "verify", "with",
     "no", "min", "max", "num", "count", "csrf", "xsrf", "nonce", "token_type"}
)
# A word that marks a test fixture or an example rather than a credential.
FIXTURE_WORDS = frozenset({"test", "tests", "testing", "fake", "dummy", "mock", "mocked", "example", "sample",
                           "placeholder", "fixture", "stub", "bogus", "invalid", "wrong", "bad", "incorrect"})
# Words that look like credential words but are not.
FALSE_FRIENDS = ("tokeniz", "detokeniz", "secretar", "authorit", "authent", "authored", "author",
                 "passthrough", "passenger", "bypass", "compass", "passive", "passage")

MAX_NAME = 100


def _camel_words(part: str) -> list[str]:
    """`HTTPServerKey2` -> ["http", "server", "key", "2"]."""
    out: list[str] = []
    cur = ""
    for i, ch in enumerate(part):
        if not cur:
            cur = ch
            continue
        prev = cur[-1]
        nxt = part[i + 1] if i + 1 < len(part) else ""
        boundary = (
            (prev.islower() and ch.isupper())
            or (prev.isdigit() != ch.isdigit())
            or (prev.isupper() and ch.isupper() and nxt.islower())
        )
        if boundary:
            out.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        out.append(cur)
    return [w.lower() for w in out]


@lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """Lower-case words of an identifier, key or header name."""
    out: list[str] = []
    part = ""
    for ch in name[:MAX_NAME]:
        if ch.isascii() and ch.isalnum():
            part += ch
        elif part:
            out.extend(_camel_words(part))
            part = ""
    if part:
        out.extend(_camel_words(part))
    return tuple(out)


def _has_part(word: str, parts: tuple[str, ...]) -> bool:
    if any(word.startswith(f) or f in word for f in FALSE_FRIENDS):
        return False
    return any(p in word for p in parts)


# Attributes of a credential-named object that are the credential itself (`passwordField.value`).
_VALUE_ATTRIBUTES = frozenset({"value", "val", "default", "current"})


@lru_cache(maxsize=4096)
def classify(name: str) -> Kind | None:
    """The credential kind a name holds, or None when it holds no credential.

    A dotted name holds what its last part names: `_PassArg.context` (a member of an enum whose
    class name contains `pass`) and `tokens.start` hold no credential, `config.db_password`,
    `api.key` and `passwordInput.value` do."""
    kind = _classify(name)
    if kind is not None and "." in name:
        # Only when the credential word is in a qualifier, not in the last part itself (whose
        # own rules, `ds.setPassword(...)` a setter, were already applied to the whole name).
        lw = words(name.rstrip(".").rsplit(".", 1)[-1])
        if lw and lw[-1] not in _VALUE_ATTRIBUTES and not any(_credential_word(w) for w in lw):
            return None
    return kind


def _credential_word(w: str) -> bool:
    return (w == "key" or w.endswith("key") or w in PASSWORD_WORDS or w in SECRET_WORDS
            or _has_part(w, PASSWORD_PARTS) or _has_part(w, SECRET_PARTS))


def _classify(name: str) -> Kind | None:
    ws = words(name)
    if not ws:
        return None
    # Also look at the name with separators removed (`api_key` -> `apikey`, `pass-word`).
    joined = "".join(ws)
    last = ws[-1]
    if last in NOT_THE_VALUE or ws[0] in NOT_A_VALUE_FIRST or FIXTURE_WORDS.intersection(ws):
        return None
    if len(ws) >= 2 and ws[-2] + "_" + last in NOT_THE_VALUE:
        return None
    password = any(_has_part(w, PASSWORD_PARTS) or w in PASSWORD_WORDS for w in ws)
    if password:
        return Kind.PASSWORD
    secret = any(_has_part(w, SECRET_PARTS) or w in SECRET_WORDS for w in ws) or _has_part(joined, SECRET_PARTS)
    if secret:
        # `auth` counts only as the last word (`basic_auth`, `user_auth`), not `auth_url`.
        if not any(_has_part(w, SECRET_PARTS) for w in ws) and not _has_part(joined, SECRET_PARTS):
            if not (last in SECRET_WORDS):
                return None
        return Kind.SECRET
    if last == "key" or last.endswith("key") and len(last) > 3 and last[:-3] in KEY_QUALIFIERS:
        before = ws[-2] if len(ws) >= 2 else ""
        if last != "key":
            return Kind.SECRET
        if before in KEY_NOT_SECRET:
            return None
        if before in KEY_QUALIFIERS:
            return Kind.SECRET
        return Kind.KEY
    return None


def env_name(name: str) -> str:
    """An environment variable name for a key or variable: `stripeApiKey` -> `STRIPE_API_KEY`."""
    ws = words(name)
    return "_".join(w.upper() for w in ws) if ws else ""
