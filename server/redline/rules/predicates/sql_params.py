"""Turn SQL text with values pasted in into SQL with placeholders (for the quick fixes of the
JavaScript, Go and Java SQL-injection rules).

The caller splits the query expression into `Text` and `Value` parts (template literal pieces,
concatenation operands, format-string pieces); `parameterize` replaces each value with a
placeholder, removes the quotes that surrounded it (`name = '` + v + `'` -> `name = $1`), keeps
`LIKE '%` + v + `%'` working by moving the `%` into the bound value, and refuses (None) when a
value is not in a position where SQL accepts a bound parameter: a table or column name, a
keyword, part of a longer quoted string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from redline.secrets.regex import linear


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Value:
    node: object


@dataclass(frozen=True)
class Bound:
    """A value to bind, with the LIKE wildcards that were around it in the SQL text."""

    node: object
    prefix: str = ""
    suffix: str = ""


_VALUE_CONTEXT = linear(
    r"(=|<|>|<=|>=|<>|!=|\blike|\bilike|\blimit|\boffset|\bthen|\belse|\bwhen|\bis|\bnot)\s*$",
    re.IGNORECASE,
)
_LIST_OPENER = linear(r"\b(values|in)\s*$", re.IGNORECASE)
_BETWEEN_AND = linear(r"\bbetween\s+\S+\s+and\s*$", re.IGNORECASE)
_BETWEEN = linear(r"\bbetween\s*$", re.IGNORECASE)
EXISTING_PLACEHOLDER = linear(r"\?|\$\d")


def _in_value_list(before: str) -> bool:
    """The text ends inside `VALUES (` ... or `IN (` ..., right after `(` or `,`."""
    depth = 0
    for i in range(len(before) - 1, -1, -1):
        c = before[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                return bool(_LIST_OPENER.search(before[:i]))
            depth -= 1
    return False


def value_position(before: str) -> bool:
    """Whether SQL accepts a bound parameter right after `before` (an unquoted value)."""
    stripped = before.rstrip()
    if not stripped:
        return False
    if _VALUE_CONTEXT.search(stripped) or _BETWEEN.search(stripped) or _BETWEEN_AND.search(stripped):
        return True
    if stripped.endswith(("(", ",")):
        return _in_value_list(stripped)
    return False


def parameterize(parts: list, placeholder: Callable[[int], str]) -> tuple[str, list[Bound]] | None:
    """(sql text with placeholders, values to bind in order), or None when it cannot be done."""
    texts = [p.text for p in parts if isinstance(p, Text)]
    if any(EXISTING_PLACEHOLDER.search(t) for t in texts):
        return None  # mixes placeholders and pasted values: leave it to a human
    out = ""
    bound: list[Bound] = []
    pending_strip = ""  # text to remove from the start of the next Text part
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, Text):
            text = part.text
            if pending_strip:
                if not text.startswith(pending_strip):
                    return None
                text = text[len(pending_strip):]
                pending_strip = ""
            out += text
            i += 1
            continue
        nxt = parts[i + 1].text if i + 1 < len(parts) and isinstance(parts[i + 1], Text) else ""
        m = re.search(r"(['\"])(%?)$", out)
        if m:
            quote, pct_before = m.group(1), m.group(2)
            m2 = re.match(r"(%?)" + re.escape(quote), nxt)
            if not m2:
                return None  # the value is part of a longer quoted string
            pct_after = m2.group(1)
            out = out[: m.start()]
            pending_strip = m2.group(0)
            if not value_position(out):
                return None
            bound.append(Bound(part.node, pct_before, pct_after))
        else:
            if not value_position(out):
                return None
            bound.append(Bound(part.node))
        out += placeholder(len(bound))
        i += 1
    if pending_strip:
        return None
    if not bound:
        return None
    return out, bound
