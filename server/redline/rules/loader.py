"""Load and validate rule files (TOML, one per language or domain).

A rule file holds `[[rule]]` tables:

    [[rule]]
    code = "RL101"
    name = "sql-injection"
    languages = ["python"]
    message = "SQL built with {how} reaches {sink}(): ... Pass the values as parameters instead."
    cwe = [89]
    severity = "error"          # error | warning | info | hint
    confidence = "high"         # high | medium | low
    query = '''(call ...) @match'''   # or one per language: [rule.query] python = ...
    predicate = "python.sql_dynamic"   # optional, see rules/predicates; or a table per language
    fix = "python.sql_parameterize"    # optional; or a table per language
    bandit = ["B608"]                  # optional
    docs = '''What, why, the fix.'''
    valid = ["cur.execute('SELECT 1')"]
    invalid = ["cur.execute(f'SELECT {x}')", { path = "app.py", code = "..." }]

Any problem raises RuleError naming the file, the rule and the reason.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import tree_sitter as ts

from redline import languages as langs
from redline.findings import Confidence, Severity
from redline.rules.model import Example, Rule
from redline.rules.predicates import FIXES, PREDICATES, load_all

CODE_RE = re.compile(r"^RL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
KNOWN_KEYS = {
    "code", "name", "languages", "message", "cwe", "severity", "confidence", "docs", "valid",
    "invalid", "engine", "query", "predicate", "fix", "bandit", "tags",
}
REQUIRED = ("code", "name", "languages", "message", "cwe", "severity", "confidence", "docs")


class RuleError(ValueError):
    def __init__(self, file: str, rule: str, reason: str):
        super().__init__(f"{file}: rule {rule}: {reason}")
        self.file, self.rule, self.reason = file, rule, reason


def _examples(file: str, rid: str, key: str, raw) -> tuple[Example, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleError(file, rid, f"'{key}' must be a list of snippets")
    out = []
    for item in raw:
        if isinstance(item, str):
            out.append(Example(item))
        elif isinstance(item, dict) and isinstance(item.get("code"), str):
            extra = set(item) - {"code", "path"}
            if extra:
                raise RuleError(file, rid, f"'{key}' example has unknown keys {sorted(extra)}")
            out.append(Example(item["code"], item.get("path")))
        else:
            raise RuleError(file, rid, f"'{key}' items must be strings or {{code, path}} tables")
    return tuple(out)


def _per_language(file: str, rid: str, key: str, raw, languages: list[str]) -> tuple[tuple[str, str], ...]:
    """A string applies to every language of the rule; a table gives one value per language."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple((lang, raw) for lang in languages)
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        extra = sorted(set(raw) - set(languages))
        if extra:
            raise RuleError(file, rid, f"'{key}' names languages the rule does not list: {extra}")
        return tuple((lang, raw[lang]) for lang in languages if lang in raw)
    raise RuleError(file, rid, f"'{key}' must be a string or a table of strings per language")


