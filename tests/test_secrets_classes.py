"""Classes the secrets engine covers so that detect-secrets need not run by default (issue 13):
credential commands and directives in code files (`password "..."` in a Gradle credentials
block, a Ruby DSL, a directive pasted into a source file), the Amazon Bedrock short-lived key
cut after its signature, and AWS key ids with the A3T prefix. Values are built at run time."""

from __future__ import annotations

import pytest

from redline.secrets import scanner
from redline.secrets.detectors import BY_ID
from redline.secrets.fakes import expand, fake

PW = "{{fake:password}}"


def hits(path: str, language: str, source: str):
    text = expand(source).encode()
    return scanner.scan_text(text, language, path)


COMMANDS_FOUND = [
    ("build.gradle", "text", 'repositories {\n  maven {\n    credentials {\n      username "deployer"\n      password "' + PW + '"\n    }\n  }\n}\n'),
    ("deploy.rb", "text", "server 'app.internal'\npassword '" + PW + "'\n"),
    ("Main.java", "java", 'password "' + PW + '";\n'),
    ("main.go", "go", 'password "' + PW + '" // set by ops\n'),
    ("app.py", "python", 'password "' + PW + '"\n'),
]


@pytest.mark.parametrize("path,language,source", COMMANDS_FOUND, ids=[c[0] for c in COMMANDS_FOUND])
def test_credential_command_in_code_is_found(path, language, source):
    found = [h for h in hits(path, language, source) if h.code == "RL204"]
    assert len(found) == 1, found
    assert found[0].name == "password"


COMMANDS_NOT_FOUND = [
    # a tagged template in JavaScript: a call, not a value
    ("a.js", "javascript", "token `" + PW + "`\n"),
    # the literal is one operand of an expression
    ("a.py", "python", 'password "' + PW + '" + suffix\n'),
    # not the start of a statement: the credential word is in the middle of a line
    ("a.rb", "text", 'log "reset", password "' + PW + '"\n'),
    # the quote does not close on the line
    ("a.go", "go", 'password "' + PW + "';\n"),
    # a comment line
    ("a.go", "go", '// password "' + PW + '"\n'),
    # a placeholder is still a placeholder
    ("build.gradle", "text", 'password "changeme"\n'),
    # an HCL block label, not a value
    ("main.tf", "hcl", 'password "' + PW + '" {\n}\n'),
]


@pytest.mark.parametrize("path,language,source", COMMANDS_NOT_FOUND, ids=[f"{c[0]}-{i}" for i, c in enumerate(COMMANDS_NOT_FOUND)])
def test_command_form_needs_a_whole_statement(path, language, source):
    assert not [h for h in hits(path, language, source) if h.code == "RL204"]


def test_bedrock_short_lived_key_cut_after_its_signature_is_a_key():
    det = BY_ID["aws-bedrock-short-lived-key"]
    signature = "bedrock-api-key-" + "YmVkcm9jay5hbWF6b25hd3MuY29t"  # base64("bedrock.amazonaws.com")
    for value in (signature, fake("aws-bedrock-short-lived-key")):
        found = [h for h in hits("a.py", "python", f'BEDROCK_KEY = "{value}"\n') if h.detector == det.id]
        assert found, value
    # the prefix without the signature is not the format
    assert not [h for h in hits("a.py", "python", 'K = "bedrock-api-key-' + "x" * 40 + '"\n') if h.detector == det.id]


def test_aws_key_id_with_the_a3t_prefix():
    body = fake("b32:16")
    found = hits("a.txt", "text", f"A3TX{body}\n")
    assert [h.detector for h in found] == ["aws-access-key-id"]
    assert not hits("a.txt", "text", f"A3T{body}\n")  # one character short of the format


def test_ibm_formats_no_credential_name_gives_away():
    # detect-secrets' SoftLayer and Cloudant plugins: the SOAP endpoint's key, and a Cloudant
    # legacy API key (24 lower-case letters, a "word" to the context detector's entropy test)
    found = hits("a.txt", "text", "https://api.softlayer.com/soap/v3/{{fake:hex:64}}\n")
    assert [h.detector for h in found] == ["softlayer-api-key"]
    found = hits("a.py", "python", 'cloudant_api_key = "{{fake:lower:24}}"\n')
    assert [h.detector for h in found] == ["cloudant-api-key"]
    # placeholders and short values are not keys
    assert not hits("a.py", "python", 'cloudant_api_key = "insertyourcloudantkeyher"\n')
    assert not hits("a.txt", "text", "https://api.softlayer.com/soap/v3/" + "0" * 64 + "\n")
    assert not hits("a.py", "python", 'cl_api_key = "a-fake-api-key"\n')
