"""Which grammar parses which file.

Maps LSP languageIds and file names/extensions to Redline language names, and each language
to its official tree-sitter grammar wheel. Grammars and parsers are created lazily, once per
language and process. An unknown language is never an error: `detect` returns None and
`skip_reason` says why.
"""

from __future__ import annotations

import fnmatch
import importlib
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import tree_sitter as ts


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    module: str | None  # grammar wheel module; None = no grammar (read line by line)
    function: str = "language"
    comment: str | None = "#"  # line comment prefix for suppressions; None = no comments
    block_comment: tuple[str, str] | None = None


LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in [
        LanguageSpec("python", "tree_sitter_python"),
        LanguageSpec("javascript", "tree_sitter_javascript", comment="//", block_comment=("/*", "*/")),
        LanguageSpec("typescript", "tree_sitter_typescript", "language_typescript", "//", ("/*", "*/")),
        LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx", "//", ("/*", "*/")),
        LanguageSpec("go", "tree_sitter_go", comment="//", block_comment=("/*", "*/")),
        LanguageSpec("java", "tree_sitter_java", comment="//", block_comment=("/*", "*/")),
        LanguageSpec("hcl", "tree_sitter_hcl", comment="#", block_comment=("/*", "*/")),
        LanguageSpec("yaml", "tree_sitter_yaml"),
        LanguageSpec("json", "tree_sitter_json", comment=None),
        LanguageSpec("toml", "tree_sitter_toml"),
        LanguageSpec("dockerfile", "tree_sitter_dockerfile"),
        LanguageSpec("bash", "tree_sitter_bash"),
        # Plain text-like files: no grammar, scanned line by line (secrets, manifests).
        LanguageSpec("text", None),
        LanguageSpec("ini", None, comment="#"),
        LanguageSpec("dotenv", None, comment="#"),
        LanguageSpec("properties", None, comment="#"),
        LanguageSpec("requirements", None, comment="#"),
        LanguageSpec("gomod", None, comment="//"),
        LanguageSpec("xml", None, comment=None, block_comment=("<!--", "-->")),
        # Templates: no grammar; the templates engine lexes their tags and expressions itself
        # (redline.templates). "html" is scanned for Jinja/Django syntax when it has `{{`/`{%`.
        *(LanguageSpec(name, None, comment=None, block_comment=("<!--", "-->"))
          for name in ("html", "jinja", "ejs", "handlebars", "vue", "svelte")),
    ]
}

# LSP languageId -> Redline language.
LANGUAGE_IDS: dict[str, str] = {
    "python": "python",
    "javascript": "javascript",
    "javascriptreact": "javascript",
    "typescript": "typescript",
    "typescriptreact": "tsx",
    "go": "go",
    "java": "java",
    "terraform": "hcl",
    "terraform-vars": "hcl",
    "hcl": "hcl",
    "yaml": "yaml",
    "github-actions-workflow": "yaml",
    "dockercompose": "yaml",
    "json": "json",
    "jsonc": "json",
    "toml": "toml",
    "dockerfile": "dockerfile",
    "shellscript": "bash",
    "sh": "bash",
    "bash": "bash",
    "plaintext": "text",
    "ini": "ini",
    "properties": "properties",
    "dotenv": "dotenv",
    "pip-requirements": "requirements",
    "go.mod": "gomod",
    "gomod": "gomod",
    "xml": "xml",
    "html": "html",
    "jinja": "jinja",
    "jinja-html": "jinja",
    "django-html": "jinja",
    "ejs": "ejs",
    "html-ejs": "ejs",
    "handlebars": "handlebars",
    "mustache": "handlebars",
    "vue": "vue",
    "svelte": "svelte",
    # Languages without a grammar here: read as plain text, so that the secrets engines (which
    # work line by line) still see them. No other engine applies to "text".
    **{lid: "text" for lid in ("c", "cpp", "csharp", "objective-c", "objective-cpp", "swift", "kotlin",
                               "scala", "dart", "groovy", "php", "ruby", "perl", "lua", "sql", "powershell",
                               "vb", "fsharp", "apex")},
}

