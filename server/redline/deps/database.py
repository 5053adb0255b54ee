"""The compact advisory database: build it from OSV records, write it atomically, load it fast,
look advisories up by ecosystem and normalized package name.

File format (`advisories.rldb`, version 1):

    REDLINE-ADVISORIES 1\\n
    <header: one line of JSON>\\n
    <body: zlib-compressed JSON blobs, one per package>

The header holds `meta` (build time, sources, counts, newest advisory date per ecosystem),
`body_sha256`, and `index`: {ecosystem: {name: [offset, length]}} into the body. Loading reads
the file and parses only the header (a few milliseconds); a package's blob is inflated the first
time it is looked up. Every package name with an advisory is in the index, so the index is also
a list of names that certainly exist in their registry.

Where the database is found (`database_path`):
1. `$REDLINE_ADVISORY_DB` (a file), when set;
2. the user's copy written by `redline db update` in the per-user cache folder
   (`user_database_path()`: `$XDG_CACHE_HOME/redline` or `~/.cache/redline` on Linux,
   `~/Library/Caches/redline` on macOS, `%LOCALAPPDATA%\\redline\\Cache` on Windows;
   `$REDLINE_DATA_DIR` overrides the folder), when present;
3. the copy shipped in the package (`redline/data/advisories.rldb`), committed to the
   repository and refreshed by `make data` from ../shared/data/osv, so that any install
   (wheel, sdist, `pip install .` from a clone) has it.

Every database records its snapshot date (`meta.snapshot`: when the data was collected or
downloaded). One older than `STALE_AFTER_DAYS` earns a one-line hint (`stale_hint_once`) in the
CLI and in the editor, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
import threading
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from redline.atomic import replace_file
from redline.deps import osv
from redline.deps import versions as V

MAGIC = b"REDLINE-ADVISORIES 1\n"
FILE_NAME = "advisories.rldb"
NOTICE_NAME = "NOTICE-advisories.md"
ENV_PATH = "REDLINE_ADVISORY_DB"
ENV_DATA_DIR = "REDLINE_DATA_DIR"
OLD_AFTER_DAYS = 180  # advisory data older than this is called out in finding messages
STALE_AFTER_DAYS = 30  # a snapshot older than this earns one hint per run or editor session


class DatabaseError(Exception):
    """The database file is missing, unreadable or not in the expected format."""


@lru_cache(maxsize=1)
def _data_dir() -> Path:
    return Path(str(resources.files("redline") / "data"))


def packaged_database_path() -> Path:
    return _data_dir() / FILE_NAME


def user_cache_dir(platform: str | None = None, environ=None) -> Path:
    """The per-user folder for downloaded data (`redline db update`, registry answers), after
    each platform's convention; `$REDLINE_DATA_DIR` overrides it."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    explicit = env.get(ENV_DATA_DIR)
    if explicit:
        return Path(explicit)
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "redline" / "Cache"
    if platform == "darwin":
        return Path.home() / "Library" / "Caches" / "redline"
    base = env.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative path is invalid and ignored
        base = str(Path.home() / ".cache")
    return Path(base) / "redline"


def user_data_dir() -> Path:
    """Kept for callers of the older name: downloaded data lives in the cache folder."""
    return user_cache_dir()


def user_database_path() -> Path:
    return user_data_dir() / FILE_NAME


def database_source() -> tuple[str, Path]:
    """("env" | "cache" | "bundled", path) of the database Redline uses."""
    explicit = os.environ.get(ENV_PATH)
    if explicit:
        return "env", Path(explicit)
    user = user_database_path()
    if user.is_file():
        return "cache", user
    return "bundled", packaged_database_path()


def database_path() -> Path:
    return database_source()[1]


def notice_path() -> Path:
    return _data_dir() / NOTICE_NAME


# ------------------------------------------------------------------------------------ build


_ID_YEAR = re.compile(r"^[A-Z]+-(\d{4})-")


def _id_year(rid) -> str | None:
    """`YYYY-01-01` for ids like GO-2026-1234 or PYSEC-2024-12 (a lower bound of the date)."""
    m = _ID_YEAR.match(rid) if isinstance(rid, str) else None
    return f"{m.group(1)}-01-01" if m and "1990" <= m.group(1) <= "2100" else None


