"""What the `redline mcp` tools do, without the MCP SDK: plain functions over the same engine as
`redline scan` (pipeline.analyze, files.Walker/read_source, fixes.fix_text, the dependency
database and name lists, the rule registry). Results are JSON-able dicts whose findings have the
shape of `redline scan --format json` (report/json.py: 1-based lines, character columns, end
exclusive, fixes as edits). Bad input raises `BadInput` with a message for the agent.

Nothing here runs the code it is given, writes to the workspace, or uses the network, except
`check_packages(..., online=True)`, which asks PyPI/npm whether a name that no offline list
knows exists, as the `registry` engine does.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Sequence

from redline import languages as langs

MAX_FINDINGS = 500  # findings returned by one call; the rest are counted in `truncated`
MAX_PACKAGES = 200  # names checked by one check_packages call
MAX_PATHS = 200  # paths named in one scan_files call
MAX_SKIPPED = 200  # skipped paths listed by one call (summary.skipped counts them all)


class BadInput(ValueError):
    """The agent's input cannot be used; the message says why and what to send instead."""


# A file name for code given with a language id: engines that look at names (manifests, Docker,
# workflows) see the usual one.
_NAME_FOR = {
    "python": "snippet.py", "javascript": "snippet.js", "typescript": "snippet.ts", "tsx": "snippet.tsx",
    "go": "snippet.go", "java": "Snippet.java", "hcl": "main.tf", "yaml": "snippet.yaml",
    "json": "snippet.json", "toml": "snippet.toml", "dockerfile": "Dockerfile", "bash": "snippet.sh",
    "text": "snippet.txt", "ini": "snippet.ini", "dotenv": ".env", "properties": "snippet.properties",
    "requirements": "requirements.txt", "gomod": "go.mod", "xml": "snippet.xml",
}
# Short names agents use that are not LSP language ids.
_ALIASES = {
    "py": "python", "python3": "python", "js": "javascript", "node": "javascript", "jsx": "javascript",
    "ts": "typescript", "golang": "go", "tf": "hcl", "yml": "yaml", "shell": "bash", "zsh": "bash",
    "docker": "dockerfile", "containerfile": "dockerfile", "requirements": "requirements", "env": "dotenv",
}
_EXAMPLES = (
    "give a file name such as app.py, server.ts, main.go, Dockerfile, main.tf or requirements.txt, "
    "or a language id such as python, javascript, typescript, go, java, terraform, yaml, dockerfile, bash"
)


# ---------------------------------------------------------------- the workspace


class Workspace:
    """The project root the server was started in, and its configuration (re-read on each call,
    so an edited redline.toml applies at once).

    As in the language server, the project's configuration file cannot turn the network on or
    point the registry look-ups elsewhere (config.NETWORK_FIELDS): a cloned repository is not
    the user's consent. Those keys come from `trusted` (the server's own settings: the
    defaults, offline), and `check_packages` goes online only when the call asks for it."""

    def __init__(self, root: str | os.PathLike, trusted=None):
        from redline.config import Config

        real = os.path.realpath(os.fspath(root))
        if not os.path.isdir(real):
            raise BadInput(f"the project root {os.fspath(root)!r} is not a folder")
        self.root = real
        self.trusted = trusted if trusted is not None else Config()

    def config(self):
        """(Config, problems): the configuration `redline scan` would use at the root. A file with
        problems gives the defaults for its bad keys, and the problems go into the result."""
        from redline import config as cfg

        config, problems, _found = cfg.discover(Path(self.root), cfg.known_rule_keys())
        return cfg.network_from(self.trusted, config), problems

    def inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.root or real.startswith(self.root.rstrip(os.sep) + os.sep)


def _problems(problems) -> list[dict]:
    return [
        {"file": p.file, "key": p.key, "line": None if p.line is None else p.line + 1, "message": p.message}
        for p in problems
    ]


# ---------------------------------------------------------------- code given inline


