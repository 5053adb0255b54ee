"""Redaction: what a message, a hover, a log line or a report may show of a secret.

A redacted secret is a short prefix and the length: `ghp_…(40 chars)`. The prefix is at most
`shown` characters (the public prefix of a token format, two characters of a password) and never
more than a quarter of the value, so a short password shows almost nothing.
"""

from __future__ import annotations


def redact(value: str | bytes, shown: int = 4) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    n = len(value)
    k = max(0, min(shown, n // 4))
    return f"{value[:k]}…({n} chars)"


def contains_secret(text: str, secret: str | bytes, window: int = 8) -> bool:
    """True when `text` shows `secret`, or any `window` consecutive characters of it beyond the
    allowed prefix (used by tests to check messages, JSON and SARIF)."""
    if isinstance(secret, bytes):
        secret = secret.decode("utf-8", "replace")
    if secret in text:
        return True
    if len(secret) < window * 2:
        return False
    return any(secret[i : i + window] in text for i in range(4, len(secret) - window + 1))