def _date_of(value) -> str | None:
    """`YYYY-MM-DD` of an OSV timestamp, or None for placeholders (Go's 0001-01-01)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    day = value[:10]
    if day < "1990-01-01" or not day[:4].isdigit():
        return None
    return day


@dataclass
class EcosystemInput:
    """Records of one ecosystem and where they came from (for `meta.sources`)."""

    ecosystem: str
    records: Iterable[dict]
    source: dict = field(default_factory=dict)


def build(
    inputs: Iterable[EcosystemInput], notice: str | None = None, fetched: str | None = None, snapshot: str | None = None
) -> bytes:
    """The bytes of a database file holding every input record.

    `fetched` (an ISO timestamp) records when the records were downloaded (`db update`); the
    data's age is then counted from it instead of from the newest advisory date. `snapshot`
    (YYYY-MM-DD) is when the data was collected; by default the download or build date."""
    if snapshot is not None:
        try:
            dt.date.fromisoformat(snapshot)
        except (TypeError, ValueError):
            raise DatabaseError(f"snapshot date {snapshot!r} is not YYYY-MM-DD") from None
    packages: dict[str, dict[str, list[dict]]] = {}
    ecos: dict[str, dict] = {}
    for item in inputs:
        eco = item.ecosystem
        if eco not in V.ECOSYSTEMS:
            raise DatabaseError(f"unsupported ecosystem {eco!r} (supported: {', '.join(V.ECOSYSTEMS)})")
        stats: dict = {"read": 0, "used": 0}
        newest: str | None = None
        per_name = packages.setdefault(eco, {})
        for record in item.records:
            stats["read"] += 1
            used = False
            for name, entry in osv.compact(record, eco, stats):
                per_name.setdefault(name, []).append(entry)
                used = True
            if used:
                stats["used"] += 1
                for day in (_date_of(record.get("modified")), _date_of(record.get("published")), _id_year(record.get("id"))):
                    if day and (newest is None or day > newest):
                        newest = day
        info = ecos.setdefault(eco, {"records": 0, "read": 0, "withdrawn": 0, "newest": None, "sources": []})
        info["records"] += stats["used"]
        info["read"] += stats["read"]
        info["withdrawn"] += stats.get("withdrawn", 0)
        info["unparsable_ranges"] = info.get("unparsable_ranges", 0) + stats.get("unparsable_ranges", 0)
        if newest and (info["newest"] is None or newest > info["newest"]):
            info["newest"] = newest
        if item.source:
            info["sources"].append(item.source)
        if fetched:
            info["fetched"] = fetched
    body = bytearray()
    index: dict[str, dict[str, list[int]]] = {}
    for eco in sorted(packages):
        index[eco] = {}
        for name in sorted(packages[eco]):
            entries = sorted(packages[eco][name], key=lambda e: e["id"])
            blob = zlib.compress(json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode(), 9)
            index[eco][name] = [len(body), len(blob)]
            body += blob
        ecos[eco]["packages"] = len(index[eco])
    built = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    meta = {
        "format": 1,
        "built": built,
        "snapshot": snapshot or (fetched or built)[:10],
        "ecosystems": ecos,
        "notice": notice or NOTICE_NAME,
    }
    header = {"meta": meta, "body_sha256": hashlib.sha256(body).hexdigest(), "index": index}
    return MAGIC + json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" + bytes(body)


def read_jsonl_dir(folder: Path) -> list[EcosystemInput]:
    """The OSV JSONL files of a folder (`PyPI.jsonl`, `npm.jsonl`, `Go.jsonl`, `Maven.jsonl`)."""
    inputs = []
    for eco in V.ECOSYSTEMS:
        path = folder / f"{eco}.jsonl"
        if not path.is_file():
            continue
        data = path.read_bytes()
        records = []
        for n, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise DatabaseError(f"{path}:{n}: not JSON: {e}") from None
        source = {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "records": len(records)}
        inputs.append(EcosystemInput(eco, records, source))
    if not inputs:
        raise DatabaseError(f"no OSV files in {folder} (expected {', '.join(e + '.jsonl' for e in V.ECOSYSTEMS)})")
    return inputs


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates 0600; the database is not secret
    replace_file(path, data, prefix=f".{path.name}.", mode=0o644, fsync=True)


# ------------------------------------------------------------------------------------- load


class AdvisoryDB:
    """A loaded database. Lookups are thread-safe; blobs are inflated once and cached."""

    def __init__(self, path: Path | None, meta: dict, index: dict, body: bytes, body_sha256: str):
        self.path = path
        self.meta = meta
        self._index = index
        self._body = body
        self._body_sha256 = body_sha256
        self._cache: dict[tuple[str, str], tuple[osv.Advisory, ...]] = {}
        self._affecting: dict[tuple[str, str, str], list[osv.Advisory]] = {}
        self._lock = threading.Lock()
        self.memo: dict = {}  # derived answers (e.g. the smallest safe version), per database

    @classmethod
    def from_bytes(cls, data: bytes, path: Path | None = None) -> "AdvisoryDB":
        where = str(path) if path else "advisory database"
        if not data.startswith(MAGIC):
            raise DatabaseError(f"{where}: not a Redline advisory database (format 1)")
        end = data.find(b"\n", len(MAGIC))
        if end < 0:
            raise DatabaseError(f"{where}: truncated header")
        try:
            header = json.loads(data[len(MAGIC) : end])
            meta, index, sha = header["meta"], header["index"], header["body_sha256"]
        except (ValueError, KeyError, TypeError) as e:
            raise DatabaseError(f"{where}: broken header: {e}") from None
        if not isinstance(index, dict) or not isinstance(meta, dict):
            raise DatabaseError(f"{where}: broken header")
        return cls(path, meta, index, data[end + 1 :], sha)

    @classmethod
    def load(cls, path: Path) -> "AdvisoryDB":
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DatabaseError(f"no advisory database at {path}") from None
        except OSError as e:
            raise DatabaseError(f"cannot read {path}: {e}") from None
        return cls.from_bytes(data, path)

    def verify(self) -> None:
        """Check the body against its checksum and inflate every blob (DatabaseError if broken)."""
        if hashlib.sha256(self._body).hexdigest() != self._body_sha256:
            raise DatabaseError(f"{self.path or 'database'}: checksum mismatch")
        for eco, names in self._index.items():
            for name in names:
                self.advisories(eco, name)

    # lookups
    def ecosystems(self) -> list[str]:
        return sorted(self._index)

    def names(self, ecosystem: str) -> set[str]:
        return set(self._index.get(ecosystem, {}))

    def has_package(self, ecosystem: str, name: str) -> bool:
        return V.normalize_name(ecosystem, name) in self._index.get(ecosystem, {})

    def advisories(self, ecosystem: str, name: str) -> tuple[osv.Advisory, ...]:
        key = (ecosystem, V.normalize_name(ecosystem, name))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        where = self._index.get(ecosystem, {}).get(key[1])
        if where is None:
            return ()
        offset, length = where
        try:
            entries = json.loads(zlib.decompress(self._body[offset : offset + length]))
            result = tuple(osv.Advisory.from_entry(ecosystem, key[1], e) for e in entries)
        except (zlib.error, ValueError, KeyError, TypeError) as e:
            raise DatabaseError(f"{self.path or 'database'}: broken entry for {ecosystem}/{key[1]}: {e}") from None
        with self._lock:
            self._cache[key] = result
        return result

    def _ceiling(self, ecosystem: str, name: str):
        """(bound, inclusive) above which no advisory of the package reaches and no version is
        listed, or None; lets most up-to-date versions skip the advisories one by one."""
        key = ("ceiling", ecosystem, V.normalize_name(ecosystem, name))
        if key not in self.memo:
            best = None
            for a in self.advisories(ecosystem, name):
                c = a.ceiling()
                if c is None or a.versions:
                    best = None
                    break
                if best is None or c[0] > best[0] or (c[0] == best[0] and c[1]):
                    best = c
            self.memo[key] = best
        return self.memo[key]

    def affecting(self, ecosystem: str, name: str, version: str) -> list[osv.Advisory]:
        key = (ecosystem, name, version)
        hit = self._affecting.get(key)
        if hit is None:
            ceiling = self._ceiling(ecosystem, name)
            parsed = V.parse(ecosystem, version.lstrip("v") if ecosystem == V.GO else version) if ceiling else None
            if parsed is not None and type(parsed) is type(ceiling[0]) and (
                parsed > ceiling[0] or (parsed == ceiling[0] and not ceiling[1])
            ):
                hit = []
            else:
                hit = [a for a in self.advisories(ecosystem, name) if a.affects(version)]
            if len(self._affecting) > 50_000:
                self._affecting.clear()
            self._affecting[key] = hit
        return list(hit)

    # facts for `db info` and messages
    @property
    def built(self) -> str | None:
        return self.meta.get("built")

    @property
    def snapshot(self) -> str | None:
        """YYYY-MM-DD the data was collected or downloaded (older files: their build date)."""
        day = self.meta.get("snapshot") or self.built
        return day[:10] if isinstance(day, str) else None

    def snapshot_age_days(self, today: dt.date | None = None) -> int | None:
        day = self.snapshot
        if not day:
            return None
        try:
            return max(0, ((today or dt.date.today()) - dt.date.fromisoformat(day)).days)
        except ValueError:
            return None

    def stale_hint(self, today: dt.date | None = None) -> str | None:
        """One line when the snapshot is older than STALE_AFTER_DAYS, else None."""
        age = self.snapshot_age_days(today)
        if age is None or age <= STALE_AFTER_DAYS:
            return None
        return (
            f"redline: the advisory database is {age} days old (snapshot {self.snapshot}); "
            "`redline db update` downloads a fresh one (needs `online = true`)"
        )

    def newest(self, ecosystem: str) -> str | None:
        return (self.meta.get("ecosystems", {}).get(ecosystem) or {}).get("newest")

    def fetched(self, ecosystem: str) -> str | None:
        return (self.meta.get("ecosystems", {}).get(ecosystem) or {}).get("fetched")

    def data_date(self, ecosystem: str) -> str | None:
        """When the ecosystem's data was current: the download date after `db update`, else
        the newest advisory date (a lower bound where sources carry placeholder dates)."""
        fetched = self.fetched(ecosystem)
        return fetched[:10] if fetched else self.newest(ecosystem)

    def age_days(self, ecosystem: str, today: dt.date | None = None) -> int | None:
        """Days since `data_date` (the data's age, not the file's)."""
        day = self.data_date(ecosystem)
        if not day:
            return None
        today = today or dt.date.today()
        try:
            return max(0, (today - dt.date.fromisoformat(day)).days)
        except ValueError:
            return None

    def staleness_note(self, ecosystem: str, today: dt.date | None = None) -> str | None:
        """A short note for messages when the ecosystem's advisories are old, else None."""
        age = self.age_days(ecosystem, today)
        if age is None or age <= OLD_AFTER_DAYS:
            return None
        return f"{ecosystem} advisory data is from {self.data_date(ecosystem)}, {age} days old: run `redline db update`"

    def counts(self) -> dict[str, dict]:
        out = {}
        for eco, info in sorted((self.meta.get("ecosystems") or {}).items()):
            out[eco] = {
                "records": info.get("records", 0),
                "packages": len(self._index.get(eco, {})),
                "withdrawn_skipped": info.get("withdrawn", 0),
                "newest": info.get("newest"),
                "fetched": info.get("fetched"),
            }
        return out


