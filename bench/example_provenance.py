#!/usr/bin/env python3
"""Which rule examples are copies or near-copies of benchmark records?

    python bench/example_provenance.py [--shared DIR] [--threshold 0.6] [--json FILE] [--write FILE]

Compares every `valid`/`invalid` example of server/redline/rules/builtin/*.toml (all languages)
with every record of ../shared/benchmarks/*.jsonl and lists the examples that are copies or
near-copies, with the records they came from. The records listed are the "in-sample" records:
`bench/detection.py --held-out` reports figures on the others (it imports `in_sample_ids`).

Similarity is normalised token containment:

* both texts are cut into tokens (identifiers, numbers, single punctuation characters; comments
  dropped, string quotes unified, whitespace and layout ignored);
* identifiers are kept as written (a copy keeps them; renaming every name is rewriting), numbers
  and the contents of strings too;
* an example's score against a record is the share of the example's token 4-grams that also occur
  in the record (containment, not Jaccard: an example is a few lines cut out of a longer record).

An example with fewer than MIN_SHINGLES 4-grams (`os.system('ls ' + path)`) is too short to say
where it came from: one-line idioms occur in many records and in every tutorial, so such
examples are not judged (their number is printed).

The threshold is printed with the score distribution it comes from. Unrelated examples score
below 0.35 (idioms shared by all Python code: `from flask import Flask, request`, `@app.route(`,
`request.args.get(`); examples written after a benchmark record's pattern but with own names
score 0.35-0.55; copies with a name or a literal changed score 0.6-0.9; verbatim copies 1.0.
THRESHOLD = 0.6 sits in the gap between the last two groups (see the histogram the script prints
and bench/results/provenance.md).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RULES = ROOT / "server" / "redline" / "rules" / "builtin"
# Examples moved out of the rules because they copy a benchmark record: still examples the rules
# were built from, so their records stay in-sample.
REGRESSIONS = ROOT / "tests" / "data" / "benchmark_regressions"
THRESHOLD = 0.6
MIN_SHINGLES = 6
K = 4
DF_MAX = 10

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|[^\sA-Za-z0-9_]")
_COMMENT = re.compile(r"(?m)(?:#|//)[^\n'\"]*$")


def tokens(code: str) -> list[str]:
    code = _COMMENT.sub("", code).replace("'", '"').replace("`", '"')
    return _TOKEN.findall(code)


def shingles(toks: list[str]) -> set[tuple[str, ...]]:
    return {tuple(toks[i : i + K]) for i in range(len(toks) - K + 1)}


@dataclass
class Ex:
    file: str
    code_id: str  # rule code
    kind: str  # valid | invalid
    index: int  # position in that table's list
    code: str

    @property
    def key(self) -> str:
        return f"{self.file}:{self.code_id}:{self.kind}[{self.index}]"


def load_examples(rules_dir: Path = RULES, regressions: Path | None = REGRESSIONS) -> list[Ex]:
    out = []
    if regressions is not None and regressions.is_dir():
        for path in sorted(regressions.glob("*.toml")):
            for i, case in enumerate(tomllib.loads(path.read_text("utf-8")).get("case", [])):
                out.append(Ex(f"regressions/{path.name}", case.get("rule", "?"), case.get("kind", "?"), i, case.get("code", "")))
    for path in sorted(rules_dir.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        for table in ("rule", "extend"):
            for t in data.get(table, []):
                for kind in ("valid", "invalid"):
                    for i, item in enumerate(t.get(kind, []) or []):
                        code = item if isinstance(item, str) else item.get("code", "")
                        out.append(Ex(path.name, t.get("code", "?"), kind, i, code))
    return out


def load_records(shared: Path) -> list[dict]:
    out = []
    for path in sorted((shared / "benchmarks").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                rec["_set"] = path.stem
                out.append(rec)
    return out


@dataclass
class Match:
    example: Ex
    score: float
    records: list[str]  # ids of the records at the best score (a pair's two sides, duplicates)
    shingles: int


def compare(examples: list[Ex], records: list[dict]) -> tuple[list[Match], int]:
    """The best record score of every judged example; and how many examples were too short."""
    index: dict[tuple, list[int]] = collections.defaultdict(list)
    for i, rec in enumerate(records):
        for s in shingles(tokens(rec.get("code", ""))):
            index[s].append(i)
    out, short = [], 0
    for ex in examples:
        sh = {s for s in shingles(tokens(ex.code)) if len(index.get(s, ())) <= DF_MAX}
        if len(sh) < MIN_SHINGLES:
            short += 1
            continue
        counts: collections.Counter = collections.Counter()
        for s in sh:
            for i in index.get(s, ()):
                counts[i] += 1
        if not counts:
            out.append(Match(ex, 0.0, [], len(sh)))
            continue
        best = max(counts.values())
        ids = [records[i]["id"] for i, n in counts.items() if n == best]
        out.append(Match(ex, best / len(sh), sorted(ids), len(sh)))
    return out, short


def in_sample(matches: list[Match], threshold: float = THRESHOLD) -> dict[str, list[str]]:
    """record id -> the examples (keys) that copy it."""
    out: dict[str, list[str]] = collections.defaultdict(list)
    for m in matches:
        if m.score >= threshold:
            for rid in m.records:
                out[rid].append(m.example.key)
    return dict(out)


def pair_mates(ids) -> set[str]:
    """A pair's other side is in-sample too: an example built from the fix pair saw both."""
    out = set(ids)
    for rid in ids:
        if rid.endswith(":before"):
            out.add(rid[: -len("before")] + "after")
        elif rid.endswith(":after"):
            out.add(rid[: -len("after")] + "before")
    return out


