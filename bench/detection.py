#!/usr/bin/env python3
"""Detection benchmark: Redline and bandit on the labeled corpora of ../shared/benchmarks.

    python bench/detection.py [--shared DIR] [--sets securityeval,sallm,...] [--no-django]
                              [--write bench/results/detection.md] [--misses FILE] [--held-out]

Scoring follows ../shared/benchmarks/README.md:
* every record is materialized as `sample.<ext>` and scanned in process with
  `redline.pipeline.analyze_text` (Python fragments that only parse after `textwrap.dedent`
  are dedented first);
* insecure records: snippet recall (>= 1 finding anywhere), line recall (a finding within +-1
  line of a labeled line, records with `lines` only), CWE-aware snippet recall (a finding whose
  CWE is in the record's CWE group);
* safe records: FP rate (>= 1 finding), strict FP rate (a finding of the record's CWE group);
* pairs (cweval, sven, safecoder, joined on the id without `:before`/`:after`): vulnerable
  version flagged, fixed version flagged, and discrimination (vulnerable flagged and fixed not);
* slices per language x CWE;
* with `--held-out`, every row also on the held-out records (no rule example was copied from
  them: bench/example_provenance.py) and on the in-sample ones, and a summary of the Python
  targets on both.

Three tools are scored in the same run: "redline" (every engine except bandit and the
manifest/registry checks, which judge a workspace rather than a snippet), "redline+bandit" (the default configuration, bandit engine on) and
"bandit" (bandit's own results: all tests, all severities, on Python records only; this is the
README's reference configuration). `--min-confidence medium` drops low-confidence findings.

It also scans Django 5.1.4's `django/` package (benign code, fetched once into bench/corpora/)
and reports findings per 10k lines per tool, confidence and rule, as a false-alarm check, and
the time the fast (tree-sitter) engine took.

With `--write FILE` the generated tables replace the part of FILE between
`<!-- detection:begin -->` and `<!-- detection:end -->` (the commentary around them is kept).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "server"))
sys.path.insert(0, str(HERE))

from redline.config import Config  # noqa: E402
from redline.engines.bandit import run_bandit  # noqa: E402
from redline.findings import Confidence  # noqa: E402
from redline.pipeline import analyze_text  # noqa: E402

SETS = ["securityeval", "sallm", "cweval", "sven_python_pairs", "safecoder_pairs", "cyberseceval"]
EXT = {"python": "py", "javascript": "js", "typescript": "ts", "go": "go", "java": "java"}
CORPORA = HERE / "corpora"
DJANGO_DIR = CORPORA / "Django-5.1.4" / "django"
BEGIN, END = "<!-- detection:begin -->", "<!-- detection:end -->"

# CWE groups from the README ("map related CWEs together first"), plus close relatives.
GROUPS = [
    {77, 78, 88}, {94, 95, 96}, {327, 328, 916, 326, 759, 760}, {338, 330, 331, 335, 339}, {798, 259, 321},
    {22, 23, 36, 73, 99, 434, 641, 425}, {79, 80, 116}, {611, 776, 827}, {295, 297}, {502}, {89, 943}, {601},
    {918}, {117}, {113}, {643}, {90}, {377, 379}, {329, 1204}, {347}, {209, 215, 489}, {614, 1004, 312},
    {730, 1333, 400}, {319}, {605, 1327}, {352}, {208}, {732, 269}, {1336},
]


def group_of(cwe: int) -> set[int]:
    for g in GROUPS:
        if cwe in g:
            return g
    return {cwe}


def cwe_number(s: str | None) -> int | None:
    if not s:
        return None
    try:
        return int(str(s).split("-")[-1])
    except ValueError:
        return None


@dataclass
class Hit:
    lines: list[tuple[int, int]] = field(default_factory=list)  # 1-based (start, end)
    cwes: set[int] = field(default_factory=set)
    codes: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.lines)

    def covers(self, labeled: list[int]) -> bool:
        return any(s - 1 <= line <= e + 1 for line in labeled for s, e in self.lines)

    def cwe_match(self, cwe: int | None) -> bool:
        return cwe is not None and bool(self.cwes & group_of(cwe))


def load(shared: Path, name: str) -> list[dict]:
    path = shared / "benchmarks" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def code_of(rec: dict) -> str:
    code = rec["code"]
    if rec["language"] == "python" and rec.get("meta", {}).get("python_parse") == "after_dedent":
        code = textwrap.dedent(code)
    return code


def run_redline(rec: dict, config: Config) -> Hit:
    a = analyze_text(f"sample.{EXT[rec['language']]}", code_of(rec), config)
    hit = Hit()
    for f in a.findings:
        hit.lines.append((f.span.start_line + 1, f.span.end_line + 1))
        hit.cwes.update(f.cwe)
        hit.codes.append(f.property("bandit_id") or f.code)
    return hit


def run_bandit_rec(rec: dict) -> Hit:
    hit = Hit()
    if rec["language"] != "python":
        return hit
    try:
        issues = run_bandit(code_of(rec).encode("utf-8"))
    except (SyntaxError, ValueError, RecursionError):
        return hit
    for i in issues:
        lines = [x for x in (i.linerange or [i.lineno]) if isinstance(x, int)] or [i.lineno]
        hit.lines.append((min(lines), max(lines)))
        if getattr(i, "cwe", None) is not None and i.cwe.id:
            hit.cwes.add(int(i.cwe.id))
        hit.codes.append(str(i.test_id))
    return hit


def pair_key(rec_id: str) -> str | None:
    if rec_id.endswith((":before", ":after")):
        return rec_id.rsplit(":", 1)[0]
    return None


def ratio(n: int, d: int) -> str:
    return f"{n / d:.2f}" if d else "–"


@dataclass
class Score:
    insecure: int = 0
    snippet: int = 0
    cwe_snippet: int = 0
    with_lines: int = 0
    line: int = 0
    safe: int = 0
    fp: int = 0
    strict_fp: int = 0
    pairs: int = 0
    vuln_flagged: int = 0
    fixed_flagged: int = 0
    discriminated: int = 0


def score(records: list[dict], hits: dict[str, Hit]) -> Score:
    s = Score()
    by_pair: dict[str, dict[str, dict]] = collections.defaultdict(dict)
    for rec in records:
        hit = hits[rec["id"]]
        cwe = cwe_number(rec.get("cwe"))
        if rec["label"] == "insecure":
            s.insecure += 1
            s.snippet += hit.any
            s.cwe_snippet += hit.cwe_match(cwe)
            if rec.get("lines"):
                s.with_lines += 1
                s.line += hit.covers(rec["lines"])
        else:
            s.safe += 1
            s.fp += hit.any
            s.strict_fp += hit.cwe_match(cwe)
        key = pair_key(rec["id"])
        if key and rec.get("source") in ("sven", "safecoder"):
            by_pair[key][rec["label"]] = rec
    for key, pair in by_pair.items():
        if "insecure" in pair and "safe" in pair:
            s.pairs += 1
            v = hits[pair["insecure"]["id"]].any
            f = hits[pair["safe"]["id"]].any
            s.vuln_flagged += v
            s.fixed_flagged += f
            s.discriminated += v and not f
    # CWEval pairs: the insecure variants of a task against its reference solution.
    if not s.pairs:
        tasks: dict[str, dict[str, list]] = collections.defaultdict(lambda: {"insecure": [], "safe": []})
        for rec in records:
            if rec.get("source", "").startswith("cweval") or rec["id"].startswith("cweval:"):
                task = rec["id"].rsplit(":", 1)[0]
                tasks[task][rec["label"]].append(rec)
        for task, t in tasks.items():
            if t["insecure"] and t["safe"]:
                f = any(hits[r["id"]].any for r in t["safe"])
                for r in t["insecure"]:
                    s.pairs += 1
                    v = hits[r["id"]].any
                    s.vuln_flagged += v
                    s.fixed_flagged += f
                    s.discriminated += v and not f
    return s


def row(name: str, s: Score) -> str:
    return (
        f"| {name} | {s.insecure} | {ratio(s.snippet, s.insecure)} | {ratio(s.line, s.with_lines)} "
        f"| {ratio(s.cwe_snippet, s.insecure)} | {s.safe} | {ratio(s.fp, s.safe)} | {ratio(s.strict_fp, s.safe)} "
        f"| {s.pairs} | {ratio(s.vuln_flagged, s.pairs)} | {ratio(s.fixed_flagged, s.pairs)} | {ratio(s.discriminated, s.pairs)} |"
    )


HEADER = (
    "| set | insecure | snippet recall | line recall | CWE-aware recall | safe | FP rate | strict FP | pairs "
    "| vuln flagged | fixed flagged | discrimination |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def django_check(tools: dict, min_conf: Confidence) -> list[str]:
    files = sorted(DJANGO_DIR.rglob("*.py"))
    total_lines = 0
    counts = {name: collections.Counter() for name in tools}
    by_rule = {name: collections.Counter() for name in tools}
    timings = collections.defaultdict(float)
    for p in files:
        text = p.read_text("utf-8", errors="replace")
        total_lines += text.count("\n") + 1
        rel = str(p.relative_to(DJANGO_DIR.parent))
        for name, how in tools.items():
            t0 = time.perf_counter()
            if how == "bandit":
                try:
                    issues = run_bandit(text.encode("utf-8"), rel)
                except (SyntaxError, ValueError, RecursionError):
                    issues = []
                for i in issues:
                    conf = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high"}.get(str(i.confidence), "low")
                    if Confidence(conf).rank < min_conf.rank:
                        continue
                    counts[name][conf] += 1
                    by_rule[name][str(i.test_id)] += 1
            else:
                a = analyze_text(rel, text, how)
                for f in a.findings:
                    counts[name][f.confidence.value] += 1
                    by_rule[name][f.property("bandit_id") or f.code] += 1
            timings[name] += time.perf_counter() - t0
    per10k = lambda n: f"{n * 10000 / total_lines:.1f}"  # noqa: E731
    out = [
        f"Django 5.1.4 `django/` package: {len(files)} files, {total_lines} lines.",
        "",
        "| tool | findings | per 10k lines | high | medium | low | seconds | lines/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in tools:
        c = counts[name]
        n = sum(c.values())
        secs = timings[name]
        out.append(
            f"| {name} | {n} | {per10k(n)} | {c['high']} | {c['medium']} | {c['low']} | {secs:.1f} | {total_lines / secs:,.0f} |"
        )
    out.append("")
    for name in tools:
        top = ", ".join(f"{code} {n}" for code, n in by_rule[name].most_common(12))
        out.append(f"* {name}, most frequent: {top}")
    return out


def speed_check(runs: int = 3) -> list[str]:
    """Parse alone against parse + the tree-sitter rules (`rules.engine.scan`) on Django, in
    process, median of `runs`: what the rules cost on top of parsing."""
    import statistics

    from redline.pipeline import make_source
    from redline.rules import engine as rule_engine
    from redline.rules.registry import default_registry

    reg = default_registry()
    reg.compiled("python")  # compile outside the timing
    sources = [(str(p), p.read_bytes()) for p in sorted(DJANGO_DIR.rglob("*.py"))]
    lines = sum(b.count(b"\n") + 1 for _, b in sources)
    parse, both = [], []
    for _ in range(runs):
        t = time.perf_counter()
        files = [make_source(p, b) for p, b in sources]
        parse.append(time.perf_counter() - t)
        t = time.perf_counter()
        for p, b in sources:
            rule_engine.scan(make_source(p, b), reg)
        both.append(time.perf_counter() - t)
    del files
    mp, mb = statistics.median(parse), statistics.median(both)
    keystroke = _keystroke_latency(reg)
    return [
        f"Tree-sitter engine on Django ({lines} lines, median of {runs} runs, in process):",
        "",
        "| stage | seconds | lines/s |",
        "|---|---|---|",
        f"| parse | {mp:.2f} | {lines / mp:,.0f} |",
        f"| parse + rules (`rules.engine.scan`) | {mb:.2f} | {lines / mb:,.0f} |",
        f"| rules / parse | {(mb - mp) / mp:.2f}x | |",
        "",
        keystroke,
    ]


def _keystroke_latency(reg, keystrokes: int = 30) -> str:
    """One character typed inside a method of a ~10k-line file: apply the edit to the document
    store (incremental reparse) and re-run the rules on the touched top-level definition."""
    import statistics

    from redline.documents.positions import Encoding
    from redline.documents.store import Change, DocumentStore
    from redline.rules import engine as rule_engine

    parts = ["db/models/query.py", "db/models/sql/query.py", "db/models/base.py", "contrib/admin/options.py"]
    text = "\n".join((DJANGO_DIR / p).read_text("utf-8") for p in parts)
    lines = text.split("\n")
    row = len(lines) // 2
    while not lines[row].startswith("        ") or not lines[row].strip():
        row += 1
    store = DocumentStore()
    doc = store.open("file:///bench/big.py", "python", 0, text)
    previous = rule_engine.scan(doc.source, reg).findings
    times = []
    for version in range(1, keystrokes + 1):
        t = time.perf_counter()
        res = store.change("file:///bench/big.py", version, [Change(((row, 8), (row, 8)), "x")], Encoding.UTF8)
        found = rule_engine.rescan(res.document.source, reg, previous, res.edits, res.changed_ranges)
        times.append(time.perf_counter() - t)
        previous = found.findings
    return (f"A keystroke inside a method of a {len(lines)}-line file ({', '.join(parts)} joined): edit, "
            f"incremental reparse and rule rescan take {statistics.median(times) * 1000:.1f} ms (median of {keystrokes}); "
            "the rescan covers the whole top-level class that contains the edit.")


def fetch_django() -> bool:
    if DJANGO_DIR.is_dir():
        return True
    CORPORA.mkdir(parents=True, exist_ok=True)
    tarball = CORPORA / "Django-5.1.4.tar.gz"
    try:
        if not tarball.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                            "django==5.1.4", "-d", str(CORPORA)], check=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(CORPORA, filter="data")
    except (OSError, subprocess.CalledProcessError, tarfile.TarError) as e:
        print(f"cannot fetch Django: {e}", file=sys.stderr)
        return False
    return DJANGO_DIR.is_dir()


def _add(total: Score, s: Score) -> None:
    for k in vars(total):
        setattr(total, k, getattr(total, k) + getattr(s, k))


def held_out_summary(held) -> list[str]:
    """Python targets of issue 14 on held-out and in-sample records, side by side."""
    out = ["### Python targets: held-out vs in-sample records", "",
           "| tool | records | SecurityEval recall | SALLM recall | SVEN + SafeCoder pairs | vulnerable flagged | fixed flagged | discrimination |",
           "|---|---|---|---|---|---|---|---|"]
    for name, table in held.items():
        for label in (" (held-out)", " (in-sample)"):
            se, sa = table[("securityeval", label)], table[("sallm", label)]
            pairs = Score()
            for set_name in ("sven_python_pairs", "safecoder_pairs"):
                _add(pairs, table[(set_name, label)])
            out.append(f"| {name} | {label.strip(' ()')} | {ratio(se.snippet, se.insecure)} ({se.snippet}/{se.insecure}) "
                       f"| {ratio(sa.snippet, sa.insecure)} ({sa.snippet}/{sa.insecure}) | {pairs.pairs} "
                       f"| {ratio(pairs.vuln_flagged, pairs.pairs)} ({pairs.vuln_flagged}) "
                       f"| {ratio(pairs.fixed_flagged, pairs.pairs)} ({pairs.fixed_flagged}) | {ratio(pairs.discriminated, pairs.pairs)} |")
    out += ["", "Targets (issue 14, held-out): pairs vulnerable flagged >= 0.70, fixed flagged <= 0.10; "
            "SecurityEval and SALLM >= 0.85.", ""]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared")))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-django", action="store_true")
    ap.add_argument("--min-confidence", default="low", choices=["low", "medium", "high"])
    ap.add_argument("--write", type=Path, help="replace the tables in this markdown file")
    ap.add_argument("--misses", type=Path, help="write the insecure records Redline misses (JSONL) here")
    ap.add_argument("--speed", action="store_true", help="also time parse vs parse + rules on Django")
    ap.add_argument("--held-out", action="store_true",
                    help="also score held-out records (no rule example was copied from them, see "
                         "bench/example_provenance.py) and in-sample records separately")
    ap.add_argument("--in-sample", type=Path,
                    help="with --held-out: read the in-sample record ids from this JSON file (a list, or the "
                         "{record: [examples]} map of example_provenance.py --json) instead of computing them "
                         "from today's examples, so that two trees are scored on the same split")
    args = ap.parse_args(argv)
    in_sample: set[str] = set()
    if args.held_out:
        from example_provenance import THRESHOLD, in_sample_ids, pair_mates

        if args.in_sample:
            in_sample = pair_mates(json.loads(args.in_sample.read_text()))
            print(f"{len(in_sample)} in-sample records (from {args.in_sample}, with pair mates)", file=sys.stderr)
        else:
            in_sample = in_sample_ids(args.shared)
            print(f"{len(in_sample)} in-sample records (example copies at containment >= {THRESHOLD}, with pair mates)",
                  file=sys.stderr)
    parts = {"": lambda r: True}
    if args.held_out:
        parts = {"": lambda r: True, " (held-out)": lambda r: r["id"] not in in_sample,
                 " (in-sample)": lambda r: r["id"] in in_sample}
    held = {name: collections.defaultdict(Score) for name in ("redline", "redline+bandit", "bandit")}
    min_conf = Confidence(args.min_confidence)
    # Manifest and registry checks (undeclared imports, ...) judge a workspace, not a snippet.
    off = (("dependencies", False), ("registry", False))
    redline_cfg = Config(engines=(("bandit", False), *off), min_confidence=min_conf)
    # bandit (and detect-secrets) are off by default since issue 13: this row turns bandit on.
    both_cfg = Config(engines=(("bandit", True), *off), min_confidence=min_conf)
    tools = {"redline": redline_cfg, "redline+bandit": both_cfg, "bandit": "bandit"}
    started = time.perf_counter()
    lines_out: list[str] = []
    pair_totals = {name: Score() for name in tools}
    misses = []
    slices = {name: collections.defaultdict(lambda: [0, 0]) for name in ("redline", "bandit")}
    for set_name in [s for s in args.sets.split(",") if s]:
        records = [r for r in load(args.shared, set_name) if r["language"] in EXT]
        skipped = len(load(args.shared, set_name)) - len(records)
        hits = {name: {} for name in tools}
        for rec in records:
            for name, how in tools.items():
                hits[name][rec["id"]] = run_bandit_rec(rec) if how == "bandit" else run_redline(rec, how)
        lines_out.append(f"### {set_name}" + (f" ({skipped} records in languages Redline does not scan left out)" if skipped else ""))
        lines_out.append("")
        lines_out.append(HEADER)
        languages = sorted({r["language"] for r in records})
        for lang in languages:
            recs = [r for r in records if r["language"] == lang]
            for name in tools:
                if name == "bandit" and lang != "python":
                    continue
                s = score(recs, hits[name])
                lines_out.append(row(f"{lang}: {name}", s))
                for label, keep in list(parts.items())[1:]:
                    sub = score([r for r in recs if keep(r)], hits[name])
                    lines_out.append(row(f"{lang}: {name}{label}", sub))
                    if lang == "python":
                        _add(held[name][(set_name, label)], sub)
                if set_name in ("sven_python_pairs", "safecoder_pairs") and lang in ("python", "javascript", "go", "java"):
                    t = pair_totals[name]
                    t.pairs += s.pairs
                    t.vuln_flagged += s.vuln_flagged
                    t.fixed_flagged += s.fixed_flagged
                    t.discriminated += s.discriminated
        lines_out.append("")
        for rec in records:
            if rec["label"] == "insecure":
                key = (rec["language"], rec.get("cwe") or "-", set_name if set_name != "cyberseceval" else "cyberseceval")
                for name in slices:
                    if name == "bandit" and rec["language"] != "python":
                        continue
                    slices[name][key][0] += 1
                    slices[name][key][1] += hits[name][rec["id"]].any
                if not hits["redline"][rec["id"]].any:
                    misses.append({"id": rec["id"], "cwe": rec.get("cwe"), "language": rec["language"]})
        print("\n".join(lines_out[-(len(languages) * 3 + 4):]), file=sys.stderr)
    lines_out.append("### SVEN + SafeCoder pairs (Python, JavaScript, Go, Java)")
    lines_out.append("")
    lines_out.append("| tool | pairs | vulnerable flagged | fixed flagged | discrimination |")
    lines_out.append("|---|---|---|---|---|")
    for name, t in pair_totals.items():
        lines_out.append(f"| {name} | {t.pairs} | {ratio(t.vuln_flagged, t.pairs)} | {ratio(t.fixed_flagged, t.pairs)} | {ratio(t.discriminated, t.pairs)} |")
    lines_out.append("")
    if args.held_out:
        lines_out.extend(held_out_summary(held))
    lines_out.append("### Snippet recall per language x CWE (insecure records of all sets, CyberSecEval included)")
    lines_out.append("")
    lines_out.append("| language | CWE | records | redline | bandit |")
    lines_out.append("|---|---|---|---|---|")
    merged = collections.defaultdict(lambda: {"redline": [0, 0], "bandit": [0, 0]})
    for name in slices:
        for (lang, cwe, _set), (n, hit) in slices[name].items():
            merged[(lang, cwe)][name][0] += n
            merged[(lang, cwe)][name][1] += hit
    for (lang, cwe), v in sorted(merged.items(), key=lambda kv: (kv[0][0], -kv[1]["redline"][0], kv[0][1])):
        n = v["redline"][0]
        if n < 3:
            continue
        b = v["bandit"]
        lines_out.append(f"| {lang} | {cwe} | {n} | {ratio(v['redline'][1], n)} | {ratio(b[1], b[0]) if b[0] else '–'} |")
    lines_out.append("")
    if not args.no_django and fetch_django():
        lines_out.append("### False-alarm check: Django")
        lines_out.append("")
        # The fast engines alone (what runs on every keystroke): the tree-sitter rules and secrets.
        fast = Config(engines=(("bandit", False), ("detect-secrets", False), *off), min_confidence=min_conf)
        lines_out.extend(django_check({"redline fast engines": fast, **tools}, min_conf))
        lines_out.append("")
        if args.speed:
            lines_out.extend(speed_check())
            lines_out.append("")
    lines_out.append(f"Run time: {time.perf_counter() - started:.0f} s; minimum confidence: {args.min_confidence}.")
    text = "\n".join(lines_out)
    if args.misses:
        args.misses.write_text("".join(json.dumps(m) + "\n" for m in misses))
    if args.write:
        old = args.write.read_text() if args.write.exists() else f"{BEGIN}\n{END}\n"
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            new = f"{head}{BEGIN}\n{text}\n{END}{tail}"
        else:
            new = f"{old.rstrip()}\n\n{BEGIN}\n{text}\n{END}\n"
        args.write.write_text(new)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
