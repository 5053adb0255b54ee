"""Shared IaC helpers: secret-looking names and values, image references, node-like regions."""

import pytest

from redline import languages as langs
from redline.rules.predicates.iac_common import (
    decode_base64_text,
    is_secret_name,
    line_region,
    literal_secret,
    parse_image,
    script_secret,
)


@pytest.mark.parametrize(
    "name,secret",
    [
        ("PASSWORD", True), ("DB_PASSWORD", True), ("DB_PASS", True), ("dbPassword", True), ("API_KEY", True),
        ("apiKey", True), ("GITHUB_TOKEN", True), ("AWS_SECRET_ACCESS_KEY", True), ("ssh-private-key", True),
        ("CLIENT_SECRET", True), ("SECRET_KEY_BASE", True),
        ("AWS_ACCESS_KEY_ID", False), ("DB_PASSWORD_FILE", False), ("TOKEN_URL", False), ("GPG_KEY", False),
        ("PASSWORD_MIN_LENGTH", False), ("POSTGRES_USER", False), ("PASS_THROUGH", False), ("BYPASS", False),
        ("KEY", False), ("", False),
    ],
)
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    "value,secret",
    [
        ("s3cr3t-value", True), ("'quoted-value'", True), ("123456", True),
        ("", False), ("true", False), ("off", False), ("$DB_PASSWORD", False), ("${DB_PASSWORD}", False),
        ("{{ .Values.password }}", False), ("<your-token>", False), ("/run/secrets/db", False),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", False), ("42", False), (None, False),
    ],
)
def test_literal_secret_values(value, secret):
    assert literal_secret(value) is secret


@pytest.mark.parametrize(
    "ref,unpinned",
    [
        ("nginx", "no tag (pulls :latest)"), ("nginx:latest", "the :latest tag"), ("nginx:1.27", None),
        ("localhost:5000/team/app", "no tag (pulls :latest)"), ("localhost:5000/team/app:2", None),
        ("nginx@sha256:" + "0" * 64, None), ("nginx:latest@sha256:" + "0" * 64, None),
    ],
)
def test_image_references(ref, unpinned):
    assert parse_image(ref).unpinned == unpinned


def test_unparseable_image_references():
    assert parse_image("${IMAGE}") is None and parse_image("") is None and parse_image("{{ .Values.image }}") is None


def test_script_secrets_and_base64():
    assert script_secret(b'export DB_PASSWORD="s3cr3t-value"\n').group("name") == b"DB_PASSWORD"
    assert script_secret(b"export GREETING=hello\n") is None
    assert script_secret(b"key=" + b"AKIA" + b"A1B2C3D4E5F6G7H8" + b"\n") is not None
    assert decode_base64_text("ZXhwb3J0IEVESVRPUj12aW1hY3M=") == b"export EDITOR=vimacs"
    assert decode_base64_text("not base64 at all") is None


def test_line_region_reports_absolute_positions():
    tree = langs.parse("hcl", b'x = <<EOF\nfirst\n  second line\nEOF\n')
    node = tree.root_node
    r = line_region(node, b"second")
    assert r.start_point == (2, 2) and r.end_point == (2, 13)
    assert tree.root_node.text[r.start_byte : r.end_byte] == b"second line"
