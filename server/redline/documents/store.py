"""The server's documents: bytes, version, language, line index and tree per URI.

`DocumentStore.change` applies LSP content changes in order (whole-document and ranged, several
per notification), turns each range into a tree-sitter edit of a copy of the old tree, and
reparses once with the edited tree. Changes for a version older than (or equal to) the one held
are ignored. Positions are in the negotiated encoding (see positions.py).

Exactness: tree-sitter's incremental reparse may recover from syntax errors differently from a
fresh parse of the same text (a known upstream limitation). A document whose tree came from a
fresh parse, or from an incremental parse without errors, is `exact`. An inexact tree is good
enough for the keystroke path, but callers must `settle()` it (a fresh parse) when the user is
idle and re-scan fully, and must not reuse findings computed on an inexact tree for a partial
rescan (`ChangeResult.reuse_previous`).

Applying and parsing can be split (`apply`, then `reparse`): the text always follows every change
at once, while the parse, and the analysis that needs it, may wait and cover several changes in
one go (the server does so when changes arrive faster than it analyzes them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Sequence

from redline import languages as langs
from redline.documents.positions import Encoding, offset_at, position_at, ts_point, ts_point_after
from redline.documents.source import SourceFile, line_starts_of
from redline.documents.edits import ByteEdit, edited_ranges, shift_range
from redline.findings import Span

Position = tuple[int, int]


class MarkerCheck(NamedTuple):
    """How to tell whether a text may hold a suppression marker (the rules layer's business,
    handed in by the caller so that documents do not depend on rules): `may_hold(text)` False
    is certain; a marker is at most `margin` bytes long, so an edit can only create one within
    that distance of the bytes it touched."""

    may_hold: Callable[[bytes], bool]
    margin: int


class Change(NamedTuple):
    """One LSP content change: `range` None replaces the whole document."""

    range: tuple[Position, Position] | None
    text: str


class ChangeResult(NamedTuple):
    document: "Document"
    edits: list[ByteEdit]  # in order, each in the coordinates left by the previous ones
    changed_ranges: list[tuple[int, int]]  # where the reparsed tree differs (final coordinates)
    reparsed_fully: bool  # True when there was no old tree to reuse (whole-document change)
    exact: bool  # the new tree is what a fresh parse gives (no errors, or parsed fresh)
    reuse_previous: bool  # findings on the previous tree may be shifted (rules.engine.rescan)
    deferred: bool = False  # the reparse gave up within its budget: the document has no tree yet
    # The reparse started from another tree than the previous one (Document.stale), so
    # `changed_ranges` are relative to that tree, not to the one earlier findings came from.
    rebased: bool = False


def _encode(text: str) -> bytes:
    # Lone surrogates cannot come from a well-formed client; keep going rather than crash.
    return text.encode("utf-8", "replace")


def uri_path(uri: str) -> str:
    """A file path for language detection and path-based rules (file:// URIs), else the URI."""
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(uri).path)
    return uri


@dataclass
class Pending:
    """Changes applied to a document's text and not parsed yet (`DocumentStore.apply`)."""

    tree: object | None  # a copy of the tree the changes started from, edited by each; None: parse afresh
    rebased: bool  # that tree was `Document.stale`, not `Document.tree` (see ChangeResult.rebased)
    edits: list[ByteEdit] = field(default_factory=list)  # in order, as ChangeResult.edits


