"""All rules, looked up by code, name and language, with one combined query per language.

Per language the queries of every tree-sitter rule are concatenated into one `Query` that is run
once per scan; each pattern index maps back to its rule (one query per rule measured 10x slower
on a 10k-line file).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import tree_sitter as ts

from redline import languages as langs
from redline.rules.model import Rule


@dataclass
class CompiledLanguage:
    query: ts.Query
    pattern_rules: list[Rule]  # pattern index -> rule


class Registry:
    def __init__(self, rules: list[Rule]):
        self.rules = sorted(rules, key=lambda r: r.code)
        self.by_code = {r.code: r for r in self.rules}
        self.by_name = {r.name: r for r in self.rules}
        self._compiled: dict[str, CompiledLanguage | None] = {}
        self._lock = threading.Lock()

    def get(self, code_or_name: str) -> Rule | None:
        key = code_or_name.strip()
        return self.by_code.get(key.upper()) or self.by_name.get(key.lower())

    def resolve(self, selector: str) -> list[Rule]:
        """Rules a selector (code, name or code prefix) stands for."""
        return [r for r in self.rules if r.matches_selector(selector)]

    @cached_property
    def _query_rules_by_language(self) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {}
        for r in self.rules:
            for lang, _query in r.queries:
                out.setdefault(lang, []).append(r)
        return out

    def query_rules(self, language: str) -> list[Rule]:
        return self._query_rules_by_language.get(language, [])

    def compiled(self, language: str) -> CompiledLanguage | None:
        """The combined query for `language`, compiled on first use; None when it has no rules."""
        if language in self._compiled:
            return self._compiled[language]
        with self._lock:
            if language in self._compiled:
                return self._compiled[language]
            rules = self.query_rules(language)
            result = None
            if rules:
                parts = [r.query_for(language).strip() for r in rules]
                grammar = langs.grammar(language)
                query = _compile(grammar, language, rules, parts)
                # Map each pattern of the combined query back to its rule by where it starts
                # (compiling each part again just to count its patterns doubled the cost).
                ends, offset = [], 0
                for text in parts:
                    offset += len(text.encode("utf-8"))
                    ends.append(offset)
                    offset += 2  # the "\n\n" between parts
                pattern_rules: list[Rule] = []
                k = 0
                for i in range(query.pattern_count):
                    start = query.start_byte_for_pattern(i)
                    while start >= ends[k]:
                        k += 1
                    pattern_rules.append(rules[k])
                result = CompiledLanguage(query, pattern_rules)
            self._compiled[language] = result
            return result


def _compile(grammar, language: str, rules: list[Rule], parts: list[str]) -> ts.Query:
    """The combined query; when it does not compile, a RuleError names the rule at fault."""
    try:
        return ts.Query(grammar, "\n\n".join(parts))
    except Exception:  # QueryError, NameError from bad node types
        from redline.rules.loader import RuleError

        for rule, text in zip(rules, parts):
            try:
                ts.Query(grammar, text)
            except Exception as e:
                files = ", ".join(dict.fromkeys(f for f in (rule.source_file, *rule.extended_in) if f))
                raise RuleError(files or "-", rule.code, f"query does not compile for {language}: {e}") from None
        raise


_default: Registry | None = None
_default_lock = threading.Lock()


def default_registry() -> Registry:
    """The built-in rules, loaded once per process."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from redline.rules.loader import load_builtin

                _default = Registry(load_builtin())
    return _default
