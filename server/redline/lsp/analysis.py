"""What the server knows about one open document's findings, and how a change updates it.

The keystroke path (`on_open`, `on_change`) runs the fast engines only: the tree-sitter engine
incrementally (`rules.engine.rescan`, whose result equals a full scan) and any other engine with
`slow = False` over the whole file. The slow engines' last results (`merge_slow`) are carried
along, shifted through each edit (a finding an edit touched is dropped until they run again), so
a publish never shows positions computed for another version.

Every step is isolated: an engine that raises loses its own results and is reported in `errors`;
a rule that raises loses only that rule's results. Pure functions over values; no protocol.

Engines other than the tree-sitter one run over the whole file. Each run is timed (`State.timings`);
the session moves an engine that is too slow for the keystroke path on a document to that
document's slow path (`deferred`): it then runs with the slow engines and its findings are
carried like theirs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Sequence

from redline import pipeline
from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Finding
from redline.rules import engine as rule_engine
from redline.documents.edits import ByteEdit, edited_ranges
from redline.engines.treesitter import engine_limit
from redline.rules.registry import Registry

log = logging.getLogger(__name__)

TREE_SITTER = "redline"


@dataclass(frozen=True)
class State:
    version: int
    findings: tuple[Finding, ...] = ()  # what the user sees: merged, de-duplicated, filtered
    # Raw tree-sitter findings for this text (input of the next rescan); None: full scan next.
    tree: tuple[Finding, ...] | None = None
    # The text `tree` was computed on (for the next rescan's name-based invalidation).
    tree_text: bytes | None = None
    # False when a rule failed: its findings are missing, so the next change scans in full.
    tree_reusable: bool = True
    other_fast: tuple[Finding, ...] = ()  # raw findings of the other fast engines
    slow: tuple[Finding, ...] = ()  # raw slow-engine findings, in this version's coordinates
    slow_version: int | None = None  # the version the slow engines last ran on
    errors: tuple[tuple[str, str], ...] = ()  # (engine or rule, error) of this run
    timings: tuple[tuple[str, float], ...] = ()  # (engine, milliseconds) of this run's fast engines
    # True when the tree-sitter findings outside the edited definition were carried over rather
    # than re-checked (see `on_change`); the next pause in typing scans the file in full.
    provisional: bool = False
    skipped: str | None = None  # why the document is not scanned

    @property
    def raw(self) -> list[Finding]:
        return [*(self.tree or ()), *self.other_fast, *self.slow]


def skipped(version: int, reason: str) -> State:
    return State(version=version, skipped=reason)


def size_problem(size: int, config: Config) -> str | None:
    if size > config.max_file_size:
        return (
            f"not scanned: {size} bytes is more than the size limit of {config.max_file_size} bytes "
            "(setting maxFileSize / max-file-size)"
        )
    return None


def _tree_sitter(
    file: SourceFile,
    registry: Registry,
    previous: Sequence[Finding] | None,
    edits: list[ByteEdit] | None,
    changed: list[tuple[int, int]],
    limit: int | None = None,
    before: bytes | None = None,
) -> tuple[tuple[Finding, ...] | None, list[tuple[str, str]], bool]:
    """(findings, errors, whether the whole file was scanned)."""
    try:
        if previous is not None and edits is not None:
            result = rule_engine.rescan(file, registry, list(previous), edits, changed, limit, before)
        else:
            result = rule_engine.scan(file, registry, limit)
    except Exception as e:  # noqa: BLE001 - an engine failure must not stop the others
        log.exception("tree-sitter engine failed on %s", file.path)
        return None, [(TREE_SITTER, f"{type(e).__name__}: {e}")], True
    return tuple(result.findings), list(result.errors), result.full


def _fast(
    file: SourceFile,
    config: Config,
    registry: Registry,
    previous: Sequence[Finding] | None,
    edits: list[ByteEdit] | None,
    changed: list[tuple[int, int]],
    deferred: frozenset[str] = frozenset(),
    before: bytes | None = None,
) -> tuple[tuple[Finding, ...] | None, tuple[Finding, ...], list[tuple[str, str]], list[tuple[str, float]], bool]:
    """(tree-sitter findings, other findings, errors, timings, whether the tree-sitter engine
    scanned the whole file)."""
    tree: tuple[Finding, ...] | None = ()
    full = True
    errors: list[tuple[str, str]] = []
    other: list[Finding] = []
    timings: list[tuple[str, float]] = []
    for eng in pipeline.enabled_engines(config, slow=False):
        if eng.name in deferred:
            continue
        t0 = time.perf_counter()
        if eng.name == TREE_SITTER:
            try:
                applies = eng.applies(file)
            except Exception as e:  # noqa: BLE001
                applies = False
                errors.append((TREE_SITTER, f"{type(e).__name__}: {e}"))
            if applies:
                tree, errs, full = _tree_sitter(file, registry, previous, edits, changed, engine_limit(config), before)
                errors.extend(errs)
        else:
            found, errs = pipeline.run_engines(file, config, [eng])
            other.extend(found)
            errors.extend(errs)
        timings.append((eng.name, (time.perf_counter() - t0) * 1000))
    return tree, tuple(other), errors, timings, full


def _tree_failed(errors: list[tuple[str, str]]) -> bool:
    """Did the tree-sitter engine or one of its rules fail (other engines' errors do not count)?"""
    return any(name == TREE_SITTER or name.startswith("RL") for name, _ in errors)


def _final(
    file: SourceFile, raw: list[Finding], config: Config, registry: Registry, errors: list[tuple[str, str]]
) -> tuple[Finding, ...]:
    try:
        return tuple(pipeline.finalize(file, raw, config, registry))
    except Exception as e:  # noqa: BLE001 - show unfiltered results rather than none
        log.exception("finalize failed on %s", file.path)
        errors.append(("pipeline", f"{type(e).__name__}: {e}"))
        return tuple(sorted(raw, key=lambda f: f.sort_key))


def on_open(
    file: SourceFile, version: int, config: Config, registry: Registry, deferred: frozenset[str] = frozenset()
) -> State:
    """A full fast analysis (open, settle, configuration change)."""
    tree, other, errors, timings, _full = _fast(file, config, registry, None, None, [], deferred)
    reusable = not _tree_failed(errors)
    findings = _final(file, [*(tree or ()), *other], config, registry, errors)
    return State(
        version=version, findings=findings, tree=tree, tree_text=file.text, tree_reusable=reusable, other_fast=other,
        errors=tuple(errors), timings=tuple(timings),
    )


def on_change(
    previous: State,
    file: SourceFile,
    version: int,
    edits: list[ByteEdit],
    changed: list[tuple[int, int]],
    config: Config,
    registry: Registry,
    reuse_previous: bool = True,
    deferred: frozenset[str] = frozenset(),
    provisional_ok: bool = False,
) -> State:
    """The analysis after `edits`: incremental where the previous tree findings may be reused.

    With `provisional_ok` (the new tree has syntax errors, so tree-sitter's error recovery may
    report changes far from the edit), only the definitions the edits touched are re-checked and
    the findings elsewhere are carried over: the state is `provisional` until a full scan.
    """
    reuse = reuse_previous and previous.tree is not None and previous.tree_reusable and previous.skipped is None
    window = [] if provisional_ok and reuse else changed
    carry = (
        provisional_ok and reuse and rule_engine.rescan_window(file, edited_ranges(edits)) is None
    )
    tree, other, errors, timings, full = _fast(
        file, config, registry, previous.tree if reuse else None, edits if reuse else None, window,
        deferred | {TREE_SITTER} if carry else deferred, previous.tree_text if reuse else None,
    )
    if carry:
        # The edit sits in an ERROR node that swallowed its definition (an unclosed bracket or
        # quote): re-checking means scanning most of the file for code that is half typed.
        # Carry the tree-sitter findings over (those the edit touched are dropped) until the
        # code parses again or typing pauses.
        tree, full = shift(file, previous.tree, edits), False
    provisional = (previous.provisional or (provisional_ok and reuse)) and not full
    reusable = not _tree_failed(errors)
    slow = shift(file, previous.slow, edits) if previous.skipped is None else ()
    findings = _final(file, [*(tree or ()), *other, *slow], config, registry, errors)
    return State(
        version=version,
        findings=findings,
        tree=tree,
        tree_text=file.text,
        tree_reusable=reusable,
        other_fast=other,
        slow=slow,
        slow_version=previous.slow_version if previous.skipped is None else None,
        errors=tuple(errors),
        timings=tuple(timings),
        provisional=provisional,
    )


def carry(
    previous: State, file: SourceFile, version: int, edits: list[ByteEdit], config: Config, registry: Registry
) -> State:
    """The state after `edits` when the reparse gave up (`file` has no tree): every engine's
    findings are carried over, shifted through the edits (those an edit touched are dropped),
    and the state is `provisional` until the pause in typing parses and scans in full."""
    tree = shift(file, previous.tree, edits) if previous.tree is not None else None
    other = shift(file, previous.other_fast, edits)
    slow = shift(file, previous.slow, edits)
    errors: list[tuple[str, str]] = []
    if file.markers is False:
        # No suppression comment can have appeared, and moving findings changes neither the
        # de-duplication nor the configuration's verdict: move the published findings too
        # (half the cost of this path on a large file). Until the pause re-scans, a finding the
        # edit dropped may leave out one it had hidden on its line, or shift the occurrence
        # number in an identical finding's fingerprint, like any provisional result.
        findings = shift(file, previous.findings, edits)
    else:
        findings = _final(file, [*(tree or ()), *other, *slow], config, registry, errors)
    return State(
        version=version,
        findings=findings,
        tree=tree,
        tree_text=file.text,
        tree_reusable=previous.tree_reusable,
        other_fast=other,
        slow=slow,
        slow_version=previous.slow_version,
        errors=tuple(errors),
        provisional=True,
    )


def merge_slow(
    state: State, file: SourceFile, slow: Sequence[Finding], slow_version: int, config: Config, registry: Registry,
    errors: Sequence[tuple[str, str]] = (),
) -> State:
    """The state with fresh slow-engine results computed on this very version."""
    errs = list(errors)
    findings = _final(file, [*(state.tree or ()), *state.other_fast, *slow], config, registry, errs)
    return replace(state, findings=findings, slow=tuple(slow), slow_version=slow_version, errors=tuple(errs))


def defer(state: State, engine: str) -> State:
    """`engine` leaves the keystroke path: its findings are carried with the slow ones."""
    moved = tuple(f for f in state.other_fast if f.engine == engine)
    return replace(
        state,
        other_fast=tuple(f for f in state.other_fast if f.engine != engine),
        slow=state.slow + moved,
        slow_version=state.slow_version if state.slow_version is not None else state.version,
    )


def shift(file: SourceFile, findings: Sequence[Finding], edits: list[ByteEdit]) -> tuple[Finding, ...]:
    """Findings moved through `edits`; those an edit touched are dropped."""
    if not findings:
        return ()
    out = []
    for f in findings:
        moved = rule_engine.shift_finding(file, f, edits)
        if moved is not None:
            out.append(moved)
    return tuple(out)
