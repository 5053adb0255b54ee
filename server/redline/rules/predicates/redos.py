"""RL142 regex-redos: regular expressions whose backtracking can take exponential (or high
polynomial) time, found by a small pure analyzer of the pattern text.

`analyze(pattern)` parses a pattern of Python `re`, JavaScript or Java syntax into a tree of
atoms (character sets), sequences, alternations and repeats, then looks at each repeated group
whose body can match the same text in more than one way:

- the body holds an unbounded repeat whose characters can make up a whole iteration of the
  body: `(a+)+`, `(a*)*`, `(\\w+\\s?)*`, `(.*a){3}`, `(a+|b)+`: a run of those characters can
  be split between the inner and the outer repeat in exponentially many ways;
- the body is an alternation with two branches that match the same text: `(a|a)*`, `(\\w|\\d)+`,
  `(.|\\s)*`.

Possessive repeats and atomic groups (`a++`, `(?>...)`) do not backtrack and are left out;
lookarounds are zero-width. The analyzer never runs the pattern, is linear in its length for
parsing, and gives up (no finding) on patterns longer than MAX_PATTERN or nested deeper than
MAX_DEPTH.
"""

from __future__ import annotations

from dataclasses import dataclass

from redline.rules.predicates import MatchContext, Verdict, predicate

MAX_PATTERN = 4000
MAX_DEPTH = 60
MAX_REPEATS = 64  # repeats (and atoms of one repeat) looked at: bounded work per pattern

# Characters a set is sampled on: ASCII plus a few non-ASCII letters and spaces.
_ALPHABET = tuple(chr(c) for c in range(128)) + ("\u00e9", "\u4e00", "\u00a0", "\u2028")


@dataclass(frozen=True)
class CharSet:
    """A set of characters: a membership test plus the sample characters it contains."""

    test: object  # Callable[[str], bool]
    samples: frozenset

    def overlaps(self, other: "CharSet") -> bool:
        return any(other.test(c) for c in self.samples) or any(self.test(c) for c in other.samples)


def _charset(test, extra: str = "") -> CharSet:
    return CharSet(test, frozenset(c for c in _ALPHABET + tuple(extra) if test(c)))


def _literal(ch: str) -> CharSet:
    return CharSet(lambda c, ch=ch: c == ch, frozenset((ch,)))


_CLASSES = {
    "d": lambda c: c.isdigit(),
    "w": lambda c: c.isalnum() or c == "_",
    "s": lambda c: c.isspace(),
}
ANY = _charset(lambda c: True)
DOT = _charset(lambda c: c not in "\n")


def _class_escape(letter: str):
    test = _CLASSES.get(letter.lower())
    if test is None:
        return None
    return test if letter.islower() else (lambda c, t=test: not t(c))


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "0": "\0", "e": "\x1b", "a": "\x07"}


class _Give(Exception):
    """The pattern is outside what the analyzer reads: no finding."""


@dataclass
class Node:
    kind: str  # atom, seq, alt, rep, empty
    start: int = 0
    end: int = 0
    chars: CharSet | None = None  # atom
    items: list | None = None  # seq, alt
    body: "Node | None" = None  # rep
    lo: int = 0
    hi: int | None = None  # None: unbounded
    possessive: bool = False
    atomic: bool = False  # a group that never backtracks into itself


