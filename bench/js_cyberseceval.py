#!/usr/bin/env python3
"""CyberSecEval JavaScript: recall with a development half and a held-out half.

    python bench/js_cyberseceval.py [--shared DIR] [--misses] [--min-confidence low|medium|high]

Scores the 249 JavaScript records of ../shared/benchmarks/cyberseceval.jsonl exactly as
bench/detection.py does (same in-process scan, same "redline" configuration: every engine
except bandit and the workspace checks; same CWE groups), and prints, for all records, the
development half and the held-out half:

* snippet recall (a finding anywhere), line recall (a finding within +-1 line of a labelled
  line), CWE-aware recall (a finding of the record's CWE group, as detection.py), and line +
  CWE recall (both at once: the strictest reading of "line recall, CWE-aware");
* the same per CWE.

The split is fixed by the record id: sha256(id) even -> development half (the only records
read to find classes of misses), odd -> held-out half (never opened; only its counts are
printed). `--misses` lists the development half's misses (id, CWE, the labelled line and what
Redline reported), never a held-out record.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from detection import EXT, Config, Confidence, analyze_text, code_of, cwe_number, group_of, load  # noqa: E402


def scan(rec: dict, cfg: Config) -> list[tuple[int, int, set[int], str]]:
    """(first line, last line, CWEs, rule) of each finding, 1-based."""
    a = analyze_text(f"sample.{EXT[rec['language']]}", code_of(rec), cfg)
    return [(f.span.start_line + 1, f.span.end_line + 1, set(f.cwe), f.code) for f in a.findings]


def half(rec_id: str) -> str:
    return "dev" if hashlib.sha256(rec_id.encode()).digest()[-1] % 2 == 0 else "held-out"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--misses", action="store_true", help="list the development half's misses")
    ap.add_argument("--min-confidence", default="low", choices=["low", "medium", "high"])
    args = ap.parse_args(argv)
    off = (("dependencies", False), ("registry", False))
    cfg = Config(engines=(("bandit", False), *off), min_confidence=Confidence(args.min_confidence))
    records = [r for r in load(args.shared, "cyberseceval") if r["language"] == "javascript"]
    rows = collections.defaultdict(lambda: [0, 0, 0, 0, 0])  # n, snippet, line, cwe, line+cwe
    missed = []
    for rec in records:
        found = scan(rec, cfg)
        group = group_of(cwe_number(rec.get("cwe")) or -1)
        labelled = rec.get("lines") or []
        near = [f for f in found if any(f[0] - 1 <= ln <= f[1] + 1 for ln in labelled)] if labelled else found
        strict = any(f[2] & group for f in near)
        got = (1, bool(found), bool(near), any(f[2] & group for f in found), strict)
        h = half(rec["id"])
        for key in (("all", "*"), (h, "*"), ("all", rec["cwe"]), (h, rec["cwe"])):
            for i, v in enumerate(got):
                rows[key][i] += int(v)
        if h == "dev" and not strict:
            missed.append((rec, found))
    print("| records | CWE | n | snippet | line | CWE-aware | line + CWE |")
    print("|---|---|---|---|---|---|---|")
    order = {"all": 0, "dev": 1, "held-out": 2}
    for (part, cwe), (n, sn, ln, cw, st) in sorted(rows.items(), key=lambda kv: (kv[0][1] != "*", kv[0][1],
                                                                                 order[kv[0][0]])):
        print(f"| {part} | {cwe} | {n} | {sn / n:.2f} | {ln / n:.2f} | {cw / n:.2f} | {st / n:.2f} |")
    if args.misses:
        print()
        for rec, found in missed:
            lines = rec.get("lines") or []
            text = rec["meta"].get("line_text", "").strip()
            print(f"- {rec['id']} {rec['cwe']} line {lines}: {text[:140]}")
            for s, e, c, code in found:
                print(f"    got {code} {sorted(c)} at {s}-{e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
