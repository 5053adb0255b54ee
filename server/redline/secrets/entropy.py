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
    b"qwertyuiop",
    b"asdfghjkl",
    b"zxcvbnm",
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


def _step(a: int, b: int) -> bool:
    """b follows or precedes a in the alphabet or the digits (case-insensitive, 9 -> 0 wraps)."""
    a |= 0x20 if 65 <= a <= 90 else 0
    b |= 0x20 if 65 <= b <= 90 else 0
    if 97 <= a <= 122 and 97 <= b <= 122:
        return abs(a - b) == 1
    if 48 <= a <= 57 and 48 <= b <= 57:
        return (b - a) % 10 in (1, 9)
    return False


def sequential_share(value: bytes) -> float:
    """The share of neighbouring characters that are one step apart (`abcdef`, `123456`)."""
    if len(value) < 2:
        return 0.0
    steps = sum(1 for a, b in zip(value, value[1:]) if _step(a, b))
    return steps / (len(value) - 1)


def is_sequential(value: bytes) -> bool:
    """Mostly a run of the alphabet or the digits (`abcdefgh`, `1234567890123`,
    `ABCDEFGHIJK_LMNOPQRSTUVWXYZ-0123456789`), or of a keyboard row."""
    if len(value) < 6:
        return False
    low = value.lower()
    if any(low in row for row in _SEQUENCES[4:]):
        return True
    return sequential_share(value) >= 0.8 or longest_sequence(value) >= 0.6 * len(value)


def longest_sequence(value: bytes) -> int:
    """The length of the longest run of one-step neighbours (`1234567890` in `xoxp-1234567890`)."""
    best = run = 1 if value else 0
    for a, b in zip(value, value[1:]):
        run = run + 1 if _step(a, b) else 1
        best = max(best, run)
    return best
