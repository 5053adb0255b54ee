"""Quick fixes for a hardcoded secret.

1. Read it from the environment instead, in the file's own language:

       python       os.environ["STRIPE_API_KEY"]          (adds `import os`)
       JS / TS      process.env.STRIPE_API_KEY
       go           os.Getenv("STRIPE_API_KEY")           (adds the "os" import; `const` -> `var`)
       java         System.getenv("STRIPE_API_KEY")
       YAML, .properties, shell    ${STRIPE_API_KEY}     (Compose / Spring / shell interpolation)
       terraform    var.stripe_api_key                    (adds a sensitive `variable` block;
                    a variable's own `default` is removed instead)

   The name comes from the variable or key the secret was assigned to (`stripeApiKey` ->
   `STRIPE_API_KEY`), else from the detector (`GITHUB_TOKEN`). When the secret is only part of a
   literal (`"Bearer ghp_..."`, a connection URL) the literal is split around it
   (`"Bearer " + os.environ["GITHUB_TOKEN"]`, `` `Bearer ${process.env.GITHUB_TOKEN}` ``,
   `f"...{os.environ['X']}..."`). A connection URL that is the whole literal is read whole
   (`DATABASE_URL`).
2. Allowlist it for detect-secrets and Redline: `pragma: allowlist secret` in a comment at the
   end of the line, or `pragma: allowlist nextline secret` on a line of its own above it where a
   trailing comment would change the value (Dockerfile, .env, INI, properties, plain text).

Both are unsafe fixes (`safe=False`): the first changes where the program gets the value (the
variable must then be set), the second hides the finding. Each builder returns None when it
cannot make a correct edit (a `const` block in Go, a Java annotation, bytes literals, JSON).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from redline.secrets import regex as rx

from redline.documents.source import SourceFile
from redline.findings import Fix, TextEdit
from redline.secrets.hits import Hit
from redline.secrets.names import words
from redline.secrets.syntax import syntax_for

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PY_IMPORT = rx.compile(r"(?m)^[ \t]*import[ \t]+([^\n#;]*)")
_GO_OS = rx.compile(r'(?m)^[ \t]*(?:import[ \t]+)?(?:[A-Za-z_][A-Za-z0-9_]*[ \t]+)?"os"[ \t]*$')
_GO_BLOCK = rx.compile(r"(?m)^import[ \t]*\([ \t]*\n")
_GO_SINGLE = rx.compile(r'(?m)^import[ \t]+(?:[A-Za-z_][A-Za-z0-9_]*[ \t]+)?"[^"\n]+"[ \t]*\n')
_GO_PACKAGE = rx.compile(r"(?m)^package[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\n")
_TF_DEFAULT = rx.compile(r"^[ \t]*default[ \t]*=")
_DROP_WORDS = {"self", "this", "cls", "os", "environ", "process", "env", "config", "conf", "settings", "options", "opts"}


# ------------------------------------------------------------------------- names


# Names that say only "a credential goes here" (headers, bare `token`): the detector's name for
# the value (GITHUB_TOKEN) says more.
_GENERIC = {"authorization", "proxy", "bearer", "token", "auth", "header", "headers", "x", "api", "key",
            "apikey", "secret", "password", "passwd", "pwd", "credentials", "credential", "value", "access"}


def env_var(hit: Hit) -> str:
    """The environment variable name for a hit (`stripe_api_key` -> `STRIPE_API_KEY`)."""
    specific_env = hit.env and hit.env not in ("API_TOKEN", "PASSWORD", "SECRET")
    if hit.name and not (set(words(hit.name)) <= _GENERIC and specific_env):
        ws = [w for w in words(hit.name) if w not in _DROP_WORDS] or list(words(hit.name))
        name = "_".join(w.upper() for w in ws)
        if name and not name[0].isdigit():
            return name
    return hit.env or "SECRET"


def tf_var(hit: Hit) -> str:
    return env_var(hit).lower()


# ------------------------------------------------------------------------- edit helpers


def _edit(file: SourceFile, start: int, end: int, text: str) -> TextEdit:
    return TextEdit(file.span(start, end), text)


def _line_bounds(file: SourceFile, offset: int) -> tuple[int, int]:
    row, _ = file.point_of(offset)
    span = file.line_span(row)
    return span.start_byte, span.end_byte


def _replacement(file: SourceFile, hit: Hit) -> tuple[int, int]:
    """The bytes the environment variable stands for (the secret, or the whole URL)."""
    if hit.value_start >= 0:
        return hit.value_start, hit.value_end
    return hit.start, hit.end


def _literal(file: SourceFile, hit: Hit) -> tuple[int, int, bytes] | None:
    """The quoted literal around the value on its line: (start, end, quote), None if unquoted."""
    from redline.secrets.scanner import enclosing_literal

    vs, ve = _replacement(file, hit)
    ls, le = _line_bounds(file, vs)
    if ve > le:
        return None
    line = file.text[ls:le]
    quotes = syntax_for(file.language, file.path).quotes
    s, e, q = enclosing_literal(line, vs - ls, ve - ls, quotes)
    if not q:
        return None
    return ls + s, ls + e, q


def _prefix_char(file: SourceFile, lit_start: int) -> bytes:
    """String prefix letters before a literal (Python `f`, `b`, `r`...)."""
    i = lit_start
    while i > 0 and file.text[i - 1 : i].isalpha() and lit_start - i < 3:
        i -= 1
    if i > 0 and (file.text[i - 1 : i].isalnum() or file.text[i - 1 : i] == b"_"):
        return b""  # part of an identifier, not a prefix
    return file.text[i:lit_start].lower()


def _split_literal(
    file: SourceFile, hit: Hit, expr: str, lit: tuple[int, int, bytes]
) -> tuple[int, int, str] | None:
    """Replace the literal with `expr`, or with `prefix + expr + suffix` when the value is only
    part of it. Returns (start, end, text)."""
    ls, le, q = lit
    vs, ve = _replacement(file, hit)
    qs = q.decode()
    prefix = file.text[ls + len(q) : vs].decode("utf-8", "replace")
    suffix = file.text[ve : le - len(q)].decode("utf-8", "replace")
    if not prefix and not suffix:
        return ls, le, expr
    parts = []
    if prefix:
        parts.append(f"{qs}{prefix}{qs}")
    parts.append(expr)
    if suffix:
        parts.append(f"{qs}{suffix}{qs}")
    return ls, le, " + ".join(parts)


# ------------------------------------------------------------------------- imports


def _python_import(file: SourceFile) -> TextEdit | None:
    for m in _PY_IMPORT.finditer(file.text):
        if b"os" in (n.strip().split(b" as ")[0] for n in m.group(1).split(b",")):
            return None
    pos = 0
    tree = file.tree
    if tree is not None:
        for child in tree.root_node.children:
            if child.type == "comment" and child.start_point[0] == 0 and pos == 0:
                pos = _end_of_line(file, child.end_byte)
                continue
            if child.type == "expression_statement" and child.named_child_count and child.named_children[0].type == "string" and pos == _line_start(file, child.start_byte):
                pos = _end_of_line(file, child.end_byte)
                continue
            if child.type == "future_import_statement" or (
                child.type == "import_from_statement" and b"__future__" in file.text[child.start_byte : child.end_byte]
            ):
                pos = _end_of_line(file, child.end_byte)
                continue
            if child.type == "comment":
                continue
            if child.type in ("import_statement", "import_from_statement"):
                pos = _line_start(file, child.start_byte)  # join the existing imports
            break
    else:
        pos = 0
        for _ in range(2):  # a shebang and an encoding line stay first
            if file.text.startswith(b"#", pos):
                pos = _end_of_line(file, pos)
    return _edit(file, pos, pos, "import os\n")


def _go_import(file: SourceFile) -> TextEdit | None:
    text = file.text
    if _GO_OS.search(text):
        return None
    block = _GO_BLOCK.search(text)
    if block:
        return _edit(file, block.end(), block.end(), '\t"os"\n')
    single = list(_GO_SINGLE.finditer(text))
    if single:
        end = single[-1].end()
        return _edit(file, end, end, 'import "os"\n')
    pkg = _GO_PACKAGE.search(text)
    if pkg:
        return _edit(file, pkg.end(), pkg.end(), '\nimport "os"\n')
    return None


def _line_start(file: SourceFile, offset: int) -> int:
    return file.text.rfind(b"\n", 0, offset) + 1


def _end_of_line(file: SourceFile, offset: int) -> int:
    i = file.text.find(b"\n", offset)
    return len(file.text) if i == -1 else i + 1


# ------------------------------------------------------------------------- tree helpers


def _ancestor_types(file: SourceFile, offset: int) -> list:
    if file.tree is None:
        return []
    node = file.tree.root_node.descendant_for_byte_range(offset, offset)
    out = []
    while node is not None:
        out.append(node)
        node = node.parent
    return out


# ------------------------------------------------------------------------- env lookup


def _code_fix(file: SourceFile, hit: Hit, expr: str, extra: list[TextEdit]) -> Fix | None:
    lit = _literal(file, hit)
    if lit is None:
        return None
    prefix = _prefix_char(file, lit[0])
    name = env_var(hit)
    if prefix:
        if file.language == "python" and "f" in prefix.decode() and "b" not in prefix.decode():
            inner_q = "'" if b'"' in lit[2] else '"'
            vs, ve = _replacement(file, hit)
            edit = _edit(file, vs, ve, "{os.environ[" + inner_q + name + inner_q + "]}")
            return Fix(f"Read the secret from the environment variable {name}", (edit, *extra), safe=False)
        return None  # bytes or raw literals: leave them to a human
    if lit[2] == b"`" and file.language in ("javascript", "typescript", "tsx"):
        vs, ve = _replacement(file, hit)
        edit = _edit(file, vs, ve, "${" + expr + "}")
        return Fix(f"Read the secret from the environment variable {name}", (edit, *extra), safe=False)
    if lit[2] in (b'"""', b"'''"):
        return None
    split = _split_literal(file, hit, expr, lit)
    if split is None:
        return None
    edits = [_edit(file, split[0], split[1], split[2])] + [e for e in extra if e is not None]
    return Fix(f"Read the secret from the environment variable {name}", tuple(edits), safe=False)