def resolve_target(ws: Workspace, path_or_language: str) -> tuple[str, str, str]:
    """(absolute path the code is scanned as, path shown, Redline language) for a file name or
    a language id. The path only names the code (nothing is read from it); it stays inside the
    root."""
    s = (path_or_language or "").strip()
    if not s or "\0" in s:
        raise BadInput(f"path_or_language is empty: {_EXAMPLES}")
    language = None
    if not any(c in s for c in "./\\"):
        key = s.lower()
        language = langs.LANGUAGE_IDS.get(key) or _ALIASES.get(key) or (key if key in langs.LANGUAGES else None)
    if language is not None:
        name = _NAME_FOR.get(language, f"snippet.{language}")
    else:
        language = langs.detect(s)
        if language is None:
            raise BadInput(f"unknown language or file type {s!r}: {_EXAMPLES}")
        name = s.replace("\\", "/")
    rel = os.path.normpath(name) if not os.path.isabs(name) else os.path.basename(name)
    if rel.startswith(".." + os.sep) or rel == "..":
        rel = os.path.basename(name)
    full = os.path.join(ws.root, rel)
    if not ws.inside(os.path.dirname(full)):
        # A folder that links out of the root: engines look beside the file (lock files).
        rel = os.path.basename(rel)
        full = os.path.join(ws.root, rel)
    return full, rel.replace(os.sep, "/"), language


def _encode(code: str, limit: int) -> bytes:
    if not isinstance(code, str):
        raise BadInput("code must be a string")
    try:
        data = code.encode("utf-8")
    except UnicodeEncodeError as e:
        raise BadInput(f"code is not valid Unicode text (a lone surrogate at character {e.start})") from None
    if len(data) > limit:
        raise BadInput(
            f"code is {len(data):,} bytes, larger than max-file-size ({limit:,} bytes): "
            "scan it in parts, or raise max-file-size in redline.toml"
        )
    from redline.files import binary_reason

    reason = binary_reason(data)
    if reason:
        raise BadInput(f"code is not text Redline can scan: {reason}")
    return data


def _source(ws: Workspace, code: str, path_or_language: str, config):
    from redline.pipeline import make_source

    full, shown, language = resolve_target(ws, path_or_language)
    data = _encode(code, config.max_file_size)
    try:
        source = make_source(full, data, language=language)
    except Exception as e:  # noqa: BLE001 - a grammar failure is the input's problem, not the server's
        raise BadInput(f"cannot parse the code as {language}: {type(e).__name__}: {e}") from None
    if source is None:
        raise BadInput(f"unknown language {language!r}: {_EXAMPLES}")
    return source, shown


def _file_result(source, shown: str, config):
    from redline.files import count_lines
    from redline.pipeline import analyze
    from redline.report.results import file_result

    analysis = analyze(source, config)
    return file_result(shown, source, analysis.findings, analysis.errors, count_lines(source.text))


def _report(ws: Workspace, files, skipped, problems) -> dict[str, Any]:
    from redline.report.json import report_dict
    from redline.report.results import ScanResult

    report = report_dict(ScanResult(ws.root, sorted(files, key=lambda fr: fr.path), skipped, problems))
    report.pop("version", None)
    report.pop("tool", None)
    if len(report["skipped"]) > MAX_SKIPPED:
        # What the user can act on (unreadable, binary, too large) before what was meant to be left out.
        from redline.files import SkipKind

        report["skipped"] = sorted(report["skipped"], key=lambda s: (s["kind"] in SkipKind.ROUTINE, s["path"]))[:MAX_SKIPPED]
    findings = report["findings"]
    report["truncated"] = max(0, len(findings) - MAX_FINDINGS)
    if report["truncated"]:
        # The most severe first when some must go.
        rank = {"error": 0, "warning": 1, "info": 2, "hint": 3}
        kept = sorted(findings, key=lambda f: (rank.get(f["severity"], 4), f["path"], f["start_line"]))[:MAX_FINDINGS]
        report["findings"] = sorted(kept, key=lambda f: (f["path"], f["start_line"], f["start_column"], f["code"]))
    return report


def scan_code(ws: Workspace, code: str, path_or_language: str) -> dict[str, Any]:
    """Findings in `code`, scanned as the file `path_or_language` (or a file of that language)."""
    config, problems = ws.config()
    source, shown = _source(ws, code, path_or_language, config)
    fr = _file_result(source, shown, config)
    report = _report(ws, [fr], [], problems)
    report["path"] = shown
    report["language"] = source.language
    return report


