"""Linear-time regular expressions: the secrets scanner's (`compile`) and every other pattern
that Redline applies to file content (`linear`, below; see docs/security.md).

Every pattern of the scanner is compiled with RE2 (`google-re2`): RE2 runs in time linear in
the input whatever the pattern (no backtracking, so no catastrophic cases on a long minified
line), and a case-insensitive alternation of many keywords runs as one DFA pass, which Python's
`re` does about 60 times slower (measured on Django: 12 ms against 770 ms for the prefilter).

RE2 rejects look-around and back-references, which keeps the patterns honest. If the wheel is
missing on some platform, Python's `re` is used instead with the same patterns (they are written
in the common subset), and `BACKEND` says so.
"""

from __future__ import annotations

import logging
from functools import lru_cache

log = logging.getLogger(__name__)

try:  # pragma: no cover - depends on the platform
    import re2 as _re2

    BACKEND = "re2"
except ImportError:  # pragma: no cover
    _re2 = None
    BACKEND = "re"
    log.warning("google-re2 is not installed: the secrets scanner falls back to Python's re")

import re as _re

_RE2_OPTIONS = None
if _re2 is not None:
    _RE2_OPTIONS = _re2.Options()
    _RE2_OPTIONS.max_mem = 64 << 20  # room for the DFA of the combined patterns
    _RE2_OPTIONS.log_errors = False  # a rejected pattern raises; no second report on stderr


@lru_cache(maxsize=None)
def compile(pattern: str):  # noqa: A001 - mirrors re.compile
    """A compiled bytes pattern (RE2 when available)."""
    raw = pattern.encode("utf-8")
    if _re2 is not None:
        return _re2.compile(raw, _RE2_OPTIONS)
    return _re.compile(raw)


def compile_python(pattern: str):
    """The same pattern compiled by Python's re (used by tests to check both agree)."""
    return _re.compile(pattern.encode("utf-8"))


def check_linear(pattern: str) -> None:
    """Raise ValueError when RE2 cannot compile `pattern` (look-around, back-references...)."""
    if _re2 is None:  # pragma: no cover
        _re.compile(pattern)
        return
    try:
        _re2.compile(pattern.encode("utf-8"), _RE2_OPTIONS)
    except _re2.error as e:
        raise ValueError(f"not an RE2 (linear-time) pattern: {e}: {pattern!r}") from None


def groups(pattern) -> dict[str, int]:
    """Group name -> index for a compiled pattern (RE2 keys bytes patterns' names by bytes)."""
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in pattern.groupindex.items()}


# --- Linear-time patterns for the rest of the package -------------------------------------
#
# `linear()` is what the dependency parsers, the rule predicates and the configuration reader
# use for every pattern applied to file content (see docs/security.md, "Bounded regular
# expressions"). It returns a `Pattern` with the subset of `re.Pattern` those modules use
# (search, match, fullmatch, finditer, findall, sub, split; str or bytes like the pattern) on
# top of the RE2 object itself. google-re2's own Python layer builds a generator per call and does
# not accept group names in `start`/`span`; this one calls RE2 once per search. A call still
# costs a few microseconds (measured: 3.5 us against 0.8 us for `re` and 5.2 us for google-re2's
# layer, matching a path against a gitignore glob), so short checks that are linear anyway (a
# literal alternation on a name) stay on `re`, vetted in tests/test_regex_linear.py.
#
# Differences from `re` that the patterns are written around: `$` matches only at the very end
# (no "before a final newline" unless (?m)), `\Z` is spelled `\z`, and `\w`, `\d`, `\s`, `\b` are
# ASCII. Flags are IGNORECASE, DOTALL and MULTILINE.

_FLAG_LETTERS = ((_re.IGNORECASE, "i"), (_re.DOTALL, "s"), (_re.MULTILINE, "m"))
_UNANCHORED = _ANCHOR_START = _ANCHOR_BOTH = None
if _re2 is not None:
    _UNANCHORED = _re2._Anchor.UNANCHORED
    _ANCHOR_START = _re2._Anchor.ANCHOR_START
    _ANCHOR_BOTH = _re2._Anchor.ANCHOR_BOTH
    _NULL = (-1, -1)
    _LINEAR_OPTIONS = _re2.Options()  # RE2's default memory budget (8 MB) per pattern
    _LINEAR_OPTIONS.log_errors = False


class error(ValueError):
    """A pattern RE2 cannot compile (look-around, back-reference, bad range...); `msg` says why."""

    def __init__(self, msg, pattern):
        self.msg = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
        self.pattern = pattern
        super().__init__(f"not an RE2 (linear-time) pattern: {self.msg}: {pattern!r}")


