#!/usr/bin/env python3
"""Throughput of `redline scan --jobs 1` against bandit on the same Python files, in one run.

    python bench/scan_throughput.py [CORPUS] [--runs N] [--breakdown]

CORPUS is a folder; every `*.py` file under it is passed, as the same explicit list, to both
`redline scan --jobs 1 --no-slow --fail-on never` and `bandit -q -f json` (each a fresh process,
so start-up and rule loading are included). `--no-slow` leaves out Redline's slow engines, which
are bandit itself and detect-secrets run as libraries: with them the comparison would time
bandit against bandit plus Redline. `--all-engines` adds a row for the default configuration
(every engine, slow ones included). Runs alternate between the tools; the script prints the
median wall time of each, lines per second and the ratio. Without CORPUS it uses Django 5.1.4's
`django/` package, fetched once with `pip download --no-deps --no-binary :all: django==5.1.4` into
bench/corpora/ (gitignored) and unpacked there.

`--breakdown` also times the stages of the scan inside one process (reading, parsing, the
tree-sitter query with predicates, each other engine, de-duplication/suppressions/fingerprints,
report data), the start-up of the command, the dependencies engine on one edit of a large file
(what the language server pays per keystroke), and the ten most expensive tree-sitter rules, to
show where the time goes.

The commands run without PYTHONDONTWRITEBYTECODE, so that the warm-up run leaves .pyc files
as an installed tool has them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpora"
DJANGO = "django==5.1.4"
DJANGO_DIR = CORPORA / "Django-5.1.4" / "django"
BIN = Path(sys.executable).parent
TARGET_RATIO = 10.0


def fetch_django() -> Path:
    """Django's source package, downloaded and unpacked once."""
    if DJANGO_DIR.is_dir():
        return DJANGO_DIR
    CORPORA.mkdir(parents=True, exist_ok=True)
    tarball = CORPORA / "Django-5.1.4.tar.gz"
    if not tarball.exists():
        print(f"downloading {DJANGO} (source) into {CORPORA} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", DJANGO, "-d", str(CORPORA)],
            check=True,
        )
    with tarfile.open(tarball) as tar:
        tar.extractall(CORPORA, filter="data")
    return DJANGO_DIR


def python_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.py") if p.is_file())


def count_lines(files: list[Path]) -> int:
    total = 0
    for p in files:
        data = p.read_bytes()
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


