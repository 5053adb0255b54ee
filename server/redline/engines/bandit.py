"""bandit as an engine: its checks run in memory on the buffer text.

bandit has no public in-memory API: `BanditManager` reads files from disk. We build a fresh
manager per run (results, metrics and the meta-AST live on it, so nothing leaks from one run
into the next) and drive its `BanditNodeVisitor` over a `BytesIO` of the buffer, exactly what
the manager does for a file. bandit keeps global state (the plugin registry, loggers), so runs
are serialized by a lock.

The checks in `DEFAULT_OFF` (asserts, imports, try/except/pass...) are dropped unless the
configuration turns them on (`bandit-checks`). Results are mapped onto Redline's rules: a bandit test listed in a rule's `bandit = [...]`
is that rule's concern. While the engine that runs that rule is on, the rule has already judged
the code with more context (taint, constants, sanitizers), so bandit's result for that test is
dropped; with that engine off the result is reported under the rule's code. Every other bandit
result becomes RL901 with bandit's test id in the message and in `properties` (`bandit_id`,
which `# nosec B105` and SARIF use), and bandit's own CWE, severity and confidence.

A buffer that does not parse gives no results (`[]`, no exception): bandit needs a complete
AST. The language server keeps the previous results of slow engines while the buffer has
syntax errors (`SKIPS_UNPARSABLE` below says so), instead of clearing them.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import warnings

from redline import limits
from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding, Severity
from redline.rules.registry import default_registry

log = logging.getLogger(__name__)

IMPORTED_CODE = "RL901"
_SEVERITY = {"LOW": Severity.INFO, "MEDIUM": Severity.WARNING, "HIGH": Severity.ERROR}
_CONFIDENCE = {"LOW": Confidence.LOW, "MEDIUM": Confidence.MEDIUM, "HIGH": Confidence.HIGH, "UNDEFINED": Confidence.LOW}
# bandit checks that do not run by default, each with the reason: they flag patterns rather than
# weaknesses, or a Redline rule judges the same code with more context. `bandit-checks =
# ["B101"]` in the configuration (or the id in `select`) turns one back on. The checks that do
# run by default are listed in README.md ("bandit checks on by default").
DEFAULT_OFF: dict[str, str] = {
    "B101": "assert: the tool of tests and type narrowing; 94% of all findings on real code, almost never a security check",
    "B110": "try/except/pass: a code-quality pattern, not a weakness",
    "B112": "try/except/continue: a code-quality pattern, not a weakness",
    "B311": "random: Redline's randomness rule reports it where the value is used for security",
    "B401": "import telnetlib: an import is not a weakness; the use is what matters (B312, RL rules)",
    "B402": "import ftplib: an import is not a weakness; the use is what matters (B321, RL rules)",
    "B404": "import subprocess: an import is not a weakness; Redline's command-injection rule checks the calls",
    "B411": "import xmlrpc: an import is not a weakness (and defusedxml.xmlrpc next to it is the fix)",
    "B412": "import of wsgiref/CGI handlers (httpoxy): an import, reported as an error by bandit, on every CGI adapter",
    "B415": "import pyghmi: an import is not a weakness",
    "B603": "subprocess without a shell: the safe form; Redline's command-injection rule checks tainted arguments",
    "B607": "a program started by name (PATH lookup): ordinary in scripts and tools, rarely exploitable",
    # Measured (bench/engines.py, docs/engines.md): checks that added findings and no true one.
    "B108": "'/tmp' in a string: no true finding on the labelled sets (6 added, 0 at a labelled weakness) or in real code (test paths only)",
    "B413": "import of the Crypto package: today that is pycryptodome (maintained, same namespace); on the labelled sets it flagged no record Redline missed and 4 safe ones",
    "B702": "any use of Mako: on real code only the template libraries themselves (mako, bottle's adapter: 9 findings, none true); nothing on the labelled sets",
}
_lock = threading.Lock()
_config = None


def _bandit_config():
    global _config
    if _config is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from bandit.core import config as b_config

            logging.getLogger("bandit").setLevel(logging.ERROR)
            _config = b_config.BanditConfig()
    return _config


def run_bandit(text: bytes, path: str = "buffer.py") -> list:
    """bandit's issues for `text` (all tests, all severities, `# nosec` not applied: Redline's
    suppressions handle it). Raises SyntaxError when the text does not parse."""
    fname = path if path.endswith(".py") and os.path.isfile(path) else "buffer.py"
    with _lock, warnings.catch_warnings():
        # SyntaxWarnings of the scanned code, and stevedore's deprecation notes when bandit
        # loads its plugins, are not the user's business.
        warnings.simplefilter("ignore")
        from bandit.core import manager as b_manager
        from bandit.core import node_visitor

        manager = b_manager.BanditManager(_bandit_config(), "file", quiet=True)
        manager.metrics.begin(fname)
        visitor = _visitor_class(node_visitor.BanditNodeVisitor)(
            fname, io.BytesIO(text), manager.b_ma, manager.b_ts, False, {}, manager.metrics
        )
        visitor.process(text)
        return list(visitor.tester.results)


_visitor = None


def _visitor_class(base):
    """bandit's node visitor with a time-limit check per node (redline/limits.py: it stops a
    run whose limit fired even where the interrupt itself was swallowed)."""
    global _visitor
    if _visitor is None:

        class Visitor(base):
            def visit(self, node):
                limits.check()
                return super().visit(node)

        _visitor = Visitor
    return _visitor


def _span(file: SourceFile, issue):
    starts = file.line_starts
    row = max(0, min(int(issue.lineno or 1) - 1, len(starts) - 1))
    lines = [int(x) for x in (issue.linerange or []) if isinstance(x, int)]
    end_row = max(row, min(max(lines) - 1 if lines else row, len(starts) - 1))
    line_len = len(file.line(row))
    col = max(0, min(int(issue.col_offset or 0), line_len))
    end_len = len(file.line(end_row))
    end_col = getattr(issue, "end_col_offset", None)
    if not isinstance(end_col, int) or end_col < 0 or (end_row == row and end_col <= col):
        end_row, end_col = row, line_len
    end_col = min(end_col, end_len)
    start = starts[row] + col
    end = starts[end_row] + end_col
    return file.span(start, max(start, end))


def _covering_rules(language: str) -> dict:
    """bandit test id -> the Redline rule that covers it for `language`."""
    out = {}
    for rule in default_registry().rules:
        if language in rule.languages or rule.engine != "redline":
            for bid in rule.bandit:
                out.setdefault(bid, rule)
    return out


def to_findings(file: SourceFile, issues, config: Config) -> list[Finding]:
    registry = default_registry()
    imported = registry.by_code.get(IMPORTED_CODE)
    covering = _covering_rules(file.language)
    out = []
    for issue in issues:
        bid = str(issue.test_id)
        if bid in DEFAULT_OFF and not config.bandit_check_on(bid):
            continue
        rule = covering.get(bid)
        bandit_cwe = getattr(getattr(issue, "cwe", None), "id", 0) or 0
        props = (("bandit_id", bid), ("bandit_test", str(issue.test)))
        severity = _SEVERITY.get(str(issue.severity).upper(), Severity.WARNING)
        confidence = _CONFIDENCE.get(str(issue.confidence).upper(), Confidence.MEDIUM)
        if rule is not None:
            if config.engine_enabled(rule.engine, True):
                continue  # the rule already judged this code, with more context
            out.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    message=f"{issue.text} (bandit {bid})",
                    severity=rule.severity,
                    confidence=confidence,
                    cwe=rule.cwe,
                    span=_span(file, issue),
                    engine="bandit",
                    properties=props,
                )
            )
            continue
        out.append(
            Finding(
                code=IMPORTED_CODE,
                name=imported.name if imported else "bandit",
                message=f"{issue.text} [bandit {bid}: {issue.test}]",
                severity=severity,
                confidence=confidence,
                cwe=(int(bandit_cwe),) if bandit_cwe else (imported.cwe if imported else (710,)),
                span=_span(file, issue),
                engine="bandit",
                properties=props,
            )
        )
    return out


class BanditEngine:
    name = "bandit"
    slow = True
    # Off by default (issue 13, docs/engines.md): measured on real code and the labelled sets,
    # the checks it runs by default added one true finding (B113), which RL336 now reports.
    # `[engines] bandit = true` (or the editor's `redline.engines`) turns it back on.
    default_on = False
    # Gives [] for a buffer with syntax errors: keep the previous results meanwhile.
    SKIPS_UNPARSABLE = True

    def applies(self, file: SourceFile) -> bool:
        # Not while the buffer has syntax errors: the server then keeps the previous results
        # instead of starting a run that can only report nothing.
        return file.language == "python" and not (file.tree is not None and file.tree.root_node.has_error)

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        if file.tree is not None and file.tree.root_node.has_error:
            return []
        try:
            issues = run_bandit(file.text, file.path)
        except (SyntaxError, ValueError, RecursionError):
            return []  # not parseable by Python's own parser (or too deep): nothing to say
        # A MemoryError is not caught: the pipeline reports bandit as having skipped the file.
        return to_findings(file, issues, config)


ENGINE = BanditEngine()
