"""From a file to the findings a user sees: run engines, merge, de-duplicate, suppress, filter.

`analyze` is what the CLI and the tests call for a whole file. The language server calls the
same steps separately (`run_engines` for the engines it wants now, `finalize` on the merge), so
both paths apply the same de-duplication, suppressions, configuration and fingerprints.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

from redline import languages as langs
from redline import limits
from redline import roles
from redline.config import Config
from redline.documents.source import SourceFile
from redline.engines import all_engines
from redline.engines.base import Engine, PartialResult
from redline.findings import LIMIT_CODE, LIMIT_NAME, Confidence, Finding, Severity, assign_fingerprints
from redline.rules import suppressions
from redline.rules.model import selector_matches
from redline.rules.registry import Registry, default_registry

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    findings: list[Finding]
    # (engine or rule, error) pairs: something failed and its results were dropped.
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped: str | None = None  # why the file was not scanned


def make_source(
    path: str, text: bytes, language: str | None = None, language_id: str | None = None, lazy: bool = False
) -> SourceFile | None:
    """Parse `text` as `path`; None when Redline has no language for it. `lazy`: parse when
    something first asks for the tree (LazySourceFile)."""
    lang = language or langs.detect(path, language_id)
    if lang is None:
        return None
    if lazy:
        return LazySourceFile(path=path, language=lang, text=text)
    tree = langs.parse(lang, text) if langs.has_grammar(lang) else None
    return SourceFile(path=path, language=lang, text=text, tree=tree)


class LazySourceFile(SourceFile):
    """A SourceFile parsed on the first use of `tree`: with the result cache (redline/cache.py),
    a file whose results all come from the cache is read, never parsed (parsing was about 40%
    of a warm scan). A parse that fails raises there, in the engine or step that asked."""

    @property
    def tree(self):
        try:
            return self.__dict__["_tree"]
        except KeyError:
            pass
        tree = langs.parse(self.language, self.text) if langs.has_grammar(self.language) else None
        self.__dict__["_tree"] = tree
        return tree

    @tree.setter
    def tree(self, value) -> None:
        if value is not None:  # None is the dataclass default: not parsed yet
            self.__dict__["_tree"] = value

    @property
    def parsed(self) -> bool:
        return "_tree" in self.__dict__


def enabled_engines(config: Config, slow: bool | None = None) -> list[Engine]:
    """Engines switched on in `config`; `slow` True/False keeps only slow/fast ones."""
    return [
        e
        for e in all_engines()
        if config.engine_enabled(e.name, e.default_on) and (slow is None or e.slow == slow)
    ]


def run_engines(
    file: SourceFile, config: Config, engines: Iterable[Engine]
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Run each engine that applies; an engine that raises loses only its own results.

    Each engine's `applies` and `scan` together get `config.time_limit` seconds of CPU time on
    the file (redline/limits.py); an engine stopped by the limit loses its results for this file
    and is reported in the errors with `skipped_reason` as the message; one that runs out of
    memory (worker processes cap theirs: config `memory-limit`) with `limits.OUT_OF_MEMORY`."""
    findings: list[Finding] = []
    errors: list[tuple[str, str]] = []
    for engine in engines:
        try:
            findings.extend(limits.call(config.time_limit, _run_one, engine, file, config))
        except PartialResult as partial:
            findings.extend(partial.findings)
            errors.extend(partial.errors)
        except limits.TimeLimitExceeded:
            log.warning("%s stopped on %s: time limit of %s s", engine.name, file.path, config.time_limit)
            errors.append((engine.name, skipped_reason(config.time_limit)))
        except MemoryError:
            log.warning("%s ran out of memory on %s", engine.name, file.path)
            errors.append((engine.name, limits.OUT_OF_MEMORY))
        except Exception as e:  # noqa: BLE001 - isolation is the point
            log.exception("engine %s failed on %s", engine.name, file.path)
            errors.append((engine.name, f"{type(e).__name__}: {e}"))
    return findings, errors


def _run_one(engine: Engine, file: SourceFile, config: Config) -> list[Finding]:
    return engine.scan(file, config) if engine.applies(file) else []


def skipped_reason(seconds: float) -> str:
    return (
        f"{limits.SKIPPED}stopped after {limits.format_seconds(seconds)} of CPU time "
        "(the time-limit setting); its findings for this file are left out"
    )


