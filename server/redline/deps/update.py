"""`redline db update`: download OSV ecosystem exports, verify them, replace the database atomically.

Only when the user's `online` setting is on. For each ecosystem it fetches
`{advisory_url}/{ecosystem}/all.zip` (the layout of https://osv-vulnerabilities.storage.googleapis.com,
also `file://` folders with the same layout), then checks before anything is replaced:

- the HTTP status is 200 and the body has the announced Content-Length, under a size limit;
- the archive is a valid zip whose members all pass their CRC check;
- every member is a JSON object with an `id` and an `affected` list;
- the archive holds at least one record for the ecosystem;
- the database built from all ecosystems loads and passes its own checksum.

Any failure leaves the current database untouched. The new file is written next to the target
and renamed over it, so a running server sees the old or the new file, never half of one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from redline.deps import database as D
from redline.deps import versions as V

MAX_DOWNLOAD = 2 * 1024**3  # bytes per ecosystem archive
MAX_MEMBER = 64 * 1024**2  # bytes per advisory JSON
TIMEOUT = 60.0


class UpdateError(Exception):
    pass


class OfflineError(UpdateError):
    """`online` is off: nothing was attempted."""


@dataclass
class UpdateResult:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)  # ecosystem -> records read


def _download(url: str, dest: Path, max_bytes: int, timeout: float) -> str:
    """Stream `url` into `dest`; the sha256 of what was written."""
    req = urllib.request.Request(url, headers={"User-Agent": "redline-db-update"})
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - configured URL, online only
            status = getattr(resp, "status", 200)
            if status != 200:
                raise UpdateError(f"{url}: HTTP {status}")
            expected = resp.headers.get("Content-Length") if hasattr(resp, "headers") else None
            total = 0
            with dest.open("wb") as out:
                while True:
                    chunk = resp.read(1 << 16)
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > max_bytes:
                        raise UpdateError(f"{url}: larger than {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            if expected is not None and expected.isdigit() and int(expected) != total:
                raise UpdateError(f"{url}: got {total} bytes, announced {expected} (truncated download)")
    except urllib.error.HTTPError as e:
        raise UpdateError(f"{url}: HTTP {e.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise UpdateError(f"{url}: {getattr(e, 'reason', e)}") from None
    return digest.hexdigest()


def _records(archive: Path, ecosystem: str, url: str) -> Iterator[dict]:
    """The verified records of one export archive (raises UpdateError on the first problem)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as e:
        raise UpdateError(f"{url}: not a zip archive: {e}") from None
    with zf:
        try:
            bad = zf.testzip()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
            raise UpdateError(f"{url}: corrupt archive: {e}") from None
        if bad is not None:
            raise UpdateError(f"{url}: member {bad} fails its CRC check")
        found = 0
        for info in zf.infolist():
            if info.is_dir():
                continue
            if not info.filename.endswith(".json"):
                raise UpdateError(f"{url}: unexpected member {info.filename}")
            if info.file_size > MAX_MEMBER:
                raise UpdateError(f"{url}: member {info.filename} is too large")
            try:
                record = json.loads(zf.read(info))
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
                raise UpdateError(f"{url}: corrupt archive member {info.filename}: {e}") from None
            except (ValueError, UnicodeDecodeError) as e:
                raise UpdateError(f"{url}: {info.filename} is not JSON: {e}") from None
            if not isinstance(record, dict) or not isinstance(record.get("id"), str) or not isinstance(
                record.get("affected", []), list
            ):
                raise UpdateError(f"{url}: {info.filename} is not an OSV record")
            if any(
                isinstance(a, dict) and (a.get("package") or {}).get("ecosystem") == ecosystem
                for a in record.get("affected") or ()
            ):
                found += 1
            yield record
        if not found:
            raise UpdateError(f"{url}: no {ecosystem} records in the archive")


def update(
    base_url: str,
    online: bool,
    ecosystems: tuple[str, ...] = V.ECOSYSTEMS,
    dest: Path | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_DOWNLOAD,
) -> UpdateResult:
    """Download, verify and install a new database; UpdateError explains any refusal or failure."""
    if not online:
        raise OfflineError(
            "`online` is off, so Redline makes no network connections. Set `online = true` in "
            "[tool.redline] (or redline.toml), or pass --online, to download advisories."
        )
    for eco in ecosystems:
        if eco not in V.ECOSYSTEMS:
            raise UpdateError(f"unknown ecosystem {eco!r} (supported: {', '.join(V.ECOSYSTEMS)})")
    dest = dest or D.user_database_path()
    base = base_url.rstrip("/")
    fetched = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    workdir = Path(tempfile.mkdtemp(prefix="redline-db-"))
    try:
        inputs = []
        for eco in ecosystems:
            url = f"{base}/{eco}/all.zip"
            archive = workdir / f"{eco}.zip"
            sha = _download(url, archive, max_bytes, timeout)
            # Records are verified while the database is built (one pass, nothing kept twice).
            inputs.append(D.EcosystemInput(eco, _records(archive, eco, url), {"url": url, "sha256": sha}))
        data = D.build(inputs, fetched=fetched)
        db = D.AdvisoryDB.from_bytes(data, dest)
        db.verify()
        D.write_atomic(dest, data)
    except D.DatabaseError as e:
        raise UpdateError(str(e)) from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    D.reset_cache()
    eco_meta = db.meta.get("ecosystems", {})
    return UpdateResult(dest, {eco: eco_meta.get(eco, {}).get("read", 0) for eco in ecosystems})