def parse_rule(raw: dict, file: str) -> Rule:
    rid = str(raw.get("code") or raw.get("name") or "<no code>")
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise RuleError(file, rid, f"unknown keys {sorted(unknown)}")
    for key in REQUIRED:
        if key not in raw:
            raise RuleError(file, rid, f"missing '{key}'")
    code, name = raw["code"], raw["name"]
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise RuleError(file, rid, f"code {code!r} is not RL followed by three digits")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise RuleError(file, rid, f"name {name!r} is not kebab-case")
    languages = raw["languages"]
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        raise RuleError(file, rid, "'languages' must be a non-empty list of language names")
    for lang in languages:
        if lang not in langs.LANGUAGES:
            raise RuleError(file, rid, f"unknown language {lang!r}")
    cwe = raw["cwe"]
    if not isinstance(cwe, list) or not cwe or not all(isinstance(c, int) and c > 0 for c in cwe):
        raise RuleError(file, rid, "'cwe' must be a non-empty list of CWE numbers")
    try:
        severity = Severity.parse(raw["severity"])
        confidence = Confidence.parse(raw["confidence"])
    except (ValueError, AttributeError) as e:
        raise RuleError(file, rid, str(e)) from None
    for key in ("message", "docs"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise RuleError(file, rid, f"'{key}' must be a non-empty string")
    engine = raw.get("engine", "redline")
    queries = _per_language(file, rid, "query", raw.get("query"), languages)
    predicates = _per_language(file, rid, "predicate", raw.get("predicate"), languages)
    fixes = _per_language(file, rid, "fix", raw.get("fix"), languages)
    if engine == "redline" and set(dict(queries)) != set(languages):
        missing = sorted(set(languages) - set(dict(queries)))
        raise RuleError(file, rid, f"a rule of the tree-sitter engine needs a 'query' for {missing}")
    if queries and engine != "redline":
        raise RuleError(file, rid, f"'query' is only for the tree-sitter engine, not {engine!r}")
    for lang, query in queries:
        if not langs.has_grammar(lang):
            raise RuleError(file, rid, f"language {lang!r} has no grammar for a query")
        try:
            q = ts.Query(langs.grammar(lang), query)
        except Exception as e:  # QueryError, NameError from bad node types
            raise RuleError(file, rid, f"query does not compile for {lang}: {e}") from None
        names = {q.capture_name(i) for i in range(q.capture_count)}
        if "match" not in names:
            raise RuleError(file, rid, f"query for {lang} has no @match capture")
    for key, table, refs in (("predicate", PREDICATES, predicates), ("fix", FIXES, fixes)):
        for lang, ref in refs:
            if ref not in table:
                raise RuleError(file, rid, f"{key} {ref!r} is not registered")
    valid = _examples(file, rid, "valid", raw.get("valid"))
    invalid = _examples(file, rid, "invalid", raw.get("invalid"))
    if not valid or not invalid:
        raise RuleError(file, rid, "needs at least one 'valid' and one 'invalid' example")
    bandit = raw.get("bandit", [])
    tags = raw.get("tags", [])
    for key, val in (("bandit", bandit), ("tags", tags)):
        if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
            raise RuleError(file, rid, f"'{key}' must be a list of strings")
    return Rule(
        code=code,
        name=name,
        languages=tuple(languages),
        message=raw["message"].strip(),
        cwe=tuple(cwe),
        severity=severity,
        confidence=confidence,
        docs=raw["docs"].strip(),
        valid=valid,
        invalid=invalid,
        engine=engine,
        queries=queries,
        predicates=predicates,
        fixes=fixes,
        bandit=tuple(bandit),
        tags=tuple(tags),
        source_file=file,
    )


def load_file(path: Path | str, text: str | None = None) -> list[Rule]:
    file = str(path)
    try:
        data = tomllib.loads(text if text is not None else Path(path).read_text("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RuleError(file, "-", f"not valid TOML: {e}") from None
    rules = data.get("rule", [])
    extra = set(data) - {"rule"}
    if extra:
        raise RuleError(file, "-", f"unknown top-level keys {sorted(extra)}")
    if not isinstance(rules, list):
        raise RuleError(file, "-", "'rule' must be an array of tables ([[rule]])")
    return [parse_rule(r, file) for r in rules]


def check_unique(rules: list[Rule]) -> None:
    codes: dict[str, Rule] = {}
    names: dict[str, Rule] = {}
    for r in rules:
        if r.code in codes:
            raise RuleError(r.source_file, r.code, f"code also used in {codes[r.code].source_file}")
        if r.name in names:
            raise RuleError(r.source_file, r.code, f"name {r.name!r} also used by {names[r.name].code}")
        codes[r.code] = r
        names[r.name] = r


def builtin_rule_files() -> list[Path]:
    root = resources.files("redline.rules") / "builtin"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


def load_builtin() -> list[Rule]:
    load_all()
    rules: list[Rule] = []
    for path in builtin_rule_files():
        rules.extend(load_file(path))
    check_unique(rules)
    return sorted(rules, key=lambda r: r.code)
