"""Maven version ordering (the algorithm of Maven's `ComparableVersion`), for OSV `ECOSYSTEM`
ranges of Maven packages and literal versions in pom.xml.

A version is split into items at `.` and `-` and at every switch between digits and letters;
a `-` (or a digit/letter switch) opens a sub-list that ranks below anything after a `.`.
Trailing "null" items (0, the empty qualifier, empty lists) are dropped, so `2.4` == `2.4.0`.
Qualifiers rank alpha < beta < milestone < rc (= cr) < snapshot < "" (= ga = final = release)
< sp, then unknown qualifiers in lexical order; `a1`/`b1`/`m1` mean alpha-1/beta-1/milestone-1.
"""

from __future__ import annotations

from functools import cmp_to_key, lru_cache, total_ordering

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE = str(_QUALIFIERS.index(""))


def _qualifier_key(q: str) -> str:
    try:
        return str(_QUALIFIERS.index(q))
    except ValueError:
        return f"{len(_QUALIFIERS)}-{q}"


class _Str(str):
    """A qualifier item (a str subclass so that ints and lists are told apart by type)."""


def _string_item(text: str, followed_by_digit: bool) -> _Str:
    if followed_by_digit and len(text) == 1:
        text = {"a": "alpha", "b": "beta", "m": "milestone"}.get(text, text)
    return _Str(_ALIASES.get(text, text))


def _is_null(item) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, _Str):
        return _qualifier_key(item) == _RELEASE
    return len(item) == 0


def _normalize(items: list) -> None:
    i = len(items) - 1
    while i >= 0:
        if _is_null(items[i]):
            del items[i]
        elif not isinstance(items[i], list):
            break
        i -= 1


def _cmp(a, b) -> int:
    """Compare two items (int, _Str or list); b may be None (missing)."""
    if isinstance(a, int):
        if b is None:
            return 0 if a == 0 else 1
        if isinstance(b, int):
            return (a > b) - (a < b)
        return 1  # 1.1 > 1-sp, 1.1 > 1-1
    if isinstance(a, _Str):
        if b is None:
            ka = _qualifier_key(a)
            return (ka > _RELEASE) - (ka < _RELEASE)
        if isinstance(b, int):
            return -1
        if isinstance(b, _Str):
            ka, kb = _qualifier_key(a), _qualifier_key(b)
            return (ka > kb) - (ka < kb)
        return -1  # 1.any < 1-1
    # a is a list
    if b is None:
        return 0 if not a else _cmp(a[0], None)
    if isinstance(b, int):
        return -1
    if isinstance(b, _Str):
        return 1
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else None
        right = b[i] if i < len(b) else None
        if left is None:
            r = 0 if right is None else -_cmp(right, None)
        else:
            r = _cmp(left, right)
        if r:
            return r
    return 0


def _parse_item(is_digit: bool, text: str):
    return int(text) if is_digit else _string_item(text, False)


@lru_cache(maxsize=16384)
def items(version: str) -> tuple:
    """The parsed, normalized item list (nested tuples) of a version string."""
    v = version.strip().lower()
    root: list = []
    current = root
    stack = [root]
    is_digit = False
    start = 0
    for i, c in enumerate(v):
        if c in ".-":
            current.append(0 if i == start else _parse_item(is_digit, v[start:i]))
            start = i + 1
            if c == "-":
                new: list = []
                current.append(new)
                current = new
                stack.append(new)
        elif c.isdigit():
            if not is_digit and i > start:
                current.append(_string_item(v[start:i], True))
                start = i
                new = []
                current.append(new)
                current = new
                stack.append(new)
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(_parse_item(True, v[start:i]))
                start = i
                new = []
                current.append(new)
                current = new
                stack.append(new)
            is_digit = False
    if len(v) > start:
        current.append(_parse_item(is_digit, v[start:]))
    while stack:
        _normalize(stack.pop())
    return _freeze(root)


def _freeze(item):
    if isinstance(item, list):
        return tuple(_freeze(i) for i in item)
    return item


def _lists(item):
    if isinstance(item, tuple):
        return [_lists(i) for i in item]
    return item


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as Maven orders the versions `a` and `b`."""
    return _cmp(_lists(items(a)), _lists(items(b)))


@total_ordering
class MavenVersion:
    """A Maven version that compares like Maven does."""

    __slots__ = ("text", "_items")

    def __init__(self, text: str):
        self.text = text
        self._items = _lists(items(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MavenVersion) and _cmp(self._items, other._items) == 0

    def __lt__(self, other: "MavenVersion") -> bool:
        return _cmp(self._items, other._items) < 0

    def __hash__(self) -> int:
        return hash(items(self.text))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"MavenVersion({self.text!r})"


sort_key = cmp_to_key(compare)


def parse(text: str) -> MavenVersion | None:
    text = text.strip()
    if not text or any(c.isspace() for c in text) or text.startswith("$"):
        return None
    return MavenVersion(text)