# --------------------------------------------------------------------- process-wide instance

_lock = threading.Lock()
_state: dict = {"key": None, "db": None, "error": None}


def get_database() -> tuple[AdvisoryDB | None, str | None]:
    """The database in use and None, or None and why it could not be loaded.

    Reloaded when the file changes (e.g. after `redline db update` while a server runs)."""
    path = database_path()
    try:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        key = (str(path), None, None)
    if _state["key"] == key:
        return _state["db"], _state["error"]
    with _lock:
        if _state["key"] == key:
            return _state["db"], _state["error"]
        try:
            db, error = AdvisoryDB.load(path), None
        except DatabaseError as e:
            db, error = None, (
                f"{e}; vulnerable-version checks are off. Build it with `make install` or "
                "`redline db build ../shared/data/osv` (or download with `redline db update`)"
            )
        _state.update(key=key, db=db, error=error)
        return db, error


def reset_cache() -> None:
    with _lock:
        _state.update(key=None, db=None, error=None)


_hinted = threading.Event()


def stale_hint_once(today: dt.date | None = None) -> str | None:
    """The database's stale hint the first time it is asked for in this process, else None
    (a CLI run prints it once on stderr, an editor session logs it once)."""
    if _hinted.is_set():
        return None
    db, _error = get_database()
    hint = db.stale_hint(today) if db is not None else None
    if hint is None:
        return None
    with _lock:
        if _hinted.is_set():
            return None
        _hinted.set()
    return hint
