#!/usr/bin/env python3
"""Real-code benchmark: findings per 10k lines on pinned releases of popular PyPI and npm packages.

    python bench/realworld.py [--jobs N] [--only NAME,...] [--reuse] [--markdown]
                              [--sample N --seed S [--sample-out FILE]] [--triage FILE]

The packages and their exact versions are listed in bench/realworld_packages.toml. Each release
is fetched once into bench/corpora/realworld/dl/ (gitignored) with the ordinary clients,
`pip download --no-deps --no-binary :all: NAME==VERSION` (the source package, tests and examples
included, as a user who clones the project has them) and `npm pack NAME@VERSION` (what
`npm install` puts in node_modules), then unpacked into bench/corpora/realworld/src/. An empty
`.git` folder is made at the top of each unpacked package so that it is its own workspace root,
as a checkout is: otherwise configuration, .gitignore and manifest look-ups would climb into the
Redline repository around it.

Each package is scanned as a user scans it, with the default settings (every engine, slow ones
included; no configuration): `redline scan . --format json --fail-on never --jobs N` run in the
package's folder. Lines are the `summary.lines` of the report (every file Redline scanned, of
every language it reads; blank and comment lines included). The script prints findings per 10k
lines overall, by severity, by rule and per package, and the share found in tests, examples and
docs (by path). The JSON reports are kept in bench/corpora/realworld/scans/; `--reuse` reads them
again instead of scanning (to re-draw a sample or re-write the tables without a new scan).

`--snapshot [REV]` scans with a clean export of the commit's server/ (bench/out/snapshot-<sha>/,
put first on PYTHONPATH) instead of the working tree, so that other people's uncommitted edits
neither stop the run nor end up in its figures; the reports then name that commit.

`--markdown` writes bench/results/realworld.md: a new section dated by the scans, above the
sections of earlier runs (kept). `--sample N --seed S` draws a random sample of
findings stratified by rule (bandit's findings split by bandit test id) and severity, and
writes it as a triage table (bench/out/realworld_sample.md unless `--sample-out`): every stratum
gets at least one finding, the rest is allocated in proportion to the square root of stratum
size. `--triage FILE`
reads a triage table (columns `#`, rule, severity, package, location, verdict, reason; verdict
true / false / noise; the first table in the file, where triage.md keeps the newest run) and prints the precision (true / all) overall and at warning or above, raw
and weighted by stratum size (the unbiased estimate for the whole population of findings).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGES = HERE / "realworld_packages.toml"
BASE = HERE / "corpora" / "realworld"
DL = BASE / "dl"
SRC = BASE / "src"
SCANS = BASE / "scans"
MARKDOWN = HERE / "results" / "realworld.md"
SAMPLE_OUT = HERE / "out" / "realworld_sample.md"
BIN = Path(sys.executable).parent
SEVERITIES = ["error", "warning", "info", "hint"]
WARN_UP = {"error", "warning"}
TARGET_PER_10K = 1.0
TARGET_PRECISION = 0.80

# Files a reviewer of the shipped code would not count as production code (judged by path).
NONPROD = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec|specs|test_?utils|fixtures?|examples?|samples?|demos?|docs?|docs_src|integration|dummyserver|"
    r"benchmarks?|bench|scripts|tools|e2e|conftest\.py)(/|$)|(^|/)test_[^/]*\.py$|_test\.py$|"
    r"\.(test|spec)\.[cm]?[jt]sx?$|(^|/)(setup\.py|noxfile\.py|tasks\.py|Gruntfile\.js|gulpfile\.js)$"
)


@dataclass(frozen=True)
class Package:
    ecosystem: str  # "pypi" or "npm"
    name: str
    version: str
    kind: str

    @property
    def key(self) -> str:
        return f"{self.ecosystem}:{self.name}"

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def folder(self) -> Path:
        return SRC / self.ecosystem / f"{self.name}-{self.version}"

    @property
    def report(self) -> Path:
        return SCANS / f"{self.ecosystem}-{self.name}-{self.version}.json"


def load_packages(only: set[str] | None = None) -> list[Package]:
    data = tomllib.loads(PACKAGES.read_text())
    out = []
    for eco in ("pypi", "npm"):
        for p in data[eco]:
            pkg = Package(eco, p["name"], p["version"], p.get("kind", ""))
            if not only or pkg.name in only:
                out.append(pkg)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def archive(pkg: Package) -> Path | None:
    """The downloaded file of `pkg`, if it is there."""
    if pkg.ecosystem == "npm":
        path = DL / f"{pkg.name.replace('@', '').replace('/', '-')}-{pkg.version}.tgz"
        return path if path.exists() else None
    for path in DL.iterdir() if DL.is_dir() else []:
        m = re.match(r"(.+)-([^-]+)\.(tar\.gz|zip|tar\.bz2)$", path.name)
        if m and _norm(m.group(1)) == _norm(pkg.name) and m.group(2) == pkg.version:
            return path
    return None


def fetch(pkg: Package) -> Path:
    """Download (once) and unpack (once) `pkg`; return its folder."""
    if (pkg.folder / ".git").is_dir():
        return pkg.folder
    DL.mkdir(parents=True, exist_ok=True)
    path = archive(pkg)
    if path is None:
        print(f"downloading {pkg.key}=={pkg.version} ...", file=sys.stderr)
        if pkg.ecosystem == "pypi":
            cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                   f"{pkg.name}=={pkg.version}", "-d", str(DL)]
        else:
            cmd = ["npm", "pack", "-q", f"{pkg.name}@{pkg.version}"]
        subprocess.run(cmd, check=True, cwd=DL, stdout=subprocess.DEVNULL)
        path = archive(pkg)
        if path is None:
            sys.exit(f"{pkg.key}: downloaded, but no archive for version {pkg.version} in {DL}")
    tmp = pkg.folder.with_name(pkg.folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as z:
            z.extractall(tmp)
    else:
        with tarfile.open(path) as tar:
            tar.extractall(tmp, filter="data")
    tops = list(tmp.iterdir())
    top = tops[0] if len(tops) == 1 and tops[0].is_dir() else tmp
    shutil.rmtree(pkg.folder, ignore_errors=True)
    top.rename(pkg.folder)
    shutil.rmtree(tmp, ignore_errors=True)
    (pkg.folder / ".git").mkdir()  # its own workspace root (see the module docstring)
    return pkg.folder


# Set by --snapshot: scan with this export of a commit's server/ (PYTHONPATH), not the working tree.
SNAPSHOT: dict = {}


def make_snapshot(rev: str = "HEAD") -> tuple[Path, str]:
    """Export `rev`'s server/ into bench/out/snapshot-<sha>/ (once) and return (folder, sha).
    Several people edit the working tree while a run takes an hour: a half-edited rule file
    there stops every scan after it, and the figures would describe no commit."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    folder = HERE / "out" / f"snapshot-{sha}"
    if not (folder / "server" / "redline").is_dir():
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive_ = subprocess.run(["git", "archive", rev, "server"], cwd=ROOT, capture_output=True, check=True).stdout
        import io

        with tarfile.open(fileobj=io.BytesIO(archive_)) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return folder / "server", sha


