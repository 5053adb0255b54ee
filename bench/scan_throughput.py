#!/usr/bin/env python3
"""Throughput of `redline scan` against bandit on the same Python files, in one run (issue 16).

    python bench/scan_throughput.py [CORPUS] [--runs N] [--tree DIR] [--breakdown] [--write FILE]

CORPUS is a folder; it is copied into a temporary folder (with the files beside it: a project's
manifests decide the dependency checks), and every `*.py` file under it is passed, as the same
explicit list of relative paths, to each command, run from that copy (so the result cache,
`.redline_cache/` in the scan root, lives in the copy and nowhere else). Rows, each a fresh
process (start-up and rule loading included), alternating between commands in each round:

- `bandit -q -f json FILES`
- `redline scan --jobs 1 FILES` cold: the default configuration, the cache emptied first
- `redline scan --jobs 1 FILES` warm: the same command again on the unchanged copy
- `redline scan --jobs 1 --no-slow --no-cache FILES` (bandit and detect-secrets as libraries left out)
- `redline scan --jobs 2 FILES` cold (the cache emptied first): how one more worker scales

Every redline command also has `--fail-on never --format json -o /dev/null`. The script prints
the median CPU time (user + system of the process and its workers: steadier than wall time
on a shared machine) and wall time of each row, lines per second, the ratio to bandit and the
issue's targets (default >= 4x, --no-slow >= 5x, warm >= 20x bandit), and the load average.
Without CORPUS it uses Django 5.1.4's `django/` package, fetched once with
`pip download --no-deps --no-binary :all: django==5.1.4` into bench/corpora/ (gitignored).

`--tree DIR` runs Redline from DIR/server (`python -m redline` with PYTHONPATH), e.g. a
`git archive HEAD server | tar -x -C DIR` snapshot: the cache key covers the content of Redline's
code, so in a working tree that others edit while the bench runs the warm row would miss (the
script says so when the cache gained a second environment during a round).

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
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpora"
DJANGO = "django==5.1.4"
DJANGO_DIR = CORPORA / "Django-5.1.4" / "django"
BIN = Path(sys.executable).parent
TARGETS = {"redline default, cold": 4.0, "redline --no-slow": 5.0, "redline default, warm cache": 20.0}


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


def timed(cmd: list[str], ok: tuple[int, ...] = (0, 1), name: str | None = None, cwd: str | None = None) -> float:
    """Wall seconds of one run of `cmd`; its CPU seconds (and its workers') go to CPU[name]
    (steadier than wall time when other processes share the machine)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=cwd)
    elapsed = time.perf_counter() - start
    if name:
        CPU.setdefault(name, []).append(_children_cpu() - cpu)
    if proc.returncode not in ok:
        sys.exit(f"{cmd[0]} failed with status {proc.returncode}:\n{proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


REDLINE = ["scan", "--fail-on", "never", "--format", "json", "-o", os.devnull]


def redline_cmd(tree: Path | None) -> list[str]:
    """How to start Redline: the installed command, or `python -m redline` from `tree`/server."""
    if tree is None:
        return [tool("redline")]
    ENV["PYTHONPATH"] = str(tree / "server")
    return [sys.executable, "-m", "redline"]


def copy_corpus(corpus: Path, into: Path) -> Path:
    """`corpus` copied under `into`, with the files (not folders) of its parent folder beside it:
    the manifests there (pyproject.toml, setup.cfg) are what a scan of the real tree sees."""
    project = into / corpus.parent.name
    project.mkdir()
    for p in corpus.parent.iterdir():
        if p.is_file() and not p.is_symlink():
            shutil.copy2(p, project / p.name)
    shutil.copytree(corpus, project / corpus.name, symlinks=True)
    # The top of the project, as in a clone of it: the dependency checks look for manifests up
    # to the folder with .git; without one they would go on up through the temporary folder
    # (whose modification time other programs change all the time, and with it the cache key
    # of RL406's results).
    (project / ".git").mkdir()
    return project


def environments(project: Path) -> int:
    """How many cache environments (one per code/configuration/engine key) the copy holds."""
    folder = project / ".redline_cache" / "v1"
    return sum(1 for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else 0


def measure(project: Path, files: list[str], runs: int, redline: list[str]) -> dict[str, list[float]]:
    """Wall seconds of each row in each round (CPU seconds go to CPU)."""
    cache = project / ".redline_cache"
    one = [*redline, *REDLINE, "--jobs", "1"]
    rows: list[tuple[str, list[str], bool]] = [  # name, command, empty the cache first
        ("bandit", [tool("bandit"), "-q", "-f", "json", *files], False),
        ("redline default, cold", [*one, *files], True),
        ("redline default, warm cache", [*one, *files], False),
        ("redline --no-slow", [*one, "--no-slow", "--no-cache", *files], False),
        ("redline default, cold, --jobs 2", [*redline, *REDLINE, "--jobs", "2", *files], True),
    ]
    # Warm the OS file cache and the .pyc files once (and check that the commands work).
    timed([*one, "--no-slow", "--no-cache", *files], cwd=str(project))
    times: dict[str, list[float]] = {name: [] for name, _c, _e in rows}
    for i in range(runs):
        for name, cmd, empty in rows:
            if empty:
                shutil.rmtree(cache, ignore_errors=True)
            before = environments(project)
            times[name].append(timed(cmd, name=name, cwd=str(project)))
            if name.endswith("warm cache") and environments(project) != before:
                print(
                    f"  WARNING: round {i + 1}: the warm run did not find the cold run's cache environment"
                    " (Redline's code changed in between?): its figure is a cold one; use --tree", file=sys.stderr,
                )
        load = os.getloadavg()[0]
        print(f"  round {i + 1}/{runs} (load {load:.1f}): " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()), file=sys.stderr)
    return times


def breakdown(files: list[Path], runs: int, include_slow: bool) -> list[tuple[str, float]]:
    """Median seconds per stage of one in-process scan of `files` (fast engines only, unless
    `include_slow`)."""
    from redline.config import Config
    from redline.engines import import_all
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
    import_all()  # engines load lazily; import them before timing (the warm-up below would too)
    once()  # warm up: grammar and query compilation happen once per process
    samples = [once() for _ in range(runs)]
    stages = [(k, statistics.median(s[k] for s in samples)) for k in samples[0]]
    # Start-up: the command on one tiny file (interpreter, imports, rule loading, query compile).
    tiny = files[0].parent / "__init__.py" if (files[0].parent / "__init__.py").exists() else files[0]
    start = [timed([tool("redline"), *REDLINE, "--jobs", "1", "--no-cache", *([] if include_slow else ["--no-slow"]), str(tiny)]) for _ in range(runs)]
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
    default_registry().compiled("python")  # imports the predicates (rules from the rule cache have not)
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
    ap.add_argument("--runs", type=int, default=3, help="rounds of timed runs; the median is reported (default 3)")
    ap.add_argument("--tree", type=Path, help="run Redline from this source tree (TREE/server), e.g. a git archive snapshot")
    ap.add_argument("--breakdown", action="store_true", help="also show where redline's time goes (--no-slow engines)")
    ap.add_argument("--write", type=Path, help="also append the table, with the command, to this Markdown file")
    args = ap.parse_args(argv)

    corpus = Path(args.corpus).resolve() if args.corpus else fetch_django()
    files = python_files(corpus)
    if not files:
        sys.exit(f"no *.py files under {corpus}")
    lines = count_lines(files)
    redline = redline_cmd(args.tree.resolve() if args.tree else None)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="redline-throughput-") as tmp:
        project = copy_corpus(corpus, Path(tmp))
        rel = [str(Path(corpus.name) / p.relative_to(corpus)) for p in files]
        times = measure(project, rel, args.runs, redline)
    load_end = os.getloadavg()
    medians = {name: statistics.median(t) for name, t in times.items()}
    cpu = {name: statistics.median(CPU[name]) for name in times}
    out = [
        f"corpus: {corpus} ({len(files)} Python files, {lines:,} lines), copied to a temporary folder",
        f"redline: {' '.join(redline)} {' '.join(REDLINE)} --jobs N [--no-slow --no-cache] FILES; bandit -q -f json FILES",
        f"{args.runs} rounds, medians; load average {load_start[0]:.1f} / {load_start[1]:.1f} / {load_start[2]:.1f} at the start,"
        f" {load_end[0]:.1f} / {load_end[1]:.1f} / {load_end[2]:.1f} at the end (2 cores: {os.cpu_count()} CPUs seen)",
        "",
        "| command | CPU s | x bandit (CPU) | wall s | x bandit (wall) | lines/s (CPU) | target | wall runs |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, t in times.items():
        target = TARGETS.get(name)
        ratio_cpu = cpu["bandit"] / cpu[name]
        verdict = f">= {target:.0f}x: {'met' if ratio_cpu >= target else 'NOT met'}" if target else ""
        out.append(
            f"| {name} | {cpu[name]:.2f} | {ratio_cpu:.2f} | {medians[name]:.2f} | {medians['bandit'] / medians[name]:.2f}"
            f" | {lines / cpu[name]:,.0f} | {verdict} | {' '.join(f'{x:.2f}' for x in t)} |"
        )
    j1, j2 = "redline default, cold", "redline default, cold, --jobs 2"
    out.append("")
    out.append(
        f"--jobs 2 against --jobs 1 (default, cold): {medians[j1] / medians[j2]:.2f}x by wall time"
        f" (CPU {cpu[j2]:.2f} s against {cpu[j1]:.2f} s; {os.cpu_count()} CPUs, load average {load_end[0]:.1f} at the end)"
    )
    print("\n".join(out))
    if args.write:
        command = "python bench/scan_throughput.py " + " ".join(a for a in (argv if argv is not None else sys.argv[1:]) if not a.startswith("--write"))
        with open(args.write, "a", encoding="utf-8") as fh:
            fh.write(f"\n### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n    {command.strip()}\n\n" + "\n".join(out) + "\n")
    if args.breakdown:
        print("\nwhere redline's time goes (in one process, --no-slow engines, median of runs):")
        for name, seconds in breakdown(files, args.runs, False):
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