@dataclass
class Document:
    uri: str
    language_id: str
    version: int
    data: bytes
    language: str | None  # Redline language, None when we do not handle the file
    tree: object | None = None
    line_starts: list[int] = field(default_factory=list)
    exact: bool = True  # see the module docstring
    # Where the next reparse starts when that is not `tree` (only with `DocumentStore.change`'s
    # `budget_s`): an older tree edited to the current text. Either the reparse gave up (`tree`
    # is None meanwhile) or `tree` has syntax errors and this is the last tree without: an
    # unclosed bracket makes every reparse that starts from a tree with it re-read the rest of
    # the file, while one that starts from the clean tree is cheap again once the bracket is
    # closed. `settle` parses afresh and clears it.
    stale: object | None = None
    markers: bool = True  # False: the text holds no suppression marker (kept up to date per edit)
    # Applied and not parsed yet: `tree` and `stale` are None meanwhile (the text is newer).
    pending: Pending | None = None
    # What `drop_tree` keeps of an exact tree: (type, start byte, end byte, has errors) of each
    # top-level node, so that the next change, parsed from scratch, can still tell which
    # top-level definitions it changed (ChangeResult.changed_ranges) rather than none.
    layout: tuple[tuple[str, int, int, bool], ...] | None = None
    # Tells `markers` after each edit; None: unknown, so `markers` stays True (look closer).
    marker_check: MarkerCheck | None = field(default=None, repr=False)

    def drop_tree(self) -> None:
        """Forget the tree (memory): the next change parses from scratch."""
        tree = self.tree if self.exact and self.stale is None and self.pending is None else None
        self.layout = _layout(tree) if tree is not None else None
        self.tree, self.stale, self.exact = None, None, True
        if self.pending is not None:
            self.pending.tree = None

    def parse_afresh(self) -> None:
        """A fresh parse of the current text (None without a grammar): exact by definition."""
        has = self.language is not None and langs.has_grammar(self.language)
        self.tree, self.stale, self.exact = (langs.parse(self.language, self.data) if has else None), None, True
        self.layout = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    @property
    def path(self) -> str:
        return uri_path(self.uri)

    @property
    def source(self) -> SourceFile | None:
        """What engines scan; None when Redline has no language for this document."""
        if self.language is None:
            return None
        return SourceFile(self.path, self.language, self.data, self.tree, self.line_starts, self.markers)

    def offset(self, position: Position, encoding: Encoding) -> int:
        return offset_at(self.data, self.line_starts, position[0], position[1], encoding)

    def position(self, offset: int, encoding: Encoding) -> Position:
        return position_at(self.data, self.line_starts, offset, encoding)

    def to_range(self, span: Span, encoding: Encoding) -> tuple[Position, Position]:
        """LSP range of a finding's span (computed from its bytes, never its points)."""
        return self.position(span.start_byte, encoding), self.position(span.end_byte, encoding)

    def apply(self, version: int | None, changes: Sequence[Change], encoding: Encoding) -> bool:
        """Apply `changes` to the text (and to a copy of the tree, for the next `reparse`) without
        parsing; False for a stale version. Several applies in a row are one `reparse`, whose
        ChangeResult covers all of them."""
        if version is not None and version <= self.version:
            return False
        pending = self.pending
        if pending is None:
            rebased = self.stale is not None
            base = self.stale if rebased else self.tree
            pending = Pending(base.copy() if base is not None else None, rebased)
        data = self.data
        line_starts = self.line_starts
        tree = pending.tree
        edits: list[ByteEdit] = []
        for change in changes:
            new = _encode(change.text)
            if change.range is None:
                edits.append(ByteEdit(0, len(data), len(new)))
                data, tree, self.layout = new, None, None
                line_starts = line_starts_of(data)
                continue
            (sl, sc), (el, ec) = change.range
            start = offset_at(data, line_starts, sl, sc, encoding)
            end = offset_at(data, line_starts, el, ec, encoding)
            if end < start:  # a reversed range: treat it as the range it spans
                start, end = end, start
            if tree is not None:
                start_pt = ts_point(data, start, line_starts)
                tree.edit(
                    start_byte=start,
                    old_end_byte=end,
                    new_end_byte=start + len(new),
                    start_point=start_pt,
                    old_end_point=ts_point(data, end, line_starts),
                    new_end_point=ts_point_after(start_pt, new),
                )
            data = data[:start] + new + data[end:]
            line_starts = _update_line_starts(line_starts, data, start, end, len(new))
            edits.append(ByteEdit(start, end, start + len(new)))
        pending.tree = tree
        pending.edits.extend(edits)
        self.version = version if version is not None else self.version + 1
        self.markers = _markers_after(self.markers, data, edits, self.marker_check)
        self.data, self.line_starts, self.tree, self.stale, self.pending = data, line_starts, None, None, pending
        return True

    def reparse(self, budget_s: float | None = None) -> ChangeResult | None:
        """Parse what `apply` left pending: the ChangeResult of all those changes together (see
        `DocumentStore.change` for `budget_s`); None when nothing is pending."""
        if self.pending is None:
            return None
        pending, self.pending = self.pending, None
        data, tree, edits, rebased = self.data, pending.tree, pending.edits, pending.rebased
        layout, self.layout = self.layout, None
        changed: list[tuple[int, int]] = []
        reparsed_fully = tree is None
        new_tree = None
        deferred = False
        if self.language and langs.has_grammar(self.language):
            if tree is not None and budget_s is not None:
                new_tree = langs.parse_within(self.language, data, tree, budget_s)
                deferred = new_tree is None
            else:
                new_tree = langs.parse(self.language, data, tree)
            if tree is not None and new_tree is not None:
                changed = [(r.start_byte, r.end_byte) for r in tree.changed_ranges(new_tree)]
            elif layout is not None and new_tree is not None and not rebased:
                # The tree was dropped, not the findings made on it: compare the fresh tree's
                # top level with what was kept of the old one. A top-level node of the same
                # type over the same (moved) bytes, without errors in either, parsed the same.
                changed = _changed_since(layout, edits, new_tree)
                reparsed_fully = False
        if deferred:
            self.tree, self.stale, self.exact = None, tree, False
            return ChangeResult(self, edits, [], False, False, False, deferred=True, rebased=True)
        reuse_previous = self.exact and not reparsed_fully and not rebased
        exact = new_tree is None or reparsed_fully or not new_tree.root_node.has_error
        stale = None
        if budget_s is not None and not exact and tree is not None and not tree.root_node.has_error:
            stale = tree  # the clean tree this parse started from, for the next one
        self.tree, self.stale, self.exact = new_tree, stale, exact
        return ChangeResult(self, edits, changed, reparsed_fully, exact, reuse_previous, rebased=rebased)

    def settle(self) -> bool:
        """Replace an inexact tree by a fresh parse. True when it did (callers re-scan fully)."""
        if self.exact:
            return False
        self.parse_afresh()
        return True


