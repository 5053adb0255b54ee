#!/usr/bin/env python3
"""What the dataflow models (rules/models/<language>.toml) cost at start-up.

    python bench/models_load.py [--repeat N]

Prints, per model, the CPU time to read and check the file (`models.parse`, best of N), the time
to build the Go analyzer's tables from its model (`taint_go.GoModel`), and whether importing the
Go rules' modules (`redline.rules.predicates.go`) reads go.toml (it should not: the Go model is
read on first use). Deterministic apart from the timings.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))


def best(fn, repeat: int) -> float:
    out = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        out = min(out, time.process_time() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    from redline.rules import models

    loaded_before = set(models._models)
    import redline.rules.predicates.go  # noqa: F401  (imports taint_go)
    from redline.rules.predicates import taint_go

    read_at_import = sorted(set(models._models) - loaded_before)
    print(f"models read by importing the Go predicates: {read_at_import or 'none'}")
    for path in sorted(models.HERE.glob("*.toml")):
        text = path.read_text("utf-8")
        ms = best(lambda path=path, text=text: models.parse(path, text), args.repeat) * 1000
        print(f"parse {path.name:18} {len(text.splitlines()):4} lines  {ms:6.2f} ms CPU (best of {args.repeat})")
    go = models.load("go")
    ms = best(lambda: taint_go.GoModel(go), args.repeat) * 1000
    print(f"taint_go.GoModel tables      {ms:6.2f} ms CPU (best of {args.repeat})")
    t = time.process_time()
    models._models.pop("go", None)
    taint_go._tables = None
    taint_go.go_model()
    print(f"first go_model() (read + check + tables): {(time.process_time() - t) * 1000:.2f} ms CPU")


if __name__ == "__main__":
    main()