_ENGINE_PRIORITY = {"redline": 0, "secrets": 0}  # own detectors before imported engines


def _priority(f: Finding) -> tuple:
    width = f.span.end_byte - f.span.start_byte
    # Of two findings for one weakness, keep the one the user can fix with a click.
    return (_ENGINE_PRIORITY.get(f.engine, 1), -f.confidence.rank, -f.severity.rank, not f.fixes, width, f.code)


_OVERLAP_CHECKS = 16


@dataclass
class _Line:
    """What is already kept on one line, indexed so that each new finding costs O(its CWEs)."""

    spans: set = field(default_factory=set)  # (code, span)
    ranges: dict = field(default_factory=dict)  # (code, bandit id) -> [(start_byte, end_byte)] kept
    by_cwe: dict = field(default_factory=dict)  # cwe -> {(code, engine)}
    bandit_covered: set = field(default_factory=set)  # bandit ids covered by kept Redline rules


def deduplicate(findings: Sequence[Finding], registry: Registry) -> list[Finding]:
    """On one line, keep one finding per CWE: Redline's own rules before imported ones, then the
    most confident and the narrowest. A bandit finding is also dropped where a Redline rule that
    covers its test id fired on the same line. Linear in the number of findings."""
    kept: list[Finding] = []
    lines: dict[int, _Line] = {}
    for f in sorted(findings, key=_priority):
        line = lines.setdefault(f.span.start_line, _Line())
        me = (f.code, f.engine)
        if (f.code, f.span) in line.spans:
            continue
        # The same rule on overlapping code of one line is one weakness reported twice (a
        # rule matching both `eval(...)` and the `compile(...)` inside it): keep the first.
        # Two separate values on one line (two secrets) do not overlap and both stay.
        # (bandit's findings are one rule per test id; a few ranges per rule and line are
        # looked at, so a pathological line with thousands of findings stays linear)
        rid = (f.code, f.property("bandit_id"))
        s, e = f.span.start_byte, f.span.end_byte
        if any(s < ke and ks < e or s == ks for ks, ke in line.ranges.get(rid, ())[:_OVERLAP_CHECKS]):
            continue
        if any(line.by_cwe.get(c, set()) - {me} for c in f.cwe):
            continue
        bid = f.property("bandit_id")
        if bid and bid in line.bandit_covered:
            continue
        line.spans.add((f.code, f.span))
        line.ranges.setdefault(rid, []).append((s, e))
        for c in f.cwe:
            line.by_cwe.setdefault(c, set()).add(me)
        if f.engine == "redline":
            rule = registry.by_code.get(f.code)
            if rule:
                line.bandit_covered.update(rule.bandit)
        kept.append(f)
    return kept


def apply_config(findings: Iterable[Finding], config: Config, registry: Registry) -> list[Finding]:
    if (
        not config.select and not config.ignore and not config.severity
        and config.min_severity.rank == 0 and config.min_confidence.rank == 0
    ):
        return list(findings)  # the defaults keep everything as it is (runs on every keystroke)
    out = []
    for f in findings:
        if config.select and not any(_selected(s, f) for s in config.select):
            continue
        if any(_selected(s, f) for s in config.ignore):
            continue
        sev = config.severity_for(f.code, f.name, f.severity)
        if sev != f.severity:
            f = replace(f, severity=sev)
        if f.severity.rank < config.min_severity.rank or f.confidence.rank < config.min_confidence.rank:
            continue
        out.append(f)
    return out


def _selected(selector: str, f: Finding) -> bool:
    return selector_matches(selector, f.code, f.name, f.property("bandit_id"))


def relative_path(file: SourceFile, config: Config) -> str:
    """The file's path relative to its project root (the scan root, the configuration file's
    folder or the nearest version-control root: the deepest that holds it), for file roles."""
    return _relative(file.path, config)


def _relative(path: str, config: Config) -> str:
    conf_dir = os.path.dirname(config.source) if os.path.isabs(config.source) else ""
    return roles.relative_path(path, (config.root, conf_dir))


