"""Load and validate rule files (TOML, one per language or domain).

A rule is defined once, in a `[[rule]]` table, and may be extended to more languages by
`[[extend]]` tables in other files, so that each language's queries live in that language's file:

    # families.toml: what the rule is, whatever the language
    [[rule]]
    code = "RL101"
    name = "sql-injection"
    cwe = [89]
    severity = "error"          # error | warning | info | hint
    confidence = "medium"       # high | medium | low
    message = "SQL built with {how} reaches {sink}() ... Use placeholders ..."
    docs = '''What, why, the fix.'''
    languages = []              # filled by [[extend]] tables, or listed here with queries

    # python.toml: how to find it in Python
    [[extend]]
    code = "RL101"
    languages = ["python"]
    query = '''(call ...) @match'''     # must capture @match, the reported node
    predicate = "python.dynamic_sql"     # optional, see rules/predicates
    fix = "python.sql_parameterize"      # optional
    message = "..."                      # optional: a message for these languages
    confidence = "high"                  # optional: the default confidence for these languages
    bandit = ["B608"]                    # optional: bandit ids covered, for `# nosec B608`
    valid = ["cur.execute('SELECT 1')"]
    invalid = ["cur.execute(f'SELECT {x}')", { path = "app.py", code = "..." }]

A `[[rule]]` may also carry `languages`, `query`, `predicate`, `fix` (each a string, or a table
per language) and examples itself. Rules of other engines (`engine = "secrets"`, ...) have no
query. After all files are merged every rule must have a language, a query for each language
(tree-sitter rules), and at least one valid and one invalid example. Any problem raises
RuleError naming the file, the rule and the reason.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import tree_sitter as ts

from redline import languages as langs
from redline.findings import Confidence, Severity
from redline.rules.model import Example, Rule
from redline.rules.predicates import FIXES, PREDICATES, load_all

CODE_RE = re.compile(r"^RL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RULE_KEYS = {
    "code", "name", "languages", "message", "cwe", "severity", "confidence", "docs", "valid",
    "invalid", "engine", "query", "predicate", "fix", "bandit", "tags", "roles",
}
EXTEND_KEYS = {"code", "languages", "query", "predicate", "fix", "message", "confidence", "bandit", "valid", "invalid"}
REQUIRED = ("code", "name", "languages", "message", "cwe", "severity", "confidence", "docs")


class RuleError(ValueError):
    def __init__(self, file: str, rule: str, reason: str):
        super().__init__(f"{file}: rule {rule}: {reason}")
        self.file, self.rule, self.reason = file, rule, reason


def _examples(
    file: str, rid: str, key: str, raw, language: str | None, languages: list[str] | None = None
) -> tuple[Example, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleError(file, rid, f"'{key}' must be a list of snippets")
    out = []
    for item in raw:
        if isinstance(item, str):
            out.append(Example(item, None, language))
        elif isinstance(item, dict) and isinstance(item.get("code"), str):
            extra = set(item) - {"code", "path"}
            if extra:
                raise RuleError(file, rid, f"'{key}' example has unknown keys {sorted(extra)}")
            # An example with a path of another listed language (app.ts, view.tsx) belongs to it.
            by_path = langs.from_path(item["path"]) if isinstance(item.get("path"), str) else None
            out.append(Example(item["code"], item.get("path"), by_path if by_path in (languages or ()) else language))
        else:
            raise RuleError(file, rid, f"'{key}' items must be strings or {{code, path}} tables")
    return tuple(out)


def _per_language(file: str, rid: str, key: str, raw, languages: list[str]) -> tuple[tuple[str, str], ...]:
    """A string applies to every language listed; a table gives one value per language."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple((lang, raw) for lang in languages)
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        extra = sorted(set(raw) - set(languages))
        if extra:
            raise RuleError(file, rid, f"'{key}' names languages not listed in 'languages': {extra}")
        return tuple((lang, raw[lang]) for lang in languages if lang in raw)
    raise RuleError(file, rid, f"'{key}' must be a string or a table of strings per language")


def _languages(file: str, rid: str, raw, allow_empty: bool) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw) or (not raw and not allow_empty):
        raise RuleError(file, rid, "'languages' must be a list of language names")
    for lang in raw:
        if lang not in langs.LANGUAGES:
            raise RuleError(file, rid, f"unknown language {lang!r}")
    return list(raw)


def _str_list(file: str, rid: str, key: str, raw) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise RuleError(file, rid, f"'{key}' must be a list of strings")
    return tuple(raw)


