"""Every IaC quick fix, applied: the edited file still parses and the rule no longer fires.

The rule examples give the cases: for each RL5xx rule that has a fix builder, every `invalid`
example whose findings carry fixes is fixed step by step until the rule is silent. A few
targeted cases below pin the exact text of the fixes users see most.
"""

from pathlib import PurePath

import pytest
from iac_support import apply_fix, fix_until_clean, has_errors, scan

from redline.rules.registry import default_registry
from test_rule_examples import _path

FIXABLE = [r for r in default_registry().rules if r.code.startswith("RL5") and r.fixes]


def _cases():
    for rule in FIXABLE:
        for i, ex in enumerate(rule.invalid):
            yield pytest.param(rule, ex, id=f"{rule.code}-{i}")


def test_fixable_rules_exist():
    codes = {r.code for r in FIXABLE}
    # Terraform, Dockerfile, Kubernetes/compose and Actions all offer mechanical fixes.
    assert {"RL502", "RL503", "RL530", "RL540", "RL560"} <= codes


@pytest.mark.parametrize("rule,example", list(_cases()))
def test_fix_applies_cleanly(rule, example):
    path = _path(rule, example)
    findings = scan(path, example.code, rule.code)
    assert findings, f"{rule.code} does not fire on its invalid example"
    if not any(f.fixes for f in findings):
        pytest.skip("no mechanical fix for this case (by design)")
    fixed, titles = fix_until_clean(path, example.code, rule.code)
    assert titles
    remaining = scan(path, fixed, rule.code)
    assert all(not f.fixes for f in remaining)
    if all(f.fixes for f in findings) and len(findings) == 1:
        assert not remaining, f"{rule.code} still fires after its fix:\n{fixed}"


def test_every_fixable_rule_fixes_at_least_one_example():
    for rule in FIXABLE:
        fixed_one = False
        for ex in rule.invalid:
            path = _path(rule, ex)
            if any(f.fixes for f in scan(path, ex.code, rule.code)):
                code, _ = fix_until_clean(path, ex.code, rule.code)
                fixed_one = fixed_one or not scan(path, code, rule.code)
        assert fixed_one, f"{rule.code}: no invalid example is fully fixed by its quick fix"


# ------------------------------------------------------------------ exact texts


def _only_fix(path, code, rule):
    findings = [f for f in scan(path, code, rule) if f.fixes]
    assert len(findings) == 1, findings
    return findings[0].fixes[0]


def test_public_access_block_fix_adds_all_four_settings():
    code = 'resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = aws_s3_bucket.b.id\n}\n'
    fixed = apply_fix(code, _only_fix("main.tf", code, "RL502"))
    assert fixed == (
        'resource "aws_s3_bucket_public_access_block" "b" {\n'
        "  bucket = aws_s3_bucket.b.id\n"
        "  block_public_acls = true\n"
        "  block_public_policy = true\n"
        "  ignore_public_acls = true\n"
        "  restrict_public_buckets = true\n"
        "}\n"
    )


def test_terraform_fix_opens_an_empty_one_line_block():
    code = 'resource "aws_ebs_volume" "v" {}\n'
    fixed = apply_fix(code, _only_fix("main.tf", code, "RL503"))
    assert fixed == 'resource "aws_ebs_volume" "v" {\n  encrypted = true\n}\n'
    assert not scan("main.tf", fixed, "RL503")


def test_terraform_fix_creates_nested_blocks():
    code = 'resource "aws_dax_cluster" "d" {\n  cluster_name = "x"\n}\n'
    fixed = apply_fix(code, _only_fix("main.tf", code, "RL503"))
    assert "  server_side_encryption {\n    enabled = true\n  }\n" in fixed
    assert not has_errors("main.tf", fixed) and not scan("main.tf", fixed, "RL503")


def test_terraform_fix_sets_explicit_value_in_place():
    code = 'resource "aws_db_instance" "db" {\n  storage_encrypted   = true\n  publicly_accessible = true # todo\n}\n'
    fixed = apply_fix(code, _only_fix("main.tf", code, "RL507"))
    assert "publicly_accessible = false # todo" in fixed


