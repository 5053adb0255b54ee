"""Benchmark the IaC rules on Trivy's good/bad examples (../shared/benchmarks/iac_trivy_checks.jsonl).

Each record is written to a file name of its kind (main.tf, Dockerfile, manifest.yaml) and run
through the same pipeline as `redline scan`. A bad ("insecure") example counts as detected when
Redline reports at least one finding in it (snippet level: the records carry no line labels); a
good ("safe") example counts as flagged when it gets at least one finding. Figures are given
for all severities and for severity >= warning (info findings are hygiene hints: unpinned
images, missing resource limits, public IPs), per family (check-id prefix, provider/service).

    .venv/bin/python bench/iac.py [--data PATH] [--rules RL5] [--markdown] [--misses FAMILY]

CloudFormation records are counted separately as out of scope (Redline has no CloudFormation
rules). Runs in a few seconds; timing is the median of `--repeat` runs, next to a reference
measured in the same run: parsing the same files with tree-sitter and nothing else.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from redline import languages as langs  # noqa: E402
from redline.config import ENGINES, Config  # noqa: E402
from redline.findings import Severity  # noqa: E402
from redline.pipeline import analyze_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "iac_trivy_checks.jsonl"
FILE_NAMES = {"terraform": "main.tf", "dockerfile": "Dockerfile", "kubernetes": "manifest.yaml"}
IN_SCOPE = tuple(FILE_NAMES)


def family(record: dict) -> str:
    """AWS/s3, GCP/compute, Dockerfile, Kubernetes/KSV ... from the check id and upstream path."""
    lang = record["language"]
    check = record["meta"].get("check_id") or "?"
    if lang == "dockerfile":
        return "Dockerfile"
    if lang == "kubernetes":
        prefix = check.split("-")[0] if "-" in check else "other"
        return f"Kubernetes/{prefix}"
    parts = record["meta"].get("upstream_path", "").split("/")
    service = parts[3] if len(parts) > 3 and parts[1] == "cloud" else "?"
    return f"{check.split('-')[0]}/{service}"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scan(records: list[dict], config: Config) -> list[tuple[dict, list]]:
    out = []
    for r in records:
        analysis = analyze_text(FILE_NAMES[r["language"]], r["code"], config)
        if analysis.errors:  # a rule or engine failed on this record: say so, never hide it
            print(f"error on {r['id']}: {analysis.errors}", file=sys.stderr)
        out.append((r, analysis.findings))
    return out


def summarise(results, min_severity: Severity):
    fam = collections.defaultdict(lambda: [0, 0, 0, 0])  # bad, detected, good, flagged
    lang = collections.defaultdict(lambda: [0, 0, 0, 0])
    for r, findings in results:
        hit = any(f.severity.rank >= min_severity.rank for f in findings)
        for table, key in ((fam, family(r)), (lang, r["language"]), (lang, "total")):
            row = table[key]
            if r["label"] == "insecure":
                row[0] += 1
                row[1] += hit
            else:
                row[2] += 1
                row[3] += hit
    return fam, lang


def ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def table(rows: dict, title: str, markdown: bool) -> str:
    lines = [f"| {title} | bad | detected | recall | good | flagged | FP rate |", "|---|---:|---:|---:|---:|---:|---:|"]
    for key in sorted(rows, key=lambda k: (k == "total", k)):
        bad, det, good, flag = rows[key]
        lines.append(f"| {key} | {bad} | {det} | {ratio(det, bad)} | {good} | {flag} | {ratio(flag, good)} |")
    text = "\n".join(lines)
    return text if markdown else text.replace("|---", "|   ")


def per_rule(results) -> str:
    fires = collections.defaultdict(lambda: [0, 0])
    for r, findings in results:
        for code in sorted({f.code for f in findings}):
            fires[code][0 if r["label"] == "insecure" else 1] += 1
    lines = ["| rule | on bad examples | on good examples |", "|---|---:|---:|"]
    lines += [f"| {c} | {b} | {g} |" for c, (b, g) in sorted(fires.items())]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--rules", default="RL5",
                    help="rule selector (default RL5: the IaC rules, tree-sitter engine only); '' for every rule and engine")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--misses", help="print missed bad / flagged good examples of families starting with this")
    args = ap.parse_args(argv)

    records = load(args.data)
    scoped = [r for r in records if r["language"] in IN_SCOPE]
    skipped = collections.Counter(r["language"] for r in records if r["language"] not in IN_SCOPE)
    if args.rules:
        # The IaC rules all run in the tree-sitter engine: switch the other engines off so the
        # timing is that of these rules (the figures are the same with every engine on).
        config = Config(select=(args.rules,), engines=tuple((e, e == "redline") for e in ENGINES))
    else:
        config = Config()

    times, parse_times = [], []
    results = None
    scan(scoped[:20], config)  # warm up: grammars, the registry, compiled queries
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        for r in scoped:
            langs.parse(langs.detect(FILE_NAMES[r["language"]]), r["code"].encode("utf-8"))
        parse_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        results = scan(scoped, config)
        times.append(time.perf_counter() - t0)

    scan_s, parse_s = statistics.median(times), statistics.median(parse_times)
    print(f"data: {args.data.name}, {len(scoped)} records in scope; out of scope: {dict(skipped)}")
    print(f"rules: {args.rules or 'all'}; median of {len(times)} runs: scan {scan_s:.2f}s "
          f"({scan_s / len(scoped) * 1000:.2f} ms/record), tree-sitter parse only {parse_s:.3f}s, "
          f"ratio {scan_s / parse_s:.1f}x\n")
    for sev, label in ((Severity.HINT, "all severities"), (Severity.WARNING, "severity >= warning")):
        fam, lang = summarise(results, sev)
        print(f"### {label}\n")
        print(table(lang, "language", args.markdown) + "\n")
        print(table(fam, "family", args.markdown) + "\n")
    print("### findings per rule (examples with at least one finding of the rule)\n")
    print(per_rule(results))

    if args.misses:
        for r, findings in results:
            if not family(r).startswith(args.misses):
                continue
            if r["label"] == "insecure" and not findings:
                print(f"\n--- MISSED {r['meta']['check_id']} {r['meta'].get('title')}\n{r['code']}")
            elif r["label"] == "safe" and findings:
                print(f"\n--- FLAGGED GOOD {r['meta']['check_id']}: " + "; ".join(f"{f.code} {f.message[:120]}" for f in findings))
                print(r["code"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