def git_commit() -> str:
    if SNAPSHOT:
        return f"{SNAPSHOT['sha']} (snapshot of the commit)"
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "server"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() + (" (+ uncommitted changes under server/)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def scan(pkg: Package, jobs: int) -> dict:
    folder = fetch(pkg)
    SCANS.mkdir(parents=True, exist_ok=True)
    redline = BIN / "redline"
    cmd = [str(redline) if redline.exists() else "redline", "scan", ".", "--format", "json", "--fail-on", "never",
           "--jobs", str(jobs), "-o", str(pkg.report)]
    start = time.perf_counter()
    env = None
    if SNAPSHOT:  # the exported server/ comes before the editable install on sys.path
        env = {**os.environ, "PYTHONPATH": str(SNAPSHOT["path"]) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{pkg.key}: redline failed with status {proc.returncode}:\n{proc.stderr[-2000:]}")
    data = json.loads(pkg.report.read_text())
    data["_bench"] = {"seconds": round(elapsed, 2), "commit": git_commit(), "jobs": jobs,
                      "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    pkg.report.write_text(json.dumps(data))
    return data


def commit_range(runs: list[Run]) -> str:
    """The commit(s) the reports were made at, oldest scan first (the code changes during a run)."""
    stamped = sorted((r.data.get("_bench", {}).get("when", ""), r.data.get("_bench", {}).get("commit", "unknown")) for r in runs)
    commits = list(dict.fromkeys(c.split(" ")[0] for _, c in stamped))
    dirty = sum("uncommitted" in c for _, c in stamped)
    text = commits[0] if len(commits) == 1 else f"{commits[0]}..{commits[-1]} ({len(commits)} commits while the scans ran)"
    return text + (f"; {dirty} of {len(runs)} scans ran with uncommitted changes under server/" if dirty else "")


def rule_key(f: dict) -> str:
    bid = (f.get("properties") or {}).get("bandit_id")
    return f"{f['code']}/{bid}" if bid else f["code"]


def rule_label(f: dict) -> str:
    bid = (f.get("properties") or {}).get("bandit_test")
    return f"{f['name']} ({bid})" if bid else f["name"]


def nonprod(path: str) -> bool:
    return bool(NONPROD.search(path.lstrip("./")))


def per10k(n: int, lines: int) -> float:
    return n * 10_000 / lines if lines else 0.0


@dataclass
class Run:
    pkg: Package
    data: dict

    @property
    def findings(self) -> list[dict]:
        return self.data["findings"]

    @property
    def lines(self) -> int:
        return self.data["summary"]["lines"]


def summarize(runs: list[Run]) -> dict:
    lines = sum(r.lines for r in runs)
    files = sum(r.data["summary"]["files"] for r in runs)
    allf = [(r, f) for r in runs for f in r.findings]
    sev = collections.Counter(f["severity"] for _, f in allf)
    warn = sum(sev[s] for s in WARN_UP)
    by_rule: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    labels: dict[str, str] = {}
    for r, f in allf:
        k = rule_key(f)
        labels[k] = rule_label(f)
        by_rule[k][f["severity"]] += 1
        by_rule[k]["_pkgs:" + r.pkg.key] = 1
        by_rule[k]["_nonprod"] += nonprod(f["path"])
    np_count = sum(nonprod(f["path"]) for _, f in allf)
    np_warn = sum(nonprod(f["path"]) for _, f in allf if f["severity"] in WARN_UP)
    return dict(lines=lines, files=files, n=len(allf), sev=sev, warn=warn, by_rule=by_rule, labels=labels,
                nonprod=np_count, nonprod_warn=np_warn,
                seconds=sum(r.data.get("_bench", {}).get("seconds", 0) for r in runs),
                errors=sum(len(r.data.get("errors") or []) for r in runs))


def tables(runs: list[Run], commit: str, jobs: int) -> str:
    s = summarize(runs)
    out = []
    w = out.append
    npk = collections.Counter(r.pkg.ecosystem for r in runs)
    w(f"Measured at commit {commit}; {npk['pypi']} PyPI and {npk['npm']} npm releases, {s['files']:,} files, "
      f"{s['lines']:,} lines scanned, {s['n']:,} findings; scan time {s['seconds']:.0f} s wall summed over the packages "
      f"({jobs_text(runs, jobs)}, shared machine); {s['errors']} engine errors or time limits hit.\n")
    w("| | findings | per 10k lines |")
    w("|---|---:|---:|")
    w(f"| all severities | {s['n']:,} | {per10k(s['n'], s['lines']):.1f} |")
    for sev in SEVERITIES:
        w(f"| {sev} | {s['sev'][sev]:,} | {per10k(s['sev'][sev], s['lines']):.2f} |")
    target = "met" if per10k(s["warn"], s["lines"]) <= TARGET_PER_10K else "**missed**"
    w(f"| **warning or above** (target <= {TARGET_PER_10K:.0f}) | {s['warn']:,} | **{per10k(s['warn'], s['lines']):.2f}** ({target}) |")
    w(f"| in tests, examples, docs, scripts (by path) | {s['nonprod']:,} | {per10k(s['nonprod'], s['lines']):.1f} |")
    w(f"| ... of them warning or above | {s['nonprod_warn']:,} | {per10k(s['nonprod_warn'], s['lines']):.2f} |")
    w("")
    w("By rule (bandit's findings split by bandit test), most frequent first:\n")
    w("| rule | name | error | warning | info | hint | total | per 10k lines | in tests/examples/docs | packages |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, c in sorted(s["by_rule"].items(), key=lambda kv: -sum(kv[1][x] for x in SEVERITIES)):
        tot = sum(c[x] for x in SEVERITIES)
        pk = sum(1 for x in c if x.startswith("_pkgs:"))
        w(f"| {k} | {s['labels'][k]} | {c['error']} | {c['warning']} | {c['info']} | {c['hint']} | {tot} | "
          f"{per10k(tot, s['lines']):.2f} | {c['_nonprod']} | {pk} |")
    w("")
    w("Per package:\n")
    w("| package | kind | files | lines | findings | per 10k | warning+ | warning+ per 10k | top rules | scan s |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in runs:
        n = len(r.findings)
        wu = sum(f["severity"] in WARN_UP for f in r.findings)
        top = collections.Counter(rule_key(f) for f in r.findings).most_common(3)
        w(f"| {r.pkg.ecosystem}:{r.pkg.label} | {r.pkg.kind} | {r.data['summary']['files']:,} | {r.lines:,} | {n:,} | "
          f"{per10k(n, r.lines):.1f} | {wu} | {per10k(wu, r.lines):.2f} | {', '.join(f'{k} {v}' for k, v in top)} | "
          f"{r.data.get('_bench', {}).get('seconds', 0):.0f} |")
    for eco in ("pypi", "npm"):
        sub = summarize([r for r in runs if r.pkg.ecosystem == eco])
        w(f"| **all {eco}** | | {sub['files']:,} | {sub['lines']:,} | {sub['n']:,} | {per10k(sub['n'], sub['lines']):.1f} | "
          f"{sub['warn']} | {per10k(sub['warn'], sub['lines']):.2f} | | {sub['seconds']:.0f} |")
    return "\n".join(out) + "\n"


def jobs_text(runs: list[Run], jobs: int) -> str:
    used = sorted({str(r.data.get("_bench", {}).get("jobs", "?")) for r in runs})
    return "`--jobs " + "/".join(used) + "`" if used != ["?"] else "`--jobs` not recorded"


def strata(runs: list[Run]) -> dict[tuple[str, str], list[tuple[Run, dict]]]:
    out: dict[tuple[str, str], list] = collections.defaultdict(list)
    for r in runs:
        for f in r.findings:
            out[(rule_key(f), f["severity"])].append((r, f))
    return out


def draw(runs: list[Run], n: int, seed: int) -> list[tuple[tuple[str, str], Run, dict]]:
    """A sample of about `n` findings: one from every stratum (rule x severity), the rest in
    proportion to the square root of stratum size (largest remainders), drawn without
    replacement. The square root keeps one huge stratum (bandit's asserts) from taking the whole
    sample; precision over all findings is then estimated with stratum weights (score_triage)."""
    st = strata(runs)
    keys = sorted(st)
    alloc = {k: 1 for k in keys}
    rest = max(0, n - len(keys))
    root = sum(math.sqrt(len(st[k])) for k in keys)
    quotas = {k: rest * math.sqrt(len(st[k])) / root for k in keys}
    for k in keys:
        alloc[k] += int(quotas[k])
    left = n - sum(alloc.values())
    for k in sorted(keys, key=lambda k: -(quotas[k] - int(quotas[k])))[: max(0, left)]:
        alloc[k] += 1
    # Each finding gets a fixed pseudo-random key from the seed and its identity; a stratum's
    # sample is its findings with the smallest keys (a simple random sample, and a stable one:
    # adding a package to the run changes only the rows that its own findings displace).
    def key(rf: tuple[Run, dict]) -> str:
        r, f = rf
        ident = f"{seed}:{r.pkg.key}:{f['path']}:{f['start_line']}:{f['start_column']}:{f['code']}:{f.get('fingerprint')}"
        return hashlib.sha256(ident.encode()).hexdigest()

    sample = []
    for k in keys:
        for r, f in sorted(st[k], key=key)[: alloc[k]]:
            sample.append((k, r, f))
    return sample


def write_sample(runs: list[Run], n: int, seed: int, out: Path, commit: str) -> None:
    sample = draw(runs, n, seed)
    sizes = {k: len(v) for k, v in strata(runs).items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        f"Sample of {len(sample)} findings (seed {seed}, stratified by rule and severity; commit {commit}).",
        "Stratum sizes (rule, severity: findings in the whole run): "
        + "; ".join(f"{k[0]} {k[1]}: {v}" for k, v in sorted(sizes.items())),
        "",
        "| # | rule | severity | package | location | snippet | verdict | reason |",
        "|---:|---|---|---|---|---|---|---|",
    ]
    for i, (k, r, f) in enumerate(sample, 1):
        snip = (f.get("snippet") or "").strip().replace("|", "\\|").replace("\n", " ")[:90]
        path = f["path"].lstrip("./") if f["path"].startswith("./") else f["path"]
        rows.append(f"| {i} | {k[0]} | {k[1]} | {r.pkg.ecosystem}:{r.pkg.name} | {path}:{f['start_line']} | `{snip}` | | |")
    out.write_text("\n".join(rows) + "\n")
    print(f"wrote {len(sample)} sampled findings to {out}")


ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*([A-Z]+\d+(?:/\w+)?)\s*\|\s*(\w+)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|(.*)\|\s*(true|false|noise)\s*\|")


def score_triage(path: Path, runs: list[Run]) -> str:
    sizes = {k: len(v) for k, v in strata(runs).items()} if runs else {}
    # The first triage table in the file: triage.md keeps each run's table in a dated section,
    # newest first, and the rows of an earlier run must not be scored against this one.
    rows = []
    for line in path.read_text().splitlines():
        m = ROW.match(line)
        if m:
            rows.append(m.groups())
        elif rows and not line.startswith("|"):
            break
    out = [f"triaged findings: {len(rows)} (from {path})"]

    def prec(sel, label, weigh=True):
        if not sel:
            return
        c = collections.Counter(r[6] for r in sel)
        raw = c["true"] / len(sel)
        # Weighted: each stratum's precision, weighted by its share of all findings in the run.
        by = collections.defaultdict(list)
        for r in sel:
            by[(r[1], r[2])].append(r[6] == "true")
        wsum = sum(sizes.get(k, 0) for k in by)
        weighted = sum(sizes.get(k, 0) * (sum(v) / len(v)) for k, v in by.items()) / wsum if wsum else float("nan")
        out.append(f"{label}: {len(sel)} triaged, true {c['true']}, noise {c['noise']}, false {c['false']}; "
                   f"precision {raw:.2f} raw" + (f", {weighted:.2f} weighted by stratum size" if weigh else ""))

    prec(rows, "all severities")
    prec([r for r in rows if r[2] in WARN_UP], "warning or above")
    prod = [r for r in rows if not nonprod(r[4].rsplit(":", 1)[0])]
    prec(prod, "production code only (not tests/examples/docs by path), all severities", weigh=False)
    prec([r for r in prod if r[2] in WARN_UP], "production code only, warning or above", weigh=False)
    for sev in SEVERITIES:
        prec([r for r in rows if r[2] == sev], f"  {sev}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    global SCANS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2, help="redline scan --jobs for each package (default 2)")
    ap.add_argument("--only", help="comma-separated package names")
    ap.add_argument("--reuse", action="store_true", help="read the kept JSON reports instead of scanning again")
    ap.add_argument("--fetch-only", action="store_true", help="download and unpack, do not scan")
    ap.add_argument("--markdown", action="store_true", help=f"write {MARKDOWN.relative_to(ROOT)}")
    ap.add_argument("--sample", type=int, help="write a stratified random sample of this many findings")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--sample-out", type=Path, default=SAMPLE_OUT)
    ap.add_argument("--triage", type=Path, help="score a triage table (precision)")
    ap.add_argument("--scans", type=Path, help=f"folder of the JSON reports (default {SCANS.relative_to(ROOT)}); "
                    "keep a run's copy to score its triage after later rescans")
    ap.add_argument("--snapshot", nargs="?", const="HEAD", metavar="REV",
                    help="scan with a clean export of REV's server/ (default HEAD), not the working tree")
    args = ap.parse_args(argv)
    if args.scans:
        SCANS = args.scans.resolve()
    if args.snapshot and not args.reuse:
        path, sha = make_snapshot(args.snapshot)
        SNAPSHOT.update(path=path, sha=sha)
        print(f"scanning with the code of commit {sha} ({path})", file=sys.stderr)

    pkgs = load_packages(set(args.only.split(",")) if args.only else None)
    if args.fetch_only:
        for p in pkgs:
            fetch(p)
        return 0
    runs = []
    for i, p in enumerate(pkgs, 1):
        if args.reuse and p.report.exists():
            data = json.loads(p.report.read_text())
        else:
            data = scan(p, args.jobs)
            print(f"[{i}/{len(pkgs)}] {p.key} {p.version}: {data['summary']['lines']:,} lines, "
                  f"{data['summary']['findings']} findings, {data['_bench']['seconds']:.0f} s", file=sys.stderr)
        runs.append(Run(p, data))
    commit = commit_range(runs)
    jobs = args.jobs
    text = tables(runs, commit, jobs)
    print(text)
    if args.markdown:
        MARKDOWN.parent.mkdir(parents=True, exist_ok=True)
        head = (
            "# Real-code benchmark: findings per 10k lines on popular PyPI and npm releases\n\n"
            "    .venv/bin/python bench/realworld.py --markdown        # make bench-realworld\n\n"
            "Pinned releases: [../realworld_packages.toml](../realworld_packages.toml). Each is scanned in its own\n"
            "folder with the default settings (`redline scan . --format json --fail-on never`, every engine,\n"
            "slow ones included). Lines are the report's `summary.lines` (all scanned files; blank and comment\n"
            "lines included). \"In tests, examples, docs\" is decided by path (see `NONPROD` in the script).\n"
            "Each package folder gets an empty `.git` so that it is its own workspace root (configuration,\n"
            ".gitignore and manifests are looked up there, not in the Redline checkout around it). Counts are\n"
            "lower bounds where a file hit the 500-findings-per-file cap (an `RL000` row says so) or a time\n"
            "limit (counted as engine errors). Sampled triage of these findings: [triage.md](triage.md).\n\n"
        )
        # A new dated section on top; earlier runs stay below it (their figures are the baseline
        # the next fixes are measured against).
        when = max((r.data.get("_bench", {}).get("when", "") for r in runs), default="") or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        section = f"## Run of {when} (commit {commit.split(' ')[0]})\n\n" + text
        old = MARKDOWN.read_text() if MARKDOWN.exists() else ""
        marker = "Sampled triage of these findings: [triage.md](triage.md).\n\n"
        body = old.split(marker, 1)[1] if marker in old else ""
        if body and not body.startswith("## "):
            body = "## Earlier run\n\n" + body
        MARKDOWN.write_text(head + section + ("\n" + body if body else ""))
        print(f"wrote {MARKDOWN}")
    if args.sample:
        write_sample(runs, args.sample, args.seed, args.sample_out, commit)
    if args.triage:
        print(score_triage(args.triage, runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
