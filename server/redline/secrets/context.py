"""Secrets found by context: a value assigned, passed, compared or mapped to a credential name.

Line based, with the string syntax of the file type (`syntax.py`). On a candidate line every
name that contains a credential word is located with one RE2 pattern; for each name the value is
read with a small hand-written scanner, which understands

    password = "..."            python, ruby, shell, HCL, TOML, INI, .env, properties
    password := "..."           go (also `::=`, `?=` of Makefiles)
    password: "..."             YAML, JSON, JS objects, Go struct literals, Ruby symbols
    "password": "..."           JSON, dicts, maps
    "password" => "..."         PHP, Ruby, Perl
    apiKey: string = "..."      TypeScript / Python annotations
    var password string = "..." Go declarations
    String password = "...";    Java, C#, C (`char password[] = "..."`)
    setPassword("...")          setters, builders, keyword calls
    put("password", "...")      map puts, getenv defaults: a name then a value
    password == "..."           comparisons, and "..." == password
    password "..."              DSL commands and directives (Gradle `credentials { }`, Ruby,
                                nginx-like configuration), statement-initial in code files
    -H "apikey: ..."            header names inside a string, Authorization: Bearer ...
    key="Password" value="..."  .NET/Spring XML, YAML flow maps
    - name: DB_PASSWORD         Kubernetes / compose env lists: the value on the next line
      value: ...
    variable "db_password" {    Terraform variables: the `default` inside the block
      default = "..."

A value found this way still has to look like a secret: `gate()` applies the placeholder, test,
template and reference filters, then a length and entropy threshold that depends on the kind of
name (passwords may be short words with digits or spaces; tokens must look random).

What is not an assignment of a secret:
- a loop variable (`for user, password := range accounts`, `for token in tokens:`) and a
  comparison with another expression (`if password == confirm`): the value is not a literal;
- a type test (`typeof pass === 'object'`): the literal is a type name;
- a comparison with a literal in a test file (`assert user.password != "wrong-pass1"`): a test
  checks values, it does not hold credentials (outside tests `if password == "..."` is a
  hard-coded credential check and is reported);
- a comment line in a programming language and a Python docstring (`# password = "..."`,
  `>>> login(password="...")`): documentation, not code. Configuration files keep their
  commented lines: a commented-out setting there usually still holds the real value;
- a shell/compose/Spring placeholder `${VAR:-default}`, `${VAR-default}`, `${VAR:=default}`,
  `${VAR:default}`: only its default can be a secret, and only when it looks like one (not a
  word or an identifier such as `postgres` or `changethis`); `${VAR:?message}` and `${VAR?message}`
  hold an error message, never a password.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from redline.secrets import entropy
from redline.secrets import filters as flt
from redline.secrets import hits as H
from redline.secrets import names
from redline.secrets import regex as rx
from redline.secrets.hits import Hit
from redline.secrets.names import Kind
from redline.secrets.syntax import Syntax

# Words that make a line a candidate (the prefilter) and locate names on it.
CUE = r"pass|pwd|secret|token|key|auth|cred|bearer"
NAME_RE = rx.compile(r"(?i)[A-Za-z0-9_.$@-]*(?:" + CUE + r")[A-Za-z0-9_.-]*")
_OPS = (b":::=", b"::=", b":=", b"?=", b"=>", b"===", b"!==", b"==", b"!=", b"=", b":")
_COMPARE = (b"===", b"!==", b"==", b"!=")
_AUTH_SCHEMES = (b"bearer", b"basic", b"token", b"api-token", b"apikey", b"digest", b"sso-key", b"otp", b"key")
_SPACE = b" \t"
_HEX = frozenset(b"0123456789abcdefABCDEF-")
_NAME_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.$")
MAX_LOOKAHEAD = 40  # lines searched for a Terraform variable's default
MAX_NAMES = 400  # credential names looked at per line (window)
MAX_VALUE = 1000  # longest value considered


@dataclass(frozen=True, slots=True)
class Value:
    start: int  # the value, bytes of the line
    end: int
    lit_start: int  # the literal with its quotes (== value when unquoted)
    lit_end: int
    quote: bytes = b""


NextLine = Callable[[int], "tuple[bytes, int] | None"]  # k -> (line, absolute start) of the k-th next line


# ------------------------------------------------------------------------- reading values


def _skip_space(line: bytes, i: int) -> int:
    n = len(line)
    while i < n and line[i] in _SPACE:
        i += 1
    return i


def read_quoted(line: bytes, i: int) -> Value | None:
    """The string literal opening at `i` (a quote character), escapes honoured; None when it
    does not close on this line."""
    q = line[i : i + 1]
    n = len(line)
    if line[i : i + 3] == q * 3 and q in b"\"'":  # Python/Java text block on one line
        end = line.find(q * 3, i + 3)
        return Value(i + 3, end, i, end + 3, q * 3) if end != -1 else None
    j = i + 1
    while j < n:
        c = line[j]
        if c == 0x5C and q != b"`":  # backslash
            j += 2
            continue
        if c == q[0]:
            return Value(i + 1, j, i, j + 1, q)
        j += 1
    return None


def _read_bare(line: bytes, i: int, syn: Syntax, stop_quote: bytes = b"") -> Value | None:
    n = len(line)
    if i >= n:
        return None
    if stop_quote:  # inside a string: up to its closing quote (or a separator)
        j = i
        while j < n and line[j] not in stop_quote and line[j] not in b";&":
            j += 1
        end = j
    elif syn.bare == "rest":
        end = n
        for marker in (b" #", b"\t#", b" ;"):  # a trailing comment
            k = line.find(marker, i)
            if k != -1 and k < end:
                end = k
    elif syn.bare == "token":
        j = i
        while j < n and line[j] not in b" \t,;\"'`<>":
            j += 1
        if line[i:j].lower() in _AUTH_SCHEMES and line[j : j + 1] == b" ":  # Bearer <token>
            k = _skip_space(line, j)
            j = k
            while j < n and line[j] not in b" \t,;\"'`<>":
                j += 1
        end = j
        while end > i and line[end - 1] in b")]}" and _unbalanced(line[i:end]):
            end -= 1
    else:
        return None
    while end > i and line[end - 1] in b" \t,;'\"`":
        end -= 1
    if end <= i:
        return None
    first = line[i : i + 1]
    if not stop_quote and first in (b"|", b">", b"[", b"{", b"*", b"!", b"&"):
        return None  # YAML block scalars, flow collections, aliases, tags
    return Value(i, end, i, end, b"")


def _unbalanced(v: bytes) -> bool:
    """More closing than opening brackets of the last character's kind."""
    close = v[-1:]
    opening = {b")": b"(", b"]": b"[", b"}": b"{"}[close]
    return v.count(close) > v.count(opening)


