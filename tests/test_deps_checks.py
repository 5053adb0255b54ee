"""The dependencies engine end to end (pipeline.analyze_text): RL401-RL405 on manifests, with a
fixture advisory database so that the expected versions do not drift with the real data."""

from __future__ import annotations


import pytest

from redline.config import Config
from redline.deps import database as D
from redline.findings import Confidence, Severity
from redline.pipeline import analyze_text


pytestmark = pytest.mark.usefixtures("advisory_fixture_db")  # tests/conftest.py


def scan(path, text, **config):
    analysis = analyze_text(path, text, Config(**config))
    return analysis


def codes(analysis) -> list[str]:
    return [f.code for f in analysis.findings]


def only(analysis, code):
    found = [f for f in analysis.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in analysis.findings]
    return found[0]


def apply(text: str, fix) -> str:
    data = text.encode()
    for edit in sorted(fix.edits, key=lambda e: -e.span.start_byte):
        data = data[: edit.span.start_byte] + edit.new_text.encode() + data[edit.span.end_byte :]
    return data.decode()


# ------------------------------------------------------------------------------ RL401


def test_pinned_vulnerable_version_with_upgrade_fix():
    text = "demo-pkg==1.4\n"
    f = only(scan("requirements.txt", text), "RL401")
    assert f.severity is Severity.ERROR  # TEST-PY-1 is CVSS 9.8
    assert f.confidence is Confidence.HIGH and f.cwe == (1395,)
    assert "TEST-PY-1 (CVE-2099-0001) [CRITICAL]" in f.message and "TEST-PY-2" in f.message
    # 1.5 fixes TEST-PY-1 but TEST-PY-2 still affects it: the smallest version fixing both is 1.6.
    assert "Upgrade to 1.6" in f.message
    assert f.property("advisories") == "TEST-PY-1,TEST-PY-2" and f.property("fixed_version") == "1.6"
    assert (f.span.start_point, f.span.end_point) == ((0, 0), (0, 13))
    assert apply(text, f.fixes[0]) == "demo-pkg==1.6\n"


def test_fixed_version_is_clean():
    assert "RL401" not in codes(scan("requirements.txt", "demo-pkg==1.6\n"))


def test_no_fix_known():
    f = only(scan("requirements.txt", "nofix==2.0\n"), "RL401")
    assert "No fixed version is known" in f.message and not f.fixes
    assert f.severity is Severity.WARNING  # unrated advisory


def test_npm_pin_lock_go_and_maven():
    text = '{"dependencies": {"demo-js": "4.17.15"}}'
    f = only(scan("package.json", text), "RL401")
    assert apply(text, f.fixes[0]) == '{"dependencies": {"demo-js": "4.17.21"}}'
    assert f.severity is Severity.ERROR  # TEST-NPM-2 is CVSS 7.5

    lock = '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/demo-js": {"version": "4.17.15"}}}'
    f = only(scan("package-lock.json", lock), "RL401")
    assert not f.fixes and "npm install" in f.message  # a lock file is upgraded by the tool
    assert lock.encode()[f.span.start_byte : f.span.end_byte] == b'"version": "4.17.15"'

    gomod = "module m\n\nrequire example.com/mod v0.3.6\n"
    f = only(scan("go.mod", gomod), "RL401")
    assert "Upgrade to v0.3.7" in f.message and apply(gomod, f.fixes[0]).endswith("example.com/mod v0.3.7\n")

    f = only(scan("go.mod", "module m\ntoolchain go1.21.4\n"), "RL401")
    assert "Go standard library" in f.message and apply("module m\ntoolchain go1.21.4\n", f.fixes[0]).endswith("go1.21.5\n")

    pom = ("<project><properties><core.version>2.14.1</core.version></properties><dependencies><dependency>"
           "<groupId>org.example</groupId><artifactId>core</artifactId><version>${core.version}</version>"
           "</dependency></dependencies></project>")
    f = only(scan("pom.xml", pom), "RL401")
    assert "<core.version>2.15.0</core.version>" in apply(pom, f.fixes[0])


