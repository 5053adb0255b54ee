"""Configuration: `[tool.redline]` in pyproject.toml, `redline.toml` / `.redline.toml`, editor settings.

Every source goes through `from_mapping`, which validates key by key: a bad key or value yields a
`Problem` naming the file, the key and what is wrong, and the default is kept for that key while
the valid rest applies. Keys may be written kebab-case, snake_case or camelCase.

What a caller does with problems is its choice: the language server shows them on the file and
goes on with the defaults for the bad keys; `redline scan` refuses to run with any of them
(unknown keys and unknown rule names included: a misspelt `exclude` or `max-file-size` would
otherwise change what is scanned without failing the build). Reading never raises: a file that
cannot be read, is not a regular file, is too large, is not TOML or nests too deeply is one
problem with key "-".
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from redline.findings import Confidence, Severity
from redline.rules.model import selector_matches, successor
from redline.secrets.regex import linear

CONFIG_FILES = ("redline.toml", ".redline.toml", "pyproject.toml")
ENGINES = ("redline", "secrets", "bandit", "detect-secrets", "dependencies", "registry")
DEFAULT_MAX_FILE_SIZE = 2_000_000
DEFAULT_MAX_FINDINGS_PER_FILE = 500
# Seconds of CPU time each engine may spend on one file (see redline/limits.py). bandit and
# detect-secrets take 2-3 s on an 11,000-line file; one 180 KB f-string took bandit 160 s.
DEFAULT_TIME_LIMIT = 5.0
# Megabytes of address space for a worker process (the language server's, `redline scan`'s):
# bandit peaks at 260 MB, detect-secrets at 130 MB on a 1.7 MB Python file.
DEFAULT_MEMORY_LIMIT = 2000
CONFIG_MAX_SIZE = 10_000_000  # a configuration file larger than this is refused, not parsed


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str
    line: int | None = None  # 0-based line of the key in the file, when known

    def __str__(self) -> str:
        where = f"{self.file}:{self.line + 1}" if self.line is not None else self.file
        return f"{where}: {self.message}" if self.key == "-" else f"{where}: {self.key}: {self.message}"


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()  # (selector, severity) overrides
    exclude: tuple[str, ...] = ()
    engines: tuple[tuple[str, bool], ...] = ()  # overrides of the engine defaults
    online: bool = False
    min_severity: Severity = Severity.HINT
    min_confidence: Confidence = Confidence.LOW
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    time_limit: float = DEFAULT_TIME_LIMIT  # per engine and file, CPU seconds; 0: no limit
    # Findings shown per file (the most severe and confident), then one summary; 0: no cap.
    max_findings_per_file: int = DEFAULT_MAX_FINDINGS_PER_FILE
    memory_limit: int = DEFAULT_MEMORY_LIMIT  # MB of address space per worker process; 0: no limit
    advisory_url: str = "https://osv-vulnerabilities.storage.googleapis.com"
    pypi_url: str = "https://pypi.org/pypi"
    npm_url: str = "https://registry.npmjs.org"
    application: bool | None = None  # None: guess from the manifest (unpinned-requirement checks)
    # (glob, selectors): rules ignored in the files the glob matches (like ruff's).
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (glob, role): the file role of matching paths (redline/roles.py); first match wins.
    role_overrides: tuple[tuple[str, str], ...] = ()
    # (role, "report" | "default"): "report" shows every rule's findings in that role as in production.
    role_policy: tuple[tuple[str, str], ...] = ()
    # bandit test ids turned on that are off by default (engines/bandit.py DEFAULT_OFF).
    bandit_checks: tuple[str, ...] = ()
    # The scan root (set by `redline scan`, not a configuration key): file roles are computed
    # from paths relative to it (or to a deeper version-control root).
    root: str = ""
    source: str = "defaults"  # where it came from, for messages

    def engine_enabled(self, name: str, default: bool = True) -> bool:
        for key, value in self.engines:
            if key == name:
                return value
        return default

    def bandit_check_on(self, bandit_id: str) -> bool:
        """Is a default-off bandit check turned back on (`bandit-checks`, or named in `select`)?"""
        u = bandit_id.upper()
        return u in self.bandit_checks or any(s.strip().upper() == u for s in self.select)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        for selector, sev in self.severity:
            if selector_matches(selector, code, name):
                return sev
        return default


# Keys that decide whether and where Redline opens network connections. In the language server
# only the user's editor settings may set them: opening a folder is not consent to let its
# configuration file turn the network on or point the advisory and registry look-ups elsewhere.
NETWORK_FIELDS = ("online", "advisory_url", "pypi_url", "npm_url")


def network_from(trusted: Config, config: Config) -> Config:
    """`config` with the network keys taken from `trusted` (the editor settings alone)."""
    return replace(config, **{f: getattr(trusted, f) for f in NETWORK_FIELDS})


def sets_network(config: Config) -> list[str]:
    """The network keys `config` sets away from their defaults (kebab-case, for messages)."""
    default = Config()
    return [f.replace("_", "-") for f in NETWORK_FIELDS if getattr(config, f) != getattr(default, f)]


def _norm_key(key: str) -> str:
    key = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key)
    return key.lower().replace("_", "-")


def _str_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _check_selectors(values: tuple[str, ...], known: set[str] | None) -> list[str]:
    if not known:
        return []
    bad = []
    for v in values:
        s = successor(v)
        u, l = s.upper(), s.lower()
        if u in known or l in known or (u.startswith("RL") and any(k.startswith(u) for k in known if k.startswith("RL"))):
            continue
        if re.fullmatch(r"B\d{3}", u):
            continue  # a bandit test id: selects or ignores bandit's own findings
        bad.append(v)
    return bad


def from_mapping(
    data: Mapping[str, Any],
    file: str,
    base: Config | None = None,
    known_rules: set[str] | None = None,
    lines: Mapping[str, int] | None = None,
) -> tuple[Config, list[Problem]]:
    """Apply `data` on top of `base`; return the result and the problems found.

    `known_rules` (codes and names) lets selectors be checked; `lines` maps keys to line numbers.
    """
    cfg = base or Config()
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    lines = lines or {}

    def bad(key: str, msg: str) -> None:
        problems.append(Problem(file, key, msg, lines.get(key)))

    if not isinstance(data, Mapping):
        return cfg, [Problem(file, "-", "configuration must be a table")]
    for raw_key, value in data.items():
        key = _norm_key(str(raw_key))
        if key in ("select", "ignore", "exclude"):
            items = _str_list(value)
            if items is None:
                bad(raw_key, "expected a list of strings")
                continue
            if key != "exclude":
                unknown = _check_selectors(items, known_rules)
                if unknown:
                    bad(raw_key, f"unknown rule(s) {', '.join(unknown)}; they are ignored")
                    items = tuple(i for i in items if i not in unknown)
            else:
                invalid = _invalid_globs(items)
                for message in invalid.values():
                    bad(raw_key, message)
                items = tuple(i for i in items if i not in invalid)
            changes[key] = items
        elif key == "severity":
            if not isinstance(value, Mapping):
                bad(raw_key, 'expected a table like { RL101 = "warning" }')
                continue
            overrides = []
            for sel, sev in value.items():
                if _check_selectors((sel,), known_rules):
                    bad(f"{raw_key}.{sel}", "unknown rule; override ignored")
                    continue
                try:
                    overrides.append((sel, Severity.parse(str(sev))))
                except ValueError as e:
                    bad(f"{raw_key}.{sel}", str(e))
            changes["severity"] = tuple(overrides) + cfg.severity
        elif key == "engines":
            if not isinstance(value, Mapping):
                bad(raw_key, "expected a table like { bandit = true }")
                continue
            switches = []
            for name, on in value.items():
                n = _norm_key(str(name))
                if n not in ENGINES:
                    bad(f"{raw_key}.{name}", f"unknown engine; known: {', '.join(ENGINES)}")
                elif not isinstance(on, bool):
                    bad(f"{raw_key}.{name}", "expected true or false")
                else:
                    switches.append((n, on))
            changes["engines"] = tuple(switches) + cfg.engines
        elif key in ("online",) or key == "application":
            if not isinstance(value, bool):
                bad(raw_key, "expected true or false")
            else:
                changes[key] = value
        elif key == "min-severity":
            try:
                changes["min_severity"] = Severity.parse(str(value))
            except ValueError as e:
                bad(raw_key, str(e))
        elif key == "min-confidence":
            try:
                changes["min_confidence"] = Confidence.parse(str(value))
            except ValueError as e:
                bad(raw_key, str(e))
        elif key == "max-file-size":
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                bad(raw_key, "expected a positive number of bytes")
            else:
                changes["max_file_size"] = value
        elif key == "max-findings-per-file":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 31:
                bad(raw_key, "expected a whole number of findings (0 turns the cap off)")
            else:
                changes["max_findings_per_file"] = value
        elif key == "time-limit":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e6:
                bad(raw_key, "expected a number of seconds (0 turns the limit off)")
            else:
                changes["time_limit"] = float(value)
        elif key == "memory-limit":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 40:
                bad(raw_key, "expected a whole number of megabytes (0 turns the limit off)")
            else:
                changes["memory_limit"] = value
        elif key == "per-file-ignores":
            if not isinstance(value, Mapping):
                bad(raw_key, 'expected a table like { "tests/**" = ["RL3"] }')
                continue
            entries = []
            for glob, sels in value.items():
                items = _str_list(sels)
                if items is None:
                    bad(f"{raw_key}.{glob}", "expected a list of rule codes, names or prefixes")
                    continue
                invalid = _invalid_globs((str(glob),))
                if invalid:
                    bad(f"{raw_key}.{glob}", invalid[str(glob)])
                    continue
                unknown = _check_selectors(items, known_rules)
                if unknown:
                    bad(f"{raw_key}.{glob}", f"unknown rule(s) {', '.join(unknown)}; they are ignored")
                    items = tuple(i for i in items if i not in unknown)
                entries.append((str(glob), items))
            changes["per_file_ignores"] = tuple(entries) + cfg.per_file_ignores
        elif key == "roles":
            from redline import roles as _roles

            if not isinstance(value, Mapping):
                bad(raw_key, 'expected a table like { "scripts/**" = "test", test = "report" }')
                continue
            overrides, policy = [], []
            for k, v in value.items():
                k = str(k)
                v = v.strip().lower() if isinstance(v, str) else v
                if k in _roles.ROLES and k != _roles.PRODUCTION and v in ("report", "default"):
                    policy.append((k, v))
                elif v in _roles.ROLES:
                    invalid = _invalid_globs((k,))
                    if invalid:
                        bad(f"{raw_key}.{k}", invalid[k])
                    else:
                        overrides.append((k, v))
                else:
                    bad(
                        f"{raw_key}.{k}",
                        f"expected a role ({', '.join(_roles.ROLES)}) for a path glob, or "
                        '"report" / "default" for a role name',
                    )
            changes["role_overrides"] = tuple(overrides) + cfg.role_overrides
            changes["role_policy"] = tuple(policy) + cfg.role_policy
        elif key == "bandit-checks":
            items = _str_list(value)
            if items is None or not all(re.fullmatch(r"[Bb]\d{3}", i) for i in items):
                bad(raw_key, 'expected a list of bandit test ids like ["B101"]')
                continue
            changes["bandit_checks"] = tuple(i.upper() for i in items) + cfg.bandit_checks
        elif key in ("advisory-url", "pypi-url", "npm-url"):
            if not isinstance(value, str) or not re.match(r"^(https?|file)://", value):
                bad(raw_key, "expected an http(s):// or file:// URL")
            else:
                changes[key.replace("-", "_")] = value.rstrip("/")
        else:
            bad(raw_key, f"unknown key (known keys: {', '.join(KEYS)})")
    return replace(cfg, source=file, **changes), problems


KEYS = (
    "select", "ignore", "severity", "exclude", "engines", "online", "application", "min-severity",
    "min-confidence", "max-file-size", "max-findings-per-file", "time-limit", "memory-limit", "advisory-url", "pypi-url", "npm-url",
    "per-file-ignores", "roles", "bandit-checks",
)


def _invalid_globs(globs: tuple[str, ...]) -> dict[str, str]:
    """The `exclude` globs that cannot be compiled, each with the reason."""
    from redline.files import InvalidPattern, compile_pattern  # files imports this module

    out = {}
    for g in globs:
        try:
            compile_pattern(g)
        except InvalidPattern as e:
            out[g] = str(e)
    return out


# Applied to each line of the config file: RE2, as `\s*([^\]]+?)\s*\]` is quadratic in a long
# line for a backtracking matcher.
_TABLE_HEADER = linear(r"\s*\[+\s*([^\]]+?)\s*\]+")
_KEY_LINE = linear(r"\s*([A-Za-z0-9_\-\"']+)\s*=")


def _key_lines(text: str, table: str | None = None) -> dict[str, int]:
    """Best-effort line numbers of `key =` lines, for diagnostics on the config file.

    With `table` (e.g. "tool.redline" in pyproject.toml) only keys inside that table and its
    subtables count; keys of a subtable are also recorded as "sub.key"."""
    out: dict[str, int] = {}
    section = ""
    for i, line in enumerate(text.splitlines()):
        h = _TABLE_HEADER.match(line)
        if h:
            section = h.group(1).replace(" ", "").replace('"', "")
            continue
        if table is not None and section != table and not section.startswith(table + "."):
            continue
        m = _KEY_LINE.match(line)
        if m:
            key = m.group(1).strip("\"'")
            sub = section[len(table) + 1 :] if table is not None else section
            out.setdefault(f"{sub}.{key}" if sub else key, i)
            out.setdefault(key, i)
    return out


def _read_toml(path: Path) -> tuple[str, dict]:
    """The text and the parsed table of a TOML file; ValueError with a message (and the 0-based
    line in `args[1]` when known) for every way it can be unusable."""
    from redline.files import read_regular  # files imports this module

    try:
        raw = read_regular(path, CONFIG_MAX_SIZE)
    except OSError as e:
        raise ValueError(f"cannot read: {e.strerror or e}") from None
    if len(raw) > CONFIG_MAX_SIZE:
        raise ValueError(f"cannot read: larger than {CONFIG_MAX_SIZE:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"cannot read: not UTF-8 text (invalid byte at offset {e.start})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        at = re.search(r"\(at line (\d+)", str(e))
        raise ValueError(f"not valid TOML: {e}", int(at.group(1)) - 1 if at else None) from None
    except (RecursionError, MemoryError):
        raise ValueError("not valid TOML: nested too deeply") from None


def load_file(path: Path, base: Config | None = None, known_rules: set[str] | None = None) -> tuple[Config, list[Problem]]:
    """Read one config file. pyproject.toml contributes only its [tool.redline] table."""
    file = str(path)
    try:
        text, data = _read_toml(path)
    except ValueError as e:
        return base or Config(), [Problem(file, "-", e.args[0], e.args[1] if len(e.args) > 1 else None)]
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("redline", {}) if isinstance(tool, dict) else {}
        return from_mapping(data, file, base, known_rules, _key_lines(text, "tool.redline"))
    return from_mapping(data, file, base, known_rules, _key_lines(text))


def find_config_file(root: Path) -> Path | None:
    """The configuration file of a workspace root, in the order redline.toml, .redline.toml,
    pyproject.toml (only when it has a [tool.redline] table)."""
    for name in CONFIG_FILES:
        p = root / name
        if not os.path.isfile(p):  # False, not an error, for a folder that cannot be searched
            continue
        if name == "pyproject.toml":
            try:
                tool = _read_toml(p)[1].get("tool", {})
                if not isinstance(tool, dict) or "redline" not in tool:
                    continue
            except ValueError:
                return p  # report the broken file rather than silently skipping it
        return p
    return None


def discover(start: Path, known_rules: set[str] | None = None) -> tuple[Config, list[Problem], Path | None]:
    """The configuration for `start` (a file or folder): the nearest config file at or above it."""
    here = start if os.path.isdir(start) else start.parent
    for folder in [here, *here.parents]:
        found = find_config_file(folder)
        if found:
            cfg, problems = load_file(found, known_rules=known_rules)
            return cfg, problems, found
    return Config(), [], None


def known_rule_keys() -> set[str]:
    from redline.rules.registry import default_registry

    reg = default_registry()
    return {r.code for r in reg.rules} | {r.name for r in reg.rules}


def field_names() -> list[str]:
    return [f.name for f in fields(Config)]
