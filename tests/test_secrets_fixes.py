"""Quick fixes of the secrets engine: each one is applied, the result must parse (where the
language has a grammar) and the finding must be gone. Fake secrets are built at run time."""

from __future__ import annotations

import pytest

from redline import languages as langs
from redline.config import Config
from redline.engines.secrets import ENGINE
from redline.findings import Fix
from redline.pipeline import analyze_text, make_source
from redline.secrets.fakes import expand

CONFIG = Config()


def apply(text: bytes, fix: Fix) -> bytes:
    out = text
    for edit in sorted(fix.edits, key=lambda e: e.span.start_byte, reverse=True):
        out = out[: edit.span.start_byte] + edit.new_text.encode() + out[edit.span.end_byte :]
    return out


def secrets_findings(path: str, text: bytes):
    file = make_source(path, text)
    assert file is not None
    return file, ENGINE.scan(file, CONFIG)


def parses(path: str, text: bytes) -> bool:
    lang = langs.detect(path)
    if not langs.has_grammar(lang):
        return True
    return not langs.parse(lang, text).root_node.has_error


# (path, source with {{fake:...}}, expected text of the env fix's replacement, a line that must
# appear in the fixed file)
ENV_CASES = [
    ("settings.py", 'STRIPE_API_KEY = "{{fake:stripe-secret-key}}"\n', 'os.environ["STRIPE_API_KEY"]', "import os"),
    ("app/conf.py", '"""Settings."""\nfrom __future__ import annotations\n\nimport sys\n\nclient = Client(api_key="{{fake:openai-api-key}}")\n',
     'os.environ["OPENAI_API_KEY"]', "import os\nimport sys"),
    ("headers.py", 'import os\nheaders = {"Authorization": "Bearer {{fake:github-token}}"}\n', '"Bearer " + os.environ["GITHUB_TOKEN"]', None),
    ("fmt.py", 'import os\nurl = f"https://api.example.test/?key={{fake:google-api-key}}&q={q}"\n', "{os.environ['GOOGLE_API_KEY']}", None),
    ("db.py", 'import os\nDATABASE_URL = "postgres://app:{{fake:password}}@db.internal:5432/app"\n', 'os.environ["DATABASE_URL"]', None),
    ("client.js", 'const stripeApiKey = "{{fake:stripe-secret-key}}";\n', "process.env.STRIPE_API_KEY", None),
    ("client.ts", 'const apiKey: string = "{{fake:alnum:40}}";\n', "process.env.API_KEY", None),
    ("tpl.js", "const h = `Bearer {{fake:github-token}}`;\n", "${process.env.GITHUB_TOKEN}", None),
    ("main.go", 'package main\n\nimport "fmt"\n\nvar slackToken = "{{fake:slack-token}}"\n\nfunc main() { fmt.Println(slackToken) }\n',
     'os.Getenv("SLACK_TOKEN")', 'import "os"'),
    ("conf.go", 'package conf\n\nimport (\n\t"fmt"\n)\n\nconst apiKey = "{{fake:alnum:40}}"\n\nfunc f() { fmt.Println(apiKey) }\n',
     'var apiKey = os.Getenv("API_KEY")', '\t"os"'),
    ("App.java", 'class App {\n  static final String PASSWORD = "{{fake:password}}";\n}\n', 'System.getenv("PASSWORD")', None),
    ("docker-compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: {{fake:password}}\n", "${POSTGRES_PASSWORD}", None),
    ("k8s.yaml", 'env:\n  - name: DB_PASSWORD\n    value: "{{fake:password}}"\n', '"${DB_PASSWORD}"', None),
    ("app.properties", "spring.datasource.password={{fake:password}}\n", "${SPRING_DATASOURCE_PASSWORD}", None),
    ("deploy.sh", 'export GITHUB_TOKEN="{{fake:github-token}}"\n', '"${GITHUB_TOKEN}"', None),
    ("main.tf", 'provider "aws" {\n  region     = "eu-west-1"\n  secret_key = "{{fake:b64:40}}"\n}\n',
     "var.secret_key", 'variable "secret_key" {'),
    ("variables.tf", 'variable "db_password" {\n  type    = string\n  default = "{{fake:password}}"\n}\n', None, None),
    ("sensitive.tf", 'variable "db" {\n  sensitive = true\n  default   = "{{fake:password}}"\n}\n', None, "sensitive = true\n}"),
]


