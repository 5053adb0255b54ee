"""docs/rules/RLnnn.md: one page per registered rule, generated from the rule data, committed,
and equal to what the generator renders now (so a rule change without `redline rules
--write-docs docs/rules` fails here); help links point at those pages; no placeholder URL remains."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from redline.lsp import explain
from redline.rules import docs as rule_docs
from redline.rules import model
from redline.rules.registry import default_registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "rules"


@pytest.fixture(scope="module")
def rules():
    return list(default_registry().rules)


def test_one_committed_page_per_rule_and_no_other(rules):
    assert {p.name for p in DOCS.glob("RL*.md")} == {f"{r.code}.md" for r in rules}
    assert (DOCS / rule_docs.INDEX).is_file()


def test_committed_pages_equal_the_generator_output(rules):
    stale = [name for name, text in rule_docs.pages(rules).items() if (DOCS / name).read_text("utf-8") != text]
    assert not stale, f"regenerate with `redline rules --write-docs docs/rules`: {stale[:10]}"


def test_a_page_carries_the_rule_data(rules):
    rule = next(r for r in rules if r.code == "RL101")
    page = (DOCS / "RL101.md").read_text("utf-8")
    assert page.startswith("# RL101 sql-injection\n")
    assert "| Severity | error |" in page and f"| Confidence | {rule.confidence.value} |" in page
    assert "[CWE-89](https://cwe.mitre.org/data/definitions/89.html)" in page
    assert ", ".join(rule.languages) in page
    assert rule.message in page
    first_docs_line = rule.docs.strip().splitlines()[0].strip()
    assert first_docs_line in page
    # every example the rule's tests check, flagged and not flagged, in its own code block
    flagged, clean = page.split("## Flagged", 1)[1].split("## Not flagged", 1)
    for ex in rule.invalid:
        assert ex.code.rstrip() in flagged
    for ex in rule.valid:
        assert ex.code.rstrip() in clean.split("## Suppress")[0]


def test_index_links_every_page(rules):
    index = (DOCS / rule_docs.INDEX).read_text("utf-8")
    assert set(re.findall(r"\]\((RL\d{3})\.md\)", index)) == {r.code for r in rules}


def test_write_docs_command_writes_updates_and_prunes(tmp_path, rules):
    out = tmp_path / "rules"
    r = subprocess.run([sys.executable, "-m", "redline", "rules", "--write-docs", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.glob("RL*.md")} == {f"{x.code}.md" for x in rules}
    assert (out / "RL102.md").read_text("utf-8") == rule_docs.render(next(x for x in rules if x.code == "RL102"))
    (out / "RL999.md").write_text("gone\n", "utf-8")
    (out / "RL101.md").write_text("edited by hand\n", "utf-8")
    changed, removed = rule_docs.write(rules, out)
    assert changed == ["RL101.md"] and removed == ["RL999.md"]
    assert rule_docs.write(rules, out) == ([], [])


def test_a_code_fence_survives_backticks_in_an_example():
    text = rule_docs._fence("a = ```x```", "python")
    assert text.startswith("````python\n") and text.endswith("\n````")


# ------------------------------------------------------------------------- help links


def test_no_help_link_is_made_up_without_a_configured_url(monkeypatch, rules):
    monkeypatch.delenv(model.ENV_DOCS_URL, raising=False)
    monkeypatch.setattr(model, "_metadata_docs_base", lambda: None)
    rule = rules[0]
    assert model.docs_base() is None and rule.help_uri is None
    assert "Documentation](" not in explain.rule_markdown(rule)
    assert explain._docs_link(rule, True) == f"Rule documentation: `redline rules {rule.code}`"
    from redline.report import sarif

    assert "helpUri" not in sarif.rule_descriptor(rule)


def test_help_links_point_at_the_pages_under_the_configured_url(monkeypatch, rules):
    monkeypatch.setenv(model.ENV_DOCS_URL, "https://git.example.org/sec/redline/blob/main/docs/rules")
    rule = next(r for r in rules if r.code == "RL112")
    assert rule.help_uri == "https://git.example.org/sec/redline/blob/main/docs/rules/RL112.md"
    assert (DOCS / rule.help_uri.rsplit("/", 1)[1]).is_file()
    monkeypatch.setenv(model.ENV_DOCS_URL, "file:///etc/passwd")  # only web URLs
    monkeypatch.setattr(model, "_metadata_docs_base", lambda: None)
    assert rule.help_uri is None


def test_the_project_urls_of_the_installed_package_are_the_default(monkeypatch):
    monkeypatch.delenv(model.ENV_DOCS_URL, raising=False)
    import importlib.metadata as md

    class Meta:
        def __init__(self, urls):
            self.urls = urls

        def get_all(self, key):
            return self.urls if key == "Project-URL" else None

    for urls, want in [
        (["Repository, https://git.example.org/sec/redline.git"], "https://git.example.org/sec/redline/blob/HEAD/docs/rules/"),
        (["Source, https://git.example.org/sec/redline", "Rule documentation, https://docs.example.org/rules/"], "https://docs.example.org/rules/"),
        ([], None),
    ]:
        monkeypatch.setattr(md, "metadata", lambda name, urls=urls: Meta(urls))
        model._metadata_docs_base.cache_clear()
        assert model.docs_base() == want
    model._metadata_docs_base.cache_clear()


PLACEHOLDERS = re.compile(r"redline\.dev\b|redline-dev/redline|github\.com/redline-dev")


def test_no_placeholder_domain_or_repository_url_remains():
    roots = [ROOT / "server", ROOT / "vscode-client", ROOT / "docs", ROOT / "README.md"]
    hits = []
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            parts = path.relative_to(ROOT).parts
            if "node_modules" in parts or "__pycache__" in parts or path.suffix in (".vsix", ".rldb", ".png", ".pyc"):
                continue
            try:
                text = path.read_text("utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            hits += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in PLACEHOLDERS.finditer(text)]
    assert not hits, hits
