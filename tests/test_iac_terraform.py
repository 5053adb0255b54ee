"""Terraform rules: the HCL view, the check tables, and behaviour the rule examples do not pin."""

import re
import tomllib
from pathlib import Path

import pytest
from iac_support import scan

from redline import languages as langs
from redline.rules.predicates.terraform_model import (
    UNKNOWN,
    Call,
    Template,
    evaluate,
    json_value,
    top_level_blocks,
)
from redline.rules.predicates.terraform_rules import TABLES, types_for
from redline.rules.registry import default_registry

ROOT = Path(__file__).resolve().parent.parent
TOML = ROOT / "server" / "redline" / "rules" / "builtin" / "terraform.toml"


def codes(code: str) -> list[str]:
    return [f.code for f in scan("main.tf", code)]


def blocks(code: str):
    return top_level_blocks(langs.parse("hcl", code.encode()).root_node)


# ------------------------------------------------------------------ tables and queries agree


def test_every_terraform_rule_has_a_table_and_the_query_lists_its_types():
    rules = tomllib.loads(TOML.read_text("utf-8"))["rule"]
    assert {r["name"] for r in rules} == set(TABLES)
    for r in rules:
        resources, data = types_for(r["name"])
        listed = {}
        for kind, types in re.findall(r'\(#eq\? @kind "(\w+)"\)\s*\(#any-of\? @type ([^)]*)\)', r["query"]):
            listed[kind] = sorted(re.findall(r'"([^"]+)"', types))
        assert listed.get("resource", []) == resources, r["name"]
        assert listed.get("data", []) == data, r["name"]
        assert r["predicate"] == "terraform.checks"


def test_codes_are_in_the_iac_range_and_carry_cwe_severity_confidence():
    for rule in default_registry().rules:
        if "hcl" in rule.languages and rule.code.startswith("RL5"):
            assert 501 <= int(rule.code[2:]) <= 599
            assert rule.cwe and rule.severity and rule.confidence
            assert "{resource}" in rule.message and "{what}" in rule.message


# ------------------------------------------------------------------ the HCL view


def test_evaluate_literals_and_unknowns():
    (b,) = blocks(
        'resource "x" "y" {\n'
        '  s = "a"\n  n = 3\n  f = 1.5\n  t = true\n  z = null\n'
        '  l = ["0.0.0.0/0", var.cidr]\n  o = { Name = "n", "k" = 1 }\n'
        '  r = var.x\n  i = "a-${var.x}"\n  h = <<-EOT\n    {"a": 1}\n  EOT\n'
        '  j = jsonencode({ Action = "*" })\n  c = var.on ? 1 : 2\n}\n'
    )
    v = {k: a.value for k, a in b.attrs.items()}
    assert (v["s"], v["n"], v["f"], v["t"], v["z"]) == ("a", 3, 1.5, True, None)
    assert v["l"] == ["0.0.0.0/0", UNKNOWN]
    assert v["o"] == {"Name": "n", "k": 1}
    assert v["r"] is UNKNOWN and v["c"] is UNKNOWN
    assert isinstance(v["i"], Template) and v["i"].text == "a-${var.x}"
    assert json_value(v["h"]) == {"a": 1}
    assert isinstance(v["j"], Call) and json_value(v["j"]) == {"Action": "*"}
    assert evaluate(None) is UNKNOWN


def test_references_never_produce_findings():
    code = (
        'resource "aws_db_instance" "db" {\n  storage_encrypted   = var.encrypted\n  publicly_accessible = var.public\n}\n'
        'resource "aws_security_group_rule" "r" {\n  type = "ingress"\n  from_port = 22\n  to_port = 22\n'
        '  protocol = "tcp"\n  cidr_blocks = var.cidrs\n}\n'
    )
    assert codes(code) == []