def test_old_data_is_mentioned_in_the_message_not_as_a_finding():
    f = only(scan("requirements.txt", "demo-pkg==1.4\n"), "RL401")
    # The fixture's newest PyPI advisory is from 2024-06-04: more than 180 days before today.
    assert "advisory data is from 2024-06-04" in f.message and "redline db update" in f.message
    assert f.property("advisory_data_date") == "2024-06-04"


def test_vcs_url_and_path_requirements_are_not_version_checked():
    a = scan("requirements.txt", "-e git+https://x/demo.git#egg=demo-pkg\ndemo-pkg @ https://x/demo-pkg-1.4.tar.gz\n")
    assert "RL401" not in codes(a) and "RL402" not in codes(a)


# ------------------------------------------------------------------------------ RL402


def test_range_allowing_a_fix_is_low_confidence_with_raise_fix():
    text = "demo-pkg>=1.0\n"
    f = only(scan("requirements.txt", text), "RL402")
    assert (f.severity, f.confidence) == (Severity.INFO, Confidence.LOW)
    assert "e.g. 1.0" in f.message and "Require at least 1.6" in f.message
    assert apply(text, f.fixes[0]) == "demo-pkg>=1.6\n"


def test_range_capped_below_every_fix_is_a_warning():
    f = only(scan("requirements.txt", "demo-pkg>=1.0,<1.5\n"), "RL402")
    assert (f.severity, f.confidence) == (Severity.WARNING, Confidence.MEDIUM)
    assert "allow 1.6 or later" in f.message and not f.fixes


def test_ranges_in_other_dialects():
    f = only(scan("package.json", '{"private": true, "dependencies": {"demo-js": "^4.17.0"}}'), "RL402")
    assert f.fixes and f.fixes[0].edits[0].new_text == "^4.17.21"
    f = only(scan("pyproject.toml", '[tool.poetry.dependencies]\ndemo-pkg = "^1.2"\n', application=True), "RL402")
    assert f.fixes[0].edits[0].new_text == "^1.6"
    assert "RL402" not in codes(scan("requirements.txt", "demo-pkg>=2.0.3\n"))
    assert "RL402" not in codes(scan("requirements.txt", "demo-pkg\n"))  # no lower bound: RL403's business


def test_a_librarys_range_that_allows_a_fix_is_not_reported_one_that_allows_none_is():
    # A library's lower bound is a compatibility promise; its users install the newest version.
    assert "RL402" not in codes(scan("package.json", '{"name": "lib", "dependencies": {"demo-js": "^4.17.0"}}'))
    assert "RL402" not in codes(scan("pyproject.toml", '[project]\nname = "lib"\ndependencies = ["demo-pkg>=1.0"]\n'))
    f = only(scan("pyproject.toml", '[project]\nname = "lib"\ndependencies = ["demo-pkg>=1.0,<1.5"]\n'), "RL402")
    assert f.severity is Severity.WARNING


# ------------------------------------------------------------------------------ RL403


def test_unpinned_in_applications_only():
    f = only(scan("requirements.txt", "flask>=3.0\n"), "RL403")
    assert f.severity is Severity.INFO and "flask is not pinned (>=3.0)" in f.message
    assert "RL403" not in codes(scan("requirements.txt", "flask==3.0.0\n"))
    lib = '[project]\nname = "lib"\ndependencies = ["flask>=3.0"]\n'
    assert "RL403" not in codes(scan("pyproject.toml", lib))
    assert "RL403" in codes(scan("pyproject.toml", lib, application=True))
    assert "RL403" not in codes(scan("requirements.txt", "flask\n", application=False))
    assert "RL403" not in codes(scan("package.json", '{"dependencies": {"express": "^4.0.0"}}'))  # not private
    assert "RL403" in codes(scan("package.json", '{"private": true, "dependencies": {"express": "^4.0.0"}}'))
    assert "RL403" not in codes(scan("go.mod", "module m\nrequire example.com/x v1.0.0\n"))
    pom = "<project><dependencies><dependency><groupId>a</groupId><artifactId>b</artifactId><version>{}</version></dependency></dependencies></project>"
    assert "RL403" in codes(scan("pom.xml", pom.format("[1.0,2.0)")))
    assert "RL403" not in codes(scan("pom.xml", pom.format("1.0")))