# Methods whose literal argument is not the value they are called on (`password.encode("latin1")`
# holds the password, not "latin1"): not wrappers to look inside.
_STRING_METHODS = frozenset({
    b"encode", b"decode", b"format", b"strip", b"rstrip", b"lstrip", b"join", b"replace", b"split", b"rsplit",
    b"ljust", b"rjust", b"center", b"zfill", b"startswith", b"endswith", b"removeprefix", b"removesuffix",
    b"padStart", b"padEnd", b"trim", b"concat", b"toString", b"digest", b"hexdigest", b"update",
})


def _skip_wrapper(line: bytes, i: int) -> int:
    """Skip `new `, one call like `SecretStr(`, `[]byte(`, `Buffer.from(`, and C#/ObjC `@`/`$`
    or Python string prefixes, so that `i` points at the quote of the literal."""
    n = len(line)
    if line.startswith(b"new ", i):
        i = _skip_space(line, i + 4)
    j = i
    while j < n and (line[j] in _NAME_CHARS or line[j] in b"[]"):
        j += 1
    if j > i and j < n and line[j] == 0x28 and line[i:j].rsplit(b".", 1)[-1] not in _STRING_METHODS:  # "("
        k = _skip_space(line, j + 1)
        if k < n and line[k] in b"\"'`@":
            i = k
    if i < n and line[i] in b"@$" and i + 1 < n and line[i + 1] in b"\"'":
        i += 1
    j = i
    while j < n and j - i < 2 and line[j] in b"rRbBuUfF":
        j += 1
    if j > i and j < n and line[j] in b"\"'":
        i = j
    return i


