#!/usr/bin/env python3
"""OWASP Benchmark for Java 1.2: Redline's score, as the benchmark's own scorecards compute it.

    python bench/owasp.py [--jobs N] [--reuse] [--markdown] [--misses CATEGORY] [--half dev]

The benchmark (/work/shared/benchmarks/owasp-benchmark-java/, or $OWASP_BENCHMARK) is unpacked
once into bench/corpora/owasp/ (gitignored), with an empty `.git` at its top so that it is its
own project root, as a checkout is. The helper classes (`.../benchmark/helpers/`) and
`src/main/resources/benchmark.properties` stay where the project has them.

The testcode folder is scanned as a user scans a folder: `redline scan <testcode> --format json
--fail-on never --no-cache --jobs N` (default settings otherwise; `--no-cache` so that a figure
never comes from a result cached by an older build). Scoring, as in
/work/shared/benchmarks/README.md: a test case is flagged when at least one finding in its file
has a CWE of the test's category (or an accepted relative); per category TPR - FPR; the overall
score is the mean of the eleven category scores.

The same figures are printed for two halves: "dev" (even test numbers), the half whose cases
may be read to understand a class of misses, and "held-out" (odd numbers), which is never read:
the held-out score is the honest one. The scan's wall time and Java files per second are
printed too. `--reuse` scores the last report again (bench/corpora/owasp/scan.json) without
scanning. `--misses CATEGORY --half dev` lists the dev-half cases of a category that are
missed (false negatives) or falsely flagged (false positives), to study classes; it refuses the
held-out half. `--markdown` writes bench/results/owasp.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = Path(os.environ.get("OWASP_BENCHMARK", "/work/shared/benchmarks/owasp-benchmark-java"))
BASE = HERE / "corpora" / "owasp"
TESTCODE = BASE / "src" / "main" / "java" / "org" / "owasp" / "benchmark" / "testcode"
REPORT = BASE / "scan.json"
MARKDOWN = HERE / "results" / "owasp.md"

CATEGORIES = ("cmdi", "crypto", "hash", "ldapi", "pathtraver", "securecookie", "sqli", "trustbound", "weakrand",
              "xpathi", "xss")
# The CWEs accepted for each category (the README's "obvious relatives").
ACCEPTED = {
    "cmdi": {77, 78, 88},
    "crypto": {327, 328, 916},
    "hash": {327, 328, 916},
    "ldapi": {90},
    "pathtraver": {22, 23, 36, 73},
    "securecookie": {614, 1004},
    "sqli": {89, 564},
    "trustbound": {501},
    "weakrand": {330, 338},
    "xpathi": {643},
    "xss": {79, 80},
}
NAME = re.compile(r"BenchmarkTest(\d+)")


def unpack() -> None:
    if TESTCODE.is_dir():
        return
    BASE.mkdir(parents=True, exist_ok=True)
    with tarfile.open(BENCH / "src.tar.xz") as tar:
        tar.extractall(BASE, filter="data")
    (BASE / ".git").mkdir(exist_ok=True)


def expected() -> dict[str, tuple[str, bool]]:
    out = {}
    with open(BENCH / "expectedresults-1.2.csv", newline="") as f:
        for row in csv.reader(f):
            if not row or row[0].startswith("#"):
                continue
            out[row[0].strip()] = (row[1].strip(), row[2].strip().lower() == "true")
    return out


def scan(jobs: int) -> tuple[dict, float]:
    (BASE / ".git").mkdir(exist_ok=True)
    cmd = [str(ROOT / ".venv" / "bin" / "redline"), "scan", str(TESTCODE), "--format", "json", "--fail-on", "never",
           "--no-cache", "--jobs", str(jobs), "-o", str(REPORT)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=BASE, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1) or not REPORT.exists():
        sys.exit(f"redline scan failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(REPORT.read_text()), wall


def cwes_by_test(report: dict) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for f in report.get("findings", []):
        m = NAME.search(Path(f.get("path", "")).name)
        if m is None or "/testcode/" not in "/" + f.get("path", "").replace(os.sep, "/"):
            continue
        out.setdefault(f"BenchmarkTest{m.group(1)}", set()).update(int(c) for c in f.get("cwe", []))
    return out


def half_of(test: str) -> str:
    return "dev" if int(NAME.search(test).group(1)) % 2 == 0 else "held-out"


def score(truth: dict, found: dict, half: str | None) -> dict:
    rows = {}
    for cat in CATEGORIES:
        tp = fp = tn = fn = 0
        for test, (c, real) in truth.items():
            if c != cat or (half is not None and half_of(test) != half):
                continue
            flagged = bool(found.get(test, set()) & ACCEPTED[cat])
            if real:
                tp, fn = tp + flagged, fn + (not flagged)
            else:
                fp, tn = fp + flagged, tn + (not flagged)
        tpr = tp / (tp + fn) if tp + fn else 0.0
        fpr = fp / (fp + tn) if fp + tn else 0.0
        rows[cat] = {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "tpr": tpr, "fpr": fpr, "score": tpr - fpr}
    overall = sum(r["score"] for r in rows.values()) / len(rows)
    return {"rows": rows, "overall": overall}


def table(title: str, s: dict) -> str:
    lines = [f"### {title}: overall {s['overall']:.3f}", "",
             "| category | TP | FP | TN | FN | TPR | FPR | score |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for cat, r in s["rows"].items():
        lines.append(f"| {cat} | {r['tp']} | {r['fp']} | {r['tn']} | {r['fn']} | {r['tpr']:.3f} | {r['fpr']:.3f} | "
                     f"{r['score']:+.3f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=0, help="worker processes for the scan (default 0: one per core)")
    ap.add_argument("--reuse", action="store_true", help="score the last report again without scanning")
    ap.add_argument("--markdown", action="store_true", help=f"write {MARKDOWN.relative_to(ROOT)}")
    ap.add_argument("--misses", metavar="CATEGORY", help="list missed and falsely flagged cases of a category")
    ap.add_argument("--half", default="dev", help="with --misses: the half to list (only dev is allowed)")
    args = ap.parse_args()
    if args.misses and args.half != "dev":
        sys.exit("the held-out half is never listed: it is the honest figure")
    unpack()
    truth = expected()
    if args.reuse and REPORT.exists():
        report, wall = json.loads(REPORT.read_text()), None
    else:
        report, wall = scan(args.jobs)
    found = cwes_by_test(report)
    if args.misses:
        for test, (cat, real) in sorted(truth.items()):
            if cat != args.misses or half_of(test) != "dev":
                continue
            flagged = bool(found.get(test, set()) & ACCEPTED[cat])
            if real != flagged:
                print(f"{'FN' if real else 'FP'} {test} cwes={sorted(found.get(test, ()))}")
        return 0
    parts = []
    files = len(list(TESTCODE.glob("*.java")))
    if wall is not None:
        parts.append(f"Scan: {files} Java files in {wall:.1f} s wall ({files / wall:.1f} files/s, --jobs {args.jobs}); "
                     f"{len(report.get('findings', []))} findings, {len(report.get('errors', []))} engine errors.")
    for title, half in (("All 2,740 cases", None), ("Dev half (even test numbers)", "dev"),
                        ("Held-out half (odd test numbers)", "held-out")):
        parts.append(table(title, score(truth, found, half)))
    text = "\n\n".join(parts)
    print(text)
    if args.markdown:
        MARKDOWN.parent.mkdir(parents=True, exist_ok=True)
        MARKDOWN.write_text("# OWASP Benchmark for Java 1.2\n\nCommand: `nice -n 10 .venv/bin/python bench/owasp.py "
                            f"--jobs {args.jobs} --markdown` (see the script's docstring for the scoring).\n\n"
                            + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
