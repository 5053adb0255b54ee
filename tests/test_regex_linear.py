"""Bounded regular expressions (docs/security.md): every pattern applied to file content runs in
linear time, either on RE2 or because it is a vetted Python `re` pattern that cannot backtrack.

Two halves:
- an inventory check over the source: compiled patterns in module globals, and inline `re.*`
  calls, of every module that reads file content. Each one is RE2-backed or listed below with
  the reason it is linear for a backtracking matcher. A new pattern fails here until it is
  either made with `redline.secrets.regex.linear` or vetted and listed.
- a liveness check: pathological shapes through every scanner entry point, under an alarm. This
  is a hang detector, not a speed test: the alarm is 20 s for inputs that take well under a
  second on RE2 and minutes to hours on the backtracking patterns they replaced.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from liveness import liveness

try:
    from re import _parser as sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse

from redline import config as config_mod
from redline.config import Config
from redline.files import compile_pattern
from redline.pipeline import analyze_text
from redline.secrets import regex as rx

PACKAGE = Path(__file__).resolve().parent.parent / "server" / "redline"
# The modules that apply patterns to file content (whole text, lines, node text, string
# literals, manifest values, config lines, ignore globs).
CONTENT_MODULES = ("secrets", "deps", "rules/predicates", "engines", "templates", "files.py", "languages.py", "config.py")

# ---------------------------------------------------------------- the vetted `re` patterns

ONE_CLASS = "one character class, at most one repeat of it: each character is looked at once"
LITERALS = "literal text or an alternation of literals: no repeat to backtrack into"
ANCHORED = "anchored, its repeats over disjoint classes: one pass over the input"
NAME = "applied to a name or a short fixed-format string (qualified name, type, key), repeats over disjoint classes"
ESCAPED = "a literal built with re.escape, with one-character look-arounds or \\b around it"
SEGMENTED = "each repeat stops at a character the next part needs, so a failed start costs the run it scanned once"

# Module globals that stay on Python's `re`: (module, name) -> why that is linear.
GLOBAL_ALLOWLIST = {
    ("redline.rules.predicates.security_words", "_WORD"):
        "camelCase splitter on names: a failed `[A-Z]+(?=...)` start is followed by `[A-Z]+` consuming the same run",
    ("redline.deps.imports", "_NEWLINE"): LITERALS,
    ("redline.deps.imports", "_HEADER_NAME"): ONE_CLASS,
    ("redline.deps.names", "_SEGMENTS"): ONE_CLASS,
    ("redline.deps.versions", "_PEP503"): ONE_CLASS,
    ("redline.deps.database", "_ID_YEAR"): "advisory ids from the database, anchored and bounded ({4})",
    ("redline.secrets.fixes", "_IDENT"): ANCHORED,
    ("redline.secrets.fakes", "_PLACEHOLDER"): SEGMENTED,
}

# Inline `re.<function>(pattern, ...)` calls, keyed by the pattern's source text; patterns
# without any repeat (RE2 or not, they are linear) are accepted without a listing.
INLINE_ALLOWLIST = {
    "'[Bb]\\\\d{3}'": NAME,  # config.py: a bandit id in the configuration, fullmatch
    "'\\\\{\\\\{fake:([^{}]+)\\\\}\\\\}'": SEGMENTED,
    "'^[A-Za-z_][A-Za-z0-9_]*$'": ANCHORED,
    "'^[A-Z]+-(\\\\d{4})-'": ANCHORED,
    "'[\\\\x21-\\\\x39\\\\x3b-\\\\x7e]+'": ONE_CLASS,
    "'[-_.]+'": ONE_CLASS,
    "'([ugoa]*)([-+=])([rwxXst]+)'": ANCHORED,
    "'\\\\[\\\\s*[\\'\\\\\"]([^\\'\\\\\"]+)[\\'\\\\\"]\\\\s*\\\\]'": SEGMENTED,
    "'\\\\[\\\\s*(\\\\*|\\\\d+)\\\\s*\\\\]'": SEGMENTED,
    "'^toJSON\\\\(\\\\s*'": ANCHORED,
    "'[^A-Za-z0-9]+'": ONE_CLASS,
    "'[A-Za-z0-9+/]+={0,2}'": ANCHORED,
    "'setMaxAge\\\\(\\\\s*0\\\\s*\\\\)'": SEGMENTED,
    "'return\\\\s+true\\\\s*;'": ANCHORED,
    "'::\\\\s*disable$'": SEGMENTED,
    "'^\\\\{?\\\\w+\\\\.disable\\\\(\\\\);?\\\\}?$'": ANCHORED,
    "'cb|callback|done|next|handler|\\\\w*(Callback|Handler|Cb)'": NAME,
    "b'\\\\b(md5|sha1|sha224|sha256|sha384|sha512|blake2b|blake2s|hashlib\\\\.new)\\\\s*\\\\('": SEGMENTED,
    "'(^|\\\\.)\\\\w*(RSA|DSA)\\\\.generate$'": NAME,
    "b'(?m)^' + k + b'\\\\s*='": "a fixed settings name at a line start, then spaces and '='",
    "b'umask\\\\(\\\\s*' + re.escape(saved) + b'\\\\s*\\\\)'": ESCAPED,
    "'(\\\\s+)'": ONE_CLASS,
    "'\\\\|\\\\s*safe\\\\b|{%-?\\\\s*autoescape\\\\s+(false|off)'": SEGMENTED,
    "'^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)'": ANCHORED,
    "b'(?<![\\\\w.])' + re.escape(alias.encode()) + b'(?![\\\\w])'": ESCAPED,
    "'^https?://[^/?#]+[/?#]'": ANCHORED,
    "b'[A-Za-z_][A-Za-z0-9_]*'": ONE_CLASS,
    "b'(not\\\\s+)?' + re.escape(base) + b'(\\\\s+is(\\\\s+not)?\\\\s+None)?'": ESCAPED,
    "b'\\\\b' + re.escape(nm) + b'\\\\b'": ESCAPED,
    "'\\\\w+'": ONE_CLASS,
    "'[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\\\\d+'": GLOBAL_ALLOWLIST[("redline.rules.predicates.security_words", "_WORD")],
    "'([\\'\\\\\"])(%?)$'": ANCHORED,
    "'(%?)' + re.escape(quote)": ESCAPED,
    "'\\\\*?(\\\\w+\\\\.)?\\\\w*Context'": NAME,
    "'\\\\s+'": ONE_CLASS,
    "b'(?<![\\\\w.])' + re.escape(name.encode()) + b'\\\\.(\\\\w+)'": ESCAPED,
    "b'(?<![\\\\w.])' + name.encode() + b'\\\\.(' + b'|'.join((a.encode() for a in REQUEST_ATTRS)) + b')\\\\b'": ESCAPED,
    "'<(?:int|float|uuid):(\\\\w+)>'": SEGMENTED,
    "'[a-z0-9-]+:\\\\*'": ANCHORED,
    "'(\\\\d+)\\\\s*-\\\\s*(\\\\d+)'": ANCHORED,
    "'^(https?|file)://'": ANCHORED,
    "re.escape(pattern)": ESCAPED,
    "re.escape(m.group(0))": ESCAPED,
    "re.escape(json.dumps(name)).encode()": ESCAPED,
    "'[,\\\\s]+'": ONE_CLASS,
    "'B\\\\d{3}'": ANCHORED,
    "'\\\\(at line (\\\\d+)'": "tomllib's own error message",
}

_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def _content_files() -> list[Path]:
    out = []
    for part in CONTENT_MODULES:
        p = PACKAGE / part
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def _patterns(value, path: str, depth: int = 0):
    if isinstance(value, (re.Pattern, rx.Pattern)) or rx.is_linear(value):
        yield path, value
    elif depth < 2 and isinstance(value, dict):
        for k, v in value.items():
            yield from _patterns(v, f"{path}[{k!r}]", depth + 1)
    elif depth < 2 and isinstance(value, (list, tuple, frozenset, set)):
        for i, v in enumerate(value):
            yield from _patterns(v, f"{path}[{i}]", depth + 1)


def _global_patterns():
    for path in _content_files():
        name = _module_name(path)
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            for where, pattern in _patterns(value, attr):
                yield name, attr, where, pattern


def _repeats(pattern) -> bool:
    """True when the parsed pattern has any repeat (*, +, ?, {m,n}) anywhere."""
    def walk(items):
        for op, arg in items:
            if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
                return True
            for sub in (arg if isinstance(arg, (list, tuple)) else (arg,)):
                if isinstance(sub, sre_parse.SubPattern) and walk(sub):
                    return True
                if isinstance(sub, (list, tuple)) and any(isinstance(s, sre_parse.SubPattern) and walk(s) for s in sub):
                    return True
        return False

    return walk(sre_parse.parse(pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern))


def test_the_inventory_finds_the_patterns_it_should():
    found = {(m, where) for m, _a, where, _p in _global_patterns()}
    # a sample from each kind of module, so that a broken walk cannot pass silently
    for expected in [
        ("redline.deps.manifests.pep508", "_REQ"),
        ("redline.rules.predicates.python_injection", "SQL_WORDS"),
        ("redline.rules.predicates.taint_java", "HELPERS[0]"),  # a pattern inside a container
        ("redline.secrets.urls", "URL_RE"),
        ("redline.config", "_TABLE_HEADER"),
    ]:
        assert expected in found


def test_every_global_pattern_of_a_content_module_is_re2_or_vetted():
    unvetted, seen = [], set()
    for module, attr, where, pattern in _global_patterns():
        if rx.is_linear(pattern):
            continue
        seen.add((module, attr))
        if (module, attr) not in GLOBAL_ALLOWLIST:
            unvetted.append(f"{module}.{where} = re.compile({pattern.pattern!r})")
    assert not unvetted, "content patterns on Python's re (use redline.secrets.regex.linear, or vet and list them):\n" + "\n".join(unvetted)
    stale = set(GLOBAL_ALLOWLIST) - seen
    assert not stale, f"allowlisted patterns that are gone or RE2 now: {sorted(stale)}"


def test_every_inline_re_call_of_a_content_module_is_vetted():
    unvetted, used = [], set()
    for path in _content_files():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in _RE_FUNCTIONS and node.args):
                continue
            source = ast.unparse(node.args[0])
            if isinstance(node.args[0], ast.Constant) and not _repeats(node.args[0].value):
                continue  # no repeat at all: bounded work per start position
            if source in INLINE_ALLOWLIST:
                used.add(source)
                continue
            unvetted.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: re.{node.func.attr}({source})")
    assert not unvetted, "inline re calls on file content (use linear(), or vet and list them):\n" + "\n".join(unvetted)
    stale = set(INLINE_ALLOWLIST) - used
    assert not stale, f"allowlisted inline patterns that are gone: {sorted(stale)}"


def test_re2_has_no_lookaround_or_backreference_to_fall_back_on():
    # What keeps the converted patterns honest: RE2 refuses what would make them superlinear.
    for bad in (r"(a)\1", r"a(?=b)", r"(?<!a)b"):
        with pytest.raises(ValueError):
            rx.linear(bad)


# ---------------------------------------------------------------- the liveness check

@pytest.fixture
def alarm():
    with liveness(20, "still running: a superlinear pattern?"):
        yield


def _scan(path: str, text: str | bytes):
    analysis = analyze_text(path, text, Config(), slow=False)
    # An engine stopped by a time limit or an error would hide a hang: none may fail. (The depth
    # limit on deeply nested syntax trees is a different bound, and not a failure.)
    errors = [(engine, e) for engine, e in analysis.errors if "nested more than" not in e]
    assert not errors, errors
    return analysis


K100 = 100_000
LITERAL = 500_000

# (file name, content): one pathological shape per entry point or family of patterns.
SHAPES = {
    # manifests: 100 KB lines
    "requirements": ("requirements.txt", "a ==1" + " " * K100 + "x\n"),
    "requirements-continued": ("requirements.txt", "django" + " \\\n" * (K100 // 3) + "x\n"),
    "setup.cfg": ("setup.cfg", "[options]\ninstall_requires =\n  a" + " " * K100 + "x\n"),
    "pyproject-poetry": ("pyproject.toml", '[tool.poetry.dependencies]\na = ">=1' + " " * K100 + 'x"\n'),
    "pyproject-pep621": ("pyproject.toml", '[project]\ndependencies = ["a' + " " * K100 + '!"]\n'),
    "package.json": ("package.json", '{"dependencies": {"a": "' + "1" * K100 + '!", "b": "' + " " * K100 + '1!"}}'),
    "pom.xml": ("pom.xml", "<project><dependencies>" + "<dependency><version>" * (K100 // 21)
                + "<version>" + " " * K100 + "</dependencies></project>"),
    "pom-properties": ("pom.xml", "<project><properties><a>" + " " * K100 + "</b></properties></project>"),
    "go.mod": ("go.mod", "module x\nrequire a " + '"' + "\\" * K100 + "\ngo 1" + ".1" * (K100 // 2) + "\n"),
    # source files whose one string literal is 500 KB of bait
    "python-sql": ("a.py", 'cursor.execute("' + "select " * (LITERAL // 7) + '" + x)\n'),
    "python-host": ("a.py", 'import re\nre.compile("' + "a." * (LITERAL // 2) + '")\n'),
    "python-script-tag": ("a.py", 'import re\nre.sub("<' + " " * LITERAL + 'x", "", s)\n'),
    "python-percent": ("a.py", 'cursor.execute("' + "%(" * (LITERAL // 2) + '" % x)\n'),
    "python-format-verb": ("a.py", 'cursor.execute("%' + "0" * LITERAL + '" % x)\n'),
    "python-acronym": ("a.py", "A" * LITERAL + " = 1\nexecute(" + "A" * LITERAL + ")\n"),
    "js-sql": ("a.js", 'db.query("' + "select " * (LITERAL // 7) + '" + req.query.id);\n'),
    "go-verb": ("a.go", 'package main\nimport ("fmt"; "net/http"; "database/sql")\n'
                'func f(db *sql.DB, r *http.Request) {\n\tq := fmt.Sprintf("SELECT * FROM t WHERE a = %' + "0" * LITERAL
                + '", r.URL.Query().Get("a"))\n\tdb.Query(q)\n}\n'),
    "go-sql": ("a.go", 'package main\nfunc f() { db.Query("' + "update " * (LITERAL // 7) + '" + r.URL.Path) }\n'),
    "java-verb": ("A.java", 'class A { void f() { s.executeQuery(String.format("%' + "0" * LITERAL
                  + '", request.getParameter("a"))); } }\n'),
    "java-generic": ("A.java", "class A { void f(" + "List<" * (LITERAL // 5) + " x) {} }\n"),
    # IaC
    "workflow-expressions": (".github/workflows/a.yml", "on: pull_request_target\njobs:\n  a:\n    runs-on: x\n"
                             "    steps:\n    - run: echo " + "${{" * (K100 // 3) + "\n"),
    "workflow-checkout": (".github/workflows/a.yml", "on: pull_request_target\njobs:\n  a:\n    runs-on: x\n"
                          "    steps:\n    - run: " + "git fetch " * (K100 // 10) + "\n"),
    "dockerfile-run": ("Dockerfile", "FROM x\nRUN chmod " + "-R " * (K100 // 3) + "x\nRUN curl x | "
                       + "sudo -E " * (K100 // 8) + "x\nRUN sudo" + " -a" * (K100 // 3) + "\n"),
    "kubernetes-env": ("k8s.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n" + "    \n" * K100 + "    x\n"),
    "terraform-user-data": ("main.tf", 'resource "aws_instance" "a" {\n  user_data = "' + "a" * K100 + '"\n}\n'),
    "script-assignment": ("a.sh", "a" * K100 + "\n"),
    # the secrets scanner: one 200 KB line of key-like characters, `=` and quotes
    "secrets-line": ("settings.py", "X = '" + "aZ9+/=_-'\"" * 20_000 + "'\n"),
    "secrets-line-text": ("notes.txt", "token: " + "aZ9+/=_-'\"" * 20_000 + "\n"),
    "secrets-assignments": ("a.env", "password=" * 22_000 + "\n"),
    "secrets-quotes": ("a.txt", 'key="' * 40_000 + "\n"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_pathological_content_finishes(shape, alarm):
    path, text = SHAPES[shape]
    _scan(path, text)


def test_pathological_ignore_glob_finishes(alarm):
    # `*a*a*...*b` against a long name: polynomial (degree = number of stars) for `re`.
    rule = compile_pattern("*a*a*a*a*a*a*a*a*a*a*a*a*b")
    assert rule.regex.match("a" * 200) is None
    assert rule.regex.match("x/" + "a" * 200 + "b") is not None
    deep = compile_pattern("**/" * 30 + "z")
    assert deep.regex.match("a/" * 2000 + "y") is None


def test_pathological_config_line_finishes(tmp_path, alarm):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.redline]\nselect = ["RL101"]\nnote = """\n[' + " " * K100 + 'x\n"""\n')
    config, problems = config_mod.load_file(cfg)
    assert config.select == ("RL101",)
    assert [str(p) for p in problems if "note" not in str(p)] == []
