"""Where a keystroke's time goes inside the language server, without the protocol.

    PYTHONPATH=server .venv/bin/python bench/lsp_stages.py [--lines 2000 10000] [--runs 3] [--autoclose]
    PYTHONPATH=server .venv/bin/python bench/lsp_stages.py --real python:10k [--scenarios method,module]

With `--real LANGUAGE:SIZE`, the edits are bench/lsp_realcode.py's scenarios on that real file
(fetched into bench/corpora/latency/ the first time), one block of figures per scenario.

Types the same 200 characters as bench/lsp_latency.py into the same generated Python files,
through `Session.change` in this process (no pipes, no worker, no timers: the pause-time work
never runs), and prints per stage the median and p95 of the CPU time of this thread
(`time.thread_time`, so other processes on a busy machine do not inflate it), the median over
`--runs` runs of each figure, and how many keystrokes' reparse gave up within its budget
(documents/store.py, lsp/session.reparse_budget).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "server"))

import lsp_latency as L  # noqa: E402  (the same file and keystrokes)

from redline.documents.store import Change  # noqa: E402
from redline.lsp import analysis  # noqa: E402
from redline.lsp import session as session_mod  # noqa: E402


class _Sink:
    def publish(self, uri, version, diagnostics):
        pass

    def publish_raw(self, uri, version, text):
        pass

    def log(self, level, message):
        pass

    def show(self, level, message):
        pass

    def refresh(self):
        pass


def _timed(record: list[float], fn):
    def wrapper(*args, **kwargs):
        t = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            record.append((time.thread_time() - t) * 1000)

    return wrapper


def _lsp_changes(text: str, edits: int, autoclose: bool):
    for line, col, ch in L.typing_edits(text, edits, autoclose):
        yield Change(((line, col), (line, col)), ch)


def one_run(lines: int, edits: int, autoclose: bool, real=None) -> tuple[dict[str, list[float]], int]:
    """`real`: (language, text, LSP content changes) instead of the generated file."""
    if real is None:
        text, language = L.python_file(lines), "python"
        changes = _lsp_changes(text, edits, autoclose)
    else:
        language, text, lsp = real
        changes = (Change(((c["range"]["start"]["line"], c["range"]["start"]["character"]),
                           (c["range"]["end"]["line"], c["range"]["end"]["character"])), c["text"]) for c in lsp)
    s = session_mod.Session(_Sink())
    uri = "file:///bench/typing." + {"python": "py", "javascript": "js", "typescript": "ts", "go": "go",
                                      "java": "java"}[language]
    s.open(uri, language, 1, text)
    stages: dict[str, list[float]] = {"reparse": [], "finalize": [], "diagnostics": []}
    deferred = 0
    doc = s.document(uri)
    doc_reparse = doc.reparse

    def reparse(*a, **k):
        nonlocal deferred
        result = doc_reparse(*a, **k)
        deferred += bool(result is not None and result.deferred)
        return result

    doc.reparse = _timed(stages["reparse"], reparse)
    final = analysis._final
    analysis._final = _timed(stages["finalize"], final)
    s._new_report = _timed(stages["diagnostics"], s._new_report)
    total: list[float] = []
    engines: dict[str, list[float]] = {}
    try:
        for version, change_ in enumerate(changes, start=2):
            t = time.thread_time()
            s.change(uri, version, [change_])
            total.append((time.thread_time() - t) * 1000)
            for name, ms in s.record(uri).state.timings:
                engines.setdefault(f"engine {name}", []).append(ms)
    finally:
        analysis._final = final
    return {"Session.change": total, **stages, **engines}, deferred


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--autoclose", action="store_true")
    ap.add_argument("--real", help="LANGUAGE:SIZE of a bench/lsp_realcode.py corpus (python:10k, go:2k, ...)")
    ap.add_argument("--scenarios", help="with --real: comma-separated scenarios (default: all)")
    ap.add_argument("--top-level-units", action="store_true",
                    help="re-scan whole top-level definitions (rescan without the previous text), for comparison")
    args = ap.parse_args()
    if args.top_level_units:
        from redline.rules import engine as rule_engine

        rescan = rule_engine.rescan
        rule_engine.rescan = lambda *a, before=None, **k: rescan(*a[:6], **k)
    print(f"# lsp_stages: {args.edits} keystrokes, CPU ms of this thread, median of {args.runs} runs")
    if args.real:
        import lsp_realcode as R

        language, size = args.real.split(":")
        corpus = next(c for c in R.CORPORA if c.language == language and c.size == size)
        text = R.fetch(corpus).read_text(encoding="utf-8")
        for name in (args.scenarios.split(",") if args.scenarios else R.SCENARIOS):
            lsp = R.scenario_edits(name, language, text)
            runs = [one_run(0, 0, False, (language, text, lsp)) for _ in range(args.runs)]
            print(f"{corpus.member.split('/')[-1]} ({text.count(chr(10))} lines) scenario {name}: {len(lsp)} edits; "
                  f"reparses that gave up: {statistics.median(d for _, d in runs):.0f}")
            for stage in runs[0][0]:
                meds = [statistics.median(r[stage]) for r, _ in runs if r.get(stage)]
                p95s = [L.percentile(r[stage], 0.95) for r, _ in runs if r.get(stage)]
                if meds:
                    print(f"  {stage:24s} median {statistics.median(meds):6.2f}  p95 {statistics.median(p95s):6.2f}")
        return 0
    for lines in args.lines:
        runs = [one_run(lines, args.edits, args.autoclose) for _ in range(args.runs)]
        budget = session_mod.reparse_budget(len(L.python_file(lines).split("\n"))) * 1000
        deferred = statistics.median(d for _, d in runs)
        print(f"{lines} lines (reparse budget {budget:.1f} ms; reparses that gave up: {deferred:.0f} of {args.edits})")
        for name in runs[0][0]:
            meds = [statistics.median(r[name]) for r, _ in runs if r.get(name)]
            p95s = [L.percentile(r[name], 0.95) for r, _ in runs if r.get(name)]
            count = statistics.median(len(r.get(name, ())) for r, _ in runs)
            if meds:
                print(f"  {name:24s} median {statistics.median(meds):6.2f}  p95 {statistics.median(p95s):6.2f}  (n={count:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