def test_dockerfile_user_fix_appends_user():
    code = "FROM python:3.12-slim\nCMD [\"python\"]"
    fixed = apply_fix(code, _only_fix("Dockerfile", code, "RL530"))
    assert fixed == "FROM python:3.12-slim\nCMD [\"python\"]\nUSER 10001\n"
    assert not scan("Dockerfile", fixed, "RL530")


def test_dockerfile_chmod_fix_clears_world_write():
    code = "FROM debian:12\nRUN chmod -R 0777 /srv\nUSER 10001\n"
    fixed = apply_fix(code, _only_fix("Dockerfile", code, "RL535"))
    assert "chmod -R 0775 /srv" in fixed


def test_dockerfile_sudo_fix_removes_sudo_and_flags():
    code = "FROM debian:12\nRUN apt-get update && sudo -E apt-get install -y curl\nUSER 10001\n"
    fixed = apply_fix(code, _only_fix("Dockerfile", code, "RL536"))
    assert "RUN apt-get update && apt-get install -y curl" in fixed


def test_privileged_fix_in_flow_mapping():
    code = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
            "    - name: c\n      image: c:1.0\n      securityContext: {privileged: true, runAsNonRoot: true}\n")
    fixed = apply_fix(code, _only_fix("pod.yaml", code, "RL540"))
    assert "securityContext: {privileged: false, runAsNonRoot: true}" in fixed
    assert not has_errors("pod.yaml", fixed)


@pytest.mark.parametrize(
    "run,expected_run",
    [
        ('echo "${{ github.event.issue.title }}"', 'echo "${ISSUE_TITLE}"'),
        ("echo ${{ github.event.issue.title }}", 'echo "${ISSUE_TITLE}"'),
        ("echo '${{ github.event.issue.title }}'", "echo ''\"${ISSUE_TITLE}\"''"),
        ("${{ github.event.issue.title }} is the title", "${ISSUE_TITLE} is the title"),
    ],
)
def test_actions_fix_moves_expression_to_env(run, expected_run):
    code = f"on: issues\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"
    path = ".github/workflows/t.yml"
    fix = _only_fix(path, code, "RL560")
    fixed = apply_fix(code, fix)
    assert not has_errors(path, fixed), fixed
    assert f"      - run: {expected_run}\n" in fixed
    assert "        env:\n          ISSUE_TITLE: ${{ github.event.issue.title }}" in fixed
    assert not scan(path, fixed, "RL560")


def test_actions_fix_block_scalar_and_existing_env():
    code = (
        "on: pull_request_target\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - name: greet\n        env:\n          GREETING: hi\n        run: |\n"
        "          echo \"$GREETING ${{ github.event.pull_request.title }}\"\n"
        "          git log -1 --format=%s ${{ github.head_ref }}\n"
        "          echo again ${{ github.event.pull_request.title }}\n"
    )
    path = ".github/workflows/t.yml"
    fix = _only_fix(path, code, "RL560")
    assert fix.safe
    fixed = apply_fix(code, fix)
    assert not has_errors(path, fixed), fixed
    assert "          GREETING: hi\n          PR_TITLE: ${{ github.event.pull_request.title }}\n" \
           "          HEAD_REF: ${{ github.head_ref }}\n" in fixed
    assert 'echo "$GREETING ${PR_TITLE}"' in fixed
    assert 'git log -1 --format=%s "${HEAD_REF}"' in fixed
    assert 'echo again "${PR_TITLE}"' in fixed
    assert not scan(path, fixed, "RL560")


def test_actions_fix_yaml_double_quoted_run():
    code = ('on: issues\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n'
            '      - run: "echo ${{ github.event.issue.body }} done"\n')
    path = ".github/workflows/t.yml"
    fixed = apply_fix(code, _only_fix(path, code, "RL560"))
    assert '- run: "echo \\"${ISSUE_BODY}\\" done"' in fixed
    assert not has_errors(path, fixed) and not scan(path, fixed, "RL560")


def test_write_all_fix():
    code = "on: push\npermissions: write-all\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
    path = ".github/workflows/ci.yml"
    fixed = apply_fix(code, _only_fix(path, code, "RL562"))
    assert "permissions: { contents: read }\n" in fixed
    assert not has_errors(path, fixed) and not scan(path, fixed, "RL562")


def test_no_rule_example_path_is_absolute():
    for rule in FIXABLE:
        for ex in rule.invalid:
            assert not PurePath(_path(rule, ex)).is_absolute()
