"""The rule documentation pages, `docs/rules/RLnnn.md`, generated from the rule data.

One page per registered rule: code, name, severity, confidence, CWE links, languages, the
messages, the long description the TOML carries (`docs`) and the examples the rule's tests check
(`invalid`: flagged, `valid`: not flagged). `redline rules --write-docs docs/rules` writes them;
tests/test_rule_docs.py fails when a committed page differs from what this module renders, so the
pages cannot go stale. Pure functions; the output depends on the rule data only.

Where a rule's help link points (SARIF `helpUri`, the editor's `codeDescription.href`) is
`rules.model.docs_base()`: nothing is published by default, so offline the documentation is
`redline rules RL101` and the editor's "Redline: Show Rule Documentation".
"""

from __future__ import annotations

import re
from pathlib import Path

from redline.rules.model import Example, Rule

# Fence languages for the examples, by rule language.
_FENCE = {
    "python": "python",
    "javascript": "javascript",
    "typescript": "typescript",
    "tsx": "tsx",
    "jsx": "jsx",
    "go": "go",
    "java": "java",
    "terraform": "hcl",
    "hcl": "hcl",
    "yaml": "yaml",
    "json": "json",
    "toml": "toml",
    "dockerfile": "dockerfile",
    "bash": "sh",
    "shell": "sh",
    "xml": "xml",
}
INDEX = "README.md"


def cwe_url(n: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{n}.html"


def _fence(code: str, lang: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{code.rstrip()}\n{ticks}"


def _example(rule: Rule, ex: Example) -> str:
    lang = ex.language or (rule.languages[0] if rule.languages else "")
    label = f"`{ex.path}`" if ex.path else (lang or "text")
    return f"{label}:\n\n{_fence(ex.code, _FENCE.get(lang, ''))}"


def _docs_text(docs: str) -> str:
    """The TOML's long description, paragraphs kept, lines inside a paragraph joined."""
    paras = []
    for p in docs.strip().split("\n\n"):
        if not p.strip():
            continue
        lines = p.strip("\n").splitlines()
        # Keep indented or list-like blocks as they are; join plain wrapped lines.
        if any(line.startswith(("  ", "\t", "- ", "* ", "|")) for line in lines):
            paras.append("\n".join(line.rstrip() for line in lines))
        else:
            paras.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(paras)


def render(rule: Rule) -> str:
    """The Markdown page of one rule."""
    cwe = ", ".join(f"[CWE-{n}]({cwe_url(n)})" for n in rule.cwe) or "none"
    rows = [
        ("Code", f"`{rule.code}`"),
        ("Name", f"`{rule.name}`"),
        ("Severity", rule.severity.value),
        ("Confidence", rule.confidence.value),
        ("CWE", cwe),
        ("Languages and files", ", ".join(rule.languages) or "—"),
        ("Engine", rule.engine),
    ]
    per_lang_conf = [(lang, c.value) for lang, c in rule.confidences if c != rule.confidence]
    if per_lang_conf:
        rows.append(("Confidence per language", ", ".join(f"{lang}: {c}" for lang, c in per_lang_conf)))
    if rule.bandit:
        rows.append(("bandit ids", ", ".join(f"`{b}`" for b in rule.bandit)))
    if rule.tags:
        rows.append(("Tags", ", ".join(rule.tags)))
    out = [
        f"# {rule.code} {rule.name}",
        "",
        "<!-- Generated from the rule data by `redline rules --write-docs docs/rules`; do not edit. -->",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows),
        "",
        _docs_text(rule.docs),
        "",
        "## Message",
        "",
    ]
    messages = [("", rule.message)] + [(lang, m) for lang, m in rule.messages if m != rule.message]
    if len(messages) == 1:
        out += [f"> {rule.message}", ""]
    else:
        for lang, m in messages:
            out += [f"- {lang or 'default'}: {m}"]
        out.append("")
    if rule.invalid:
        out += ["## Flagged", ""]
        for ex in rule.invalid:
            out += [_example(rule, ex), ""]
    if rule.valid:
        out += ["## Not flagged", ""]
        for ex in rule.valid:
            out += [_example(rule, ex), ""]
    out += [
        "## Suppress",
        "",
        f"On the line or the line before: `redline: ignore[{rule.code}] <reason>` in a comment; for a "
        f"whole file: `redline: ignore-file[{rule.code}] <reason>` near the top; in configuration: "
        f'`ignore = ["{rule.code}"]`.'
        + (f" bandit's `# nosec {rule.bandit[0]}` works too." if rule.bandit else ""),
        "",
    ]
    return "\n".join(out)


def render_index(rules: list[Rule]) -> str:
    lines = [
        "# Redline rules",
        "",
        "<!-- Generated from the rule data by `redline rules --write-docs docs/rules`; do not edit. -->",
        "",
        f"{len(rules)} rules. `redline rules CODE` prints the same documentation offline.",
        "",
        "| code | name | severity | CWE | languages and files |",
        "|---|---|---|---|---|",
    ]
    for r in rules:
        cwe = ", ".join(f"CWE-{n}" for n in r.cwe)
        lines.append(f"| [{r.code}]({r.code}.md) | {r.name} | {r.severity.value} | {cwe} | {', '.join(r.languages)} |")
    return "\n".join(lines) + "\n"


def pages(rules: list[Rule]) -> dict[str, str]:
    """File name -> content for every page, the index included."""
    out = {f"{r.code}.md": render(r) for r in rules}
    out[INDEX] = render_index(rules)
    return out


def write(rules: list[Rule], folder: Path) -> tuple[list[str], list[str]]:
    """Write the pages into `folder`; remove pages of rules that no longer exist.
    (written or changed file names, removed file names)."""
    folder.mkdir(parents=True, exist_ok=True)
    want = pages(rules)
    changed = []
    for name, text in want.items():
        path = folder / name
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            changed.append(name)
    removed = []
    for path in sorted(folder.glob("RL*.md")):
        if path.name not in want:
            path.unlink()
            removed.append(path.name)
    return changed, removed
