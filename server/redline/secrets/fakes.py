"""Fake secrets built at run time, so that no file of the repository holds a secret-shaped value.

Rule examples (`rules/builtin/secrets.toml`), tests and benchmarks write placeholders that
`expand()` replaces just before scanning:

    {{fake:github-token}}         a value in the format of that detector (see detectors.py)
    {{fake:alnum:24}}             24 random characters of an alphabet: alnum, lower, upper,
                                  alpha, digits, hex, b64, b64url, b32, lowalnum, upalnum, bech32
    {{fake:=x:36}}                one character repeated: a placeholder body
    {{fake:pem:RSA}}              a private key block (RSA, EC, OPENSSH, PGP, or "" for PKCS#8)
    {{fake:password}}             a password-like value (letters, digits, a symbol)

Values are pseudo-random but deterministic (seeded by the placeholder and its position), and
free of the patterns the placeholder filters drop (runs, sequences, `example`, test words).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re

from redline.secrets import filters as flt
from redline.secrets.detectors import BY_ID, Detector

ALPHABETS = {
    "alnum": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "alpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "digits": "0123456789",
    "hex": "0123456789abcdef",
    "b64": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "b64url": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    "b32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "lowalnum": "abcdefghijklmnopqrstuvwxyz0123456789",
    "upalnum": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}
_PLACEHOLDER = re.compile(r"\{\{fake:([^{}]+)\}\}")


def _clean(s: str) -> bool:
    b = s.encode()
    return not (flt.is_low_diversity(b) or flt.is_sequential(b) or flt.is_placeholder_word(b) or flt.is_documentation_example(b))


def chars(rng: random.Random, alphabet: str, n: int) -> str:
    """`n` random characters of `alphabet` (a name from ALPHABETS) without placeholder shapes."""
    letters = ALPHABETS[alphabet]
    for _ in range(100):
        s = "".join(rng.choice(letters) for _ in range(n))
        if n < 8 or _clean(s):
            return s
    return s  # pragma: no cover


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": chars(rng, "digits", 10), "iat": rng.randrange(10**9, 2 * 10**9)}).encode())
    return f"{header}.{payload}.{chars(rng, 'b64url', 43)}"


_SPECIAL = {
    "azure": lambda r: chars(r, "alnum", 3) + chars(r, "digits", 1) + "Q~" + chars(r, "alnum", 34),
    "tfc": lambda r: chars(r, "alnum", 14) + ".atlasv1." + chars(r, "alnum", 67),
    "postman": lambda r: "PMAK-" + chars(r, "hex", 24) + "-" + chars(r, "hex", 34),
    "onepassword": lambda r: "A3-" + "-".join(chars(r, "upalnum", n) for n in (6, 11, 5, 5, 5)),
    "cloudflare": lambda r: "v1.0-" + chars(r, "hex", 24) + "-" + chars(r, "hex", 146),
    "slack": lambda r: "xoxb-" + chars(r, "digits", 12) + "-" + chars(r, "digits", 13) + "-" + chars(r, "alnum", 24),
    "slackapp": lambda r: "xapp-1-A" + chars(r, "upalnum", 10) + "-" + chars(r, "digits", 13) + "-" + chars(r, "hex", 64),
    "discord": lambda r: "M" + chars(r, "alnum", 23) + "." + chars(r, "b64url", 6) + "." + chars(r, "alnum", 27),
    "discordhook": lambda r: "https://discord.com/api/webhooks/" + chars(r, "digits", 18) + "/" + chars(r, "alnum", 68),
    "telegram": lambda r: chars(r, "digits", 9) + ":AA" + chars(r, "alnum", 33),
    "sendgrid": lambda r: "SG." + chars(r, "alnum", 22) + "." + chars(r, "alnum", 43),
    "mailchimp": lambda r: chars(r, "hex", 32) + "-us" + chars(r, "digits", 2),
    "facebookapp": lambda r: chars(r, "digits", 15) + "|" + chars(r, "alnum", 27),
    "notion": lambda r: "ntn_" + chars(r, "digits", 11) + chars(r, "alnum", 35),
    "mapbox": lambda r: "sk.eyJ" + chars(r, "alnum", 60) + "." + chars(r, "alnum", 22),
    "contribsys": lambda r: chars(r, "hex", 8) + ":" + chars(r, "hex", 8),
    "openai": lambda r: "sk-proj-" + chars(r, "alnum", 74) + "T3BlbkFJ" + chars(r, "alnum", 74),
    "anthropic": lambda r: "sk-ant-api03-" + chars(r, "alnum", 93) + "AA",
    "jwt": _jwt,
    "azurekey": lambda r: chars(r, "b64", 86) + "==",
    "azuresak": lambda r: chars(r, "b64", 43) + "=",
    "bedrock": lambda r: "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t" + chars(r, "b64", 40),
}


def detector_fake(det: Detector, rng: random.Random) -> str:
    """A fake value in the format of `det`."""
    spec = det.fake
    if spec in _SPECIAL:
        return _SPECIAL[spec](rng)
    alphabet, _, n = spec.partition(":")
    return det.prefix + chars(rng, alphabet, int(n))


def in_context(det: Detector, value: str) -> str:
    """`value` inside the text its detector needs around it (`AccountKey=...`)."""
    return det.context.format(value)


def pem(rng: random.Random, kind: str = "RSA") -> str:
    label = {"": "PRIVATE KEY", "PGP": "PGP PRIVATE KEY BLOCK"}.get(kind, f"{kind} PRIVATE KEY")
    body = "\n".join(chars(rng, "b64", 64) for _ in range(6))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def password(rng: random.Random) -> str:
    return chars(rng, "alpha", 6) + chars(rng, "digits", 3) + rng.choice("!#%&*+") + chars(rng, "alpha", 2)


def fake(spec: str, seed: str = "") -> str:
    """The value for one placeholder spec (the text between `{{fake:` and `}}`)."""
    rng = random.Random(hashlib.sha256(f"{seed}|{spec}".encode()).digest())
    head, _, rest = spec.partition(":")
    if head in BY_ID:
        return detector_fake(BY_ID[head], rng)
    if head == "pem":
        return pem(rng, rest)
    if head == "password":
        return password(rng)
    if head.startswith("="):
        return head[1:] * int(rest)
    if head in ALPHABETS:
        return chars(rng, head, int(rest))
    raise ValueError(f"unknown fake secret spec {spec!r}")


def expand(text: str) -> str:
    """`text` with every `{{fake:...}}` placeholder replaced by a fake value."""
    if "{{fake:" not in text:
        return text
    counter = iter(range(1 << 30))
    return _PLACEHOLDER.sub(lambda m: fake(m.group(1), seed=str(next(counter))), text)
