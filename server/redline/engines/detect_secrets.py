"""The detect-secrets engine (slow): Yelp's detect-secrets plugins and filters, line by line.

Scanning a whole 10k-line file with detect-secrets takes about 2 s, so the engine works on
lines, not files:

- `scan(file, config)` (what `redline scan` and `pipeline.analyze` call) runs every line;
- `scan_lines(file, rows)` runs only the given 0-based rows: the language server calls it with
  the rows that changed since its previous run;
- `rescan(file, old_text, old_findings)` does the bookkeeping for the server: it finds the rows
  that differ between `old_text` and `file.text` (common prefix and suffix of lines), keeps the
  old findings above them, shifts those below them, and scans the changed rows plus one row on
  each side (a `pragma: allowlist nextline secret` affects the next line). Its result equals
  `scan(file)` (a test checks it on random edits).

detect-secrets keeps its configuration in process-global state, so every call runs behind one
lock; the engine configures it once (all plugins, the default filters except
`is_invalid_file`, since an editor buffer need not exist on disk) and re-checks the
configuration on every call in case something else in the process changed it.

Each finding's detect-secrets type is mapped to the Redline rule for that kind of secret (AWS key
-> RL201, private key -> RL202, basic auth -> RL203, keyword on a password line -> RL204, other
keywords -> RL205); types no rule covers (public IPs) become RL902. Keyword and high-entropy
hits are kept only where Redline's context model (secrets/context.py) finds the value held by
a credential name, and then take that finding's code: a random-looking value is not a secret
by its looks alone (hex payloads, ETags, migration revision ids, checksums, UUIDs). The
pipeline then drops a detect-secrets finding on a line where the secrets engine reported the
same kind of secret (same line, same CWE: the `secrets` engine has priority). Values that
Redline's placeholder filters reject are dropped here too, so both engines agree on what a
placeholder is, and `pragma: allowlist secret` is honoured by detect-secrets' own filter and by
the pipeline's suppressions.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Iterable, Sequence

from redline import limits
from redline.config import Config
from redline.documents.source import SourceFile, line_starts_of
from redline.findings import Confidence, Finding, Fix, Related, Span, TextEdit
from redline.rules.registry import default_registry
from redline.secrets import filters as flt
from redline.secrets import context, fixes, hits, keys, names, scanner, urls
from redline.secrets.hits import Hit
from redline.secrets.redact import redact

log = logging.getLogger(__name__)

CONTEXT_LINES = 5  # detect-secrets' own code snippet size
_lock = threading.RLock()
_plugin_names: frozenset[str] | None = None

# detect-secrets type -> (Redline code, confidence)
TYPE_CODES: dict[str, tuple[str, str]] = {
    "AWS Access Key": (hits.TOKEN, "high"),
    "Azure Storage Account access key": (hits.TOKEN, "high"),
    "Artifactory Credentials": (hits.TOKEN, "medium"),
    "Cloudant Credentials": (hits.TOKEN, "medium"),
    "Discord Bot Token": (hits.TOKEN, "medium"),
    "GitHub Token": (hits.TOKEN, "high"),
    "GitLab Token": (hits.TOKEN, "high"),
    "IBM Cloud IAM Key": (hits.TOKEN, "medium"),
    "IBM COS HMAC Credentials": (hits.TOKEN, "medium"),
    "JSON Web Token": (hits.TOKEN, "medium"),
    "Mailchimp Access Key": (hits.TOKEN, "high"),
    "NPM tokens": (hits.TOKEN, "high"),
    "OpenAI Token": (hits.TOKEN, "high"),
    "PyPI Token": (hits.TOKEN, "high"),
    "SendGrid API Key": (hits.TOKEN, "high"),
    "Slack Token": (hits.TOKEN, "high"),
    "SoftLayer Credentials": (hits.TOKEN, "medium"),
    "Square OAuth Secret": (hits.TOKEN, "high"),
    "Stripe Access Key": (hits.TOKEN, "high"),
    "Telegram Bot Token": (hits.TOKEN, "medium"),
    "Twilio API Key": (hits.TOKEN, "medium"),
    "Private Key": (hits.PRIVATE_KEY, "high"),
    "Basic Auth Credentials": (hits.URL, "medium"),
    "Secret Keyword": (hits.SECRET, "low"),
}
OTHER = ("RL902", "low")
_ENV = {"AWS Access Key": "AWS_ACCESS_KEY_ID", "GitHub Token": "GITHUB_TOKEN", "Slack Token": "SLACK_TOKEN",
        "Stripe Access Key": "STRIPE_SECRET_KEY", "OpenAI Token": "OPENAI_API_KEY", "NPM tokens": "NPM_TOKEN"}


def _configure() -> None:
    """Point detect-secrets' global settings at every plugin and the default filters (minus
    `is_invalid_file`). Must be called with `_lock` held."""
    global _plugin_names
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import get_filters, get_plugins, get_settings

    # detect-secrets logs the values it skips at INFO level ("Skipping <secret> due to ..."):
    # keep its logger quiet whatever the process's logging configuration says.
    logging.getLogger("detect-secrets").setLevel(logging.ERROR)
    wanted = frozenset(cls.__name__ for cls in get_mapping_from_secret_type_to_class().values())
    settings = get_settings()
    if _plugin_names == wanted and frozenset(settings.plugins) == wanted and (
        "detect_secrets.filters.common.is_invalid_file" not in settings.filters
    ):
        return
    settings.clear()
    settings.configure_plugins([{"name": name} for name in sorted(wanted)])
    settings.disable_filters("detect_secrets.filters.common.is_invalid_file")
    get_plugins.cache_clear()
    get_filters.cache_clear()
    _plugin_names = wanted


def _line_text(file: SourceFile, starts: list[int], row: int) -> str:
    start = starts[row]
    end = starts[row + 1] if row + 1 < len(starts) else len(file.text)
    return file.text[start:end].rstrip(b"\r\n").decode("utf-8", "replace")


def _code_for(kind: str, line: str) -> tuple[str, str]:
    code, confidence = TYPE_CODES.get(kind, OTHER)
    if kind == "Secret Keyword":
        lowered = line.lower()
        if any(p in lowered for p in names.PASSWORD_PARTS) or any(
            names.classify(w) is names.Kind.PASSWORD for w in lowered.replace("=", " ").replace(":", " ").split()[:3]
        ):
            code = hits.PASSWORD
    return code, confidence


# Types that Redline's own detectors also recognise by format: a detect-secrets finding of one of
# these is kept only when Redline's detector for the format confirms the line (so placeholders
# such as `AKIA` + `ZZZ...` or an `ASIA` inside an English word are dropped alike).
FORMAT_TYPES = frozenset({
    "AWS Access Key", "Azure Storage Account access key", "Artifactory Credentials", "Discord Bot Token",
    "GitHub Token", "GitLab Token", "JSON Web Token", "Mailchimp Access Key", "NPM tokens", "OpenAI Token",
    "PyPI Token", "SendGrid API Key", "Slack Token", "Square OAuth Secret", "Stripe Access Key",
    "Telegram Bot Token", "Twilio API Key",
})


def _confirm(kind: str, value: bytes, file: SourceFile, line_start: int, line_end: int) -> Hit | bool:
    """Apply Redline's own filters (and format checks) to a detect-secrets value: False to drop
    it, True to keep it, or Redline's own hit for the same value (whose span is more exact)."""
    line = file.text[line_start:line_end]
    if kind == "Private Key":
        found = keys.scan(file.text, line_start, line_end)
        return found[0] if found else False
    if kind == "Basic Auth Credentials":
        found = urls.scan_line(line, line_start)
        return found[0] if found else False
    if kind in FORMAT_TYPES:
        found = scanner.token_hits(line, line_start)
        return found[0] if found else False
    if kind == "Public IP (ipv4)":
        return True
    if kind in CONTEXT_TYPES:
        # A keyword or a random-looking string is a credential only where Redline's context
        # model says so: a value assigned, passed or mapped to a credential name, outside comments
        # and docstrings, not a placeholder's message. Hex test payloads, ETags, migration
        # revisions (`down_revision = "ae1027a6acf"`), checksums and UUIDs held by other names
        # are not reported.
        found = scanner.context_hits(file.text, file.language, file.path, line_start, line_end)
        col = line.find(value) if value else -1
        for hit in found:
            if col < 0 or (hit.start - line_start < col + len(value) and col < hit.end - line_start):
                if hit.confidence != context.UNGATED:
                    return hit  # Redline reports it too: one finding, the context's code
                # Held by a credential name, but Redline's value filters took it for a stand-in
                # (a random string that happens to contain `demo`): detect-secrets' second
                # opinion stays, as RL902, for its random-looking types only.
                return kind != "Secret Keyword" and not flt.reason(value, flt.TOKEN_FILTERS)
        return False
    return not flt.reason(value, flt.TOKEN_FILTERS)


