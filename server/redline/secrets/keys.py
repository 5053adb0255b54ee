"""Private key blocks: PEM (RSA, EC, DSA, PKCS#8, encrypted), OpenSSH, PGP and PuTTY keys.

The header alone is not enough (documentation and tests mention it): a block is reported when
key material follows it, i.e. at least `MIN_BODY` base64 characters before the end marker
(or in the following lines when the end marker is missing). Keys written inside a string with
`\\n` escapes (service-account JSON, a constant in code) are handled like keys on their own lines.
"""

from __future__ import annotations

from redline.secrets import entropy
from redline.secrets import hits as H
from redline.secrets import regex as rx
from redline.secrets.hits import Hit

MIN_BODY = 64
MAX_BLOCK = 20_000  # bytes searched for the end marker
_KIND = r"(?P<kind>(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP|SSH2 ENCRYPTED) )?"
HEADER_RE = rx.compile(r"-----BEGIN " + _KIND + r"PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-[23]: ")
END_RE = rx.compile(r"-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----|Private-MAC: [0-9a-f]+")
_KIND_GROUP = rx.groups(HEADER_RE)["kind"]
PREFILTER = r"PRIVATE KEY|PuTTY-User-Key-File"
_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _body_chars(region: bytes) -> bytes:
    """The base64 characters of a key body, ignoring line breaks, `\\n` escapes, quotes and
    PEM headers like `Proc-Type:`."""
    region = region.replace(b"\\n", b"\n").replace(b"\\r", b"\n")
    out = bytearray()
    for raw in region.splitlines():
        line = raw.strip().strip(b"\"',+;`")
        if not line or b":" in line and not line.startswith(b"="):
            continue  # Proc-Type:, DEK-Info:, Comment:, Version:, PuTTY headers
        if sum(1 for b in line if b in _B64) < len(line) * 0.9:
            continue
        out.extend(b for b in line if b in _B64)
    return bytes(out)


def scan(text: bytes, line_start: int, line_end: int) -> list[Hit]:
    """Private keys whose header is on the line [line_start, line_end) of `text`."""
    out = []
    line = text[line_start:line_end]
    for m in HEADER_RE.finditer(line):
        start = line_start + m.start()
        header_end = line_start + m.end()
        end_m = END_RE.search(text[header_end : header_end + MAX_BLOCK])
        if end_m is not None:
            body_end = header_end + end_m.start()
            block_end = header_end + end_m.end()
        else:
            body_end = block_end = min(len(text), header_end + 4096)
        body = _body_chars(text[header_end:body_end])
        if len(body) < MIN_BODY or entropy.shannon(body) < 4.0:
            continue
        kind = (m.group(_KIND_GROUP) or b"").decode("ascii").strip() if m.group(0).startswith(b"-") else "PuTTY"
        title = f"{kind} private key" if kind else "private key"
        out.append(
            Hit(
                code=H.PRIVATE_KEY,
                detector="private-key",
                title=title,
                start=start,
                end=block_end,
                lit_start=start,
                lit_end=block_end,
                env="PRIVATE_KEY",
                confidence="high",
                shown=0,
            )
        )
    return out
