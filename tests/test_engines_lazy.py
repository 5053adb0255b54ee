"""Engines are imported lazily (redline/engines/__init__.py): the table that decides, without
importing an engine, which files it may apply to agrees with the engines themselves, and opening
a Python file in the language server imports neither the engines that cannot apply to it nor the
dependencies engine's heavy modules (issue 15: spawn to first diagnostics)."""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from redline import engines, templates
from redline.deps import imports
from redline.documents.source import SourceFile
from redline.engines import LazyEngine, all_engines, get
from redline.engines import dependencies as deps_engine

ROOT = Path(__file__).resolve().parent.parent


def test_the_table_names_every_engine_module_with_its_own_name_speed_and_default():
    modules = {}
    for info in pkgutil.iter_modules(engines.__path__):
        engine = getattr(importlib.import_module(f"redline.engines.{info.name}"), "ENGINE", None)
        if engine is not None:
            modules[info.name] = engine
    rows = {row.module: row for row in engines._TABLE}
    assert set(rows) == set(modules)
    for module, engine in modules.items():
        row = rows[module]
        assert (row.name, row.slow, row.default_on) == (engine.name, engine.slow, engine.default_on)
        assert get(row.name) is engine


def test_the_table_languages_are_the_engines_own():
    rows = {row.name: row for row in engines._TABLE}
    assert rows["templates"].languages == frozenset(templates.SYNTAX)
    assert rows["dependencies"].languages == frozenset(imports.PYTHON_LANGS + imports.JS_LANGS)
    assert set(deps_engine._CODE_LANGS) == set(imports.PYTHON_LANGS + imports.JS_LANGS)


def _file(path, language, text):
    return SourceFile(path=path, language=language, text=text.encode())


FILES = [
    _file("app.py", "python", "import os\nos.system(input())\n"),
    _file("web/index.js", "javascript", "const x = require('lodash');\n"),
    _file("main.go", "go", "package main\n"),
    _file("Main.java", "java", "class Main {}\n"),
    _file("requirements.txt", "plaintext", "flask==0.1\n"),
    _file("requirements/dev.txt", "plaintext", "pytest\n"),
    _file("package.json", "json", '{"dependencies": {"left-pad": "1.0.0"}}\n'),
    _file("go.mod", "plaintext", "module x\n"),
    _file("page.html", "html", "<p>{{ name }}</p>\n"),
    _file("page2.html", "html", "<p>plain</p>\n"),
    _file("view.vue", "vue", "<template><a :href='u'>x</a></template>\n"),
    _file("notes.txt", "plaintext", "nothing here\n"),
    _file("empty.py", "python", ""),
]


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.path)
def test_a_lazy_engine_applies_exactly_where_its_engine_does(file):
    for lazy in all_engines():
        assert isinstance(lazy, LazyEngine)
        assert lazy.applies(file) == lazy.engine.applies(file), (lazy.name, file.path)
        if lazy.engine.applies(file):
            assert lazy.may_apply(file), (lazy.name, file.path)  # the table never hides a file


def test_the_table_keeps_engines_away_from_files_they_cannot_read():
    by_name = {e.name: e for e in all_engines()}
    go = _file("main.go", "go", "package main\n")
    assert not by_name["dependencies"].may_apply(go)
    assert not by_name["registry"].may_apply(go)
    assert not by_name["templates"].may_apply(go)
    assert not by_name["bandit"].may_apply(go)
    py = _file("app.py", "python", "x = 1\n")
    assert not by_name["registry"].may_apply(py) and by_name["dependencies"].may_apply(py)
    manifest = _file("requirements.txt", "plaintext", "flask\n")
    assert by_name["registry"].may_apply(manifest) and by_name["dependencies"].may_apply(manifest)


PROBE = r"""
import json, sys
from redline.lsp.server import create_server
from redline.lsp.settings import ServerSettings
s = create_server().session
s.configure(ServerSettings())
published = []
class Sink:
    def publish(self, *a): published.append(a)
    def log(self, *a): pass
    def show(self, *a): pass
    def refresh(self): pass
s.sink = Sink()
s.open(sys.argv[1], sys.argv[2], 1, sys.argv[3])
print(json.dumps({"published": len(published), "modules": sorted(sys.modules)}))
"""


def _first_document(tmp_path, name, language, text):
    path = tmp_path / name
    path.write_text(text)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "server"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-c", PROBE, path.as_uri(), language, text], capture_output=True,
                       text=True, env=env, cwd=str(tmp_path), timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["published"] >= 1
    return set(out["modules"])


NOT_FOR_A_PYTHON_FILE = {
    "redline.engines.bandit", "redline.engines.detect_secrets", "redline.engines.registry",
    "redline.engines.templates", "redline.deps.checks", "redline.deps.names", "rapidfuzz",
    "redline.deps.database", "redline.deps.registry", "urllib.request", "redline.deps.manifests.requirements",
    "redline.deps.spec",
}


def test_the_first_python_file_imports_only_what_its_diagnostics_need(tmp_path):
    (tmp_path / ".git").mkdir()  # the project's root: no manifest around it
    modules = _first_document(tmp_path, "app.py", "python", "import os\n\n\ndef run(cmd):\n    os.system(cmd)\n")
    assert "redline.engines.treesitter" in modules and "redline.engines.secrets" in modules
    assert "redline.engines.dependencies" in modules  # RL406 reads a Python file's imports
    assert not modules & NOT_FOR_A_PYTHON_FILE, modules & NOT_FOR_A_PYTHON_FILE


def test_a_python_file_with_an_undeclared_import_loads_the_name_index(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("flask==3.0.0\n")
    modules = _first_document(tmp_path, "app.py", "python", "import flask\nimport somethingrare\n")
    assert {"redline.deps.checks", "redline.deps.names"} <= modules


def test_a_go_file_imports_no_dependencies_engine(tmp_path):
    modules = _first_document(tmp_path, "main.go", "go", 'package main\n\nimport "os/exec"\n\nfunc main() { exec.Command("sh") }\n')
    assert "redline.engines.dependencies" not in modules and "redline.deps.imports" not in modules
    assert not modules & NOT_FOR_A_PYTHON_FILE


def test_import_all_loads_every_engine_for_a_host_about_to_fork():
    loaded = engines.import_all()
    assert [e.name for e in loaded] == [e.name for e in all_engines()]
    assert all(e.loaded for e in all_engines()) and loaded[0] is get("redline")