def _python(file: SourceFile, hit: Hit) -> Fix | None:
    name = env_var(hit)
    imp = _python_import(file)
    return _code_fix(file, hit, f'os.environ["{name}"]', [imp] if imp else [])


def _javascript(file: SourceFile, hit: Hit) -> Fix | None:
    name = env_var(hit)
    expr = f"process.env.{name}" if _IDENT.match(name) else f'process.env["{name}"]'
    return _code_fix(file, hit, expr, [])


def _go(file: SourceFile, hit: Hit) -> Fix | None:
    name = env_var(hit)
    extra: list[TextEdit] = []
    for node in _ancestor_types(file, hit.start):
        if node.type == "const_declaration":
            specs = [c for c in node.named_children if c.type == "const_spec"]
            if len(specs) != 1 or node.child_count and node.children[1].type == "(":
                return None  # a const block: the constant cannot become a call
            kw = node.children[0]
            extra.append(_edit(file, kw.start_byte, kw.end_byte, "var"))
            break
    if file.tree is None and file.line(file.point_of(hit.start)[0]).lstrip().startswith(b"const "):
        return None
    imp = _go_import(file)
    return _code_fix(file, hit, f'os.Getenv("{name}")', extra + ([imp] if imp else []))


def _java(file: SourceFile, hit: Hit) -> Fix | None:
    if any(n.type in ("annotation", "element_value_pair", "switch_label") for n in _ancestor_types(file, hit.start)):
        return None  # must stay a compile-time constant
    return _code_fix(file, hit, f'System.getenv("{env_var(hit)}")', [])


