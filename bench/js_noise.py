#!/usr/bin/env python3
"""JavaScript/TypeScript rules on benign code: findings per rule, and each finding for triage.

    python bench/js_noise.py [DIR ...] [--list] [--rules RL101,RL130] [--server SNAPSHOT/server]

Scans every JavaScript/TypeScript file under each DIR (default: the npm packages of the
real-code benchmark, bench/corpora/realworld/src/npm, and vscode-client/node_modules), skipping
minified files, `.d.ts` and files over 400 kB as bench/jsgojava_false_alarms.py does, with a
registry of every built-in rule file (every rule that reads JavaScript: this area's
javascript.toml and the shared families, web-app, ReDoS and secrets rules). Prints the files, lines and findings per 10k lines, counts
by rule and confidence, and with `--list` every finding (path:line, rule, confidence, the line)
so that each can be judged. `--server` imports Redline from another server/ folder (a clean
export of a commit) to compare two versions on the same files. Counts are deterministic;
nothing is timed.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DEFAULT = [ROOT / "bench" / "corpora" / "realworld" / "src" / "npm", ROOT / "vscode-client" / "node_modules"]
EXTS = {".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript", ".ts": "typescript",
        ".tsx": "tsx"}


def js_files(root: Path):
    """(relative path, language, bytes) of the JS/TS files under root, as bench/jsgojava_false_alarms.py
    picks them: no .d.ts, no .min., no file over 400 kB or with fewer than 3 line breaks."""
    for d, _, names in os.walk(root):
        for n in sorted(names):
            ext = os.path.splitext(n)[1]
            if ext in EXTS and not n.endswith(".d.ts") and ".min." not in n:
                p = Path(d) / n
                data = p.read_bytes()
                if len(data) <= 400_000 and data.count(b"\n") >= 3:
                    yield str(p.relative_to(root)), EXTS[ext], data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--list", action="store_true", help="print every finding")
    ap.add_argument("--rules", help="only these rule codes (comma-separated)")
    ap.add_argument("--server", type=Path, default=ROOT / "server",
                    help="the server/ folder to import Redline from (a snapshot: git archive REV server | tar -x -C DIR)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.server.resolve()))
    from redline import languages as langs
    from redline.documents.source import SourceFile
    from redline.rules import engine
    from redline.rules.loader import builtin_rule_files, load_texts
    from redline.rules.registry import Registry

    print(f"Redline from {args.server}\n")
    paths = list(builtin_rule_files())
    reg = Registry(load_texts([(str(p), p.read_text("utf-8")) for p in paths]))
    only = set(args.rules.split(",")) if args.rules else None
    for root in args.dirs or DEFAULT:
        if not root.is_dir():
            print(f"(no folder {root})\n")
            continue
        files = list(js_files(root))
        lines = sum(d.count(b"\n") + 1 for _, _, d in files)
        counts: collections.Counter = collections.Counter()
        listed = []
        for path, lang, data in files:
            tree = langs.new_parser(lang).parse(data)
            result = engine.scan(SourceFile(path, lang, data, tree), reg)
            text = data.decode("utf-8", "replace").splitlines()
            for f in result.findings:
                if only and f.code not in only:
                    continue
                counts[(f.code, f.confidence.value)] += 1
                line = text[f.span.start_line].strip() if f.span.start_line < len(text) else ""
                listed.append(f"{path}:{f.span.start_line + 1} {f.code} {f.confidence.value}: {line[:150]}")
        total = sum(counts.values())
        label = root.relative_to(ROOT) if root.is_relative_to(ROOT) else root
        print(f"### {label}\n\n{len(files)} files, {lines:,} lines; {total} findings = "
              f"{total * 1e4 / max(lines, 1):.2f} per 10k lines\n")
        print("| rule | high | medium | low |\n|---|---|---|---|")
        for code in sorted({c for c, _ in counts}):
            print(f"| {code} | " + " | ".join(str(counts[(code, k)]) for k in ("high", "medium", "low")) + " |")
        print()
        if args.list:
            print("\n".join(listed))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
