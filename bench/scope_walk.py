#!/usr/bin/env python3
"""CPU of the Python taint scopes' binding walk (taint_python._collect_defs) over a corpus, with and
without the leaf skip (issue 16): every function scope and every module of the corpus, the two
variants interleaved in each round, the same parsed trees. Also checks that both variants collect
the same number of bindings.

    python bench/scope_walk.py [--corpus DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))
from scan_throughput import fetch_django, python_files  # noqa: E402

from redline import languages as langs  # noqa: E402
from redline.rules.predicates import taint_python as tp  # noqa: E402


def scopes(tree):
    out, stack = [tree.root_node], [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type == "function_definition":
            out.append(n)
        stack.extend(n.named_children)
    return out


def collect_all(all_scopes):
    total = 0
    for s in all_scopes:
        defs: dict = {}
        tp._collect_defs(s, defs, set())
        total += sum(len(v) for v in defs.values())
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    corpus = args.corpus.resolve() if args.corpus else fetch_django()
    parser = langs.parser("python")
    all_scopes = []
    for f in python_files(corpus):
        all_scopes += scopes(parser.parse(Path(f).read_bytes()))
    skip = tp._NO_BINDINGS
    times = {"with the leaf skip": [], "without (before)": []}
    counts = {}
    for _ in range(args.runs):
        for name, value in (("without (before)", frozenset()), ("with the leaf skip", skip)):
            tp._NO_BINDINGS = value
            t = time.process_time()
            counts[name] = collect_all(all_scopes)
            times[name].append(time.process_time() - t)
    tp._NO_BINDINGS = skip
    print(f"corpus: {corpus}, {len(all_scopes):,} scopes (functions and modules), {args.runs} rounds, interleaved")
    for name, ts_ in times.items():
        print(f"{name}: {statistics.median(ts_):.3f} s CPU median ({' '.join(f'{x:.3f}' for x in ts_)}), {counts[name]:,} bindings")
    print("same number of bindings: " + ("yes" if len(set(counts.values())) == 1 else "NO"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
