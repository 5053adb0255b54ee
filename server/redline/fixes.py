"""`redline scan --fix`: apply the findings' fixes to files, safely.

Which fixes: a finding's first *safe* fix (`Fix.safe`, what the editor's `source.fixAll.redline`
applies), or with `unsafe` its first fix of any kind (a safe one first). A fix is skipped, and
the reason given, when

- its edits overlap an edit already chosen in this round (first come first served, in source
  order, as in the editor's fix-all); it is tried again in the next round, on the fixed text;
- it would leave a syntax error: the text is re-parsed with tree-sitter after each fix, and a fix
  that adds an ERROR or MISSING node (more than the file had before) is dropped.

Fixing runs in rounds (at most `ROUNDS`): analyse, choose, apply; then analyse the new text again,
so a fix that overlapped another gets its turn and fixes that only appear after a first fix are
made. Files are written atomically (a temporary file in the same folder, then os.replace), keep
their permission bits, and are written only when they are regular files (not symbolic links),
inside a scanned folder, and unchanged since they were read.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass, field
from typing import Callable, Sequence

from redline import languages as langs
from redline.atomic import replace_file
from redline.findings import Finding, Fix, TextEdit

ROUNDS = 5


@dataclass
class Outcome:
    path: str  # as shown
    original: bytes
    fixed: bytes
    applied: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, title)
    skipped: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, code, title, reason)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def pick(f: Finding, unsafe: bool) -> Fix | None:
    """The fix `--fix` (or with `unsafe`, `--unsafe-fixes`) applies for `f`, if any."""
    for fx in f.fixes:
        if fx.safe and fx.edits:
            return fx
    if unsafe:
        for fx in f.fixes:
            if fx.edits:
                return fx
    return None


def apply_edits(text: bytes, edits: Sequence[TextEdit]) -> bytes:
    """`text` with non-overlapping byte edits applied."""
    out, at = [], 0
    for e in sorted(edits, key=lambda e: (e.span.start_byte, e.span.end_byte)):
        out.append(text[at : e.span.start_byte])
        out.append(e.new_text.encode("utf-8"))
        at = e.span.end_byte
    out.append(text[at:])
    return b"".join(out)


def syntax_errors(language: str, text: bytes) -> int | None:
    """ERROR and MISSING nodes in `text`'s tree; None when the language has no grammar."""
    if not langs.has_grammar(language):
        return None
    tree = langs.parse(language, text)
    if tree is None:
        return None
    root = tree.root_node
    if not root.has_error:
        return 0
    n, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            n += 1
        if node.has_error:
            stack.extend(node.children)
    return n


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one point: their order would be a guess
    return a[0] < b[1] and b[0] < a[1]


def one_round(language: str, text: bytes, findings: Sequence[Finding], unsafe: bool, keep: Callable[[Finding], bool]):
    """(new text, applied, skipped) for one round over `findings` of `text`."""
    base = syntax_errors(language, text)
    chosen: list[TextEdit] = []
    taken: list[tuple[int, int]] = []
    applied, skipped = [], []
    for f in sorted(findings, key=lambda f: f.sort_key):
        if not keep(f):
            continue
        fx = pick(f, unsafe)
        if fx is None:
            continue
        line = f.span.start_line + 1
        ranges = [(e.span.start_byte, e.span.end_byte) for e in fx.edits]
        if any(_overlaps(r, t) for r in ranges for t in taken) or any(_overlaps(a, b) for i, a in enumerate(ranges) for b in ranges[i + 1 :]):
            skipped.append((line, f.code, fx.title, "it overlaps another fix"))
            continue
        if any(e.span.end_byte > len(text) or e.span.start_byte > e.span.end_byte for e in fx.edits):
            skipped.append((line, f.code, fx.title, "its edits are outside the file"))
            continue
        trial = apply_edits(text, [*chosen, *fx.edits])
        if base is not None and (syntax_errors(language, trial) or 0) > base:
            skipped.append((line, f.code, fx.title, "it would leave a syntax error"))
            continue
        chosen.extend(fx.edits)
        taken.extend(ranges)
        applied.append((line, f.code, fx.title))
    return apply_edits(text, chosen) if chosen else text, applied, skipped


def fix_text(path: str, shown: str, text: bytes, analyze: Callable, unsafe: bool, keep: Callable[[Finding], bool] = lambda f: True) -> Outcome:
    """Fix `text` (the file `path`) in rounds. `analyze(source)` gives the findings of a
    SourceFile; `keep` says which findings may be fixed."""
    from redline.pipeline import make_source

    outcome = Outcome(shown, text, text)
    for _ in range(ROUNDS):
        source = make_source(path, outcome.fixed)
        if source is None:
            break
        new, applied, skipped = one_round(source.language, outcome.fixed, analyze(source), unsafe, keep)
        outcome.skipped = skipped  # what is still left after the last round
        if not applied:
            break
        outcome.applied.extend(applied)
        outcome.fixed = new
    return outcome


def unified_diff(outcome: Outcome) -> str:
    a = outcome.original.decode("utf-8", "replace").splitlines(keepends=True)
    b = outcome.fixed.decode("utf-8", "replace").splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(a, b, f"a/{outcome.path}", f"b/{outcome.path}"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


class WriteRefused(OSError):
    pass


def inside(path: str, roots: Sequence[str]) -> bool:
    """Is the real `path` one of the real `roots` (files) or inside one of them (folders)?"""
    real = os.path.realpath(path)
    for root in roots:
        r = os.path.realpath(root)
        if real == r or real.startswith(r.rstrip(os.sep) + os.sep):
            return True
    return False


def write_atomic(path: str, original: bytes, new: bytes, roots: Sequence[str]) -> None:
    """Replace the file at `path` (still holding `original`) with `new`. WriteRefused (an
    OSError) says why not: not a regular file, a symbolic link, outside the scanned folders,
    or changed since it was read."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise WriteRefused("a symbolic link (not written)")
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused("not a regular file")
    if not inside(path, roots):
        raise WriteRefused("outside the scanned folders")
    from redline.files import read_regular

    if read_regular(path, len(original) + 1) != original:
        raise WriteRefused("changed since it was read (not written)")
    replace_file(path, new, prefix=".redline-fix-", mode=stat.S_IMODE(st.st_mode))
