"""The server's state and the domain operations its handlers call.

A `Session` holds the open documents (one copy each, in `redline.documents.store`), their
analysis `State`s and diagnostic `Report`s, the configuration resolver, and the background
worker. Handlers translate protocol messages into calls here; everything the session wants to
tell the client goes through a `Sink` (publish diagnostics, log, ask for a diagnostic refresh).

Version discipline: a document's state and report always belong to the version the store holds,
once its analysis has run. A didChange is applied to the store at once, but its analysis (reparse,
fast engines, publish) waits until the client's messages already sent have been read (see
`input_pending`): several changes to a document queued behind a slow analysis cost one analysis
of the last version. Whatever reads a document's state first analyzes it if it is behind
(`flush`). Slow-engine results are merged only when the version they were computed for is still current;
otherwise they are dropped (the newer version has scheduled its own run).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import Counter
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence


from redline.config import Config, Problem
from redline.limits import SKIPPED
from redline.documents.positions import Encoding
from redline.documents.source import SourceFile, line_starts_of
from redline.documents.store import Change, Document, DocumentStore, uri_path
from redline.lsp import analysis, blocks as blocks_mod, convert
from redline.lsp.analysis import State
from redline.lsp.client import ClientFeatures
from redline.lsp.jobs import Debouncer, Jobs
from redline.lsp.settings import SOURCE as SETTINGS_SOURCE
from redline.lsp.settings import LogLevel, ServerSettings
from redline.lsp.workspace_config import ConfigResolver, is_config_file

log = logging.getLogger(__name__)

# A pause this long settles an inexact tree (see documents/store.py); the slow engines wait for
# the `slowEnginesDelayMs` setting.
SETTLE_DELAY_S = 0.15
# Syntax trees are the bulk of the memory (about 30 bytes per source byte). Only the documents
# edited most recently keep theirs between keystrokes; the others are parsed again from scratch
# (a few milliseconds for 2,000 lines) on their next change.
HOT_TREES = 8
# An engine other than the tree-sitter one that takes longer than this on a document (twice in a
# row, or once five times over) leaves the keystroke path for that document: it runs with the
# slow engines, debounced, in the worker.
FAST_ENGINE_BUDGET_MS = 4.0
# An incremental reparse on the keystroke path that takes longer than its budget gives up (the
# text is kept; see DocumentStore.change): the last findings are shown, shifted, until typing
# pauses. An unclosed bracket or quote makes tree-sitter re-read everything after it (10-25 ms
# of CPU for 10,000 lines of Python here) while an ordinary keystroke reparses in well under a
# millisecond and a new line in about 2.5 ms at that size, so the budget grows with the
# document (see reparse_budget). A document whose reparses keep giving up (a busy machine) is
# parsed in full after MAX_DEFERRED_S.
REPARSE_BUDGET_PER_LINE_S = 0.4e-6
REPARSE_BUDGET_MIN_S = 0.002
REPARSE_BUDGET_MAX_S = 0.008
MAX_DEFERRED_S = 0.5
# While the client's messages keep coming, a changed document's analysis waits for them (a later
# change makes it moot), but not longer than this.
MAX_COALESCE_S = 1.0
# Idle work (settle, slow engines) that finds other documents' changes waiting for their analysis
# tries again after this long.
BACKLOG_RETRY_S = 0.25


def reparse_budget(lines: int) -> float:
    """Seconds of CPU a keystroke's reparse of a `lines`-line document may take."""
    return min(max(lines * REPARSE_BUDGET_PER_LINE_S, REPARSE_BUDGET_MIN_S), REPARSE_BUDGET_MAX_S)


class Sink(Protocol):
    def publish(self, uri: str, version: int | None, diagnostics: list[dict]) -> None: ...

    def log(self, level: LogLevel, message: str) -> None: ...

    def show(self, level: LogLevel, message: str) -> None: ...

    def refresh(self) -> None: ...


@dataclass(frozen=True)
class Report:
    version: int | None
    result_id: str
    diagnostics: list[dict]  # LSP Diagnostic objects as JSON (see convert.py)
    raw: str | None = None  # the same as JSON text, when the converter made it


class TextOnlyStore(DocumentStore):
    """Documents kept as text only, never parsed: those over the size limit."""

    def open(self, uri: str, language_id: str, version: int, text: str) -> Document:
        data = text.encode("utf-8", "replace")
        doc = Document(uri, language_id, version, data, None, None, line_starts_of(data))
        self._docs[uri] = doc
        return doc


def path_to_uri(path: str | Path) -> str:
    return Path(path).absolute().as_uri()


