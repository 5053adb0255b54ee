#!/usr/bin/env python3
"""JavaScript/TypeScript rules on benign code: findings per rule, and each finding for triage.

    python bench/js_noise.py [DIR ...] [--list] [--rules RL101,RL130]

Scans every JavaScript/TypeScript file under each DIR (default: the npm packages of the
real-code benchmark, bench/corpora/realworld/src/npm, and vscode-client/node_modules), skipping
minified files, `.d.ts` and files over 400 kB as bench/jsgojava_false_alarms.py does, with a
registry of every built-in rule file (every rule that reads JavaScript: this area's
javascript.toml and the shared families, web-app, ReDoS and secrets rules). Prints the files, lines and findings per 10k lines, counts
by rule and confidence, and with `--list` every finding (path:line, rule, confidence, the line)
so that each can be judged. Counts are deterministic; nothing is timed.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from jsgojava_false_alarms import js_files, usable  # noqa: E402

from redline import languages as langs  # noqa: E402
from redline.documents.source import SourceFile  # noqa: E402
from redline.rules import engine  # noqa: E402
from redline.rules.loader import builtin_rule_files, load_texts  # noqa: E402
from redline.rules.registry import Registry  # noqa: E402

DEFAULT = [ROOT / "bench" / "corpora" / "realworld" / "src" / "npm", ROOT / "vscode-client" / "node_modules"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--list", action="store_true", help="print every finding")
    ap.add_argument("--rules", help="only these rule codes (comma-separated)")
    args = ap.parse_args(argv)
    paths = list(builtin_rule_files())
    reg = Registry(load_texts([(str(p), p.read_text("utf-8")) for p in paths]))
    only = set(args.rules.split(",")) if args.rules else None
    for root in args.dirs or DEFAULT:
        if not root.is_dir():
            print(f"(no folder {root})\n")
            continue
        files = [f for f in js_files(root) if f[1] in ("javascript", "typescript", "tsx") and usable(f[2])]
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
