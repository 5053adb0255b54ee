"""Human-readable explanations of findings and rules (hover and `redline.showRule`); pure.

A rule's `docs` is written as: a first line saying what is found, paragraphs on why it matters,
and a paragraph starting with "Fix:". The hover shows the finding's own message first, then
why (with CWE links), the fix (the quick fix's title when there is one) and how to suppress.
"""

from __future__ import annotations

from redline import languages as langs
from redline.findings import Finding
from redline.lsp.convert import cwe_url
from redline.rules.model import Rule


def _paragraphs(docs: str) -> list[str]:
    return [" ".join(p.split()) for p in docs.strip().split("\n\n") if p.strip()]


def split_docs(docs: str) -> tuple[str, list[str], str | None]:
    """(what, why paragraphs, fix paragraph) of a rule's docs."""
    paras = _paragraphs(docs)
    if not paras:
        return "", [], None
    what, rest = paras[0], paras[1:]
    fix = None
    why = []
    for p in rest:
        if p.lower().startswith("fix:") and fix is None:
            fix = p[4:].strip()
        else:
            why.append(p)
    return what, why, fix


def cwe_links(cwe: tuple[int, ...], markdown: bool = True) -> str:
    if markdown:
        return ", ".join(f"[CWE-{n}]({cwe_url(n)})" for n in cwe)
    return ", ".join(f"CWE-{n} ({cwe_url(n)})" for n in cwe)


def suppression_examples(code: str, language: str | None) -> tuple[str, str]:
    spec = langs.LANGUAGES.get(language or "")
    prefix, suffix = "# ", ""
    if spec is not None:
        if spec.comment:
            prefix = spec.comment + " "
        elif spec.block_comment:
            prefix, suffix = spec.block_comment[0] + " ", " " + spec.block_comment[1]
    return (
        f"{prefix}redline: ignore[{code}] <reason>{suffix}",
        f"{prefix}redline: ignore-file[{code}] <reason>{suffix}",
    )


def hover_markdown(findings: list[Finding], rules: dict[str, Rule], language: str | None, markdown: bool = True) -> str:
    return "\n\n---\n\n".join(_one(f, rules.get(f.code), language, markdown) for f in findings)


def _one(f: Finding, rule: Rule | None, language: str | None, md: bool) -> str:
    b = (lambda s: f"**{s}**") if md else (lambda s: s)
    code = (lambda s: f"`{s}`") if md else (lambda s: s)
    lines = [f"{b(f'{f.code} {f.name}')} · {f.severity.value} · {f.confidence.value} confidence", "", f.message]
    what, why, fix_doc = split_docs(rule.docs) if rule else ("", [], None)
    if why or f.cwe:
        text = " ".join(why[:1]) if why else what
        lines += ["", f"{b('Why it matters:')} {text}".rstrip()]
        if f.cwe:
            lines.append(f"See {cwe_links(f.cwe, md)}.")
    fixes = [fx.title + (" (safe)" if fx.safe else "") for fx in f.fixes]
    if fixes or fix_doc:
        lines += ["", f"{b('Fix:')} " + ("Quick fix available: " + "; ".join(fixes) + ". " if fixes else "") + (fix_doc or "")]
    line_c, file_c = suppression_examples(f.code, language)
    lines += [
        "",
        f"{b('Suppress')} (when this is a false positive): add {code(line_c)} on this line or the line "
        f"before, or {code(file_c)} near the top of the file.",
    ]
    if rule is not None:
        lines += ["", _docs_link(rule, md)]
    return "\n".join(lines)


def rule_markdown(rule: Rule) -> str:
    what, why, fix = split_docs(rule.docs)
    parts = [
        f"# {rule.code} {rule.name}",
        "",
        f"Severity: {rule.severity.value} · confidence: {rule.confidence.value} · {cwe_links(rule.cwe)}",
        f"Languages: {', '.join(rule.languages) or rule.engine}",
        "",
        what,
    ]
    for p in why:
        parts += ["", p]
    if fix:
        parts += ["", f"**Fix:** {fix}"]
    line_c, file_c = suppression_examples(rule.code, rule.languages[0] if rule.languages else None)
    parts += ["", f"**Suppress:** `{line_c}` or `{file_c}`"]
    if rule.help_uri:
        parts += ["", f"[Documentation]({rule.help_uri})"]
    return "\n".join(parts)


def _docs_link(rule: Rule, md: bool) -> str:
    """The link to the rule's page, or the offline command when no docs URL is configured."""
    if rule.help_uri:
        return f"[Rule documentation]({rule.help_uri})" if md else f"Rule documentation: {rule.help_uri}"
    command = f"redline rules {rule.code}"
    return f"Rule documentation: `{command}`" if md else f"Rule documentation: {command}"
