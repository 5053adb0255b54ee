"""The secrets engine in the pipeline: findings carry rule metadata, redacted messages and
fixes; our finding wins de-duplication against detect-secrets and bandit; suppressions; no whole
secret in messages, properties, text, JSON or SARIF reports. Fakes are built at run time."""

from __future__ import annotations

import json

import pytest

from redline import cli
from redline.config import Config
from redline.engines import all_engines, get
from redline.engines.base import Engine
from redline.findings import Confidence, Severity
from redline.pipeline import analyze_text, make_source
from redline.secrets.fakes import expand
from redline.secrets.redact import contains_secret, redact

SECRETS = Config(engines=(("detect-secrets", False), ("bandit", False), ("redline", False)))


def test_engines_are_discovered_with_the_protocol():
    fast, slow = get("secrets"), get("detect-secrets")
    assert isinstance(fast, Engine) and isinstance(slow, Engine)
    assert (fast.slow, slow.slow) == (False, True)
    # all_engines() holds each engine behind a LazyEngine that imports it on first use.
    assert {fast.name, slow.name} <= {e.name for e in all_engines()}


def test_finding_has_rule_metadata_and_a_redacted_message():
    token = expand("{{fake:github-token}}")
    analysis = analyze_text("app.py", f'GITHUB_TOKEN = "{token}"\n', SECRETS)
    [f] = analysis.findings
    assert (f.code, f.name, f.engine) == ("RL201", "hardcoded-token", "secrets")
    assert f.cwe == (798,) and f.severity is Severity.ERROR and f.confidence is Confidence.HIGH
    assert "GitHub token (ghp_…(40 chars))" in f.message
    assert not contains_secret(f.message, token)
    assert not any(contains_secret(v, token) for _, v in f.properties)
    assert f.property("detector") == "github-token" and f.property("secret_length") == "40"
    assert f.fingerprint and token not in f.fingerprint
    assert [x.title for x in f.fixes] == [
        "Read the secret from the environment variable GITHUB_TOKEN",
        "Allowlist this secret (pragma: allowlist secret)",
    ]


def test_redaction_shows_little_of_short_secrets():
    assert redact("hunter2", 2) == "h…(7 chars)"
    assert redact("ab", 4) == "…(2 chars)"
    assert redact(b"ghp_" + b"a" * 36, 4) == "ghp_…(40 chars)"
    assert contains_secret("x ghp_abcdefghijklmnop y", "ghp_abcdefghijklmnopqrst")
    assert not contains_secret("x ghp_…(24 chars) y", "ghp_abcdefghijklmnopqrst")


def test_our_finding_wins_over_detect_secrets_on_the_same_line():
    token = expand("{{fake:github-token}}")
    analysis = analyze_text("app.py", f'GITHUB_TOKEN = "{token}"\n', Config(engines=(("bandit", False),)))
    secrets = [f for f in analysis.findings if f.code.startswith("RL2") or f.code == "RL902"]
    assert [(f.code, f.engine) for f in secrets] == [("RL201", "secrets")]


def test_detect_secrets_high_entropy_needs_a_credential_holder():
    # A random-looking string is not a secret by its looks alone (payloads, ETags, revisions) ...
    blob = expand("{{fake:b64:48}}")
    analysis = analyze_text("blob.py", f'blob = "{blob}"\n', Config(engines=(("bandit", False),)))
    assert analysis.findings == []
    # ... but held by a credential name it is reported once (the engines agree on the code).
    analysis = analyze_text("blob.py", f'session_secret = "{blob}"\n', Config(engines=(("bandit", False),)))
    assert [f.code for f in analysis.findings] == ["RL205"]
    assert all(not contains_secret(f.message, blob) for f in analysis.findings)


def _secret_findings(analysis):
    return [f for f in analysis.findings if f.code.startswith("RL2") or f.engine == "detect-secrets"]


@pytest.mark.parametrize(
    "comment",
    ["# pragma: allowlist secret", "# redline: ignore[RL201] test fixture", "# redline: ignore[hardcoded-token] fixture"],
)
def test_suppressions(comment):
    source = expand(f'TOKEN = "{{{{fake:github-token}}}}"  {comment}\n')
    assert _secret_findings(analyze_text("app.py", expand('TOKEN = "{{fake:github-token}}"\n')))
    assert not _secret_findings(analyze_text("app.py", source))


def test_nextline_pragma_and_ignore_by_configuration():
    source = expand('# pragma: allowlist nextline secret\nTOKEN = "{{fake:github-token}}"\n')
    assert not _secret_findings(analyze_text("app.py", source))
    source = expand('TOKEN = "{{fake:github-token}}"\n')
    assert not _secret_findings(analyze_text("app.py", source, Config(ignore=("RL2", "RL902"))))


def test_every_file_type_of_the_issue_is_scanned():
    token = expand("{{fake:slack-token}}")
    for path in ("a.txt", ".env", "a.ini", "a.cfg", "a.conf", "a.properties", "a.yaml", "a.json", "a.toml",
                 "Dockerfile", "main.tf", "a.py", "a.js", "a.ts", "a.go", "A.java", "a.sh", "a.xml"):
        file = make_source(path, f"# slack\nvalue = {token}\n".encode())
        assert file is not None, path
        findings = get("secrets").scan(file, SECRETS)
        assert [f.code for f in findings] == ["RL201"], path


def test_private_key_finding_spans_the_block():
    block = expand("{{fake:pem:EC}}")
    [f] = analyze_text("keys.txt", f"prefix\n{block}\n", SECRETS).findings
    assert f.code == "RL202" and f.span.start_line == 1 and f.span.end_line == 1 + block.count("\n")
    assert "EC private key" in f.message


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_secret_in_cli_reports(tmp_path, capsys, fmt):
    f = {k: expand("{{fake:%s}}" % k) for k in ("openai-api-key", "password", "stripe-secret-key", "alnum:40")}
    db_password = expand("{{fake:password}}") + "x"
    pem = expand("{{fake:pem:RSA}}")
    files = {
        "app.py": f'API_KEY = "{f["openai-api-key"]}"\nDB_PASSWORD = "{f["password"]}"\n',
        "config/.env": f"STRIPE_KEY={f['stripe-secret-key']}\nDATABASE_URL=postgres://app:{db_password}@db.internal/app\n",
        "deploy.yaml": f"env:\n  - name: API_TOKEN\n    value: {f['alnum:40']}\n",
        "id_rsa.txt": pem + "\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    out_file = tmp_path / f"report.{fmt}"
    code = cli.main(["scan", str(tmp_path), "--format", fmt, "--output", str(out_file), "--fail-on", "never"])
    assert code == 0
    report = out_file.read_text()
    for code in ("RL201", "RL202", "RL203", "RL204", "RL205"):
        assert code in report
    for secret in [*f.values(), db_password, pem.splitlines()[1]]:
        assert not contains_secret(report, secret), secret[:4]
    if fmt == "json":
        json.loads(report)


def test_no_secret_in_a_baseline_and_the_baseline_hides_the_finding(tmp_path, capsys):
    token = expand("{{fake:github-token}}")
    (tmp_path / "app.py").write_text(f'GITHUB_TOKEN = "{token}"\n')
    baseline = tmp_path / "baseline.json"
    cli.main(["scan", str(tmp_path / "app.py"), "--write-baseline", str(baseline), "--fail-on", "never"])
    text = baseline.read_text()
    assert "RL201" in text and not contains_secret(text, token)
    capsys.readouterr()
    code = cli.main(["scan", str(tmp_path / "app.py"), "--baseline", str(baseline), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["findings"] == [] and out["summary"]["baseline_matched"] >= 1
