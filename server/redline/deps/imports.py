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

What else is the project's own, or accounted for:
- the project's packages: a module or package in the file's folder, a folder above it, their
  `src/`, or one level below any of them (`tests/test_apps/blueprintapp`, which a test puts on
  the path; `backend/app` beside a script); the project's own distribution or package name
  (`[project] name`, package.json `name`), and the names of npm/yarn/pnpm/bun workspace members;
- pip-compile inputs (`requirements.in`, `requirements/*.in`) declare like requirements files:
  a compiled file can leave out what the input declares for another Python version;
- a module a test file creates itself: its name is written in a string of that test file
  (`(tmp_path / "site_app.py").write_text(...)`, `purge_module("site_app")`);
- example and documentation code (a file under `examples/`, `example/`, `samples/`, `demo(s)/`,
  `docs/`, `doc/`) is judged against the example's own manifests, between the file and that
  folder; an example without one is not checked (it documents, it is not installed). When the
  example depends on the project around it (Flask's tutorial declares `flask`), that project's
  dependencies come along transitively (below);
- optional imports: a Python import inside `try:` whose `except` catches ImportError
  (ImportError, ModuleNotFoundError, Exception, a bare `except:`): the code runs without it,
  and the fallback import in an `except ImportError:` clause (a backport for older
  interpreters); namespace portions (`backports.zoneinfo` declared, `backports` imported);
- imports in a branch chosen by interpreter version or platform (`if sys.version_info >= (3, 15):`,
  `if sys.platform == "win32":`): standard library or a platform package there;
- in a Python library (setup.py, setup.cfg or a pyproject.toml with [build-system], no
  requirements.txt or Pipfile), imports inside functions and under integrations/contrib/plugins/
  backends folders: optional integrations the user who picks them installs;
- JavaScript module ids that cannot be npm package names (a leading `_` or `.`, as bundlers
  write `require('_process')`);
- transitive dependencies: a module whose distribution (or npm package) is recorded in a lock
  file beside the manifests (poetry.lock, uv.lock, pdm.lock, Pipfile.lock; package-lock.json,
  npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock) is not reported. The lock pins it to
  the package a declared dependency brought in, so the risk this rule is about (the first person
  to fix an import error installs "the obvious name", maybe a squat) does not arise; relying on
  a transitive dependency is a hygiene question, not a supply-chain one.

Manifests are read, never executed. setup.py is not a manifest Redline can parse: a project
with only setup.py is not checked; beside another manifest (a pyproject.toml or setup.cfg kept
for tool settings), the requirement-shaped string literals of setup.py count as declared.
Standard-library modules of other Python versions (Python 2's `httplib`, 3.14's `compression`)
are standard library too. Parsed manifests are cached by
path, modification time and size; folder listings by the folder's modification time; the
workspace of a folder while none of the folders and files it was built from changes, and the
answer for each imported name on that workspace. So the language server, which runs this on
every keystroke, pays for finding the file's imports (a byte scan confirmed by the tree, no
query pass) and a stat per watched path, and decides a name again only when an import or a
manifest changes. The environment (installed modules and distributions) is read once per
process, and only when an import remains that the workspace does not explain.
"""

from __future__ import annotations

import json
import os
import pkgutil
import re
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts

from redline import languages as langs
from redline.deps import locks, manifests
from redline.deps import versions as V
from redline.documents.source import SourceFile
from redline.secrets.filters import is_test_path
from redline.secrets.regex import linear

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
    "pydispatcher": ("pydispatch",),
    "pypydispatcher": ("pydispatch",),
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
    # `_typeshed` exists only in typeshed's stubs of the standard library (imported under
    # `if TYPE_CHECKING:`): part of every type checker, never a package to install.
    return frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names) | {"__future__", "__main__", "_typeshed"}


# Standard-library modules of other Python versions than the one Redline runs on: Python 2's
# (imported in `else:  # Python 2` branches and by old compatibility shims: `httplib`,
# `urlparse`, `cPickle`) and the ones added after 3.11 (`compression.zstd` and `annotationlib`
# in 3.14, imported behind a version check). None is a package anyone installs from PyPI.
OTHER_PYTHON_STDLIB = frozenset({
    # Python 2 only
    "__builtin__", "anydbm", "BaseHTTPServer", "Bastion", "bsddb", "CGIHTTPServer", "commands", "compiler",
    "ConfigParser", "Cookie", "cookielib", "copy_reg", "cPickle", "cStringIO", "dbhash", "dircache",
    "DocXMLRPCServer", "dumbdbm", "dummy_thread", "exceptions", "fpformat", "gdbm", "HTMLParser", "htmlentitydefs",
    "htmllib", "httplib", "ihooks", "imputil", "markupbase", "md5", "mimetools", "MimeWriter", "mimify",
    "multifile", "mutex", "new", "popen2", "posixfile", "Queue", "repr", "rexec", "rfc822", "robotparser",
    "ScrolledText", "sets", "sgmllib", "sha", "SimpleHTTPServer", "SimpleXMLRPCServer", "SocketServer", "statvfs",
    "StringIO", "thread", "Tix", "Tkinter", "tkMessageBox", "tkFileDialog", "ttk", "urllib2", "urlparse",
    "UserDict", "UserList", "UserString", "whichdb", "xmlrpclib", "_winreg",
    # added after Python 3.11
    "annotationlib", "compression", "_interpreters", "_interpqueues", "_interpchannels", "_colorize", "_pyrepl",
})
_PY_STDLIB = _python_stdlib() | OTHER_PYTHON_STDLIB

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


# Where a Python import statement can begin: the start of a line (after indentation), after `;`
# (`x = 1; import os`) or after the `:` of a one-line compound statement (`if TYPE_CHECKING: import
# os`, `try: import ujson`), or after a byte-order mark. Each such keyword is only a candidate:
# the tree says whether it is the first token of an import statement (not a word in a string).
_PY_KEYWORDS = {b"import": "import_statement", b"from": "import_from_statement"}
_BEFORE_STATEMENT = frozenset(b"\n\r;:\xbf")
_INDENT = frozenset(b" \t\f\v")
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _statement_starts(text: bytes, anywhere: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, statement type) of each `import`/`from` keyword that can begin a statement
    (`anywhere`: each one not followed by a word character, for trees with syntax errors, where
    error recovery may start a statement after anything). bytes.find and a look at the bytes around
    each hit: about 10 ms for Django's 155k lines, where one regular expression with the same
    alternatives took 120 ms."""
    out = []
    n = len(text)
    for kw, stmt in _PY_KEYWORDS.items():
        k = len(kw)
        i = text.find(kw)
        while i != -1:
            e = i + k
            if e >= n or text[e] not in _WORD:
                if anywhere:  # even right after a word: `0xCimport os` lexes as `0xC`, `import`
                    out.append((i, e, stmt))
                else:
                    j = i - 1
                    while j >= 0 and text[j] in _INDENT:
                        j -= 1
                    if j < 0 or text[j] in _BEFORE_STATEMENT:
                        out.append((i, e, stmt))
            i = text.find(kw, e)
    return out


