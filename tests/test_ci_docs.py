"""docs/ci.md: the snippets are valid, and their shell commands do what the text says.

Each YAML/shell snippet starts with a comment naming its file. The GitHub Actions steps and the
GitLab job script run here against a sample project, with the semantics of those runners (a
failing step fails the job; `if: success() || failure()` still runs); the install command is
checked, not run (the package under test is already installed in the venv). `uses:` steps are
checked for what they consume: upload-sarif must find a SARIF file at `sarif_file`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["name"]

VULNERABLE = "import yaml\n\n\ndef load(path):\n    with open(path) as f:\n        return yaml.load(f, Loader=yaml.Loader)\n"
SAFE = "import json\n\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n"


def snippets() -> dict[str, str]:
    """Fenced blocks by the file named in their first line (`# .gitlab-ci.yml`)."""
    out = {}
    for body in re.findall(r"^```[a-z]*\n(.*?)^```", DOC.read_text("utf-8"), re.M | re.S):
        first = body.splitlines()[0]
        m = re.match(r"#\s*(\S+)(.*)$", first)
        assert m, f"snippet without a file-name comment: {first!r}"
        out[(m.group(1) + m.group(2)).strip()] = body
    return out


SNIPPETS = snippets()


def is_install(command: str) -> bool:
    return bool(re.match(r"^(python3? -m pip|pip3?|pipx) install\b", command.strip()))


def check_install(command: str) -> None:
    args = shlex.split(command)
    assert PROJECT in args, f"{command!r} does not install {PROJECT!r}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "home").mkdir()
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
    }


def project(tmp_path: Path, source: str) -> Path:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "app.py").write_text(source, "utf-8")
    (work / "README.md").write_text("# sample\n", "utf-8")
    return work


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def check_sarif(path: Path, expect_rule: str | None) -> dict:
    assert path.is_file(), f"no SARIF report at {path}"
    sarif = json.loads(path.read_text("utf-8"))
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "redline"
    results = run["results"]
    if expect_rule is None:
        assert [r for r in results if r["level"] == "error"] == []
    else:
        hits = [r for r in results if r["ruleId"] == expect_rule]
        assert hits, results
        loc = hits[0]["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "app.py"  # relative to the repository root
        assert loc["region"]["startLine"] == 6
    return sarif


# ---------------------------------------------------------------- GitHub Actions


def workflow() -> dict:
    return yaml.safe_load(SNIPPETS[".github/workflows/redline.yml"])


def run_github_job(job: dict, cwd: Path, env: dict[str, str]) -> tuple[str, list[tuple[str, object]]]:
    """Run a job's steps like the runner: returns the job status and (step, outcome) pairs."""
    status = "success"
    outcomes: list[tuple[str, object]] = []
    for step in job["steps"]:
        name = step.get("name", step.get("uses", step.get("run", "")))
        cond = step.get("if", "success()").replace(" ", "")
        if not {"success()": status == "success", "success()||failure()": True, "always()": True, "failure()": status == "failure"}[cond]:
            outcomes.append((name, "skipped"))
            continue
        if "run" in step:
            if is_install(step["run"]):
                check_install(step["run"])
                outcomes.append((name, "install checked"))
                continue
            r = sh(step["run"], cwd, env)
            outcomes.append((name, r.returncode))
            if r.returncode != 0:
                status = "failure"
        elif step["uses"].startswith("github/codeql-action/upload-sarif@"):
            sarif_file = cwd / step["with"]["sarif_file"]
            outcomes.append((name, sarif_file))
            assert sarif_file.is_file(), f"upload-sarif would find no {sarif_file.name}"
        else:
            outcomes.append((name, "uses"))
    return status, outcomes


