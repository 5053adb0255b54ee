"""Benchmark of the dependency checks (issue 6). Run: `.venv/bin/python bench/deps.py` (or `make bench-deps`).

Times (medians of several runs, milliseconds) for:
- loading the advisory database (the shipped file, `AdvisoryDB.load`) - budget 100 ms;
- checking a 500-line requirements file (dependencies engine on the file) - budget 20 ms: as new
  text in a running process (per-text caches cleared), as a re-scan after a keystroke, and as the
  first scan of a new process (database load and name index included);
- checking a 30,000-line package-lock.json (tree-sitter parse + engine) - budget 150 ms;
- the undeclared-import check on a Python file of this repository (per keystroke);
each next to a reference measured in the same run (json.loads of the lock file, tree-sitter's
parse, packaging's Requirement parser over the same lines), as a ratio.

Name-check quality on held-out data: with the top 10,000 names of each list as "popular",
names ranked 10,001-15,000 (real, legitimate, less popular packages) measure the false alarm
rate, and synthetic typos of the top 1,000 names (deletion, transposition, substitution,
insertion, plural, prefix/suffix, separator or look-alike swap) measure recall.

The inputs are generated from fixed seeds; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from packaging.requirements import Requirement  # noqa: E402

from redline import languages as langs  # noqa: E402
from redline.config import Config  # noqa: E402
from redline.deps import database as D  # noqa: E402
from redline.deps import names as N  # noqa: E402
from redline.deps import semver  # noqa: E402
from redline.deps import spec as specs  # noqa: E402
from redline.deps import toplists  # noqa: E402
from redline.deps import versions as V  # noqa: E402
from redline.deps.manifests import pep508  # noqa: E402
from redline.documents.source import SourceFile  # noqa: E402
from redline.engines.dependencies import ENGINE  # noqa: E402

RUNS = 15


CPU: list[float] = []  # CPU-time medians, in the order the wall-clock rows are made


def _time(fn, setup=None) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one call. On a shared, busy machine the process waits for a
    core; CPU time leaves that wait out and is close to the wall time of an idle machine."""
    if setup:
        setup()
    t, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def median_ms(fn, runs: int = RUNS, setup=None) -> float:
    samples = [_time(fn, setup) for _ in range(runs)]
    CPU.append(statistics.median(c for _w, c in samples))
    return statistics.median(w for w, _c in samples)


def paired(fn, ref, runs: int = RUNS, setup=None) -> tuple[float, float, float]:
    """Medians of `fn` and `ref` timed alternately (a load spike hits both), and the median of
    the per-run ratios (wall clock)."""
    a, b, r, cpu = [], [], [], []
    for _ in range(runs):
        x, xc = _time(fn, setup)
        y, _yc = _time(ref)
        a.append(x)
        b.append(y)
        cpu.append(xc)
        r.append(x / y if y else 0.0)
    CPU.append(statistics.median(cpu))
    return statistics.median(a), statistics.median(b), statistics.median(r)


def requirements_file(lines: int = 500) -> str:
    rng = random.Random(6)
    popular = list(toplists.load(V.PYPI)[:3000])
    out = ["# generated: 500 lines, pinned popular packages, a few vulnerable pins, typos, unknown names"]
    vulnerable = ["requests==2.19.1", "pyyaml==5.3.1", "django==2.2.0", "jinja2==2.10", "urllib3==1.24.1", "flask>=0.10"]
    typos = ["reqeusts==2.31.0", "djang0==4.2.0", "python-flask==3.0.0", "numpyy==1.26.0"]
    unknown = [f"internal-tool-{i}==1.0.{i}" for i in range(6)]
    special = vulnerable + typos + unknown
    while len(out) < lines - len(special):
        name = rng.choice(popular)
        r = rng.random()
        if r < 0.7:
            out.append(f"{name}=={rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}")
        elif r < 0.85:
            out.append(f"{name}>={rng.randint(0, 5)}.{rng.randint(0, 9)}  # lower bound only")
        elif r < 0.95:
            out.append(f'{name}[extra]=={rng.randint(1, 5)}.0 ; python_version >= "3.9"')
        else:
            out.append("")
    out += special
    return "\n".join(out) + "\n"