def imports_of(file: SourceFile) -> list[Import]:
    """The imported modules (Python: top-level name; JavaScript: package) of `file`, in order."""
    if file.tree is None:
        return []
    if file.language == "python":
        return _python_imports(file)
    return _js_imports(file)


def _imports_by_query(file: SourceFile) -> list[Import]:
    """The imports the tree-sitter query finds: the definition the byte scans below must match
    (the tests compare them on real and randomly broken code)."""
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


def _python_imports(file: SourceFile) -> list[Import]:
    """What `_imports_by_query` finds, without a query over the whole tree: a byte scan finds
    the `import`/`from` keywords that can begin a statement and the tree confirms each one (a
    few microseconds per import instead of a pass over every node). In a tree with syntax
    errors every occurrence of the keywords is a candidate: error recovery can start an import
    statement after anything, but the statement still begins with the keyword's token."""
    root = file.tree.root_node
    text = file.text
    out: list[Import] = []
    for start, end, wanted in _statement_starts(text, anywhere=root.has_error):
        keyword = root.descendant_for_byte_range(start, end)
        if keyword is None or keyword.start_byte != start or keyword.end_byte != end:
            continue
        stmt = keyword.parent
        if stmt is None or stmt.type != wanted or stmt.start_byte != start:
            continue
        field = "name" if stmt.type == "import_statement" else "module_name"
        for child in stmt.children_by_field_name(field):
            if child.type == "aliased_import" and field == "name":
                child = child.child_by_field_name("name")
            if child is None or child.type != "dotted_name":
                continue
            first = child.named_children[0] if child.named_child_count else None
            if first is None or first.type != "identifier":
                continue
            s, e = first.start_byte, first.end_byte
            out.append(Import(text[s:e].decode("utf-8", "replace"), (s, e)))
    out.sort(key=lambda i: i.span)
    return out


_JS_WORDS = (b"import", b"export", b"require")


