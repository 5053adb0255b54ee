"""SemVer 2.0 versions and npm (node-semver) ranges, the subset Redline needs.

Why a module of our own: the PyPI ports of node-semver are unmaintained, and the libraries that
cover many ecosystems pull in large dependency trees; what a manifest check needs is small and
fully specified: SemVer 2.0 precedence (https://semver.org/#spec-item-11) and the npm range
grammar (https://github.com/npm/node-semver#ranges). tests/test_deps_semver.py checks both,
with property tests for the ordering and for the range desugaring.

Versions are parsed leniently the way OSV data and go.mod need: a leading `v` or `=` is
dropped and missing minor/patch parts count as 0 (`1.0` is `1.0.0`). Build metadata is kept
for display but ignored in comparisons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache, total_ordering

from redline.secrets.regex import linear

_IDENT = r"[0-9A-Za-z-]+"
_VERSION_RE = linear(
    r"^\s*[v=]?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?"
    rf"(?:-?((?:{_IDENT})(?:\.{_IDENT})*))?"
    rf"(?:\+((?:{_IDENT})(?:\.{_IDENT})*))?\s*$"
)


def _pre_key(pre: tuple[str, ...]) -> tuple:
    """Precedence key of pre-release identifiers: numeric ones compare numerically and sort
    before alphanumeric ones; a version without pre-release sorts after every pre-release."""
    if not pre:
        return (1,)
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre))


@total_ordering
@dataclass(frozen=True)
class SemVer:
    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    build: str = field(default="", compare=False)

    @property
    def key(self) -> tuple:
        return (self.major, self.minor, self.patch, _pre_key(self.pre))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: "SemVer") -> bool:
        return self.key < other.key

    def __str__(self) -> str:
        s = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            s += "-" + ".".join(self.pre)
        if self.build:
            s += "+" + self.build
        return s

    @property
    def release(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)


@lru_cache(maxsize=65536)
def parse(text: str) -> SemVer | None:
    """A SemVer from `text`, or None when it is not one (lenient, see the module docstring)."""
    m = _VERSION_RE.match(text)
    if not m:
        return None
    major, minor, patch, pre, build = m.groups()
    pre_parts = tuple(pre.split(".")) if pre else ()
    # Numeric identifiers must not have leading zeros in strict SemVer; leniently accept them
    # but compare numerically (what node-semver's loose mode does).
    return SemVer(int(major), int(minor or 0), int(patch or 0), pre_parts, build or "")


# ------------------------------------------------------------------------------------ ranges

# A comparator is (operator, version) with operator one of "<", "<=", ">", ">=", "=".
Comparator = tuple[str, SemVer]


@dataclass(frozen=True)
class Range:
    """An npm range: alternatives (`||`) of comparator sets that must all hold."""

    text: str
    alternatives: tuple[tuple[Comparator, ...], ...]

    def satisfies(self, version: SemVer, include_prerelease: bool = False) -> bool:
        return any(_set_ok(cs, version, include_prerelease) for cs in self.alternatives)

    def lowest(self) -> SemVer | None:
        """The smallest version the range allows, when each alternative has a lower bound
        (`>=1.2.3`, `^1.2.3`, ...); a `>` bound is approximated by its version's next patch."""
        best: SemVer | None = None
        for cs in self.alternatives:
            low = _lower_bound(cs)
            if low is None:
                return None
            if best is None or low < best:
                best = low
        return best

    @property
    def exact(self) -> SemVer | None:
        """The version when the range allows exactly one (`1.2.3`, `=1.2.3`)."""
        if len(self.alternatives) == 1 and len(self.alternatives[0]) == 1:
            op, v = self.alternatives[0][0]
            if op == "=":
                return v
        return None


def _cmp_ok(op: str, a: SemVer, b: SemVer) -> bool:
    if op == "=":
        return a == b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _set_ok(cs: tuple[Comparator, ...], v: SemVer, include_prerelease: bool) -> bool:
    if not all(_cmp_ok(op, v, bound) for op, bound in cs):
        return False
    if v.pre and not include_prerelease:
        # node-semver: a pre-release only matches a set that names a pre-release of the same
        # major.minor.patch (so ^1.0.0 does not pull in 2.0.0-beta).
        return any(bound.pre and bound.release == v.release for _op, bound in cs)
    return True


def _lower_bound(cs: tuple[Comparator, ...]) -> SemVer | None:
    low: SemVer | None = None
    for op, v in cs:
        cand = None
        if op in (">=", "="):
            cand = v
        elif op == ">":
            cand = SemVer(v.major, v.minor, v.patch + 1) if not v.pre else SemVer(v.major, v.minor, v.patch, v.pre + ("0",))
        if cand is not None and (low is None or cand > low):
            low = cand
    return low


ZERO = SemVer(0, 0, 0)
_X = {"x", "X", "*"}
_PARTIAL_RE = linear(
    rf"^[v=]?\s*([0-9]+|[xX*])(?:\.([0-9]+|[xX*]))?(?:\.([0-9]+|[xX*]))?"
    rf"(?:-?((?:{_IDENT})(?:\.{_IDENT})*))?(?:\+((?:{_IDENT})(?:\.{_IDENT})*))?$"
)


class RangeError(ValueError):
    pass


