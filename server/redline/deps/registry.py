"""Does a package exist on PyPI or npm? Asked only when the user's `online` setting is on.

- PyPI: `GET {pypi_url}/{name}/json` (the JSON API); 200 exists, 404 does not.
- npm: `GET {npm_url}/{name}` (`@scope/name` as `@scope%2fname`); 200 exists, 404 does not.
Any other answer or a network error means "unknown" (None): Redline never claims that a package
does not exist unless the registry said so.

Answers are cached in memory and on disk (`<user data dir>/registry-cache.json`): "exists" for
7 days, "does not exist" for 1 day (a name can be registered at any time). The fast
dependencies engine reads only the cache (no network on the keystroke path); the slow
`registry` engine does the lookups.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from redline.deps import database as D
from redline.deps import versions as V

EXISTS_TTL = 7 * 86400
MISSING_TTL = 86400
TIMEOUT = 5.0
MAX_LOOKUPS = 40  # per scan
CACHE_FILE = "registry-cache.json"


class RegistryClient:
    def __init__(self, pypi_url: str, npm_url: str, cache_path: Path | None = None, timeout: float = TIMEOUT):
        self.pypi_url = pypi_url.rstrip("/")
        self.npm_url = npm_url.rstrip("/")
        self.cache_path = cache_path
        self.timeout = timeout
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[bool, float]] = {}
        self._disk_stamp: tuple[int, int] | None = None
        self.requests = 0  # network requests made (for tests and logs)

    # cache
    def _key(self, ecosystem: str, name: str) -> str:
        return f"{ecosystem}:{V.normalize_name(ecosystem, name)}"

    def _load(self) -> None:
        """Merge the disk cache when it changed (another process, e.g. the language server's
        worker running the registry engine, may have written new answers)."""
        if self.cache_path is None:
            return
        try:
            st = self.cache_path.stat()
        except OSError:
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._disk_stamp:
            return
        self._disk_stamp = stamp
        try:
            data = json.loads(self.cache_path.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            for k, v in data.items():
                if isinstance(v, list) and len(v) == 2 and isinstance(v[0], bool) and isinstance(v[1], (int, float)):
                    old = self._cache.get(k)
                    if old is None or old[1] < v[1]:
                        self._cache[k] = (v[0], float(v[1]))

    def _save(self) -> None:
        if self.cache_path is None:
            return
        now = time.time()
        fresh = {k: [v, t] for k, (v, t) in self._cache.items() if now - t < (EXISTS_TTL if v else MISSING_TTL)}
        try:
            D.write_atomic(self.cache_path, json.dumps(fresh, sort_keys=True).encode())
        except OSError:
            pass

    def cached(self, ecosystem: str, name: str) -> bool | None:
        with self._lock:
            self._load()
            hit = self._cache.get(self._key(ecosystem, name))
        if hit is None:
            return None
        exists, when = hit
        if time.time() - when > (EXISTS_TTL if exists else MISSING_TTL):
            return None
        return exists

    # network
    def url_for(self, ecosystem: str, name: str) -> str:
        if ecosystem == V.PYPI:
            return f"{self.pypi_url}/{urllib.parse.quote(V.normalize_name(V.PYPI, name))}/json"
        return f"{self.npm_url}/{urllib.parse.quote(name, safe='@')}"

    def _fetch(self, ecosystem: str, name: str) -> bool | None:
        req = urllib.request.Request(self.url_for(ecosystem, name), headers={"User-Agent": "redline", "Accept": "application/json"})
        with self._lock:
            self.requests += 1
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - configured URL, online only
                return getattr(resp, "status", 200) == 200 or None
        except urllib.error.HTTPError as e:
            return False if e.code == 404 else None
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def exists(self, ecosystem: str, name: str) -> bool | None:
        hit = self.cached(ecosystem, name)
        if hit is not None:
            return hit
        answer = self._fetch(ecosystem, name)
        if answer is not None:
            with self._lock:
                self._load()  # keep what other processes wrote meanwhile
                self._cache[self._key(ecosystem, name)] = (answer, time.time())
                self._save()
        return answer

    def exists_many(self, items: list[tuple[str, str]], workers: int = 4) -> dict[tuple[str, str], bool | None]:
        items = list(dict.fromkeys(items))[:MAX_LOOKUPS]
        if not items:
            return {}
        with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
            answers = list(pool.map(lambda it: self.exists(*it), items))
        return dict(zip(items, answers))


_clients: dict[tuple[str, str, str], RegistryClient] = {}
_clients_lock = threading.Lock()


def client_for(pypi_url: str, npm_url: str) -> RegistryClient:
    """One client (and cache) per pair of registry URLs, per process."""
    cache = D.user_data_dir() / CACHE_FILE
    key = (pypi_url, npm_url, str(cache))
    with _clients_lock:
        c = _clients.get(key)
        if c is None:
            c = _clients[key] = RegistryClient(pypi_url, npm_url, cache)
        return c