def _js_imports(file: SourceFile) -> list[Import]:
    """What `_imports_by_query` finds in JavaScript/TypeScript, the same way as in Python: each
    `import`, `export` and `require` in the bytes (there are few) is looked up in the tree, and
    the module string of the statement or call it starts is read from there."""
    root = file.tree.root_node
    text = file.text
    strings = []
    for word in _JS_WORDS:
        k = len(word)
        i = text.find(word)
        while i != -1:
            node = root.descendant_for_byte_range(i, i + k)
            if node is not None and node.start_byte == i and node.end_byte == i + k:
                # The token, then the named node around it if any (`import(...)`'s (import)).
                while (up := node.parent) is not None and up.start_byte == i and up.end_byte == i + k:
                    node = up
                source = _js_module_string(node)
                if source is not None:
                    strings.append(source)
            i = text.find(word, i + k)
    out = []
    for string in strings:
        for frag in string.children:
            if frag.type != "string_fragment":
                continue
            pkg = js_package_of(text[frag.start_byte : frag.end_byte].decode("utf-8", "replace"))
            if pkg:
                start = frag.start_byte
                out.append(Import(pkg, (start, start + len(pkg.encode()))))
    out.sort(key=lambda i: i.span)
    return out


def _js_module_string(word):
    """The `string` node naming the module of the construct `word` (an import/export/require
    token) begins, as the query's patterns have it; None when it begins none."""
    parent = word.parent
    if parent is None:
        return None
    ptype = parent.type
    if ptype in ("import_statement", "export_statement"):
        if parent.start_byte != word.start_byte or word.type != ptype.split("_")[0]:
            return None
        source = parent.child_by_field_name("source")
    elif ptype == "import_require_clause":  # TypeScript: import fx = require('fs-extra')
        if word.type != "require":
            return None
        source = parent.child_by_field_name("source")
    elif ptype == "call_expression":  # require('x'), import('x')
        if parent.child_by_field_name("function") != word or word.type not in ("identifier", "import"):
            return None
        if word.type == "identifier" and word.text != b"require":
            return None
        args = parent.child_by_field_name("arguments")
        source = args.named_children[0] if args is not None and args.named_child_count else None
    else:
        return None
    return source if source is not None and source.type == "string" else None


# --------------------------------------------------------------------------- environment

_env_lock = threading.Lock()
_installed: frozenset[str] | None = None
_distributions: dict[str, list[str]] | None = None


def module_distributions() -> dict[str, list[str]]:
    """importlib.metadata.packages_distributions(), computed once per process."""
    global _distributions
    if _distributions is None:
        with _env_lock:
            if _distributions is None:
                try:
                    _distributions = packages_distributions()
                except Exception:  # noqa: BLE001 - broken metadata must not stop the check
                    _distributions = {}
    return _distributions


def packages_distributions() -> dict[str, list[str]]:
    """What importlib.metadata.packages_distributions() returns, in a third of the time: the
    standard library builds a PackagePath object for every line of every RECORD without a
    top_level.txt and parses every METADATA file as an e-mail message, for one name. Here RECORD
    lines are split as strings and the Name header is read directly; any entry that is not plain
    (an absolute path, an empty row, a folded header) goes through importlib.metadata itself."""
    import importlib.metadata  # here, not at import: ~20 ms a first Python file need not pay

    out: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        top = (dist.read_text("top_level.txt") or "").split() or _top_level_inferred(dist)
        if not top:
            continue
        name = _metadata_name(dist)
        for pkg in top:
            out.setdefault(pkg, []).append(name)
    return out


def _top_level_inferred(dist) -> set[str]:
    record = dist.read_text("RECORD")
    if not record:
        return _top_level_inferred_slow(dist)
    import csv

    out = set()
    for row in csv.reader(record.splitlines()):
        if not row or row[0].startswith("/"):
            return _top_level_inferred_slow(dist)
        parts = [p for p in row[0].split("/") if p and p != "."]
        name = parts[-1] if parts else ""
        dot = name.rfind(".")
        if dot > 0 and name[dot:] == ".py":  # PurePath.suffix == ".py"
            out.add(parts[0] if len(parts) > 1 else name[:dot])
    return out


def _top_level_inferred_slow(dist) -> set[str]:
    """importlib.metadata's own inference (SOURCES.txt of egg-info, unusual RECORD rows)."""
    return {
        f.parts[0] if len(f.parts) > 1 else f.with_suffix("").name
        for f in (dist.files or ())
        if f.suffix == ".py"
    }


_NEWLINE = re.compile(r"\r\n|\r|\n")  # the e-mail parser's line ends
_HEADER_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")  # what it accepts as a header name
# Read from workspace files (pyproject.toml, tsconfig.json), so linear-time whatever they hold.
_PYPROJECT_NAME = linear(rb'(?m)^\s*name\s*=\s*["\']([^"\']+)["\']')
_TS_PATHS = linear(r'"paths"\s*:\s*\{(.*?)\}', re.S)
_TS_KEY = linear(r'"([^"]+)"\s*:')
_TS_BASE_URL = linear(r'"baseUrl"\s*:\s*"([^"]+)"')


