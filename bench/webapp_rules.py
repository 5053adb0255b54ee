#!/usr/bin/env python3
"""Noise check for the web-application rules of issue 19 on real code.

    python bench/webapp_rules.py [--rules RL145,...] [--only NAME,...] [--django] [--owasp]
    python bench/webapp_rules.py --cyberseceval [--shared DIR]
    python bench/webapp_rules.py --pairs [--shared DIR]

Scans each unpacked package of bench/corpora/realworld/src/{pypi,npm}/ (fetched by
bench/realworld.py) as its own workspace, the way a user scans it (`redline scan .` in the
package folder, default settings, fast engines, file roles on), with only the selected rules,
and prints the lines scanned, the findings per rule and every finding (rule, confidence,
package, path:line, message) for triage. `--django` adds Django 5.1.4's `django/` package
(bench/corpora/Django-5.1.4, fetched by bench/detection.py) and `--owasp` the OWASP Benchmark's
Java sources (bench/corpora/owasp/src, unpacked by bench/owasp.py).

`--cyberseceval` instead scores the CyberSecEval records of JavaScript, Java and Python the way
bench/detection.py does (same materialization and configuration, its functions are imported):
per language, how many records have a finding within +-1 line of a labeled line whose CWE is
in the record's CWE group ("line + CWE"), how many of those come from an issue-19 rule or table,
and how many are found only by one (the records these rules add to the recall).

`--pairs` counts, on the labeled sets with safe records (SVEN, SafeCoder, CWEval), the safe
and the insecure records that get a finding of an issue-19 rule or table: on safe code every
such finding is a false alarm of these rules.

The default rule list is the rules and language tables added for issue 19: RL145-RL148,
RL334, RL335 and the JavaScript/TypeScript tables of RL116, RL117, RL311 and RL314 (the Python
tables of those four are older rules and are counted apart, by file extension).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = HERE / "corpora" / "realworld" / "src"
DJANGO = HERE / "corpora" / "Django-5.1.4"
OWASP = HERE / "corpora" / "owasp"
NEW_RULES = "RL145,RL146,RL147,RL148,RL334,RL335,RL116,RL117,RL311,RL314"
# Rules whose Python tables predate issue 19: their Python findings are not the new tables' noise.
EXTENDED = {"RL116", "RL117", "RL311", "RL314"}
JS_EXT = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")


def redline() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "redline"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "redline"]


def scan(folder: Path, target: str, rules: str) -> dict:
    cmd = redline() + ["scan", target, "--select", rules, "--no-slow", "--jobs", "1", "--format", "json",
                       "--fail-on", "never", "--no-cache"]
    out = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "server")})
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        print(f"  {folder.name}: no report ({out.stderr.strip()[:200]})", file=sys.stderr)
        return {"summary": {"lines": 0}, "findings": []}


def new_table(f: dict) -> bool:
    """A finding of a rule or language table added for issue 19."""
    return f["code"] not in EXTENDED or f["path"].endswith(JS_EXT)


def cyberseceval(shared: Path, rules: set[str]) -> int:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "server"))
    import detection as det  # noqa: E402  (bench/detection.py: the scoring this must agree with)
    from redline.config import Config  # noqa: E402

    cfg = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False)))
    records = [r for r in det.load(shared, "cyberseceval") if r["language"] in ("javascript", "java", "python")]
    per = collections.defaultdict(collections.Counter)
    for rec in records:
        lang = rec["language"]
        a = det.analyze_text(f"sample.{det.EXT[lang]}", det.code_of(rec), cfg)
        group = det.group_of(det.cwe_number(rec.get("cwe")) or -1)
        labeled = rec.get("lines") or []
        good = [f for f in a.findings if set(f.cwe) & group
                and any(f.span.start_line <= line <= f.span.end_line + 2 for line in labeled)]
        per[lang]["records"] += 1
        per[lang]["line + CWE"] += bool(good)
        ours = [f for f in good if f.code in rules and (f.code not in EXTENDED or lang != "python")]
        per[lang]["by an issue-19 rule"] += bool(ours)
        per[lang]["only by an issue-19 rule"] += bool(ours) and len(ours) == len(good)
    print("| language | records | line + CWE | by an issue-19 rule | only by an issue-19 rule |")
    print("|---|---|---|---|---|")
    for lang, c in sorted(per.items()):
        n = c["records"]
        print(f"| {lang} | {n} | {c['line + CWE']} ({c['line + CWE'] / n:.2f}) | {c['by an issue-19 rule']} | "
              f"{c['only by an issue-19 rule']} ({c['only by an issue-19 rule'] / n:.2f}) |")
    return 0


def pairs(shared: Path, rules: set[str]) -> int:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "server"))
    import detection as det  # noqa: E402
    from redline.config import Config  # noqa: E402

    cfg = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False)))
    print("| set | safe records | flagged by an issue-19 rule | insecure records | flagged by an issue-19 rule |")
    print("|---|---|---|---|---|")
    for name in ("sven_python_pairs", "safecoder_pairs", "cweval"):
        c: collections.Counter = collections.Counter()
        for rec in det.load(shared, name):
            if rec["language"] not in det.EXT:
                continue
            a = det.analyze_text(f"sample.{det.EXT[rec['language']]}", det.code_of(rec), cfg)
            ours = [f for f in a.findings if f.code in rules and (f.code not in EXTENDED or rec["language"] != "python")]
            c[rec["label"]] += 1
            c[rec["label"] + " flagged"] += bool(ours)
            if ours and rec["label"] == "safe":
                print(f"  safe {rec['id']}: {', '.join(sorted({f.code for f in ours}))}", file=sys.stderr)
        print(f"| {name} | {c['safe']} | {c['safe flagged']} | {c['insecure']} | {c['insecure flagged']} |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", default=NEW_RULES)
    ap.add_argument("--only", default="", help="comma-separated package folder names")
    ap.add_argument("--django", action="store_true")
    ap.add_argument("--owasp", action="store_true")
    ap.add_argument("--cyberseceval", action="store_true")
    ap.add_argument("--pairs", action="store_true")
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared")))
    args = ap.parse_args()
    if args.cyberseceval:
        return cyberseceval(args.shared, set(args.rules.split(",")))
    if args.pairs:
        return pairs(args.shared, set(args.rules.split(",")))
    only = {x for x in args.only.split(",") if x}
    targets: list[tuple[str, Path, str]] = []
    for eco in ("pypi", "npm"):
        for pkg in sorted((SRC / eco).iterdir()) if (SRC / eco).is_dir() else []:
            if pkg.is_dir() and (not only or pkg.name in only):
                targets.append((f"{eco}/{pkg.name}", pkg, "."))
    if args.django and DJANGO.is_dir():
        targets.append(("Django-5.1.4/django", DJANGO, "django"))
    if args.owasp and (OWASP / "src").is_dir():
        targets.append(("owasp-benchmark/src", OWASP, "src"))
    if not targets:
        print("nothing to scan: run bench/realworld.py once to fetch the packages", file=sys.stderr)
        return 1
    lines = 0
    per_rule: collections.Counter = collections.Counter()
    older: collections.Counter = collections.Counter()
    rows = []
    for name, folder, target in targets:
        report = scan(folder, target, args.rules)
        lines += report["summary"].get("lines", 0)
        for f in report.get("findings", []):
            if new_table(f):
                per_rule[f["code"]] += 1
                line = f.get("start_line", "")
                rows.append((f["code"], f.get("confidence", ""), name, f"{f['path']}:{line}", f["message"][:140]))
            else:
                older[f["code"]] += 1
    print(f"{len(targets)} packages, {lines} lines, rules {args.rules}")
    print()
    print("| rule | findings of the issue-19 rules and tables |")
    print("|---|---|")
    for code in args.rules.split(","):
        print(f"| {code} | {per_rule.get(code, 0)} |")
    print(f"| total | {sum(per_rule.values())} |")
    if older:
        print()
        print("Python findings of the older tables of extended rules (not counted above): "
              + ", ".join(f"{c} {n}" for c, n in sorted(older.items())))
    if rows:
        print()
        print("| rule | confidence | package | where | message |")
        print("|---|---|---|---|---|")
        for r in sorted(rows):
            print("| " + " | ".join(str(x).replace("|", "\\|") for x in r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