def package_lock(target_lines: int = 30000) -> str:
    rng = random.Random(7)
    names = list(toplists.load(V.NPM)[:6000])
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0"}}}
    pinned = {"lodash": "4.17.15", "qs": "6.9.4", "minimist": "1.2.0", "ws": "7.4.0", "semver": "5.7.1"}
    i = 0
    text = ""
    while True:
        name = names[i % len(names)]
        i += 1
        version = pinned.get(name, f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}")
        packages[f"node_modules/{name}"] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{version}.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
            "dev": rng.random() < 0.5,
            "license": "MIT",
            "dependencies": {rng.choice(names): "^1.0.0" for _ in range(3)},
            "engines": {"node": ">=12"},
        }
        if i % 50 == 0:
            text = json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)
            if text.count("\n") >= target_lines:
                return text


def clear_text_caches() -> None:
    """Forget everything learnt from earlier texts (parsed lines, verdicts per name and version),
    keeping what a running process loads once (the database, its blobs, the name index)."""
    db, _ = D.get_database()
    for eco in (V.PYPI, V.NPM):
        idx = N.index_for(eco, frozenset(db.names(eco)) if db else frozenset())
        if idx is not None:
            idx.check.cache_clear()
    pep508._parse_relative.cache_clear()
    for fn in (specs.pep440, specs.npm, specs.maven, specs.poetry, V.parse, semver.parse, semver.parse_range):
        fn.cache_clear()
    if db is not None:
        db.memo.clear()
        db._affecting.clear()


def clear_process_caches() -> None:
    """As in a new process: no database loaded, no name index, no lists."""
    clear_text_caches()
    D.reset_cache()
    N._indexes.clear()
    toplists._cache.clear()


def bench_times() -> list[tuple]:
    rows = []
    path = D.database_path()
    size_kib = path.stat().st_size // 1024
    load, read, ratio = paired(lambda: D.AdvisoryDB.load(path), lambda: path.read_bytes())
    rows.append((f"load advisory database ({size_kib} KiB)", load, "read the file", read, ratio, "<= 100"))
    cpu_rows = [CPU[-1]]

    config = Config()
    req_text = requirements_file().encode()
    req_file = SourceFile("bench/requirements.txt", "requirements", req_text)
    first = median_ms(lambda: ENGINE.scan(req_file, config), runs=5, setup=clear_process_caches)
    first_cpu = CPU[-1]
    findings = ENGINE.scan(req_file, config)
    lines = [ln.split("#")[0].strip() for ln in req_text.decode().splitlines()]

    def packaging_parse():
        for ln in lines:
            if ln:
                Requirement(ln)

    fresh, ref, ratio = paired(lambda: ENGINE.scan(req_file, config), packaging_parse, setup=clear_text_caches)
    rows.append((f"requirements.txt, 500 lines ({len(findings)} findings): new text", fresh, "packaging.Requirement x 500", ref, ratio, "<= 20"))
    cpu_rows.append(CPU[-1])
    warm, ref, ratio = paired(lambda: ENGINE.scan(req_file, config), packaging_parse)
    rows.append(("requirements.txt, 500 lines: re-scan after a keystroke (caches hot)", warm, "packaging.Requirement x 500", ref, ratio, "<= 20"))
    cpu_rows.append(CPU[-1])
    rows.append(("requirements.txt: first scan in a new process (loads the database, builds the name index)", first, "", None, None, ""))
    cpu_rows.append(first_cpu)

    lock_text = package_lock().encode()
    n_lines = lock_text.count(b"\n") + 1

    def lock_check():
        tree = langs.parse("json", lock_text)
        return ENGINE.scan(SourceFile("bench/package-lock.json", "json", lock_text, tree), config)

    lock_findings = lock_check()
    total, loads, ratio = paired(lock_check, lambda: json.loads(lock_text), setup=clear_text_caches)
    rows.append((f"package-lock.json, {n_lines} lines ({len(lock_findings)} findings): parse + check", total, "json.loads", loads, ratio, "<= 150"))
    cpu_rows.append(CPU[-1])
    parse_only, loads, ratio = paired(lambda: langs.parse("json", lock_text), lambda: json.loads(lock_text))
    rows.append(("package-lock.json: tree-sitter parse alone (part of the above)", parse_only, "json.loads", loads, ratio, ""))
    cpu_rows.append(CPU[-1])

    code = ROOT / "server" / "redline" / "pipeline.py"
    text = code.read_bytes()
    py = SourceFile(str(code), "python", text, langs.parse("python", text))
    ENGINE.scan(py, config)
    imports, py_parse, ratio = paired(lambda: ENGINE.scan(py, config), lambda: langs.parse("python", text))
    n_py = text.count(b"\n")
    rows.append((f"undeclared imports, {code.name} ({n_py} lines)", imports, "tree-sitter parse", py_parse, ratio, ""))
    cpu_rows.append(CPU[-1])
    return [row + (cpu,) for row, cpu in zip(rows, cpu_rows)]


