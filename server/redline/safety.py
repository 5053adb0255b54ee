"""Starting processes safely: no workspace code on any import path, no child outliving us.

Editors start `redline lsp` with the workspace folder as the working directory, and Python
puts the working directory first on `sys.path` for `python -c ...` and `python -m ...`. The
worker that runs the slow engines and multiprocessing's resource tracker both start as
`python -c ...`, so a workspace `selectors.py`, `signal.py` or `pickle.py` would run in them
seconds after the first file is opened, and `python -m redline` would import a workspace
`re.py`. The promise (DESIGN.md, "Network and execution") is that the server never runs
workspace code, so:

- `drop_cwd_from_path()` removes the working directory from our own `sys.path`, first thing in
  `python -m redline` / `python -m redline.lsp` (the console script `redline` never has it:
  its `sys.path[0]` is its own `bin` directory). Spawned children copy the parent's `sys.path`.
- `safe_children()` sets PYTHONSAFEPATH=1 while children start, so that their interpreter adds
  nothing to `sys.path` before they import multiprocessing (`-c` would add the working
  directory). `spawn_is_safe()` says when that is not possible (the parent runs with `-E` but
  without `-P`: children inherit `-E` and ignore the variable); then do the work in-process.

What cannot be defended from inside: under plain `python -m redline`, Python imports runpy
and its dependencies (contextlib, functools, types, ...) and the `redline` package itself
after putting the working directory first, before any of our code runs. `python -P -m redline`
or the `redline` script is the safe form (docs/editors.md).

The second half: children die with us. A killed server (SIGKILL, SIGTERM, a crashed editor)
must not leave its worker behind, nor a scan its pool. `die_with_parent()` runs in each child:
on Linux the kernel sends it SIGKILL when its parent dies (PR_SET_PDEATHSIG), and on every
platform a daemon thread notices the parent's death (POSIX: we are re-parented; Windows: the
parent's process handle is signalled) and exits. The resource tracker needs nothing of its
own: it exits when the last process holding its pipe (the parent and the workers) is gone.
"""

# Imports: only modules that every interpreter has loaded before it looks at sys.path (`sys`,
# `os`, the built-in `_thread`), because `python -m redline` imports this module to clean
# sys.path before anything else: no `from __future__`, no typing, no contextlib.
import _thread
import os
import sys

# Linux <sys/prctl.h>
_PR_SET_PDEATHSIG = 1

# How often the watchdog thread looks at the parent (seconds); a dead parent's child exits
# within this much.
WATCHDOG_INTERVAL = 0.5

_env_lock = _thread.allocate_lock()
_env_users = 0
_env_saved = None


# ------------------------------------------------------------------ import path


def _is_cwd(entry: str, cwd: "str | None") -> bool:
    if entry in ("", "."):
        return True  # relative: whatever the working directory is when an import happens
    if cwd is None:
        return False
    try:
        return os.path.samefile(entry, cwd)
    except OSError:
        return False


def drop_cwd_from_path(path: "list[str] | None" = None) -> "list[str]":
    """Remove the working directory that Python put on the import path for `-m` / `-c`.

    Removes every '' and '.' entry (they always mean the current directory), and the first
    entry when it is the working directory and the interpreter added it (it does unless
    `-P`, `-I` or PYTHONSAFEPATH). Other entries that happen to name the working directory
    (PYTHONPATH, .pth files) were put there on purpose and stay. Returns what was removed."""
    path = sys.path if path is None else path
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was deleted
        cwd = None
    removed = []
    if path and not sys.flags.safe_path and path[0] not in ("", ".") and _is_cwd(path[0], cwd):
        removed.append(path.pop(0))
    for i in reversed(range(len(path))):
        if path[i] in ("", "."):
            removed.append(path.pop(i))
    return removed


def spawn_is_safe() -> bool:
    """Whether children we spawn (a fresh interpreter) can be made to start with a safe path.

    They inherit our interpreter flags: `-I` or `-P` are safe as they are; otherwise
    PYTHONSAFEPATH (set by `safe_children`) makes them safe unless `-E` tells them to ignore
    the environment."""
    flags = sys.flags
    return bool(flags.safe_path or flags.isolated or not flags.ignore_environment)


class safe_children:
    """`with safe_children():` child interpreters started in the block put nothing on sys.path
    by themselves.

    PYTHONSAFEPATH=1 in our environment for the duration (our own process is unaffected: the
    variable is read at start-up), restored when the last such block ends, so that in-process
    callers (tests, other tools) do not keep it. Blocks may nest and overlap across threads."""

    def __enter__(self) -> None:
        global _env_users, _env_saved
        with _env_lock:
            if _env_users == 0:
                _env_saved = os.environ.get("PYTHONSAFEPATH")
                os.environ["PYTHONSAFEPATH"] = "1"
            _env_users += 1

    def __exit__(self, *exc) -> None:
        global _env_users
        with _env_lock:
            _env_users -= 1
            if _env_users == 0:
                if _env_saved is None:
                    os.environ.pop("PYTHONSAFEPATH", None)
                else:
                    os.environ["PYTHONSAFEPATH"] = _env_saved


# ------------------------------------------------------------------ dying with the parent


def die_with_parent(parent_pid: int, pdeathsig: bool = True, interval: float = WATCHDOG_INTERVAL) -> None:
    """Call in a child process (a pool initializer): exit when `parent_pid` dies.

    `pdeathsig`: also ask Linux for SIGKILL when the parent dies. The kernel sends it when the
    *thread* that started us ends, so pass False unless the parent started us from a thread
    that lives as long as the process (its main thread). The watchdog thread covers the rest
    and other platforms."""
    if pdeathsig and sys.platform.startswith("linux"):
        _set_pdeathsig()
    if sys.platform == "win32":
        target = _watch_windows_parent
    else:
        if os.getppid() != parent_pid:  # died before we could ask to be told
            os._exit(1)
        target = _watch_posix_parent
    import threading

    threading.Thread(target=target, args=(parent_pid, interval), name="redline-parent-watchdog", daemon=True).start()


def _set_pdeathsig() -> bool:
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError, ValueError):  # no libc symbol: the watchdog still works
        return False


def _watch_posix_parent(parent_pid: int, interval: float) -> None:
    import time

    while os.getppid() == parent_pid:
        time.sleep(interval)
    os._exit(1)


def _watch_windows_parent(parent_pid: int, interval: float) -> None:  # pragma: no cover - Windows
    try:
        import _winapi

        synchronize = 0x00100000
        handle = _winapi.OpenProcess(synchronize, False, parent_pid)
    except OSError:  # already gone
        os._exit(1)
    _winapi.WaitForSingleObject(handle, _winapi.INFINITE)
    os._exit(1)