def _metadata_name(dist) -> str | None:
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if text:
        lines = _NEWLINE.split(text, 50)  # the Name header is near the top
        for i, line in enumerate(lines[:50]):
            key, colon, value = line.partition(":")
            if not colon or not _HEADER_NAME.fullmatch(key):
                break  # end of the headers, or something to leave to the e-mail parser
            if key.lower() == "name":
                if i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
                    break  # folded: let the e-mail parser join it
                return value.lstrip(" \t")
    return dist.metadata["Name"]


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
    # Normalized names in the lock files beside the manifests: installed with the project, as
    # dependencies of declared packages (transitive) or declared ones.
    locked: frozenset[str] = frozenset()
    # Python module -> accounted for by the manifests or the project's own files. Valid as long
    # as this object is: workspace_for() builds a new Workspace when a manifest or a folder the
    # answer depends on changes, so an edit that leaves the imports alone looks nothing up.
    verdicts: dict = field(default_factory=dict, compare=False, repr=False)
    # A Python library (setup.py, setup.cfg or a pyproject.toml with [build-system], and no
    # application requirements file or Pipfile): its lazy and integration imports are optional.
    library: bool = False


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
    if fmt is None and path.suffix == ".in":
        fmt = "requirements"  # a pip-compile input (requirements/tests.in): the same syntax
    tree = None
    if fmt in ("pyproject", "pipfile"):
        tree = langs.parse("toml", data)
    elif fmt == "package.json":
        tree = langs.parse("json", data)
    if fmt == "requirements" and path.suffix == ".in":
        from redline.deps.manifests import requirements  # with the parsers: only for a workspace's manifests

        m = requirements.parse(str(path), data)
    else:
        m = manifests.parse(str(path), data, tree) if fmt else None
    names = frozenset(V.normalize_name(ecosystem, r.name) for r in m.requirements) if m else frozenset()
    if fmt == "package.json":
        try:
            doc = json.loads(data)
            own = doc.get("name")
            if isinstance(own, str):
                names |= {own.lower()}
            names |= _workspace_members(path.parent, doc.get("workspaces"))
        except (ValueError, AttributeError):
            pass
    if fmt == "pyproject":
        own = _PYPROJECT_NAME.search(data)
        if own:
            names |= {V.normalize_name(V.PYPI, own.group(1).decode("utf-8", "replace"))}
    with _cache_lock:
        _manifest_cache[str(path)] = (key, names)
    return names


# A requirement written as a string literal in setup.py (`"sanic-routing>=23.12.0"`, `'tox'`,
# `"uvloop>=0.15" + marker`): the name, optional extras, then a specifier or marker or nothing.
_SETUP_REQ = linear(rb"""["']([A-Za-z0-9][A-Za-z0-9._-]{0,100})\s*(?:\[[^\]"'\n]{0,200}\])?\s*(?:[<>=!~;(@][^"'\n]{0,300})?["']""")


def _setup_py_declared(path: Path) -> frozenset[str]:
    """Distribution names a setup.py may declare, read without running it: every string literal
    shaped like a requirement (`install_requires`, `extras_require` and the lists they are built
    from). Over-inclusive by design (a `name="..."` or a file name also passes): setup.py only
    adds names to a workspace that other manifests define; it never makes one."""
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    key = (st.st_mtime_ns, st.st_size)
    cached = _manifest_cache.get(str(path))
    if cached and cached[0] == key:
        return cached[1]
    names: frozenset[str] = frozenset()
    if st.st_size <= 1_000_000:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        names = frozenset(V.normalize_name(V.PYPI, m.group(1).decode("ascii", "replace")) for m in _SETUP_REQ.finditer(data))
    with _cache_lock:
        _manifest_cache[str(path)] = (key, names)
    return names


MAX_MEMBERS = 500  # workspace member folders read per workspace root


def _workspace_patterns(folder: Path, spec) -> list[str]:
    """The member folder patterns of an npm/yarn/bun `workspaces` field and of a
    pnpm-workspace.yaml beside it."""
    if isinstance(spec, dict):
        spec = spec.get("packages")
    patterns = [x for x in spec if isinstance(x, str)] if isinstance(spec, list) else []
    pnpm = folder / "pnpm-workspace.yaml"
    if pnpm.is_file():
        try:
            text = pnpm.read_text("utf-8", "replace")[:200_000]
        except OSError:
            text = ""
        for line in text.splitlines():
            item = line.strip()
            if item.startswith("- "):
                patterns.append(item[2:].strip().strip("\"'"))
    return patterns