def test_dynamic_blocks_are_not_reported_as_missing():
    code = ('resource "aws_dax_cluster" "d" {\n  dynamic "server_side_encryption" {\n    for_each = var.sse\n'
            '    content {\n      enabled = true\n    }\n  }\n}\n')
    assert "RL503" not in codes(code)


def test_one_finding_per_resource_lists_every_issue_with_related_locations():
    code = ('resource "aws_instance" "web" {\n  root_block_device {\n    encrypted = false\n  }\n'
            '  ebs_block_device {\n    encrypted = false\n  }\n}\n')
    (f,) = scan("main.tf", code, "RL503")
    assert "root_block_device.encrypted = false" in f.message and "ebs_block_device.encrypted = false" in f.message
    assert f.span.start_line == 2 and [r.span.start_line for r in f.related] == [5]
    assert f.fixes and len(f.fixes[0].edits) == 2


def test_missing_settings_are_reported_on_the_type_label():
    (f,) = scan("main.tf", 'resource "aws_efs_file_system" "fs" {\n  creation_token = "x"\n}\n', "RL503")
    assert (f.span.start_line, f.span.start_point[1]) == (0, 9)
    assert "encrypted is not set" in f.message


def test_s3_bucket_alone_is_not_reported():
    # New S3 buckets are encrypted (SSE-S3) and block public access by default since 2023.
    assert codes('resource "aws_s3_bucket" "b" {\n  bucket = "example"\n}\n') == []


@pytest.mark.parametrize(
    "protocol,ports,expected",
    [
        ("tcp", (22, 22), True),
        ("tcp", (3380, 3390), True),  # a range that contains RDP
        ("tcp", (443, 443), False),  # public HTTPS is normal
        ("tcp", (8000, 8050), False),  # no sensitive port inside
        ("-1", (0, 0), True),  # every protocol and port
        ("icmp", (-1, -1), False),
        ("udp", (3389, 3389), False),  # UDP only matters for a few services
        ("udp", (161, 161), True),  # SNMP
    ],
)
def test_security_group_ports(protocol, ports, expected):
    code = (f'resource "aws_security_group" "s" {{\n  ingress {{\n    protocol    = "{protocol}"\n'
            f'    from_port   = {ports[0]}\n    to_port     = {ports[1]}\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n'
            '  egress {\n    protocol    = "-1"\n    from_port   = 0\n    to_port     = 0\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')
    assert ("RL506" in codes(code)) is expected


def test_open_port_message_names_the_service_and_source():
    code = ('resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "tcp"\n    ports = ["5432", "6379"]\n  }\n'
            '  source_ranges = ["0.0.0.0/0"]\n}\n')
    (f,) = scan("main.tf", code, "RL506")
    assert "PostgreSQL (5432), Redis (6379) open to 0.0.0.0/0" in f.message
    assert f.span.start_line == 5  # the source_ranges line


def test_egress_and_private_sources_are_not_reported():
    code = ('resource "azurerm_network_security_rule" "out" {\n  direction = "Outbound"\n  access = "Allow"\n'
            '  destination_port_range = "*"\n  source_address_prefix = "*"\n}\n'
            'resource "azurerm_network_security_rule" "in" {\n  direction = "Inbound"\n  access = "Allow"\n'
            '  destination_port_range = "22"\n  source_address_prefix = "10.0.0.0/8"\n}\n')
    assert "RL506" not in codes(code)


def test_iam_heredoc_finding_points_at_the_action_line():
    code = ('resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{\n  "Statement": [{\n    "Effect": "Allow",\n'
            '    "Action": "*",\n    "Resource": "*"\n  }]\n}\nEOF\n}\n')
    (f,) = scan("main.tf", code, "RL509")
    assert f.span.start_line == 5 and 'Action": "*"' in code.splitlines()[5]


def test_iam_jsonencode_finding_points_at_the_action_element():
    code = ('resource "aws_iam_role_policy" "p" {\n  policy = jsonencode({\n    Statement = [{\n'
            '      Effect   = "Allow"\n      Action   = ["s3:*"]\n      Resource = "*"\n    }]\n  })\n}\n')
    (f,) = scan("main.tf", code, "RL509")
    assert f.span.start_line == 4 and "s3:*" in f.message


