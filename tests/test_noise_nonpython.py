"""Issue 13's false-positive classes outside the Python rules (templates, dependency manifests,
IaC in example and dev containers, Go weak hashes and random numbers): each class stays gone,
and the true case of the same class is still reported.

Examples written for the weakness class, not copied from benchmark records."""

from __future__ import annotations

import json

import pytest

from redline.pipeline import analyze_text


def _found(path: str, code: str, rule: str, slow: bool = False):
    return [f for f in analyze_text(path, code, slow=slow).findings if f.code == rule]


# ------------------------------------------------ Go RL301/RL304: non-security uses are dropped

GO_HASH = 'package main\n\nimport (\n\t"crypto/{pkg}"\n\t"fmt"\n)\n\nfunc {fn}(b []byte) string {{ return fmt.Sprintf("%x", {pkg}.Sum(b)) }}\n'


@pytest.mark.parametrize("pkg,fn", [("md5", "etagFor"), ("sha1", "cacheKey"), ("md5", "fileChecksum"),
                                    ("sha1", "contentDigest"), ("md5", "gravatarURL")])
def test_go_weak_hash_for_a_name_or_key_is_not_reported(pkg, fn):
    assert _found("a.go", GO_HASH.format(pkg=pkg, fn=fn), "RL301") == []


@pytest.mark.parametrize("pkg,fn", [("md5", "sign"), ("sha1", "tokenDigest"), ("md5", "hashSecret"),
                                    ("sha1", "hashPassword")])
def test_go_weak_hash_for_a_security_value_is_reported(pkg, fn):
    found = _found("a.go", GO_HASH.format(pkg=pkg, fn=fn), "RL301")
    assert len(found) == 1 and found[0].confidence.value in ("medium", "high"), found


def test_go_weak_hash_without_context_stays_medium():
    code = 'package main\n\nimport "crypto/md5"\n\nfunc h(b []byte) [16]byte { return md5.Sum(b) }\n'
    [f] = _found("a.go", code, "RL301")
    assert f.confidence.value == "medium"


GO_RAND = 'package main\n\nimport (\n\t"math/rand"\n\t"time"\n)\n\nfunc {fn}() int64 {{ return rand.Int63() }}\n'


@pytest.mark.parametrize("fn", ["sessionRefreshJitter", "tokenRetryBackoff", "authRetryDelay"])
def test_go_random_pacing_a_security_task_is_not_reported(fn):
    assert _found("a.go", GO_RAND.format(fn=fn), "RL304") == []


@pytest.mark.parametrize("fn", ["newSessionID", "resetToken", "csrfNonce"])
def test_go_random_making_a_security_value_is_reported(fn):
    assert len(_found("a.go", GO_RAND.format(fn=fn), "RL304")) == 1


# ------------------------------------------------ P: IaC in example, docs, test and dev containers

ROOT_IMAGE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n"


@pytest.mark.parametrize("path", ["examples/demo/Dockerfile", "docs/tutorial/Dockerfile", "tests/integration/Dockerfile",
                                  "scripts/docker/Dockerfile", "Dockerfile.dev", "ci/Dockerfile", ".devcontainer/Dockerfile"])
def test_container_hardening_in_examples_and_dev_containers_is_not_reported(path):
    assert _found(path, ROOT_IMAGE, "RL530") == []


@pytest.mark.parametrize("path", ["Dockerfile", "deploy/Dockerfile", "services/api/Dockerfile", "Dockerfile.prod"])
def test_container_hardening_in_shipped_containers_is_reported(path):
    assert len(_found(path, ROOT_IMAGE, "RL530")) == 1


def test_download_piped_to_shell_in_an_example_container_stays_a_hint():
    code = "FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh\nUSER app\n"
    found = _found("examples/demo/Dockerfile", code, "RL533")
    assert [f.severity.value for f in found] == ["hint"]


# ------------------------------------------------ C: RL405 offline only for names being added


def _write(root, files: dict[str, str]):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _rl405_lines(path, text) -> list[int]:
    return [f.span.start_point[0] + 1 for f in analyze_text(str(path), text, slow=False).findings if f.code == "RL405"]


RARE = {"name": "lib", "version": "1.0.0", "dependencies": {"express": "^4.21.0"},
        "devDependencies": {"rare-real-helper-zz": "^1.0.0", "obscure-test-runner-qq": "^2.0.0"}}


