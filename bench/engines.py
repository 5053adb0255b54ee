#!/usr/bin/env python3
"""What the imported engines (bandit, detect-secrets) add to Redline's own rules.

    python bench/engines.py [--sets securityeval,...] [--no-detection] [--no-secrets]
                            [--no-realworld] [--triage bench/results/triage.md]

A finding of an imported engine *adds* something when no finding of another engine (Redline's
own rules, its secrets detectors, the other imported engine) is on the same line of the same
file after the pipeline's de-duplication: that is what the user would not see with the engine
off. For each engine, and for bandit per test id, the script counts the added findings and how
many of them are true:

* labelled detection sets (../shared/benchmarks: SecurityEval, SALLM, CWEval, SVEN, SafeCoder,
  CyberSecEval), scanned as bench/detection.py's "redline+bandit" tool does (default settings,
  manifest and registry checks off) but with every bandit check on, so that the checks that are
  off by default are measured too. An added finding is **true** on an insecure record when it is
  within +-1 line of a labelled line (for records without line labels: inside the record's
  completion lines where the record gives them, anywhere otherwise) and its CWE is in the
  record's CWE group (bench/detection.py's groups), **false** on a safe record, and **elsewhere**
  otherwise (an insecure record, but not at its weakness). "Records gained" are records that only
  the engine's added findings flag: recall gained (insecure) and false alarms gained (safe).
  "True" also asks for the record's weakness: the finding's CWE must be in the record's CWE group
  (an unrelated finding that happens to sit on the labelled line is "elsewhere");
* the secrets set (secrets.jsonl), scored as bench/secrets.py scores it (a record is flagged by
  an RL2xx or RL902 finding): records flagged with detect-secrets on and not without it;
* the real-code benchmark (the JSON reports kept by bench/realworld.py), with the verdicts of
  the sampled triage (`--triage`): added findings per engine and check, and the triage's
  verdicts on those rows. Since bandit and detect-secrets are off by default, a real-code run
  measures them only when it was made with them on (`[engines] bandit = true`,
  `detect-secrets = true`).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# REDLINE_SERVER: measure another copy of the code (bench/realworld.py --snapshot's export of a
# commit) instead of the working tree, which others may be editing.
sys.path.insert(0, os.environ.get("REDLINE_SERVER") or str(ROOT / "server"))

from redline.config import Config  # noqa: E402
from redline.engines.bandit import DEFAULT_OFF  # noqa: E402
from redline.pipeline import analyze_text, finalize, make_source, run_engines  # noqa: E402

SHARED = Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared"))
SETS = ["securityeval", "sallm", "cweval", "sven_python_pairs", "safecoder_pairs", "cyberseceval"]
EXT = {"python": "py", "javascript": "js", "typescript": "ts", "go": "go", "java": "java"}
IMPORTED = ("bandit", "detect-secrets")
SCANS = HERE / "corpora" / "realworld" / "scans"
GROUPS = [
    {77, 78, 88}, {94, 95, 96}, {327, 328, 916, 326, 759, 760}, {338, 330, 331, 335, 339}, {798, 259, 321},
    {22, 23, 36, 73, 99, 434, 641, 425}, {79, 80, 116}, {611, 776, 827}, {295, 297}, {502}, {89, 943}, {601},
    {918}, {117}, {113}, {643}, {90}, {377, 379}, {329, 1204}, {347}, {209, 215, 489}, {614, 1004, 312},
    {730, 1333, 400}, {319}, {605, 1327}, {352}, {208}, {732, 269}, {1336},
]


def group_of(cwe: int) -> set[int]:
    return next((g for g in GROUPS if cwe in g), {cwe})


def cwe_number(s) -> int | None:
    try:
        return int(str(s).split("-")[-1]) if s else None
    except ValueError:
        return None


def check_of(engine: str, bandit_id: str | None) -> str:
    """The row a finding is counted under: bandit by test id (with its default), else the engine."""
    if engine == "bandit":
        bid = bandit_id or "?"
        return f"bandit {bid}" + (" (off by default)" if bid in DEFAULT_OFF else "")
    return engine


def added(findings: list[tuple]) -> list[tuple]:
    """The imported engines' findings, as (line, engine, ...) tuples, with no other engine's
    finding on the same line."""
    by_line: dict[int, set[str]] = collections.defaultdict(set)
    for line, engine, *_ in findings:
        by_line[line].add(engine)
    return [f for f in findings if f[1] in IMPORTED and not (by_line[f[0]] - {f[1]})]


# --------------------------------------------------------------------------- detection sets


def detection(sets: list[str]) -> str:
    # bandit and detect-secrets are off by default (issue 13): turned on here, to measure them.
    switches = (("dependencies", False), ("registry", False), ("bandit", True), ("detect-secrets", True))
    config = Config(engines=switches, bandit_checks=tuple(DEFAULT_OFF))
    rows: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[str]] = collections.defaultdict(list)
    records = 0
    for name in sets:
        path = SHARED / "benchmarks" / f"{name}.jsonl"
        for raw in path.read_text().splitlines():
            if not raw.strip():
                continue
            rec = json.loads(raw)
            if rec["language"] not in EXT:
                continue
            code = rec["code"]
            if rec["language"] == "python" and rec.get("meta", {}).get("python_parse") == "after_dedent":
                code = textwrap.dedent(code)
            records += 1
            a = analyze_text(f"sample.{EXT[rec['language']]}", code, config)
            found = [(f.span.start_line + 1, f.engine, f.property("bandit_id"), frozenset(f.cwe)) for f in a.findings]
            extra = added(found)
            own = [f for f in found if f[1] not in IMPORTED]
            insecure = rec["label"] == "insecure"
            labelled = rec.get("lines") or []
            group = group_of(cwe_number(rec.get("cwe"))) if rec.get("cwe") else set()
            span = rec.get("meta", {}).get("completion_lines")  # where the weakness is, for snippet labels
            by_check: dict[str, list] = collections.defaultdict(list)
            for line, engine, bid, cwe in extra:
                by_check[check_of(engine, bid)].append((line, cwe))
                by_check[engine + " (all checks)" if engine == "bandit" else engine].append((line, cwe))
            for key, lines in by_check.items():
                r = rows[key]
                for line, cwe in lines:
                    r["added"] += 1
                    if not insecure:
                        r["false"] += 1
                    elif group & cwe and (
                        (labelled and any(abs(line - x) <= 1 for x in labelled))
                        or (not labelled and (not span or span[0] <= line <= span[1]))
                    ):
                        r["true"] += 1
                    else:
                        r["elsewhere"] += 1
                if not own:  # only this engine's added findings flag the record
                    r["gained_insecure" if insecure else "gained_safe"] += 1
                    if len(examples[key]) < 3:
                        examples[key].append(rec["id"])
    out = [
        f"Labelled detection sets ({', '.join(sets)}): {records} records in Python, JavaScript, TypeScript, Go "
        "and Java; every bandit check on (the rows marked off by default are what turning them on would add).\n",
        "| engine / check | added findings | true (at the labelled weakness) | false (safe record) | elsewhere "
        "(insecure record, other line) | records gained: insecure | records gained: safe | examples |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for engine in ("bandit (all checks)", "detect-secrets"):
        rows.setdefault(engine, collections.Counter())  # an engine that added nothing gets its row of zeros
    order = sorted(rows, key=lambda k: (not k.endswith("(all checks)") and k.startswith("bandit"), k))
    for key in order:
        r = rows[key]
        out.append(f"| {key} | {r['added']} | {r['true']} | {r['false']} | {r['elsewhere']} | {r['gained_insecure']} | "
                   f"{r['gained_safe']} | {', '.join(examples[key])} |")
    return "\n".join(out) + "\n"


def rule_on_sets(code: str, sets: list[str]) -> str:
    """Where one Redline rule fires on the labelled sets: findings and records, insecure and safe
    (for a rule that takes over an imported engine's check, e.g. RL336 for bandit's B113)."""
    config = Config(select=(code,), engines=(("bandit", False), ("detect-secrets", False), ("dependencies", False),
                                             ("registry", False)))
    c: collections.Counter = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    for name in sets:
        for raw in (SHARED / "benchmarks" / f"{name}.jsonl").read_text().splitlines():
            if not raw.strip():
                continue
            rec = json.loads(raw)
            if rec["language"] not in EXT:
                continue
            src = rec["code"]
            if rec["language"] == "python" and rec.get("meta", {}).get("python_parse") == "after_dedent":
                src = textwrap.dedent(src)
            n = sum(f.code == code for f in analyze_text(f"sample.{EXT[rec['language']]}", src, config).findings)
            label = rec["label"]
            c[f"{label} records"] += 1
            if n:
                c[f"{label} flagged"] += 1
                c[f"{label} findings"] += n
                if len(examples[label]) < 3:
                    examples[label].append(rec["id"])
    return (f"{code} on the labelled sets ({', '.join(sets)}): {c['insecure findings']} findings on "
            f"{c['insecure flagged']} of {c['insecure records']} insecure records, {c['safe findings']} on "
            f"{c['safe flagged']} of {c['safe records']} safe records; examples: {', '.join(examples['insecure'])}; "
            f"{', '.join(examples['safe'])}\n")


# --------------------------------------------------------------------------- secrets set


def secrets_set() -> str:
    from redline.engines import detect_secrets as ds_engine
    from redline.engines import secrets as secrets_engine

    config = Config()
    recs = [json.loads(x) for x in (SHARED / "benchmarks" / "secrets.jsonl").read_text("utf-8").splitlines() if x.strip()]
    c = collections.Counter()
    examples = collections.defaultdict(list)
    for rec in recs:
        ext = rec.get("meta", {}).get("file_extension")
        path = f"sample.{ext}" if ext else "sample.txt"
        file = make_source(path, rec["code"].encode("utf-8"))
        if file is None:
            continue
        raw, _ = run_engines(file, config, [secrets_engine.ENGINE, ds_engine.ENGINE])
        final = [f for f in finalize(file, raw, config) if f.code.startswith("RL2") or f.code == "RL902"]
        found = [(f.span.start_line + 1, f.engine) for f in final]
        extra = added(found)
        own = [f for f in found if f[1] not in IMPORTED]
        label = rec["label"]
        c[f"added_{label}"] += len(extra)
        if extra and not own:
            c[f"gained_{label}"] += 1
            if len(examples[label]) < 4:
                examples[label].append(rec["id"])
    ins = sum(r["label"] == "insecure" for r in recs)
    safe = len(recs) - ins
    return (
        f"secrets.jsonl: {len(recs)} records ({ins} insecure, {safe} safe), secret findings (RL2xx, RL902) after the "
        "pipeline, Redline's secrets engine and detect-secrets on.\n\n"
        "| engine | added findings on insecure records | added findings on safe records | records gained: insecure "
        "(recall) | records gained: safe (false alarms) | examples (insecure; safe) |\n|---|---:|---:|---:|---:|---|\n"
        f"| detect-secrets | {c['added_insecure']} | {c['added_safe']} | {c['gained_insecure']} | {c['gained_safe']} | "
        f"{', '.join(examples['insecure'])}; {', '.join(examples['safe'])} |\n"
    )


# --------------------------------------------------------------------------- real code

ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*([A-Z]+\d+(?:/\w+)?)\s*\|\s*(\w+)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|(.*)\|\s*(true|false|noise)\s*\|")


def realworld(triage: Path | None, scans: Path = SCANS) -> str:
    verdicts: dict[tuple[str, str, int], str] = {}
    if triage and triage.exists():
        for line in triage.read_text().splitlines():
            m = ROW.match(line)
            if m:
                pkg, loc = m.group(4), m.group(5)
                path, _, ln = loc.rpartition(":")
                verdicts[(pkg.split(":", 1)[-1], path, int(ln))] = m.group(7)
    rows: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    total = collections.Counter()
    lines = 0
    for report in sorted(scans.glob("*.json")):
        data = json.loads(report.read_text())
        lines += data["summary"]["lines"]
        name = report.stem.split("-", 1)[1].rsplit("-", 1)[0]
        by_file: dict[str, list] = collections.defaultdict(list)
        for f in data["findings"]:
            by_file[f["path"]].append(f)
        for path, fs in by_file.items():
            found = [(f["start_line"], f["engine"], (f.get("properties") or {}).get("bandit_id")) for f in fs]
            for f in fs:
                total[f["engine"]] += 1
            for line, engine, bid in added(found):
                key = check_of(engine, bid)
                r = rows[key]
                r["added"] += 1
                sev = next(f["severity"] for f in fs if f["start_line"] == line and f["engine"] == engine)
                r["warning+"] += sev in ("error", "warning")
                v = verdicts.get((name, path.lstrip("./") if path.startswith("./") else path, line))
                if v:
                    r["triaged"] += 1
                    r[v] += 1
    out = [
        f"Real-code benchmark ({len(list(scans.glob('*.json')))} packages, {lines:,} lines, default settings): findings by "
        f"engine: {', '.join(f'{k} {v}' for k, v in sorted(total.items()))}.\n",
        "| engine / check | added findings | of them warning or above | triaged | true | noise | false |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in sorted(rows):
        r = rows[key]
        out.append(f"| {key} | {r['added']} | {r['warning+']} | {r['triaged']} | {r['true']} | {r['noise']} | {r['false']} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-detection", action="store_true")
    ap.add_argument("--no-secrets", action="store_true")
    ap.add_argument("--no-realworld", action="store_true")
    ap.add_argument("--triage", type=Path, default=HERE / "results" / "triage.md")
    ap.add_argument("--write", type=Path, help="also write the tables to this markdown file")
    ap.add_argument("--scans", type=Path, default=SCANS, help="the real-code run's JSON reports (bench/realworld.py)")
    ap.add_argument("--rule", help="also count where this Redline rule fires on the labelled sets (e.g. RL336)")
    args = ap.parse_args(argv)
    parts = []
    if args.rule:
        parts.append(rule_on_sets(args.rule, [s for s in args.sets.split(",") if s]))
        print(parts[-1])
    if not args.no_realworld:
        parts.append(realworld(args.triage, args.scans))
        print(parts[-1])
    if not args.no_secrets:
        parts.append(secrets_set())
        print(parts[-1])
    if not args.no_detection:
        parts.append(detection([s for s in args.sets.split(",") if s]))
        print(parts[-1])
    if args.write:
        cmd = "python bench/engines.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.write.write_text("# What bandit and detect-secrets add (generated)\n\n    " + cmd + "\n\n"
                              + __doc__.split("\n\n", 2)[2].strip() + "\n\n" + "\n".join(parts))
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