def test_lock_file_next_to_the_manifest(tmp_path):
    manifest = tmp_path / "package.json"
    text = '{"private": true, "dependencies": {"express": "^4.0.0"}}'
    manifest.write_text(text)
    assert "RL403" in codes(scan(str(manifest), text))
    (tmp_path / "package-lock.json").write_text("{}")
    assert "RL403" not in codes(scan(str(manifest), text))


def test_constraints_file_pins(tmp_path):
    req = tmp_path / "requirements.txt"
    text = "-c constraints.txt\nflask\nrequests\n"
    req.write_text(text)
    (tmp_path / "constraints.txt").write_text("flask==3.0.0\n")
    a = scan(str(req), text)
    assert [f.message.split()[0] for f in a.findings if f.code == "RL403"] == ["requests"]


# ------------------------------------------------------------------------- RL404 / RL405


def test_typosquat_with_rename_fix():
    text = "reqeusts==2.31.0\n"
    f = only(scan("requirements.txt", text), "RL404")
    assert "popular requests" in f.message and f.severity is Severity.WARNING
    assert apply(text, f.fixes[0]) == "requests==2.31.0\n"
    assert "RL405" not in codes(scan("requirements.txt", text))  # one finding per name


def test_typosquat_kinds():
    assert "RL404" in codes(scan("package.json", '{"dependencies": {"crossenv": "1.0.0"}}'))
    assert "RL404" in codes(scan("requirements.txt", "python-dateutill\n"))
    assert "RL404" in codes(scan("requirements.txt", "djang0\n"))
    assert "RL404" not in codes(scan("requirements.txt", "python-dateutil\nPython_DateUtil\n"))  # PEP 503: same


def test_unknown_package_hint():
    f = only(scan("requirements.txt", "quantum-flux-capacitor-sdk==1.0.0\n"), "RL405")
    assert (f.severity, f.confidence) == (Severity.HINT, Confidence.LOW)
    assert "check that it exists" in f.message


def test_names_known_from_the_advisory_database_are_not_unknown():
    assert "RL405" not in codes(scan("requirements.txt", "nofix==9.0\n"))  # only in the fixture OSV data


def test_private_scopes_and_locks_are_not_name_checked():
    assert codes(scan("package.json", '{"dependencies": {"@acme-internal/utils": "1.0.0"}}')) == []
    lock = '{"lockfileVersion": 3, "packages": {"node_modules/quantum-flux-zzz": {"version": "1.0.0"}}}'
    assert codes(scan("package-lock.json", lock)) == []


def test_npm_alias_checks_the_real_package():
    a = scan("package.json", '{"dependencies": {"my-alias": "npm:demo-js@4.17.15"}}')
    f = only(a, "RL401")
    assert "demo-js" in f.message
    assert "RL405" not in codes(a)


# ------------------------------------------------------------------------------ degrade


def test_missing_database_degrades_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv(D.ENV_PATH, str(tmp_path / "missing.rldb"))
    D.reset_cache()
    a = scan("requirements.txt", "reqeusts==1.0\ndemo-pkg==1.4\n")
    assert codes(a) == ["RL404", "RL405"]  # name checks still run (demo-pkg is unknown without the database)
    assert a.errors and a.errors[0][0] == "dependencies" and "redline db build" in a.errors[0][1]


def test_binary_and_huge_manifests_do_not_crash():
    a = scan("requirements.txt", b"\x00\xff\xfe" * 1000 + b"\ndemo-pkg==1.4\n")
    assert "RL401" in codes(a)
    body = b"".join(b'\n"left-pad-%d": "1.0.0",' % i for i in range(2000))
    a = scan("package.json", b'{"dependencies": {' + body + b'\n"demo-js": "4.17.15"}}')
    # Findings per file are capped (max-findings-per-file): the advisory is kept (most severe),
    # the unknown names beyond the cap are counted in one RL000 summary.
    assert codes(a).count("RL401") == 1 and "RL000" in codes(a)
    assert 400 <= codes(a).count("RL405") < 2000
