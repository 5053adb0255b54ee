"""Template files (redline.templates, the `templates` engine, RL138-RL141): detection by name and
languageId, the lexers' token ranges, HTML contexts, quick fixes, suppressions, linear time on
hostile input, and the same findings in the editor."""

from __future__ import annotations

import time

import pytest
from lsprotocol import types

from lsp.fixtures import vscode  # noqa: F401 - fixture
from lsp.harness import apply_edits, change, codes, diagnostics, edits_of, initialize, open_doc
from redline import languages as langs
from redline import templates as T
from redline.engines import get
from redline.pipeline import analyze_text


def found(path: str, text: str) -> list[tuple[str, str]]:
    """(code, flagged text) of the template rules' findings."""
    data = text.encode()
    analysis = analyze_text(path, data)
    assert not analysis.errors, analysis.errors
    return [(f.code, data[f.span.start_byte : f.span.end_byte].decode()) for f in analysis.findings
            if f.code in ("RL138", "RL139", "RL140", "RL141")]


# ----------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "path,language_id,expected",
    [
        ("templates/base.html", None, "html"),
        ("page.htm", None, "html"),
        ("t/x.jinja", None, "jinja"),
        ("t/x.jinja2", None, "jinja"),
        ("nginx.conf.j2", None, "jinja"),
        ("t/x.djhtml", None, "jinja"),
        ("views/a.ejs", None, "ejs"),
        ("a.hbs", None, "handlebars"),
        ("a.handlebars", None, "handlebars"),
        ("a.mustache", None, "handlebars"),
        ("App.vue", None, "vue"),
        ("App.svelte", None, "svelte"),
        ("untitled", "jinja", "jinja"),
        ("x.html", "django-html", "jinja"),
        ("x.html", "jinja-html", "jinja"),
        ("x.html", "html", "html"),
        ("untitled", "handlebars", "handlebars"),
        ("untitled", "ejs", "ejs"),
        ("untitled", "vue", "vue"),
        ("untitled", "svelte", "svelte"),
    ],
)
def test_template_files_and_language_ids_are_detected(path, language_id, expected):
    assert langs.detect(path, language_id) == expected


def test_plain_html_is_lexed_only_when_it_has_template_syntax():
    engine = get("templates")
    assert engine is not None and not engine.slow and engine.default_on
    assert T.syntax_of("html", b"<p>static</p>") is None
    assert T.syntax_of("html", b"<p>{{ x }}</p>") == "jinja"
    assert T.syntax_of("html", b"{% if x %}{% endif %}") == "jinja"
    assert T.syntax_of("python", b"{{ x }}") is None
    assert found("index.html", '<script>var a = "x";</script><a href="/">x</a>') == []
    # .html with {{ }} that is not Jinja: Go html/template and Hugo escape by context themselves;
    # Angular and in-DOM Vue interpolate on the client (escaped text, sanitized URLs)
    assert found("page.html", '<a href="{{ .URL }}">{{ .Title }}</a>{{ end }}') == []
    assert found("page.html", '<div ng-app="app"><a href="{{ url }}">x</a></div>') == []
    assert found("page.html", '<li v-for="u in users"><a href="{{ u.url }}">x</a></li>') == []
    # but a .jinja file is Jinja whatever it holds
    assert found("page.jinja", '<li v-for="u in users"><a href="{{ u.url }}">x</a></li>') == [("RL141", "{{ u.url }}")]


# ----------------------------------------------------------------------------- lexers


def _spans(tokens, text):
    return [(t.kind, text[t.start : t.end].decode(), text[t.inner_start : t.inner_end].decode()) for t in tokens]


def test_jinja_lexer_ranges_comments_raw_and_whitespace_control():
    text = b"{# {{ no }} #}a{{- x|e -}}b{% if y %}{% raw %}{{ z }}{% endraw %}{{ w }}"
    assert _spans(T.lex_jinja(text), text) == [
        ("comment", "{# {{ no }} #}", "{{ no }}"),
        ("output", "{{- x|e -}}", "x|e"),
        ("tag", "{% if y %}", "if y"),
        ("tag", "{% raw %}", "raw"),
        ("output", "{{ w }}", "w"),
    ]


def test_handlebars_lexer_kinds():
    text = b"{{#each xs}}{{{ a }}}{{& b }}{{ c }}{{!-- {{{ d }}} --}}{{> p}}{{/each}}{{else}}"
    kinds = [(k, inner) for k, _whole, inner in _spans(T.lex_handlebars(text), text)]
    assert kinds == [
        ("tag", "#each xs"), ("raw", "a"), ("raw", "b"), ("output", "c"), ("comment", " {{{ d }}} "),
        ("tag", "> p"), ("tag", "/each"), ("tag", "else"),
    ]


def test_ejs_lexer_kinds():
    text = b"<% if (a) { %><%= b %><%- c -%><%# d %><%% literal %>"
    assert [(k, inner) for k, _w, inner in _spans(T.lex_ejs(text), text)] == [
        ("tag", "if (a) {"), ("output", "b"), ("raw", "c"), ("comment", "d"),
    ]