def fix_code(ws: Workspace, code: str, path_or_language: str, rules: Sequence[str] | None = None) -> dict[str, Any]:
    """`code` with the safe fixes applied (those of `rules` only, when given), in rounds as
    `redline scan --fix` does, and the findings that remain."""
    from redline import fixes
    from redline.pipeline import analyze
    from redline.rules.model import selector_matches

    config, problems = ws.config()
    selectors = _rule_selectors(rules)
    source, shown = _source(ws, code, path_or_language, config)

    def keep(f) -> bool:
        return not selectors or any(selector_matches(s, f.code, f.name, f.property("bandit_id")) for s in selectors)

    outcome = fixes.fix_text(source.path, shown, source.text, lambda s: analyze(s, config).findings, False, keep)
    fixed_source, _ = _source(ws, outcome.fixed.decode("utf-8"), path_or_language, config)
    fr = _file_result(fixed_source, shown, config)
    report = _report(ws, [fr], [], problems)
    return {
        "path": shown,
        "language": source.language,
        "code": outcome.fixed.decode("utf-8"),
        "changed": outcome.changed,
        "applied": [{"line": line, "code": c, "title": title} for line, c, title in outcome.applied],
        "not_applied": [
            {"line": line, "code": c, "title": title, "reason": reason} for line, c, title, reason in outcome.skipped
        ],
        "findings": report["findings"],
        "summary": report["summary"],
        "errors": report["errors"],
        "config_problems": report["config_problems"],
        "truncated": report["truncated"],
    }


def _rule_selectors(rules: Sequence[str] | None) -> list[str]:
    from redline.rules.registry import default_registry

    if not rules:
        return []
    registry = default_registry()
    out, unknown = [], []
    for r in rules:
        r = (r or "").strip()
        if not r:
            continue
        if re.fullmatch(r"B\d{3}", r, re.IGNORECASE) or registry.resolve(r):
            out.append(r)
        else:
            unknown.append(r)
    if unknown:
        raise BadInput(f"unknown rule {', '.join(map(repr, unknown))}: give codes (RL101), names (sql-injection) or prefixes (RL1)")
    return out


# ---------------------------------------------------------------- files of the project


def resolve_paths(ws: Workspace, paths: Sequence[str]) -> list[str]:
    """Real paths for `paths` (relative to the root, or absolute), every one inside the root after
    symbolic links and `..` are resolved; BadInput naming the ones that are not."""
    if isinstance(paths, str):
        paths = [paths]
    paths = list(paths or ["."])
    if len(paths) > MAX_PATHS:
        raise BadInput(f"{len(paths)} paths: give at most {MAX_PATHS} (a folder covers everything in it)")
    out, outside, missing = [], [], []
    for p in paths:
        if not isinstance(p, str) or not p.strip() or "\0" in p:
            raise BadInput(f"invalid path {p!r}")
        full = p if os.path.isabs(p) else os.path.join(ws.root, p)
        if not ws.inside(full):
            outside.append(p)
            continue
        try:
            os.stat(full)
        except OSError:
            missing.append(p)
            continue
        out.append(os.path.realpath(full))
    if outside:
        raise BadInput(
            f"refused: {', '.join(map(repr, outside))} {'is' if len(outside) == 1 else 'are'} outside the project root "
            f"{ws.root} (after resolving symbolic links and '..'); redline mcp only reads files under the root it was started in (--root)"
        )
    if missing:
        raise BadInput(f"no such file or folder under {ws.root}: {', '.join(map(repr, missing))}")
    return out