class Session:
    def __init__(self, sink: Sink):
        self.sink = sink
        self.store = DocumentStore()
        self.text_only = TextOnlyStore()
        self.states: dict[str, State] = {}
        self.reports: dict[str, Report] = {}
        self.workspace_reports: dict[str, Report] = {}  # files that are not open (workspace scan)
        self.encoding = Encoding.UTF16
        self.client = ClientFeatures()
        self.settings = ServerSettings()
        self.init_settings = ServerSettings()  # from initializationOptions: the base of later settings
        self.resolver = ConfigResolver(known_rules=None)
        self.jobs = Jobs(use_process=True)
        self.debouncer = Debouncer()
        self._registry = None
        self._slow: dict[str, tuple[int, Any]] = {}  # uri -> (version, concurrent future)
        # Slow jobs wait here, not in the executor, and go to the worker one at a time (see
        # _next_slow): a job queued in a process pool can no longer be cancelled.
        self._slow_waiting: dict[str, tuple] = {}  # uri -> (version, worker.slow_scan arguments)
        self._slow_running: Any = None  # the concurrent future of the job in the worker
        self._ids = itertools.count(1)
        self._logged: dict[str, set[tuple[str, str]]] = {}
        self._published_problems: dict[str, tuple[Problem, ...]] = {}
        self._shown_settings_problems: tuple = ()
        self._exclude_cache: dict[tuple, Any] = {}
        self._converters: dict[str, convert.Converter] = {}
        self._hot: dict[str, None] = {}  # uris in order of last use, most recent last
        self._deferred: dict[str, frozenset[str]] = {}  # uri -> fast engines moved to the slow path
        self._frozen = False
        self._strikes: dict[str, dict[str, int]] = {}  # uri -> engine -> slow runs in a row
        self._engines_run: set[str] = set()  # engines that have run once (see _set)
        self._deferred_since: dict[str, float] = {}  # uri -> when its reparse first gave up (monotonic)
        # Documents changed since their last analysis -> when they first were (monotonic), oldest
        # first; `_drain` analyzes them once no client message is waiting to be read.
        self._dirty: dict[str, float] = {}
        self._unsettled: set[str] = set()  # inexact trees dropped before their pause (see _touch)
        self._drain_handle: asyncio.Handle | None = None
        # Set by the transport: whether messages from the client have arrived and not been
        # handled yet. Without one, every change is analyzed in turn.
        self.input_pending: Callable[[], bool] = lambda: False
        self.analyses = 0  # changes analyzed (reparse + fast engines), however many they covered
        # Inserted blocks (redline.lsp.blocks) per open document, in memory only; the findings
        # per block last reported, to tell when the code lenses changed; and the fingerprints of
        # each document's findings at the version it was opened with (findings_since_open).
        self.blocks: dict[str, tuple[blocks_mod.Block, ...]] = {}
        self._block_ids = itertools.count(1)
        self._lens_counts: dict[str, dict[str, int]] = {}
        self._opened: dict[str, tuple[int, Counter]] = {}  # uri -> (version opened, fingerprints)
        # Set by the code lens handler: ask the client to fetch code lenses again.
        self.lens_refresh: Callable[[], None] | None = None

    # ------------------------------------------------------------------ setup

    @property
    def registry(self):
        if self._registry is None:
            from redline.rules.registry import Registry, default_registry

            try:
                self._registry = default_registry()
            except Exception as e:  # noqa: BLE001 - serve (without rules) rather than die
                log.exception("loading the rules failed")
                self._registry = Registry([])
                message = f"Redline could not load its rules: {type(e).__name__}: {e}"
                self.sink.log(LogLevel.ERROR, message)
                self.sink.show(LogLevel.ERROR, message)
            self.resolver.known_rules = {r.code for r in self._registry.rules} | {r.name for r in self._registry.rules}
            self.resolver.invalidate()
        return self._registry

    def configure(self, settings: ServerSettings) -> None:
        self.settings = settings
        if not settings.review_lens:
            self.blocks.clear()  # the reports made next (config_changed) lose their tags
        _ = self.registry  # known rule names for validating selectors
        self.resolver.set_settings(settings)
        self.jobs.use_process = settings.worker_process

    def set_roots(self, roots: Sequence[Path]) -> None:
        self.resolver.set_roots(roots)

    # ------------------------------------------------------------------ logging

    def log(self, level: LogLevel, message: str) -> None:
        if level <= self.settings.log_level:
            self.sink.log(level, message)

    def _log_errors(self, uri: str, state: State) -> None:
        if not state.errors:
            return
        seen = self._logged.setdefault(uri, set())
        for name, error in state.errors:
            if (name, error) in seen:
                continue
            seen.add((name, error))
            if error.startswith(SKIPPED):  # stopped by its time limit (pipeline.skipped_reason)
                self.log(LogLevel.WARNING, f"{name} skipped {uri_path(uri)}: {error[len(SKIPPED):]}")
                continue
            self.log(
                LogLevel.ERROR,
                f"{name} failed on {uri_path(uri)}: {error}; its findings are left out, the rest are shown",
            )

    # ------------------------------------------------------------------ lookups

    def document(self, uri: str) -> Document | None:
        return self.store.get(uri) or self.text_only.get(uri)

    def config_for(self, path: str) -> Config:
        cfg = self.resolver.for_path(path)
        self._report_config_problems()
        return cfg

    def _excluded(self, path: str, config: Config) -> str | None:
        if not config.exclude or not os.path.isabs(path):
            return None
        from redline import files

        root = self.resolver.root_for(path) or Path(path).parent
        key = (config.source, config.exclude, str(root))
        if key not in self._exclude_cache:
            self._exclude_cache[key] = files.exclude_rules(config, root)
        rules = self._exclude_cache[key]
        if rules is None:
            return None
        target = Path(path)
        hit = files.ignored_by([rules], target, False)
        for folder in target.parents:  # a file inside an excluded folder (as `redline scan` does)
            if hit or folder == rules.base or rules.base not in folder.parents:
                break
            hit = files.ignored_by([rules], folder, True)
        if hit:
            return f"not scanned: matches exclude pattern {hit[1].pattern!r} ({hit[0].name})"
        return None

    # ------------------------------------------------------------------ reports

    def _new_report(self, uri: str, state: State, file: SourceFile | None) -> Report:
        diags: list[dict] = []
        raw = None
        if file is not None and state.findings:
            converter = self._converters.get(uri)
            if converter is None or converter.encoding is not self.encoding:
                converter = self._converters[uri] = convert.Converter(
                    uri, self.encoding, self.registry, self.client.related_information
                )
            diags = converter.convert(file, state.findings, state.version, self.blocks.get(uri, ()))
            raw = converter.json
        if not self.client.pull_diagnostics and uri in self._published_problems:
            diags, raw = diags + self._problem_diagnostics(uri), None
        return Report(state.version, f"{state.version}-{next(self._ids)}", diags, raw)

    def _publish(self, uri: str, report: Report) -> None:
        publish_raw = getattr(self.sink, "publish_raw", None)
        if report.raw is not None and publish_raw is not None:
            publish_raw(uri, report.version, report.raw)
        else:
            self.sink.publish(uri, report.version, report.diagnostics)

    def _set(self, uri: str, state: State, file: SourceFile | None, publish: bool = True) -> Report:
        for name, ms in state.timings:
            if name == analysis.TREE_SITTER or name in self._deferred.get(uri, ()):
                continue
            if name not in self._engines_run:
                # An engine's first run in the process loads its tables (detectors, indexes):
                # not a measure of what it costs per keystroke.
                self._engines_run.add(name)
                continue
            # One slow run may be a hiccup (a GC pause, a busy CPU): two in a row, or one far over.
            strikes = self._strikes.setdefault(uri, {})
            strikes[name] = strikes.get(name, 0) + 1 if ms > FAST_ENGINE_BUDGET_MS else 0
            if strikes[name] >= 2 or ms > 5 * FAST_ENGINE_BUDGET_MS:
                self._deferred[uri] = self._deferred.get(uri, frozenset()) | {name}
                state = analysis.defer(state, name)
                self.log(
                    LogLevel.INFO,
                    f"{name} took {ms:.0f} ms on {uri_path(uri)}: it now runs when typing pauses, "
                    "not on every keystroke, for this document",
                )
        self.states[uri] = state
        self._log_errors(uri, state)
        report = self._new_report(uri, state, file)
        self.reports[uri] = report
        self._blocks_analyzed(uri, state)
        if publish:
            if self.client.pull_diagnostics:
                pass  # the client pulls on its own after a change
            else:
                self._publish(uri, report)
        return report

    def _changed_in_background(self, uri: str) -> None:
        """Diagnostics changed without an edit (slow engines, settle, configuration)."""
        if self.client.pull_diagnostics:
            if self.client.diagnostic_refresh:
                self.sink.refresh()
        else:
            report = self.reports.get(uri)
            if report is not None:
                self._publish(uri, report)

    # ------------------------------------------------------------------ open / change / close

    def open(self, uri: str, language_id: str, version: int, text: str) -> None:
        if self.document(uri) is not None:
            self._forget(uri)
        path = uri_path(uri)
        config = self.config_for(path)
        reason = analysis.size_problem(_utf8_size(text, config.max_file_size), config)
        if reason:
            self.text_only.open(uri, language_id, version, text)
            self.log(LogLevel.INFO, f"{path}: {reason}")
            self._set(uri, analysis.skipped(version, reason), None)
            return
        doc = self.store.open(uri, language_id, version, text)
        self._clear_workspace_report(uri)
        self._analyze_full(doc, config, publish=True)
        self._touch(uri)
        self._schedule_idle(uri, 0.0)
        if not self._frozen:
            # Everything loaded so far (pygls, lsprotocol, rules, grammars) lives as long as the
            # process: keep it out of the cyclic GC's full collections, which otherwise pause a
            # keystroke for 20+ ms now and then.
            import gc

            gc.freeze()
            self._frozen = True
            self._warm_up_later()

    def _analyze_full(self, doc: Document, config: Config, publish: bool, keep_slow: tuple = ()) -> State:
        self._ensure_tree(doc)
        self._unsettled.discard(doc.uri)
        file = doc.source
        if file is None:
            state = analysis.skipped(doc.version, f"no Redline language for {doc.language_id!r}")
            self.log(LogLevel.DEBUG, f"{doc.path}: {state.skipped}")
        elif reason := self._excluded(doc.path, config):
            state = analysis.skipped(doc.version, reason)
            self.log(LogLevel.DEBUG, f"{doc.path}: {reason}")
        else:
            state = analysis.on_open(file, doc.version, config, self.registry, self._deferred.get(doc.uri, frozenset()))
            if keep_slow:
                state = analysis.merge_slow(state, file, keep_slow[0], keep_slow[1], config, self.registry)
        self._set(doc.uri, state, file, publish)
        return state

    def change(self, uri: str, version: int, changes: Sequence[Change]) -> bool:
        """Apply a didChange; False when it was ignored (unknown document or stale version).

        The text is updated now; the analysis runs from the event loop once the messages the
        client has already sent are read (or at once without a running loop)."""
        if uri in self.text_only:
            return self._change_text_only(uri, version, changes)
        before = self.store.get(uri)
        before_data = before.data if before is not None else b""
        if self.store.apply(uri, version, changes, self.encoding) is None:
            self.log(LogLevel.DEBUG, f"ignored change to {uri} version {version}: unknown document or stale version")
            return False
        self._track_blocks(uri, before_data, changes)
        self._cancel_slow(uri)
        self._dirty.setdefault(uri, time.monotonic())
        if not self._schedule_drain():
            self.flush(uri)
        return True

    def flush(self, uri: str | None = None) -> None:
        """Analyze `uri` (every document when None) now if a change to it is waiting."""
        for u in [uri] if uri is not None else list(self._dirty):
            if u in self._dirty:
                self._analyze_change(u)

    def _schedule_drain(self) -> bool:
        if self._drain_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no running event loop (unit tests call the session directly)
                return False
            self._drain_handle = loop.call_soon(self._drain)
        return True

    def _drain(self) -> None:
        """Analyze the changed document that has waited longest, unless client messages wait
        to be read (one may change it again); then come back for the next."""
        self._drain_handle = None
        if not self._dirty:
            return
        uri, since = next(iter(self._dirty.items()))
        try:
            if self.input_pending() and time.monotonic() - since < MAX_COALESCE_S:
                return
            self._analyze_change(uri)
        except Exception as e:  # noqa: BLE001 - one document's failure must not stop the others
            log.exception("analysis of %s failed", uri)
            self.log(LogLevel.ERROR, f"internal error analyzing {uri_path(uri)}: {type(e).__name__}: {e}")
        finally:
            if self._dirty:
                self._schedule_drain()

    def _analyze_change(self, uri: str) -> None:
        """Reparse and analyze the changes applied to `uri` since its last analysis, together."""
        self._dirty.pop(uri, None)
        since = self._deferred_since.get(uri)
        budget = None
        if since is None or time.monotonic() - since <= MAX_DEFERRED_S:
            doc = self.store.get(uri)
            budget = reparse_budget(len(doc.line_starts)) if doc is not None else None
        result = self.store.reparse(uri, budget)
        if result is None:
            return
        self.analyses += 1
        if result.reparsed_fully:
            self._unsettled.discard(uri)
        doc = result.document
        if result.deferred:
            self._deferred_since.setdefault(uri, time.monotonic())
        else:
            self._deferred_since.pop(uri, None)
        config = self.config_for(doc.path)
        reason = analysis.size_problem(len(doc.data), config)
        if reason:
            self.store.close(uri)
            self.text_only.open(uri, doc.language_id, doc.version, doc.data.decode("utf-8", "replace"))
            self.log(LogLevel.INFO, f"{doc.path}: {reason}")
            self._set(uri, analysis.skipped(doc.version, reason), None)
            return
        previous = self.states.get(uri)
        file = doc.source
        if result.deferred and previous is not None and previous.skipped is None and file is not None:
            # The reparse gave up (see reparse_budget): carry the findings over until it settles.
            self._set(uri, analysis.carry(previous, file, doc.version, result.edits, config, self.registry), file)
        elif previous is None or previous.skipped is not None or file is None:
            self._analyze_full(doc, config, publish=True)
        else:
            # The state's tree findings are always those of the tree the store held before this
            # change (scanned or rescanned, exact or not), and outside `changed_ranges` the new
            # tree equals it: rescan gives scan(new tree) even while the text has errors
            # (`result.reuse_previous` vouches for more: equality with a fresh parse). The idle
            # step settles inexact trees and scans them in full.
            state = analysis.on_change(
                previous, file, doc.version, result.edits, result.changed_ranges, config, self.registry,
                reuse_previous=not result.reparsed_fully, deferred=self._deferred.get(uri, frozenset()),
                provisional_ok=not result.exact or result.rebased,
            )
            self._set(uri, state, file)
        self._touch(uri)
        self._schedule_idle(uri, self.settings.slow_engines_delay_ms / 1000)

    def _touch(self, uri: str) -> None:
        """Mark `uri` as just used; drop the tree of the least recently used beyond HOT_TREES."""
        self._hot.pop(uri, None)
        self._hot[uri] = None
        while len(self._hot) > HOT_TREES:
            cold = next(iter(self._hot))
            del self._hot[cold]
            doc = self.store.get(cold)
            if doc is not None and doc.tree is not None:
                # The store parses a document without a tree from scratch on its next change
                # (ChangeResult.reparsed_fully); findings and reports stay as they are. One
                # whose tree may be wrong (see `settle`) is still parsed afresh at the pause.
                if not doc.exact and self.debouncer.pending("settle " + cold):
                    self._unsettled.add(cold)
                doc.drop_tree()

    def _warm_up_later(self) -> None:
        """A second after the first diagnostics, let engines that offer a module-level
        `warm_up()` (the dependencies engine: its lists and indexes) load in a thread, so the
        first manifest opened later is not slow."""
        import asyncio
        import sys

        from redline import pipeline

        hooks = []
        for engine in pipeline.enabled_engines(self.resolver.for_path(""), slow=False):
            hook = getattr(sys.modules.get(type(engine).__module__), "warm_up", None)
            if callable(hook):
                hooks.append(hook)

        def run() -> None:
            for hook in hooks:
                try:
                    hook()
                except Exception:  # noqa: BLE001 - an optional optimisation
                    log.debug("warm_up failed", exc_info=True)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if hooks:
            loop.call_later(1.0, lambda: loop.run_in_executor(None, run))

    def _ensure_tree(self, doc: Document) -> None:
        if doc.tree is None and doc.language is not None:
            doc.parse_afresh()

    def _change_text_only(self, uri: str, version: int, changes: Sequence[Change]) -> bool:
        result = self.text_only.change(uri, version, changes, self.encoding)
        if result is None:
            return False
        doc = result.document
        config = self.config_for(doc.path)
        reason = analysis.size_problem(len(doc.data), config)
        if reason:
            self._set(uri, analysis.skipped(doc.version, reason), None)
            return True
        # Small enough again: parse it and scan as if just opened.
        self.text_only.close(uri)
        self.log(LogLevel.INFO, f"{doc.path}: now within the size limit; scanning it")
        self.open(uri, doc.language_id, doc.version, doc.data.decode("utf-8", "replace"))
        return True

    def save(self, uri: str) -> None:
        self.flush(uri)
        doc = self.store.get(uri)
        if doc is not None:
            self._schedule_idle(uri, 0.0)
        if is_config_file(uri_path(uri)):
            self.config_changed()

    def close(self, uri: str) -> None:
        self._forget(uri)
        if not self.client.pull_diagnostics:
            self.sink.publish(uri, None, [])

    def _forget(self, uri: str) -> None:
        self.store.close(uri)
        self.text_only.close(uri)
        self.states.pop(uri, None)
        self.reports.pop(uri, None)
        self._converters.pop(uri, None)
        self._hot.pop(uri, None)
        self._deferred.pop(uri, None)
        self._strikes.pop(uri, None)
        self._deferred_since.pop(uri, None)
        self._dirty.pop(uri, None)
        self._unsettled.discard(uri)
        self._logged.pop(uri, None)
        self.blocks.pop(uri, None)
        self._lens_counts.pop(uri, None)
        self._opened.pop(uri, None)
        self._cancel_slow(uri)
        self.debouncer.cancel("settle " + uri)
        self.debouncer.cancel("slow " + uri)

    # ------------------------------------------------------------------ inserted blocks (blocks.py)

    def _track_blocks(self, uri: str, before: bytes, changes: Sequence[Change]) -> None:
        """Map the document's blocks through the changes just applied; a large one adds a block."""
        doc = self.store.get(uri)
        if not self.settings.review_lens or doc is None or doc.pending is None or not changes:
            return
        if not self.blocks.get(uri) and not any(
            len(c.text) >= min(self.settings.review_lens_min_lines, blocks_mod.CHARS_PER_LINE) for c in changes
        ):
            return  # typing in a document without blocks: nothing to map or make
        edits = doc.pending.edits[-len(changes):]
        try:
            moved = blocks_mod.track(
                self.blocks.get(uri, ()),
                before,
                [blocks_mod.Edit(e, c.text.encode("utf-8", "replace"), c.range is None) for e, c in zip(edits, changes)],
                doc.data,
                self.settings.review_lens_min_lines,
                lambda: f"b{next(self._block_ids)}",
            )
        except Exception as e:  # noqa: BLE001 - the review lens must never cost a keystroke
            log.exception("inserted-block tracking failed on %s", uri)
            self.log(LogLevel.ERROR, f"review lens: tracking {uri_path(uri)} failed: {type(e).__name__}: {e}")
            moved = ()
        if moved:
            self.blocks[uri] = moved
        else:
            self.blocks.pop(uri, None)

    def block_findings(self, uri: str) -> list[tuple[blocks_mod.Block, list]]:
        """Each block of the document with the findings in it (after pending changes' analysis)."""
        self.flush(uri)
        state = self.states.get(uri)
        findings = state.findings if state is not None and not state.skipped else ()
        out = []
        for b in self.blocks.get(uri, ()):
            out.append((b, [f for f in findings if blocks_mod.contains(b, f.span.start_byte, f.span.end_byte)]))
        return out

    def mark_block_reviewed(self, uri: str, block_id: str) -> bool:
        """Forget the block: its code lens and its findings' tag go. False for an unknown block."""
        self.flush(uri)
        current = self.blocks.get(uri, ())
        rest = tuple(b for b in current if b.id != block_id)
        if len(rest) == len(current):
            return False
        if rest:
            self.blocks[uri] = rest
        else:
            self.blocks.pop(uri, None)
        state, doc = self.states.get(uri), self.store.get(uri)
        if state is not None and doc is not None:
            self.reports[uri] = self._new_report(uri, state, doc.source)
            self._changed_in_background(uri)
            self._blocks_analyzed(uri, state)
        return True

    def findings_since_open(self, uri: str) -> list | None:
        """Findings of the document whose fingerprints were not among those at open (None for a
        document that is not open)."""
        self.flush(uri)
        state = self.states.get(uri)
        if state is None or uri not in self._opened:
            return None
        left = Counter(self._opened[uri][1])
        out = []
        for f in state.findings:
            if left[f.fingerprint] > 0:
                left[f.fingerprint] -= 1
            else:
                out.append(f)
        return out

    def _blocks_analyzed(self, uri: str, state: State) -> None:
        """After a new report: remember the findings at open; ask for code lenses again when a
        block's count of findings changed."""
        opened = self._opened.get(uri)
        if opened is None and uri in self.store:
            self._opened[uri] = (state.version, Counter(f.fingerprint for f in state.findings))
        elif opened is not None and opened[0] == state.version:
            # The version opened, with more engines' results (slow engines, settle).
            self._opened[uri] = (state.version, Counter(f.fingerprint for f in state.findings))
        if uri not in self.blocks and uri not in self._lens_counts:
            return
        counts = {
            b.id: sum(1 for f in state.findings if blocks_mod.contains(b, f.span.start_byte, f.span.end_byte))
            for b in self.blocks.get(uri, ())
        }
        if counts != self._lens_counts.get(uri):
            if counts:
                self._lens_counts[uri] = counts
            else:
                self._lens_counts.pop(uri, None)
            if self.lens_refresh is not None:
                self.lens_refresh()

    # ------------------------------------------------------------------ idle: settle + slow engines

    def _schedule_idle(self, uri: str, slow_delay_s: float) -> None:
        """After a short pause settle the tree; after `slow_delay_s` run the slow engines."""
        doc = self.store.get(uri)
        if doc is None:
            return
        version = doc.version
        try:
            state = self.states.get(uri)
            if not doc.exact or (state is not None and state.provisional):
                self.debouncer.schedule(
                    "settle " + uri, min(SETTLE_DELAY_S, slow_delay_s), lambda: self.settle(uri, version)
                )
            self.debouncer.schedule("slow " + uri, slow_delay_s, lambda: self.run_slow(uri, version))
        except RuntimeError:  # no running event loop (unit tests call the session directly)
            pass

    def settle(self, uri: str, version: int) -> None:
        """A pause in typing: replace a tree that error recovery may have got wrong by a fresh
        parse, scan it in full, and publish when the findings changed."""
        if uri in self._dirty:
            return  # a newer change waits for its analysis, which schedules the next pause
        doc = self.store.get(uri)
        state = self.states.get(uri)
        if doc is None or state is None or doc.version != version or state.skipped:
            return
        if self._dirty:
            # Other documents' changes wait for their analysis (a backlog): they come first.
            self.debouncer.schedule("settle " + uri, BACKLOG_RETRY_S, lambda: self.settle(uri, version))
            return
        settled = self.store.settle(uri)
        if uri in self._unsettled:
            self._unsettled.discard(uri)
            settled = True  # its tree is gone: _analyze_full parses afresh
        self._deferred_since.pop(uri, None)
        if settled or state.provisional:
            old = state.findings
            keep = (state.slow, state.slow_version) if state.slow_version is not None else ()
            state = self._analyze_full(doc, self.config_for(doc.path), publish=False, keep_slow=keep)
            # A report made on an inexact tree, or without one (a deferred reparse), may carry
            # suppression edits placed without knowing where strings end: replace it even when
            # the findings are the same.
            if settled or state.findings != old:
                self._changed_in_background(uri)
        if uri not in self._hot and doc.tree is not None:
            doc.drop_tree()  # left the hot trees while waiting for this pause (see _touch)
        self.log(LogLevel.DEBUG, f"idle {uri} version {version}: {'parsed afresh' if settled else 'tree exact'}")

    def run_slow(self, uri: str, version: int) -> None:
        """The user stopped typing: run the slow engines on this version."""
        if self._dirty and uri not in self._dirty:
            # Other documents' changes wait for their analysis (a backlog): they come first.
            self.debouncer.schedule("slow " + uri, BACKLOG_RETRY_S, lambda: self.run_slow(uri, version))
            return
        self.settle(uri, version)
        doc = self.store.get(uri)
        state = self.states.get(uri)
        if doc is None or state is None or doc.version != version or state.skipped:
            return
        self._start_slow(doc, self.config_for(doc.path))

    def _slow_engines(self, uri: str, file: SourceFile, config: Config) -> list[str]:
        """Names of the engines to run off the keystroke path for this document."""
        from redline import pipeline

        deferred = self._deferred.get(uri, frozenset())
        out = []
        for engine in pipeline.enabled_engines(config):
            if not (engine.slow or engine.name in deferred):
                continue
            try:
                if engine.applies(file):
                    out.append(engine.name)
            except Exception as e:  # noqa: BLE001
                self.log(LogLevel.ERROR, f"{engine.name} failed on {file.path}: {type(e).__name__}: {e}")
        return out

    # A slow job's engines each stop within `time-limit` seconds of CPU time; the worker runs at
    # a lower priority, so by the clock it may take several times that on a busy machine. A job
    # still running after this many times the limits (plus the grace) is stuck in C code.
    SLOW_JOB_OVERDUE_FACTOR = 6
    SLOW_JOB_GRACE_S = 30.0

    def _start_slow(self, doc: Document, config: Config) -> None:
        file = doc.source
        names = self._slow_engines(doc.uri, file, config) if file is not None else []
        if not names:
            return
        self._cancel_slow(doc.uri)
        self._slow_waiting[doc.uri] = (doc.version, (file.path, file.language, file.text, config, names))
        self._next_slow()

    def _next_slow(self) -> None:
        """Hand the job that has waited longest to the worker, unless it is busy. A running job
        ends within its engines' time limits (config `time-limit`, applied in the worker)."""
        if self._slow_running is not None or not self._slow_waiting:
            return
        from redline.lsp import worker

        uri = next(iter(self._slow_waiting))
        version, args = self._slow_waiting.pop(uri)
        fut, afut = self.jobs.submit(worker.slow_scan, *args)
        self._slow[uri] = (version, fut)
        self._slow_running = fut
        afut.add_done_callback(lambda f: self._slow_done(uri, version, f, fut))
        config, names = args[3], args[4]
        if config.time_limit > 0 and self.jobs.use_process:
            # The limit cannot interrupt one long call into C code: past this, stop the worker.
            overdue = len(names) * config.time_limit * self.SLOW_JOB_OVERDUE_FACTOR + self.SLOW_JOB_GRACE_S
            afut.get_loop().call_later(overdue, lambda: self._slow_overdue(uri, fut, overdue))

    def _slow_overdue(self, uri: str, job, seconds: float) -> None:
        """A slow job still running long after its engines' time limits: kill the worker (the
        next job starts a new one) and go on with the waiting jobs."""
        if self._slow_running is not job or job.done():
            return
        self.log(
            LogLevel.WARNING,
            f"slow engines still running on {uri_path(uri)} after {seconds:.0f} s: restarting the worker",
        )
        self._slow_running = None
        if self._slow.get(uri, (None, None))[1] is job:
            self._slow.pop(uri, None)
        self.jobs.shutdown()  # kills the process; the next submit starts a fresh one
        self._next_slow()

    def _cancel_slow(self, uri: str) -> None:
        """Drop the document's waiting slow job; a running one is discarded on return."""
        self._slow_waiting.pop(uri, None)
        pending = self._slow.pop(uri, None)
        if pending is not None:
            pending[1].cancel()  # a job the worker has not started yet

    def _slow_done(self, uri: str, version: int, fut, job=None) -> None:
        if job is not None and self._slow_running is job:
            self._slow_running = None
        try:
            self._slow_result(uri, version, fut)
        finally:
            self._next_slow()

    def _slow_result(self, uri: str, version: int, fut) -> None:
        if self._slow.get(uri, (None,))[0] == version:
            self._slow.pop(uri, None)
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            self.log(LogLevel.ERROR, f"slow engines failed on {uri_path(uri)}: {type(exc).__name__}: {exc}")
            if "BrokenProcessPool" in type(exc).__name__:
                self.jobs.broken()
            return
        doc = self.store.get(uri)
        state = self.states.get(uri)
        if doc is None or state is None or doc.version != version or state.version != version:
            return  # computed for an old version: never published
        findings, errors = fut.result()
        config = self.config_for(doc.path)
        file = doc.source
        new = analysis.merge_slow(state, file, findings, version, config, self.registry, errors)
        changed = new.findings != state.findings
        self._set(uri, new, file, publish=False)
        if changed:
            self._changed_in_background(uri)

    # ------------------------------------------------------------------ configuration

    def config_changed(self) -> None:
        """Settings or a configuration file changed: re-resolve and re-lint every open document."""
        self.flush()  # changes waiting for analysis first: the full scans below start from them
        self.resolver.invalidate()
        self._exclude_cache.clear()
        for doc in list(self.store):
            config = self.resolver.for_path(doc.path)
            reason = analysis.size_problem(len(doc.data), config)
            if reason:
                self.change_to_text_only(doc, reason)
                continue
            state = self.states.get(doc.uri)
            keep: tuple = ()
            if state is not None and state.slow_version is not None and not state.skipped:
                from redline import pipeline

                enabled = {e.name for e in pipeline.enabled_engines(config, slow=True)}
                enabled |= self._deferred.get(doc.uri, frozenset())
                keep = (tuple(f for f in state.slow if f.engine in enabled), state.slow_version)
            self._analyze_full(doc, config, publish=not self.client.pull_diagnostics, keep_slow=keep)
            if doc.uri not in self._hot and doc.tree is not None:
                doc.drop_tree()  # parsed for this scan only: only the hot documents keep theirs
            self._schedule_idle(doc.uri, 0.0)
        for doc in list(self.text_only):
            config = self.resolver.for_path(doc.path)
            if not analysis.size_problem(len(doc.data), config):
                self.text_only.close(doc.uri)
                self.open(doc.uri, doc.language_id, doc.version, doc.data.decode("utf-8", "replace"))
        self._report_config_problems()
        if self.client.pull_diagnostics and self.client.diagnostic_refresh:
            self.sink.refresh()

    def change_to_text_only(self, doc: Document, reason: str) -> None:
        self.store.close(doc.uri)
        self.text_only.open(doc.uri, doc.language_id, doc.version, doc.data.decode("utf-8", "replace"))
        self.log(LogLevel.INFO, f"{doc.path}: {reason}")
        self._set(doc.uri, analysis.skipped(doc.version, reason), None)

    def _problem_diagnostics(self, uri: str) -> list[dict]:
        return convert.problem_diagnostics(self._published_problems.get(uri, ()))

    def _report_config_problems(self) -> None:
        """Show problems in configuration files as diagnostics on those files (and in the log);
        log problems in the editor settings and show them once."""
        problems = self.resolver.problems
        current = {path_to_uri(p): tuple(ps) for p, ps in problems.items() if ps and p != SETTINGS_SOURCE}
        if current != self._published_problems:
            before, self._published_problems = self._published_problems, current
            for uri in sorted(set(current) | set(before)):
                if current.get(uri) == before.get(uri):
                    continue
                for p in current.get(uri, ()):
                    self.log(LogLevel.WARNING, f"configuration problem: {p}")
                state, doc = self.states.get(uri), self.store.get(uri)
                if state is not None and not self.client.pull_diagnostics:
                    self._set(uri, state, doc.source if doc else None)  # its report includes them
                else:
                    self.sink.publish(uri, None, self._problem_diagnostics(uri))
        settings_problems = tuple(problems.get(SETTINGS_SOURCE, ()))
        if settings_problems and settings_problems != self._shown_settings_problems:
            text = "; ".join(str(p) for p in settings_problems)
            self.log(LogLevel.WARNING, f"Redline settings: {text}")
            self.sink.show(LogLevel.WARNING, f"Redline: invalid settings ignored: {text}")
        self._shown_settings_problems = settings_problems

    # ------------------------------------------------------------------ workspace scan results

    def set_workspace_report(self, uri: str, diagnostics: list[dict]) -> None:
        if uri in self.reports:
            return  # open documents have their own, fresher diagnostics
        report = Report(None, f"ws-{next(self._ids)}", diagnostics)
        self.workspace_reports[uri] = report
        self.sink.publish(uri, None, diagnostics)

    def _clear_workspace_report(self, uri: str) -> None:
        if self.workspace_reports.pop(uri, None) is not None and self.client.pull_diagnostics:
            self.sink.publish(uri, None, [])  # the pull report takes over from the pushed one

    # ------------------------------------------------------------------ shutdown

    def shutdown(self) -> None:
        if self._drain_handle is not None:
            self._drain_handle.cancel()
            self._drain_handle = None
        self.debouncer.cancel_all()
        self._slow_waiting.clear()
        for uri in list(self._slow):
            self._cancel_slow(uri)
        self.jobs.shutdown()


def _utf8_size(text: str, limit: int) -> int:
    """The UTF-8 size of `text`, computed only when it could matter for `limit`."""
    if len(text) * 4 <= limit:
        return len(text)
    return len(text.encode("utf-8", "replace"))
