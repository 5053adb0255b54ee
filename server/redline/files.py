"""Which files to scan: walk folders, honour .gitignore and `exclude`, read and parse sources.

Used by `redline scan` and by the language server's workspace scan. Discovery is cheap (names and
sizes only); `read_source` does the reading, the binary and encoding checks and the parse. Every
file that is not scanned comes back as a `Skipped` with a reason a person can read, never as an
exception.

.gitignore files follow git's rules (gitignore(5)): blank lines and `#` comments are ignored,
trailing spaces are dropped unless escaped, `!` re-includes, a trailing `/` matches folders only,
a `/` at the start or in the middle anchors the pattern to the folder of its .gitignore, `*` and
`?` and `[...]` never match `/`, and `**` matches any number of folders. Deeper .gitignore files
override outer ones and the last matching line wins. A file inside an ignored folder cannot be
re-included (the folder is never entered), as in git. The .gitignore files of the folders above a
scanned path, up to the repository root (the folder holding `.git`), and `.git/info/exclude`
apply too. `exclude` globs from the configuration use the same syntax, anchored at the folder of
the configuration file.

Paths named explicitly (on the command line) are scanned even when a .gitignore or a default
exclude would skip them; the configuration's `exclude` applies to them too (so pre-commit style
invocations that pass every changed file respect it). Symbolic links are never followed out of
the scanned folder, and links to folders are not followed at all (no loops, no duplicates).

Only regular files are ever opened: `read_regular` opens without blocking and checks, on the open
descriptor, that it got a regular file, so a file swapped for a FIFO or a device between the walk
and the read is skipped rather than hanging the scan.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from redline import languages as langs
from redline.config import Config
from redline.secrets.regex import linear

# Folders never entered while walking (named explicitly they are still scanned).
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr",
        ".venv", "venv", ".tox", ".nox", "__pycache__", "site-packages",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules", ".redline_cache",
    }
)


@lru_cache(maxsize=4096)
def language_of(name: str) -> str | None:
    """The Redline language of a file name (detection depends on the name only)."""
    return langs.detect(name)


class SkipKind:
    """Why a file was skipped. IGNORED, EXCLUDED and LANGUAGE are routine (a normal project has
    many); the others mean Redline could not look at a file someone might expect it to scan."""

    IGNORED = "ignored"  # .gitignore or a default exclude
    EXCLUDED = "excluded"  # the configuration's `exclude`
    LANGUAGE = "language"  # no Redline language for this file name
    SIZE = "size"
    BINARY = "binary"
    ENCODING = "encoding"
    UNREADABLE = "unreadable"
    SYMLINK = "symlink"
    MISSING = "missing"

    GENERATED = "generated"  # role generated: minified, bundled, vendored (redline/roles.py)
    ROUTINE = frozenset({IGNORED, EXCLUDED, LANGUAGE, GENERATED})


@dataclass(frozen=True)
class Skipped:
    path: str  # as shown to the user (relative to the scan root, '/'-separated)
    reason: str
    kind: str

    def __str__(self) -> str:
        return f"{self.path}: skipped: {self.reason}"


# ---------------------------------------------------------------- gitignore patterns


class InvalidPattern(ValueError):
    """A glob that cannot be compiled (e.g. the range in `[z-a]`)."""


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str  # the line as written, for messages
    regex: re.Pattern
    negate: bool
    dir_only: bool


def _strip_trailing_spaces(line: str) -> str:
    end = len(line)
    while end > 0 and line[end - 1] == " ":
        # A space preceded by an odd number of backslashes is escaped: keep it.
        n, i = 0, end - 2
        while i >= 0 and line[i] == "\\":
            n, i = n + 1, i - 1
        if n % 2:
            break
        end -= 1
    return line[:end]


def _translate_segment(seg: str) -> str:
    """One path segment of a gitignore glob as a regex: `*`, `?` and `[...]` stop at '/'."""
    out, i, n = [], 0, len(seg)
    while i < n:
        c = seg[i]
        if c == "\\":
            if i + 1 < n:
                out.append(re.escape(seg[i + 1]))
            i += 2
            continue
        if c == "*":
            while i + 1 < n and seg[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and seg[j] in "!^":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 2 if seg[j] == "\\" else 1
            if j >= n:  # no closing bracket: a literal '['
                out.append(re.escape(c))
            else:
                body = seg[i + 1 : j]
                negate = body[:1] in ("!", "^")
                if negate:
                    body = body[1:]
                out.append(_translate_class(body, negate))
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _class_ranges(body: str) -> list[tuple[str, str]]:
    """The characters of a `[...]` body as (first, last) ranges: `a-z`, `\\]`, a `-` at either end."""
    items: list[str] = []  # characters, with "-" kept as the range operator where it is one
    ops: list[bool] = []
    k = 0
    while k < len(body):
        ch = body[k]
        if ch == "\\" and k + 1 < len(body):
            items.append(body[k + 1]); ops.append(False)
            k += 2
            continue
        items.append(ch); ops.append(ch == "-" and 0 < k < len(body) - 1)
        k += 1
    ranges, k = [], 0
    while k < len(items):
        if k + 2 < len(items) and ops[k + 1]:
            ranges.append((items[k], items[k + 2]))  # a reversed range is left for RE2 to reject
            k += 3
        else:
            ranges.append((items[k], items[k]))
            k += 1
    return ranges


def _translate_class(body: str, negate: bool) -> str:
    """A `[...]` of a gitignore glob as an RE2 class that never matches '/' (no look-ahead)."""
    ranges = _class_ranges(body)
    if negate:
        ranges.append(("/", "/"))
    else:  # cut '/' out of the ranges that hold it
        cut = []
        for lo, hi in ranges:
            if lo <= "/" <= hi:
                if lo < "/":
                    cut.append((lo, "."))
                if hi > "/":
                    cut.append(("0", hi))
            else:
                cut.append((lo, hi))
        ranges = cut
        if not ranges:
            return r"\b\B"  # matches nothing
    body = "".join(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}" for lo, hi in ranges)
    return f"[^{body}]" if negate else f"[{body}]"


def compile_pattern(line: str) -> IgnoreRule | None:
    """A gitignore line as a rule; None for blank lines and comments. InvalidPattern when the
    line cannot be compiled (a reversed character range such as `[z-a]`)."""
    line = line.rstrip("\r\n")
    if not line or line.startswith("#"):
        return None
    original = line
    line = _strip_trailing_spaces(line)
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    line = line.rstrip("/") if dir_only else line
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    segments = line.split("/")
    rx = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            rx.append(".*" if last else "(?:.*/)?")
        else:
            rx.append(_translate_segment(seg) + ("" if last else "/"))
    prefix = "" if anchored else "(?:.*/)?"
    try:
        # RE2: a glob such as `*a*a*a*b` is polynomial in the path for a backtracking matcher.
        regex = linear("^" + prefix + "".join(rx) + r"\z", re.DOTALL)
    except (ValueError, re.error, RecursionError, OverflowError) as e:
        raise InvalidPattern(f"invalid glob {original.strip()!r}: {getattr(e, 'msg', None) or e}") from None
    return IgnoreRule(original.strip(), regex, negate, dir_only)


@dataclass(frozen=True)
class IgnoreFile:
    """The rules of one .gitignore (or exclude list), matched against paths relative to `base`."""

    base: Path  # absolute folder the patterns are relative to
    rules: tuple[IgnoreRule, ...]
    name: str  # shown in messages, e.g. "sub/.gitignore"

    @classmethod
    def parse(cls, base: Path, lines: Iterable[str], name: str) -> "IgnoreFile":
        """The rules of `lines`; a line that cannot be compiled is left out, as git does (the
        configuration's `exclude` is checked when the configuration is read)."""
        rules = []
        for line in lines:
            try:
                rule = compile_pattern(line)
            except InvalidPattern:
                continue
            if rule is not None:
                rules.append(rule)
        return cls(base, tuple(rules), name)

    @classmethod
    def read(cls, path: Path, name: str, base: Path | None = None) -> "IgnoreFile | None":
        """The rules of the file at `path` (relative to its folder, or to `base`); None when
        it is missing, unreadable or has no patterns."""
        try:
            text = read_regular(path, IGNORE_FILE_MAX_SIZE).decode("utf-8", errors="replace")
        except OSError:
            return None
        rules = cls.parse(base or path.parent, text.splitlines(), name)
        return rules if rules.rules else None

    def match(self, rel: str, is_dir: bool) -> IgnoreRule | None:
        """The last rule matching `rel` ('/'-separated, relative to `base`), or None."""
        for rule in reversed(self.rules):
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.match(rel):
                return rule
        return None


def _relative(path: Path | str, base: Path | str) -> str | None:
    """`path` relative to `base`, '/'-separated; None when it is not below `base` (or is it).

    Absolute paths as the walker and the server pass them (from os.path.abspath, Path or
    os.scandir: normalized) are compared as strings: this runs for every entry of a walk and
    every .gitignore above it, where Path.relative_to took most of the walk's time."""
    p, b = os.fspath(path), os.fspath(base)
    if os.sep == "/" and p.startswith("/") and b.startswith("/"):
        if p == b:
            return None
        inside = b if b.endswith("/") else b + "/"
        return p[len(inside) :] if p.startswith(inside) and len(p) > len(inside) else None
    try:
        rel = Path(p).relative_to(Path(b))
    except ValueError:
        return None
    s = rel.as_posix()
    return None if s in ("", ".") else s


def ignored_by(stack: Sequence[IgnoreFile], path: Path | str, is_dir: bool) -> tuple[IgnoreFile, IgnoreRule] | None:
    """The (file, rule) that ignores `path`, or None when it is not ignored (or re-included).

    `stack` runs from the outermost .gitignore to the innermost; an inner file decides first."""
    for ig in reversed(stack):
        rel = _relative(path, ig.base)
        if rel is None:
            continue
        rule = ig.match(rel, is_dir)
        if rule is not None:
            return None if rule.negate else (ig, rule)
    return None


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds `.git` (a folder or a worktree file)."""
    for folder in [start, *start.parents]:
        if os.path.exists(folder / ".git"):  # False, not an error, when the folder is unreadable
            return folder
    return None


def outer_ignore_files(folder: Path, display_root: Path) -> list[IgnoreFile]:
    """.git/info/exclude and the .gitignore files from the repository root down to `folder`'s
    parent; `folder`'s own .gitignore is read when the walk enters it."""
    repo = repository_root(folder)
    if repo is None:
        return []
    out: list[IgnoreFile] = []
    info = IgnoreFile.read(repo / ".git" / "info" / "exclude", ".git/info/exclude", base=repo)
    if info:
        out.append(info)
    chain = [folder, *folder.parents]
    chain = chain[1 : chain.index(repo) + 1] if repo in chain else []
    for d in reversed(chain):
        ig = IgnoreFile.read(d / ".gitignore", _display(d / ".gitignore", display_root))
        if ig:
            out.append(ig)
    return out


def exclude_rules(config: Config, root: Path) -> IgnoreFile | None:
    """The configuration's `exclude` globs, anchored at its file's folder (else at `root`)."""
    if not config.exclude:
        return None
    src = Path(os.path.abspath(config.source))
    if config.source not in ("", "defaults") and os.path.isfile(src):
        return IgnoreFile.parse(src.parent, config.exclude, f"exclude in {_display(src, root)}")
    return IgnoreFile.parse(root, config.exclude, "exclude")


# ---------------------------------------------------------------- walking


def _display(path: Path | str, root: Path | str) -> str:
    rel = _relative(path, root)
    return rel if rel is not None else Path(path).as_posix()


def scan_root(paths: Sequence[Path], cwd: Path | None = None) -> Path:
    """The folder reports are relative to: the current folder when every path is inside it,
    else the deepest folder that holds them all."""
    here = os.path.abspath(cwd or os.getcwd())
    absolute = [os.path.abspath(p) for p in paths] or [here]
    inside = here.rstrip(os.sep) + os.sep
    if all(p == here or p.startswith(inside) for p in absolute):
        return Path(here)
    common = Path(os.path.commonpath(absolute))
    return common if os.path.isdir(common) else common.parent


@dataclass
class Walker:
    """Discovery state for one scan: the root, the configuration and the exclude rules."""

    root: Path
    config: Config
    use_gitignore: bool = True

    def __post_init__(self) -> None:
        self.root = Path(os.path.abspath(self.root))
        self._root = str(self.root)
        self._exclude = exclude_rules(self.config, self.root)

    def display(self, path: Path | str) -> str:
        return _display(path, self._root)

    def _excluded(self, path: Path | str, is_dir: bool, parents: bool = False) -> Skipped | None:
        """Skipped when `exclude` matches `path` (or, with `parents`, a folder above it up to
        the exclude base: a path named explicitly was not reached by walking down)."""
        if self._exclude is None:
            return None
        hit = ignored_by([self._exclude], path, is_dir)
        if hit is None and parents:
            for folder in path.parents:
                if folder == self._exclude.base or self._exclude.base not in folder.parents:
                    break
                hit = ignored_by([self._exclude], folder, True)
                if hit:
                    break
        if hit:
            return Skipped(self.display(path), f"matches {hit[1].pattern!r} ({hit[0].name})", SkipKind.EXCLUDED)
        return None

    def _file_checks(self, path: Path | str, size: int) -> Skipped | None:
        name = os.path.basename(path)
        if language_of(name) is None:
            return Skipped(self.display(path), langs.skip_reason(name), SkipKind.LANGUAGE)
        if size > self.config.max_file_size:
            return Skipped(self.display(path), _too_large(size, self.config.max_file_size), SkipKind.SIZE)
        return None

    def walk(self, paths: Sequence[Path | str]) -> Iterator[Path | Skipped]:
        """Files to scan (absolute paths) and skipped ones, in a stable order, each once."""
        seen: set[Path] = set()
        for raw in paths:
            path = Path(os.path.abspath(raw))
            for item in self._walk_one(path):
                if isinstance(item, Path):
                    if item in seen:
                        continue
                    seen.add(item)
                yield item

    def _walk_one(self, path: Path) -> Iterator[Path | Skipped]:
        try:
            st = path.stat()
        except OSError as e:
            if e.errno == errno.ENOENT:
                yield Skipped(self.display(path), "does not exist", SkipKind.MISSING)
            elif e.errno == errno.ELOOP:
                yield Skipped(self.display(path), "symbolic link loop", SkipKind.SYMLINK)
            else:
                yield Skipped(self.display(path), _os_reason(e, "cannot stat"), SkipKind.UNREADABLE)
            return
        if stat.S_ISDIR(st.st_mode):
            excluded = self._excluded(path, True, parents=True)
            if excluded:
                yield excluded
                return
            outer = outer_ignore_files(path, self.root) if self.use_gitignore else []
            yield from self._walk_dir(path, outer, os.path.realpath(path))
        elif stat.S_ISREG(st.st_mode):
            skip = self._excluded(path, False, parents=True) or self._file_checks(path, st.st_size)
            yield skip or path
        else:
            yield Skipped(self.display(path), f"not a regular file ({file_type(st.st_mode)})", SkipKind.UNREADABLE)

    def _walk_dir(self, top: Path, outer: list[IgnoreFile], real_top: str) -> Iterator[Path | Skipped]:
        # Iterative depth-first walk; each folder's .gitignore applies to everything below it.
        # Paths are strings inside the walk (pathlib costs more than the rest of it); the files
        # to scan come out as Path.
        pending: list[tuple[str, list[IgnoreFile]]] = [(str(top), outer)]
        while pending:
            folder, stack = pending.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                yield Skipped(self.display(folder), _os_reason(e, "cannot list folder"), SkipKind.UNREADABLE)
                continue
            if self.use_gitignore and any(e.name == ".gitignore" for e in entries):
                gitignore = os.path.join(folder, ".gitignore")
                own = IgnoreFile.read(Path(gitignore), self.display(gitignore))
                if own:
                    stack = [*stack, own]
            subfolders = []
            for entry in entries:
                item = self._entry(entry, stack, real_top)
                if item is None:
                    continue
                if isinstance(item, Skipped):
                    yield item
                elif item[1]:
                    subfolders.append(item[0])
                else:
                    yield Path(item[0])
            for sub in reversed(subfolders):
                pending.append((sub, stack))

    def _entry(self, entry: os.DirEntry, stack: list[IgnoreFile], real_top: str):
        """(path, is_dir) to descend into or scan, a Skipped, or None for silent skips."""
        path = entry.path
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as e:
            return Skipped(self.display(path), _os_reason(e, "cannot stat"), SkipKind.UNREADABLE)
        if is_dir and entry.name in DEFAULT_EXCLUDED_DIRS:
            return Skipped(self.display(path), f"{entry.name}/ is excluded by default", SkipKind.IGNORED)
        if self.use_gitignore:
            hit = ignored_by(stack, path, is_dir or (is_link and _is_dir_link(path)))
            if hit:
                return Skipped(self.display(path), f"matches {hit[1].pattern!r} in {hit[0].name}", SkipKind.IGNORED)
        if is_link:
            target = os.path.realpath(path)
            if not (target == real_top or target.startswith(real_top.rstrip(os.sep) + os.sep)):
                return Skipped(self.display(path), "symbolic link to outside the scanned folder (not followed)", SkipKind.SYMLINK)
            if os.path.isdir(target):
                return Skipped(self.display(path), "symbolic link to a folder (not followed)", SkipKind.SYMLINK)
            if not os.path.isfile(target):
                return Skipped(self.display(path), "broken symbolic link", SkipKind.SYMLINK)
        skip = self._excluded(path, is_dir)
        if skip:
            return skip
        if is_dir:
            return (path, True)
        try:
            if not is_link and not entry.is_file(follow_symlinks=False):
                return None  # sockets, fifos, devices: not source files
            size = entry.stat(follow_symlinks=True).st_size
        except OSError as e:
            return Skipped(self.display(path), _os_reason(e, "cannot stat"), SkipKind.UNREADABLE)
        return self._file_checks(path, size) or (path, False)


def _is_dir_link(path: Path | str) -> bool:
    try:
        return os.path.isdir(path)
    except OSError:
        return False


def _os_reason(e: OSError, fallback: str) -> str:
    return f"{fallback}: {e.strerror}" if e.strerror else fallback


def _too_large(size: int, limit: int) -> str:
    return f"larger than the {_mb(limit)} limit ({_mb(size)}); raise max-file-size to scan it"


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def discover(paths: Sequence[Path | str], config: Config, root: Path | None = None) -> Iterator[Path | Skipped]:
    """Files under `paths` to scan and the ones skipped, with reasons."""
    return Walker(root or scan_root([Path(p) for p in paths]), config).walk(paths)


# ---------------------------------------------------------------- reading

IGNORE_FILE_MAX_SIZE = 10_000_000
_CHUNK = 1 << 20


class NotRegularFile(OSError):
    """`read_regular` was given a FIFO, socket, device or folder (errno EINVAL, strerror says which)."""


def file_type(mode: int) -> str:
    """What a non-regular file is, for messages."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a regular file" if stat.S_ISREG(mode) else "not a file"


def read_regular(path: Path | str, limit: int) -> bytes:
    """At most `limit` + 1 bytes of the regular file at `path` (one more than `limit` says it is
    larger). Raises OSError when it cannot be read, NotRegularFile when it is not a regular file.

    The file is opened with O_NONBLOCK, so opening a FIFO (or a device that would wait) returns
    at once, and the type is checked with fstat on the open descriptor: a path swapped between a
    check and the open cannot make the read hang. Reads go in chunks, so a huge `limit` costs
    nothing up front."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({file_type(mode)})", os.fsdecode(path))
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_source(path: Path | str, root: Path | str, config: Config, language: str | None = None, lazy: bool = False):
    """Read and parse one file: a `SourceFile` (its `path` absolute), or a `Skipped`.

    Binary files (NUL bytes), text that is not UTF-8, files over `config.max_file_size` and
    files with no Redline language are skipped; nothing here raises for a bad file. `language`
    skips detection when the caller already knows it; `lazy` leaves parsing to the first use
    of the tree (pipeline.LazySourceFile: the result cache). Plain strings on the way (no
    pathlib): this runs once per file of a scan.
    """
    from redline.pipeline import generated_reason, make_source, role_of
    from redline.roles import GENERATED

    path = os.path.abspath(path)

    def skipped(reason: str, kind: str) -> Skipped:
        return Skipped(_display(Path(path), Path(os.path.abspath(root))), reason, kind)

    language = language or language_of(os.path.basename(path))
    if language is None:
        return skipped(langs.skip_reason(Path(path)), SkipKind.LANGUAGE)
    try:
        data = read_regular(path, config.max_file_size)
    except OSError as e:  # NotRegularFile too: "cannot read: not a regular file (a FIFO)"
        return skipped(_os_reason(e, "cannot read"), SkipKind.UNREADABLE)
    if len(data) > config.max_file_size:
        try:
            size = os.path.getsize(path)
        except OSError:
            size = len(data)
        return skipped(_too_large(size, config.max_file_size), SkipKind.SIZE)
    reason = binary_reason(data)
    if reason:
        kind = SkipKind.BINARY if "NUL" in reason else SkipKind.ENCODING
        return skipped(reason, kind)
    role, rel = role_of(path, data, config)
    if role == GENERATED:
        return skipped(generated_reason(rel), SkipKind.GENERATED)
    try:
        source = make_source(path, data, language=language, lazy=lazy)
    except Exception as e:  # noqa: BLE001 - a grammar that fails must not stop the scan
        return skipped(f"cannot parse: {type(e).__name__}: {e}", SkipKind.UNREADABLE)
    if source is None:
        return skipped(langs.skip_reason(Path(path)), SkipKind.LANGUAGE)
    return source


def binary_reason(data: bytes) -> str | None:
    """Why `data` is not a text file Redline can scan, or None."""
    if b"\0" in data:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "UTF-16 text (only UTF-8 is scanned)"
        return "binary file (contains NUL bytes)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"not UTF-8 text (invalid byte at offset {e.start})"
    return None


def count_lines(data: bytes) -> int:
    """Lines as an editor counts them (a last line without a newline counts)."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
