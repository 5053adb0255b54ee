"""Template files as scanned files: small linear lexers, no grammar.

Each template syntax has a lexer that finds its tags and expressions with their byte ranges
(`Token`); an HTML scanner then walks the text with every token masked out (so quotes and `<`
inside an expression never confuse it) and records where the HTML contexts are: `<script>`
bodies and attribute values. `analyze` joins the two and returns `Hit`s for the rules of
rules/builtin/templates.toml:

- RL138 unescaped output: `|safe`, `{% autoescape off/false %}`, `{{{ x }}}`, `{{& x }}`,
  `<%- x %>`, `v-html`, `{@html x}`;
- RL139 a template variable inside a `<script>` body (HTML escaping is the wrong escaping there);
- RL140 a variable in an event-handler attribute (`onclick="{{ x }}"`) or an unquoted attribute;
- RL141 a variable at the start of a URL attribute (`href="{{ url }}"`: `javascript:` URLs).

Everything here is hand-written scanning with `bytes.find` and bounded loops: each byte is looked
at a bounded number of times, whatever the input (an unclosed delimiter ends the lexing instead
of being searched for again from every later start).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

SYNTAX = {
    "jinja": "jinja",
    "html": "jinja",  # only when the text has `{{` or `{%` (see `syntax_of`)
    "ejs": "ejs",
    "handlebars": "handlebars",
    "vue": "vue",
    "svelte": "svelte",
}


def syntax_of(language: str, text: bytes) -> str | None:
    """The template syntax of a file, or None when there is nothing to lex."""
    syntax = SYNTAX.get(language)
    if syntax is None:
        return None
    if language == "html":
        if b"{{" not in text and b"{%" not in text:
            return None
        if any(m in text for m in _NOT_JINJA):
            return None
    return syntax


# `{{ }}` in .html that is not Jinja/Django: Go html/template and Hugo (`{{ .Name }}`,
# `{{ end }}`; context-aware escaping of their own), AngularJS/Angular and in-DOM Vue templates
# (client-side interpolation that escapes text and sanitizes URLs).
_NOT_JINJA = (
    b"{{ .", b"{{.", b"{{- .", b"{{ end }}", b"{{end}}", b"{{ define ", b"{{define ", b"{{ range ", b"{{range ",
    b"ng-app", b"ng-controller", b"*ngIf", b"*ngFor", b"[(ngModel)]", b" v-if=", b" v-for=", b" v-model=",
)


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # the whole tag, delimiters included
    end: int
    inner_start: int  # the expression or tag body, without delimiters and whitespace control
    inner_end: int
    kind: str  # "output" (escaped), "raw" (unescaped output), "tag", "comment"
    open_len: int = 2  # length of the opening delimiter (for fixes)
    close_len: int = 2


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    new_text: str


@dataclass(frozen=True, slots=True)
class Hit:
    code: str
    start: int
    end: int
    fields: tuple[tuple[str, str], ...] = ()
    fix_title: str | None = None
    edits: tuple[Edit, ...] = ()


_SPACE = b" \t\r\n\f"


def _strip(text: bytes, start: int, end: int, extra: bytes = b"") -> tuple[int, int]:
    chars = _SPACE + extra
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


# ----------------------------------------------------------------------------- lexers


def lex_jinja(text: bytes) -> list[Token]:
    """`{{ expr }}`, `{% tag %}`, `{# comment #}` (Jinja2 and Django); `{% raw %}` and
    `{% verbatim %}` bodies are skipped."""
    out: list[Token] = []
    i, n = 0, len(text)
    find = text.find
    while True:
        i = find(b"{", i)
        if i < 0 or i + 1 >= n:
            break
        c = text[i + 1]
        if c == 0x7B:  # {{
            close, kind = b"}}", "output"
        elif c == 0x25:  # {%
            close, kind = b"%}", "tag"
        elif c == 0x23:  # {#
            close, kind = b"#}", "comment"
        else:
            i += 1
            continue
        j = find(close, i + 2)
        if j < 0:
            break  # unclosed: no later tag of this kind can close either
        s, e = _strip(text, i + 2, j, b"-+")
        out.append(Token(i, j + 2, s, e, kind))
        i = j + 2
        if kind == "tag":
            word = _first_word(text, s, e)
            if word in (b"raw", b"verbatim"):
                k = find(b"end" + word, i)
                if k < 0:
                    break
                k = find(b"%}", k)
                if k < 0:
                    break
                i = k + 2
    return out


def lex_handlebars(text: bytes) -> list[Token]:
    """`{{ x }}`, `{{{ x }}}`, `{{& x }}` (unescaped), `{{! ... }}` / `{{!-- ... --}}` comments,
    block and partial tags (`{{#each}}`, `{{/each}}`, `{{> p}}`, `{{^x}}`, `{{else}}`); raw
    blocks `{{{{raw}}}} ... {{{{/raw}}}}` are skipped."""
    out: list[Token] = []
    i = 0
    find = text.find
    while True:
        i = find(b"{{", i)
        if i < 0:
            break
        if text.startswith(b"{{{{", i):
            j = find(b"{{{{/", i + 4)
            if j < 0:
                break
            j = find(b"}}}}", j)
            if j < 0:
                break
            i = j + 4
            continue
        if text.startswith(b"{{!--", i):
            j = find(b"--}}", i + 5)
            if j < 0:
                break
            out.append(Token(i, j + 4, i + 5, j, "comment"))
            i = j + 4
            continue
        if text.startswith(b"{{{", i):
            j = find(b"}}}", i + 3)
            if j < 0:
                break
            s, e = _strip(text, i + 3, j, b"~")
            out.append(Token(i, j + 3, s, e, "raw", 3, 3))
            i = j + 3
            continue
        j = find(b"}}", i + 2)
        if j < 0:
            break
        s, e = _strip(text, i + 2, j, b"~")
        first = text[s : s + 1]
        if first == b"!":
            kind = "comment"
        elif first == b"&":
            kind = "raw"
            s, e = _strip(text, s + 1, e)
        elif first and first in b"#/^>" or _first_word(text, s, e) == b"else":
            kind = "tag"
        else:
            kind = "output"
        out.append(Token(i, j + 2, s, e, kind))
        i = j + 2
    return out


def lex_ejs(text: bytes) -> list[Token]:
    """`<%= x %>` (escaped), `<%- x %>` (unescaped), `<%# comment %>`, `<% code %>`; `<%%` is a
    literal `<%`."""
    out: list[Token] = []
    i = 0
    find = text.find
    while True:
        i = find(b"<%", i)
        if i < 0:
            break
        if text.startswith(b"<%%", i):
            i += 3
            continue
        mark = text[i + 2 : i + 3]
        kind = {b"=": "output", b"-": "raw", b"#": "comment"}.get(mark, "tag")
        j = find(b"%>", i + 2)
        if j < 0:
            break
        body = i + 3 if kind != "tag" or mark == b"_" else i + 2
        s, e = _strip(text, body, j, b"-_" if kind == "tag" else b"")
        if kind in ("output", "raw") and e > s and text[e - 1] in b"-_":  # -%> / _%>
            s, e = _strip(text, s, e - 1)
        out.append(Token(i, j + 2, s, e, kind, 3))
        i = j + 2
    return out


def _raw_blocks(text: bytes) -> list[tuple[int, int]]:
    """The (start, end) of each `<script>`/`<style>` element of a component file (Vue, Svelte):
    their bodies are code, not markup, and braces there are not template syntax."""
    low = text.lower()
    out = []
    i = 0
    while True:
        i = low.find(b"<s", i)
        if i < 0:
            break
        for name in (b"script", b"style"):
            if low.startswith(name, i + 1) and low[i + 1 + len(name) : i + 2 + len(name)] in (b">", b" ", b"\t", b"\n", b"\r", b"/"):
                close = low.find(b"</" + name, i)
                end = len(text) if close < 0 else close
                out.append((i, end))
                i = end
                break
        else:
            i += 2
            continue
    return out


def _outside(blocks: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out, at = [], 0
    for s, e in blocks:
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < n:
        out.append((at, n))
    return out


def lex_vue(text: bytes) -> list[Token]:
    """`{{ expr }}` interpolations of the template (outside `<script>`/`<style>`); directives
    (`v-html`, `:href`) are attributes, seen by the HTML scanner."""
    out: list[Token] = []
    for lo, hi in _outside(_raw_blocks(text), len(text)):
        i = lo
        while True:
            i = text.find(b"{{", i, hi)
            if i < 0:
                break
            j = text.find(b"}}", i + 2, hi)
            if j < 0:
                break
            s, e = _strip(text, i + 2, j)
            out.append(Token(i, j + 2, s, e, "output"))
            i = j + 2
    return out


def _brace_end(text: bytes, i: int, hi: int) -> int:
    """Index just past the `}` that closes the `{` at `i` (nested braces, JS strings), or -1."""
    depth, k = 0, i
    while k < hi:
        c = text[k]
        if c == 0x7B:
            depth += 1
        elif c == 0x7D:
            depth -= 1
            if depth == 0:
                return k + 1
        elif c in (0x22, 0x27, 0x60):  # " ' `
            k += 1
            while k < hi and text[k] != c:
                k += 2 if text[k] == 0x5C else 1
            if k >= hi:
                return -1
        k += 1
    return -1


def lex_svelte(text: bytes) -> list[Token]:
    """`{expr}` (escaped), `{@html expr}` (unescaped), block tags `{#if}`, `{:else}`, `{/if}`,
    `{@const}`; outside `<script>`/`<style>`."""
    out: list[Token] = []
    for lo, hi in _outside(_raw_blocks(text), len(text)):
        i = lo
        while True:
            i = text.find(b"{", i, hi)
            if i < 0:
                break
            j = _brace_end(text, i, hi)
            if j < 0:
                break  # unclosed: the rest of this block is not lexed (linear)
            s, e = _strip(text, i + 1, j - 1)
            first = text[s : s + 1]
            if text.startswith(b"@html", s) and (s + 5 >= e or text[s + 5] in _SPACE):
                s2, e2 = _strip(text, s + 5, e)
                out.append(Token(i, j, s2, e2, "raw", 1, 1))
            elif first and first in b"#:/@":
                out.append(Token(i, j, s, e, "tag", 1, 1))
            else:
                out.append(Token(i, j, s, e, "output", 1, 1))
            i = j
    return out


LEXERS = {"jinja": lex_jinja, "handlebars": lex_handlebars, "ejs": lex_ejs, "vue": lex_vue, "svelte": lex_svelte}


def _first_word(text: bytes, s: int, e: int) -> bytes:
    k = s
    while k < e and (chr(text[k]).isalnum() or text[k] == 0x5F):
        k += 1
    return text[s:k]


# ----------------------------------------------------------------------------- HTML contexts


@dataclass(frozen=True, slots=True)
class Attr:
    name: str  # lower case
    start: int  # the value, without quotes
    end: int
    quoted: bool


_NAME_END = b" \t\r\n\f=>/\"'<"
_NON_JS = (b"template", b"html", b"json", b"text/x-", b"text/ng")


def html_contexts(masked: bytes) -> tuple[list[tuple[int, int]], list[Attr]]:
    """(`<script>` bodies, attribute values) of HTML whose template tokens are masked (NUL
    bytes). Script bodies of a non-JavaScript `type` (JSON, client-side templates) are left out."""
    low = masked.lower()
    n = len(low)
    scripts: list[tuple[int, int]] = []
    attrs: list[Attr] = []
    i = 0
    find = low.find
    while True:
        lt = find(b"<", i)
        if lt < 0 or lt + 1 >= n:
            break
        if low.startswith(b"<!--", lt):
            end = find(b"-->", lt + 4)
            if end < 0:
                break
            i = end + 3
            continue
        k = lt + 1
        if low[k] == 0x2F:  # </name>
            end = find(b">", k)
            if end < 0:
                break
            i = end + 1
            continue
        start_name = k
        while k < n and low[k] not in _NAME_END:
            k += 1
        tag = low[start_name:k]
        if not tag or not (0x61 <= tag[0] <= 0x7A):
            i = lt + 1
            continue
        tag_attrs: list[Attr] = []
        while k < n:
            while k < n and low[k] in _SPACE + b"/":
                k += 1
            if k >= n:
                break
            if low[k] == 0x3E:  # >
                k += 1
                break
            ns = k
            while k < n and low[k] not in _NAME_END:
                k += 1
            if k == ns:
                k += 1  # a stray quote or `<`: step over it
                continue
            name = low[ns:k].decode("latin-1")
            j = k
            while j < n and low[j] in _SPACE:
                j += 1
            if j < n and low[j] == 0x3D:  # =
                j += 1
                while j < n and low[j] in _SPACE:
                    j += 1
                if j < n and low[j] in b"\"'":
                    q = low[j : j + 1]
                    end = find(q, j + 1)
                    if end < 0:
                        end = n
                    tag_attrs.append(Attr(name, j + 1, end, True))
                    k = end + 1
                else:
                    vs = j
                    while j < n and low[j] not in _SPACE and low[j] != 0x3E:
                        j += 1
                    tag_attrs.append(Attr(name, vs, j, False))
                    k = j
            else:
                tag_attrs.append(Attr(name, k, k, False))  # no value
        attrs.extend(tag_attrs)
        i = k
        if tag in (b"script", b"style", b"textarea", b"title"):
            close = find(b"</" + tag, i)
            end = n if close < 0 else close
            if tag == b"script":
                kind = next((low[a.start : a.end] for a in tag_attrs if a.name == "type"), b"")
                if not any(word in kind for word in _NON_JS):
                    scripts.append((i, end))
            i = end
    return scripts, attrs


def mask(text: bytes, tokens: list[Token]) -> bytes:
    parts, at = [], 0
    for t in tokens:
        parts.append(text[at : t.start])
        parts.append(b"\0" * (t.end - t.start))
        at = t.end
    parts.append(text[at:])
    return b"".join(parts)


# ----------------------------------------------------------------------------- checks

EVENT_PREFIX = "on"
URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "codebase", "cite"})
# Filters and helpers whose output is already right for a script or URL context, or is a URL
# built by the framework from a route name.
_JS_SAFE = (b"tojson", b"json_script", b"escapejs", b"json.stringify", b"json_encode", b"dump_json")
_URL_SAFE = (b"url_for(", b"static(", b"url(", b"reverse(", b"asset(", b"path(", b"|urlencode")


def _is_literal(expr: bytes) -> bool:
    """A constant string (or number): nothing a user can put there."""
    expr = expr.strip()
    if not expr:
        return True
    q = expr[:1]
    if q in (b"'", b'"', b"`") and expr.endswith(q) and expr.count(q) == 2 and (q != b"`" or b"${" not in expr):
        return True
    return expr.replace(b".", b"").isdigit()


def _filters(expr: bytes) -> list[tuple[bytes, int]]:
    """The Jinja/Django filters of an expression: (name, offset of its `|` in expr)."""
    out = []
    i = expr.find(b"|")
    while i >= 0:
        if expr[i + 1 : i + 2] != b"|" and (i == 0 or expr[i - 1 : i] != b"|"):
            k = i + 1
            while k < len(expr) and expr[k] in _SPACE:
                k += 1
            name = _first_word(expr, k, len(expr))
            out.append((name, i))
        i = expr.find(b"|", i + 1)
    return out


def _raw_hits(text: bytes, syntax: str, t: Token) -> list[Hit]:
    expr = text[t.inner_start : t.inner_end]
    if t.kind == "tag" and syntax == "jinja":
        word = _first_word(text, t.inner_start, t.inner_end)
        if word == b"autoescape":
            arg = expr[len(word) :].strip().lower()
            if arg in (b"off", b"false"):
                return [Hit("RL138", t.start, t.end, (("how", f"{{% autoescape {arg.decode()} %}}"),))]
        return []
    if t.kind == "output" and syntax == "jinja":
        filters = _filters(expr)
        for idx, (name, at) in enumerate(filters):
            if name not in (b"safe", b"safeseq"):
                continue
            before = [f for f, _ in filters[:idx]]
            value = expr[:filters[0][1]]
            if _is_literal(value) or any(f in (b"tojson", b"escape", b"e", b"json_script", b"escapejs") for f in before):
                return []
            # drop the filter: from the whitespace before `|` to the end of its name
            s = t.inner_start + at
            while s > t.inner_start and text[s - 1] in _SPACE:
                s -= 1
            e = t.inner_start + at + 1
            while e < t.inner_end and text[e] in _SPACE:
                e += 1
            e += len(name)
            return [Hit("RL138", t.start, t.end, (("how", f"the |{name.decode()} filter"),),
                        f"Remove |{name.decode()} (escape the value)", (Edit(s, e, ""),))]
        return []
    if t.kind != "raw" or _is_literal(expr):
        return []
    if syntax == "ejs":
        if expr.startswith(b"include") and expr[7:].lstrip()[:1] == b"(":
            return []  # a partial: its own markup, escaped where it outputs
        return [Hit("RL138", t.start, t.end, (("how", "<%- %>"),),
                    "Use <%= %> (escaped output)", (Edit(t.start, t.start + 3, "<%="),))]
    if syntax == "handlebars":
        if t.open_len == 3:
            body = text[t.start + 3 : t.end - 3]
            return [Hit("RL138", t.start, t.end, (("how", "{{{ }}}"),), "Use {{ }} (escaped output)",
                        (Edit(t.start, t.end, "{{" + body.decode("utf-8", "surrogateescape") + "}}"),))]
        return [Hit("RL138", t.start, t.end, (("how", "{{& }}"),), "Use {{ }} (escaped output)",
                    (Edit(t.start, t.end, "{{" + expr.decode("utf-8", "surrogateescape") + "}}"),))]
    if syntax == "svelte":
        return [Hit("RL138", t.start, t.end, (("how", "{@html}"),))]
    return []


def _is_output(t: Token) -> bool:
    return t.kind in ("output", "raw")


def analyze(language: str, text: bytes) -> list[Hit]:
    syntax = syntax_of(language, text)
    if syntax is None:
        return []
    tokens = LEXERS[syntax](text)
    hits: list[Hit] = []
    for t in tokens:
        hits.extend(_raw_hits(text, syntax, t))
    scripts, attrs = html_contexts(mask(text, tokens))
    component = syntax in ("vue", "svelte")
    # Vue directives are attributes whose value is an expression.
    if syntax == "vue":
        for a in attrs:
            value = text[a.start : a.end]
            if a.name == "v-html" and not _is_literal(value):
                hits.append(Hit("RL138", a.start, a.end, (("how", "v-html"),)))
            elif a.name.startswith((":", "v-bind:")) and a.name.split(":", 1)[1] in URL_ATTRS:
                if not _is_literal(value) and not value.strip().startswith((b"'", b'"', b"`")) \
                        and not any(s in value for s in _URL_SAFE):
                    hits.append(Hit("RL141", a.start, a.end, (("attr", a.name.split(":", 1)[1]),)))
    outputs = [t for t in tokens if _is_output(t)]
    starts = [t.start for t in outputs]
    if not component:
        for s, e in scripts:
            k = bisect_right(starts, s - 1)
            while k < len(outputs) and outputs[k].start < e:
                t = outputs[k]
                expr = text[t.inner_start : t.inner_end].lower()
                if not _is_literal(expr) and not any(w in expr for w in _JS_SAFE) and b"url_for(" not in expr:
                    hits.append(Hit("RL139", t.start, t.end))
                k += 1
    for a in attrs:
        k = bisect_right(starts, a.start - 1)
        while k < len(outputs) and outputs[k].start < a.end:
            t = outputs[k]
            k += 1
            expr = text[t.inner_start : t.inner_end]
            if _is_literal(expr):
                continue
            if not component and a.name.startswith(EVENT_PREFIX) and len(a.name) > 2:
                hits.append(Hit("RL140", t.start, t.end, (("what", f"the event handler {a.name}"),)))
            elif not component and not a.quoted:
                hits.append(Hit("RL140", t.start, t.end, (("what", f"the unquoted attribute {a.name}"),)))
            if a.name in URL_ATTRS and t.start == _strip(text, a.start, a.end)[0] \
                    and not any(s in expr.lower() for s in _URL_SAFE):
                hits.append(Hit("RL141", t.start, t.end, (("attr", a.name),)))
    hits.sort(key=lambda h: (h.start, h.code))
    return hits
