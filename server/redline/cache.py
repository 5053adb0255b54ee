"""The result cache of `redline scan`: per-file engine results, reused while nothing they depend on
changed. `--no-cache` turns it off; `redline clean` removes it.

**Where.** `.redline_cache/` in the scan root, with its own `.gitignore` (`*`) and a
`CACHEDIR.TAG`, so it is never committed, backed up or scanned.

**What is cached, and the key.** For each file, the raw findings of the engines that read nothing
but the file itself: the tree-sitter rules (`redline`), `secrets`, `bandit` and `detect-secrets`.
An entry's key hashes the file's path (relative to the root: file roles depend on it), its
content, and everything else those results depend on: Redline's version and the content of its
code and rule files, the versions of bandit, detect-secrets and tree-sitter, the Python version,
the effective configuration (every field, as used for the scan), which engines are enabled and
whether slow engines run. Engines that read other files or the network run on every scan:
`dependencies` on manifests (RL401-RL405 read lock files, included requirement files, the
advisory database and cached registry answers) and `registry` (online answers). The
dependencies engine's findings on a Python code file (RL406) are cached under a key that adds
what they read outside the file (ResultCache.deps_stamp: the workspace's declared names, the
modification times of the folders up to the project root and of their sub-folders, sys.path
and the advisory database). Findings whose analysis read other files (Java taint) are never
stored. A file whose results all come from the cache is not parsed
(pipeline.LazySourceFile); it is still read and hashed: keying on modification time and size
instead (as ruff does) would save only the hash, since the text is needed for suppressions,
file roles, fingerprints and the report, and would trust a stamp that a checkout, a copy
with preserved times or a same-size edit within the clock's resolution leaves unchanged. De-duplication,
suppressions, the configuration and fingerprints (pipeline.finalize) are applied after the
merge, on every scan. Results from a run in which an engine failed or hit its time limit are not
stored (they may differ next time).

**One pack per scan.** Each entry is its own signed file, and after an in-process scan the
entries it read or wrote are also written together to one signed file, `pack`, in the
environment's folder (`ResultCache.flush`): the next scan opens and verifies that one file instead
of one file per entry and falls back to the entry files for anything it lacks. An in-process
scan writes its new entries to the pack only (`pack_only`); workers (`--jobs 2`) write entry
files, which the next in-process scan gathers into the pack.

**A hostile repository.** The folder is inside the workspace, so a repository could commit a
`.redline_cache/` with forged entries that say "no findings". Every entry is therefore
authenticated with HMAC-SHA256 under a per-user secret key kept outside the workspace, in the
user's cache folder (`$XDG_CACHE_HOME/redline/cache-key`, else `~/.cache/redline/cache-key`,
created with mode 0600). An entry whose MAC does not verify is ignored (a miss) and
overwritten. Entries are plain JSON (never pickle), read with a size cap and without following
symbolic links; the cache folders must be real folders (a symbolic link in their place turns the
cache off for the scan), so that a committed link cannot make Redline write elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
from functools import lru_cache
from pathlib import Path

from redline.atomic import replace_file
from redline.findings import LIMIT_CODE, Confidence, Finding, Fix, Related, Severity, Span, TextEdit

DIR_NAME = ".redline_cache"
FORMAT = "v1"
CROSS_FILE_ENGINES = frozenset({"dependencies", "registry"})
MAX_ENTRY = 50_000_000
MAX_PACK = 200_000_000
PACK = "pack"  # one signed file per environment: the entries of the last in-process scan
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a cache made by redline scan; `redline clean` removes it.\n"


# ---------------------------------------------------------------- the key


def key_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "redline"


def secret_key() -> bytes | None:
    """The per-user HMAC key, created on first use; None when it cannot be had (the cache is
    then off for the scan)."""
    folder = key_dir()
    path = folder / "cache-key"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                return None  # readable or writable by others: not a secret
            key = fh.read(64)
    except OSError:
        return None
    return key if len(key) >= 32 else None


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Redline's version and the content of its code and rule files, and the versions of the
    libraries whose results are cached."""
    import importlib.util

    import redline

    h = hashlib.sha256()
    h.update(f"{redline.__version__}\0{sys.version}\0".encode())
    # The libraries whose results are cached: where each is installed and its top module's size
    # and time (an upgrade changes them). Cheaper than importlib.metadata (~0.1 s).
    for module in ("bandit", "detect_secrets", "tree_sitter", "tree_sitter_language_pack", "tree_sitter_languages"):
        try:
            spec = importlib.util.find_spec(module)
            origin = spec.origin if spec and spec.origin else "-"
            st = os.stat(origin) if origin != "-" else None
            h.update(f"{module}={origin}:{st.st_size if st else 0}:{st.st_mtime_ns if st else 0}\0".encode())
        except (ImportError, ValueError, OSError):
            h.update(f"{module}=-\0".encode())
    package = Path(redline.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".toml", ".scm", ".json", ".txt") and "__pycache__" not in path.parts and path.is_file():
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def environment_hash(config, engines: list, slow: bool) -> str:
    h = hashlib.sha256()
    h.update(code_hash().encode())
    h.update(repr(config).encode("utf-8", "surrogatepass"))
    h.update(("\0".join(sorted(e.name for e in engines)) + f"\0slow={slow}").encode())
    return h.hexdigest()