def _value_at(line: bytes, i: int, syn: Syntax, stop_quote: bytes = b"") -> Value | None:
    """The value starting at `i` (after the operator and spaces)."""
    i = _skip_space(line, i)
    if i >= len(line):
        return None
    i = _skip_wrapper(line, i)
    c = line[i : i + 1]
    if c and c in syn.quotes and not stop_quote:
        return read_quoted(line, i)
    if c in (b'"', b"'", b"`") and not stop_quote:
        return None  # a character literal or a quote this format does not use
    if syn.bare == "none" and not stop_quote:
        return None
    return _read_bare(line, i, syn, stop_quote)


def _operator(line: bytes, i: int, syn: Syntax, quoted_key: bool, kind: Kind) -> tuple[bytes, int] | None:
    """The assignment, mapping or comparison operator at `i` (after spaces)."""
    i = _skip_space(line, i)
    n = len(line)
    if i >= n:
        return None
    if syn.code and line[i] in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_":
        # `password string = "..."` (Go), a type after the name
        j = i
        while j < n and (line[j] in _NAME_CHARS or line[j] in b"[]*"):
            j += 1
        k = _skip_space(line, j)
        if k < n and line[k] == 0x3D and line[k + 1 : k + 2] != b"=":
            return b"=", k + 1
        return None
    for op in _OPS:
        if line.startswith(op, i):
            j = i + len(op)
            if op == b":" and line[j : j + 1] == b":":
                return None  # `::` (C++, Ruby, PHP scope)
            if op == b":" and syn.code:
                # `apiKey: string = "..."`: skip a type annotation
                k = _skip_space(line, j)
                m = k
                while m < n and (line[m] in _NAME_CHARS or line[m] in b"[]|<> ?,"):
                    m += 1
                if m > k and m < n and line[m] == 0x3D and line[m + 1 : m + 2] not in (b"=", b">"):
                    return b"=", m + 1
            return op, j
    if quoted_key and line[i] == 0x2C and kind is not Kind.KEY and _mapping_call(line, i):
        return b",", i + 1  # put("password", "..."), getenv("SECRET_KEY", "...")
    return None


# Calls whose first two arguments are a key and its value.
_MAPPING_CALLS = (b"put", b"set", b"setdefault", b"setproperty", b"setenv", b"putenv", b"getenv", b"get",
                  b"getproperty", b"getordefault", b"getenvordefault", b"setitem", b"setheader", b"addheader",
                  b"header", b"env", b"config", b"option", b"add", b"with", b"param", b"setparameter")


def _mapping_call(line: bytes, comma: int) -> bool:
    """The quoted name before `comma` is the first argument of a put/set/getenv-like call."""
    q = line.rfind(line[comma - 1 : comma], 0, comma - 1)  # the name's opening quote
    j = q - 1
    while j >= 0 and line[j] in _SPACE:
        j -= 1
    if j < 0 or line[j] != 0x28:  # "("
        return False
    k = j
    while k > 0 and (line[k - 1] in _NAME_CHARS):
        k -= 1
    callee = line[k:j].rsplit(b".", 1)[-1].lower().replace(b"_", b"")
    return callee in _MAPPING_CALLS


# ------------------------------------------------------------------------- the gate


_PASSWORD_WORD_FILTERS = tuple(f for f in flt.VALUE_FILTERS if f is not flt.is_identifier)