def _check_query(file: str, rid: str, lang: str, query: str, compile_query: bool = True) -> None:
    """The query compiles for `lang` and captures @match. Without `compile_query` only the cheap
    checks run; the registry compiles the query when the language is first used (and raises a
    RuleError naming the rule if it does not compile)."""
    if not langs.has_grammar(lang):
        raise RuleError(file, rid, f"language {lang!r} has no grammar for a query")
    if not compile_query:
        if "@match" not in query:
            raise RuleError(file, rid, f"query for {lang} has no @match capture")
        return
    try:
        q = ts.Query(langs.grammar(lang), query)
    except Exception as e:  # QueryError, NameError from bad node types
        raise RuleError(file, rid, f"query does not compile for {lang}: {e}") from None
    names = {q.capture_name(i) for i in range(q.capture_count)}
    if "match" not in names:
        raise RuleError(file, rid, f"query for {lang} has no @match capture")


def _check_refs(file: str, rid: str, predicates, fixes) -> None:
    for key, table, refs in (("predicate", PREDICATES, predicates), ("fix", FIXES, fixes)):
        for _lang, ref in refs:
            if ref not in table:
                raise RuleError(file, rid, f"{key} {ref!r} is not registered")


def parse_rule(raw: dict, file: str, check_queries: bool = True) -> Rule:
    rid = str(raw.get("code") or raw.get("name") or "<no code>")
    unknown = set(raw) - RULE_KEYS
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
    languages = _languages(file, rid, raw["languages"], allow_empty=True)
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
    if not isinstance(engine, str):
        raise RuleError(file, rid, "'engine' must be a string")
    queries = _per_language(file, rid, "query", raw.get("query"), languages)
    if queries and engine != "redline":
        raise RuleError(file, rid, f"'query' is only for the tree-sitter engine, not {engine!r}")
    for lang, query in queries:
        _check_query(file, rid, lang, query, check_queries)
    predicates = _per_language(file, rid, "predicate", raw.get("predicate"), languages)
    fixes = _per_language(file, rid, "fix", raw.get("fix"), languages)
    _check_refs(file, rid, predicates, fixes)
    first = languages[0] if languages else None
    return Rule(
        code=code,
        name=name,
        languages=tuple(languages),
        message=raw["message"].strip(),
        cwe=tuple(cwe),
        severity=severity,
        confidence=confidence,
        docs=raw["docs"].strip(),
        valid=_examples(file, rid, "valid", raw.get("valid"), first, languages),
        invalid=_examples(file, rid, "invalid", raw.get("invalid"), first, languages),
        engine=engine,
        queries=queries,
        predicates=predicates,
        fixes=fixes,
        bandit=_str_list(file, rid, "bandit", raw.get("bandit")),
        tags=_str_list(file, rid, "tags", raw.get("tags")),
        roles=_roles(file, rid, raw.get("roles")),
        source_file=file,
    )


def _roles(file: str, rid: str, raw) -> tuple[str, ...] | None:
    """The optional `roles = ["production", "test"]`: where the rule reports (roles.py)."""
    if raw is None:
        return None
    from redline.roles import ROLES

    items = _str_list(file, rid, "roles", raw)
    unknown = [r for r in items if r not in ROLES]
    if unknown:
        raise RuleError(file, rid, f"unknown role(s) {unknown} in 'roles'; known: {', '.join(ROLES)}")
    return items


def apply_extend(rule: Rule, raw: dict, file: str, check_queries: bool = True) -> Rule:
    """`rule` with the languages, queries and examples of one [[extend]] table added."""
    rid = rule.code
    unknown = set(raw) - EXTEND_KEYS
    if unknown:
        raise RuleError(file, rid, f"unknown keys in [[extend]] {sorted(unknown)}")
    languages = _languages(file, rid, raw.get("languages"), allow_empty=False)
    again = sorted(set(languages) & set(rule.languages))
    if again:
        raise RuleError(file, rid, f"languages {again} are already defined for this rule")
    if rule.engine != "redline" and "query" in raw:
        raise RuleError(file, rid, f"'query' is only for the tree-sitter engine, not {rule.engine!r}")
    queries = _per_language(file, rid, "query", raw.get("query"), languages)
    for lang, query in queries:
        _check_query(file, rid, lang, query, check_queries)
    predicates = _per_language(file, rid, "predicate", raw.get("predicate"), languages)
    fixes = _per_language(file, rid, "fix", raw.get("fix"), languages)
    _check_refs(file, rid, predicates, fixes)
    messages = rule.messages
    if "message" in raw:
        if not isinstance(raw["message"], str) or not raw["message"].strip():
            raise RuleError(file, rid, "'message' must be a non-empty string")
        messages += tuple((lang, raw["message"].strip()) for lang in languages)
    confidences = rule.confidences
    if "confidence" in raw:
        try:
            conf = Confidence.parse(raw["confidence"])
        except (ValueError, AttributeError) as e:
            raise RuleError(file, rid, str(e)) from None
        confidences += tuple((lang, conf) for lang in languages)
    first = languages[0]
    return replace(
        rule,
        languages=rule.languages + tuple(languages),
        queries=rule.queries + queries,
        predicates=rule.predicates + predicates,
        fixes=rule.fixes + fixes,
        messages=messages,
        confidences=confidences,
        bandit=rule.bandit + tuple(b for b in _str_list(file, rid, "bandit", raw.get("bandit")) if b not in rule.bandit),
        valid=rule.valid + _examples(file, rid, "valid", raw.get("valid"), first, languages),
        invalid=rule.invalid + _examples(file, rid, "invalid", raw.get("invalid"), first, languages),
        extended_in=rule.extended_in + (file,),
    )