def test_github_workflow_can_upload_to_code_scanning() -> None:
    wf = workflow()
    assert wf["permissions"]["security-events"] == "write"
    assert "pull_request" in wf[True]  # YAML 1.1 reads the key `on` as True
    (job,) = wf["jobs"].values()
    uses = [s.get("uses", "") for s in job["steps"]]
    assert uses[0].startswith("actions/checkout@")
    scan = next(s["run"] for s in job["steps"] if "redline scan" in s.get("run", ""))
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    args = shlex.split(scan)
    assert args[args.index("--format") + 1] == "sarif"
    assert args[args.index("--output") + 1] == upload["with"]["sarif_file"]


def test_github_workflow_fails_on_an_error_and_still_uploads(tmp_path: Path, env) -> None:
    (job,) = workflow()["jobs"].values()
    work = project(tmp_path, VULNERABLE)
    status, outcomes = run_github_job(job, work, env)
    assert status == "failure", outcomes
    assert ("Scan", 1) in outcomes
    assert any(isinstance(o, Path) for _, o in outcomes), f"the upload step did not run: {outcomes}"
    check_sarif(work / "redline.sarif", "RL112")


def test_github_workflow_passes_on_a_clean_project(tmp_path: Path, env) -> None:
    (job,) = workflow()["jobs"].values()
    work = project(tmp_path, SAFE)
    status, outcomes = run_github_job(job, work, env)
    assert status == "success", outcomes
    check_sarif(work / "redline.sarif", None)


# ---------------------------------------------------------------- GitLab CI


def test_gitlab_job_keeps_the_sarif_report_and_fails_on_an_error(tmp_path: Path, env) -> None:
    ci = yaml.safe_load(SNIPPETS[".gitlab-ci.yml"])
    job = ci["redline"]
    assert job["artifacts"]["when"] == "always"
    work = project(tmp_path, VULNERABLE)
    codes = []
    for line in job["script"]:
        if is_install(line):
            check_install(line)
            continue
        r = sh(line, work, env)
        codes.append(r.returncode)
        if r.returncode != 0:  # GitLab stops the script at the first failing line
            assert "RL112" in r.stdout, r.stdout + r.stderr
            break
    assert codes == [0, 1], codes
    for path in job["artifacts"]["paths"]:
        assert (work / path).exists(), f"artifact {path} missing"
    check_sarif(work / "redline.sarif", "RL112")


# ---------------------------------------------------------------- pre-commit


@pytest.mark.parametrize("name", [".pre-commit-config.yaml", ".pre-commit-config.yaml (local hook)"])
def test_pre_commit_configs_are_valid(tmp_path: Path, name: str) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(SNIPPETS[name], "utf-8")
    r = subprocess.run([str(BIN / "pre-commit"), "validate-config", str(config)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    published = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    (hook,) = yaml.safe_load(SNIPPETS[name])["repos"][0]["hooks"]
    assert hook["id"] in published
    if "entry" in hook:  # the local variant repeats the published definition
        for key in ("entry", "types", "require_serial"):
            assert hook[key] == published[hook["id"]][key], key
    for arg in hook.get("args", []):
        if arg.startswith("--"):
            assert arg in subprocess.run([str(BIN / "redline"), "scan", "--help"], capture_output=True, text=True).stdout


# ---------------------------------------------------------------- baseline


def test_baseline_commands_report_only_new_findings(tmp_path: Path, env) -> None:
    work = project(tmp_path, VULNERABLE)
    (work / "redline.toml").write_text(SNIPPETS["redline.toml"], "utf-8")
    block = next(body for key, body in SNIPPETS.items() if key.startswith("baseline:"))
    commands = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    write, check = commands
    assert sh(write, work, env).returncode == 0
    assert (work / ".redline-baseline.json").is_file()
    r = sh(check, work, env)
    assert r.returncode == 0, r.stdout + r.stderr  # nothing new, and the baseline itself is not flagged
    (work / "more.py").write_text(VULNERABLE, "utf-8")
    r = sh(check, work, env)
    assert r.returncode == 1 and "more.py" in r.stdout and "app.py" not in r.stdout, r.stdout
