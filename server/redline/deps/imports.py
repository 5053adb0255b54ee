"""Imports in code that no manifest declares (RL406 undeclared-import).

For a Python or JavaScript/TypeScript file, each imported top-level module is checked, in order:
1. the standard library (`sys.stdlib_module_names`, Node's built-in modules, `node:` URLs);
2. the project itself (a module or folder of that name next to the file or in a folder above
   it up to the project root, `src/` layouts, tsconfig/jsconfig `baseUrl`/`paths` aliases);
3. the environment the server runs in (Python: installed top-level modules; JavaScript:
   `node_modules/<name>` in the file's folder or above);
4. the workspace manifests: every requirements file, pyproject.toml, Pipfile and setup.cfg
   (Python) or package.json (JavaScript) from the file's folder up to the project root
   (the folder with `.git`, or the file system root). Distribution names are matched to
   import names through their usual spellings (`python-dateutil` -> `dateutil`, `pyyaml` ->
   `yaml`) and a table of well-known exceptions (`beautifulsoup4` -> `bs4`).
A module that passes none of these is reported; when no manifest exists at all (a loose script,
a snippet), nothing is reported: there is no declaration to compare with.

Manifests are read, never executed (setup.py is not read: a project with only setup.py has no
manifest Redline can read, so its imports are not reported). Parsed manifests are cached by
path, modification time and size.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import pkgutil
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import tree_sitter as ts

from redline import languages as langs
from redline.deps import manifests
from redline.deps import versions as V
from redline.documents.source import SourceFile

PYTHON_LANGS = ("python",)
JS_LANGS = ("javascript", "typescript", "tsx")

# Distribution name (normalized) -> import names, where neither spelling rule finds it.
PYTHON_IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "beautifulsoup4": ("bs4",),
    "pillow": ("PIL",),
    "scikit-learn": ("sklearn",),
    "scikit-image": ("skimage",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "opencv-contrib-python": ("cv2",),
    "protobuf": ("google",),
    "google-cloud-storage": ("google",),
    "google-api-python-client": ("googleapiclient", "apiclient"),
    "attrs": ("attr", "attrs"),
    "mysqlclient": ("MySQLdb",),
    "pymysql": ("pymysql",),
    "psycopg2-binary": ("psycopg2",),
    "psycopg-binary": ("psycopg",),
    "pycryptodome": ("Crypto",),
    "pycryptodomex": ("Cryptodome",),
    "pyopenssl": ("OpenSSL",),
    "python-jose": ("jose",),
    "pyjwt": ("jwt",),
    "python-magic": ("magic",),
    "python-multipart": ("multipart", "python_multipart"),
    "python-dotenv": ("dotenv",),
    "pyserial": ("serial",),
    "pyusb": ("usb",),
    "pywin32": ("win32api", "win32con", "win32com", "pythoncom", "pywintypes"),
    "setuptools": ("setuptools", "pkg_resources", "_distutils_hack"),
    "msgpack-python": ("msgpack",),
    "ruamel-yaml": ("ruamel",),
    "typing-extensions": ("typing_extensions",),
    "dnspython": ("dns",),
    "markdown": ("markdown",),
    "pygithub": ("github",),
    "gitpython": ("git",),
    "docker-py": ("docker",),
    "python-docx": ("docx",),
    "python-pptx": ("pptx",),
    "pyzmq": ("zmq",),
    "pymongo": ("pymongo", "bson", "gridfs"),
    "ldap3": ("ldap3",),
    "python-ldap": ("ldap",),
    "tensorflow-cpu": ("tensorflow",),
    "tensorflow-gpu": ("tensorflow",),
    "torch": ("torch",),
    "faiss-cpu": ("faiss",),
    "jinja2": ("jinja2",),
    "markupsafe": ("markupsafe",),
    "pyyaml": ("yaml", "_yaml"),
    "six": ("six",),
    "websocket-client": ("websocket",),
    "python-socketio": ("socketio",),
    "python-engineio": ("engineio",),
    "discord-py": ("discord",),
    "pytest-asyncio": ("pytest_asyncio",),
    "tree-sitter": ("tree_sitter",),
    "lsprotocol": ("lsprotocol",),
    "detect-secrets": ("detect_secrets",),
    "rapidfuzz": ("rapidfuzz",),
}

NODE_BUILTINS = frozenset(
    """assert async_hooks buffer child_process cluster console constants crypto dgram
    diagnostics_channel dns domain events fs http http2 https inspector module net os path
    perf_hooks process punycode querystring readline repl stream string_decoder sys timers tls
    trace_events tty url util v8 vm wasi worker_threads zlib test sea sqlite""".split()
)

_MANIFEST_FILES = {
    "python": ("pyproject.toml", "Pipfile", "setup.cfg"),
    "javascript": ("package.json",),
}


def _python_stdlib() -> frozenset[str]:
    return frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names) | {"__future__", "__main__"}


_PY_STDLIB = _python_stdlib()

# ----------------------------------------------------------------------------------- queries

_PY_QUERY = """
(import_statement name: (dotted_name . (identifier) @mod))
(import_statement name: (aliased_import name: (dotted_name . (identifier) @mod)))
(import_from_statement module_name: (dotted_name . (identifier) @mod))
"""
_JS_QUERY = """
(import_statement source: (string (string_fragment) @mod))
(export_statement source: (string (string_fragment) @mod))
(call_expression function: (identifier) @fn arguments: (arguments . (string (string_fragment) @mod)) (#eq? @fn "require"))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @mod)))
"""
_TS_EXTRA = """
(import_require_clause source: (string (string_fragment) @mod))
"""
_queries: dict[str, ts.Query] = {}
_qlock = threading.Lock()


def _query(language: str) -> ts.Query:
    q = _queries.get(language)
    if q is None:
        with _qlock:
            q = _queries.get(language)
            if q is None:
                text = _PY_QUERY if language == "python" else _JS_QUERY
                if language in ("typescript", "tsx"):
                    text += _TS_EXTRA
                q = _queries[language] = ts.Query(langs.grammar(language), text)
    return q


@dataclass(frozen=True)
class Import:
    module: str  # the top-level module (Python) or package name (JavaScript)
    span: tuple[int, int]  # where it is written


def js_package_of(spec: str) -> str | None:
    """The npm package a bare import specifier names, or None for relative paths, URLs,
    built-ins with a scheme, subpath imports (`#x`) and common path aliases (`@/x`, `~/x`)."""
    s = spec.strip()
    if not s or s.startswith((".", "/", "#", "~", "@/")) or ":" in s or "\\" in s or "{" in s:
        return None
    parts = s.split("/")
    if s.startswith("@"):
        if len(parts) < 2 or not parts[1]:
            return None
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def imports_of(file: SourceFile) -> list[Import]:
    if file.tree is None:
        return []
    out = []
    cursor = ts.QueryCursor(_query(file.language))
    for node in cursor.captures(file.tree.root_node).get("mod", []):
        text = file.text[node.start_byte : node.end_byte].decode("utf-8", "replace")
        if file.language == "python":
            out.append(Import(text, (node.start_byte, node.end_byte)))
        else:
            pkg = js_package_of(text)
            if pkg:
                start = node.start_byte
                out.append(Import(pkg, (start, start + len(pkg.encode()))))
    out.sort(key=lambda i: i.span)
    return out


# --------------------------------------------------------------------------- environment

_env_lock = threading.Lock()
_installed: frozenset[str] | None = None
_distributions: dict[str, list[str]] | None = None


def module_distributions() -> dict[str, list[str]]:
    """importlib.metadata.packages_distributions(), computed once (it reads every installed
    distribution's metadata)."""
    global _distributions
    if _distributions is None:
        with _env_lock:
            if _distributions is None:
                try:
                    _distributions = dict(importlib.metadata.packages_distributions())
                except Exception:  # noqa: BLE001 - broken metadata must not stop the check
                    _distributions = {}
    return _distributions


def installed_python_modules() -> frozenset[str]:
    """Top-level modules importable in the server's environment (found, never imported)."""
    global _installed
    if _installed is None:
        dists = module_distributions()
        with _env_lock:
            if _installed is None:
                names: set[str] = set()
                names.update(dists)
                cwd = os.getcwd()
                paths = [p for p in sys.path if p and os.path.abspath(p) != cwd]
                try:
                    names.update(m.name for m in pkgutil.iter_modules(paths))
                except Exception:  # noqa: BLE001
                    pass
                _installed = frozenset(names)
    return _installed


# ----------------------------------------------------------------------------- workspace


@dataclass(frozen=True)
class Workspace:
    root: Path  # the project root (folder with .git), or the top folder searched
    manifests: tuple[str, ...]  # paths of the manifests read
    declared: frozenset[str]  # normalized names declared (distributions or npm packages)
    folders: tuple[Path, ...]  # the file's folder and its ancestors up to the root
    aliases: frozenset[str] = frozenset()  # tsconfig/jsconfig path-alias prefixes


_manifest_cache: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}
_cache_lock = threading.Lock()


def _declared_in(path: Path, ecosystem: str) -> frozenset[str] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size)
    cached = _manifest_cache.get(str(path))
    if cached and cached[0] == key:
        return cached[1]
    if st.st_size > 5_000_000:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    fmt = manifests.detect(str(path))
    tree = None
    if fmt in ("pyproject", "pipfile"):
        tree = langs.parse("toml", data)
    elif fmt == "package.json":
        tree = langs.parse("json", data)
    m = manifests.parse(str(path), data, tree) if fmt else None
    names = frozenset(V.normalize_name(ecosystem, r.name) for r in m.requirements) if m else frozenset()
    if fmt == "package.json":
        try:
            own = json.loads(data).get("name")
            if isinstance(own, str):
                names |= {own.lower()}
        except (ValueError, AttributeError):
            pass
    if fmt == "pyproject":
        own = re.search(rb'(?m)^\s*name\s*=\s*["\']([^"\']+)["\']', data)
        if own:
            names |= {V.normalize_name(V.PYPI, own.group(1).decode("utf-8", "replace"))}
    with _cache_lock:
        _manifest_cache[str(path)] = (key, names)
    return names


def _requirements_files(folder: Path) -> list[Path]:
    out = []
    try:
        for entry in os.scandir(folder):
            if entry.is_file() and manifests.detect(entry.name) == "requirements":
                out.append(Path(entry.path))
        req_dir = folder / "requirements"
        if req_dir.is_dir():
            out.extend(p for p in req_dir.glob("*.txt") if p.is_file())
    except OSError:
        pass
    return out


def _tsconfig_aliases(folder: Path) -> set[str]:
    out: set[str] = set()
    for name in ("tsconfig.json", "jsconfig.json"):
        p = folder / name
        if not p.is_file():
            continue
        try:
            text = p.read_text("utf-8", "replace")
        except OSError:
            continue
        # JSON with comments: pick the keys of "paths" with a tolerant scan.
        m = re.search(r'"paths"\s*:\s*\{(.*?)\}', text, re.S)
        if m:
            for key in re.findall(r'"([^"]+)"\s*:', m.group(1)):
                out.add(key.rstrip("*").rstrip("/"))
        b = re.search(r'"baseUrl"\s*:\s*"([^"]+)"', text)
        if b:
            out.add("baseUrl:" + str((folder / b.group(1)).resolve()))
    return out


def _mtime(path: str) -> tuple[int, int]:
    """Modification time and size: the stamp of a watched path ((-1, -1) when it is missing)."""
    try:
        st = os.stat(path)
        return st.st_mtime_ns, st.st_size
    except OSError:
        return -1, -1


# (start folder, kind) -> (watched paths, their stamps, workspace)
_ws_cache: dict[tuple[str, str], tuple[tuple[str, ...], tuple, "Workspace | None"]] = {}


def workspace_for(path: str, language: str) -> Workspace | None:
    """The manifests that govern a code file; None when there are none.

    Cached per folder: the entry is reused while every folder visited, every manifest and
    tsconfig read and every requirements/ folder keeps its modification time (adding or removing
    a file changes its folder's), so a project scan walks each folder once and the server still
    sees a manifest the moment it is edited or created.
    """
    kind = "python" if language in PYTHON_LANGS else "javascript"
    try:
        start = Path(path).resolve().parent
    except (OSError, RuntimeError):
        return None
    key = (str(start), kind)
    hit = _ws_cache.get(key)
    if hit is not None and tuple(_mtime(p) for p in hit[0]) == hit[1]:
        return hit[2]
    ws, watched = _compute_workspace(start, kind)
    with _cache_lock:
        _ws_cache[key] = (watched, tuple(_mtime(p) for p in watched), ws)
    return ws


def _compute_workspace(start: Path, kind: str) -> tuple[Workspace | None, tuple[str, ...]]:
    eco = V.PYPI if kind == "python" else V.NPM
    folders = []
    found: list[str] = []
    declared: set[str] = set()
    aliases: set[str] = set()
    watched: list[str] = []
    folder = start
    for _ in range(40):
        folders.append(folder)
        watched.append(str(folder))
        candidates = [folder / n for n in _MANIFEST_FILES[kind]]
        if kind == "python":
            candidates += _requirements_files(folder)
            if (folder / "requirements").is_dir():
                watched.append(str(folder / "requirements"))
        for cand in candidates:
            names = _declared_in(cand, eco) if cand.is_file() else None
            if names is not None:
                found.append(str(cand))
                declared |= names
        if kind == "javascript":
            aliases |= _tsconfig_aliases(folder)
            watched.extend(str(folder / n) for n in ("tsconfig.json", "jsconfig.json") if (folder / n).is_file())
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    watched.extend(found)
    if not found:
        return None, tuple(watched)
    return Workspace(folder, tuple(found), frozenset(declared), tuple(folders), frozenset(aliases)), tuple(watched)


# ----------------------------------------------------------------------------- decisions


def python_declared(module: str, declared: frozenset[str]) -> bool:
    norm = V.normalize_name(V.PYPI, module)
    variants = {norm, "python-" + norm, norm + "-python", "py" + norm, "python3-" + norm, norm + "-binary"}
    if variants & declared:
        return True
    for dist in declared:
        if module in PYTHON_IMPORT_NAMES.get(dist, ()):
            return True
        for prefix in ("python-", "py-", "py", "django-", "flask-"):
            if dist.startswith(prefix) and dist[len(prefix) :].replace("-", "_") == module.lower():
                return True
    dists = _packages_distributions().get(module, [])
    return any(V.normalize_name(V.PYPI, d) in declared for d in dists)


_dists: dict[str, list[str]] | None = None


def _packages_distributions() -> dict[str, list[str]]:
    """importlib.metadata.packages_distributions(), read once per process like
    installed_python_modules(): it reads every installed distribution's metadata (~0.15 s a
    call), which made RL406 cost seconds on a large project."""
    global _dists
    if _dists is None:
        try:
            _dists = dict(importlib.metadata.packages_distributions())
        except Exception:  # noqa: BLE001 - broken metadata must not stop the check
            _dists = {}
    return _dists


def python_local(module: str, ws: Workspace) -> bool:
    for folder in ws.folders:
        for base in (folder, folder / "src"):
            if (base / f"{module}.py").is_file() or (base / module).is_dir() or (base / f"{module}.pyi").is_file():
                return True
    return False


def js_local(package: str, ws: Workspace) -> bool:
    for alias in ws.aliases:
        if alias.startswith("baseUrl:"):
            if (Path(alias[8:]) / package.split("/")[0]).exists():
                return True
        elif alias and (package == alias or package.startswith(alias + "/") or alias.startswith(package)):
            return True
    return False


def js_installed(package: str, ws: Workspace) -> bool:
    return any((folder / "node_modules" / package).exists() for folder in ws.folders)


def undeclared(file: SourceFile) -> tuple[Workspace | None, list[Import]]:
    """The workspace and the imports no check above accounts for."""
    if file.language not in PYTHON_LANGS + JS_LANGS:
        return None, []
    found = imports_of(file)
    if not found:
        return None, []
    ws = workspace_for(file.path, file.language)
    if ws is None:
        return None, []
    out = []
    seen: set[str] = set()
    if file.language in PYTHON_LANGS:
        installed = installed_python_modules()
        for imp in found:
            m = imp.module
            if m in seen:
                continue
            seen.add(m)
            if m in _PY_STDLIB or m in installed or python_declared(m, ws.declared) or python_local(m, ws):
                continue
            out.append(imp)
    else:
        for imp in found:
            p = imp.module
            if p in seen:
                continue
            seen.add(p)
            bare = p.split("/")[-1] if p.startswith("@") else p
            if p in NODE_BUILTINS or p.lower() in ws.declared or f"@types/{bare}" in ws.declared:
                continue
            if js_installed(p, ws) or js_local(p, ws):
                continue
            out.append(imp)
    return ws, out