def min_entropy(value: bytes) -> float:
    """The entropy a random value of this length and alphabet clearly exceeds: 70 % of the
    maximum, log2(min(length, alphabet size)), hex counted as a 16-letter alphabet."""
    n = len(value)
    k = 16 if all(b in _HEX for b in value) else 64
    return min(3.5, max(2.0, 0.7 * math.log2(min(n, k)))) if n > 1 else 9.0


def gate(kind: Kind, value: bytes) -> str | None:
    """The confidence of a finding for `value` held by a name of `kind`, or None when the value
    does not look like a real secret."""
    n = len(value)
    if n > 1000 or not any(48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 for b in value):
        return None
    # A single lower-case word is a name in most places (`csrftoken`), but in a password field it
    # is a (weak) password: `password = "megadeth"`.
    word = kind is Kind.PASSWORD and value.isalpha() and value.islower()
    if flt.reason(value, _PASSWORD_WORD_FILTERS if word else flt.VALUE_FILTERS):
        return None
    h = entropy.shannon(value)
    if kind is Kind.PASSWORD:
        if n < 6 or h < 2.0:
            return None
        return "low" if word else "medium"
    if b" " in value or b"\t" in value:
        return None
    if kind is Kind.SECRET:
        if n < 8 or h < min_entropy(value):
            return None
        return "high" if n >= 20 and h >= 4.0 else "medium"
    if n < 16 or h < 3.3 or entropy.classes(value) < 2:
        return None
    return "medium" if h >= 4.0 else "low"


# `${VAR<op>word}`: operators whose word is a default value (POSIX shell, compose, Spring's `:`),
# and those whose word is an error message or an alternate value (never a credential).
_DEFAULT_OPS = (b":-", b":=", b"-", b"=", b":")
_OTHER_OPS = (b":?", b"?", b":+", b"+")


def placeholder_default(line: bytes, i: int, close: int = -1) -> Value | None | bool:
    """For the variable name of a `${VAR...}` placeholder ending at `i`: the default value's span,
    False when the placeholder has no default (`${VAR}`, `${VAR:?message}`), None when the text
    at `i` is not the rest of a placeholder."""
    if close == -1:
        close = line.find(b"}", i, i + MAX_VALUE)
    if close == -1:
        return None
    if close == i:
        return False
    for op in _OTHER_OPS:
        if line.startswith(op, i):
            return False
    for op in _DEFAULT_OPS:
        if line.startswith(op, i):
            start = i + len(op)
            if line.find(b"${", start, close) != -1 or start >= close:
                return False
            return Value(start, close, start, close, b"")
    return None


def _placeholder_value(line: bytes, v: Value) -> Value | None | bool:
    """The default inside a value that is exactly one `${VAR...}` placeholder (see above); None
    when the value is not one."""
    if line[v.start : v.start + 2] != b"${" or line[v.end - 1 : v.end] != b"}":
        return None
    j = v.start + 2
    while j < v.end - 1 and line[j] in _NAME_CHARS and line[j] != 0x24:  # VAR, spring.property
        j += 1
    if j == v.start + 2:
        return None
    return placeholder_default(line, j, v.end - 1)


def strict_gate(kind: Kind, value: bytes) -> str | None:
    """`gate` for a value that is written as a fallback (a placeholder's default): it must look
    like a real credential, never a word or an identifier (`postgres`, `changethis`,
    `petclinic`), so at least 8 characters of two classes or more."""
    if len(value) < 8 or entropy.classes(value) < 2 or flt.reason(value, flt.VALUE_FILTERS):
        return None
    return gate(kind, value)


def _strip_scheme(line: bytes, v: Value) -> Value:
    """`Bearer abc...` -> `abc...` (the credential of an Authorization value)."""
    raw = line[v.start : v.end]
    word, sep, rest = raw.partition(b" ")
    if sep and word.lower() in _AUTH_SCHEMES and rest.strip():
        off = v.start + len(word) + 1
        while off < v.end and line[off] in _SPACE:
            off += 1
        return Value(off, v.end, v.lit_start, v.lit_end, v.quote)
    return v


