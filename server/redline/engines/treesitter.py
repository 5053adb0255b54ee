"""The tree-sitter rule engine as an Engine (fast; runs on every keystroke)."""

from __future__ import annotations

from redline import languages as langs
from redline.config import Config
from redline.documents.source import SourceFile
from redline.engines.base import PartialResult
from redline.findings import Finding
from redline.rules import engine as rule_engine
from redline.rules.registry import default_registry


def engine_limit(config: Config) -> int | None:
    """How many findings the engine collects in one file before it stops: a few times the
    number shown (`max-findings-per-file`), so the most severe are among them; None: no cap."""
    cap = config.max_findings_per_file
    return None if cap <= 0 else max(2 * cap, 100)


class TreeSitterEngine:
    name = "redline"
    slow = False
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        if file.tree is None and not langs.has_grammar(file.language):
            return False
        return bool(default_registry().query_rules(file.language))

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        if file.tree is None:  # the parse gave up (languages.parse_budget): say so, never silently
            raise PartialResult([], [(self.name, langs.PARSE_GAVE_UP)])
        result = rule_engine.scan(file, default_registry(), engine_limit(config))
        if result.errors:
            raise PartialResult(result.findings, result.errors)
        return result.findings


ENGINE = TreeSitterEngine()
