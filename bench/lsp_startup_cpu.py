"""Where the language server's start-up CPU goes, stage by stage, up to the first diagnostics of
a 2k-line Python file (in one process, without the protocol's pipes; CPU time, which a loaded
machine inflates far less than wall time).

    PYTHONPATH=server .venv/bin/python bench/lsp_startup_cpu.py [--runs 5] [--importtime]

The measured tree's bytecode is compiled first (PYTHONDONTWRITEBYTECODE would otherwise make
every recently edited module compile in every run). `--importtime` adds one run under
-X importtime: the first document's imports.

Each run is a fresh interpreter; `--rss` then opens 50 more documents and prints the RSS. Stages: importing lsprotocol.types (pygls' message classes:
every pygls server pays it), pygls, Redline's server modules (create_server), the rules
(Session.configure), the first document (Session.open: engines imported, query compiled, first
scan). `--gc-ab` is an experiment the server does not use: every other interpreter runs with
the cyclic GC off until create_server returns and then freezes what the imports made; it saves
~60-100 ms of CPU but keeps the imports' garbage cycles for good (+10 MB RSS with 50 open
documents), and collecting them first costs what was saved (bench/results/latency.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import gc, json, sys, time
if sys.argv[1] == "off":
    gc.disable()  # --gc-ab: the cyclic GC off during the imports, then what they made frozen
T = time.process_time
marks = [("start", T())]
def mark(name): marks.append((name, T()))
import lsprotocol.types  # noqa
mark("import lsprotocol.types")
import pygls.lsp.server  # noqa
mark("import pygls")
from redline.lsp.server import create_server
server = create_server()
if sys.argv[1] == "off":
    gc.freeze()
    gc.enable()
mark("redline server modules")
from redline.lsp.settings import ServerSettings
s = server.session
s.configure(ServerSettings())
mark("rules (Session.configure)")
# bench/lsp_latency.py loaded by its path: bench/ on sys.path would shadow the standard library
# (bench/secrets.py is imported for `import secrets` by redline.cache, with the engines it loads).
import importlib.util
spec = importlib.util.spec_from_file_location("lsp_latency", sys.argv[2] + "/lsp_latency.py")
lsp_latency = sys.modules["lsp_latency"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lsp_latency)
python_file = lsp_latency.python_file
text = python_file(2000)
class Sink:
    def publish(self, *a): pass
    def log(self, *a): pass
    def show(self, *a): pass
    def refresh(self): pass
s.sink = Sink()
before = set(sys.modules)
t = T()
s.open("file:///tmp/redline-bench-startup/first.py", "python", 1, text)
opened = sorted(set(sys.modules) - before)
marks.append(("first document (open 2k lines)", T() - t + marks[-1][1]))
out = {}
for (_, a), (name, b) in zip(marks, marks[1:]):
    out[name] = (b - a) * 1000
out["total"] = (marks[-1][1] - marks[0][1]) * 1000
out["modules imported by the first document"] = len(opened)
if sys.argv[3] == "rss":
    import os
    for i in range(50):
        s.open(f"file:///tmp/redline-bench-startup/d{i}.py", "python", 1, text.replace("helper_", f"helper{i}_"))
    pages = int(open("/proc/self/statm").read().split()[1])
    out["RSS MB, 51 open documents"] = pages * os.sysconf("SC_PAGE_SIZE") / 2**20
print(json.dumps(out))
print(json.dumps(opened))
'''


IMPORTS: list[tuple[float, str]] = []  # --importtime: (ms, module) of the first document's top-level imports


def run(gc_mode: str, rss: bool, importtime: bool = False) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT / "server"))
    flags = ["-X", "importtime"] if importtime else []
    r = subprocess.run([sys.executable, *flags, "-c", CHILD, gc_mode, str(ROOT / "bench"), "rss" if rss else "-"], capture_output=True, text=True,
                       env=env, cwd="/tmp", check=True)
    lines = r.stdout.strip().splitlines()
    if importtime:
        opened = set(json.loads(lines[-1]))
        IMPORTS.clear()
        for row in r.stderr.splitlines():
            parts = row.split("|")
            # top-level imports only (no indent): their cumulative time includes what they import
            if len(parts) == 3 and row.startswith("import time:") and not parts[2].startswith("  ") and parts[2].strip() in opened:
                IMPORTS.append((int(parts[1]) / 1000, parts[2].strip()))
    return json.loads(lines[-2])


def compile_bytecode() -> str:
    """Write the bytecode of the server measured (the first PYTHONPATH entry, else server/), as
    an installed package has it: with PYTHONDONTWRITEBYTECODE set (as in this machine's
    sessions) every module edited since its last .pyc would otherwise be compiled in every run
    (~150 ms of a first document)."""
    server = (os.environ.get("PYTHONPATH") or str(ROOT / "server")).split(os.pathsep)[0]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(server) / "redline")], env=env, check=False,
                   stdout=subprocess.DEVNULL)
    return server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gc-ab", action="store_true")
    ap.add_argument("--rss", action="store_true", help="then open 50 more documents and print the RSS")
    ap.add_argument("--importtime", action="store_true",
                    help="then one more run under -X importtime: the first document's imports (ms, cumulative)")
    args = ap.parse_args()
    server = compile_bytecode()
    modes = ["on", "off"] if args.gc_ab else ["on"]
    results: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(args.runs):
        for m in modes:
            results[m].append(run(m, args.rss))
    print(f"# lsp_startup_cpu: {args.runs} runs; python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.2f}; CPU ms, median (min); {server} (bytecode compiled first)")
    for m in modes:
        print(f"## cyclic GC {'off until create_server returns, then frozen (experiment)' if m == 'off' else 'on (as the server runs)'}")
        for stage in results[m][0]:
            values = [r[stage] for r in results[m]]
            print(f"{stage:40} {statistics.median(values):7.0f} ({min(values):.0f})")
    if args.importtime:
        run("on", False, importtime=True)
        print(f"## -X importtime, one run: imports inside the first document {sum(t for t, _ in IMPORTS):.0f} ms "
              f"(top-level, cumulative)")
        for ms, name in sorted(IMPORTS, reverse=True)[:8]:
            print(f"{name:40} {ms:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
