"""Issue 13 class D: a library's own development dependencies (dependency groups, dev/test/docs
extras, devDependencies, tests_require, build requirements) get no vulnerable-version or range
findings; its runtime requirements, user-facing extras and an application's dev dependencies
still do, and typosquat checks run everywhere. Fixture advisory database (tests/data/deps/osv)."""

from __future__ import annotations

import json

import pytest

from redline.config import Config
from redline.pipeline import analyze_text


pytestmark = pytest.mark.usefixtures("advisory_fixture_db")  # tests/conftest.py


def _codes(path: str, text: str, **config) -> list[str]:
    return [f.code for f in analyze_text(path, text, Config(**config), slow=False).findings]


PYPROJECT = '[project]\nname = "lib"\ndependencies = [{runtime}]\n\n[project.optional-dependencies]\n{extra} = [{optional}]\n\n' \
            '[dependency-groups]\ntest = [{group}]\n\n[build-system]\nrequires = [{build}]\n'


def _pyproject(runtime="", extra="i18n", optional="", group="", build=""):
    return PYPROJECT.format(runtime=runtime, extra=extra, optional=optional, group=group, build=build)


@pytest.mark.parametrize("text", [
    _pyproject(group='"demo-pkg==1.4"'),
    _pyproject(extra="test", optional='"demo-pkg==1.4"'),
    _pyproject(extra="docs", optional='"demo-pkg>=1.0"'),
    _pyproject(extra="dev-min-versions", optional='"demo-pkg==1.4"'),
    _pyproject(build='"demo-pkg>=1.0"'),
])
def test_a_librarys_dev_groups_and_extras_get_no_version_findings(text):
    assert not {"RL401", "RL402", "RL403"} & set(_codes("pyproject.toml", text))


@pytest.mark.parametrize("text", [
    _pyproject(runtime='"demo-pkg==1.4"'),
    _pyproject(extra="i18n", optional='"demo-pkg==1.4"'),  # an extra users install
])
def test_a_librarys_runtime_requirements_and_user_extras_are_still_checked(text):
    assert "RL401" in _codes("pyproject.toml", text)


def test_a_typosquat_in_a_dev_group_is_still_reported():
    assert "RL404" in _codes("pyproject.toml", _pyproject(group='"reqeusts==2.31.0"'))


def test_setup_cfg_test_extra_and_tests_require():
    cfg = "[options]\ntests_require =\n    demo-pkg==1.4\n\n[options.extras_require]\ntesting =\n    demo-pkg==1.4\n"
    assert "RL401" not in _codes("setup.cfg", cfg)
    cfg_user = "[options.extras_require]\nsocks =\n    demo-pkg==1.4\n"
    assert "RL401" in _codes("setup.cfg", cfg_user)


def test_package_json_dev_dependencies_of_a_library_and_of_an_application():
    lib = {"name": "lib", "version": "1.0.0", "devDependencies": {"demo-js": "4.17.15"}}
    assert "RL401" not in _codes("package.json", json.dumps(lib))
    runtime = {"name": "lib", "version": "1.0.0", "dependencies": {"demo-js": "4.17.15"}}
    assert "RL401" in _codes("package.json", json.dumps(runtime))
    app = {"name": "app", "private": True, "devDependencies": {"demo-js": "4.17.15"}}
    assert "RL401" in _codes("package.json", json.dumps(app))  # installed on every developer machine
    assert "RL401" in _codes("package.json", json.dumps(lib), application=True)  # the setting decides


def test_a_lock_files_dev_entries_are_still_checked():
    lock = {"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/demo-js": {"version": "4.17.15", "dev": True}}}
    assert "RL401" in _codes("package-lock.json", json.dumps(lock))