# ---------------------------------------------------------------- findings as JSON


def _span(s: Span) -> list:
    return [s.start_byte, s.end_byte, *s.start_point, *s.end_point]


def _unspan(v) -> Span:
    a, b, r1, c1, r2, c2 = (int(x) for x in v)
    return Span(a, b, (r1, c1), (r2, c2))


def encode(f: Finding) -> dict:
    return {
        "c": f.code, "n": f.name, "m": f.message, "s": f.severity.value, "k": f.confidence.value,
        "w": list(f.cwe), "p": _span(f.span), "e": f.engine,
        "x": [[fx.title, fx.safe, [[_span(te.span), te.new_text] for te in fx.edits]] for fx in f.fixes],
        "r": [[_span(r.span), r.message] for r in f.related],
        "o": [list(kv) for kv in f.properties], "f": f.fingerprint,
    }


def decode(d: dict) -> Finding:
    return Finding(
        code=str(d["c"]), name=str(d["n"]), message=str(d["m"]), severity=Severity(d["s"]),
        confidence=Confidence(d["k"]), cwe=tuple(int(c) for c in d["w"]), span=_unspan(d["p"]), engine=str(d["e"]),
        fixes=tuple(Fix(str(t), tuple(TextEdit(_unspan(sp), str(nt)) for sp, nt in edits), bool(safe)) for t, safe, edits in d["x"]),
        related=tuple(Related(_unspan(sp), str(m)) for sp, m in d["r"]),
        properties=tuple((str(k), tuple(v) if isinstance(v, list) else v) for k, v in d["o"]), fingerprint=str(d["f"]),
    )


# ---------------------------------------------------------------- the store