CPU: dict[str, list[float]] = {}  # command name -> CPU seconds (user + system) of each run


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# The commands run as a user runs them: with PYTHONDONTWRITEBYTECODE set (some sandboxes and CI
# images set it), every module edited since its .pyc was written is compiled again on every run
# (60-100 ms of redline's start-up here, more for bandit), and the warm-up run below is pointless.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], ok: tuple[int, ...] = (0, 1), name: str | None = None) -> float:
    """Wall seconds of one run of `cmd`; its CPU seconds go to CPU[name] (steadier than wall
    time when other processes share the machine)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - start
    if name:
        CPU.setdefault(name, []).append(_children_cpu() - cpu)
    if proc.returncode not in ok:
        sys.exit(f"{cmd[0]} failed with status {proc.returncode}:\n{proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


REDLINE = ["scan", "--jobs", "1", "--fail-on", "never"]


def measure(files: list[Path], runs: int, all_engines: bool) -> dict[str, list[float]]:
    args = [str(p) for p in files]
    commands = {
        "redline": [tool("redline"), *REDLINE, "--no-slow", *args],
        "bandit": [tool("bandit"), "-q", "-f", "json", *args],
    }
    if all_engines:
        commands["redline (all engines)"] = [tool("redline"), *REDLINE, *args]
    timed(commands["redline"])  # warm the file cache and the .pyc files once
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(runs):
        for name, cmd in commands.items():
            times[name].append(timed(cmd, name=name))
        print(f"  run {i + 1}/{runs}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()), file=sys.stderr)
    return times


def breakdown(files: list[Path], runs: int, include_slow: bool) -> list[tuple[str, float]]:
    """Median seconds per stage of one in-process scan of `files` (fast engines only, unless
    `include_slow`)."""
    from redline.config import Config
    from redline.engines import all_engines
    from redline.files import binary_reason, read_source
    from redline.pipeline import enabled_engines, finalize, make_source
    from redline.report.results import file_result
    from redline.rules.registry import default_registry

    config = Config()
    root = os.path.commonpath([str(p) for p in files])

    def once() -> dict[str, float]:
        t: dict[str, float] = {}
        s = time.perf_counter()
        raw = []
        for p in files:
            data = p.read_bytes()
            binary_reason(data)
            raw.append((str(p), data))
        t["read + binary/UTF-8 check"] = time.perf_counter() - s
        s = time.perf_counter()
        sources = [make_source(path, data, language="python") for path, data in raw]
        t["parse (tree-sitter)"] = time.perf_counter() - s
        per_engine: dict[str, list] = {}
        for engine in enabled_engines(config, None if include_slow else False):
            s = time.perf_counter()
            out = []
            for src in sources:
                try:
                    out.append(engine.scan(src, config) if engine.applies(src) else [])
                except Exception:  # noqa: BLE001 - partial results do not matter for timing
                    out.append([])
            label = "query + predicates" if engine.name == "redline" else f"engine {engine.name}"
            t[label] = time.perf_counter() - s
            per_engine[engine.name] = out
        s = time.perf_counter()
        finals = []
        for i, src in enumerate(sources):
            found = [f for outs in per_engine.values() for f in outs[i]]
            finals.append(finalize(src, found, config))
        t["dedupe + suppressions + config + fingerprints"] = time.perf_counter() - s
        s = time.perf_counter()
        for src, fs in zip(sources, finals):
            file_result(os.path.relpath(src.path, root), src, fs, [], 0)
        t["report data (positions, excerpts)"] = time.perf_counter() - s
        return t

    default_registry()
    all_engines()
    once()  # warm up: grammar and query compilation happen once per process
    samples = [once() for _ in range(runs)]
    stages = [(k, statistics.median(s[k] for s in samples)) for k in samples[0]]
    # Start-up: the command on one tiny file (interpreter, imports, rule loading, query compile).
    tiny = files[0].parent / "__init__.py" if (files[0].parent / "__init__.py").exists() else files[0]
    start = [timed([tool("redline"), *REDLINE, *([] if include_slow else ["--no-slow"]), str(tiny)]) for _ in range(runs)]
    stages.insert(0, ("process start-up, imports, rule loading (1 small file)", statistics.median(start)))
    # Reading through the CLI path (read_source = read + checks + parse) for reference.
    s = time.perf_counter()
    for p in files:
        read_source(p, root, config, language="python")
    stages.append(("read_source (read + checks + parse), for reference", time.perf_counter() - s))
    return stages


def dependencies_per_edit(files: list[Path], sizes: tuple[int, ...] = (2_000, 10_000), edits: int = 30) -> list[tuple[str, float]]:
    """Median milliseconds of the dependencies engine (RL406) on one edit of a file of each size,
    as the language server runs it on every keystroke: a file made of the corpus's files end to
    end, in a project with a pyproject.toml; each edit changes one line in the middle, once
    leaving the file parseable and once leaving a syntax error (most keystrokes do)."""
    import tempfile

    from redline.config import Config
    from redline.engines.dependencies import ENGINE
    from redline.pipeline import make_source

    lines: list[bytes] = []
    for p in files:
        lines.extend(p.read_bytes().splitlines())
        if len(lines) >= max(sizes):
            break
    config = Config()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, ".git"))
        with open(os.path.join(tmp, "pyproject.toml"), "w") as fh:
            fh.write('[project]\nname = "app"\ndependencies = ["django", "requests"]\n')
        for n in sizes:
            path = os.path.join(tmp, f"big{n}.py")
            body = lines[:n]
            with open(path, "wb") as fh:
                fh.write(b"\n".join(body) + b"\n")
            mid = n // 2
            for label, line in (("edit", b"x_%d = %d"), ("edit leaving a syntax error", b"x_%d = f(%d")):
                times = []
                for i in range(edits + 5):
                    text = b"\n".join(body[:mid] + [line % (i, i)] + body[mid + 1 :]) + b"\n"
                    src = make_source(path, text, language="python")
                    s = time.perf_counter()
                    ENGINE.scan(src, config)
                    times.append(time.perf_counter() - s)
                out.append((f"{n:,} lines, {label}", statistics.median(times[5:]) * 1000))
    return out


def rule_costs(files: list[Path], top: int = 10) -> list[tuple[float, str, int]]:
    """Seconds each Python tree-sitter rule's query (alone) and predicate take over `files`."""
    import tree_sitter as ts

    from redline import languages as langs
    from redline.pipeline import make_source
    from redline.rules.predicates import PREDICATES, MatchContext
    from redline.rules.registry import default_registry

    sources = [make_source(str(p), p.read_bytes(), language="python") for p in files]
    grammar = langs.grammar("python")
    out = []
    for rule in default_registry().query_rules("python"):
        query = ts.Query(grammar, rule.query_for("python"))
        pred = PREDICATES.get(rule.predicate_for("python") or "")
        s = time.perf_counter()
        n = 0
        for src in sources:
            for _i, captures in ts.QueryCursor(query).matches(src.tree.root_node):
                n += 1
                if pred and captures.get("match"):
                    try:
                        pred(MatchContext(src, captures, rule))
                    except Exception:  # noqa: BLE001 - timing only
                        pass
        out.append((time.perf_counter() - s, f"{rule.code} {rule.name}", n))
    return sorted(out, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", help="folder to scan (default: Django 5.1.4's django/ package)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each tool; the median is reported (default 3)")
    ap.add_argument("--breakdown", action="store_true", help="also show where redline's time goes")
    ap.add_argument("--all-engines", action="store_true", help="also time the default configuration (slow engines too)")
    args = ap.parse_args(argv)

    corpus = Path(args.corpus) if args.corpus else fetch_django()
    files = python_files(corpus)
    if not files:
        sys.exit(f"no *.py files under {corpus}")
    lines = count_lines(files)
    print(f"corpus: {corpus} ({len(files)} Python files, {lines:,} lines)")
    print(f"commands: redline {' '.join(REDLINE)} --no-slow FILES  |  bandit -q -f json FILES  ({args.runs} runs each, median)")
    times = measure(files, args.runs, args.all_engines)
    medians = {name: statistics.median(t) for name, t in times.items()}
    cpu = {name: statistics.median(CPU[name]) for name in times}
    for name, t in times.items():
        m = medians[name]
        print(
            f"{name + ':':<23}{m:7.2f} s wall {lines / m:>9,.0f} lines/s | {cpu[name]:6.2f} s CPU {lines / cpu[name]:>9,.0f} lines/s"
            f"   wall runs: {' '.join(f'{x:.2f}' for x in t)}"
        )
    ratio = medians["bandit"] / medians["redline"]
    cpu_ratio = cpu["bandit"] / cpu["redline"]
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(
        f"ratio: redline --no-slow is {ratio:.1f}x bandit's speed on one core by wall time, {cpu_ratio:.1f}x by CPU time"
        f" (target >= {TARGET_RATIO:.0f}x: {verdict})"
    )
    if args.breakdown:
        print("\nwhere redline's time goes (in one process, median of runs):")
        for name, seconds in breakdown(files, args.runs, args.all_engines):
            print(f"  {name:<58} {seconds:6.3f} s")
        print("\ndependencies engine per keystroke (language server path, median of 30 edits):")
        for label, ms in dependencies_per_edit(files):
            print(f"  {label:<58} {ms:6.2f} ms")
        print("\nmost expensive Python rules (query alone + predicate, one run):")
        for seconds, rule, matches in rule_costs(files):
            print(f"  {rule:<40} {seconds:6.3f} s  {matches:>6} matches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