# ------------------------------------------------------------------------- locating values


def _name_entry(before: bytes) -> bool:
    """The name is the value of a `name:`/`key=` entry (`- name: DB_PASSWORD`, `key="Password"`)."""
    b = before.rstrip(b" \t\"'")
    if b[-1:] not in (b":", b"="):
        return False
    b = b[-12:].lower()
    for k in (b"name", b"key", b"id", b"env", b"envvar"):
        for op in (b":", b"="):
            for form in (k + op, k + b" " + op):
                if b.endswith(form):
                    head = b[: len(b) - len(form)]
                    if not head or not (head[-1:].isalnum() or head[-1:] == b"_"):
                        return True
    return False


def _entry_value(line: bytes, after: int, syn: Syntax, next_line: NextLine) -> tuple[Value, int] | None:
    """For `name: X` / `key="X"`: the `value` given beside it, on this line or the next.
    Returns the value and the line offset (0 = this line, 1 = the next)."""
    low = line.lower()
    k = low.find(b"value", after)
    if k != -1:
        j = _skip_space(line, k + 5)
        j = _skip_space(line, j + 1 if line[j : j + 1] in (b"\"", b"'") else j)
        if line[j : j + 1] in (b"=", b":"):
            v = _value_at(line, j + 1, syn)
            return (v, 0) if v else None
    if syn.bare == "rest" and line[after:].strip(b" \t\"',}") == b"":
        nxt = next_line(1)
        if nxt is not None:
            nl = nxt[0]
            s = nl.lstrip(b" \t-")
            if s.startswith(b"value:"):
                i = len(nl) - len(s) + 6
                v = _value_at(nl, i, syn)
                return (v, 1) if v else None
    return None


def _terraform_default(syn: Syntax, next_line: NextLine) -> tuple[Value, int] | None:
    """The `default = "..."` inside the `variable` block opened on this line."""
    for k in range(1, MAX_LOOKAHEAD):
        nxt = next_line(k)
        if nxt is None:
            return None
        nl = nxt[0]
        s = nl.strip()
        if s == b"}" and not nl[:1].isspace():
            return None
        if s.startswith(b"default"):
            j = _skip_space(nl, nl.find(b"default") + 7)
            if nl[j : j + 1] == b"=":
                v = _value_at(nl, j + 1, syn)
                return (v, k) if v else None
    return None


def _reverse_comparison(line: bytes, name_start: int, syn: Syntax) -> Value | None:
    """`"value" == password`."""
    j = name_start
    while j > 0 and line[j - 1] in b" \t(":
        j -= 1
    for op in _COMPARE:
        if line.endswith(op, 0, j):
            end = j - len(op)
            while end > 0 and line[end - 1] in _SPACE:
                end -= 1
            if end > 0 and line[end - 1 : end] in syn.quotes:
                q = line[end - 1]
                i = end - 2
                floor = max(-1, end - 1 - MAX_VALUE)
                while i > floor and not (line[i] == q and (i == 0 or line[i - 1] != 0x5C)):
                    i -= 1
                if i > floor:
                    return Value(i + 1, end - 1, i, end, bytes([q]))
            return None
    return None


def is_comment_line(line: bytes, syn: Syntax) -> bool:
    """A comment line of a programming language (`# ...`, `// ...`, ` * ...` inside `/* */`)."""
    if not syn.code or not syn.comment:
        return False
    s = line.lstrip(b" \t")
    if s.startswith(syn.comment.encode()):
        return True
    return syn.comment == "//" and (s.startswith(b"/*") or s[:1] == b"*" and s[1:2] in (b"", b" ", b"\t", b"/"))