class DocumentStore:
    """Documents by URI, for callers that keep no record of their own (tests, benchmarks); the
    language server keeps each Document in its per-document record instead."""

    def __init__(self, markers: MarkerCheck | None = None) -> None:
        self._docs: dict[str, Document] = {}
        self.markers = markers

    def __contains__(self, uri: str) -> bool:
        return uri in self._docs

    def __iter__(self):
        return iter(list(self._docs.values()))

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def open(self, uri: str, language_id: str, version: int, text: str) -> Document:
        doc = self._docs[uri] = open_document(uri, language_id, version, text, self.markers)
        return doc

    def close(self, uri: str) -> Document | None:
        return self._docs.pop(uri, None)

    def change(
        self, uri: str, version: int | None, changes: Sequence[Change], encoding: Encoding,
        budget_s: float | None = None,
    ) -> ChangeResult | None:
        """Apply `changes` in order and reparse; None for an unknown document or a stale version.

        With `budget_s` (the keystroke path), an incremental reparse that takes longer gives up
        (`deferred`): the text is updated, the edited old tree is kept as `stale` and `tree` is
        None until a later change or `settle` parses; and a reparse that brings syntax errors
        keeps the clean tree it started from as `stale`, the start of the next one. Without it
        the reparse always completes.
        """
        if self.apply(uri, version, changes, encoding) is None:
            return None
        return self.reparse(uri, budget_s)

    def apply(self, uri: str, version: int | None, changes: Sequence[Change], encoding: Encoding) -> Document | None:
        """`Document.apply`; None for an unknown document or a stale version."""
        doc = self._docs.get(uri)
        return doc if doc is not None and doc.apply(version, changes, encoding) else None

    def reparse(self, uri: str, budget_s: float | None = None) -> ChangeResult | None:
        doc = self._docs.get(uri)
        return doc.reparse(budget_s) if doc is not None else None

    def settle(self, uri: str) -> bool:
        doc = self._docs.get(uri)
        return doc is not None and doc.settle()