def _interpolate(file: SourceFile, hit: Hit) -> Fix | None:
    """YAML (Compose), .properties (Spring) and shell scripts: `${NAME}`."""
    name = env_var(hit)
    vs, ve = _replacement(file, hit)
    lit = _literal(file, hit)
    if file.language == "bash" and lit is not None and lit[2] == b"'":
        if (lit[0] + 1, lit[1] - 1) != (vs, ve):
            return None
        return Fix(f"Read the secret from ${{{name}}}", (_edit(file, lit[0], lit[1], f'"${{{name}}}"'),), safe=False)
    return Fix(f"Read the secret from ${{{name}}}", (_edit(file, vs, ve, "${" + name + "}"),), safe=False)


def _terraform(file: SourceFile, hit: Hit) -> Fix | None:
    if PurePath(file.path).suffix == ".tfvars":
        return None
    var = tf_var(hit)
    line_s, line_e = _line_bounds(file, hit.start)
    line = file.text[line_s:line_e]
    if _TF_DEFAULT.search(line):
        # The variable's own default: remove it, the value then comes from TF_VAR_<name> or a
        # .tfvars file kept out of the repository.
        end = _end_of_line(file, line_e)
        return Fix(
            f"Remove the hardcoded default (set TF_VAR_{var} or a .tfvars file instead)",
            (_edit(file, line_s, end, ""),),
            safe=False,
        )
    lit = _literal(file, hit)
    if lit is None:
        return None
    ls, le, q = lit
    vs, ve = _replacement(file, hit)
    if (ls + 1, le - 1) == (vs, ve):
        edit = _edit(file, ls, le, f"var.{var}")
    else:
        edit = _edit(file, vs, ve, "${var." + var + "}")
    edits = [edit]
    if f'variable "{var}"'.encode() not in file.text:
        block = f'\nvariable "{var}" {{\n  type      = string\n  sensitive = true\n}}\n'
        end = len(file.text)
        if not file.text.endswith(b"\n"):
            block = "\n" + block
        edits.append(_edit(file, end, end, block))
    return Fix(f"Read the secret from the Terraform variable var.{var}", tuple(edits), safe=False)