def docstring_spans(text: bytes) -> list[tuple[int, int]]:
    """Byte spans of Python docstrings and other string statements: triple-quoted strings whose
    opening quotes begin their line (after indentation and an `r`/`u` prefix), so a string
    assigned or passed (`CONFIG = \"\"\"...`) is not one. Two finds per string: linear."""
    out: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    a = b = -2  # the next `"""` / `'''` at or after i (searched again only once passed)
    while i < n:
        if a != -1 and a < i:
            a = text.find(b'"""', i)
        if b != -1 and b < i:
            b = text.find(b"'''", i)
        if a == -1 and b == -1:
            break
        start = a if b == -1 or (a != -1 and a < b) else b
        quote = text[start : start + 3]
        close = text.find(quote, start + 3)
        end = n if close == -1 else close + 3
        nl = text.rfind(b"\n", max(0, start - 256), start)  # bounded: indentation is short
        if nl != -1 or start <= 256:
            if not text[nl + 1 : start].strip(b" \t").lstrip(b"rRuU"):
                out.append((start, end))
        i = end
    return out


def scan_line(
    line: bytes,
    line_start: int,
    syn: Syntax,
    next_line: NextLine,
    ungated: bool = False,
) -> list[Hit]:
    """Context hits on one line. `next_line(k)` gives the k-th following line and its start.
    `ungated`: every value held by a credential name, whether or not it looks like a secret
    (confidence `UNGATED` for those `gate` rejects), for engines with their own value test."""
    out: list[Hit] = []
    seen: set[int] = set()
    if is_comment_line(line, syn):
        return out
    for count, m in enumerate(NAME_RE.finditer(line)):
        if count >= MAX_NAMES:  # generated text, not code someone types: bound the work
            break
        s, e = m.start(), m.end()
        name = line[s:e].decode("ascii", "replace").strip(".-$@")
        kind = names.classify(name)
        before = line[max(0, s - 64) : s]  # what the tests below look at: the end of it
        prev = line[s - 1 : s]
        if before.rstrip(b" \t").endswith(b"variable \"") or before.rstrip().lower().endswith(b"variable \""):
            if kind is None:
                continue
            found = _terraform_default(syn, next_line)
            if found:
                out.extend(_hit(found[0], found[1], kind, name, line, line_start, next_line, seen, ungated=ungated))
            continue
        if kind is None:
            continue
        if before.endswith((b"typeof ", b"typeof(")):  # `typeof pass === 'object'`: a type test
            continue
        if s >= 2 and line[s - 2 : s] == b"${":  # the variable of a placeholder: only its default
            dash = line.find(b"-", s, e)  # `${DB_PASSWORD-default}`: shell names have no `-`
            if dash != -1:
                e = dash
                kind = names.classify(line[s:e].decode("ascii", "replace"))
            d = placeholder_default(line, e) if kind is not None else None
            if isinstance(d, Value):
                out.extend(_hit(d, 0, kind, name, line, line_start, next_line, seen, strict=True, ungated=ungated))
            continue
        quoted_key = bool(prev) and prev in syn.quotes and line[e : e + 1] == prev
        in_string = bool(prev) and prev in b"\"'`" and not quoted_key
        if _name_entry(before):
            found = _entry_value(line, e + (1 if quoted_key else 0), syn, next_line)
            if found:
                out.extend(_hit(found[0], found[1], kind, name, line, line_start, next_line, seen, ungated=ungated))
            continue
        v: Value | None = None
        comparison = False
        rev = _reverse_comparison(line, s, syn)
        if rev is not None:
            v = rev
            comparison = True
        else:
            i = e + 1 if quoted_key else e
            if line[i : i + 1] == b"]":  # config["password"] = ...
                i += 1
            elif line[i : i + 1] == b"[":  # char password[32] = ...
                close = line.find(b"]", i, i + 12)
                if close != -1:
                    i = close + 1
            if line[i : i + 1] == b"(" and syn.code:  # setPassword("...")
                v = _value_at(line, i + 1, syn)
                if v is not None and line[v.lit_end : v.lit_end + 1] not in (b")", b","):
                    v = None
            elif prev == b"<" and line[e : e + 1] == b">":  # <password>...</password>
                close = line.find(b"</", e)
                if close > e + 1:
                    v = Value(e + 1, close, e + 1, close, b"")
            else:
                op = _operator(line, i, syn, quoted_key, kind)
                if op is not None:
                    v = _value_at(line, op[1], syn, stop_quote=prev if in_string else b"")
                    comparison = op[0] in _COMPARE
                elif not syn.code or line.lstrip().startswith(b"#define"):
                    j = _skip_space(line, i)
                    if j > i and line[j : j + 1] in syn.quotes:  # password "value";  (directives)
                        v = read_quoted(line, j)
                elif not line[:s].strip(b" \t"):
                    v = _command_value(line, i, syn)
        if v is not None:
            out.extend(_hit(v, 0, kind, name, line, line_start, next_line, seen, comparison=comparison, ungated=ungated))
    return out


