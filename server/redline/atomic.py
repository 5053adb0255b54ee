"""Atomic file replacement: write a temporary file in the target's folder, then `os.replace`.

Readers see the old file or the new one, never a mix, and a failure (a full disk, an exception
while writing) leaves the old file and no temporary behind. Used for the result cache, the rule
cache, the advisory database, the registry cache and `redline scan --fix`.
"""

from __future__ import annotations

import os
import tempfile
from typing import BinaryIO, Callable


def replace_file(path: str | os.PathLike, data: bytes | Callable[[BinaryIO], object], *, prefix: str = ".tmp-",
                 suffix: str = ".tmp", mode: int | None = None, fsync: bool = False) -> None:
    """Replace `path` with `data` (bytes, or a function that writes to the open binary file).

    `mode` sets the new file's permission bits (mkstemp creates 0600); `fsync` flushes it to
    disk before the rename. Errors propagate after the temporary file is removed."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    try:
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