_ENV_FIXES = {
    "python": _python,
    "javascript": _javascript,
    "typescript": _javascript,
    "tsx": _javascript,
    "go": _go,
    "java": _java,
    "yaml": _interpolate,
    "properties": _interpolate,
    "bash": _interpolate,
    "hcl": _terraform,
}


def env_fix(file: SourceFile, hit: Hit) -> Fix | None:
    builder = _ENV_FIXES.get(file.language)
    if builder is None or hit.code == "RL202" and file.text.count(b"\n", hit.start, hit.end):
        return None
    try:
        return builder(file, hit)
    except (ValueError, IndexError):  # a fix is a convenience: never fail the scan for it
        return None


# ------------------------------------------------------------------------- suppression

PRAGMA = "pragma: allowlist secret"
PRAGMA_NEXTLINE = "pragma: allowlist nextline secret"


def _inside_multiline_string(file: SourceFile, offset: int) -> bool:
    for node in _ancestor_types(file, offset):
        if "string" in node.type or node.type in ("heredoc_template", "block_scalar", "raw_string_literal"):
            if node.start_point[0] != node.end_point[0]:
                return True
    return False


def suppress_fix(file: SourceFile, hit: Hit) -> Fix | None:
    syn = syntax_for(file.language, file.path)
    comment = syn.comment
    if comment is None:
        return None
    row = file.point_of(hit.start)[0]
    line_span = file.line_span(row)
    line = file.text[line_span.start_byte : line_span.end_byte]
    title = "Allowlist this secret (pragma: allowlist secret)"
    if syn.comment_own_line or _inside_multiline_string(file, hit.start) or _inside_multiline_string(file, line_span.end_byte):
        if _inside_multiline_string(file, line_span.start_byte) and row > 0:
            return None  # a comment line here would become part of the string
        indent = line[: len(line) - len(line.lstrip())].decode("utf-8", "replace")
        start = line_span.start_byte
        return Fix(title, (_edit(file, start, start, f"{indent}{comment} {PRAGMA_NEXTLINE}\n"),), safe=False)
    end = line_span.end_byte
    stripped = line.rstrip()
    end = line_span.start_byte + len(stripped)
    return Fix(title, (_edit(file, end, end, f"  {comment} {PRAGMA}"),), safe=False)


def fixes_for(file: SourceFile, hit: Hit) -> tuple[Fix, ...]:
    out = []
    fix = env_fix(file, hit)
    if fix is not None:
        out.append(fix)
    sup = suppress_fix(file, hit)
    if sup is not None:
        out.append(sup)
    return tuple(out)