def scan_files(ws: Workspace, paths: Sequence[str]) -> dict[str, Any]:
    """`redline scan` over files and folders of the project: same walk (.gitignore, exclude,
    size and binary checks, symbolic links out of a folder not followed), same configuration."""
    from redline.cli import run_scan
    from redline.files import SkipKind, Skipped, Walker

    targets_in = resolve_paths(ws, paths)
    config, problems = ws.config()
    walker = Walker(Path(ws.root), config)
    targets, skipped = [], []
    for item in walker.walk(targets_in):
        if isinstance(item, Skipped):
            if item.kind != SkipKind.IGNORED or os.path.basename(item.path) != ".redline_cache":
                skipped.append(item)
        else:
            targets.append(item)
    files, unread = run_scan(targets, Path(ws.root), config, slow=True, jobs=1)
    return _report(ws, files, skipped + unread, problems)


# ---------------------------------------------------------------- packages

_ECOSYSTEMS = {
    "pypi": "PyPI", "python": "PyPI", "pip": "PyPI", "py": "PyPI",
    "npm": "npm", "node": "npm", "javascript": "npm", "js": "npm", "typescript": "npm", "yarn": "npm", "pnpm": "npm",
    "go": "Go", "golang": "Go", "gomod": "Go",
    "maven": "Maven", "java": "Maven", "gradle": "Maven",
}
_PYPI_SPEC = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def parse_package(ecosystem: str, text: str) -> tuple[str, str | None, str | None]:
    """(name, exact version or None, note) of one package as an agent writes it:
    `flask==0.12`, `requests`, `lodash@4.17.20`, `@scope/pkg@1.2.3`, `golang.org/x/net@v0.17.0`,
    `org.apache.commons:commons-text:1.9` (or `group:artifact@version`)."""
    s = (text or "").strip()
    if not s or "\0" in s or len(s) > 300:
        raise BadInput(f"invalid package {text!r}")
    if ecosystem == "PyPI":
        m = _PYPI_SPEC.match(s.split(";", 1)[0])
        if not m:
            raise BadInput(f"invalid PyPI requirement {text!r}: expected a name, optionally with ==VERSION")
        name, spec = m.group(1), m.group(3).strip()
        if not spec:
            return name, None, None
        exact = re.fullmatch(r"===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)", spec)
        if exact and "*" not in spec:
            return name, exact.group(1), None
        return name, None, f"version {spec!r} is not an exact pin (==VERSION): only the name was checked"
    if ecosystem == "Maven":
        head, at, version = s.partition("@")
        parts = head.split(":")
        if len(parts) == 3 and not at:
            parts, version = parts[:2], parts[2]
        if len(parts) != 2 or not all(parts):
            raise BadInput(f"invalid Maven package {text!r}: expected group:artifact or group:artifact:version")
        return ":".join(parts), (version.strip() or None), None
    # npm and Go: NAME@VERSION, a leading @ belongs to an npm scope.
    at = s.rfind("@")
    if at > 0:
        name, version = s[:at].strip(), s[at + 1 :].strip()
    else:
        name, version = s, ""
    if not name:
        raise BadInput(f"invalid {ecosystem} package {text!r}")
    if version and not re.fullmatch(r"v?\d[0-9A-Za-z.+-]*", version):
        return name, None, f"version {version!r} is not an exact version: only the name was checked"
    return name, (version or None), None


