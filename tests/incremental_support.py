"""Random edit sequences on realistic multi-class modules (tests/data/incremental/): after each
edit, `engine.rescan` with the previous text (member and statement units, name-based
invalidation) and without it (whole top-level definitions) must both give what a full scan of
a fresh parse gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from redline import languages as langs
from redline.documents.positions import Encoding
from redline.documents.source import SourceFile
from redline.documents.store import Change, DocumentStore
from redline.rules import engine

DATA = Path(__file__).parent / "data" / "incremental"


def edit_st(text: str, snippets: list[str]):
    """One edit: ((line, character), deleted characters on that line or whole lines, inserted text)."""
    lines = text.split("\n")
    pos = st.integers(0, len(lines) - 1).flatmap(lambda ln: st.tuples(st.just(ln), st.integers(0, len(lines[ln]))))
    return st.tuples(pos, st.one_of(st.integers(0, 4), st.integers(0, 3).map(lambda n: -n)),
                     st.sampled_from(snippets + ["", "", "x", "(", "'", "\n", " "]))


def check_sequence(language: str, uri: str, initial: str, edits, registry) -> int:
    """Replay `edits`; assert rescan == full scan after each. Returns how many rescans ran
    incrementally with finer windows than the whole file (to guard against a vacuous run)."""
    store = DocumentStore()
    doc = store.open(uri, language, 0, initial)
    previous = engine.scan(doc.source, registry).findings
    before = doc.data
    incremental = 0
    for version, ((line, char), delete, inserted) in enumerate(edits, start=1):
        lines = doc.text.split("\n")
        line = min(line, len(lines) - 1)
        char = min(char, len(lines[line]))
        if delete >= 0:
            end = (line, min(len(lines[line]), char + delete))
        else:  # delete whole lines from the start of this one
            char, end = 0, (min(len(lines) - 1, line - delete), 0)
        res = store.change(uri, version, [Change(((line, char), end), inserted)], Encoding.UTF8)
        doc = res.document
        fresh = langs.new_parser(language).parse(doc.data)
        full = engine.scan(SourceFile(doc.path, language, doc.data, fresh), registry)
        assert not full.errors, (doc.text, full.errors)
        if res.reuse_previous and res.exact:
            units = engine.rescan(doc.source, registry, previous, res.edits, res.changed_ranges, before=before)
            assert units.findings == full.findings, (
                doc.text, units.windows, _diff(units.findings, full.findings))
            if not units.full:
                incremental += 1
            tops = engine.rescan(doc.source, registry, previous, res.edits, res.changed_ranges)
            assert tops.findings == full.findings, (doc.text, _diff(tops.findings, full.findings))
        previous, before = full.findings, doc.data
    return incremental


def _diff(found, full):
    a = {(f.code, f.span.start_byte, f.span.end_byte) for f in found}
    b = {(f.code, f.span.start_byte, f.span.end_byte) for f in full}
    return {"extra": sorted(a - b), "missing": sorted(b - a)}
