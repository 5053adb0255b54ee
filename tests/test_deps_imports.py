"""RL406 undeclared-import: Python and JavaScript/TypeScript imports against workspace manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.config import Config
from redline.deps import database as D
from redline.deps import imports
from redline.findings import Severity
from redline.pipeline import analyze_text


@pytest.fixture(autouse=True)
def nothing_installed(monkeypatch, tmp_path):
    """Tests decide what is installed; the server's own environment must not leak in."""
    monkeypatch.setattr(imports, "installed_python_modules", lambda: frozenset({"pytest"}))
    monkeypatch.setenv(D.ENV_DATA_DIR, str(tmp_path / "userdata"))


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def rl406(path: Path, text: str | None = None):
    text = path.read_text() if text is None else text
    return [f for f in analyze_text(str(path), text, Config()).findings if f.code == "RL406"]


def flagged(findings) -> list[str]:
    return [f.property("module") for f in findings]


def test_python_imports(tmp_path):
    root = project(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests>=2", "PyYAML", "beautifulsoup4", "python-dateutil"]\n',
        "src/app/__init__.py": "",
        "src/app/helpers.py": "",
        "src/app/main.py": (
            "import os, sys\nimport json as j\nfrom collections import OrderedDict\n"
            "import requests\nimport yaml\nfrom bs4 import BeautifulSoup\nfrom dateutil import parser\n"
            "from . import helpers\nfrom .helpers import x\nimport app.helpers\nimport pytest\n"
            "import somethingrare\nimport reqeusts\n"
            "def f():\n    import lazyrare.sub\n"
        ),
    })
    found = rl406(root / "src/app/main.py")
    assert flagged(found) == ["somethingrare", "reqeusts", "lazyrare"]
    rare, typo, lazy = found
    assert rare.severity is Severity.HINT and "pyproject.toml" in rare.message
    assert typo.severity is Severity.WARNING and "popular requests" in typo.message
    assert typo.fixes and typo.fixes[0].edits[0].new_text == "requests"
    text = (root / "src/app/main.py").read_bytes()
    assert text[typo.span.start_byte : typo.span.end_byte] == b"reqeusts"
    assert typo.span.start_point == (12, 7)


def test_requirements_files_and_parent_manifests_count(tmp_path):
    root = project(tmp_path, {
        "requirements.txt": "flask==3.0.0\n",
        "requirements/dev.txt": "pytest-cov\n",
        "services/api/setup.cfg": "[options]\ninstall_requires =\n    pyjwt\n",
        "services/api/app.py": "import flask\nimport jwt\nimport pytest_cov\nimport numpy\n",
    })
    assert flagged(rl406(root / "services/api/app.py")) == ["numpy"]


def test_no_manifest_no_findings(tmp_path):
    (tmp_path / ".git").mkdir()
    script = tmp_path / "script.py"
    script.write_text("import reqeusts\nimport somethingrare\n")
    assert rl406(script) == []


def test_installed_modules_are_not_flagged(tmp_path, monkeypatch):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "app"\n', "a.py": "import numpy\n"})
    assert flagged(rl406(root / "a.py")) == ["numpy"]
    monkeypatch.setattr(imports, "installed_python_modules", lambda: frozenset({"numpy"}))
    assert rl406(root / "a.py") == []


def test_javascript_imports(tmp_path):
    root = project(tmp_path, {
        "package.json": '{"name": "web", "dependencies": {"express": "^4", "@scope/pkg": "1.0.0"},'
                        ' "devDependencies": {"@types/jsonwebtoken": "9.0.0"}}',
        "node_modules/lodash/package.json": "{}",
        "tsconfig.json": '{\n  // comment\n  "compilerOptions": {"baseUrl": "src", "paths": {"@app/*": ["src/app/*"]}}\n}',
        "src/components/Button.ts": "",
        "src/index.ts": (
            "import express from 'express';\nimport { x } from '@scope/pkg/sub';\nimport fs from 'fs';\n"
            "import path from 'node:path';\nimport './local';\nimport _ from 'lodash';\n"
            "import { y } from '@app/thing';\nimport Button from 'components/Button';\n"
            "import type { JwtPayload } from 'jsonwebtoken';\nimport web from 'web';\n"
            "const a = require('expresss');\nconst b = require('left-pad-quantum');\n"
            "export * from 'somewhere-else';\nconst c = await import('dyn-pkg');\n"
            "import fx = require('fs-extra');\n"
        ),
    })
    found = rl406(root / "src/index.ts")
    assert flagged(found) == ["expresss", "left-pad-quantum", "somewhere-else", "dyn-pkg", "fs-extra"]
    typo = found[0]
    assert typo.severity is Severity.WARNING and typo.fixes[0].edits[0].new_text == "express"


def test_js_package_names_from_specifiers():
    assert imports.js_package_of("lodash/fp") == "lodash"
    assert imports.js_package_of("@scope/pkg/deep/file.js") == "@scope/pkg"
    for spec in ("./x", "../x", "/abs", "node:fs", "#internal", "~/alias", "@/alias", "https://esm.sh/x", "@scope", ""):
        assert imports.js_package_of(spec) is None, spec


def test_manifest_parse_is_cached(tmp_path, monkeypatch):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "app"\ndependencies = ["numpy"]\n', "a.py": "import numpy\n"})
    assert rl406(root / "a.py") == []
    calls = []
    real = imports.manifests.parse
    monkeypatch.setattr(imports.manifests, "parse", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    assert rl406(root / "a.py") == []
    assert calls == []  # unchanged file: parsed result reused
    (root / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = []\n')
    assert flagged(rl406(root / "a.py")) == ["numpy"]
    assert calls == [str(root / "pyproject.toml")]


def test_workspace_cache_sees_manifests_created_and_edited(tmp_path):
    """workspace_for is cached per folder, but a new or edited manifest is seen at once."""
    from redline.deps.imports import workspace_for

    (tmp_path / ".git").mkdir()
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    code = pkg / "app.py"
    code.write_text("import requests\n")
    assert workspace_for(str(code), "python") is None
    req = tmp_path / "requirements.txt"
    req.write_text("flask==3.0.0\n")
    ws = workspace_for(str(code), "python")
    assert ws is not None and "flask" in ws.declared and "requests" not in ws.declared
    assert workspace_for(str(code), "python") is ws  # cached while nothing changed
    req.write_text("flask==3.0.0\nrequests==2.32.3\n")
    assert "requests" in workspace_for(str(code), "python").declared
    req.unlink()
    assert workspace_for(str(code), "python") is None