class _Parser:
    def __init__(self, p: str):
        self.p, self.i, self.depth = p, 0, 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.p[j] if j < len(self.p) else ""

    def parse(self) -> Node:
        node = self.alt()
        if self.i < len(self.p):
            raise _Give  # an unbalanced `)`
        return node

    def alt(self) -> Node:
        start = self.i
        branches = [self.seq()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.seq())
        if len(branches) == 1:
            return branches[0]
        return Node("alt", start, self.i, items=branches)

    def seq(self) -> Node:
        start = self.i
        items = []
        while self.i < len(self.p) and self.peek() not in "|)":
            atom = self.atom()
            if atom is None:
                continue
            items.append(self.quantified(atom))
        return Node("seq", start, self.i, items=items)

    def quantified(self, atom: Node) -> Node:
        c = self.peek()
        lo, hi = None, None
        if c == "*":
            lo, hi, self.i = 0, None, self.i + 1
        elif c == "+":
            lo, hi, self.i = 1, None, self.i + 1
        elif c == "?":
            lo, hi, self.i = 0, 1, self.i + 1
        elif c == "{":
            j = self.p.find("}", self.i)
            body = self.p[self.i + 1 : j] if j > 0 else ""
            lo_s, comma, hi_s = body.partition(",")
            if j > 0 and (lo_s.isdigit() or (comma and not lo_s)) and (not hi_s or hi_s.isdigit()) and len(body) < 20:
                lo = int(lo_s or 0)
                hi = (None if not hi_s else int(hi_s)) if comma else lo
                self.i = j + 1
        if lo is None:
            return atom
        possessive = False
        if self.peek() == "?":
            self.i += 1
        elif self.peek() == "+":
            self.i += 1
            possessive = True
        node = Node("rep", atom.start, self.i, body=atom, lo=lo, hi=hi, possessive=possessive)
        # a quantifier on a quantifier (`a**` is an error in Python, `a{2}{3}` nests in Java)
        return self.quantified(node) if self.peek() in "*+" and not possessive else node

    def atom(self) -> Node | None:
        start = self.i
        c = self.peek()
        self.i += 1
        if c == "(":
            return self.group(start)
        if c == "[":
            return Node("atom", start, self.i, chars=self.char_class())
        if c == "\\":
            return self.escape(start)
        if c == ".":
            return Node("atom", start, self.i, chars=DOT)
        if c in "^$":
            return Node("empty", start, self.i)
        if c in "*+?":
            raise _Give  # nothing to repeat: not a pattern we read
        return Node("atom", start, self.i, chars=_literal(c))

    def group(self, start: int) -> Node | None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Give
        zero_width = atomic = False
        if self.peek() == "?":
            nxt = self.peek(1)
            if nxt == "#":  # (?#comment)
                j = self.p.find(")", self.i)
                if j < 0:
                    raise _Give
                self.i = j + 1
                self.depth -= 1
                return None
            if nxt in "=!":
                zero_width, self.i = True, self.i + 2
            elif nxt == "<" and self.peek(2) in "=!":
                zero_width, self.i = True, self.i + 3
            elif nxt == ">":
                atomic, self.i = True, self.i + 2
            elif nxt == ":":
                self.i += 2
            elif nxt == "P" and self.peek(2) == "=":  # (?P=name) backreference
                j = self.p.find(")", self.i)
                if j < 0:
                    raise _Give
                self.i = j + 1
                self.depth -= 1
                return Node("atom", start, self.i, chars=ANY)
            elif nxt in "P<'":  # named group
                close = ">" if nxt != "'" else "'"
                j = self.p.find(close, self.i + 2)
                if j < 0:
                    raise _Give
                self.i = j + 1
            else:  # inline flags (?i) (?i:...) (?-s:...)
                k = self.i + 1
                while k < len(self.p) and (self.p[k].isalpha() or self.p[k] == "-"):
                    k += 1
                if k < len(self.p) and self.p[k] == ")":
                    self.i = k + 1
                    self.depth -= 1
                    return None
                if k < len(self.p) and self.p[k] == ":":
                    self.i = k + 1
                else:
                    raise _Give
        body = self.alt()
        if self.peek() != ")":
            raise _Give
        self.i += 1
        self.depth -= 1
        if zero_width:
            return Node("empty", start, self.i)
        node = Node("seq", start, self.i, items=[body])
        node.atomic = atomic
        return node

    def escape(self, start: int) -> Node:
        c = self.peek()
        if not c:
            raise _Give
        self.i += 1
        test = _class_escape(c)
        if test is not None:
            return Node("atom", start, self.i, chars=_charset(test))
        if c in "bBAZzG<>":
            return Node("empty", start, self.i)
        if c.isdigit() and c != "0":
            while self.peek().isdigit():
                self.i += 1
            return Node("atom", start, self.i, chars=ANY)  # backreference
        if c in "pP":  # \p{L}: some letters or symbols
            if self.peek() == "{":
                j = self.p.find("}", self.i)
                if j < 0:
                    raise _Give
                self.i = j + 1
            else:
                self.i += 1
            return Node("atom", start, self.i, chars=ANY)
        if c == "Q":  # Java \Q...\E: literal text
            j = self.p.find("\\E", self.i)
            end = len(self.p) if j < 0 else j
            items = [Node("atom", k, k + 1, chars=_literal(self.p[k])) for k in range(self.i, end)]
            self.i = end if j < 0 else j + 2
            return Node("seq", start, self.i, items=items)
        return Node("atom", start, self.i, chars=_literal(self.escaped_char(c)))

    def escaped_char(self, c: str) -> str:
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c]
        if c in "xu":
            if self.peek() == "{":
                j = self.p.find("}", self.i)
                digits = self.p[self.i + 1 : j] if j > 0 else ""
                self.i = j + 1 if j > 0 else self.i
            else:
                n = 2 if c == "x" else 4
                digits = self.p[self.i : self.i + n]
                self.i += len(digits)
            try:
                return chr(int(digits, 16))
            except (ValueError, OverflowError):
                return c
        if c == "c":  # \cX control character
            self.i += 1
            return "\x00"
        return c

    def char_class(self) -> CharSet:
        negate = False
        if self.peek() == "^":
            negate, self.i = True, self.i + 1
        tests: list = []
        chars: set[str] = set()
        first = True
        while True:
            c = self.peek()
            if not c:
                raise _Give
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            self.i += 1
            if c == "[" and self.peek() == ":":  # POSIX [:alpha:] (Java has none; be lenient)
                j = self.p.find(":]", self.i)
                if j > 0:
                    self.i = j + 2
                    tests.append(lambda ch: ch.isalnum())
                    continue
            if c == "\\":
                e = self.peek()
                if not e:
                    raise _Give
                self.i += 1
                t = _class_escape(e)
                if t is not None:
                    tests.append(t)
                    continue
                if e in "pP":
                    if self.peek() == "{":
                        j = self.p.find("}", self.i)
                        self.i = j + 1 if j > 0 else self.i
                    tests.append(lambda ch: ch.isalpha())
                    continue
                c = self.escaped_char(e) if e != "b" else "\b"
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                hi = self.peek()
                self.i += 1
                if hi == "\\":
                    e = self.peek()
                    self.i += 1
                    hi = self.escaped_char(e)
                lo_c, hi_c = c, hi
                if ord(hi_c) < ord(lo_c):
                    raise _Give
                tests.append(lambda ch, a=lo_c, b=hi_c: a <= ch <= b)
                continue
            chars.add(c)

        def member(ch, tests=tuple(tests), chars=frozenset(chars)):
            return ch in chars or any(t(ch) for t in tests)

        if negate:
            return _charset(lambda ch, m=member: not m(ch))
        return _charset(member, "".join(chars))


