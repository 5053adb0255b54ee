"""The popular-package lists shipped as package data (`data/top-pypi.txt`, `data/top-npm.txt`).

One name per line in rank order (most popular first); `#` lines are comments (source, licence).
Attribution is in `data/NOTICE-advisories.md`. Committed to the repository; `make data` regenerates
them from the shared JSON files with

    python -m redline.deps.toplists ../shared/data [OUTPUT_DIR]
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import threading
from importlib import resources
from pathlib import Path

from redline.deps import versions as V
from redline.secrets.regex import linear

FILES = {V.PYPI: "top-pypi.txt", V.NPM: "top-npm.txt"}
SOURCES = {V.PYPI: "top-pypi-packages.json", V.NPM: "top-npm-packages.json"}

_lock = threading.Lock()
_cache: dict[str, tuple[str, ...]] = {}


def path_of(ecosystem: str) -> Path:
    return Path(str(resources.files("redline") / "data" / FILES[ecosystem]))


def load(ecosystem: str) -> tuple[str, ...]:
    """Normalized names in rank order (as written by `write_from_shared`); empty when the
    ecosystem has no list or the file is missing."""
    if ecosystem not in FILES:
        return ()
    cached = _cache.get(ecosystem)
    if cached is not None:
        return cached
    with _lock:
        if ecosystem not in _cache:
            try:
                text = path_of(ecosystem).read_text("utf-8")
            except OSError:
                text = ""
            # The file is written normalized and without duplicates (write_from_shared):
            # loading is a split, not 15,000 normalizations.
            _cache[ecosystem] = tuple(
                line for line in (raw.strip() for raw in text.splitlines()) if line and not line.startswith("#")
            )
    return _cache[ecosystem]


_SNAPSHOT = linear(r"^#\s*Snapshot:\s*(\d{4}-\d{2}-\d{2})", re.M)  # RE2: the regex inventory test


def snapshot(ecosystem: str) -> str | None:
    """The `# Snapshot: YYYY-MM-DD` date in the list's header, if any."""
    try:
        with path_of(ecosystem).open(encoding="utf-8") as f:
            head = "".join(f.readline() for _ in range(8))
    except (OSError, KeyError):
        return None
    m = _SNAPSHOT.search(head)
    return m.group(1) if m else None


def write_from_shared(data_dir: Path, out_dir: Path, snapshot_date: str | None = None) -> dict[str, int]:
    """Write the lists from `../shared/data/top-*-packages.json`; counts per ecosystem.
    `snapshot_date` (YYYY-MM-DD, default today) is when the source lists were collected."""
    day = dt.date.fromisoformat(snapshot_date or dt.date.today().isoformat()).isoformat()
    counts = {}
    for eco, src in SOURCES.items():
        doc = json.loads((data_dir / src).read_text("utf-8"))
        names = list(dict.fromkeys(V.normalize_name(eco, n) for n in doc["packages"] if isinstance(n, str) and n.strip()))
        header = [
            f"# {eco} popular packages, most popular first ({len(names)} names).",
            f"# Source: {doc.get('source', src)}",
            f"# Licence: {doc.get('license', 'see NOTICE-advisories.md')}",
            f"# Snapshot: {day}",
            "# Attribution: NOTICE-advisories.md. Regenerate: make data (python -m redline.deps.toplists ../shared/data)",
        ]
        (out_dir / FILES[eco]).write_text("\n".join(header + names) + "\n", "utf-8")
        counts[eco] = len(names)
    return counts


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3, 4):
        print("usage: python -m redline.deps.toplists SHARED_DATA_DIR [OUTPUT_DIR [SNAPSHOT_DATE]]", file=sys.stderr)
        sys.exit(2)
    out = Path(sys.argv[2]) if len(sys.argv) >= 3 else Path(str(resources.files("redline") / "data"))
    print(write_from_shared(Path(sys.argv[1]), out, sys.argv[3] if len(sys.argv) == 4 else None))