def _workspace_members(folder: Path, spec) -> set[str]:
    """The package names of a workspace's members (`packages/*`, `apps/web`): their imports of
    each other are the project's own. Only `dir`, `dir/*` and `dir/**` patterns are expanded."""
    out: set[str] = set()
    dirs: list[Path] = []
    for pat in _workspace_patterns(folder, spec):
        if pat.startswith("!") or ".." in pat:
            continue
        pat = pat.rstrip("/")
        if pat.endswith(("/*", "/**")):
            base = folder / pat.rsplit("/", 1)[0]
            dirs.extend(base / d for d in sorted(_listing(str(base)).dirs))
        elif "*" not in pat:
            dirs.append(folder / pat)
    for d in dirs[:MAX_MEMBERS]:
        try:
            name = json.loads((d / "package.json").read_bytes()[:5_000_000]).get("name")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(name, str):
            out.add(name.lower())
    return out


def _own_name(path: Path, ecosystem: str) -> str | None:
    """The normalized name a pyproject.toml or package.json gives its own project."""
    try:
        if path.stat().st_size > 5_000_000:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if path.name == "package.json":
        try:
            own = json.loads(data).get("name")
        except (ValueError, AttributeError):
            return None
        return own.lower() if isinstance(own, str) else None
    if path.name == "pyproject.toml":
        m = _PYPROJECT_NAME.search(data)
        return V.normalize_name(ecosystem, m.group(1).decode("utf-8", "replace")) if m else None
    return None


@lru_cache(maxsize=8192)
def _manifest_format(name: str) -> str | None:
    return manifests.detect(name)


@dataclass(frozen=True)
class _Listing:
    """A folder's entries (links followed), in the order the file system lists them."""

    files: tuple[str, ...]
    dirs: frozenset[str]
    file_set: frozenset[str]


_EMPTY = _Listing((), frozenset(), frozenset())
_listings: dict[str, tuple[tuple[int, int], _Listing]] = {}


def _listing(folder: str) -> _Listing:
    """The entries of `folder`, cached by its modification time (which every file created,
    removed or renamed in it changes): one stat per folder per call instead of a stat per
    file name asked about."""
    stamp = _mtime(folder)
    hit = _listings.get(folder)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    files: list[str] = []
    dirs: set[str] = set()
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    if entry.is_dir():
                        dirs.add(entry.name)
                    elif entry.is_file():
                        files.append(entry.name)
                except OSError:
                    continue
    except OSError:
        listing = _EMPTY
    else:
        listing = _Listing(tuple(files), frozenset(dirs), frozenset(files))
    with _cache_lock:
        _listings[folder] = (stamp, listing)
    return listing


