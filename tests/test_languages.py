"""The language registry: languageIds and file names to grammars, lazily, never an error."""

import pytest

from redline import languages as langs


@pytest.mark.parametrize(
    "path,language_id,expected",
    [
        ("app.py", None, "python"),
        ("x/Dockerfile", None, "dockerfile"),
        ("Dockerfile.prod", None, "dockerfile"),
        ("api.Dockerfile", None, "dockerfile"),
        ("requirements-dev.txt", None, "requirements"),
        ("constraints.txt", None, "requirements"),
        ("notes.txt", None, "text"),
        ("go.mod", None, "gomod"),
        ("main.tf", None, "hcl"),
        ("vars.tfvars", None, "hcl"),
        ("deploy.yml", None, "yaml"),
        ("package.json", None, "json"),
        ("Pipfile", None, "toml"),
        ("component.tsx", None, "tsx"),
        ("server.mjs", None, "javascript"),
        (".env.local", None, "dotenv"),
        ("untitled", "python", "python"),
        ("whatever.js", "typescriptreact", "tsx"),
        ("main.tf", "terraform", "hcl"),
        # A specific file name wins over a generic languageId.
        ("requirements.txt", "plaintext", "requirements"),
        ("Dockerfile", "plaintext", "dockerfile"),
    ],
)
def test_detect(path, language_id, expected):
    assert langs.detect(path, language_id) == expected


def test_unknown_language_is_skipped_with_a_reason():
    assert langs.detect("image.png") is None
    assert langs.detect("x.rs", "rust") is None
    assert "rust" in langs.skip_reason("x.rs", "rust")
    assert ".png" in langs.skip_reason("image.png")


@pytest.mark.parametrize("name", sorted(n for n, s in langs.LANGUAGES.items() if s.module))
def test_every_grammar_loads_and_parses(name):
    sample = {"dockerfile": b"FROM python:3.12\nUSER app\n", "json": b'{"a": 1}', "hcl": b'a = "b"\n'}.get(name, b"a = 1\n")
    tree = langs.parse(name, sample)
    assert tree is not None and tree.root_node.child_count > 0


def test_grammars_and_parsers_are_created_once():
    assert langs.grammar("python") is langs.grammar("python")
    assert langs.parser("go") is langs.parser("go")
    assert langs.new_parser("go") is not langs.parser("go")


def test_languages_without_grammar_parse_to_none():
    assert langs.parse("text", b"hello") is None
    with pytest.raises(KeyError):
        langs.grammar("text")


def test_comment_prefixes():
    assert langs.comment_prefix("python") == "#"
    assert langs.comment_prefix("go") == "//"
    assert langs.comment_prefix("json") is None
