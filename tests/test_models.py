"""The dataflow models (rules/models/*.toml): schema checks, clear errors, caching."""

from pathlib import Path

import pytest

from redline.rules import models
from redline.rules.models import ModelError, load, parse


def test_the_java_model_loads_and_is_cached():
    m = load("java")
    assert m is load("java")
    assert "executeQuery" in m.sink_callees("sql", "strong")
    assert "getParameter" in m.source_methods("call")
    assert m.sanitizes("html", "forHtml", "Encode.forHtml")
    assert not m.sanitizes("sql", "forHtml", "Encode.forHtml")
    assert m.sanitizes("sql", "parseInt", "Integer.parseInt")  # safe for every category
    assert m.simple_name("java.security.MessageDigest") == "MessageDigest"


@pytest.mark.parametrize("text, words", [
    ('[[sink]]\ncategory = "sql"\ncallees = ["q"]', "language"),
    ('language = "x"\n[[sink]]\ncategory = "sql"\ncalees = ["q"]', "unknown key 'calees'"),
    ('language = "x"\n[[sink]]\ncategory = "sql"', "missing key 'callees'"),
    ('language = "x"\n[[sink]]\ncategory = "sql"\ncallees = "q"', "'callees' must be list[str]"),
    ('language = "x"\n[[source]]\nkind = "magic"', "kind must be one of"),
    ('language = "x"\n[[propagator]]\nkind = "teleport"\nnames = ["a"]', "kind must be one of"),
    ('language = "x"\n[[sanitizer]]\ncategories = ["sql"]', "needs names, qualified or pattern"),
    ('language = "x"\n[[sanitizer]]\ncategories = ["sql"]\npattern = "(a)\\\\1"', "'pattern'"),
    ('language = "x"\nsinks = []', "unknown top-level keys"),
    ('language = "x"\n[types]\na = 1', "[types]"),
    ('language = "x"\n[[sink]', "bad.toml"),
])
def test_a_bad_model_file_is_a_clear_error(text, words):
    with pytest.raises(ModelError) as e:
        parse(Path("bad.toml"), text)
    assert words in str(e.value)
    assert "bad.toml" in str(e.value)


def test_a_missing_language_is_a_clear_error():
    with pytest.raises(ModelError, match="no dataflow model"):
        load("klingon")


def test_every_shipped_model_parses():
    for path in Path(models.__file__).parent.glob("*.toml"):
        assert parse(path).language == path.stem