def name_quality() -> list[tuple[str, int, int, int, int]]:
    rows = []
    for eco in (V.PYPI, V.NPM):
        names = list(toplists.load(eco))
        popular = tuple(names[:10000])
        idx = N.NameIndex(eco, popular)
        legit = names[10000:]
        false_alarms = sum(1 for n in legit if idx.check(n).status == "typosquat")
        rng = random.Random(2)
        letters = "abcdefghijklmnopqrstuvwxyz"
        total = found = 0
        for p in popular[:1000]:
            if len(p) < 5 or p.startswith("@"):
                continue
            i = rng.randrange(len(p) - 1)
            muts = [
                p[:i] + p[i + 1 :],
                p[:i] + p[i + 1] + p[i] + p[i + 2 :],
                p[:i] + rng.choice(letters) + p[i + 1 :],
                p[:i] + rng.choice(letters) + p[i:],
                p + "s",
                ("python-" + p) if eco == V.PYPI else (p + "-js"),
                p.replace("-", "") if "-" in p else p.replace("o", "0", 1).replace("l", "1", 1),
            ]
            for m in muts:
                if m == p or m in idx.known:
                    continue
                total += 1
                found += idx.check(m).status == "typosquat"
        rows.append((eco, false_alarms, len(legit), found, total))
    return rows


def main() -> int:
    if not D.database_path().is_file() or not toplists.load(V.PYPI):
        print("build the data first: make install (or make deps-data)", file=sys.stderr)
        return 1
    print(f"Python {sys.version.split()[0]}, medians of {RUNS} runs (subject and reference timed alternately; ratio = median of per-run ratios), milliseconds\n")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n")
    print("| what | median ms (wall) | median ms (CPU) | reference (same run) | reference ms | ratio | budget ms |")
    print("|---|---:|---:|---|---:|---:|---|")
    for what, ms, ref_name, ref_ms, ratio, budget, cpu in bench_times():
        ratio_cell = f"{ratio:.1f}x" if ratio else ""
        ref_cell = f"{ref_ms:.1f}" if ref_ms is not None else ""
        print(f"| {what} | {ms:.1f} | {cpu:.1f} | {ref_name} | {ref_cell} | {ratio_cell} | {budget} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("\nName checks on held-out names (top 10,000 of each list as the popular set):\n")
    print("| ecosystem | false alarms on ranks 10,001+ | rate | synthetic typos of the top 1,000 caught | recall |")
    print("|---|---:|---:|---:|---:|")
    for eco, fa, n, found, total in name_quality():
        print(f"| {eco} | {fa} / {n} | {fa / n:.1%} | {found} / {total} | {found / total:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
