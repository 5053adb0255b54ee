"""A Python library's command and code sinks fed by its callers' values are its API contract
(pipeline.apply_library_policy): RL102/RL103 without an untrusted source are not reported there,
while applications, lone snippets, `application = true` and request data keep them."""

from __future__ import annotations

from pathlib import Path

from redline.config import Config
from redline.pipeline import analyze_text

RUNNER = (
    "import subprocess\n"
    "\n"
    "\n"
    "def run(command):\n"
    "    return subprocess.run(command, shell=True)\n"  # line 5
    "\n"
    "\n"
    "def render(source):\n"
    "    return eval(compile(source, '<template>', 'eval'))\n"  # line 9
)
HANDLER = (
    "import subprocess\n"
    "from flask import request\n"
    "\n"
    "\n"
    "def ping():\n"
    "    return subprocess.run('ping ' + request.args['host'], shell=True)\n"  # line 6
)
SETUP_CFG = "[metadata]\nname = runner\n\n[options]\npackages = find:\ninstall_requires = flask\n"


def _codes(root: Path, name: str, text: str, config: Config | None = None) -> list[tuple[int, str]]:
    path = root / "runner" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    found = analyze_text(str(path), text, config or Config()).findings
    return sorted({(f.span.start_point[0] + 1, f.code) for f in found if f.code in ("RL102", "RL103")})


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_a_librarys_callers_values_are_its_contract(tmp_path):
    lib = _project(tmp_path / "lib", {"setup.cfg": SETUP_CFG})
    assert _codes(lib, "core.py", RUNNER) == []


def test_request_data_in_a_library_is_still_reported(tmp_path):
    lib = _project(tmp_path / "lib", {"setup.cfg": SETUP_CFG})
    assert (6, "RL102") in _codes(lib, "views.py", HANDLER)


def test_an_application_keeps_them(tmp_path):
    app = _project(tmp_path / "app", {"setup.cfg": SETUP_CFG, "requirements.txt": "flask==3.0.0\n"})
    assert _codes(app, "core.py", RUNNER) == [(5, "RL102"), (9, "RL103")]


def test_a_snippet_without_a_manifest_keeps_them(tmp_path):
    (tmp_path / "runner").mkdir()
    assert _codes(tmp_path, "core.py", RUNNER) == [(5, "RL102"), (9, "RL103")]


def test_application_true_keeps_them_in_a_library(tmp_path):
    lib = _project(tmp_path / "lib", {"setup.cfg": SETUP_CFG})
    assert _codes(lib, "core.py", RUNNER, Config(application=True)) == [(5, "RL102"), (9, "RL103")]


def test_a_pyproject_with_a_build_system_is_a_library(tmp_path):
    pyproject = '[project]\nname = "runner"\ndependencies = ["flask"]\n[build-system]\nrequires = ["hatchling"]\n'
    lib = _project(tmp_path / "lib", {"pyproject.toml": pyproject})
    assert _codes(lib, "core.py", RUNNER) == []


def test_text_that_is_no_saved_file_keeps_them(tmp_path):
    # a new editor buffer, standard input, an agent's proposed file: new code is reviewed as code
    lib = _project(tmp_path / "lib", {"setup.cfg": SETUP_CFG})
    path = lib / "runner" / "new.py"
    found = analyze_text(str(path), RUNNER, Config()).findings
    assert sorted({(f.span.start_point[0] + 1, f.code) for f in found if f.code in ("RL102", "RL103")}) == [
        (5, "RL102"), (9, "RL103")]
