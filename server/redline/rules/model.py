"""The rule model: every rule, whatever engine runs it, is described by one `Rule` value.

Tree-sitter rules carry a `query` per language (with a `@match` capture that marks the reported
node) and optionally a named `predicate` and a named `fix` per language. Rules run by another engine (secrets
detectors, dependency checks, bandit imports) have no query and name their `engine`; they
still live in the same registry so that `redline rules`, SARIF, configuration and
suppressions treat all rules alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from redline.findings import Confidence, Severity

# Where rule documentation links point. The pages are docs/rules/RLnnn.md in the repository
# (rules/docs.py generates them). Redline has no public web host of its own, so no link is
# made up: the base is `$REDLINE_DOCS_URL`, else the installed package's project URL labelled
# "Rule documentation" ([project.urls] in pyproject.toml), else a repository URL labelled
# "Repository" or "Source" + DOCS_PATH; with none of them rules have no help link, and the
# documentation is `redline rules RL101` and the editor's "Show Rule Documentation" (offline).
ENV_DOCS_URL = "REDLINE_DOCS_URL"
DOCS_PATH = "/blob/HEAD/docs/rules/"


@lru_cache(maxsize=1)
def _metadata_docs_base() -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        urls = metadata("redline").get_all("Project-URL") or []
    except (ImportError, PackageNotFoundError, OSError, ValueError):
        return None
    labelled = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        labelled[label.strip().lower()] = url.strip()
    if labelled.get("rule documentation"):
        return labelled["rule documentation"]
    repo = labelled.get("repository") or labelled.get("source")
    return repo.rstrip("/").removesuffix(".git") + DOCS_PATH if repo else None


def docs_base() -> str | None:
    """The URL the rule pages are under (ends with "/"), or None when none is configured."""
    base = os.environ.get(ENV_DOCS_URL, "").strip() or _metadata_docs_base()
    if not base or not base.lower().startswith(("https://", "http://")):
        return None
    return base if base.endswith("/") else base + "/"


def help_uri_for(code: str) -> str | None:
    """The documentation page of rule `code` (`<base>RL101.md`), or None (see docs_base)."""
    base = docs_base()
    return f"{base}{code}.md" if base else None


@dataclass(frozen=True)
class Example:
    """A snippet a rule must flag (`invalid`) or must not flag (`valid`).

    `path` gives the file name to scan it as (e.g. "Dockerfile", "requirements.txt"); by default
    the snippet is scanned as a file of the rule's first language.
    """

    code: str
    path: str | None = None
    language: str | None = None  # the language of the table that listed it


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    languages: tuple[str, ...]
    message: str
    cwe: tuple[int, ...]
    severity: Severity
    confidence: Confidence
    docs: str
    valid: tuple[Example, ...]
    invalid: tuple[Example, ...]
    engine: str = "redline"
    # Per language: the tree-sitter query, the predicate name and the fix name.
    queries: tuple[tuple[str, str], ...] = ()
    predicates: tuple[tuple[str, str], ...] = ()
    fixes: tuple[tuple[str, str], ...] = ()
    # bandit test ids this rule covers, so `# nosec B608` and de-duplication line up.
    bandit: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    # The file roles (redline/roles.py) where the rule reports as it is; None: its family's
    # default policy (roles.FAMILY_POLICY).
    roles: tuple[str, ...] | None = None
    # Per-language message and default confidence, from [[extend]] tables.
    messages: tuple[tuple[str, str], ...] = ()
    confidences: tuple[tuple[str, Confidence], ...] = ()
    source_file: str = field(default="", compare=False)
    extended_in: tuple[str, ...] = field(default=(), compare=False)

    # Per-language lookups run for every query match (60,000 on Django): a scan of the few
    # pairs, the last one winning as dict() would, instead of building a dict each time.
    def message_for(self, language: str) -> str:
        return _lookup(self.messages, language, self.message)

    def confidence_for(self, language: str) -> Confidence:
        return _lookup(self.confidences, language, self.confidence)

    def query_for(self, language: str) -> str | None:
        return _lookup(self.queries, language, None)

    def predicate_for(self, language: str) -> str | None:
        return _lookup(self.predicates, language, None)

    def fix_for(self, language: str) -> str | None:
        return _lookup(self.fixes, language, None)

    @property
    def family(self) -> str:
        return {
            "1": "injection",
            "2": "secrets",
            "3": "crypto-and-configuration",
            "4": "dependencies",
            "5": "infrastructure",
            "9": "imported",
        }.get(self.code[2:3], "other")

    @property
    def help_uri(self) -> str | None:
        """The rule's page docs/rules/RLnnn.md under the configured base URL, else None."""
        return help_uri_for(self.code)

    @property
    def short_description(self) -> str:
        """The first sentence of the docs, else the name."""
        first = self.docs.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
        return first or self.name.replace("-", " ")

    def matches_selector(self, selector: str) -> bool:
        """True for the code, the name, or a code prefix like "RL1" / "RL10"."""
        return selector_matches(selector, self.code, self.name)


def _lookup(pairs: tuple, language: str, default):
    """dict(pairs).get(language, default) without the dict."""
    for lang, value in reversed(pairs):
        if lang == language:
            return value
    return default


# Rule codes are stable forever (DESIGN.md): a rule folded into another keeps its code and name
# as selectors of its successor, so `ignore = ["RL120"]` and `redline: ignore[RL120]` written
# against an older release keep working. code -> (name, successor code).
RETIRED: dict[str, tuple[str, str]] = {
    "RL120": ("stack-trace-exposure", "RL144"),  # Python stack traces in responses: now RL144's Python table
}
_RETIRED_NAMES = {name: successor for name, successor in RETIRED.values()}


def successor(selector: str) -> str:
    """The selector itself, or the successor's code when it names a retired rule exactly."""
    s = selector.strip()
    retired = RETIRED.get(s.upper())
    if retired:
        return retired[1]
    return _RETIRED_NAMES.get(s.lower(), s)


def selector_matches(selector: str, code: str, name: str, bandit_id: str | None = None) -> bool:
    """The one meaning of a selector in configuration, the CLI and suppressions: a rule's code
    (RL101), its name (sql-injection) or a code prefix (RL1, RL10); with `bandit_id`, also that
    bandit test id (B608). A retired rule's code or name stands for its successor (RETIRED)."""
    s = successor(selector)
    if not s:
        return False
    u = s.upper()
    if u == code or s.lower() == name or (u.startswith("RL") and code.startswith(u)):
        return True
    return bool(bandit_id) and u == bandit_id.upper()