# detect-secrets types judged by Redline's context model (see `_confirm`).
CONTEXT_TYPES = frozenset({"Secret Keyword", "Hex High Entropy String", "Base64 High Entropy String"})


class DetectSecretsEngine:
    name = "detect-secrets"
    slow = True
    # Off by default (issue 13, docs/engines.md): with its keyword and entropy plugins gated by
    # Redline's context it added one record to secrets.jsonl (a Bedrock key now found by the
    # secrets engine) and one false finding on real code. `[engines] detect-secrets = true`
    # turns it back on.
    default_on = False

    def applies(self, file: SourceFile) -> bool:
        return bool(file.text) and not scanner.is_binary(file.text)

    def scan(self, file: SourceFile, config: Config | None = None) -> list[Finding]:
        return self.scan_lines(file, range(file.line_count))

    def scan_lines(self, file: SourceFile, rows: Iterable[int]) -> list[Finding]:
        """Findings on the given 0-based rows only (out-of-range rows are ignored)."""
        if not self.applies(file):
            return []
        from detect_secrets.core import scan as ds_scan
        from detect_secrets.settings import get_plugins
        from detect_secrets.util.code_snippet import CodeSnippet

        starts = file.line_starts
        wanted = sorted({r for r in rows if 0 <= r < len(starts)})
        if not wanted:
            return []
        filename = file.path or "untitled"
        out: list[Finding] = []
        with _lock:
            _configure()
            if ds_scan._is_filtered_out(required_filter_parameters=["filename"], filename=filename):
                return []
            plugins = get_plugins()
            for row in wanted:
                limits.check()  # see redline/limits.py
                lo, hi = max(0, row - CONTEXT_LINES), min(len(starts), row + CONTEXT_LINES + 1)
                snippet = [_line_text(file, starts, r) for r in range(lo, hi)]
                context = CodeSnippet(snippet=snippet, start_line=lo, target_index=row - lo)
                line = snippet[row - lo]
                if not line.strip():
                    continue
                if ds_scan._is_filtered_out(
                    required_filter_parameters=["line"], filename=filename, line=line, context=context
                ):
                    continue
                found = []
                for plugin in plugins:
                    for secret in ds_scan._scan_line(
                        plugin=plugin, filename=filename, line=line, line_number=row + 1, context=context
                    ):
                        if not ds_scan._is_filtered_out(
                            required_filter_parameters=["context"],
                            filename=filename,
                            secret=secret.secret_value,
                            plugin=plugin,
                            line=line,
                            context=context,
                        ):
                            found.append((secret.type, secret.secret_value or ""))
                out.extend(self._findings(file, row, line, found))
        return out

    def _findings(self, file: SourceFile, row: int, line: str, found: list[tuple[str, str]]) -> list[Finding]:
        span = file.line_span(row)
        raw = file.text[span.start_byte : span.end_byte]
        out: list[Finding] = []
        seen: set[tuple[str, int]] = set()
        registry = default_registry()
        for kind, value in found:
            secret = value.encode("utf-8")
            col = raw.find(secret) if secret else -1
            start = span.start_byte + col if col >= 0 else span.start_byte
            end = start + len(secret) if col >= 0 else span.end_byte
            confirmed = _confirm(kind, secret, file, span.start_byte, span.end_byte)
            if not confirmed:
                continue
            if isinstance(confirmed, Hit):  # Redline's detector knows where the value really is
                start, end = confirmed.start, confirmed.end
                col = start - span.start_byte
                secret = file.text[start:end]
            if (kind, start) in seen:
                continue
            seen.add((kind, start))
            code, confidence = _code_for(kind, line)
            if kind in CONTEXT_TYPES:
                # confirmed by the context: its credential kind (de-duplicated with Redline's
                # finding); a second opinion on a value Redline dropped: RL902
                code = confirmed.code if isinstance(confirmed, Hit) else OTHER[0]
            rule = registry.by_code[code]
            ls, le, q = scanner.enclosing_literal(raw, start - span.start_byte, end - span.start_byte)
            hit = Hit(
                code=code,
                detector="detect-secrets",
                title=f"{kind} (detect-secrets)",
                start=start,
                end=end,
                lit_start=span.start_byte + ls,
                lit_end=span.start_byte + le,
                quote=q,
                env=_ENV.get(kind, "SECRET"),
                confidence=confidence,
            )
            shown = redact(secret, 4)
            args = {"What": f"{kind} (detect-secrets)", "what": f"{kind} (detect-secrets)", "redacted": shown,
                    "where": "in the source", "env": fixes.env_var(hit), "name": ""}
            out.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    message=rule.message_for(file.language).format_map(_Args(args)),
                    severity=rule.severity,
                    confidence=Confidence.parse(confidence),
                    cwe=rule.cwe,
                    span=file.span(start, end),
                    engine=self.name,
                    fixes=fixes.fixes_for(file, hit) if col >= 0 else (),
                    properties=(
                        ("detect_secrets_type", kind),
                        ("secret_length", str(len(secret))),
                        ("redacted", shown),
                    ),
                )
            )
        # A generic finding (high-entropy string, keyword) on the bytes of a specific one (a
        # provider's format) adds nothing.
        def generic(f: Finding) -> bool:
            return f.code == OTHER[0] or f.property("detect_secrets_type") in CONTEXT_TYPES

        specific = [f for f in out if not generic(f)]
        return [
            f for f in out
            if not generic(f)
            or not any(f.span.start_byte < g.span.end_byte and g.span.start_byte < f.span.end_byte for g in specific)
        ]

    # ----------------------------------------------------------------- incremental use

    def rescan(self, file: SourceFile, old_text: bytes, old_findings: Sequence[Finding]) -> list[Finding]:
        """Findings for `file` given the findings of the same engine for `old_text`: only the
        rows that changed (and their neighbours) are scanned again."""
        first, last_new, last_old = changed_rows(old_text, file.text)
        if first is None:
            return list(old_findings)
        old_starts = line_starts_of(old_text)
        new_starts = file.line_starts
        lo = max(0, first - 1)
        hi_new = min(len(new_starts) - 1, last_new + 1)
        hi_old = min(len(old_starts) - 1, last_old + 1)
        d_rows = hi_new - hi_old
        # bytes where the unchanged tail starts, in the old and the new text
        tail_old = old_starts[hi_old + 1] if hi_old + 1 < len(old_starts) else len(old_text)
        tail_new = new_starts[hi_new + 1] if hi_new + 1 < len(new_starts) else len(file.text)
        d_bytes = tail_new - tail_old
        kept: list[Finding] = []
        for f in old_findings:
            row = f.span.start_line
            if row < lo:
                kept.append(f)
            elif row > hi_old:
                kept.append(_shift(f, tail_old, d_bytes, d_rows))
        fresh = self.scan_lines(file, range(lo, hi_new + 1))
        return sorted(kept + fresh, key=lambda f: f.sort_key)


