"""Hostile inputs of issue 12, each scanned the way a user scans a file: time and memory.

    .venv/bin/python bench/pathological.py [--runs 3] [--markdown]

Each input is built here at run time (nothing hostile is committed), written to a temporary
folder, and scanned by `redline scan FILE --format json` in a fresh process with the default
settings (every engine on). Printed per input: median wall time and CPU time of the process
(user + system, from wait4) and its peak RSS, over `--runs` runs. The target of issue 12 is
every input answered in under 2 s with RSS under 300 MB; the reference line is the same scan
of an ordinary 2,000-line Python module built from the same machine's installed packages, so
start-up is visible.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REDLINE = [sys.executable, "-P", "-m", "redline"]


def ordinary_module() -> bytes:
    import json as mod  # a real module of the standard library, repeated to ~2,000 lines

    text = Path(mod.__file__).with_name("decoder.py").read_bytes()
    lines = text.splitlines(keepends=True)
    out: list[bytes] = []
    while len(out) < 2000:
        out.extend(lines)
    return b"".join(out[:2000])


def inputs() -> dict[str, tuple[str, bytes]]:
    """name -> (file name, content)."""
    return {
        "ordinary 2,000-line Python module (reference)": ("reference.py", ordinary_module()),
        "20 KB line of '#' then ' nosecx' (suppression parser)": ("comment.py", b"x = 1  " + b"#" * 20_000 + b" nosecx\n"),
        "203 KB minified bundle containing 'allowlist'": (
            "bundle.js",
            (b"function f(a,b){return a+b};var allowlist=[1,2];" * 4_200)[:203_000] + b"\n",
        ),
        "1.9 MB one-line bundle, ~146k findings before the cap": (
            "app.js",
            b'var s="x";' + b"eval(x);document.write(y);" * 73_000 + b"\n",
        ),
        "200k lines of '(' (deep nesting)": ("deep.py", b"(\n" * 200_000),
        "180 KB f-string SQL on one line (bandit)": (
            "query.py",
            b"import sqlite3\ncur = sqlite3.connect('db').cursor()\nq = f\""
            + b"SELECT * FROM t WHERE a = '{a}' AND b = '{b}' " * 4_000
            + b"\"\ncur.execute(q)\n",
        ),
        "200 KB of 'pragma: allowlist ' as JavaScript (parser error recovery)": ("labels.js", b"pragma: allowlist " * 11_200),
        "100 KB requirements line": ("requirements.txt", b"flask" + b"[a," * 33_000 + b"]==1.0\n"),
    }


def run_once(path: Path) -> tuple[float, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([*REDLINE, "scan", str(path), "--format", "json", "--no-cache", "-o", os.devnull],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=path.parent)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"redline scan {path.name} exited {code}")
    # Peak RSS of the scan process itself (KiB on Linux). --jobs 1 for one file: no workers.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, (name, data) in inputs().items():
            folder = Path(tmp) / name.replace(".", "_")
            folder.mkdir()
            (folder / ".git").mkdir()  # the scan root: no configuration from above the folder
            path = folder / name
            path.write_bytes(data)
            runs = [run_once(path) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rss = max(r[2] for r in runs)
            rows.append((label, len(data), wall, cpu, rss))
            print(f"{label:<70} {len(data) / 1e3:>8.0f} KB  wall {wall:6.2f} s  cpu {cpu:6.2f} s  rss {rss:6.0f} MB", flush=True)
    if args.markdown:
        print("\n| input | size | wall (median) | CPU (median) | peak RSS |\n|---|---:|---:|---:|---:|")
        for label, size, wall, cpu, rss in rows:
            print(f"| {label} | {size / 1e3:.0f} KB | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
