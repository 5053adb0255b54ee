"""Version constraints of each manifest dialect, behind one small interface.

A `Constraint` answers what the checks ask of a range: does it allow this version, what is the
lowest version it allows (when it has a lower bound), is it one exact version, and how would it
read with its lower bound raised (for the "raise the minimum" quick fix).

Dialects: PEP 440 specifiers (requirements files, PEP 621, Pipfile, setup.cfg), Poetry (`^`,
`~`, `*`, `||` on PEP 440 versions), npm ranges (`redline.deps.semver`), Maven version ranges
(`[1.0,2.0)`, `[1.2]`, a bare `1.2` is that version).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from redline.deps import mavenversion, semver
from redline.deps import versions as V
from redline.secrets.regex import linear


class Constraint:
    """Base of the dialects below; each is a frozen dataclass with a `text` field."""

    @property
    def exact(self) -> str | None:
        return None

    def allows(self, version: str) -> bool:
        raise NotImplementedError

    def lowest(self) -> str | None:
        return None

    def raised(self, version: str) -> str | None:
        """The constraint text with its lower bound raised to `version`, when that keeps the
        rest of its meaning (a single `>=`, `^` or `~` clause); else None."""
        return None


# ------------------------------------------------------------------------------- PEP 440

_CLAUSE = linear(r"(~=|===|==|!=|<=|>=|<|>)\s*([^,\s]+)")
# Poetry's clauses (`~` never precedes "=" here: `~=` fails the "\s*\d" that must follow).
_POETRY_CARET_TILDE = linear(r"(\^|~)\s*(\d+(?:\.\d+)*)([A-Za-z0-9.+-]*)")
_POETRY_BARE = linear(r"\d+(?:\.\d+)*(?:\.\*)?[A-Za-z0-9.+-]*")
_POETRY_PEP440 = linear(r"(~=|===|==|!=|<=|>=|<|>)\s*\S+")
_POETRY_SEPARATOR = linear(r"\s*,\s*|\s+")  # a comma, or spaces before an operator (see _poetry_parts)
_POETRY_RAISABLE = linear(r"(\^|~|>=)\s*[0-9][^\s,|]*")
_POETRY_EXACT = linear(r"=?=?\s*\d+(?:\.\d+)*[A-Za-z0-9.+-]*")
_NPM_RAISABLE = linear(r"\s*(\^|~|>=)\s*v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?\s*")


@dataclass(frozen=True)
class Pep440(Constraint):
    text: str
    sets: tuple[SpecifierSet, ...]

    @cached_property
    def exact(self) -> str | None:
        if len(self.sets) != 1:
            return None
        for s in self.sets[0]:
            if s.operator == "===" or (s.operator == "==" and "*" not in s.version):
                return s.version
        return None

    def allows(self, version: str) -> bool:
        try:
            v = Version(version)
        except InvalidVersion:
            return False
        return any(ss.contains(v) for ss in self.sets)

    def lowest(self) -> str | None:
        best = None
        for ss in self.sets:
            low = None
            for s in ss:
                if s.operator in (">=", "~=", "==", "===", ">"):
                    text = s.version[:-2] if s.version.endswith(".*") else s.version
                    try:
                        cand = Version(text)
                    except InvalidVersion:
                        continue
                    if low is None or cand > low[0]:
                        low = (cand, text)
            if low is None:
                return None
            if best is None or low[0] < best[0]:
                best = low
        return best[1] if best else None

    def raised(self, version: str) -> str | None:
        clauses = [c for c in self.text.split(",") if c.strip()]
        if len(self.sets) == 1 and len(clauses) == 1:
            m = _CLAUSE.fullmatch(clauses[0].strip())
            if m and m.group(1) == ">=":
                return f">={version}"
        return None


@lru_cache(maxsize=8192)
def pep440(text: str) -> Pep440 | None:
    """PEP 440 specifiers (`>=1.0,<2`, `==1.2.*`); `*` and "" allow everything."""
    t = text.strip().strip("()").strip()
    if t in ("", "*"):
        return Pep440(text, (SpecifierSet(""),))
    try:
        return Pep440(text, (SpecifierSet(t),))
    except InvalidSpecifier:
        return None


def _poetry_clause(clause: str) -> str | None:
    """One Poetry clause as PEP 440 specifiers."""
    c = clause.strip()
    if c in ("", "*"):
        return ""
    m = _POETRY_CARET_TILDE.fullmatch(c)
    if m:
        op, base, rest = m.groups()
        parts = [int(p) for p in base.split(".")]
        low = base + rest
        if op == "^":
            i = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
            upper = parts[: i + 1]
            upper[-1] += 1
        else:  # ~1.2.3 -> <1.3; ~1.2 -> <1.3; ~1 -> <2
            upper = parts[:2] if len(parts) >= 2 else parts[:1]
            upper[-1] += 1
        return f">={low},<{'.'.join(map(str, upper))}"
    if _POETRY_BARE.fullmatch(c):
        return f"=={c}"
    if _POETRY_PEP440.fullmatch(c):
        return c
    return None


def _poetry_parts(alt: str) -> list[str]:
    """`alt` split at commas and at spaces that come before an operator (`>=1 <2`)."""
    parts, last = [], 0
    for m in _POETRY_SEPARATOR.finditer(alt):
        if "," not in m.group() and alt[m.end() : m.end() + 1] not in _OPERATOR_START:
            continue
        parts.append(alt[last : m.start()])
        last = m.end()
    parts.append(alt[last:])
    return parts


_OPERATOR_START = frozenset("<>=!~^")


@lru_cache(maxsize=4096)
def poetry(text: str) -> Pep440 | None:
    """Poetry constraints: `^1.2`, `~1.2.3`, `1.2.*`, `>=1,<2`, `>=1 <2`, `1.0 || 2.0`, `*`."""
    sets = []
    for alt in text.split("||"):
        parts = [p for p in _poetry_parts(alt.strip()) if p]
        converted = []
        for p in parts or [""]:
            c = _poetry_clause(p)
            if c is None:
                return None
            if c:
                converted.append(c)
        try:
            sets.append(SpecifierSet(",".join(converted)))
        except InvalidSpecifier:
            return None
    return _PoetryConstraint(text, tuple(sets))


@dataclass(frozen=True)
class _PoetryConstraint(Pep440):
    def raised(self, version: str) -> str | None:
        t = self.text.strip()
        m = _POETRY_RAISABLE.fullmatch(t)
        return f"{m.group(1)}{version}" if m else None

    @property
    def exact(self) -> str | None:
        t = self.text.strip()
        if _POETRY_EXACT.fullmatch(t) and "*" not in t:
            return t.lstrip("=").strip()
        return None


# -------------------------------------------------------------------------------- npm

@dataclass(frozen=True)
class Npm(Constraint):
    text: str
    range: semver.Range

    @property
    def exact(self) -> str | None:
        v = self.range.exact
        if v is None:
            return None
        # The version as written (keeps its spelling for edits), without a leading "=" or "v".
        return self.text.strip().lstrip("=v").strip()

    def allows(self, version: str) -> bool:
        v = semver.parse(version)
        return v is not None and self.range.satisfies(v)

    def lowest(self) -> str | None:
        low = self.range.lowest()
        return None if low is None or low == semver.ZERO else str(low)

    def raised(self, version: str) -> str | None:
        m = _NPM_RAISABLE.fullmatch(self.text)
        return f"{m.group(1)}{version}" if m else None


@lru_cache(maxsize=8192)
def npm(text: str) -> Npm | None:
    try:
        return Npm(text, semver.parse_range(text))
    except semver.RangeError:
        return None


# ------------------------------------------------------------------------------ Maven

_MAVEN_SET = linear(r"([\[(])\s*([^,\[\]()]*?)\s*(?:,\s*([^,\[\]()]*?)\s*)?([\])])")


@dataclass(frozen=True)
class Maven(Constraint):
    text: str
    # (low, low_inclusive, high, high_inclusive); None bound = unbounded
    intervals: tuple[tuple[str | None, bool, str | None, bool], ...]
    soft: str | None = None  # a bare version: Maven's "soft requirement", in effect that version

    @property
    def exact(self) -> str | None:
        if self.soft:
            return self.soft
        if len(self.intervals) == 1:
            low, li, high, hi = self.intervals[0]
            if low is not None and low == high and li and hi:
                return low
        return None

    def allows(self, version: str) -> bool:
        if self.soft:
            return mavenversion.compare(version, self.soft) == 0
        for low, li, high, hi in self.intervals:
            if low is not None:
                c = mavenversion.compare(version, low)
                if c < 0 or (c == 0 and not li):
                    continue
            if high is not None:
                c = mavenversion.compare(version, high)
                if c > 0 or (c == 0 and not hi):
                    continue
            return True
        return False

    def lowest(self) -> str | None:
        if self.soft:
            return self.soft
        lows = [low for low, _li, _h, _hi in self.intervals]
        if not lows or any(low is None for low in lows):
            return None
        return min(lows, key=mavenversion.sort_key)


@lru_cache(maxsize=4096)
def maven(text: str) -> Maven | None:
    t = text.strip()
    if not t or t.startswith("$"):
        return None
    if t[0] not in "[(":
        return Maven(text, (), soft=t) if mavenversion.parse(t) else None
    intervals = []
    pos = 0
    while pos < len(t):
        m = _MAVEN_SET.match(t, pos)
        if not m:
            return None
        opening, low, high, closing = m.groups()
        if high is None:  # [1.2] exact; "(1.2)" is invalid
            if opening != "[" or closing != "]" or not low:
                return None
            intervals.append((low, True, low, True))
        else:
            intervals.append((low or None, opening == "[", high or None, closing == "]"))
        pos = m.end()
        while pos < len(t) and t[pos] in ", ":
            pos += 1
    return Maven(text, tuple(intervals))


# ----------------------------------------------------------------------------- dispatch

def exact_version(text: str) -> Constraint:
    """A constraint that is one version (go.mod, lock files)."""
    return _Exact(text, text)


@dataclass(frozen=True)
class _Exact(Constraint):
    text: str
    version: str

    @property
    def exact(self) -> str | None:
        return self.version

    def allows(self, version: str) -> bool:
        return version == self.version

    def lowest(self) -> str | None:
        return self.version


def for_dialect(dialect: str, text: str) -> Constraint | None:
    """`dialect`: pep440 | poetry | npm | maven | exact."""
    if dialect == "pep440":
        return pep440(text)
    if dialect == "poetry":
        return poetry(text)
    if dialect == "npm":
        return npm(text)
    if dialect == "maven":
        return maven(text)
    return exact_version(text)


DIALECT_OF = {V.PYPI: "pep440", V.NPM: "npm", V.MAVEN: "maven", V.GO: "exact"}
