"""The advisory database: OSV semantics, the compact file, `redline db build` and `db info`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from redline.deps import cli, osv
from redline.deps import database as D
from redline.deps import versions as V

FIXTURE = Path(__file__).parent / "data" / "deps" / "osv"


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No user database or cache from the developer's machine."""
    monkeypatch.setenv(D.ENV_DATA_DIR, str(tmp_path / "userdata"))
    monkeypatch.delenv(D.ENV_PATH, raising=False)
    D.reset_cache()
    yield tmp_path
    D.reset_cache()


@pytest.fixture
def fixture_db(tmp_path) -> D.AdvisoryDB:
    data = D.build(D.read_jsonl_dir(FIXTURE))
    return D.AdvisoryDB.from_bytes(data, tmp_path / "fixture.rldb")


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> D.AdvisoryDB:
    from conftest import SHARED

    osv_dir = SHARED / "data" / "osv"
    if not osv_dir.is_dir():
        pytest.fail(f"{osv_dir} not found: CI runs with ../shared beside the clone")
    path = tmp_path_factory.mktemp("db") / D.FILE_NAME
    D.write_atomic(path, D.build(D.read_jsonl_dir(osv_dir)))
    return D.AdvisoryDB.load(path)


def ids(advisories) -> list[str]:
    return sorted(a.id for a in advisories)


# ------------------------------------------------------------------- OSV semantics (fixture)


def test_introduced_fixed_and_pep440_ordering(fixture_db):
    # introduced 0, fixed 1.5; names normalized (Demo_Pkg == demo-pkg)
    assert ids(fixture_db.affecting(V.PYPI, "Demo_Pkg", "1.4")) == ["TEST-PY-1", "TEST-PY-2"]
    assert ids(fixture_db.affecting(V.PYPI, "demo.pkg", "1.5b1")) == ["TEST-PY-1", "TEST-PY-2"]  # pre-release < 1.5
    assert ids(fixture_db.affecting(V.PYPI, "demo-pkg", "1.5")) == ["TEST-PY-2"]
    assert ids(fixture_db.affecting(V.PYPI, "demo-pkg", "1.1")) == ["TEST-PY-1"]


def test_several_intervals_in_one_events_list(fixture_db):
    # TEST-PY-2: [1.2, 1.6) and [2.0, 2.0.3)
    assert ids(fixture_db.affecting(V.PYPI, "demo-pkg", "1.7")) == []
    assert ids(fixture_db.affecting(V.PYPI, "demo-pkg", "2.0.2")) == ["TEST-PY-2"]
    assert ids(fixture_db.affecting(V.PYPI, "demo-pkg", "2.0.3")) == []


def test_withdrawn_records_are_ignored(fixture_db):
    assert "TEST-PY-4" not in {a.id for a in fixture_db.advisories(V.PYPI, "demo-pkg")}
    assert fixture_db.meta["ecosystems"]["PyPI"]["withdrawn"] == 1


def test_last_affected_is_inclusive(fixture_db):
    assert ids(fixture_db.affecting(V.PYPI, "nofix", "3.0")) == ["TEST-PY-3"]
    assert ids(fixture_db.affecting(V.PYPI, "nofix", "3.0.1")) == []


def test_versions_list_supplements_ranges(fixture_db):
    assert ids(fixture_db.affecting(V.PYPI, "listed", "0.2")) == ["TEST-PY-5"]
    assert ids(fixture_db.affecting(V.PYPI, "listed", "0.3")) == []
    # A listed string that is not a PEP 440 version still matches exactly.
    assert ids(fixture_db.affecting(V.PYPI, "demo-pkg", "0.9-weird")) == ["TEST-PY-1"]
    # Listed versions that the ranges already cover are not stored twice.
    adv = next(a for a in fixture_db.advisories(V.PYPI, "demo-pkg") if a.id == "TEST-PY-1")
    assert adv.versions == frozenset({"0.9-weird"})


def test_git_ranges_are_dropped(fixture_db):
    adv = next(a for a in fixture_db.advisories(V.PYPI, "demo-pkg") if a.id == "TEST-PY-1")
    assert [t for t, _e in adv.ranges] == ["E"]
    assert "abc123" not in list(adv.boundary_versions())