# File-name patterns first (more specific), then extensions.
FILENAME_PATTERNS: list[tuple[str, str]] = [
    ("Dockerfile", "dockerfile"),
    ("Dockerfile.*", "dockerfile"),
    ("*.Dockerfile", "dockerfile"),
    ("Containerfile", "dockerfile"),
    ("requirements*.txt", "requirements"),
    ("constraints*.txt", "requirements"),
    ("*.requirements.txt", "requirements"),
    ("go.mod", "gomod"),
    ("Pipfile", "toml"),
    (".env", "dotenv"),
    (".env.*", "dotenv"),
    ("*.env", "dotenv"),
    # credential files (secrets engines)
    (".npmrc", "ini"),
    (".pypirc", "ini"),
    (".netrc", "text"),
    (".git-credentials", "text"),
]

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".java": "java",
    ".tf": "hcl",
    ".tfvars": "hcl",
    ".hcl": "hcl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".sh": "bash",
    ".bash": "bash",
    ".txt": "text",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".properties": "properties",
    ".xml": "xml",
    ".html": "html",
    ".htm": "html",
    ".jinja": "jinja",
    ".jinja2": "jinja",
    ".j2": "jinja",
    ".djhtml": "jinja",
    ".ejs": "ejs",
    ".hbs": "handlebars",
    ".handlebars": "handlebars",
    ".mustache": "handlebars",
    ".vue": "vue",
    ".svelte": "svelte",
    # Source files without a grammar and key files: plain text for the secrets engines.
    **{ext: "text" for ext in (".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".m", ".mm", ".swift",
                               ".kt", ".kts", ".scala", ".dart", ".groovy", ".gradle", ".cls", ".php", ".rb",
                               ".pl", ".lua", ".sql", ".ps1", ".vb", ".fs", ".pem", ".key")},
}


def from_language_id(language_id: str | None) -> str | None:
    """Redline language for an LSP languageId, or None when we do not handle it."""
    if not language_id:
        return None
    return LANGUAGE_IDS.get(language_id.lower())


def from_path(path: str | PurePath) -> str | None:
    """Redline language for a file name, or None when we do not handle it."""
    name = PurePath(str(path)).name
    for pattern, lang in FILENAME_PATTERNS:
        if fnmatch.fnmatchcase(name, pattern):
            return lang
    return EXTENSIONS.get(PurePath(name).suffix.lower())


def detect(path: str | PurePath | None = None, language_id: str | None = None) -> str | None:
    """Language from the file name when it is specific (Dockerfile, requirements.txt, go.mod,
    .env), else from the languageId, else from the extension."""
    by_path = from_path(path) if path else None
    if by_path in ("dockerfile", "requirements", "gomod", "dotenv"):
        return by_path
    by_id = from_language_id(language_id)
    return by_id or by_path


def skip_reason(path: str | PurePath | None, language_id: str | None = None) -> str:
    shown = language_id or (PurePath(str(path)).suffix if path else "") or "unknown"
    return f"no Redline language for {shown!r}"


_lock = threading.Lock()
_languages: dict[str, ts.Language] = {}
_local = threading.local()  # parsers are not thread-safe: each thread gets its own


def has_grammar(name: str) -> bool:
    spec = LANGUAGES.get(name)
    return bool(spec and spec.module)


def grammar(name: str) -> ts.Language:
    """The tree-sitter Language for `name`, loaded on first use. KeyError for no grammar."""
    lang = _languages.get(name)
    if lang is not None:
        return lang
    spec = LANGUAGES.get(name)
    if spec is None or spec.module is None:
        raise KeyError(f"no tree-sitter grammar for language {name!r}")
    with _lock:
        lang = _languages.get(name)
        if lang is None:
            module = importlib.import_module(spec.module)
            with warnings.catch_warnings():
                # Some grammar wheels (dockerfile 0.2) still hand back an int pointer.
                warnings.simplefilter("ignore", DeprecationWarning)
                lang = ts.Language(getattr(module, spec.function)())
            _languages[name] = lang
    return lang


def parser(name: str) -> ts.Parser:
    """This thread's parser for `name` (parsers are not thread-safe; each thread has its own)."""
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    p = parsers.get(name)
    if p is None:
        p = parsers[name] = ts.Parser(grammar(name))
    return p


