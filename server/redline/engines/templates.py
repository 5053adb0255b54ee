"""The templates engine (fast, every keystroke): Jinja2/Django, EJS, Handlebars/Mustache, Vue
and Svelte templates, lexed by redline.templates (no grammar), reported as the RL138-RL141
rules of rules/builtin/templates.toml."""

from __future__ import annotations

from redline import templates
from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Finding, Fix, TextEdit
from redline.rules.registry import default_registry


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
                confidence=rule.confidence_for(file.language),
                cwe=rule.cwe,
                span=file.span(hit.start, hit.end),
                engine=self.name,
                fixes=fixes,
            ))
        return out


ENGINE = TemplatesEngine()