def open_document(
    uri: str, language_id: str, version: int, text: str, markers: MarkerCheck | None = None, parse: bool = True
) -> Document:
    """A document as opened: parsed when Redline has a grammar for it (unless `parse` is False:
    a document kept as text only, e.g. over the size limit, has no language)."""
    data = _encode(text)
    language = langs.detect(uri_path(uri), language_id) if parse else None
    tree = langs.parse(language, data) if language and langs.has_grammar(language) else None
    doc = Document(uri, language_id, version, data, language, tree, line_starts_of(data))
    doc.marker_check = markers
    doc.markers = markers.may_hold(data) if markers is not None else True
    return doc


def _layout(tree) -> tuple[tuple[str, int, int, bool], ...]:
    return tuple((c.type, c.start_byte, c.end_byte, c.has_error) for c in tree.root_node.children)


def _changed_since(layout, edits: list[ByteEdit], tree) -> list[tuple[int, int]]:
    """Ranges (new coordinates) of the top-level nodes of `tree` that are not an old top-level
    node of `layout` moved by `edits`, and of old ones that no longer are in `tree`."""
    old: dict[tuple[str, int, int], bool] = {}
    for typ, start, end, error in layout:
        moved = shift_range(start, end, edits, touching=True)
        if moved is not None:
            old[(typ, *moved)] = error
    changed = []
    for child in tree.root_node.children:
        key = (child.type, child.start_byte, child.end_byte)
        if old.pop(key, True) or child.has_error:
            changed.append((child.start_byte, child.end_byte))
    changed.extend((start, end) for (_typ, start, end) in old)
    return sorted(changed)


def _markers_after(before: bool, data: bytes, edits: list[ByteEdit], check: MarkerCheck | None) -> bool:
    """Whether `data` may hold a suppression marker, knowing whether the text before `edits` did:
    a text without any gains one only inside the edited ranges (plus a marker's length around)."""
    if check is None:
        return True
    if before:
        return check.may_hold(data)
    m = check.margin
    return any(check.may_hold(data[max(lo - m, 0) : hi + m]) for lo, hi in edited_ranges(edits))


def _update_line_starts(old: list[int], data: bytes, start: int, end: int, new_len: int) -> list[int]:
    """Line starts of `data` after replacing old bytes [start, end) with `new_len` bytes.

    Recomputes only around the edit: a `\\r` just before it may pair with a `\\n` it inserted or
    removed, so the rescan starts at the line before the edit.
    """
    if len(old) < 64:
        return line_starts_of(data)
    from bisect import bisect_right

    first = max(bisect_right(old, start) - 2, 0)  # the line before the edited one
    lo = old[first]
    # First old line start strictly after the edit (+1 for a \r\n split across its end).
    k = bisect_right(old, end + 1)
    delta = new_len - (end - start)
    hi_new = (old[k] + delta) if k < len(old) else len(data)
    middle = [lo + s for s in line_starts_of(data[lo:hi_new])]
    if k < len(old):
        # `middle` ends with hi_new itself when the segment ends with a line break.
        middle = [s for s in middle if s < hi_new]
        return old[:first] + middle + [s + delta for s in old[k:]]
    return old[:first] + middle
