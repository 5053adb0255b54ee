"""The pre-commit hook in .pre-commit-hooks.yaml, run by the real pre-commit on a temporary repository.

pre-commit normally clones the hook repository and pip-installs it, which needs the network. The
tests use the hook definition as published, with only `language: system` instead of `python` (a
`repo: local` hook), so the already-installed `redline` from .venv runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent

VULNERABLE = "import yaml\n\n\ndef load(path):\n    with open(path) as f:\n        return yaml.load(f, Loader=yaml.Loader)\n"
SAFE = "import yaml\n\n\ndef load(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n"


def published_hook() -> dict:
    hooks = yaml.safe_load(HOOKS.read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "redline"]
    return hook


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    if not (BIN / "pre-commit").exists() or not (BIN / "redline").exists():
        pytest.fail("pre-commit and redline must be installed in the venv: run `make install`")
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the pre-commit hook")
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path / "home"),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
    }
    (tmp_path / "home").mkdir()
    work = tmp_path / "project"
    work.mkdir()
    assert run(["git", "init", "-q", "-b", "main"], work, env).returncode == 0
    hook = {**published_hook(), "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    (work / "README.md").write_text("# sample\n", "utf-8")
    assert run(["git", "add", "."], work, env).returncode == 0
    return work, env


def test_manifest_is_valid_for_pre_commit() -> None:
    r = subprocess.run([str(BIN / "pre-commit"), "validate-manifest", str(HOOKS)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    hook = published_hook()
    assert hook["entry"] == "redline scan"
    assert hook["language"] == "python"


def test_hook_fails_on_a_finding_and_passes_once_fixed(repo) -> None:
    work, env = repo
    (work / "loader.py").write_text(VULNERABLE, "utf-8")
    run(["git", "add", "loader.py"], work, env)
    r = run(["pre-commit", "run", "--all-files"], work, env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "redline" in r.stdout and "Failed" in r.stdout
    assert "loader.py:6:" in r.stdout and "RL112" in r.stdout, r.stdout

    (work / "loader.py").write_text(SAFE, "utf-8")
    run(["git", "add", "loader.py"], work, env)
    r = run(["pre-commit", "run", "--all-files"], work, env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed" in r.stdout


def test_installed_hook_blocks_the_commit_and_checks_only_staged_files(repo) -> None:
    work, env = repo
    assert run(["pre-commit", "install"], work, env).returncode == 0
    assert run(["git", "commit", "-q", "-m", "start"], work, env).returncode == 0

    # An unstaged vulnerable file does not block a commit of something else...
    (work / "draft.py").write_text(VULNERABLE, "utf-8")
    (work / "safe.py").write_text(SAFE, "utf-8")
    run(["git", "add", "safe.py"], work, env)
    r = run(["git", "commit", "-m", "safe"], work, env)
    assert r.returncode == 0, r.stdout + r.stderr

    # ...a staged one does, and nothing is committed.
    run(["git", "add", "draft.py"], work, env)
    r = run(["git", "commit", "-m", "draft"], work, env)
    assert r.returncode != 0
    assert "RL112" in r.stdout + r.stderr
    log = run(["git", "log", "--format=%s"], work, env).stdout.split()
    assert log == ["safe", "start"]


def test_hook_arguments_pass_through(repo) -> None:
    """`args:` in the user's config reach `redline scan` (here: report but never fail)."""
    work, env = repo
    config = yaml.safe_load((work / ".pre-commit-config.yaml").read_text("utf-8"))
    config["repos"][0]["hooks"][0]["args"] = ["--fail-on", "never"]
    config["repos"][0]["hooks"][0]["verbose"] = True
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    (work / "loader.py").write_text(VULNERABLE, "utf-8")
    run(["git", "add", "."], work, env)
    r = run(["pre-commit", "run", "--all-files"], work, env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "RL112" in r.stdout
