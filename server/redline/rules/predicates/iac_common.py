"""Helpers shared by the infrastructure-as-code predicates (Terraform, Dockerfile, YAML).

- `Region`: a node-like byte range, for reporting one line inside a heredoc or block scalar.
- `is_secret_name` / `literal_secret`: whether `NAME=value` puts a credential in plain text.
- `parse_image`: split a container image reference into name, tag and digest.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from redline.secrets.regex import linear


@dataclass(frozen=True)
class Region:
    """Duck-types the four position attributes of a tree-sitter node (what Span.of_node reads)."""

    start_byte: int
    end_byte: int
    start_point: tuple[int, int]
    end_point: tuple[int, int]


def region_in(node, rel_start: int, rel_end: int) -> Region:
    """The region [rel_start, rel_end) of `node`'s text, as absolute positions."""
    text = node.text
    row0, col0 = node.start_point

    def point(rel: int) -> tuple[int, int]:
        before = text[:rel]
        nl = before.count(b"\n")
        if nl == 0:
            return row0, col0 + rel
        return row0 + nl, rel - (before.rfind(b"\n") + 1)

    return Region(node.start_byte + rel_start, node.start_byte + rel_end, point(rel_start), point(rel_end))


def line_region(node, pattern: re.Pattern[bytes] | bytes, start: int = 0) -> Region | None:
    """The (stripped) line of `node` where `pattern` first matches at or after `start`."""
    text = node.text
    rx = re.compile(re.escape(pattern)) if isinstance(pattern, bytes) else pattern  # a literal, or a compiled pattern
    m = rx.search(text, start)
    if m is None:
        return None
    line_start = text.rfind(b"\n", 0, m.start()) + 1
    line_end = text.find(b"\n", m.start())
    if line_end == -1:
        line_end = len(text)
    while line_start < line_end and text[line_start : line_start + 1] in (b" ", b"\t"):
        line_start += 1
    while line_end > line_start and text[line_end - 1 : line_end] in (b" ", b"\t", b"\r"):
        line_end -= 1
    return region_in(node, line_start, line_end)


# ------------------------------------------------------------------ secrets in NAME=value

_SECRET_WORDS = {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential",
                 "credentials", "privatekey", "accesskey", "secretkey", "authkey", "clientsecret",
                 "masterkey", "encryptionkey", "signingkey", "connectionstring", "dsn"}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("auth", "key"),
                 ("client", "secret"), ("master", "key"), ("encryption", "key"), ("signing", "key"),
                 ("account", "key"), ("connection", "string"), ("app", "secret"), ("webhook", "secret")}
# A name ending in one of these holds a reference, a switch or a setting, not the secret itself.
_NOT_SECRET_SUFFIX = {"file", "path", "dir", "url", "uri", "id", "name", "user", "username", "length", "len",
                      "ttl", "expiry", "expires", "expiration", "timeout", "header", "type", "enabled", "enable",
                      "disabled", "required", "policy", "endpoint", "host", "port", "field", "ref", "arn",
                      "version", "count", "min", "max", "mode", "algorithm", "format", "prefix", "location",
                      "secret_name", "hash", "salt_rounds", "rounds", "issuer", "audience", "scope", "scopes"}


def _tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def is_secret_name(name: str) -> bool:
    """PASSWORD, DB_PASSWORD, apiKey, AWS_SECRET_ACCESS_KEY, client-secret, GITHUB_TOKEN ..."""
    toks = _tokens(name)
    if not toks or toks[-1] in _NOT_SECRET_SUFFIX:
        return False
    joined = "".join(toks)
    if any(w in toks for w in _SECRET_WORDS) or joined in _SECRET_WORDS or toks[-1] in ("pass", "pw"):
        return True
    if any((a, b) in _SECRET_PAIRS for a, b in zip(toks, toks[1:])):
        return True
    return any(joined.endswith(w) for w in ("password", "passwd", "secret", "token", "apikey", "secretkey"))


_PLACEHOLDER = linear(r"^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(.*\)|\{\{.*\}\}|<[^>]*>|%\(?[A-Za-z_]+\)?s?%?|#\{.*\})$")
_NOT_A_VALUE = {"", "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined", "~"}


def literal_secret(value: str | None) -> bool:
    """True when `value` is a literal that could be a credential (not empty, not a reference,
    not a boolean, not a path to a secret file)."""
    if value is None:
        return False
    v = value.strip().strip("'\"").strip()
    if v.lower() in _NOT_A_VALUE or len(v) < 3:
        return False
    if "${" in v or "$(" in v or "{{" in v or _PLACEHOLDER.match(v):
        return False
    if v.startswith(("/", "./", "../", "arn:aws:secretsmanager", "arn:aws:ssm", "vault:", "secretsmanager:", "ssm:")):
        return False
    return not v.isdigit() or len(v) >= 6


# A secret assignment inside a script or an env file: export DB_PASSWORD="x", API_TOKEN=abc
ASSIGNMENT = linear(rb"""(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*\\?["']?(?P<value>[^\s"'\\]+)""")
AWS_KEY_ID = linear(rb"\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b")


def script_secret(text: bytes) -> re.Match | None:
    """The first credential written into a shell script / cloud-init text, if any."""
    m = AWS_KEY_ID.search(text)
    if m:
        return m
    for m in ASSIGNMENT.finditer(text):
        if is_secret_name(m.group("name").decode()) and literal_secret(m.group("value").decode("utf-8", "replace")):
            return m
    return None


def decode_base64_text(value: str) -> bytes | None:
    """The decoded bytes of a base64 string that decodes to text; None otherwise."""
    v = value.strip()
    if len(v) < 16 or len(v) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", v):
        return None
    try:
        raw = base64.b64decode(v, validate=True)
    except (binascii.Error, ValueError):
        return None
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in raw)
    return raw if raw and printable / len(raw) > 0.95 else None


# ------------------------------------------------------------------ container images


@dataclass(frozen=True)
class ImageRef:
    name: str
    tag: str | None
    digest: str | None

    @property
    def unpinned(self) -> str | None:
        """Why this reference floats ("no tag", ":latest"), or None when it is pinned."""
        if self.digest:
            return None
        if self.tag is None:
            return "no tag (pulls :latest)"
        if self.tag.lower() == "latest":
            return "the :latest tag"
        return None


def parse_image(ref: str) -> ImageRef | None:
    """Split `registry:5000/org/app:1.2@sha256:...`; None for references we cannot judge
    (variables, templates, empty)."""
    ref = ref.strip().strip("'\"")
    if not ref or "$" in ref or "{{" in ref or " " in ref:
        return None
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    last = ref.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        name_part, tag = last.rsplit(":", 1)
        ref = ref[: len(ref) - len(last)] + name_part
    return ImageRef(ref, tag or None, digest)
