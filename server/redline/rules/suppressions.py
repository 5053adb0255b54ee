"""Suppression comments.

- `redline: ignore[RL101,sql-injection] reason` in a comment on the flagged line, or alone on the
  line before it; `redline: ignore reason` (no brackets) silences every rule on that line.
- `redline: ignore-file[RL101] reason` (or `ignore-file` for all rules) within the first
  `FILE_HEADER_LINES` lines.
- `# nosec` (every rule on the line) and `# nosec B608, B602` (rules that cover those bandit ids,
  and bandit's own findings with those ids).
- `pragma: allowlist secret` (secrets rules, RL2xx and detect-secrets findings) on the line, and
  `pragma: allowlist nextline secret` on the line before.

Only real comments count: where the file has a tree, a marker must lie in a comment node (in a
Dockerfile also in a shell comment of a `RUN` line); without a tree it must follow one of the
language's comment tokens outside quotes. A marker in a string literal is text, not a marker.

Suppressions fail closed: a malformed marker (`ignore[`, `ignore[]`, `ignore[,,]`, `ignore[RL101`,
`ignore [RL101]`, `ignore RL101`, `nosec B`, an `ignore-file` below the header) suppresses
nothing, and `problem_findings` reports it (rule `MALFORMED_CODE`) on its line, as it does for a
well-formed selector that names no rule. Those findings are added after suppressions are
applied, so no comment can hide them.

The parser is a hand-written scanner, linear in the length of the text whatever it holds (no
regular expression runs on file content): the whole file is scanned only when a cheap substring
test finds one of the markers, and then only the lines that hold one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding, Severity
from redline.rules.model import selector_matches, successor

FILE_HEADER_LINES = 20
_MARKERS = (b"redline:", b"nosec", b"NOSEC", b"allowlist")
_ALL = "*"

MAX_MARKERS_PER_LINE = 100  # more on one line is hostile: the line suppresses nothing
MAX_LEXICAL_LINE = 64 * 1024  # longer lines of a file without a tree suppress nothing
MALFORMED_CODE = "RL399"
MALFORMED_NAME = "malformed-suppression"

_SPACE = b" \t"
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_DIGITS = frozenset(b"0123456789")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HOW = "Write `redline: ignore[RL101] reason` (rule codes or names, comma-separated)"


class Marker(NamedTuple):
    """One suppression marker found in a comment, well-formed or not."""

    row: int
    start: int  # bytes [start, end) of the marker (its keyword up to the end of its syntax)
    end: int
    kind: str  # "ignore" | "ignore-file" | "nosec" | "allowlist" | "allowlist-nextline"
    selectors: frozenset = frozenset()  # rule selectors or bandit ids; "*" = all
    list_span: tuple[int, int] | None = None  # bytes inside `[...]`, for the quick fix
    alone: bool = False  # the comment is the only thing on its line
    problem: str | None = None  # why it is malformed (then it suppresses nothing)
    reason: bool = True  # `ignore` markers: a reason follows


@dataclass
class Suppressions:
    by_line: dict[int, set[str]] = field(default_factory=dict)  # row -> selectors ("*" = all)
    nosec: dict[int, set[str]] = field(default_factory=dict)  # row -> bandit ids ("*" = all)
    secrets: set[int] = field(default_factory=set)  # rows where secrets are allowed
    file: set[str] = field(default_factory=set)
    # Rows whose comment is the only thing on the line (suppresses the next code line too).
    standalone: set[int] = field(default_factory=set)
    missing_reason: list[int] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)  # every marker, malformed ones included

    def __bool__(self) -> bool:
        return bool(self.by_line or self.nosec or self.secrets or self.file or self.markers)

    @property
    def problems(self) -> list[Marker]:
        return [m for m in self.markers if m.problem]


# Longer than any marker: a window this wide around an edit shows every marker it can create.
MARKER_MARGIN = 16


def has_markers(text: bytes) -> bool:
    """Could `text` hold a suppression comment? (False is certain; True means look closer.)"""
    return any(m in text for m in _MARKERS)


# ----------------------------------------------------------------------------- scanning helpers


class _Next:
    """`text.find(needle, pos, hi)` for non-decreasing `pos`, remembering each answer, so that a
    line is searched once per needle however many times it is asked (linear, not quadratic)."""

    __slots__ = ("text", "hi", "found")

    def __init__(self, text: bytes, hi: int):
        self.text, self.hi, self.found = text, hi, {}

    def find(self, needle: bytes, pos: int) -> int:
        p = self.found.get(needle)
        if p is None or (p != -1 and p < pos):
            p = self.text.find(needle, pos, self.hi)
            self.found[needle] = p
        return p


@dataclass(frozen=True)
class _Lexer:
    """How to find comments on a line without a tree."""

    line: tuple[bytes, ...] = (b"#",)  # line comment tokens
    spaced: frozenset = frozenset({b"#", b";", b"--"})  # tokens that need a space (or line start) before
    block: tuple[bytes, bytes] | None = None
    quotes: bytes = b"\"'"
    escapes: bool = True


_C_LIKE = _Lexer(line=(b"//",), block=(b"/*", b"*/"), quotes=b"\"'`")
_LEXERS: dict[str, _Lexer] = {
    "javascript": _C_LIKE,
    "typescript": _C_LIKE,
    "tsx": _C_LIKE,
    "go": _C_LIKE,
    "java": _C_LIKE,
    "json": _Lexer(line=(b"//",), block=(b"/*", b"*/"), quotes=b'"'),
    "hcl": _Lexer(line=(b"#", b"//"), block=(b"/*", b"*/"), quotes=b'"'),
    "bash": _Lexer(quotes=b"\"'`"),
    "ini": _Lexer(line=(b"#", b";")),
    "gomod": _Lexer(line=(b"//",), quotes=b'"`'),
    "xml": _Lexer(line=(), block=(b"<!--", b"-->"), quotes=b""),  # `<` cannot appear in attributes
    # Templates (redline.templates): an HTML comment or the template's own comment, to the line end.
    **dict.fromkeys(("html", "jinja", "ejs", "handlebars", "vue", "svelte"),
                    _Lexer(line=(b"<!--", b"{#", b"{{!", b"<%#"), quotes=b"")),
    # Any language without a grammar: the usual comment tokens.
    "text": _Lexer(line=(b"#", b"//", b"--", b";"), block=(b"/*", b"*/"), quotes=b"\"'`"),
}
_DEFAULT_LEXER = _Lexer()  # python, yaml, toml, dockerfile, dotenv, properties, requirements
_SHELL = _Lexer(quotes=b"\"'")


def _lexical_comments(text: bytes, lo: int, hi: int, lexer: _Lexer, first: int) -> list[tuple[int, int]]:
    """Comment ranges in text[lo:hi] (one line): a comment token outside quotes up to the end of
    the line, or a block comment; a line starting with `*` continues a block comment. Linear."""
    out: list[tuple[int, int]] = []
    if lexer.block and first < hi and text[first] == 0x2A and not text.startswith(b"*/", first):
        return [(first, hi)]
    nxt = _Next(text, hi)
    i = lo
    while i < hi:
        events = [(nxt.find(bytes([q]), i), b"q") for q in lexer.quotes]
        events += [(nxt.find(t, i), t) for t in lexer.line]
        if lexer.block:
            events.append((nxt.find(lexer.block[0], i), lexer.block[0]))
        hits = [(p, what) for p, what in events if p != -1]
        if not hits:
            break
        p, what = min(hits)
        if what == b"q":
            q = text[p : p + 1]
            j = p + 1
            while True:  # the closing quote, skipping escaped characters
                c = nxt.find(q, j)
                b = nxt.find(b"\\", j) if lexer.escapes else -1
                if b != -1 and (c == -1 or b < c):
                    j = b + 2
                    continue
                break
            if c == -1:
                break  # the string runs to the end of the line: no comment after it
            i = c + 1
        elif lexer.block and what == lexer.block[0]:
            j = nxt.find(lexer.block[1], p + len(what))
            if j == -1:
                out.append((p, hi))
                break
            out.append((p, j + len(lexer.block[1])))
            i = j + len(lexer.block[1])
        elif what in lexer.spaced and p > lo and text[p - 1] not in _SPACE:
            i = p + 1  # `a#b`, `x--`: not a comment
        elif what == b"//" and p > lo and text[p - 1] == 0x3A:
            i = p + 2  # `https://`
        else:
            out.append((p, hi))
            break
    return out


def _stop(node) -> bool:
    return "comment" in node.type or node.type == "shell_fragment"


class _TreeSweep:
    """The comment (or other leaf) under each of a run of increasing offsets, found by one walk
    of a tree cursor that only moves forward: every node is entered and left at most once per
    scan, however wide or deep the tree and however many offsets there are (tree-sitter's own
    `descendant_for_byte_range` and `parent` search children one by one from the start, which
    is quadratic on a minified one-line file full of markers)."""

    def __init__(self, tree):
        self.cursor = tree.walk()
        self.parents: list[str] = []  # types of the cursor's ancestors

    def leaf(self, p: int):
        """(node, parent type) of the comment, shell fragment or leaf that holds offset p, or None
        when p lies between tokens."""
        c = self.cursor
        n = c.node
        climbed = False
        while not (n.start_byte <= p < n.end_byte):
            if n.start_byte > p:
                return None  # p lies in a gap before this node
            if c.goto_next_sibling():
                climbed = False
            elif c.goto_parent():
                self.parents.pop()
                climbed = True
            else:
                return None  # past the end of the tree
            n = c.node
        if climbed:
            return None  # after the last child of a node that still spans p: not in a token
        while n.child_count and not _stop(n):
            kind = n.type
            if c.goto_first_child_for_byte(p) is None:
                return None
            self.parents.append(kind)
            n = c.node
            if not (n.start_byte <= p < n.end_byte):
                return None
        return n, (self.parents[-1] if self.parents else None)


def _tree_comments(
    file: SourceFile, sweep: _TreeSweep, lo: int, hi: int, positions: list[int], first: int
) -> list[tuple[int, int]]:
    """Comment ranges on one line that hold one of `positions` (increasing), from the tree."""
    text = file.text
    out: list[tuple[int, int]] = []
    lexical: list[tuple[int, int]] | None = None
    covered = lo
    for p in positions:
        if p < covered:
            continue
        hit = sweep.leaf(p)
        if hit is None:
            covered = p + 1
            continue
        node, parent = hit
        s, e = max(node.start_byte, lo), min(node.end_byte, hi)
        covered = max(node.end_byte, p + 1)
        if node.type == "shell_fragment":
            # A RUN line is a shell script: its `#` comments are comments.
            out.extend(_lexical_comments(text, s, e, _SHELL, s))
        elif "comment" in node.type:
            if parent == "ERROR":
                # Error recovery may call the rest of a quoted string a comment: the lexical
                # check must agree that a comment starts there.
                if lexical is None:
                    lexical = _lexical_comments(text, lo, hi, _LEXERS.get(file.language, _DEFAULT_LEXER), first)
                if not any(ls <= node.start_byte < le for ls, le in lexical):
                    continue
            out.append((s, e))
    return out


# ----------------------------------------------------------------------------- marker syntax


def _show(raw: bytes, limit: int = 40) -> str:
    """User text for a message: printable, short."""
    s = raw[:limit].decode("utf-8", "replace")
    s = "".join(c if c.isprintable() else "?" for c in s)
    return s + ("..." if len(raw) > limit else "")


def _skip(text: bytes, i: int, end: int, chars: bytes = _SPACE) -> int:
    while i < end and text[i] in chars:
        i += 1
    return i


def _word(text: bytes, i: int, end: int, chars=_WORD, limit: int = 64) -> int:
    """End of the run of `chars` from i (at most `limit` long: longer is never a keyword)."""
    stop = min(end, i + limit + 1)
    while i < stop and text[i] in chars:
        i += 1
    return i


def _selector_ok(item: str) -> bool:
    """A rule code or prefix (RL101, RL1), a bandit id (B608) or a kebab-case rule name."""
    u = item.upper()
    if u.startswith("RL") and 3 <= len(u) <= 5 and u[2:].isdigit() and u[2:].isascii():
        return True
    if len(u) == 4 and u[0] == "B" and u[1:].isdigit() and u[1:].isascii():
        return True
    low = item.lower()
    if not low or not low.isascii() or not low[0].isalpha():
        return False
    parts = low.split("-")
    return all(p and all(c.isalnum() for c in p) for p in parts)


def _looks_like_id(token: bytes) -> bool:
    """`B608`, `B`, `G401`, `RL101`: a token meant as a rule or test id, not a word of a reason."""
    if token in (b"B", b"b"):
        return True
    if len(token) >= 2 and token[0] in _LETTERS and token[1] in _DIGITS:
        return True
    return token[:2].upper() == b"RL" and len(token) > 2 and token[2] in _DIGITS


class _Scan:
    """Markers in the comment text[s:e] of line `row`."""

    def __init__(self, file: SourceFile, row: int, s: int, e: int, alone: bool, out: list[Marker]):
        self.text, self.row, self.s, self.e, self.alone, self.out = file.text, row, s, e, alone, out
        # A block comment's closing token is no part of a reason.
        t = self.text
        if t.endswith(b"*/", s, e):
            self.e = e - 2
        elif t.endswith(b"-->", s, e):
            self.e = e - 3
        self.next = _Next(t, self.e)

    def add(self, start: int, end: int, kind: str, problem: str | None = None, **kw) -> None:
        self.out.append(Marker(self.row, start, max(end, start + 1), kind, alone=self.alone, problem=problem, **kw))

    def at(self, p: int) -> None:
        t = self.text
        if p < self.s or p >= self.e:
            return
        if p > 0 and t[p - 1] in _WORD:
            return  # part of a longer word
        if t.startswith(b"redline:", p):
            self.redline(p)
        elif t.startswith(b"nosec", p) or t.startswith(b"NOSEC", p):
            self.nosec(p)
        elif t.startswith(b"allowlist", p):
            self.allowlist(p)

    def redline(self, p: int) -> None:
        t, e = self.text, self.e
        i = _skip(t, p + len(b"redline:"), e)
        j = _word(t, i, e, _LETTERS | frozenset(b"-_"))
        word = t[i:j]
        if word in (b"ignore", b"ignore-file"):
            kind = word.decode()
        elif word.lower().startswith(b"ignore"):
            return self.add(
                p, j, "ignore",
                f"`redline: {_show(word)}` is not a suppression directive, so it suppresses nothing. Write "
                "`redline: ignore[RL101] reason` for a line or `redline: ignore-file[RL101] reason` for the file.",
            )
        else:
            return  # prose that mentions Redline
        if j < e and t[j] == 0x5B:  # [
            close = self.next.find(b"]", j + 1)
            reopen = self.next.find(b"[", j + 1)
            if close == -1 or (reopen != -1 and reopen < close):
                return self.add(
                    p, j + 1, kind,
                    f"`redline: {kind}[` is never closed, so it suppresses nothing. {_HOW}.",
                )
            raw = t[j + 1 : close]
            items = [x.strip() for x in raw.decode("utf-8", "replace").split(",")]
            named = [x for x in items if x]
            if not named:
                return self.add(
                    p, close + 1, kind,
                    f"`redline: {kind}[{_show(raw)}]` names no rule, so it suppresses nothing. {_HOW}, "
                    f"or leave out the brackets to silence every rule (`redline: {kind} reason`).",
                )
            if len(named) != len(items):
                return self.add(
                    p, close + 1, kind,
                    f"`redline: {kind}[{_show(raw)}]` has an empty entry, so it suppresses nothing. {_HOW}.",
                )
            bad = [x for x in named if not _selector_ok(x)]
            if bad:
                return self.add(
                    p, close + 1, kind,
                    f"`{_show(bad[0].encode())}` in `redline: {kind}[...]` is not a rule code (RL101), rule "
                    f"name (sql-injection) or bandit id (B608), so the marker suppresses nothing. {_HOW}.",
                )
            r = _skip(t, close + 1, e)
            self.add(p, close + 1, kind, selectors=frozenset(named), list_span=(j + 1, close), reason=r < e)
            return
        if j < e and t[j] not in _SPACE:
            return self.add(
                p, j + 1, kind,
                f"`redline: {kind}{_show(t[j:j + 1])}` is not a suppression, so it suppresses nothing: put the "
                f"rules in brackets right after `{kind}`, or a space and a reason to silence every rule. {_HOW}.",
            )
        r = _skip(t, j, e)
        if r < e and t[r] == 0x5B:
            return self.add(
                p, r + 1, kind,
                f"`redline: {kind} [` has a space before `[`: as written it would silence every rule, so it "
                f"suppresses nothing. {_HOW}, with no space before `[`.",
            )
        tok_end = _word(t, r, e)
        tok = t[r:tok_end].upper()
        if (tok[:2] == b"RL" and tok[2:3].isdigit()) or (len(tok) == 4 and tok[:1] == b"B" and tok[1:].isdigit()):
            return self.add(
                p, tok_end, kind,
                f"`redline: {kind} {_show(t[r:tok_end])}`: rule codes go in brackets; as written it would "
                f"silence every rule, so it suppresses nothing. Write `redline: {kind}[{_show(t[r:tok_end])}] reason`.",
            )
        self.add(p, j, kind, selectors=frozenset({_ALL}), reason=r < e)

    def nosec(self, p: int) -> None:
        t, e = self.text, self.e
        i = p + 5
        if i < e and t[i] not in b" \t:,":
            return  # `nosecx`, `nosec-compatible`: not the marker
        i = _skip(t, i, e, b" \t:")
        ids: set[str] = set()
        end = p + 5
        while True:
            i = _skip(t, i, e, b" \t,")
            j = _word(t, i, e, limit=16)
            token = t[i:j]
            if not token or not _looks_like_id(token):
                break
            if not (len(token) == 4 and token[0] in b"Bb" and all(c in _DIGITS for c in token[1:])):
                return self.add(
                    p, j, "nosec",
                    f"`nosec {_show(token)}`: `{_show(token)}` is not a bandit test id, so it suppresses "
                    "nothing. Write `# nosec B608` (B and three digits, several separated by commas), "
                    "a bare `# nosec` for every rule, or `redline: ignore[RL101] reason`.",
                )
            ids.add(token.decode().upper())
            i = end = j
        self.add(p, end, "nosec", selectors=frozenset(ids or {_ALL}))

    def allowlist(self, p: int) -> None:
        t, s, e = self.text, self.s, self.e
        b = p
        while b > s and t[b - 1] in b" \t\r\n":
            b -= 1
        if b - 7 < s or t[b - 7 : b] != b"pragma:":
            return
        i = p + len(b"allowlist")
        j = _skip(t, i, e)
        if j == i:
            return
        kind = "allowlist"
        if t.startswith(b"nextline", j):
            k = _skip(t, j + 8, e)
            if k == j + 8:
                return
            j, kind = k, "allowlist-nextline"
        if t.startswith(b"secret", j):
            self.add(b - 7, j + 6, kind)


# ----------------------------------------------------------------------------- parsing


def _positions(text: bytes, lo: int = 0, hi: int | None = None) -> list[int]:
    """Every offset in text[lo:hi] where a marker keyword starts, sorted."""
    hi = len(text) if hi is None else hi
    out = []
    for m in _MARKERS:
        i = text.find(m, lo, hi)
        while i != -1:
            out.append(i)
            i = text.find(m, i + 1, hi)
    out.sort()
    return out


def _line_bounds(file: SourceFile, row: int) -> tuple[int, int]:
    starts = file.line_starts
    lo = starts[row]
    hi = starts[row + 1] if row + 1 < len(starts) else len(file.text)
    while hi > lo and file.text[hi - 1] in (0x0A, 0x0D):
        hi -= 1
    return lo, hi


def _scan_line(
    file: SourceFile, sweep: _TreeSweep | None, row: int, positions: list[int], out: list[Marker]
) -> None:
    text = file.text
    lo, hi = _line_bounds(file, row)
    positions = [p for p in positions if p < hi]
    if not positions:
        return
    first = _skip(text, lo, hi, b" \t\f\v")
    if sweep is not None:
        comments = _tree_comments(file, sweep, lo, hi, positions, first)
    elif hi - lo > MAX_LEXICAL_LINE:
        # Without a tree every quote of the line is looked at in Python: bounded, the line fails closed.
        out.append(
            Marker(
                row, positions[0], positions[0] + 1, "ignore",
                problem=f"A line of more than {MAX_LEXICAL_LINE} bytes in a file read without a syntax tree: "
                "its suppression markers are not read, so they suppress nothing. Put the marker on a short "
                "line (`redline: ignore[RL101] reason` alone on the line before the flagged one).",
            )
        )
        return
    else:
        comments = _lexical_comments(text, lo, hi, _LEXERS.get(file.language, _DEFAULT_LEXER), first)
    inside = sum(bisect_left(positions, e) - bisect_left(positions, s) for s, e in comments)
    if inside > MAX_MARKERS_PER_LINE:
        p = next(p for p in positions if any(s <= p < e for s, e in comments))
        out.append(
            Marker(
                row, p, p + 1, "ignore",
                problem=f"More than {MAX_MARKERS_PER_LINE} suppression markers on one line: none of them is "
                "read, so they suppress nothing. Write one `redline: ignore[RL101, RL102] reason` per line.",
            )
        )
        return
    k = 0
    for s, e in comments:
        scan = None
        while k < len(positions) and positions[k] < s:
            k += 1
        while k < len(positions) and positions[k] < e:
            if scan is None:
                scan = _Scan(file, row, s, e, s <= first, out)
            scan.at(positions[k])
            k += 1


def scan_markers(file: SourceFile, rows: range | None = None) -> list[Marker]:
    """Every marker in a comment (of `rows` only, when given), in text order."""
    text = file.text
    if rows is None:
        lo, hi = 0, len(text)
    else:
        if not len(rows):
            return []
        lo = file.line_starts[rows.start]
        last = rows[-1]
        hi = file.line_starts[last + 1] if last + 1 < len(file.line_starts) else len(text)
    positions = _positions(text, lo, hi)
    out: list[Marker] = []
    starts = file.line_starts
    sweep = _TreeSweep(file.tree) if file.tree is not None and positions else None
    i = 0
    while i < len(positions):
        row = bisect_right(starts, positions[i]) - 1
        nxt = starts[row + 1] if row + 1 < len(starts) else len(text) + 1
        j = bisect_left(positions, nxt, i)
        _scan_line(file, sweep, row, positions[i:j], out)
        i = j
    return out


def parse(file: SourceFile) -> Suppressions:
    sup = Suppressions()
    text = file.text
    if file.markers is False or not has_markers(text):
        return sup
    for m in scan_markers(file):
        sup.markers.append(m)
        if m.problem:
            continue
        row = m.row
        if m.kind == "ignore-file":
            if row >= FILE_HEADER_LINES:
                sup.markers[-1] = m._replace(
                    problem=f"`redline: ignore-file` counts only in the first {FILE_HEADER_LINES} lines of a file, "
                    "so it suppresses nothing here. Move it to the top, or write `redline: ignore[RL101] "
                    "reason` on the flagged line.",
                )
                continue
            sup.file |= m.selectors
        elif m.kind == "ignore":
            sup.by_line.setdefault(row, set()).update(m.selectors)
            if m.alone:
                sup.standalone.add(row)
        elif m.kind == "nosec":
            sup.nosec.setdefault(row, set()).update(m.selectors)
        elif m.kind == "allowlist":
            sup.secrets.add(row)
        elif m.kind == "allowlist-nextline":
            sup.secrets.add(row + 1)
        if m.kind in ("ignore", "ignore-file") and not m.reason:
            sup.missing_reason.append(row)
    return sup


def _matches(selectors: set[str], f: Finding) -> bool:
    if _ALL in selectors:
        return True
    bandit_id = f.property("bandit_id") if f.engine == "bandit" else None
    return any(selector_matches(s, f.code, f.name, bandit_id) for s in selectors)


def _rows_for(sup: Suppressions, row: int) -> set[str]:
    sel = set(sup.by_line.get(row, ()))
    if row - 1 in sup.standalone:
        sel |= sup.by_line.get(row - 1, set())
    return sel


def is_suppressed(sup: Suppressions, f: Finding, bandit_ids: tuple[str, ...] = ()) -> bool:
    if not sup:
        return False
    if f.code == MALFORMED_CODE:
        return False  # a marker cannot hide the report that it is malformed
    if _matches(sup.file, f):
        return True
    row = f.span.start_line
    if _matches(_rows_for(sup, row), f):
        return True
    nosec = sup.nosec.get(row)
    if nosec:
        ids = set(bandit_ids)
        if f.engine == "bandit" and f.property("bandit_id"):
            ids.add(f.property("bandit_id"))
        if _ALL in nosec or nosec & ids:
            return True
    if row in sup.secrets and (f.code.startswith("RL2") or f.engine == "detect-secrets"):
        return True
    return False


def _known(selector: str, registry) -> bool:
    s = successor(selector)
    u = s.upper()
    if len(u) == 4 and u[0] == "B" and u[1:].isdigit():
        return True  # a bandit test id (RL901 carries every one no rule covers)
    if u.startswith("RL"):
        return any(code.startswith(u) for code in registry.by_code)
    return s.lower() in registry.by_name


def problem_findings(file: SourceFile, sup: Suppressions, registry=None) -> list[Finding]:
    """Warnings for malformed markers and for selectors that name no rule in `registry`."""
    if not sup.markers:
        return []
    if registry is None:
        from redline.rules.registry import default_registry

        registry = default_registry()
    rule = registry.by_code.get(MALFORMED_CODE)
    cwe = rule.cwe if rule else (710,)
    out = []
    for m in sup.markers:
        messages = [m.problem] if m.problem else []
        if not m.problem and m.kind in ("ignore", "ignore-file"):
            messages += [
                f"`{_show(s.encode())}` in `redline: {m.kind}[...]` names no rule, so it suppresses nothing "
                "(the other entries still apply). Use a rule code or name that `redline rules` lists, "
                "e.g. `RL101` or `sql-injection`."
                for s in sorted(m.selectors)
                if s != _ALL and not _known(s, registry)
            ]
        for message in messages:
            out.append(
                Finding(
                    code=MALFORMED_CODE,
                    name=MALFORMED_NAME,
                    message=message,
                    severity=Severity.WARNING,
                    confidence=Confidence.HIGH,
                    cwe=cwe,
                    span=file.span(m.start, m.end),
                    engine="suppressions",
                )
            )
    return out