def test_an_established_manifest_without_a_lock_gets_no_offline_unknown_hint(tmp_path):
    text = json.dumps(RARE, indent=1)
    _write(tmp_path, {".git/HEAD": "", "package.json": text})
    assert _rl405_lines(tmp_path / "package.json", text) == []
    req = "rare-real-helper-zz==1.0\n"
    _write(tmp_path, {"requirements.txt": req})
    assert _rl405_lines(tmp_path / "requirements.txt", req) == []


def test_a_name_typed_into_an_unsaved_buffer_is_hinted(tmp_path):
    text = json.dumps(RARE, indent=1)
    _write(tmp_path, {".git/HEAD": "", "package.json": text})
    edited = dict(RARE, dependencies={"express": "^4.21.0", "express-quantum-session-vault": "^2.0.0"})
    buffer = json.dumps(edited, indent=1)
    lines = _rl405_lines(tmp_path / "package.json", buffer)
    assert lines == [buffer.splitlines().index(next(l for l in buffer.splitlines() if "quantum" in l)) + 1]


def test_a_name_the_lock_file_has_not_resolved_yet_is_hinted(tmp_path):
    text = json.dumps(RARE, indent=1)
    lock = {"lockfileVersion": 3, "packages": {"": {}, "node_modules/express": {}, "node_modules/rare-real-helper-zz": {}}}
    _write(tmp_path, {".git/HEAD": "", "package.json": text, "package-lock.json": json.dumps(lock)})
    lines = _rl405_lines(tmp_path / "package.json", text)
    assert lines == [text.splitlines().index(next(l for l in text.splitlines() if "obscure" in l)) + 1]


def test_text_that_is_no_saved_file_is_all_new():
    assert _rl405_lines("requirements.txt", "quantum-flux-capacitor-sdk==1.0.0\n") == [1]


def test_a_typosquat_of_an_established_name_is_still_reported(tmp_path):
    text = "reqeusts==2.31.0\n"
    _write(tmp_path, {".git/HEAD": "", "requirements.txt": text})
    found = analyze_text(str(tmp_path / "requirements.txt"), text, slow=False).findings
    assert [f.code for f in found] == ["RL404"]


# ------------------------------------------------ I: templates, server-built URLs and developer text

SERVER_BUILT = [
    '<form action="{{ request.get_full_path }}" method="POST"></form>\n',
    '<a href="{{ request.path }}">again</a>\n',
    '<a href="{{ next_url }}" rel="next">Next</a>\n<a href="{{ previous_url }}" rel="prev">Previous</a>\n',
    '<a href="{{ page_link.url }}">{{ page_link.number }}</a>\n',
    '<li><a href="{{ breadcrumb_url }}">{{ breadcrumb_name }}</a></li>\n',
    '<a href="{{ config.extra.source.repo }}/tree/main">source</a>\n',
    '<link rel="canonical" href="{{ config.site_url }}">\n',
]


@pytest.mark.parametrize("code", SERVER_BUILT)
def test_url_attributes_from_server_built_urls_are_not_reported(code):
    assert _found("templates/page.html", code, "RL141") == []


@pytest.mark.parametrize("path,code", [
    ("templates/profile.html", '<a href="{{ user.website }}">site</a>\n'),
    ("views/profile.ejs", '<a href="<%= user.homepage %>">site</a>\n'),
    ("templates/list.html", '<a href="{{ item.link }}">open</a>\n'),
])
def test_url_attributes_from_other_variables_stay_low_confidence(path, code):
    [f] = _found(path, code, "RL141")
    assert f.confidence.value == "low"


@pytest.mark.parametrize("code", [
    '<a href="{{ request.GET.next }}">continue</a>\n',
    '<a href="{{ request.args.get(\'url\') }}">continue</a>\n',
])
def test_url_attributes_from_request_data_are_high_confidence(code):
    [f] = _found("templates/login.html", code, "RL141")
    assert f.confidence.value == "high"


@pytest.mark.parametrize("code", [
    '<span class="help-block">{{ field.help_text|safe }}</span>\n',
    '<th>{{ opts.verbose_name_plural|safe }}</th>\n',
])
def test_developer_text_marked_safe_is_not_reported(code):
    assert _found("templates/form.html", code, "RL138") == []


def test_user_values_marked_safe_stay_and_request_data_is_high():
    [low] = _found("templates/post.html", "<p>{{ post.body|safe }}</p>\n", "RL138")
    assert low.confidence.value == "low"
    [high] = _found("templates/search.html", "<p>{{ request.GET.q|safe }}</p>\n", "RL138")
    assert high.confidence.value == "high"


