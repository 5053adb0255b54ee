"""IaC findings through `redline scan`: text, JSON, SARIF, baselines and suppressions behave as
for code, and every finding carries its CWE, severity and confidence."""

import json
from pathlib import Path

import jsonschema
import pytest

from redline import cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))

FILES = {
    "infra/main.tf": (
        'resource "aws_security_group_rule" "ssh" {\n  type        = "ingress"\n  from_port   = 22\n'
        '  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n}\n\n'
        'resource "aws_db_instance" "db" {\n  engine              = "postgres"\n  storage_encrypted   = true\n'
        '  publicly_accessible = true\n}\n'
    ),
    "Dockerfile": "FROM python:3.12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\nCMD [\"python\"]\n",
    "k8s/pod.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n"
        "      image: app:1.0\n      securityContext:\n        privileged: true\n"
        "      resources:\n        limits:\n          memory: 128Mi\n"
    ),
    "docker-compose.yml": "services:\n  proxy:\n    image: traefik:3.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
    ".github/workflows/triage.yml": (
        "on: issues\npermissions:\n  contents: read\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo \"${{ github.event.issue.title }}\"\n"
    ),
}
EXPECTED = {
    ("infra/main.tf", "RL506", 6),
    ("infra/main.tf", "RL507", 12),
    ("Dockerfile", "RL530", 1),
    ("Dockerfile", "RL533", 2),
    ("k8s/pod.yaml", "RL540", 10),
    ("docker-compose.yml", "RL550", 5),
    (".github/workflows/triage.yml", "RL560", 8),
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(argv, capsys):
    code, out, _err = run(["scan", *argv, "--format", "json", "--select", "RL5"], capsys)
    return code, json.loads(out)


def test_json_findings_for_every_iac_format(project, capsys):
    code, doc = scan_json(["."], capsys)
    assert code == 1
    got = {(f["path"], f["code"], f["start_line"]) for f in doc["findings"]}
    assert EXPECTED <= got, sorted(got)
    for f in doc["findings"]:
        assert f["cwe"] and f["severity"] in ("error", "warning", "info") and f["confidence"] in ("high", "medium", "low")
        assert f["name"] and len(f["fingerprint"]) == 32


def test_text_output_shows_iac_findings(project, capsys):
    code, out, _ = run(["scan", ".", "--select", "RL5"], capsys)
    assert code == 1
    assert "infra/main.tf:6:3: RL506 [error]" in out
    assert ".github/workflows/triage.yml:8:20: RL560 [error]" in out


def test_sarif_has_iac_rules_with_cwe_tags_and_severity(project, capsys):
    code, out, _ = run(["scan", ".", "--format", "sarif", "--select", "RL5"], capsys)
    assert code == 1
    doc = json.loads(out)
    cls = jsonschema.validators.validator_for(SCHEMA)
    errors = list(cls(SCHEMA, format_checker=cls.FORMAT_CHECKER).iter_errors(doc))
    assert not errors, errors[0].message
    run_ = doc["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert "CWE-78" in rules["RL560"]["properties"]["tags"] and "security" in rules["RL560"]["properties"]["tags"]
    assert float(rules["RL506"]["properties"]["security-severity"]) >= 7.0
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run_["results"]}
    assert ("RL550", "docker-compose.yml") in results and ("RL507", "infra/main.tf") in results
    pod = next(r for r in run_["results"] if r["ruleId"] == "RL540")
    assert pod["properties"]["cwe"] == ["CWE-250"] and pod["fixes"]


def test_baseline_survives_edits_in_iac_files(project, capsys):
    code, _out, err = run(["scan", ".", "--select", "RL5", "--write-baseline", "base.json"], capsys)
    assert code == 0
    tf = project / "infra" / "main.tf"
    tf.write_text("# network\n\n" + tf.read_text())
    code, doc = scan_json([".", "--baseline", "base.json"], capsys)
    assert code == 0 and doc["findings"] == []
    tf.write_text(tf.read_text() + '\nresource "aws_ebs_volume" "v" {\n  size = 10\n}\n')
    code, doc = scan_json([".", "--baseline", "base.json"], capsys)
    assert [(f["code"], f["path"]) for f in doc["findings"]] == [("RL503", "infra/main.tf")]


def test_suppression_comments_in_hcl_yaml_and_dockerfile(project, capsys):
    (project / "infra" / "main.tf").write_text(
        FILES["infra/main.tf"].replace('  cidr_blocks = ["0.0.0.0/0"]', '  cidr_blocks = ["0.0.0.0/0"] # redline: ignore[RL506] bastion')
    )
    (project / "k8s" / "pod.yaml").write_text(
        FILES["k8s/pod.yaml"].replace("privileged: true", "privileged: true  # redline: ignore[privileged-container]")
    )
    (project / "Dockerfile").write_text("# redline: ignore-file[RL530]\n" + FILES["Dockerfile"])
    _code, doc = scan_json(["."], capsys)
    got = {(f["path"], f["code"]) for f in doc["findings"]}
    assert ("infra/main.tf", "RL506") not in got and ("k8s/pod.yaml", "RL540") not in got
    assert ("Dockerfile", "RL530") not in got and ("Dockerfile", "RL533") in got


def test_rules_command_documents_iac_rules(capsys):
    code, out, _ = run(["rules", "RL560"], capsys)
    assert code == 0 and "actions-script-injection" in out and "CWE-78" in out
