"""How random a value looks: Shannon entropy, character classes, runs and sequences.

All functions take the value as bytes (what the scanner slices out of the file) and are pure.
"""

from __future__ import annotations

import math
from collections import Counter

_SEQUENCES = (
    b"abcdefghijklmnopqrstuvwxyz",
    b"zyxwvutsrqponmlkjihgfedcba",
    b"0123456789012345678901234567890",
    b"9876543210987654321098765432109",
    b"qwertyuiopasdfghjklzxcvbnm",
)


def shannon(value: bytes) -> float:
    """Bits of entropy per character (0 for an empty value)."""
    n = len(value)
    if n == 0:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def classes(value: bytes) -> int:
    """How many of lower case, upper case, digits and other printable characters occur."""
    lower = upper = digit = other = 0
    for b in value:
        if 97 <= b <= 122:
            lower = 1
        elif 65 <= b <= 90:
            upper = 1
        elif 48 <= b <= 57:
            digit = 1
        elif b > 32:
            other = 1
    return lower + upper + digit + other


def longest_run(value: bytes) -> int:
    """The length of the longest run of one repeated character."""
    best = run = 0
    prev = -1
    for b in value:
        run = run + 1 if b == prev else 1
        prev = b
        if run > best:
            best = run
    return best


def is_low_diversity(value: bytes) -> bool:
    """Placeholder bodies: `xxxxxxxx`, `0000...`, `AAAA1111`, a handful of distinct characters,
    or one character making up a large share of a long value."""
    n = len(value)
    if n == 0:
        return True
    distinct = len(set(value))
    if distinct <= 3 or longest_run(value) >= 8:
        return True
    if n >= 16 and Counter(value).most_common(1)[0][1] / n >= 0.4:
        return True
    return False


def has_sequence(value: bytes, length: int = 8) -> bool:
    """True when `value` contains `length` consecutive characters of the alphabet, the digits or
    a keyboard row (`abcdefgh`, `12345678`, `qwertyui`), ignoring case."""
    low = value.lower()
    if len(low) < length:
        return False
    for i in range(len(low) - length + 1):
        chunk = low[i : i + length]
        if any(chunk in seq for seq in _SEQUENCES):
            return True
    return False


def is_sequential(value: bytes) -> bool:
    """The whole value is one run of the alphabet, digits or a keyboard row."""
    low = value.lower()
    return len(low) >= 4 and any(low in seq for seq in _SEQUENCES)