def test_match_on_package_name_first(fixture_db):
    # One record, three packages with different ranges (the lodash/lodash-es/lodash.set pattern).
    assert ids(fixture_db.affecting(V.NPM, "demo-js", "4.17.15")) == ["TEST-NPM-1", "TEST-NPM-2"]
    assert ids(fixture_db.affecting(V.NPM, "demo-js", "4.17.19")) == ["TEST-NPM-2"]
    assert ids(fixture_db.affecting(V.NPM, "demo-js", "3.6.0")) == []
    assert ids(fixture_db.affecting(V.NPM, "demo-js-es", "4.17.19")) == ["TEST-NPM-1"]
    assert ids(fixture_db.affecting(V.NPM, "demo-js.set", "4.3.2")) == ["TEST-NPM-1"]
    assert ids(fixture_db.affecting(V.NPM, "demo-js.set", "4.3.3")) == []


def test_semver_coercion_of_short_versions(fixture_db):
    # TEST-NPM-2 says introduced "1.0": read as 1.0.0.
    assert ids(fixture_db.affecting(V.NPM, "demo-js", "1.0.0")) == ["TEST-NPM-2"]
    assert ids(fixture_db.affecting(V.NPM, "demo-js", "0.9.9")) == []


def test_go_and_maven_ordering(fixture_db):
    assert ids(fixture_db.affecting(V.GO, "example.com/mod", "v0.3.6")) == ["GO-2099-0001"]
    assert ids(fixture_db.affecting(V.GO, "example.com/mod", "v0.3.7")) == []
    assert ids(fixture_db.affecting(V.GO, "stdlib", "1.21.4")) == ["GO-2099-0001"]
    assert ids(fixture_db.affecting(V.MAVEN, "org.example:core", "2.14.1")) == ["TEST-MVN-1"]
    assert ids(fixture_db.affecting(V.MAVEN, "org.example:core", "2.0-beta8")) == []
    assert ids(fixture_db.affecting(V.MAVEN, "org.example:core", "2.15.0")) == []
    assert ids(fixture_db.affecting(V.MAVEN, "org.example:core", "2.15")) == []  # 2.15 == 2.15.0


def test_severity_summary_and_dates(fixture_db):
    a = next(a for a in fixture_db.advisories(V.PYPI, "demo-pkg") if a.id == "TEST-PY-1")
    assert (a.severity, a.score) == ("CRITICAL", 9.8)
    assert a.summary == "Demo package before 1.5 allows remote code execution."  # first sentence of details
    assert a.title == "TEST-PY-1 (CVE-2099-0001)"
    npm_sev = {a.id: a.severity for a in fixture_db.advisories(V.NPM, "demo-js")}
    assert npm_sev == {"TEST-NPM-1": "MEDIUM", "TEST-NPM-2": "HIGH"}
    # Go's placeholder dates are not dates; the id's year is a lower bound.
    assert fixture_db.newest(V.GO) == "2099-01-01"
    assert fixture_db.newest(V.PYPI) == "2024-06-04"


def test_staleness_note(fixture_db):
    assert fixture_db.staleness_note(V.PYPI, today=dt.date(2024, 7, 1)) is None
    note = fixture_db.staleness_note(V.PYPI, today=dt.date(2026, 1, 1))
    assert note and "2024-06-04" in note and "redline db update" in note


def test_compact_drops_unparsable_events_not_the_record():
    record = {"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2019-09-12"}]}],
              "versions": ["1.0"]}]}
    stats: dict = {}
    out = list(osv.compact(record, V.PYPI, stats))
    assert stats["unparsable_ranges"] == 1
    assert out and out[0][1]["versions"] == ["1.0"] and out[0][1]["ranges"] == []
    # Without the list nothing can match, but the package name is still known.
    record["affected"][0]["versions"] = []
    (name, entry), = osv.compact(record, V.PYPI, stats)
    assert name == "a" and stats["unmatchable"] == 1
    assert not osv.Advisory.from_entry(V.PYPI, name, entry).affects("0.1")


# --------------------------------------------------------------- worked examples (real data)


