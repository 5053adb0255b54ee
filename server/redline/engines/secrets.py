"""The secrets engine (fast, every keystroke): Redline's own detectors over any text file.

Detection lives in `redline.secrets` (prefilter, token formats as data, context, URLs, private
keys, filters); this module turns its hits into findings of the RL2xx rules of
`rules/builtin/secrets.toml`: a redacted message (never the whole secret), the rule's CWE and
severity, the hit's confidence, and the two quick fixes (environment lookup, allowlist pragma).
"""

from __future__ import annotations

from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding
from redline.rules.registry import default_registry
from redline.secrets import fixes, scanner
from redline.secrets.hits import Hit
from redline.secrets.redact import redact


class _Args(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def where(hit: Hit) -> str:
    """How the message says where the secret is."""
    if hit.name:
        return f"in '{hit.name}'"
    return {
        "basic-auth-option": "in a -u/--user option",
        "connection-string-password": "in a connection string",
    }.get(hit.detector, "in the source")


def to_finding(file: SourceFile, hit: Hit) -> Finding:
    rule = default_registry().by_code[hit.code]
    secret = file.text[hit.start : hit.end]
    shown = redact(secret, hit.shown)
    args = _Args(what=hit.title, redacted=shown, where=where(hit), env=fixes.env_var(hit), name=hit.name)
    title = hit.title[:1].upper() + hit.title[1:]
    args["What"] = title
    return Finding(
        code=rule.code,
        name=rule.name,
        message=rule.message_for(file.language).format_map(args),
        severity=rule.severity,
        confidence=Confidence.parse(hit.confidence),
        cwe=rule.cwe,
        span=file.span(hit.start, hit.end),
        engine=ENGINE.name,
        fixes=fixes.fixes_for(file, hit),
        properties=(
            ("detector", hit.detector),
            ("secret_length", str(len(secret))),
            ("redacted", shown),
        ),
    )


class SecretsEngine:
    name = "secrets"
    slow = False
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        return bool(file.text) and not scanner.is_binary(file.text)

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        hits = scanner.scan_text(file.text, file.language, file.path)
        return [to_finding(file, h) for h in hits]


ENGINE = SecretsEngine()
