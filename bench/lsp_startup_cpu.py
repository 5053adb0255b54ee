"""Where the language server's start-up CPU goes, stage by stage, up to the first diagnostics of
a 2k-line Python file (in one process, without the protocol's pipes; CPU time, which a loaded
machine inflates far less than wall time).

    PYTHONPATH=server .venv/bin/python bench/lsp_startup_cpu.py [--runs 5]

Each run is a fresh interpreter. Stages: importing lsprotocol.types (pygls' message classes:
every pygls server pays it), pygls, Redline's server modules (create_server), the rules
(Session.configure), the first document (Session.open: engines imported, query compiled, first
scan). `--gc-ab` runs every other interpreter with the cyclic GC on during start-up (the server
turns it off until the first document: lsp/server.py run) and prints both medians.
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
    gc.disable()
T = time.process_time
marks = [("start", T())]
def mark(name): marks.append((name, T()))
import lsprotocol.types  # noqa
mark("import lsprotocol.types")
import pygls.lsp.server  # noqa
mark("import pygls")
from redline.lsp.server import create_server
server = create_server()
mark("redline server modules")
from redline.lsp.settings import ServerSettings
s = server.session
s.configure(ServerSettings())
mark("rules (Session.configure)")
sys.path.insert(0, sys.argv[2])
from lsp_latency import python_file
text = python_file(2000)
class Sink:
    def publish(self, *a): pass
    def log(self, *a): pass
    def show(self, *a): pass
    def refresh(self): pass
s.sink = Sink()
t = T()
s.open("file:///tmp/redline-bench-startup/first.py", "python", 1, text)
marks.append(("first document (open 2k lines)", T() - t + marks[-1][1]))
out = {}
for (_, a), (name, b) in zip(marks, marks[1:]):
    out[name] = (b - a) * 1000
out["total"] = (marks[-1][1] - marks[0][1]) * 1000
print(json.dumps(out))
'''


def run(gc_mode: str) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT / "server"))
    r = subprocess.run([sys.executable, "-c", CHILD, gc_mode, str(ROOT / "bench")], capture_output=True, text=True,
                       env=env, cwd="/tmp", check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gc-ab", action="store_true")
    args = ap.parse_args()
    modes = ["off", "on"] if args.gc_ab else ["off"]
    results: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(args.runs):
        for m in modes:
            results[m].append(run(m))
    print(f"# lsp_startup_cpu: {args.runs} runs; python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.2f}; CPU ms, median (min)")
    for m in modes:
        print(f"## cyclic GC {'off until the first document (as the server runs)' if m == 'off' else 'on during start-up'}")
        for stage in results[m][0]:
            values = [r[stage] for r in results[m]]
            print(f"{stage:40} {statistics.median(values):7.0f} ({min(values):.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