def load_file(path: Path | str, text: str | None = None, check_queries: bool = True) -> tuple[list[Rule], list[dict]]:
    """The rules a file defines and its [[extend]] tables (raw, with `_file` set)."""
    file = str(path)
    try:
        data = tomllib.loads(text if text is not None else Path(path).read_text("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RuleError(file, "-", f"not valid TOML: {e}") from None
    extra = set(data) - {"rule", "extend"}
    if extra:
        raise RuleError(file, "-", f"unknown top-level keys {sorted(extra)}")
    rules, extends = data.get("rule", []), data.get("extend", [])
    if not isinstance(rules, list) or not isinstance(extends, list):
        raise RuleError(file, "-", "'rule' and 'extend' must be arrays of tables ([[rule]], [[extend]])")
    for e in extends:
        if not isinstance(e, dict) or not isinstance(e.get("code"), str):
            raise RuleError(file, "-", "every [[extend]] needs a 'code'")
    return [parse_rule(r, file, check_queries) for r in rules], [dict(e, _file=file) for e in extends]


def check_complete(rule: Rule) -> None:
    file = rule.source_file
    if not rule.languages:
        raise RuleError(file, rule.code, "no languages: list some or add an [[extend]] table")
    if rule.engine == "redline":
        missing = sorted(set(rule.languages) - {lang for lang, _ in rule.queries})
        if missing:
            raise RuleError(file, rule.code, f"a rule of the tree-sitter engine needs a 'query' for {missing}")
    if not rule.valid or not rule.invalid:
        raise RuleError(file, rule.code, "needs at least one 'valid' and one 'invalid' example")


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


def load_texts(files: list[tuple[str, str]], check_queries: bool = True) -> list[Rule]:
    """Load and merge rule files given as (name, text); used for the built-ins and in tests.

    `check_queries` False leaves compiling the queries to the registry (see load_builtin)."""
    load_all()
    rules: list[Rule] = []
    extends: list[dict] = []
    for name, text in files:
        defined, ext = load_file(name, text, check_queries)
        rules.extend(defined)
        extends.extend(ext)
    check_unique(rules)
    by_code = {r.code: r for r in rules}
    for raw in extends:
        file = raw.pop("_file")
        code = raw["code"]
        if code not in by_code:
            raise RuleError(file, code, "[[extend]] of a rule that no file defines")
        by_code[code] = apply_extend(by_code[code], raw, file, check_queries)
    # A family defined in families.toml but not yet implemented for any language is left out.
    merged = sorted((r for r in by_code.values() if r.languages or r.engine != "redline"), key=lambda r: r.code)
    for r in merged:
        check_complete(r)
    return merged


def unimplemented(files: list[tuple[str, str]] | None = None) -> list[str]:
    """Codes defined with no language yet (a test keeps this list empty)."""
    load_all()
    pairs = files or [(str(p), p.read_text("utf-8")) for p in builtin_rule_files()]
    defined, extended = {}, set()
    for name, text in pairs:
        rules, ext = load_file(name, text)
        defined.update({r.code: r for r in rules})
        extended.update(e["code"] for e in ext)
    return sorted(c for c, r in defined.items() if not r.languages and c not in extended and r.engine == "redline")


def builtin_rule_files() -> list[Path]:
    root = resources.files("redline.rules") / "builtin"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


def load_builtin() -> list[Rule]:
    """The built-in rules. Their queries are compiled by the registry when a file of their
    language is first scanned, not here: compiling every language's queries up front took about
    0.5 s of every start (JavaScript/TypeScript grammars compile slowly), for languages a scan or
    an editor session may never see. tests/test_rule_examples.py compiles them all.

    The parsed and validated rules are kept in the user's cache folder (`rule_cache_path`),
    keyed by the content of the rule files and of the code that parses and checks them: parsing
    the TOML files, validating them and importing every predicate module to check the names
    cost about 0.2 s of every start (a third of a warm `redline scan`, and of the language
    server's start). With the cache, predicate modules are imported when a language's rules
    are first compiled (`ensure_predicates`), only the ones that language's rules name."""
    files = [(str(p), p.read_bytes()) for p in builtin_rule_files()]
    key = _rule_key(files)
    cached = _read_rule_cache(key)
    if cached is not None:
        rules, modules = cached
        _MODULES.update(modules)
        return rules
    rules = load_texts([(name, data.decode("utf-8")) for name, data in files], check_queries=False)
    modules = {name: fn.__module__ for table in (PREDICATES, FIXES) for name, fn in table.items()}
    _MODULES.update(modules)
    _write_rule_cache(key, rules, modules)
    return rules


# ---------------------------------------------------------------- the parsed rules, cached

RULE_CACHE_FORMAT = 1
RULE_CACHE_KEEP = 4  # rule caches kept in the folder (the newest ones)
# predicate or fix name -> the module that registers it (from the cache, or from load_all)
_MODULES: dict[str, str] = {}


def _rule_key(files: list[tuple[str, bytes]]) -> str:
    """What the parsed rules depend on: the rule files (names and content), the code that
    parses, validates and represents them (this package's Python files, predicates included:
    a renamed predicate must fail validation again), the findings model, Redline's and
    Python's versions."""
    import hashlib
    import sys

    import redline
    from redline import findings

    h = hashlib.sha256(f"{RULE_CACHE_FORMAT}\0{redline.__version__}\0{sys.version}\0".encode())
    for name, data in files:
        h.update(Path(name).name.encode() + b"\0" + hashlib.sha256(data).digest())
    package = Path(__file__).parent
    code = [Path(findings.__file__)] + sorted(package.glob("*.py")) + sorted((package / "predicates").glob("*.py"))
    for path in code:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"-"
        h.update(path.name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def rule_cache_path(key: str) -> Path:
    """The cache file for rules with this key: in the user's cache folder (never in a workspace,
    which a repository could fill with a file for Redline to unpickle)."""
    from redline.cache import key_dir

    return key_dir() / f"rules-{key[:40]}.pickle"


def _read_rule_cache(key: str) -> tuple[list[Rule], dict[str, str]] | None:
    """The cached (rules, predicate modules) for `key`, or None: missing, stale, damaged, not a
    regular file owned by this user and writable only by them, or from another format."""
    import os
    import pickle
    import stat

    path = rule_cache_path(key)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o022 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                return None
            folder = os.stat(path.parent)
            if folder.st_mode & 0o022 or (hasattr(os, "getuid") and folder.st_uid != os.getuid()):
                return None
            data = pickle.load(fh)
        stored_key, rules, modules = data
        if stored_key != key or not isinstance(rules, list) or not all(isinstance(r, Rule) for r in rules):
            return None
        if not isinstance(modules, dict):
            return None
        return rules, modules
    except Exception:  # noqa: BLE001 - any damage means: parse the rule files again
        return None


def _write_rule_cache(key: str, rules: list[Rule], modules: dict[str, str]) -> None:
    """Store the parsed rules (atomically, mode 0600); older rule caches are removed. Any
    failure (a read-only home, a full disk) leaves Redline parsing the files at each start."""
    import pickle

    from redline.atomic import replace_file

    path = rule_cache_path(key)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file(path, lambda fh: pickle.dump((key, rules, modules), fh, protocol=pickle.HIGHEST_PROTOCOL),
                     prefix=".rules-", suffix="")
        # Keep a few: several installations (or checkouts) of Redline may take turns.
        others = sorted((p for p in path.parent.glob("rules-*.pickle") if p.name != path.name), key=_mtime, reverse=True)
        for old in others[RULE_CACHE_KEEP - 1 :]:
            try:
                old.unlink()
            except OSError:
                pass
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def ensure_predicates(names) -> None:
    """Import the modules that register these predicate and fix names (rules loaded from the
    cache did not import them); anything not found that way: every predicate module."""
    missing = [n for n in names if n and n not in PREDICATES and n not in FIXES]
    if not missing:
        return
    import importlib

    for module in dict.fromkeys(_MODULES.get(n) for n in missing):
        if module and module.startswith("redline.rules.predicates."):
            try:
                importlib.import_module(module)
            except ImportError:
                pass
    if any(n not in PREDICATES and n not in FIXES for n in missing):
        load_all()