# ------------------------------------------------ B (rest): RL406 optional integrations of a library

LIB_PYPROJECT = '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "mylib"\ndependencies = ["requests"]\n'
APP_PYPROJECT = '[project]\nname = "myapp"\ndependencies = ["requests"]\n'
LAZY = "import requests\n\ndef run_with_quux():\n    import quuxserver_zz\n    return quuxserver_zz.serve()\n"


def _rl406(root, rel: str) -> list[str]:
    path = root / rel
    return [f.property("module") for f in analyze_text(str(path), path.read_text(), slow=False).findings if f.code == "RL406"]


def test_a_librarys_lazy_and_integration_imports_are_optional(tmp_path):
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": LIB_PYPROJECT, "mylib/__init__.py": "",
                      "mylib/servers.py": LAZY,
                      "mylib/integrations/flask_glue.py": "import flaskish_zz\n",
                      "mylib/core.py": "import requests\nimport topmissing_zz\n"})
    assert _rl406(tmp_path, "mylib/servers.py") == []
    assert _rl406(tmp_path, "mylib/integrations/flask_glue.py") == []
    assert _rl406(tmp_path, "mylib/core.py") == ["topmissing_zz"]  # a module-level import is a dependency


def test_an_applications_lazy_import_is_still_a_missing_dependency(tmp_path):
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": APP_PYPROJECT, "app/__init__.py": "", "app/servers.py": LAZY})
    assert _rl406(tmp_path, "app/servers.py") == ["quuxserver_zz"]
    _write(tmp_path, {"requirements.txt": "requests==2.32.3\n", "setup.py": "from setuptools import setup\nsetup()\n"})
    assert _rl406(tmp_path, "app/servers.py") == ["quuxserver_zz"]  # a requirements file: an application


def test_example_benchmark_and_task_files_get_no_undeclared_import(tmp_path):
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": APP_PYPROJECT,
                      "noxfile.py": "import nox_zz\n", "mylib/benchmarks/bench_a.py": "import pyperf_zz\n"})
    assert _rl406(tmp_path, "noxfile.py") == []
    assert _rl406(tmp_path, "mylib/benchmarks/bench_a.py") == []


def test_an_examples_ranges_and_unpinned_names_are_not_reported_but_its_vulnerable_pins_are(tmp_path):
    from redline import roles

    assert roles.policy_action("example", "dependencies", None, False, None, "RL403") == "drop"
    assert roles.policy_action("example", "dependencies", None, False, None, "RL402") == "drop"
    assert roles.policy_action("example", "dependencies", None, True, None, "RL401") == "hint"
    text = "flask\nrequests>=2.0\n"
    _write(tmp_path, {".git/HEAD": "", "examples/app/requirements.txt": text, "requirements.txt": text})
    assert not {f.code for f in analyze_text(str(tmp_path / "examples/app/requirements.txt"), text, slow=False).findings} & {"RL402", "RL403"}
    assert "RL403" in {f.code for f in analyze_text(str(tmp_path / "requirements.txt"), text, slow=False).findings}


def test_imports_chosen_by_interpreter_version_or_platform_are_not_dependencies(tmp_path):
    code = ("import sys\nimport requests\n\nif sys.version_info >= (3, 15):\n    from futurestdlib_zz import Profile\n"
            "else:\n    from cProfile import Profile\n\nif sys.platform == 'win32':\n    import winonly_zz\n"
            "elif sys.platform == 'darwin':\n    import maconly_zz\n\nif DEBUG:\n    import debugtool_zz\n")
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": APP_PYPROJECT, "app/__init__.py": "", "app/prof.py": code})
    assert _rl406(tmp_path, "app/prof.py") == ["debugtool_zz"]  # an ordinary condition decides nothing


def test_type_checking_imports_try_else_imports_and_distribution_names(tmp_path):
    code = ("import typing\nimport requests\n\nif typing.TYPE_CHECKING:\n    import typesonly_zz\n\n"
            "try:\n    from requests import adapters\nexcept ImportError:\n    adapters = None\nelse:\n    import withadapters_zz\n"
            "from pydispatch import dispatcher\nimport stillmissing_zz\n")
    pyproject = '[project]\nname = "myapp"\ndependencies = ["requests", "PyDispatcher>=2.0.5"]\n'
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": pyproject, "app/__init__.py": "", "app/x.py": code})
    assert _rl406(tmp_path, "app/x.py") == ["stillmissing_zz"]