@pytest.mark.parametrize(
    "statement,flagged",
    [
        ('{"Effect": "Deny", "Action": "*", "Resource": "*"}', False),
        ('{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}', False),
        ('{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}', False),
        ('{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}', False),
        ('{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}', True),
        ('{"Effect": "Allow", "Action": ["*"], "Resource": "arn:aws:s3:::b"}', True),
    ],
)
def test_iam_statement_judgement(statement, flagged):
    code = f'resource "aws_iam_policy" "p" {{\n  policy = <<EOF\n{{"Statement": [{statement}]}}\nEOF\n}}\n'
    assert ("RL509" in codes(code)) is flagged


def test_public_principal_with_condition_is_not_reported():
    code = ('resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = jsonencode({\n    Statement = [{\n'
            '      Effect = "Allow"\n      Principal = "*"\n      Action = "s3:GetObject"\n      Resource = "arn:aws:s3:::b/*"\n'
            '      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-123" } }\n    }]\n  })\n}\n')
    assert "RL510" not in codes(code)


def test_user_data_secrets_plain_and_base64():
    key_id = "AKIA" + "Q" * 16  # built at run time: not a real key
    plain = f'resource "aws_instance" "i" {{\n  user_data = <<EOF\n#!/bin/sh\nexport AWS_ACCESS_KEY_ID={key_id}\nEOF\n}}\n'
    (f,) = scan("main.tf", plain, "RL515")
    assert f.span.start_line == 3
    import base64

    encoded = base64.b64encode(b'export DB_PASSWORD="' + b"x" * 12 + b'"\n').decode()
    b64 = f'resource "aws_launch_configuration" "lc" {{\n  user_data_base64 = "{encoded}"\n}}\n'
    assert "RL515" in codes(b64)
    harmless = base64.b64encode(b"export EDITOR=vim\n").decode()
    assert "RL515" not in codes(f'resource "aws_launch_configuration" "lc" {{\n  user_data_base64 = "{harmless}"\n}}\n')


def test_secrets_engine_covers_terraform_provider_blocks_and_variable_defaults():
    fakes = pytest.importorskip("redline.secrets.fakes", reason="the secrets engine has not landed")
    code = fakes.expand(
        'provider "aws" {\n  region     = "eu-west-1"\n  access_key = "{{fake:aws-access-key-id}}"\n'
        '  secret_key = "{{fake:b64:40}}"\n}\n'
        'variable "github_token" {\n  default = "{{fake:github-token}}"\n}\n'
    )
    found = scan("main.tf", code)
    lines = {f.span.start_line for f in found if f.code.startswith("RL2")}
    assert {2, 3, 6} <= lines, [(f.code, f.span.start_line) for f in found]
    assert not [f for f in found if f.code.startswith("RL5")]  # the IaC rules do not duplicate them


@pytest.mark.parametrize(
    "code",
    [
        'resource "aws_db_instance" "db" {\n  publicly_accessible = \n',
        'resource "aws_security_group" "s" {\n  ingress {\n    cidr_blocks = ["0.0.0.0/0"\n',
        'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": [\nEOF\n}\n',
        "resource {{{ }}}\n",
        "\x00\x01 binary-ish",
        "",
    ],
)
def test_broken_or_half_typed_terraform_does_not_crash(code):
    scan("main.tf", code)


def test_terraform_findings_report_quickly_on_a_large_file():
    # Throughput: one combined query per language; 300 resources must scan without trouble.
    code = "".join(
        f'resource "aws_security_group_rule" "r{i}" {{\n  type = "ingress"\n  from_port = 22\n  to_port = 22\n'
        f'  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n}}\n' for i in range(300)
    )
    assert codes(code).count("RL506") == 300