@pytest.mark.parametrize("path,source,expected,added", ENV_CASES, ids=[c[0] for c in ENV_CASES])
def test_environment_fix_parses_and_removes_the_finding(path, source, expected, added):
    text = expand(source).encode()
    file, findings = secrets_findings(path, text)
    assert findings, f"nothing found in {path}"
    finding = findings[0]
    env_fixes = [f for f in finding.fixes if "environment" in f.title or "${" in f.title or "Terraform" in f.title or "default" in f.title]
    assert env_fixes, [f.title for f in finding.fixes]
    fix = env_fixes[0]
    assert fix.safe is False
    fixed = apply(text, fix)
    assert parses(path, fixed), fixed.decode()
    if expected is not None:
        assert expected.encode() in fixed, fixed.decode()
    if added is not None:
        assert added.encode() in fixed, fixed.decode()
    _, after = secrets_findings(path, fixed)
    assert not [f for f in after if f.span.start_line == finding.span.start_line], fixed.decode()
    assert file.text[finding.span.start_byte : finding.span.end_byte] not in fixed  # the secret is gone


def test_python_import_is_not_added_twice():
    text = expand('import os, sys\nTOKEN = "{{fake:github-token}}"\n').encode()
    _, findings = secrets_findings("a.py", text)
    fixed = apply(text, findings[0].fixes[0])
    assert fixed.count(b"import os") == 1


def test_go_const_block_gets_no_environment_fix():
    text = expand('package p\n\nconst (\n\ta = 1\n\ttoken = "{{fake:github-token}}"\n)\n').encode()
    _, findings = secrets_findings("p.go", text)
    titles = [f.title for f in findings[0].fixes]
    assert titles == ["Allowlist this secret (pragma: allowlist secret)"]


def test_java_annotation_gets_no_environment_fix():
    text = expand('class A {\n  @Value("{{fake:github-token}}") String t;\n}\n').encode()
    _, findings = secrets_findings("A.java", text)
    assert findings and all("environment" not in f.title for f in findings[0].fixes)


def test_terraform_variable_default_fix_removes_the_line():
    text = expand('variable "db_password" {\n  type    = string\n  default = "{{fake:password}}"\n}\n').encode()
    _, findings = secrets_findings("variables.tf", text)
    fixed = apply(text, findings[0].fixes[0])
    assert b"default" not in fixed and parses("variables.tf", fixed)


SUPPRESS_CASES = [
    ("settings.py", 'TOKEN = "{{fake:github-token}}"\n', b"# pragma: allowlist secret"),
    ("client.js", 'const key = "{{fake:stripe-secret-key}}";\n', b"// pragma: allowlist secret"),
    ("config/.env", "GITHUB_TOKEN={{fake:github-token}}\n", b"# pragma: allowlist nextline secret\nGITHUB_TOKEN="),
    ("Dockerfile", "FROM python:3.12\nENV GITHUB_TOKEN={{fake:github-token}}\n", b"# pragma: allowlist nextline secret\nENV"),
    ("app.ini", "[db]\npassword = {{fake:password}}\n", b"# pragma: allowlist nextline secret\npassword"),
    ("keys.py", 'KEY = """{{fake:pem:RSA}}\n"""\n', None),
    ("notes.txt", "token {{fake:gitlab-token}}\n", b"# pragma: allowlist nextline secret\ntoken"),
    ("main.tf", 'locals {\n  token = "{{fake:github-token}}"\n}\n', b"# pragma: allowlist secret"),
    ("ci.yml", "env:\n  TOKEN: {{fake:github-token}}\n", b"# pragma: allowlist secret"),
]


@pytest.mark.parametrize("path,source,marker", SUPPRESS_CASES, ids=[c[0] for c in SUPPRESS_CASES])
def test_allowlist_fix_silences_the_finding(path, source, marker):
    text = expand(source).encode()
    before = analyze_text(path, text)
    secrets = [f for f in before.findings if f.engine == "secrets"]
    assert secrets, before.findings
    fix = next(f for f in secrets[0].fixes if "allowlist" in f.title.lower())
    assert fix.safe is False
    fixed = apply(text, fix)
    if marker is not None:
        assert marker in fixed, fixed.decode()
    assert parses(path, fixed), fixed.decode()
    after = analyze_text(path, fixed)
    assert not [f for f in after.findings if f.code.startswith("RL2") or f.engine == "detect-secrets"], after.findings


def test_json_has_no_comment_so_no_allowlist_fix():
    text = expand('{"token": "{{fake:github-token}}"}\n').encode()
    _, findings = secrets_findings("c.json", text)
    assert findings and not any("allowlist" in f.title.lower() for f in findings[0].fixes)