class Match:
    """What a successful match of a `Pattern` gives: groups by index or by name."""

    __slots__ = ("re", "string", "_spans")

    def __init__(self, pattern: "Pattern", string, spans):
        self.re = pattern
        self.string = string
        self._spans = spans

    def _index(self, group) -> int:
        if isinstance(group, int):
            if 0 <= group <= self.re.groups:
                return group
        elif group in self.re.groupindex:
            return self.re.groupindex[group]
        raise IndexError("no such group")  # as `re` does

    def span(self, group=0) -> tuple[int, int]:
        return self._spans[self._index(group)]

    def start(self, group=0) -> int:
        return self._spans[self._index(group)][0]

    def end(self, group=0) -> int:
        return self._spans[self._index(group)][1]

    def group(self, *groups):
        if len(groups) > 1:
            return tuple(self._get(g) for g in groups)
        return self._get(groups[0] if groups else 0)

    __getitem__ = group

    def _get(self, group):
        s, e = self._spans[self._index(group)]
        return None if s < 0 else self.string[s:e]

    def groups(self, default=None):
        return tuple(default if s < 0 else self.string[s:e] for s, e in self._spans[1:])

    def groupdict(self, default=None):
        return {k: (default if self._spans[i][0] < 0 else self._get(i)) for k, i in self.re.groupindex.items()}

    @property
    def lastindex(self):
        best, end = None, -1
        for i, (_s, e) in enumerate(self._spans[1:], 1):
            if e > end:
                best, end = i, e
        return best

    def expand(self, template):
        return self.re._expand(self, template)

    def __repr__(self) -> str:
        return f"<redline.secrets.regex.Match span={self._spans[0]} match={self.group()!r}>"


class Pattern:
    """A pattern compiled by RE2, used like `re.Pattern` (see `linear`)."""

    __slots__ = ("pattern", "flags", "groups", "groupindex", "_raw", "_is_str", "_slow")

    def __init__(self, pattern, flags: int = 0):
        self.pattern = pattern
        self.flags = flags
        self._is_str = isinstance(pattern, str)
        letters = "".join(c for f, c in _FLAG_LETTERS if flags & f)
        unknown = flags & ~(_re.IGNORECASE | _re.DOTALL | _re.MULTILINE | _re.ASCII)
        if unknown:
            raise ValueError(f"flags not supported by RE2: {unknown!r}")
        raw = pattern.encode("utf-8") if self._is_str else pattern
        if letters:
            raw = b"(?" + letters.encode() + b")" + raw
        if _re2 is None:  # pragma: no cover - the fallback keeps working, without the guarantee
            self._raw = None
            self._slow = _re.compile(pattern.replace(*(("\\z", "\\Z") if self._is_str else (b"\\z", b"\\Z"))), flags)
            self.groups = self._slow.groups
            self.groupindex = dict(self._slow.groupindex)
            return
        self._raw = _re2._re2.RE2(raw, _LINEAR_OPTIONS)
        if not self._raw.ok():
            raise error(self._raw.error(), pattern)
        self._slow = None
        self.groups = self._raw.NumberOfCapturingGroups()
        self.groupindex = {(k.decode() if isinstance(k, bytes) else k): v for k, v in self._raw.NamedCapturingGroups()}

    def __repr__(self) -> str:
        return f"redline.secrets.regex.linear({self.pattern!r})"

    # One call of RE2 from `pos`; spans are in the caller's units (bytes, or characters of an
    # ASCII str, where both agree). A non-ASCII str goes through google-re2's own layer, which
    # converts offsets.
    def _iter(self, anchor, text, pos: int, endpos: int | None):
        if self._slow is not None:  # pragma: no cover
            yield from self._slow_iter(anchor, text, pos, endpos)
            return
        if self._is_str:
            if not isinstance(text, str):
                raise TypeError("cannot use a string pattern on a bytes-like object")
            if not text.isascii():
                for m in _re2._Regexp._match(self._wrapped(), anchor, text, pos, endpos):
                    yield Match(self, text, m._spans)
                return
            data = text.encode("ascii")
        else:
            if isinstance(text, str):
                raise TypeError("cannot use a bytes pattern on a string-like object")
            data = text
        n = len(data)
        end = n if endpos is None else max(0, min(endpos, n))
        pos = max(0, min(pos, n))
        raw = self._raw
        while pos <= end:
            spans = raw.Match(anchor, data, pos, end)
            if spans[0] == _NULL:
                return
            yield Match(self, text, spans)
            if anchor is not _UNANCHORED:
                return
            s, e = spans[0]
            pos = e + 1 if e == s else e

    def _wrapped(self):
        w = _re2._Regexp.__new__(_re2._Regexp)
        w._pattern, w._regexp = self.pattern, self._raw
        return w

    def _one(self, anchor, text, pos, endpos):
        if self._slow is None and not (self._is_str and not (isinstance(text, str) and text.isascii())):
            # the hot path, inlined: one RE2 call, no generator
            if self._is_str:
                data = text.encode("ascii")
            elif isinstance(text, str):
                raise TypeError("cannot use a bytes pattern on a string-like object")
            else:
                data = text
            n = len(data)
            end = n if endpos is None else max(0, min(endpos, n))
            pos = max(0, min(pos, n))
            if pos > end:
                return None
            spans = self._raw.Match(anchor, data, pos, end)
            return None if spans[0] == _NULL else Match(self, text, spans)
        return next(self._iter(anchor, text, pos, endpos), None)

    def search(self, text, pos: int = 0, endpos: int | None = None) -> Match | None:
        return self._one(_UNANCHORED, text, pos, endpos)

    def match(self, text, pos: int = 0, endpos: int | None = None) -> Match | None:
        return self._one(_ANCHOR_START, text, pos, endpos)

    def fullmatch(self, text, pos: int = 0, endpos: int | None = None) -> Match | None:
        return self._one(_ANCHOR_BOTH, text, pos, endpos)

    def finditer(self, text, pos: int = 0, endpos: int | None = None):
        return self._iter(_UNANCHORED, text, pos, endpos)

    def findall(self, text, pos: int = 0, endpos: int | None = None) -> list:
        empty = text[:0]
        if self.groups == 0:
            return [m.group() for m in self._iter(_UNANCHORED, text, pos, endpos)]
        if self.groups == 1:
            return [m.groups(empty)[0] for m in self._iter(_UNANCHORED, text, pos, endpos)]
        return [m.groups(empty) for m in self._iter(_UNANCHORED, text, pos, endpos)]

    def subn(self, repl, text, count: int = 0):
        pieces, last, done = [], 0, 0
        for m in self._iter(_UNANCHORED, text, 0, None):
            s, e = m._spans[0]
            pieces.append(text[last:s])
            pieces.append(repl(m) if callable(repl) else self._expand(m, repl))
            last, done = e, done + 1
            if count and done >= count:
                break
        pieces.append(text[last:])
        return text[:0].join(pieces), done

    def sub(self, repl, text, count: int = 0):
        return self.subn(repl, text, count)[0]

    def split(self, text, maxsplit: int = 0) -> list:
        pieces, last, done = [], 0, 0
        for m in self._iter(_UNANCHORED, text, 0, None):
            s, e = m._spans[0]
            pieces.append(text[last:s])
            pieces.extend(m.groups())
            last, done = e, done + 1
            if maxsplit and done >= maxsplit:
                break
        pieces.append(text[last:])
        return pieces

    def _expand(self, m: Match, template):
        # \1..\99 and \g<name>/\g<1>; other escapes as in `re` (a template of the same type).
        pieces, empty = [], template[:0]
        for literal, group in _template(template):
            pieces.append(literal if group is None else (m.group(group) or empty))
        return empty.join(pieces)

    def _slow_iter(self, anchor, text, pos, endpos):  # pragma: no cover - without google-re2
        if endpos is None:
            endpos = len(text)
        if anchor is _UNANCHORED:
            for m in self._slow.finditer(text, pos, endpos):
                yield m
            return
        m = (self._slow.match if anchor is _ANCHOR_START else self._slow.fullmatch)(text, pos, endpos)
        if m is not None:
            yield m


