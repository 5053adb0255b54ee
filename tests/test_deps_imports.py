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


# ------------------------------------------------------------------ finding imports without a query

TRICKY_PYTHON = (
    '"""Docstring.\nimport notreal\nfrom notreal import x\n"""\n'
    "import os, sys as system\n"
    "import a.b.c as abc, d.e\n"
    "from f.g import h\n"
    "from . import local\n"
    "from .rel import thing\n"
    "from __future__ import annotations\n"
    "x = 1; import semi\n"
    "if TYPE_CHECKING: import typed\n"
    "try:\n    import ujson\nexcept ImportError:  # import commented\n    ujson = None\n"
    "else: from elsewhere import y\n"
    "def f():\n    import nested.mod\n    return (yield\nfrom gen)\n"
    "class C:\n    from classlevel import z\n"
    "s = '''\nimport instring\n'''\n"
    "# import incomment\n"
    "from cont \\\n    import w\n"
    "importer = 1\nfromage = 2\nreimport = 3\n"
    "\f\nimport afterformfeed\n"
    "lambda: x\nimport último\n"
)


def _both(text: bytes):
    from redline.pipeline import make_source

    src = make_source("t.py", text, language="python")
    return src, imports._python_imports(src), imports._imports_by_query(src)


@pytest.mark.parametrize(
    "text",
    [
        TRICKY_PYTHON.encode(),
        TRICKY_PYTHON.replace("\n", "\r\n").encode(),
        TRICKY_PYTHON.replace("\n", "\r").encode(),
        b"\xef\xbb\xbfimport bommed\nimport os\n",
        b"import os",  # no newline at the end
        b"",
        # Syntax errors: error recovery builds import statements in odd places.
        b"import os\ndef f(:\n    import inbroken\n",
        b"X = 0xCimport osca\nimport sys\n",
        b"x = (1,\nimport os\nfrom a import (b,\n",
        b"class A:\n  def f(self):\n    return foo(\n  import late\nfrom . import",
    ],
    ids=["lf", "crlf", "cr", "bom", "no-eol", "empty", "error", "abutting", "unclosed", "truncated"],
)
def test_python_imports_without_query_match_the_query(text):
    _src, fast, query = _both(text)
    assert fast == query


def test_python_imports_without_query_find_nested_and_one_line_imports():
    _src, fast, _query = _both(TRICKY_PYTHON.encode())
    assert [i.module for i in fast] == [
        "os", "sys", "a", "d", "f", "semi", "typed", "ujson", "elsewhere", "nested", "classlevel", "cont",
        "afterformfeed", "último",
    ]


def test_python_imports_in_a_broken_tree_are_still_found():
    src, fast, _query = _both(b"X = 0xCimport osca\ndef f(:\n    import inbroken\n")
    assert src.tree.root_node.has_error
    assert [i.module for i in fast] == ["osca", "inbroken"]


def _python_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    return sorted([*(here.parent / "server").rglob("*.py"), *here.rglob("*.py")])


def test_python_imports_without_query_match_the_query_on_real_code():
    """Every Python file of Redline and its tests: the byte scan finds what the query finds."""
    from redline.pipeline import make_source

    files = _python_files()
    assert len(files) > 100
    for p in files:
        src = make_source(str(p), p.read_bytes(), language="python")
        assert imports._python_imports(src) == imports._imports_by_query(src), p


def test_python_imports_without_query_match_the_query_on_broken_code():
    """The same files with random edits of the kind typing makes (half-typed calls, stray
    keywords and quotes, deleted bytes, a file cut short): most no longer parse cleanly."""
    import random

    from redline.pipeline import make_source

    rnd = random.Random(20261124)
    snippets = [b"foo(", b"(", b")", b":", b"import", b" import ", b"from ", b"from x ", b'"', b"'" * 3, b"[",
                b"def ", b"\n", b"\\\n", b" as ", b",", b";", b"import os", b"yield from", b"=", b"if x:"]
    broken = 0
    for p in _python_files()[::3]:
        data = bytearray(p.read_bytes())
        for _ in range(rnd.randint(1, 6)):
            pos = rnd.randrange(len(data) + 1)
            r = rnd.random()
            if r < 0.5:
                data[pos:pos] = rnd.choice(snippets)
            elif r < 0.85:
                del data[pos : pos + rnd.randint(1, 6)]
            else:
                del data[pos:]
        src = make_source(str(p), bytes(data), language="python")
        broken += src.tree.root_node.has_error
        assert imports._python_imports(src) == imports._imports_by_query(src), (p, bytes(data))
    assert broken > 30


