"""Secrets benchmark: detection quality on ../shared/benchmarks/secrets.jsonl and throughput of the
secrets pass on Django's package, with detect-secrets measured in the same run.

    .venv/bin/python bench/secrets.py                   # both parts, 5 timing runs
    .venv/bin/python bench/secrets.py --quality --misses   # list what is missed / flagged
    .venv/bin/python bench/secrets.py --speed --runs 7

Quality: every record is written as a file named `sample.<meta.file_extension>` (`sample.txt`
when the record has none) and scanned
  - by Redline's secrets engine alone (the editor's fast pass),
  - by Redline's secrets + detect-secrets engines through the pipeline (what `redline scan`
    reports: de-duplicated, suppressions applied),
  - by detect-secrets itself (`scan_file`, all plugins, default filters: its CLI).
A record counts as detected when at least one RL2xx/RL902 finding is reported anywhere in it
(the labels are per snippet). Recall is over `insecure` records, the flagged share over `safe`.

Throughput: the secrets engine's `scan()` over every file of `django/` that Redline reads
(SourceFiles prepared beforehand: parsing is shared with the other engines), median of
`--runs` runs; then detect-secrets' `scan_file` (its CLI's per-file work) over a subset of the
same files, and the detect-secrets engine on 10 changed rows of a 10k-line file (the server's
case).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from redline import languages as langs  # noqa: E402
from redline.config import Config  # noqa: E402
from redline.documents.source import SourceFile  # noqa: E402
from redline.engines import detect_secrets as ds_engine  # noqa: E402
from redline.engines import secrets as secrets_engine  # noqa: E402
from redline.pipeline import finalize, make_source, run_engines  # noqa: E402
from redline.secrets import scanner  # noqa: E402

SHARED = Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared"))
DATASET = SHARED / "benchmarks" / "secrets.jsonl"
DJANGO = ROOT / "bench" / "corpora" / "Django-5.1.4" / "django"
CONFIG = Config()


def is_secret_finding(f) -> bool:
    return f.code.startswith("RL2") or f.code == "RL902"


# ------------------------------------------------------------------------- quality


def record_path(rec: dict) -> str:
    ext = rec.get("meta", {}).get("file_extension")
    return f"sample.{ext}" if ext else "sample.txt"


def redline_flags(path: str, code: str, engines, as_text: bool = False) -> tuple[bool, bool]:
    """(flagged, skipped) for Redline with the given engines, through finalize(). A file type
    Redline has no language for is skipped, or read as plain text when `as_text`."""
    file = make_source(path, code.encode("utf-8"))
    if file is None and as_text:
        file = make_source(path, code.encode("utf-8"), language="text")
        skipped = True
    elif file is None:
        return False, True
    else:
        skipped = False
    if file is None:
        return False, True
    raw, errors = run_engines(file, CONFIG, engines)
    if errors:
        raise RuntimeError(f"{path}: {errors}")
    return any(is_secret_finding(f) for f in finalize(file, raw, CONFIG)), skipped


def detect_secrets_flags(path: str, code: str, tmp: Path) -> bool:
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    target = tmp / path
    target.write_text(code, "utf-8")
    with default_settings():
        return any(True for _ in scan_file(str(target)))


def quality(show_misses: bool) -> dict:
    records = [json.loads(line) for line in DATASET.read_text("utf-8").splitlines() if line.strip()]
    fast = [secrets_engine.ENGINE]
    both = [secrets_engine.ENGINE, ds_engine.ENGINE]
    tools = ("redline-secrets", "redline+detect-secrets", "detect-secrets")
    counts = {t: Counter() for t in tools}
    by_group: dict[tuple, Counter] = defaultdict(Counter)
    skipped = Counter()
    misses: dict[str, list] = {t: [] for t in tools}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for rec in records:
            path = record_path(rec)
            code = rec["code"]
            label = rec["label"]
            r_fast, skip = redline_flags(path, code, fast)
            r_both, _ = redline_flags(path, code, both)
            r_ds = detect_secrets_flags(path, code, tmp)
            if skip:
                skipped[path.rsplit(".", 1)[-1]] += 1
            group = (rec["source"], rec["meta"].get("detector") or rec["meta"].get("rule_id"))
            for tool, flagged in zip(tools, (r_fast, r_both, r_ds)):
                counts[tool][(label, flagged)] += 1
                by_group[(tool,) + group][(label, flagged)] += 1
                wrong = flagged != (label == "insecure")
                if wrong:
                    misses[tool].append((label, group, path, code))
    elapsed = time.perf_counter() - t0

    def summary(c: Counter) -> dict:
        ins = c[("insecure", True)] + c[("insecure", False)]
        safe = c[("safe", True)] + c[("safe", False)]
        return {
            "insecure": ins,
            "detected": c[("insecure", True)],
            "recall": round(c[("insecure", True)] / ins, 3) if ins else None,
            "safe": safe,
            "flagged_safe": c[("safe", True)],
            "flagged_safe_rate": round(c[("safe", True)] / safe, 3) if safe else None,
        }

    result = {tool: summary(counts[tool]) for tool in tools}
    print(f"\nsecrets.jsonl: {len(records)} records ({elapsed:.1f} s for the three tools)")
    print(f"{'tool':24} {'recall':>8} {'detected':>10} {'safe flagged':>14}")
    for tool in tools:
        s = result[tool]
        print(f"{tool:24} {s['recall']:>8.3f} {s['detected']:>5}/{s['insecure']:<4} "
              f"{s['flagged_safe_rate']:>7.3f} ({s['flagged_safe']}/{s['safe']})")
    for source in sorted({g[1] for g in by_group}):
        parts = []
        for tool in tools:
            c = Counter()
            for key, counter in by_group.items():
                if key[0] == tool and key[1] == source:
                    c.update(counter)
            s = summary(c)
            parts.append(f"{tool} {s['recall']:.3f}/{s['flagged_safe_rate']:.3f}")
        print(f"  {source}: " + ", ".join(parts))
    if skipped:
        print(f"records of a type Redline has no language for (counted as not flagged): {dict(skipped)}")
    if show_misses:
        for tool in tools[:2]:
            print(f"\n--- {tool}: missed insecure / flagged safe")
            for label, group, path, code in sorted(misses[tool], key=lambda m: (m[0], m[1])):
                print(f"{label[:3]} {group[0]}:{group[1]} {path} {code[:110]!r}")
    result["skipped_by_extension"] = dict(skipped)
    return result


# ------------------------------------------------------------------------- speed


def django_files() -> list[SourceFile]:
    if not DJANGO.is_dir():
        sys.exit(f"{DJANGO} not found: run `make bench-corpora` (pip download django==5.1.4 into bench/corpora/)")
    files = []
    for p in sorted(DJANGO.rglob("*")):
        if not p.is_file():
            continue
        lang = langs.detect(str(p))
        if lang is None:
            continue
        text = p.read_bytes()
        tree = langs.parse(lang, text) if langs.has_grammar(lang) else None
        files.append(SourceFile(str(p.relative_to(DJANGO.parent)), lang, text, tree))
    return files


def lines_of(files) -> int:
    return sum(f.text.count(b"\n") + (0 if f.text.endswith(b"\n") or not f.text else 1) for f in files)


def time_runs(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def speed(runs: int) -> dict:
    files = django_files()
    n_lines = lines_of(files)
    engine = secrets_engine.ENGINE
    scanner.compiled()
    findings = []

    def secrets_pass():
        findings.clear()
        for f in files:
            if engine.applies(f):
                findings.extend(engine.scan(f, CONFIG))

    def prefilter_pass():
        pre = scanner.compiled().prefilter
        for f in files:
            scanner.candidate_lines(f.text, pre)

    secrets_pass()  # warm up (compiled patterns, caches)
    t_scan = time_runs(secrets_pass, runs)
    t_pre = time_runs(prefilter_pass, runs)
    candidates = sum(len(scanner.candidate_lines(f.text)) for f in files)
    med = statistics.median(t_scan)
    print(f"\nDjango 5.1.4 django/: {len(files)} files Redline reads, {n_lines} lines")
    print(f"secrets pass:      median {med * 1000:.0f} ms over {runs} runs "
          f"({', '.join(f'{t * 1000:.0f}' for t in t_scan)}) = {n_lines / med / 1000:.0f}k lines/s")
    print(f"prefilter alone:   median {statistics.median(t_pre) * 1000:.0f} ms; candidate lines {candidates} "
          f"({candidates / n_lines:.1%})")
    print(f"findings on Django: {len(findings)}")
    for f in findings:
        print(f"   {f.code} {f.property('detector')} {f.confidence.value} {f.message[:100]}")

    # detect-secrets' CLI work (scan_file per file) on a subset of the same files
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    subset, acc = [], 0
    for f in files:
        if f.language == "python":
            subset.append(f)
            acc += f.text.count(b"\n")
        if acc >= 20_000:
            break
    sub_lines = lines_of(subset)

    def ds_cli():
        with default_settings():
            for f in subset:
                list(scan_file(str(DJANGO.parent / f.path)))

    def ours_subset():
        for f in subset:
            engine.scan(f, CONFIG)

    t_ds = time_runs(ds_cli, max(1, runs // 2))
    t_ours_sub = time_runs(ours_subset, runs)
    ds_rate = sub_lines / statistics.median(t_ds)
    ours_rate = sub_lines / statistics.median(t_ours_sub)
    print(f"detect-secrets scan_file on {len(subset)} files / {sub_lines} lines: "
          f"median {statistics.median(t_ds):.2f} s = {ds_rate / 1000:.1f}k lines/s "
          f"(secrets pass on the same files: {ours_rate / 1000:.0f}k lines/s, {ours_rate / ds_rate:.0f}x)")

    # the server's case: detect-secrets engine on 10 changed rows of a 10k-line file
    big = max(files, key=lambda f: f.text.count(b"\n"))
    text = b"".join(f.text for f in files if f.language == "python")
    text = b"\n".join(text.split(b"\n")[:10_000])
    doc = SourceFile("big.py", "python", text, None)
    rows = range(5000, 5010)
    t_rows = time_runs(lambda: ds_engine.ENGINE.scan_lines(doc, rows), runs)
    t_full = time_runs(lambda: ds_engine.ENGINE.scan(doc), 1)
    print(f"detect-secrets engine, 10k-line file: 10 changed rows median {statistics.median(t_rows) * 1000:.1f} ms, "
          f"whole file {t_full[0]:.2f} s")
    del big
    return {
        "files": len(files),
        "lines": n_lines,
        "runs_ms": [round(t * 1000, 1) for t in t_scan],
        "median_ms": round(med * 1000, 1),
        "lines_per_s": round(n_lines / med),
        "prefilter_median_ms": round(statistics.median(t_pre) * 1000, 1),
        "candidate_lines": candidates,
        "findings": len(findings),
        "detect_secrets_cli_lines_per_s": round(ds_rate),
        "secrets_pass_same_subset_lines_per_s": round(ours_rate),
        "ds_engine_10_rows_ms": round(statistics.median(t_rows) * 1000, 2),
        "ds_engine_whole_10k_s": round(t_full[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quality", action="store_true", help="only the labeled dataset")
    ap.add_argument("--speed", action="store_true", help="only the throughput on Django")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--misses", action="store_true", help="list missed and wrongly flagged records")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    both = not args.quality and not args.speed
    out = {}
    if args.quality or both:
        out["quality"] = quality(args.misses)
    if args.speed or both:
        out["speed"] = speed(args.runs)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
