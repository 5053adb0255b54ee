"""The templates engine (fast, every keystroke): Jinja2/Django, EJS, Handlebars/Mustache, Vue
and Svelte templates, lexed by redline.templates (no grammar), reported as the RL138-RL141
rules of rules/builtin/templates.toml."""

from __future__ import annotations

from redline import templates
from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding, Fix, TextEdit
from redline.rules.registry import default_registry
from redline.secrets.regex import linear

# What a template expression is made of decides the finding (issue 13, class I). A template does
# not say where its variables come from, but its expressions often do:
# - request data read in the template itself (`request.GET.next`, `request.args.url`,
#   `req.query.redirect`): the user controls it, so the finding is reported with high confidence;
# - a URL the server builds (`request.get_full_path`, `request.path`, `url_for(...)`,
#   `reverse(...)`), the site's configuration (`config.site_url`, `settings.X`) or a navigation
#   link the view computes (`next_url`, `page_link.url`, `breadcrumb_url`): it starts with `/`
#   or the site's own origin and cannot carry `javascript:` (RL141: not reported);
# - developer-written text marked safe on purpose (`field.help_text|safe`, `verbose_name`):
#   RL138 is not reported;
# - anything else: reported at the rule's confidence (low).
# On the real-code benchmark (59 releases) all 30 RL141 and 15 RL138 findings were of the
# second and third kinds (djangorestframework's browsable API, mkdocs themes).
REQUEST_DATA = linear(
    r"\b(request\.(GET|POST|REQUEST|COOKIES|args|form|values|cookies|query_params|query|params|data|json|headers|META)"
    r"|req\.(query|body|params|cookies|headers)|\$route\.(query|params)|searchParams)\b"
)
SERVER_URL = linear(
    r"^(request\.(get_full_path|path|path_info|full_path|url|base_url|url_root|host_url|script_root|build_absolute_uri|get_host)"
    r"|(url_for|url|reverse|reverse_lazy|static|asset|asset_url|path_for|uri_for|route)\s*\("
    r"|(config|settings|site|conf|theme|STATIC_URL|MEDIA_URL|SITE_URL|BASE_URL)\b)"
)
# Words of a dotted name that say the URL is a navigation link the view builds.
NAVIGATION = frozenset({
    "next", "previous", "prev", "first", "last", "page", "pages", "pagination", "paginator", "breadcrumb",
    "breadcrumbs", "back", "cancel", "login", "logout", "signup", "home", "base", "root", "canonical", "self",
    "current", "edit", "delete", "detail", "list", "admin", "action", "search", "feed", "rss", "static", "media",
})
URL_NAME = linear(r"(?i)(url|uri|link|href)$")
# Developer-written text that Django and similar frameworks let hold markup on purpose.
DEVELOPER_TEXT = frozenset({"help_text", "verbose_name", "verbose_name_plural", "label_tag", "label_suffix"})


def expression_of(text: bytes, start: int, end: int) -> str:
    """The expression of a template token or bound attribute, without delimiters, whitespace,
    filters after the first `|` (Jinja/Django) or the Svelte `@html` marker."""
    token = text[start:end].decode("utf-8", "replace").strip()
    if token[:1] not in ("{", "<") and '="' in token:  # Vue :href="expr"
        token = token.split('="', 1)[1].rsplit('"', 1)[0]
    expr = token.lstrip("{<%=-&@ \t\r\n~")
    if expr.startswith("html "):
        expr = expr[5:]
    expr = expr.rstrip("}%>-~ \t\r\n")
    if "||" not in expr and "|" in expr:
        expr = expr.split("|", 1)[0]
    return expr.strip()


def _words(expr: str) -> set[str]:
    """Lower-case runs of letters: `page_link.url` -> {page, link, url}."""
    return set("".join(c.lower() if c.isalpha() else " " for c in expr).split())


def _cut(expr: str, stops: str) -> tuple[str, str]:
    """(what comes before the first of `stops`, what comes after the last of them)."""
    first = min((i for i in (expr.find(c) for c in stops) if i != -1), default=len(expr))
    last = max(expr.rfind(c) for c in stops)
    return expr[:first], expr[last + 1:]


def judge(code: str, expr: str) -> Confidence | None:
    """The confidence of a template hit with expression `expr`: HIGH (request data), None (not
    reported), or the rule's own (returned as LOW)."""
    if code not in ("RL138", "RL141") or not expr:
        return Confidence.LOW
    if REQUEST_DATA.search(expr):
        return Confidence.HIGH
    if code == "RL141":
        if SERVER_URL.search(expr):
            return None
        head = _cut(expr, " \t\n(")[0]
        if URL_NAME.search(head) and NAVIGATION & _words(head):
            return None
    if code == "RL138":
        last = _cut(expr.rstrip(")]"), ".[ (")[1].strip("'\"")
        if last in DEVELOPER_TEXT:
            return None
    return Confidence.LOW


class _Args(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class TemplatesEngine:
    name = "templates"
    slow = False
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        return bool(file.text) and templates.syntax_of(file.language, file.text) is not None

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        by_code = default_registry().by_code
        out = []
        for hit in templates.analyze(file.language, file.text):
            rule = by_code.get(hit.code)
            if rule is None:
                continue
            judged = judge(hit.code, expression_of(file.text, hit.start, hit.end))
            if judged is None:
                continue
            message = rule.message_for(file.language)
            if hit.fields:  # messages without fields may show template braces as they are
                message = message.format_map(_Args(hit.fields))
            fixes: tuple[Fix, ...] = ()
            if hit.fix_title:
                fixes = (Fix(hit.fix_title, tuple(TextEdit(file.span(e.start, e.end), e.new_text) for e in hit.edits)),)
            out.append(Finding(
                code=rule.code,
                name=rule.name,
                message=message,
                severity=rule.severity,
                confidence=Confidence.HIGH if judged is Confidence.HIGH else rule.confidence_for(file.language),
                cwe=rule.cwe,
                span=file.span(hit.start, hit.end),
                engine=self.name,
                fixes=fixes,
            ))
        return out


ENGINE = TemplatesEngine()
