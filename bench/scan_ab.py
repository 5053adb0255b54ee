#!/usr/bin/env python3
"""Before/after: the same `redline scan` commands from two (or more) Redline source trees,
interleaved in each round, on the same copy of a corpus (issue 16).

    python bench/scan_ab.py TREE_A TREE_B [--corpus DIR] [--runs N]

Each TREE is a folder with `server/redline` (e.g. `git archive REV server | tar -x -C TREE`). Rows
(fresh processes, CPU = user + system of the process, median of the rounds):

- warm: `redline scan --jobs 1 FILES` with the default engines, the cache filled once per tree
  before the rounds (each tree's code is its own cache environment);
- --no-slow --no-cache: `redline scan --jobs 1 --no-slow --no-cache FILES`;
- start-up, one small file: `redline scan --jobs 1 --no-slow --no-cache FILE` (FILE: the
  corpus's first `__init__.py`);
- server import: `python -c "import redline.lsp.server; default_registry()"` (what the
  language server pays before its first diagnostics).

Each command also writes its JSON report for the first round; the script says whether the
findings of the full scans are the same for every tree (byte-identical `findings` lists).
Without --corpus it uses Django 5.1.4's `django/` package (see scan_throughput.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_throughput import copy_corpus, count_lines, fetch_django, python_files  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SERVER_IMPORT = "import redline.lsp.server; from redline.rules.registry import default_registry; default_registry()"


def cpu_of(cmd: list[str], tree: Path, cwd: Path) -> float:
    env = dict(ENV, PYTHONPATH=str(tree / "server"))
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:6])} ... failed ({proc.returncode}) with {tree}:\n{proc.stderr.decode(errors='replace')[-2000:]}")
    return (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+", type=Path)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    trees = [t.resolve() for t in args.trees]
    corpus = args.corpus.resolve() if args.corpus else fetch_django()
    files = python_files(corpus)
    lines = count_lines(files)
    py = sys.executable
    scan = [py, "-m", "redline", "scan", "--fail-on", "never", "--format", "json", "--jobs", "1"]
    with tempfile.TemporaryDirectory(prefix="redline-ab-") as tmp:
        project = copy_corpus(corpus, Path(tmp))
        rel = [str(Path(corpus.name) / p.relative_to(corpus)) for p in files]
        small = next((r for r in rel if r.endswith("__init__.py")), rel[0])
        rows = {
            "warm cache (default engines)": lambda out: [*scan, "-o", out, *rel],
            "--no-slow --no-cache": lambda out: [*scan, "-o", out, "--no-slow", "--no-cache", *rel],
            "start-up, one small file (--no-slow --no-cache)": lambda out: [*scan, "-o", out, "--no-slow", "--no-cache", small],
            "server import + rules": lambda out: [py, "-c", SERVER_IMPORT],
        }
        reports = {t: {name: os.path.join(tmp, f"{i}-{j}.json") for j, name in enumerate(rows)} for i, t in enumerate(trees)}
        for t in trees:  # fill each tree's cache environment (and the .pyc files, the rule cache)
            cpu_of(rows["warm cache (default engines)"](os.devnull), t, project)
        cpu: dict[tuple[str, Path], list[float]] = {}
        for i in range(args.runs):
            for name, cmd in rows.items():
                for t in trees:
                    out = reports[t][name] if i == 0 else os.devnull
                    cpu.setdefault((name, t), []).append(cpu_of(cmd(out), t, project))
            print(f"  round {i + 1}/{args.runs} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
        load = os.getloadavg()
        print(f"corpus: {corpus} ({len(files)} Python files, {lines:,} lines), copied; {args.runs} rounds, interleaved; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
        print("CPU seconds (user + system), median (all runs)")
        print()
        print("| command | " + " | ".join(str(t) for t in trees) + " |")
        print("|---|" + "---:|" * len(trees))
        for name in rows:
            cells = [f"{statistics.median(cpu[(name, t)]):.3f} ({' '.join(f'{x:.2f}' for x in cpu[(name, t)])})" for t in trees]
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()
        for name in list(rows)[:2]:
            found = [json.load(open(reports[t][name], encoding="utf-8"))["findings"] for t in trees]
            same = all(f == found[0] for f in found)
            print(f"{name}: {len(found[0])} findings; {'the same findings from every tree' if same else 'FINDINGS DIFFER between trees'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