# ----------------------------------------------------------------------------- analysis


def _nullable(n: Node) -> bool:
    if n.kind == "empty":
        return True
    if n.kind == "atom":
        return False
    if n.kind == "seq":
        return all(_nullable(x) for x in n.items)
    if n.kind == "alt":
        return any(_nullable(x) for x in n.items)
    return n.lo == 0 or _nullable(n.body)


def _atoms(n: Node, out: list) -> list:
    if n.kind == "atom":
        out.append(n.chars)
    elif n.kind in ("seq", "alt"):
        for x in n.items:
            _atoms(x, out)
    elif n.kind == "rep":
        _atoms(n.body, out)
    return out


def _single(n: Node) -> list:
    """The character sets of the one-character strings `n` can match."""
    if n.kind == "atom":
        return [n.chars]
    if n.kind == "seq":
        required = [x for x in n.items if not _nullable(x)]
        if len(required) > 1:
            return []
        out: list = []
        for x in required or n.items:
            out.extend(_single(x))
        return out
    if n.kind == "alt":
        out = []
        for x in n.items:
            out.extend(_single(x))
        return out
    if n.kind == "rep" and n.hi != 0:
        return _single(n.body)
    return []


def _within(n: Node, sets: list) -> bool:
    """Can `n` match some string (possibly empty) made only of characters of `sets`?"""
    if n.kind == "empty":
        return True
    if n.kind == "atom":
        return any(n.chars.overlaps(s) for s in sets)
    if n.kind == "seq":
        return all(_within(x, sets) for x in n.items)
    if n.kind == "alt":
        return any(_within(x, sets) for x in n.items)
    return n.lo == 0 or _within(n.body, sets)


def _contains(n: Node, target: Node) -> bool:
    return n is target or (n.start <= target.start and target.end <= n.end and n.kind != "atom")


def _through(n: Node, target: Node, sets: list) -> bool:
    """Can `n` match a string of characters of `sets` on a path that goes through `target`
    (in an alternation, only the branch that holds it counts)?"""
    if n is target:
        return True
    if n.kind == "seq":
        holder = next((x for x in n.items if _contains(x, target)), None)
        if holder is None:
            return False
        return _through(holder, target, sets) and all(_within(x, sets) for x in n.items if x is not holder)
    if n.kind == "alt":
        holder = next((x for x in n.items if _contains(x, target)), None)
        return holder is not None and _through(holder, target, sets)
    if n.kind == "rep":
        return _through(n.body, target, sets)
    return False


def _inner_reps(n: Node, out: list) -> list:
    """Unbounded, backtracking repeats inside `n` (not inside atomic groups)."""
    if n.kind == "rep":
        if n.hi is None and not n.possessive:
            out.append(n)
        _inner_reps(n.body, out)
    elif n.kind in ("seq", "alt") and not n.atomic:
        for x in n.items:
            _inner_reps(x, out)
    return out


def _fixed(n: Node) -> list | None:
    """The atoms of a branch that matches exactly one length (no repeats, no alternation)."""
    if n.kind == "atom":
        return [n.chars]
    if n.kind == "empty":
        return []
    if n.kind == "seq":
        out = []
        for x in n.items:
            f = _fixed(x)
            if f is None:
                return None
            out.extend(f)
        return out
    return None


