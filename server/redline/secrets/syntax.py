"""What a string literal and a comment look like in each file type the scanner reads.

The scanner is line based (it must run on files without a grammar and at hundreds of thousands
of lines per second), so instead of a parser it needs, per file type: which characters delimit
strings, whether a value may be written without quotes (`password: hunter2` in YAML or `.env`),
and how to write a line comment (for the "allowlist this secret" fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Syntax:
    quotes: bytes  # string delimiters
    # Values without quotes: "none" (code: an unquoted value is a variable), "token" (up to the
    # next space or separator: shells, plain text), "rest" (to the end of the line: .env, INI,
    # YAML, properties).
    bare: str
    comment: str | None  # line comment prefix; None when the format has none (JSON)
    code: bool  # a programming language (names are identifiers, values are literals)
    # Comments only at the start of a line (a trailing `# ...` would become part of the value).
    comment_own_line: bool = False


# Quotes: a programming language's own string delimiters, plus the other quote characters when
# they cannot start anything but a (mistyped) string there: a backtick in Python, Java or HCL,
# several characters in single quotes in Go or Java. Only C, C++ and Objective-C keep `"`
# alone, since 'abcd' is a legal (multi-character) constant there.
_ANY_QUOTE = b"\"'`"
_C_LIKE = Syntax(b'"', "none", "//", True)
_CODE = Syntax(_ANY_QUOTE, "none", "//", True)
SYNTAX: dict[str, Syntax] = {
    "python": Syntax(_ANY_QUOTE, "none", "#", True),
    "javascript": _CODE,
    "typescript": _CODE,
    "tsx": _CODE,
    "go": _CODE,
    "java": _CODE,
    "hcl": Syntax(_ANY_QUOTE, "none", "#", True),
    "json": Syntax(_ANY_QUOTE, "none", None, True),
    "toml": Syntax(_ANY_QUOTE, "none", "#", True),
    "yaml": Syntax(b"\"'", "rest", "#", False),
    "ini": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    "dotenv": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    "properties": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    "dockerfile": Syntax(b"\"'", "token", "#", False, comment_own_line=True),
    "bash": Syntax(b"\"'", "token", "#", False),
    "xml": Syntax(b"\"'", "token", None, False),
    "text": Syntax(b"\"'`", "token", "#", False, comment_own_line=True),
    "requirements": Syntax(b"\"'", "token", "#", False, comment_own_line=True),
    "gomod": Syntax(b'"`', "token", "//", False),
}
# Source files Redline has no grammar for, read as text: their own string and comment syntax.
BY_EXTENSION: dict[str, Syntax] = {
    **{ext: _C_LIKE for ext in (".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".m", ".mm")},
    **{ext: _CODE for ext in (".swift", ".kt", ".kts", ".scala", ".rs", ".dart", ".groovy", ".gradle",
                              ".cls", ".php", ".vb", ".fs")},
    ".rb": Syntax(_ANY_QUOTE, "none", "#", True),
    ".pl": Syntax(_ANY_QUOTE, "none", "#", True),
    ".r": Syntax(_ANY_QUOTE, "none", "#", True),
    ".lua": Syntax(_ANY_QUOTE, "none", "--", True),
    ".sql": Syntax(b"'\"", "token", "--", False),
    ".ps1": Syntax(b"\"'", "token", "#", False),
    ".conf": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    ".cfg": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    ".npmrc": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    ".pypirc": Syntax(b"\"'", "rest", "#", False, comment_own_line=True),
    ".netrc": Syntax(b"\"'", "token", "#", False, comment_own_line=True),
}
DEFAULT = SYNTAX["text"]


def syntax_for(language: str, path: str = "") -> Syntax:
    """The syntax of a file: by its extension when Redline reads it as plain text, else by its
    language."""
    if language in ("text", "ini") and path:
        p = PurePath(path)
        ext = p.suffix.lower() or p.name.lower()
        if ext in BY_EXTENSION:
            return BY_EXTENSION[ext]
    return SYNTAX.get(language, DEFAULT)