@lru_cache(maxsize=256)
def _template(template) -> tuple:
    """A replacement template parsed by `re` itself: (literal, None) and ('', group) pieces."""
    is_bytes = isinstance(template, bytes)
    out, i, buf = [], 0, []
    bs, g = (b"\\", b"g") if is_bytes else ("\\", "g")
    t = template
    while i < len(t):
        c = t[i : i + 1]
        if c == bs and i + 1 < len(t):
            nxt = t[i + 1 : i + 2]
            if nxt.isdigit():
                j = i + 1
                while j < len(t) and j < i + 3 and t[j : j + 1].isdigit():
                    j += 1
                out.append((t[:0].join(buf), None)); buf = []
                out.append((t[:0], int(t[i + 1 : j])))
                i = j
                continue
            if nxt == g and t[i + 2 : i + 3] == (b"<" if is_bytes else "<"):
                close = t.index(b">" if is_bytes else ">", i + 3)
                name = t[i + 3 : close]
                name = name.decode() if is_bytes else name
                out.append((t[:0].join(buf), None)); buf = []
                out.append((t[:0], int(name) if name.isdigit() else name))
                i = close + 1
                continue
            esc = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "0": "\0"}.get(nxt.decode() if is_bytes else nxt)
            if esc is not None:
                buf.append(esc.encode() if is_bytes else esc)
                i += 2
                continue
        buf.append(c)
        i += 1
    out.append((t[:0].join(buf), None))
    return tuple((lit, grp) for lit, grp in out if grp is not None or lit)


@lru_cache(maxsize=1024)  # module constants, and a few patterns built from a name in the file
def linear(pattern, flags: int = 0) -> Pattern:
    """`pattern` (str or bytes) compiled by RE2: linear time in the input, whatever the input."""
    return Pattern(pattern, flags)


def escape(text):
    """`text` (str or bytes) as a literal for `linear` (RE2's own quoting)."""
    return _re2.escape(text) if _re2 is not None else _re.escape(text)


def is_linear(pattern) -> bool:
    """True for a pattern made by `linear` (or `compile`) and so run by RE2."""
    if isinstance(pattern, Pattern):
        return pattern._raw is not None
    return _re2 is not None and isinstance(pattern, _re2._Regexp)