def _partial(text: str) -> tuple[int | None, int | None, int | None, tuple[str, ...]]:
    m = _PARTIAL_RE.match(text)
    if not m:
        raise RangeError(f"not a version: {text!r}")
    parts: list[int | None] = []
    for g in m.groups()[:3]:
        parts.append(None if g is None or g in _X else int(g))
    # 1.x.3 means 1.x
    for i in range(3):
        if parts[i] is None:
            parts[i + 1 :] = [None] * (2 - i)
            break
    pre = tuple(m.group(4).split(".")) if m.group(4) and parts[2] is not None else ()
    return parts[0], parts[1], parts[2], pre


def _lt0(major: int, minor: int = 0, patch: int = 0) -> Comparator:
    """`< X.Y.Z-0`: below every pre-release of X.Y.Z."""
    return ("<", SemVer(major, minor, patch, ("0",)))


def _expand_primitive(op: str, text: str) -> list[Comparator]:
    ma, mi, pa, pre = _partial(text)
    if ma is None:  # *, x
        return [("<", ZERO)] if op in ("<", ">") else [(">=", ZERO)]
    if op in ("", "="):
        if mi is None:
            return [(">=", SemVer(ma, 0, 0)), _lt0(ma + 1)]
        if pa is None:
            return [(">=", SemVer(ma, mi, 0)), _lt0(ma, mi + 1)]
        return [("=", SemVer(ma, mi, pa, pre))]
    if op == ">":
        if mi is None:
            return [(">=", SemVer(ma + 1, 0, 0))]
        if pa is None:
            return [(">=", SemVer(ma, mi + 1, 0))]
        return [(">", SemVer(ma, mi, pa, pre))]
    if op == ">=":
        return [(">=", SemVer(ma, mi or 0, pa or 0, pre))]
    if op == "<":
        return [("<", SemVer(ma, mi or 0, pa or 0, pre if pa is not None else ("0",)))]
    if op == "<=":
        if mi is None:
            return [_lt0(ma + 1)]
        if pa is None:
            return [_lt0(ma, mi + 1)]
        return [("<=", SemVer(ma, mi, pa, pre))]
    raise RangeError(f"unknown operator {op!r}")


def _expand_tilde(text: str) -> list[Comparator]:
    ma, mi, pa, pre = _partial(text)
    if ma is None:
        return [(">=", ZERO)]
    if mi is None:
        return [(">=", SemVer(ma, 0, 0)), _lt0(ma + 1)]
    return [(">=", SemVer(ma, mi, pa or 0, pre)), _lt0(ma, mi + 1)]


def _expand_caret(text: str) -> list[Comparator]:
    ma, mi, pa, pre = _partial(text)
    if ma is None:
        return [(">=", ZERO)]
    if mi is None:
        return [(">=", SemVer(ma, 0, 0)), _lt0(ma + 1)]
    low = SemVer(ma, mi, pa or 0, pre)
    if ma > 0:
        return [(">=", low), _lt0(ma + 1)]
    if pa is None or mi > 0:  # ^0.0.x, ^0.2.x, ^0.2.3
        return [(">=", low), _lt0(0, mi + 1)]
        return [(">=", low), _lt0(0, mi + 1)]
    return [(">=", low), _lt0(0, 0, pa + 1)]


def _expand_hyphen(low: str, high: str) -> list[Comparator]:
    lma, lmi, lpa, lpre = _partial(low)
    out: list[Comparator] = []
    if lma is not None:
        out.append((">=", SemVer(lma, lmi or 0, lpa or 0, lpre)))
    hma, hmi, hpa, hpre = _partial(high)
    if hma is None:
        pass
    elif hmi is None:
        out.append(_lt0(hma + 1))
    elif hpa is None:
        out.append(_lt0(hma, hmi + 1))
    else:
        out.append(("<=", SemVer(hma, hmi, hpa, hpre)))
    return out or [(">=", ZERO)]


_TOKEN_RE = linear(r"(\^|~>?|>=|<=|>|<|=)?\s*([^\s]+)")
_HYPHEN_RE = linear(r"(\S+)\s+-\s+(\S+)")
_SPACED_OPERATOR_RE = linear(r"(\^|~>?|>=|<=|>|<|=)\s+")


def _comparator_set(text: str) -> tuple[Comparator, ...]:
    text = text.strip()
    if not text:
        return ((">=", ZERO),)
    m = _HYPHEN_RE.fullmatch(text)
    if m:
        return tuple(_expand_hyphen(m.group(1), m.group(2)))
    out: list[Comparator] = []
    # Operators may be separated from their version by spaces (">= 1.2.3").
    text = _SPACED_OPERATOR_RE.sub(r"\1", text)
    for token in text.split():
        tm = _TOKEN_RE.fullmatch(token)
        if not tm:
            raise RangeError(f"not a range: {token!r}")
        op, rest = tm.group(1) or "", tm.group(2)
        if op.startswith("~"):
            out.extend(_expand_tilde(rest))
        elif op == "^":
            out.extend(_expand_caret(rest))
        else:
            out.extend(_expand_primitive(op, rest))
    return tuple(out)


@lru_cache(maxsize=8192)
def parse_range(text: str) -> Range:
    """An npm range (`^1.2.3`, `~1.2`, `>=1 <2`, `1.2.3 - 2`, `1.x || >=3`, `*`, `""`).

    Raises RangeError for anything else (dist-tags like `latest`, URLs, `file:` paths)."""
    if len(text) > 1000:
        raise RangeError("range too long")
    alternatives = tuple(_comparator_set(part) for part in text.split("||"))
    return Range(text, alternatives)


def is_range(text: str) -> bool:
    try:
        parse_range(text)
        return True
    except RangeError:
        return False
