#!/usr/bin/env python3
"""Per-keystroke cost of the tree-sitter rule engine alone (rules/engine.py `rescan`).

    python bench/keystroke_profile.py [LINES ...] [--edits N] [--repeat R] [--prof]

For each size it builds the generated Python module of bench/lsp_latency.py (one vulnerable
function in five), scans it once, then types the same text as lsp_latency into one function in
the middle of the file, one character per edit: edit the tree, reparse incrementally, `rescan`.
It prints the median and p95 of the rescan time per keystroke (parsing excluded) for each size,
the median of the part spent in the query and the predicates over the re-scanned window
(engine._run; the rest is shifting the other findings),
and with `--prof` the cumulative cProfile of the rescans of the last size. Every keystroke is in
the figures, including those that fall back to a full scan (the engine's choice, for instance
while a line does not parse); how many did is printed. `rescan` gets the previous text, as the
language server gives it (member and statement units). Every rescan is
checked against a full scan of the same text at the end of each run (they must be equal).

Unlike lsp_latency.py this leaves out the language server (store, other engines, pipeline), so
it shows whether the rules' cost grows with the size of the file when only one function changes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE))

import lsp_latency as L  # noqa: E402

from redline import languages as langs  # noqa: E402
from redline.documents.source import SourceFile, line_starts_of  # noqa: E402
from redline.rules import engine  # noqa: E402
from redline.documents.edits import ByteEdit  # noqa: E402
from redline.rules.registry import default_registry  # noqa: E402


_RUN_TIME: list[float] = []
_engine_run = engine._run


def _timed_run(*args, **kwargs):
    """engine._run (the query and the predicates over the re-scanned window), timed."""
    t = time.perf_counter()
    try:
        return _engine_run(*args, **kwargs)
    finally:
        _RUN_TIME.append((time.perf_counter() - t) * 1000)


engine._run = _timed_run


def _point(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


def run(lines: int, edits: int, profiles: list | None) -> tuple[list[float], int]:
    """Rescan times (ms) of the keystrokes re-scanned incrementally, and how many fell back to a
    full scan (an edit that leaves the function unparsable for a moment, for instance)."""
    registry = default_registry()
    text = L.python_file(lines)
    data = text.encode()
    tree = langs.parse("python", data)
    file = SourceFile("typing.py", "python", data, tree)
    findings = engine.scan(file, registry).findings
    before = data
    starts = line_starts_of(data)
    times, rules = [], []
    full_scans = 0
    for line, col, ch in L.typing_edits(text, edits):
        offset = starts[line] + col
        new = ch.encode()
        old = tree.copy()
        old.edit(
            start_byte=offset, old_end_byte=offset, new_end_byte=offset + len(new),
            start_point=_point(data, offset), old_end_point=_point(data, offset),
            new_end_point=_point(data[:offset] + new, offset + len(new)),
        )
        data = data[:offset] + new + data[offset:]
        starts = line_starts_of(data)
        tree = langs.parse("python", data, old)
        changed = [(r.start_byte, r.end_byte) for r in old.changed_ranges(tree)]
        # The language server's store keeps the line index up to date; give it as the store does.
        file = SourceFile("typing.py", "python", data, tree, starts)
        prof = cProfile.Profile() if profiles is not None else None
        _RUN_TIME.clear()
        t = time.perf_counter()
        if prof:
            prof.enable()
        result = engine.rescan(file, registry, findings, [ByteEdit(offset, offset, offset + len(new))], changed,
                               before=before)
        before = data
        if prof:
            prof.disable()
        elapsed = (time.perf_counter() - t) * 1000
        findings = result.findings
        full_scans += result.full
        times.append(elapsed)
        rules.append(sum(_RUN_TIME))
        if prof:
            profiles.append(prof)
    full = engine.scan(SourceFile("typing.py", "python", data, langs.parse("python", data)), registry).findings
    if [f.sort_key for f in full] != [f.sort_key for f in findings]:
        raise SystemExit(f"rescan differs from a full scan at {lines} lines")
    return times, rules, full_scans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lines", nargs="*", type=int, default=[2000, 10000])
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="runs per size (the median of their medians is shown)")
    ap.add_argument("--prof", action="store_true")
    ap.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime, ...)")
    args = ap.parse_args()
    profiles: list = []
    for n in args.lines:
        medians, p95s, rule_medians = [], [], []
        for r in range(args.repeat):
            wanted = args.prof and n == args.lines[-1] and r == 0
            times, rules, full_scans = run(n, args.edits, profiles if wanted else None)
            medians.append(statistics.median(times))
            rule_medians.append(statistics.median(rules))
            p95s.append(sorted(times)[int(0.95 * (len(times) - 1))])
        print(f"{n:6d} lines  rescan median {statistics.median(medians):6.2f} ms  p95 {statistics.median(p95s):6.2f} ms"
              f"  query+predicates median {statistics.median(rule_medians):6.2f} ms"
              f"  (medians of {args.repeat} runs: {', '.join(f'{m:.2f}' for m in medians)}; "
              f"{full_scans} of {args.edits} edits fell back to a full scan, counted)")
    if profiles:
        stats = pstats.Stats(profiles[0])
        for p in profiles[1:]:
            stats.add(p)
        print(f"cProfile of the {len(profiles)} incremental rescans of the last run:")
        stats.sort_stats(args.sort).print_stats(45)


if __name__ == "__main__":
    main()