def check_packages(ws: Workspace, ecosystem: str, packages: Sequence[str], online: bool | None = None) -> dict[str, Any]:
    """Known-vulnerable versions, typosquats and names unknown to the offline lists, from the
    advisory database and the popular-package lists; the registry only when `online`."""
    from redline.deps import checks
    from redline.deps import names as N
    from redline.deps import versions as V
    from redline.deps.database import get_database

    eco = _ECOSYSTEMS.get((ecosystem or "").strip().lower())
    if eco is None:
        raise BadInput(f"unknown ecosystem {ecosystem!r}: expected one of pypi, npm, go, maven")
    if isinstance(packages, str):
        packages = [packages]
    if not packages:
        raise BadInput("packages is empty: give names such as 'flask==2.3.3' or 'lodash@4.17.21'")
    if len(packages) > MAX_PACKAGES:
        raise BadInput(f"{len(packages)} packages: give at most {MAX_PACKAGES} per call")
    config, problems = ws.config()
    use_network = bool(config.online if online is None else online)
    db, db_error = get_database()
    index = None
    if eco in (V.PYPI, V.NPM):
        index = N.index_for(eco, frozenset(db.names(eco)) if db is not None else frozenset())
    client = None
    if use_network and eco in (V.PYPI, V.NPM):
        from redline.deps import registry

        client = registry.client_for(config.pypi_url, config.npm_url)

    results = []
    for raw in packages:
        name, version, note = parse_package(eco, raw)
        notes = [note] if note else []
        entry: dict[str, Any] = {
            "input": raw, "name": name, "version": version, "status": "ok",
            "vulnerable": False, "advisories": [], "fixed_version": None,
            "name_check": None, "similar_to": None, "similarity": None, "exists": None, "notes": notes,
        }
        in_db = db is not None and db.has_package(eco, name)
        if version is not None and in_db:
            try:
                hits = db.affecting(eco, name, version)
            except Exception as e:  # noqa: BLE001 - a version the comparator cannot read
                hits = []
                notes.append(f"version {version!r} could not be compared: {type(e).__name__}")
            if V.parse(eco, version.lstrip("v") if eco == V.GO else version) is None:
                notes.append(f"{version!r} is not a {eco} version Redline can compare")
            if hits:
                entry["vulnerable"] = True
                entry["advisories"] = [
                    {
                        "id": a.id, "aliases": list(a.aliases), "severity": a.severity, "summary": a.summary,
                        "url": a.url, "fixed_versions": list(a.fixed_versions()),
                    }
                    for a in hits
                ]
                fixed = checks.smallest_safe(db.advisories(eco, name), eco, version)
                entry["fixed_version"] = V.display(eco, fixed) if fixed else None
        if in_db:
            entry["exists"] = True  # a package with an advisory exists in its registry
        if index is not None:
            verdict = index.check(name)
            entry["name_check"] = verdict.status
            if verdict.status == "typosquat":
                entry["similar_to"], entry["similarity"] = verdict.target, verdict.how
            if verdict.is_known:
                entry["exists"] = True
            if verdict.status == "private":
                notes.append("an npm scope no offline list knows (a private organisation's?): the name was not checked")
        elif not in_db:
            notes.append(f"Redline has no list of {eco} names offline: only the advisory database was checked")
        if client is not None and not entry["exists"]:
            answer = client.exists(eco, name)
            if answer is None:
                notes.append("the registry did not answer")
            else:
                entry["exists"] = answer
        # One word for the agent, the most serious first.
        if entry["exists"] is False:
            entry["status"] = "does-not-exist"
        elif entry["vulnerable"]:
            entry["status"] = "vulnerable"
        elif entry["name_check"] == "typosquat":
            entry["status"] = "possible-typosquat"
        elif entry["name_check"] == "unknown" and not entry["exists"]:
            entry["status"] = "unknown-name"
        if version is None and in_db and not note and entry["status"] == "ok":
            notes.append("no version given: pin one (==VERSION / @VERSION) to check it against the advisories")
        results.append(entry)
    return {
        "ecosystem": eco,
        "online": use_network,
        "database": {
            "snapshot": getattr(db, "snapshot", None) if db is not None else None,
            "data_date": db.data_date(eco) if db is not None else None,
            "note": db.staleness_note(eco) if db is not None else None,
            "error": db_error,
        },
        "packages": results,
        "config_problems": _problems(problems),
    }


# ---------------------------------------------------------------- rules


def explain_rule(code: str) -> dict[str, Any]:
    """The documentation of the rules `code` names (a code, a kebab-case name or a code prefix)."""
    from redline.cli import _rule_dict, _rule_doc
    from redline.rules.registry import default_registry

    selector = (code or "").strip()
    if not selector:
        raise BadInput("code is empty: give a rule code (RL101) or name (sql-injection)")
    registry = default_registry()
    found = registry.resolve(selector)
    if not found:
        raise BadInput(f"unknown rule {selector!r}: give a code (RL101), a name (sql-injection) or a prefix (RL1)")
    return {
        "rules": [{**_rule_dict(r, full=True), "suppress": f"# redline: ignore[{r.code}] <reason>"} for r in found],
        "text": "\n\n".join(_rule_doc(r) for r in found),
    }