def test_svelte_lexer_skips_script_and_style_and_nests_braces():
    text = b"<script>let o = {a: {b: 1}};</script><style>p { color: red }</style>{fmt({a: '}'})}{@html x}{#if y}{/if}"
    assert [(k, inner) for k, _w, inner in _spans(T.lex_svelte(text), text)] == [
        ("output", "fmt({a: '}'})"), ("raw", "x"), ("tag", "#if y"), ("tag", "/if"),
    ]


def test_html_contexts_ignore_quotes_and_tags_inside_expressions():
    text = '<a title="{{ \'"><script>\' }}" href="{{ u }}">x</a>'
    assert found("t.jinja", text) == [("RL141", "{{ u }}")]


# ----------------------------------------------------------------------------- rules


def test_unescaped_output_in_each_syntax():
    assert found("a.jinja", "{{ x|safe }} {{ y | safeseq }} {{ z|upper }}") == [
        ("RL138", "{{ x|safe }}"), ("RL138", "{{ y | safeseq }}")]
    assert found("a.ejs", "<%- html %> <%- include('x', {a: 1}) %> <%- '<hr>' %>") == [("RL138", "<%- html %>")]
    assert found("a.hbs", "{{{ a }}}{{& b }}{{{ 'c' }}}") == [("RL138", "{{{ a }}}"), ("RL138", "{{& b }}")]
    assert found("A.vue", '<template><div v-html="msg"/><div v-html="\'<b>\'"/></template>') == [("RL138", "msg")]
    assert found("A.svelte", "{@html md(text)} {@html '<br>'}") == [("RL138", "{@html md(text)}")]


def test_autoescape_on_is_not_reported():
    assert found("a.djhtml", "{% autoescape on %}{{ x }}{% endautoescape %}") == []
    assert [c for c, _ in found("a.djhtml", "{% autoescape off %}{{ x }}{% endautoescape %}")] == ["RL138"]
    assert [c for c, _ in found("a.jinja", "{%- autoescape false -%}{% endautoescape %}")] == ["RL138"]


def test_script_rule_allows_json_encoders_and_skips_non_js_scripts():
    base = "<script>var a = {};</script>"
    assert found("a.jinja", base.format("{{ x|tojson }}")) == []
    assert found("a.djhtml", base.format("'{{ x|escapejs }}'")) == []
    assert found("a.ejs", base.format("<%= JSON.stringify(x) %>")) == []
    assert found("a.jinja", '<script type="application/json">{{ x }}</script>') == []
    assert found("a.jinja", '<script type="text/x-template"><p>{{ x }}</p></script>') == []
    assert found("a.jinja", base.format("{{ x }}")) == [("RL139", "{{ x }}")]
    # Vue and Svelte <script> blocks are component code, not template output.
    assert found("A.svelte", "<script>let a = 1;</script><p>{a}</p>") == []


def test_event_handler_and_unquoted_attribute():
    assert found("a.jinja", '<b onclick="f({{ x }})" data-x="{{ x }}">') == [("RL140", "{{ x }}")]
    assert found("a.jinja", "<b class={{ c }}>") == [("RL140", "{{ c }}")]
    assert found("a.jinja", '<b class="{{ c }}" title=\'{{ t }}\'>') == []
    # Svelte attributes take expressions without quotes: that is its syntax, not a risk.
    assert found("A.svelte", "<b title={t} on:click={go}>") == []


def test_url_attribute_only_at_the_start_of_the_value():
    assert found("a.jinja", '<a href="{{ u }}">') == [("RL141", "{{ u }}")]
    assert found("a.jinja", '<a href=" {{ u }}">') == [("RL141", "{{ u }}")]
    assert found("a.jinja", '<a href="https://x.test/{{ u }}">') == []
    assert found("a.jinja", '<form action="{{ url_for(\'login\') }}">') == []
    assert found("a.hbs", "<img src={{ u }}>") == [("RL140", "{{ u }}"), ("RL141", "{{ u }}")]
    # one line, several weaknesses: each rule has its own CWE, so none hides another
    line = '<a href="{{ u }}" onclick="f({{ x }})">{{ y|safe }}</a><script>g({{ z }})</script>'
    assert sorted(c for c, _ in found("a.jinja", line)) == ["RL138", "RL139", "RL140", "RL141"]
    assert found("A.vue", '<template><a :href="u">x</a><a v-bind:src="`/i/${id}`">y</a></template>') == [("RL141", "u")]


def test_comments_hide_template_code():
    # a Jinja comment is not rendered; an HTML comment is, but its text is no attribute
    assert found("a.jinja", "{# {{ x|safe }} #}<!-- <a href=\"{{ u }}\"> -->") == []
    assert found("a.hbs", "{{!-- {{{ x }}} --}}") == []


# ----------------------------------------------------------------------------- fixes


