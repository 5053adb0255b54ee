#!/usr/bin/env python3
"""False alarms and speed of the JavaScript/TypeScript, Go and Java rules on benign code.

    python bench/jsgojava_false_alarms.py [--js DIR] [--java SRC_ZIP] [--go DIR] [--runs N]

Benign corpora found on the machine, none downloaded:
* JavaScript/TypeScript: `vscode-client/node_modules` (installed by `make vsix`), skipping
  minified files (fewer than 3 line breaks), `.d.ts` and files over 400 kB;
* Java: the JDK's `lib/src.zip` (the first one found under /usr/lib/jvm, or --java);
* Go: any directory given with --go (none by default: no Go toolchain sources are installed here).

For each corpus it prints findings per 10k lines by rule and confidence, and the time the
tree-sitter engine took, as a ratio to the time of parsing alone measured in the same run
(the reference): `scan / parse` is what the rules cost on top of the parser. Timings are the
median of --runs runs. Findings come from a registry of only families.toml, javascript.toml,
go.toml and java.toml, so other areas' rules do not blur the count.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import statistics
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "server"))

from redline import languages as langs  # noqa: E402
from redline.documents.source import SourceFile  # noqa: E402
from redline.rules import engine  # noqa: E402
from redline.rules.loader import builtin_rule_files, load_texts  # noqa: E402
from redline.rules.registry import Registry  # noqa: E402

# python.toml defines families (RL313) that javascript.toml extends; its rules never fire on JS/Go/Java.
FILES = ("families.toml", "python.toml", "javascript.toml", "go.toml", "java.toml")
EXTS = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript", ".ts": "typescript",
        ".tsx": "tsx", ".go": "go", ".java": "java"}


def registry() -> Registry:
    paths = [p for p in builtin_rule_files() if p.name in FILES]
    return Registry(load_texts([(str(p), p.read_text("utf-8")) for p in paths]))


def js_files(root: Path):
    for d, _, names in os.walk(root):
        for n in sorted(names):
            ext = os.path.splitext(n)[1]
            if ext in EXTS and not n.endswith(".d.ts") and ".min." not in n:
                p = Path(d) / n
                yield str(p.relative_to(root)), EXTS[ext], p.read_bytes()


def zip_files(path: Path):
    with zipfile.ZipFile(path) as z:
        for n in sorted(z.namelist()):
            if n.endswith(".java"):
                yield n, "java", z.read(n)


def usable(data: bytes) -> bool:
    return len(data) <= 400_000 and data.count(b"\n") >= 3


def measure(name: str, files: list, reg: Registry, runs: int) -> list[str]:
    lines = sum(d.count(b"\n") + 1 for _, _, d in files)
    parse_times, scan_times = [], []
    counts: collections.Counter = collections.Counter()
    for run in range(runs):
        t_parse = t_scan = 0.0
        for path, lang, data in files:
            t0 = time.perf_counter()
            tree = langs.new_parser(lang).parse(data)
            t1 = time.perf_counter()
            result = engine.scan(SourceFile(path, lang, data, tree), reg)
            t2 = time.perf_counter()
            t_parse += t1 - t0
            t_scan += t2 - t1
            if run == 0:
                for f in result.findings:
                    counts[(f.code, f.confidence.value)] += 1
        parse_times.append(t_parse)
        scan_times.append(t_scan)
    parse, scan = statistics.median(parse_times), statistics.median(scan_times)
    total = sum(counts.values())
    out = [f"### {name}", "",
           f"{len(files)} files, {lines:,} lines; parse {parse:.1f} s, rules {scan:.1f} s "
           f"(rules / parse = {scan / parse:.2f}, median of {runs}); "
           f"{total} findings = {total * 1e4 / lines:.2f} per 10k lines", "",
           "| rule | high | medium | low | per 10k lines |", "|---|---|---|---|---|"]
    for code in sorted({c for c, _ in counts}):
        h, m, lo = (counts[(code, k)] for k in ("high", "medium", "low"))
        out.append(f"| {code} | {h} | {m} | {lo} | {(h + m + lo) * 1e4 / lines:.2f} |")
    by_conf = {k: sum(v for (c, kk), v in counts.items() if kk == k) for k in ("high", "medium", "low")}
    out += ["", f"Per 10k lines by confidence: high {by_conf['high'] * 1e4 / lines:.2f}, "
                f"medium {by_conf['medium'] * 1e4 / lines:.2f}, low {by_conf['low'] * 1e4 / lines:.2f}.", ""]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--js", type=Path, default=ROOT / "vscode-client" / "node_modules")
    ap.add_argument("--java", type=Path, default=None)
    ap.add_argument("--go", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    reg = registry()
    java = args.java or next((Path(p) for p in sorted(glob.glob("/usr/lib/jvm/*/lib/src.zip")) if Path(p).is_file()), None)
    report = []
    if args.js.is_dir():
        report += measure(f"JavaScript/TypeScript: {args.js.relative_to(ROOT) if args.js.is_relative_to(ROOT) else args.js}",
                          [f for f in js_files(args.js) if usable(f[2])], reg, args.runs)
    else:
        report += [f"(no JavaScript corpus at {args.js}: run `make vsix` first)", ""]
    if java is not None:
        report += measure(f"Java: {java}", [f for f in zip_files(java) if usable(f[2])], reg, args.runs)
    if args.go is not None and args.go.is_dir():
        report += measure(f"Go: {args.go}", [f for f in js_files(args.go) if f[1] == "go" and usable(f[2])], reg, args.runs)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
