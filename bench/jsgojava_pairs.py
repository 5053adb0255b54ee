#!/usr/bin/env python3
"""SafeCoder fix pairs in JavaScript, Go and Java, split by whether the pair's CWE is a class the
JS/Go/Java rules implement.

    python bench/jsgojava_pairs.py [--shared DIR] [--misses]

A pair counts as "vulnerable flagged" when the insecure version has at least one finding, "fixed
flagged" when the fixed version has one, "discriminated" when only the insecure one has. The
registry holds only families.toml, javascript.toml, go.toml and java.toml. Deterministic.
`--misses` also lists the pairs whose vulnerable version has no finding (language, CWE, id,
file and commit), for looking at the misses by class. The in-scope split is the list of classes
of the first version of these rules, kept fixed so that figures stay comparable.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "server"))
sys.path.insert(0, str(HERE))

from jsgojava_false_alarms import registry  # noqa: E402
from redline.pipeline import make_source  # noqa: E402
from redline.rules import engine  # noqa: E402

PATHS = {"javascript": "sample.js", "go": "sample.go", "java": "Sample.java"}
IN_SCOPE = {22, 78, 79, 89, 94, 95, 502, 326, 327, 328, 330, 338, 295, 611, 643, 90, 601, 915, 916, 918, 943, 1321}


def flagged(reg, lang: str, code: str) -> bool:
    file = make_source(PATHS[lang], code.encode("utf-8"))
    return bool(file is not None and file.tree is not None and engine.scan(file, reg).findings)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--misses", action="store_true", help="list the pairs whose vulnerable version is not flagged")
    args = ap.parse_args(argv)
    reg = registry()
    pairs: dict[str, dict] = collections.defaultdict(dict)
    with open(args.shared / "benchmarks" / "safecoder_pairs.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["language"] in PATHS:
                pairs[rec["id"].rsplit(":", 1)[0]][rec["label"]] = rec
    tally: collections.Counter = collections.Counter()
    missed: list[tuple[str, str, str, str]] = []
    for pair in pairs.values():
        if "insecure" not in pair or "safe" not in pair:
            continue
        bad, good = pair["insecure"], pair["safe"]
        scope = "in scope" if int(bad["cwe"].split("-")[1]) in IN_SCOPE else "out of scope"
        v, x = flagged(reg, bad["language"], bad["code"]), flagged(reg, good["language"], good["code"])
        if not v:
            meta = bad.get("meta", {})
            missed.append((bad["language"], bad["cwe"], bad["id"].rsplit(":", 1)[0],
                           f"{meta.get('file_name', '')} {meta.get('commit', '')}".strip()))
        for key in (f"{scope}, all three languages", f"{scope}, {bad['language']}", "all JS/Go/Java pairs"):
            tally[(key, "n")] += 1
            tally[(key, "v")] += v
            tally[(key, "x")] += x
            tally[(key, "d")] += v and not x
    print("| pairs | count | vulnerable flagged | fixed flagged | discrimination |")
    print("|---|---|---|---|---|")
    for key in sorted({k for k, _ in tally}):
        n = tally[(key, "n")]
        print(f"| {key} | {n} | {tally[(key, 'v')] / n:.2f} | {tally[(key, 'x')] / n:.2f} | {tally[(key, 'd')] / n:.2f} |")
    if args.misses:
        print()
        print("| language | CWE | pair | file and commit |")
        print("|---|---|---|---|")
        for row in sorted(missed):
            print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
