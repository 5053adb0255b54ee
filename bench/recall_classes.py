#!/usr/bin/env python3
"""CyberSecEval misses by class (CWE x labelling rule), with a held-out half kept unread.

    python bench/recall_classes.py [--languages java,python] [--show dev] [--cwe CWE-918]

Records are split by a hash of their id into a *development* half (whose misses one may read
with --show to find the classes to fix) and a *held-out* half (only counted: nobody reads its
records while writing rules, so its recall is the honest figure). Scoring as in
bench/detection.py: "CWE-aware" = a finding whose CWE is in the record's CWE group anywhere in
the snippet (detection.py's "CWE-aware recall"); "line+CWE" = such a finding within +-1 line of a
labeled line. Configuration "redline" of detection.py (every engine except bandit and the
workspace checks, all confidences).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from detection import ROOT, Config, Hit, analyze_text, code_of, cwe_number, EXT, group_of, load  # noqa: E402


def half(rec_id: str) -> str:
    return "dev" if hashlib.sha1(rec_id.encode()).digest()[0] % 2 == 0 else "held-out"


def line_cwe(rec: dict, findings) -> bool:
    cwe = cwe_number(rec.get("cwe"))
    g = group_of(cwe) if cwe else set()
    for f in findings:
        if set(f.cwe) & g and any(f.span.start_line - 1 <= line - 1 <= f.span.end_line + 1 for line in rec["lines"]):
            return True
    return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--languages", default="java,python")
    ap.add_argument("--show", choices=["dev"], help="print the development half's misses (labeled line and codes)")
    ap.add_argument("--cwe", help="with --show: only this CWE")
    args = ap.parse_args(argv)
    cfg = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False)))
    langs = args.languages.split(",")
    records = [r for r in load(args.shared, "cyberseceval") if r["language"] in langs and r["language"] in EXT]
    table = collections.defaultdict(lambda: [0, 0, 0])  # (lang, half, cwe, rule) -> records, cwe, line+cwe
    totals = collections.defaultdict(lambda: [0, 0, 0])
    for rec in records:
        a = analyze_text(f"sample.{EXT[rec['language']]}", code_of(rec), cfg)
        hit = Hit(cwes={c for f in a.findings for c in f.cwe})
        hit.lines = [(f.span.start_line + 1, f.span.end_line + 1) for f in a.findings]
        cwe_ok = hit.cwe_match(cwe_number(rec.get("cwe")))
        lc_ok = line_cwe(rec, a.findings)
        h = half(rec["id"])
        rule = rec["meta"]["pattern_id"].rsplit(".", 1)[-1]
        for key in ((rec["language"], h, rec["cwe"], rule), ):
            t = table[key]
            t[0] += 1
            t[1] += cwe_ok
            t[2] += lc_ok
        for h2 in (h, "all"):
            t = totals[(rec["language"], h2)]
            t[0] += 1
            t[1] += cwe_ok
            t[2] += lc_ok
        if args.show == h and not cwe_ok and (not args.cwe or rec["cwe"] == args.cwe):
            codes = sorted({f.code for f in a.findings})
            print(f"--- {rec['id']} {rec['cwe']} {rule} lines={rec['lines']} found={codes}")
            lines = code_of(rec).splitlines()
            for ln in rec["lines"][:1]:
                for i in range(max(0, ln - 4), min(len(lines), ln + 2)):
                    print(f"{'>' if i + 1 == ln else ' '}{i + 1:4} {lines[i][:150]}")
    print("\n| language | half | records | CWE-aware recall | line+CWE recall |")
    print("|---|---|---|---|---|")
    for (lang, h), (n, c, lc) in sorted(totals.items()):
        print(f"| {lang} | {h} | {n} | {c / n:.2f} ({c}) | {lc / n:.2f} ({lc}) |")
    print("\n| language | half | CWE | labelling rule | records | CWE-aware | line+CWE |")
    print("|---|---|---|---|---|---|---|")
    for (lang, h, cwe, rule), (n, c, lc) in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1][0] + kv[1][1])):
        print(f"| {lang} | {h} | {cwe} | {rule} | {n} | {c} | {lc} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