def _command_value(line: bytes, i: int, syn: Syntax) -> Value | None:
    """In a code file, a statement made of a credential name and one string literal: `password
    "s3cret"` in a Gradle/Groovy `credentials { }` block, a Ruby or Chef DSL, a Kotlin/Swift
    builder, or a directive pasted into a source file (`password "...";`). The name starts the
    line and nothing but `;`, `,` or a comment follows the literal; `"` and `'` only (a backtick
    after a name is a JavaScript tagged template)."""
    j = _skip_space(line, i)
    if j == i or line[j : j + 1] not in (b'"', b"'") or line[j : j + 1] not in syn.quotes:
        return None
    v = read_quoted(line, j)
    if v is None:
        return None
    rest = line[v.lit_end :].strip(b" \t;,")
    if rest and not (syn.comment and rest.startswith(syn.comment.encode())):
        return None
    return v


COMPARISON = "-comparison"  # detector suffix of a value compared with a credential name
UNGATED = "none"  # the confidence of an `ungated` hit whose value `gate` rejected


def _hit(
    v: Value, offset: int, kind: Kind, name: str, line: bytes, line_start: int, next_line: NextLine, seen: set[int],
    strict: bool = False, comparison: bool = False, ungated: bool = False,
) -> list[Hit]:
    """A hit for value `v` found on this line (`offset` 0) or the `offset`-th next line.
    `strict`: the value is a fallback (a placeholder's default), see `strict_gate`."""
    if offset:
        nxt = next_line(offset)
        if nxt is None:
            return []
        line, line_start = nxt
    inner = _placeholder_value(line, v)
    if inner is False:
        return []  # `${VAR}`, `${VAR:?message}`: a reference, no value here
    if isinstance(inner, Value):
        v, strict = inner, True
    if name.lower().strip("-_") in ("authorization", "proxy-authorization") or b" " in line[v.start : v.end].strip():
        v = _strip_scheme(line, v)
    value = line[v.start : v.end]
    key = line_start + v.start
    if key in seen:
        return []
    confidence = strict_gate(kind, value) if strict else gate(kind, value)
    if confidence is None:
        if not ungated or not value.strip():
            return []
        confidence = UNGATED
    seen.add(key)
    code = H.PASSWORD if kind is Kind.PASSWORD else H.SECRET
    title = "password" if kind is Kind.PASSWORD else ("key" if kind is Kind.KEY else "secret")
    return [
        Hit(
            code=code,
            detector="context-" + kind.value + (COMPARISON if comparison else ""),
            title=title,
            start=line_start + v.start,
            end=line_start + v.end,
            lit_start=line_start + v.lit_start,
            lit_end=line_start + v.lit_end,
            quote=v.quote,
            name=name,
            env="PASSWORD" if kind is Kind.PASSWORD else "API_TOKEN",
            confidence=confidence,
            shown=2 if kind is Kind.PASSWORD else 4,
        )
    ]
