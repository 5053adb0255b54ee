"""Version ordering and constraint dialects: SemVer/npm ranges, Maven ordering, PEP 440/Poetry, CVSS."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.deps import cvss, mavenversion, semver
from redline.deps import spec as specs
from redline.deps import versions as V

# ----------------------------------------------------------------------------- SemVer


def test_semver_precedence_follows_the_spec_example():
    # https://semver.org/#spec-item-11
    chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
             "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"]
    parsed = [semver.parse(v) for v in chain]
    assert all(a < b for a, b in zip(parsed, parsed[1:]))


def test_semver_is_lenient_where_osv_and_go_need_it():
    assert semver.parse("v1.2.3") == semver.parse("1.2.3")
    assert semver.parse("1.0") == semver.parse("1.0.0")  # node-fetch "introduced: 1.0"
    assert semver.parse("1.0.0+build.7") == semver.parse("1.0.0")  # build metadata ignored
    assert semver.parse("0.0.0-20210101120000-abcdef123456") < semver.parse("0.0.1")  # Go pseudo-version
    for bad in ("", "latest", "1.2.3.4", "x.y.z", "^1.2.3"):
        assert semver.parse(bad) is None


semvers = st.builds(
    semver.SemVer,
    st.integers(0, 5), st.integers(0, 5), st.integers(0, 5),
    st.lists(st.one_of(st.integers(0, 3).map(str), st.sampled_from(["alpha", "beta", "rc"])), max_size=2).map(tuple),
)


@given(semvers, semvers, semvers)
def test_semver_order_is_total_and_transitive(a, b, c):
    assert (a < b) + (b < a) + (a == b) == 1
    if a <= b and b <= c:
        assert a <= c


@given(semvers)
def test_semver_round_trips_through_text(v):
    assert semver.parse(str(v)) == v


@pytest.mark.parametrize(
    "rng,inside,outside",
    [
        ("^1.2.3", ["1.2.3", "1.9.9"], ["1.2.2", "2.0.0", "2.0.0-beta"]),
        ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4"]),
        ("~1.2.3", ["1.2.3", "1.2.9"], ["1.3.0"]),
        ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
        ("1.x", ["1.0.0", "1.5.2"], ["2.0.0", "0.9.0"]),
        (">=1.2.7 <1.3.0", ["1.2.7", "1.2.99"], ["1.3.0", "1.2.6"]),
        ("1.2.3 - 2.3", ["1.2.3", "2.3.9"], ["2.4.0"]),
        (">1.2", ["1.3.0"], ["1.2.9"]),
        ("<=1.2", ["1.2.9"], ["1.3.0"]),
        ("1.2.7 || >=1.2.9 <2.0.0", ["1.2.7", "1.2.9", "1.4.6"], ["1.2.8", "2.0.0"]),
        ("*", ["0.0.1", "9.9.9"], ["1.0.0-rc.1"]),
        (">=1.0.0-rc.1", ["1.0.0-rc.2", "1.0.0"], ["1.0.1-rc.1"]),
    ],
)
def test_npm_ranges(rng, inside, outside):
    r = semver.parse_range(rng)
    for v in inside:
        assert r.satisfies(semver.parse(v)), (rng, v)
    for v in outside:
        assert not r.satisfies(semver.parse(v)), (rng, v)


@pytest.mark.parametrize("bad", ["latest", "next", "file:../x", "git+https://x", "1.2.3 -", ">=abc"])
def test_npm_range_errors(bad):
    with pytest.raises(semver.RangeError):
        semver.parse_range(bad)


@given(semvers.filter(lambda v: not v.pre), st.sampled_from(["^", "~", ">="]), semvers.filter(lambda v: not v.pre))
def test_caret_tilde_match_their_desugared_bounds(base, op, v):
    r = semver.parse_range(f"{op}{base}")
    if op == "^":
        if base.major:
            upper = semver.SemVer(base.major + 1, 0, 0, ("0",))
        elif base.minor:
            upper = semver.SemVer(0, base.minor + 1, 0, ("0",))
        else:
            upper = semver.SemVer(0, 0, base.patch + 1, ("0",))
    elif op == "~":
        upper = semver.SemVer(base.major, base.minor + 1, 0, ("0",))
    else:
        upper = None
    expected = base <= v and (upper is None or v < upper)
    assert r.satisfies(v) == expected
    assert r.lowest() == base


# ------------------------------------------------------------------------------ Maven

# Maven's ComparableVersionTest orderings (each list ascends).
MAVEN_QUALIFIERS = ["1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11",
                    "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc",
                    "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123"]
MAVEN_NUMBERS = ["2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c",
                 "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2",
                 "11.m11", "11", "11.a", "11b", "11c", "11m"]


@pytest.mark.parametrize("chain", [MAVEN_QUALIFIERS, MAVEN_NUMBERS])
def test_maven_ordering(chain):
    for a, b in zip(chain, chain[1:]):
        assert mavenversion.compare(a, b) < 0, (a, b)
        assert mavenversion.compare(b, a) > 0, (b, a)


def test_maven_equivalences_from_the_osv_readme():
    assert mavenversion.compare("2.4", "2.4.0") == 0
    assert mavenversion.compare("2.5.10.1", "2.5.10") > 0
    assert mavenversion.compare("2.17.0-rc1", "2.17.0") < 0
    assert mavenversion.compare("5.3.18.RELEASE", "5.3.18") == 0
    assert mavenversion.MavenVersion("1.0.GA") == mavenversion.MavenVersion("1")


# ------------------------------------------------------------------------ constraints


def test_pep440_constraint():
    c = specs.pep440(">=2.0,<3")
    assert c.allows("2.5") and not c.allows("3.0") and not c.allows("1.9")
    assert c.lowest() == "2.0" and c.exact is None
    assert specs.pep440("==1.2.3").exact == "1.2.3"
    assert specs.pep440("==1.2.*").exact is None and specs.pep440("==1.2.*").lowest() == "1.2"
    assert specs.pep440(">=1.0").raised("1.5") == ">=1.5"
    assert specs.pep440(">=1.0,<2").raised("1.5") is None  # two clauses: no automatic edit
    assert specs.pep440("").lowest() is None
    assert specs.pep440("not a spec") is None


@pytest.mark.parametrize(
    "text,inside,outside,lowest",
    [
        ("^1.2.3", ["1.2.3", "1.9"], ["2.0", "1.2.2"], "1.2.3"),
        ("^0.2.3", ["0.2.5"], ["0.3.0"], "0.2.3"),
        ("~1.2.3", ["1.2.9"], ["1.3"], "1.2.3"),
        ("~2.2", ["2.2.28"], ["2.3"], "2.2"),
        ("1.2.*", ["1.2.0", "1.2.9"], ["1.3"], "1.2"),
        (">=1.0,<2.0", ["1.5"], ["2.0"], "1.0"),
        (">=1.0 <2.0", ["1.5"], ["2.0"], "1.0"),
        ("1.0 || 2.0", ["1.0", "2.0"], ["1.5"], "1.0"),
        ("*", ["0.1", "99"], [], None),
    ],
)
def test_poetry_constraint(text, inside, outside, lowest):
    c = specs.poetry(text)
    assert c is not None
    for v in inside:
        assert c.allows(v), (text, v)
    for v in outside:
        assert not c.allows(v), (text, v)
    assert c.lowest() == lowest
    assert specs.poetry("5.3.1").exact == "5.3.1"
    assert specs.poetry("^1.2").raised("1.4.1") == "^1.4.1"


def test_npm_constraint():
    c = specs.npm("^4.17.0")
    assert c.allows("4.17.15") and not c.allows("5.0.0")
    assert c.lowest() == "4.17.0" and c.raised("4.17.21") == "^4.17.21"
    assert specs.npm("=4.17.15").exact == "4.17.15"
    assert specs.npm("*").lowest() is None
    assert specs.npm("latest") is None


def test_maven_constraint():
    assert specs.maven("2.14.1").exact == "2.14.1"
    c = specs.maven("[1.0,2.0)")
    assert c.allows("1.0") and c.allows("1.9.9") and not c.allows("2.0") and c.exact is None
    assert c.lowest() == "1.0"
    assert specs.maven("[1.30]").exact == "1.30"
    assert specs.maven("(,1.0],[1.2,)").allows("0.5") and not specs.maven("(,1.0],[1.2,)").allows("1.1")
    assert specs.maven("(,1.0]").lowest() is None
    assert specs.maven("${x}") is None


def test_versions_dispatch_and_names():
    assert V.parse(V.PYPI, "5.4b2") < V.parse(V.PYPI, "5.4")
    assert V.parse(V.PYPI, "1.0.post1") > V.parse(V.PYPI, "1.0")
    assert V.parse(V.PYPI, "1!0.1") > V.parse(V.PYPI, "2.0")  # epochs
    assert V.parse(V.NPM, "latest") is None
    assert V.normalize_name(V.PYPI, "Zope.Interface") == "zope-interface"
    assert V.normalize_name(V.PYPI, "python__dateutil") == "python-dateutil"
    assert V.normalize_name(V.NPM, "JSONStream") == "jsonstream"
    assert V.normalize_name(V.GO, "github.com/BurntSushi/toml") == "github.com/BurntSushi/toml"


# ------------------------------------------------------------------------------- CVSS


@pytest.mark.parametrize(
    "vector,score,rating",
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "CRITICAL"),  # log4shell
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "HIGH"),
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, "LOW"),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, "MEDIUM"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "NONE"),
    ],
)
def test_cvss_base_scores(vector, score, rating):
    assert cvss.base_score(vector) == score
    assert cvss.rating(cvss.base_score(vector)) == rating


def test_cvss_rejects_other_vectors():
    assert cvss.base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") is None
    assert cvss.base_score("CVSS:3.1/AV:N") is None
