"""Name checks: popular, known, typosquat (each confusion kind), unknown, private scopes."""

from __future__ import annotations

import pytest

from redline.deps import names as N
from redline.deps import toplists
from redline.deps import versions as V

POPULAR_PY = ("requests", "numpy", "python-dateutil", "django", "flask", "colorama", "cryptography", "attrs", "urllib3")
POPULAR_NPM = ("lodash", "cross-env", "react", "express", "@types/node", "lodash.merge", "util")


@pytest.fixture
def py():
    return N.NameIndex(V.PYPI, POPULAR_PY, known={"trac", "some-rare-pkg"})


@pytest.fixture
def npm():
    return N.NameIndex(V.NPM, POPULAR_NPM)


@pytest.mark.parametrize(
    "name,status,target",
    [
        ("requests", "popular", None),
        ("Requests", "popular", None),
        ("python_dateutil", "popular", None),  # PEP 503: the same project
        ("trac", "known", None),
        ("reqeusts", "typosquat", "requests"),  # transposition = one edit
        ("requets", "typosquat", "requests"),
        ("pythondateutil", "typosquat", "python-dateutil"),  # separators removed
        ("djang0", "typosquat", "django"),  # look-alike digit
        ("co1orama", "typosquat", "colorama"),
        ("request", "typosquat", "requests"),  # singular
        ("numpys", "typosquat", "numpy"),
        ("python-flask", "typosquat", "flask"),  # squatter prefix
        ("flask-py", "typosquat", "flask"),  # squatter suffix
        ("cryptograpy", "typosquat", "cryptography"),
        ("cryptogrpahyy", "typosquat", "cryptography"),  # two edits, long name
        ("flask-mycompany-auth", "unknown", None),  # plugins are not squats of their framework
        ("my-internal-lib", "unknown", None),
        ("atrs", "unknown", None),  # too short for edit distance: would drown in false alarms
        ("urllib4", "unknown", None),  # only digits differ: siblings, not typos
    ],
)
def test_pypi_verdicts(py, name, status, target):
    v = py.check(name)
    assert (v.status, v.target) == (status, target), v


@pytest.mark.parametrize(
    "name,status,target",
    [
        ("lodash", "popular", None),
        ("lodahs", "typosquat", "lodash"),
        ("crossenv", "typosquat", "cross-env"),
        ("lodash_merge", "typosquat", "lodash.merge"),  # npm separators are distinct names
        ("reactjs", "typosquat", "react"),
        ("cross-env.js", "typosquat", "cross-env"),
        ("@types/nodee", "typosquat", "@types/node"),
        ("@types/left-pad-zz", "scope", None),  # a known scope: only its owner publishes there
        ("@acme/lodash", "private", None),  # an unknown scope: a private organisation's
        ("@acme/utils", "private", None),
    ],
)
def test_npm_verdicts(npm, name, status, target):
    v = npm.check(name)
    assert (v.status, v.target) == (status, target), v


def test_verdict_explains_itself(py):
    assert py.check("reqeusts").how == "one edit away"
    assert py.check("cryptogrpahyy").how == "2 edits away"
    assert "prefix" in py.check("python-flask").how


def test_the_most_popular_target_wins():
    idx = N.NameIndex(V.PYPI, ("boto3", "botox", "boto"))
    assert idx.check("botoo").target == "boto3"  # ties at one edit: rank decides


def test_shipped_lists_and_index_cache():
    pypi = toplists.load(V.PYPI)
    npm = toplists.load(V.NPM)
    assert len(pypi) >= 14000 and pypi[0] == "boto3" and "requests" in pypi
    assert len(npm) >= 15000 and "lodash" in npm
    a = N.index_for(V.PYPI, frozenset({"x"}))
    assert N.index_for(V.PYPI, frozenset({"x"})) is a
    b = N.index_for(V.PYPI, frozenset({"x", "y"}))
    assert b is not a and b.check("y").status == "known"
    assert N.index_for(V.GO) is None


@pytest.mark.parametrize(
    "name,popular,status",
    [
        ("tree-sitter-hcl", ("tree-sitter-c",), "unknown"),  # a family member, not a typo
        ("pytest-xml", ("pytest-html",), "unknown"),
        ("cupy-cuda11x", ("cupy-cuda12x",), "unknown"),  # only digits differ
        ("django-rest-framwork", ("django-rest-framework",), "typosquat"),  # a typo inside a segment
        ("python-dateutill", ("python-dateutil",), "typosquat"),
    ],
)
def test_families_are_not_typosquats(name, popular, status):
    assert N.NameIndex(V.PYPI, popular).check(name).status == status