def _top_alt(n: Node) -> Node | None:
    while n.kind == "seq" and len(n.items) == 1 and not n.atomic:
        n = n.items[0]
    return n if n.kind == "alt" else None


def _overlapping_branches(alt: Node) -> bool:
    fixed = [_fixed(b) for b in alt.items]
    for i in range(len(fixed)):
        for j in range(i + 1, len(fixed)):
            a, b = fixed[i], fixed[j]
            if a is not None and b is not None and a and len(a) == len(b) and all(x.overlaps(y) for x, y in zip(a, b)):
                return True
    return False


def _reps(n: Node, out: list) -> list:
    """Repeats, innermost first (the narrowest group to blame)."""
    if n.kind == "rep":
        _reps(n.body, out)
        out.append(n)
    elif n.kind in ("seq", "alt"):
        for x in n.items:
            _reps(x, out)
    return out


def analyze(pattern: str) -> tuple[int, int] | None:
    """(start, end) in `pattern` of the first repeated group that can backtrack
    catastrophically, or None (also for patterns the analyzer does not read)."""
    if len(pattern) > MAX_PATTERN or ("*" not in pattern and "+" not in pattern and "{" not in pattern):
        return None
    try:
        tree = _Parser(pattern).parse()
    except (_Give, RecursionError):
        return None
    for q in _reps(tree, [])[:MAX_REPEATS]:
        if q.possessive or (q.hi is not None and q.hi < 2) or q.body.atomic:
            continue
        body = q.body
        seen: set = set()
        for inner in _inner_reps(body, [])[:MAX_REPEATS]:
            if inner is body:
                continue
            # the characters the inner repeat takes one at a time; for a repeat of longer units
            # (`(ab)+`), all of theirs
            sets = (_single(inner.body) or _atoms(inner.body, []))[:MAX_REPEATS]
            key = (inner.start, frozenset().union(*(s.samples for s in sets))) if sets else None
            if key is None or key in seen:
                continue
            seen.add(key)
            if _through(body, inner, sets):
                return q.start, q.end
        if q.hi is None:
            alt = _top_alt(body)
            if alt is not None and _overlapping_branches(alt):
                return q.start, q.end
    return None


# ----------------------------------------------------------------------------- predicates


def _verdict(ctx: MatchContext, node, pattern: str) -> Verdict | None:
    found = analyze(pattern)
    if found is None:
        return None
    s, e = found
    part = pattern[s:e]
    if len(part) > 60:
        part = part[:57] + "..."
    return Verdict(node=node, args={"group": part})


def _js_string(raw: str) -> str | None:
    """The value of a JavaScript string literal's source text (quotes included)."""
    if len(raw) < 2 or raw[0] not in "'\"" or raw[-1] != raw[0]:
        return None
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1 : i + 2]
        i += 2
        if e in ("x", "u"):
            n = 2 if e == "x" else 4
            if e == "u" and body[i : i + 1] == "{":
                j = body.find("}", i)
                digits, i = (body[i + 1 : j], j + 1) if j > 0 else ("", i)
            else:
                digits, i = body[i : i + n], i + n
            try:
                out.append(chr(int(digits, 16)))
            except (ValueError, OverflowError):
                return None
        else:
            out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}.get(e, e))
    return "".join(out)


@predicate("python.redos")
def python_redos(ctx: MatchContext):
    from redline.rules.predicates.python_practices import RE_FUNCTIONS
    from redline.rules.predicates.python_scope import call_args, call_qualname, string_value, unwrap

    call = ctx.node("match")
    qual = call_qualname(ctx.file, call)
    if qual not in RE_FUNCTIONS:
        return None
    positional, kw = call_args(call)
    node = unwrap(positional[0] if positional else kw.get("pattern"))
    pattern = string_value(node) if node is not None else None
    if pattern is None:
        return None
    return _verdict(ctx, node, pattern)


@predicate("javascript.redos")
def javascript_redos(ctx: MatchContext):
    node = ctx.node("pattern")
    if node is None:
        return None
    raw = ctx.text(node)
    if node.type == "regex_pattern":
        return _verdict(ctx, ctx.node("match"), raw)
    value = _js_string(raw)
    return _verdict(ctx, node, value) if value is not None else None


@predicate("java.redos")
def java_redos(ctx: MatchContext):
    node = ctx.node("pattern")
    if node is None or node.type != "string_literal":
        return None
    raw = ctx.text(node)
    if raw.startswith('"""') or len(raw) < 2:
        return None
    value = _js_string(raw)  # Java's escapes are a subset of JavaScript's
    return _verdict(ctx, node, value) if value is not None else None