def _requirements_files(folder: str, listing: _Listing) -> list[str]:
    """requirements-style files in `folder` and `folder/requirements/*.txt`, and the pip-compile
    inputs beside them (`requirements.in`, `requirements/tests.in`): a compiled file can leave out
    what its input declares for another Python version (`greenlet ; python_version < "3.11"`)."""
    out = [os.path.join(folder, n) for n in listing.files
           if _manifest_format(n) == "requirements" or n.startswith("requirements") and n.endswith(".in")]
    if "requirements" in listing.dirs:
        req_dir = os.path.join(folder, "requirements")
        out.extend(os.path.join(req_dir, n) for n in _listing(req_dir).files if n.endswith((".txt", ".in")))
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
        m = _TS_PATHS.search(text)
        if m:
            for key in _TS_KEY.findall(m.group(1)):
                out.add(key.rstrip("*").rstrip("/"))
        b = _TS_BASE_URL.search(text)
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

    Cached per folder: the entry is reused while every folder visited (and its `src/` and
    `requirements/`), every manifest and tsconfig read keeps its modification time (adding or
    removing a file changes its folder's), so a project scan walks each folder once and the
    server still sees a manifest the moment it is edited or created."""
    kind = "python" if language in PYTHON_LANGS else "javascript"
    start = os.path.dirname(os.path.realpath(path))
    key = (start, kind)
    hit = _ws_cache.get(key)
    if hit is not None and tuple(_mtime(p) for p in hit[0]) == hit[1]:
        return hit[2]
    ws, watched = _compute_workspace(start, kind)
    with _cache_lock:
        _ws_cache[key] = (watched, tuple(_mtime(p) for p in watched), ws)
    return ws


# Folders whose content is example or documentation code: an import there is judged against
# the example's own manifest (between the file and this folder, or in it), never the project's.
EXAMPLE_DIRS = frozenset({"examples", "example", "samples", "sample", "demo", "demos", "docs", "doc"})
_LOCKS = {"python": locks.PYPI_LOCKS, "javascript": locks.NPM_LOCKS}


def _compute_workspace(start: str, kind: str) -> tuple[Workspace | None, tuple[str, ...]]:
    eco = V.PYPI if kind == "python" else V.NPM
    folders = []
    found: list[str] = []
    declared: set[str] = set()
    locked: set[str] = set()
    aliases: set[str] = set()
    watched: list[str] = []
    lock_files: list[str] = []
    collecting = True  # False above an example folder: the project's manifests are not the example's
    folder = start
    for _ in range(40):
        listing = _listing(folder)
        folders.append(Path(folder))
        watched.append(folder)
        if not collecting:
            # Above an example: a project the example depends on (`flask` in Flask's examples)
            # brings its own dependencies along, transitively.
            for n in _MANIFEST_FILES[kind]:
                cand = os.path.join(folder, n)
                if n in listing.file_set and _own_name(Path(cand), eco) in declared:
                    locked |= _declared_in(Path(cand), eco) or frozenset()
                    lock_files.append(cand)
        if collecting:
            candidates = [os.path.join(folder, n) for n in _MANIFEST_FILES[kind] if n in listing.file_set]
            if kind == "python":
                candidates += _requirements_files(folder, listing)
                if "requirements" in listing.dirs:
                    watched.append(os.path.join(folder, "requirements"))
            for cand in candidates:
                names = _declared_in(Path(cand), eco)
                if names is not None:
                    found.append(cand)
                    declared |= names
            if kind == "python" and "setup.py" in listing.file_set:
                # Many projects keep a pyproject.toml or setup.cfg for tool settings and declare
                # their dependencies in setup.py (`install_requires=requirements`).
                setup_py = os.path.join(folder, "setup.py")
                declared |= _setup_py_declared(Path(setup_py))
                watched.append(setup_py)
            for n in _LOCKS[kind]:
                if n in listing.file_set:
                    lock_files.append(os.path.join(folder, n))
                    locked |= locks.names_in(lock_files[-1])
            if kind == "javascript":
                aliases |= _tsconfig_aliases(Path(folder))
                watched.extend(os.path.join(folder, n) for n in ("tsconfig.json", "jsconfig.json") if n in listing.file_set)
            if os.path.basename(folder).lower() in EXAMPLE_DIRS:
                collecting = False
                if not found:
                    return None, tuple(watched)  # an example without a manifest of its own
        if kind == "python" and "src" in listing.dirs:  # src/ layouts (python_local)
            watched.append(os.path.join(folder, "src"))
        parent = os.path.dirname(folder)
        if ".git" in listing.file_set or ".git" in listing.dirs or parent == folder:
            break
        folder = parent
    watched.extend(found)
    watched.extend(lock_files)
    if not found:
        return None, tuple(watched)
    return Workspace(Path(folder), tuple(found), frozenset(declared), tuple(folders), frozenset(aliases),
                     frozenset(locked), library=kind == "python" and _python_library(found, folders)), tuple(watched)


_APP_MANIFESTS = ("requirements.txt", "requirements.in", "Pipfile")


def _python_library(found: list[str], folders: list[Path]) -> bool:
    """Is the workspace a Python library: built as a distribution (setup.py, setup.cfg, or a
    pyproject.toml with a [build-system]) and without an application's requirements file?"""
    if any(os.path.basename(m) in _APP_MANIFESTS for m in found):
        return False
    for m in found:
        base = os.path.basename(m)
        if base == "setup.cfg":
            return True
        if base == "pyproject.toml":
            try:
                with open(m, "rb") as fh:
                    if b"[build-system]" in fh.read(1 << 20):
                        return True
            except OSError:
                continue
    return any((f / "setup.py").is_file() for f in folders)


# Folders of a library that hold its optional integrations with other packages (authlib's
# integrations/flask_client, urllib3's contrib/emscripten): they import what the user brings.
INTEGRATION_DIRS = frozenset({"contrib", "integrations", "integration", "plugins", "adapters", "backends", "ext"})


def _in_function(file: SourceFile, imp: Import) -> bool:
    """The import runs only when a function is called (a lazy import)."""
    node = file.tree.root_node.descendant_for_byte_range(*imp.span) if file.tree is not None else None
    for _ in range(MAX_TRY_LEVELS * 4):
        if node is None or node.type == "module":
            return False
        if node.type in ("function_definition", "lambda"):
            return True
        node = node.parent
    return False


# What an `if` tests when it picks code for an interpreter version or a platform.
_ENVIRONMENT_TESTS = (b"sys.version_info", b"sys.platform", b"os.name", b"platform.system", b"PY2", b"PY3", b"WINDOWS",
                      b"IS_WINDOWS", b"PYPY", b"sys.implementation",
                      b"TYPE_CHECKING")  # imports for the type checker only: never run


def _environment_guarded(file: SourceFile, imp: Import) -> bool:
    """The import sits in a branch taken only on some interpreter versions or platforms
    (`if sys.version_info >= (3, 15): from profiling...`, `if sys.platform == "win32": import
    win32api`): the module is the standard library there, or a platform's own package, not a
    dependency every install needs."""
    node = file.tree.root_node.descendant_for_byte_range(*imp.span) if file.tree is not None else None
    for _ in range(MAX_TRY_LEVELS * 4):
        if node is None or node.type == "module":
            return False
        if node.type in ("if_statement", "elif_clause", "else_clause", "conditional_expression"):
            branch = node.parent if node.type in ("elif_clause", "else_clause") else node
            chain = [branch] + [c for c in branch.named_children if c.type == "elif_clause"]
            for n in chain:
                cond = n.child_by_field_name("condition")
                if cond is not None and any(t in file.text[cond.start_byte:cond.end_byte] for t in _ENVIRONMENT_TESTS):
                    return True
        node = node.parent
    return False


def _library_optional(file: SourceFile, imp: Import, ws: Workspace) -> bool:
    """In a library, an import inside a function (bottle's server adapters, scrapy's botocore
    storage) or in an integrations/contrib folder is an optional integration: the user who
    picks that feature installs the package; the library must not depend on all of them. In an
    application the same import is a missing dependency and stays reported."""
    if not ws.library:
        return False
    try:
        rel = Path(file.path).resolve().relative_to(ws.root.resolve()).parts[:-1]
    except (ValueError, OSError):
        rel = Path(file.path).parts[:-1]
    if any(p.lower() in INTEGRATION_DIRS for p in rel):
        return True
    return _in_function(file, imp)


# ----------------------------------------------------------------------------- decisions


def python_declared(module: str, declared: frozenset[str]) -> bool:
    return _declared_by_name(module, declared) or _declared_by_distribution(module, declared)


def _declared_by_name(module: str, declared: frozenset[str]) -> bool:
    """A declared distribution whose name is a usual spelling of the import name."""
    norm = V.normalize_name(V.PYPI, module)
    variants = {norm, "python-" + norm, norm + "-python", "py" + norm, "python3-" + norm, norm + "-binary"}
    if variants & declared:
        return True
    for dist in declared:
        if module in PYTHON_IMPORT_NAMES.get(dist, ()):
            return True
        if dist.startswith(norm + "-") and "." not in module:
            # a namespace package's portion: `backports.zoneinfo` is imported as `backports`,
            # `zope.interface` as `zope`, `jaraco.classes` as `jaraco`
            return True
        for prefix in ("python-", "py-", "py", "django-", "flask-"):
            if dist.startswith(prefix) and dist[len(prefix) :].replace("-", "_") == module.lower():
                return True
    return False


def _declared_by_distribution(module: str, declared: frozenset[str]) -> bool:
    """An installed distribution that provides `module` is declared (reads the environment's
    distribution table, once per process)."""
    dists = module_distributions().get(module, [])
    return any(V.normalize_name(V.PYPI, d) in declared for d in dists)


MAX_SUBFOLDERS = 100  # subfolders of each ancestor folder searched for the project's own modules
_NOT_PROJECT = frozenset({"node_modules", "site-packages", "venv", ".venv", "env", ".tox", ".nox", "build", "dist",
                          "__pycache__", ".git", ".mypy_cache", ".pytest_cache"})


def _has_module(listing: _Listing, module: str) -> bool:
    return f"{module}.py" in listing.file_set or module in listing.dirs or f"{module}.pyi" in listing.file_set


def python_local(module: str, ws: Workspace) -> bool:
    """A module of the project: in the file's folder or one above it, in their `src/`, or one
    level down from them (`tests/test_apps/blueprintapp` for tests that put `test_apps` on the
    path, `backend/app` for a script beside `backend/`)."""
    for folder in ws.folders:
        listing = _listing(str(folder))
        if _has_module(listing, module) or _has_module(_listing(os.path.join(folder, "src")), module):
            return True
        subs = sorted(d for d in listing.dirs if d not in _NOT_PROJECT and not d.startswith("."))
        for sub in subs[:MAX_SUBFOLDERS]:
            if _has_module(_listing(os.path.join(folder, sub)), module):
                return True
    return False


def _python_accounted(module: str, ws: Workspace) -> bool:
    """Declared in the workspace's manifests or part of the project, remembered on `ws`. The
    environment (installed modules, the distribution table) is consulted only for imports that
    neither explains, so a project whose imports are all declared never reads it."""
    v = ws.verdicts.get(module)
    if v is None:
        v = ws.verdicts[module] = (
            _declared_by_name(module, ws.declared) or python_local(module, ws)
            or bool(ws.locked) and _declared_by_name(module, ws.locked)
        )
    if v:
        return True
    if module in installed_python_modules():  # not remembered: the environment is the host's
        return True
    key = ("distribution", module)
    v = ws.verdicts.get(key)
    if v is None:
        v = ws.verdicts[key] = _declared_by_distribution(module, ws.declared)
    return v


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


_NAME_ENDS = (b'"', b"'", b"`", b".py", b".js", b".ts", b"/")
MAX_STRING_LOOKS = 64


def _named_in_strings(text: bytes, module: str) -> bool:
    """`module` is written in a string literal of the file (`"site_app.py"`, `'installed_package'`,
    `purge_module("config_module_app")`): a test that creates the module it imports (in a
    temporary folder it puts on the path), not a package anyone installs."""
    name = module.encode()
    for q in (b'"', b"'", b"`"):
        needle = q + name
        i = text.find(needle)
        looks = 0
        while i != -1 and looks < MAX_STRING_LOOKS:
            after = text[i + len(needle) : i + len(needle) + 3]
            if any(after.startswith(e) for e in _NAME_ENDS):
                return True
            looks += 1
            i = text.find(needle, i + 1)
    return False


_IMPORT_ERRORS = (b"ImportError", b"ModuleNotFoundError", b"Exception")  # also BaseException
MAX_TRY_LEVELS = 30  # ancestors looked at for the `try` around an import


def _optional_import(file: SourceFile, imp: Import) -> bool:
    """A Python import inside `try:` whose `except` catches ImportError (by name, as
    ModuleNotFoundError, or as Exception / a bare `except:`, as feature probes do): the code
    works without the module (an optional accelerator, a feature probe, a backport), so no
    one has to install "the obvious name" to make it run."""
    node = file.tree.root_node.descendant_for_byte_range(*imp.span)
    child = None
    for _ in range(MAX_TRY_LEVELS):
        if node is None or node.type in ("function_definition", "class_definition", "module"):
            return False
        if node.type == "except_clause" and node.parent is not None and node.parent.type == "try_statement":
            # the fallback of an import guard (`except ImportError: import importlib_metadata`):
            # a backport for older interpreters, reached only where the first import failed
            head = file.text[node.start_byte : (node.named_children[-1].start_byte if node.named_children else node.end_byte)]
            if any(e in head for e in _IMPORT_ERRORS[:2]):
                return True
        if node.type == "else_clause" and node.parent is not None and node.parent.type == "try_statement":
            # `try: import a  except ImportError: ...  else: import b`: b is imported only where
            # the guarded import worked (requests' help module and pyOpenSSL)
            for clause in node.parent.named_children:
                if clause.type == "except_clause":
                    head = file.text[clause.start_byte : (clause.named_children[-1].start_byte if clause.named_children else clause.end_byte)]
                    if any(e in head for e in _IMPORT_ERRORS[:2]):
                        return True
        if node.type == "try_statement" and child is not None and child == node.child_by_field_name("body"):
            for clause in node.named_children:
                if clause.type == "except_clause":
                    head = file.text[clause.start_byte : (clause.named_children[-1].start_byte if clause.named_children else clause.end_byte)]
                    if any(e in head for e in _IMPORT_ERRORS) or head.rstrip(b" \t:") == b"except":  # bare except
                        return True
        child, node = node, node.parent
    return False


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
    is_test = is_test_path(file.path)
    if file.language in PYTHON_LANGS:
        for imp in found:
            m = imp.module
            if m in seen:
                continue
            seen.add(m)
            if m in _PY_STDLIB or _python_accounted(m, ws):
                continue
            if is_test and _named_in_strings(file.text, m):
                continue
            if _optional_import(file, imp) or _library_optional(file, imp, ws) or _environment_guarded(file, imp):
                continue
            out.append(imp)
    else:
        for imp in found:
            p = imp.module
            if p in seen:
                continue
            seen.add(p)
            bare = p.split("/")[-1] if p.startswith("@") else p
            if p.startswith(("_", ".")):
                continue  # not a valid npm name: a bundler's module id (browserify's `_process`)
            if p in NODE_BUILTINS or p.lower() in ws.declared or f"@types/{bare}" in ws.declared or p.lower() in ws.locked:
                continue
            if js_installed(p, ws) or js_local(p, ws):
                continue
            if is_test and _named_in_strings(file.text, p):
                continue
            out.append(imp)
    return ws, out
