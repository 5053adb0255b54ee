"""Package-name checks: popular, known, possible typosquat, or unknown to every offline list.

Lists: the popular-package lists (`toplists`, 15k names per ecosystem) and every package name
in the advisory database (a package with an advisory exists). A name in either is *known*.

A name that is not known is a *possible typosquat* of a popular name P when
- removing `-`, `_` and `.` makes them equal (`python-dateutil` / `pythondateutil`);
- they are equal after swapping look-alike digits and letters (0/o, 1/l/i, 5/s);
- one is the other plus a plural `s`/`es`;
- it is P with a prefix or suffix squatters like (`python-`, `py`, `-js`, `node-`, ...);
- it is within edit distance 1 (names of 5-8 characters) or 2 (9 or more) of P, counting a
  swap of adjacent letters as one edit, unless the only differences are digits
  (`cupy-cuda11x` / `cupy-cuda12x`) or one whole short segment (`tree-sitter-hcl` /
  `tree-sitter-c`, `pytest-xml` / `pytest-html`): those are siblings of a family, not typos.

The look-alike checks use the 5,000 most popular names as targets and the edit-distance check
the 1,000 most popular: squatters copy famous names, and each wider target set costs false
alarms on legitimate names (bench/deps.py measures both on held-out names).

Everything else that is not known is *unknown*: it may exist but be too rare for the lists,
so that is a hint with low confidence, never a claim that the package does not exist.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from redline.deps import toplists
from redline.deps import versions as V

EDIT_TARGETS = 1000
CONFUSABLE_TARGETS = 5000
_GLYPHS = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s"})
_PREFIXES = ("python-", "python3-", "python", "py-", "py", "node-", "js-")
_SUFFIXES = ("-python", "-python3", "-py", "py", "-js", ".js", "js", "-node", "-lib")


def _strip(name: str) -> str:
    return re.sub(r"[-_.]", "", name)


@dataclass(frozen=True)
class Verdict:
    status: str  # popular | known | typosquat | unknown | private (an npm scope no list knows) | scope (a listed scope)
    target: str | None = None  # the popular name it resembles (typosquat)
    how: str | None = None  # why it resembles it

    @property
    def is_known(self) -> bool:
        return self.status in ("popular", "known")


class NameIndex:
    """The names of one ecosystem; `check(name)` is cached per name."""

    def __init__(self, ecosystem: str, popular: tuple[str, ...], known: set[str] | frozenset[str] = frozenset()):
        self.ecosystem = ecosystem
        self.popular = popular
        self.rank = {n: i for i, n in enumerate(popular)}
        self.known = frozenset(known) | frozenset(popular)
        self._scopes = {n.split("/", 1)[0] for n in self.known if n.startswith("@") and "/" in n}
        self._lookalikes: tuple[list[str], dict[str, str], dict[str, str]] | None = None
        self._lock = threading.Lock()
        self.check = lru_cache(maxsize=8192)(self._check)

    def _tables(self) -> tuple[list[str], dict[str, str], dict[str, str]]:
        """Edit targets and the look-alike maps, built on the first unknown name (most files
        have none, and building them is the larger part of the index's cost)."""
        if self._lookalikes is None:
            with self._lock:
                if self._lookalikes is None:
                    stripped: dict[str, str] = {}
                    glyphs: dict[str, str] = {}
                    for n in self.popular[:CONFUSABLE_TARGETS]:
                        s = _strip(n)
                        stripped.setdefault(s, n)
                        glyphs.setdefault(s.translate(_GLYPHS), n)
                    self._lookalikes = (list(self.popular[:EDIT_TARGETS]), stripped, glyphs)
        return self._lookalikes

    def _is_confusable_target(self, name: str) -> bool:
        r = self.rank.get(name)
        return r is not None and r < CONFUSABLE_TARGETS

    def _check(self, raw: str) -> Verdict:
        name = V.normalize_name(self.ecosystem, raw)
        if name in self.rank:
            return Verdict("popular")
        if name in self.known:
            return Verdict("known")
        if self.ecosystem == V.NPM and name.startswith("@") and "/" in name:
            if name.partition("/")[0] not in self._scopes:
                # A scope no list knows is most likely a private organisation's: the lists say
                # nothing about it (and private packages often reuse public names).
                return Verdict("private")
            # A scope that publishes listed packages (`@tanstack/react-router` beside the listed
            # `@tanstack/react-query`): only the scope's owner can publish in it, so nobody else
            # can register an unlisted name there. A near-copy of a listed name in it is still
            # worth a warning (`@types/nodee`: a typo); anything else is not "unknown" offline
            # (online the registry still confirms it exists).
            return self._typosquat(name) or Verdict("scope")
        hit = self._typosquat(name)
        return hit or Verdict("unknown")

    def _typosquat(self, name: str) -> Verdict | None:
        edit_targets, stripped, glyphs = self._tables()
        s = _strip(name)
        t = stripped.get(s)
        if t and t != name:
            return Verdict("typosquat", t, "the same name with other separators")
        t = glyphs.get(s.translate(_GLYPHS))
        if t and t != name:
            return Verdict("typosquat", t, "look-alike digits and letters swapped")
        for cand in (name + "s", name[:-1] if name.endswith("s") else None, name[:-2] if name.endswith("es") else None):
            if cand and cand != name and self._is_confusable_target(cand):
                return Verdict("typosquat", cand, "a plural/singular variant")
        for p in _PREFIXES:
            base = name[len(p) :]
            if name.startswith(p) and len(base) >= 3 and self._is_confusable_target(base):
                return Verdict("typosquat", base, f"the prefix '{p}' added")
        for suf in _SUFFIXES:
            base = name[: -len(suf)]
            if name.endswith(suf) and len(base) >= 3 and self._is_confusable_target(base):
                return Verdict("typosquat", base, f"the suffix '{suf}' added")
        length = min((len(part) for part in name.lstrip("@").split("/")), default=0)
        if length < 5:
            return None
        max_d = 1 if len(name) < 9 else 2
        best = None
        for cand, dist, _i in process.extract(name, edit_targets, scorer=OSA.distance, score_cutoff=max_d, limit=8):
            if cand == name or _digits_only(name, cand) or _sibling(name, cand):
                continue
            key = (dist, self.rank[cand])
            if best is None or key < best[0]:
                best = (key, cand, dist)
        if best:
            _key, cand, dist = best
            return Verdict("typosquat", cand, "one edit away" if dist == 1 else f"{dist} edits away")
        return None


_SEGMENTS = re.compile(r"[-_./]")


def _sibling(a: str, b: str) -> bool:
    """True for members of one naming family that differ in a whole short segment
    (`tree-sitter-hcl` / `tree-sitter-c`, `pytest-xml` / `pytest-html`): same segments except
    one, and that one differs by two edits or more (a different word, not a typo)."""
    sa, sb = _SEGMENTS.split(a), _SEGMENTS.split(b)
    if len(sa) != len(sb) or len(sa) < 2:
        return False
    diff = [(x, y) for x, y in zip(sa, sb) if x != y]
    if len(diff) != 1:
        return False
    x, y = diff[0]
    return OSA.distance(x, y) >= 2


def _digits_only(a: str, b: str) -> bool:
    """True when every character that differs between a and b is a digit."""
    for op in Levenshtein.editops(a, b):
        chars = []
        if op.tag in ("replace", "delete"):
            chars.append(a[op.src_pos])
        if op.tag in ("replace", "insert"):
            chars.append(b[op.dest_pos])
        if not all(c.isdigit() for c in chars):
            return False
    return True


_lock = threading.Lock()
_indexes: dict[tuple[str, int], NameIndex] = {}


def index_for(ecosystem: str, extra_known: frozenset[str] = frozenset()) -> NameIndex | None:
    """The index of an ecosystem with a popular list (PyPI, npm); None for Go and Maven.

    `extra_known` (the advisory database's names) is part of the cache key by identity-free
    size+hash, so a reloaded database rebuilds the index."""
    popular = toplists.load(ecosystem)
    if not popular:
        return None
    key = (ecosystem, hash(extra_known))
    idx = _indexes.get(key)
    if idx is None:
        with _lock:
            idx = _indexes.get(key)
            if idx is None:
                # Keep one index per ecosystem: drop stale ones.
                for k in [k for k in _indexes if k[0] == ecosystem]:
                    del _indexes[k]
                idx = _indexes[key] = NameIndex(ecosystem, popular, extra_known)
    return idx