def in_sample_ids(shared: Path, threshold: float = THRESHOLD) -> set[str]:
    """The benchmark record ids that some rule example was copied from (with their pair mates)."""
    matches, _ = compare(load_examples(), load_records(shared))
    return pair_mates(in_sample(matches, threshold))


def histogram(matches: list[Match]) -> list[str]:
    bins = collections.Counter(min(int(m.score * 10), 9) for m in matches)
    lines = ["| score | examples |", "|---|---|"]
    for b in range(10):
        lines.append(f"| {b / 10:.1f}-{(b + 1) / 10:.1f}{']' if b == 9 else ')'} | {bins.get(b, 0)} |")
    return lines


def report(matches: list[Match], short: int, threshold: float, records: list[dict]) -> str:
    by_set = {r["id"]: r["_set"] for r in records}
    copies = sorted((m for m in matches if m.score >= threshold), key=lambda m: (m.example.file, m.example.code_id, m.example.kind, m.example.index))
    near = sorted((m for m in matches if 0.45 <= m.score < threshold), key=lambda m: -m.score)
    ids = pair_mates(in_sample(matches, threshold))
    per_set = collections.Counter(by_set.get(i, "?") for i in ids)
    per_file = collections.Counter(m.example.file for m in copies)
    out = [
        f"Examples: {len(matches) + short} ({short} shorter than {MIN_SHINGLES} token {K}-grams, not judged); "
        f"records: {len(records)}; threshold: containment >= {threshold} "
        "(share of the example's token 4-grams found in one record).",
        "",
        "Score distribution of the judged examples (best record per example):",
        "",
        *histogram(matches),
        "",
        f"Copies or near-copies (score >= {threshold}): {len(copies)} examples; "
        + ", ".join(f"{f} {n}" for f, n in sorted(per_file.items())),
        "",
        f"In-sample records (copied from, with their pair mates): {len(ids)}; "
        + ", ".join(f"{s} {n}" for s, n in sorted(per_set.items())),
        "",
        "| example | score | record(s) |",
        "|---|---|---|",
    ]
    for m in copies:
        recs = ", ".join(m.records[:3]) + (f" (+{len(m.records) - 3})" if len(m.records) > 3 else "")
        out.append(f"| {m.example.key} | {m.score:.2f} | {recs} |")
    out += ["", f"Below the threshold, closest (0.45 <= score < {threshold}; not counted as copies):", "",
            "| example | score | record(s) |", "|---|---|---|"]
    for m in near[:25]:
        out.append(f"| {m.example.key} | {m.score:.2f} | {', '.join(m.records[:2])} |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--threshold", type=float, default=THRESHOLD)
    ap.add_argument("--json", type=Path, help="write {record id: [example keys]} here")
    args = ap.parse_args(argv)
    records = load_records(args.shared)
    matches, short = compare(load_examples(), records)
    print(f"threshold {args.threshold}: an example whose token 4-grams are >= {args.threshold:.0%} found in one "
          "record is a copy of it; unrelated code shares idioms only (< 0.35), examples written after a "
          "record's pattern 0.35-0.55, edited copies 0.6-0.9, verbatim copies 1.0.", file=sys.stderr)
    print(report(matches, short, args.threshold, records))
    if args.json:
        args.json.write_text(json.dumps(in_sample(matches, args.threshold), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