def new_parser(name: str) -> ts.Parser:
    return ts.Parser(grammar(name))


# A parse from scratch gets PARSE_BUDGET_S of CPU time plus PARSE_BUDGET_PER_MB_S for each MB of
# text. Ordinary code parses at several MB/s here (a 1.9 MB bundle in 0.7 s), but tree-sitter's
# error recovery is quadratic on some hostile input: 36 KB of `pragma: allowlist ` repeated took
# 1.8 s as JavaScript, 72 KB 8.7 s, 200 KB five minutes. Past the budget the file has no tree and
# the rule engine reports it as skipped (PARSE_GAVE_UP) instead of freezing the editor or the scan.
PARSE_BUDGET_S = 1.0
PARSE_BUDGET_PER_MB_S = 1.0
PARSE_GAVE_UP = (
    "skipped: the parser gave up on this file (more CPU time than its size warrants: "
    "pathological or generated input); its rules are left out"
)


def parse_budget(size: int) -> float:
    """CPU seconds a parse from scratch of `size` bytes may take."""
    return PARSE_BUDGET_S + PARSE_BUDGET_PER_MB_S * size / 1_000_000


def parse(name: str, source: bytes, old_tree: ts.Tree | None = None) -> ts.Tree | None:
    """Parse `source`; None when the language has no grammar, or when a parse from scratch took
    longer than `parse_budget` allows."""
    if not has_grammar(name):
        return None
    if old_tree is not None:
        return parser(name).parse(source, old_tree)
    tree = _parse_budgeted(name, source, None, parse_budget(len(source)))
    if tree is None:
        return None
    # The same tree again, now reading its text from `source` (an unchanged reparse reuses every
    # node: 3 ms for 375 KB): a tree parsed through the read callback slices text per access.
    return parser(name).parse(source, tree)


class _Reader:
    """The read callback of `parse_within`. py-tree-sitter calls the progress callback only for
    parses that read through a callback, and a tree parsed so keeps reading its text through it
    (`Node.text`, the queries' text predicates), each call slicing `chunk` bytes: large chunks
    while parsing (few calls), small ones afterwards (measured here: 1.3 us per `Node.text`
    with 256 bytes against 58 us with 64 KiB; 0.3 us for a tree parsed from bytes)."""

    __slots__ = ("source", "chunk")

    def __init__(self, source: bytes):
        self.source = source
        self.chunk = 1 << 16

    def __call__(self, offset: int, _point) -> bytes:
        return self.source[offset : offset + self.chunk]


def parse_within(name: str, source: bytes, old_tree: ts.Tree | None, budget_s: float) -> ts.Tree | None:
    """Parse `source` (reusing the edited `old_tree`), giving up after `budget_s` seconds of CPU.

    None when the parse gave up (or the language has no grammar); the thread's parser is then
    reset, so its next parse starts afresh. An unclosed bracket makes tree-sitter's error
    recovery re-read the rest of the file (10-25 ms for 10,000 lines of Python here, against
    about 1 ms for an ordinary keystroke): the language server stops such a parse rather than
    make the user wait, carries the last findings over and parses when typing pauses.
    """
    if not has_grammar(name):
        return None
    return _parse_budgeted(name, source, old_tree, budget_s)


def _parse_budgeted(name: str, source: bytes, old_tree: ts.Tree | None, budget_s: float) -> ts.Tree | None:
    """`parse_within` without the grammar check; `parse` uses it for parses from scratch."""
    p = parser(name)
    # CPU time of this thread, not wall time: on a busy machine a parse that is preempted is not
    # a slow parse, and which keystrokes defer their parse stays the same from run to run.
    deadline = time.thread_time() + budget_s
    reader = _Reader(source)

    def progress(_offset: int, _has_error: bool) -> bool:
        return time.thread_time() > deadline  # True stops the parse

    try:
        if old_tree is None:
            tree = p.parse(reader, progress_callback=progress)
        else:
            tree = p.parse(reader, old_tree, progress_callback=progress)
    except ValueError:  # "Parsing failed": the progress callback stopped it
        p.reset()
        return None
    reader.chunk = 256
    return tree


def comment_prefix(name: str) -> str | None:
    spec = LANGUAGES.get(name)
    return spec.comment if spec else "#"
