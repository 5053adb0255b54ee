"""The server's state and the domain operations its handlers call.

A `Session` holds one `OpenDocument` record per open document (its text and tree, analysis
`State`, published `Report`, pending slow work, inserted blocks), the configuration resolver and
the background worker. Handlers translate protocol messages into calls here; everything the
session wants to tell the client goes through a `Sink` (publish diagnostics, log, ask for a
diagnostic refresh).

Version discipline: a document's state and report always belong to the version its record holds,
once its analysis has run. A didChange is applied to the text at once, but its analysis (reparse,
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence


from redline.config import Config, Problem
from redline.limits import SKIPPED
from redline.documents.positions import Encoding
from redline.documents.source import SourceFile
from redline.documents.store import Change, Document, MarkerCheck, open_document, uri_path
from redline.lsp import analysis, blocks as blocks_mod, convert
from redline.lsp.analysis import State
from redline.lsp.client import ClientFeatures
from redline.lsp.jobs import Debouncer, Jobs
from redline.lsp.settings import SOURCE as SETTINGS_SOURCE
from redline.lsp.settings import LogLevel, ServerSettings
from redline.lsp.workspace_config import ConfigResolver, is_config_file
from redline.workspace import ReadIndex

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
# A file that other open documents' findings depend on changed (saved, or changed on disk): they
# are re-checked after this pause, so that a burst of file events costs one re-check each.
DEPENDENTS_DELAY_S = 0.1


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


@dataclass
class SlowWork:
    """A document's slow-engine job: waiting for the worker (`args` set, in `queued` order) or
    handed to it (`future` set). Its result is merged only into the version it was made for."""

    version: int
    queued: int
    args: tuple | None = None  # worker.slow_scan arguments while waiting
    future: Any = None  # the concurrent future once in the worker


@dataclass(eq=False)
class OpenDocument:
    """Everything the server holds for one open document."""

    doc: Document  # text, version, tree (documents/store.py)
    text_only: bool = False  # over the size limit: kept as text, never parsed or scanned
    state: State | None = None  # the analysis of `doc.version`, once analyzed (see the module docstring)
    report: Report | None = None  # the diagnostics made from `state`
    converter: convert.Converter | None = None  # re-uses unchanged diagnostics between versions
    # The keystroke path.
    dirty_since: float | None = None  # changed since its last analysis (monotonic)
    deferred_since: float | None = None  # when its reparse first gave up (monotonic)
    unsettled: bool = False  # an inexact tree dropped before its pause (see Session._touch)
    last_used: int = 0  # when it was last opened or analyzed (Session tick): the hot trees
    # Engines other than tree-sitter moved to the slow path for this document (too slow), and
    # each engine's slow runs in a row.
    deferred: frozenset[str] = frozenset()
    strikes: dict[str, int] = field(default_factory=dict)
    logged: set[tuple[str, str]] = field(default_factory=set)  # engine errors already logged
    slow: SlowWork | None = None
    # Inserted blocks (redline.lsp.blocks), the findings per block last reported (to tell when
    # the code lenses changed), and the fingerprints of the findings at the version opened.
    blocks: tuple[blocks_mod.Block, ...] = ()
    lens_counts: dict[str, int] = field(default_factory=dict)
    opened: tuple[int, Counter] | None = None

    @property
    def uri(self) -> str:
        return self.doc.uri


def path_to_uri(path: str | Path) -> str:
    return Path(path).absolute().as_uri()


class Session:
    def __init__(self, sink: Sink):
        self.sink = sink
        self.docs: dict[str, OpenDocument] = {}
        self.workspace_reports: dict[str, Report] = {}  # files that are not open (workspace scan)
        self.encoding = Encoding.UTF16
        self.client = ClientFeatures()
        self.settings = ServerSettings()
        self.init_settings = ServerSettings()  # from initializationOptions: the base of later settings
        self.resolver = ConfigResolver(known_rules=None)
        self.jobs = Jobs(use_process=True)
        self.debouncer = Debouncer()
        self._registry = None
        self._markers: MarkerCheck | None = None
        # Slow jobs wait in their documents' records, not in the executor, and go to the worker
        # one at a time (see _next_slow): a job queued in a process pool can no longer be cancelled.
        self._slow_running: Any = None  # the concurrent future of the job in the worker
        self._ids = itertools.count(1)
        self._ticks = itertools.count(1)
        self._published_problems: dict[str, tuple[Problem, ...]] = {}
        self._shown_settings_problems: tuple = ()
        self._exclude_cache: dict[tuple, Any] = {}
        self._frozen = False
        self._engines_run: set[str] = set()  # engines that have run once (see _set)
        self._drain_handle: asyncio.Handle | None = None
        # Set by the transport: whether messages from the client have arrived and not been
        # handled yet. Without one, every change is analyzed in turn.
        self.input_pending: Callable[[], bool] = lambda: False
        self.analyses = 0  # changes analyzed (reparse + fast engines), however many they covered
        # Which open documents' findings depend on which other files (Java calls into other
        # classes of the project): a change to one of those re-checks them (files_changed).
        self.reads = ReadIndex()
        self._block_ids = itertools.count(1)
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

    @property
    def markers(self) -> MarkerCheck:
        """How documents tell whether their text may hold a suppression marker (rules layer)."""
        if self._markers is None:
            from redline.rules.suppressions import MARKER_MARGIN, has_markers

            self._markers = MarkerCheck(has_markers, MARKER_MARGIN)
        return self._markers

    def configure(self, settings: ServerSettings) -> None:
        self.settings = settings
        if not settings.review_lens:
            for rec in self.docs.values():
                rec.blocks = ()  # the reports made next (config_changed) lose their tags
        _ = self.registry  # known rule names for validating selectors
        self.resolver.set_settings(settings)
        self.jobs.use_process = settings.worker_process

    def set_roots(self, roots: Sequence[Path]) -> None:
        self.resolver.set_roots(roots)

    # ------------------------------------------------------------------ logging

    def log(self, level: LogLevel, message: str) -> None:
        if level <= self.settings.log_level:
            self.sink.log(level, message)

    def _log_errors(self, rec: OpenDocument, state: State) -> None:
        for name, error in state.errors:
            if (name, error) in rec.logged:
                continue
            rec.logged.add((name, error))
            if error.startswith(SKIPPED):  # stopped by its time limit (pipeline.skipped_reason)
                self.log(LogLevel.WARNING, f"{name} skipped {rec.doc.path}: {error[len(SKIPPED):]}")
                continue
            self.log(
                LogLevel.ERROR,
                f"{name} failed on {rec.doc.path}: {error}; its findings are left out, the rest are shown",
            )

    # ------------------------------------------------------------------ lookups

    def record(self, uri: str) -> OpenDocument | None:
        """The open document's record as it is (a change may wait for its analysis)."""
        return self.docs.get(uri)

    def current(self, uri: str) -> OpenDocument | None:
        """The open document's record with its last change analyzed: what requests answer from."""
        self.flush(uri)
        return self.docs.get(uri)

    def document(self, uri: str) -> Document | None:
        rec = self.docs.get(uri)
        return rec.doc if rec is not None else None

    def report(self, uri: str) -> Report | None:
        """The diagnostics of an open document, else those a workspace scan left for the file."""
        rec = self.docs.get(uri)
        if rec is not None and rec.report is not None:
            return rec.report
        return self.workspace_reports.get(uri)

    def reports(self) -> list[tuple[str, Report]]:
        """Every report: the workspace scan's for files that are not open, then the open ones'."""
        out = list(self.workspace_reports.items())
        out.extend((uri, rec.report) for uri, rec in self.docs.items() if rec.report is not None)
        return out

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

    def _new_report(self, rec: OpenDocument, state: State, file: SourceFile | None) -> Report:
        diags: list[dict] = []
        raw = None
        uri = rec.uri
        if file is not None and state.findings:
            converter = rec.converter
            if converter is None or converter.encoding is not self.encoding:
                converter = rec.converter = convert.Converter(
                    uri, self.encoding, self.registry, self.client.related_information
                )
            diags = converter.convert(file, state.findings, state.version, rec.blocks)
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

    def _set(self, rec: OpenDocument, state: State, file: SourceFile | None, publish: bool = True) -> Report:
        """Make `state` the document's analysis and its report; publish unless told not to (or
        the client pulls)."""
        for name, ms in state.timings:
            if name == analysis.TREE_SITTER or name in rec.deferred:
                continue
            if name not in self._engines_run:
                # An engine's first run in the process loads its tables (detectors, indexes):
                # not a measure of what it costs per keystroke.
                self._engines_run.add(name)
                continue
            # One slow run may be a hiccup (a GC pause, a busy CPU): two in a row, or one far over.
            rec.strikes[name] = rec.strikes.get(name, 0) + 1 if ms > FAST_ENGINE_BUDGET_MS else 0
            if rec.strikes[name] >= 2 or ms > 5 * FAST_ENGINE_BUDGET_MS:
                rec.deferred |= {name}
                state = analysis.defer(state, name)
                self.log(
                    LogLevel.INFO,
                    f"{name} took {ms:.0f} ms on {rec.doc.path}: it now runs when typing pauses, "
                    "not on every keystroke, for this document",
                )
        rec.state = state
        self._log_errors(rec, state)
        rec.report = self._new_report(rec, state, file)
        self._blocks_analyzed(rec, state)
        if publish and not self.client.pull_diagnostics:  # a pulling client asks after a change
            self._publish(rec.uri, rec.report)
        return rec.report

    def _changed_in_background(self, rec: OpenDocument) -> None:
        """Diagnostics changed without an edit (slow engines, settle, configuration)."""
        if self.client.pull_diagnostics:
            if self.client.diagnostic_refresh:
                self.sink.refresh()
        elif rec.report is not None:
            self._publish(rec.uri, rec.report)

    # ------------------------------------------------------------------ open / change / close

    def open(self, uri: str, language_id: str, version: int, text: str) -> None:
        self._forget(uri)
        path = uri_path(uri)
        config = self.config_for(path)
        reason = analysis.size_problem(_utf8_size(text, config.max_file_size), config)
        if reason:
            rec = self.docs[uri] = OpenDocument(open_document(uri, language_id, version, text, parse=False), text_only=True)
            self.log(LogLevel.INFO, f"{path}: {reason}")
            self._set(rec, analysis.skipped(version, reason), None)
            return
        rec = self.docs[uri] = OpenDocument(open_document(uri, language_id, version, text, self.markers))
        self._clear_workspace_report(uri)
        self._analyze_full(rec, config, publish=True)
        self._touch(rec)
        self._schedule_idle(rec, 0.0)
        if not self._frozen:
            # Everything loaded so far (pygls, lsprotocol, rules, grammars) lives as long as the
            # process: keep it out of the cyclic GC's full collections, which otherwise pause a
            # keystroke for 20+ ms now and then.
            import gc

            gc.freeze()
            self._frozen = True
            self._warm_up_later()

    def _analyze_full(self, rec: OpenDocument, config: Config, publish: bool, keep_slow: tuple = ()) -> State:
        doc = rec.doc
        if doc.tree is None and doc.language is not None:
            doc.parse_afresh()
        rec.unsettled = False
        file = doc.source
        if file is None:
            state = analysis.skipped(doc.version, f"no Redline language for {doc.language_id!r}")
            self.log(LogLevel.DEBUG, f"{doc.path}: {state.skipped}")
        elif reason := self._excluded(doc.path, config):
            state = analysis.skipped(doc.version, reason)
            self.log(LogLevel.DEBUG, f"{doc.path}: {reason}")
        else:
            state = analysis.on_open(file, doc.version, config, self.registry, rec.deferred)
            self._note_reads(rec, full=True)
            if keep_slow:
                state = analysis.merge_slow(state, file, keep_slow[0], keep_slow[1], config, self.registry)
        self._set(rec, state, file, publish)
        return state

    def _note_reads(self, rec: OpenDocument, full: bool) -> None:
        """Record the other files the analysis just made read (ReadIndex)."""
        from redline.rules.predicates.taint_core import take_external_reads

        self.reads.note(rec.doc.path, take_external_reads(rec.doc.path), replace=full)

    def change(self, uri: str, version: int, changes: Sequence[Change]) -> bool:
        """Apply a didChange; False when it was ignored (unknown document or stale version).

        The text is updated now; the analysis runs from the event loop once the messages the
        client has already sent are read (or at once without a running loop)."""
        rec = self.docs.get(uri)
        before = rec.doc.data if rec is not None else b""
        if rec is None or not rec.doc.apply(version, changes, self.encoding):
            self.log(LogLevel.DEBUG, f"ignored change to {uri} version {version}: unknown document or stale version")
            return False
        if rec.text_only:
            rec.doc.reparse()  # no language: nothing to parse, only the pending edits to clear
            self._change_text_only(rec)
            return True
        self._track_blocks(rec, before, changes)
        self._cancel_slow(rec)
        if rec.dirty_since is None:
            rec.dirty_since = time.monotonic()
        if not self._schedule_drain():
            self.flush(uri)
        return True

    def flush(self, uri: str | None = None) -> None:
        """Analyze `uri` (every document when None) now if a change to it is waiting."""
        if uri is not None:
            rec = self.docs.get(uri)
            if rec is not None and rec.dirty_since is not None:
                self._analyze_change(rec)
            return
        for rec in self._dirty():
            if rec.dirty_since is not None:
                self._analyze_change(rec)

    def _dirty(self) -> list[OpenDocument]:
        """Documents whose changes wait for their analysis, oldest first."""
        return sorted((r for r in self.docs.values() if r.dirty_since is not None), key=lambda r: r.dirty_since)

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
        dirty = self._dirty()
        if not dirty:
            return
        rec = dirty[0]
        try:
            if self.input_pending() and time.monotonic() - rec.dirty_since < MAX_COALESCE_S:
                return
            self._analyze_change(rec)
        except Exception as e:  # noqa: BLE001 - one document's failure must not stop the others
            log.exception("analysis of %s failed", rec.uri)
            self.log(LogLevel.ERROR, f"internal error analyzing {rec.doc.path}: {type(e).__name__}: {e}")
        finally:
            if any(r.dirty_since is not None for r in self.docs.values()):
                self._schedule_drain()

    def _analyze_change(self, rec: OpenDocument) -> None:
        """Reparse and analyze the changes applied to the document since its last analysis, together."""
        rec.dirty_since = None
        doc = rec.doc
        budget = None
        if rec.deferred_since is None or time.monotonic() - rec.deferred_since <= MAX_DEFERRED_S:
            budget = reparse_budget(len(doc.line_starts))
        result = doc.reparse(budget)
        if result is None:
            return
        self.analyses += 1
        if result.reparsed_fully:
            rec.unsettled = False
        if result.deferred:
            if rec.deferred_since is None:
                rec.deferred_since = time.monotonic()
        else:
            rec.deferred_since = None
        config = self.config_for(doc.path)
        reason = analysis.size_problem(len(doc.data), config)
        if reason:
            self._to_text_only(rec, reason)
            return
        previous = rec.state
        file = doc.source
        if result.deferred and previous is not None and previous.skipped is None and file is not None:
            # The reparse gave up (see reparse_budget): carry the findings over until it settles.
            self._set(rec, analysis.carry(previous, file, doc.version, result.edits, config, self.registry), file)
        elif previous is None or previous.skipped is not None or file is None:
            self._analyze_full(rec, config, publish=True)
        else:
            # The state's tree findings are always those of the tree the document held before
            # this change (scanned or rescanned, exact or not), and outside `changed_ranges` the
            # new tree equals it: rescan gives scan(new tree) even while the text has errors
            # (`result.reuse_previous` vouches for more: equality with a fresh parse). The idle
            # step settles inexact trees and scans them in full.
            state = analysis.on_change(
                previous, file, doc.version, result.edits, result.changed_ranges, config, self.registry,
                reuse_previous=not result.reparsed_fully, deferred=rec.deferred,
                provisional_ok=not result.exact or result.rebased,
            )
            self._note_reads(rec, full=False)
            self._set(rec, state, file)
        self._touch(rec)
        self._schedule_idle(rec, self.settings.slow_engines_delay_ms / 1000)

    def _hot(self) -> set[str]:
        """The documents that keep their syntax trees between changes: the HOT_TREES used last."""
        used = sorted((r for r in self.docs.values() if r.last_used), key=lambda r: r.last_used)
        return {r.uri for r in used[-HOT_TREES:]}

    def _touch(self, rec: OpenDocument) -> None:
        """Mark the document as just used; drop the trees of those that are no longer hot."""
        rec.last_used = next(self._ticks)
        if len(self.docs) <= HOT_TREES:
            return
        hot = self._hot()
        for cold in self.docs.values():
            doc = cold.doc
            if cold.uri in hot or doc.tree is None:
                continue
            # A document without a tree is parsed from scratch on its next change
            # (ChangeResult.reparsed_fully); findings and reports stay as they are. One whose
            # tree may be wrong (see `settle`) is still parsed afresh at the pause.
            if not doc.exact and self.debouncer.pending("settle " + cold.uri):
                cold.unsettled = True
            doc.drop_tree()

    def _drop_tree_unless_hot(self, rec: OpenDocument) -> None:
        if rec.doc.tree is not None and rec.uri not in self._hot():
            rec.doc.drop_tree()  # parsed for a full scan only: only the hot documents keep theirs

    def _warm_up_later(self) -> None:
        """A second after the first diagnostics, let engines that offer a module-level
        `warm_up()` (the dependencies engine: its lists and indexes) load in a thread, so the
        first manifest opened later is not slow."""
        import sys

        from redline import pipeline

        engines = pipeline.enabled_engines(self.resolver.for_path(""), slow=False)

        def run() -> None:
            for engine in engines:
                try:
                    # engines/__init__.py imports an engine's module on first use: here, in the
                    # thread, for the fast engines the first document did not need.
                    engine = getattr(engine, "engine", engine)
                    hook = getattr(sys.modules.get(type(engine).__module__), "warm_up", None)
                    if callable(hook):
                        hook()
                except Exception:  # noqa: BLE001 - an optional optimisation
                    log.debug("warm_up failed", exc_info=True)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if engines:
            loop.call_later(1.0, lambda: loop.run_in_executor(None, run))

    def _change_text_only(self, rec: OpenDocument) -> None:
        doc = rec.doc
        config = self.config_for(doc.path)
        reason = analysis.size_problem(len(doc.data), config)
        if reason:
            self._set(rec, analysis.skipped(doc.version, reason), None)
            return
        # Small enough again: parse it and scan as if just opened.
        self.log(LogLevel.INFO, f"{doc.path}: now within the size limit; scanning it")
        self.open(doc.uri, doc.language_id, doc.version, doc.text)

    def _to_text_only(self, rec: OpenDocument, reason: str) -> None:
        """The document grew over the size limit: keep its text only, unscanned."""
        doc = rec.doc
        self._cancel_slow(rec)
        rec.doc = open_document(doc.uri, doc.language_id, doc.version, doc.text, parse=False)
        rec.text_only, rec.dirty_since, rec.deferred_since, rec.unsettled = True, None, None, False
        self.log(LogLevel.INFO, f"{doc.path}: {reason}")
        self._set(rec, analysis.skipped(doc.version, reason), None)

    def save(self, uri: str) -> None:
        self.flush(uri)
        rec = self.docs.get(uri)
        if rec is not None and not rec.text_only:
            self._schedule_idle(rec, 0.0)
        path = uri_path(uri)
        if is_config_file(path):
            self.config_changed()
        self.files_changed([path])

    # ------------------------------------------------------------------ other files' changes

    def files_changed(self, paths: Sequence[str]) -> None:
        """Files changed on disk (saved, or reported by the client's file watcher): re-check the
        open documents whose last analysis read one of them (ReadIndex), after a short pause."""
        readers = self.reads.readers_of(paths)
        for rec in list(self.docs.values()):
            if rec.doc.path not in readers or rec.text_only:
                continue
            uri = rec.uri
            self.log(LogLevel.DEBUG, f"{rec.doc.path}: a file it depends on changed; re-checking")
            try:
                self.debouncer.schedule("deps " + uri, DEPENDENTS_DELAY_S, lambda uri=uri: self.recheck(uri))
            except RuntimeError:  # no running event loop (unit tests call the session directly)
                self.recheck(uri)

    def recheck(self, uri: str) -> None:
        """Analyze the document afresh because another file its findings depend on changed;
        publish when the findings changed."""
        rec = self.docs.get(uri)
        if rec is None or rec.text_only or rec.state is None or rec.state.skipped:
            return
        if any(r.dirty_since is not None for r in self.docs.values()):
            # Changes wait for their analysis (a backlog): they come first.
            self.debouncer.schedule("deps " + uri, BACKLOG_RETRY_S, lambda: self.recheck(uri))
            return
        state = rec.state
        # A fresh tree: the dataflow analyzers cached for the old one hold summaries of the old
        # version of the other file.
        rec.doc.parse_afresh()
        rec.unsettled, rec.deferred_since = False, None
        keep = (state.slow, state.slow_version) if state.slow_version is not None else ()
        new = self._analyze_full(rec, self.config_for(rec.doc.path), publish=False, keep_slow=keep)
        if new.findings != state.findings:
            self._changed_in_background(rec)
        self._drop_tree_unless_hot(rec)

    def close(self, uri: str) -> None:
        self._forget(uri)
        if not self.client.pull_diagnostics:
            self.sink.publish(uri, None, [])

    def _forget(self, uri: str) -> None:
        rec = self.docs.pop(uri, None)
        if rec is None:
            return
        self._cancel_slow(rec)
        self.reads.forget(rec.doc.path)
        for key in ("settle ", "slow ", "deps "):
            self.debouncer.cancel(key + uri)

    # ------------------------------------------------------------------ inserted blocks (blocks.py)

    def _track_blocks(self, rec: OpenDocument, before: bytes, changes: Sequence[Change]) -> None:
        """Map the document's blocks through the changes just applied; a large one adds a block."""
        doc = rec.doc
        if not self.settings.review_lens or doc.pending is None or not changes:
            return
        if not rec.blocks and not any(
            len(c.text) >= min(self.settings.review_lens_min_lines, blocks_mod.CHARS_PER_LINE) for c in changes
        ):
            return  # typing in a document without blocks: nothing to map or make
        edits = doc.pending.edits[-len(changes):]
        try:
            rec.blocks = blocks_mod.track(
                rec.blocks,
                before,
                [blocks_mod.Edit(e, c.text.encode("utf-8", "replace"), c.range is None) for e, c in zip(edits, changes)],
                doc.data,
                self.settings.review_lens_min_lines,
                lambda: f"b{next(self._block_ids)}",
            )
        except Exception as e:  # noqa: BLE001 - the review lens must never cost a keystroke
            log.exception("inserted-block tracking failed on %s", rec.uri)
            self.log(LogLevel.ERROR, f"review lens: tracking {doc.path} failed: {type(e).__name__}: {e}")
            rec.blocks = ()

    def block_findings(self, uri: str) -> list[tuple[blocks_mod.Block, list]]:
        """Each block of the document with the findings in it (after pending changes' analysis)."""
        rec = self.current(uri)
        if rec is None:
            return []
        state = rec.state
        findings = state.findings if state is not None and not state.skipped else ()
        return [
            (b, [f for f in findings if blocks_mod.contains(b, f.span.start_byte, f.span.end_byte)]) for b in rec.blocks
        ]

    def mark_block_reviewed(self, uri: str, block_id: str) -> bool:
        """Forget the block: its code lens and its findings' tag go. False for an unknown block."""
        rec = self.current(uri)
        if rec is None:
            return False
        rest = tuple(b for b in rec.blocks if b.id != block_id)
        if len(rest) == len(rec.blocks):
            return False
        rec.blocks = rest
        if rec.state is not None and not rec.text_only:
            rec.report = self._new_report(rec, rec.state, rec.doc.source)
            self._changed_in_background(rec)
            self._blocks_analyzed(rec, rec.state)
        return True

    def findings_since_open(self, uri: str) -> list | None:
        """Findings of the document whose fingerprints were not among those at open (None for a
        document that is not open)."""
        rec = self.current(uri)
        if rec is None or rec.state is None or rec.opened is None:
            return None
        left = Counter(rec.opened[1])
        out = []
        for f in rec.state.findings:
            if left[f.fingerprint] > 0:
                left[f.fingerprint] -= 1
            else:
                out.append(f)
        return out

    def _blocks_analyzed(self, rec: OpenDocument, state: State) -> None:
        """After a new report: remember the findings at open; ask for code lenses again when a
        block's count of findings changed."""
        if not rec.text_only and (rec.opened is None or rec.opened[0] == state.version):
            # At open, or the version opened with more engines' results (slow engines, settle).
            rec.opened = (state.version, Counter(f.fingerprint for f in state.findings))
        if not rec.blocks and not rec.lens_counts:
            return
        counts = {
            b.id: sum(1 for f in state.findings if blocks_mod.contains(b, f.span.start_byte, f.span.end_byte))
            for b in rec.blocks
        }
        if counts != rec.lens_counts:
            rec.lens_counts = counts
            if self.lens_refresh is not None:
                self.lens_refresh()

    # ------------------------------------------------------------------ idle: settle + slow engines

    def _schedule_idle(self, rec: OpenDocument, slow_delay_s: float) -> None:
        """After a short pause settle the tree; after `slow_delay_s` run the slow engines."""
        uri, version = rec.uri, rec.doc.version
        try:
            if not rec.doc.exact or (rec.state is not None and rec.state.provisional):
                self.debouncer.schedule(
                    "settle " + uri, min(SETTLE_DELAY_S, slow_delay_s), lambda: self.settle(uri, version)
                )
            self.debouncer.schedule("slow " + uri, slow_delay_s, lambda: self.run_slow(uri, version))
        except RuntimeError:  # no running event loop (unit tests call the session directly)
            pass

    def _idle_record(self, uri: str, version: int) -> OpenDocument | None:
        """The document's record if idle work for `version` still applies to it."""
        rec = self.docs.get(uri)
        if rec is None or rec.text_only or rec.state is None or rec.doc.version != version or rec.state.skipped:
            return None
        return rec

    def settle(self, uri: str, version: int) -> None:
        """A pause in typing: replace a tree that error recovery may have got wrong by a fresh
        parse, scan it in full, and publish when the findings changed."""
        rec = self.docs.get(uri)
        if rec is not None and rec.dirty_since is not None:
            return  # a newer change waits for its analysis, which schedules the next pause
        rec = self._idle_record(uri, version)
        if rec is None:
            return
        if any(r.dirty_since is not None for r in self.docs.values()):
            # Other documents' changes wait for their analysis (a backlog): they come first.
            self.debouncer.schedule("settle " + uri, BACKLOG_RETRY_S, lambda: self.settle(uri, version))
            return
        doc, state = rec.doc, rec.state
        settled = doc.settle()
        if rec.unsettled:
            rec.unsettled = False
            settled = True  # its tree is gone: _analyze_full parses afresh
        rec.deferred_since = None
        if settled or state.provisional:
            old = state.findings
            keep = (state.slow, state.slow_version) if state.slow_version is not None else ()
            state = self._analyze_full(rec, self.config_for(doc.path), publish=False, keep_slow=keep)
            # A report made on an inexact tree, or without one (a deferred reparse), may carry
            # suppression edits placed without knowing where strings end: replace it even when
            # the findings are the same.
            if settled or state.findings != old:
                self._changed_in_background(rec)
        self._drop_tree_unless_hot(rec)  # it may have left the hot trees while waiting for this pause
        self.log(LogLevel.DEBUG, f"idle {uri} version {version}: {'parsed afresh' if settled else 'tree exact'}")

    def run_slow(self, uri: str, version: int) -> None:
        """The user stopped typing: run the slow engines on this version."""
        rec = self.docs.get(uri)
        if any(r.dirty_since is not None for r in self.docs.values()) and (rec is None or rec.dirty_since is None):
            # Other documents' changes wait for their analysis (a backlog): they come first.
            self.debouncer.schedule("slow " + uri, BACKLOG_RETRY_S, lambda: self.run_slow(uri, version))
            return
        self.settle(uri, version)
        rec = self._idle_record(uri, version)
        if rec is not None:
            self._start_slow(rec, self.config_for(rec.doc.path))

    def _slow_engines(self, rec: OpenDocument, file: SourceFile, config: Config) -> list[str]:
        """Names of the engines to run off the keystroke path for this document."""
        from redline import pipeline

        out = []
        for engine in pipeline.enabled_engines(config):
            if not (engine.slow or engine.name in rec.deferred):
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

    def _start_slow(self, rec: OpenDocument, config: Config) -> None:
        file = rec.doc.source
        names = self._slow_engines(rec, file, config) if file is not None else []
        if not names:
            return
        self._cancel_slow(rec)
        args = (file.path, file.language, file.text, config, names)
        rec.slow = SlowWork(rec.doc.version, next(self._ticks), args=args)
        self._next_slow()

    def _next_slow(self) -> None:
        """Hand the job that has waited longest to the worker, unless it is busy. A running job
        ends within its engines' time limits (config `time-limit`, applied in the worker)."""
        if self._slow_running is not None:
            return
        waiting = [r for r in self.docs.values() if r.slow is not None and r.slow.args is not None]
        if not waiting:
            return
        from redline.lsp import worker

        rec = min(waiting, key=lambda r: r.slow.queued)
        job = rec.slow
        uri, version, args = rec.uri, job.version, job.args
        job.args = None
        fut, afut = self.jobs.submit(worker.slow_scan, *args)
        job.future = self._slow_running = fut
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
        rec = self.docs.get(uri)
        if rec is not None and rec.slow is not None and rec.slow.future is job:
            rec.slow = None
        self.jobs.shutdown()  # kills the process; the next submit starts a fresh one
        self._next_slow()

    def _cancel_slow(self, rec: OpenDocument) -> None:
        """Drop the document's waiting slow job; a running one is discarded on return."""
        job, rec.slow = rec.slow, None
        if job is not None and job.future is not None:
            job.future.cancel()  # a job the worker has not started yet

    def _slow_done(self, uri: str, version: int, fut, job=None) -> None:
        if job is not None and self._slow_running is job:
            self._slow_running = None
        try:
            self._slow_result(uri, version, fut)
        finally:
            self._next_slow()

    def _slow_result(self, uri: str, version: int, fut) -> None:
        rec = self.docs.get(uri)
        if rec is not None and rec.slow is not None and rec.slow.version == version and rec.slow.args is None:
            rec.slow = None
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            self.log(LogLevel.ERROR, f"slow engines failed on {uri_path(uri)}: {type(exc).__name__}: {exc}")
            if "BrokenProcessPool" in type(exc).__name__:
                self.jobs.broken()
            return
        if rec is None or rec.text_only or rec.state is None or rec.doc.version != version or rec.state.version != version:
            return  # computed for an old version: never published
        findings, errors = fut.result()
        config = self.config_for(rec.doc.path)
        file = rec.doc.source
        new = analysis.merge_slow(rec.state, file, findings, version, config, self.registry, errors)
        changed = new.findings != rec.state.findings
        self._set(rec, new, file, publish=False)
        if changed:
            self._changed_in_background(rec)

    # ------------------------------------------------------------------ configuration

    def config_changed(self) -> None:
        """Settings or a configuration file changed: re-resolve and re-lint every open document."""
        self.flush()  # changes waiting for analysis first: the full scans below start from them
        self.resolver.invalidate()
        self._exclude_cache.clear()
        for rec in list(self.docs.values()):
            doc = rec.doc
            config = self.resolver.for_path(doc.path)
            reason = analysis.size_problem(len(doc.data), config)
            if rec.text_only:
                if not reason:
                    self.open(doc.uri, doc.language_id, doc.version, doc.text)
                continue
            if reason:
                self._to_text_only(rec, reason)
                continue
            state = rec.state
            keep: tuple = ()
            if state is not None and state.slow_version is not None and not state.skipped:
                from redline import pipeline

                enabled = {e.name for e in pipeline.enabled_engines(config, slow=True)} | rec.deferred
                keep = (tuple(f for f in state.slow if f.engine in enabled), state.slow_version)
            self._analyze_full(rec, config, publish=not self.client.pull_diagnostics, keep_slow=keep)
            self._drop_tree_unless_hot(rec)
            self._schedule_idle(rec, 0.0)
        self._report_config_problems()
        if self.client.pull_diagnostics and self.client.diagnostic_refresh:
            self.sink.refresh()

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
                rec = self.docs.get(uri)
                if rec is not None and rec.state is not None and not self.client.pull_diagnostics:
                    self._set(rec, rec.state, None if rec.text_only else rec.doc.source)  # its report includes them
                else:
                    self.sink.publish(uri, None, self._problem_diagnostics(uri))
        settings_problems = tuple(problems.get(SETTINGS_SOURCE, ()))
        if settings_problems and settings_problems != self._shown_settings_problems:
            text = "; ".join(str(p) for p in settings_problems)
            self.log(LogLevel.WARNING, f"Redline settings: {text}")
            self.sink.show(LogLevel.WARNING, f"Redline: invalid settings ignored: {text}")
        self._shown_settings_problems = settings_problems

    # ------------------------------------------------------------------ workspace scan

    async def scan_workspace(
        self, roots: Sequence[Path], cancelled: Callable[[], bool], progress: Callable[[int, int], None]
    ):
        """Scan the files under `roots` that are not open in the worker (redline.workspace) and
        publish each one's diagnostics; the summary (redline.workspace.ScanSummary)."""
        from redline import workspace
        from redline.lsp import worker

        open_paths = [rec.doc.path for rec in self.docs.values()]

        def find(root: str, config: Config):
            return self.jobs.submit(
                workspace.discover, root, config, self.settings.workspace_scan_max_files, open_paths
            )[1]

        def scan_batch(root: str, config: Config, paths: list[str]):
            jobs = [(p, path_to_uri(p)) for p in paths]
            return self.jobs.submit(
                worker.scan_files, jobs, root, config, self.encoding, self.client.related_information
            )[1]

        def take(report) -> bool:
            if report.skipped:
                self.log(LogLevel.DEBUG, f"{report.path}: skipped: {report.skipped}")
            for name, error in report.errors:
                self.log(LogLevel.ERROR, f"{name} failed on {report.path}: {error}")
            if report.uri in self.docs:
                return False  # open since: its own diagnostics are fresher
            self.set_workspace_report(report.uri, report.diagnostics)
            return True

        summary = await workspace.scan(
            roots, config_for=self.resolver.for_path, find=find, scan_batch=scan_batch, take=take,
            cancelled=cancelled, progress=progress,
        )
        if not summary.cancelled and self.client.pull_diagnostics and self.client.diagnostic_refresh:
            self.sink.refresh()
        return summary


    def set_workspace_report(self, uri: str, diagnostics: list[dict]) -> None:
        if uri in self.docs:
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
        for rec in self.docs.values():
            self._cancel_slow(rec)
        self.jobs.shutdown()


def _utf8_size(text: str, limit: int) -> int:
    """The UTF-8 size of `text`, computed only when it could matter for `limit`."""
    if len(text) * 4 <= limit:
        return len(text)
    return len(text.encode("utf-8", "replace"))
