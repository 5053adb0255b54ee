"""`redline scan --diff REF`: which lines a change added, from git.

The lines added or changed since the merge base of REF and HEAD are read from
`git diff --unified=0 -M <base>` (the working tree against the merge base: committed, staged and
unstaged changes alike), plus every untracked file that is not ignored, which is wholly added.
Rename detection (-M) keeps a renamed file's unchanged lines out: only its edited lines count.
Deleted files and deleted lines add nothing.

git runs with a safe configuration: the repository being scanned may be hostile, and its
`.git/config` (or `.gitattributes` naming drivers in it) could otherwise run commands through
`core.fsmonitor`, `diff.external`, `diff.<driver>.textconv`, `diff.<driver>.command`,
`filter.<driver>.clean`/`process` or a pager. We pass `--no-ext-diff --no-textconv`,
`-c core.fsmonitor=false`, blank every filter driver the configuration names, never use a pager,
fix the output format (prefixes, quoting, colour, relative paths) whatever the configuration
says, and set GIT_OPTIONAL_LOCKS=0 so that git does not rewrite the index. See docs/security.md.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

TIMEOUT = 120  # seconds for any one git command


class DiffError(Exception):
    """Why the changed lines cannot be known (printed as a usage error, exit 2)."""


@dataclass
class Changes:
    """Absolute real paths -> the 1-based line numbers added or changed; `whole` files are new
    (untracked) and count as added everywhere."""

    top: str
    base: str
    lines: dict[str, set[int]] = field(default_factory=dict)
    whole: set[str] = field(default_factory=set)

    def files(self) -> set[str]:
        return set(self.lines) | self.whole

    def touches(self, path: str, first: int, last: int) -> bool:
        """Does the 1-based line range [first, last] of `path` hold an added line?"""
        real = os.path.realpath(path)
        if real in self.whole:
            return True
        added = self.lines.get(real)
        if not added:
            return False
        if last - first < len(added):
            return any(n in added for n in range(first, last + 1))
        return any(first <= n <= last for n in added)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER", "PAGER")}
    env.update(GIT_PAGER="cat", PAGER="cat", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C", LANGUAGE="")
    return env


# Settings that would run a command or change the output we parse, pinned for every call.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.quotePath=true",
    "diff.external=",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "color.ui=false",
    "color.diff=false",
)


def _git(cwd: str, args: list[str], extra_config: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    argv = ["git"]
    for setting in SAFE_CONFIG + extra_config:
        argv += ["-c", setting]
    try:
        return subprocess.run(
            argv + args, cwd=cwd, env=_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise DiffError("--diff needs git, and no `git` command was found on PATH") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} did not finish within {TIMEOUT} s") from None
    except OSError as e:
        raise DiffError(f"cannot run git: {e.strerror or e}") from None


def _message(proc: subprocess.CompletedProcess) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return text[-1] if text else f"exit status {proc.returncode}"


def _filter_overrides(cwd: str) -> tuple[str, ...]:
    """`-c` settings that blank every filter driver the configuration defines (a hostile
    repository's `.git/config` may define one and name it in `.gitattributes`)."""
    proc = _git(cwd, ["config", "-z", "--get-regexp", r"^filter\..*\.(clean|smudge|process)$"])
    out = []
    for item in proc.stdout.split(b"\0"):
        key = item.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
        if key:
            out.append(f"{key}=")
            driver = key.rsplit(".", 1)[0]
            out.append(f"{driver}.required=false")
    return tuple(dict.fromkeys(out))


def changes(cwd: str, ref: str) -> Changes:
    """The lines added since the merge base of `ref` and HEAD, in the repository holding `cwd`."""
    if not ref or ref.startswith("-"):
        raise DiffError(f"--diff: {ref!r} is not a git revision")
    proc = _git(cwd, ["rev-parse", "--show-toplevel"])
    if proc.returncode != 0:
        raise DiffError(f"--diff: {cwd} is not in a git repository ({_message(proc)})")
    top = os.path.realpath(proc.stdout.decode("utf-8", "surrogateescape").rstrip("\n"))
    proc = _git(cwd, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    if proc.returncode != 0:
        raise DiffError(f"--diff: unknown git revision {ref!r} (in CI, fetch it: actions/checkout needs fetch-depth: 0)")
    target = proc.stdout.decode().strip()
    proc = _git(cwd, ["merge-base", target, "HEAD"])
    if proc.returncode != 0:
        raise DiffError(f"--diff: no merge base between {ref!r} and HEAD ({_message(proc)}); fetch more history (fetch-depth: 0)")
    base = proc.stdout.decode().strip()
    overrides = _filter_overrides(top)
    proc = _git(
        top,
        ["diff", "--no-ext-diff", "--no-textconv", "--no-color", "--no-relative", "--unified=0", "-M",
         "--src-prefix=a/", "--dst-prefix=b/", "--ignore-submodules", base, "--"],
        overrides,
    )
    if proc.returncode != 0:
        raise DiffError(f"--diff: git diff failed: {_message(proc)}")
    result = Changes(top, base)
    for rel, added in parse_diff(proc.stdout).items():
        result.lines[os.path.join(top, rel)] = added
    proc = _git(top, ["ls-files", "-z", "--others", "--exclude-standard", "--full-name"], overrides)
    if proc.returncode != 0:
        raise DiffError(f"--diff: git ls-files failed: {_message(proc)}")
    for rel in proc.stdout.split(b"\0"):
        if rel:
            result.whole.add(os.path.join(top, os.fsdecode(rel)))
    return result


_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def parse_diff(patch: bytes) -> dict[str, set[int]]:
    """Repository-relative path -> added line numbers, from `git diff --unified=0` output."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            current = None
        elif line.startswith(b"+++ "):
            name = line[4:]
            if name == b"/dev/null":
                current = None
                continue
            path = _unquote(name)
            if path.startswith(b"b/"):
                path = path[2:]
            current = out.setdefault(os.fsdecode(path), set())
        elif current is not None and line.startswith(b"@@"):
            m = _HUNK.match(line)
            if m:
                start, count = int(m[1]), int(m[2]) if m[2] is not None else 1
                current.update(range(start, start + count))
    return {k: v for k, v in out.items() if v}


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


def _unquote(name: bytes) -> bytes:
    """A path as git prints it: C-quoted ("a/t\\303\\251st.py") when it has unusual bytes."""
    name = name.rstrip(b"\t")  # git may add a tab after names with spaces
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i : i + 1]
        if c == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if body[i + 1 : i + 4].isdigit():
                out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
        out += c
        i += 1
    return bytes(out)