def test_readme_worked_examples(real_db):
    assert "PYSEC-2021-142" in ids(real_db.affecting(V.PYPI, "PyYAML", "5.3.1"))
    assert "PYSEC-2021-142" in ids(real_db.affecting(V.PYPI, "pyyaml", "5.4b2"))
    assert "PYSEC-2021-142" not in ids(real_db.affecting(V.PYPI, "pyyaml", "5.4"))
    for other in ("PYSEC-2020-96", "PYSEC-2020-176", "PYSEC-2018-49"):
        assert other not in ids(real_db.affecting(V.PYPI, "pyyaml", "5.3.1"))
    assert {"PYSEC-2018-28", "PYSEC-2023-74"} <= set(ids(real_db.affecting(V.PYPI, "requests", "2.19.1")))
    assert "PYSEC-2018-28" not in ids(real_db.affecting(V.PYPI, "requests", "2.20.0"))
    assert "GHSA-p6mc-m468-83gw" in ids(real_db.affecting(V.NPM, "lodash", "4.17.15"))
    assert "GHSA-p6mc-m468-83gw" not in ids(real_db.affecting(V.NPM, "lodash", "4.17.19"))
    assert "GHSA-p6mc-m468-83gw" not in ids(real_db.affecting(V.NPM, "lodash", "3.6.0"))
    assert "GHSA-hrpp-h998-j3pp" in ids(real_db.affecting(V.NPM, "qs", "6.9.4"))
    assert "GHSA-hrpp-h998-j3pp" not in ids(real_db.affecting(V.NPM, "qs", "6.5.3"))
    assert "GO-2021-0113" in ids(real_db.affecting(V.GO, "golang.org/x/text", "v0.3.6"))
    assert "GHSA-cchq-frgv-rjh5" in ids(real_db.affecting(V.NPM, "vm2", "3.9.19"))
    assert "GHSA-jfh8-c2jp-5v3q" in ids(real_db.affecting(V.MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1"))


def test_real_database_counts_and_withdrawn(real_db):
    counts = real_db.counts()
    assert counts["PyPI"]["withdrawn_skipped"] == 10 and counts["Go"]["withdrawn_skipped"] == 17
    assert counts["PyPI"]["records"] + 10 == 2661
    assert counts["npm"]["records"] == 980 and counts["Maven"]["records"] == 9
    real_db.verify()


# ---------------------------------------------------------------------- file format, loading


def test_roundtrip_and_lazy_lookup(tmp_path):
    data = D.build(D.read_jsonl_dir(FIXTURE))
    path = tmp_path / D.FILE_NAME
    D.write_atomic(path, data)
    assert path.stat().st_mode & 0o777 == 0o644
    db = D.AdvisoryDB.load(path)
    db.verify()
    assert db.has_package(V.PYPI, "DEMO_PKG") and not db.has_package(V.PYPI, "requests")
    assert db.advisories(V.PYPI, "nothing-here") == ()
    assert db.names(V.NPM) == {"demo-js", "demo-js-es", "demo-js.set"}


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "not a Redline advisory database"),
        (b"SQLite format 3\x00", "not a Redline advisory database"),
        (D.MAGIC + b"{not json", "truncated header"),
        (D.MAGIC + b"{not json}\n", "broken header"),
        (D.MAGIC + b'{"meta": {}}\n', "broken header"),
    ],
)
def test_broken_files_raise_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.rldb"
    path.write_bytes(content)
    with pytest.raises(D.DatabaseError, match=message):
        D.AdvisoryDB.load(path)


def test_corrupt_body_is_detected(tmp_path):
    data = bytearray(D.build(D.read_jsonl_dir(FIXTURE)))
    data[-5] ^= 0xFF
    db = D.AdvisoryDB.from_bytes(bytes(data))
    with pytest.raises(D.DatabaseError, match="checksum"):
        db.verify()


def test_missing_database_is_reported_not_raised(isolated, monkeypatch):
    monkeypatch.setenv(D.ENV_PATH, str(isolated / "absent.rldb"))
    db, error = D.get_database()
    assert db is None and "no advisory database" in error and "redline db build" in error