# ------------------------------------------------------------------ what the decisions are cached by


def test_decisions_are_reused_while_imports_and_manifests_stay(tmp_path, monkeypatch):
    root = project(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests"]\n',
        "app.py": "import requests\nimport somethingrare\nx = 1\n",
    })
    calls = []
    real = imports._declared_by_name
    monkeypatch.setattr(imports, "_declared_by_name", lambda m, d: calls.append(m) or real(m, d))
    assert flagged(rl406(root / "app.py")) == ["somethingrare"]
    assert sorted(calls) == ["requests", "somethingrare"]
    calls.clear()
    # An edit that leaves the imports alone (the language server's keystrokes) looks nothing up.
    assert flagged(rl406(root / "app.py", "import requests\nimport somethingrare\nx = 2\ny = 3\n")) == ["somethingrare"]
    assert calls == []
    # A new import is decided once, the others are remembered.
    assert flagged(rl406(root / "app.py", "import requests\nimport somethingrare\nimport otherrare\n")) == ["somethingrare", "otherrare"]
    assert calls == ["otherrare"]


def test_decisions_follow_an_edited_manifest(tmp_path):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "app"\ndependencies = []\n', "app.py": "import numpy\n"})
    assert flagged(rl406(root / "app.py")) == ["numpy"]
    (root / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["numpy>=2"]\n')
    assert rl406(root / "app.py") == []
    (root / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["pandas"]\n')
    assert flagged(rl406(root / "app.py")) == ["numpy"]


def test_decisions_follow_local_modules_created_and_removed(tmp_path):
    root = project(tmp_path, {"requirements.txt": "flask\n", "src/keep.txt": "", "pkg/app.py": "import helpers\nimport tools\n"})
    assert flagged(rl406(root / "pkg/app.py")) == ["helpers", "tools"]
    (root / "src/tools").mkdir()  # a src/ layout above it (only src/ itself changes)
    assert flagged(rl406(root / "pkg/app.py")) == ["helpers"]
    (root / "pkg/helpers.py").write_text("")  # next to the file
    assert rl406(root / "pkg/app.py") == []
    (root / "pkg/helpers.py").unlink()
    assert flagged(rl406(root / "pkg/app.py")) == ["helpers"]


def test_the_environment_is_read_only_for_imports_nothing_else_explains(tmp_path, monkeypatch):
    root = project(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests"]\n',
        "local.py": "",
        "app.py": "import os\nimport requests\nimport local\n",
    })

    def unexpected():
        raise AssertionError("installed modules read for imports the workspace explains")

    monkeypatch.setattr(imports, "installed_python_modules", unexpected)
    monkeypatch.setattr(imports, "module_distributions", unexpected)
    assert rl406(root / "app.py") == []
    (root / "app.py").write_text("import os\nimport requests\nimport numpy\n")
    monkeypatch.setattr(imports, "installed_python_modules", lambda: frozenset({"numpy"}))
    assert rl406(root / "app.py") == []  # now it is needed, and numpy is installed


# ------------------------------------------------------------------ the environment's distribution table


def test_distribution_table_equals_importlib_metadata():
    import importlib.metadata

    assert imports.packages_distributions() == importlib.metadata.packages_distributions()


class _FakeDist:
    def __init__(self, files: dict[str, str], metadata_name: str = "from-email-parser"):
        self._files, self._metadata_name = files, metadata_name

    def read_text(self, name):
        return self._files.get(name)

    @property
    def metadata(self):
        return {"Name": self._metadata_name}

    @property
    def files(self):
        import csv
        import importlib.metadata as m

        text = self._files.get("RECORD")
        return [m.PackagePath(row[0]) for row in csv.reader(text.splitlines())] if text else None


@pytest.mark.parametrize(
    "record, expected",
    [
        ("pkg/__init__.py,sha256=x,1\npkg/sub/mod.py,,\nsingle.py,,\npkg-1.0.dist-info/RECORD,,\n"
         "./dotted.py,,\nnotpython.pyc,,\n.py,,\ndata/file.txt,,\n", {"pkg", "single", "dotted"}),
        ('"with,comma/x.py",,\n', {"with,comma"}),
        ("/abs/olute.py,,\nrel/x.py,,\n", {"/", "rel"}),  # unusual: importlib.metadata decides
    ],
)
def test_top_level_names_inferred_from_record_like_importlib(record, expected):
    dist = _FakeDist({"RECORD": record})
    assert imports._top_level_inferred(dist) == expected == imports._top_level_inferred_slow(dist)


@pytest.mark.parametrize(
    "metadata, expected",
    [
        ("Metadata-Version: 2.1\nName: Some-Dist\nVersion: 1\n\nName: body\n", "Some-Dist"),
        ("Metadata-Version: 2.1\r\nname:\tlower  \r\nVersion: 1\r\n", "lower  "),
        ("Metadata-Version: 2.1\nName: folded\n  continued\n", "from-email-parser"),
        ("Metadata-Version: 2.1\nNot a header\nName: after-the-body\n", "from-email-parser"),
        ("", "from-email-parser"),
    ],
)
def test_distribution_name_read_like_the_email_parser(metadata, expected):
    assert imports._metadata_name(_FakeDist({"METADATA": metadata})) == expected


# ------------------------------------------------------------------ JavaScript/TypeScript without a query

TRICKY_JS = (
    "import x from 'a';\nimport 'b/side';\nimport { y } from \"@scope/pkg/deep\";\nimport type { T } from 'types-only';\n"
    "export * from 'c';\nexport { z } from 'd';\nexport const e = 1;\n"
    "const f = require('f');\nconst g = require('g\\x2fh');\nrequire(/* why */ 'commented');\nrequire(`template`);\n"
    "const i = await import('i');\nconst meta = import.meta.url;\nobj.require('not-a-require');\nrequireX('nope');\n"
    "const s = \"require('in-a-string')\"; // import 'in-a-comment'\n"
    "function load() { return require('./local') && require('node:fs') && require('lazy'); }\n"
)


@pytest.mark.parametrize(
    "language, text",
    [
        ("javascript", TRICKY_JS),
        ("typescript", TRICKY_JS + "import fx = require('fs-extra');\n"),
        ("tsx", TRICKY_JS + "const el = <div>{require('in-jsx')}</div>;\n"),
        ("javascript", "const a = require('a');\nfunction (\nimport b from 'b';\nexport * from"),  # broken
        ("javascript", "x = 1import('glued')\nrequire('ok'"),
    ],
    ids=["js", "ts", "tsx", "broken", "glued"],
)
def test_js_imports_without_query_match_the_query(language, text):
    from redline.pipeline import make_source

    src = make_source("t.js", text.encode(), language=language)
    fast, query = imports._js_imports(src), imports._imports_by_query(src)
    assert fast == query
    if language == "javascript" and text is TRICKY_JS:
        # (`require(/* why */ 'commented')` is not read: the query's anchor wants the string first.)
        assert [i.module for i in fast] == ["a", "b", "@scope/pkg", "types-only", "c", "d", "f", "g", "h", "i", "lazy"]


def test_js_imports_without_query_match_the_query_on_real_and_broken_code():
    """The JavaScript/TypeScript of this repository (the VS Code client, editor tests,
    examples), as written and with random edits."""
    import random

    from redline import languages as langs
    from redline.pipeline import make_source

    root = Path(__file__).resolve().parent.parent
    # The repository's own sources: not installed packages, the .vsix staging folder (rebuilt by
    # `make vsix-*` while tests may run) or downloaded benchmark corpora.
    generated = {"node_modules", ".tools", ".venv", "bundled", "corpora"}
    files = [p for p in sorted(root.rglob("*")) if p.suffix in (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx")
             and generated.isdisjoint(p.parts) and p.is_file()]
    assert len(files) >= 10
    rnd = random.Random(20261124)
    snippets = [b"import ", b"require(", b"('x')", b"export ", b"from 'y'", b"'", b'"', b"`", b"(", b")", b"{", b"}",
                b";", b"\n", b"/*", b"import(", b" = require('z')"]
    checked = 0
    for p in files:
        language = langs.detect(str(p))
        if language not in imports.JS_LANGS:
            continue
        data = p.read_bytes()
        for variant in range(6):
            text = bytearray(data)
            for _ in range(rnd.randint(1, 5) if variant else 0):
                pos = rnd.randrange(len(text) + 1)
                if rnd.random() < 0.6:
                    text[pos:pos] = rnd.choice(snippets)
                else:
                    del text[pos : pos + rnd.randint(1, 6)]
            src = make_source(str(p), bytes(text), language=language)
            assert imports._js_imports(src) == imports._imports_by_query(src), (p, bytes(text))
            checked += 1
    assert checked >= 60
