"""Structural checks named by detectors (`Detector.check`): cheap tests that a match has the
shape of the real thing, run only on matches."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Callable

from redline.secrets import entropy


def _b64url_decode(part: bytes) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


def jwt(secret: bytes) -> bool:
    """A JSON Web Token: the header decodes to a JSON object naming its algorithm or type."""
    header = secret.split(b".", 1)[0]
    raw = _b64url_decode(header)
    if raw is None:
        return False
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(obj, dict) and ("alg" in obj or "typ" in obj)


def mixed_case(secret: bytes) -> bool:
    """Upper case, lower case and digits (random tokens), not a lower-case hex file hash."""
    body = secret.split(b"-", 1)[-1]
    return entropy.classes(body) >= 3


CHECKS: dict[str, Callable[[bytes], bool]] = {"jwt": jwt, "mixed_case": mixed_case}