def test_database_is_reloaded_when_the_file_changes(isolated, monkeypatch):
    path = isolated / "db.rldb"
    monkeypatch.setenv(D.ENV_PATH, str(path))
    D.write_atomic(path, D.build([D.EcosystemInput(V.PYPI, [])]))
    first, _ = D.get_database()
    assert first is not None and not first.names(V.PYPI)
    D.write_atomic(path, D.build(D.read_jsonl_dir(FIXTURE)))
    second, _ = D.get_database()
    assert second is not first and "demo-pkg" in second.names(V.PYPI)


def test_user_database_wins_over_packaged(isolated):
    user = D.user_database_path()
    assert D.database_path() == D.packaged_database_path()
    D.write_atomic(user, D.build(D.read_jsonl_dir(FIXTURE)))
    assert D.database_path() == user


# --------------------------------------------------------------------------------- CLI


def test_cli_build_and_info(isolated, capsys):
    out = isolated / "built.rldb"
    assert cli.main(["db", "build", str(FIXTURE), "--output", str(out)]) == 0
    assert "PyPI 4 advisories" in capsys.readouterr().out
    assert cli.main(["info", "--db", str(out), "--verify"]) == 0
    text = capsys.readouterr().out
    assert str(out) in text and "withdrawn" in text and "verified" in text and "NOTICE" in text
    assert cli.main(["info", "--db", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["ecosystems"]["PyPI"]["records"] == 4 and info["ecosystems"]["Go"]["data_date"] == "2099-01-01"


def test_cli_errors(isolated, capsys):
    assert cli.main(["build", str(isolated / "empty")]) == 1
    assert "no OSV files" in capsys.readouterr().err
    assert cli.main(["info", "--db", str(isolated / "nope.rldb")]) == 1
    assert "redline db build" in capsys.readouterr().err
    assert cli.main(["frobnicate"]) == 2


def test_notice_ships_with_the_data():
    text = D.notice_path().read_text("utf-8")
    for needle in ("CC BY 4.0", "Python Packaging Advisory Database", "Go Vulnerability Database",
                   "GitHub Advisory Database", "MIT License", "Apache License", "data was modified"):
        assert needle in text
    assert (D.notice_path().parent / "LICENSE-Apache-2.0.txt").is_file()


def test_fast_paths_agree_with_the_plain_rule(real_db):
    """`affecting` skips packages whose advisories all end below the version: it must give
    the same answer as asking every advisory, on every version the data names and a bit above."""
    checked = 0
    for eco in (V.PYPI, V.NPM, V.GO, V.MAVEN):
        for name in sorted(real_db.names(eco))[::4]:
            advisories = real_db.advisories(eco, name)
            versions = {v for a in advisories for v in a.boundary_versions()}
            versions |= {v + ".1" for v in list(versions)[:5]} | {"99.0.0", "0.0.1"}
            for v in versions:
                expected = sorted(a.id for a in advisories if a.affects(v))
                assert sorted(a.id for a in real_db.affecting(eco, name, v)) == expected, (eco, name, v)
                checked += 1
    assert checked > 3000


def test_smallest_safe_sweep_agrees_with_asking_each_advisory(real_db):
    from redline.deps import checks

    compared = 0
    for eco in (V.PYPI, V.NPM, V.GO, V.MAVEN):
        for name in sorted(real_db.names(eco))[::3]:
            advisories = real_db.advisories(eco, name)
            for above in [None, *sorted({v for a in advisories for v in a.introduced_versions()})[:6]]:
                fast = checks.smallest_safe(advisories, eco, above)
                floor = checks._parse(eco, above) if above else None
                naive = None
                fixes = {v: checks._parse(eco, v) for a in advisories for v in a.fixed_versions()}
                for v, p in sorted(((v, p) for v, p in fixes.items() if p is not None), key=lambda vp: vp[1]):
                    if floor is not None and not p > floor:
                        continue
                    if checks._is_prerelease(eco, p) and not (floor is not None and checks._is_prerelease(eco, floor)):
                        continue
                    if not any(a.affects(v) for a in advisories):
                        naive = v
                        break
                assert fast == naive, (eco, name, above)
                compared += 1
    assert compared > 1000
