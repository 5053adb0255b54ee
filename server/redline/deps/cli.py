"""`redline db build | update | info`: the advisory database from the command line.

`redline db ...` (redline/cli.py) hands its arguments to `main(argv)`; `python -m
redline.deps.cli ...` does the same. Exit status: 0 done, 1 failed (download, verification,
missing database), 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from redline import config as cfg
from redline.deps import database as D
from redline.deps import toplists as T
from redline.deps import update as U
from redline.deps import versions as V


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="redline db", description="Manage the offline advisory database (OSV).")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the database from OSV JSONL files (PyPI.jsonl, npm.jsonl, Go.jsonl, Maven.jsonl)")
    b.add_argument("dir", type=Path, help="folder with the OSV .jsonl files, e.g. ../shared/data/osv")
    b.add_argument("--output", "-o", type=Path, help=f"where to write it (default: the package data, {D.FILE_NAME})")
    b.add_argument("--snapshot-date", metavar="YYYY-MM-DD", help="when the OSV files were collected (default: today)")

    u = sub.add_parser("update", help="download OSV exports (only with `online` on) and replace the database")
    u.add_argument("--url", help="base URL of the exports (default: the `advisory-url` setting)")
    u.add_argument("--ecosystem", action="append", choices=V.ECOSYSTEMS, help="only these ecosystems (repeatable)")
    u.add_argument("--output", "-o", type=Path, help="where to write it (default: the per-user cache folder, which then takes precedence over the bundled database)")
    u.add_argument("--config", type=Path, help="configuration file (default: found from the current folder)")
    u.add_argument("--online", action="store_true", help="allow the download for this run even if `online` is off")
    u.add_argument("--timeout", type=float, default=U.TIMEOUT, help="seconds per request")

    i = sub.add_parser("info", help="where the database is, how old it is, what it holds")
    i.add_argument("--db", type=Path, help="a database file (default: the one Redline uses)")
    i.add_argument("--json", action="store_true", help="print JSON")
    i.add_argument("--verify", action="store_true", help="also check every entry and the checksum")
    return p


def _build(args) -> int:
    out = args.output or D.packaged_database_path()
    try:
        data = D.build(D.read_jsonl_dir(args.dir), snapshot=args.snapshot_date)
        db = D.AdvisoryDB.from_bytes(data, out)
        db.verify()
        D.write_atomic(out, data)
    except (D.DatabaseError, OSError) as e:
        print(f"redline db build: {e}", file=sys.stderr)
        return 1
    D.reset_cache()
    counts = ", ".join(f"{eco} {c['records']} advisories/{c['packages']} packages" for eco, c in db.counts().items())
    print(f"wrote {out} ({len(data) // 1024} KiB): {counts}")
    return 0


def _load_config(args) -> tuple[cfg.Config, list[cfg.Problem]]:
    if args.config:
        return cfg.load_file(args.config)
    found, problems, _path = cfg.discover(Path.cwd())
    return found, problems


def _update(args) -> int:
    config, problems = _load_config(args)
    for p in problems:
        print(f"redline db update: configuration: {p}", file=sys.stderr)
    url = args.url or config.advisory_url
    ecosystems = tuple(args.ecosystem) if args.ecosystem else V.ECOSYSTEMS
    try:
        result = U.update(url, config.online or args.online, ecosystems, args.output, args.timeout)
    except U.OfflineError as e:
        print(f"redline db update: {e}", file=sys.stderr)
        return 2
    except U.UpdateError as e:
        print(f"redline db update: {e}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{eco} {n}" for eco, n in result.counts.items())
    print(f"updated {result.path} from {url}: {counts} records")
    return 0


SOURCES = {"bundled": "bundled with Redline", "cache": "downloaded by `redline db update`", "env": "$" + D.ENV_PATH}


def describe(db: D.AdvisoryDB, today: dt.date | None = None, source: str | None = None) -> dict:
    today = today or dt.date.today()
    built = db.built
    built_age = None
    if built:
        try:
            built_age = (today - dt.date.fromisoformat(built[:10])).days
        except ValueError:
            pass
    ecos = {}
    for eco, c in db.counts().items():
        ecos[eco] = dict(c, data_date=db.data_date(eco), age_days=db.age_days(eco, today), old=db.staleness_note(eco, today) is not None)
    lists = {eco: {"path": str(T.path_of(eco)), "names": len(T.load(eco)), "snapshot": T.snapshot(eco)} for eco in T.FILES}
    return {
        "path": str(db.path),
        "source": source,
        "snapshot": db.snapshot,
        "snapshot_age_days": db.snapshot_age_days(today),
        "stale": db.stale_hint(today) is not None,
        "built": built,
        "built_age_days": built_age,
        "ecosystems": ecos,
        "popular_packages": lists,
        "notice": str(D.notice_path()),
    }


def _info(args) -> int:
    source, path = ("file", args.db) if args.db else D.database_source()
    try:
        db = D.AdvisoryDB.load(path)
        if args.verify:
            db.verify()
    except D.DatabaseError as e:
        print(f"redline db info: {e}", file=sys.stderr)
        print("build it with `make data` or `redline db build ../shared/data/osv`", file=sys.stderr)
        return 1
    info = describe(db, source=source)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"database: {info['path']}")
    print(f"source:   {SOURCES.get(source, 'given with --db')}")
    age = info["snapshot_age_days"]
    stale = "  (old: `redline db update` downloads a fresh one)" if info["stale"] else ""
    print(f"snapshot: {info['snapshot']} ({age if age is not None else '?'} days old){stale}")
    print(f"built:    {info['built']} ({info['built_age_days']} days ago)")
    for eco, c in info["ecosystems"].items():
        age = f"{c['age_days']} days old" if c["age_days"] is not None else "age unknown"
        flag = "  OLD: run `redline db update`" if c["old"] else ""
        basis = "downloaded" if c.get("fetched") else "newest advisory"
        print(
            f"{eco:6} {c['records']:6} advisories  {c['packages']:5} packages  "
            f"{c['withdrawn_skipped']:3} withdrawn skipped  data from {c['data_date']} ({basis}; {age}){flag}"
        )
    for eco, c in info["popular_packages"].items():
        print(f"popular {eco} packages: {c['names']} names (snapshot {c['snapshot'] or 'unknown'}): {c['path']}")
    if args.verify:
        print("verified: checksum and every entry OK")
    print(f"licences and attribution: {info['notice']}")
    return 0


def version_text() -> str:
    """`redline --version`: the package version and the advisory database in use."""
    from redline import __version__

    source, path = D.database_source()
    try:
        db = D.AdvisoryDB.load(path)
        data = f"advisory database {db.snapshot} ({SOURCES.get(source, source)})"
    except D.DatabaseError:
        data = f"no advisory database at {path}"
    return f"redline {__version__}\n{data}"


class VersionAction(argparse.Action):
    """`--version`, computed when asked for (it reads the database header)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["db"]:
        argv = argv[1:]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors and 0 on --help
        return int(e.code or 0)
    return {"build": _build, "update": _update, "info": _info}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