def _real_dir(path: Path, create: bool) -> bool:
    """`path` is a folder, not a symbolic link (created when missing and `create`)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not create:
            return False
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return False
        try:
            st = os.lstat(path)
        except OSError:
            return False
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode)


class ResultCache:
    """Per-file raw engine results under `root`/.redline_cache (picklable: sent to workers)."""

    def __init__(self, root: str, key: bytes, env: str):
        self.root = os.path.join(root, DIR_NAME)
        self.key = key
        self.env = env
        self.hits = 0
        self.misses = 0
        self._stamps: dict[str, bytes] = {}  # folder (or "" for the environment) -> its stamp, for this scan
        self._real: dict[str, str] = {}  # folder as given -> its real path, for this scan
        self._pack: dict[str, str] | None = None  # entry key -> payload, from the pack (read on first get)
        self._used: dict[str, str] = {}  # entries read or written in this process: the next pack
        # In-process scans (cli.run_scan) store new entries in the pack only: one file per
        # entry (mkstemp, write, rename) was ~15% of a cold scan. Workers write entry files.
        self.pack_only = False

    @classmethod
    def open(cls, root: str, config, engines: list, slow: bool) -> "ResultCache | None":
        """The cache for a scan of `root`, or None when it cannot be used (no key, a folder that
        cannot be made, a symbolic link in the way)."""
        key = secret_key()
        if key is None:
            return None
        top = Path(root) / DIR_NAME
        fresh = not os.path.lexists(top)
        if not _real_dir(top, True):
            return None
        if fresh:
            for name, text in ((".gitignore", "# Made by redline scan.\n*\n"), ("CACHEDIR.TAG", TAG)):
                try:
                    fd = os.open(top / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                    with os.fdopen(fd, "w") as fh:
                        fh.write(text)
                except OSError:
                    pass
        env = environment_hash(config, engines, slow)
        if not _real_dir(top / FORMAT, True) or not _real_dir(top / FORMAT / env[:16], True):
            return None
        return cls(str(root), key, env)

    def _entry_key(self, shown: str, text: bytes) -> str:
        h = hashlib.sha256()
        h.update(self.env.encode() + b"\0" + shown.encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(text).digest())
        return h.hexdigest()

    def _path(self, k: str) -> str:
        return os.path.join(self.root, FORMAT, self.env[:16], k[:2], k)

    def _mac(self, k: str, payload: bytes) -> str:
        return hmac.new(self.key, k.encode() + b"\0" + payload, hashlib.sha256).hexdigest()

    def _pack_path(self) -> str:
        return os.path.join(self.root, FORMAT, self.env[:16], PACK)

    def _load_pack(self) -> dict[str, str]:
        """The entries of the last in-process scan, from one signed file (one open and one MAC
        instead of one per entry: reading the entries was ~10% of a warm scan of Django)."""
        if self._pack is None:
            self._pack = {}
            try:
                fd = os.open(self._pack_path(), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                return self._pack
            try:
                with os.fdopen(fd, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_PACK:
                        return self._pack
                    raw = fh.read(st.st_size + 1)
                mac, _, payload = raw.partition(b"\n")
                if len(raw) > MAX_PACK or not hmac.compare_digest(mac.decode("ascii", "replace"), self._mac(PACK, payload)):
                    return self._pack
                data = json.loads(payload)
                if isinstance(data, dict):
                    self._pack = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
            except (OSError, ValueError, RecursionError):
                pass
        return self._pack

    def flush(self) -> None:
        """Write the pack for the next scan: this process's entries (and the previous pack's
        others, while they are not most of it: a scan of a few files must not drop the rest).
        Nothing is written when the pack already holds them all."""
        if not self._used:
            return
        old = self._load_pack()
        if all(old.get(k) == v for k, v in self._used.items()):
            return
        # Entries of files this scan did not see stay (a scan of one file must not drop the
        # others), up to a bound: past it, only this scan's (stale entries of edited files go).
        entries = dict(old) if len(old) <= 4 * len(self._used) + 20_000 else {}
        entries.update(self._used)
        payload = json.dumps(entries, ensure_ascii=True, separators=(",", ":")).encode()
        try:
            replace_file(self._pack_path(), self._mac(PACK, payload).encode() + b"\n" + payload, suffix="")
        except OSError:
            return
        self._pack = entries

    def get(self, shown: str, text: bytes) -> list[Finding] | None:
        k = self._entry_key(shown, text)
        packed = (self._used.get(k) if self.pack_only else None) or self._load_pack().get(k)
        if packed is not None:
            try:
                findings = [decode(d) for d in json.loads(packed)]
            except (ValueError, KeyError, TypeError, RecursionError):
                pass  # the entry's own file decides
            else:
                self.hits += 1
                self._used[k] = packed
                return findings
        try:
            fd = os.open(self._path(k), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            self.misses += 1
            return None
        try:
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY:
                    raise ValueError("not a file, or too large")
                # Read what the file holds (read(MAX_ENTRY + 1) allocated 50 MB per entry:
                # 0.15 ms each, 13% of reading the cache on a warm scan of Django).
                raw = fh.read(st.st_size + 1)
            mac, _, payload = raw.partition(b"\n")
            if len(raw) > MAX_ENTRY or not hmac.compare_digest(mac.decode("ascii", "replace"), self._mac(k, payload)):
                raise ValueError("forged or damaged entry")
            findings = [decode(d) for d in json.loads(payload)]
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            self.misses += 1
            return None
        self.hits += 1
        self._used[k] = payload.decode("ascii")
        return findings

    def put(self, shown: str, text: bytes, findings: list[Finding]) -> None:
        k = self._entry_key(shown, text)
        payload = json.dumps([encode(f) for f in findings], ensure_ascii=True, separators=(",", ":")).encode()
        if self.pack_only:
            self._used[k] = payload.decode("ascii")
            return
        folder = os.path.dirname(self._path(k))
        if not _real_dir(Path(folder), True):
            return
        try:
            replace_file(self._path(k), self._mac(k, payload).encode() + b"\n" + payload, suffix="")
            self._used[k] = payload.decode("ascii")
        except OSError:
            pass  # a full disk or a read-only tree: the scan goes on without caching

    def analyze(self, source, shown: str, config, slow: bool):
        """pipeline.analyze for `source`, with the cacheable engines' results from the cache."""
        from redline.pipeline import Analysis, enabled_engines, finalize, run_engines

        engines = enabled_engines(config, None if slow else False)
        cached = [e for e in engines if e.name not in CROSS_FILE_ENGINES]
        live = [e for e in engines if e.name in CROSS_FILE_ENGINES]
        raw = self.get(shown, source.text)
        errors: list = []
        if raw is None:
            from redline.rules.predicates.taint_core import take_external_reads

            take_external_reads(source.path)
            raw, errors = run_engines(source, config, cached)
            # Not stored: a stop on a CPU budget (it may not recur), and findings that depend on
            # other files (Java taint through the project's classes and properties files), which
            # this entry's key does not cover.
            if not errors and not any(f.code == LIMIT_CODE for f in raw) and not take_external_reads(source.path):
                self.put(shown, source.text, raw)
        more, more_errors = self._cross_file(source, shown, config, live)
        return Analysis(finalize(source, raw + more, config), errors + more_errors)

    def _cross_file(self, source, shown: str, config, live: list):
        """The engines that read other files. The dependencies engine's findings on a Python
        code file (RL406, undeclared imports) are cached under a key that also covers what they
        depend on outside the file (`deps_stamp`); on manifests it always runs."""
        from redline.engines.dependencies import manifest_format
        from redline.pipeline import run_engines

        deps = [e for e in live if e.name == "dependencies"]
        if not deps or source.language != "python" or manifest_format(source.path) is not None:
            return run_engines(source, config, live)
        key = f"{shown}\0dependencies\0{self.deps_stamp(source.path)}"
        found = self.get(key, source.text)
        errors: list = []
        if found is None:
            found, errors = run_engines(source, config, deps)
            if not errors:
                self.put(key, source.text, found)
        # The other cross-file engines (`registry`: manifests only) are asked first whether they
        # apply, outside run_engines: its per-engine CPU timer cost 13% of a warm scan of Django
        # for an engine that applies to no code file.
        more, more_errors = run_engines(source, config, [e for e in live if e.name != "dependencies" and _applies(e, source)])
        return found + more, errors + more_errors

    def deps_stamp(self, path: str) -> str:
        """What RL406 on the Python file `path` depends on besides the file and the rules: the
        workspace (the manifests' declared and locked names, the folders up to the project root:
        deps.imports.workspace_for rebuilds it from disk when any of them changes), the
        modification times of those folders, of their `src/` and of each of their sub-folders
        (a module of the project created or removed there: deps.imports.python_local), the
        environment (each sys.path folder: an install or removal changes its time) and the
        advisory database file (the name index behind the typosquat wording). Cheap: stats, each
        folder once per scan, and no parse."""
        from redline.deps import imports

        # One stamp per folder and scan (workspace_for keys on the real folder too): checking
        # the workspace's watched paths again for each file of a folder cost 14% of a warm scan.
        # The real folder is resolved once per folder as given (realpath of every file, an lstat
        # per path component, was 12% of a warm scan); a file that is itself a link is resolved.
        folder = os.path.dirname(path)
        real = self._real.get(folder)
        if real is None:
            real = self._real[folder] = os.path.realpath(folder)
        if os.path.islink(path):
            real = os.path.dirname(os.path.realpath(path))
        memo = "\0" + real
        done = self._stamps.get(memo)
        if done is not None:
            return done.decode()
        ws = imports.workspace_for(path, "python")
        h = hashlib.sha256(self._environment())
        if ws is not None:
            h.update(repr((str(ws.root), ws.manifests, sorted(ws.declared), sorted(ws.locked), sorted(ws.aliases),
                           ws.library)).encode("utf-8", "surrogateescape"))
            for folder in ws.folders:
                h.update(self._folder(str(folder)))
        else:
            h.update(b"no workspace")
        self._stamps[memo] = h.hexdigest().encode()
        return h.hexdigest()

    def _folder(self, folder: str) -> bytes:
        stamp = self._stamps.get(folder)
        if stamp is None:
            paths = [folder, os.path.join(folder, "src")]
            try:
                with os.scandir(folder) as it:
                    paths += sorted(e.path for e in it if e.is_dir())
            except OSError:
                pass
            stamp = self._stamps[folder] = repr([(p, _stat_stamp(p)) for p in paths]).encode("utf-8", "surrogateescape")
        return stamp

    def _environment(self) -> bytes:
        stamp = self._stamps.get("")
        if stamp is None:
            from redline.deps.database import database_path

            cwd = os.getcwd()  # deps.imports.installed_python_modules leaves it out too
            paths = [p for p in sys.path if p and os.path.abspath(p) != cwd] + [str(database_path())]
            stamp = self._stamps[""] = repr([(p, _stat_stamp(p)) for p in paths]).encode("utf-8", "surrogateescape")
        return stamp


def _applies(engine, source) -> bool:
    """engine.applies(source); an engine whose check fails goes to run_engines, which reports it."""
    try:
        return bool(engine.applies(source))
    except Exception:  # noqa: BLE001
        return True


def _stat_stamp(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def clean(folder: str) -> bool:
    """Remove `folder`/.redline_cache when it is a real folder Redline made; True if removed."""
    import shutil

    top = os.path.join(folder, DIR_NAME)
    if not _real_dir(Path(top), False):
        return False
    if not os.path.isfile(os.path.join(top, "CACHEDIR.TAG")) and not os.path.isdir(os.path.join(top, FORMAT)):
        raise OSError(f"{top} does not look like Redline's cache (no CACHEDIR.TAG): not removed")
    shutil.rmtree(top)
    return True
