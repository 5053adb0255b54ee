"""The `redline` command: `scan`, `rules`, `lsp` and `db`.

Every import beyond the standard library's argparse/os/sys happens inside the subcommand that
needs it: `redline lsp` must show first diagnostics within a second of being spawned, and
`redline --help` should not load grammars. See docs/cli.md for the user's view.

Exit status: 0 nothing at or above the --fail-on level, 1 findings at or above it, 2 usage or
configuration error (bad option, unreadable --config or --baseline, missing path, unknown rule,
any problem in the configuration file the scan would use).

No input makes the command print a Python traceback: bad inputs are reported where they are met
(a skipped file, a usage error), and `main` turns anything unexpected into one `redline: error:
internal error` line with exit status 2; `--debug` or REDLINE_DEBUG=1 prints the traceback too.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys

FAIL_ON_DEFAULT = "warning"
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how redline was called; printed as `redline: error: ...`, exit status 2."""


# ---------------------------------------------------------------- arguments


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (all cores) or more")
    return n


def _codes(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _tcp(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return value


class _VersionAction(argparse.Action):
    """`--version`: redline.deps.cli's text, imported when asked for. Importing redline.deps.cli
    to build the parser (it imports the database updater: urllib.request, http.client, ssl,
    email) was a third of a warm `redline scan`."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from redline.deps.cli import VersionAction

        VersionAction(self.option_strings)(parser, namespace, values, option_string)


def _print_stale_hint() -> None:
    """The advisory database's stale hint (stderr, once), without importing the database updater."""
    try:
        from redline.deps.database import stale_hint_once

        hint = stale_hint_once()
    except Exception:  # noqa: BLE001 - a hint must never break a run
        return
    if hint:
        try:
            print(hint, file=sys.stderr)
        except (OSError, ValueError):
            pass


def build_parser() -> argparse.ArgumentParser:
    from redline import __version__

    parser = argparse.ArgumentParser(
        prog="redline",
        description="Security warnings for your code, in the editor (redline lsp) and in CI (redline scan).",
    )
    parser.add_argument("--version", action=_VersionAction, help=f"show the version ({__version__}) and the advisory database's date, then exit")
    debug_help = "print the traceback of an internal error (also REDLINE_DEBUG=1)"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser(
        "scan",
        help="scan files and folders and report findings",
        description="Scan files and folders (honouring .gitignore and the configuration's exclude globs) and report findings.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    scan.add_argument("--format", choices=("text", "json", "sarif", "github", "gitlab"), default="text", help="output format (default: text; github: workflow-command annotations; gitlab: Code Quality JSON)")
    scan.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    scan.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "hint", "never"),
        default=FAIL_ON_DEFAULT,
        help=f"exit with status 1 when a finding has this severity or a higher one (default: {FAIL_ON_DEFAULT})",
    )
    scan.add_argument("--select", type=_codes, metavar="RULES", help="only these rules: comma-separated codes, names or prefixes (RL1); replaces the configuration's select")
    scan.add_argument("--ignore", type=_codes, metavar="RULES", help="skip these rules (added to the configuration's ignore)")
    scan.add_argument("--config", metavar="FILE", help="configuration file to use instead of the one found next to the first PATH")
    scan.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N", help="worker processes (default 0: one per core; 1 scans in this process)")
    scan.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline file")
    scan.add_argument("--write-baseline", metavar="FILE", help="write every current finding to a baseline file (then nothing is new)")
    scan.add_argument("--no-slow", action="store_true", help="run only the fast engines (skip bandit, detect-secrets and other slow engines)")
    scan.add_argument("--show-skipped", action="store_true", help="list every skipped path (text format), not only unreadable, binary or oversized files")
    scan.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour text output (default: auto; NO_COLOR is honoured)")
    scan.add_argument("-v", "--verbose", action="store_true", help="log engine errors with tracebacks")
    scan.add_argument("--diff", metavar="REF", help="report only findings on lines added or changed since the merge base of REF and HEAD (git), untracked files included")
    scan.add_argument("--fix", action="store_true", help="apply the safe fixes to the files, then report what remains")
    scan.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff-fixes, also apply the fixes marked for review")
    scan.add_argument("--diff-fixes", action="store_true", help="print the fixes as a unified diff instead of writing them (exit 1 when there is one)")
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache (.redline_cache/ in the scan root)")
    scan.add_argument("--statistics", action="store_true", help="count the findings per rule (text: instead of listing them; other formats: on stderr)")
    scan.add_argument("--stdin-filename", metavar="PATH", help="with PATH '-': the name of the file read from standard input (picks the language and configuration)")

    rules = sub.add_parser("rules", help="list the rules, or show a rule's documentation", description="List every rule, or print the documentation of the rules named.")
    rules.add_argument("rules", nargs="*", metavar="RULE", help="a code (RL101), a name (sql-injection) or a code prefix (RL1)")
    rules.add_argument("--write-docs", metavar="DIR", help="write one Markdown page per rule (RLnnn.md) and an index into DIR, e.g. docs/rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    lsp = sub.add_parser("lsp", help="run the language server", description="Run the language server (stdio by default).")
    lsp.add_argument("--tcp", type=_tcp, metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    lsp.add_argument("--stdio", action="store_true", help="use stdio (the default; accepted because editors pass it)")

    sub.add_parser("db", help="manage the local advisory database (redline db --help)", add_help=False)
    mcp = sub.add_parser("mcp", help="run the MCP server for coding agents (stdio)", description="Serve Redline's checks to coding agents over the Model Context Protocol (stdio): scan_code, scan_files, fix_code, check_packages, explain_rule. See docs/mcp.md.")
    mcp.add_argument("--root", metavar="DIR", help="the project root: scan_files reads only files under it, and its configuration applies (default: the current folder)")
    clean = sub.add_parser("clean", help="remove the result cache (.redline_cache/)", description="Remove the result cache that redline scan keeps in .redline_cache/ of each folder given (default: the current folder).")
    clean.add_argument("folders", nargs="*", metavar="FOLDER", help="scan roots whose cache to remove (default: .)")
    for command in (scan, rules, lsp):  # `redline scan . --debug` as well as `redline --debug scan .`
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get("REDLINE_DEBUG", "") not in ("", "0")
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("redline: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last guard: one line, not a traceback
        options = argv[: argv.index("--")] if "--" in argv else argv  # the error may precede parsing
        debug = debug or "--debug" in options
        if debug:
            import traceback

            traceback.print_exc()
        detail = str(e).splitlines()[0][:300] if str(e) else ""
        hint = "" if debug else " (run with --debug or REDLINE_DEBUG=1 for the traceback)"
        _error(f"internal error: {type(e).__name__}{': ' + detail if detail else ''}{hint}")
        return EXIT_USAGE


def _error(message: str) -> None:
    """`redline: error: ...` on stderr, one line per line of `message`. Control characters are
    shown as '?': messages quote file names and configuration keys, which a repository being
    scanned chooses, and an escape sequence in one must not drive the terminal."""
    import unicodedata

    try:
        for line in message.splitlines() or [""]:
            shown = "".join("?" if c != "\t" and unicodedata.category(c) in ("Cc", "Cf") else c for c in line)
            print(f"redline: error: {shown}", file=sys.stderr)
    except (OSError, ValueError, AttributeError):
        pass  # stderr closed or gone: the exit status still says it


def _main(argv: list[str]) -> int:
    if argv and argv[0] == "db":
        return _db(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error (argparse printed it)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "scan":
            status = cmd_scan(args)
            _print_stale_hint()  # one line on stderr when the advisory database is > 30 days old
            return status
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "lsp":
            return cmd_lsp(args)
        if args.command == "clean":
            return cmd_clean(args)
        if args.command == "mcp":
            return cmd_mcp(args)
    except UsageError as e:
        _error(str(e))
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`redline scan . | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


# ---------------------------------------------------------------- redline lsp / db


def cmd_mcp(args) -> int:
    root = args.root or os.getcwd()
    if not os.path.isdir(root):
        raise UsageError(f"--root {root}: not a folder")
    try:
        from redline.mcptool.server import run
    except ImportError as e:
        if (e.name or "").split(".")[0] not in ("mcp", "mcp_types", "pydantic"):
            raise
        raise UsageError(f"the MCP server needs the `mcp` package (pip install 'mcp>=2.3,<3'): {e}") from None
    return run(root)


def cmd_lsp(args) -> int:
    try:
        from redline.lsp.server import run
    except ImportError as e:
        raise UsageError(f"the language server is not available: {e}") from None
    return run(tcp=args.tcp)  # 1 after `exit` without `shutdown` (LSP specification)


def _db(argv: list[str]) -> int:
    try:
        from redline.deps.cli import main as db_main
    except ModuleNotFoundError as e:
        if e.name in ("redline.deps.cli", "redline.deps"):
            print("redline: error: `redline db` is not available in this installation (redline.deps.cli is missing)", file=sys.stderr)
            return EXIT_USAGE
        raise
    code = db_main(argv)
    return int(code or 0)


# ---------------------------------------------------------------- redline rules


def cmd_rules(args) -> int:
    import json

    from redline.rules.registry import default_registry

    registry = default_registry()
    if getattr(args, "write_docs", None):
        from pathlib import Path

        from redline.rules import docs as rule_docs

        if args.rules:
            raise UsageError("--write-docs writes every rule's page: name no rules")
        try:
            changed, removed = rule_docs.write(list(registry.rules), Path(args.write_docs))
        except OSError as e:
            raise UsageError(f"cannot write the rule pages in {args.write_docs}: {e.strerror or e}") from None
        print(f"{len(registry.rules)} rule pages in {args.write_docs}: {len(changed)} written, {len(removed)} removed")
        return EXIT_OK
    if args.rules:
        chosen, unknown = [], []
        for sel in args.rules:
            found = registry.resolve(sel)
            if not found:
                unknown.append(sel)
            chosen.extend(r for r in found if r not in chosen)
        if unknown:
            raise UsageError(f"unknown rule {', '.join(map(repr, unknown))} (redline rules lists them)")
    else:
        chosen = list(registry.rules)
    if args.format == "json":
        print(json.dumps([_rule_dict(r, full=bool(args.rules)) for r in chosen], indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.rules:
        print("\n\n".join(_rule_doc(r) for r in chosen))
    else:
        print(_rule_table(chosen))
    return EXIT_OK


def _rule_dict(rule, full: bool) -> dict:
    d = {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.value,
        "confidence": rule.confidence.value,
        "cwe": list(rule.cwe),
        "languages": list(rule.languages),
        "engine": rule.engine,
        "url": rule.help_uri,
        "summary": rule.short_description,
    }
    if full:
        d["docs"] = rule.docs
        d["bandit"] = list(rule.bandit)
    return d


def _rule_table(rules) -> str:
    rows = [("CODE", "NAME", "SEVERITY", "CWE", "LANGUAGES")]
    for r in rules:
        rows.append((r.code, r.name, r.severity.value, ",".join(f"CWE-{c}" for c in r.cwe), ", ".join(r.languages)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    return "\n".join(lines) + f"\n\n{len(rules)} rules; `redline rules CODE` prints one's documentation."


def _rule_doc(rule) -> str:
    facts = [
        f"{rule.code} {rule.name}",
        f"  severity:   {rule.severity.value} (confidence {rule.confidence.value})",
        f"  CWE:        {', '.join(f'CWE-{c}' for c in rule.cwe)}",
        f"  languages:  {', '.join(rule.languages)}",
        f"  engine:     {rule.engine}",
    ]
    if rule.bandit:
        facts.append(f"  bandit ids: {', '.join(rule.bandit)} (# nosec {rule.bandit[0]} suppresses it)")
    if rule.help_uri:
        facts.append(f"  more:       {rule.help_uri}")
    facts.append(f"  suppress:   # redline: ignore[{rule.code}] <reason>")
    return "\n".join(facts) + "\n\n" + rule.docs


def cmd_clean(args) -> int:
    from redline import cache

    for folder in args.folders or ["."]:
        try:
            removed = cache.clean(folder)
        except OSError as e:
            raise UsageError(f"cannot remove the cache in {folder}: {e.strerror or e}") from None
        if removed:
            print(f"redline: removed {os.path.join(folder, cache.DIR_NAME)}", file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------- redline scan


def cmd_scan(args) -> int:
    import time

    started = time.perf_counter()
    restore_logging = _setup_logging(args.verbose)
    try:
        return _scan(args, started)
    finally:
        restore_logging()


def _scan(args, started: float) -> int:
    from pathlib import Path

    from redline.files import Skipped, SkipKind, Walker, scan_root

    empty = [f"--{o.replace('_', '-')}" for o in ("config", "baseline", "write_baseline", "output") if getattr(args, o) == ""]
    if empty:  # not "no option": an empty --config must not fall back to the discovered one
        raise UsageError(f"{', '.join(empty)}: expected a file name, got an empty string")
    if args.unsafe_fixes and not (args.fix or args.diff_fixes):
        raise UsageError("--unsafe-fixes goes with --fix or --diff-fixes")
    if "-" in args.paths or args.stdin_filename is not None:
        return _scan_stdin(args, started)
    _check_paths(args.paths)
    paths = [Path(p) for p in args.paths]
    root = scan_root(paths)
    config = _load_config(args, paths)
    problems: list = []  # any problem in the configuration stopped the command in _load_config
    config = _apply_cli_rules(args, config)
    from dataclasses import replace as _replace

    config = _replace(config, root=str(root))  # file roles are relative to it (redline/roles.py)
    known = _load_baseline(args.baseline) if args.baseline else None
    _check_output(args.output)

    targets: list[Path] = []
    skipped: list[Skipped] = []
    # Redline's own baseline and report files are not source: their fingerprints would read as
    # secrets, and a report from the last run would be scanned by the next.
    own = {os.path.abspath(p) for p in (args.baseline, args.write_baseline, args.output) if p}
    walker = Walker(root, config)
    for item in walker.walk(paths):
        if isinstance(item, Skipped):
            if item.kind != SkipKind.IGNORED or os.path.basename(item.path) != ".redline_cache":  # our own cache
                skipped.append(item)
        elif os.path.abspath(item) in own:
            skipped.append(Skipped(walker.display(item), "Redline's own baseline or report file", SkipKind.EXCLUDED))
        else:
            targets.append(item)

    changed = None
    if args.diff is not None:
        changed = _git_changes(args.diff, paths)
        targets = [t for t in targets if os.path.realpath(t) in changed.files()]

    jobs = args.jobs or _cpu_count()
    cache = None if args.no_cache else _open_cache(root, config, not args.no_slow)
    files, unread = run_scan(targets, root, config, slow=not args.no_slow, jobs=jobs, cache=cache)
    skipped.extend(unread)
    if changed is not None:
        _keep_changed(files, root, changed)
    if args.fix or args.diff_fixes:
        outcomes = _fix_files(args, files, root, config, changed, cache)
        if args.diff_fixes:
            return _print_fix_diffs(outcomes)
        rescan = _write_fixes(outcomes, args.paths)
        if rescan:
            again, unread = run_scan(rescan, root, config, slow=not args.no_slow, jobs=jobs, cache=cache)
            if changed is not None:
                changed = _git_changes(args.diff, paths)  # the fixes changed lines too
                _keep_changed(again, root, changed)
            redone = {fr.path for fr in again} | {s.path for s in unread}
            files = [fr for fr in files if fr.path not in redone] + again
            skipped.extend(unread)
    return _finish(args, root, files, skipped, problems, known, started)


def _finish(args, root, files, skipped, problems, known, started) -> int:
    """Baseline, report and exit status of a scan."""
    import time
    from pathlib import Path

    from redline.report import baseline
    from redline.report.results import ScanResult

    result = ScanResult(str(root), sorted(files, key=lambda fr: fr.path), skipped, problems)
    if args.write_baseline:
        try:
            n = baseline.write(Path(args.write_baseline), result.files)
        except OSError as e:
            raise UsageError(f"cannot write baseline {args.write_baseline}: {e.strerror or e}") from None
        print(f"redline: wrote {n} finding(s) to the baseline {args.write_baseline}", file=sys.stderr)
        known = (known or set()) | {(e["path"], e["fingerprint"]) for e in baseline.entries(result.files)}
    if known is not None:
        result.baseline_used = True
        result.baseline_matched = baseline.apply(result.files, known)
    result.seconds = time.perf_counter() - started
    _write_report(args, result)
    return _exit_status(args.fail_on, result)


def _scan_stdin(args, started: float) -> int:
    """`redline scan - --stdin-filename PATH`: one file from standard input. The name picks the
    language and the configuration (the file need not exist). With --fix the fixed text goes to
    standard output (the report only to --output); with --diff-fixes the diff."""
    from pathlib import Path

    from redline.files import Skipped, SkipKind, binary_reason, scan_root

    if args.paths != ["-"] or not args.stdin_filename:
        raise UsageError("read standard input with `redline scan - --stdin-filename PATH` (PATH names the file)")
    if args.diff is not None:
        raise UsageError("--diff cannot be used with standard input")
    name = Path(args.stdin_filename)
    root = scan_root([name])
    config = _apply_cli_rules(args, _load_config(args, [name]))
    known = _load_baseline(args.baseline) if args.baseline else None
    _check_output(args.output)
    if sys.stdin is None:
        raise UsageError("standard input is closed")
    data = sys.stdin.buffer.read(config.max_file_size + 1)
    shown = _shown(name, root)
    skipped: list = []
    files: list = []
    reason = None
    if len(data) > config.max_file_size:
        reason, kind = f"larger than max-file-size ({config.max_file_size:,} bytes)", SkipKind.SIZE
    elif binary_reason(data):
        reason, kind = binary_reason(data), SkipKind.ENCODING
    if reason:
        skipped.append(Skipped(shown, reason, kind))
    else:
        from redline.pipeline import make_source

        source = make_source(os.path.abspath(name), data)
        if source is None:
            from redline import languages as langs

            skipped.append(Skipped(shown, langs.skip_reason(name), SkipKind.LANGUAGE))
        elif args.fix or args.diff_fixes:
            from redline import fixes
            from redline.pipeline import analyze

            outcome = fixes.fix_text(source.path, shown, data, lambda s: analyze(s, config, slow=not args.no_slow).findings, args.unsafe_fixes)
            _say_fixes([outcome])
            if args.diff_fixes:
                return _print_fix_diffs([(source.path, outcome)])
            _write_stdout(outcome.fixed)
            source = make_source(source.path, outcome.fixed)
            files.append(_result_of(source, shown, config, not args.no_slow))
            if not args.output:
                return _finish_quiet(args, root, files, skipped, known)
        else:
            files.append(_result_of(source, shown, config, not args.no_slow))
    if args.fix and not args.output:
        if reason or not files:  # nothing to fix: the text goes through unchanged
            _write_stdout(data)
        return _finish_quiet(args, root, files, skipped, known)
    return _finish(args, root, files, skipped, [], known, started)


def _result_of(source, shown, config, slow):
    from redline.files import count_lines
    from redline.pipeline import analyze
    from redline.report.results import FileResult, file_result

    try:
        analysis = analyze(source, config, slow=slow)
    except Exception as e:  # noqa: BLE001 - as scan_file
        return FileResult(shown, source.language, count_lines(source.text), [], [("redline", f"{type(e).__name__}: {e}")])
    return file_result(shown, source, analysis.findings, analysis.errors, count_lines(source.text))


def _finish_quiet(args, root, files, skipped, known) -> int:
    """--fix on standard input: the fixed text went to stdout; the exit status says what remains."""
    from redline.report import baseline
    from redline.report.results import ScanResult

    result = ScanResult(str(root), files, skipped, [])
    if known is not None:
        baseline.apply(result.files, known)
    return _exit_status(args.fail_on, result)


def _fix_files(args, files, root, config, changed, cache=None):
    """The fixes of each file with a fixable finding: [(absolute path, fixes.Outcome)]. The
    first round's analysis comes from the cache (the text the scan just analysed)."""
    from redline import fixes
    from redline.files import Skipped, read_source
    from redline.pipeline import analyze

    slow = not args.no_slow
    outcomes = []
    for fr in files:
        if not any(fixes.pick(r.finding, args.unsafe_fixes) for r in fr.findings):
            continue
        path = os.path.join(str(root), fr.path)
        source = read_source(path, root, config)
        if isinstance(source, Skipped):
            continue
        keep = (lambda f: True) if changed is None else (
            lambda f, p=path: changed.touches(p, f.span.start_line + 1, f.span.end_line + 1)
        )
        if cache is None:
            def analysis(s):
                return analyze(s, config, slow=slow).findings
        else:
            def analysis(s, shown=fr.path):
                return cache.analyze(s, shown, config, slow).findings
        outcome = fixes.fix_text(source.path, fr.path, source.text, analysis, args.unsafe_fixes, keep)
        outcomes.append((source.path, outcome))
    _say_fixes([o for _p, o in outcomes])
    return outcomes


def _say_fixes(outcomes) -> None:
    """On stderr: each fix that could not be applied, and how many were."""
    from redline.report.text import _path

    n = sum(len(o.applied) for o in outcomes)
    for o in outcomes:
        for line, code, title, why in o.skipped:
            print(f"redline: {_path(o.path)}:{line}: {code}: fix not applied ({title}): {why}", file=sys.stderr)
    if n:
        n_files = sum(1 for o in outcomes if o.changed)
        print(f"redline: {n} fix{'es' if n > 1 else ''} in {n_files} file{'s' if n_files > 1 else ''}", file=sys.stderr)


def _print_fix_diffs(outcomes) -> int:
    from redline import fixes

    text = "".join(fixes.unified_diff(o) for _p, o in outcomes if o.changed)
    _write_stdout(text)
    return EXIT_FINDINGS if text else EXIT_OK


def _write_fixes(outcomes, roots) -> list:
    """Write the fixed files; the paths written (to scan again)."""
    from pathlib import Path

    from redline import fixes
    from redline.report.text import _path

    written = []
    for path, o in outcomes:
        if not o.changed:
            continue
        try:
            fixes.write_atomic(path, o.original, o.fixed, roots)
        except OSError as e:
            print(f"redline: {_path(o.path)}: not fixed: {e.strerror or e}", file=sys.stderr)
            continue
        written.append(Path(path))
    return written


def _write_stdout(text: "str | bytes") -> None:
    """Fixed text (bytes, as they are) or a diff on standard output."""
    if sys.stdout is None:
        raise UsageError("cannot write: standard output is closed")
    try:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        _discard_stdout()
        raise UsageError(f"cannot write to standard output: {e.strerror or e}") from None


def _open_cache(root, config, slow: bool):
    """The result cache of this scan (redline/cache.py), or None when it cannot be used."""
    from redline import cache
    from redline.pipeline import enabled_engines

    try:
        return cache.ResultCache.open(str(root), config, enabled_engines(config, None if slow else False), slow)
    except OSError:
        return None


def _git_changes(ref: str, paths):
    """The lines a change added (redline/gitdiff.py); any problem is a usage error."""
    from redline import gitdiff

    first = os.path.abspath(paths[0])
    cwd = first if os.path.isdir(first) else os.path.dirname(first)
    try:
        return gitdiff.changes(cwd, ref)
    except gitdiff.DiffError as e:
        raise UsageError(str(e)) from None


def _keep_changed(files, root, changed) -> None:
    """--diff: keep the findings that touch an added line (in place). The findings-limit
    summary (RL000) of a changed file stays: it says that findings were left out."""
    from redline.findings import LIMIT_CODE

    for fr in files:
        path = os.path.join(str(root), fr.path)
        fr.findings = [
            r for r in fr.findings
            if r.finding.code == LIMIT_CODE or changed.touches(path, r.position.line, _last_line(r.position))
        ]


def _last_line(pos) -> int:
    """The last line a range covers: one that ends at the start of a line ends on the line before."""
    return pos.end_line - 1 if pos.end_column == 1 and pos.end_line > pos.line else pos.end_line


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _setup_logging(verbose: bool):
    """Engine failures reach the user through the report (and stderr); their tracebacks only
    with -v. Returns a function that undoes this (main() may be called in-process)."""
    import logging

    logger = logging.getLogger("redline")
    level = logger.level
    if verbose:
        logging.basicConfig(level=logging.INFO, format="redline: %(levelname)s: %(name)s: %(message)s")
    else:
        logger.setLevel(logging.CRITICAL)
    return lambda: logger.setLevel(level)


def _check_paths(paths: list[str]) -> None:
    """A PATH that does not exist, or cannot even be looked at, is a usage error. One that
    exists but cannot be read (a folder that cannot be listed, a FIFO) is a skipped path."""
    bad = []
    for p in paths:
        try:
            os.lstat(p)
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                bad.append(f"no such file or folder: {p}")
            else:
                bad.append(f"cannot access {p}: {e.strerror or e}")
        except ValueError as e:  # an embedded NUL (only from in-process callers)
            bad.append(f"invalid path {p!r}: {e}")
    if bad:
        raise UsageError("\n".join(bad))


def _check_output(output: str | None) -> None:
    """Refuse an --output that can never be written before scanning, not after."""
    if not output:
        return
    if os.path.isdir(output):
        raise UsageError(f"cannot write {output}: it is a folder")
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise UsageError(f"cannot write {output}: no folder {parent}")


def _load_config(args, paths):
    """The configuration the scan uses: --config FILE, or the one found next to the first PATH.

    Any problem in it is a usage error (exit 2) naming the file, line and key, unknown keys
    and rule names included: CI must not pass because a misspelt `exclude`, `ignore` or
    `max-file-size` was dropped. (The language server reports the same problems on the file
    and goes on with the defaults for the bad keys.)"""
    from pathlib import Path

    from redline import config as cfg

    known = cfg.known_rule_keys()
    if args.config:
        path = Path(args.config)
        try:
            st = os.stat(path)
        except OSError as e:
            why = "no such file" if e.errno in (errno.ENOENT, errno.ENOTDIR) else (e.strerror or str(e))
            raise UsageError(f"--config {args.config}: {why}") from None
        except ValueError as e:
            raise UsageError(f"--config {args.config!r}: {e}") from None
        import stat

        if not stat.S_ISREG(st.st_mode):
            from redline.files import file_type

            raise UsageError(f"--config {args.config}: not a configuration file ({file_type(st.st_mode)})")
        config, problems = cfg.load_file(path, known_rules=known)
    else:
        start = Path(os.path.abspath(paths[0]))
        config, problems, _found = cfg.discover(start, known)
    if problems:
        n = len(problems)
        raise UsageError(
            "\n".join(str(p) for p in problems)
            + f"\nthe configuration has {n} problem{'s' if n > 1 else ''}: redline scan does not run until {'they are' if n > 1 else 'it is'} fixed"
        )
    return config


def _apply_cli_rules(args, config):
    import re
    from dataclasses import replace

    from redline.rules.registry import default_registry

    registry = default_registry()
    for option in ("select", "ignore"):
        values = getattr(args, option) or []
        bad = [v for v in values if not (re.fullmatch(r"B\d{3}", v, re.IGNORECASE) or registry.resolve(v))]
        if bad:
            raise UsageError(f"--{option}: unknown rule {', '.join(map(repr, bad))} (redline rules lists them)")
    if args.select is not None:
        config = replace(config, select=tuple(args.select))
    if args.ignore:
        config = replace(config, ignore=config.ignore + tuple(args.ignore))
    return config


def _load_baseline(path: str):
    from pathlib import Path

    from redline.report.baseline import BaselineError, load

    try:
        return load(Path(path))
    except BaselineError as e:
        raise UsageError(str(e)) from None


def _exit_status(fail_on: str, result) -> int:
    if fail_on == "never":
        return EXIT_OK
    from redline.findings import Severity

    threshold = Severity.parse(fail_on).rank
    hit = any(r.finding.severity.rank >= threshold for _fr, r in result.findings)
    return EXIT_FINDINGS if hit else EXIT_OK


# ---------------------------------------------------------------- running the engines


# Set in each worker process by _init_worker (and in this process for --jobs 1).
_WORKER: tuple | None = None


def scan_file(path, root, config, slow: bool = True, cache=None):
    """One file through the pipeline: a report-ready FileResult, or a Skipped. `cache` (a
    redline.cache.ResultCache) supplies and keeps the results of the engines it can cache."""
    from redline.files import Skipped, count_lines, read_source
    from redline.pipeline import analyze
    from redline.report.results import file_result

    source = read_source(path, root, config, lazy=cache is not None)  # a cache hit needs no tree
    if isinstance(source, Skipped):
        return source
    shown = _shown(path, root)  # generated files were skipped by read_source, before parsing
    try:
        analysis = analyze(source, config, slow=slow) if cache is None else cache.analyze(source, shown, config, slow)
    except Exception as e:  # noqa: BLE001 - a bug in one file's analysis must not stop the scan
        import logging

        logging.getLogger("redline.cli").exception("analysis failed on %s", path)
        from redline.report.results import FileResult

        return FileResult(shown, source.language, count_lines(source.text), [], [("redline", f"{type(e).__name__}: {e}")])
    return file_result(shown, source, analysis.findings, analysis.errors, count_lines(source.text))


def _shown(path, root) -> str:
    path, root = os.path.abspath(path), os.path.abspath(root)
    inside = root if root.endswith(os.sep) else root + os.sep
    # A path under the root is its own relative path (what relpath computes, minus its cost).
    rel = path[len(inside) :] if path.startswith(inside) else os.path.relpath(path, root)
    return rel.replace(os.sep, "/") if not rel.startswith("..") else path.replace(os.sep, "/")


def _init_worker(root: str, config, slow: bool, parent: int | None = None, cache=None) -> None:
    """Pool initializer: the scan's settings, and exit when the scan dies (a killed `redline
    scan` must not leave its workers behind)."""
    global _WORKER
    if parent is not None:
        from redline.safety import die_with_parent

        die_with_parent(parent, pdeathsig=True)  # the pool ends before the thread that started it
    from redline.limits import bound_memory

    bound_memory(config.memory_limit)  # a runaway engine: MemoryError, reported as a skip (not with --jobs 1)
    _WORKER = (root, config, slow, cache)


def _scan_in_worker(path):
    root, config, slow, cache = _WORKER
    return scan_file(path, root, config, slow, cache)


def _warm_up(targets, queries: bool = True) -> None:
    """Load rules, engines, grammars and combined queries once: before worker processes fork
    from us, and before the scan freezes start-up objects out of the garbage collector.
    `queries` False leaves the combined queries to the first file that needs one (an
    in-process scan with the result cache: a warm scan needs none, and compiling them cost
    about 0.15 s, 5% of a warm scan of Django)."""
    from redline import languages as langs
    from redline.engines import import_all
    from redline.files import language_of
    from redline.rules.registry import default_registry

    registry = default_registry()
    import_all()  # engines are lazy (engines/__init__.py); workers forked after share them
    for lang in {language_of(os.path.basename(t)) for t in targets} - {None}:
        if langs.has_grammar(lang):
            try:
                langs.parser(lang)
                if queries:
                    registry.compiled(lang)
            except Exception:  # noqa: BLE001 - each file's analysis reports it as that file's error
                pass


def run_scan(targets, root, config, *, slow: bool = True, jobs: int = 1, cache=None):
    """Scan `targets`: (FileResults, Skipped for the files that could not be read).

    `jobs` 1 (or a single file) runs in this process; otherwise a process pool of `jobs`
    workers, forked after the rules and grammars are loaded so that none loads them again."""
    import gc

    from redline.files import Skipped

    if not targets:
        return [], []
    in_process = jobs <= 1 or len(targets) < 2
    _warm_up(targets, queries=cache is None or not in_process)
    # What start-up loaded (rules, grammars, compiled queries, modules) lives as long as the
    # process: keep it out of the collector's full passes during the scan (~30 ms on Django) and
    # out of copy-on-write faults in forked workers. Unfrozen after, for in-process callers.
    gc.freeze()
    if cache is not None and in_process:
        cache.pack_only = True  # new entries go to the pack, written once below
    try:
        if in_process:
            outcomes = [scan_file(t, root, config, slow, cache) for t in targets]
        else:
            outcomes = _run_pool(targets, root, config, slow, jobs, cache)
    finally:
        gc.unfreeze()
    if cache is not None:
        cache.flush()  # one pack of this scan's entries, read at once by the next scan
        cache.pack_only = False
    files = [o for o in outcomes if not isinstance(o, Skipped)]
    return files, [o for o in outcomes if isinstance(o, Skipped)]


def _run_pool(targets, root, config, slow, jobs, cache=None):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from redline.safety import safe_children, spawn_is_safe

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else methods[0])
    if ctx.get_start_method() != "fork" and not spawn_is_safe():
        # -E without -P: a spawned worker would import from the working directory.
        return [scan_file(t, root, config, slow, cache) for t in targets]
    jobs = min(jobs, len(targets))
    chunk = max(1, min(64, len(targets) // (jobs * 8)))
    initargs = (str(root), config, slow, os.getpid(), cache)
    try:
        # safe_children: spawned workers (no fork on Windows) put nothing on sys.path themselves.
        with safe_children(), ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=initargs) as pool:
            return list(pool.map(_scan_in_worker, targets, chunksize=chunk))
    except BrokenProcessPool as e:
        raise UsageError(f"a worker process died ({e}); run with --jobs 1 to find the file that causes it") from None


# ---------------------------------------------------------------- output


def _use_color(mode: str, stream) -> bool:
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def _write_report(args, result) -> None:
    from redline.report import text as text_report

    # Things the user must know whatever the format: engine errors and unreadable files.
    for line in text_report.render_errors(result.files):
        print(f"redline: {line}", file=sys.stderr)
    listed, n_listed = text_report.render_skipped(result, args.show_skipped)
    if getattr(args, "statistics", False) and args.format != "text":
        from redline.report import statistics

        sys.stderr.write(statistics.render(result))
    if args.format == "text":
        for line in listed:
            print(line, file=sys.stderr)
        color = args.output is None and _use_color(args.color, sys.stdout)
        if getattr(args, "statistics", False):
            from redline.report import statistics

            body = statistics.render(result)
        else:
            body = text_report.render(result, color=color)
        report = body + text_report.summary(result, n_listed) + "\n"
    elif args.format == "json":
        from redline.report import json as json_report

        report = json_report.render(result)
    elif args.format == "github":
        from redline.report import github

        report = github.render(result)
    elif args.format == "gitlab":
        from redline.report import gitlab

        report = gitlab.render(result)
    else:
        from redline.report import sarif
        from redline.rules.registry import default_registry

        report = sarif.render(result, default_registry())
    if args.output:
        try:
            # errors="replace": a file name that is not UTF-8 must not stop the report.
            with open(args.output, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(report)
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from None
        return
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        raise UsageError("cannot write the report: standard output is closed (use --output FILE)")
    try:
        sys.stdout.reconfigure(errors="replace")
    except (AttributeError, ValueError):
        pass
    try:
        sys.stdout.write(report)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # main: the reader went away
    except OSError as e:  # a full disk, /dev/full: say so once, not again when Python exits
        _discard_stdout()
        raise UsageError(f"cannot write the report to standard output: {e.strerror or e}") from None


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
