"""Credential names, entropy and the placeholder / test / template filters, one function at a time."""

from __future__ import annotations

import pytest

from redline.secrets import entropy, filters as flt
from redline.secrets.context import gate, min_entropy
from redline.secrets.fixes import env_var
from redline.secrets.hits import Hit
from redline.secrets.names import Kind, classify, env_name, words


@pytest.mark.parametrize(
    "name,kind",
    [
        ("password", Kind.PASSWORD), ("DB_PASSWORD", Kind.PASSWORD), ("dbPass", Kind.PASSWORD),
        ("db-pwd", Kind.PASSWORD), ("passwd", Kind.PASSWORD), ("mail.smtp.password", Kind.PASSWORD),
        ("secret", Kind.SECRET), ("client_secret", Kind.SECRET), ("CLIENTSECRET", Kind.SECRET),
        ("apiKey", Kind.SECRET), ("X-API-Key", Kind.SECRET), ("access_token", Kind.SECRET),
        ("Authorization", Kind.SECRET), ("basic_auth", Kind.SECRET), ("credentials", Kind.SECRET),
        ("private_key", Kind.SECRET), ("signing_key", Kind.SECRET), ("HEROKU_KEY", Kind.KEY), ("key", Kind.KEY),
        ("password_length", None), ("token_url", None), ("api_key_name", None), ("public_key", None),
        ("cache_key", None), ("auth_url", None), ("author", None), ("tokenizer", None), ("secretary", None),
        ("CSRF_HEADER_NAME", None), ("PASSWORD_HASHERS", None), ("is_password_valid", None),
        ("credentialsId", None), ("TEST_PASSWORD", None), ("fake_token", None), ("bypass", None),
    ],
)
def test_credential_names(name, kind):
    assert classify(name) is kind


def test_words_and_environment_names():
    assert words("HTTPServerKey2") == ("http", "server", "key", "2")
    assert words("stripe-api.key") == ("stripe", "api", "key")
    assert env_name("stripeApiKey") == "STRIPE_API_KEY"
    hit = Hit("RL205", "context-secret", "secret", 0, 1, 0, 1, name="self.stripe_api_key", env="API_TOKEN")
    assert env_var(hit) == "STRIPE_API_KEY"
    header = Hit("RL201", "github-token", "GitHub token", 0, 1, 0, 1, name="Authorization", env="GITHUB_TOKEN")
    assert env_var(header) == "GITHUB_TOKEN"


def test_entropy_helpers():
    assert entropy.shannon(b"") == 0 and entropy.shannon(b"aaaa") == 0
    assert entropy.shannon(b"abcd") == 2.0
    assert entropy.classes(b"aB3$") == 4 and entropy.classes(b"abc") == 1
    assert entropy.longest_run(b"abbbbc") == 4
    assert entropy.is_sequential(b"abcdefgh") and entropy.is_sequential(b"1234567890123")
    assert entropy.is_sequential(b"xoxp-1234567890")
    assert not entropy.is_sequential(b"Zx8kq2LmWpR4")
    assert min_entropy(b"0123456789abcdef") < min_entropy(b"Zx8kq2LmWpR4tY7uI9oPzzzzzzzzzzzz")


@pytest.mark.parametrize(
    "value,filter_name",
    [
        (b"${DB_PASSWORD}", "is_template"), (b"{{ .Values.password }}", "is_template"),
        (b"<YOUR_API_KEY>", "is_template"), (b"%(password)s", "is_template"), (b"$SECRET", "is_template"),
        (b"Bearer ${TOKEN}", "has_template"), (b"{prefix}-{value}", "has_template"),
        (b"vault:secret/data/db#password", "is_reference"), (b"!Ref DbPassword", "is_reference"),
        (b"os.environ['X']", "is_env_lookup"), (b"getPassword()", "is_call"), (b"********", "is_masked"),
        (b"changeme123", "is_placeholder_word"), (b"my-dummy-token", "is_placeholder_word"),
        (b"xxxxxxxxxxxx", "is_placeholder_word"), (b"0000000000000000", "is_low_diversity"),
        (b"true", "is_non_secret_word"), (b"8080", "is_number"), (b"/etc/ssl/private/key.pem", "is_path_or_url"),
        (b"https://auth.corp/token", "is_path_or_url"), (b"$2b$12$abcdefghijklmnopqrstuv", "is_hash_of_password"),
        (b"real_secret", "is_identifier"), (b"FORBIDDEN_VALUE2", "is_identifier"),
        (b"Enter your password.", "is_prose"), (b"abcdefghijk", "is_sequential"),
    ],
)
def test_value_filters_drop(value, filter_name):
    f = getattr(flt, filter_name)
    assert f in flt.VALUE_FILTERS and f(value)
    assert flt.reason(value, flt.VALUE_FILTERS) is not None


@pytest.mark.parametrize(
    "value",
    [b"Zx8kq2LmWpR4tY7u", b"m{{h}o)p${e]nob(ody[finds>-_$#thisone}}", b"hunter2!x", b"correct horse battery staple",
     b"django-insecure-8s7d6f5g4h3j2k1l0q", b"c4d77c62-6196-4f17-a06b-c462cffae87a"],
)
def test_value_filters_keep(value):
    assert flt.reason(value, flt.VALUE_FILTERS) is None


def test_gate_depends_on_the_kind_of_name():
    assert gate(Kind.PASSWORD, b"hunter2!x") == "medium"
    assert gate(Kind.PASSWORD, b"abc") is None  # too short
    assert gate(Kind.SECRET, b"correct horse battery staple") is None  # no spaces in tokens
    assert gate(Kind.PASSWORD, b"correct horse battery staple") == "medium"
    assert gate(Kind.SECRET, b"Zx8kq2LmWpR4tY7uI9oPa1B2c3D4") == "high"
    assert gate(Kind.KEY, b"Zx8kq2Lm") is None  # `key` names need long random values
    assert gate(Kind.KEY, b"Zx8kq2LmWpR4tY7uI9oP") in ("medium", "low")


@pytest.mark.parametrize(
    "path,expected",
    [("tests/test_login.py", True), ("app/test_views.py", True), ("pkg/auth_test.go", True),
     ("src/App.test.tsx", True), ("src/login.spec.ts", True), ("src/test/java/LoginTest.java", True),
     ("conftest.py", True), ("app/latest.py", False), ("app/settings.py", False), ("contest/main.go", False)],
)
def test_test_paths(path, expected):
    assert flt.is_test_path(path) is expected


def test_context_findings_in_tests_have_low_confidence():
    from redline.secrets.fakes import expand
    from redline.secrets.scanner import scan_text

    text = expand('DB_PASSWORD = "{{fake:password}}"\nTOKEN = "{{fake:github-token}}"\n').encode()
    prod = {h.detector: h.confidence for h in scan_text(text, "python", "app/settings.py")}
    test = {h.detector: h.confidence for h in scan_text(text, "python", "tests/test_settings.py")}
    assert prod == {"context-password": "medium", "github-token": "high"}
    assert test == {"context-password": "low", "github-token": "high"}