class _Args(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def changed_rows(old: bytes, new: bytes) -> tuple[int | None, int, int]:
    """(first changed row, last changed row in `new`, last changed row in `old`) by comparing
    lines from both ends; (None, -1, -1) when the texts are equal."""
    if old == new:
        return None, -1, -1
    a = old.split(b"\n")
    b = new.split(b"\n")
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    j = 0
    while j < len(a) - i and j < len(b) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    return i, len(b) - 1 - j, len(a) - 1 - j


def _shift_span(span: Span, at: int, d_bytes: int, d_rows: int) -> Span:
    if span.start_byte < at:
        return span
    return Span(
        span.start_byte + d_bytes,
        span.end_byte + d_bytes,
        (span.start_point[0] + d_rows, span.start_point[1]),
        (span.end_point[0] + d_rows, span.end_point[1]),
    )


def _shift(f: Finding, at: int, d_bytes: int, d_rows: int) -> Finding:
    fixes_ = tuple(
        Fix(fx.title, tuple(TextEdit(_shift_span(e.span, at, d_bytes, d_rows), e.new_text) for e in fx.edits), fx.safe)
        for fx in f.fixes
    )
    related = tuple(Related(_shift_span(r.span, at, d_bytes, d_rows), r.message) for r in f.related)
    return replace(f, span=_shift_span(f.span, at, d_bytes, d_rows), fixes=fixes_, related=related)


ENGINE = DetectSecretsEngine()