def role_of(path: str, text: bytes, config: Config) -> tuple[str, str]:
    """(role, relative path) of the file at `path` with content `text` (redline/roles.py),
    configuration overrides applied. Needs no parse: `files.read_source` skips a generated
    file before parsing it (a 1.9 MB minified bundle cost 2 s and 330 MB to parse and drop)."""
    global _last_role
    last = _last_role
    if last is not None and last[0] == path and last[1] is text and last[2] is config:
        return last[3]
    rel = _relative(path, config)
    out = roles.role_of(rel, text, config.role_overrides), rel
    _last_role = (path, text, config, out)
    return out


# The last answer of role_of: a scan asks twice per file (files.read_source before parsing,
# finalize after the engines), with the same bytes object; the content check is a regular
# expression over the file's head (4% of a warm cached scan of Django). Identity, not equality:
# the entry holds `text`, so no other bytes object can take its id while it is here.
_last_role: tuple | None = None


def file_role(file: SourceFile, config: Config) -> tuple[str, str]:
    """(role, relative path) of `file`."""
    return role_of(file.path, file.text, config)


def generated_reason(rel: str) -> str:
    return roles.SKIP_REASON.format(path=rel)


def apply_roles(findings: Sequence[Finding], role: str, rel: str, config: Config, registry: Registry) -> list[Finding]:
    """The file-role policy (roles.policy_action: each rule's `roles`, else its family's
    default; config `roles = { test = "report" }`) and `per-file-ignores`. Findings outside
    production carry their role in `properties` ("role")."""
    ignores = [sels for glob, sels in config.per_file_ignores if roles.glob_matches(glob, rel)]
    if role == roles.PRODUCTION and not ignores:
        return list(findings)
    policy = dict(config.role_policy)
    out = []
    for f in findings:
        if f.code == LIMIT_CODE:
            out.append(f)
            continue
        if any(_selected(s, f) for sels in ignores for s in sels):
            continue
        if role != roles.PRODUCTION:
            rule = registry.by_code.get(f.code)
            family = "secrets" if f.engine in ("secrets", "detect-secrets") else (rule.family if rule else "other")
            action = roles.policy_action(
                role, family, rule.roles if rule else None, f.confidence is Confidence.HIGH, policy, f.code
            )
            if action == roles.DROP:
                continue
            if action == roles.HINT and f.severity is not Severity.HINT:
                f = replace(f, severity=Severity.HINT)
            if f.property("role") != role:  # a finding carried from an earlier run has it already
                f = replace(f, properties=tuple(p for p in f.properties if p[0] != "role") + (("role", role),))
        out.append(f)
    return out


# A Python library's public functions hand their callers' values to commands and code evaluation
# on purpose: invoke and fabric run the command they are given, template engines compile the
# template they are given. Without an untrusted source (request data, files from the network:
# a finding with `related` information), a command or code sink in a library states the API's
# contract, not a vulnerability; on 59 real releases every such finding was noise (issue 13,
# bench/results/triage.md). Applications, snippets without a manifest and `application = true`
# keep them.
LIBRARY_CONTRACT_CODES = frozenset({"RL102", "RL103"})


def apply_library_policy(file: SourceFile, findings: list[Finding], config: Config) -> list[Finding]:
    """Drop Redline's RL102/RL103 findings that have no untrusted source when `file` is a file of
    a Python library on disk (deps.imports: setup.py, setup.cfg or a pyproject.toml with
    [build-system], and no requirements.txt or Pipfile). Text that is no saved file (a new
    editor buffer, standard input, an agent's proposed file) keeps them: new code is reviewed
    as code, whatever project it lands in."""
    if config.application is True or file.language != "python" or not os.path.isfile(file.path):
        return findings
    contract = [f for f in findings if f.code in LIBRARY_CONTRACT_CODES and not f.related and f.engine == "redline"]
    if not contract:
        return findings
    from redline.deps.imports import workspace_for

    ws = workspace_for(file.path, "python")
    if ws is None or not ws.library:
        return findings
    drop = {id(f) for f in contract}
    return [f for f in findings if id(f) not in drop]


