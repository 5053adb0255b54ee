"""All rules, looked up by code, name and language, with one combined query per language.

Per language the queries of every tree-sitter rule are concatenated into one `Query` that is run
once per scan; each pattern index maps back to its rule (one query per rule measured 10x slower
on a 10k-line file).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property

import tree_sitter as ts

from redline import languages as langs
from redline.rules.model import Rule, successor


@dataclass
class CompiledLanguage:
    query: ts.Query
    pattern_rules: list[Rule]  # pattern index -> rule
    # pattern index -> (capture name, {capture text: rules}) for patterns shared by several rules
    dispatch: dict[int, tuple[str, dict[str, tuple[Rule, ...]]]] = field(default_factory=dict)

    def rules_for(self, pattern_index: int, captures: dict) -> tuple[Rule, ...]:
        shared = self.dispatch.get(pattern_index)
        if shared is None:
            return (self.pattern_rules[pattern_index],)
        if not shared[0]:  # the same pattern in several rules: all of them
            return shared[1][""]
        nodes = captures.get(shared[0])
        if not nodes:
            return ()
        return shared[1].get(nodes[0].text.decode("utf-8", "replace"), ())


class Registry:
    def __init__(self, rules: list[Rule]):
        self.rules = sorted(rules, key=lambda r: r.code)
        self.by_code = {r.code: r for r in self.rules}
        self.by_name = {r.name: r for r in self.rules}
        self._compiled: dict[str, CompiledLanguage | None] = {}
        self._lock = threading.Lock()

    def get(self, code_or_name: str) -> Rule | None:
        key = successor(code_or_name)
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
                # Rules loaded from the user's rule cache have not imported their predicates.
                from redline.rules.loader import ensure_predicates

                ensure_predicates({n for r in rules for n in (r.predicate_for(language), r.fix_for(language))})
                parts = [r.query_for(language).strip() for r in rules]
                grammar = langs.grammar(language)
                merged = _merge_name_patterns(grammar, rules, parts)
                if merged is not None:
                    self._compiled[language] = merged
                    return merged
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


_ANY_OF = re.compile(r'\(#any-of\?\s+@([\w.-]+)((?:\s+"(?:[^"\\]|\\.)*")+)\s*\)')
_WORD = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _split_patterns(text: str) -> list[str]:
    """The top-level patterns of a query (balanced groups with their captures/quantifiers)."""
    out, depth, start, i, n = [], 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == ";":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "([":
            if depth == 0:
                start = i
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                m = re.match(r"(?:\s*(?:@[\w.-]+|[?*+]))*", text[i + 1 :])
                out.append(text[start : i + 1 + m.end()])
                i += 1 + m.end()
                continue
        i += 1
    return out


def _merge_name_patterns(grammar, rules: list[Rule], parts: list[str]) -> CompiledLanguage | None:
    """One pattern for all rules whose patterns differ only in an `#any-of?` list of names.

    Tree-sitter's cost grows with the number of patterns that can start at a node: forty rules
    anchored on `(call function: ... @fn (#any-of? @fn ...))` each re-match every call. Merged,
    the call is matched once with the union of the names and handed to the rules whose own
    list holds the captured name. Returns None (no merging) when nothing can be shared or the
    result does not compile to the expected patterns.
    """
    groups: dict[str, list[tuple[Rule, str, list[str]]]] = {}
    order: list[tuple[str, object]] = []  # ("plain", (rule, text)) | ("group", skeleton)
    for rule, part in zip(rules, parts):
        for pattern in _split_patterns(part):
            found = _ANY_OF.findall(pattern)
            if len(found) == 1:
                capture, words = found[0]
                skeleton = " ".join(_ANY_OF.sub("(#any-of? @%s \x00)" % capture, pattern).split())
                if skeleton not in groups:
                    groups[skeleton] = []
                    order.append(("group", skeleton))
                groups[skeleton].append((rule, capture, [_unescape(w) for w in _WORD.findall(words)]))
            else:
                key = "\x01" + " ".join(pattern.split())  # identical patterns are shared too
                if key not in groups:
                    groups[key] = []
                    order.append(("group", key))
                groups[key].append((rule, "", [""]))
    if all(len(v) < 2 for v in groups.values()):
        return None
    texts: list[str] = []
    owners: list[Rule] = []
    dispatch: dict[int, tuple[str, dict[str, tuple[Rule, ...]]]] = {}
    for kind, item in order:
        if kind == "plain":
            rule, pattern = item
            texts.append(pattern)
            owners.append(rule)
            continue
        members = groups[item]
        if item.startswith("\x01"):
            texts.append(item[1:])
            owners.append(members[0][0])
            if len(members) > 1:
                dispatch[len(texts) - 1] = ("", {"": tuple(dict.fromkeys(m[0] for m in members))})
            continue
        if len(members) == 1:
            rule, capture, words = members[0]
            texts.append(item.replace("\x00", " ".join(_quote(w) for w in words)))
            owners.append(rule)
            continue
        table: dict[str, tuple[Rule, ...]] = {}
        for rule, capture, words in members:
            for w in dict.fromkeys(words):
                if rule not in table.get(w, ()):
                    table[w] = table.get(w, ()) + (rule,)
        dispatch[len(texts)] = (members[0][1], table)
        texts.append(item.replace("\x00", " ".join(_quote(w) for w in table)))
        owners.append(members[0][0])
    try:
        query = ts.Query(grammar, "\n\n".join(texts))
    except Exception:
        return None
    if query.pattern_count != len(texts):
        return None
    return CompiledLanguage(query, owners, dispatch)


def _unescape(word: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(m.group(1), m.group(1)), word)


def _quote(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


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