@pytest.mark.parametrize(
    "path,text,fixed",
    [
        ("a.jinja", "<p>{{ bio | safe }}</p>", "<p>{{ bio }}</p>"),
        ("a.jinja", "<p>{{ bio|safe|upper }}</p>", "<p>{{ bio|upper }}</p>"),
        ("a.ejs", "<p><%- bio %></p>", "<p><%= bio %></p>"),
        ("a.hbs", "<p>{{{ bio }}}</p>", "<p>{{ bio }}</p>"),
        ("a.mustache", "<p>{{& bio }}</p>", "<p>{{bio}}</p>"),
    ],
)
def test_quick_fix_escapes_the_output(path, text, fixed):
    data = text.encode()
    (finding,) = [f for f in analyze_text(path, data).findings if f.code == "RL138"]
    (fix,) = finding.fixes
    assert not fix.safe  # a value meant as HTML shows as text afterwards: a human decides
    out = data
    for e in sorted(fix.edits, key=lambda e: -e.span.start_byte):
        out = out[: e.span.start_byte] + e.new_text.encode() + out[e.span.end_byte :]
    assert out.decode() == fixed
    assert not [f for f in analyze_text(path, out).findings if f.code == "RL138"]


def test_no_fix_where_none_is_mechanical():
    for path, text in (("A.vue", '<template><p v-html="x"></p></template>'), ("A.svelte", "{@html x}"),
                       ("a.jinja", "{% autoescape false %}{% endautoescape %}")):
        (finding,) = [f for f in analyze_text(path, text.encode()).findings if f.code == "RL138"]
        assert finding.fixes == ()


def test_suppressions_in_template_comments():
    for text in ("{# redline: ignore[RL138] rendered markdown, sanitized #}\n{{ x|safe }}\n",
                 "<!-- redline: ignore[template-unescaped-output] sanitized -->\n{{ x|safe }}\n"):
        assert found("a.jinja", text) == []
    assert found("a.hbs", "{{! redline: ignore[RL138] sanitized }}\n{{{ x }}}\n") == []
    assert found("a.ejs", "<%# redline: ignore[RL138] sanitized %>\n<%- x %>\n") == []


def test_findings_carry_rule_data():
    (f,) = analyze_text("a.jinja", b'<a href="{{ u }}">').findings
    assert (f.code, f.name, f.engine, f.severity.value, f.confidence.value, f.cwe) == (
        "RL141", "template-variable-url-attribute", "templates", "warning", "low", (83,))
    assert "href attribute" in f.message and "{" not in f.message.split("tag")[0][-5:]


# ----------------------------------------------------------------------------- linear time


@pytest.mark.parametrize(
    "language,unit",
    [
        ("jinja", b"{{"), ("jinja", b"{%"), ("jinja", b"<a href={{x}} "), ("jinja", b"<script>{{x}}"),
        ("handlebars", b"{{{"), ("handlebars", b"{{!--"), ("handlebars", b"{{{{"), ("ejs", b"<%"),
        ("ejs", b"<%- x %><a b="), ("vue", b"<script"), ("vue", b'<a v-html="'), ("svelte", b"{"),
        ("svelte", b"{'"), ("svelte", b"<s"), ("html", b"<a b='{{x}}' "), ("html", b"<!--{{"),
    ],
)
def test_hostile_input_is_linear(language, unit):
    def cost(n):
        text = unit * n
        t = time.perf_counter()
        T.analyze(language, text)
        return time.perf_counter() - t

    small, big = cost(5_000), cost(40_000)
    # 8x the input: a quadratic scanner takes 64x; allow generous noise on a shared machine.
    assert big < max(small * 30, 0.5), (language, unit, small, big)


# ----------------------------------------------------------------------------- editor


async def test_template_diagnostic_and_quick_fix_in_the_editor(vscode, tmp_path):  # noqa: F811
    await initialize(vscode, "visual-studio-code", tmp_path)
    text = "<p>{{ comment.text|safe }}</p>\n"
    uri = open_doc(vscode, tmp_path / "comment.html", text, language_id="jinja-html")
    diags = [d for d in await diagnostics(vscode, uri, 1) if d.code == "RL138"]
    assert diags, "no RL138 diagnostic"
    d = diags[0]
    assert d.source == "redline"
    actions = await vscode.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    action = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix and not a.title.startswith("Suppress"))
    edits, _version = edits_of(action.edit, uri)
    fixed = apply_edits(text, edits)
    assert fixed == "<p>{{ comment.text }}</p>\n"
    change(vscode, uri, 2, fixed)
    assert "RL138" not in codes(await diagnostics(vscode, uri, 2))


@pytest.mark.parametrize("language_id", ["html", "django-html", "handlebars", "ejs", "vue", "svelte"])
async def test_each_template_language_id_reaches_the_engine(vscode, tmp_path, language_id):  # noqa: F811
    await initialize(vscode, "visual-studio-code", tmp_path)
    text = {"ejs": '<a href="<%= u %>">x</a>\n', "vue": '<template><a :href="u">x</a></template>\n',
            "svelte": "<a href={u}>x</a>\n"}.get(language_id, '<a href="{{ u }}">x</a>\n')
    uri = open_doc(vscode, tmp_path / "untitled-template", text, language_id=language_id)
    assert "RL141" in codes(await diagnostics(vscode, uri, 1))