def finalize(file: SourceFile, findings: Sequence[Finding], config: Config, registry: Registry | None = None) -> list[Finding]:
    """Apply the file role (nothing for generated files; roles.py), de-duplicate, drop
    suppressed findings, apply the configuration, cap the number of findings
    (`max-findings-per-file`, with one summary finding), assign fingerprints."""
    registry = registry or default_registry()
    role, rel = file_role(file, config)
    if role == roles.GENERATED:
        return []
    stops = [f for f in findings if f.code == LIMIT_CODE]  # an engine stopped early (rules/engine.py)
    if stops:
        findings = [f for f in findings if f.code != LIMIT_CODE]
    merged = deduplicate(findings, registry)
    sup = suppressions.parse(file)
    if sup:
        merged = [
            f
            for f in merged
            if not suppressions.is_suppressed(
                sup, f, registry.by_code[f.code].bandit if f.code in registry.by_code else ()
            )
        ]
        merged += suppressions.problem_findings(file, sup, registry)  # malformed markers: never suppressed
    merged = apply_roles(merged, role, rel, config, registry)
    merged = apply_library_policy(file, merged, config)
    merged = apply_config(merged, config, registry)
    merged = cap_findings(file, merged, config, stops)
    return sorted(assign_fingerprints(merged, file.text), key=lambda f: f.sort_key)


def _rank(f: Finding) -> tuple:
    """Which findings a capped file shows first: the most severe, then the most confident,
    then the earliest."""
    return (-f.severity.rank, -f.confidence.rank, f.span.start_byte, f.span.end_byte, f.code)


def cap_findings(file: SourceFile, findings: list[Finding], config: Config, stops: Sequence[Finding] = ()) -> list[Finding]:
    """At most `config.max_findings_per_file` findings (the most severe and confident) and, when
    some are left out or an engine stopped early (`stops`), one summary finding that says how
    many and of which rules. Linear in the number of findings but for sorting them."""
    cap = config.max_findings_per_file
    if (cap <= 0 or len(findings) <= cap) and not stops:
        return findings
    if cap > 0 and len(findings) > cap:
        ordered = sorted(findings, key=_rank)
        kept, hidden = ordered[:cap], ordered[cap:]
    else:
        kept, hidden = list(findings), []
    summary = _summary(file, hidden, cap, stops)
    if any(_selected(s, summary) for s in config.ignore):
        return kept
    return kept + [summary]


def _summary(file: SourceFile, hidden: list[Finding], cap: int, stops: Sequence[Finding]) -> Finding:
    parts = []
    if hidden:
        counts: dict[str, int] = {}
        for f in hidden:
            counts[f"{f.code} {f.name}"] = counts.get(f"{f.code} {f.name}", 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        rules = ", ".join(f"{name} ×{n}" for name, n in top[:5]) + (f", {len(top) - 5} more rules" if len(top) > 5 else "")
        noun = "finding" if len(hidden) == 1 else "findings"
        parts.append(
            f"{len(hidden)} more {noun} not shown in this file ({rules}); only the {cap} most severe are "
            "shown (setting max-findings-per-file / maxFindingsPerFile, 0 shows all)"
        )
    for stop in stops:
        parts.append(stop.message)
    at = min((s.span.start_byte for s in stops), default=0) if not hidden else 0
    return Finding(
        code=LIMIT_CODE,
        name=LIMIT_NAME,
        message="; ".join(parts),
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        cwe=(),
        span=file.span(at, at),
        engine="redline",
        properties=(("hidden", str(len(hidden))), ("cap", str(cap)))
        + ((("stopped_after", stops[0].property("stopped_after") or ""),) if stops else ()),
    )


def analyze(file: SourceFile, config: Config, *, slow: bool = True) -> Analysis:
    """Every enabled engine (fast only when `slow` is False) over a whole file."""
    role, rel = file_role(file, config)
    if role == roles.GENERATED:
        return Analysis([], skipped=generated_reason(rel))
    engines = enabled_engines(config, None if slow else False)
    raw, errors = run_engines(file, config, engines)
    return Analysis(finalize(file, raw, config), errors)


def analyze_text(path: str | Path, text: str | bytes, config: Config | None = None, *, slow: bool = True) -> Analysis:
    """Convenience for tests and the demo: scan `text` as if it were the file `path`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    file = make_source(str(path), data)
    if file is None:
        return Analysis([], skipped=langs.skip_reason(path))
    return analyze(file, config or Config(), slow=slow)
