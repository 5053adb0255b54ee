"""Emacs with Eglot (Debian's emacs-nox + elpa-eglot) against the real `redline lsp`, in batch mode.

tests/editors/emacs/eglot-redline.el opens a vulnerable file, waits for Redline's diagnostics in
Flymake, lists the code actions at the finding, applies the preferred quick fix through Eglot's own
code-action path and waits for the diagnostics to update. `make emacs` installs the editor (it is an
INSTALL_TARGETS prerequisite of `make test`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "editors" / "emacs" / "eglot-redline.el"
REDLINE = Path(sys.executable).parent / "redline"

VULNERABLE = """import subprocess

import yaml


def load_settings(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.Loader)


def archive(name):
    subprocess.run("tar czf backup.tgz " + name, shell=True)
"""


def elisp_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> dict:
    emacs = shutil.which("emacs")
    if emacs is None:
        pytest.fail("emacs is not installed: run `make emacs` (Debian emacs-nox + elpa-eglot)")
    project = tmp_path_factory.mktemp("emacs-project")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)  # a project root for project.el
    source = project / "settings_loader.py"
    source.write_text(VULNERABLE, "utf-8")
    out = project.parent / f"{project.name}-result.json"
    call = f"(redline-test-run {elisp_string(str(REDLINE))} {elisp_string(str(source))} {elisp_string(str(out))})"
    env = {**os.environ, "HOME": str(project.parent)}  # no user init files or state
    proc = subprocess.run(
        [emacs, "--batch", "-l", str(SCRIPT), "--eval", call],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.exists(), f"no result from Emacs (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(out.read_text("utf-8"))
    assert "error" not in result, f"{result['error']}\n{proc.stderr[-3000:]}"
    result["_disk"] = source.read_text("utf-8")
    return result


def test_eglot_connects_to_redline(session) -> None:
    assert session["server"] == "redline"


def test_flymake_shows_redline_diagnostics(session) -> None:
    by_code = {d["text"].split("]")[0].split("[")[-1]: d for d in session["diagnostics"]}
    assert set(by_code) >= {"RL112", "RL102"}, session["diagnostics"]
    assert by_code["RL112"]["line"] == 8
    assert by_code["RL112"]["text"].startswith("redline [RL112]: ")
    assert "safe_load" in by_code["RL112"]["text"]
    assert by_code["RL102"]["line"] == 12
    assert by_code["RL112"]["type"] == "eglot-error"


def test_code_actions_offer_a_preferred_fix_a_suppression_and_fix_all(session) -> None:
    actions = session["actions"]
    preferred = [a for a in actions if a["preferred"]]
    assert [a["title"] for a in preferred] == ["Use yaml.safe_load() (RL112)"]
    assert preferred[0]["kind"] == "quickfix"
    assert any(a["kind"] == "quickfix" and "Suppress RL112" in a["title"] for a in actions), actions
    assert any(a["kind"] == "source.fixAll.redline" for a in actions), actions


def test_the_quick_fix_edits_the_buffer_and_the_finding_goes_away(session) -> None:
    assert "return yaml.safe_load(f)" in session["fixed_text"]
    assert "yaml.load(" not in session["fixed_text"]
    assert session["modified"] is True
    assert "yaml.load(f, Loader=yaml.Loader)" in session["_disk"], "the fix is not saved by itself"
    after = [d["text"] for d in session["after"]]
    assert not any("[RL112]" in t for t in after), after
    assert any("[RL102]" in t for t in after), "the other finding stays"


def test_the_documented_eglot_setup_picks_redline(tmp_path) -> None:
    """docs/editors-other.md's init-file snippet, evaluated by Emacs, makes Eglot start `redline lsp`."""
    emacs = shutil.which("emacs")
    if emacs is None:
        pytest.fail("emacs is not installed: run `make emacs` (Debian emacs-nox + elpa-eglot)")
    doc = (ROOT / "docs" / "editors-other.md").read_text("utf-8")
    import re

    snippets = re.findall(r"^```elisp\n(.*?)^```", doc, re.M | re.S)
    eglot_setup = next(s for s in snippets if "eglot-server-programs" in s)
    (tmp_path / "init.el").write_text(eglot_setup, "utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "x.py").write_text("x = 1\n", "utf-8")
    program = f"""(progn
      (require 'eglot)
      (load-file {elisp_string(str(tmp_path / "init.el"))})
      (with-current-buffer (find-file-noselect {elisp_string(str(tmp_path / "x.py"))})
        (python-mode)
        (let ((guess (eglot--guess-contact)))
          (princ (format "MODES=%S\\nCONTACT=%S\\n" (nth 0 guess) (nth 3 guess))))))"""
    r = subprocess.run(
        [emacs, "--batch", "--eval", program],
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'CONTACT=("redline" "lsp" :initializationOptions (:minSeverity "warning"))' in r.stdout, r.stdout
    assert "python-mode" in r.stdout.split("MODES=")[1].splitlines()[0]
